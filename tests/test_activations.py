import pickle
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.base import clone

from conftest import numeric_jacobian
from skneural import activations as A
from skneural.components import resolve

ELEMENTWISE = ["identity", "relu", "leaky_relu", "tanh", "sigmoid", "logistic", "elu", "softplus", "exp"]
ALL = ELEMENTWISE + ["softmax"]

# Independent definitions of each function, to check the values themselves.
REFERENCE = {
    "identity": lambda x: x,
    "relu": lambda x: np.where(x > 0, x, 0.0),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.01 * x),
    "tanh": lambda x: (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x)),
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "logistic": lambda x: 1 / (1 + np.exp(-x)),
    "elu": lambda x: np.where(x > 0, x, np.exp(x) - 1),
    "softplus": lambda x: np.log(1 + np.exp(x)),
    "exp": np.exp,
    "softmax": lambda x: np.exp(x) / np.exp(x).sum(axis=1, keepdims=True),
}


def away_from_kinks(rng, shape):
    x = rng.randn(*shape)
    x[np.abs(x) < 1e-3] = 0.5  # relu-like kinks at 0 break finite differences
    return x


@pytest.mark.parametrize("name", ALL)
def test_values_match_definitions(name, rng):
    x = away_from_kinks(rng, (6, 4))
    np.testing.assert_allclose(resolve(name, "activation")(x), REFERENCE[name](x), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_elementwise_derivative_matches_finite_differences(name, rng):
    act = resolve(name, "activation")
    x = away_from_kinks(rng, (7, 3))
    h = 1e-6
    numeric = (act(x + h) - act(x - h)) / (2 * h)
    d = act.derivative(x)
    assert d.shape == x.shape
    np.testing.assert_allclose(d, numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", ALL)
def test_jacobian_matches_finite_differences(name, rng):
    act = resolve(name, "activation")
    x = away_from_kinks(rng, (5, 4))
    jac = act.jacobian(x)
    assert jac.shape == (5, 4, 4)
    np.testing.assert_allclose(jac, numeric_jacobian(act, x), rtol=1e-6, atol=1e-9)


def test_softmax_derivative_is_the_stack_of_jacobians(rng):
    x = rng.randn(6, 5)
    d = A.Softmax().derivative(x)
    assert d.shape == (6, 5, 5)
    np.testing.assert_allclose(d, numeric_jacobian(A.Softmax(), x), rtol=1e-6, atol=1e-10)


@pytest.mark.parametrize("name", ALL)
def test_backprop_is_upstream_times_jacobian(name, rng):
    act = resolve(name, "activation")
    x = away_from_kinks(rng, (5, 4))
    upstream = rng.randn(5, 4)
    expected = np.einsum("ni,nij->nj", upstream, numeric_jacobian(act, x))
    np.testing.assert_allclose(act.backprop(x, act(x), upstream), expected, rtol=1e-6, atol=1e-9)


def test_function_pair_elementwise_and_jacobian(rng):
    x = rng.randn(4, 3)
    upstream = rng.randn(4, 3)
    elementwise = A.FunctionActivation(np.tanh, lambda z: 1 - np.tanh(z) ** 2)
    jacobian = A.FunctionActivation(A.Softmax(), A.Softmax().derivative)
    np.testing.assert_allclose(
        elementwise.backprop(x, elementwise(x), upstream), upstream * (1 - np.tanh(x) ** 2)
    )
    np.testing.assert_allclose(
        jacobian.backprop(x, jacobian(x), upstream),
        np.einsum("ni,nij->nj", upstream, numeric_jacobian(A.Softmax(), x)),
        rtol=1e-6,
    )
    assert repr(elementwise) == "FunctionActivation(tanh, <lambda>)"


def test_wrong_derivative_shape_is_a_clear_error(rng):
    bad = A.FunctionActivation(np.tanh, lambda z: z[:, :1])
    x = rng.randn(4, 3)
    with pytest.raises(ValueError, match=r"returned shape \(4, 1\).*expected \(4, 3\)"):
        bad.backprop(x, bad(x), np.ones_like(x))


def test_softmax_and_sigmoid_are_stable_at_extremes():
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [0.0, 1e4, 1e4]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = A.Softmax()(logits)
        jac = A.Softmax().derivative(logits)
        sig = A.Sigmoid()(np.array([[-1000.0, 1000.0]]))
        soft = A.Softplus()(np.array([[-1000.0, 1000.0]]))
    assert np.all(np.isfinite(s)) and np.all(np.isfinite(jac))
    np.testing.assert_allclose(s.sum(axis=1), 1.0)
    np.testing.assert_allclose(s[0], [1, 0, 0])
    np.testing.assert_allclose(sig, [[0.0, 1.0]])
    np.testing.assert_allclose(soft, [[0.0, 1000.0]])


@pytest.mark.parametrize("name", ALL)
def test_float32_stays_float32(name, rng):
    act = resolve(name, "activation")
    x = rng.randn(3, 4).astype(np.float32)
    y = act(x)
    assert y.dtype == np.float32
    assert act.derivative(x).dtype == np.float32
    assert act.backprop(x, y, np.ones_like(x)).dtype == np.float32


def test_repr_params_and_clone():
    assert repr(A.Tanh()) == "Tanh()"
    leaky = A.LeakyReLU(alpha=0.2)
    assert repr(leaky) == "LeakyReLU(alpha=0.2)"
    assert leaky.set_params(alpha=0.3).get_params() == {"alpha": 0.3}
    assert clone(leaky).alpha == 0.3
    assert pickle.loads(pickle.dumps(leaky)).alpha == 0.3


def test_registry_resolves_exact_names():
    for name in ALL:
        assert type(resolve(name, "activation")) is A.ACTIVATIONS[name]
    assert isinstance(resolve("logistic", "activation"), A.Sigmoid)


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="Unknown activation 'ReLU'") as info:
        resolve("ReLU", "activation")
    for name in ALL:
        assert repr(name) in str(info.value)


def test_objects_and_pairs_resolve():
    obj = A.ELU(alpha=0.5)
    assert resolve(obj, "activation") is obj
    pair = resolve((np.tanh, np.cos), "activation")
    assert isinstance(pair, A.FunctionActivation) and pair.function is np.tanh

    class Duck:
        def __call__(self, x):
            return x * 2

        def derivative(self, x):
            return np.full_like(x, 2.0)

    duck = resolve(Duck(), "activation")
    np.testing.assert_allclose(duck.backprop(np.ones((1, 2)), None, np.ones((1, 2))), [[2.0, 2.0]])
    with pytest.raises(TypeError, match=r"\(function, derivative\)"):
        resolve((np.tanh,), "activation")
    with pytest.raises(TypeError, match="activation must be one of the names"):
        resolve(3, "activation")


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, (3, 4), elements=st.floats(-50, 50)))
def test_softmax_rows_are_distributions_and_backprop_matches_jacobian(x):
    act = A.Softmax()
    s = act(x)
    assert np.all(s >= 0)
    np.testing.assert_allclose(s.sum(axis=1), 1.0)
    upstream = np.arange(12.0).reshape(3, 4)
    np.testing.assert_allclose(
        act.backprop(x, s, upstream), np.einsum("ni,nij->nj", upstream, act.derivative(x)), atol=1e-12
    )


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", ALL)
def test_apply_inplace_gives_the_activation(name, dtype, rng):
    act = A.ACTIVATIONS[name]()
    x = (rng.randn(6, 4) * 3).astype(dtype)
    expected = act(x.copy())
    work = x.copy()
    out = act.apply_inplace(work)
    np.testing.assert_allclose(out, expected, rtol=1e-6 if dtype == np.float32 else 1e-12)
    assert out.dtype == dtype


