import warnings

import numpy as np
import pytest
from sklearn.metrics import log_loss, mean_poisson_deviance, mean_squared_error

from skneural import losses as L
from skneural.components import resolve

NAMES = ["squared_error", "mse", "categorical_crossentropy", "binary_crossentropy", "huber", "poisson"]


def sample(name, rng, n=6, m=3):
    """Predictions and targets in each loss's domain."""
    if name == "categorical_crossentropy":
        p = rng.dirichlet(np.ones(m), size=n)
        t = np.eye(m)[rng.randint(0, m, n)]
    elif name == "binary_crossentropy":
        p = rng.uniform(0.05, 0.95, (n, m))
        t = rng.randint(0, 2, (n, m)).astype(float)
    elif name == "poisson":
        p = rng.uniform(0.5, 3, (n, m))
        t = rng.poisson(2, (n, m)).astype(float)
    else:
        p = rng.randn(n, m) * 2
        t = rng.randn(n, m)
    return p, t


@pytest.mark.parametrize("name", NAMES)
def test_shapes_are_as_the_original_contract_specifies(name, rng):
    loss = resolve(name, "loss")
    p, t = sample(name, rng)
    assert loss(p, t).shape == (6, 1)
    assert loss.derivative(p, t).shape == (6, 1, 3)
    assert loss.gradient(p, t).shape == (6, 3)


@pytest.mark.parametrize("name", NAMES)
def test_derivative_matches_finite_differences(name, rng):
    loss = resolve(name, "loss")
    p, t = sample(name, rng)
    h = 1e-6
    numeric = np.empty_like(p)
    for j in range(p.shape[1]):
        e = np.zeros_like(p)
        e[:, j] = h
        numeric[:, j] = ((loss(p + e, t) - loss(p - e, t)) / (2 * h))[:, 0]
    np.testing.assert_allclose(loss.derivative(p, t)[:, 0, :], numeric, rtol=1e-6, atol=1e-9)


def test_values_match_scikit_learn_metrics(rng):
    p, t = sample("mse", rng, m=1)
    np.testing.assert_allclose(L.MeanSquaredError()(p, t).mean(), mean_squared_error(t, p))
    np.testing.assert_allclose(L.SquaredError()(p, t).mean(), 0.5 * mean_squared_error(t, p))
    p, t = sample("categorical_crossentropy", rng)
    np.testing.assert_allclose(L.CategoricalCrossEntropy()(p, t).mean(), log_loss(t, p))
    p, t = sample("binary_crossentropy", rng, m=1)
    np.testing.assert_allclose(L.BinaryCrossEntropy()(p, t).mean(), log_loss(t[:, 0], p[:, 0]))
    p, t = sample("poisson", rng, m=1)
    np.testing.assert_allclose(L.Poisson()(p, t).mean(), 0.5 * mean_poisson_deviance(t, p))


def test_huber_is_quadratic_inside_and_linear_outside():
    t = np.zeros((1, 4))
    p = np.array([[0.5, -0.5, 3.0, -3.0]])
    per_output = np.array([0.125, 0.125, 2.5, 2.5])  # 0.5 r^2 inside delta=1, |r| - 0.5 outside
    np.testing.assert_allclose(L.Huber()(p, t), [[per_output.mean()]])
    np.testing.assert_allclose(L.Huber(delta=5.0)(p, t), [[np.mean(0.5 * p**2)]])


