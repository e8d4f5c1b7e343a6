"""Hostile and odd input, numerical robustness, determinism and concurrency.

The battery ``HOSTILE`` holds one case per row (67 cases, counted by
``test_the_battery_is_complete``): each must end in a clear ``ValueError`` or
``TypeError`` whose message says what is wrong, or in a correct, finite
result; never a crash deep in NumPy, a RuntimeWarning, or a NaN model.
"""

import hashlib
import subprocess
import sys
import textwrap
import threading
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from skneural import Adam, NeuralNetwork, NumpyMLPClassifier, NumpyMLPRegressor
from skneural.activations import LeakyReLU, Sigmoid, Softmax
from skneural.losses import BinaryCrossEntropy, CategoricalCrossEntropy, Loss, Poisson

RNG = np.random.RandomState(0)
X = RNG.randn(40, 3)
Y = np.tile([0, 1], 20)
YR = RNG.randn(40)


def clf(**kwargs):
    return NumpyMLPClassifier(**{"hidden_layer_sizes": (4,), "max_iter": 5, "random_state": 0, **kwargs})


def reg(**kwargs):
    return NumpyMLPRegressor(**{"hidden_layer_sizes": (4,), "max_iter": 5, "random_state": 0, **kwargs})


def net():
    return NeuralNetwork([3, 4, 2], "relu", "softmax", "categorical_crossentropy", "adam", random_state=0)


def with_values(a, value, where=(0, 1)):
    a = np.array(a, dtype=float)
    a[where] = value
    return a


def fitted_clf():
    return clf().fit(X, Y)


def _unit_weights(model):
    model.coefs_[0][...] = 1.0  # three inputs of 1e308 then sum past the largest float
    return model


def ones_like(x):
    return np.ones_like(x)


