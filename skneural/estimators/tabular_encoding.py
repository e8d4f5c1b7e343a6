"""How the tabular estimators read a table: which columns are numbers and which are categories,
and the scikit-learn ``ColumnTransformer`` that encodes them for the network.

Numbers are imputed with their median (a missing-value indicator column is added for each
column that had missing values at ``fit``) and scaled (``numeric_scaling``); categories
(``object``, ``category``, ``bool`` and string columns, or text in an array) are one-hot encoded,
a missing value being a category of its own, the rarest grouped as one "infrequent" category and
categories never seen at ``fit`` encoded as that group (or as no category when none is rare).
Before encoding, the table is normalized the same way at ``fit`` and after (:func:`prepare`): object
columns of only numbers are numbers, every missing category value is nan, and a categorical column
mixing text with numbers or bools is read as text.
The encoded columns come in that order: scaled numbers first (``numeric_width``), then the
indicators and the categories.  pandas is optional: arrays are read by column position (an array
given to a model fitted on a DataFrame with string column names, by those names).
"""

import re
import warnings
from numbers import Number

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, QuantileTransformer, RobustScaler, StandardScaler
from sklearn.utils.validation import check_array, validate_data

__all__ = ["NUMERIC_SCALINGS", "is_frame", "check_table", "prepare", "column_kinds", "make_encoder", "numeric_width"]


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
    """``X`` checked as a table: a DataFrame as it is, anything else as a 2-d array of any dtype (a
    list of rows holding text as an object array, so that its columns of numbers stay numbers); its
    number of columns and their names recorded at ``fit`` (``reset``) and checked after.  Returned
    as the table to encode (:func:`prepare`): an array given to a model fitted on a DataFrame with
    string column names (after scikit-learn's warning that it has no feature names) as a DataFrame
    of those columns, and its columns normalized as the encoder reads them."""
    if is_frame(X):
        if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
            raise ValueError(f"{input_name} has shape {X.shape}: a table of at least one row and one column "
                             "is needed.")
        complex_columns = [c for c, dtype in X.dtypes.items() if dtype.kind == "c"]
        if complex_columns:
            raise ValueError(f"Complex data not supported: column {complex_columns[0]!r} of {input_name} holds "
                             "complex numbers.")
    else:
        X = check_array(_rows(X), accept_sparse=False, dtype=None, ensure_all_finite=False, input_name=input_name,
                        estimator=est)
        if X.dtype.kind == "c":
            raise ValueError(f"Complex data not supported: {input_name} holds complex numbers.")
    if input_name == "X":
        validate_data(est, X, reset=reset, skip_check_array=True)
    else:  # scikit-learn's warnings about the feature names speak of X
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            validate_data(est, X, reset=reset, skip_check_array=True)
        for warning in caught:
            message = re.sub(r"^X (?=has feature names|does not have valid feature names)", f"{input_name} ",
                             str(warning.message))
            warnings.warn(message, warning.category, stacklevel=3)
    return prepare(X, est, reset)


def _rows(X):
    """A list or tuple of rows holding text as an object array (numpy would make every value text)."""
    if isinstance(X, (list, tuple)):
        try:
            array = np.asarray(X)
        except (ValueError, TypeError):
            return X  # ragged: check_array says why
        if array.dtype.kind in "US":
            return np.asarray(X, dtype=object)
        return array
    return X


def prepare(X, est=None, reset=True):
    """The table ``X`` (checked by :func:`check_table`) as the encoder reads it, the same at ``fit``
    and after: an array given to a model fitted on a DataFrame with string column names as a
    DataFrame of those columns (``feature_names_in_``); the columns of numbers (extension dtypes such
    as ``Int64`` and ``Float64``, and object columns holding only numbers) as float64 with nan where
    a value is missing; the categorical columns as object columns whose missing values (None, nan,
    ``pd.NA``, ``NaT``) are all nan and, where they mix text with numbers or bools, whose values are
    all text.  At ``fit`` (``reset``) the columns' kinds are read from ``X``, after it from the
    fitted ``preprocessor_``.  Only the columns that need it are copied; ``X`` is never changed."""
    fitted = None if reset or est is None else _fitted_kinds(est)
    names = None if reset or est is None else getattr(est, "feature_names_in_", None)
    if names is not None and not is_frame(X) and X.ndim == 2 and X.shape[1] == len(names):
        import pandas as pd  # only here: a model fitted on a DataFrame has pandas at hand

        X = pd.DataFrame(X, columns=list(names), copy=False)
    if is_frame(X):
        return _prepare_frame(X, fitted)
    if X.dtype.kind != "O":
        return X  # numbers (or text) throughout
    return _prepare_array(X, fitted)


def _fitted_kinds(est):
    """``{column: None (numeric) or the fitted categories}`` of ``est``'s fitted preprocessor, or None."""
    ct = getattr(est, "preprocessor_", None)
    if ct is None or not hasattr(ct, "transformers_"):
        return None
    kinds = {}
    for name, transformer, columns in ct.transformers_:
        if name == "numeric":
            kinds.update((c, None) for c in columns)
        elif name == "categorical":
            kinds.update(zip(columns, transformer.categories_))
    return kinds


def _prepare_frame(X, fitted):
    keys = list(X.columns) if all(isinstance(c, str) for c in X.columns) else list(range(X.shape[1]))
    changes = {}
    for i, (key, dtype) in enumerate(zip(keys, X.dtypes)):
        if fitted is not None and key not in fitted:
            continue  # a column the encoder drops
        categories = fitted.get(key) if fitted is not None else None
        numeric = None if fitted is None else categories is None
        new = _frame_column(X.iloc[:, i], dtype, numeric, categories)
        if new is not None:
            changes[i] = new
    if not changes:
        return X
    import pandas as pd

    X = X.copy(deep=False)  # the other columns shared, not copied
    for i, values in changes.items():  # as a Series of its dtype: pandas would read text as its "str" dtype
        X.isetitem(i, pd.Series(values, index=X.index, dtype=values.dtype, copy=False))
    return X


