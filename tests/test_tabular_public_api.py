"""Tabular steps in model files through scikit-learn's public API: the dtype a SimpleImputer was
fitted on, the columns of a ColumnTransformer's transformers, PowerTransformer(standardize=True),
TransformedTargetRegressors of any target transformer with an inverse, and make_column_selector
patterns that cannot backtrack for ever.  Each compares with scikit-learn in the same test; the few
private attributes scikit-learn gives no public access to are read in one function each, tested here
to be what scikit-learn uses."""

import re
import time
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor, make_column_selector
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import (MaxAbsScaler, MinMaxScaler, Normalizer, OneHotEncoder, PowerTransformer,
                                   QuantileTransformer, RobustScaler, StandardScaler)

from skneural import NumpyMLPRegressor, load, save
from skneural.persistence.columns import input_indices, output_config
from skneural.persistence.imputers import fitted_dtype
from skneural.persistence.models import training_dim
from skneural.persistence.quantiles import standardizer
from skneural.persistence.selectors import pattern_problem
from model_file_edits import read_model_file as read_file, write_model_file as write_file

SMALL = dict(hidden_layer_sizes=(5,), max_iter=10, random_state=0)


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def round_trip(model, tmp_path):
    path = tmp_path / "model.skn"
    save(model, path)
    return load(path)


def same(a, b):
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype and a.shape == b.shape
    np.testing.assert_array_equal(a, b)


