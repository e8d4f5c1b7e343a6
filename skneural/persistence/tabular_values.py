"""Typed value lists of the tabular transformers (categories, imputation statistics): arrays of
numbers, bools or strings, as object arrays where scikit-learn keeps them so, with their missing
values (``None``, ``nan``) by position.  Never pickled: the values are a plain array, the missing
values two lists of positions.

Strings are stored with variable length, ``{"utf8": bytes, "ends": end offsets}``: their UTF-8
bytes concatenated in one uint8 array and where each ends (uint32, or uint64 past 4 GiB), so a
column of many short names and one long one takes the bytes of its text, not ``4 * longest`` per
value.  Loading checks the offsets and each value's UTF-8 before it builds one string, and builds
Python strings (at most a few times the bytes the file holds for them), never a fixed-width array
sized by the longest.  A plain (not object) string array is rebuilt as one (scikit-learn compares
its dtype) only when that takes at most ``MAX_TEXT_RATIO`` times the bytes stored for it; ``save``
keeps such an array fixed-width (``{"array": key}``, the file's own bytes) when it would not.
Fixed-width strings of files written before are read as they were."""

import math

import numpy as np

from .archive import ArchiveError
from .values import fields, mapping

__all__ = ["encode_values", "decode_values", "same_values", "names_of", "FIT_DTYPES", "check_width",
           "checked_settings", "transformer_settings", "MAX_TEXT_RATIO"]

# the dtypes a transformer may have been fitted on (the synthetic data it is rebuilt from has it)
FIT_DTYPES = {"float64": np.float64, "float32": np.float32, "object": object}
MAX_VALUES = 1_000_000  # values in one list
MAX_TEXT_RATIO = 8  # a fixed-width string array rebuilt from variable-length text: at most 8x its stored bytes
_TEXT_SLACK = 4096  # ... plus this, so that a few short strings always fit


def _is_nan(v):
    return isinstance(v, float) and math.isnan(v)


_KINDS = {"str": str, "int": int, "float": float, "bool": bool}


def _kind(v):
    return next((k for k, t in (("bool", bool), ("str", str), ("int", int), ("float", float)) if isinstance(v, t)), None)


def _utf8(strings):
    try:
        return [s.encode("utf-8") for s in strings]
    except UnicodeEncodeError:
        raise TypeError("a string that is not valid Unicode (it holds a lone surrogate)") from None


def _ends_dtype(total):
    return np.dtype("<u4") if total < 2**32 else np.dtype("<u8")


def _fits_fixed(n, longest, stored):
    """Whether ``n`` strings of up to ``longest`` characters, ``stored`` bytes in the file, may become
    a fixed-width array (4 bytes a character times the longest, for each)."""
    return n * max(longest, 1) * 4 <= MAX_TEXT_RATIO * stored + _TEXT_SLACK


def _encode_text(enc, raw):
    ends = np.cumsum([len(b) for b in raw], dtype=np.int64)
    ends = ends.astype(_ends_dtype(int(ends[-1]) if len(ends) else 0))
    return {"utf8": enc.array(np.frombuffer(b"".join(raw), dtype=np.uint8)), "ends": enc.array(ends)}


def _at(at):
    """Positions, as a list or, when they are consecutive, ``{"range": [start, stop]}``."""
    return {"range": [at[0], at[-1] + 1]} if len(at) > 1 and at[-1] - at[0] == len(at) - 1 else at


def _plain(enc, values):
    if values.dtype.kind == "U":
        strings = values.tolist()
        raw = _utf8(strings)
        total, longest = sum(map(len, raw)), max(map(len, strings), default=0)
        if values.dtype.itemsize // 4 == max(longest, 1) and _fits_fixed(
                len(raw), longest, total + len(raw) * _ends_dtype(total).itemsize):
            return _encode_text(enc, raw)
    return enc.array(values)


