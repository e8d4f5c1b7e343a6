"""Tabular pipelines in model files: ColumnTransformers of imputers, scalers and one-hot encoders
before a network, fitted on DataFrames, round-trip with identical outputs, keep their feature
names, and are rebuilt from checked data only."""

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor, make_column_selector
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import (FunctionTransformer, OneHotEncoder, OrdinalEncoder, PolynomialFeatures,
                                   PowerTransformer, QuantileTransformer, StandardScaler, TargetEncoder)

from skneural import NumpyMLPClassifier, NumpyMLPRegressor, load, save
from model_file_edits import read_model_file as read_file, write_model_file as write_file

SMALL = dict(hidden_layer_sizes=(6,), max_iter=15, random_state=0)


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def frame(n=90, seed=0):
    rng = np.random.RandomState(seed)
    return pd.DataFrame({
        "age": np.where(rng.rand(n) < .15, np.nan, rng.normal(40, 10, n)),
        "income": rng.lognormal(3, 1, n),
        "city": rng.choice(np.array(["paris", "rome", "oslo", "lima", None], dtype=object), n,
                           p=[.4, .3, .2, .06, .04]),
        "kind": pd.Categorical(rng.choice(["a", "b", "c"], n, p=[.6, .3, .1])),
        "flag": rng.rand(n) < .5,
        "count": rng.randint(0, 5, n),
    })


def target(df):
    return np.where(df["income"] > 20, "rich", "poor")


def numeric(strategy="median", indicator=True):
    return Pipeline([("impute", SimpleImputer(strategy=strategy, add_indicator=indicator)),
                     ("scale", StandardScaler())])


def categorical(imputer=None, **one_hot):
    return Pipeline([("impute", imputer or SimpleImputer(strategy="most_frequent")),
                     ("one_hot", OneHotEncoder(**{"handle_unknown": "ignore", "sparse_output": False, **one_hot}))])


def round_trip(model, tmp_path):
    path = tmp_path / "model.skn"
    save(model, path)
    return load(path), path


def assert_same(model, again, X):
    if hasattr(model, "predict_proba"):
        np.testing.assert_array_equal(again.predict_proba(X), model.predict_proba(X))
    np.testing.assert_array_equal(again.predict(X), model.predict(X))
    if isinstance(model, Pipeline):
        a, b = model[:-1].transform(X), again[:-1].transform(X)
        assert type(a) is type(b)
        a, b = (a.toarray(), b.toarray()) if hasattr(a, "toarray") else (a, b)
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)