def table(n=60, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.lognormal(0, 1, (n, 3))
    X[rng.rand(n, 3) < .15] = np.nan
    X[:, 2] = np.nan if seed == 0 else X[:, 2]  # a column without values in fit
    return X


# -- SimpleImputer: the dtype it was fitted on, from what it does ----------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32, object])
@pytest.mark.parametrize("strategy, fill_value", [("mean", None), ("median", None), ("most_frequent", None),
                                                  ("constant", None), ("constant", 0.1)])
def test_an_imputer_round_trips_for_the_dtype_it_was_fitted_on(dtype, strategy, fill_value, tmp_path):
    X, later = table().astype(dtype), table(30, seed=1).astype(dtype)
    if dtype is object and fill_value is None and strategy == "constant":
        fill_value = -1.0  # not "missing_value", which no network takes
    imputer = SimpleImputer(strategy=strategy, fill_value=fill_value, add_indicator=True)
    model = Pipeline([("impute", imputer), ("mlp", NumpyMLPRegressor(**SMALL))]).fit(X, np.arange(len(X)))
    if dtype is np.float32 and strategy == "mean":  # a float64 mean no float32 rows have
        with pytest.raises(TypeError, match=r"SimpleImputer\(strategy='mean'\) fitted on float32 data"):
            save(model, tmp_path / "model.skn")
        return
    again = round_trip(model, tmp_path)
    for data in (X, later, later.astype(np.float64), later.astype(np.float32)):
        same(again[0].transform(data), model[0].transform(data))
    same(again.predict(later), model.predict(later))
    found = fitted_dtype(imputer)
    fitted_on = np.dtype(imputer.fit(X).statistics_.dtype if strategy in ("mean", "median") else dtype).name
    if dtype is object:  # mean and median convert object data to float64; the others keep it
        assert found == ("float64" if strategy in ("mean", "median") else "object")
    elif dtype is np.float32 and (strategy == "median" or fill_value == 0.1):  # float32 shows (0.1 is not one)
        assert found == "float32" == fitted_on
    else:  # float64, or float32 values float64 holds exactly: imputed alike either way
        assert found == "float64"


# -- ColumnTransformer: the columns of each transformer, from transformers_ ------------------------


def frame(n=40):
    rng = np.random.RandomState(0)
    return pd.DataFrame({"num_a": rng.rand(n), "num_b": rng.rand(n), "city": rng.choice(["x", "y"], n),
                         "price": rng.rand(n), "cost": rng.rand(n), "x_cat": rng.choice(["p", "q"], n)})


_CTS = {
    "names": lambda: ColumnTransformer([("a", StandardScaler(), ["num_a", "price"]), ("b", "passthrough", ["cost"])],
                                       remainder="passthrough"),
    "positions": lambda: ColumnTransformer([("a", StandardScaler(), [0, 4]), ("b", MinMaxScaler(), [-3]),
                                            ("c", "drop", [])], remainder="passthrough"),
    "selectors": lambda: ColumnTransformer([("a", StandardScaler(), make_column_selector(pattern="^num_")),
                                            ("b", OneHotEncoder(), make_column_selector(dtype_include=object)),
                                            ("none", MinMaxScaler(), make_column_selector(pattern="nothing"))],
                                           remainder="passthrough"),
}


@pytest.mark.parametrize("name", _CTS)
def test_the_columns_each_transformer_is_given_are_found_from_public_attributes(name, tmp_path):
    df = frame()
    ct = _CTS[name]().fit(df)
    out = set(ct.get_feature_names_out())
    seen = []
    for step, trans, columns in ct.transformers_:
        found = input_indices(columns, ct.feature_names_in_, ct.n_features_in_)
        seen += found
        names = ct.feature_names_in_[found].tolist()
        if hasattr(trans, "feature_names_in_"):  # what the fitted transformer was given, by scikit-learn
            assert trans.feature_names_in_.tolist() == names
        if trans == "passthrough":
            assert {f"{step}__{c}" for c in names} <= out
    assert sorted(seen) == sorted(set(seen))
    if ct.remainder == "passthrough":  # every column is some transformer's
        assert sorted(seen) == list(range(ct.n_features_in_)) or name == "positions"
    if name == "names":  # a single name too
        assert input_indices("cost", ct.feature_names_in_, ct.n_features_in_) == [4]
    prep = _CTS[name]().set_params(remainder="drop")  # no strings for the network
    model = Pipeline([("prep", prep), ("mlp", NumpyMLPRegressor(**SMALL))]).fit(df, df["cost"])
    again = round_trip(model, tmp_path)
    same(again[0].transform(df), model[0].transform(df))
    assert [(n, c) for n, _, c in again[0].transformers_] == [(n, c) for n, _, c in model[0].transformers_]


# -- set_output: read in one function, kept ----------------------------------------------------------


def test_output_config_reads_what_set_output_sets_and_scikit_learn_uses():
    X = frame()[["num_a", "price"]]
    scaler = StandardScaler().fit(X)
    assert output_config(scaler) == {} and isinstance(scaler.transform(X), np.ndarray)
    scaler.set_output(transform="pandas")
    assert output_config(scaler) == {"transform": "pandas"} and isinstance(scaler.transform(X), pd.DataFrame)
    scaler.set_output(transform="default")
    assert output_config(scaler) == {"transform": "default"} and isinstance(scaler.transform(X), np.ndarray)


@pytest.mark.parametrize("how", ["pandas", "default"])
def test_steps_configured_with_set_output_keep_it(how, tmp_path):
    df = frame()
    for prep in (ColumnTransformer([("a", StandardScaler(), ["num_a"])]).set_output(transform=how),
                 Pipeline([("s", SimpleImputer().set_output(transform=how)), ("t", StandardScaler())])):
        model = Pipeline([("prep", prep), ("mlp", NumpyMLPRegressor(**SMALL))]).fit(df[["num_a", "price"]], df["cost"])
        again = round_trip(model, tmp_path)
        for a, b in zip(model[0].steps if isinstance(prep, Pipeline) else [("", prep)],
                        again[0].steps if isinstance(prep, Pipeline) else [("", again[0])]):
            assert output_config(b[1]) == output_config(a[1])
        X = df[["num_a", "price"]]
        out, back = model[0].transform(X), again[0].transform(X)
        assert type(out) is type(back)
        same(back, out)
        same(again.predict(X), model.predict(X))


def test_a_step_whose_set_output_differs_from_its_container_is_refused(tmp_path):
    df = frame()
    prep = ColumnTransformer([("a", StandardScaler(), ["num_a"])]).set_output(transform="pandas")
    model = Pipeline([("prep", prep), ("mlp", NumpyMLPRegressor(**SMALL))]).fit(df[["num_a", "price"]], df["cost"])
    model[0].transformers_[0][1].set_output(transform="default")
    with pytest.raises(TypeError, match="whose steps have another set_output.*pickle or joblib"):
        save(model, tmp_path / "model.skn")


# -- PowerTransformer(standardize=True) -------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("method", ["yeo-johnson", "box-cox"])
def test_a_standardizing_power_transformer_round_trips_bit_for_bit(method, dtype, tmp_path):
    rng = np.random.RandomState(0)
    X, later = rng.lognormal(0, 1, (80, 3)).astype(dtype), rng.lognormal(0, 1.5, (40, 3)).astype(dtype)
    model = Pipeline([("power", PowerTransformer(method=method)), ("mlp", NumpyMLPRegressor(**SMALL))]) \
        .fit(X, X.sum(axis=1))
    again = round_trip(model, tmp_path)
    assert again[0].get_params() == model[0].get_params()
    for data in (X, later):
        same(again[0].transform(data), model[0].transform(data))
        same(again[0].inverse_transform(model[0].transform(data)), model[0].inverse_transform(model[0].transform(data)))
    same(again.predict(later), model.predict(later))
    same(again[0].lambdas_, model[0].lambdas_)


def test_standardizer_is_the_scaler_scikit_learn_standardizes_with():
    rng = np.random.RandomState(0)
    X, later = rng.lognormal(0, 1, (50, 2)), rng.lognormal(0, 1, (20, 2))
    power = PowerTransformer().fit(X)
    scaler = standardizer(power)
    assert type(scaler) is StandardScaler and scaler.n_features_in_ == 2
    unstandardized = PowerTransformer(standardize=False)
    unstandardized.lambdas_, unstandardized.n_features_in_ = power.lambdas_, 2
    same(power.transform(later), scaler.transform(unstandardized.transform(later)))
    other = StandardScaler(copy=False).fit(later)  # and the one it is given is the one it uses
    standardizer(power, other)
    same(power.transform(later), other.transform(unstandardized.transform(later)))
    same(power.inverse_transform(later), unstandardized.inverse_transform(other.inverse_transform(later)))


def _power_file(tmp_path):
    X = np.random.RandomState(0).lognormal(0, 1, (40, 2))
    model = Pipeline([("power", PowerTransformer()), ("mlp", NumpyMLPRegressor(**SMALL))]).fit(X, X[:, 0])
    save(model, tmp_path / "model.skn")
    document, arrays = read_file(tmp_path / "model.skn")
    return document, arrays, document["model"]["pipeline"][0][1]["fitted"]


@pytest.mark.parametrize("edit, match", [
    (lambda fitted, arrays: fitted["scaler"]["params"].update(copy=True), r"fitted.scaler is not a StandardScaler"),
    (lambda fitted, arrays: fitted["scaler"]["params"].update(with_mean=False), r"fitted.scaler"),
    (lambda fitted, arrays: fitted.pop("scaler"), r"arrays it never uses"),
    (lambda fitted, arrays: fitted["scaler"].update(transformer="MinMaxScaler"), r"scaler"),
    (lambda fitted, arrays: arrays.update({fitted["lambdas_"]["array"]: np.array([1.0, 200.0])}), r"within \+-100"),
    (lambda fitted, arrays: arrays.update({fitted["lambdas_"]["array"]: np.array([1.0, 2.0], np.float16)}),
     r"lambdas_ are not float32 or float64"),
])
def test_mutated_power_transformers_are_refused(edit, match, tmp_path):
    document, arrays, fitted = _power_file(tmp_path)
    edit(fitted, arrays)
    write_file(tmp_path / "model.skn", document, arrays)
    with pytest.raises(ValueError, match=match):
        load(tmp_path / "model.skn")


@pytest.mark.parametrize("standardize", [True, False])
def test_the_scaler_is_there_exactly_when_standardize_is_true(standardize, tmp_path):
    X = np.random.RandomState(0).lognormal(0, 1, (40, 2))
    model = Pipeline([("power", PowerTransformer(standardize=standardize)), ("mlp", NumpyMLPRegressor(**SMALL))])
    save(model.fit(X, X[:, 0]), tmp_path / "model.skn")
    document, arrays = read_file(tmp_path / "model.skn")
    document["model"]["pipeline"][0][1]["params"]["standardize"] = not standardize
    write_file(tmp_path / "model.skn", document, arrays)
    with pytest.raises(ValueError, match=r"fitted.*scaler" if standardize else r"lacks \['scaler'\]"):
        load(tmp_path / "model.skn")


# -- TransformedTargetRegressor ---------------------------------------------------------------------


_TARGETS = {
    "standard": StandardScaler, "minmax": MinMaxScaler, "maxabs": MaxAbsScaler, "robust": RobustScaler,
    "quantile": lambda: QuantileTransformer(n_quantiles=30, output_distribution="normal"),
    "yeo-johnson": PowerTransformer, "box-cox": lambda: PowerTransformer(method="box-cox"),
    "pipeline": lambda: Pipeline([("scale", MinMaxScaler()), ("power", PowerTransformer())]),
}


@pytest.mark.parametrize("outputs", [None, 1, 2])
@pytest.mark.parametrize("name", _TARGETS)
def test_a_transformed_target_of_any_invertible_transformer_round_trips(name, outputs, tmp_path):
    rng = np.random.RandomState(0)
    X = rng.rand(60, 3)
    y = 3 + (X @ rng.rand(3, outputs or 1) if outputs else X @ rng.rand(3))  # positive, for box-cox
    model = TransformedTargetRegressor(Pipeline([("scale", StandardScaler()), ("mlp", NumpyMLPRegressor(**SMALL))]),
                                       transformer=_TARGETS[name]()).fit(X, y)
    again = round_trip(model, tmp_path)
    same(again.predict(X), model.predict(X))
    assert again.predict(X).shape == y.shape
    assert training_dim(again) == training_dim(model) == y.ndim
    assert type(again.transformer_) is type(model.transformer_)
    same(again.transformer_.transform(y.reshape(len(y), -1)), model.transformer_.transform(y.reshape(len(y), -1)))


def test_a_skewed_target_through_a_power_transformer_round_trips(tmp_path):
    rng = np.random.RandomState(0)
    X = rng.rand(60, 3)
    y = np.exp(X @ rng.rand(3))  # a negative lambda: the inverse is undefined beyond -1/lambda (nan there)
    model = TransformedTargetRegressor(Pipeline([("scale", StandardScaler()), ("mlp", NumpyMLPRegressor(**SMALL))]),
                                       transformer=PowerTransformer()).fit(X, y)
    assert model.transformer_.lambdas_[0] < 0
    save(model, tmp_path / "model.skn")
    again = load(tmp_path / "model.skn")
    same(again.predict(X), model.predict(X))
    assert np.isfinite(again.predict(X)).all()


def test_training_dim_is_what_scikit_learn_shapes_predictions_by():
    rng = np.random.RandomState(0)
    X, y = rng.rand(30, 2), rng.rand(30)
    model = TransformedTargetRegressor(NumpyMLPRegressor(**SMALL), transformer=StandardScaler()).fit(X, y)
    assert training_dim(model) == 1 and model.predict(X).shape == (30,)
    training_dim(model, 2)
    assert training_dim(model) == 2 and model.predict(X).shape == (30, 1)


@pytest.mark.parametrize("settings, match", [
    (dict(func=np.log, inverse_func=np.exp), "func or inverse_func"),
    (dict(transformer=Normalizer()), "transformer is a Normalizer"),
    (dict(transformer=SimpleImputer()), "transformer is a SimpleImputer"),
    (dict(transformer=Pipeline([("scale", StandardScaler()), ("onehot", OneHotEncoder())])),
     "transformer is a Pipeline"),
])
def test_target_transformers_without_a_kept_inverse_are_refused(settings, match, tmp_path):
    model = TransformedTargetRegressor(NumpyMLPRegressor(**SMALL), check_inverse=False, **settings)
    with pytest.raises(TypeError, match=match):
        save(model, tmp_path / "model.skn")
    if "func" in settings:  # fitted too
        X = np.random.RandomState(0).rand(30, 2)
        with pytest.raises(TypeError, match=match):
            save(model.fit(X, X[:, 0] + 1), tmp_path / "model.skn")
    assert not (tmp_path / "model.skn").exists()


def test_a_file_whose_target_transformer_has_no_inverse_is_refused(tmp_path):
    rng = np.random.RandomState(0)
    X = rng.rand(30, 2)
    model = TransformedTargetRegressor(NumpyMLPRegressor(**SMALL), transformer=MinMaxScaler()).fit(X, X[:, 0])
    save(model, tmp_path / "model.skn")
    document, arrays = read_file(tmp_path / "model.skn")
    document["model"]["transformer"] = {"transformer": "Normalizer", "params": {"norm": "l2"}}
    write_file(tmp_path / "model.skn", document, arrays)
    with pytest.raises(ValueError, match=r"model.transformer is not one of StandardScaler"):
        load(tmp_path / "model.skn")


# -- make_column_selector patterns ------------------------------------------------------------------


@pytest.mark.parametrize("pattern", ["^num_", "cat$", "price|cost", r"^(num|x)_\w+$", r"[._-]?[ab]{1,3}", "(?:co)+st"])
def test_typical_patterns_are_accepted_and_round_trip(pattern, tmp_path):
    assert pattern_problem(pattern) is None
    df = frame()
    selector = make_column_selector(pattern=pattern, dtype_include=np.number)
    model = Pipeline([("prep", ColumnTransformer([("num", StandardScaler(), selector)], remainder="passthrough")),
                      ("mlp", NumpyMLPRegressor(**SMALL))]).fit(df.drop(columns=["city", "x_cat"]), df["cost"])
    again = round_trip(model, tmp_path)
    loaded = again[0].transformers[0][2]
    assert type(loaded) is make_column_selector and loaded.pattern == pattern
    assert loaded(df) == selector(df)  # selects as the original does
    X = df.drop(columns=["city", "x_cat"])
    same(again[0].transform(X), model[0].transform(X))
    same(again.predict(X), model.predict(X))


_HOSTILE = {"(a+)+$": "a group holding a quantifier", "(a|aa)*b": "a group holding a quantifier or an alternation",
            r"(\w+\s?)*$": "a group holding a quantifier", r"(a)\1": r"the escape \\1", "(?=a)a": "lookarounds",
            "(?<!a)b": "lookarounds", "(?P<n>a)": "named groups", "(?i)a": "flags", "a**": "after a quantifier",
            ".*.*.*.*x": "at most 1,000,000", "(a|a)" * 20 + "b": "at most 1,000,000", "a{1,99999}": "count",
            "[a": "without its ]", "(a": "without its \\)", "a" * 201: "at most 200 characters"}


@pytest.mark.parametrize("pattern", _HOSTILE)
def test_patterns_that_can_backtrack_for_long_are_refused_by_save_and_load(pattern, tmp_path):
    start = time.perf_counter()
    assert re.search(_HOSTILE[pattern], pattern_problem(pattern))
    assert time.perf_counter() - start < 0.1  # read, not run
    df = frame()
    ct = ColumnTransformer([("num", StandardScaler(), make_column_selector(pattern=pattern))])
    with pytest.raises(TypeError, match=re.escape(f"make_column_selector with pattern={pattern!r}, refused as")):
        save(Pipeline([("prep", ct), ("mlp", NumpyMLPRegressor(**SMALL))]), tmp_path / "model.skn")
    model = Pipeline([("prep", ColumnTransformer([("num", StandardScaler(), make_column_selector(pattern="^num_"))])),
                      ("mlp", NumpyMLPRegressor(**SMALL))]).fit(df, df["cost"])
    save(model, tmp_path / "model.skn")
    document, arrays = read_file(tmp_path / "model.skn")
    document["model"]["pipeline"][0][1]["transformers"][0][2]["selector"]["pattern"] = pattern
    write_file(tmp_path / "model.skn", document, arrays)
    with pytest.raises(ValueError, match=r"transformers\[0\]\.columns\.selector\.pattern is refused: .*"
                                         + _HOSTILE[pattern]):
        load(tmp_path / "model.skn")
