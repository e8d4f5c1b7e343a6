"""What a second independent review of model files found: files save wrote and load refused (encoders
whose columns' infrequent categories need different row counts), hand-edited transformer_weights and
sparse_output_ that loaded and then failed in predict, transformer_weights for the remainder, and save
errors that did not name the target."""

import json
import os
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

import skneural.persistence as persistence
from model_file_edits import read_model_file, write_model_file
from skneural import NumpyMLPClassifier, NumpyMLPRegressor, load, save


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _frame(n=300, seed=0):
    rng = np.random.RandomState(seed)
    return pd.DataFrame({"a": rng.normal(size=n), "c": rng.choice(list("xyz"), n), "d": rng.choice(["p", "q"], n)})


def _labels(X):
    return (X["a"] > 0).astype(int).to_numpy()


@pytest.mark.parametrize("encoder", [
    OneHotEncoder(min_frequency=120, sparse_output=False),
    OrdinalEncoder(min_frequency=120),
    OneHotEncoder(max_categories=1, sparse_output=False),
    OneHotEncoder(max_categories=2, sparse_output=False, handle_unknown="infrequent_if_exist"),
    OrdinalEncoder(max_categories=1),
])
def test_columns_whose_infrequent_categories_need_different_row_counts_round_trip(encoder, tmp_path):
    # "c": three categories, each under 120 rows (all infrequent); "d": two, each over 120 (both frequent)
    X = _frame()[["c", "d"]]
    model = make_pipeline(encoder, NumpyMLPClassifier(max_iter=2, random_state=0)).fit(X, _labels(_frame()))
    save(model, tmp_path / "m.skn")
    loaded = load(tmp_path / "m.skn")
    for found, wanted in zip(loaded[0].infrequent_categories_, model[0].infrequent_categories_):
        assert (found is None) == (wanted is None) and (found is None or found.tolist() == wanted.tolist())
    assert loaded[0].get_params() == model[0].get_params()
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def _ct_model(weights=None, remainder="drop", regressor=False):
    X = _frame()
    ct = ColumnTransformer([("num", StandardScaler(), ["a"]), ("oh", OneHotEncoder(sparse_output=False), ["c"])],
                           remainder=remainder, transformer_weights=weights)
    final = NumpyMLPRegressor if regressor else NumpyMLPClassifier
    return make_pipeline(ct, final(hidden_layer_sizes=(8,), max_iter=20, random_state=0)).fit(X, _labels(X)), X


def test_save_checks_that_the_file_loads_back_and_leaves_no_file_when_it_does_not(tmp_path, monkeypatch):
    model, X = _ct_model()
    target = tmp_path / "m.skn"
    save(model, target)
    before = target.read_bytes()

    def refuse(*args, **kwargs):
        raise persistence.ArchiveError("a check refused it")
    monkeypatch.setattr(persistence, "_read", refuse)
    with pytest.raises(TypeError, match=rf"{target}: Cannot save this Pipeline: the file could not be loaded back: "
                                        r"a check refused it; use pickle or joblib"):
        save(model, target)
    assert target.read_bytes() == before and os.listdir(tmp_path) == ["m.skn"]  # no temporary file left


def test_save_loads_back_with_the_components_it_was_given_and_leaves_them_as_they_were(tmp_path):
    import copy

    from test_persistence import Cube, Momentumless, swish, swish_prime
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(60, 4)), np.arange(60) % 3
    clf = NumpyMLPClassifier(hidden_layer_sizes=(8,), activation=(swish, swish_prime), max_iter=3, loss="mse",
                             output_activation=Cube(scale=0.5), optimizer=Momentumless(rate=0.05),
                             random_state=0).fit(X, y)
    optimizer = copy.deepcopy(clf.optimizer_)
    save(clf, tmp_path / "m.skn")  # read back with these very components
    assert clf.optimizer_.t_ == optimizer.t_
    np.testing.assert_array_equal(clf.optimizer_.steps_, optimizer.steps_)
    again = load(tmp_path / "m.skn", custom_objects={"swish": swish, "swish_prime": swish_prime, "Cube": Cube,
                                                     "Momentumless": Momentumless})
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))


