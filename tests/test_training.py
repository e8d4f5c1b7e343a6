"""The training loop and its callbacks, and components registered at run time used everywhere."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.datasets import load_iris
from sklearn.neural_network import MLPClassifier

import skneural
from skneural import Adam, NeuralNetwork, NumpyMLPClassifier, NumpyMLPRegressor, components
from skneural.components.optimizers import Optimizer
from skneural.schedules import Adaptive, InvScaling
from skneural.training import Trainer
from skneural.training.callbacks import Callback, EarlyStopping, LearningRateSchedule, LossCurve

rng = np.random.RandomState(0)
X = rng.uniform(-1, 1, (120, 3))
Y = (X[:, :1] - X[:, 1:2] ** 2)


class Recorder(Callback):
    def __init__(self):
        self.calls = []

    def on_train_begin(self, trainer):
        self.calls.append("train_begin")

    def on_epoch_begin(self, trainer):
        self.calls.append(f"epoch_begin {trainer.epoch + 1}")

    def on_batch_end(self, trainer, done, n, running_loss):
        self.calls.append(f"batch {done}/{n}")

    def on_epoch_end(self, trainer):
        self.calls.append(f"epoch_end {trainer.epoch}")
        trainer.stop = trainer.epoch == 2

    def on_train_end(self, trainer):
        self.calls.append("train_end")


def test_the_trainer_calls_every_hook_in_order_and_a_callback_can_stop_it():
    net = NeuralNetwork([3, 4, 1], "tanh", optimizer="sgd", random_state=0)
    recorder = Recorder()
    history = Trainer(net, batch_size=50, max_epochs=10, random_state=0, callbacks=[recorder]).fit(X, Y)
    assert [r["epoch"] for r in history] == [1, 2]
    assert recorder.calls == ["train_begin", "epoch_begin 1", "batch 50/120", "batch 100/120", "batch 120/120",
                              "epoch_end 1", "epoch_begin 2", "batch 50/120", "batch 100/120",
                              "batch 120/120", "epoch_end 2", "train_end"]


def test_network_fit_is_the_trainer_with_the_same_shuffling():
    a = NeuralNetwork([3, 5, 1], "tanh", optimizer=Adam(0.01), random_state=3)
    b = NeuralNetwork([3, 5, 1], "tanh", optimizer=Adam(0.01), random_state=3)
    losses = a.fit(X, Y, batch_size=16, epochs=4)
    history = Trainer(b, batch_size=16, max_epochs=4, random_state=b._rng).fit(X, Y)
    assert losses == [r["loss"] for r in history]
    np.testing.assert_array_equal(a.params, b.params)


@pytest.mark.parametrize("optimizer", ["adam", "rmsprop", "adagrad", "sgd"])
def test_any_optimizer_can_be_scheduled(optimizer):
    net = NeuralNetwork([3, 5, 1], "tanh", optimizer=optimizer, random_state=0)
    initial, seen = 0.05, []

    class Rates(Callback):
        def on_epoch_end(self, trainer):
            seen.append((trainer.samples_seen, trainer.network.optimizer.learning_rate))

    schedule = LearningRateSchedule(InvScaling(power_t=0.7), initial)
    Trainer(net, batch_size=32, max_epochs=5, random_state=0, callbacks=[schedule, Rates()]).fit(X, Y)
    assert [t for t, _ in seen] == [120 * k for k in range(1, 6)]
    for t, rate in seen:
        assert rate == initial / (t + 1) ** 0.7


def test_early_stopping_with_an_adaptive_schedule_reproduces_scikit_learns_sgd():
    X_iris, y_iris = load_iris(return_X_y=True)
    settings = dict(hidden_layer_sizes=(8,), solver="sgd", learning_rate="adaptive", learning_rate_init=0.2,
                    tol=0.05, n_iter_no_change=2, max_iter=60, random_state=0)
    ours = NumpyMLPClassifier(**settings).fit(X_iris / 8, y_iris)
    theirs = MLPClassifier(**settings).fit(X_iris / 8, y_iris)
    assert ours.n_iter_ == theirs.n_iter_ and ours.optimizer_.learning_rate == theirs._optimizer.learning_rate
    assert ours.optimizer_.learning_rate < 0.2  # the schedule did lower it
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-10)


def test_early_stopping_restores_the_best_parameters_it_saw():
    net = NeuralNetwork([3, 6, 1], "tanh", optimizer=Adam(0.05), random_state=0)
    scores, params = [], []

    class Score(Callback):  # a validation score that peaks at epoch 3
        def on_epoch_end(self, trainer):
            trainer.history[-1]["val_score"] = -abs(trainer.epoch - 3)
            params.append(trainer.network.params.copy())

    stopping = EarlyStopping("val_score", min_delta=0.0, patience=2, restore_best_weights=True)
    Trainer(net, batch_size=40, max_epochs=20, random_state=0,
            callbacks=[Score(), LossCurve(scores), stopping]).fit(X, Y)
    assert len(scores) == 6  # epochs 4, 5 and 6 did not improve: more than 2 in a row
    np.testing.assert_array_equal(net.params, params[2])
    assert stopping.best_ == 0


def test_the_adaptive_schedule_divides_by_its_factor_and_then_stops():
    schedule = Adaptive()
    rates = [0.01]
    while (rate := schedule.reduce(rates[-1])) is not None:
        rates.append(rate)
    assert all(b == a / 5.0 for a, b in zip(rates, rates[1:])) and rates[-1] <= 1e-6 < rates[-2]


class SignSGD(Optimizer):
    """A user's optimizer, registered by name."""

    sklearn_params = {"learning_rate": "learning_rate_init"}

    def __init__(self, learning_rate=0.01):
        self.learning_rate = learning_rate

    def _step(self, params, gradient, buffer):
        np.sign(gradient, out=buffer)
        buffer *= float(self.learning_rate)
        params -= buffer


