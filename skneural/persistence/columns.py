"""The preprocessing steps of a model file's Pipeline: the scalers, SimpleImputer, OneHotEncoder,
OrdinalEncoder, MissingIndicator, QuantileTransformer, PowerTransformer, TargetEncoder, Pipelines of
these and ColumnTransformers of these, each from a fixed table by class name.

A ColumnTransformer is stored as its settings (``transformer_weights`` as numbers of at most
``MAX_WEIGHT`` in absolute value for some of its transformers and its remainder), its transformers
(with their columns: names, positions, slices of these, boolean masks or a make_column_selector, see
:mod:`.column_specs` and :mod:`.selectors`), its remainder ("drop", "passthrough" or one of these
transformers) and their fitted forms.  ``load``
rebuilds it by fitting a ColumnTransformer of the same columns whose transformers all pass their
columns through on a table of zeros with the stored column names (which sets what scikit-learn
keeps of the columns), then puts the stored fitted transformers (each rebuilt and checked by its
own kind) in their place and checks that they take the columns they are given and produce the
output columns stored.  The columns each transformer is given are found from the public
``transformers_``, ``feature_names_in_`` and ``n_features_in_`` (:func:`input_indices`).

What ``set_output`` configured on a step ("default" or "pandas") is stored with it and set again on
load with the public ``set_output`` (a Pipeline's or ColumnTransformer's steps must have its own
setting, as ``set_output`` on it gives them).  scikit-learn has no public way to read the setting, and
:func:`output_config` alone reads the private attribute it keeps it in."""

import math

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import PowerTransformer, QuantileTransformer, TargetEncoder

from .archive import ArchiveError
from .encoders import ENCODERS, decode_encoder, encode_encoder
from .imputers import decode_imputer, decode_indicator, encode_imputer, encode_indicator
from .quantiles import decode_power, decode_quantiles, encode_power, encode_quantiles
from .scalers import SCALERS, count, decode_scaler, encode_scaler, encode_feature_names, feature_names, is_bool
from .column_specs import MAX_COLUMNS, decode_columns_spec, encode_columns_spec, input_indices, may_be_sparse
from .tabular_values import check_width, checked_settings
from .targets import decode_target_encoder, encode_target_encoder
from .values import fields

__all__ = ["encode_step", "decode_step", "output_width", "is_step", "input_indices", "output_config"]

MAX_DEPTH = 8  # Pipelines and ColumnTransformers inside one another
MAX_WEIGHT = 1e6  # a transformer_weights value, in absolute terms
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
    output = _output_setting(step)
    name = type(step).__name__
    if name in SCALERS and SCALERS[name][0] is type(step):
        entry = encode_scaler(enc, step)
    elif name in _NAMED and _NAMED[name][0] is type(step):
        entry = _NAMED[name][1](enc, step)
    elif type(step) is Pipeline:
        if step.memory is not None or getattr(step, "transform_input", None) is not None:
            raise TypeError("a Pipeline with memory or transform_input inside a model's preprocessing")
        entry = {"transformer": "Pipeline", "verbose": bool(step.verbose),
                 "steps": [[n, encode_step(enc, s, depth + 1)] for n, s in step.steps]}
    elif type(step) is ColumnTransformer:
        entry = _encode_columns(enc, step, depth)
    else:
        raise _refuse(step)
    return entry if output is None else {**entry, "set_output": output}


def output_config(step):
    """What ``set_output`` configured on ``step`` (empty if never called).  The one private touch-point of
    this module: scikit-learn keeps the setting in ``_sklearn_output_config`` and has no public way to
    read it back, and a step configured so (even with transform="default", which outranks a global
    ``set_config(transform_output=...)``) transforms unlike a loaded one.  tests/test_tabular_public_api.py
    fails if scikit-learn keeps it elsewhere."""
    return dict(getattr(step, "_sklearn_output_config", None) or {})


_OUTPUTS = ("default", "pandas")  # what set_output(transform=...) a file keeps


