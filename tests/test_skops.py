"""Fitted skneural estimators saved and loaded with skops (``skops.io``), the format that loads
without running arbitrary code: the same predictions after loading, and training carries on."""

import numpy as np
import pytest
from sklearn.datasets import load_diabetes, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skneural import NumpyMLPClassifier, NumpyMLPRegressor

sio = pytest.importorskip("skops.io")

pytestmark = pytest.mark.filterwarnings("ignore", category=ConvergenceWarning)


def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def diabetes():
    X, y = load_diabetes(return_X_y=True)
    return StandardScaler().fit_transform(X), (y - y.mean()) / y.std()


SETTINGS = dict(hidden_layer_sizes=(8,), max_iter=15, random_state=0)

CASES = {  # name: (a model to fit, its data, how to carry on training it)
    "classifier": (lambda: NumpyMLPClassifier(**SETTINGS), iris),
    "regressor": (lambda: NumpyMLPRegressor(**SETTINGS), diabetes),
    "classifier-early-stopping": (lambda: NumpyMLPClassifier(early_stopping=True, **SETTINGS), iris),
    "regressor-early-stopping": (lambda: NumpyMLPRegressor(early_stopping=True, **SETTINGS), diabetes),
    "classifier-sgd": (lambda: NumpyMLPClassifier(optimizer="sgd", momentum=0.9, **SETTINGS), iris),
    "regressor-sgd": (lambda: NumpyMLPRegressor(optimizer="sgd", **SETTINGS), diabetes),
    "pipeline": (lambda: Pipeline([("scale", StandardScaler()), ("mlp", NumpyMLPClassifier(**SETTINGS))]),
                 lambda: load_iris(return_X_y=True)),
}


def dump_and_load(model, path):
    """The model written by skops.io.dump and read back by skops.io.load, trusting only what it must."""
    sio.dump(model, path)
    untrusted = sio.get_untrusted_types(data=path.read_bytes())
    foreign = [t for t in untrusted if not t.startswith(("skneural.", "numpy.", "sklearn."))]
    assert not foreign, f"types skops does not trust that are not skneural's, NumPy's or scikit-learn's: {foreign}"
    return sio.load(path, trusted=untrusted)


def predictions(model, X):
    out = [model.predict(X)]
    if hasattr(model, "predict_proba"):
        out.append(model.predict_proba(X))
    return out


def carry_on(model, X, y):
    """A few more passes of partial_fit, on the estimator itself or on a pipeline's last step."""
    estimator, Xt = model, X
    if isinstance(model, Pipeline):
        estimator, Xt = model[-1], model[:-1].transform(X)
    estimator.set_params(early_stopping=False)  # partial_fit does not take it (nor does scikit-learn's)
    for _ in range(3):
        estimator.partial_fit(Xt, y)
    return model


@pytest.mark.parametrize("case", CASES)
def test_skops_round_trips_a_fitted_model(case, tmp_path):
    make, data = CASES[case]
    X, y = data()
    model = make().fit(X, y)
    loaded = dump_and_load(model, tmp_path / "model.skops")
    assert type(loaded) is type(model) and loaded is not model
    for ours, theirs in zip(predictions(loaded, X), predictions(model, X)):
        np.testing.assert_array_equal(ours, theirs)
    estimator = loaded[-1] if isinstance(loaded, Pipeline) else loaded
    original = model[-1] if isinstance(model, Pipeline) else model
    assert estimator.get_params() == original.get_params()
    assert estimator.n_iter_ == original.n_iter_ and estimator.loss_curve_ == original.loss_curve_
    np.testing.assert_array_equal(estimator.network_.params, original.network_.params)
    if hasattr(original, "classes_"):
        np.testing.assert_array_equal(estimator.classes_, original.classes_)


@pytest.mark.parametrize("case", CASES)
def test_a_model_loaded_by_skops_trains_on_as_the_original_does(case, tmp_path):
    make, data = CASES[case]
    X, y = data()
    model = make().fit(X, y)
    loaded = dump_and_load(model, tmp_path / "model.skops")
    before = predictions(loaded, X)
    carry_on(loaded, X, y)
    carry_on(model, X, y)
    estimator = loaded[-1] if isinstance(loaded, Pipeline) else loaded
    assert estimator.n_iter_ == (model[-1] if isinstance(model, Pipeline) else model).n_iter_
    # the optimizer's state (Adam's moments, SGD's velocities, the step count) came through: the same steps
    for ours, theirs in zip(predictions(loaded, X), predictions(model, X)):
        np.testing.assert_array_equal(ours, theirs)
    assert not np.array_equal(predictions(loaded, X)[-1], before[-1])  # it did train


def test_a_model_loaded_by_skops_can_be_saved_again(tmp_path):
    X, y = iris()
    model = NumpyMLPClassifier(**SETTINGS).fit(X, y)
    again = dump_and_load(dump_and_load(model, tmp_path / "one.skops"), tmp_path / "two.skops")
    np.testing.assert_array_equal(again.predict_proba(X), model.predict_proba(X))
