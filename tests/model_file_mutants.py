"""Hostile model files: hypothesis mutates valid ones (their JSON, their arrays, their zip
members and their raw bytes) and loads each mutant under a memory cap and a time cap.

Every mutant must either be refused by ``load`` with a ValueError naming the file, or load
into a model whose predictions are finite and of the right shape.  Loading and predicting
must never open a file for writing, run a program, connect anywhere, unpickle, or import a
module outside numpy, scipy, scikit-learn, skneural and the standard library (an audit
hook watches).  Prints one JSON line: how many mutants ran, how many were refused, the worst
time and traced memory of any one, and the failures.

Run by tests/test_model_file_safety.py; on its own, e.g.::

    python tests/model_file_mutants.py --examples 3000 --seed 1
    python tests/model_file_mutants.py --examples 2000 --bases tabular  # only the tabular model's mutants
"""

import argparse
import copy
import io
import json
import os
import resource
import signal
import sys
import tempfile
import time
import tracemalloc
import warnings
import zipfile
from pathlib import Path

import numpy as np
import hypothesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pandas as pd
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.datasets import load_iris, make_multilabel_classification, make_regression
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, StandardScaler

from skneural import NumpyMLPClassifier, NumpyMLPRegressor, TabularMLPClassifier, TabularMLPRegressor, load, save
from skneural.activations import LeakyReLU
from skneural.persistence.bounds import ordinary_inputs

_TIME_CAP = 10  # seconds for one mutant
_MEMORY_CAP = 1024 * 2**20  # bytes of address space above what the process had before the battery
_ALLOWED_IMPORTS = {"numpy", "scipy", "sklearn", "skneural", "joblib", "threadpoolctl", "_distutils_hack"}
_FORBIDDEN_EVENTS = ("os.system", "subprocess.Popen", "socket.connect", "socket.bind", "pickle.find_class",
                     "os.remove", "os.rename", "os.mkdir", "shutil.rmtree", "ctypes.dlopen", "os.exec", "os.posix_spawn")


def tabular_frame(n=60, seed=0):
    """A small DataFrame of text columns (some categories rare, one value missing, non-ASCII text)
    and numeric ones (some missing)."""
    rng = np.random.RandomState(seed)
    city = rng.choice(np.array(["paris", "rome", "oslo", "zürich", "são paulo", ""], dtype=object), n,
                      p=[.35, .3, .2, .06, .05, .04])
    city[3] = None
    return pd.DataFrame({  # city: an object column (None stays None), name: pandas' own string dtype
        "city": pd.Series(city, dtype=object),
        "name": rng.choice(np.array(["ann", "bob", "chloé", "d" * 40, "名前"], dtype=object), n,
                           p=[.4, .4, .1, .05, .05]),
        "age": np.where(rng.rand(n) < .1, np.nan, rng.normal(40, 10, n)),
        "income": rng.lognormal(3, 1, n),
    })


def tabular_model(frame, small):
    text = OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=4, sparse_output=False)
    numbers = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    columns = ColumnTransformer([("text", text, ["city", "name"]), ("numbers", numbers, ["age", "income"])])
    return make_pipeline(columns, NumpyMLPClassifier(**small)).fit(frame, frame["income"] > 20)


