"""Saving and loading fitted models without pickle.

A model file is a NumPy ``.npz`` archive: every array of the model under its
own key, plus one JSON document (key ``__skneural__``) describing everything
else: the format version, the estimator's class and parameters, its fitted
attributes, the names and settings of its built-in components and the
optimizer's state.  It loads with ``allow_pickle=False``, so loading a file
can never run code: classes are looked up in a fixed table of skneural and
scikit-learn classes, and anything a user wrote (an activation, a loss, an
optimizer, a plain function) is saved by name only and must be passed back
to ``load`` in ``custom_objects``.

Files are written atomically: to a temporary file beside the target, then
renamed over it, so an interrupted save never leaves a half-written model in
place of a good one.

Examples
--------
>>> import os, tempfile
>>> from sklearn.datasets import load_iris
>>> from skneural import NumpyMLPClassifier, load
>>> X, y = load_iris(return_X_y=True)
>>> clf = NumpyMLPClassifier(hidden_layer_sizes=(8,), learning_rate_init=0.05, random_state=0).fit(X, y)
>>> path = os.path.join(tempfile.mkdtemp(), "iris.skn")
>>> clf.save(path)
>>> again = load(path)
>>> bool((again.predict_proba(X) == clf.predict_proba(X)).all())
True
"""

import copy
import inspect
import json
import os
import tempfile
import zipfile

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.compose import TransformedTargetRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import (
    LabelBinarizer,
    MaxAbsScaler,
    MinMaxScaler,
    Normalizer,
    RobustScaler,
    StandardScaler,
)

from . import activations, losses, optimizers
from .network import NeuralNetwork

__all__ = ["save", "load", "FORMAT_VERSION"]

FORMAT_VERSION = 1
_META_KEY = "__skneural__"
_FORMAT_NAME = "skneural-model"


def _known_classes():
    from .estimators import NumpyMLPClassifier, NumpyMLPRegressor

    classes = [NumpyMLPClassifier, NumpyMLPRegressor, Pipeline, TransformedTargetRegressor, StandardScaler, MinMaxScaler,
               MaxAbsScaler, RobustScaler, Normalizer, LabelBinarizer,
               activations.FunctionActivation, losses.FunctionLoss]
    for registry in (activations.ACTIVATIONS, losses.LOSSES, optimizers.OPTIMIZERS):
        classes.extend(registry.values())
    return {cls.__name__: cls for cls in classes}


