"""The preprocessing steps of a model file's Pipeline: the scalers, SimpleImputer, OneHotEncoder,
OrdinalEncoder, MissingIndicator, QuantileTransformer, PowerTransformer, TargetEncoder, Pipelines of
these and ColumnTransformers of these, each from a fixed table by class name.

A ColumnTransformer is stored as its settings, its transformers (with their columns: names,
positions or a make_column_selector, see :mod:`.selectors`) and their fitted forms.  ``load``
rebuilds it by fitting a ColumnTransformer of the same columns whose transformers all pass their
columns through on a table of zeros with the stored column names (which sets what scikit-learn
keeps of the columns), then puts the stored fitted transformers (each rebuilt and checked by its
own kind) in their place and checks that they take the columns they are given and produce the
output columns stored.  The columns each transformer is given are found from the public
``transformers_``, ``feature_names_in_`` and ``n_features_in_`` (:func:`input_indices`).

Steps configured with ``set_output`` are refused; scikit-learn has no public way to tell them, and
:func:`output_config` alone reads the private attribute it keeps the setting in."""

import numpy as np
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import PowerTransformer, QuantileTransformer, TargetEncoder

from .archive import ArchiveError
from .encoders import ENCODERS, decode_encoder, encode_encoder
from .imputers import decode_imputer, decode_indicator, encode_imputer, encode_indicator
from .quantiles import decode_power, decode_quantiles, encode_power, encode_quantiles
from .scalers import SCALERS, count, decode_scaler, encode_scaler, feature_names, is_bool
from .selectors import decode_selector, encode_selector
from .tabular_values import check_width, checked_settings
from .targets import decode_target_encoder, encode_target_encoder
from .values import fields, mapping

__all__ = ["encode_step", "decode_step", "output_width", "is_step", "input_indices", "output_config"]

MAX_DEPTH = 8  # Pipelines and ColumnTransformers inside one another
MAX_COLUMNS = 100_000
MAX_TRANSFORMERS = 1_000  # in one ColumnTransformer: each costs objects and checks that its bytes do not bound
_NAMED = {"SimpleImputer": (SimpleImputer, encode_imputer, decode_imputer),
          "MissingIndicator": (MissingIndicator, encode_indicator, decode_indicator),
          "QuantileTransformer": (QuantileTransformer, encode_quantiles, decode_quantiles),
          "TargetEncoder": (TargetEncoder, encode_target_encoder, decode_target_encoder),
          "PowerTransformer": (PowerTransformer, encode_power, decode_power),
          **{name: (cls, encode_encoder, decode_encoder) for name, (cls, *_) in ENCODERS.items()}}
_CT_SETTINGS = {"remainder": lambda v: v in ("drop", "passthrough"),
                "sparse_threshold": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1,
                "n_jobs": lambda v: v is None or type(v) is int and -1 <= v <= 1024 and v != 0,
                "verbose": is_bool, "verbose_feature_names_out": is_bool}
_RESERVED = ("steps", "memory", "verbose", "transform_input", "transformers", "remainder", "n_jobs",
             "sparse_threshold", "transformer_weights", "verbose_feature_names_out")


def _refuse(step):
    module = type(step).__module__
    return TypeError(f"a scikit-learn {type(step).__name__}, which skneural model files do not hold"
                     if module.startswith("sklearn") else f"a {type(step).__name__}")


def is_step(step):
    name = type(step).__name__
    return (SCALERS.get(name, (None,))[0] is type(step) or _NAMED.get(name, (None,))[0] is type(step)
            or type(step) in (Pipeline, ColumnTransformer))


def encode_step(enc, step, depth=0):
    if depth > MAX_DEPTH:
        raise TypeError(f"Pipelines and ColumnTransformers nested more than {MAX_DEPTH} deep")
    name = type(step).__name__
    if name in SCALERS and SCALERS[name][0] is type(step):
        return encode_scaler(enc, step)
    if name in _NAMED and _NAMED[name][0] is type(step):
        _check_output_config(step)
        return _NAMED[name][1](enc, step)
    if type(step) is Pipeline:
        if step.memory is not None or getattr(step, "transform_input", None) is not None:
            raise TypeError("a Pipeline with memory or transform_input inside a model's preprocessing")
        _check_output_config(step)
        return {"transformer": "Pipeline", "verbose": bool(step.verbose),
                "steps": [[n, encode_step(enc, s, depth + 1)] for n, s in step.steps]}
    if type(step) is ColumnTransformer:
        return _encode_columns(enc, step, depth)
    raise _refuse(step)