def _cascade(step):
    """The steps ``set_output`` on ``step`` sets too (a ColumnTransformer's transformers, fitted ones and
    remainder; a Pipeline's steps), through Pipelines, which keep no setting of their own."""
    if type(step) is Pipeline:
        parts = [s for _, s in step.steps]
    elif type(step) is ColumnTransformer:
        fitted = [t for _, t, _ in getattr(step, "transformers_", ())]
        parts = [t for _, t, _ in step.transformers] + fitted + [step.remainder]
    else:
        return []
    parts = [s for s in parts if not isinstance(s, str) and s is not None]
    return [p for s in parts for p in (_cascade(s) if type(s) is Pipeline else [s])]


def _output_setting(step):
    """What ``set_output`` set on ``step`` ("default", "pandas" or None): the steps under it must have the
    same, as set_output on it gives them, so that load can set it again with the public set_output."""
    config = output_config(step)
    if not config:
        return None
    if set(config) != {"transform"} or config["transform"] not in _OUTPUTS:
        raise TypeError(f"a {type(step).__name__} with set_output({config}) (transform='default' or 'pandas' "
                        "is kept)")
    if any(output_config(s) != config for s in _cascade(step)):
        raise TypeError(f"a {type(step).__name__} with set_output(transform={config['transform']!r}) whose steps "
                        "have another set_output")
    return config["transform"]


def _set_output(step, output, where):
    if output is None:
        return step
    if output not in _OUTPUTS or any(output_config(s) != {"transform": output} for s in _cascade(step)):
        raise ArchiveError(f"{where}.set_output is not one of {_OUTPUTS}, the same as its steps'")
    return step.set_output(transform=output)


def _encode_spec(enc, spec, depth):
    return spec if isinstance(spec, str) and spec in ("drop", "passthrough") else encode_step(enc, spec, depth + 1)


def _weight(v):
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_)) \
        and math.isfinite(v) and abs(v) <= MAX_WEIGHT


def _encode_weights(ct, names):
    weights = ct.transformer_weights
    if weights is None:
        return None
    if not (isinstance(weights, dict) and set(weights) <= {*names, "remainder"} and all(map(_weight, weights.values()))):
        raise TypeError(f"a ColumnTransformer with transformer_weights={weights!r} (numbers of at most {MAX_WEIGHT:g} "
                        "in absolute value for some of its transformers' names or 'remainder' are kept)")
    return [[n, float(w) if isinstance(w, (float, np.floating)) else int(w)] for n, w in weights.items()]


def _encode_columns(enc, ct, depth):
    remainder = ct.remainder
    if isinstance(remainder, str) and not _CT_SETTINGS["remainder"](remainder):
        raise TypeError(f"a ColumnTransformer with remainder={remainder!r}")
    names = [n for n, _, _ in ct.transformers]
    if len(names) > MAX_TRANSFORMERS:
        raise TypeError(f"a ColumnTransformer of {len(names)} transformers, over the {MAX_TRANSFORMERS} a model file "
                        "holds")
    if not (all(_step_name(n, ()) and n != "remainder" for n in names) and len(set(names)) == len(names)):
        raise TypeError(f"a ColumnTransformer whose transformers are named {names} (distinct names other than "
                        "'remainder' and the parameters', without '__', are kept)")
    params = {k: getattr(ct, k) for k in _CT_SETTINGS if k != "remainder" or isinstance(remainder, str)}
    for name, value in params.items():
        if not _CT_SETTINGS[name](value):
            raise TypeError(f"a ColumnTransformer with {name}={value!r}")
    entry = {"transformer": "ColumnTransformer", "params": {k: enc.setting(v) for k, v in params.items()},
             "transformers": [[n, _encode_spec(enc, t, depth), encode_columns_spec(c)] for n, t, c in ct.transformers]}
    if not isinstance(remainder, str):
        entry["remainder"] = encode_step(enc, remainder, depth + 1)
    weights = _encode_weights(ct, names)
    if weights is not None:
        entry["transformer_weights"] = weights
    if hasattr(ct, "transformers_"):
        fitted, names = [], getattr(ct, "feature_names_in_", None)
        for (name, spec, _), (_, trans, columns) in zip(ct.transformers, ct.transformers_):
            empty = not input_indices(columns, names, ct.n_features_in_)
            fitted.append(None if isinstance(spec, str) or empty else encode_step(enc, trans, depth + 1))
        selected = [encode_columns_spec(columns) if callable(spec_columns) else None
                    for (_, _, spec_columns), (_, _, columns) in zip(ct.transformers, ct.transformers_)]
        rest = ct.transformers_[len(ct.transformers):]  # the remainder, if it has columns
        if not isinstance(remainder, str):
            fitted.append(encode_step(enc, rest[0][1], depth + 1) if rest else None)
        entry["fitted"] = {"n_features_in_": int(ct.n_features_in_), "transformers_": fitted, "selected": selected,
                           "sparse_output_": bool(ct.sparse_output_),
                           "output_indices_": [[n, s.start, s.stop] for n, s in ct.output_indices_.items()]}
        encode_feature_names(enc, ct, entry["fitted"])
    return entry