class _Encoder:
    """Turns a model into JSON-able values plus a dict of arrays."""

    def __init__(self):
        self.arrays = {}
        self.known = _known_classes()
        self.custom_names = {}  # name -> the function or class stored under it

    def array(self, a):
        if a.dtype == object:
            if not all(isinstance(v, str) for v in a.flat):
                raise TypeError("an object array holding values other than strings")
            key = f"a{len(self.arrays)}"
            self.arrays[key] = a.astype(str)
            return {"array": key, "object": True}
        if a.dtype.kind not in "biufcUS":
            raise TypeError(f"an array of dtype {a.dtype}")
        key = f"a{len(self.arrays)}"
        self.arrays[key] = a
        return {"array": key}

    def __call__(self, v):
        if v is None or isinstance(v, (bool, str)):
            return v
        if isinstance(v, int) and not isinstance(v, bool):
            return v
        if isinstance(v, float):
            return v if np.isfinite(v) else {"float": repr(v)}
        if isinstance(v, np.generic):
            return {"scalar": self.array(np.asarray(v))}
        if isinstance(v, np.ndarray):
            return self.array(v)
        if isinstance(v, np.dtype):
            return {"dtype": v.str}
        if isinstance(v, list):
            return [self(x) for x in v]
        if isinstance(v, tuple):
            return {"tuple": [self(x) for x in v]}
        if isinstance(v, dict):
            return {"dict": [[self(k), self(x)] for k, x in v.items()]}
        if isinstance(v, np.random.RandomState):
            return {"random_state": self(list(v.get_state()))}
        if isinstance(v, NeuralNetwork):
            return self.network(v)
        if inspect.ismethod(v):
            return {"method": v.__name__, "of": self(v.__self__)}
        if type(v).__name__ in self.known and self.known[type(v).__name__] is type(v):
            return self.known_object(v)
        return self.custom(v)

    def known_object(self, obj):
        params = obj.get_params(deep=False)
        state = {k: x for k, x in vars(obj).items() if k not in params and k != "_buffer"}
        return {"class": type(obj).__name__, "params": self(params), "state": self(state)}

    def custom(self, obj):
        if type(obj).__module__.split(".")[0] == "sklearn":
            raise TypeError(f"a scikit-learn {type(obj).__name__}, which skneural model files do not hold")
        name = getattr(obj, "__name__", None) if not isinstance(obj, BaseEstimator) else None
        if name is None or name == "<lambda>":
            name = type(obj).__name__ if name is None else name
        builtin = type(obj).__module__ == "builtins" and not inspect.isroutine(obj)  # a set, a bytes, ...
        if builtin or not (callable(obj) or callable(getattr(obj, "update", None))):
            raise TypeError(f"a {type(obj).__name__}")  # a setting, not a component: nothing to store it as
        # a function is one component; an object is one of its class (fit trains a copy of it)
        what = obj if inspect.isroutine(obj) or isinstance(obj, type) else type(obj)
        if self.custom_names.setdefault(name, what) is not what:
            raise TypeError(
                f"two different components named {name!r}, which a model file, holding components of "
                "your own by name, could not tell apart: give them distinct names (def, not lambda)"
            )
        entry = {"custom": name}
        if isinstance(obj, BaseEstimator):
            try:
                entry["params"] = self(obj.get_params(deep=False))
                entry["state"] = self({k: x for k, x in vars(obj).items()
                                       if k.endswith("_") and not k.startswith("__")})
            except TypeError as exc:
                raise TypeError(f"a {name} whose settings include {exc}") from None
        return entry

    def network(self, net):
        if net.sizes is None:
            raise TypeError("a NeuralNetwork built from a list of layers (save its parameters with "
                            "NeuralNetwork.save instead)")
        return {"network": {
            "sizes": net.sizes, "hidden_activation": self(net.hidden_activation),
            "output_activation": self(net.output_activation), "loss": self(net.loss),
            "optimizer": self(net.optimizer), "alpha": self(net.alpha),
            "random_state": self(net.random_state), "rng": self(net._rng), "params": self(net.params),
        }}


class _CustomObjectError(ValueError):
    """A component passed to ``load`` that does not fit what the file recorded."""