@pytest.fixture
def signsgd():
    components.register("optimizer", "signsgd", SignSGD)
    yield
    components.unregister("optimizer", "signsgd")


def test_a_registered_optimizer_works_by_name_everywhere(signsgd, tmp_path):
    assert isinstance(components.resolve("signsgd", "optimizer"), SignSGD)
    net = NeuralNetwork([3, 4, 1], optimizer="signsgd", random_state=0)
    assert isinstance(net.optimizer, SignSGD)
    reg = NumpyMLPRegressor(hidden_layer_sizes=(8,), optimizer="signsgd", learning_rate_init=0.003, max_iter=20,
                            random_state=0).fit(X, Y[:, 0])
    assert type(reg.optimizer_) is SignSGD and reg.optimizer_.learning_rate == 0.003
    # the scikit-learn parameter it declared is tunable by its own name too
    reg.set_params(optimizer__learning_rate=0.01)
    assert reg.learning_rate_init == 0.01
    with pytest.raises(ValueError, match="takes only 'learning_rate' this way"):
        reg.set_params(optimizer__momentum=0.5)
    # a registered class is the user's code, not skneural's: a model file names it, and load needs it
    path = tmp_path / "model.skn"
    reg.save(path)
    with pytest.raises(ValueError, match="SignSGD"):
        skneural.load(path)
    again = skneural.load(path, custom_objects={"SignSGD": SignSGD})
    np.testing.assert_array_equal(again.predict(X), reg.predict(X))


def test_an_unknown_optimizer_name_lists_the_registered_ones(signsgd):
    with pytest.raises(ValueError, match="'signsgd'"):
        NumpyMLPClassifier(optimizer="signsdg").fit(X, Y[:, 0] > 0)
    with pytest.raises(ValueError, match="Did you mean 'signsgd'"):
        NumpyMLPClassifier(optimizer="signsdg").fit(X, Y[:, 0] > 0)


def test_registering_a_taken_name_for_another_class_is_refused():
    with pytest.raises(ValueError, match="adam"):
        components.register("optimizer", "adam", SignSGD)


def test_each_fit_starts_from_the_rate_set_and_partial_fit_goes_on_as_scikit_learns():
    from sklearn.neural_network import MLPClassifier

    X_iris, y_iris = load_iris(return_X_y=True)
    rates = []
    for cls in (NumpyMLPClassifier, MLPClassifier):
        clf = cls((8,), solver="sgd", learning_rate="adaptive", learning_rate_init=0.2, tol=0.05,
                  n_iter_no_change=2, max_iter=60, random_state=0).fit(X_iris / 8, y_iris)
        lowered = clf._optimizer.learning_rate
        clf.set_params(learning_rate="constant", warm_start=True, max_iter=3).fit(X_iris / 8, y_iris)
        warm = clf._optimizer.learning_rate
        clf._optimizer.learning_rate = 0.01  # a rate set by hand stays through partial_fit
        clf.partial_fit(X_iris / 8, y_iris)
        rates.append((lowered, warm, clf._optimizer.learning_rate))
    assert rates[0][0] < 0.2 and rates[0][1:] == (0.2, 0.01)
    assert rates[0] == pytest.approx(rates[1], rel=1e-12)


def test_a_component_with_settings_out_of_range_is_refused_before_training():
    from skneural.losses import Huber

    with pytest.raises(ValueError, match="Invalid 'loss' parameter of NumpyMLPRegressor: The 'delta' parameter"):
        NumpyMLPRegressor(loss=Huber(delta=-1)).fit(X, Y[:, 0])
    with pytest.raises(ValueError, match="The 'delta' parameter of Huber"):
        NeuralNetwork([3, 2, 1], loss=Huber(delta=0))