_COLUMN_TRANSFORMERS = {
    "names-drop": lambda: ColumnTransformer([("num", numeric(), ["age", "income"]),
                                             ("cat", categorical(), ["city", "kind"])]),
    "names-passthrough": lambda: ColumnTransformer(
        [("num", numeric("mean", False), ["age"]), ("cat", categorical(min_frequency=5), ["city", "kind"]),
         ("gone", "drop", ["income"]), ("same", "passthrough", ["count"])], remainder="passthrough"),
    "positions": lambda: ColumnTransformer([("num", numeric("median"), [0, 1]), ("cat", categorical(), [2, 3])],
                                           remainder="drop"),
    "single-names": lambda: ColumnTransformer([("num", numeric("constant"), ["age"]),
                                               ("cat", OneHotEncoder(sparse_output=False), ["kind"])]),
    "infrequent-float": lambda: ColumnTransformer(
        [("cat", categorical(handle_unknown="infrequent_if_exist", min_frequency=0.1), ["city", "kind", "count"])]),
    "max-categories": lambda: ColumnTransformer(
        [("cat", categorical(handle_unknown="infrequent_if_exist", max_categories=2), ["city", "count"]),
         ("num", numeric(), ["income"])]),
    "both-limits": lambda: ColumnTransformer(
        [("cat", categorical(handle_unknown="infrequent_if_exist", min_frequency=3, max_categories=3),
          ["city", "count", "flag"])]),
    "infrequent-missing": lambda: ColumnTransformer(  # None among the categories, counted as OneHotEncoder does
        [("limits", OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=3, max_categories=4),
          ["city", "kind", "count", "flag"]),
         ("share", OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=0.05), ["city", "count"])]),
    "sparse": lambda: ColumnTransformer([("num", numeric(), ["age", "income"]),
                                         ("cat", categorical(sparse_output=True), ["city", "kind"])],
                                        sparse_threshold=1.0),
    "float32": lambda: ColumnTransformer([("num", numeric(), ["age"]),
                                          ("cat", categorical(dtype=np.float32), ["city", "kind"])]),
    "constant-fill": lambda: ColumnTransformer(
        [("cat", categorical(SimpleImputer(strategy="constant", fill_value="missing"),
                             handle_unknown="infrequent_if_exist", min_frequency=4), ["city"]),
         ("raw", OneHotEncoder(sparse_output=False), ["city", "flag"])], remainder="drop"),
    "selectors": lambda: ColumnTransformer(
        [("num", numeric(), make_column_selector(dtype_include=np.number)),
         ("cat", categorical(), make_column_selector(dtype_include=["object", "category"]))], remainder="passthrough"),
    "selector-exclude-pattern": lambda: ColumnTransformer(
        [("num", numeric(), make_column_selector(dtype_exclude=["object", "category", bool])),
         ("cat", categorical(), make_column_selector(pattern="^(city|kind)$"))]),
    "ordinal": lambda: ColumnTransformer(
        [("num", numeric(), ["age"]), ("ord", OrdinalEncoder(), ["kind", "count"]),
         ("limited", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-3, encoded_missing_value=-1,
                                    max_categories=3), ["city", "count"]),
         ("frequent", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-2,
                                     min_frequency=4, dtype=np.float32), make_column_selector(dtype_include="object"))]),
    "ordinal-nan-then-imputed": lambda: ColumnTransformer(
        [("ord", Pipeline([("enc", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan)),
                           ("impute", SimpleImputer(strategy="most_frequent", add_indicator=True))]), ["city", "kind"]),
         ("num", numeric(), ["income"])]),
    "indicator": lambda: ColumnTransformer(
        [("num", numeric("mean", False), ["age", "income"]), ("missing", MissingIndicator(), ["age", "city"]),
         ("every", MissingIndicator(features="all", sparse=True), ["age", "income"])]),
    "quantiles": lambda: ColumnTransformer(
        [("uniform", Pipeline([("impute", SimpleImputer()), ("q", QuantileTransformer(n_quantiles=20))]), ["age"]),
         ("normal", QuantileTransformer(n_quantiles=500, output_distribution="normal"), ["income", "count"]),
         ("power", Pipeline([("impute", SimpleImputer(strategy="median")), ("yj", PowerTransformer(standardize=False)),
                             ("scale", StandardScaler())]), ["age"]),
         ("box-cox", PowerTransformer(method="box-cox", standardize=False), ["income"])]),
    "target": lambda: ColumnTransformer(
        [("num", numeric(), ["age"]), ("target", TargetEncoder(), ["city", "kind", "count"]),
         ("smooth", TargetEncoder(smooth=2.0, cv=3), ["flag"])]),
    "nested": lambda: ColumnTransformer(
        [("inner", Pipeline([("ct", ColumnTransformer([("n", numeric(), ["age"]), ("c", categorical(), ["city"])])),
                             ("scale", StandardScaler())]), ["age", "city", "kind"]),
         ("ord", OrdinalEncoder(), ["kind"])]),
}


@pytest.mark.parametrize("name", sorted(_COLUMN_TRANSFORMERS))
@pytest.mark.parametrize("estimator", [NumpyMLPClassifier, NumpyMLPRegressor])
def test_pipelines_with_column_transformers_round_trip(name, estimator, tmp_path):
    df = frame()
    y = target(df) if estimator is NumpyMLPClassifier else df["income"].to_numpy()
    model = Pipeline([("prep", _COLUMN_TRANSFORMERS[name]()), ("mlp", estimator(**SMALL))]).fit(df, y)
    again, _ = round_trip(model, tmp_path)
    assert_same(model, again, df)
    fresh = frame(40, seed=1)  # other rows, with other mixes of the categories
    fresh.loc[0, "city"] = "tokyo"  # unknown at fit: as the original handles it
    try:
        expected = model.predict(fresh)
    except ValueError as exc:
        with pytest.raises(ValueError, match=re.escape(str(exc))):
            again.predict(fresh)
    else:
        np.testing.assert_array_equal(again.predict(fresh), expected)
    prep, loaded = model.named_steps["prep"], again.named_steps["prep"]
    np.testing.assert_array_equal(loaded.feature_names_in_, prep.feature_names_in_)
    assert loaded.output_indices_ == prep.output_indices_
    assert list(loaded.get_feature_names_out()) == list(prep.get_feature_names_out())
    for (n1, t1, c1), (n2, t2, c2) in zip(prep.transformers_, loaded.transformers_):
        assert (n1, c1) == (n2, c2)
        if not isinstance(t1, str):
            assert type(t1) is type(t2)
            np.testing.assert_array_equal(getattr(t1, "feature_names_in_", []), getattr(t2, "feature_names_in_", []))