# (name, call, expected exception or None for a correct result, message fragment)
HOSTILE = [
    # X that is not a finite 2-D numeric array
    ("X with NaN", lambda: clf().fit(with_values(X, np.nan), Y), ValueError, "Input X contains NaN"),
    ("X with inf", lambda: clf().fit(with_values(X, np.inf), Y), ValueError, "Input X contains infinity"),
    ("X with -inf", lambda: reg().fit(with_values(X, -np.inf), YR), ValueError, "Input X contains infinity"),
    ("empty X", lambda: clf().fit(np.empty((0, 3)), []), ValueError, "0 sample"),
    ("X with no features", lambda: clf().fit(np.empty((40, 0)), Y), ValueError, "0 feature"),
    ("1-D X", lambda: clf().fit(X[:, 0], Y), ValueError, "Expected 2D array"),
    ("3-D X", lambda: clf().fit(X[:, :, None], Y), ValueError, "dim 3"),
    ("complex X", lambda: clf().fit(X.astype(complex), Y), ValueError, "Complex data not supported"),
    ("strings in X", lambda: clf().fit(np.full((40, 3), "a"), Y), ValueError, "could not convert string to float"),
    ("object X of numbers", lambda: clf().fit(X.astype(object), Y), None, None),
    ("object X with None", lambda: clf().fit(np.where(X > 1, None, X).astype(object), Y), ValueError, "NaN"),
    ("X and y of different lengths", lambda: clf().fit(X, Y[:-1]), ValueError, "inconsistent numbers of samples"),
    ("sample_weight of another length", lambda: clf().fit(X, Y, sample_weight=np.ones(3)), ValueError, "sample_weight"),
    ("one sample (classifier)", lambda: clf().fit(X[:1], Y[:1]), None, None),  # one class, as scikit-learn
    ("one sample (regressor)", lambda: reg().fit(X[:1], YR[:1]), None, None),
    ("one feature", lambda: clf().fit(X[:, :1], Y), None, None),
    ("constant features", lambda: clf().fit(np.ones((40, 3)), Y), None, None),
    ("huge X (1e300), classifier", lambda: clf().fit(X * 1e300, Y), ValueError,
     "Training made no progress.*Scale X"),
    ("huge X (1e300), regressor", lambda: reg().fit(X * 1e300, YR), ValueError, "Training diverged"),
    ("huge X at prediction", lambda: _unit_weights(reg().fit(X, YR)).predict(np.full((2, 3), 1e308)), ValueError,
     "so large that the first layer's outputs overflow"),
    ("wrong feature count at predict", lambda: fitted_clf().predict(X[:, :2]), ValueError, "X has 2 features"),
    ("NaN at predict", lambda: fitted_clf().predict(with_values(X, np.nan)), ValueError, "Input X contains NaN"),
    ("1-D X at predict", lambda: fitted_clf().predict(X[0]), ValueError, "Expected 2D array"),
    ("empty X at predict", lambda: fitted_clf().predict(np.empty((0, 3))), ValueError, "0 sample"),
    ("predict before fit", lambda: clf().predict(X), Exception, "not fitted yet"),
    # y
    ("single class", lambda: clf().fit(X, np.zeros(40)), None, None),  # fitted as scikit-learn fits it
    ("y with NaN (classifier)", lambda: clf().fit(X, with_values(Y, np.nan, 3)), ValueError, "Input y contains NaN"),
    ("y with NaN (regressor)", lambda: reg().fit(X, with_values(YR, np.nan, 3)), ValueError, "Input y contains NaN"),
    ("y with inf (regressor)", lambda: reg().fit(X, with_values(YR, np.inf, 3)), ValueError, "Input y contains infinity"),
    ("huge y (1e300)", lambda: reg().fit(X, YR * 1e300), ValueError, "Training diverged.*the targets"),
    ("labels of mixed types", lambda: clf().fit(X, np.array([1, "a"] * 20, dtype=object)), ValueError,
     "Unknown label type"),
    ("string labels", lambda: clf().fit(X, np.array(["cat", "dog"] * 20)), None, None),
    ("continuous y for a classifier", lambda: clf().fit(X, YR), ValueError, "Unknown label type"),
    ("string y for a regressor", lambda: reg().fit(X, np.array(["a"] * 40)), ValueError, "could not convert"),
    ("2-D y of the wrong length", lambda: reg().fit(X, np.ones((39, 2))), ValueError, "inconsistent numbers"),
    ("unseen label in partial_fit", lambda: clf().partial_fit(X, Y, classes=[0, 1]).partial_fit(X[:2], [5, 5]),
     ValueError, "classes not in"),
    ("labels outside classes on the first partial_fit", lambda: clf().partial_fit(X, Y, classes=[0, 7]),
     ValueError, "classes"),
    ("partial_fit with another feature count", lambda: clf().partial_fit(X, Y, classes=[0, 1]).partial_fit(
        X[:, :2], Y), ValueError, "features"),
    # sample weights
    ("negative sample weights", lambda: clf().fit(X, Y, sample_weight=-np.ones(40)), ValueError, "negative"),
    ("all-zero sample weights", lambda: clf().fit(X, Y, sample_weight=np.zeros(40)), ValueError, "non-zero"),
    ("NaN sample weights", lambda: clf().fit(X, Y, sample_weight=np.full(40, np.nan)), ValueError, "NaN"),
    ("inf sample weights", lambda: clf().fit(X, Y, sample_weight=with_values(np.ones(40), np.inf, 0)), ValueError,
     "infinity"),
    # parameters
    ("zero hidden units", lambda: clf(hidden_layer_sizes=(0,)).fit(X, Y), ValueError, "hidden_layer_sizes"),
    ("negative learning rate", lambda: clf(learning_rate_init=-1).fit(X, Y), ValueError, "learning_rate_init"),
    ("alpha as a string", lambda: clf(alpha="x").fit(X, Y), ValueError, "'alpha' parameter"),
    ("batch_size 0", lambda: clf(batch_size=0).fit(X, Y), ValueError, "batch_size"),
    ("max_iter 0", lambda: clf(max_iter=0).fit(X, Y), ValueError, "max_iter"),
    ("validation_fraction 1", lambda: clf(early_stopping=True, validation_fraction=1.0).fit(X, Y), ValueError,
     "validation_fraction"),
    ("unknown activation", lambda: clf(activation="nope").fit(X, Y), ValueError, "Valid names are"),
    ("unknown loss", lambda: reg(loss="nope").fit(X, YR), ValueError, "Valid names are"),
    ("unknown optimizer", lambda: clf(optimizer="nope").fit(X, Y), ValueError, "Valid names are"),
    ("activation class instead of object", lambda: clf(activation=LeakyReLU).fit(X, Y), TypeError, "not the class"),
    ("optimizer without update", lambda: clf(optimizer=object()).fit(X, Y), TypeError, "update"),
    ("class_weight of the wrong kind", lambda: clf(class_weight="all").fit(X, Y), ValueError, "class_weight"),
    # user components that misbehave
    ("activation returning the wrong shape", lambda: clf(activation=(lambda x: x[:, :1], ones_like)).fit(X, Y),
     ValueError, "must return an array of its input's shape"),
    ("activation returning NaN", lambda: clf(activation=(lambda x: x * np.nan, ones_like)).fit(X, Y), ValueError,
     r"Activation FunctionActivation\(<lambda>, ones_like\) returned nan for finite inputs"),
    ("derivative of the wrong shape", lambda: clf(activation=(np.tanh, lambda x: x[:, :1])).fit(X, Y), ValueError,
     "derivative of activation"),
    ("loss returning one value per batch", lambda: reg(loss=(lambda p, t: np.sum((p - t) ** 2),
                                                             lambda p, t: (2 * (p - t))[:, None, :])).fit(X, YR),
     ValueError, "one loss per sample"),
    ("loss returning NaN", lambda: reg(loss=(lambda p, t: np.full((len(p), 1), np.nan),
                                             lambda p, t: (p - t)[:, None, :])).fit(X, YR), ValueError,
     "The loss FunctionLoss.* returned nan for finite predictions"),
    ("loss derivative of the wrong shape", lambda: reg(loss=(lambda p, t: (p - t) ** 2,
                                                             lambda p, t: p - t)).fit(X, YR), ValueError,
     "expected \\(\\d+, 1, 1\\)"),
    ("loss gradient of the wrong shape", lambda: reg(loss=_FlatGradient()).fit(X, YR), ValueError,
     r"gradient of loss _FlatGradient\(\) has shape \(40,\) for predictions of shape \(40, 1\)"),
    ("loss gradient a scalar", lambda: clf(loss=_FlatGradient(scalar=True), output_activation="softmax")
     .fit(X, np.arange(40) % 3), ValueError, "gradient of loss .* has shape <class 'float'>"),
    ("sample weights summing to infinity", lambda: clf().fit(X, Y, sample_weight=np.r_[1e308, 1e308, np.ones(38)]),
     ValueError, "sample_weight sums to inf"),
    ("sample weights summing to infinity (lbfgs)", lambda: clf(optimizer="lbfgs").fit(
        X, Y, sample_weight=np.r_[1e308, 1e308, np.ones(38)]), ValueError, "too large"),
    ("poisson outputs overflowing at predict", lambda: reg(loss="poisson").fit(np.abs(X), np.abs(YR)).predict(
        np.abs(X) * 3000), ValueError, "network's outputs overflow"),
    ("optimizer object with beta_1 2", lambda: clf(optimizer=Adam(beta_1=2)).fit(X, Y), ValueError,
     r"The 'beta_1' parameter of Adam must be a float in the range \[0, 1\)\. Got 2 instead"),
    ("optimizer object with a negative learning rate", lambda: clf(optimizer=Adam(learning_rate=-1)).fit(X, Y),
     ValueError, r"The 'learning_rate' parameter of Adam must be a float in the range \[0, inf\)\. Got -1 instead"),
    ("optimizer returning the wrong shape", lambda: clf(optimizer=_BadOptimizer()).fit(X, Y), ValueError,
     "update returned shape"),
    # the engine
    ("network fit with NaN", lambda: net().fit(with_values(X, np.nan), Y, categorical=True), ValueError,
     "Input x contains NaN"),
    ("network labels out of range", lambda: net().fit(X, Y + 5, categorical=True), ValueError, "out of range"),
    ("network predict with strings", lambda: net().predict([["a", "b", "c"]]), ValueError, "could not convert"),
    ("network wrong feature count", lambda: net().predict(X[:, :2]), ValueError, "expects 3 features"),
    ("network empty input", lambda: net().fit(np.empty((0, 3)), np.empty((0, 2))), ValueError, "0 sample"),
    ("network one-hot y of the wrong width", lambda: net().fit(X, np.ones((40, 3))), ValueError, "2 outputs"),
]


