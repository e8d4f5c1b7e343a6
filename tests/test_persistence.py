import os
import pickle
import zipfile
from pathlib import Path

import joblib
import numpy as np
import pytest
from sklearn.datasets import load_digits, make_classification, make_multilabel_classification, make_regression
from sklearn.decomposition import PCA
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skneural import Adam, NumpyMLPClassifier, NumpyMLPRegressor, load, save
from skneural.activations import ActivationFunction, LeakyReLU
from skneural.optimizers import Optimizer
from model_file_edits import read_model_file, write_model_file


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:400] / 16, y[:400]


def roundtrip(model, tmp_path, **kwargs):
    path = tmp_path / "model.skn"
    save(model, path)
    return load(path, **kwargs)


def assert_same_fitted_state(a, b):
    assert a.get_params(deep=False).keys() == b.get_params(deep=False).keys()
    for attr in ("classes_", "loss_curve_", "n_iter_", "t_", "n_layers_", "n_outputs_", "out_activation_",
                 "n_features_in_", "best_loss_", "validation_scores_", "best_validation_score_"):
        if hasattr(a, attr):
            np.testing.assert_array_equal(getattr(b, attr), getattr(a, attr), err_msg=attr)
    for x, y in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        np.testing.assert_array_equal(x, y)
        assert x.dtype == y.dtype