def output_config(step):
    """What ``set_output`` configured on ``step`` (empty if never called).  The one private touch-point of
    this module: scikit-learn keeps the setting in ``_sklearn_output_config`` and has no public way to
    read it back, and a step configured so (even with transform="default", which outranks a global
    ``set_config(transform_output=...)``) transforms unlike a loaded one.  tests/test_tabular_public_api.py
    fails if scikit-learn keeps it elsewhere."""
    return dict(getattr(step, "_sklearn_output_config", None) or {})


def _check_output_config(step):
    if output_config(step):
        raise TypeError(f"a {type(step).__name__} with set_output (the default output is kept)")


def _encode_spec(enc, spec, depth):
    return spec if isinstance(spec, str) and spec in ("drop", "passthrough") else encode_step(enc, spec, depth + 1)


def _encode_columns_spec(columns):
    if type(columns) is make_column_selector:
        return encode_selector(columns)
    if isinstance(columns, str):
        return {"name": columns}
    if isinstance(columns, (int, np.integer)) and not isinstance(columns, (bool, np.bool_)):
        return {"index": int(columns)}
    values = list(columns) if isinstance(columns, (list, tuple, np.ndarray)) else None
    if values is not None and all(isinstance(v, str) for v in values):
        return {"names": [str(v) for v in values]}
    if values is not None and all(isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))
                                  for v in values):
        return {"indices": [int(v) for v in values]}
    raise TypeError(f"a ColumnTransformer whose columns are given as {type(columns).__name__} "
                    "(lists of names or positions are kept)")


def _encode_columns(enc, ct, depth):
    _check_output_config(ct)
    if ct.transformer_weights is not None:
        raise TypeError("a ColumnTransformer with transformer_weights")
    if not (isinstance(ct.remainder, str) and _CT_SETTINGS["remainder"](ct.remainder)):
        raise TypeError(f"a ColumnTransformer with remainder={ct.remainder!r} ('drop' or 'passthrough' is kept)")
    names = [n for n, _, _ in ct.transformers]
    if len(names) > MAX_TRANSFORMERS:
        raise TypeError(f"a ColumnTransformer of {len(names)} transformers, over the {MAX_TRANSFORMERS} a model file "
                        "holds")
    if not (all(_step_name(n, ()) and n != "remainder" for n in names) and len(set(names)) == len(names)):
        raise TypeError(f"a ColumnTransformer whose transformers are named {names} (distinct names other than "
                        "'remainder' and the parameters', without '__', are kept)")
    params = {k: getattr(ct, k) for k in _CT_SETTINGS}
    for name, value in params.items():
        if not _CT_SETTINGS[name](value):
            raise TypeError(f"a ColumnTransformer with {name}={value!r}")
    entry = {"transformer": "ColumnTransformer", "params": {k: enc.setting(v) for k, v in params.items()},
             "transformers": [[n, _encode_spec(enc, t, depth), _encode_columns_spec(c)] for n, t, c in ct.transformers]}
    if hasattr(ct, "transformers_"):
        fitted, names = [], getattr(ct, "feature_names_in_", None)
        for (name, spec, _), (_, trans, columns) in zip(ct.transformers, ct.transformers_):
            empty = not input_indices(columns, names, ct.n_features_in_)
            fitted.append(None if isinstance(spec, str) or empty else encode_step(enc, trans, depth + 1))
        selected = [_encode_columns_spec(columns) if callable(spec_columns) else None
                    for (_, _, spec_columns), (_, _, columns) in zip(ct.transformers, ct.transformers_)]
        entry["fitted"] = {"n_features_in_": int(ct.n_features_in_), "transformers_": fitted, "selected": selected,
                           "sparse_output_": bool(ct.sparse_output_),
                           "output_indices_": [[n, s.start, s.stop] for n, s in ct.output_indices_.items()]}
        if hasattr(ct, "feature_names_in_"):
            entry["fitted"]["feature_names_in_"] = enc.array(ct.feature_names_in_)
    return entry


# -- loading -------------------------------------------------------------------------------------


def decode_step(dec, entry, where, depth=0):
    if depth > MAX_DEPTH:
        raise ArchiveError(f"{where} nests Pipelines and ColumnTransformers more than {MAX_DEPTH} deep")
    name = fields(entry, where, ["transformer"], list(entry) if isinstance(entry, dict) else ())["transformer"]
    if not isinstance(name, str):
        raise ArchiveError(f"{where} is not a transformer")
    if name in SCALERS:
        return decode_scaler(dec, entry, where)
    if name in _NAMED:
        return _NAMED[name][2](dec, entry, where)
    if name == "Pipeline":
        return _decode_pipeline(dec, entry, where, depth)
    if name == "ColumnTransformer":
        return _decode_columns(dec, entry, where, depth)
    raise ArchiveError(f"{where} names {name!r}, which is not a transformer skneural model files hold")


