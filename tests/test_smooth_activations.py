"""SELU, GELU, SiLU and Mish: values, derivatives, stability, dtypes, registry, estimators and model files."""

import math
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris

import skneural
from skneural.components import BUILTIN_CLASSES, names, resolve
from skneural.components.smooth_activations import GELU, SELU, SMOOTH_ACTIVATIONS, Mish, SiLU
from skneural.utils import check_gradients

NAMES = ["selu", "gelu", "silu", "mish"]
CLASSES = {"selu": SELU, "gelu": GELU, "silu": SiLU, "mish": Mish}

SELU_ALPHA, SELU_SCALE = 1.6732632423543772, 1.0507009873554805


def _sigmoid(x):
    e = np.exp(-np.abs(x))  # never overflows, unlike exp(-x)
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


# Independent definitions, written from the formulas
REFERENCE = {
    "selu": lambda x: np.array([SELU_SCALE * (v if v > 0 else SELU_ALPHA * (math.exp(v) - 1)) for v in x.flat]
                               ).reshape(x.shape),
    "gelu": lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3))),
    "silu": lambda x: x * _sigmoid(x),
    "mish": lambda x: x * np.tanh(np.log1p(np.exp(np.minimum(x, 700))) + np.maximum(x - 700, 0)),
}


def grid():
    """Points over a wide range, including large |x|, avoiding SELU's kink at 0."""
    x = np.concatenate([np.linspace(-12.05, 12.05, 64), [-1000.0, -100.0, -40.0, -20.0, 20.0, 40.0, 100.0, 1000.0]])
    return x.reshape(-1, 4)


@pytest.mark.parametrize("name", NAMES)
def test_values_match_the_formulas(name):
    x = grid()
    np.testing.assert_allclose(resolve(name, "activation")(x), REFERENCE[name](x), rtol=1e-12, atol=1e-300)


def test_selu_keeps_its_fixed_constants():
    assert (SELU.alpha, SELU.scale) == (SELU_ALPHA, SELU_SCALE)
    assert SELU().get_params() == {}
    x = np.array([[-2.0, -0.5, 0.5, 3.0]])
    expected = [[SELU_SCALE * SELU_ALPHA * (math.exp(-2.0) - 1), SELU_SCALE * SELU_ALPHA * (math.exp(-0.5) - 1),
                 SELU_SCALE * 0.5, SELU_SCALE * 3.0]]
    np.testing.assert_allclose(SELU()(x), expected, rtol=1e-15)
    np.testing.assert_allclose(SELU()(np.array([[-1000.0]])), [[-SELU_SCALE * SELU_ALPHA]], rtol=1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_derivative_and_backprop_match_central_differences(name):
    act = resolve(name, "activation")
    x = grid()
    h = 1e-6 * np.maximum(1.0, np.abs(x))
    numeric = (act(x + h) - act(x - h)) / (2 * h)
    d = act.derivative(x)
    assert d.shape == x.shape and d.dtype == np.float64
    np.testing.assert_allclose(d, numeric, rtol=1e-6, atol=1e-8)
    upstream = np.random.RandomState(0).randn(*x.shape)
    np.testing.assert_allclose(act.backprop(x, act(x), upstream), upstream * numeric, rtol=1e-6, atol=1e-8)
    assert not act.is_rowwise()


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_large_inputs_are_finite_and_warning_free(name, dtype):
    act = resolve(name, "activation")
    x = np.array([[-1000.0, -100.0, 100.0, 1000.0]], dtype=dtype)
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        y = act(x)
        d = act.derivative(x)
        g = act.backprop(x, y, np.ones_like(x))
        inplace = act.apply_inplace(x.copy())
    for a in (y, d, g, inplace):
        assert np.all(np.isfinite(a))
    if name != "selu":  # the others tend to 0 on the left and to x on the right
        np.testing.assert_allclose(y, [[0.0, 0.0, 100.0, 1000.0]], atol=1e-30)
        np.testing.assert_allclose(d, [[0.0, 0.0, 1.0, 1.0]], atol=1e-30)


@pytest.mark.parametrize("name", NAMES)
def test_float32_stays_float32(name):
    act = resolve(name, "activation")
    x = (np.random.RandomState(1).randn(5, 4) * 3).astype(np.float32)
    y = act(x)
    assert y.dtype == np.float32
    assert act.derivative(x).dtype == np.float32
    assert act.backprop(x, y, np.ones_like(x)).dtype == np.float32
    assert act.apply_inplace(x.copy()).dtype == np.float32
    np.testing.assert_allclose(y, act(x.astype(np.float64)), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_apply_inplace_equals_call_and_writes_over_its_input(name, dtype):
    act = resolve(name, "activation")
    x = np.concatenate([np.random.RandomState(2).randn(6, 4) * 4, grid()]).astype(dtype)
    expected = act(x)
    work = x.copy()
    out = act.apply_inplace(work)
    assert out is work and out.dtype == dtype
    np.testing.assert_allclose(out, expected, rtol=1e-6 if dtype == np.float32 else 1e-14)


def test_names_resolve_to_the_registered_classes():
    assert SMOOTH_ACTIVATIONS == CLASSES
    for name, cls in CLASSES.items():
        act = resolve(name, "activation")
        assert type(act) is cls and repr(act) == f"{cls.__name__}()"
        assert name in names("activation") and cls in BUILTIN_CLASSES
        act.check_params()


def test_an_unknown_name_lists_them():
    with pytest.raises(ValueError, match="Unknown activation 'swish'") as info:
        resolve("swish", "activation")
    for name in NAMES:
        assert repr(name) in str(info.value)
    with pytest.raises(ValueError, match="Did you mean 'selu'"):
        resolve("SELU", "activation")


@pytest.fixture(scope="module")
def iris():
    data = load_iris()
    return data.data, data.target


@pytest.mark.parametrize("name", NAMES)
def test_an_estimator_fits_saves_loads_and_has_exact_gradients(name, iris, tmp_path):
    X, y = iris
    est = skneural.NumpyMLPClassifier(activation=name, hidden_layer_sizes=(8,), max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 5 iterations do not converge
        est.fit(X, y)
    assert type(est.network_.hidden_activation) is CLASSES[name]
    path = tmp_path / f"{name}.skn"
    skneural.save(est, path)
    loaded = skneural.load(path)
    assert type(loaded.network_.hidden_activation) is CLASSES[name]
    np.testing.assert_array_equal(loaded.predict(X), est.predict(X))
    np.testing.assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))
    assert check_gradients(est.network_, X, y, categorical=True) < 1e-6
