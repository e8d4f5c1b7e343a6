"""Settings and components in a model file: what ``save`` writes and ``load`` accepts.

A setting is plain data: ``None``, a bool, an int, a float (``{"float": "inf"}``
for the infinities), a string, a list, ``{"tuple": [...]}``, ``{"dict": [[key,
value], ...]}`` with plain keys, ``{"array": key}`` (numbers or strings, never
objects), ``{"random_state": ...}``, or a component.  A component is data too:

* ``{"component": "Adam", "params": {...}, "state": {...}}``: a class of
  skneural's own (the registries' values; the callbacks: see
  :mod:`skneural.persistence.callbacks`), made by its constructor from
  settings checked against the constructor's defaults and ranges;
* ``{"custom": "name", ...}``: what the caller passed to ``load`` in
  ``custom_objects`` under that name;
* ``{"pair": "activation", "function": {"custom": ...}, "derivative": {"custom": ...}}``:
  a ``(function, derivative)`` pair of the caller's functions;
* ``{"wrapped": "loss", "object": {"custom": ...}}``: a callable object of the
  caller's with a ``derivative`` method, wrapped as ``resolve`` wraps it.

Nothing else: no function, method, module or attribute can be named.
"""

import copy
import inspect
import math
import numbers
import re

import numpy as np
from sklearn.base import BaseEstimator

from ..components import BUILTIN_CLASSES, activations, losses, optimizers, resolve
from ..training.hooks import is_callback
from .archive import ArchiveError
from .callbacks import CALLBACK_CLASSES, decode_callback, stored_params

__all__ = ["Encoder", "Decoder", "CustomObjectError", "BUILTIN_COMPONENTS", "fields", "mapping",
           "is_builtin"]

# skneural's own activations, losses, optimizers, initializers and schedules (never a class a user
# registered), and callbacks
BUILTIN_COMPONENTS = {cls.__name__: cls for cls in (*BUILTIN_CLASSES, *CALLBACK_CLASSES)}
_PAIRS = {"activation": activations.FunctionActivation, "loss": losses.FunctionLoss}
_PAIR_KIND = {cls: kind for kind, cls in _PAIRS.items()}
# optimizer state arrays that hold squares (a negative value would make a NaN step)
_NONNEGATIVE_STATE = {"v_", "square_avg_", "sum_squares_"}
_PUBLIC_FITTED = re.compile(r"[A-Za-z][A-Za-z0-9_]*_")
_ARRAY_KINDS = "biufU"


class CustomObjectError(ValueError):
    """A component passed to ``load`` that does not fit what the file recorded."""


def is_builtin(obj):
    """Whether ``obj`` is of one of skneural's own component classes."""
    return BUILTIN_COMPONENTS.get(type(obj).__name__) is type(obj)