def _step_name(name, taken):
    return isinstance(name, str) and 0 < len(name) <= 200 and "__" not in name and name not in taken \
        and name not in _RESERVED


def _decode_pipeline(dec, entry, where, depth):
    fields(entry, where, ["transformer", "verbose", "steps"])
    steps = entry["steps"]
    if not isinstance(steps, list) or not steps or not is_bool(entry["verbose"]):
        raise ArchiveError(f"{where} is not a pipeline of transformers")
    names, decoded = set(), []
    for i, step in enumerate(steps):
        at = f"{where}.steps[{i}]"
        if not (isinstance(step, list) and len(step) == 2 and _step_name(step[0], names)):
            raise ArchiveError(f"{at} is not a (unique name, step) pair")
        names.add(step[0])
        decoded.append((step[0], decode_step(dec, step[1], at, depth + 1)))
    check_chain([s for _, s in decoded], where)
    return Pipeline(decoded, verbose=entry["verbose"])


def output_width(step):
    """The number of columns a fitted step returns."""
    if type(step) is Pipeline:
        return output_width(step.steps[-1][1])
    if type(step) is ColumnTransformer:
        return max((s.stop for s in step.output_indices_.values()), default=0)
    try:
        return len(step.get_feature_names_out())
    except (ValueError, AttributeError, TypeError) as exc:
        raise ArchiveError(f"a {type(step).__name__} whose output columns cannot be counted ({exc})") from None


def check_chain(steps, where):
    """Each fitted step takes as many columns as the one before it returns (all fitted or none)."""
    fitted = [hasattr(s, "n_features_in_") for s in steps]
    if any(fitted) and not all(fitted):
        raise ArchiveError(f"{where}: its steps are not all fitted")
    for i, (before, after) in enumerate(zip(steps, steps[1:])):
        if all(fitted):
            check_width(after, output_width(before), f"{where}.steps[{i + 1}]")


def input_indices(columns, names, n):
    """The positions of the input columns a fitted ColumnTransformer gives a transformer, from the columns
    its public ``transformers_`` lists for it (a name or position, or a list of them) and its
    ``feature_names_in_`` (``names``, None without them) and ``n_features_in_`` (``n``)."""
    items = [columns] if isinstance(columns, (str, int, np.integer)) else list(columns)
    where = {} if names is None else {name: i for i, name in enumerate(names.tolist())}
    if any(isinstance(c, str) and c not in where or isinstance(c, (bool, np.bool_)) for c in items):
        raise ValueError(f"columns {items!r} that are not among the input columns' names")
    return [where[c] if isinstance(c, str) else int(np.arange(n)[c]) for c in items]


def _decode_columns_spec(v, where):
    if isinstance(v, dict) and len(v) == 1:
        (kind, value), = v.items()
        if kind == "selector":
            return decode_selector(value, f"{where}.selector")
        if kind == "name" and isinstance(value, str):
            return value
        if kind == "index" and type(value) is int:
            return value
        if kind in ("names", "indices") and isinstance(value, list) and len(value) <= MAX_COLUMNS and all(
                isinstance(x, str) if kind == "names" else type(x) is int for x in value):
            return list(value)
    raise ArchiveError(f"{where} is not a list of column names or positions")


def _decode_columns(dec, entry, where, depth):
    fields(entry, where, ["transformer", "params", "transformers"], ["fitted"])
    params = checked_settings(mapping(entry["params"], f"{where}.params"), _CT_SETTINGS, "ColumnTransformer", where)
    listed = entry["transformers"]
    if not isinstance(listed, list) or len(listed) > MAX_TRANSFORMERS:
        raise ArchiveError(f"{where}.transformers is not a list of at most {MAX_TRANSFORMERS} transformers")
    names, transformers = set(), []
    for i, item in enumerate(listed):
        at = f"{where}.transformers[{i}]"
        if not (isinstance(item, list) and len(item) == 3 and _step_name(item[0], names) and item[0] != "remainder"):
            raise ArchiveError(f"{at} is not a (unique name, transformer, columns) triple")
        names.add(item[0])
        spec = item[1] if item[1] in ("drop", "passthrough") else decode_step(dec, item[1], at, depth + 1)
        transformers.append((item[0], spec, _decode_columns_spec(item[2], f"{at}.columns")))
    ct = ColumnTransformer(transformers, **params)
    return _fit_columns(dec, ct, entry["fitted"], where, depth) if "fitted" in entry else ct