def encode_values(enc, values):
    """``values`` (a 1-D array) as ``{"object": bool, "parts": [[kind, values, positions], ...], "nan":
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
        return {"object": False, "parts": [["plain", _plain(enc, values[at]), _at(at)]], "nan": nan, "none": []}
    groups = {}
    for i, v in enumerate(items):
        if i not in missing:
            kind = _kind(v)
            if kind is None:
                raise TypeError(f"an object array holding a {type(v).__name__}")
            groups.setdefault(kind, []).append(i)
    parts = [[kind, _encode_text(enc, _utf8([items[i] for i in at])) if kind == "str"
              else enc.array(np.array([items[i] for i in at], dtype=_KINDS[kind])), _at(at)]
             for kind, at in groups.items()]
    return {"object": True, "parts": parts, "nan": nan, "none": none}


def _text(dec, entry, where, max_length):
    """The strings of a ``{"utf8": ..., "ends": ...}`` entry, every offset and byte checked first,
    and the bytes the file holds for them."""
    fields(entry, where, ["utf8", "ends"])
    ends = dec.array(entry["ends"], f"{where}.ends", kinds="iu",
                     shape=lambda s: None if len(s) == 1 and s[0] <= max_length else "not a list of end offsets")
    data = dec.array(entry["utf8"], f"{where}.utf8", dtype=np.dtype(np.uint8),
                     shape=lambda s: None if len(s) == 1 else "not a list of bytes")
    size = len(data)
    if (int(ends[-1]) if len(ends) else 0) != size:
        raise ArchiveError(f"{where}.ends: the last end offset is not the length of {where}.utf8 ({size} bytes)")
    if len(ends) and ((ends > size).any() or (ends < 0).any()):
        raise ArchiveError(f"{where}.ends holds offsets outside {where}.utf8")
    stored, ends = size + ends.nbytes, ends.astype(np.int64)
    if (np.diff(ends) < 0).any():
        raise ArchiveError(f"{where}.ends are not non-decreasing offsets")
    view, strings, start = memoryview(data), [], 0
    for i, end in enumerate(ends.tolist()):
        try:
            strings.append(str(view[start:end], "utf-8"))
        except UnicodeDecodeError:
            raise ArchiveError(f"{where}.utf8: value {i} (bytes {start} to {end}) is not valid UTF-8") from None
        start = end
    return strings, stored


def _part_values(dec, value, kind, where, max_length):
    """The values of one part: a list of Python values (an object array's) or an array (a plain one)."""
    if isinstance(value, dict) and "utf8" in value:
        if kind not in ("str", "plain"):
            raise ArchiveError(f"{where} holds text where values of kind {kind} belong")
        strings, stored = _text(dec, value, where, max_length)
        if kind == "str":
            return strings
        longest = max(map(len, strings), default=0)
        if not _fits_fixed(len(strings), longest, stored):
            raise ArchiveError(f"{where}: {len(strings)} strings of up to {longest} characters, as a fixed-width "
                               f"array, would take over {MAX_TEXT_RATIO} times the bytes stored for them")
        return np.array(strings, dtype=f"<U{max(longest, 1)}")
    kinds = {"str": "U", "int": "iu", "float": "f", "bool": "b"}.get(kind, "biufU")
    a = dec.array(value, where, kinds=kinds,
                  shape=lambda s: None if len(s) == 1 and s[0] <= max_length else "not a list of values")
    return a if kind == "plain" else a.tolist()


def _positions(v, where, n, ranges=False):
    """A list of positions below ``n``, or (``ranges``) a ``{"range": [start, stop]}`` of them."""
    if ranges and isinstance(v, dict):
        r = fields(v, where, ["range"])["range"]
        if not (isinstance(r, list) and len(r) == 2 and all(type(i) is int for i in r) and 0 <= r[0] < r[1] <= n):
            raise ArchiveError(f"{where} is not a range of positions")
        return range(*r)
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
        arrays.append(_part_values(dec, part[1], part[0], f"{at}.values", max_length))
        taken.append(_positions(part[2], f"{at}.positions", max_length, ranges=True))
        if len(taken[-1]) != len(arrays[-1]):
            raise ArchiveError(f"{at} does not give one position per value")
    nan = _positions(entry["nan"], f"{where}.nan", max_length)
    none = _positions(entry["none"], f"{where}.none", max_length)
    n = sum(map(len, taken)) + len(nan) + len(none)  # each at most one per value the file holds
    seen = np.zeros(n, dtype=np.int64)
    for t in (*taken, nan, none):
        if isinstance(t, range):
            if t.stop > n:
                raise ArchiveError(f"{where}: its positions are not each of 0..{n - 1} once")
            seen[t.start:t.stop] += 1
        else:
            if any(i >= n for i in t):
                raise ArchiveError(f"{where}: its positions are not each of 0..{n - 1} once")
            np.add.at(seen, np.asarray(t, dtype=np.int64), 1)
    if not (seen == 1).all():
        raise ArchiveError(f"{where}: its positions are not each of 0..{n - 1} once")
    if not is_object and (none or nan and arrays and arrays[0].dtype.kind != "f"):
        raise ArchiveError(f"{where}: a list of numbers holds None, or nan among integers")
    out = np.empty(n, dtype=object if is_object else (arrays[0].dtype if arrays else np.float64))
    for values, at in zip(arrays, taken):
        if not is_object:
            out[slice(at.start, at.stop) if isinstance(at, range) else at] = values
        else:
            for i, v in zip(at, values):  # one by one: never through a fixed-width array of them
                out[i] = v
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
    """``params`` (a file's settings of a ``class_name``, at ``where.params``): a JSON object of which
    each is a name of ``settings`` that its check there accepts; an ArchiveError naming the first
    that is not."""
    mapping(params, f"{where}.params")
    for name, value in params.items():
        if name not in settings or not settings[name](value):
            raise ArchiveError(f"{where}: {class_name}'s setting {name!r} is not valid")
    return params


def transformer_settings(entry, settings, class_name, where):
    """The checked settings (:func:`checked_settings`) of a transformer's entry, which holds its
    ``transformer`` name, its ``params`` and, if it was fitted, its ``fitted`` values."""
    fields(entry, where, ["transformer", "params"], ["fitted"])
    return checked_settings(entry["params"], settings, class_name, where)