@pytest.mark.parametrize("strategy", ["median", "most_frequent", "constant"])
def test_imputers_fitted_on_float32_keep_their_dtype(strategy, tmp_path):
    df = frame()[["age", "income"]].astype(np.float32)
    ct = ColumnTransformer([("num", numeric(strategy), ["age", "income"])])
    model = Pipeline([("prep", ct), ("mlp", NumpyMLPRegressor(**SMALL))]).fit(df, df["income"])
    again, _ = round_trip(model, tmp_path)
    assert_same(model, again, df)
    assert again[:-1].transform(df).dtype == np.float32


def test_a_float32_mean_imputer_is_refused_by_save(tmp_path):
    df = frame()[["age", "income"]].astype(np.float32)
    model = Pipeline([("prep", ColumnTransformer([("num", numeric("mean"), ["age", "income"])])),
                      ("mlp", NumpyMLPRegressor(**SMALL))]).fit(df, df["income"])
    with pytest.raises(TypeError, match=r"SimpleImputer\(strategy='mean'\) fitted on float32 data.*pickle or joblib"):
        save(model, tmp_path / "model.skn")


def test_every_level_keeps_its_feature_names(tmp_path):
    df = frame()
    model = Pipeline([("prep", _COLUMN_TRANSFORMERS["names-drop"]()), ("mlp", NumpyMLPClassifier(**SMALL))]) \
        .fit(df, target(df))
    again, _ = round_trip(model, tmp_path)
    for name in ("num", "cat"):
        for (_, a), (_, b) in zip(model.named_steps["prep"].named_transformers_[name].steps,
                                  again.named_steps["prep"].named_transformers_[name].steps):
            assert hasattr(a, "feature_names_in_") == hasattr(b, "feature_names_in_")
            np.testing.assert_array_equal(getattr(b, "feature_names_in_", []), getattr(a, "feature_names_in_", []))
            assert b.n_features_in_ == a.n_features_in_
    one_hot = again.named_steps["prep"].named_transformers_["cat"][-1]
    original = model.named_steps["prep"].named_transformers_["cat"][-1]
    assert all(np.array_equal(a, b) for a, b in zip(one_hot.categories_, original.categories_))
    assert again.named_steps["mlp"].n_features_in_ == model.named_steps["mlp"].n_features_in_


def test_reordered_columns_are_matched_by_name_and_a_missing_one_is_named(tmp_path):
    df = frame()
    model = Pipeline([("prep", _COLUMN_TRANSFORMERS["names-passthrough"]()), ("mlp", NumpyMLPClassifier(**SMALL))]) \
        .fit(df, target(df))
    again, _ = round_trip(model, tmp_path)
    shuffled = df[list(reversed(df.columns))]
    for m in (model, again):  # as scikit-learn does, whatever it does
        try:
            outcome = m.predict_proba(shuffled)
        except ValueError as exc:
            outcome = str(exc)
        if m is model:
            expected = outcome
    if isinstance(expected, str):
        assert outcome == expected
    else:
        np.testing.assert_array_equal(outcome, expected)
    dropped = df.drop(columns=["city"])
    with pytest.raises(ValueError) as original_error:
        model.predict(dropped)
    with pytest.raises(ValueError) as loaded_error:
        again.predict(dropped)
    assert str(loaded_error.value) == str(original_error.value)
    assert "city" in str(loaded_error.value)


