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


@pytest.mark.parametrize("schedule", [OneCycle(), CosineAnnealing()])
def test_a_training_starts_from_the_rate_set_not_where_a_schedule_left_it(tmp_path, schedule):
    X, y = load_iris(return_X_y=True)
    clf = NumpyMLPClassifier((8,), max_iter=5, random_state=0, warm_start=True, learning_rate=schedule)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
        assert clf.optimizer_.learning_rate < clf.learning_rate_init  # the schedule ended low
        clf.set_params(learning_rate="constant")
        clf.save(tmp_path / "m.skn")  # what save writes, load reads
        loaded = skneural.load(tmp_path / "m.skn")
        assert loaded.optimizer_.learning_rate == clf.optimizer_.learning_rate
        for model in (clf, loaded):
            model.fit(X, y)  # a warm start with a constant rate: the rate set
            assert [h["lr"] for h in model.history_[5:]] == [model.learning_rate_init] * 5
        clf.partial_fit(X, y)
        assert clf.history_[-1]["lr"] == clf.learning_rate_init


@pytest.mark.parametrize("own_epochs", [None, 6])
def test_under_partial_fit_a_schedule_spans_max_iter_calls_or_its_own_epochs(own_epochs):
    X, y = load_iris(return_X_y=True)
    clf = NumpyMLPClassifier((8,), learning_rate=CosineAnnealing(epochs=own_epochs, warmup=1), max_iter=5,
                             learning_rate_init=0.01, random_state=0)
    for _ in range(8):
        clf.partial_fit(X, y, classes=[0, 1, 2])
    n = 5 if own_epochs is None else own_epochs
    expected = [cosine(0.01, epoch, n, 1) if epoch < n else 0.0 for epoch in range(8)]
    np.testing.assert_allclose([h["lr"] for h in clf.history_], expected, rtol=1e-12)
    assert [h["epoch"] for h in clf.history_] == list(range(1, 9))


def test_a_trainer_in_a_loop_of_unknown_length_asks_for_the_schedules_epochs():
    from skneural import NeuralNetwork
    from skneural.training import Trainer
    from skneural.training.callbacks import LearningRateSchedule

    net = NeuralNetwork([4, 3, 3], "tanh", "softmax", "categorical_crossentropy", Adam(), random_state=0)
    trainer = Trainer(net, batch_size=50, max_epochs=1, incremental=True,
                      callbacks=[LearningRateSchedule(OneCycle(), 0.01)])
    with pytest.raises(ValueError, match=r"OneCycle needs the number of epochs to span.*set OneCycle\(epochs="):
        trainer.fit(X, np.eye(3)[y])


def test_a_named_learning_rate_has_no_settings_to_tune():
    X, y = load_iris(return_X_y=True)
    with pytest.raises(ValueError, match="learning_rate is the name 'constant', which has no settings"):
        NumpyMLPClassifier().set_params(learning_rate__warmup=3)
    search = GridSearchCV(NumpyMLPClassifier((4,), max_iter=2), {"learning_rate__warmup": [0, 1]}, cv=2,
                          error_score="raise")
    with pytest.raises(ValueError, match="Set learning_rate to a schedule object"):
        search.fit(X, y)
    # with the object in the same grid point, it is tuned
    NumpyMLPClassifier((4,), max_iter=2).set_params(learning_rate=CosineAnnealing(), learning_rate__warmup=1)