def base_models():
    """(name, model, X) of a few fitted models covering what a file can hold."""
    warnings.simplefilter("ignore")
    X, y = load_iris(return_X_y=True)
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    Xr, yr = make_regression(n_samples=60, n_features=4, n_targets=2, random_state=0)
    Xm, Ym = make_multilabel_classification(n_samples=60, n_features=5, n_classes=3, random_state=0)
    small = dict(hidden_layer_sizes=(5,), max_iter=5, random_state=0)
    rows = tabular_frame(20, seed=1)
    rows.loc[0, "city"], rows.loc[1, "name"] = "lima", "zoë"  # categories it has not seen
    return [
        ("multiclass", NumpyMLPClassifier(early_stopping=True, **small).fit(X, labels), X),
        ("binary-softmax", NumpyMLPClassifier(output_activation="softmax", loss="categorical_crossentropy",
                                              optimizer="sgd", **small).fit(X, y == 1), X),
        ("regressor-lbfgs", NumpyMLPRegressor(optimizer="lbfgs", **small).fit(Xr, yr), Xr),
        ("pipeline", make_pipeline(StandardScaler(), MinMaxScaler(),
                                   NumpyMLPClassifier(activation=LeakyReLU(0.1), **small)).fit(X, y), X),
        ("target", TransformedTargetRegressor(
            make_pipeline(StandardScaler(), NumpyMLPRegressor(optimizer="rmsprop", **small)),
            transformer=StandardScaler()).fit(Xr, yr[:, 0]), Xr),
        ("multilabel", NumpyMLPClassifier(**small).fit(Xm, Ym), Xm),
        ("batch-norm-dropout", NumpyMLPClassifier(normalization="batch", dropout=0.2, **small).fit(X, y), X),
        ("layer-norm", NumpyMLPRegressor(normalization="layer", dropout=[0.1], **small).fit(Xr, yr), Xr),
        ("tabular", tabular_model(tabular_frame(), small), rows),
        ("tabular-estimator", TabularMLPClassifier(n_frequencies=3, embedding_size=2, **small).fit(
            tabular_frame(), tabular_frame()["income"] > 20), rows),
        ("tabular-regressor", TabularMLPRegressor(smooth_clip=None, numeric_scaling="quantile", n_frequencies=2,
                                                  embedding_size=2, **small).fit(
            tabular_frame(), np.c_[tabular_frame()["income"], tabular_frame()["income"] * 2 + 1]), rows),
        ("tabular-bins", TabularMLPRegressor(numeric_embedding="piecewise_linear", n_bins=3, **small).fit(
            tabular_frame(), tabular_frame()["income"]), rows),
    ]


def read_file(path):
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    return json.loads(str(arrays.pop("__skneural__"))), arrays


def paths(value, prefix=()):
    """Every path into a JSON value."""
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += paths(v, prefix + (i,))
    return out


def get(value, path):
    for p in path:
        value = value[p]
    return value


# -- the mutations ------------------------------------------------------------------------------

_ODD_NUMBERS = [0, -1, 1, 2, 3, 10**6, 2**31, 2**63, 10**30, -(10**9), 0.5, -0.0, 1e308, -1e308, 1e-320,
                float("nan"), float("inf"), float("-inf"), True, False]
_GADGETS = [
    {"method": "fit", "of": {"class": "Pipeline", "params": {"dict": [["memory", "/tmp/gadget"]]}}},
    {"component": "Pipeline", "params": {"memory": "/tmp/gadget"}},
    {"component": "__class__", "params": {}},
    {"custom": "os.system"},
    {"pair": "activation", "function": {"component": "ReLU", "params": {}}, "derivative": {"custom": "x"}},
    {"wrapped": "loss", "object": {"array": "a0"}},
    {"array": "a0"}, {"array": "a999"}, {"array": "../../etc/passwd"},
    {"random_state": [{"array": "a0"}, 0, 0, 0.0]},
    {"float": "nan"}, {"tuple": [1, 2, 3]}, {"dict": [[[1], 2]]},
]
json_values = st.recursive(
    st.none() | st.booleans() | st.sampled_from(_ODD_NUMBERS) | st.text(max_size=8) | st.sampled_from(_GADGETS),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=12,
)
_DTYPES = ["int8", "int64", "uint32", "bool", "float16", "float32", "float64", "complex128", "U3", "S2",
           "datetime64[s]", "timedelta64[s]"]


@st.composite
def json_mutation(draw, document):
    where = draw(st.sampled_from(paths(document["model"])))
    how = draw(st.sampled_from(["replace", "delete", "add", "nest", "swap"]))
    return ("json", where, how, draw(json_values), draw(st.integers(0, 10**6)))


