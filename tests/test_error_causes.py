"""Each error names its real cause (issue 12): a user's component that makes nan, bad
class_weight values, a network too large for the machine, data whose scale training cannot
reach.  Every failure also leaves the estimator (or network) as it was."""

import tracemalloc
import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator
from sklearn.datasets import load_digits, load_iris, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

import skneural.network
from skneural import Adam, NeuralNetwork, NumpyMLPClassifier, NumpyMLPRegressor
from skneural.nn.memory import physical_memory
from skneural.cli import main
from skneural.losses import Loss

IRIS_X, IRIS_Y = load_iris(return_X_y=True)
DIGITS_X, DIGITS_Y = load_digits(return_X_y=True)
REG_X, REG_Y = make_regression(300, 5, noise=1, random_state=0)


def clf(**kwargs):
    return NumpyMLPClassifier(**{"hidden_layer_sizes": (8,), "max_iter": 3, "random_state": 0, **kwargs})


def reg(**kwargs):
    return NumpyMLPRegressor(**{"hidden_layer_sizes": (8,), "max_iter": 3, "random_state": 0, **kwargs})


def fitted_state(model):
    return [c.copy() for c in model.coefs_], list(model.loss_curve_), model.n_iter_


def assert_unchanged(model, before):
    for a, b in zip(before[0], model.coefs_):
        np.testing.assert_array_equal(a, b)
    assert model.loss_curve_ == before[1] and model.n_iter_ == before[2]


# -- a user's component that makes nan is named, not reported as divergence --------------------


def half_sqrt_derivative(x):
    return 0.5 / np.sqrt(x)


def test_an_activation_returning_nan_for_negative_inputs_is_blamed():
    model = clf(activation=(np.sqrt, half_sqrt_derivative))
    with pytest.raises(ValueError) as error:
        model.fit(IRIS_X, IRIS_Y)
    message = str(error.value)
    assert "Activation FunctionActivation(sqrt, half_sqrt_derivative) returned nan for finite inputs" in message
    assert "in epoch 1, batch 1 (layer 1): fix the activation" in message
    assert "learning rate" not in message and "diverged" not in message and "scale" not in message
    assert not hasattr(model, "network_")


def test_an_activation_derivative_returning_nan_is_blamed():
    with pytest.raises(ValueError, match=r"The derivative of activation FunctionActivation\(tanh, <lambda>\) gave "
                                         r"nan for finite inputs in epoch 1, batch 1 \(layer 1, backpropagation\)"):
        clf(activation=(np.tanh, lambda x: np.sqrt(-x))).fit(IRIS_X, IRIS_Y)


class SquaredLogError(Loss):
    """A user's loss on log(1 + target): nan for targets below -1 (a bug for such data)."""

    def __call__(self, y_pred, y_true):
        return np.mean((y_pred - np.log1p(y_true)) ** 2, axis=1, keepdims=True)

    def gradient(self, y_pred, y_true):
        return 2 * (y_pred - np.log1p(y_true)) / y_pred.shape[1]


def test_a_loss_returning_nan_is_blamed_and_the_fitted_model_is_kept():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = reg(loss=SquaredLogError(), warm_start=True).fit(REG_X, np.abs(REG_Y))
    before = fitted_state(model)
    with pytest.raises(ValueError) as error:
        model.fit(REG_X, REG_Y)  # negative targets: log1p gives nan
    message = str(error.value)
    assert message.startswith("The loss SquaredLogError() returned nan for finite predictions and targets in "
                              "epoch 1, batch 1: fix the loss")
    assert "learning rate" not in message and "diverged" not in message
    assert_unchanged(model, before)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(REG_X, np.abs(REG_Y))  # and it trains on from where it was
    assert len(model.loss_curve_) == 2 * len(before[1])


def test_a_loss_gradient_returning_nan_is_blamed():
    loss = (lambda p, t: (p - t) ** 2, lambda p, t: np.log(p - t)[:, None, :])
    with pytest.raises(ValueError, match=r"The gradient of loss FunctionLoss\(<lambda>, <lambda>\) gave nan for "
                                         r"finite predictions and targets in epoch 1, batch 1: fix the loss's derivative"):
        reg(loss=loss).fit(REG_X, REG_Y)