def test_a_transformed_target_around_a_tabular_pipeline_round_trips(tmp_path):
    df = frame()
    model = TransformedTargetRegressor(
        Pipeline([("prep", _COLUMN_TRANSFORMERS["names-drop"]()), ("mlp", NumpyMLPRegressor(**SMALL))]),
        transformer=StandardScaler()).fit(df, df["income"] * 1000)
    again, _ = round_trip(model, tmp_path)
    np.testing.assert_array_equal(again.predict(df), model.predict(df))


@pytest.mark.parametrize("step, name", [
    (PolynomialFeatures(), "PolynomialFeatures"),
    (FunctionTransformer(np.log1p), "FunctionTransformer"),
])
def test_unsupported_transformers_are_refused_by_save_by_name(step, name, tmp_path):
    df = frame()
    ct = ColumnTransformer([("num", Pipeline([("impute", SimpleImputer()), ("odd", step)]), ["age", "income"])])
    model = Pipeline([("prep", ct), ("mlp", NumpyMLPClassifier(**SMALL))]).fit(df, target(df))
    with pytest.raises(TypeError, match=f"{name}.*[Uu]se pickle or joblib"):
        save(model, tmp_path / "model.skn")
    assert not (tmp_path / "model.skn").exists()


@pytest.mark.parametrize("ct, what", [
    (ColumnTransformer([("cat", OneHotEncoder(feature_name_combiner=lambda f, c: f"{f}={c}"), ["city"])]),
     "feature_name_combiner="),
    (ColumnTransformer([("num", SimpleImputer(keep_empty_features=True), ["age"])]), "keep_empty_features"),
    (ColumnTransformer([("num", SimpleImputer(missing_values=-1.0), ["age"])]), "missing_values"),
    (ColumnTransformer([("num", StandardScaler(), lambda X: ["age"])]), "columns are given as function"),
    (ColumnTransformer([("num", StandardScaler(), ["age", "income"]),
                        ("odd", "drop", make_column_selector(dtype_include=np.complex128))]),
     "make_column_selector with the dtype"),
    (ColumnTransformer([("cat", TargetEncoder(categories=[["lima", "oslo", "paris", "rome"]]), ["city"])]),
     "categories="),
    (ColumnTransformer([("cat", OrdinalEncoder(dtype=np.int64), ["city"])]), "dtype="),
])
def test_unusual_settings_are_refused_by_save(ct, what, tmp_path):
    df = frame().fillna({"city": "lima", "age": 40.0})
    model = Pipeline([("prep", ct), ("mlp", NumpyMLPClassifier(**SMALL))]).fit(df, target(df))
    with pytest.raises(TypeError, match=f"(?s){what}.*pickle or joblib"):
        save(model, tmp_path / "model.skn")


# -- mutated files -------------------------------------------------------------------------------


@pytest.fixture
def saved(tmp_path):
    df = frame()
    model = Pipeline([("prep", _COLUMN_TRANSFORMERS["names-passthrough"]()), ("mlp", NumpyMLPClassifier(**SMALL))]) \
        .fit(df, target(df))
    path = tmp_path / "model.skn"
    save(model, path)
    return path


def _ct(document):
    return document["model"]["pipeline"][0][1]


def _step(document, name, index):
    """The fitted step ``index`` of the ColumnTransformer's transformer ``name``'s Pipeline."""
    ct = _ct(document)
    i = [t[0] for t in ct["transformers"]].index(name)
    return ct["fitted"]["transformers_"][i]["steps"][index][1]


def _set_array(entry, arrays, values):
    arrays[entry["array"]] = np.asarray(values)


def _categories(doc):
    return _step(doc, "cat", 1)["fitted"]["categories_"][0]["parts"][0][1]


def _texts(entry, arrays):  # the strings of a {"utf8": bytes, "ends": end offsets} entry
    data, ends = arrays[entry["utf8"]["array"]].tobytes(), arrays[entry["ends"]["array"]].tolist()
    return [data[a:b].decode() for a, b in zip([0] + ends[:-1], ends)]


def _set_texts(entry, arrays, strings):
    raw = [s.encode() for s in strings]
    arrays[entry["utf8"]["array"]] = np.frombuffer(b"".join(raw), dtype=np.uint8)
    arrays[entry["ends"]["array"]] = np.cumsum([len(b) for b in raw]).astype(np.uint32)