@st.composite
def array_mutation(draw, arrays):
    key = draw(st.sampled_from(sorted(arrays)))
    how = draw(st.sampled_from(["dtype", "shape", "value", "scalar", "empty"]))
    return ("array", key, how, draw(st.sampled_from(_DTYPES)), draw(st.sampled_from(_ODD_NUMBERS[:-2])),
            draw(st.integers(0, 10**6)))


member_mutation = st.tuples(
    st.just("member"),
    st.sampled_from(["extra", "remove", "rename", "deflate", "huge-header", "many", "bomb", "duplicate"]),
    st.integers(0, 10**6),
)
raw_mutation = st.tuples(st.just("raw"), st.sampled_from(["flip", "truncate", "append", "prepend"]),
                         st.integers(0, 10**9), st.integers(1, 16))


def apply_json(document, mutation):
    _, where, how, value, n = mutation
    value = copy.deepcopy(value)
    model = document["model"]
    if not where:
        document["model"] = value if how == "replace" else {"nested": model} if how == "nest" else model
        return
    parent, key = get(model, where[:-1]), where[-1]
    if how == "replace":
        parent[key] = value
    elif how == "delete":
        del parent[key]
    elif how == "add" and isinstance(parent, dict):
        parent[f"extra{n % 7}"] = value
    elif how == "add":
        parent.append(value)
    elif how == "nest":
        parent[key] = [parent[key]] if n % 2 else {"dict": [[key, parent[key]]]}
    else:  # swap with another value of the same document
        others = paths(model)
        other = others[n % len(others)]
        if other and other[: len(where)] != where and where[: len(other)] != other:
            mine, theirs = copy.deepcopy(parent[key]), copy.deepcopy(get(model, other))
            get(model, other[:-1])[other[-1]] = mine
            get(model, where[:-1])[where[-1]] = theirs


def apply_array(arrays, mutation):
    _, key, how, dtype, value, n = mutation
    a = arrays[key]
    if how == "dtype":
        try:
            arrays[key] = a.astype(dtype)
        except (TypeError, ValueError):
            arrays[key] = np.zeros(a.shape, dtype)
    elif how == "shape":
        changes = [a.reshape(-1)[: max(a.size - 1, 0)], np.concatenate([a.reshape(-1), a.reshape(-1)[:1]]),
                   a.reshape(1, -1), a.reshape(-1, 1), a.reshape(-1)[::-1].copy()]
        arrays[key] = changes[n % len(changes)]
    elif how == "value" and a.size and a.dtype.kind in "fiub":
        a = a.copy()
        try:
            a.reshape(-1)[n % a.size] = value
        except (OverflowError, ValueError):
            pass
        arrays[key] = a
    elif how == "scalar":
        arrays[key] = np.array(value)
    elif how == "empty":
        arrays[key] = a.reshape(-1)[:0]


def npy_bytes(array, header=None):
    buffer = io.BytesIO()
    if header is None:
        np.lib.format.write_array(buffer, array, allow_pickle=False)
    else:
        np.lib.format.write_array_header_1_0(buffer, header)
        buffer.write(array.tobytes())
    return buffer.getvalue()


def write_zip(path, members, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression=compression) as z:
        for name, data in members:
            z.writestr(name, data)


