"""SimpleImputer and MissingIndicator in a model file: their settings and public fitted values,
rebuilt on load by fitting a fresh one on two synthetic rows whose statistics (and missing values)
are the stored ones, then checked to have exactly the stored ``statistics_`` and flagged features.

The dtype an imputer was fitted on (float64, float32 or object: the rows it is rebuilt from have
it) is kept by scikit-learn in a private attribute; ``save`` finds it from public behaviour instead,
by imputing a row of nan (:func:`fitted_dtype`)."""

import math
import numbers
import warnings

import numpy as np
from sklearn.impute import MissingIndicator, SimpleImputer

from .archive import ArchiveError
from .scalers import count, encode_feature_names, feature_names, is_bool
from .tabular_values import FIT_DTYPES, transformer_settings, decode_values, encode_values, same_values
from .values import fields

__all__ = ["encode_imputer", "decode_imputer", "encode_indicator", "decode_indicator", "fitted_dtype"]

_STRATEGIES = ("mean", "median", "most_frequent", "constant")
MAX_FEATURES = 100_000


def _fill_value(v):
    return v is None or isinstance(v, str) and len(v) <= 1000 or (
        isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v))


_SETTINGS = {"strategy": lambda v: v in _STRATEGIES, "fill_value": _fill_value, "add_indicator": is_bool,
             "copy": is_bool}


def _unsupported(imputer):
    if not (isinstance(imputer.missing_values, float) and math.isnan(imputer.missing_values)):
        return f"missing_values={imputer.missing_values!r} (np.nan is kept)"
    if imputer.keep_empty_features:
        return "keep_empty_features=True"
    for name, check in _SETTINGS.items():
        if not check(getattr(imputer, name)):
            return f"{name}={getattr(imputer, name)!r}"
    return None


def encode_imputer(enc, imputer):
    problem = _unsupported(imputer)
    if problem:
        raise TypeError(f"a SimpleImputer with {problem}")
    entry = {"transformer": "SimpleImputer",
             "params": {k: enc.setting(getattr(imputer, k)) for k in _SETTINGS}}
    if hasattr(imputer, "statistics_"):
        dtype = fitted_dtype(imputer)
        if dtype == "float32" and imputer.strategy == "mean":  # a float64 mean of float32 data:
            # no float32 data of a few rows has it, to rebuild the imputer from
            raise TypeError(f"a SimpleImputer(strategy={imputer.strategy!r}) fitted on float32 data "
                            "(fit it on float64 data)")
        fitted = {"n_features_in_": int(imputer.n_features_in_), "statistics_": encode_values(enc, imputer.statistics_),
                  "fit_dtype": dtype}
        if imputer.indicator_ is not None:
            fitted["indicator_features_"] = enc.array(imputer.indicator_.features_.astype(np.int64))
        encode_feature_names(enc, imputer, fitted)
        entry["fitted"] = fitted
    return entry


def fitted_dtype(imputer):
    """The dtype a fitted SimpleImputer was fitted on, as far as its ``transform`` shows it (the dtype
    itself is private to scikit-learn): "object" if it imputes a row of nan as an object array,
    "float32" if it fills in its statistics rounded to float32 (as one fitted on float32 data does),
    else "float64" (float64 or integer data, or float32 data whose statistics float32 holds exactly:
    an imputer fitted on float64 data then imputes every value the same)."""
    stats = imputer.statistics_
    if stats.dtype == np.float32:  # the median of float32 data
        return "float32"
    try:
        with warnings.catch_warnings():  # of features without values, and of a row without feature names
            warnings.simplefilter("ignore")
            out = np.asarray(imputer.transform(np.full((1, imputer.n_features_in_), np.nan)))
    except (ValueError, TypeError) as exc:
        raise TypeError(f"a SimpleImputer that does not impute a row of nan ({exc})") from None
    if out.dtype == object:
        return "object"
    values = stats[~_missing(stats)].astype(np.float64)
    filled = out[0, :len(values)]
    if np.array_equal(filled, values):
        return "float64"
    if out.dtype == np.float64 and np.array_equal(filled, values.astype(np.float32).astype(np.float64)):
        return "float32"
    raise TypeError("a SimpleImputer that fills in values other than its statistics_")


def _missing(values):
    return np.array([v is None or (isinstance(v, float) and math.isnan(v)) for v in values.tolist()], dtype=bool)