@pytest.mark.parametrize("settings", [
    dict(), dict(optimizer="sgd", learning_rate="adaptive"), dict(optimizer="rmsprop"), dict(optimizer="adagrad"),
    dict(optimizer="lbfgs"), dict(early_stopping=True), dict(activation="tanh", alpha=0.01),
    dict(output_activation="sigmoid", loss="binary_crossentropy"),
])
def test_classifier_roundtrip_predicts_the_same(settings, digits, tmp_path):
    X, y = digits
    labels = np.array(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"])[y]
    clf = NumpyMLPClassifier(hidden_layer_sizes=(16,), max_iter=15, random_state=0, **settings).fit(X, labels)
    again = roundtrip(clf, tmp_path)
    assert type(again) is NumpyMLPClassifier
    assert_same_fitted_state(clf, again)
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    np.testing.assert_array_equal(again.predict(X), clf.predict(X))


def test_binary_multilabel_float32_and_feature_names_roundtrip(tmp_path):
    pd = pytest.importorskip("pandas")
    X, y = make_classification(n_samples=80, n_features=5, random_state=0)
    frame = pd.DataFrame(X.astype(np.float32), columns=[f"f{i}" for i in range(5)])
    binary = NumpyMLPClassifier(hidden_layer_sizes=(6,), max_iter=10, random_state=0).fit(frame, y == 1)
    again = roundtrip(binary, tmp_path)
    np.testing.assert_array_equal(again.feature_names_in_, binary.feature_names_in_)
    assert again.coefs_[0].dtype == np.float32
    np.testing.assert_array_equal(again.predict(frame), binary.predict(frame))
    Xm, Ym = make_multilabel_classification(n_samples=60, n_classes=3, random_state=0)
    multi = NumpyMLPClassifier(hidden_layer_sizes=(6,), max_iter=10, random_state=0).fit(Xm, Ym)
    np.testing.assert_array_equal(roundtrip(multi, tmp_path).predict_proba(Xm), multi.predict_proba(Xm))


@pytest.mark.parametrize("n_targets", [1, 3])
def test_regressor_roundtrip_and_class_check(n_targets, tmp_path):
    X, y = make_regression(n_samples=60, n_features=4, n_targets=n_targets, random_state=0)
    reg = NumpyMLPRegressor(hidden_layer_sizes=(8,), max_iter=20, random_state=0).fit(X, y)
    path = tmp_path / "reg.skn"
    reg.save(path)
    again = NumpyMLPRegressor.load(path)
    assert_same_fitted_state(reg, again)
    np.testing.assert_array_equal(again.predict(X), reg.predict(X))
    with pytest.raises(TypeError, match="holds a NumpyMLPRegressor, not a NumpyMLPClassifier"):
        NumpyMLPClassifier.load(path)


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
@pytest.mark.parametrize("how", ["warm_start", "partial_fit"])
def test_training_goes_on_after_loading_exactly_as_without_saving(optimizer, how, digits, tmp_path):
    X, y = digits
    clf = NumpyMLPClassifier(hidden_layer_sizes=(12,), optimizer=optimizer, max_iter=3, random_state=0,
                             warm_start=how == "warm_start")
    clf.fit(X, y)
    again = roundtrip(clf, tmp_path)
    for model in (clf, again):
        if how == "warm_start":
            model.fit(X, y)
        else:
            model.partial_fit(X, y)
    assert_same_fitted_state(clf, again)


def test_pipeline_with_a_scaler_roundtrips(digits, tmp_path):
    X, y = digits
    pipe = make_pipeline(StandardScaler(), NumpyMLPClassifier(hidden_layer_sizes=(8,), max_iter=10, random_state=0))
    pipe.fit(X, y)
    again = roundtrip(pipe, tmp_path)
    np.testing.assert_array_equal(again.predict_proba(X), pipe.predict_proba(X))
    np.testing.assert_array_equal(again[0].scale_, pipe[0].scale_)


def test_an_unfitted_estimator_keeps_its_parameters(tmp_path):
    est = NumpyMLPRegressor(hidden_layer_sizes=(3, 2), optimizer=Adam(learning_rate=0.05), alpha=0.5)
    again = roundtrip(est, tmp_path)
    assert again.get_params()["optimizer__learning_rate"] == 0.05
    assert again.hidden_layer_sizes == (3, 2) and again.alpha == 0.5
    assert not hasattr(again, "network_")


def swish(x):
    return x / (1 + np.exp(-x))


def swish_prime(x):
    s = 1 / (1 + np.exp(-x))
    return s + x * s * (1 - s)


class Cube(ActivationFunction):
    def __init__(self, scale=1.0):
        self.scale = scale

    def __call__(self, x):
        return self.scale * x ** 3

    def derivative(self, x):
        return 3 * self.scale * x ** 2


class Momentumless(Optimizer):
    _state_names = ("steps_",)

    def __init__(self, rate=0.01):
        self.rate = rate

    def _step(self, params, gradient, buffer):
        self.steps_ += 1
        params -= self.rate * gradient


def test_custom_components_load_only_when_passed_in(digits, tmp_path):
    X, y = digits
    clf = NumpyMLPClassifier(hidden_layer_sizes=(8, 4), activation=(swish, swish_prime), max_iter=5,
                             output_activation=Cube(scale=0.5), loss="mse", optimizer=Momentumless(rate=0.05),
                             random_state=0).fit(X, y)
    path = tmp_path / "custom.skn"
    clf.save(path)
    with pytest.raises(ValueError, match=r"\('Cube', 'Momentumless', 'swish', 'swish_prime'\).*"
                                         r"custom_objects=\{'Cube': ..., 'Momentumless'"):
        load(path)
    with pytest.raises(ValueError, match=r"\('Cube'\)"):
        load(path, custom_objects={"swish": swish, "swish_prime": swish_prime, "Momentumless": Momentumless})
    mine = Momentumless(rate=123.0)
    objects = {"swish": swish, "swish_prime": swish_prime, "Cube": Cube, "Momentumless": mine}
    again = load(path, custom_objects=objects)
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    assert again.output_activation.scale == 0.5 and again.network_.output_activation.scale == 0.5
    assert again.optimizer_.rate == 0.05 and again.optimizer_.t_ == clf.optimizer_.t_ > 0
    np.testing.assert_array_equal(again.optimizer_.steps_, clf.optimizer_.steps_)
    again.partial_fit(X, y)
    assert mine.rate == 123.0 and not hasattr(mine, "steps_")  # the caller's object is never trained
    wrong = dict(objects, Cube=LeakyReLU)  # another class under the recorded name
    with pytest.raises(ValueError, match=r"custom_objects\['Cube'\] is not the component the model was saved "
                                         r"with: it cannot take the stored settings \['scale'\]"):
        load(path, custom_objects=wrong)


def test_a_pickle_is_refused_without_advice_to_allow_pickle(tmp_path, digits):
    X, y = digits
    path = tmp_path / "model.pkl"
    with open(path, "wb") as f:
        pickle.dump(NumpyMLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0).fit(X, y), f)
    with pytest.raises(ValueError, match="it holds pickled data, which skneural never loads") as error:
        load(path)
    assert "allow_pickle" not in str(error.value)


