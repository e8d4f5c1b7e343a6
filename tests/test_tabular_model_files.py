"""TabularMLPClassifier and TabularMLPRegressor in model files: fitted on tables of numbers,
categories, bools and missing values (or on arrays), with every setting that changes the network's
input layers, they round-trip with identical predictions and go on training as before; files
edited to disagree with themselves (input layers, preprocessor, target scaling) are refused, and
settings that would make load build large arrays are refused before anything is built."""

import json
import tracemalloc
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import GridSearchCV
from sklearn.compose import TransformedTargetRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skneural import NumpyMLPClassifier, TabularMLPClassifier, TabularMLPRegressor, load, save
from model_file_edits import read_model_file, write_model_file

SMALL = dict(hidden_layer_sizes=(16,), max_iter=3, random_state=0, batch_size=32, n_frequencies=4, embedding_size=3)
LAYER_SETTINGS = [dict(numeric_embedding=e, smooth_clip=c, scaling_layer=s, numeric_scaling=n)
                  for e in (None, "periodic", "piecewise_linear") for c in (None, 3.0) for s in (False, True)
                  for n in ("robust", "quantile", "standard")]


def _id(settings):
    return "-".join(f"{k}={v}" for k, v in settings.items())


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def frame(n=120, seed=0):
    """Numbers (some missing), text (object, some missing), a pandas category, bools and integers."""
    rng = np.random.RandomState(seed)
    city = rng.choice(np.array(["paris", "rome", "oslo", "zürich"], dtype=object), n, p=[.4, .3, .2, .1])
    city[::17] = None
    return pd.DataFrame({
        "age": np.where(rng.rand(n) < .15, np.nan, rng.normal(40, 10, n)),
        "income": rng.lognormal(3, 1, n),
        "city": pd.Series(city, dtype=object),
        "kind": pd.Categorical(rng.choice(["a", "b", "c"], n, p=[.6, .3, .1])),
        "flag": rng.rand(n) < .5,
        "count": rng.randint(0, 5, n),
    })


def targets(df, kind):
    score = df["income"].to_numpy() / 20 + (df["city"] == "rome") + df["flag"]
    if kind == "binary":
        return np.where(score > 1.5, "yes", "no")
    if kind == "multiclass":
        return np.digitize(score, [1, 1.6, 2.2])
    if kind == "single":
        return 100 * score + 3
    return np.c_[100 * score + 3, df["count"].to_numpy() - 0.01 * df["income"].to_numpy()]


def round_trip(model, tmp_path, name="model.skn"):
    path = tmp_path / name
    save(model, path)
    return load(path), path


def outputs(model, X):
    return model.predict_proba(X) if hasattr(model, "predict_proba") else model.predict(X)


def assert_same(model, again, X):
    assert type(again) is type(model)
    assert again.get_params() == model.get_params()
    np.testing.assert_array_equal(again.predict(X), model.predict(X))
    assert np.array_equal(outputs(again, X), outputs(model, X))


def assert_same_training_after(model, again, X, y):
    """A partial_fit, then a warm start, from the loaded model give what they give from the original."""
    for m in (model, again):
        m.partial_fit(X, y)
    assert np.array_equal(outputs(again, X), outputs(model, X))
    for m in (model, again):
        m.set_params(warm_start=True, max_iter=2).fit(X, y)
    assert np.array_equal(outputs(again, X), outputs(model, X))
    assert again.n_iter_ == model.n_iter_ and again.t_ == model.t_


# -- round trips ----------------------------------------------------------------------------------


@pytest.mark.parametrize("settings", LAYER_SETTINGS, ids=_id)
def test_binary_classifier_round_trips_with_every_layer_setting(settings, tmp_path):
    X, y = frame(), targets(frame(), "binary")
    clf = TabularMLPClassifier(dropout=0.0, **SMALL, **settings).fit(X, y)
    again, _ = round_trip(clf, tmp_path)
    assert_same(clf, again, X)
    assert [type(a) for a in again.network_.input_layers] == [type(a) for a in clf.network_.input_layers]
    assert again.preprocessor_.get_feature_names_out().tolist() == clf.preprocessor_.get_feature_names_out().tolist()
    unseen = frame(30, seed=5)
    unseen.loc[0, "city"], unseen.loc[1, "age"] = "lima", np.nan
    assert np.array_equal(outputs(again, unseen), outputs(clf, unseen))
    assert_same_training_after(clf, again, X, y)