@pytest.mark.parametrize("weight", [1e308, 1e30, 1e7, float("inf")])
def test_huge_transformer_weights_in_a_file_are_refused(weight, tmp_path):
    model, _ = _ct_model({"num": 1.0, "oh": 1.0}, regressor=True)
    path = tmp_path / "m.skn"
    save(model, path)
    document, arrays = read_model_file(path)
    document["model"]["pipeline"][0][1]["transformer_weights"] = [["num", weight], ["oh", 1.0]]
    write_model_file(path, document, arrays)
    with pytest.raises(ValueError, match=rf"{path} is not a valid .*transformer_weights is not .*at most 1e\+06"):
        load(path)


def test_transformer_weights_over_the_maximum_are_refused_by_save(tmp_path):
    model, _ = _ct_model({"num": 1e7})
    with pytest.raises(TypeError, match=r"m.skn: Cannot save this Pipeline safely: .*at most 1e\+06"):
        save(model, tmp_path / "m.skn")
    assert not os.listdir(tmp_path)


def test_the_output_check_counts_transformer_weights():
    from skneural.persistence.bounds import weights_gain
    model, _ = _ct_model({"num": 1e6, "oh": -3.0})
    assert weights_gain(model) == 1e6
    assert weights_gain(_ct_model({"num": 0.5})[0]) == 1.0


def test_weights_are_part_of_the_range_the_outputs_are_checked_over(tmp_path):
    model, X = _ct_model({"num": 1.0}, regressor=True)
    path = tmp_path / "m.skn"
    save(model, path)
    document, arrays = read_model_file(path)
    document["model"]["pipeline"][0][1]["transformer_weights"] = [["num", 1e6]]
    write_model_file(path, document, arrays)
    assert np.isfinite(load(path).predict(X)).all()  # large, but finite
    # a first layer whose outputs stay finite for inputs within +-10 but overflow within +-1e7
    network = model[-1].network_
    network.layers[0].weights[...] = np.sign(network.layers[0].weights) * 1e294
    save(model, path)  # within +-10 (no weights): accepted
    model[0].transformer_weights = {"num": 1e6}
    with pytest.raises(TypeError, match=r"could not be loaded back: .*overflow"):
        save(model, path)


@pytest.mark.parametrize("remainder", ["passthrough", StandardScaler()])
def test_transformer_weights_for_the_remainder_round_trip(remainder, tmp_path):
    X = _frame().assign(b=lambda f: f["a"] * 2)
    ct = ColumnTransformer([("num", StandardScaler(), ["a"]), ("oh", OneHotEncoder(sparse_output=False), ["c"])],
                           remainder=remainder, transformer_weights={"remainder": 3.0, "oh": 2.0})
    model = make_pipeline(ct, NumpyMLPClassifier(max_iter=5, random_state=0)).fit(X[["a", "c", "b"]], _labels(X))
    save(model, tmp_path / "m.skn")
    loaded = load(tmp_path / "m.skn")
    assert loaded[0].transformer_weights == {"remainder": 3.0, "oh": 2.0}
    np.testing.assert_array_equal(loaded[0].transform(X[["a", "c", "b"]]), model[0].transform(X[["a", "c", "b"]]))
    np.testing.assert_array_equal(loaded.predict_proba(X[["a", "c", "b"]]), model.predict_proba(X[["a", "c", "b"]]))


@pytest.mark.parametrize("parts", [
    [("num", StandardScaler(), ["a"])],
    [("num", StandardScaler(), ["a"]), ("oh", OneHotEncoder(sparse_output=False), ["c"])],
    [("num", "passthrough", ["a"])],
])
def test_a_sparse_output_no_transformer_gives_is_refused(parts, tmp_path):
    X = _frame()
    model = make_pipeline(ColumnTransformer(parts), NumpyMLPClassifier(max_iter=2)).fit(X, _labels(X))
    path = tmp_path / "m.skn"
    save(model, path)
    document, arrays = read_model_file(path)
    document["model"]["pipeline"][0][1]["fitted"]["sparse_output_"] = True
    write_model_file(path, document, arrays)
    with pytest.raises(ValueError, match=rf"{path} is not a valid .*sparse_output_ is true, but"):
        load(path)


