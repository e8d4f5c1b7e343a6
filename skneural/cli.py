"""The ``skneural`` command (also ``python -m skneural``).

``skneural demo`` (the default) trains on scikit-learn's bundled digits beside
scikit-learn's own MLP; ``skneural train DATA.csv --target COLUMN`` trains a
model on a CSV file of numeric features and saves it; ``skneural predict MODEL
DATA.csv`` writes its predictions.  Mistakes (a missing file, an unknown
column, a non-numeric feature, a file that is not a model) end with a one-line
message and exit status 1.
"""

import argparse
import contextlib
import csv
import os
import sys
import time
import warnings

import numpy as np

__all__ = ["main"]


class UsageError(Exception):
    """A mistake in what the user asked for: reported in one line, without a traceback."""


class _LiveLine:
    """A stream that shows each printed line in place of the previous one on a terminal."""

    def __init__(self, stream):
        self.stream, self.width = stream, 0

    def write(self, text):
        if not self.stream.isatty():
            return self.stream.write(text)
        for line in text.splitlines():
            if line.strip():
                self.stream.write("\r" + line.ljust(self.width))
                self.width = len(line)
        self.stream.flush()
        return len(text)

    def flush(self):
        self.stream.flush()

    def end(self):
        if self.stream.isatty() and self.width:
            self.stream.write("\n")


@contextlib.contextmanager
def _live_progress():
    live = _LiveLine(sys.stdout)
    with contextlib.redirect_stdout(live):
        yield
    live.end()


# -- demo ------------------------------------------------------------------------------------


def demo(out_dir="skneural-demo", max_iter=200):
    """Train on digits beside scikit-learn's MLPClassifier, report, save, and plot."""
    from sklearn.datasets import load_digits
    from sklearn.metrics import classification_report
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from . import NumpyMLPClassifier, load, save

    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    settings = dict(hidden_layer_sizes=(100,), alpha=1e-3, early_stopping=True, n_iter_no_change=20,
                    max_iter=max_iter, random_state=0)
    ours = make_pipeline(StandardScaler(), NumpyMLPClassifier(verbose=1, **settings))
    theirs = make_pipeline(StandardScaler(), MLPClassifier(**settings))
    print(f"Digits: {len(X_train)} training and {len(X_test)} held-out 8x8 images, 10 classes")
    print(f"Training {ours[-1]!r}")
    times = {}
    for name, model in (("skneural", ours), ("scikit-learn", theirs)):
        start = time.perf_counter()
        with warnings.catch_warnings(), (_live_progress() if model is ours else contextlib.nullcontext()):
            warnings.simplefilter("ignore")  # a short max_iter may stop before convergence
            model.fit(X_train, y_train)
        times[name] = time.perf_counter() - start
    print(f"\n{'':<14}{'accuracy':>10}{'fit time':>11}{'epochs':>8}")
    accuracy = {}
    for name, model in (("skneural", ours), ("scikit-learn", theirs)):
        accuracy[name] = model.score(X_test, y_test)
        print(f"{name:<14}{accuracy[name]:>10.4f}{times[name]:>10.2f}s{model[-1].n_iter_:>8}")
    print("\nskneural, per class on the held-out digits:")
    print(classification_report(y_test, ours.predict(X_test), digits=3))

    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "digits-model.skn")
    ours[-1].verbose = 0
    save(ours, path)
    same = np.array_equal(load(path).predict_proba(X_test), ours.predict_proba(X_test))
    print(f"Saved the model to {path} (skneural.load gives {'the same' if same else 'DIFFERENT'} predictions)")
    _plot_curves(ours[-1], os.path.join(out_dir, "digits-curves.png"))
    print(f"Held-out accuracy: {accuracy['skneural']:.2%}")
    return accuracy["skneural"]


def _plot_curves(estimator, path):
    try:
        import matplotlib
    except ImportError:
        print('Install matplotlib for a plot of the curves: pip install matplotlib (or "skneural[examples]")')
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, loss_axis = plt.subplots(figsize=(7, 4))
    epochs = np.arange(1, len(estimator.loss_curve_) + 1)
    loss_axis.plot(epochs, estimator.loss_curve_, color="tab:blue", label="training loss")
    loss_axis.set_xlabel("epoch")
    loss_axis.set_ylabel("training loss")
    score_axis = loss_axis.twinx()
    score_axis.plot(epochs, estimator.validation_scores_, color="tab:orange", label="validation accuracy")
    score_axis.set_ylabel("validation accuracy")
    fig.legend(loc="center right")
    fig.suptitle("skneural on digits")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"Wrote the loss and validation curves to {path}")
    return path


