"""QuantileTransformer and PowerTransformer (``standardize=False``) in a model file: their settings
and public fitted arrays (``quantiles_`` and ``references_``; ``lambdas_``), which are all their
``transform`` uses, each checked: the quantiles finite and non-decreasing in each column, the
references the evenly spaced levels ``fit`` sets, the lambdas finite and within +-100."""

import numpy as np
from sklearn.preprocessing import PowerTransformer, QuantileTransformer

from .archive import ArchiveError
from .scalers import count, feature_names, is_bool
from .tabular_values import checked_settings
from .values import fields, mapping

__all__ = ["encode_quantiles", "decode_quantiles", "encode_power", "decode_power"]

MAX_QUANTILES = 100_000
_SETTINGS = {"n_quantiles": lambda v: type(v) is int and 1 <= v <= MAX_QUANTILES,
             "output_distribution": lambda v: v in ("uniform", "normal"),
             "subsample": lambda v: v is None or type(v) is int and 1 <= v <= 2**31,
             "random_state": lambda v: v is None or type(v) is int and 0 <= v < 2**32, "copy": is_bool}


def encode_quantiles(enc, transformer):
    if transformer.ignore_implicit_zeros:
        raise TypeError("a QuantileTransformer with ignore_implicit_zeros=True")
    params = {k: getattr(transformer, k) for k in _SETTINGS}
    for name, value in params.items():
        if not _SETTINGS[name](value):
            raise TypeError(f"a QuantileTransformer with {name}={value!r}")
    entry = {"transformer": "QuantileTransformer", "params": params}
    if hasattr(transformer, "quantiles_"):
        entry["fitted"] = {"n_features_in_": int(transformer.n_features_in_),
                           "n_quantiles_": int(transformer.n_quantiles_),
                           "quantiles_": enc.array(transformer.quantiles_), "references_": enc.array(transformer.references_)}
        if hasattr(transformer, "feature_names_in_"):
            entry["fitted"]["feature_names_in_"] = enc.array(transformer.feature_names_in_)
    return entry


def decode_quantiles(dec, entry, where):
    fields(entry, where, ["transformer", "params"], ["fitted"])
    params = checked_settings(mapping(entry["params"], f"{where}.params"), _SETTINGS, "QuantileTransformer", where)
    transformer = QuantileTransformer(**params)
    if "fitted" not in entry:
        return transformer
    fitted = fields(entry["fitted"], f"{where}.fitted", ["n_features_in_", "n_quantiles_", "quantiles_", "references_"],
                    ["feature_names_in_"])
    n = count(fitted["n_features_in_"], f"{where}.n_features_in_", 1)
    levels = count(fitted["n_quantiles_"], f"{where}.n_quantiles_", 1)
    if levels > transformer.n_quantiles:
        raise ArchiveError(f"{where}.n_quantiles_ is over the n_quantiles setting")
    quantiles = dec.array(fitted["quantiles_"], f"{where}.quantiles_", kinds="f", shape=(levels, n))
    references = dec.array(fitted["references_"], f"{where}.references_", kinds="f", shape=(levels,))
    if not (np.diff(quantiles, axis=0) >= 0).all():
        raise ArchiveError(f"{where}.quantiles_ do not increase in each column")
    if not np.array_equal(references, np.linspace(0, 1, levels, endpoint=True)):
        raise ArchiveError(f"{where}.references_ are not the {levels} evenly spaced levels fit sets")
    transformer.n_quantiles_, transformer.quantiles_, transformer.references_ = levels, quantiles, references
    transformer.n_features_in_ = n
    feature_names(dec, transformer, fitted, where, n)
    return transformer


MAX_LAMBDA = 100.0
_POWER_SETTINGS = {"method": lambda v: v in ("yeo-johnson", "box-cox"), "standardize": lambda v: v is False,
                   "copy": is_bool}


def encode_power(enc, transformer):
    for name, check in _POWER_SETTINGS.items():
        if not check(getattr(transformer, name)):
            raise TypeError(f"a PowerTransformer with {name}={getattr(transformer, name)!r}" + (
                " (its standardizing scaler is private to scikit-learn: put a StandardScaler after a "
                "PowerTransformer(standardize=False) instead)" if name == "standardize" else ""))
    entry = {"transformer": "PowerTransformer", "params": {k: getattr(transformer, k) for k in _POWER_SETTINGS}}
    if hasattr(transformer, "lambdas_"):
        entry["fitted"] = {"n_features_in_": int(transformer.n_features_in_),
                           "lambdas_": enc.array(np.asarray(transformer.lambdas_, dtype=np.float64))}
        if hasattr(transformer, "feature_names_in_"):
            entry["fitted"]["feature_names_in_"] = enc.array(transformer.feature_names_in_)
    return entry


def decode_power(dec, entry, where):
    fields(entry, where, ["transformer", "params"], ["fitted"])
    params = checked_settings(mapping(entry["params"], f"{where}.params"), _POWER_SETTINGS, "PowerTransformer", where)
    if params.get("standardize") is not False:
        raise ArchiveError(f"{where}: a PowerTransformer is kept with standardize=False only")
    transformer = PowerTransformer(**params)
    if "fitted" not in entry:
        return transformer
    fitted = fields(entry["fitted"], f"{where}.fitted", ["n_features_in_", "lambdas_"], ["feature_names_in_"])
    n = count(fitted["n_features_in_"], f"{where}.n_features_in_", 1)
    lambdas = dec.array(fitted["lambdas_"], f"{where}.lambdas_", kinds="f", shape=(n,))
    if not (np.abs(lambdas) <= MAX_LAMBDA).all():
        raise ArchiveError(f"{where}.lambdas_ are not within +-{MAX_LAMBDA:g}")
    transformer.lambdas_, transformer.n_features_in_ = lambdas, n
    feature_names(dec, transformer, fitted, where, n)
    return transformer