class EpsilonInsideRMSprop(BaseEstimator):
    """A user's RMSprop with a sign slip: sqrt(avg - epsilon), nan where gradients stay near 0."""

    def __init__(self, learning_rate=0.01, rho=0.9, epsilon=1e-8):
        self.learning_rate, self.rho, self.epsilon = learning_rate, rho, epsilon

    def update(self, params, grads):
        avg = getattr(self, "avg_", np.zeros_like(params))
        self.avg_ = self.rho * avg + (1 - self.rho) * grads ** 2
        self.rms_ = np.sqrt(self.avg_ - self.epsilon)
        params -= self.learning_rate * grads / self.rms_
        return params


def test_an_optimizer_whose_state_turns_nan_is_blamed_and_the_network_is_kept():
    x, y = DIGITS_X[:200] / 16, DIGITS_Y[:200]  # some pixels are 0 in every image: zero gradients
    net = NeuralNetwork([64, 16, 10], "relu", "softmax", "categorical_crossentropy", Adam(), random_state=0)
    net.fit(x, y, categorical=True, batch_size=50)
    params = net.params.copy()
    net.optimizer = EpsilonInsideRMSprop()
    with pytest.raises(ValueError) as error:
        net.fit(x, y, categorical=True, batch_size=50)
    message = str(error.value)
    assert message.startswith("Optimizer EpsilonInsideRMSprop() produced nan parameters from finite parameters "
                              "and gradients in epoch 1, batch 1 (its state: rms_ holds nan): fix the optimizer.")
    assert "learning rate" not in message
    np.testing.assert_array_equal(net.params, params)
    assert not hasattr(net.optimizer, "avg_")  # the failed optimizer's state was undone too


class LoggingSGD(BaseEstimator):
    """A user's SGD that logs its steps in a list (mutable state, not an array) and makes nan at its fifth."""

    def __init__(self, learning_rate=0.01):
        self.learning_rate = learning_rate

    def update(self, params, grads):
        log = self.__dict__.setdefault("log_", [])
        log.append(len(log))
        if len(log) == 5:
            return params * np.nan
        params -= self.learning_rate * grads
        return params


def test_the_replay_of_a_failed_epoch_leaves_the_optimizers_mutable_state_as_it_was():
    x, y = DIGITS_X[:200] / 16, DIGITS_Y[:200]  # 4 batches of 50: epoch 2 fails at its first step
    net = NeuralNetwork([64, 16, 10], "relu", "softmax", "categorical_crossentropy", LoggingSGD(), random_state=0)
    with pytest.raises(ValueError, match="Optimizer LoggingSGD"):
        net.fit(x, y, categorical=True, batch_size=50, epochs=2)
    assert net.optimizer.log_ == [0, 1, 2, 3]  # as at the start of epoch 2: the replay's step is not kept


def test_the_network_and_its_optimizer_state_are_restored_after_a_blamed_loss():
    net = NeuralNetwork([5, 8, 1], "tanh", "identity", SquaredLogError(), Adam(learning_rate=0.01), random_state=0)
    net.fit(REG_X, np.abs(REG_Y)[:, None] / 100, batch_size=64)
    params = net.params.copy()
    state = {k: v.copy() for k, v in vars(net.optimizer).items() if isinstance(v, np.ndarray) and k != "_buffer"}
    steps = net.optimizer.t_
    with pytest.raises(ValueError, match=r"The loss SquaredLogError\(\) returned nan .* epoch 1, batch 1"):
        net.fit(REG_X, REG_Y[:, None], batch_size=64)
    np.testing.assert_array_equal(net.params, params)
    assert net.optimizer.t_ == steps and set(state) == {"m_", "v_"}
    for k, v in state.items():
        np.testing.assert_array_equal(getattr(net.optimizer, k), v)


