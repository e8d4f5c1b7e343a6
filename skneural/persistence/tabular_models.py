"""What a fitted ``TabularMLPClassifier`` or ``TabularMLPRegressor`` keeps besides what every estimator
does, in a model file: ``preprocessor_`` (the ColumnTransformer encoding the table, stored as any
preprocessing step, :mod:`.columns`), the settings its input layers were built from at ``fit``
(``input_settings``), the embedding of the numbers they resolved to (``numeric_embedding_``: 'auto'
picks one by the training rows) and, for the regressor, the targets' ``y_mean_`` and ``y_scale_``.

``load`` checks them against each other and against the network: the settings as the estimator
checks them; the preprocessor a fitted ColumnTransformer of the parts the estimator makes (scaled
numbers first, then missing-value indicators and one-hot categories, dense output), built with
those settings, fitted on the estimator's ``n_features_in_`` columns (and names); the network's
input layers exactly those the settings, the preprocessor's numeric width and its encoded width
give (a SmoothClip and a PeriodicEmbedding or PiecewiseLinearEncoding of the numeric columns when the
settings and ``numeric_embedding_`` ask for them, the embedding passing the other encoded columns
through, a Scale of the width after; the encoding's bin edges are checked with the network's layer
state); and
``y_mean_`` and ``y_scale_`` finite, the scales positive, one per output.  Which estimators are
tabular is by class name (persistence imports nothing of the estimators package)."""

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, QuantileTransformer, RobustScaler, StandardScaler

from .archive import ArchiveError
from .columns import decode_step, encode_step, output_width
from .input_layers import describe, embedding_width
from .values import mapping

__all__ = ["is_tabular", "tabular_fields", "encode_tabular", "decode_tabular", "TABULAR_ESTIMATORS"]

TABULAR_ESTIMATORS = ("TabularMLPClassifier", "TabularMLPRegressor")
# the settings the input layers and the preprocessor are built from (the estimators' _input_settings)
INPUT_SETTINGS = ("numeric_scaling", "smooth_clip", "numeric_embedding", "n_frequencies", "embedding_size",
                  "frequency_scale", "n_bins", "scaling_layer", "max_categories", "min_category_frequency")
_SCALERS = {"robust": RobustScaler, "quantile": QuantileTransformer, "standard": StandardScaler}
_PARTS = ("numeric", "missing", "categorical")  # in this order, each at most once
_EMBEDDINGS = (None, "periodic", "piecewise_linear")  # numeric_embedding_: the setting resolved


def is_tabular(est):
    """Whether ``est`` (an estimator of a registered class) is one of the tabular estimators."""
    return type(est).__name__ in TABULAR_ESTIMATORS


def _is_regressor(est):
    return not hasattr(est, "predict_proba")


def tabular_fields(est):
    """The fitted fields a tabular estimator's entry must have besides every estimator's, and those it
    may have (``numeric_embedding_``: not in files written before it existed)."""
    return ["preprocessor_", "input_settings"] + (["y_mean_", "y_scale_"] if _is_regressor(est) else []), \
        ["numeric_embedding_"]


def encode_tabular(enc, est, fitted):
    settings = est._input_settings
    if set(settings) != set(INPUT_SETTINGS):
        raise TypeError(f"a {type(est).__name__} whose input settings are {sorted(settings)}")
    fitted["preprocessor_"] = encode_step(enc, est.preprocessor_)
    fitted["input_settings"] = {k: enc.setting(settings[k]) for k in INPUT_SETTINGS}
    fitted["numeric_embedding_"] = enc.setting(est.numeric_embedding_)
    if _is_regressor(est):
        for name in ("y_mean_", "y_scale_"):
            fitted[name] = enc.array(np.asarray(getattr(est, name)))


def _settings(dec, est, stored, where, older):
    """The input settings, checked as the estimator checks its parameters (a file written before
    ``n_bins`` existed has none: the estimator's default, which its layers do not use)."""
    stored = mapping(stored, where)
    names = [k for k in INPUT_SETTINGS if not (older and k == "n_bins")]
    if set(stored) != set(names):
        raise ArchiveError(f"{where} does not have exactly the settings {names}")
    settings = {k: dec.setting(stored[k], f"{where}.{k}") for k in names}
    settings.setdefault("n_bins", type(est)().n_bins)
    try:
        type(est)(**settings)._validate_params()
    except (TypeError, ValueError) as exc:
        raise ArchiveError(f"{where}: {exc}") from None
    return settings


def _embedding(dec, fitted, settings, n_numeric, where):
    """``numeric_embedding_``: what the setting resolved to, None without numeric columns; a file written
    before it existed has the setting itself ('periodic' or None then)."""
    setting = settings["numeric_embedding"]
    allowed = (None,) if n_numeric == 0 or setting is None else _EMBEDDINGS[1:] if setting == "auto" else (setting,)
    if "numeric_embedding_" not in fitted:
        embedding = None if n_numeric == 0 else setting
        if setting == "auto":
            raise ArchiveError(f"{where} lacks numeric_embedding_, which numeric_embedding='auto' needs")
        return embedding
    embedding = dec.setting(fitted["numeric_embedding_"], f"{where}.numeric_embedding_")
    if not (isinstance(embedding, (str, type(None))) and embedding in allowed):
        raise ArchiveError(f"{where}.numeric_embedding_ is {embedding!r}; the numeric_embedding setting "
                           f"{setting!r} gives one of {list(allowed)} for {n_numeric} numeric columns")
    return embedding


