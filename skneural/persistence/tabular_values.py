"""Typed value lists of the tabular transformers (categories, imputation statistics): arrays of
numbers, bools or strings, as object arrays where scikit-learn keeps them so, with their missing
values (``None``, ``nan``) by position.  Never pickled: the values are a plain array, the missing
values two lists of positions."""

import math

import numpy as np

from .archive import ArchiveError
from .values import fields

__all__ = ["encode_values", "decode_values", "same_values", "names_of", "FIT_DTYPES", "check_width",
           "checked_settings"]

# the dtypes a transformer may have been fitted on (the synthetic data it is rebuilt from has it)
FIT_DTYPES = {"float64": np.float64, "float32": np.float32, "object": object}
MAX_VALUES = 1_000_000  # values in one list


def _is_nan(v):
    return isinstance(v, float) and math.isnan(v)


_KINDS = {"str": str, "int": int, "float": float, "bool": bool}


def _kind(v):
    return next((k for k, t in (("bool", bool), ("str", str), ("int", int), ("float", float)) if isinstance(v, t)), None)


def encode_values(enc, values):
    """``values`` (a 1-D array) as ``{"object": bool, "parts": [[kind, array, positions], ...], "nan":
    positions, "none": positions}``: the values of each kind (an object array may mix strings and
    numbers from one column to the next) and the missing ones, by position."""
    values = np.asarray(values)
    if values.ndim != 1:
        raise TypeError(f"an array of {values.ndim} dimensions where a list of values was expected")
    if values.dtype != object and values.dtype.kind not in "biufU":
        raise TypeError(f"values of dtype {values.dtype}")
    items = values.tolist()
    nan = [i for i, v in enumerate(items) if _is_nan(v)]
    none = [i for i, v in enumerate(items) if v is None]
    missing = set(nan) | set(none)
    if values.dtype != object:
        at = [i for i in range(len(items)) if i not in missing]
        return {"object": False, "parts": [["plain", enc.array(values[at]), at]], "nan": nan, "none": []}
    groups = {}
    for i, v in enumerate(items):
        if i not in missing:
            kind = _kind(v)
            if kind is None:
                raise TypeError(f"an object array holding a {type(v).__name__}")
            groups.setdefault(kind, []).append(i)
    parts = [[kind, enc.array(np.array([items[i] for i in at], dtype=_KINDS[kind])), at] for kind, at in groups.items()]
    return {"object": True, "parts": parts, "nan": nan, "none": none}


def _positions(v, where, n):
    if not (isinstance(v, list) and len(v) <= n and all(type(i) is int and 0 <= i < n for i in v)):
        raise ArchiveError(f"{where} is not a list of positions")
    return v


def decode_values(dec, entry, where, max_length=MAX_VALUES):
    """The array an :func:`encode_values` entry describes, every value checked."""
    fields(entry, where, ["object", "parts", "nan", "none"])
    parts, is_object = entry["parts"], entry["object"]
    if not isinstance(is_object, bool) or not isinstance(parts, list) or len(parts) > (4 if is_object else 1):
        raise ArchiveError(f"{where} is not a list of values")
    arrays, taken = [], []
    for i, part in enumerate(parts):
        at = f"{where}.parts[{i}]"
        if not (isinstance(part, list) and len(part) == 3 and part[0] in (_KINDS if is_object else ("plain",))):
            raise ArchiveError(f"{at} is not a (kind, values, positions) triple")
        kinds = {"str": "U", "int": "iu", "float": "f", "bool": "b"}.get(part[0], "biufU")
        a = dec.array(part[1], f"{at}.values", kinds=kinds,
                      shape=lambda s: None if len(s) == 1 and s[0] <= max_length else "not a list of values")
        arrays.append(a)
        taken.append(_positions(part[2], f"{at}.positions", max_length))
        if len(taken[-1]) != len(a):
            raise ArchiveError(f"{at} does not give one position per value")
    nan = _positions(entry["nan"], f"{where}.nan", max_length)
    none = _positions(entry["none"], f"{where}.none", max_length)
    every = [i for t in taken for i in t] + nan + none
    n = len(every)
    if sorted(every) != list(range(n)):
        raise ArchiveError(f"{where}: its positions are not each of 0..{n - 1} once")
    if not is_object and (none or nan and arrays and arrays[0].dtype.kind != "f"):
        raise ArchiveError(f"{where}: a list of numbers holds None, or nan among integers")
    out = np.empty(n, dtype=object if is_object else (arrays[0].dtype if arrays else np.float64))
    for a, at in zip(arrays, taken):
        if at:
            out[at] = a.tolist() if is_object else a
    if nan:
        out[nan] = np.nan
    if none:
        out[none] = None
    return out


def _key(v):
    return "nan" if _is_nan(v) else (type(v).__name__, v)


def same_values(a, b):
    """Whether two value arrays are equal, in dtype, order, kind of each value and missing values."""
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and [_key(v) for v in a.tolist()] == [_key(v) for v in b.tolist()]


def names_of(obj, n, where):
    """``obj.feature_names_in_`` if it has them, checked to be ``n`` of them."""
    names = getattr(obj, "feature_names_in_", None)
    if names is not None and len(names) != n:
        raise ArchiveError(f"{where}: feature_names_in_ are not n_features_in_ names")
    return names


def check_width(step, n, where):
    if getattr(step, "n_features_in_", None) != n:
        raise ArchiveError(f"{where} was fitted on {getattr(step, 'n_features_in_', None)} features where "
                           f"{n} come in")


def checked_settings(params, settings, class_name, where):
    """``params`` (a file's settings of a ``class_name``), each a name of ``settings`` that its check
    there accepts; an ArchiveError naming the first that is not."""
    for name, value in params.items():
        if name not in settings or not settings[name](value):
            raise ArchiveError(f"{where}: {class_name}'s setting {name!r} is not valid")
    return params