def rewrite_model_entry(path, edit):
    """Apply ``edit`` to the JSON description of the model in the file at ``path``."""
    document, arrays = read_model_file(path)
    document["model"] = edit(document["model"])
    write_model_file(path, document, arrays)


def test_nothing_in_a_file_is_ever_unpickled_or_imported(tmp_path, digits):
    X, y = digits
    clf = NumpyMLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0).fit(X, y)
    path = tmp_path / "model.skn"
    clf.save(path)
    document, arrays = read_model_file(path)
    # a pickled object array in the archive is refused, not unpickled
    write_model_file(path, document, dict(arrays, a0=np.array([object()], dtype=object)))
    with pytest.raises(ValueError, match="its array 'a0' has dtype object, which no model array has"):
        load(path)
    # a class outside the fixed table is refused, whatever module it names
    document["model"]["estimator"] = "os.system"
    write_model_file(path, document, arrays)
    with pytest.raises(ValueError, match="model is not a skneural estimator"):
        load(path)


def write_raw(path, data):
    with open(path, "wb") as f:
        f.write(data)


@pytest.mark.parametrize("damage, message", [
    (lambda p, raw: write_raw(p, raw[: len(raw) // 2]), "not a valid skneural model file: it is not a NumPy .npz"),
    (lambda p, raw: write_raw(p, b"hello, I am a text file\n"), "not a valid skneural model file: it is not a NumPy"),
    (lambda p, raw: np.savez(open(p, "wb"), x=np.arange(3)), "a NumPy archive but not a skneural model file .no __skn"),
    (lambda p, raw: np.save(open(p, "wb"), np.arange(3)), "it holds a single array, not a model"),
])
def test_damaged_or_foreign_files_get_a_clear_error(damage, message, tmp_path, digits):
    X, y = digits
    path = str(tmp_path / "model.skn")
    NumpyMLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0).fit(X, y).save(path)
    with open(path, "rb") as f:
        raw = f.read()
    os.remove(path)
    damage(path, raw)
    with pytest.raises(ValueError, match=message):
        load(path)


@pytest.mark.parametrize("change, message", [
    (dict(version=99), "format version 99; this version of skneural reads formats 1 and 2"),
    (dict(version=1), "model is not a model"),  # a format-2 description is not a format-1 one
    (dict(format="something-else"), "it is not a skneural model file"),
])
def test_wrong_version_or_format_name(change, message, tmp_path, digits):
    X, y = digits
    path = tmp_path / "model.skn"
    NumpyMLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0).fit(X, y).save(path)
    document, arrays = read_model_file(path)
    write_model_file(path, dict(document, **change), arrays)
    with pytest.raises(ValueError, match=message):
        load(path)


def scaler_of(pipeline_entry):
    return pipeline_entry["pipeline"][0][1]


def estimator_of(pipeline_entry):
    return pipeline_entry["pipeline"][-1][1]


@pytest.mark.parametrize("edit, message", [
    (lambda m: [1, 2], "it holds arrays it never uses .a0, a1, a2, a3, a4."),
    (scaler_of, "it holds arrays it never uses .a3, a4, a5, a6."),
    (lambda m: {"pipeline": m}, r"model lacks \['verbose'\]"),
    (lambda m: {"estimator": m, "params": {}}, "model is not a skneural estimator"),
    (lambda m: {"method": "__subclasses__", "of": {"method": "__class__", "of": m}}, "model is not a model"),
    (lambda m: dict(m, pipeline=[m["pipeline"][1], m["pipeline"][0]]), r"model.steps\[0\] lacks \['transformer'\]"),
    (lambda m: dict(m, memory="/tmp/cache"), "model has unexpected fields \\['memory'\\]"),
    (lambda m: {**m, "pipeline": [m["pipeline"][0], ["mlp", dict(estimator_of(m), state={"__class__": 1})]]},
     "model.steps\\[1\\] has unexpected fields \\['state'\\]"),
])
def test_a_file_builds_only_what_save_writes(edit, message, tmp_path, digits):
    X, y = digits
    path = tmp_path / "model.skn"
    save(make_pipeline(StandardScaler(), NumpyMLPClassifier(hidden_layer_sizes=(4,), max_iter=2,
                                                             random_state=0)).fit(X, y), path)
    rewrite_model_entry(path, edit)
    with pytest.raises(ValueError, match=message):
        load(path)


def test_a_pipeline_without_a_skneural_estimator_is_not_saved(tmp_path, digits):
    X, _ = digits
    with pytest.raises(TypeError, match="Cannot save a Pipeline"):
        save(make_pipeline(StandardScaler()).fit(X), tmp_path / "scaler.skn")


def test_two_components_of_the_same_name_are_refused(tmp_path, digits):
    X, y = digits
    model = NumpyMLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0,
                               activation=(lambda x: np.tanh(x), lambda x: 1 - np.tanh(x) ** 2)).fit(X, y)
    with pytest.raises(TypeError, match="two different components named '<lambda>'"):
        model.save(tmp_path / "model.skn")
    assert not (tmp_path / "model.skn").exists()