class Encoder:
    """Turns settings and components into JSON values plus a dict of arrays."""

    def __init__(self):
        self.arrays = {}
        self.custom_names = {}  # name -> the function or class stored under it
        self.custom_given = {}  # name -> the first component given under it (what load would be passed)

    def array(self, a):
        a = np.asarray(a)
        if a.dtype == object:
            if not all(isinstance(v, str) for v in a.flat):
                raise TypeError("an object array holding values other than strings")
            a = a.astype(str)
        if a.dtype.kind not in _ARRAY_KINDS:
            raise TypeError(f"an array of dtype {a.dtype}")
        key = f"a{len(self.arrays)}"
        self.arrays[key] = a
        return {"array": key}

    def setting(self, v):
        if v is None or isinstance(v, (bool, str)):
            return v
        if isinstance(v, np.bool_):
            return bool(v)
        if isinstance(v, numbers.Integral):
            return int(v)
        if isinstance(v, numbers.Real) and not isinstance(v, np.ndarray):
            v = float(v)
            if math.isnan(v):
                raise TypeError("a NaN setting")
            return v if math.isfinite(v) else {"float": repr(v)}
        if isinstance(v, np.ndarray):
            return self.array(v)
        if isinstance(v, list):
            return [self.setting(x) for x in v]
        if isinstance(v, tuple):
            return {"tuple": [self.setting(x) for x in v]}
        if isinstance(v, dict):
            return {"dict": [[self.setting(k), self.setting(x)] for k, x in v.items()]}
        if isinstance(v, np.random.RandomState):
            name, keys, pos, has_gauss, gauss = v.get_state()
            return {"random_state": [self.array(keys), int(pos), int(has_gauss), float(gauss)]}
        return self.component(v)

    def component(self, obj, trains=None):
        """A component; ``trains``, the parameters an optimizer trains, gives its state's dtype."""
        if type(obj) in _PAIR_KIND:
            function, derivative = obj.function, obj.derivative
            if inspect.ismethod(derivative) and derivative.__name__ == "derivative" and \
                    type(derivative.__self__) is type(function):
                return {"wrapped": _PAIR_KIND[type(obj)], "object": self.custom(function)}
            return {"pair": _PAIR_KIND[type(obj)], "function": self.custom(function),
                    "derivative": self.custom(derivative)}
        if is_builtin(obj):
            entry = {"component": type(obj).__name__, "params": self.params(obj)}
            if trains is not None and getattr(obj, "t_", None) is not None:
                entry["state"] = {name: self.array(np.asarray(getattr(obj, name), dtype=trains.dtype))
                                  for name in obj._state_names}
                entry["state"]["t_"] = int(obj.t_)
            return entry
        return self.custom(obj)

    def params(self, obj):
        return {k: self.setting(v) for k, v in stored_params(obj).items()}

    def custom(self, obj):
        if type(obj).__module__.split(".")[0] == "sklearn":
            raise TypeError(f"a scikit-learn {type(obj).__name__}, which skneural model files do not hold")
        is_function = inspect.isroutine(obj) or isinstance(obj, type)
        name = getattr(obj, "__name__", None) if is_function else type(obj).__name__
        builtin = type(obj).__module__ == "builtins" and not inspect.isroutine(obj)  # a set, a bytes, ...
        if builtin or name is None or not (callable(obj) or callable(getattr(obj, "update", None)) or is_callback(obj)):
            raise TypeError(f"a {type(obj).__name__}")  # a setting, not a component: nothing to store it as
        # a function is one component; an object is one of its class (fit trains a copy of it)
        what = obj if is_function else type(obj)
        self.custom_given.setdefault(name, obj)
        if self.custom_names.setdefault(name, what) is not what:
            raise TypeError(
                f"two different components named {name!r}, which a model file, holding components of "
                "your own by name, could not tell apart: give them distinct names (def, not lambda)"
            )
        entry = {"custom": name}
        if isinstance(obj, BaseEstimator):
            try:
                entry["params"] = self.params(obj)
                fitted = {k: x for k, x in vars(obj).items() if _PUBLIC_FITTED.fullmatch(k)}
                if fitted:
                    entry["state"] = {k: self.setting(x) for k, x in fitted.items()}
            except TypeError as exc:
                raise TypeError(f"a {name} whose settings include {exc}") from None
        return entry


def fields(entry, where, required=(), optional=()):
    if not isinstance(entry, dict):
        raise ArchiveError(f"{where} is not a JSON object")
    missing = [k for k in required if k not in entry]
    extra = sorted(set(entry) - set(required) - set(optional))
    if missing or extra:
        raise ArchiveError(f"{where} " + (f"lacks {missing}" if missing else f"has unexpected fields {extra}"))
    return entry


def mapping(entry, where):
    """A JSON object whose keys are names (settings by name)."""
    if not isinstance(entry, dict):
        raise ArchiveError(f"{where} is not a JSON object")
    return entry