# -- CSV files -------------------------------------------------------------------------------


def read_csv(path):
    """The header and the rows of a CSV file, as lists of stripped strings."""
    try:
        with open(path, newline="") as f:
            rows = [[cell.strip() for cell in row] for row in csv.reader(f) if row]
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UsageError(f"{path}: cannot read it as CSV ({exc})") from None
    if len(rows) < 2:
        raise UsageError(f"{path}: expected a header row and at least one data row")
    header, rows = rows[0], rows[1:]
    for number, row in enumerate(rows, start=2):
        if len(row) != len(header):
            raise UsageError(f"{path}, line {number}: {len(row)} values, but the header has {len(header)} columns")
    return header, rows


def _column(header, name, path):
    if name not in header:
        raise UsageError(f"{path} has no column {name!r}; its columns are: {', '.join(header)}")
    return header.index(name)


def numeric_columns(header, rows, columns, path):
    """The given columns as a float array, or an error naming the first value that is not a number."""
    X = np.empty((len(rows), len(columns)))
    for i, row in enumerate(rows):
        for j, c in enumerate(columns):
            try:
                X[i, j] = float(row[c])
            except ValueError:
                raise UsageError(
                    f"{path}, line {i + 2}, column {header[c]!r}: {row[c]!r} is not a number "
                    "(features must be numeric; drop or encode that column first)"
                ) from None
    return X


def guess_task(values):
    """'regression' for a numeric target with many distinct or fractional values, else 'classification'."""
    try:
        numbers = np.array([float(v) for v in values])
    except ValueError:
        return "classification", "its values are not all numbers"
    distinct = len(np.unique(numbers))
    if np.all(numbers == np.round(numbers)) and distinct <= 20:
        return "classification", f"it has {distinct} distinct whole-number values"
    return "regression", f"it has {distinct} distinct numeric values"


# -- train and predict -----------------------------------------------------------------------


def _hidden_sizes(text):
    try:
        sizes = tuple(int(s) for s in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected sizes like 128,64; got {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"sizes must be positive; got {text!r}")
    return sizes


def train(args):
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from . import NumpyMLPClassifier, NumpyMLPRegressor, save

    header, rows = read_csv(args.data)
    target = _column(header, args.target, args.data)
    features = [c for c in range(len(header)) if c != target]
    if not features:
        raise UsageError(f"{args.data} has no feature columns besides the target {args.target!r}")
    X = numeric_columns(header, rows, features, args.data)
    labels = [row[target] for row in rows]
    task, reason = (args.task, "as asked") if args.task else guess_task(labels)
    if args.task is None:
        print(f"Task: {task} (guessed because the target {reason}; choose with --task)")
    if task == "regression":
        y = numeric_columns(header, rows, [target], args.data)[:, 0]
        estimator = NumpyMLPRegressor
    else:
        y = np.array(labels)
        estimator = NumpyMLPClassifier
    stratify = y if task == "classification" and min(np.unique(y, return_counts=True)[1]) >= 2 else None
    try:
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=args.test_size, random_state=args.random_state, stratify=stratify)
    except ValueError as exc:
        raise UsageError(f"cannot hold out --test-size {args.test_size} of {len(y)} rows: {exc}") from None
    network = estimator(hidden_layer_sizes=args.hidden, activation=args.activation, optimizer=args.optimizer,
                        max_iter=args.max_iter, random_state=args.random_state, verbose=1)
    model = make_pipeline(StandardScaler(), network)
    if task == "regression":  # targets scaled too, as networks train best on values near 1
        model = TransformedTargetRegressor(model, transformer=StandardScaler())
    print(f"Training {network!r} on {len(y_train)} rows, {len(features)} features")
    start = time.perf_counter()
    try:
        with warnings.catch_warnings(record=True) as caught, _live_progress():
            warnings.simplefilter("always")
            model.fit(X_train, y_train)
    except ValueError as exc:
        raise UsageError(f"training failed: {exc}") from None
    for warning in caught:
        print(f"Warning: {warning.message}")
    metric = "accuracy" if task == "classification" else "R^2"
    print(f"Trained in {time.perf_counter() - start:.2f} s; held-out {metric} on {len(y_test)} rows: "
          f"{model.score(X_test, y_test):.4f}")
    (model.regressor_ if task == "regression" else model)[-1].verbose = 0
    metadata = {"features": [header[c] for c in features], "target": args.target, "task": task}
    try:
        save(model, args.out, metadata)
    except OSError as exc:
        raise UsageError(f"cannot save the model to {args.out}: {exc}") from None
    print(f"Saved the model to {args.out}")
    return model


