"""Learning-rate schedules (issue 15): each epoch's rate, as the training loop records and uses it,
against the formulas written out here; ReduceOnPlateau as scikit-learn's 'adaptive'."""

import math
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from skneural import NeuralNetwork, NumpyMLPClassifier
from skneural.components import names, resolve
from skneural.components.params import InvalidParameterError
from skneural.schedules import (Adaptive, CosineAnnealing, InvScaling, OneCycle, ReduceOnPlateau, SCHEDULES,
                                Schedule, StepDecay)
from skneural.training import Trainer
from skneural.training.callbacks import Callback, EarlyStopping, LearningRateSchedule

rng = np.random.RandomState(0)
X = rng.uniform(-1, 1, (120, 3))
Y = X[:, :1] - X[:, 1:2] ** 2
INITIAL = 0.05


class RatesUsed(Callback):
    """The optimizer's learning rate at every batch of every epoch (what the updates used)."""

    def __init__(self):
        self.epochs = []

    def on_epoch_begin(self, trainer):
        self.epochs.append([])

    def on_batch_end(self, trainer, done, n, running_loss):
        self.epochs[-1].append(trainer.network.optimizer.learning_rate)


def train(schedule, max_epochs=8, optimizer="sgd", **trainer_settings):
    """Train a small network under ``schedule``: (recorded lr per epoch, rates the batches used)."""
    net = NeuralNetwork([3, 5, 1], "tanh", optimizer=optimizer, random_state=0)
    net.optimizer.learning_rate = INITIAL
    used = RatesUsed()
    trainer = Trainer(net, batch_size=40, max_epochs=max_epochs, random_state=0,
                      callbacks=[LearningRateSchedule(schedule, INITIAL), used], **trainer_settings)
    history = trainer.fit(X, Y)
    recorded = [record["lr"] for record in history]
    for rates, lr in zip(used.epochs, recorded):  # three batches an epoch, all at the recorded rate
        assert rates == [lr] * 3
    assert len(recorded) == len(used.epochs) == max_epochs
    return recorded, net


# -- the formulas, written out independently --------------------------------------------------------