@pytest.mark.parametrize("settings", LAYER_SETTINGS, ids=_id)
def test_multi_output_regressor_round_trips_with_every_layer_setting(settings, tmp_path):
    X, y = frame(), targets(frame(), "multi")
    reg = TabularMLPRegressor(dropout=0.0, **SMALL, **settings).fit(X, y)
    again, _ = round_trip(reg, tmp_path)
    assert_same(reg, again, X)
    np.testing.assert_array_equal(again.y_mean_, reg.y_mean_)
    np.testing.assert_array_equal(again.y_scale_, reg.y_scale_)
    assert_same_training_after(reg, again, X, y)


@pytest.mark.parametrize("settings", [LAYER_SETTINGS[0], LAYER_SETTINGS[-1], LAYER_SETTINGS[10]], ids=_id)
def test_multiclass_classifier_and_single_output_regressor_round_trip(settings, tmp_path):
    X = frame()
    for model in (TabularMLPClassifier(**SMALL, **settings).fit(X, targets(X, "multiclass")),
                  TabularMLPRegressor(**SMALL, **settings).fit(X, targets(X, "single"))):
        again, _ = round_trip(model, tmp_path)
        assert_same(model, again, X)
        assert again.partial_fit(X, targets(X, "multiclass" if hasattr(model, "classes_") else "single")) is again


@pytest.mark.parametrize("n_bins, resolved", [(4, "piecewise_linear"), (32, "periodic")])
def test_an_automatic_embedding_round_trips_as_resolved(n_bins, resolved, tmp_path):
    X = frame()  # 120 rows: bins from 16 * n_bins rows on
    reg = TabularMLPRegressor(numeric_embedding="auto", n_bins=n_bins, dropout=0.0, **SMALL).fit(X, targets(X, "multi"))
    again, _ = round_trip(reg, tmp_path)
    assert reg.numeric_embedding_ == again.numeric_embedding_ == resolved and again.numeric_embedding == "auto"
    assert_same(reg, again, X)
    assert_same_training_after(reg, again, X, targets(X, "multi"))


@pytest.mark.parametrize("embedding", ["periodic", None])
def test_files_written_before_the_piecewise_linear_encoding_still_load(embedding, tmp_path):
    """Files of the first tabular estimators had neither numeric_embedding_ nor the n_bins setting."""
    X = frame()
    reg = TabularMLPRegressor(numeric_embedding=embedding, **SMALL).fit(X, targets(X, "multi"))
    path = tmp_path / "new.skn"
    save(reg, path)
    older = _load_edited(path, lambda d, a: [_fitted(d).pop("numeric_embedding_"),
                                            _fitted(d)["input_settings"].pop("n_bins")], tmp_path)
    again = load(older)
    assert again.numeric_embedding_ == reg.numeric_embedding_ == embedding
    assert_same(reg, again, X)


def test_without_numeric_columns_no_embedding_is_used(tmp_path):
    X = frame()[["city", "kind"]]
    reg = TabularMLPRegressor(**SMALL).fit(X, targets(frame(), "single"))
    assert reg.numeric_embedding_ is None and reg.numeric_embedding == "auto"
    again, _ = round_trip(reg, tmp_path)
    assert again.numeric_embedding_ is None
    assert_same(reg, again, X)


@pytest.mark.parametrize("settings", [dict(), dict(numeric_embedding=None, scaling_layer=False),
                                      dict(smooth_clip=None, numeric_scaling="quantile")], ids=_id)
def test_models_fitted_on_arrays_round_trip(settings, tmp_path):
    rng = np.random.RandomState(1)
    X = rng.normal(size=(100, 3)).astype(np.float64)
    X[::9, 1] = np.nan
    clf = TabularMLPClassifier(**SMALL, **settings).fit(X, X[:, 0] > 0)
    reg = TabularMLPRegressor(**SMALL, **settings).fit(X, np.c_[X[:, 0], 2 * X[:, 2]])
    mixed = np.column_stack([X[:, 0], rng.choice(["u", "v", "w"], 100)]).astype(object)
    mixed[:, 0] = X[:, 0]
    text = TabularMLPClassifier(**SMALL, **settings).fit(mixed, rng.randint(0, 3, 100))
    for model, data in ((clf, X), (reg, X), (text, mixed)):
        again, _ = round_trip(model, tmp_path)
        assert not hasattr(again, "feature_names_in_")
        assert_same(model, again, data)