class Decoder:
    """Settings and components from a file's JSON, every value checked before it is used."""

    def __init__(self, archive, custom_objects):
        self.archive = archive
        self.custom_objects = dict(custom_objects or {})

    # -- arrays -------------------------------------------------------------------------------

    def array(self, entry, where, kinds=_ARRAY_KINDS, shape=None, dtype=None):
        """The array an ``{"array": key}`` entry names, checked against ``shape`` (a tuple, or a
        function of the stored shape returning a problem or None) and ``dtype`` before reading."""
        key = fields(entry, where, ["array"])["array"]
        if not isinstance(key, str):
            raise ArchiveError(f"{where} names no array")

        def check(stored_shape, stored_dtype):
            if dtype is not None and stored_dtype != dtype:
                raise ArchiveError(f"{where} has dtype {stored_dtype}; expected {np.dtype(dtype)}")
            if stored_dtype.kind not in kinds:
                raise ArchiveError(f"{where} has dtype {stored_dtype}, which is not allowed there")
            problem = shape(stored_shape) if callable(shape) else (
                None if shape is None or tuple(shape) == stored_shape else f"expected shape {tuple(shape)}")
            if problem:
                raise ArchiveError(f"{where} has shape {stored_shape}: {problem}")

        a = self.archive.array(key, check)
        if a.dtype.kind in "fc" and not np.isfinite(a).all():
            raise ArchiveError(f"{where} holds non-finite values (nan or inf)")
        return a if a.dtype.isnative else a.astype(a.dtype.newbyteorder("="))

    # -- settings -----------------------------------------------------------------------------

    def setting(self, v, where, components=False):
        """A setting; a component only where one is expected (``components``)."""
        if v is None or isinstance(v, (bool, str, int)):
            return v
        if isinstance(v, float):
            if not math.isfinite(v):
                raise ArchiveError(f"{where} is not a finite number")
            return v
        if isinstance(v, list):
            return [self.setting(x, f"{where}[{i}]", components) for i, x in enumerate(v)]
        if not isinstance(v, dict) or len(v) == 0:
            raise ArchiveError(f"{where} is not a setting")
        tag = next(iter(v))
        if tag == "float" and fields(v, where, ["float"])["float"] in ("inf", "-inf"):
            return float(v["float"])
        if tag == "tuple":
            items = fields(v, where, ["tuple"])["tuple"]
            if not isinstance(items, list):
                raise ArchiveError(f"{where} is not a list")
            return tuple(self.setting(x, f"{where}[{i}]", components) for i, x in enumerate(items))
        if tag == "dict":
            items = fields(v, where, ["dict"])["dict"]
            if not isinstance(items, list) or not all(isinstance(p, list) and len(p) == 2 for p in items):
                raise ArchiveError(f"{where} is not a list of key-value pairs")
            out = {}
            for k, x in items:
                if not (k is None or isinstance(k, (bool, str, int, float))):
                    raise ArchiveError(f"{where} has a key that is not plain data")
                out[k] = self.setting(x, f"{where}[{k!r}]", components)
            return out
        if tag == "array":
            return self.array(v, where)
        if tag == "random_state":
            return self.random_state(v, where)
        if not components:
            raise ArchiveError(f"{where} is not a setting")
        return self.component(v, where)

    def random_state(self, v, where):
        items = fields(v, where, ["random_state"])["random_state"]
        if not (isinstance(items, list) and len(items) == 4):
            raise ArchiveError(f"{where} is not a random state")
        keys = self.array(items[0], f"{where}.keys", kinds="u", shape=(624,), dtype=np.dtype("<u4"))
        pos, has_gauss, gauss = items[1:]
        if not (type(pos) is int and 0 <= pos <= 624 and has_gauss in (0, 1) and isinstance(gauss, float)
                and math.isfinite(gauss)):
            raise ArchiveError(f"{where} is not a random state")
        rng = np.random.RandomState()
        rng.set_state(("MT19937", keys, pos, has_gauss, gauss))
        return rng

    # -- components ---------------------------------------------------------------------------

    def component(self, entry, where, state_like=None):
        """A component; ``state_like`` (the parameters it trains) allows a built-in optimizer's state."""
        if not isinstance(entry, dict) or not entry:
            raise ArchiveError(f"{where} is not a component")
        tag = next(iter(entry))
        if tag == "component":
            return self.builtin(entry, where, state_like)
        if tag == "custom":
            return self.custom(entry, where, state_like)
        if tag in ("pair", "wrapped"):
            kind = entry[tag]
            if kind not in _PAIRS:
                raise ArchiveError(f"{where} is a pair of unknown kind {kind!r}")
            if tag == "wrapped":
                obj = self.custom(fields(entry, where, ["wrapped", "object"])["object"], f"{where}.object", plain=True)
                return resolve(obj, kind)
            fields(entry, where, ["pair", "function", "derivative"])
            function, derivative = (self.custom(entry[k], f"{where}.{k}", plain=True) for k in ("function", "derivative"))
            return _PAIRS[kind](function, derivative)
        raise ArchiveError(f"{where} is not a component")

    def builtin(self, entry, where, state_like):
        fields(entry, where, ["component", "params"], ["state"] if state_like is not None else ())
        cls = BUILTIN_COMPONENTS.get(entry["component"]) if isinstance(entry["component"], str) else None
        if cls is None:
            raise ArchiveError(f"{where} names an unknown component {entry['component']!r}")
        params = mapping(entry["params"], f"{where}.params")
        if cls in CALLBACK_CLASSES:
            return decode_callback(self.setting, cls, params, where)
        defaults = cls().get_params()
        if not set(params) <= set(defaults):
            raise ArchiveError(f"{where} has settings {cls.__name__} does not take")
        for name, value in params.items():
            default = defaults[name]
            if value is None and default is None:  # a setting that may be left unset (a schedule's epochs)
                continue
            kind = bool if isinstance(default, bool) else numbers.Real
            if not isinstance(value, kind) or (kind is numbers.Real and (isinstance(value, bool)
                                                                         or not math.isfinite(value))):
                raise ArchiveError(f"{where}: {cls.__name__}.{name} must be a {'bool' if kind is bool else 'finite number'}")
        obj = cls(**params)
        try:  # the ranges the component declares (optimizers and initializers; activations and losses have none)
            if callable(getattr(obj, "check_params", None)):
                obj.check_params()
        except (TypeError, ValueError) as exc:
            raise ArchiveError(f"{where}: {exc}") from None
        if "state" in entry:
            self._optimizer_state(obj, entry["state"], f"{where}.state", state_like)
        return obj

    def _optimizer_state(self, obj, state, where, params):
        names = getattr(type(obj), "_state_names", None)
        if names is None:
            raise ArchiveError(f"{where}: a {type(obj).__name__} has no state")
        fields(state, where, [*names, "t_"])
        t = state["t_"]
        if type(t) is not int or not 0 <= t <= 2**53:
            raise ArchiveError(f"{where}.t_ is not a count")
        for name in names:
            a = self.array(state[name], f"{where}.{name}", kinds="f", shape=params.shape, dtype=params.dtype)
            if name in _NONNEGATIVE_STATE and (a < 0).any():
                raise ArchiveError(f"{where}.{name} holds negative values")
            setattr(obj, name, a)
        obj.t_ = t
        obj._state_key = (params.shape, params.dtype)

    def custom(self, entry, where, state_like=None, plain=False):
        fields(entry, where, ["custom"], () if plain else ["params", "state"])
        name = entry["custom"]
        if not isinstance(name, str) or name not in self.custom_objects:
            raise ArchiveError(f"{where} names {name!r}, which is not in custom_objects")
        obj = self.custom_objects[name]
        if plain:
            if not callable(obj):
                raise CustomObjectError(f"custom_objects[{name!r}] is not callable, but the model uses it as a function.")
            return obj
        if not (isinstance(obj, (type, BaseEstimator)) or set(entry) == {"custom"}):
            # a function, or a plain object fit copies: nothing of it is stored, and a function
            # (which a deepcopy returns as it is) is the caller's own, never to be changed
            raise ArchiveError(f"{where} gives settings or state to custom_objects[{name!r}], which takes none")
        params = {k: self.setting(v, f"{where}.params.{k}", components=True)
                  for k, v in mapping(entry.get("params", {}), f"{where}.params").items()}
        try:
            if isinstance(obj, type):
                obj = obj(**params)
            else:  # a copy, so that training the loaded model never changes the caller's object
                obj = copy.deepcopy(obj)
                if params:
                    obj.set_params(**params)
        except (TypeError, ValueError, AttributeError) as exc:
            raise CustomObjectError(
                f"custom_objects[{name!r}] is not the component the model was saved with: it cannot take "
                f"the stored settings {sorted(params)} ({type(exc).__name__}: {exc})."
            ) from None
        for key, value in mapping(entry.get("state", {}), f"{where}.state").items():
            if not _PUBLIC_FITTED.fullmatch(key) or hasattr(type(obj), key):
                raise ArchiveError(f"{where}.state sets {key!r}, which is not a fitted attribute")
            setattr(obj, key, self.setting(value, f"{where}.state.{key}"))
        if isinstance(obj, optimizers.Optimizer) and state_like is not None and "t_" in entry.get("state", {}):
            for name in obj._state_names:  # an Optimizer of the caller's: state shaped as the parameters
                value = getattr(obj, name, None)
                if not (isinstance(value, np.ndarray) and value.shape == state_like.shape):
                    raise ArchiveError(f"{where}.state.{name} is not shaped as the parameters")
                setattr(obj, name, value.astype(state_like.dtype))
            if type(obj.t_) is not int or not 0 <= obj.t_ <= 2**53:
                raise ArchiveError(f"{where}.state.t_ is not a count")
            obj._state_key = (state_like.shape, state_like.dtype)
        return obj