# -- loading -------------------------------------------------------------------------------------


def decode_step(dec, entry, where, depth=0):
    if depth > MAX_DEPTH:
        raise ArchiveError(f"{where} nests Pipelines and ColumnTransformers more than {MAX_DEPTH} deep")
    name = fields(entry, where, ["transformer"], list(entry) if isinstance(entry, dict) else ())["transformer"]
    if not isinstance(name, str):
        raise ArchiveError(f"{where} is not a transformer")
    output = entry.get("set_output")
    entry = {k: v for k, v in entry.items() if k != "set_output"}
    if name in SCALERS:
        step = decode_scaler(dec, entry, where)
    elif name in _NAMED:
        step = _NAMED[name][2](dec, entry, where)
    elif name == "Pipeline":
        step = _decode_pipeline(dec, entry, where, depth)
    elif name == "ColumnTransformer":
        step = _decode_columns(dec, entry, where, depth)
    else:
        raise ArchiveError(f"{where} names {name!r}, which is not a transformer skneural model files hold")
    return _set_output(step, output, where)


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


def _decode_columns(dec, entry, where, depth):
    fields(entry, where, ["transformer", "params", "transformers"], ["fitted", "remainder", "transformer_weights"])
    params = checked_settings(entry["params"], _CT_SETTINGS, "ColumnTransformer", where)
    if ("remainder" in entry) == ("remainder" in params):
        raise ArchiveError(f"{where} must give its remainder as exactly one of a setting and a transformer")
    if "remainder" in entry:
        params["remainder"] = decode_step(dec, entry["remainder"], f"{where}.remainder", depth + 1)
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
        transformers.append((item[0], spec, decode_columns_spec(item[2], f"{at}.columns")))
    params["transformer_weights"] = _decode_weights(entry.get("transformer_weights"), names, where)
    ct = ColumnTransformer(transformers, **params)
    return _fit_columns(dec, ct, entry["fitted"], where, depth) if "fitted" in entry else ct


def _decode_weights(stored, names, where):
    if stored is None:
        return None
    if not (isinstance(stored, list) and all(isinstance(p, list) and len(p) == 2 and p[0] in {*names, "remainder"}
                                             and _weight(p[1]) for p in stored)
            and len({p[0] for p in stored}) == len(stored)):
        raise ArchiveError(f"{where}.transformer_weights is not (transformer name or 'remainder', number of at most "
                           f"{MAX_WEIGHT:g} in absolute value) pairs, each name once")
    return dict((name, weight) for name, weight in stored)