def test_a_sparse_output_that_a_sparse_encoder_gives_loads(tmp_path):
    X = _frame()
    ct = ColumnTransformer([("num", StandardScaler(), ["a"]), ("oh", OneHotEncoder(), ["c"])], sparse_threshold=1.0)
    model = make_pipeline(ct, NumpyMLPClassifier(max_iter=2, random_state=0)).fit(X, _labels(X))
    assert model[0].sparse_output_
    save(model, tmp_path / "m.skn")
    loaded = load(tmp_path / "m.skn")
    assert loaded[0].sparse_output_
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_a_sparse_input_passed_through_keeps_its_sparse_output(tmp_path):
    import scipy.sparse as sp
    from sklearn.preprocessing import MaxAbsScaler
    X = sp.random(100, 5, density=0.1, format="csr", random_state=0)
    y = np.arange(100) % 2
    ct = ColumnTransformer([("a", "passthrough", [0, 1]), ("b", MaxAbsScaler(), [2, 3, 4])], sparse_threshold=1.0)
    model = make_pipeline(ct, NumpyMLPClassifier(max_iter=2, random_state=0)).fit(X, y)
    save(model, tmp_path / "m.skn")
    np.testing.assert_array_equal(load(tmp_path / "m.skn").predict_proba(X), model.predict_proba(X))


def test_save_errors_name_the_target(tmp_path):
    from sklearn.linear_model import LogisticRegression
    target = tmp_path / "m.skn"
    X = _frame()
    with pytest.raises(TypeError, match=rf"^{target}: Cannot save a Pipeline holding a LogisticRegression"):
        save(make_pipeline(StandardScaler(), LogisticRegression()).fit(X[["a"]], _labels(X)), target)
    model, _ = _ct_model()
    with pytest.raises(ValueError, match=rf"^{target}: Cannot save: The model's description takes \d+ characters, "
                                         r"over the 4194304 characters of JSON .*non-ASCII character counts 6"):
        save(model, target, metadata={"notes": "é" * 1_000_000})  # 2 MB of UTF-8, 6 million characters escaped
    assert not os.listdir(tmp_path)


def test_the_description_limit_counts_characters_of_escaped_json(tmp_path):
    from skneural.persistence.archive import MAX_DESCRIPTION_CHARS
    model, _ = _ct_model()
    save(model, tmp_path / "m.skn")
    document, _ = read_model_file(tmp_path / "m.skn")
    room = MAX_DESCRIPTION_CHARS - len(json.dumps(document)) - len('"n": ""')
    save(model, tmp_path / "m.skn", metadata={"n": "é" * (room // 6)})  # just fits
    assert load(tmp_path / "m.skn", with_metadata=True)[1]["n"] == "é" * (room // 6)
    with pytest.raises(ValueError, match="Cannot save: The model's description takes"):
        save(model, tmp_path / "m.skn", metadata={"n": "é" * (room // 6 + 1)})


@pytest.mark.parametrize("seed", range(40))
def test_encoders_fitted_on_random_columns_round_trip(seed, tmp_path):
    """Random columns (some with missing values) and random min_frequency / max_categories: every
    encoder fitted on them saves, and loads with the same infrequent categories and predictions."""
    rng = np.random.RandomState(seed)
    n, columns = rng.randint(20, 400), {}
    for j in range(rng.randint(1, 4)):
        k = rng.randint(1, 8)
        values = rng.choice([f"v{i}" for i in range(k)], n, p=rng.dirichlet(np.ones(k) * rng.choice([0.3, 1, 5])))
        values = values.astype(object)
        if rng.rand() < 0.3:
            values[rng.rand(n) < 0.1] = np.nan
        columns[f"c{j}"] = values
    X = pd.DataFrame(columns)
    settings = {"min_frequency": [int(rng.randint(1, n // 2 + 2)), float(rng.uniform(0.01, 0.9)), None][seed % 3],
                "max_categories": int(rng.randint(1, 6)) if rng.rand() < 0.5 else None}
    if settings == {"min_frequency": None, "max_categories": None}:
        settings["max_categories"] = 2
    encoder = OrdinalEncoder(encoded_missing_value=-1, **settings) if seed % 2 else OneHotEncoder(
        sparse_output=False, handle_unknown="infrequent_if_exist", **settings)
    model = make_pipeline(encoder, NumpyMLPClassifier(max_iter=2, random_state=0)).fit(X, np.arange(n) % 2)
    save(model, tmp_path / "m.skn")
    loaded = load(tmp_path / "m.skn")
    for found, wanted in zip(loaded[0].infrequent_categories_, model[0].infrequent_categories_):
        assert (found is None) == (wanted is None)
        if found is not None:
            assert pd.Series(found).tolist() == pd.Series(wanted).tolist() or (
                pd.isna(found).tolist() == pd.isna(wanted).tolist())
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