def _check_preprocessor(ct, settings, where):
    """A fitted ColumnTransformer of the parts the estimator makes, built with ``settings``."""
    if type(ct) is not ColumnTransformer or not hasattr(ct, "transformers_"):
        raise ArchiveError(f"{where} is not a fitted ColumnTransformer")
    names = [name for name, _, _ in ct.transformers]
    if not names or names != [p for p in _PARTS if p in names] or ct.remainder != "drop" or ct.sparse_output_ \
            or ct.transformer_weights is not None:
        raise ArchiveError(f"{where} is not a ColumnTransformer of the parts {list(_PARTS)} (in this order, "
                           "dropping other columns, with a dense output and no weights)")
    fitted = {name: trans for name, trans, _ in ct.transformers_ if name in names}
    problems = []
    if "numeric" in names:
        part = fitted["numeric"]
        steps = [type(s) for _, s in part.steps] if type(part) is Pipeline else []
        if steps != [SimpleImputer, _SCALERS[settings["numeric_scaling"]]] or part.steps[0][1].strategy != "median" \
                or ct.output_indices_["numeric"].start != 0:
            problems.append("its numeric part is not a median SimpleImputer and the scaler numeric_scaling names, "
                            "first")
    if "missing" in names and type(fitted["missing"]) is not MissingIndicator:
        problems.append("its missing part is not a MissingIndicator")
    if "categorical" in names:
        part = fitted["categorical"]
        if type(part) is not OneHotEncoder or part.sparse_output or part.handle_unknown != "infrequent_if_exist" \
                or part.max_categories != settings["max_categories"] \
                or part.min_frequency != settings["min_category_frequency"]:
            problems.append("its categorical part is not a dense OneHotEncoder of the max_categories and "
                            "min_category_frequency settings, grouping unknown categories as infrequent")
    if problems:
        raise ArchiveError(f"{where}: {problems[0]}")


def _expected_layers(settings, n_numeric, width):
    """The input layers (as :func:`describe` gives them) the estimator builds for encoded rows of
    ``width`` columns, the first ``n_numeric`` numeric, and the width they give."""
    layers = []
    if n_numeric and settings["smooth_clip"] is not None:
        layers.append({"layer": "SmoothClip", "n_features": n_numeric, "limit": float(settings["smooth_clip"])})
    if n_numeric and settings["numeric_embedding"] == "periodic":
        layers.append({"layer": "PeriodicEmbedding", "n_features": n_numeric, "n_passthrough": width - n_numeric,
                       "n_frequencies": int(settings["n_frequencies"]),
                       "embedding_size": int(settings["embedding_size"]),
                       "sigma": float(settings["frequency_scale"]), "include_input": True, "activation": "relu"})
    elif n_numeric and settings["numeric_embedding"] == "piecewise_linear":
        layers.append({"layer": "PiecewiseLinearEncoding", "n_features": n_numeric, "n_bins": int(settings["n_bins"]),
                       "n_passthrough": width - n_numeric, "include_input": True})
    if layers and layers[-1]["layer"] != "SmoothClip":
        width = embedding_width(layers[-1]["layer"], layers[-1])
    if settings["scaling_layer"]:
        layers.append({"layer": "Scale", "width": width})
    return layers, width


def _targets(dec, est, fitted, where, n_outputs):
    for name in ("y_mean_", "y_scale_"):
        values = dec.array(fitted[name], f"{where}.{name}", kinds="f", shape=(n_outputs,))
        if values.dtype not in (np.float32, np.float64) or not np.isfinite(values).all():
            raise ArchiveError(f"{where}.{name} is not finite float32 or float64 numbers")
        if name == "y_scale_" and not (values > 0).all():
            raise ArchiveError(f"{where}.y_scale_ holds a scale that is not positive")
        setattr(est, name, values)


def decode_tabular(dec, est, fitted, where, net):
    """Set the tabular estimator ``est``'s preprocessor, input settings (and target scaling) from its
    entry's ``fitted`` values, after checking them against each other, against ``est``'s
    ``n_features_in_`` and ``feature_names_in_`` (set before) and against ``net``'s input layers;
    return the number of columns those layers give the first dense layer."""
    older = "numeric_embedding_" not in fitted  # written before 'auto' and the piecewise-linear encoding
    settings = _settings(dec, est, fitted["input_settings"], f"{where}.input_settings", older)
    at = f"{where}.preprocessor_"
    ct = decode_step(dec, fitted["preprocessor_"], at)
    _check_preprocessor(ct, settings, at)
    names, own = getattr(ct, "feature_names_in_", None), getattr(est, "feature_names_in_", None)
    if ct.n_features_in_ != est.n_features_in_ or (names is None) != (own is None) or (
            names is not None and list(names) != list(own)):
        raise ArchiveError(f"{at} was fitted on other columns ({ct.n_features_in_}) than the estimator's "
                           f"n_features_in_ ({est.n_features_in_}) and feature_names_in_")
    width = output_width(ct)
    numeric = ct.output_indices_["numeric"] if "numeric" in ct.named_transformers_ else slice(0, 0)
    n_numeric = numeric.stop - numeric.start
    embedding = _embedding(dec, fitted, settings, n_numeric, where)
    expected, first = _expected_layers({**settings, "numeric_embedding": embedding}, n_numeric, width)
    found = [describe(layer) for layer in net.input_layers]
    if found != expected:
        raise ArchiveError(f"{where}.network.input_layers are not those input_settings give for the "
                           f"preprocessor's {n_numeric} numeric of {width} columns: expected {expected}, found {found}")
    if _is_regressor(est):
        _targets(dec, est, fitted, where, net.sizes[-1])
    est.preprocessor_, est._input_settings, est.numeric_embedding_ = ct, settings, embedding
    return first
