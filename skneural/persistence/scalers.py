"""The scikit-learn scalers a model file holds, with the settings and fitted arrays each may have."""

import math
import numbers

import numpy as np
from sklearn.preprocessing import MaxAbsScaler, MinMaxScaler, Normalizer, RobustScaler, StandardScaler

from .archive import ArchiveError
from .tabular_values import checked_settings
from .values import fields, mapping

__all__ = ["SCALERS", "encode_scaler", "decode_scaler", "count", "number", "is_bool", "feature_names",
           "encode_feature_names"]


def is_bool(v):
    return isinstance(v, bool)


def _interval(low, high):
    def check(v):
        return (isinstance(v, (list, tuple)) and len(v) == 2
                and all(isinstance(x, numbers.Real) and not isinstance(x, bool) and math.isfinite(x) for x in v)
                and low <= v[0] < v[1] <= high and math.isfinite(v[1] - v[0]))
    return check


# scaler: (checks of the settings a file may hold, its fitted arrays (one value per feature) each with
# when the settings make it there (None: always), whether it counts n_samples_seen_)
SCALERS = {cls.__name__: (cls, settings, arrays, counts) for cls, settings, arrays, counts in [
    (StandardScaler, {"copy": is_bool, "with_mean": is_bool, "with_std": is_bool},
     {"mean_": lambda s: s.with_mean or s.with_std, "var_": lambda s: s.with_std, "scale_": lambda s: s.with_std},
     True),
    (MinMaxScaler, {"copy": is_bool, "clip": is_bool, "feature_range": _interval(-math.inf, math.inf)},
     dict.fromkeys(("min_", "scale_", "data_min_", "data_max_", "data_range_")), True),
    (MaxAbsScaler, {"copy": is_bool, "clip": is_bool}, dict.fromkeys(("max_abs_", "scale_")), True),
    (RobustScaler, {"copy": is_bool, "with_centering": is_bool, "with_scaling": is_bool,
                    "unit_variance": is_bool, "quantile_range": _interval(0, 100)},
     {"center_": lambda s: s.with_centering, "scale_": lambda s: s.with_scaling}, False),
    (Normalizer, {"copy": is_bool, "norm": lambda v: v in ("l1", "l2", "max")}, {}, False),
]}


def encode_scaler(enc, scaler):
    if type(scaler).__name__ not in SCALERS or SCALERS[type(scaler).__name__][0] is not type(scaler):
        raise TypeError(f"a scikit-learn {type(scaler).__name__}, which skneural model files do not hold"
                        if type(scaler).__module__.startswith("sklearn") else f"a {type(scaler).__name__}")
    _, settings, arrays, counts = SCALERS[type(scaler).__name__]
    params = scaler.get_params(deep=False)
    defaults = type(scaler)().get_params(deep=False)
    for name in set(params) - set(settings):
        if params[name] != defaults[name]:
            raise TypeError(f"a {type(scaler).__name__} with {name}={params[name]!r}")
    entry = {"transformer": type(scaler).__name__,
             "params": {k: enc.setting(v) for k, v in params.items() if k in settings}}
    if hasattr(scaler, "n_features_in_"):
        fitted = {name: enc.setting(getattr(scaler, name)) for name in (*arrays, "n_features_in_")}
        if counts:
            fitted["n_samples_seen_"] = enc.setting(scaler.n_samples_seen_)
        encode_feature_names(enc, scaler, fitted)
        entry["fitted"] = fitted
    return entry


def count(v, where, low=0):
    if type(v) is not int or not low <= v <= 2**53:
        raise ArchiveError(f"{where} is not an integer >= {low} (and at most 2**53)")
    return v


def number(v, where, allowed=()):
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not (math.isfinite(v) or v in allowed):
        raise ArchiveError(f"{where} is not a finite number")
    return float(v)


def encode_feature_names(enc, obj, fitted):
    """Adds ``obj``'s ``feature_names_in_``, if it was fitted on named columns, to ``fitted``; the
    reverse of :func:`feature_names`."""
    if hasattr(obj, "feature_names_in_"):
        fitted["feature_names_in_"] = enc.array(obj.feature_names_in_)


def feature_names(dec, obj, fitted, where, n):
    if "feature_names_in_" in fitted:
        obj.feature_names_in_ = dec.array(fitted["feature_names_in_"], f"{where}.feature_names_in_", kinds="U",
                                          shape=(n,)).astype(object)  # as scikit-learn keeps them


def decode_scaler(dec, entry, where):
    fields(entry, where, ["transformer", "params"], ["fitted"])
    cls, settings, arrays, counts = SCALERS.get(entry["transformer"], (None,) * 4) \
        if isinstance(entry["transformer"], str) else (None,) * 4
    if cls is None:
        raise ArchiveError(f"{where} is not a scaler skneural model files hold")
    params = mapping(entry["params"], f"{where}.params")
    params = {k: dec.setting(v, f"{where}.params.{k}") for k, v in params.items()}
    checked_settings(params, {k: settings[k] for k in set(settings) & set(cls().get_params())}, cls.__name__, where)
    scaler = cls(**params)
    if "fitted" not in entry:
        return scaler
    required = [*arrays, "n_features_in_"] + (["n_samples_seen_"] if counts else [])
    fitted = fields(entry["fitted"], f"{where}.fitted", required, ["feature_names_in_"])
    n = count(fitted["n_features_in_"], f"{where}.n_features_in_", 1)
    for name, needs in arrays.items():
        if (fitted[name] is None) != (needs is not None and not needs(scaler)):
            raise ArchiveError(f"{where}.{name} must be {'absent' if fitted[name] is not None else 'there'} "
                               f"with these settings")
        value = None if fitted[name] is None else dec.array(fitted[name], f"{where}.{name}", kinds="f", shape=(n,))
        if name == "scale_" and value is not None and not (value > 0).all():
            raise ArchiveError(f"{where}.scale_ holds values that are not positive")
        setattr(scaler, name, value)
    if "n_samples_seen_" in fitted:
        seen = fitted["n_samples_seen_"]
        seen = dec.array(seen, f"{where}.n_samples_seen_", kinds="iu", shape=(n,)) if isinstance(seen, dict) \
            else number(seen, f"{where}.n_samples_seen_")
        if np.any(np.asarray(seen) < 0):
            raise ArchiveError(f"{where}.n_samples_seen_ is negative")
        scaler.n_samples_seen_ = seen
    feature_names(dec, scaler, fitted, where, n)
    scaler.n_features_in_ = n
    return scaler
