"""Common settings of the tabular steps kept in model files: OneHotEncoder's ``drop``, explicit
``categories``, TargetEncoder's ``shuffle``/``random_state``, ``set_output``, a ColumnTransformer's
transformer as ``remainder``, its ``transformer_weights`` and columns as slices or boolean masks;
``feature_names_in_`` of every model, loads without warnings, and saves that name what they refuse.
Each round trip compares with the scikit-learn model it was saved from, in the same test; each
hostile value is refused on load."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor, make_column_selector
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, OrdinalEncoder, StandardScaler, TargetEncoder

from skneural import NumpyMLPClassifier, NumpyMLPRegressor, load, save
from model_file_edits import read_model_file as read_file, write_model_file as write_file

SMALL = dict(hidden_layer_sizes=(5,), max_iter=10, random_state=0)


def frame(n=80, seed=0):
    rng = np.random.RandomState(seed)
    return pd.DataFrame({"a": rng.normal(size=n), "b": rng.lognormal(size=n),
                         "city": rng.choice(["oslo", "rome", "lima"], n), "yes": rng.choice(["y", "n"], n),
                         "level": rng.choice([1.0, 2.0, 3.0], n)})


def fitted(prep, df=None, classifier=True):
    df = frame() if df is None else df
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence in a few iterations
        if classifier:
            return Pipeline([("prep", prep), ("mlp", NumpyMLPClassifier(**SMALL))]).fit(df, df["b"] > 1)
        return Pipeline([("prep", prep), ("mlp", NumpyMLPRegressor(**SMALL))]).fit(df, df["b"])


def round_trip(model, tmp_path):
    path = tmp_path / "model.skn"
    save(model, path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # load warns of nothing
        again = load(path)
    return again, path


def assert_same(model, again, df=None):
    df = frame(seed=1) if df is None else df
    out, back = model[:-1].transform(df), again[:-1].transform(df)
    assert type(out) is type(back)
    if isinstance(out, pd.DataFrame):
        assert list(out.columns) == list(back.columns)
    out, back = np.asarray(out), np.asarray(back)
    assert out.dtype == back.dtype
    np.testing.assert_array_equal(back, out)
    np.testing.assert_array_equal(again.predict(df), model.predict(df))
    if hasattr(model, "predict_proba"):
        np.testing.assert_array_equal(again.predict_proba(df), model.predict_proba(df))


def refused(path, edit, match):
    document, arrays = read_file(path)
    edit(document["model"], arrays)
    write_file(path, document, arrays)
    with pytest.raises(ValueError, match=match):
        load(path)


def _ct(model):  # the ColumnTransformer entry of a Pipeline's file
    return model["pipeline"][0][1]


# -- 1, 2, 4: feature names, quiet loads, what save names ------------------------------------------------


def test_a_transformed_target_keeps_feature_names_in_and_n_features_in(tmp_path):
    df = frame()[["a", "b"]]
    model = TransformedTargetRegressor(NumpyMLPRegressor(**SMALL), transformer=StandardScaler())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(df, df["b"] * 3)
    again, _ = round_trip(model, tmp_path)
    assert list(again.feature_names_in_) == list(model.feature_names_in_) == ["a", "b"]
    assert again.n_features_in_ == model.n_features_in_ == 2
    np.testing.assert_array_equal(again.predict(df), model.predict(df))


def test_every_model_kind_keeps_feature_names_in(tmp_path):
    df = frame()[["a", "b"]]
    ct = ColumnTransformer([("s", StandardScaler(), ["a", "b"])])
    for model in (NumpyMLPRegressor(**SMALL), make_pipeline(StandardScaler(), NumpyMLPRegressor(**SMALL)),
                  TransformedTargetRegressor(make_pipeline(ct, NumpyMLPRegressor(**SMALL)),
                                             transformer=MinMaxScaler())):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(df, df["a"])
        again, _ = round_trip(model, tmp_path)
        assert list(again.feature_names_in_) == list(model.feature_names_in_)
        assert again.n_features_in_ == model.n_features_in_


def test_loading_a_column_transformer_fitted_on_a_dataframe_warns_of_nothing(tmp_path):
    model = fitted(ColumnTransformer([("s", StandardScaler(), ["a", "b"]), ("c", OneHotEncoder(), ["city"])]),
                   classifier=False)
    again, _ = round_trip(model, tmp_path)  # warnings are errors there
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_same(model, again)


@pytest.mark.parametrize("make, name", [
    (lambda: make_pipeline(StandardScaler(), LogisticRegression()), "Pipeline holding a LogisticRegression"),
    (lambda: TransformedTargetRegressor(LinearRegression()), "TransformedTargetRegressor holding a LinearRegression"),
    (lambda: LogisticRegression(), "LogisticRegression: LogisticRegression"),
])
def test_save_names_the_part_it_cannot_store(make, name, tmp_path):
    df = frame()[["a", "b"]]
    model = make().fit(df, df["b"] > 1)
    with pytest.raises(TypeError, match=f"Cannot save a {name}.*pickle or joblib"):
        save(model, tmp_path / "model.skn")


# -- 3a, 3b: OneHotEncoder's drop, explicit categories ------------------------------------------------


@pytest.mark.parametrize("encoder", [
    OneHotEncoder(drop="first", sparse_output=False),
    OneHotEncoder(drop="if_binary"),
    OneHotEncoder(drop=["rome", "n", 2.0], handle_unknown="ignore", sparse_output=False),
    OneHotEncoder(drop="first", min_frequency=20, handle_unknown="infrequent_if_exist"),
    OneHotEncoder(categories=[["rome", "lima", "oslo", "paris"], ["y", "n"], [1.0, 2.0, 3.0, 4.0]], drop="first"),
    OrdinalEncoder(categories=[["rome", "lima", "oslo"], ["y", "n"], [1.0, 2.0, 3.0]]),
])
def test_drop_and_explicit_categories_round_trip(encoder, tmp_path):
    model = fitted(ColumnTransformer([("e", encoder, ["city", "yes", "level"]), ("s", StandardScaler(), ["a"])]))
    again, _ = round_trip(model, tmp_path)
    before, after = model[0].named_transformers_["e"], again[0].named_transformers_["e"]
    for a, b in zip(before.categories_, after.categories_):
        assert a.dtype == b.dtype and a.tolist() == b.tolist()
    if hasattr(before, "drop_idx_"):
        assert (before.drop_idx_ is None and after.drop_idx_ is None) or \
            before.drop_idx_.tolist() == after.drop_idx_.tolist()
    assert list(again[0].get_feature_names_out()) == list(model[0].get_feature_names_out())
    assert_same(model, again)


def _drop_idx(model, arrays):
    _ct(model)["fitted"]["transformers_"][0]["fitted"]["drop_idx_"] = [1, 0]


def _drop_unknown(model, arrays):
    _ct(model)["transformers"][0][1]["drop"] = "last"
    _ct(model)["fitted"]["transformers_"][0]["drop"] = "last"


def _categories_without_one(model, arrays):  # the cities' categories are the other column's
    entry = _ct(model)["fitted"]["transformers_"][0]["categories"]
    entry[0], entry[1] = entry[1], entry[0]


@pytest.mark.parametrize("edit, match", [
    (_drop_idx, r"transformers_\[0\].drop_idx_ is not what a OneHotEncoder"),
    (_drop_unknown, r"drop is not 'first', 'if_binary' or a list of categories"),
    (_categories_without_one, r"transformers_\[0\]: .*(do not make a OneHotEncoder|categories_ .* are not)"),
])
def test_hostile_drop_and_categories_are_refused(edit, match, tmp_path):
    encoder = OneHotEncoder(categories=[["rome", "lima", "oslo", "paris"], ["y", "n"]], drop="first")
    _, path = round_trip(fitted(ColumnTransformer([("e", encoder, ["city", "yes"])])), tmp_path)
    refused(path, edit, match)


# -- 3c: TargetEncoder's shuffle and random_state -----------------------------------------------------


@pytest.mark.parametrize("settings", [dict(shuffle=False), dict(shuffle=True, random_state=3),
                                      dict(random_state=None), dict(shuffle=True, random_state=np.int64(7))])
def test_a_target_encoder_keeps_shuffle_and_random_state(settings, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # deprecated in scikit-learn 1.9
        model = fitted(ColumnTransformer([("t", TargetEncoder(**settings), ["city"])], remainder="drop"),
                       classifier=False)
    again, _ = round_trip(model, tmp_path)
    assert again[0].named_transformers_["t"].get_params() == model[0].named_transformers_["t"].get_params()
    assert_same(model, again)


def test_a_target_encoder_with_a_random_state_instance_is_refused(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        model = fitted(ColumnTransformer([("t", TargetEncoder(random_state=np.random.RandomState(0)), ["city"])]),
                       classifier=False)
    with pytest.raises(TypeError, match="random_state=RandomState.*pickle or joblib"):
        save(model, tmp_path / "model.skn")


@pytest.mark.parametrize("value", [-1, 2**40, "os.system", 1.5])
def test_a_hostile_target_encoder_random_state_is_refused(value, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        model = fitted(ColumnTransformer([("t", TargetEncoder(random_state=1), ["city"])]), classifier=False)
    _, path = round_trip(model, tmp_path)

    def edit(doc, arrays):
        _ct(doc)["fitted"]["transformers_"][0]["params"]["random_state"] = value
    refused(path, edit, r"TargetEncoder's setting 'random_state' is not valid")


# -- 3d: set_output ----------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["pandas", "default"])
def test_set_output_on_a_column_transformer_and_its_steps_round_trips(how, tmp_path):
    ct = ColumnTransformer([("num", make_pipeline(SimpleImputer(), StandardScaler()), ["a", "b"]),
                            ("cat", OneHotEncoder(sparse_output=False), ["city"])]).set_output(transform=how)
    model = fitted(ct)
    if how == "pandas":  # what the network was fitted on: the ColumnTransformer's output columns
        assert list(model[-1].feature_names_in_) == list(model[0].get_feature_names_out())
    again, _ = round_trip(model, tmp_path)
    assert list(getattr(again[-1], "feature_names_in_", [])) == list(getattr(model[-1], "feature_names_in_", []))
    assert_same(model, again)


def test_set_output_on_a_whole_pipeline_round_trips(tmp_path):
    model = Pipeline([("scale", StandardScaler()), ("mm", MinMaxScaler()), ("mlp", NumpyMLPRegressor(**SMALL))])
    model.set_output(transform="pandas")
    df = frame()[["a", "b"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(df, df["a"])
    again, _ = round_trip(model, tmp_path)
    assert isinstance(again[:-1].transform(df), pd.DataFrame)
    assert_same(model, again, df)


@pytest.mark.parametrize("value, match", [("polars", r"set_output is not one of"),
                                          ("default", r"set_output is not one of .*the same as its steps'")])
def test_hostile_set_output_is_refused(value, match, tmp_path):
    ct = ColumnTransformer([("s", StandardScaler(), ["a"])]).set_output(transform="pandas")
    _, path = round_trip(fitted(ct, classifier=False), tmp_path)

    def edit(doc, arrays):
        if value == "polars":
            _ct(doc)["set_output"] = value
        else:  # a step under a ColumnTransformer of pandas output says otherwise
            _ct(doc)["fitted"]["transformers_"][0]["set_output"] = value
    refused(path, edit, match)


# -- 3e, 3f, 3g: remainder, transformer_weights, columns as slices and masks -------------------------------


@pytest.mark.parametrize("ct", [
    lambda: ColumnTransformer([("c", OneHotEncoder(), ["city", "yes"])], remainder=StandardScaler()),
    lambda: ColumnTransformer([("s", StandardScaler(), ["a", "b", "level"])],
                              remainder=make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder())),
    lambda: ColumnTransformer([("s", StandardScaler(), make_column_selector(dtype_include="number")),
                               ("o", OneHotEncoder(), ["city"])], remainder=OrdinalEncoder()),
    lambda: ColumnTransformer([("all", OneHotEncoder(handle_unknown="ignore"), ["city", "yes"]),
                               ("s", StandardScaler(), ["a", "b", "level"])], remainder=MinMaxScaler()),  # none left
    lambda: ColumnTransformer([("s", StandardScaler(), ["a", "b"]), ("c", OneHotEncoder(), ["city"])],
                              transformer_weights={"s": 2.5, "c": 3}),
    lambda: ColumnTransformer([("s", StandardScaler(), slice(0, 2)), ("c", OneHotEncoder(), slice("city", "yes")),
                               ("m", MinMaxScaler(), [False, False, False, False, True])]),
    lambda: ColumnTransformer([("s", StandardScaler(), slice(4, None)),  # level
                               ("c", OneHotEncoder(), np.array([False, False, True, True, False]))],
                              remainder="passthrough"),
])
def test_remainders_weights_slices_and_masks_round_trip(ct, tmp_path):
    model = fitted(ct())
    again, _ = round_trip(model, tmp_path)
    assert [(n, c if isinstance(c, slice) else list(c)) for n, _, c in again[0].transformers_] == \
        [(n, c if isinstance(c, slice) else list(c)) for n, _, c in model[0].transformers_]
    assert again[0].output_indices_ == model[0].output_indices_
    assert list(again[0].get_feature_names_out()) == list(model[0].get_feature_names_out())
    assert_same(model, again)


def _weight(value):
    def edit(doc, arrays):
        _ct(doc)["transformer_weights"] = value
    return edit


def _columns(value):
    def edit(doc, arrays):
        _ct(doc)["transformers"][0][2] = value
    return edit


def _arrays_in(entry):
    if isinstance(entry, dict):
        return ([entry["array"]] if set(entry) == {"array"} else []) + [k for v in entry.values() for k in _arrays_in(v)]
    return [k for v in entry for k in _arrays_in(v)] if isinstance(entry, list) else []


def _remainder_gone(doc, arrays):
    for key in _arrays_in(_ct(doc)["fitted"]["transformers_"][-1]):
        del arrays[key]
    _ct(doc)["fitted"]["transformers_"][-1] = None


@pytest.mark.parametrize("edit, match", [
    (_weight([["s", float("nan")]]), r"transformer_weights is not \(transformer name or 'remainder', number of at "
                                     r"most 1e\+06 in absolute value\) pairs"),
    (_weight([["s", 1.5e6]]), r"transformer_weights is not"),
    (_weight([["nobody", 1.0]]), r"transformer_weights is not"),
    (_weight([["s", 1.0], ["s", 2.0]]), r"transformer_weights is not"),
    (_weight({"s": "os.system"}), r"transformer_weights is not"),
    (_columns({"slice": [0, 2, 0]}), r"columns is not column names or positions, a slice"),
    (_columns({"slice": ["a", 3, None]}), r"columns is not column names or positions, a slice"),
    (_columns({"mask": [True, False]}), r"its columns do not select|feature_names_in_ are not"),
    (_columns({"mask": []}), r"columns is not column names or positions"),
    (_remainder_gone, r"the remainder\) must be there exactly when columns remain"),
])
def test_hostile_weights_columns_and_remainders_are_refused(edit, match, tmp_path):
    ct = ColumnTransformer([("s", StandardScaler(), slice(0, 2)), ("c", OneHotEncoder(), ["city"])],
                           remainder=OneHotEncoder(), transformer_weights={"s": 2.0})
    _, path = round_trip(fitted(ct), tmp_path)
    refused(path, edit, match)