def _edit_categories(doc, arrays):  # a valid list of other categories: the outputs no longer match
    _set_texts(_categories(doc), arrays, ["lima", "oslo", "zurich"])


def _unsorted_categories(doc, arrays):
    _set_texts(_categories(doc), arrays, _texts(_categories(doc), arrays)[::-1])


def _duplicate_categories(doc, arrays):
    texts = _texts(_categories(doc), arrays)
    _set_texts(_categories(doc), arrays, texts[:1] * len(texts))


def _nan_statistic(doc, arrays):
    _set_array(_step(doc, "num", 0)["fitted"]["statistics_"]["parts"][0][1], arrays, [np.nan])


def _huge_statistic(doc, arrays):
    _set_array(_step(doc, "num", 0)["fitted"]["statistics_"]["parts"][0][1], arrays, [1.7e308])


def _huge_imputed_value(doc, arrays):  # a valid imputer and scaler, but what they fill in overflows
    _set_array(_step(doc, "num", 0)["fitted"]["statistics_"]["parts"][0][1], arrays, [1e300])
    _set_array(_step(doc, "num", 1)["fitted"]["mean_"], arrays, [0.0])
    _set_array(_step(doc, "num", 1)["fitted"]["scale_"], arrays, [1e-10])


def _zero_scale(doc, arrays):
    _set_array(_step(doc, "num", 1)["fitted"]["scale_"], arrays, [0.0])


def _wrong_class(doc, arrays):
    _step(doc, "cat", 1)["transformer"] = "PolynomialFeatures"


def _column_out_of_range(doc, arrays):
    _ct(doc)["transformers"][0][2] = {"indices": [99]}


def _unknown_column(doc, arrays):
    _ct(doc)["transformers"][0][2] = {"names": ["nope"]}


def _bad_setting(doc, arrays):
    _step(doc, "cat", 1)["params"]["handle_unknown"] = "explode"


def _huge_min_frequency(doc, arrays):
    _step(doc, "cat", 1)["params"]["min_frequency"] = 10**9


def _wrong_infrequent(doc, arrays):  # a category it does not have (by position)
    _step(doc, "cat", 1)["fitted"]["infrequent_categories_"][0] = [0, 99]


def _wrong_output_indices(doc, arrays):
    _ct(doc)["fitted"]["output_indices_"][0][2] += 1


def _wrong_width(doc, arrays):
    _set_array(_step(doc, "num", 1)["fitted"]["mean_"], arrays, [0.0, 0.0])


def _pickled_category(doc, arrays):
    for name in ("utf8", "ends"):
        del arrays[_categories(doc)[name]["array"]]
    _step(doc, "cat", 1)["fitted"]["categories_"][0]["parts"][0][1] = {"pickle": "gASVAAAA"}


def _code_in_columns(doc, arrays):
    _ct(doc)["transformers"][0][2] = {"callable": "os.system"}


def _bad_selector_dtype(doc, arrays):
    document = _ct(doc)
    document["transformers"][0][2] = {"selector": {"pattern": None, "dtype_include": ["os.system"],
                                                   "dtype_exclude": None}}


