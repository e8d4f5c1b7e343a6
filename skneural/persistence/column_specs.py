"""The columns a ColumnTransformer gives each transformer, in a model file: a name or position, a
list of names or positions, a slice of positions or of names (both ends included, as pandas'
``loc`` takes them), a boolean mask, or a make_column_selector (:mod:`.selectors`); and the
positions they select, found from public fitted attributes alone (:func:`input_indices`)."""

import numpy as np
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.impute import MissingIndicator
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, PowerTransformer, TargetEncoder

from .archive import ArchiveError
from .selectors import decode_selector, encode_selector

__all__ = ["encode_columns_spec", "decode_columns_spec", "input_indices", "may_be_sparse", "MAX_COLUMNS"]

MAX_COLUMNS = 100_000
_MAX_NAME = 10_000  # characters in a column name a slice ends at
_MAX_INDEX = 2**31


def _is_int(v):
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def _is_bool(v):
    return isinstance(v, (bool, np.bool_))


def _slice_ends(start, stop, step):
    """The ends of a slice as a file holds them (positions or names, and a step), or None."""
    ends = [start, stop]
    given = [e for e in ends if e is not None]
    if all(_is_int(e) for e in given) and (step is None or _is_int(step) and step != 0):
        return [None if e is None else int(e) for e in ends] + [None if step is None else int(step)]
    if given and all(isinstance(e, str) for e in given) and step is None:
        return [None if e is None else str(e) for e in ends] + [None]
    return None


def encode_columns_spec(columns):
    if type(columns) is make_column_selector:
        return encode_selector(columns)
    if isinstance(columns, str):
        return {"name": columns}
    if _is_int(columns):
        return {"index": int(columns)}
    if isinstance(columns, slice):
        ends = _slice_ends(columns.start, columns.stop, columns.step)
        if ends is not None:
            return {"slice": ends}
    values = list(columns) if isinstance(columns, (list, tuple, np.ndarray)) else None
    if values is not None and values and all(_is_bool(v) for v in values):
        return {"mask": [bool(v) for v in values]}
    if values is not None and all(isinstance(v, str) for v in values):
        return {"names": [str(v) for v in values]}
    if values is not None and all(_is_int(v) for v in values):
        return {"indices": [int(v) for v in values]}
    raise TypeError(f"a ColumnTransformer whose columns are given as {type(columns).__name__} {columns!r} "
                    "(names, positions, slices of these, boolean masks and make_column_selector are kept)")


def _end(v):
    return v is None or type(v) is int and abs(v) <= _MAX_INDEX or isinstance(v, str) and len(v) <= _MAX_NAME


def decode_columns_spec(v, where):
    if isinstance(v, dict) and len(v) == 1:
        (kind, value), = v.items()
        if kind == "selector":
            return decode_selector(value, f"{where}.selector")
        if kind == "name" and isinstance(value, str):
            return value
        if kind == "index" and type(value) is int:
            return value
        if kind in ("names", "indices", "mask") and isinstance(value, list) and len(value) <= MAX_COLUMNS and all(
                isinstance(x, str) if kind == "names" else type(x) is bool if kind == "mask" else type(x) is int
                for x in value) and (value or kind != "mask"):
            return list(value)
        if kind == "slice" and isinstance(value, list) and len(value) == 3 and all(map(_end, value)) \
                and _slice_ends(*value) == value:
            return slice(*value)
    raise ArchiveError(f"{where} is not column names or positions, a slice of them or a boolean mask")


def _slice_positions(s, names, n):
    if all(e is None or _is_int(e) for e in (s.start, s.stop)):
        return np.arange(n)[s].tolist()
    # names: pandas' loc, both ends included
    if names is None or any(e is not None and e not in names for e in (s.start, s.stop)):
        raise ValueError(f"a slice {s!r} of names that are not among the input columns' names")
    start = 0 if s.start is None else names.index(s.start)
    stop = n if s.stop is None else names.index(s.stop) + 1
    return list(range(start, stop))


def input_indices(columns, names, n):
    """The positions of the input columns a fitted ColumnTransformer gives a transformer, from the columns
    its public ``transformers_`` lists for it (a name or position, a list of them, a slice or a boolean mask)
    and its ``feature_names_in_`` (``names``, None without them) and ``n_features_in_`` (``n``)."""
    names = None if names is None else names.tolist()
    if isinstance(columns, slice):
        return _slice_positions(columns, names, n)
    items = [columns] if isinstance(columns, (str, int, np.integer)) else list(columns)
    if items and all(_is_bool(c) for c in items):
        if len(items) != n:
            raise ValueError(f"a boolean mask of {len(items)} columns where there are {n}")
        return np.flatnonzero(np.asarray(items, dtype=bool)).tolist()
    where = {} if names is None else {name: i for i, name in enumerate(names)}
    if any(isinstance(c, str) and c not in where or _is_bool(c) for c in items):
        raise ValueError(f"columns {items!r} that are not among the input columns' names")
    return [where[c] if isinstance(c, str) else int(np.arange(n)[c]) for c in items]


def may_be_sparse(step, sparse_input):
    """Whether a fitted step of a ColumnTransformer can return a scipy sparse matrix: a OneHotEncoder
    with ``sparse_output``, a MissingIndicator with ``sparse`` True (or "auto" on sparse input), a
    ColumnTransformer whose ``sparse_output_`` is true, a Pipeline whose steps carry one on, and
    "passthrough" or another step that keeps sparse input sparse when ``sparse_input`` (its input may
    have been sparse: it has no column names)."""
    if isinstance(step, str):
        return step == "passthrough" and sparse_input
    if type(step) is Pipeline:
        for _, inner in step.steps:
            sparse_input = may_be_sparse(inner, sparse_input)
        return sparse_input
    if type(step) is ColumnTransformer:
        return bool(step.sparse_output_)
    if type(step) is OneHotEncoder:
        return bool(step.sparse_output)
    if type(step) is MissingIndicator:
        return step.sparse is True or step.sparse == "auto" and sparse_input
    if type(step) in (OrdinalEncoder, PowerTransformer, TargetEncoder):
        return False
    return sparse_input