@pytest.mark.parametrize("name", ["identity", "relu", "tanh", "logistic", "softplus", "exp", "softmax"])
def test_built_ins_apply_inplace_in_the_input(name, rng):
    x = rng.randn(5, 3)
    assert A.ACTIVATIONS[name]().apply_inplace(x) is x


def test_a_user_activation_is_never_applied_over_its_input(rng):
    act = A.FunctionActivation(np.tanh, lambda x: 1 - np.tanh(x) ** 2)
    x = rng.randn(4, 2)
    before = x.copy()
    np.testing.assert_allclose(act.apply_inplace(x), np.tanh(before))
    np.testing.assert_array_equal(x, before)


@pytest.mark.parametrize("cls", [A.LeakyReLU, A.ELU])
def test_alpha_must_be_a_finite_number(cls):
    for good in (0.01, -0.5, 0, np.float32(2.0)):
        cls(alpha=good).check_params()
    for bad in (float("nan"), float("inf"), "0.1", None, True):
        with pytest.raises(ValueError) as info:
            cls(alpha=bad).check_params()
        assert str(info.value) == (f"The 'alpha' parameter of {cls.__name__} must be a float in the range "
                                   f"(-inf, inf). Got {bad!r} instead.")
    for name in ALL:
        resolve(name, "activation").check_params()  # activations without settings have nothing to check