def decode_imputer(dec, entry, where):
    params = transformer_settings(entry, _SETTINGS, "SimpleImputer", where)
    imputer = SimpleImputer(**params)
    if "fitted" not in entry:
        return imputer
    fitted = fields(entry["fitted"], f"{where}.fitted", ["n_features_in_", "statistics_", "fit_dtype"],
                    ["indicator_features_", "feature_names_in_"])
    n = count(fitted["n_features_in_"], f"{where}.n_features_in_", 1)
    if n > MAX_FEATURES or fitted["fit_dtype"] not in FIT_DTYPES:
        raise ArchiveError(f"{where}: n_features_in_ or fit_dtype is not valid")
    stats = decode_values(dec, fitted["statistics_"], f"{where}.statistics_", max_length=n)
    if len(stats) != n:
        raise ArchiveError(f"{where}.statistics_ does not hold one value per feature")
    numeric = fitted["fit_dtype"] != "object"
    expected = object if imputer.strategy == "constant" or not numeric else np.float64
    if stats.dtype != expected and not (fitted["fit_dtype"] == "float32" and stats.dtype == np.float32):
        raise ArchiveError(f"{where}.statistics_ is not of the dtype the imputer was fitted on")
    has_indicator = "indicator_features_" in fitted
    if has_indicator != imputer.add_indicator:
        raise ArchiveError(f"{where}: indicator_features_ must be there exactly when add_indicator is True")
    flagged = np.zeros(n, dtype=bool)
    if has_indicator:
        features = dec.array(fitted["indicator_features_"], f"{where}.indicator_features_", kinds="iu",
                             shape=lambda s: None if len(s) == 1 and s[0] <= n else "not a list of features")
        if not (np.all(features >= 0) and np.all(features < n) and np.all(np.diff(features) > 0)):
            raise ArchiveError(f"{where}.indicator_features_ are not increasing feature positions")
        flagged[features] = True
    # two rows per feature: the statistic (or nothing, where it is nan) and, where the indicator
    # flags the feature, a missing value
    missing = _missing(stats)
    rows = np.empty((2, n), dtype=FIT_DTYPES[fitted["fit_dtype"]])
    for j, value in enumerate(stats.tolist()):
        value = 0.0 if numeric and imputer.strategy == "constant" else value  # any value: the fill is a setting
        rows[:, j] = [np.nan if missing[j] else value, np.nan if flagged[j] or missing[j] else value]
    try:
        imputer.fit(rows)
    except (ValueError, TypeError) as exc:
        raise ArchiveError(f"{where}: its values do not make a SimpleImputer ({exc})") from None
    found = np.zeros(n, dtype=bool)
    if imputer.indicator_ is not None:
        found[imputer.indicator_.features_] = True
    if not same_values(imputer.statistics_, stats) or not np.array_equal(found, flagged):
        raise ArchiveError(f"{where}: statistics_ and indicator_features_ are not what a SimpleImputer with "
                           "these settings can have")
    feature_names(dec, imputer, fitted, where, n)
    return imputer


_INDICATOR_SETTINGS = {"features": lambda v: v in ("missing-only", "all"), "sparse": lambda v: v in ("auto", True, False),
                       "error_on_new": is_bool}


def encode_indicator(enc, indicator):
    value = indicator.missing_values
    if not (isinstance(value, float) and math.isnan(value)):
        raise TypeError(f"a MissingIndicator with missing_values={value!r} (np.nan is kept)")
    for name, check in _INDICATOR_SETTINGS.items():
        if not check(getattr(indicator, name)):
            raise TypeError(f"a MissingIndicator with {name}={getattr(indicator, name)!r}")
    entry = {"transformer": "MissingIndicator", "params": {k: getattr(indicator, k) for k in _INDICATOR_SETTINGS}}
    if hasattr(indicator, "features_"):
        entry["fitted"] = {"n_features_in_": int(indicator.n_features_in_),
                           "features_": enc.array(np.asarray(indicator.features_, dtype=np.int64))}
        encode_feature_names(enc, indicator, entry["fitted"])
    return entry


def decode_indicator(dec, entry, where):
    params = transformer_settings(entry, _INDICATOR_SETTINGS, "MissingIndicator", where)
    indicator = MissingIndicator(**params)
    if "fitted" not in entry:
        return indicator
    fitted = fields(entry["fitted"], f"{where}.fitted", ["n_features_in_", "features_"], ["feature_names_in_"])
    n = count(fitted["n_features_in_"], f"{where}.n_features_in_", 1)
    if n > MAX_FEATURES:
        raise ArchiveError(f"{where}.n_features_in_ is over {MAX_FEATURES}")
    features = dec.array(fitted["features_"], f"{where}.features_", kinds="iu",
                         shape=lambda s: None if len(s) == 1 and s[0] <= n else "not a list of features")
    if not (np.all(features >= 0) and np.all(features < n) and np.all(np.diff(features) > 0)):
        raise ArchiveError(f"{where}.features_ are not increasing feature positions")
    rows = np.zeros((2, n))
    rows[1, features] = np.nan  # a missing value in each feature it flags
    indicator.fit(rows)
    if not np.array_equal(indicator.features_, features):
        raise ArchiveError(f"{where}.features_ are not what a MissingIndicator with these settings has")
    feature_names(dec, indicator, fitted, where, n)
    return indicator