class _FlatGradient(Loss):
    """Squared error whose gradient loses its second axis (or, with scalar=True, is one number)."""

    def __init__(self, scalar=False):
        self.scalar = scalar

    def __call__(self, y_pred, y_true):
        return np.mean((y_pred - y_true) ** 2, axis=1, keepdims=True)

    def gradient(self, y_pred, y_true):
        return float(np.sum(y_pred - y_true)) if self.scalar else (y_pred - y_true)[:, 0]


class _BadOptimizer:
    def update(self, old_params, gradient):
        return old_params[:-1]

    def __repr__(self):
        return "BadOptimizer()"


def test_the_battery_is_complete():
    assert len(HOSTILE) == 74
    assert len({name for name, *_ in HOSTILE}) == len(HOSTILE)


@pytest.mark.parametrize("name, call, error, message", HOSTILE, ids=[case[0] for case in HOSTILE])
def test_hostile_input(name, call, error, message):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.filterwarnings("ignore", message=".*(Maximum iterations|Got `batch_size`).*")
        if error is None:
            result = call()
            network = getattr(result, "network_", result)
            assert np.all(np.isfinite(network.params)), f"{name}: the model holds non-finite values"
            rows = X[:, :result.n_features_in_]
            assert np.all(np.isfinite(result.predict_proba(rows) if hasattr(result, "classes_") else result.predict(rows)))
        else:
            with pytest.raises(error, match=message):
                call()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_non_finite_value_anywhere_is_rejected_by_fit_and_predict(data):
    shape = data.draw(st.tuples(st.integers(2, 12), st.integers(1, 4)))
    values = data.draw(arrays(np.float64, shape, elements=st.floats(-1e3, 1e3)))
    bad = data.draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    row, col = data.draw(st.integers(0, shape[0] - 1)), data.draw(st.integers(0, shape[1] - 1))
    hostile = values.copy()
    hostile[row, col] = bad
    y = np.arange(shape[0]) % 2
    with pytest.raises(ValueError, match="Input X contains (NaN|infinity)"):
        clf(max_iter=1).fit(hostile, y)
    model = clf(max_iter=1, activation=data.draw(st.sampled_from(["relu", "tanh", "identity"]))).fit(values, y)
    with pytest.raises(ValueError, match="Input X contains (NaN|infinity)"):
        model.predict_proba(hostile)