def test_a_too_large_learning_rate_is_still_divergence():
    from skneural.optimizers import SGD

    net = NeuralNetwork([64, 32, 1], "relu", "identity", "mse", SGD(learning_rate=1e3), random_state=0)
    with pytest.raises(ValueError) as error:
        net.fit(DIGITS_X[:500], DIGITS_Y[:500].astype(float), epochs=20)  # unscaled 0..16 pixels
    message = str(error.value)
    assert message.startswith("Training diverged in epoch") and "became non-finite" in message
    assert "Try a smaller learning rate, or scale the inputs" in message
    with pytest.raises(ValueError, match=r"Training diverged: after epoch \d+ the loss is .*smaller learning rate"):
        clf(optimizer="sgd", learning_rate_init=1e3, max_iter=20).fit(DIGITS_X[:500], DIGITS_Y[:500])


def test_built_in_components_overflowing_on_huge_values_are_divergence():
    for fit in (lambda: reg(hidden_layer_sizes=(4,)).fit(IRIS_X * 1e300, IRIS_Y),  # relu, squared error
                lambda: reg(loss="poisson", optimizer="sgd", learning_rate_init=10).fit(IRIS_X * 50, IRIS_Y)):
        with pytest.raises(ValueError, match="Training diverged in epoch 1: .*non-finite.*smaller learning rate"):
            fit()


def capped(x):
    """exp, except that it returns inf beyond 5 without overflowing: a bug, not an overflow."""
    return np.where(x > 5, np.inf, np.exp(np.minimum(x, 5)))


def test_a_users_component_that_overflows_is_divergence_but_one_returning_inf_itself_is_blamed():
    settings = dict(optimizer="sgd", learning_rate_init=10, max_iter=50)
    with pytest.raises(ValueError, match="Training diverged in epoch 1:"):
        clf(activation=(np.exp, np.exp), **settings).fit(IRIS_X, IRIS_Y)  # exp overflowing past 709
    with pytest.raises(ValueError, match=r"Activation FunctionActivation\(capped, exp\) returned inf for finite "
                                         "inputs in epoch 1, batch 1"):
        clf(activation=(capped, np.exp), **settings).fit(IRIS_X, IRIS_Y)


def test_a_failure_the_replay_does_not_reproduce_falls_back_to_divergence():
    calls = []

    def flaky(x):  # nan on its first call only: the replay sees nothing wrong
        calls.append(1)
        return x * np.nan if len(calls) == 1 else np.tanh(x)

    net = NeuralNetwork([4, 6, 3], (flaky, lambda x: 1 - np.tanh(x) ** 2), "softmax", "categorical_crossentropy",
                        "adam", random_state=0)
    with pytest.raises(ValueError, match="Training diverged in epoch 1"):
        net.fit(IRIS_X, IRIS_Y, categorical=True)
    assert len(calls) > 1  # the replay ran


def test_the_replay_runs_only_after_a_failure(monkeypatch):
    def forbidden(*args):
        raise AssertionError("the replay ran on a healthy epoch")

    monkeypatch.setattr(skneural.network, "diagnose", forbidden)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf().fit(IRIS_X, IRIS_Y)
    with pytest.raises(AssertionError, match="the replay ran"):
        clf(activation=(np.sqrt, half_sqrt_derivative)).fit(IRIS_X, IRIS_Y)


# -- class_weight ---------------------------------------------------------------------------------


@pytest.mark.parametrize("weight", [-1.0, np.nan, np.inf, 10**400, "heavy", None, [2.0]])
def test_a_bad_class_weight_value_names_class_weight_and_the_class(weight):
    model = clf(class_weight={0: 1.0, 1: weight, 2: 1.0})
    with pytest.raises(ValueError) as error:
        model.fit(IRIS_X, IRIS_Y)
    message = str(error.value)
    assert f"Invalid 'class_weight' parameter of NumpyMLPClassifier: the weight of class 1 is {weight!r}" in message
    assert "finite numbers >= 0" in message and "sample_weight" not in message
    assert not hasattr(model, "network_")