class _Decoder:
    def __init__(self, arrays, custom_objects):
        self.arrays = arrays
        self.custom_objects = dict(custom_objects or {})
        self.known = _known_classes()

    def array(self, entry):
        a = self.arrays[entry["array"]]
        return a.astype(object) if entry.get("object") else a

    def __call__(self, v):
        if v is None or isinstance(v, (bool, int, float, str)):
            return v
        if isinstance(v, list):
            return [self(x) for x in v]
        if "array" in v:
            return self.array(v)
        if "float" in v:
            return float(v["float"])
        if "scalar" in v:
            return self.array(v["scalar"])[()]
        if "dtype" in v:
            return np.dtype(v["dtype"])
        if "tuple" in v:
            return tuple(self(x) for x in v["tuple"])
        if "dict" in v:
            return {self(k): self(x) for k, x in v["dict"]}
        if "random_state" in v:
            rng = np.random.RandomState()
            rng.set_state(tuple(self(v["random_state"])))
            return rng
        if "network" in v:
            return self.network(v["network"])
        if "method" in v:
            name = v["method"]
            if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
                raise ValueError(f"unrecognised method {name!r}")
            return getattr(self(v["of"]), name)
        if "class" in v:
            return self.known_object(v)
        if "custom" in v:
            return self.custom(v)
        raise ValueError(f"unrecognised entry {sorted(v)}")

    def _fill(self, obj, entry):
        for key, value in (self(entry["state"]) if "state" in entry else {}).items():
            if not isinstance(key, str) or key.startswith("__") or callable(getattr(type(obj), key, None)):
                raise ValueError(f"unrecognised attribute {key!r}")
            setattr(obj, key, value)
        return obj

    def known_object(self, entry):
        cls = self.known.get(entry["class"])
        if cls is None:
            raise ValueError(f"unknown class {entry['class']!r}")
        obj = cls(**self(entry["params"]))
        return self._fill(obj, entry)

    def custom(self, entry):
        name = entry["custom"]
        obj = self.custom_objects[name]
        params = self(entry["params"]) if "params" in entry else {}
        try:
            if isinstance(obj, type):
                obj = obj(**params)
            else:  # a copy, so that training the loaded model never changes the caller's object
                obj = copy.deepcopy(obj)
                if params:
                    obj.set_params(**params)
        except (TypeError, ValueError, AttributeError) as exc:
            raise _CustomObjectError(
                f"custom_objects[{name!r}] is not the component the model was saved with: it cannot take "
                f"the stored settings {sorted(params)} ({type(exc).__name__}: {exc})."
            ) from None
        return self._fill(obj, entry)

    def network(self, spec):
        params = self(spec["params"])
        net = NeuralNetwork(spec["sizes"], self(spec["hidden_activation"]), self(spec["output_activation"]),
                            self(spec["loss"]), self(spec["optimizer"]), random_state=0,
                            alpha=self(spec["alpha"]))
        net.astype(params.dtype).params = params
        net.random_state = self(spec["random_state"])
        net._rng = self(spec["rng"])
        return net


def _is_model(model):
    """Whether ``model`` is what ``save`` writes: an estimator, or a Pipeline or
    TransformedTargetRegressor around one."""
    from .estimators import NumpyMLPClassifier, NumpyMLPRegressor

    if type(model) is TransformedTargetRegressor:
        model = model.regressor_ if hasattr(model, "regressor_") else model.regressor
    if type(model) is Pipeline:
        model = model.steps[-1][1]
    return type(model) in (NumpyMLPClassifier, NumpyMLPRegressor)


def _custom_names(entry):
    if isinstance(entry, list):
        return set().union(*map(_custom_names, entry))
    if isinstance(entry, dict):
        names = {entry["custom"]} if isinstance(entry.get("custom"), str) else set()
        return names.union(*map(_custom_names, entry.values()))
    return set()