@pytest.mark.parametrize("edit, match", [
    (_bad_selector_dtype, r"transformers\[0\].columns.selector.dtype_include names a dtype a selector may not have"),
    (_edit_categories, r"transformers_\[1\].steps\[1\].categories_\[0\].parts\[0\] does not give one position per value"),
    (_unsorted_categories, r"transformers_\[1\].steps\[1\]: categories_ and infrequent_categories_ are not"),
    (_duplicate_categories, r"transformers_\[1\].steps\[1\]: categories_ and infrequent_categories_ are not"),
    (_nan_statistic, r"steps\[0\].statistics_.parts\[0\].values holds non-finite values"),
    (_huge_statistic, r"transformers_\[0\].steps\[0\]: statistics_ and indicator_features_ are not"),
    (_huge_imputed_value, "make its outputs overflow for inputs in the range it declares.*the values its imputers"),
    (_zero_scale, r"steps\[1\].scale_ holds values that are not positive"),
    (_wrong_class, r"names 'PolynomialFeatures', which is not a transformer"),
    (_column_out_of_range, r"its columns do not select from its 6 input columns"),
    (_unknown_column, r"its columns do not select from its 6 input columns"),
    (_bad_setting, r"OneHotEncoder's setting 'handle_unknown' is not valid"),
    (_huge_min_frequency, r"OneHotEncoder's setting 'min_frequency' is not valid"),
    (_wrong_infrequent, r"infrequent_categories_\[0\] is not a list of positions in categories_"),
    (_wrong_output_indices, r"output_indices_ are not the columns"),
    (_wrong_width, r"mean_ has shape \(2,\)"),
    (_pickled_category, r"categories_\[0\].parts\[0\].values lacks \['array'\]"),
    (_code_in_columns, r"transformers\[0\].columns is not column names or positions"),
])
def test_mutated_tabular_files_are_refused_naming_the_entry(edit, match, saved):
    document, arrays = read_file(saved)
    edit(document["model"] and document, arrays)
    write_file(saved, document, arrays)
    with pytest.raises(ValueError, match=match) as error:
        load(saved)
    assert str(saved) in str(error.value)


@pytest.fixture
def saved_selectors(tmp_path):
    df = frame()
    model = Pipeline([("prep", _COLUMN_TRANSFORMERS["indicator"]()), ("mlp", NumpyMLPClassifier(**SMALL))]) \
        .fit(df, target(df))
    path = tmp_path / "model.skn"
    save(model, path)
    return path


def _indicator_out_of_range(doc, arrays):
    fitted = _ct(doc)["fitted"]["transformers_"][1]["fitted"]
    _set_array(fitted["features_"], arrays, [0, 7])


def _indicator_flags_too_few(doc, arrays):
    fitted = _ct(doc)["fitted"]["transformers_"][2]["fitted"]  # features="all" flags every feature
    _set_array(fitted["features_"], arrays, [1])


def _unknown_transformer_name(doc, arrays):
    _ct(doc)["fitted"]["transformers_"][1]["transformer"] = "FunctionTransformer"


def _decreasing_quantiles(doc, arrays):
    quantiles = _ct(doc)["fitted"]["transformers_"][1]["fitted"]["quantiles_"]
    arrays[quantiles["array"]] = arrays[quantiles["array"]][::-1].copy()


def test_a_multiclass_target_encoder_round_trips(tmp_path):
    df = frame()
    y = np.array(["low", "mid", "high"])[df["count"].to_numpy() % 3]
    model = Pipeline([("prep", _COLUMN_TRANSFORMERS["target"]()), ("mlp", NumpyMLPClassifier(**SMALL))]).fit(df, y)
    again, _ = round_trip(model, tmp_path)
    assert_same(model, again, df)
    encoder = again.named_steps["prep"].named_transformers_["target"]
    assert encoder.target_type_ == "multiclass" and list(encoder.classes_) == ["high", "low", "mid"]


def _target_encoder(document):
    return _ct(document)["fitted"]["transformers_"][1]["fitted"]


@pytest.mark.parametrize("edit, match", [
    (lambda f, a: a.__setitem__(f["encodings_"][0]["array"], np.full_like(a[f["encodings_"][0]["array"]], 1.7e308)),
     "make its outputs overflow.*target encoders"),
    (lambda f, a: a.__setitem__(f["encodings_"][0]["array"], a[f["encodings_"][0]["array"]][:-1]),
     r"transformers_\[1\].encodings_\[0\] has shape"),
    (lambda f, a: f.update(target_type_="continuous"), r"transformers_\[1\]: classes_ must be there exactly"),
    (lambda f, a: f.update(target_type_="multiclass"), r"transformers_\[1\]: categories_, target_type_ and classes_"),
])
def test_mutated_target_encoders_are_refused(edit, match, tmp_path):
    df = frame()
    model = Pipeline([("prep", _COLUMN_TRANSFORMERS["target"]()), ("mlp", NumpyMLPClassifier(**SMALL))]) \
        .fit(df, target(df))
    path = tmp_path / "model.skn"
    save(model, path)
    document, arrays = read_file(path)
    edit(_target_encoder(document["model"] and document), arrays)
    write_file(path, document, arrays)
    with pytest.raises(ValueError, match=match):
        load(path)