def test_lbfgs_is_not_held_to_the_stochastic_divergence_rule():
    # rows of zero weight far from the rest: L-BFGS fits the weighted rows with a linear model, whose
    # loss on the sampled rows (zero-weight ones included) ends far above where it started; that is
    # not divergence (L-BFGS never ends above its start on the weighted objective)
    rng = np.random.RandomState(0)
    x1 = rng.uniform(-1, 1, (100, 1))
    x = np.vstack([x1, np.full((100, 1), 300.0)])
    y = np.r_[10 * x1[:, 0], np.zeros(100)]
    w = np.r_[np.ones(100), np.zeros(100)]
    reg = NumpyMLPRegressor(hidden_layer_sizes=(20,), activation="identity", solver="lbfgs", max_iter=300,
                            random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg.fit(x, y, sample_weight=w)
    assert reg.score(x[:100], y[:100]) > 0.99


def test_early_stopping_starts_afresh_unless_resumed_and_can_keep_the_best_loss_epoch():
    net = NeuralNetwork([3, 6, 1], "tanh", optimizer=Adam(0.05), random_state=0)
    stopping = EarlyStopping("loss", min_delta=1e-3, patience=3, restore_best_weights=True)
    first = Trainer(net, batch_size=40, max_epochs=300, random_state=0, callbacks=[stopping]).fit(X, Y)
    assert len(first) < 300
    best = min(r["loss"] for r in first)
    assert stopping.best_ == best and stopping.best_params_ is not None
    net2 = NeuralNetwork([3, 6, 1], "tanh", optimizer=Adam(0.05), random_state=0)
    again = Trainer(net2, batch_size=40, max_epochs=300, random_state=0, callbacks=[stopping]).fit(X, Y)
    assert [r["loss"] for r in again] == [r["loss"] for r in first]  # the same run, not cut short


class DecayedSGD(SignSGD):
    sklearn_params = {"learning_rate": "learning_rate_init", "decay": "alpha"}

    def __init__(self, learning_rate=0.01, decay=0.0):
        self.learning_rate = learning_rate
        self.decay = decay


class Misdeclared(SignSGD):
    sklearn_params = {"learning_rate": "learning_rate_initial"}  # no such estimator parameter


def test_what_a_registered_optimizer_declares_concerns_it_alone():
    components.register("optimizer", "decayed", DecayedSGD)
    components.register("optimizer", "misdeclared", Misdeclared)
    try:
        reg = NumpyMLPRegressor(hidden_layer_sizes=(4,), optimizer="decayed", alpha=0.3, max_iter=2, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            assert reg.fit(X, Y[:, 0]).optimizer_.decay == 0.3
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                NumpyMLPRegressor(hidden_layer_sizes=(4,), optimizer=Adam(), alpha=0.3, max_iter=2).fit(X, Y[:, 0])
        # alpha is still the L2 penalty of an optimizer object's fit: not "ignored"
        assert not [w for w in caught if "ignored" in str(w.message)]
        with pytest.raises(ValueError, match="has no parameter 'learning_rate_initial'"):
            NumpyMLPRegressor(optimizer="misdeclared").fit(X, Y[:, 0])
    finally:
        components.unregister("optimizer", "decayed")
        components.unregister("optimizer", "misdeclared")


def test_early_stopping_on_the_validation_loss_keeps_the_best_epoch():
    from skneural.training.callbacks import ValidationLoss

    net = NeuralNetwork([3, 32, 1], "tanh", optimizer=Adam(0.05), random_state=0)
    x_val, y_val = X[:40] + 0.5, Y[:40] * 2  # held-out rows unlike the training ones: their loss turns up
    curve, params = [], []

    class Params(Callback):
        def on_epoch_end(self, trainer):
            params.append(trainer.network.params.copy())

    stopping = EarlyStopping(patience=3, restore_best_weights=True)  # monitors 'val_loss' by default
    Trainer(net, batch_size=20, max_epochs=300, random_state=0,
            callbacks=[ValidationLoss(x_val, y_val, curve=curve), Params(), stopping]).fit(X, Y)
    best = int(np.argmin(curve))
    assert len(curve) < 300 and stopping.best_ == curve[best]
    np.testing.assert_array_equal(net.params, params[best])


def test_early_stopping_says_what_it_cannot_monitor():
    net = NeuralNetwork([3, 2, 1], optimizer="sgd", random_state=0)
    with pytest.raises(ValueError, match="monitors 'val_loss', which this training does not record"):
        Trainer(net, batch_size=20, max_epochs=3, callbacks=[EarlyStopping()]).fit(X, Y)
    with pytest.raises(ValueError, match="cannot monitor 'val_accuracy'. Did you mean 'accuracy'?"):
        Trainer(net, batch_size=20, max_epochs=3, callbacks=[EarlyStopping("val_accuracy")]).fit(X, Y)
    # a scorer's name is valid, but a bare Trainer records no scorer: the estimators do
    with pytest.raises(ValueError, match="monitors 'accuracy', which this training does not record"):
        Trainer(net, batch_size=20, max_epochs=3, callbacks=[EarlyStopping("accuracy")]).fit(X, Y)
