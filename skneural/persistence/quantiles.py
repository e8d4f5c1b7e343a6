"""QuantileTransformer and PowerTransformer in a model file: their settings and public fitted arrays
(``quantiles_`` and ``references_``; ``lambdas_``), which are all their ``transform`` uses, each
checked: the quantiles finite and non-decreasing in each column, the references the evenly spaced
levels ``fit`` sets, the lambdas finite and within +-100.

A PowerTransformer with ``standardize=True`` (the default) is a PowerTransformer(standardize=False)
followed by the StandardScaler(copy=False) that ``fit`` fits on the transformed columns; that scaler
is stored as a StandardScaler is (its ``mean_``, ``var_``, ``scale_`` and ``n_samples_seen_``) and
checked as one.  scikit-learn keeps it in a private attribute, read and set by :func:`standardizer`
alone."""

import numpy as np
from sklearn.preprocessing import PowerTransformer, QuantileTransformer, StandardScaler

from .archive import ArchiveError
from .scalers import count, decode_scaler, encode_scaler, encode_feature_names, feature_names, is_bool
from .tabular_values import transformer_settings
from .values import fields

__all__ = ["encode_quantiles", "decode_quantiles", "encode_power", "decode_power", "standardizer"]

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
        encode_feature_names(enc, transformer, entry["fitted"])
    return entry


def decode_quantiles(dec, entry, where):
    params = transformer_settings(entry, _SETTINGS, "QuantileTransformer", where)
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
_POWER_SETTINGS = {"method": lambda v: v in ("yeo-johnson", "box-cox"), "standardize": is_bool, "copy": is_bool}


def standardizer(transformer, scaler=None):
    """The StandardScaler a fitted PowerTransformer(standardize=True) standardizes with (or, given
    ``scaler``, gives it that one).  The one private touch-point of this module: scikit-learn keeps the
    scaler in ``_scaler``, with no public way to read or set it, and no public fit rebuilds it exactly
    (its mean and scale are those of the data after the power transform, and lambdas_ come from an
    optimizer).  tests/test_tabular_public_api.py fails if scikit-learn keeps it elsewhere or uses it
    otherwise."""
    if scaler is not None:
        transformer._scaler = scaler
    return transformer._scaler


def _lambdas(values):
    """lambdas_ in the dtype fit gave them (that of the data): transform computes in it."""
    values = np.asarray(values)
    return values if values.dtype in (np.float32, np.float64) else values.astype(np.float64)


def encode_power(enc, transformer):
    for name, check in _POWER_SETTINGS.items():
        if not check(getattr(transformer, name)):
            raise TypeError(f"a PowerTransformer with {name}={getattr(transformer, name)!r}")
    entry = {"transformer": "PowerTransformer", "params": {k: getattr(transformer, k) for k in _POWER_SETTINGS}}
    if hasattr(transformer, "lambdas_"):
        entry["fitted"] = {"n_features_in_": int(transformer.n_features_in_),
                           "lambdas_": enc.array(_lambdas(transformer.lambdas_))}
        if transformer.standardize:
            scaler = standardizer(transformer)
            if type(scaler) is not StandardScaler:
                raise TypeError(f"a PowerTransformer standardizing with a {type(scaler).__name__}")
            entry["fitted"]["scaler"] = encode_scaler(enc, scaler)
        encode_feature_names(enc, transformer, entry["fitted"])
    return entry


def decode_power(dec, entry, where):
    params = transformer_settings(entry, _POWER_SETTINGS, "PowerTransformer", where)
    transformer = PowerTransformer(**params)
    if "fitted" not in entry:
        return transformer
    fitted = fields(entry["fitted"], f"{where}.fitted", ["n_features_in_", "lambdas_"] + (
        ["scaler"] if transformer.standardize else []), ["feature_names_in_"])
    n = count(fitted["n_features_in_"], f"{where}.n_features_in_", 1)
    lambdas = dec.array(fitted["lambdas_"], f"{where}.lambdas_", kinds="f", shape=(n,))
    if lambdas.dtype not in (np.float32, np.float64) or not (np.abs(lambdas) <= MAX_LAMBDA).all():
        raise ArchiveError(f"{where}.lambdas_ are not float32 or float64 within +-{MAX_LAMBDA:g}")
    if transformer.standardize:
        scaler = decode_scaler(dec, fitted["scaler"], f"{where}.fitted.scaler")
        # as PowerTransformer.fit makes it: StandardScaler(copy=False), fitted on the n transformed columns
        if type(scaler) is not StandardScaler or scaler.get_params() != {"copy": False, "with_mean": True,
                                                                          "with_std": True} \
                or getattr(scaler, "n_features_in_", None) != n or hasattr(scaler, "feature_names_in_"):
            raise ArchiveError(f"{where}.fitted.scaler is not a StandardScaler(copy=False) fitted on {n} "
                               "unnamed columns")
        standardizer(transformer, scaler.set_output(transform="default"))
    transformer.lambdas_, transformer.n_features_in_ = lambdas, n
    feature_names(dec, transformer, fitted, where, n)
    return transformer