@pytest.mark.parametrize("make", [clf, reg])
def test_learning_rate_1e3_is_divergence_and_leaves_no_model(make):
    model = make(learning_rate_init=1e3, max_iter=50)
    with pytest.raises(ValueError, match="Training diverged.*over 100 times.*left as it was"):
        model.fit(X, Y if make is clf else YR * 100)
    assert not hasattr(model, "network_")


def test_a_failed_fit_leaves_the_fitted_model_as_it_was():
    model = clf(warm_start=True).fit(X, Y)
    before = [c.copy() for c in model.coefs_], list(model.loss_curve_), model.n_iter_
    for bad in (with_values(X, np.nan), X[:, :2]):
        with pytest.raises(ValueError):
            model.fit(bad, Y)
    for optimizer in ("adam", "sgd", "rmsprop", "adagrad"):
        model.set_params(learning_rate_init=1e3, optimizer=optimizer)
        with pytest.raises(ValueError, match=r"Training diverged: after epoch \d+ the loss is"):
            model.fit(X, Y)
    for a, b in zip(before[0], model.coefs_):
        np.testing.assert_array_equal(a, b)
    assert model.loss_curve_ == before[1] and model.n_iter_ == before[2]


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "rmsprop", "adagrad"])
def test_a_failed_partial_fit_leaves_the_model_and_its_optimizer_as_they_were(optimizer):
    digits_X, digits_y = load_digits(return_X_y=True)
    digits_X = digits_X[:500] / 16
    digits_y = digits_y[:500]

    def model():
        return NumpyMLPClassifier(hidden_layer_sizes=(32,), optimizer=optimizer, random_state=0)

    fitted = model()
    for _ in range(3):
        fitted.partial_fit(digits_X, digits_y, classes=np.arange(10))
    before = [c.copy() for c in fitted.coefs_], list(fitted.loss_curve_), fitted.predict_proba(digits_X)
    state = {k: v.copy() for k, v in vars(fitted.optimizer_).items() if k.endswith("_") and isinstance(v, np.ndarray)}
    fitted.set_params(learning_rate_init=1e3)
    with pytest.raises(ValueError, match="Training diverged"):
        fitted.partial_fit(digits_X, digits_y)
    for a, b in zip(before[0], fitted.coefs_):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(fitted.predict_proba(digits_X), before[2])
    assert fitted.loss_curve_ == before[1] and fitted.optimizer_.learning_rate != 1e3
    for k, v in state.items():
        np.testing.assert_array_equal(getattr(fitted.optimizer_, k), v)
    # with the setting taken back, training goes on as if the failed call had never happened
    fitted.set_params(learning_rate_init=1e-3)
    fitted.partial_fit(digits_X, digits_y)
    twin = model()
    for _ in range(4):
        twin.partial_fit(digits_X, digits_y, classes=np.arange(10))
    for a, b in zip(twin.coefs_, fitted.coefs_):
        np.testing.assert_array_equal(a, b)


