"""Weight initializers: their formulas, the estimators' scikit-learn-identical start, and the rest."""

import json
import re
import warnings

import numpy as np
import pytest
from scipy import stats
from sklearn.base import clone
from sklearn.datasets import make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.preprocessing import scale

from skneural import NeuralNetwork, NumpyMLPClassifier, NumpyMLPRegressor, load, save
from skneural.components import resolve
from skneural.initializers import INITIALIZERS, GlorotUniform, HeNormal, Initializer, XavierNormal
from skneural.layers import Dense, Tanh

VALID_NAMES = "'glorot_uniform', 'he_normal', 'he_uniform', 'lecun_normal', 'xavier_normal'"


def blobs(n=60, n_features=6, n_classes=3, seed=0):
    rng = np.random.RandomState(seed)
    return rng.randn(n, n_features), rng.randint(0, n_classes, n), rng.randn(n)


def initial_weights(estimator, X, y):
    """The estimator's coefs_ and intercepts_ as initialized: one epoch at a step size of 1e-300
    leaves every nonzero weight where it started (each step is far below half an ulp of it)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.set_params(max_iter=1, learning_rate_init=1e-300).fit(X, y)
    return [a.copy() for a in (*estimator.coefs_, *estimator.intercepts_)]


# -- the estimators start where scikit-learn's do ------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("activation", ["relu", "logistic", "tanh"])
@pytest.mark.parametrize("hidden", [(4,), (9, 5), (16, 8, 3)])
@pytest.mark.parametrize("ours, theirs, target", [
    (NumpyMLPClassifier, MLPClassifier, "multiclass"),
    (NumpyMLPClassifier, MLPClassifier, "binary"),
    (NumpyMLPRegressor, MLPRegressor, "continuous"),
])
def test_initial_weights_are_scikit_learns_bit_for_bit(ours, theirs, target, hidden, activation, dtype):
    X, classes, values = blobs()
    y = {"multiclass": classes, "binary": classes % 2, "continuous": values}[target]
    X = X.astype(dtype)
    settings = dict(hidden_layer_sizes=hidden, activation=activation, random_state=3)
    mine, reference = initial_weights(ours(**settings), X, y), initial_weights(theirs(**settings), X, y)
    assert len(mine) == len(reference) == 2 * (len(hidden) + 1)
    for a, b in zip(mine, reference):
        assert a.dtype == b.dtype == dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)
    # and the comparison can fail: another seed starts elsewhere
    other = initial_weights(ours(**dict(settings, random_state=4)), X, y)
    assert not np.array_equal(other[0], reference[0])


@pytest.mark.parametrize("ours, theirs", [(NumpyMLPClassifier, MLPClassifier), (NumpyMLPRegressor, MLPRegressor)])
def test_nothing_draws_from_the_random_state_before_the_weights(ours, theirs):
    """Early stopping splits with the same RandomState, after the weights in both libraries; a
    RandomState object (not an int) is drawn from in the same order too."""
    X, classes, values = blobs(n=80)
    y = classes if ours is NumpyMLPClassifier else values
    for random_state in (7, "object"):
        def settings():
            rs = np.random.RandomState(7) if random_state == "object" else random_state
            return dict(hidden_layer_sizes=(5, 4), random_state=rs, early_stopping=True)

        for a, b in zip(initial_weights(ours(**settings()), X, y), initial_weights(theirs(**settings()), X, y)):
            np.testing.assert_array_equal(a, b)


def test_logistic_uses_factor_2_only_for_the_name():
    X, _, y = blobs()
    settings = dict(hidden_layer_sizes=(7,), random_state=0)
    sigmoid = initial_weights(NumpyMLPRegressor(activation="sigmoid", **settings), X, y)
    logistic = initial_weights(MLPRegressor(activation="logistic", **settings), X, y)
    for a, b in zip(sigmoid, logistic):  # 'sigmoid' is skneural's other name of the logistic
        np.testing.assert_array_equal(a, b)
    # an object keeps its own factor: GlorotUniform() is 6 even with logistic, as scikit-learn's relu
    explicit = initial_weights(NumpyMLPRegressor(activation="logistic", init=GlorotUniform(), **settings), X, y)
    relu = initial_weights(MLPRegressor(activation="relu", **settings), X, y)
    for a, b in zip(explicit, relu):
        np.testing.assert_array_equal(a, b)
    assert np.abs(explicit[0]).max() > np.sqrt(2 / (6 + 7))  # beyond factor 2's bound
    assert np.abs(logistic[0]).max() <= np.sqrt(2 / (6 + 7))


# -- each initializer follows its formula ---------------------------------------------------------

# name: (distribution, scale (the normal's sigma or the uniform's bound) of (fan_in, fan_out), bias)
FORMULAS = {
    "glorot_uniform": ("uniform", lambda i, o: np.sqrt(6 / (i + o)), "same draw"),
    "xavier_normal": ("normal", lambda i, o: np.sqrt(1 / (i + o)), "same draw"),
    "he_normal": ("normal", lambda i, o: np.sqrt(2 / i), "zeros"),
    "he_uniform": ("uniform", lambda i, o: np.sqrt(6 / i), "zeros"),
    "lecun_normal": ("normal", lambda i, o: np.sqrt(1 / i), "zeros"),
}


def test_every_initializer_has_a_formula_here():
    assert set(FORMULAS) == set(INITIALIZERS)


def follows(values, distribution, scale):
    """A Kolmogorov-Smirnov test of ``values`` against the distribution (a fixed seed: no flakiness)."""
    if distribution == "normal":
        return stats.kstest(values.ravel(), "norm", args=(0, scale)).pvalue > 1e-3
    return stats.kstest(values.ravel(), "uniform", args=(-scale, 2 * scale)).pvalue > 1e-3


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_draws_follow_the_formula(name):
    distribution, scale_of, bias_rule = FORMULAS[name]
    fan_in, fan_out = 400, 300
    scale = scale_of(fan_in, fan_out)
    weights, bias = resolve(name, "initializer")(fan_in, fan_out, np.random.RandomState(0), np.float64)
    assert weights.shape == (fan_in, fan_out) and bias.shape == (1, fan_out)
    std = scale if distribution == "normal" else scale / np.sqrt(3)
    assert weights.std() == pytest.approx(std, rel=0.01)
    assert abs(weights.mean()) < 5 * std / np.sqrt(weights.size)
    assert follows(weights, distribution, scale)
    if distribution == "uniform":
        assert scale * 0.999 < np.abs(weights).max() <= scale
    # the wrong scale is told apart (the test can fail)
    assert not follows(weights, distribution, scale * 1.05)
    if bias_rule == "zeros":
        np.testing.assert_array_equal(bias, 0)
    else:
        assert follows(bias, distribution, scale) and not np.array_equal(bias[0], weights[0])


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_draws_are_reproducible_and_typed(name):
    init = resolve(name, "initializer")
    a = init(30, 20, np.random.RandomState(5), np.float32)
    b = init(30, 20, 5, np.float32)  # an int seeds a RandomState
    c = init(30, 20, np.random.RandomState(6), np.float32)
    for x, y in zip(a, b):
        assert x.dtype == np.float32
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a[0], c[0])
    # float32 values are the float64 draw, cast
    wide = init(30, 20, np.random.RandomState(5), np.float64)
    np.testing.assert_array_equal(a[0], wide[0].astype(np.float32))


def test_glorot_uniform_factor():
    weights, bias = GlorotUniform(factor=2.0)(50, 50, np.random.RandomState(0))
    bound = np.sqrt(2 / 100)
    assert bound * 0.99 < np.abs(weights).max() <= bound and np.abs(bias).max() <= bound
    for bad in (0, -1.0, float("nan"), float("inf"), "6", None, True):
        with pytest.raises(ValueError, match=r"The 'factor' parameter of GlorotUniform must be a float in the range "
                                             rf"\(0, inf\)\. Got {re.escape(repr(bad))} instead\.$"):
            GlorotUniform(factor=bad)(3, 2)


# -- NeuralNetwork and Dense keep the seed's scheme --------------------------------------------------

def old_dense_draw(rng, fan_in, fan_out):
    """How Dense drew before initializers existed: weights, then bias, from N(0, sqrt(1/(in+out)))."""
    sigma = np.sqrt(1.0 / (fan_in + fan_out))
    return rng.normal(0.0, sigma, (fan_in, fan_out)), rng.normal(0.0, sigma, (1, fan_out))


@pytest.mark.parametrize("init", [None, "xavier_normal", XavierNormal()])
def test_neural_network_default_is_unchanged(init):
    sizes = [7, 5, 4, 3]
    net = NeuralNetwork(sizes, random_state=42) if init is None else NeuralNetwork(sizes, random_state=42, init=init)
    rng = np.random.RandomState(42)
    for (fan_in, fan_out), w, b in zip(zip(sizes, sizes[1:]), net.weights, net.biases):
        expected_w, expected_b = old_dense_draw(rng, fan_in, fan_out)
        np.testing.assert_array_equal(w, expected_w)
        np.testing.assert_array_equal(b, expected_b)


def test_dense_default_is_unchanged():
    for dtype in (np.float64, np.float32):
        layer = Dense(64, 40, random_state=0, dtype=dtype)
        expected_w, expected_b = old_dense_draw(np.random.RandomState(0), 64, 40)
        np.testing.assert_array_equal(layer.weights, expected_w.astype(dtype))
        np.testing.assert_array_equal(layer.bias, expected_b.astype(dtype))
        assert layer.weights.dtype == layer.bias.dtype == dtype


def test_neural_network_init_applies_to_every_dense_layer():
    sizes = [6, 8, 2]
    net = NeuralNetwork(sizes, random_state=1, init="he_normal")
    rng = np.random.RandomState(1)
    for (fan_in, fan_out), w, b in zip(zip(sizes, sizes[1:]), net.weights, net.biases):
        np.testing.assert_array_equal(w, rng.normal(0.0, np.sqrt(2 / fan_in), (fan_in, fan_out)))
        np.testing.assert_array_equal(b, 0)
    with pytest.raises(ValueError, match="each Dense layer was initialized when it was made"):
        NeuralNetwork([Dense(3, 2), Tanh()], init="he_normal")


# -- initializers of one's own -----------------------------------------------------------------------

class StandardNormal:
    """Not an Initializer subclass: any callable with the signature is one."""

    def __call__(self, fan_in, fan_out, random_state, dtype):
        weights = random_state.standard_normal((fan_in, fan_out))
        return weights.astype(dtype), random_state.standard_normal(fan_out).astype(dtype)


class Constant(Initializer):
    def __init__(self, value=0.5):
        self.value = value

    def _draw(self, fan_in, fan_out, rng):
        return np.full((fan_in, fan_out), self.value), np.full(fan_out, -self.value)


def test_a_custom_initializer_draws_from_the_estimators_random_state():
    X, _, y = blobs()
    init = StandardNormal()
    reg = NumpyMLPRegressor(hidden_layer_sizes=(5, 3), init=init, random_state=11)
    mine = initial_weights(reg, X, y)
    rng = np.random.RandomState(11)  # layer by layer, weights then bias
    expected = [(rng.standard_normal((fan_in, fan_out)), rng.standard_normal(fan_out))
                for fan_in, fan_out in [(6, 5), (5, 3), (3, 1)]]
    for i, (weights, bias) in enumerate(expected):
        np.testing.assert_array_equal(mine[i], weights)
        np.testing.assert_array_equal(mine[3 + i], bias)
    assert reg.get_params()["init"] is init  # the parameter is kept as passed


def test_an_initializer_subclass_works_in_layers_and_networks():
    layer = Dense(3, 2, init=Constant(0.25))
    np.testing.assert_array_equal(layer.weights, np.full((3, 2), 0.25))
    np.testing.assert_array_equal(layer.bias, [[-0.25, -0.25]])
    net = NeuralNetwork([3, 4, 1], init=Constant(0.1))
    assert all(np.all(w == 0.1) for w in net.weights)


def test_an_initializer_returning_wrong_shapes_is_named():
    def transposed(fan_in, fan_out, random_state, dtype):
        return np.zeros((fan_out, fan_in)), np.zeros(fan_out)

    with pytest.raises(ValueError, match=r"must return \(weights, bias\) of shapes \(3, 2\) and \(1, 2\) "
                                         r"for Dense\(3, 2\); got \(\(2, 3\), \(2,\)\)"):
        Dense(3, 2, init=transposed)
    with pytest.raises(ValueError, match="must return"):
        Dense(3, 2, init=lambda fan_in, fan_out, random_state, dtype: None)


# -- bad values ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("estimator", [NumpyMLPClassifier, NumpyMLPRegressor])
def test_bad_init_values_get_clear_errors(estimator):
    X, classes, values = blobs()
    y = classes if estimator is NumpyMLPClassifier else values
    name = estimator.__name__
    with pytest.raises(ValueError, match=f"Invalid 'init' parameter of {name}: Unknown initializer 'kaiming'. "
                                         f"Valid names are: {VALID_NAMES}."):
        estimator(init="kaiming").fit(X, y)
    with pytest.raises(ValueError, match="Did you mean 'glorot_uniform'"):
        estimator(init="glorot").fit(X, y)
    with pytest.raises(TypeError, match=r"Pass an initializer object, e.g. GlorotUniform\(\), not the class"):
        estimator(init=GlorotUniform).fit(X, y)
    with pytest.raises(TypeError, match=f"initializer must be one of the names {VALID_NAMES}, a callable"):
        estimator(init=5).fit(X, y)
    bad = estimator(hidden_layer_sizes=(3,), init=GlorotUniform(factor=-1.0))
    with pytest.raises(ValueError, match=r"The 'factor' parameter of GlorotUniform must be a float in the range "
                                         r"\(0, inf\)\. Got -1.0 instead"):
        bad.fit(X, y)
    assert not hasattr(bad, "network_")  # left unfitted
    for make in (lambda: NeuralNetwork([2, 3], init="kaiming"), lambda: Dense(2, 3, init="kaiming")):
        with pytest.raises(ValueError, match=f"Unknown initializer 'kaiming'. Valid names are: {VALID_NAMES}."):
            make()


# -- scikit-learn's parameter API ---------------------------------------------------------------------

def test_get_set_params_clone_and_search_with_init_objects():
    X, classes, _ = blobs()
    init = GlorotUniform(factor=2.0)
    clf = NumpyMLPClassifier(hidden_layer_sizes=(4,), max_iter=5, init=init, random_state=0)
    assert clf.get_params()["init__factor"] == 2.0
    assert "init=GlorotUniform(factor=2.0)" in repr(clf)
    clf.set_params(init__factor=3.0)
    assert init.factor == 3.0  # set_params sets the object's own setting, as for any nested estimator
    copy = clone(clf)
    assert copy.init is not init and copy.init.get_params() == {"factor": 3.0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, classes)
        assert init.get_params() == {"factor": 3.0}  # fit never changes the object passed in
        search = GridSearchCV(clf, {"init": ["glorot_uniform", HeNormal(), "xavier_normal"]}, cv=2)
        search.fit(X, classes)
        assert len(search.cv_results_["params"]) == 3
        factors = GridSearchCV(NumpyMLPClassifier(hidden_layer_sizes=(4,), max_iter=5, init=GlorotUniform()),
                               {"init__factor": [1.0, 6.0]}, cv=2).fit(X, classes)
        assert [p["init__factor"] for p in factors.cv_results_["params"]] == [1.0, 6.0]
    bigger = clone(clf).set_params(init=GlorotUniform(factor=60.0))
    assert np.abs(initial_weights(bigger, X, classes)[0]).max() > np.sqrt(6 / 10)


# -- model files -------------------------------------------------------------------------------------

@pytest.mark.parametrize("init", [GlorotUniform(factor=2.0), HeNormal(), XavierNormal(), "lecun_normal"])
def test_init_roundtrips_through_a_model_file(init, tmp_path):
    X, _, y = blobs()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg = NumpyMLPRegressor(hidden_layer_sizes=(5,), max_iter=5, init=init, random_state=0).fit(X, y)
        path = tmp_path / "model.skn"
        save(reg, path)
        again = load(path)
        assert type(again.init) is type(init)
        if not isinstance(init, str):
            assert again.init.get_params() == init.get_params()
        else:
            assert again.init == init
        np.testing.assert_array_equal(again.predict(X), reg.predict(X))
        # the loaded setting trains exactly as the original one
        refit, original = clone(again).fit(X, y), clone(reg).fit(X, y)
    for a, b in zip(refit.coefs_ + refit.intercepts_, original.coefs_ + original.intercepts_):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("factor, message", [
    (-1.0, r"The 'factor' parameter of GlorotUniform must be a float in the range \(0, inf\)\. Got -1.0 instead"),
    ("6", "GlorotUniform.factor must be a finite number"),
])
def test_a_bad_stored_initializer_setting_is_refused(factor, message, tmp_path):
    X, _, y = blobs()
    path = tmp_path / "model.skn"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        save(NumpyMLPRegressor(hidden_layer_sizes=(3,), max_iter=2, init=GlorotUniform()).fit(X, y), path)
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    document = json.loads(str(arrays.pop("__skneural__")))
    assert document["model"]["params"]["init"] == {"component": "GlorotUniform", "params": {"factor": 6.0}}
    document["model"]["params"]["init"]["params"]["factor"] = factor
    with open(path, "wb") as f:
        np.savez(f, **arrays, __skneural__=np.array(json.dumps(document)))
    with pytest.raises(ValueError, match=message):
        load(path)


def test_a_custom_initializer_loads_only_when_passed_in(tmp_path):
    X, _, y = blobs()
    path = tmp_path / "model.skn"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg = NumpyMLPRegressor(hidden_layer_sizes=(3,), max_iter=2, init=Constant(0.2)).fit(X, y)
    save(reg, path)
    with pytest.raises(ValueError, match=r"components of your own \('Constant'\).*custom_objects"):
        load(path)
    again = load(path, custom_objects={"Constant": Constant})
    assert isinstance(again.init, Constant) and again.init.value == 0.2
    np.testing.assert_array_equal(again.predict(X), reg.predict(X))


# -- what the change is for: scikit-learn's partial_fit regression test ------------------------------

@pytest.mark.parametrize("momentum", [0, 0.9])
def test_partial_fit_regression_scores_as_scikit_learn(momentum):
    """sklearn/neural_network/tests/test_mlp.py::test_partial_fit_regression over 10 seeds: with the
    seed's N(0, sqrt(1/(fan_in+fan_out))) start (xavier_normal) it averaged R² 0.53 against
    scikit-learn's 0.68 at momentum 0; from scikit-learn's own start it is scikit-learn's score."""
    X, y = make_regression(n_samples=200, n_features=10, bias=20.0, noise=100.0, random_state=7)
    y = scale(y)
    inits = ["glorot_uniform", "xavier_normal"] if momentum == 0 else ["glorot_uniform"]
    scores = {name: [] for name in ["scikit-learn", *inits]}
    for seed in range(10):
        settings = dict(solver="sgd", activation="relu", learning_rate_init=0.01, random_state=seed,
                        batch_size=X.shape[0], momentum=momentum)
        models = {"scikit-learn": MLPRegressor(**settings)}
        models.update({init: NumpyMLPRegressor(init=init, **settings) for init in inits})
        for _ in range(100):
            for model in models.values():
                model.partial_fit(X, y)
        for name, model in models.items():
            scores[name].append(model.score(X, y))
    mean = {name: np.mean(values) for name, values in scores.items()}
    assert mean["glorot_uniform"] >= mean["scikit-learn"] - 0.02, mean
    if momentum == 0:  # the margin tells the schemes apart: the old start fails it
        assert mean["xavier_normal"] < mean["scikit-learn"] - 0.02, mean