def save(model, path, metadata=None):
    """Save a fitted skneural estimator (or a Pipeline of scalers ending in one, possibly
    inside a TransformedTargetRegressor) to ``path``.

    The file holds the whole fitted model: parameters, built-in components by
    name and settings, fitted attributes and optimizer state, so training can
    go on after ``load`` (``warm_start``, ``partial_fit``).  The write is
    atomic.  Components you wrote yourself are saved by name only; pass them
    to :func:`load` in ``custom_objects``.  ``metadata``, a dict of JSON
    values (e.g. column names), is stored beside the model and returned by
    ``load(path, with_metadata=True)``.

    Parameters
    ----------
    model : NumpyMLPClassifier, NumpyMLPRegressor, Pipeline or TransformedTargetRegressor
    path : str or path-like
    metadata : dict, default=None

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from skneural import NumpyMLPClassifier
    >>> X, y = np.array([[0.0], [1.0], [2.0], [3.0]]), np.array([0, 0, 1, 1])
    >>> clf = NumpyMLPClassifier(hidden_layer_sizes=(4,), learning_rate_init=0.1, random_state=0).fit(X, y)
    >>> path = os.path.join(tempfile.mkdtemp(), "model.skn")
    >>> save(clf, path, metadata={"columns": ["x"]})
    >>> os.listdir(os.path.dirname(path))
    ['model.skn']
    """
    encode = _Encoder()
    if not _is_model(model):
        raise TypeError(
            f"Cannot save a {type(model).__name__}: skneural model files hold skneural estimators "
            "and Pipelines of scikit-learn scalers ending in one (also inside a "
            "TransformedTargetRegressor). Use pickle or joblib for "
            "anything else."
        )
    try:
        document = {"format": _FORMAT_NAME, "version": FORMAT_VERSION, "model": encode(model),
                    "metadata": json.loads(json.dumps(metadata if metadata is not None else {}))}
    except TypeError as exc:
        raise TypeError(f"Cannot save this {type(model).__name__} safely: it holds {exc}.") from None
    arrays = dict(encode.arrays)
    arrays[_META_KEY] = np.array(json.dumps(document))
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".skn", dir=folder)
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp's file is private (0o600); a saved model is not
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def load(path, custom_objects=None, with_metadata=False):
    """Load a model saved by :func:`save`; nothing in the file is ever imported or run.

    Parameters
    ----------
    path : str or path-like
    custom_objects : dict, default=None
        The components of your own that the model was trained with, by the
        name the file records for them (a function's ``__name__``, a class's
        name): functions, classes or objects.  ``load`` says which names it
        needs.
    with_metadata : bool, default=False
        Also return the ``metadata`` dict given to :func:`save`.

    Returns
    -------
    The fitted estimator (or Pipeline), or ``(model, metadata)``.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from skneural import NumpyMLPClassifier
    >>> X, y = np.array([[0.0], [1.0], [2.0], [3.0]]), np.array([0, 0, 1, 1])
    >>> clf = NumpyMLPClassifier(hidden_layer_sizes=(4,), learning_rate_init=0.1, random_state=0).fit(X, y)
    >>> path = os.path.join(tempfile.mkdtemp(), "model.skn")
    >>> save(clf, path, metadata={"columns": ["x"]})
    >>> model, metadata = load(path, with_metadata=True)
    >>> model.predict(X), metadata
    (array([0, 0, 1, 1]), {'columns': ['x']})
    >>> bool((model.predict_proba(X) == clf.predict_proba(X)).all())
    True
    """
    path = os.fspath(path)
    try:
        data = np.load(path, allow_pickle=False)
        if not hasattr(data, "files"):
            raise ValueError("it holds a single array, not a model")
        with data:
            arrays = {k: data[k] for k in data.files}
    except FileNotFoundError:
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, KeyError) as exc:
        if "allow_pickle" in str(exc):  # NumPy's hint to allow pickle is not one to follow here
            exc = "it holds pickled data, which skneural never loads"
        raise ValueError(f"{path} is not a skneural model file, or it is damaged ({exc}).") from None
    meta = arrays.pop(_META_KEY, None)
    if meta is None:
        raise ValueError(f"{path} is a NumPy archive but not a skneural model file (no {_META_KEY} entry).")
    try:
        document = json.loads(str(meta))
    except (ValueError, RecursionError):
        raise ValueError(f"{path} is damaged: its description is not valid JSON (or nested too deeply).") from None
    if not isinstance(document, dict) or document.get("format") != _FORMAT_NAME:
        raise ValueError(f"{path} is not a skneural model file.")
    version = document.get("version")
    if version != FORMAT_VERSION:
        raise ValueError(
            f"{path} was written in skneural model format version {version!r}; this version of "
            f"skneural reads format {FORMAT_VERSION}. Load it with the skneural that wrote it."
        )
    missing = sorted(_custom_names(document) - set(custom_objects or {}))
    if missing:
        needed = ", ".join(f"{name!r}: ..." for name in missing)
        raise ValueError(
            f"The model uses components of your own ({', '.join(map(repr, missing))}), which a model "
            f"file holds by name only. Pass them to load: load(path, custom_objects={{{needed}}}), "
            "with the functions, classes or objects you trained with."
        )
    try:
        model = _Decoder(arrays, custom_objects)(document["model"])
    except _CustomObjectError:
        raise
    except (KeyError, TypeError, AttributeError, ValueError, RecursionError) as exc:
        raise ValueError(f"{path} is damaged or inconsistent ({type(exc).__name__}: {exc}).") from None
    if not _is_model(model):
        raise ValueError(f"{path} is damaged or inconsistent: it holds a {type(model).__name__}, not a model.")
    return (model, document.get("metadata", {})) if with_metadata else model