def test_models_whose_table_has_no_numbers_or_only_numbers_round_trip(tmp_path):
    X = frame()
    for columns in (["city", "kind", "flag"], ["age", "income", "count"]):
        model = TabularMLPRegressor(**SMALL).fit(X[columns], targets(X, "single"))
        again, _ = round_trip(model, tmp_path)
        assert_same(model, again, X[columns])


def test_unfitted_estimators_round_trip(tmp_path):
    for model in (TabularMLPClassifier(hidden_layer_sizes=(7, 5), smooth_clip=None, numeric_scaling="quantile",
                                       n_frequencies=5, max_categories=None, min_category_frequency=3),
                  TabularMLPRegressor(numeric_embedding=None, scaling_layer=False, weight_decay=0.01)):
        again, _ = round_trip(model, tmp_path)
        assert type(again) is type(model) and again.get_params() == model.get_params()
        assert not hasattr(again, "network_")


def test_save_and_load_methods_and_pipelines_round_trip(tmp_path):
    X = frame()
    clf = TabularMLPClassifier(**SMALL).fit(X, targets(X, "binary"))
    clf.save(tmp_path / "m.skn")
    assert_same(clf, TabularMLPClassifier.load(tmp_path / "m.skn"), X)
    with pytest.raises(TypeError):
        TabularMLPRegressor.load(tmp_path / "m.skn")
    rng = np.random.RandomState(0)
    numbers = rng.normal(size=(80, 4))
    pipe = make_pipeline(StandardScaler(), TabularMLPRegressor(**SMALL)).fit(numbers, numbers[:, 0] * 10)
    again, _ = round_trip(pipe, tmp_path)
    np.testing.assert_array_equal(again.predict(numbers), pipe.predict(numbers))
    target = TransformedTargetRegressor(TabularMLPRegressor(**SMALL), transformer=StandardScaler())
    target.fit(X, targets(X, "single"))
    again, _ = round_trip(target, tmp_path)
    np.testing.assert_array_equal(again.predict(X), target.predict(X))
    search = GridSearchCV(TabularMLPClassifier(**SMALL), {"smooth_clip": [None, 2.0]}, cv=2)
    search.fit(X, targets(X, "binary"))
    again, _ = round_trip(search.best_estimator_, tmp_path)
    assert_same(search.best_estimator_, again, X)


def test_a_loaded_model_refuses_changed_input_settings_on_a_warm_start(tmp_path):
    X = frame()
    again, _ = round_trip(TabularMLPClassifier(**SMALL).fit(X, targets(X, "binary")), tmp_path)
    with pytest.raises(ValueError, match="n_frequencies changed"):
        again.set_params(warm_start=True, n_frequencies=6).fit(X, targets(X, "binary"))


def test_settings_changed_after_fit_are_kept_apart_from_those_the_layers_were_built_with(tmp_path):
    X, y = frame(), targets(frame(), "binary")
    clf = TabularMLPClassifier(**SMALL).fit(X, y).set_params(n_frequencies=9, smooth_clip=None)
    again, _ = round_trip(clf, tmp_path)
    assert again.n_frequencies == 9 and again._input_settings == clf._input_settings
    assert_same(clf, again, X)


# -- refusals -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Saved tabular models: a classifier with every input layer, a regressor, and a classifier fitted
    on a table with another column and another category (its preprocessor disagrees)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        folder = tmp_path_factory.mktemp("tabular-files")
        X = frame()
        wider = frame().assign(extra=np.arange(120.0))
        wider.loc[:9, "city"] = "lima"
        models = {"clf": TabularMLPClassifier(**SMALL).fit(X, targets(X, "binary")),
                  "reg": TabularMLPRegressor(**SMALL).fit(X, targets(X, "multi")),
                  "bins": TabularMLPRegressor(numeric_embedding="piecewise_linear", n_bins=4, **SMALL).fit(
                      X, targets(X, "multi")),
                  "wider": TabularMLPClassifier(**SMALL).fit(wider, targets(wider, "binary")),
                  "other_category": TabularMLPClassifier(**SMALL).fit(wider.drop(columns="extra"),
                                                                      targets(wider, "binary"))}
        paths = {}
        for name, model in models.items():
            paths[name] = folder / f"{name}.skn"
            save(model, paths[name])
        return paths