def test_class_weights_that_are_zero_for_every_class_present_are_refused():
    with pytest.raises(ValueError, match=r"class_weight gives weight 0 to every class present in y \(0, 1, 2\)"):
        clf(class_weight={0: 0, 1: 0.0, 2: 0}).fit(IRIS_X, IRIS_Y)
    only_setosa = np.where(IRIS_Y == 0, 1.0, 0.0)
    with pytest.raises(ValueError, match=r"class_weight gives weight 0 to every class of the samples of positive "
                                         r"sample_weight \(0\)"):
        clf(class_weight={0: 0, 1: 1}).fit(IRIS_X, IRIS_Y, sample_weight=only_setosa)
    with warnings.catch_warnings():  # a zero weight for a class that is absent is fine
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf(class_weight={0: 0.0, 1: 2.0}).fit(IRIS_X[IRIS_Y < 2], IRIS_Y[IRIS_Y < 2])


def test_class_weights_too_large_and_labels_that_are_not_classes():
    with pytest.raises(ValueError, match="class_weight is too large: the samples' weights sum to inf in float32"):
        clf(class_weight={0: 1e38}).fit(IRIS_X.astype(np.float32), IRIS_Y)  # 50 times 1e38 overflows
    with pytest.raises(ValueError, match=r"The classes, \[2\], are not in class_weight"):  # scikit-learn's
        clf(class_weight={0: 1.0, 1: 1.0, 7: 1.0}).fit(IRIS_X, IRIS_Y)


def test_a_failed_class_weight_leaves_the_fitted_model_as_it_was():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = clf(warm_start=True).fit(IRIS_X, IRIS_Y)
    before = fitted_state(model)
    for weights in ({0: -1}, {0: 0, 1: 0, 2: 0}):
        with pytest.raises(ValueError, match="class_weight"):
            model.set_params(class_weight=weights).fit(IRIS_X, IRIS_Y)
    assert_unchanged(model, before)


# -- a network too large for the machine ----------------------------------------------------------

HUGE = (10**6, 10**6)  # 10**12 weights: 8 TB of float64 parameters alone


def n_params(sizes):
    return sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))


def peak_bytes(call):
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as error:
            call()
        return tracemalloc.get_traced_memory()[1], str(error.value)
    finally:
        tracemalloc.stop()


@pytest.mark.skipif(physical_memory() is None, reason="the system does not report its physical memory")
def test_hidden_layer_sizes_too_large_for_the_machine_fail_before_any_allocation():
    model = clf(hidden_layer_sizes=HUGE)
    peak, message = peak_bytes(lambda: model.fit(IRIS_X, IRIS_Y))
    assert peak < 10 * 2**20  # the data and bookkeeping only
    assert message.startswith(f"hidden_layer_sizes={HUGE!r} makes a network of "
                              f"{n_params([4, *HUGE, 3]):,} parameters; training it needs about ")
    assert "GiB of memory, more than this machine's" in message and not hasattr(model, "network_")
    peak, message = peak_bytes(lambda: NeuralNetwork([4, *HUGE, 3]))
    assert peak < 2**20 and message.startswith(f"layers=[4, {HUGE[0]}, {HUGE[1]}, 3] makes a network of")


@pytest.mark.skipif(physical_memory() is None, reason="the system does not report its physical memory")
@pytest.mark.parametrize("size", [10**10, np.int64(2**62), 10**30])  # beyond int64 products and int64 itself
def test_sizes_whose_products_overflow_int64_are_counted_exactly(size):
    with pytest.raises(ValueError, match="makes a network of .* parameters; training it needs"):
        clf(hidden_layer_sizes=(size, size)).fit(IRIS_X, IRIS_Y)


def test_the_memory_estimate_covers_what_training_holds(monkeypatch):
    # 10**8 hidden units on iris: 8e8 parameters, 6 GB in float64; with the optimizer's state and
    # the epoch's copies, and the 150-row batch's activations, far more than 16 GiB
    monkeypatch.setattr("skneural.nn.memory.physical_memory", lambda: 16 * 2**30)
    with pytest.raises(ValueError, match=r"hidden_layer_sizes=\(100000000,\) makes a network of 800,000,003 "
                                         r"parameters; .* than this machine's 16.0 GiB"):
        clf(hidden_layer_sizes=(10**8,)).fit(IRIS_X, IRIS_Y)
    with warnings.catch_warnings():  # ordinary sizes are far below
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf(hidden_layer_sizes=(512, 512)).fit(IRIS_X, IRIS_Y)