def step_decay(initial, epoch, step_size, gamma):
    return initial * gamma ** (epoch // step_size)


def cosine(initial, epoch, n, low=0.0, warmup=0):
    if epoch < warmup:
        return initial * (epoch + 1) / (warmup + 1)
    if epoch >= n:
        return low
    return low + (initial - low) * (1 + math.cos(math.pi * (epoch - warmup) / (n - warmup))) / 2


def one_cycle(initial, epoch, n, peak=None, pct_start=0.3, div_factor=25.0, final_div_factor=1e4):
    peak = initial if peak is None else peak
    start = peak / div_factor
    end = start / final_div_factor
    top = pct_start * (n - 1)
    if epoch <= top:
        return peak if top == 0 else peak + (start - peak) * (1 + math.cos(math.pi * epoch / top)) / 2
    if epoch >= n - 1:
        return end
    return end + (peak - end) * (1 + math.cos(math.pi * (epoch - top) / (n - 1 - top))) / 2


# -- each epoch's rate in training ----------------------------------------------------------------

@pytest.mark.parametrize("step_size, gamma", [(1, 0.5), (3, 0.3), (10, 1.0)])
def test_step_decay_rates_per_epoch(step_size, gamma):
    recorded, _ = train(StepDecay(step_size=step_size, gamma=gamma))
    assert recorded == [step_decay(INITIAL, e, step_size, gamma) for e in range(8)]
    if gamma < 1:
        assert recorded[-1] < recorded[0] == INITIAL


@pytest.mark.parametrize("settings", [dict(), dict(warmup=3), dict(epochs=5, min_learning_rate=0.01),
                                      dict(epochs=20, min_learning_rate=0.001, warmup=2)])
def test_cosine_annealing_rates_per_epoch(settings):
    recorded, _ = train(CosineAnnealing(**settings), max_epochs=8)
    n = settings.get("epochs") or 8
    expected = [cosine(INITIAL, e, n, settings.get("min_learning_rate", 0.0), settings.get("warmup", 0))
                for e in range(8)]
    assert recorded == expected


def test_warm_up_holds_from_the_first_epoch():
    recorded, _ = train(CosineAnnealing(warmup=4), max_epochs=10)
    assert recorded[:5] == [INITIAL * 1 / 5, INITIAL * 2 / 5, INITIAL * 3 / 5, INITIAL * 4 / 5, INITIAL]
    assert all(a < b for a, b in zip(recorded[:5], recorded[1:5]))  # rising
    assert all(a > b for a, b in zip(recorded[4:], recorded[5:]))  # then falling


def test_cosine_annealing_without_arguments_anneals_over_max_epochs():
    for max_epochs in (10, 24):
        recorded, _ = train(CosineAnnealing(), max_epochs=max_epochs)
        assert recorded[0] == INITIAL
        assert all(a > b for a, b in zip(recorded, recorded[1:]))
        assert recorded[-1] < 0.03 * INITIAL  # near the minimum, 0, at the end of the span
        assert recorded[max_epochs // 2] == pytest.approx(INITIAL / 2)


@pytest.mark.parametrize("settings", [dict(), dict(max_learning_rate=0.2, pct_start=0.5),
                                      dict(pct_start=0.0, div_factor=10.0, final_div_factor=100.0),
                                      dict(pct_start=1.0), dict(epochs=4)])
def test_one_cycle_rates_per_epoch(settings):
    recorded, _ = train(OneCycle(**settings), max_epochs=11)
    settings = dict(settings)
    n = settings.pop("epochs", 11)
    peak = settings.pop("max_learning_rate", None)
    assert recorded == [one_cycle(INITIAL, e, n, peak, **settings) for e in range(11)]
    top = settings.get("pct_start", 0.3) * (n - 1)
    assert max(recorded) <= (peak or INITIAL)
    if top == int(top):  # the peak falls on an epoch
        assert max(recorded) == (peak or INITIAL)


def test_one_cycle_goes_up_then_down_to_far_below_the_start():
    recorded, _ = train(OneCycle(), max_epochs=11)
    top = recorded.index(max(recorded))
    assert recorded[0] == pytest.approx(INITIAL / 25, rel=1e-12) and recorded[-1] == INITIAL / 25 / 1e4
    assert 0 < top < 10
    assert all(a < b for a, b in zip(recorded[:top], recorded[1:top + 1]))
    assert all(a > b for a, b in zip(recorded[top:], recorded[top + 1:]))


def test_a_warm_start_goes_on_counting_epochs():
    recorded, _ = train(StepDecay(step_size=3, gamma=0.5), max_epochs=4, initial_epoch=4)
    assert recorded == [step_decay(INITIAL, e, 3, 0.5) for e in range(4, 8)]
    recorded, _ = train(CosineAnnealing(), max_epochs=4, initial_epoch=4)  # the span ends at epoch 8
    assert recorded == [cosine(INITIAL, e, 8) for e in range(4, 8)]


def test_epoch_schedules_drive_any_optimizer():
    recorded, net = train(CosineAnnealing(warmup=1), max_epochs=6, optimizer="adamw")
    assert recorded == [cosine(INITIAL, e, 6, warmup=1) for e in range(6)]
    assert net.optimizer.learning_rate == recorded[-1]


# -- the original protocol and its timing ------------------------------------------------------------

def test_invscaling_keeps_scikit_learns_timing_and_records_the_rate_each_epoch_used():
    recorded, net = train(InvScaling(power_t=0.7), max_epochs=5)
    # scikit-learn sets the rate after every epoch, from the samples seen so far; epoch 1 uses initial
    assert recorded == [INITIAL] + [INITIAL / (120 * k + 1) ** 0.7 for k in range(1, 5)]
    assert net.optimizer.learning_rate == INITIAL / (120 * 5 + 1) ** 0.7  # set after the last epoch


def test_schedules_of_ones_own_with_the_original_protocol_still_work():
    calls = []

    class Halving:  # not even a Schedule: rate(initial, t) and reduce(current)
        def rate(self, initial, t):
            calls.append(t)
            return initial / 2 ** (t // 240)

        def reduce(self, current):
            return None

    class Anything(Schedule):  # **kwargs is not taken as a request for the epochs
        def rate(self, initial, t, **kwargs):
            assert not kwargs
            return initial / 10

    recorded, _ = train(Halving(), max_epochs=4)
    assert calls == [120, 240, 360, 480]  # after each epoch
    assert recorded == [INITIAL, INITIAL, INITIAL / 2, INITIAL / 2]
    recorded, _ = train(Anything(), max_epochs=3)
    assert recorded == [INITIAL, INITIAL / 10, INITIAL / 10]


def test_a_schedule_naming_only_epoch_gets_only_epoch():
    class Linear(Schedule):
        def rate(self, initial, t, epoch):
            return initial * (epoch + 1)

    recorded, _ = train(Linear(), max_epochs=3)
    assert recorded == [INITIAL, 2 * INITIAL, 3 * INITIAL]


# -- ReduceOnPlateau is scikit-learn's 'adaptive' ---------------------------------------------------

def test_reduce_on_plateau_defaults_are_adaptive_bit_for_bit():
    for start in (0.2, 0.001, 0.37, 1e-6, 3e-6, 1.0):
        ours, theirs = [start], [start]
        while (rate := ReduceOnPlateau().reduce(ours[-1])) is not None:
            ours.append(rate)
        while (rate := Adaptive().reduce(theirs[-1])) is not None:
            theirs.append(rate)
        sklearn, rate = [start], start
        while rate > 1e-6:  # scikit-learn's _fit_stochastic
            rate /= 5.0
            sklearn.append(rate)
        assert ours == theirs == sklearn
    assert ReduceOnPlateau().get_params() == Adaptive().get_params() == {"factor": 5.0, "min_learning_rate": 1e-6}
    assert ReduceOnPlateau(factor=2.0).reduce(0.3) == 0.15
    assert ReduceOnPlateau().rate(0.1, 500) is None


def test_reduce_on_plateau_in_a_trainer_lowers_the_rate_when_progress_stalls():
    class Flat(Callback):  # a validation score that never improves
        def on_epoch_end(self, trainer):
            trainer.history[-1]["val_score"] = 0.0

    net = NeuralNetwork([3, 5, 1], "tanh", optimizer="sgd", random_state=0)
    net.optimizer.learning_rate = INITIAL
    schedule = LearningRateSchedule(ReduceOnPlateau(factor=2.0, min_learning_rate=INITIAL / 5), INITIAL)
    stopping = EarlyStopping("val_score", min_delta=0.1, patience=1)
    stopping.drives_schedule = True  # as the estimators' own stopping rule: a plateau lowers the rate first
    history = Trainer(net, batch_size=40, max_epochs=30, random_state=0,
                      callbacks=[Flat(), schedule, stopping]).fit(X, Y)
    # epochs 2 and 3 do not improve on epoch 1: the rate halves after epoch 3, and so on, and
    # training stops at a plateau once the rate is at or below the minimum
    assert [r["lr"] for r in history] == [INITIAL] * 3 + [INITIAL / 2] * 2 + [INITIAL / 4] * 2 + [INITIAL / 8] * 2


@pytest.mark.parametrize("name", ["adaptive", "reduce_on_plateau"])
def test_the_estimator_with_reduce_on_plateau_reproduces_scikit_learns_adaptive_sgd(name):
    X_iris, y_iris = load_iris(return_X_y=True)
    settings = dict(hidden_layer_sizes=(8,), solver="sgd", learning_rate_init=0.2, tol=0.05, n_iter_no_change=2,
                    max_iter=60, random_state=0)
    ours = NumpyMLPClassifier(learning_rate=name, **settings).fit(X_iris / 8, y_iris)
    theirs = MLPClassifier(learning_rate="adaptive", **settings).fit(X_iris / 8, y_iris)
    assert ours.n_iter_ == theirs.n_iter_ and ours.optimizer_.learning_rate == theirs._optimizer.learning_rate
    assert ours.optimizer_.learning_rate < 0.2
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-10)


def test_the_estimators_take_an_epoch_schedule_by_name():
    X_iris, y_iris = load_iris(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = NumpyMLPClassifier(hidden_layer_sizes=(8,), solver="sgd", learning_rate="cosine_annealing",
                                 learning_rate_init=0.1, max_iter=7, n_iter_no_change=100,
                                 random_state=0).fit(X_iris / 8, y_iris)
    assert est.n_iter_ == 7
    assert est.optimizer_.learning_rate == cosine(0.1, 6, 7)  # the last epoch's rate


# -- settings, registry, errors --------------------------------------------------------------------

def test_new_schedules_are_registered_and_behave_as_estimators():
    expected = {"reduce_on_plateau": ReduceOnPlateau, "step_decay": StepDecay, "cosine_annealing": CosineAnnealing,
                "one_cycle": OneCycle}
    for name, cls in expected.items():
        assert SCHEDULES[name] is cls and name in names("schedule") and type(resolve(name, "schedule")) is cls
        cls().check_params()
    schedule = CosineAnnealing(warmup=2)
    assert schedule.get_params() == {"epochs": None, "min_learning_rate": 0.0, "warmup": 2}
    assert repr(schedule) == "CosineAnnealing(warmup=2)" and repr(OneCycle()) == "OneCycle()"
    copy = clone(schedule.set_params(warmup=5, epochs=30))
    assert copy is not schedule and (copy.warmup, copy.epochs) == (5, 30)
    assert repr(StepDecay(step_size=3)) == "StepDecay(step_size=3)"
    assert StepDecay().get_params() == {"step_size": 10, "gamma": 0.5}
    assert OneCycle(pct_start=0.4).get_params()["pct_start"] == 0.4
    assert all(StepDecay().reduce(r) is None for r in (1.0, 1e-9))  # a plateau stops training


@pytest.mark.parametrize("schedule, message", [
    (ReduceOnPlateau(factor=0.2), "The 'factor' parameter of ReduceOnPlateau must be a float in the range "
                                  "(1, inf). Got 0.2 instead."),
    (StepDecay(step_size=0), "The 'step_size' parameter of StepDecay must be an int in the range [1, inf). "
                             "Got 0 instead."),
    (StepDecay(step_size=2.0), "The 'step_size' parameter of StepDecay must be an int"),
    (StepDecay(gamma=0), "The 'gamma' parameter of StepDecay must be a float in the range (0, 1]. Got 0 instead."),
    (CosineAnnealing(warmup=-1), "The 'warmup' parameter of CosineAnnealing must be an int in the range [0, inf)."),
    (CosineAnnealing(epochs=0), "The 'epochs' parameter of CosineAnnealing must be an int in the range [1, inf) "
                                "or None. Got 0 instead."),
    (CosineAnnealing(min_learning_rate=-0.1), "The 'min_learning_rate' parameter of CosineAnnealing must be a float"),
    (OneCycle(pct_start=1.5), "The 'pct_start' parameter of OneCycle must be a float in the range [0, 1]."),
    (OneCycle(max_learning_rate=0), "The 'max_learning_rate' parameter of OneCycle must be a float in the range "
                                    "(0, inf) or None. Got 0 instead."),
    (OneCycle(div_factor=-1.0), "The 'div_factor' parameter of OneCycle"),
    (OneCycle(final_div_factor=0), "The 'final_div_factor' parameter of OneCycle"),
])
def test_bad_settings_get_scikit_learns_message_before_training(schedule, message):
    with pytest.raises(InvalidParameterError) as info:
        schedule.check_params()
    assert str(info.value).startswith(message)
    with pytest.raises(InvalidParameterError):
        train(schedule, max_epochs=2)


def test_an_epoch_schedule_asked_without_the_epochs_says_what_it_needs():
    with pytest.raises(ValueError, match="CosineAnnealing needs the number of epochs"):
        CosineAnnealing().rate(0.1, 0, epoch=3)
    assert CosineAnnealing(epochs=4).rate(0.1, 0, epoch=3) == cosine(0.1, 3, 4)
    assert CosineAnnealing(epochs=4).rate(0.1, 0, epoch=9) == 0.0  # beyond the span: the minimum
    assert OneCycle(epochs=4).rate(0.1, 0, epoch=9) == 0.1 / 25 / 1e4