class _Pinball(ActivationFunction):
    """A component holding a setting a model file cannot store (an estimator object)."""

    def __init__(self, q=0.5, note=None):
        self.q, self.note = q, note

    def __call__(self, x):
        return x

    def derivative(self, x):
        return np.ones_like(x)


def test_a_component_whose_settings_cannot_be_stored_is_refused(tmp_path, digits):
    X, y = digits
    model = NumpyMLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0,
                               activation=_Pinball(q=0.9, note=PCA())).fit(X, y)
    with pytest.raises(TypeError, match="Cannot save this NumpyMLPClassifier safely: it holds a _Pinball "
                                        "whose settings include a scikit-learn PCA"):
        model.save(tmp_path / "model.skn")


def test_a_missing_array_is_reported_as_damage(tmp_path, digits):
    X, y = digits
    path = tmp_path / "model.skn"
    NumpyMLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0).fit(X, y).save(path)
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            if name != "a0.npy":
                z.writestr(name, data)
    with pytest.raises(ValueError, match="not a valid skneural model file: the array 'a0' it refers to is missing"):
        load(path)


@pytest.mark.parametrize("error", [OSError("disk full"), KeyboardInterrupt()])
def test_an_interrupted_save_leaves_the_previous_file_intact(error, tmp_path, digits, monkeypatch):
    X, y = digits
    path = tmp_path / "model.skn"
    first = NumpyMLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0).fit(X, y)
    first.save(path)
    before = path.read_bytes()
    second = NumpyMLPClassifier(hidden_layer_sizes=(5,), max_iter=2, random_state=1).fit(X, y)
    real_savez = np.savez

    def failing_savez(f, **arrays):
        real_savez(f, **arrays)
        f.write(b"partial")
        raise error

    monkeypatch.setattr(np, "savez", failing_savez)
    with pytest.raises(type(error)):
        second.save(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.skn"]  # no temporary file left behind
    np.testing.assert_array_equal(load(path).predict(X), first.predict(X))


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_a_saved_model_gets_the_permissions_of_any_new_file(umask, tmp_path, digits):
    X, y = digits
    model = NumpyMLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0).fit(X, y)
    previous = os.umask(umask)
    try:
        model.save(tmp_path / "model.skn")
        (tmp_path / "plain.txt").write_text("a file made the ordinary way")
    finally:
        os.umask(previous)
    mode = os.stat(tmp_path / "model.skn").st_mode & 0o777
    assert mode == os.stat(tmp_path / "plain.txt").st_mode & 0o777 == 0o666 & ~umask


def test_what_cannot_be_saved_says_so(tmp_path, digits):
    X, y = digits
    with pytest.raises(TypeError, match="Use pickle or joblib"):
        save(MLPClassifier(max_iter=2).fit(X, y), tmp_path / "m.skn")
    pipe = make_pipeline(PCA(3), NumpyMLPClassifier(hidden_layer_sizes=(4,), max_iter=2)).fit(X, y)
    with pytest.raises(TypeError, match="a scikit-learn PCA"):
        save(pipe, tmp_path / "m.skn")
    assert not (tmp_path / "m.skn").exists()


def test_pickle_and_joblib_keep_working(tmp_path, digits):
    X, y = digits
    clf = NumpyMLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0).fit(X, y)
    joblib.dump(clf, tmp_path / "m.joblib")
    for again in (pickle.loads(pickle.dumps(clf)), joblib.load(tmp_path / "m.joblib")):
        np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))