def _fitted(doc):
    return doc["model"]["fitted"]


def _layers(doc):
    return _fitted(doc)["network"]["input_layers"]


def _layer(doc, kind):
    return next(layer for layer in _layers(doc) if layer["layer"] == kind)


def _load_edited(path, edit, tmp_path, other=None):
    document, arrays = read_model_file(path)
    if other is None:
        edit(document, arrays)
    else:
        edit(document, arrays, *read_model_file(other))
    target = tmp_path / "edited.skn"
    write_model_file(target, document, arrays)
    return target


def _swap_preprocessor(doc, arrays, other_doc, other_arrays):
    """Put another file's preprocessor_ (and its arrays, renamed) in place of this one's."""
    entry = _fitted(other_doc)["preprocessor_"]
    text, start = json.dumps(entry), 1 + max(int(k[1:]) for k in arrays)
    for i, key in enumerate(other_arrays):  # renamed after this file's own (a0, a1, ...)
        if f'"array": "{key}"' in text:
            text = text.replace(f'"array": "{key}"', f'"array": "a{start + i}"')
            arrays[f"a{start + i}"] = other_arrays[key]
    _fitted(doc)["preprocessor_"] = json.loads(text)
    _drop_unused(doc, arrays)


def _drop_unused(doc, arrays):
    """Drop the arrays an edit left unused (load refuses them)."""
    used = set()

    def refs(v):
        if isinstance(v, dict):
            if set(v) == {"array"}:
                used.add(v["array"])
            for x in v.values():
                refs(x)
        elif isinstance(v, list):
            for x in v:
                refs(x)
    refs(doc)
    for key in [k for k in arrays if k not in used]:
        del arrays[key]


def _set_array(doc, arrays, name, values):
    arrays[_fitted(doc)[name]["array"]] = values


def _set_state(doc, arrays, change):
    key = _fitted(doc)["network"]["state"]["array"]
    arrays[key] = change(arrays[key]).astype(arrays[key].dtype)