def _fitted_part(dec, entry, at, selected, names, depth):
    """A fitted transformer of a ColumnTransformer, checked to take the columns it is given."""
    trans = decode_step(dec, entry, at, depth + 1)
    check_width(trans, len(selected), at)
    inner = getattr(trans, "feature_names_in_", None)
    if (inner is None) != (names is None) or inner is not None and inner.tolist() != names[selected].tolist():
        raise ArchiveError(f"{at}: its feature_names_in_ are not the names of the columns it is given")
    return trans


def _fit_columns(dec, ct, fitted, where, depth):
    where = f"{where}.fitted"
    fields(fitted, where, ["n_features_in_", "transformers_", "sparse_output_", "output_indices_", "selected"],
           ["feature_names_in_"])
    resolved = fitted["selected"]  # the columns each selector chose in fit (a file keeps no dtypes)
    if not (isinstance(resolved, list) and len(resolved) == len(ct.transformers)) or any(
            (r is None) != (not callable(c)) for r, (_, _, c) in zip(resolved, ct.transformers)):
        raise ArchiveError(f"{where}.selected is not the columns of each selector (and null for the others)")
    resolved = [c if r is None else decode_columns_spec(r, f"{where}.selected[{i}]")
                for i, (r, (_, _, c)) in enumerate(zip(resolved, ct.transformers))]
    if any(callable(c) for c in resolved):
        raise ArchiveError(f"{where}.selected holds a selector")
    n = count(fitted["n_features_in_"], f"{where}.n_features_in_", 1)
    stored, sparse = fitted["transformers_"], fitted["sparse_output_"]
    remainder = ct.remainder  # a transformer's fitted form follows the others'
    parts = len(ct.transformers) + (not isinstance(remainder, str))
    if n > MAX_COLUMNS or not isinstance(stored, list) or len(stored) != parts or not is_bool(sparse):
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
        k: v for k, v in ct.get_params(deep=False).items() if k in _CT_SETTINGS and k != "remainder"},
        remainder=remainder if isinstance(remainder, str) else "passthrough")
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
            trans = _fitted_part(dec, entry, at, selected, names, depth)
        final.append((name, trans, columns))
        if trans != "drop" and len(selected):
            widths[name] = output_width(trans) if trans is not passing else len(selected)
    rest = standin.transformers_[len(ct.transformers):]
    if not isinstance(remainder, str) and (stored[-1] is None) != (not rest):
        raise ArchiveError(f"{where}.transformers_[{parts - 1}] (the remainder) must be there exactly when columns "
                           "remain")
    for name, trans, columns in rest:  # the remainder (if it has
        # columns): by position where a selector chose columns, as scikit-learn keeps it
        remaining = input_indices(columns, names, n)
        if not isinstance(remainder, str):
            trans = _fitted_part(dec, stored[-1], f"{where}.transformers_[{parts - 1}]", remaining, names, depth)
        final.append((name, trans, remaining if any(callable(c) for _, _, c in ct.transformers) else columns))
        if trans != "drop" and remaining:
            widths[name] = len(remaining) if isinstance(trans, str) else output_width(trans)
    start, expected = 0, []
    for name, width in widths.items():  # as fit records them: the columns of each, in order, then
        expected.append([name, start, start + width])  # empty slices for those that return none
        start += width
    expected += [[name, 0, 0] for name in [t[0] for t in ct.transformers] + ["remainder"] if name not in widths]
    if fitted["output_indices_"] != expected:
        raise ArchiveError(f"{where}.output_indices_ are not the columns its transformers return "
                           f"({expected})")
    standin.set_params(transformers=ct.transformers, remainder=remainder, transformer_weights=ct.transformer_weights)
    standin.transformers_ = final
    if sparse and not (ct.sparse_threshold > 0 and any(may_be_sparse(t, names is None) for _, t, _ in final)):
        raise ArchiveError(f"{where}.sparse_output_ is true, but sparse_threshold is 0 or none of its transformers "
                           "returns a sparse matrix")
    standin.sparse_output_ = sparse
    standin.output_indices_ = {name: slice(a, b) for name, a, b in expected}
    return standin