def test_metadata_is_stored_beside_the_model(tmp_path, digits):
    X, y = digits
    clf = NumpyMLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0).fit(X, y)
    clf.save(tmp_path / "m.skn", metadata={"features": ["a", "b"], "target": "digit"})
    model, metadata = load(tmp_path / "m.skn", with_metadata=True)
    assert metadata == {"features": ["a", "b"], "target": "digit"}
    np.testing.assert_array_equal(model.predict(X), clf.predict(X))
    with pytest.raises(TypeError):
        clf.save(tmp_path / "bad.skn", metadata={"f": object()})
    assert not (tmp_path / "bad.skn").exists()


def test_a_transformed_target_regressor_roundtrips(tmp_path):
    from sklearn.compose import TransformedTargetRegressor

    X, y = make_regression(n_samples=80, n_features=4, noise=1.0, random_state=0)
    model = TransformedTargetRegressor(
        make_pipeline(StandardScaler(), NumpyMLPRegressor(hidden_layer_sizes=(6,), max_iter=30, random_state=0)),
        transformer=StandardScaler()).fit(X, y * 100)
    again = roundtrip(model, tmp_path)
    np.testing.assert_array_equal(again.predict(X), model.predict(X))
    np.testing.assert_array_equal(again.transformer_.scale_, model.transformer_.scale_)


def test_the_save_load_example_runs(tmp_path):
    import runpy
    from pathlib import Path

    main = runpy.run_path(str(Path(__file__).resolve().parent.parent / "examples" / "save_load.py"))["main"]
    figures = main(max_iter=8, out_dir=str(tmp_path))
    assert figures["same_predictions"] and figures["identical_after_training"]
    assert figures["accuracy"] > 0.8
    assert sorted(os.listdir(tmp_path)) == ["digits.skn", "swish.skn"]


class _PlainSGD:
    """An optimizer that is not an Optimizer: any object with update(old_params, gradient)."""

    def __init__(self, lr=0.1):
        self.lr = lr

    def update(self, params, gradient):
        params -= self.lr * gradient
        return params


def test_plain_component_objects_save_and_load(tmp_path, digits):
    X, y = digits
    model = NumpyMLPClassifier(hidden_layer_sizes=(8,), max_iter=3, optimizer=_PlainSGD(), random_state=0).fit(X, y)
    model.save(tmp_path / "model.skn")
    again = load(tmp_path / "model.skn", custom_objects={"_PlainSGD": _PlainSGD()})
    np.testing.assert_array_equal(again.predict_proba(X), model.predict_proba(X))


class _Tracking(ActivationFunction):
    def __call__(self, x):
        self.shapes_ = {x.shape}  # fitted state a model file cannot hold
        return x

    def derivative(self, x):
        return np.ones_like(x)


@pytest.mark.parametrize("activation, what", [
    (_Pinball(note=Path("notes.txt")), "a _Pinball whose settings include a PosixPath"),
    (_Tracking(), "a _Tracking whose settings include a set"),
])
def test_settings_a_file_cannot_hold_are_named(activation, what, tmp_path, digits):
    X, y = digits
    model = NumpyMLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0, activation=activation).fit(X, y)
    with pytest.raises(TypeError, match=what):
        model.save(tmp_path / "model.skn")


class Tracked(Momentumless):
    seen_ = None  # a name of the fitted-attribute form, defined on the class


@pytest.mark.parametrize("key", ["predict", "__class__", "reset", "seen_"])
def test_a_stored_attribute_cannot_replace_a_method(key, tmp_path, digits):
    X, y = digits
    path = tmp_path / "model.skn"
    NumpyMLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0, optimizer=Tracked()).fit(X, y).save(path)

    def edit(m):
        m["fitted"]["network"]["optimizer"]["state"][key] = 1
        return m

    rewrite_model_entry(path, edit)
    with pytest.raises(ValueError, match=f"sets '{key}', which is not a fitted attribute"):
        load(path, custom_objects={"Tracked": Tracked})


def test_a_deeply_nested_file_is_damaged_not_a_crash(tmp_path, digits):
    X, y = digits
    path = tmp_path / "model.skn"
    NumpyMLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0).fit(X, y).save(path)
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    text = str(arrays["__skneural__"])
    depth = 100_000
    arrays["__skneural__"] = np.array(text.replace('"model": ', '"model": ' + "[" * depth + "]" * depth + ', "was": ', 1))
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    with pytest.raises(ValueError, match="its description is not valid JSON .or nested too deeply."):
        load(path)