# -- numerical robustness ---------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_components_at_extremes_stay_finite_without_warnings(dtype):
    big = 1e4
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        logits = np.array([[big, -big, 0.0], [-big, -big, -big]], dtype=dtype)
        probabilities = Softmax()(logits)
        assert probabilities.dtype == dtype and np.all(np.isfinite(probabilities))
        np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-6)
        sig = Sigmoid()(np.array([[-1000.0, 1000.0]], dtype=dtype))
        np.testing.assert_array_equal(sig, [[0, 1]])
        exact = np.array([[0.0, 1.0]], dtype=dtype)
        target = np.array([[1.0, 0.0]], dtype=dtype)
        for loss in (CategoricalCrossEntropy(), BinaryCrossEntropy()):
            values = loss(exact, target)
            assert np.all(np.isfinite(values)) and values.dtype == dtype and values[0, 0] > 80
            assert np.all(np.isfinite(loss.gradient(exact, target)))
            assert np.all(np.isfinite(loss.from_logits(np.array([[big, -big]], dtype=dtype), target)))
        poisson = Poisson()
        large = np.array([[1e30, 1e3]], dtype=dtype)
        counts = np.array([[3.0, 0.0]], dtype=dtype)
        assert np.all(np.isfinite(poisson(large, counts))) and np.all(np.isfinite(poisson.gradient(large, counts)))
        z = np.array([[60.0, -1e4]], dtype=dtype)
        assert np.all(np.isfinite(poisson.from_logits(z, counts)))


@pytest.mark.parametrize("output, loss", [("softmax", "categorical_crossentropy"), ("sigmoid", "binary_crossentropy"),
                                          ("softmax", "mse"), ("exp", "poisson")])
def test_a_float32_network_at_extreme_logits_trains_without_warnings(output, loss):
    network = NeuralNetwork([3, 8, 2], "tanh", output, loss, Adam(learning_rate=0.01), random_state=0)
    network.layers[-2].weights[...] = 300.0 if output != "exp" else 5.0  # saturating logits
    x = X.astype(np.float32)
    y = np.eye(2, dtype=np.float32)[Y]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        network.fit(x, y, epochs=2, batch_size=8)
        out = network.predict(x)
    assert network.params.dtype == np.float32 and out.dtype == np.float32
    assert np.all(np.isfinite(network.params)) and np.all(np.isfinite(out))


# -- determinism and concurrency ---------------------------------------------------------------

SETTINGS = [dict(optimizer=name) for name in ("sgd", "adam", "rmsprop", "adagrad", "lbfgs")] + [
    dict(early_stopping=True), dict(optimizer="sgd", learning_rate="adaptive", early_stopping=True)]


def fingerprint(model, X):
    digest = hashlib.sha256()
    for array in [*model.coefs_, *model.intercepts_, model.predict_proba(X)]:
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def _digits():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return X[:300] / 16, y[:300]


@pytest.mark.parametrize("settings", SETTINGS, ids=[str(s) for s in SETTINGS])
def test_the_same_random_state_gives_bit_identical_models(settings):
    X, y = _digits()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first, second = (clf(hidden_layer_sizes=(16,), max_iter=15, **settings).fit(X, y) for _ in range(2))
    assert fingerprint(first, X) == fingerprint(second, X)
    third = clf(hidden_layer_sizes=(16,), max_iter=15, random_state=1, **settings)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert fingerprint(third.fit(X, y), X) != fingerprint(first, X)


