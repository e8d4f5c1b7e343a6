"""How the tabular estimators read a table: which columns are numbers and which are categories,
and the scikit-learn ``ColumnTransformer`` that encodes them for the network.

Numbers are imputed with their median (a missing-value indicator column is added for each
column that had missing values at ``fit``) and scaled (``numeric_scaling``); categories
(``object``, ``category``, ``bool`` and string columns, or text in an array) are one-hot encoded,
a missing value being a category of its own, the rarest grouped as one "infrequent" category and
categories never seen at ``fit`` encoded as that group (or as no category when none is rare).
The encoded columns come in that order: scaled numbers first (``numeric_width``), then the
indicators and the categories.  pandas is optional: arrays are read by column position.
"""

from numbers import Number

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, QuantileTransformer, RobustScaler, StandardScaler
from sklearn.utils.validation import check_array, validate_data

__all__ = ["NUMERIC_SCALINGS", "is_frame", "check_table", "column_kinds", "make_encoder", "numeric_width"]


def _quantiles(n_samples):
    return QuantileTransformer(output_distribution="normal", n_quantiles=max(2, min(1000, n_samples)),
                               subsample=None, random_state=0)


# name -> function(n_samples) returning the unfitted scaler of the numeric columns
NUMERIC_SCALINGS = {
    "robust": lambda n: RobustScaler(),
    "quantile": _quantiles,
    "standard": lambda n: StandardScaler(),
}


def is_frame(X):
    """Whether ``X`` is a pandas (or pandas-like) DataFrame."""
    return hasattr(X, "columns") and hasattr(X, "dtypes") and hasattr(X, "iloc")


def check_table(est, X, reset, input_name="X"):
    """``X`` checked as a table: a DataFrame as it is, anything else as a 2-d array of any dtype;
    its number of columns and their names recorded at ``fit`` (``reset``) and checked after."""
    if is_frame(X):
        if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
            raise ValueError(f"{input_name} has shape {X.shape}: a table of at least one row and one column "
                             "is needed.")
        complex_columns = [c for c, dtype in X.dtypes.items() if dtype.kind == "c"]
        if complex_columns:
            raise ValueError(f"Complex data not supported: column {complex_columns[0]!r} of {input_name} holds "
                             "complex numbers.")
    else:
        X = check_array(X, accept_sparse=False, dtype=None, ensure_all_finite=False, input_name=input_name,
                        estimator=est)
        if X.dtype.kind == "c":
            raise ValueError(f"Complex data not supported: {input_name} holds complex numbers.")
    validate_data(est, X, reset=reset, skip_check_array=True)
    return X


def _column_is_numeric(values):
    """Whether an object column of an array holds only numbers (and missing values)."""
    return all(isinstance(v, Number) and not isinstance(v, (bool, np.bool_)) or v is None for v in values)


def column_kinds(X):
    """``(numeric, categorical)``: the columns of ``X`` (names of a DataFrame whose column names are
    all strings, else positions) that hold numbers and those that hold categories."""
    if is_frame(X):
        keys = list(X.columns) if all(isinstance(c, str) for c in X.columns) else list(range(X.shape[1]))
        kinds = [dtype.kind for dtype in X.dtypes]
        dated = [k for k, kind in zip(keys, kinds) if kind in "mM"]
        if dated:
            raise ValueError(f"Column {dated[0]!r} holds dates or times, which the network cannot read: turn "
                             "them into numbers first (e.g. the year, the day of the year, days since a date).")
        numeric = [k for k, kind in zip(keys, kinds) if kind in "iuf"]
    else:
        keys = list(range(X.shape[1]))
        if X.dtype.kind == "O":
            numeric = [k for k in keys if _column_is_numeric(X[:, k].tolist())]
        elif X.dtype.kind in "US":
            numeric = []
        else:
            numeric = keys  # numbers (bool columns as 0 and 1)
    return numeric, [k for k in keys if k not in numeric]


def make_encoder(X, numeric_scaling="robust", max_categories=20, min_category_frequency=None):
    """The unfitted ColumnTransformer encoding ``X``'s columns (see the module's docstring)."""
    numeric, categorical = column_kinds(X)
    missing = _has_missing(X, numeric)
    scaler = NUMERIC_SCALINGS[numeric_scaling](X.shape[0])
    parts = []
    if numeric:
        parts.append(("numeric", Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", scaler)]),
                      numeric))
    if missing:
        parts.append(("missing", MissingIndicator(features="missing-only"), missing))
    if categorical:
        parts.append(("categorical", OneHotEncoder(handle_unknown="infrequent_if_exist", sparse_output=False,
                                                   max_categories=max_categories,
                                                   min_frequency=min_category_frequency), categorical))
    return ColumnTransformer(parts, remainder="drop", sparse_threshold=0.0)


def _has_missing(X, columns):
    """The columns among ``columns`` with a missing value."""
    if not columns:
        return []
    if is_frame(X):
        part = X[columns] if isinstance(columns[0], str) else X.iloc[:, columns]
        return [c for c, n in zip(columns, part.isna().sum().to_numpy()) if n]
    values = np.asarray(X[:, columns], dtype=np.float64)
    return [c for c, column in zip(columns, values.T) if np.isnan(column).any()]


def numeric_width(encoder):
    """The number of scaled numeric columns at the start of a fitted encoder's output."""
    if "numeric" not in encoder.named_transformers_:
        return 0
    part = encoder.output_indices_["numeric"]
    return part.stop - part.start
