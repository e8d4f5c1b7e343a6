"""learning_rate given a schedule object: it drives any optimizer, is tunable and kept in model files."""

import math
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

import skneural
from skneural import Adam, NumpyMLPClassifier
from skneural.schedules import CosineAnnealing, OneCycle, StepDecay

X, y = load_iris(return_X_y=True)
X = X / 8


def fit(est):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


def cosine(initial, epoch, epochs, warmup, low=0.0):
    if epoch < warmup:
        return initial * (epoch + 1) / (warmup + 1)
    return low + (initial - low) * (1 + math.cos(math.pi * (epoch - warmup) / (epochs - warmup))) / 2


@pytest.mark.parametrize("optimizer", ["adam", "rmsprop", "sgd", "adamw"])
def test_a_schedule_object_drives_any_named_optimizer(optimizer):
    clf = fit(NumpyMLPClassifier((8,), optimizer=optimizer, learning_rate=CosineAnnealing(warmup=2),
                                 learning_rate_init=0.02, max_iter=10, random_state=0))
    rates = [r["lr"] for r in clf.history_]
    expected = [cosine(0.02, e, 10, 2) for e in range(10)]
    np.testing.assert_allclose(rates, expected, rtol=1e-12)


def test_a_schedule_object_drives_an_optimizer_object_from_its_own_rate():
    clf = fit(NumpyMLPClassifier((8,), optimizer=Adam(learning_rate=0.05), learning_rate=StepDecay(step_size=3),
                                 max_iter=7, random_state=0))
    assert [r["lr"] for r in clf.history_] == [0.05 * 0.5 ** (e // 3) for e in range(7)]
    assert clf.learning_rate.get_params() == StepDecay(step_size=3).get_params()  # fit trained a clone


def test_grid_search_tunes_the_schedules_settings():
    search = GridSearchCV(NumpyMLPClassifier((8,), learning_rate=CosineAnnealing(), max_iter=6, random_state=0),
                          {"learning_rate__warmup": [0, 3]}, cv=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    assert search.best_params_["learning_rate__warmup"] in (0, 3)
    assert search.best_estimator_.learning_rate.warmup == search.best_params_["learning_rate__warmup"]
    assert clone(search.estimator).learning_rate is not search.estimator.learning_rate


def test_a_model_with_a_schedule_object_survives_save_and_load(tmp_path):
    clf = fit(NumpyMLPClassifier((8,), learning_rate=OneCycle(max_learning_rate=0.05), max_iter=8, random_state=0))
    clf.save(tmp_path / "m.skn")
    again = skneural.load(tmp_path / "m.skn")
    assert type(again.learning_rate) is OneCycle and again.learning_rate.get_params() == clf.learning_rate.get_params()
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    for est in (clf, again):
        est.set_params(warm_start=True, max_iter=3)
        fit(est)
    np.testing.assert_array_equal(again.network_.params, clf.network_.params)


def test_bad_schedule_objects_are_refused():
    with pytest.raises(ValueError, match="'learning_rate' parameter of NumpyMLPClassifier must be one of"):
        NumpyMLPClassifier(learning_rate=object()).fit(X, y)
    with pytest.raises(ValueError, match="Invalid 'learning_rate' parameter of NumpyMLPClassifier: The 'warmup'"):
        NumpyMLPClassifier(learning_rate=CosineAnnealing(warmup=-1)).fit(X, y)
