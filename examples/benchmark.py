"""Benchmark: skneural against scikit-learn's MLP and against the matrix-product floor.
====================================================================================

Everything is measured in this one process, on the same data.  The things
compared take turns within every repeat, and each ratio is the median over
repeats of the ratio within a repeat, so that the drift of a shared machine
falls on both sides alike; each time is the median of ``--repeats`` runs.

Run it::

    python examples/benchmark.py                 # the full table (a few minutes)
    python examples/benchmark.py --n 15000 --json results.json
    python examples/benchmark.py --quick         # a tiny smoke run

Sections: training (seconds per epoch, float64 and float32, against
scikit-learn and against the epoch's matrix products alone, with the parts
NumPy runs one pass at a time: the batch gathers and Adam steps), prediction
(``predict_proba`` against scikit-learn and the two products), small data (a
default fit on digits, with its time per batch), a 24-fit grid search on 3,000
rows, levers measured and not kept (the compiled passes on a small network,
one BLAS thread), memory (peak extra memory of ``fit`` as a multiple of
X's size, by tracemalloc), scaling (epoch time against n and width), and the
general Jacobian path (a user's row-wise softmax given as a pair) against the
fused one, and, when PyTorch is installed, the same training epoch in PyTorch
on the CPU.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings

import numpy as np
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.neural_network import MLPClassifier

from skneural import Adam, NumpyMLPClassifier
from skneural.components import fused


def interleaved(fns, repeats, warmup=False):
    """Seconds of each run of each function, the functions taking turns within every repeat,
    so that the machine's drift during the run falls on all of them alike; ``warmup`` runs each
    once first, untimed (imports, first allocations, compiled code loaded)."""
    for fn in fns.values() if warmup else ():
        fn()
    times = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return times


def median_ratio(a, b):
    """The median over repeats of a's time over b's in the same repeat."""
    return float(np.median(np.divide(a, b)))


def quiet(fn):
    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return fn()
    return run


def make_data(n, features, classes, dtype, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.rand(n, features).astype(dtype)
    y = rng.randint(0, classes, n)
    return X, y


def floor_epoch(X, sizes, batch_size):
    """One epoch of matrix products alone: forward, weight gradients, and the
    input gradients every layer but the first needs, batch by batch."""
    rng = np.random.RandomState(1)
    weights = [rng.randn(a, b).astype(X.dtype) for a, b in zip(sizes[:-1], sizes[1:])]

    def epoch():
        for start in range(0, X.shape[0], batch_size):
            outputs = [X[start:start + batch_size]]
            for w in weights:
                outputs.append(outputs[-1] @ w)
            grad = outputs[-1]
            for i in range(len(weights) - 1, -1, -1):
                outputs[i].T @ grad
                if i:
                    grad = grad @ weights[i].T

    return epoch


def training_settings(args):
    """The estimators' settings of the training sections' network."""
    return dict(hidden_layer_sizes=(args.hidden,), batch_size=args.batch_size, max_iter=args.epochs, shuffle=True,
                tol=0, random_state=0)


def adam_epoch(args, dtype):
    """A function running one epoch's Adam steps (one a batch) over a vector of the network's size."""
    sizes = [args.features, args.hidden, args.classes]
    n_params = sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))
    params, grad = np.zeros(n_params, dtype), np.random.RandomState(2).randn(n_params).astype(dtype)

    def steps():
        optimizer = Adam()
        for _ in range(-(-args.n // args.batch_size)):
            optimizer.update(params, grad)

    return steps


def training(args, dtype):
    """Seconds per epoch of skneural, scikit-learn and the floor, run in turn in every repeat,
    with the parts of an epoch that NumPy runs one pass at a time on one core: gathering the
    shuffled batches and the Adam steps.  The floor plus those parts bounds from below what any
    NumPy implementation of this epoch can reach."""
    X, y = make_data(args.n, args.features, args.classes, dtype)
    settings = training_settings(args)
    floor = floor_epoch(X, [args.features, args.hidden, args.classes], args.batch_size)
    order = np.random.RandomState(3).permutation(args.n)
    gathered = np.empty((args.batch_size, args.features), dtype)

    def gather():
        for start in range(0, args.n, args.batch_size):
            idx = order[start:start + args.batch_size]
            np.take(X, idx, axis=0, out=gathered[:len(idx)], mode="clip")

    fns = {
        "skneural": quiet(lambda: NumpyMLPClassifier(**settings).fit(X, y)),
        "sklearn": quiet(lambda: MLPClassifier(**settings).fit(X, y)),
        "floor": lambda: [floor() for _ in range(args.epochs)],
        "gather": gather,
        "adam": with_passes(adam_epoch(args, dtype)),  # the NumPy bound: Adam's NumPy passes, numba or not
    }
    if fused.available():  # the bound of an epoch that takes the compiled step, as skneural's does then
        fns["adam_compiled"] = with_passes(adam_epoch(args, dtype), compiled=True)
    times = interleaved(fns, args.repeats, warmup=True)
    per_epoch = {k: np.array(v) / (1 if k.startswith(("gather", "adam")) else args.epochs) for k, v in times.items()}
    bound = per_epoch["floor"] + per_epoch["gather"] + per_epoch["adam"]
    result = {"skneural_s": float(np.median(per_epoch["skneural"])), "sklearn_s": float(np.median(per_epoch["sklearn"])),
              "floor_s": float(np.median(per_epoch["floor"])),
              "vs_sklearn": median_ratio(per_epoch["skneural"], per_epoch["sklearn"]),
              "vs_sklearn_range": [float(f(per_epoch["skneural"] / per_epoch["sklearn"])) for f in (np.min, np.max)],
              "vs_floor": median_ratio(per_epoch["skneural"], per_epoch["floor"]),
              "gather_s": float(np.median(per_epoch["gather"])), "adam_s": float(np.median(per_epoch["adam"])),
              "numpy_bound_s": float(np.median(bound)),
              "numpy_bound_vs_sklearn": median_ratio(bound, per_epoch["sklearn"]),
              "vs_numpy_bound": median_ratio(per_epoch["skneural"], bound),
              "runs": {k: v.tolist() for k, v in per_epoch.items()}}
    if "adam_compiled" in per_epoch:
        compiled_bound = per_epoch["floor"] + per_epoch["gather"] + per_epoch["adam_compiled"]
        result.update(adam_compiled_s=float(np.median(per_epoch["adam_compiled"])),
                      compiled_bound_s=float(np.median(compiled_bound)),
                      vs_compiled_bound=median_ratio(per_epoch["skneural"], compiled_bound))
    return result


def with_passes(fn, compiled=False):
    """fn run with NumPy's passes for Adam's step and the L2 gradient (or, compiled=True, the compiled
    passes of the 'fast' extra whatever the arrays' size)."""
    def run():
        saved, fused.MIN_SIZE = fused.MIN_SIZE, (0 if compiled else np.inf)
        try:
            return fn()
        finally:
            fused.MIN_SIZE = saved
    return run


def first_use_seconds(dtype, cold, runs=3):
    """What a process pays, once, for its first compiled passes in ``dtype`` (numba imported, the passes
    read from numba's cache on disk, or with ``cold`` compiled into an empty cache, as the first time on
    a machine): the median over fresh processes."""
    code = ("import sys, time, numpy as np; from skneural.components import fused; "
            "a = np.zeros(fused.MIN_SIZE, sys.argv[1]); t = time.perf_counter(); "
            "assert fused.adam_step(a, a.copy(), a.copy(), a.copy(), 0.9, 0.999, 1e-3, 1e-8); "
            "assert fused.add_scaled(a, a.copy(), 1e-4); print(time.perf_counter() - t)")
    seconds = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as cache:
            env = dict(os.environ, **({"NUMBA_CACHE_DIR": cache} if cold else {}))
            seconds.append(float(subprocess.run([sys.executable, "-c", code, dtype], capture_output=True, text=True,
                                                check=True, env=env).stdout))
    return float(np.median(seconds))


def fused_step(args):
    """The compiled passes (the 'fast' extra, numba) against NumPy's, in turns in every repeat: an epoch's
    Adam steps alone, and whole epochs of the training section's network (both passes); and what a process
    pays for its first compiled passes."""
    if not fused.available():
        return {"available": False}
    results = {"available": True}
    for dtype in args.dtype:
        X, y = make_data(args.n, args.features, args.classes, np.dtype(dtype).type)
        steps = adam_epoch(args, np.dtype(dtype).type)
        fit = quiet(lambda: NumpyMLPClassifier(**training_settings(args)).fit(X, y))
        times = interleaved({"epochs_compiled": with_passes(fit, compiled=True), "epochs_numpy": with_passes(fit),
                             "steps_compiled": with_passes(steps, compiled=True), "steps_numpy": with_passes(steps)},
                            args.repeats, warmup=True)
        row = {k: float(np.median(v)) / (args.epochs if k.startswith("epochs") else 1) for k, v in times.items()}
        row["epoch_ratio"] = median_ratio(times["epochs_compiled"], times["epochs_numpy"])
        row["first_use_s"], row["first_use_cold_s"] = first_use_seconds(dtype, False), first_use_seconds(dtype, True)
        row["steps_ratio"] = median_ratio(times["steps_compiled"], times["steps_numpy"])
        results[dtype] = row
    return results


def prediction(args):
    X, y = make_data(args.n, args.features, args.classes, np.float64)
    settings = dict(hidden_layer_sizes=(args.hidden,), max_iter=1, random_state=0)
    ours = quiet(lambda: NumpyMLPClassifier(**settings).fit(X[:2000], y[:2000]))()
    theirs = quiet(lambda: MLPClassifier(**settings).fit(X[:2000], y[:2000]))()
    w1, w2 = theirs.coefs_

    def products():
        (X @ w1) @ w2

    times = interleaved({"skneural": lambda: ours.predict_proba(X), "sklearn": lambda: theirs.predict_proba(X),
                         "floor": products}, args.repeats, warmup=True)
    return {"skneural_s": float(np.median(times["skneural"])), "sklearn_s": float(np.median(times["sklearn"])),
            "floor_s": float(np.median(times["floor"])),
            "vs_sklearn": median_ratio(times["skneural"], times["sklearn"]),
            "vs_floor": median_ratio(times["skneural"], times["floor"])}


def small_data(args):
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    models = {}

    def fit(name, Estimator):
        return quiet(lambda: models.__setitem__(name, Estimator(random_state=0).fit(X_train, y_train)))

    fit("skneural", NumpyMLPClassifier)()  # its epochs: the floor times the matrix products of as many
    epochs, batches_per_epoch = models["skneural"].n_iter_, -(-len(X_train) // 200)  # (batches of 200 rows)
    floor = floor_epoch(X_train.astype(np.float64), [X.shape[1], 100, len(np.unique(y))], 200)
    times = interleaved({"skneural": fit("skneural", NumpyMLPClassifier), "sklearn": fit("sklearn", MLPClassifier),
                         "floor": lambda: [floor() for _ in range(epochs)]}, args.repeats, warmup=True)
    result = {}
    for name, model in models.items():
        result[f"{name}_s"] = float(np.median(times[name]))
        result[f"{name}_accuracy"] = float(model.score(X_test, y_test))
        result[f"{name}_epochs"] = int(model.n_iter_)
        result[f"{name}_batch_us"] = result[f"{name}_s"] / (model.n_iter_ * batches_per_epoch) * 1e6
    result["floor_batch_us"] = float(np.median(times["floor"])) / (epochs * batches_per_epoch) * 1e6
    result["vs_sklearn"] = median_ratio(times["skneural"], times["sklearn"])
    return result


def grid_search(args):
    """A 24-fit GridSearchCV (8 candidates, 3 folds, then the best refitted on all 3,000 rows) of each library,
    in turns."""
    X, y = make_classification(n_samples=400 if args.quick else 4000, n_features=20, n_informative=10, n_classes=3,
                               random_state=0)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
    grid = {"hidden_layer_sizes": [(64,), (128,)], "alpha": [1e-4, 1e-2], "learning_rate_init": [1e-3, 1e-2]}
    searches = {}

    def search(name, Estimator):
        estimator = Estimator(random_state=0, max_iter=20 if args.quick else 200)
        return quiet(lambda: searches.__setitem__(name, GridSearchCV(estimator, grid, cv=3).fit(X_train, y_train)))

    times = interleaved({"skneural": search("skneural", NumpyMLPClassifier), "sklearn": search("sklearn", MLPClassifier)},
                        args.repeats, warmup=True)
    result = {"fits": 3 * len(searches["skneural"].cv_results_["params"]), "rows": len(X_train),
              "vs_sklearn": median_ratio(times["skneural"], times["sklearn"])}
    for name, fitted in searches.items():
        result[f"{name}_s"] = float(np.median(times[name]))
        result[f"{name}_cv_score"] = float(fitted.best_score_)
        result[f"{name}_test_score"] = float(fitted.score(X_test, y_test))
    return result


def per_layer_steps(args):
    """Adam's compiled step on each layer's slice of the vector right after its weight gradient (while
    that gradient is in cache) against one step over the whole vector after the backward pass: the floor
    epoch's products and gathers with the steps, both ways, in turns (float64)."""
    X, _ = make_data(args.n, args.features, args.classes, np.float64)
    sizes = [args.features, args.hidden, args.classes]
    counts = [a * b for a, b in zip(sizes[:-1], sizes[1:])]
    flat, grad = np.random.RandomState(4).randn(sum(counts)) * 0.01, np.zeros(sum(counts))
    ends = np.cumsum([0] + counts)

    def layer_views(vector):
        return [vector[a:b].reshape(i, o) for a, b, i, o in zip(ends[:-1], ends[1:], sizes[:-1], sizes[1:])]

    weights, grads = layer_views(flat), layer_views(grad)
    order, batch = np.random.RandomState(3).permutation(args.n), np.empty((args.batch_size, args.features))

    def epoch(per_layer):
        optimizer, layers = Adam(), [Adam() for _ in counts]
        for start in range(0, args.n, args.batch_size):
            idx = order[start:start + args.batch_size]
            outputs = [np.take(X, idx, axis=0, out=batch[:len(idx)], mode="clip")]
            for w in weights:
                outputs.append(outputs[-1] @ w)
            g = outputs[-1]
            for i in range(len(weights) - 1, -1, -1):
                np.matmul(outputs[i].T, g, out=grads[i])
                if i:
                    g = g @ weights[i].T
                if per_layer:
                    layers[i].update(flat[ends[i]:ends[i + 1]], grad[ends[i]:ends[i + 1]])
            if not per_layer:
                optimizer.update(flat, grad)

    times = interleaved({"per_layer": with_passes(lambda: epoch(True), compiled=True),
                         "whole": with_passes(lambda: epoch(False), compiled=True)}, args.repeats, warmup=True)
    return median_ratio(times["per_layer"], times["whole"])


def levers(args):
    """Levers measured and not kept: on the digits fit, the compiled passes on a small network (already
    loaded) and the matrix products on one BLAS thread instead of all; on the training section's
    network, Adam's step per layer right after its weight gradient."""
    from threadpoolctl import threadpool_limits

    X, y = load_digits(return_X_y=True)
    fit = quiet(lambda: NumpyMLPClassifier(random_state=0).fit(X, y))

    def one_thread():
        with threadpool_limits(limits=1, user_api="blas"):
            fit()

    compiled = fused.available()
    fns = {"default": fit, "one_blas_thread": one_thread}
    if compiled:
        fns["compiled_passes"] = with_passes(fit, compiled=True)
    times = interleaved(fns, args.repeats, warmup=True)
    result = {f"{name}_vs_default": median_ratio(times[name], times["default"]) for name in fns if name != "default"}
    if compiled:
        result["per_layer_steps_vs_one_step"] = per_layer_steps(args)
    return result


def peak_fit_memory(Estimator, X, y, settings):
    tracemalloc.start()
    quiet(lambda: Estimator(**settings).fit(X, y))()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / X.nbytes


def memory(args):
    X, y = make_data(args.n, args.features, args.classes, np.float64)
    settings = dict(hidden_layer_sizes=(args.hidden,), max_iter=1, batch_size=args.batch_size, tol=0, random_state=0)
    return {"skneural_x": peak_fit_memory(NumpyMLPClassifier, X, y, settings),
            "sklearn_x": peak_fit_memory(MLPClassifier, X, y, settings)}


def scaling(args):
    rows = []
    for n in (args.n // 4, args.n // 2, args.n):
        for hidden in (64, 256, 1024) if n == args.n else (args.hidden,):
            X, y = make_data(n, args.features, args.classes, np.float64)
            settings = dict(hidden_layer_sizes=(hidden,), batch_size=args.batch_size, max_iter=1, tol=0,
                            random_state=0)
            times = interleaved({"skneural": quiet(lambda: NumpyMLPClassifier(**settings).fit(X, y)),
                                 "floor": floor_epoch(X, [args.features, hidden, args.classes], args.batch_size)},
                                args.repeats)
            rows.append({"n": n, "hidden": hidden, "skneural_s": float(np.median(times["skneural"])),
                         "floor_s": float(np.median(times["floor"])),
                         "vs_floor": median_ratio(times["skneural"], times["floor"])})
    return rows


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def softmax_jacobians(z):
    s = softmax(z)
    jac = -s[:, :, None] * s[:, None, :]
    jac[:, np.arange(s.shape[1]), np.arange(s.shape[1])] += s
    return jac


def jacobian_path(args):
    rows = []
    for classes in (10, 100):
        X, y = make_data(args.n // 4, args.features, classes, np.float64)
        settings = dict(hidden_layer_sizes=(args.hidden,), batch_size=args.batch_size, max_iter=1, tol=0,
                        random_state=0, loss="categorical_crossentropy")
        times = interleaved({
            "fused": quiet(lambda: NumpyMLPClassifier(**settings).fit(X, y)),
            "general": quiet(lambda: NumpyMLPClassifier(output_activation=(softmax, softmax_jacobians),
                                                        **settings).fit(X, y)),
        }, args.repeats)
        rows.append({"outputs": classes, "fused_s": float(np.median(times["fused"])),
                     "general_s": float(np.median(times["general"])),
                     "general_vs_fused": median_ratio(times["general"], times["fused"])})
    return rows


def torch_training(args):
    """Seconds per epoch of the same network, data and settings in PyTorch on the CPU (when installed)."""
    try:
        import torch
    except ImportError:
        return {"available": False}
    torch.set_num_threads(os.cpu_count())
    rows = {"available": True, "version": torch.__version__}
    for dtype in args.dtype:
        X, y = make_data(args.n, args.features, args.classes, np.dtype(dtype).type)
        Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
        torch.manual_seed(0)

        def fit():
            model = torch.nn.Sequential(torch.nn.Linear(args.features, args.hidden), torch.nn.ReLU(),
                                        torch.nn.Linear(args.hidden, args.classes)).to(Xt.dtype)
            # scikit-learn's L2 term alpha * W / batch_size, as Adam's (coupled) weight decay
            optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4 / args.batch_size)
            loss_fn = torch.nn.CrossEntropyLoss()
            for _ in range(args.epochs):
                order = torch.randperm(len(Xt))
                for start in range(0, len(Xt), args.batch_size):
                    idx = order[start:start + args.batch_size]
                    optimizer.zero_grad(set_to_none=True)
                    loss_fn(model(Xt[idx]), yt[idx]).backward()
                    optimizer.step()

        settings = training_settings(args)
        times = interleaved({"skneural": quiet(lambda: NumpyMLPClassifier(**settings).fit(X, y)), "torch": fit},
                            args.repeats, warmup=True)
        rows[dtype] = {"skneural_s": float(np.median(times["skneural"])) / args.epochs,
                       "torch_s": float(np.median(times["torch"])) / args.epochs,
                       "vs_torch": median_ratio(times["skneural"], times["torch"])}
    return rows


def pair(label, row, key, fmt, ratio=None):
    """A line of the table: skneural's and scikit-learn's ``key`` in ``row``, and their ratio if given."""
    line = f"{label:<34}{row['skneural_' + key]:>11{fmt}}{row['sklearn_' + key]:>11{fmt}}"
    print(line if ratio is None else f"{line}{'':>10}{ratio:>10.2f}")


def print_table(results):
    print(f"\nskneural benchmark: {results['machine']['cores']} cores, {results['machine']['processor']}, "
          f"n={results['settings']['n']}, {results['settings']['features']} -> {results['settings']['hidden']} "
          f"-> {results['settings']['classes']}, batch {results['settings']['batch_size']}")
    print(f"{'measure':<34}{'skneural':>11}{'sklearn':>11}{'floor':>10}{'/sklearn':>10}{'/floor':>9}")
    for dtype, row in results.get("training", {}).items():
        print(f"{'train epoch (s), ' + dtype:<34}{row['skneural_s']:>11.3f}{row['sklearn_s']:>11.3f}"
              f"{row['floor_s']:>10.3f}{row['vs_sklearn']:>10.2f}{row['vs_floor']:>9.2f}")
        print(f"{'  per repeat, / sklearn':<34}{'':>11}{'':>11}{'':>10}"
              f"{'%.2f-%.2f' % tuple(row['vs_sklearn_range']):>10}")
        print(f"{'  of which NumPy cannot fuse:':<34}{'':>11}{'':>11}{'':>10}")
        print(f"{'  batch gathers (s)':<34}{row['gather_s']:>11.3f}")
        print(f"{'  Adam steps (s)':<34}{row['adam_s']:>11.3f}")
        print(f"{'  floor + gathers + Adam (s)':<34}{row['numpy_bound_s']:>11.3f}{'':>11}{'':>10}"
              f"{row['numpy_bound_vs_sklearn']:>10.2f}{row['numpy_bound_s'] / row['floor_s']:>9.2f}")
        print(f"{'  epoch / that bound':<34}{row['vs_numpy_bound']:>11.2f}")
        if "compiled_bound_s" in row:
            print(f"{'  Adam steps compiled (s)':<34}{row['adam_compiled_s']:>11.3f}")
            print(f"{'  floor + gathers + compiled (s)':<34}{row['compiled_bound_s']:>11.3f}")
            print(f"{'  epoch / that bound':<34}{row['vs_compiled_bound']:>11.2f}")
    if "prediction" in results:
        row = results["prediction"]
        print(f"{'predict_proba (s)':<34}{row['skneural_s']:>11.3f}{row['sklearn_s']:>11.3f}"
              f"{row['floor_s']:>10.3f}{row['vs_sklearn']:>10.2f}{row['vs_floor']:>9.2f}")
    if "small_data" in results:
        row = results["small_data"]
        pair("digits default fit (s)", row, "s", ".3f", row["vs_sklearn"])
        pair("digits held-out accuracy", row, "accuracy", ".4f")
        pair("digits epochs to converge", row, "epochs", "d")
        print(f"{'digits time per batch (us)':<34}{row['skneural_batch_us']:>11.0f}{row['sklearn_batch_us']:>11.0f}"
              f"{row['floor_batch_us']:>10.0f}  (beyond the matrix products: "
              f"{row['skneural_batch_us'] - row['floor_batch_us']:.0f} us, sklearn "
              f"{row['sklearn_batch_us'] - row['floor_batch_us']:.0f} us)")
    if "grid_search" in results:
        row = results["grid_search"]
        pair(f"GridSearchCV, {row['fits']} fits+refit (s)", row, "s", ".3f", row["vs_sklearn"])
        pair("  best candidate, CV accuracy", row, "cv_score", ".4f")
        pair("  refitted, held-out accuracy", row, "test_score", ".4f")
    for name, ratio in results.get("levers", {}).items():
        label = {"one_blas_thread_vs_default": "digits, one BLAS thread", "compiled_passes_vs_default":
                 "digits, compiled passes", "per_layer_steps_vs_one_step": "epoch, Adam per layer"}[name]
        print(f"{label + ' / as kept':<34}{ratio:>11.2f}  (measured, not kept)")
    if "memory" in results:
        row = results["memory"]
        print(f"{'fit peak extra memory (x X)':<34}{row['skneural_x']:>11.2f}{row['sklearn_x']:>11.2f}")
    for row in results.get("scaling", []):
        print(f"{'epoch n=%d hidden=%d (s)' % (row['n'], row['hidden']):<34}{row['skneural_s']:>11.3f}"
              f"{'':>11}{row['floor_s']:>10.3f}{'':>10}{row['vs_floor']:>9.2f}")
    for row in results.get("jacobian", []):
        print(f"{'Jacobian/fused epoch, %d outputs' % row['outputs']:<34}{row['general_s']:>11.3f}"
              f"{row['fused_s']:>11.3f}  (general / fused = {row['general_vs_fused']:.2f})")
    if "fused" in results:
        if not results["fused"]["available"]:
            print("Adam compiled: numba is not installed (pip install -e '.[fast]') - no comparison")
        for dtype, row in ((k, v) for k, v in results["fused"].items() if isinstance(v, dict)):
            print(f"{'Adam steps compiled/NumPy, ' + dtype:<34}{row['steps_compiled']:>11.3f}{row['steps_numpy']:>11.3f}"
                  f"  (compiled / NumPy = {row['steps_ratio']:.2f})")
            print(f"{'epoch compiled/NumPy, ' + dtype:<34}{row['epochs_compiled']:>11.3f}"
                  f"{row['epochs_numpy']:>11.3f}  (compiled / NumPy = {row['epoch_ratio']:.2f})")
            print(f"{'  first compiled passes, once (s)':<34}{row['first_use_s']:>11.3f}{row['first_use_cold_s']:>11.3f}"
                  "  (numba imported; passes read from its cache / compiled)")
    if "torch" in results:
        torch_rows = results["torch"]
        if not torch_rows["available"]:
            print("PyTorch: not installed (pip install torch) - no comparison")
        for dtype, row in ((k, v) for k, v in torch_rows.items() if isinstance(v, dict)):
            print(f"{'epoch vs PyTorch %s (s), %s' % (torch_rows['version'].split('+')[0], dtype):<34}"
                  f"{row['skneural_s']:>11.3f}{row['torch_s']:>11.3f}  (skneural / PyTorch = {row['vs_torch']:.2f})")


SECTIONS = {"training": None, "prediction": prediction, "small_data": small_data, "grid_search": grid_search,
            "levers": levers, "memory": memory,
            "scaling": scaling, "jacobian": jacobian_path, "fused": fused_step, "torch": torch_training}


def main(argv=None):
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--n", type=int, default=60000, help="training rows (default 60000)")
    parser.add_argument("--features", type=int, default=784)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--dtype", nargs="+", default=["float64", "float32"], choices=["float64", "float32"])
    parser.add_argument("--sections", nargs="+",
                        default=[*SECTIONS], choices=[*SECTIONS])
    parser.add_argument("--quick", action="store_true", help="a tiny run, to check that everything works")
    parser.add_argument("--json", help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    if args.quick:
        args.n, args.features, args.hidden, args.epochs, args.repeats = 800, 20, 16, 1, 1
    results = {
        "machine": {"cores": os.cpu_count(), "processor": platform.processor() or platform.machine(),
                    "python": platform.python_version(), "numpy": np.__version__},
        "settings": {k: v for k, v in vars(args).items() if k not in ("json", "sections")},
    }
    if "training" in args.sections:
        results["training"] = {dtype: training(args, np.dtype(dtype).type) for dtype in args.dtype}
    for name, run in SECTIONS.items():
        if name in args.sections and name != "training":
            results[name] = run(args)
    print_table(results)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    return results


if __name__ == "__main__":
    main()