def _frame_column(column, dtype, numeric, categories):
    """The new values of a DataFrame column, or None when it is read as it is.  ``numeric``: whether
    the fitted encoder reads it as numbers (None at fit: from its values)."""
    if dtype.kind in "mM":
        return None  # dates and times: column_kinds refuses them at fit
    if isinstance(dtype, np.dtype):
        if dtype.kind != "O":
            return None
        return _object_column(column.to_numpy(), numeric, categories)
    if dtype.kind in "iuf" or numeric:  # Int64, Float64 and other extension dtypes of numbers
        return column.to_numpy(dtype=np.float64, na_value=np.nan)
    if getattr(dtype, "name", None) == "category":
        kinds = _scan(np.asarray(dtype.categories.to_numpy(), dtype=object))[0]
        if len(kinds) < 2 and (categories is None or not _text(categories) or kinds <= {"str"}):
            return None  # its categories are read as they are (missing values as nan)
        return _object_column(column.to_numpy(dtype=object, na_value=np.nan), False, categories)
    # boolean, string and other extension dtypes: an object column, missing values as nan
    if dtype.kind != "b" and isinstance(getattr(dtype, "na_value", None), float) and not _none_category(categories):
        return None  # pandas' "str" dtype: text and nan already
    return _object_column(column.to_numpy(dtype=object, na_value=np.nan), False, categories, force=True)


def _prepare_array(X, fitted):
    out = None
    for j in range(X.shape[1]):
        if fitted is not None and j not in fitted:
            continue
        categories = fitted.get(j) if fitted is not None else None
        numeric = None if fitted is None else categories is None
        new = _object_column(X[:, j], numeric, categories, as_float=False)
        if new is not None:
            if out is None:
                out = X.copy()
            out[:, j] = new
    return X if out is None else out


def _object_column(values, numeric, categories, force=False, as_float=True):
    """The new values of an object column, or None when it is read as it is (see :func:`prepare`)."""
    kinds, odd, missing = _scan(values)
    if numeric is None:
        numeric = kinds <= {"number"}
    if numeric:  # numbers: float64 (in an object array: the numbers, and nan where missing)
        if not as_float:
            if not odd:
                return None
            values = values.copy()
            values[missing] = np.nan
            return values
        if missing.any():
            values = values.copy()
            values[missing] = np.nan
        return values.astype(np.float64)
    mixed = len(kinds) > 1 or bool(categories is not None and kinds - {"str"} and _text(categories))
    token = None if _none_category(categories) else np.nan
    if not (force or mixed or odd or (token is None and missing.any())):
        return None
    values = np.array(values, dtype=object)  # a copy
    if mixed:
        present = ~missing
        values[present] = np.array([str(v) for v in values[present].tolist()] + [None], dtype=object)[:-1]
    values[missing] = token
    return values


def _none_category(categories):
    """Whether fitted categories hold None (a model fitted before missing values were all nan)."""
    return categories is not None and any(v is None for v in categories.tolist())


def _text(categories):
    """Whether fitted categories (missing values aside) are text."""
    return _scan(np.asarray(categories, dtype=object))[0] == {"str"}


# pandas' inferred type of an object column -> the kinds of its values (when it says them exactly)
_FAST_KINDS = {"string": {"str"}, "boolean": {"bool"}, "integer": {"number"}, "floating": {"number"},
               "mixed-integer-float": {"number"}, "empty": set()}


def _is_missing(v):
    if v is None:
        return True
    if isinstance(v, (float, np.floating)):
        return v != v
    if isinstance(v, (np.datetime64, np.timedelta64)):
        return bool(np.isnat(v))
    return type(v).__name__ in ("NAType", "NaTType")


def _kind(v):
    if isinstance(v, str):
        return "str"
    if isinstance(v, (bool, np.bool_)):
        return "bool"
    return "number" if isinstance(v, Number) else "other"


def _scan(values):
    """``(kinds, odd, missing)`` of an object array: the kinds of its values that are not missing
    ("str", "bool", "number", "other"), whether a missing value is not a float nan (None, ``pd.NA``,
    ``NaT``), and where the values are missing."""
    try:
        import pandas as pd
    except ImportError:
        pd = None
    if pd is not None:
        kinds = _FAST_KINDS.get(pd.api.types.infer_dtype(values, skipna=True))
        if kinds is not None:  # found by pandas in C (missing values skipped, but NaT)
            missing = np.asarray(pd.isna(values), dtype=bool)
            odd = any(not isinstance(v, float) for v in values[missing].tolist())
            return set(kinds), odd, missing
    listed = values.tolist()
    missing = np.fromiter((_is_missing(v) for v in listed), dtype=bool, count=len(listed))
    odd = any(not isinstance(v, float) for v, m in zip(listed, missing) if m)
    kinds = {_kind(v) for v, m in zip(listed, missing) if not m}
    return kinds, odd, missing


def _column_is_numeric(values):
    """Whether an object column holds only numbers (and missing values: None, nan, ``pd.NA``, ``NaT``)."""
    return _scan(np.asarray(values, dtype=object))[0] <= {"number"}


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
        numeric = [k for i, (k, kind) in enumerate(zip(keys, kinds))
                   if kind in "iuf" or X.dtypes.iloc[i] == object and _column_is_numeric(X.iloc[:, i].to_numpy())]
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