def test_two_processes_give_bit_identical_models():
    script = textwrap.dedent(f"""
        import warnings
        warnings.simplefilter("ignore")
        import sys
        sys.path.insert(0, {str(__file__.rsplit('/', 1)[0])!r})
        from test_reliability import SETTINGS, _digits, clf, fingerprint
        X, y = _digits()
        for settings in SETTINGS:
            print(fingerprint(clf(hidden_layer_sizes=(16,), max_iter=15, **settings).fit(X, y), X))
    """)
    runs = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
            for _ in range(2)]
    for run in runs:
        assert run.returncode == 0, run.stderr
    lines = runs[0].stdout.split()
    assert len(lines) == len(SETTINGS) and runs[1].stdout.split() == lines
    X, y = _digits()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert fingerprint(clf(hidden_layer_sizes=(16,), max_iter=15, **SETTINGS[1]).fit(X, y), X) == lines[1]


def test_predicting_from_eight_threads_matches_serial():
    X, y = _digits()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = clf(hidden_layer_sizes=(32,), max_iter=20).fit(X, y)
    inputs = [X[i::8] for i in range(8)]
    serial = [(model.predict(x), model.predict_proba(x)) for x in inputs]
    results, barrier = [None] * 8, threading.Barrier(8)

    def work(i):
        barrier.wait()
        results[i] = [(model.predict(x), model.predict_proba(x)) for x in inputs[i:] + inputs[:i]]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, result in enumerate(results):
        for (labels, proba), (want_labels, want_proba) in zip(result, serial[i:] + serial[:i]):
            np.testing.assert_array_equal(labels, want_labels)
            np.testing.assert_array_equal(proba, want_proba)


def test_estimators_sharing_component_objects_never_change_each_other():
    X, y = _digits()
    optimizer, activation = Adam(learning_rate=0.01), LeakyReLU(alpha=0.1)
    alone = clf(hidden_layer_sizes=(8,), optimizer=Adam(learning_rate=0.01), activation=LeakyReLU(alpha=0.1))
    a = clf(hidden_layer_sizes=(8,), optimizer=optimizer, activation=activation)
    b = clf(hidden_layer_sizes=(8,), optimizer=optimizer, activation=activation, random_state=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        alone.fit(X, y)
        a.fit(X, y)
        before = fingerprint(a, X)
        b.fit(X, y)
        a_again = clf(hidden_layer_sizes=(8,), optimizer=optimizer, activation=activation).fit(X, y)
    assert vars(optimizer) == vars(Adam(learning_rate=0.01))  # the shared object was never trained
    assert a.optimizer_ is not b.optimizer_ and a.optimizer_ is not optimizer
    assert fingerprint(a, X) == before == fingerprint(alone, X) == fingerprint(a_again, X)


class _CountingLeakyReLU(LeakyReLU):
    """A user's activation that keeps state: how often it was called."""

    def __call__(self, x):
        self.calls_ = getattr(self, "calls_", 0) + 1
        return super().__call__(x)


def test_fit_trains_copies_of_activation_and_loss_objects():
    X, y = _digits()
    activation, loss = _CountingLeakyReLU(alpha=0.1), CategoricalCrossEntropy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = clf(hidden_layer_sizes=(8,), activation=activation, loss=loss).fit(X, y)
        b = clf(hidden_layer_sizes=(8,), activation=activation, loss=loss, random_state=3).fit(X, y)
    assert not hasattr(activation, "calls_")  # the object passed in was never called
    assert a.network_.hidden_activation is not activation and a.network_.loss is not loss
    assert a.network_.hidden_activation is not b.network_.hidden_activation
    before = b.predict_proba(X)
    a.set_params(activation__alpha=3.0)  # changes the shared parameter object...
    assert b.get_params()["activation"].alpha == 3.0
    np.testing.assert_array_equal(b.predict_proba(X), before)  # ...but not b's fitted model


def test_data_sorted_by_target_is_not_mistaken_for_divergence():
    from sklearn.datasets import make_regression

    X_sorted, y_sorted = make_regression(2000, 5, noise=1, random_state=0)
    order = np.argsort(np.abs(y_sorted))
    X_sorted, y_sorted = X_sorted[order], np.abs(y_sorted[order])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = NumpyMLPRegressor(random_state=0, max_iter=5).fit(X_sorted, y_sorted)
    assert model.loss_curve_[-1] < model.loss_curve_[0]  # it trains; scikit-learn fits this data too
    streamed = NumpyMLPRegressor(random_state=0)
    for chunk in np.array_split(np.arange(2000), 4):  # each chunk starts with its quietest rows
        streamed.partial_fit(X_sorted[chunk], y_sorted[chunk])
    assert np.isfinite(streamed.loss_)