def predict(args):
    from . import load

    try:
        model, metadata = load(args.model, with_metadata=True)
    except FileNotFoundError:
        raise UsageError(f"{args.model}: no such file") from None
    except (ValueError, TypeError) as exc:
        raise UsageError(str(exc)) from None
    features = metadata.get("features")
    if not features:
        raise UsageError(f"{args.model} was not saved by 'skneural train': it does not record its feature columns")
    header, rows = read_csv(args.data)
    X = numeric_columns(header, rows, [_column(header, name, args.data) for name in features], args.data)
    predicted = model.predict(X)
    name = f"predicted_{metadata.get('target', 'value')}"
    columns, values = [name], [[p] for p in predicted]
    if hasattr(model, "predict_proba"):
        proba = model.predict_proba(X)
        columns += [f"probability_{c}" for c in model.classes_]
        values = [[p, *(f"{q:.6g}" for q in row)] for p, row in zip(predicted, proba)]
    out = open(args.out, "w", newline="") if args.out else contextlib.nullcontext(sys.stdout)
    with out as f:
        writer = csv.writer(f)
        writer.writerow(header + columns)
        for row, extra in zip(rows, values):
            writer.writerow(row + [str(v) for v in extra])
    if args.out:
        print(f"Wrote {len(rows)} predictions to {args.out}")
    return predicted


# -- the command line ------------------------------------------------------------------------


def build_parser():
    from .activations import ACTIVATIONS
    from .optimizers import OPTIMIZERS

    parser = argparse.ArgumentParser(prog="skneural", description=__doc__.split("\n\n")[1].replace("\n", " "))
    commands = parser.add_subparsers(dest="command")
    run_demo = commands.add_parser("demo", help="train on the bundled digits beside scikit-learn (the default)")
    run_demo.add_argument("--out-dir", default="skneural-demo", help="where to write the model and the plot")
    run_demo.add_argument("--max-iter", type=int, default=200)

    run_train = commands.add_parser("train", help="train a model on a CSV file and save it")
    run_train.add_argument("data", help="CSV file with a header row and numeric feature columns")
    run_train.add_argument("--target", required=True, help="the column to predict")
    run_train.add_argument("--task", choices=["classification", "regression"],
                           help="guessed from the target when omitted")
    run_train.add_argument("--hidden", type=_hidden_sizes, default=(100,), help="hidden layer sizes, e.g. 128,64")
    run_train.add_argument("--activation", choices=sorted(ACTIVATIONS), default="relu")
    run_train.add_argument("--optimizer", choices=sorted([*OPTIMIZERS, "lbfgs"]), default="adam")
    run_train.add_argument("--max-iter", type=int, default=200)
    run_train.add_argument("--test-size", type=float, default=0.2, help="fraction of rows held out for the score")
    run_train.add_argument("--random-state", type=int, default=0)
    run_train.add_argument("--out", default="model.skn", help="where to save the model (default model.skn)")

    run_predict = commands.add_parser("predict", help="predict with a saved model on a CSV file")
    run_predict.add_argument("model", help="a model saved by 'skneural train'")
    run_predict.add_argument("data", help="CSV file with the model's feature columns")
    run_predict.add_argument("--out", help="CSV file for the predictions (default: standard output)")
    return parser


def main(argv=None):
    """Run the ``skneural`` command; return its exit status."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "train":
            train(args)
        elif args.command == "predict":
            predict(args)
        else:
            demo(getattr(args, "out_dir", "skneural-demo"), getattr(args, "max_iter", 200))
    except UsageError as exc:
        print(f"skneural: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("skneural: interrupted", file=sys.stderr)
        return 130
    return 0


def console_main():
    sys.exit(main())