EDITS = [
    ("a SmoothClip limit other than smooth_clip", "clf",
     lambda d, a: _layer(d, "SmoothClip").update(limit=5.0), "input_layers are not those"),
    ("a PeriodicEmbedding n_passthrough off by one", "clf",
     lambda d, a: _layer(d, "PeriodicEmbedding").update(
         n_passthrough=_layer(d, "PeriodicEmbedding")["n_passthrough"] + 1),
     "does not give the columns"),
    ("a Scale of another width", "clf", lambda d, a: _layer(d, "Scale").update(width=_layer(d, "Scale")["width"] - 1),
     "does not give the columns"),
    ("an input layer of an unknown kind", "clf", lambda d, a: _layers(d)[0].update(layer="Dense"),
     "is not one of the input layers"),
    ("an input layer with an unknown setting", "clf", lambda d, a: _layers(d)[-1].update(init="ones"),
     "unexpected fields"),
    ("a negative embedding size", "clf", lambda d, a: _layer(d, "PeriodicEmbedding").update(embedding_size=-3),
     "embedding_size is not an integer"),
    ("an infinite SmoothClip limit", "clf", lambda d, a: _layer(d, "SmoothClip").update(limit={"float": "inf"}),
     "limit is not a finite number"),
    ("an embedding activation that is not a name of the table", "clf",
     lambda d, a: _layer(d, "PeriodicEmbedding").update(activation="os.system"),
     "activation is not one of"),
    ("input layers dropped", "clf", lambda d, a: _fitted(d)["network"].pop("input_layers"), "params has shape"),
    ("input settings without the embedding the layers have", "clf",
     lambda d, a: _fitted(d)["input_settings"].update(numeric_embedding=None),
     r"numeric_embedding_ is 'periodic'; the numeric_embedding setting None gives one of \[None\]"),
    ("a resolved embedding other than the layers'", "clf",
     lambda d, a: _fitted(d).update(numeric_embedding_="piecewise_linear"), "input_layers are not those"),
    ("a resolved embedding that is no embedding", "clf",
     lambda d, a: _fitted(d).update(numeric_embedding_="os.system"), "numeric_embedding_ is 'os.system'"),
    ("no resolved embedding, with n_bins", "clf", lambda d, a: _fitted(d).pop("numeric_embedding_"),
     "does not have exactly the settings"),
    ("an automatic embedding without its resolution", "clf",
     lambda d, a: [_fitted(d).pop("numeric_embedding_"), _fitted(d)["input_settings"].pop("n_bins")],
     "lacks numeric_embedding_, which numeric_embedding='auto' needs"),
    ("input settings without the scaling layer", "clf",
     lambda d, a: _fitted(d)["input_settings"].update(scaling_layer=False), "input_layers are not those"),
    ("input settings of another numeric scaling", "clf",
     lambda d, a: _fitted(d)["input_settings"].update(numeric_scaling="standard"), "numeric part is not"),
    ("an invalid input setting", "clf", lambda d, a: _fitted(d)["input_settings"].update(n_frequencies=0),
     "n_frequencies"),
    ("input settings lacking one", "clf", lambda d, a: _fitted(d)["input_settings"].pop("max_categories"),
     "does not have exactly the settings"),
    ("no input settings", "clf", lambda d, a: _fitted(d).pop("input_settings"), "lacks"),
    ("no preprocessor", "clf", lambda d, a: [_fitted(d).pop("preprocessor_"), _drop_unused(d, a)], "lacks"),
    ("a negative y_scale_", "reg", lambda d, a: _set_array(d, a, "y_scale_", -a[_fitted(d)["y_scale_"]["array"]]),
     "y_scale_ holds a scale that is not positive"),
    ("a zero y_scale_", "reg", lambda d, a: _set_array(d, a, "y_scale_", 0 * a[_fitted(d)["y_scale_"]["array"]]),
     "not positive"),
    ("a nan y_mean_", "reg", lambda d, a: _set_array(d, a, "y_mean_", np.full(2, np.nan, np.float32)), "non-finite"),
    ("a y_mean_ of the wrong shape", "reg", lambda d, a: _set_array(d, a, "y_mean_", np.zeros(3, np.float32)),
     "expected shape"),
    ("a y_scale_ that makes predictions overflow", "reg",
     lambda d, a: _set_array(d, a, "y_scale_", np.full(2, 1e300, np.float64)), "overflow"),
    ("bin edges that decrease", "bins", lambda d, a: _set_state(d, a, lambda v: v[::-1]), "edges that decrease"),
    ("bin edges closer than float32 divides by", "bins",
     lambda d, a: _set_state(d, a, lambda v: np.r_[-1.0, 0.0, 1e-40, np.linspace(1, 2, v.size - 3)]),
     "closer than their dtype"),
    ("a nan bin edge", "bins", lambda d, a: _set_state(d, a, lambda v: np.where(np.arange(v.size) == 2, np.nan, v)),
     "state holds non-finite values"),
    ("a huge number of bins", "bins", lambda d, a: _layer(d, "PiecewiseLinearEncoding").update(n_bins=10**6),
     "n_bins is 1000000, not an integer in"),
    ("bin edges dropped", "bins", lambda d, a: [_fitted(d)["network"].pop("state"), _drop_unused(d, a)],
     "lacks the state"),
    ("input settings of other bins than the layer's", "bins",
     lambda d, a: _fitted(d)["input_settings"].update(n_bins=5), "input_layers are not those"),
    ("a piecewise-linear encoding where the settings say periodic", "bins",
     lambda d, a: [_fitted(d)["input_settings"].update(numeric_embedding="periodic"),
                   _fitted(d).update(numeric_embedding_="periodic")], "input_layers are not those"),
    ("a classifier with y_mean_", "clf", lambda d, a: _fitted(d).update(y_mean_=[0.0]), "unexpected fields"),
    ("a tabular file relabelled as a plain MLP", "clf", lambda d, a: d["model"].update(estimator="NumpyMLPClassifier"),
     "settings NumpyMLPClassifier does not take"),
]