@pytest.mark.skipif(physical_memory() is None, reason="the system does not report its physical memory")
@pytest.mark.parametrize("hidden", ["10000000000", "100000000000000000000000", "5,10000000000"])
def test_the_command_line_reports_a_huge_hidden_size_in_one_line(hidden, tmp_path, capsys):
    data = tmp_path / "iris.csv"
    data.write_text("a,b,c,d,species\n" + "".join(f"{','.join(map(str, x))},{t}\n"
                                                   for x, t in zip(IRIS_X, IRIS_Y)))
    status = main(["train", str(data), "--target", "species", "--hidden", hidden, "--out", str(tmp_path / "m.skn")])
    err = capsys.readouterr().err
    assert status == 1 and len(err.splitlines()) == 1, err
    assert err.startswith("skneural: error: training failed: hidden_layer_sizes=") and "parameters" in err
    assert not (tmp_path / "m.skn").exists()


# -- data whose scale training cannot reach -------------------------------------------------------


@pytest.mark.parametrize("X, y", [(DIGITS_X * 1e300, DIGITS_Y), (IRIS_X * 1e300, IRIS_Y)], ids=["digits", "iris"])
def test_features_times_1e300_are_an_error_naming_the_scale(X, y):
    model = NumpyMLPClassifier(max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with pytest.raises(ValueError) as error:
            model.fit(X, y)
    message = str(error.value)
    assert message.startswith("Training made no progress: the loss did not improve from ")
    assert f"X holds values as large as {np.abs(X).max():.3g}" in message
    assert "Scale X (e.g. with StandardScaler)" in message and "learning rate" not in message
    assert not hasattr(model, "network_")


@pytest.mark.parametrize("scale, optimizer", [(1e150, "adam"), (1e20, "adam"), (1e150, "lbfgs")])
def test_targets_far_too_large_are_an_error_naming_the_scale(scale, optimizer):
    model = NumpyMLPRegressor(optimizer=optimizer, max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with pytest.raises(ValueError) as error:
            model.fit(REG_X, REG_Y * scale)
    message = str(error.value)
    assert message.startswith("Training made no progress") and "Scale X and y" in message
    assert f"y as large as {np.abs(REG_Y * scale).max():.3g}" in message
    assert not hasattr(model, "network_")


def test_a_partial_fit_on_data_out_of_scale_leaves_the_model_as_it_was():
    model = NumpyMLPRegressor(random_state=0).partial_fit(REG_X, REG_Y / 100)
    before = fitted_state(model)
    with pytest.raises(ValueError, match="Training made no progress.*y as large as"):
        model.partial_fit(REG_X, REG_Y * 1e150)
    assert_unchanged(model, before)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_unscaled_data_with_a_short_max_iter_still_fits(dtype):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        digits = NumpyMLPClassifier(max_iter=2, random_state=0).fit(DIGITS_X.astype(dtype), DIGITS_Y)  # 0..16
        # from the same start (init='glorot_uniform'), two epochs get about as far as scikit-learn's
        theirs = MLPClassifier(max_iter=2, random_state=0).fit(DIGITS_X.astype(dtype), DIGITS_Y)
        assert digits.loss_curve_[-1] < digits.loss_curve_[0]
        assert digits.score(DIGITS_X, DIGITS_Y) > max(0.2, theirs.score(DIGITS_X, DIGITS_Y) - 0.05)
        for max_iter in (1, 5):
            y = (REG_Y / 100 + 1000).astype(dtype)  # a target of mean 1000
            model = NumpyMLPRegressor(max_iter=max_iter, random_state=0).fit(REG_X.astype(dtype), y)
            assert model.n_iter_ == max_iter and np.isfinite(model.loss_)


def test_a_learning_rate_too_small_to_move_the_weights_is_not_mistaken_for_scale():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = clf(learning_rate_init=1e-20, max_iter=5).fit(IRIS_X, IRIS_Y)
    assert model.n_iter_ == 5