def _fit_columns(dec, ct, fitted, where, depth):
    where = f"{where}.fitted"
    fields(fitted, where, ["n_features_in_", "transformers_", "sparse_output_", "output_indices_", "selected"],
           ["feature_names_in_"])
    resolved = fitted["selected"]  # the columns each selector chose in fit (a file keeps no dtypes)
    if not (isinstance(resolved, list) and len(resolved) == len(ct.transformers)) or any(
            (r is None) != (not callable(c)) for r, (_, _, c) in zip(resolved, ct.transformers)):
        raise ArchiveError(f"{where}.selected is not the columns of each selector (and null for the others)")
    resolved = [c if r is None else _decode_columns_spec(r, f"{where}.selected[{i}]")
                for i, (r, (_, _, c)) in enumerate(zip(resolved, ct.transformers))]
    if any(callable(c) for c in resolved):
        raise ArchiveError(f"{where}.selected holds a selector")
    n = count(fitted["n_features_in_"], f"{where}.n_features_in_", 1)
    stored, sparse = fitted["transformers_"], fitted["sparse_output_"]
    if n > MAX_COLUMNS or not isinstance(stored, list) or len(stored) != len(ct.transformers) or not is_bool(sparse):
        raise ArchiveError(f"{where}: transformers_ is not one entry per transformer, or sparse_output_ not a bool")
    holder = type("Names", (), {})()
    feature_names(dec, holder, fitted, where, n)
    names = getattr(holder, "feature_names_in_", None)
    if names is not None and len(set(names.tolist())) != n:
        raise ArchiveError(f"{where}.feature_names_in_ are not unique")
    if names is not None:
        import pandas as pd  # a table of zeros with the stored column names: scikit-learn selects names in one
        table = pd.DataFrame(np.zeros((2, n)), columns=names.tolist())
    else:
        table = np.zeros((2, n))
    standin = ColumnTransformer([(name, "drop" if spec == "drop" else "passthrough", columns)
                                 for (name, spec, _), columns in zip(ct.transformers, resolved)], **{
        k: v for k, v in ct.get_params(deep=False).items() if k in _CT_SETTINGS})
    try:
        standin.fit(table)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise ArchiveError(f"{where}: its columns do not select from its {n} input columns ({exc})") from None
    final, widths = [], {}
    for i, ((name, spec, _), (_, passing, columns), entry) in enumerate(
            zip(ct.transformers, standin.transformers_, stored)):
        at = f"{where}.transformers_[{i}]"
        selected = input_indices(columns, names, n)
        trans = passing
        if isinstance(spec, str) or not len(selected):
            if entry is not None:
                raise ArchiveError(f"{at} must be null: {name!r} is a string or selects no columns")
            trans = passing if isinstance(spec, str) else spec
        else:
            trans = decode_step(dec, entry, at, depth + 1)
            check_width(trans, len(selected), at)
            inner = getattr(trans, "feature_names_in_", None)
            if (inner is None) != (names is None) or inner is not None and inner.tolist() != names[selected].tolist():
                raise ArchiveError(f"{at}: its feature_names_in_ are not the names of the columns it is given")
        final.append((name, trans, columns))
        if trans != "drop" and len(selected):
            widths[name] = output_width(trans) if trans is not passing else len(selected)
    for name, trans, columns in standin.transformers_[len(ct.transformers):]:  # the remainder (if it has
        # columns): by position where a selector chose columns, as scikit-learn keeps it
        remaining = input_indices(columns, names, n)
        final.append((name, trans, remaining if any(callable(c) for _, _, c in ct.transformers) else columns))
        if trans != "drop" and remaining:
            widths[name] = len(remaining)
    start, expected = 0, []
    for name, width in widths.items():  # as fit records them: the columns of each, in order, then
        expected.append([name, start, start + width])  # empty slices for those that return none
        start += width
    expected += [[name, 0, 0] for name in [t[0] for t in ct.transformers] + ["remainder"] if name not in widths]
    if fitted["output_indices_"] != expected:
        raise ArchiveError(f"{where}.output_indices_ are not the columns its transformers return "
                           f"({expected})")
    standin.set_params(transformers=ct.transformers)
    standin.transformers_ = final
    standin.sparse_output_ = sparse
    standin.output_indices_ = {name: slice(a, b) for name, a, b in expected}
    return standin