@pytest.mark.parametrize("what, base, edit, match", EDITS, ids=[e[0] for e in EDITS])
def test_edited_files_are_refused(what, base, edit, match, files, tmp_path):
    target = _load_edited(files[base], edit, tmp_path)
    with pytest.raises(ValueError, match=match) as info:
        load(target)
    assert str(target) in str(info.value)


def test_a_layer_with_parameters_to_match_but_other_settings_is_refused(files, tmp_path):
    """n_frequencies one higher, and the parameters array grown to the count it implies: every size
    agrees, but the layers are not those the estimator's input settings give."""
    def edit(doc, arrays):
        layer = _layer(doc, "PeriodicEmbedding")
        f, e = layer["n_features"], layer["embedding_size"]
        layer["n_frequencies"] += 1
        key = _fitted(doc)["network"]["params"]["array"]
        grown = np.concatenate([np.zeros(f * (1 + 2 * e), arrays[key].dtype), arrays[key]])
        arrays[key] = grown
        for name, value in list(arrays.items()):  # the optimizer's state has the parameters' shape
            if name != key and value.shape == (len(grown) - f * (1 + 2 * e),) and value.dtype.kind == "f":
                arrays[name] = np.concatenate([np.zeros(f * (1 + 2 * e), value.dtype), value])
    with pytest.raises(ValueError, match="input_layers are not those input_settings give"):
        load(_load_edited(files["clf"], edit, tmp_path))


def test_an_embedding_activation_cannot_name_a_component_of_the_callers(files, tmp_path):
    def edit(doc, arrays):
        _layer(doc, "PeriodicEmbedding")["activation"] = {"custom": "mine"}
    with pytest.raises(ValueError, match="activation is not one of"):
        load(_load_edited(files["clf"], edit, tmp_path), custom_objects={"mine": print})


def test_a_non_tabular_network_with_input_layers_is_refused(tmp_path):
    X = frame()[["age", "income"]].fillna(0).to_numpy()
    path = tmp_path / "plain.skn"
    save(NumpyMLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0).fit(X, X[:, 0] > 40), path)

    def edit(doc, arrays):
        doc["model"]["fitted"]["network"]["input_layers"] = [{"layer": "SmoothClip", "n_features": 2, "limit": 3.0}]
    with pytest.raises(ValueError, match="only the tabular estimators"):
        load(_load_edited(path, edit, tmp_path))


@pytest.mark.parametrize("other, match", [("wider", "fitted on other columns"),
                                          ("other_category", "input_layers are not those")])
def test_a_preprocessor_that_disagrees_with_the_network_is_refused(other, match, files, tmp_path):
    target = _load_edited(files["clf"], _swap_preprocessor, tmp_path, other=files[other])
    with pytest.raises(ValueError, match=match):
        load(target)


@pytest.mark.parametrize("setting", ["n_frequencies", "embedding_size", "n_features"])
def test_huge_embedding_settings_with_a_small_parameter_array_are_refused_before_anything_is_built(
        setting, files, tmp_path):
    def edit(doc, arrays):
        _layer(doc, "PeriodicEmbedding")[setting] = 10**12
    target = _load_edited(files["clf"], edit, tmp_path)
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="params has shape|does not give the columns|not an integer in"):
            load(target)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 * 2**20


def test_a_huge_passthrough_or_smooth_clip_width_is_refused_before_anything_is_built(files, tmp_path):
    for kind, setting in (("PeriodicEmbedding", "n_passthrough"), ("SmoothClip", "n_features"), ("Scale", "width")):
        def edit(doc, arrays):
            _layer(doc, kind)[setting] = 2**53
        tracemalloc.start()
        try:
            with pytest.raises(ValueError, match="does not give the columns|input_layers are not those"):
                load(_load_edited(files["clf"], edit, tmp_path))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 50 * 2**20, kind


def test_old_files_without_input_layers_keep_their_layout(tmp_path):
    X = frame()[["age", "income"]].fillna(0).to_numpy()
    path = tmp_path / "plain.skn"
    save(NumpyMLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0).fit(X, X[:, 0] > 40), path)
    document, _ = read_model_file(path)
    assert "input_layers" not in document["model"]["fitted"]["network"]
    assert not {"preprocessor_", "input_settings", "y_mean_"} & set(document["model"]["fitted"])
