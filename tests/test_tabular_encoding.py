"""How the tabular estimators read tables they used to refuse: an array given to a model fitted on a
DataFrame, missing values of any kind (None, nan, ``pd.NA``, ``NaT``) and mixed text and numbers in
categorical columns, nullable dtypes, object columns of numbers and lists of rows."""

import builtins
import warnings

import numpy as np
import pytest

import skneural
from skneural import TabularMLPClassifier
from skneural.estimators import tabular_encoding
from skneural.estimators.tabular_encoding import column_kinds, prepare

pd = pytest.importorskip("pandas")

N = 40


def model():
    return TabularMLPClassifier(hidden_layer_sizes=(8,), max_iter=3, random_state=0)


def target(n=N):
    return np.array(["no", "yes"] * (n // 2))


def quiet_predict(est, X):
    """``est.predict(X)``, failing on any warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return est.predict(X), est.predict_proba(X)


def parts(est):
    """``{part: columns}`` of a fitted model's preprocessor."""
    return {name: list(columns) for name, _, columns in est.preprocessor_.transformers_ if name != "remainder"}


def mixed_table(n=N, seed=0):
    rng = np.random.RandomState(seed)
    return pd.DataFrame({
        "x": rng.normal(size=n),
        "x_missing": np.where(np.arange(n) % 5 == 0, np.nan, rng.normal(size=n)),
        "colour": pd.Series(rng.choice(["red", "green", "blue"], n), dtype=object),
        "size": pd.Categorical(rng.choice(["S", "M", "L"], n), categories=["S", "M", "L"]),
        "flag": np.arange(n) % 3 == 0,
        "count": rng.poisson(3, n),
    })


def assert_array_predicts_as_frame(est, X):
    """The model predicts ``X.to_numpy()`` as ``X``, after scikit-learn's warning about feature names."""
    expected, expected_proba = quiet_predict(est, X)
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        got = est.predict(X.to_numpy())
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        got_proba = est.predict_proba(X.to_numpy())
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(got_proba, expected_proba)


# -- 1. an array given to a model fitted on a DataFrame -------------------------------------------

def test_an_array_is_read_by_the_column_names_of_the_fitted_frame():
    X = mixed_table()
    est = model().fit(X, target())
    assert_array_predicts_as_frame(est, X)
    # X_val as an array too, with the warning naming X_val
    with pytest.warns(UserWarning, match="X_val does not have valid feature names"):
        model().fit(X, target(), X_val=X.to_numpy(), y_val=target())


def test_an_array_of_the_wrong_width_is_still_refused():
    X = mixed_table()
    est = model().fit(X, target())
    with pytest.raises(ValueError, match="features"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.predict(X.to_numpy()[:, :-1])


def test_a_model_fitted_on_an_array_reads_arrays_without_pandas(monkeypatch):
    X = np.array([[0.5, "a"], [1.5, None], [np.nan, "b"], [2.0, "a"]] * 10, dtype=object)
    est = model().fit(X, target())
    expected = est.predict(X)
    real_import = builtins.__import__

    def no_pandas(name, globals=None, *args, **kwargs):  # import pandas fails in tabular_encoding
        if name == "pandas" and (globals or {}).get("__name__") == tabular_encoding.__name__:
            raise ImportError("no pandas")
        return real_import(name, globals, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pandas)
    with pytest.raises(ImportError):
        exec("import pandas", {"__name__": tabular_encoding.__name__})
    np.testing.assert_array_equal(quiet_predict(est, X)[0], expected)
    np.testing.assert_array_equal(model().fit(X, target()).predict(X), expected)


def test_a_frame_given_to_a_model_fitted_on_an_array_is_read_by_position():
    X = np.array([[0.5, "a"], [1.5, None], [np.nan, "b"], [2.0, "a"]] * 10, dtype=object)
    est = model().fit(X, target())
    np.testing.assert_array_equal(quiet_predict(est, pd.DataFrame(X))[0], est.predict(X))


# -- 2. missing values of every kind and mixed categorical columns ---------------------------------

def na_strings(n=N, dtype="string"):
    return pd.Series(["x", "y", pd.NA, "x"] * (n // 4), dtype=dtype)


@pytest.mark.parametrize("column", [
    pytest.param(lambda: na_strings(dtype="string"), id="string-pd.NA"),
    pytest.param(lambda: na_strings(dtype=object), id="object-pd.NA"),
    pytest.param(lambda: pd.Series(["x", 1, None, "x", 2.5, True, np.nan, pd.NaT] * (N // 8), dtype=object),
                 id="object-text-numbers-bools-missing"),
    pytest.param(lambda: pd.Series(["x", None, np.nan, pd.NA] * (N // 4), dtype=object), id="object-every-missing"),
])
def test_categorical_columns_with_any_missing_value_or_mixed_values(column):
    X = pd.DataFrame({"a": np.arange(N, dtype=float), "c": column()})
    original = X.copy()
    est = model().fit(X, target())
    assert parts(est) == {"numeric": ["a"], "categorical": ["c"]}
    categories = est.preprocessor_.named_transformers_["categorical"].categories_[0].tolist()
    missing = [v for v in categories if not isinstance(v, str)]
    assert len(missing) == 1 and np.isnan(missing[0])  # one missing category, nan; the others text
    quiet_predict(est, X)
    assert_array_predicts_as_frame(est, X)
    pd.testing.assert_frame_equal(X, original)  # the caller's table is never changed


def test_an_unseen_number_in_a_text_column_is_an_unknown_category():
    X = pd.DataFrame({"a": np.arange(N, dtype=float), "c": na_strings(dtype=object)})
    est = model().fit(X, target())
    new = pd.DataFrame({"a": [1.0, 2.0], "c": pd.Series([1, pd.NA], dtype=object)})
    assert quiet_predict(est, new)[0].shape == (2,)


def test_nullable_numbers_are_numbers_and_nullable_bools_categories():
    X = pd.DataFrame({
        "i": pd.array([1, 2, None, 4] * (N // 4), dtype="Int64"),
        "f": pd.array([1.5, None, 2.0, 3.0] * (N // 4), dtype="Float64"),
        "b": pd.array([True, False, None, True] * (N // 4), dtype="boolean"),
    })
    est = model().fit(X, target())
    assert parts(est) == {"numeric": ["i", "f"], "missing": ["i", "f"], "categorical": ["b"]}
    prepared = prepare(X, est, reset=False)
    assert prepared["i"].dtype == np.float64 and prepared["f"].dtype == np.float64
    assert np.isnan(prepared["i"].iloc[2]) and np.isnan(prepared["f"].iloc[1])
    quiet_predict(est, X)
    assert_array_predicts_as_frame(est, X)


def test_a_table_needing_nothing_is_not_copied_and_only_the_columns_needing_it_are():
    X = mixed_table()
    est = model().fit(X, target())
    assert prepare(X, est, reset=False) is X
    X["s"] = na_strings()
    prepared = prepare(X, None, reset=True)
    assert np.shares_memory(prepared["x"].to_numpy(), X["x"].to_numpy())
    assert prepared["s"].dtype == object and X["s"].dtype == "string"


def test_a_model_reading_pd_na_strings_predicts_the_same_after_save_and_load(tmp_path):
    X = mixed_table()
    X["s"] = na_strings()
    X["o"] = pd.Series(["u", 1, None, pd.NA] * (N // 4), dtype=object)
    est = model().fit(X, target())
    skneural.save(est, tmp_path / "model.skn")
    loaded = skneural.load(tmp_path / "model.skn")
    for table in (X, X.iloc[:7]):
        np.testing.assert_array_equal(quiet_predict(loaded, table)[1], quiet_predict(est, table)[1])


# -- 3. object columns of numbers, and lists of rows ----------------------------------------------

def test_object_frame_columns_of_numbers_are_numbers_as_in_an_array():
    values = np.array([[0.5, 1, "a"], [1.5, None, "b"], [np.nan, 3, "a"], [2.0, pd.NA, None]] * (N // 4),
                      dtype=object)
    frame = pd.DataFrame(values, columns=["x", "n", "c"])
    from_frame, from_array = model().fit(frame, target()), model().fit(values, target())
    assert parts(from_frame) == {"numeric": ["x", "n"], "missing": ["x", "n"], "categorical": ["c"]}
    assert parts(from_array) == {"numeric": [0, 1], "missing": [0, 1], "categorical": [2]}
    assert column_kinds(frame) == (["x", "n"], ["c"])
    assert prepare(frame)["x"].dtype == np.float64
    np.testing.assert_array_equal(quiet_predict(from_frame, frame)[1], quiet_predict(from_array, values)[1])
    assert_array_predicts_as_frame(from_frame, frame)


def test_a_list_of_rows_keeps_its_columns_of_numbers_numbers():
    rows = [[0.5, "a"], [1.5, "b"], [2.5, "a"], [-1.0, "c"]] * (N // 4)
    est = model().fit(rows, target())
    assert parts(est) == {"numeric": [0], "categorical": [1]}
    as_array = np.asarray(rows, dtype=object)
    np.testing.assert_array_equal(quiet_predict(est, rows)[1], quiet_predict(est, as_array)[1])
    np.testing.assert_array_equal(quiet_predict(est, tuple(rows))[1], quiet_predict(est, as_array)[1])
    # the same encoding as the DataFrame of those rows
    frame_est = model().fit(pd.DataFrame(as_array), target())
    np.testing.assert_array_equal(frame_est.predict_proba(pd.DataFrame(as_array)), est.predict_proba(rows))


# -- 4. an all-missing numeric column --------------------------------------------------------------

def test_an_all_missing_numeric_column_is_read_and_saved(tmp_path):
    # keep_empty_features=True would silence SimpleImputer's warning, but model files refuse it
    # (skneural.persistence.imputers): the column is dropped by the imputer, with its warning
    X = pd.DataFrame({"empty": [np.nan] * N, "x": np.arange(N, dtype=float), "c": ["a", "b"] * (N // 2)})
    with pytest.warns(UserWarning, match="Skipping features without any observed values"):
        est = model().fit(X, target())
    with pytest.warns(UserWarning, match="Skipping features without any observed values"):
        expected = est.predict_proba(X)
    skneural.save(est, tmp_path / "model.skn")
    with pytest.warns(UserWarning, match="Skipping features without any observed values"):
        np.testing.assert_array_equal(skneural.load(tmp_path / "model.skn").predict_proba(X), expected)