def write_mutant(path, document, arrays, member=None, raw=None):
    members = [(f"{k}.npy", npy_bytes(v)) for k, v in arrays.items()]
    members.append(("__skneural__.npy", npy_bytes(np.array(json.dumps(document)))))
    compression = zipfile.ZIP_STORED
    if member is not None:
        _, how, n = member
        key = f"a{n % max(len(arrays), 1)}.npy"
        if how == "extra":
            members.append((f"a{len(arrays) + n % 3}.npy", npy_bytes(np.zeros(n % 50))))
        elif how == "remove":
            members = [m for m in members if m[0] != key]
        elif how == "rename":
            members = [(f"../{m[0]}" if m[0] == key else m[0], m[1]) for m in members]
        elif how == "deflate":
            compression = zipfile.ZIP_DEFLATED
        elif how == "huge-header":
            members = [(m[0], npy_bytes(np.zeros(4), {"descr": "<f8", "fortran_order": False,
                                                       "shape": (10 ** (6 + n % 12),)})) if m[0] == key else m
                       for m in members]
        elif how == "many":
            members += [(f"a{100 + i}.npy", npy_bytes(np.zeros(1))) for i in range(2000 + n % 100)]
        elif how == "bomb":
            members.append((f"a{len(arrays)}.npy", None))
        elif how == "duplicate":
            members.append(members[n % len(members)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile's duplicate-name warning
        with zipfile.ZipFile(path, "w", compression=compression) as z:
            for name, data in members:
                info = zipfile.ZipInfo(name)
                info.compress_type = zipfile.ZIP_DEFLATED if data is None else compression
                if data is None:  # 64 MB of zeros deflated to 64 kB, declared as an array of them
                    with z.open(info, "w", force_zip64=True) as f:
                        f.write(npy_bytes(np.zeros(0), {"descr": "<f8", "fortran_order": False, "shape": (2**23,)}))
                        chunk = bytes(2**20)
                        for _ in range(64):
                            f.write(chunk)
                    continue
                z.writestr(info, data)
    if raw is not None:
        _, how, n, k = raw
        data = bytearray(open(path, "rb").read())
        if how == "flip":
            for i in range(k):
                data[(n + 7919 * i) % len(data)] ^= 0xFF
        elif how == "truncate":
            data = data[: n % len(data)]
        elif how == "append":
            data += bytes(k * 1000)
        else:
            data = bytes(k) + data
        open(path, "wb").write(bytes(data))


# -- running one mutant ---------------------------------------------------------------------------

class Watch:
    """An audit hook: records what loading and predicting must never do, while armed."""

    def __init__(self):
        self.armed, self.events = False, []
        stdlib = getattr(sys, "stdlib_module_names", set())
        self.allowed = _ALLOWED_IMPORTS | set(stdlib)
        sys.addaudithook(self)

    def __call__(self, event, args):
        if not self.armed:
            return
        if event == "open":
            path, mode, flags = args
            writes = (mode is not None and any(c in str(mode) for c in "wax+")) or (
                isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC))
            if writes:
                self.events.append(f"open for writing: {path}")
        elif event == "import" and args[0].split(".")[0] not in self.allowed:
            self.events.append(f"import {args[0]}")
        elif event.startswith(_FORBIDDEN_EVENTS):
            self.events.append(event)


def _timeout(signum, frame):
    raise TimeoutError("over the time cap")


def _inputs(model, frame):
    """Rows to predict with: ``frame`` (a tabular base's, with unseen and missing values) under the
    column names the loaded model expects, or numbers in the range its scalers were fitted on."""
    if frame is not None:
        names = getattr(model, "feature_names_in_", None)
        return frame.set_axis(list(names), axis=1) if names is not None and len(names) == frame.shape[1] else frame
    return ordinary_inputs(model, np.random.RandomState(0).uniform(-10, 10, size=(50, model.n_features_in_)))


def run_one(path, watch, record, frame=None):
    """Load (and predict with) one mutant; return a failure description or None."""
    tracemalloc.start()
    start = time.perf_counter()
    signal.alarm(_TIME_CAP)
    watch.armed, watch.events = True, []
    failure = None
    try:
        try:
            model = load(path)
        except ValueError as exc:
            record["refused"] += 1
            if path not in str(exc):
                failure = f"refused without naming the file: {exc}"
        else:
            record["loaded"] += 1
            X = _inputs(model, frame)
            out = model.predict_proba(X) if hasattr(model, "predict_proba") else model.predict(X)
            predicted = model.predict(X)
            if not (np.isfinite(np.asarray(out, dtype=float)).all() and len(predicted) == len(X)):
                failure = "loaded, but its predictions are not finite"
    except Exception as exc:  # noqa: BLE001 - any other error is a failure of the format's promise
        failure = f"{type(exc).__name__}: {exc}"[:300]
    finally:
        watch.armed = False
        signal.alarm(0)
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    if watch.events:
        failure = f"did what loading must never do: {watch.events[:3]}"
    record["worst_seconds"] = max(record["worst_seconds"], elapsed)
    record["worst_traced_mb"] = max(record["worst_traced_mb"], peak / 2**20)
    return failure


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--bases", default="", help="comma-separated names of the base models to mutate (all)")
    args = parser.parse_args(argv)

    folder = tempfile.mkdtemp(prefix="skneural-mutants-")
    bases, frames = [], {}
    for name, model, X in base_models():
        if args.bases and name not in args.bases.split(","):
            continue
        path = os.path.join(folder, f"{name}.skn")
        save(model, path)
        load(path).predict(X)  # warm up lazy imports before the watch starts
        bases.append((name, *read_file(path)))
        if isinstance(X, pd.DataFrame):
            frames[name] = X
    # and files of format 1, which load translates into format 2
    for path in sorted((Path(__file__).resolve().parent / "data" / "format1").glob("*.skn")) * (not args.bases):
        load(str(path)).predict(np.zeros((1, load(str(path)).n_features_in_)))
        bases.append((f"format1-{path.stem}", *read_file(path)))
    watch = Watch()
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") as f:
        in_use = int(f.read().split()[0]) * resource.getpagesize()
    resource.setrlimit(resource.RLIMIT_AS, (in_use + _MEMORY_CAP, hard))
    signal.signal(signal.SIGALRM, _timeout)
    record = {"mutants": 0, "refused": 0, "loaded": 0, "worst_seconds": 0.0, "worst_traced_mb": 0.0, "failures": []}
    target = os.path.join(folder, "mutant.skn")

    @st.composite
    def mutant(draw):
        name, document, arrays = draw(st.sampled_from(bases))
        document, arrays = json.loads(json.dumps(document)), dict(arrays)
        member = raw = None
        for _ in range(draw(st.integers(1, 3))):
            kind = draw(st.sampled_from(["json", "json", "array", "member", "raw"]))
            if kind == "json" and isinstance(document.get("model"), (dict, list)):
                mutation = draw(json_mutation(document))
                try:
                    apply_json(document, mutation)
                except (KeyError, IndexError, TypeError):
                    pass
            elif kind == "array" and arrays:
                apply_array(arrays, draw(array_mutation(arrays)))
            elif kind == "member":
                member = draw(member_mutation)
            else:
                raw = draw(raw_mutation)
        return name, document, arrays, member, raw

    @settings(max_examples=args.examples, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck))
    @given(mutant())
    def battery(case):
        name, document, arrays, member, raw = case
        record["mutants"] += 1
        try:
            write_mutant(target, document, arrays, member, raw)
        except (ValueError, TypeError, OverflowError):
            return  # a mutant numpy itself cannot write: nothing to load
        slowest = record["worst_seconds"]
        failure = run_one(target, watch, record, frames.get(name))
        if record["worst_seconds"] > slowest:
            record["slowest"] = {"base": name, "member": member, "raw": raw,
                                 "description_chars": len(json.dumps(document))}
        if failure:
            record["failures"].append({"base": name, "member": member, "raw": raw, "failure": failure})

    hypothesis.seed(args.seed)(battery)()
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    record["failures"] = record["failures"][:20]
    print(json.dumps(record))
    return 0 if not record["failures"] else 1


if __name__ == "__main__":
    sys.exit(main())