def test_quantiles_that_decrease_are_refused(tmp_path):
    df = frame()
    model = Pipeline([("prep", _COLUMN_TRANSFORMERS["quantiles"]()), ("mlp", NumpyMLPClassifier(**SMALL))]) \
        .fit(df, target(df))
    path = tmp_path / "model.skn"
    save(model, path)
    document, arrays = read_file(path)
    _decreasing_quantiles(document["model"] and document, arrays)
    write_file(path, document, arrays)
    with pytest.raises(ValueError, match=r"transformers_\[1\].quantiles_ do not increase in each column"):
        load(path)


@pytest.mark.parametrize("edit, match", [
    (_indicator_out_of_range, r"transformers_\[1\].features_ are not increasing feature positions"),
    (_indicator_flags_too_few, r"transformers_\[2\].features_ are not what a MissingIndicator"),
    (_unknown_transformer_name, r"transformers_\[1\] names 'FunctionTransformer', which is not a transformer"),
])
def test_mutated_indicators_are_refused(edit, match, saved_selectors):
    document, arrays = read_file(saved_selectors)
    edit(document, arrays)
    write_file(saved_selectors, document, arrays)
    with pytest.raises(ValueError, match=match):
        load(saved_selectors)


def test_the_unmutated_file_loads(saved):
    document, arrays = read_file(saved)
    write_file(saved, document, arrays)
    assert load(saved).predict(frame()).shape == (90,)


def test_a_stated_min_frequency_does_not_size_the_rows_an_encoder_is_rebuilt_from(tmp_path):
    """The rows rebuilt on load grow with the categories a file stores, not with the min_frequency it
    states: 200 frequent categories at min_frequency=10000 would otherwise need 2 million rows."""
    import tracemalloc

    from sklearn.pipeline import make_pipeline

    from test_model_file_safety import edit_model_file

    rng = np.random.RandomState(0)
    X = pd.DataFrame({"city": rng.choice([f"c{i:03d}" for i in range(200)], 4000)})
    y = (X["city"].str[-1].astype(int) % 2).to_numpy()
    model = make_pipeline(ColumnTransformer([("codes", OrdinalEncoder(min_frequency=5), ["city"])]),
                          NumpyMLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0)).fit(X, y)
    path = tmp_path / "m.skn"
    save(model, path)

    def state_min_frequency(entry):
        if isinstance(entry, dict):
            if "min_frequency" in entry:
                entry["min_frequency"] = 10000
            for value in entry.values():
                state_min_frequency(value)
        elif isinstance(entry, list):
            for value in entry:
                state_min_frequency(value)
    edit_model_file(path, state_min_frequency)
    tracemalloc.start()
    loaded = load(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 50 * path.stat().st_size  # a few rows per category, not 2 million strings
    encoder = loaded[0].named_transformers_["codes"]
    assert encoder.get_params()["min_frequency"] == 10000
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_a_column_transformer_of_too_many_transformers_is_refused(tmp_path):
    from sklearn.pipeline import make_pipeline

    from test_model_file_safety import edit_model_file

    X, y = pd.DataFrame({"a": np.arange(20.0)}), np.arange(20) % 2
    model = make_pipeline(ColumnTransformer([("t0", "passthrough", ["a"]), ("t1", "drop", ["a"])]),
                          NumpyMLPClassifier(hidden_layer_sizes=(1,), max_iter=1, random_state=0)).fit(X, y)
    path = tmp_path / "m.skn"
    save(model, path)

    def many(entry):
        columns = entry["pipeline"][0][1]
        columns["transformers"] = [[f"t{i}", "drop", columns["transformers"][1][2]] for i in range(1001)]
    edit_model_file(path, many)
    with pytest.raises(ValueError, match="transformers is not a list of at most 1000 transformers"):
        load(path)
    wide = ColumnTransformer([(f"t{i}", "drop", ["a"]) for i in range(1001)] + [("keep", "passthrough", ["a"])])
    with pytest.raises(TypeError, match="a ColumnTransformer of 1002 transformers, over the 1000"):
        save(make_pipeline(wide, NumpyMLPClassifier(hidden_layer_sizes=(1,), max_iter=1)).fit(X, y), path)