def test_cross_entropies_are_finite_at_probabilities_0_and_1():
    p = np.array([[0.0, 1.0], [1.0, 0.0]])
    t = np.array([[1.0, 0.0], [1.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for loss in (L.CategoricalCrossEntropy(), L.BinaryCrossEntropy()):
            assert np.all(np.isfinite(loss(p, t)))
            assert np.all(np.isfinite(loss.derivative(p, t)))
        assert np.all(np.isfinite(L.Poisson()(np.zeros((1, 1)), np.ones((1, 1)))))
    # a perfect prediction costs nothing, a certain wrong one a large finite amount
    assert L.CategoricalCrossEntropy()(p, t)[1, 0] == 0
    assert L.CategoricalCrossEntropy()(p, t)[0, 0] == pytest.approx(-np.log(L.EPS))


@pytest.mark.parametrize("name", NAMES)
def test_float32_stays_float32(name, rng):
    loss = resolve(name, "loss")
    p, t = (a.astype(np.float32) for a in sample(name, rng))
    assert loss(p, t).dtype == np.float32
    assert loss.derivative(p, t).dtype == np.float32


def test_eps_is_the_smallest_positive_float64():
    assert L.EPS == np.finfo(np.float64).tiny and L.EPS > 0


def test_pairs_and_wrong_derivative_shapes(rng):
    def mse(y_pred, y_true):
        return np.mean((y_pred - y_true) ** 2, axis=1, keepdims=True)

    def d_mse(y_pred, y_true):
        return np.expand_dims(2 * (y_pred - y_true) / y_true.shape[1], 1)

    loss = resolve((mse, d_mse), "loss")
    p, t = sample("mse", rng)
    np.testing.assert_allclose(loss.gradient(p, t), L.MeanSquaredError().gradient(p, t))
    assert repr(loss) == "FunctionLoss(mse, d_mse)"
    flat = resolve((mse, lambda y_pred, y_true: 2 * (y_pred - y_true)), "loss")
    with pytest.raises(ValueError, match=r"returned shape \(6, 3\).*expected \(6, 1, 3\)"):
        flat.gradient(p, t)


def test_unknown_loss_lists_the_valid_ones():
    with pytest.raises(ValueError, match="Unknown loss 'cross_entropy'") as info:
        resolve("cross_entropy", "loss")
    for name in NAMES:
        assert repr(name) in str(info.value)


def test_hyperparameters_are_params():
    assert L.Huber(delta=2.0).get_params() == {"delta": 2.0}
    assert repr(L.Huber(delta=2.0)) == "Huber(delta=2.0)"


def test_a_loss_without_gradient_or_derivative_says_what_to_define(rng):
    class Incomplete(L.Loss):
        def __call__(self, y_pred, y_true):
            return np.abs(y_pred - y_true).mean(axis=1, keepdims=True)

    p, t = rng.rand(3, 2), rng.rand(3, 2)
    for method in (Incomplete().gradient, Incomplete().derivative):
        with pytest.raises(NotImplementedError, match="neither gradient.*nor derivative"):
            method(p, t)


# -- canonical output activations and log_output ---------------------------------------------------------

CANONICAL = {"categorical_crossentropy": "softmax", "binary_crossentropy": "sigmoid", "poisson": "exp"}


def test_losses_name_their_canonical_activation():
    from skneural.components import names

    for name in NAMES:
        loss = resolve(name, "loss")
        assert loss.canonical_activation == CANONICAL.get(name)
        if loss.canonical_activation is not None:
            assert loss.canonical_activation in names("activation")
            assert hasattr(loss, "from_logits") and hasattr(loss, "logit_gradient")
    assert L.Loss.canonical_activation is None


@pytest.mark.parametrize("name", sorted(CANONICAL))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_log_output_is_the_log_of_the_activation_and_stays_finite(name, dtype, rng):
    loss, activation = resolve(name, "loss"), resolve(CANONICAL[name], "activation")
    z = (rng.randn(50, 4) * 5).astype(dtype)
    with np.errstate(divide="ignore"):
        expected = np.log(activation(z))
    got = loss.log_output(z)
    assert got.shape == z.shape and got.dtype == dtype
    finite = np.isfinite(expected)
    assert finite.mean() > 0.9  # the comparison covers most of z
    tol = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(got[finite], expected[finite], rtol=tol, atol=tol)
    # at saturation, where the activation rounds to 0 or 1, log_output stays finite and exact
    extreme = np.array([[-1000.0, 0.0, 1000.0], [1000.0, 1000.0, -1000.0]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = loss.log_output(extreme)
    assert np.all(np.isfinite(out))
    exact = {"categorical_crossentropy": [[-2000.0, -1000.0, 0.0], [-np.log(2), -np.log(2), -2000.0 - np.log(2)]],
             "binary_crossentropy": [[-1000.0, -np.log(2), 0.0], [0.0, 0.0, -1000.0]],
             "poisson": extreme}[name]
    np.testing.assert_allclose(out, exact, rtol=tol, atol=2000 * np.finfo(dtype).eps)  # rounding of z's magnitude
    assert out is not extreme and not np.shares_memory(out, extreme)


def test_log_output_agrees_with_from_logits(rng):
    z = rng.randn(8, 3) * 3
    onehot = np.eye(3)[rng.randint(0, 3, 8)]
    cce = L.CategoricalCrossEntropy()
    np.testing.assert_allclose(cce.from_logits(z, onehot), -np.sum(onehot * cce.log_output(z), axis=1, keepdims=True))
    t = rng.randint(0, 2, (8, 3)).astype(float)
    bce = L.BinaryCrossEntropy()  # log(1 - sigmoid(z)) = log(sigmoid(-z))
    np.testing.assert_allclose(bce.from_logits(z, t),
                               -np.sum(t * bce.log_output(z) + (1 - t) * bce.log_output(-z), axis=1, keepdims=True))
    counts = rng.poisson(2, (8, 3)).astype(float)
    poisson = L.Poisson()
    np.testing.assert_allclose(poisson.from_logits(z, counts), poisson(np.exp(poisson.log_output(z)), counts))


@pytest.mark.parametrize("name", ["squared_error", "mse", "huber"])
def test_losses_without_a_canonical_activation_have_no_log_output(name):
    with pytest.raises(NotImplementedError, match="has no canonical output activation"):
        resolve(name, "loss").log_output(np.zeros((1, 2)))


def test_canonical_pairs_are_exact_types():
    from skneural import activations as A
    from skneural.components import is_canonical_pair

    fused = {(A.Softmax, L.CategoricalCrossEntropy), (A.Sigmoid, L.BinaryCrossEntropy), (A.Exp, L.Poisson)}
    activation_classes = set(A.ACTIVATIONS.values())
    for activation in activation_classes:
        for loss in set(L.LOSSES.values()):
            assert is_canonical_pair(activation(), loss()) == ((activation, loss) in fused)

    class Tempered(A.Softmax):  # another function: the fused formulas would be wrong for it
        def __call__(self, x):
            return super().__call__(x / 2)

    assert not is_canonical_pair(Tempered(), L.CategoricalCrossEntropy())
    assert not is_canonical_pair(None, L.CategoricalCrossEntropy())
    assert not is_canonical_pair(A.Softmax(), None)
    assert is_canonical_pair(A.ACTIVATIONS["logistic"](), L.BinaryCrossEntropy())  # the alias is the same class


def test_huber_delta_is_checked():
    L.Huber(delta=0.5).check_params()
    for bad in (0, -1.0, float("nan"), float("inf"), "1"):
        with pytest.raises(ValueError, match=r"^The 'delta' parameter of Huber must be a float in the range "
                                             r"\(0, inf\)\. Got .* instead\.$"):
            L.Huber(delta=bad).check_params()
    for name in NAMES:
        resolve(name, "loss").check_params()  # the defaults are fine
