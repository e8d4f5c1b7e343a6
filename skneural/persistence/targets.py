"""TargetEncoder in a model file: its settings (``shuffle`` and ``random_state``, which only the
cross-fitting of ``fit_transform`` uses, as settings; a RandomState instance is refused) and public
fitted values.  ``load`` rebuilds it by
fitting a fresh TargetEncoder on synthetic rows holding each stored category and a target of the
stored type and classes, checks that the refit has exactly the stored categories, target type and
classes, then gives it the stored ``encodings_`` and ``target_mean_`` (finite numbers of the shapes
the categories and classes give)."""

import numpy as np
from sklearn.preprocessing import TargetEncoder

from .archive import ArchiveError
from .scalers import count, encode_feature_names, feature_names, number
from .tabular_values import checked_settings, decode_values, encode_values, same_values
from .values import fields, mapping

__all__ = ["encode_target_encoder", "decode_target_encoder"]

MAX_FEATURES = 10_000
MAX_CATEGORIES = 1_000_000  # categories over all features
_TYPES = ("binary", "multiclass", "continuous")
_SETTINGS = {"target_type": lambda v: v in ("auto", *_TYPES),
             "smooth": lambda v: v == "auto" or isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v < 1e12,
             "cv": lambda v: type(v) is int and 2 <= v <= 1000,
             # the cross-fitting of fit_transform only (deprecated in scikit-learn 1.9): kept as settings
             "shuffle": lambda v: type(v) is bool or v == "deprecated",
             "random_state": lambda v: v is None or v == "deprecated" or type(v) is int and 0 <= v < 2**32}
_FIT_ONLY = ("shuffle", "random_state")


def encode_target_encoder(enc, encoder):
    params, defaults = encoder.get_params(deep=False), TargetEncoder().get_params(deep=False)
    for name, value in params.items():
        value = int(value) if isinstance(value, np.integer) and not isinstance(value, np.bool_) else value
        if name in _SETTINGS and not _SETTINGS[name](value) or name not in _SETTINGS and not (
                isinstance(value, str) and value == defaults[name]):
            raise TypeError(f"a TargetEncoder with {name}={value!r}")
    entry = {"transformer": "TargetEncoder", "params": {k: enc.setting(int(params[k]) if isinstance(
        params[k], np.integer) else params[k]) for k in _SETTINGS}}
    if hasattr(encoder, "encodings_"):
        fitted = {"n_features_in_": int(encoder.n_features_in_), "target_type_": encoder.target_type_,
                  "categories_": [encode_values(enc, c) for c in encoder.categories_],
                  "classes_": None if encoder.classes_ is None else encode_values(enc, encoder.classes_),
                  "target_mean_": enc.array(np.atleast_1d(np.asarray(encoder.target_mean_, dtype=np.float64))),
                  "encodings_": [enc.array(np.asarray(e, dtype=np.float64)) for e in encoder.encodings_]}
        encode_feature_names(enc, encoder, fitted)
        entry["fitted"] = fitted
    return entry


def decode_target_encoder(dec, entry, where):
    fields(entry, where, ["transformer", "params"], ["fitted"])
    params = {k: dec.setting(v, f"{where}.params.{k}") for k, v in mapping(entry["params"], f"{where}.params").items()}
    checked_settings(params, _SETTINGS, "TargetEncoder", where)
    if "fitted" not in entry:
        return TargetEncoder(**params)
    # rebuilt with the defaults of the settings that only fit_transform's cross-fitting uses (no
    # deprecation warning on load), which are set after
    encoder = TargetEncoder(**{k: v for k, v in params.items() if k not in _FIT_ONLY})
    fitted = fields(entry["fitted"], f"{where}.fitted", ["n_features_in_", "target_type_", "categories_", "classes_",
                                                         "target_mean_", "encodings_"], ["feature_names_in_"])
    n = count(fitted["n_features_in_"], f"{where}.n_features_in_", 1)
    kind = fitted["target_type_"]
    if n > MAX_FEATURES or kind not in _TYPES or not isinstance(fitted["categories_"], list) \
            or len(fitted["categories_"]) != n:
        raise ArchiveError(f"{where}: n_features_in_, target_type_ or categories_ is not valid")
    categories = [decode_values(dec, c, f"{where}.categories_[{j}]", MAX_CATEGORIES // n)
                  for j, c in enumerate(fitted["categories_"])]
    classes = None if fitted["classes_"] is None else decode_values(dec, fitted["classes_"], f"{where}.classes_",
                                                                    MAX_CATEGORIES)
    if (classes is None) != (kind == "continuous") or any(len(c) == 0 for c in categories):
        raise ArchiveError(f"{where}: classes_ must be there exactly for a binary or multiclass target")
    rows = max([len(c) for c in categories] + [0 if classes is None else len(classes)])
    if sum(len(c) for c in categories) > MAX_CATEGORIES or rows * n > MAX_CATEGORIES:
        raise ArchiveError(f"{where}: more than {MAX_CATEGORIES} categories")
    y = np.arange(rows) + 0.5 if classes is None else np.resize(classes, rows)
    columns = [np.resize(c, rows) for c in categories]
    table = np.stack(columns, axis=1) if len({c.dtype for c in columns}) == 1 else None
    if table is None:
        import pandas as pd  # scikit-learn needs a DataFrame to keep each column's dtype
        table = pd.DataFrame({f"x{j}": pd.Series(c, dtype=c.dtype) for j, c in enumerate(columns)})  # as encoders
    try:
        encoder.fit(table, y)
    except (ValueError, TypeError) as exc:
        raise ArchiveError(f"{where}: its categories and classes do not make a TargetEncoder ({exc})") from None
    if encoder.target_type_ != kind or not all(same_values(a, b) for a, b in zip(encoder.categories_, categories)) \
            or (classes is not None and not same_values(encoder.classes_, classes)):
        raise ArchiveError(f"{where}: categories_, target_type_ and classes_ are not what a TargetEncoder with these "
                           "settings finds (categories and classes must be sorted and unique)")
    width = 1 if kind != "multiclass" else len(classes)
    means = dec.array(fitted["target_mean_"], f"{where}.target_mean_", kinds="f", shape=(width,))
    stored = fitted["encodings_"]
    if not isinstance(stored, list) or len(stored) != n * width:
        raise ArchiveError(f"{where}.encodings_ is not one list per feature (and class)")
    encoder.encodings_ = [dec.array(e, f"{where}.encodings_[{i}]", kinds="f", shape=(len(categories[i // width]),))
                          for i, e in enumerate(stored)]
    encoder.target_mean_ = means if kind == "multiclass" else number(float(means[0]), f"{where}.target_mean_")
    if hasattr(encoder, "feature_names_in_"):
        del encoder.feature_names_in_
    feature_names(dec, encoder, fitted, where, n)
    return encoder.set_params(**{k: v for k, v in params.items() if k in _FIT_ONLY})
