"""The compiled passes (numba, the 'fast' extra) make the NumPy passes' updates, bit for bit."""

import importlib.util
import os

import numpy as np
import pytest

from skneural import NumpyMLPClassifier
from skneural.components import fused
from skneural.optimizers import Adam, AdamW

if importlib.util.find_spec("numba") is None:
    if os.environ.get("CI"):
        pytest.fail("numba is not installed: pip install -e '.[fast]'", pytrace=False)
    pytest.skip("numba is not installed (the 'fast' extra)", allow_module_level=True)


@pytest.fixture
def numpy_path(monkeypatch):
    """Run the NumPy step, as without numba."""
    def disable():
        monkeypatch.setattr(fused, "MIN_SIZE", np.inf)
    return disable


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("make", [lambda: Adam(learning_rate=0.01), lambda: AdamW(learning_rate=0.01, weight_decay=0.1),
                                  lambda: Adam(beta_1=0.5, beta_2=0.9, epsilon=1e-3)])
def test_the_compiled_step_makes_the_numpy_steps_updates_bit_for_bit(dtype, make, monkeypatch):
    rng = np.random.RandomState(0)
    n = fused.MIN_SIZE + 7
    start = rng.standard_normal(n).astype(dtype)
    gradients = [rng.standard_normal(n).astype(dtype) * scale for scale in (1.0, 1e-3, 10.0, 0.0, 1.0)]
    compiled, reference = make(), make()
    a, b = start.copy(), start.copy()
    for g in gradients:
        compiled.update(a, g)
        with monkeypatch.context() as patch:
            patch.setattr(fused, "MIN_SIZE", np.inf)
            reference.update(b, g)
    assert fused.available()
    assert a.dtype == dtype and not np.array_equal(a, start)
    # the same operations in the same order, each rounded to the dtype: the same bits
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(compiled.m_, reference.m_)
    np.testing.assert_array_equal(compiled.v_, reference.v_)
    assert compiled.t_ == reference.t_ == len(gradients)


def test_the_numpy_step_is_taken_where_the_compiled_one_does_not_apply():
    rng = np.random.RandomState(1)
    small = rng.standard_normal(10)
    assert fused.adam_step(small, small.copy(), np.zeros(10), np.zeros(10), 0.9, 0.999, 1e-3, 1e-8) is False
    big = rng.standard_normal(2 * fused.MIN_SIZE)
    strided = big[::2]  # not contiguous
    assert fused.adam_step(strided, strided.copy(), np.zeros_like(strided), np.zeros_like(strided),
                           0.9, 0.999, 1e-3, 1e-8) is False
    mixed = big.astype(np.float32)  # a gradient of another dtype than the parameters
    assert fused.adam_step(mixed, big, np.zeros_like(mixed), np.zeros_like(mixed), 0.9, 0.999, 1e-3, 1e-8) is False
    params, gradient = big.copy(), rng.standard_normal(big.size)
    assert fused.adam_step(params, gradient, np.zeros_like(big), np.zeros_like(big), 0.9, 0.999, 1e-3, 1e-8)
    assert not np.array_equal(params, big)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("dtype, alpha", [(np.float64, 1e-4), (np.float32, 0.3)])
def test_a_fit_with_the_compiled_passes_matches_one_without(dtype, alpha, numpy_path):
    rng = np.random.RandomState(0 if dtype == np.float64 else 5)
    X, y = rng.standard_normal((300, 200)).astype(dtype), rng.randint(0, 3, 300)
    settings = dict(hidden_layer_sizes=(256,), max_iter=5, alpha=alpha, random_state=0)
    compiled = NumpyMLPClassifier(**settings).fit(X, y)
    assert compiled.coefs_[0].dtype == dtype and compiled.coefs_[0].size >= fused.MIN_SIZE  # both passes compiled
    assert compiled.network_.params.size >= fused.MIN_SIZE
    numpy_path()
    reference = NumpyMLPClassifier(**settings).fit(X, y)
    for a, b in zip(compiled.coefs_ + compiled.intercepts_, reference.coefs_ + reference.intercepts_):
        np.testing.assert_array_equal(a, b)
    assert compiled.loss_curve_ == reference.loss_curve_


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_compiled_l2_pass_gives_numpys_bits(dtype):
    rng = np.random.RandomState(2)
    weights = rng.standard_normal((fused.MIN_SIZE // 100 + 1, 100)).astype(dtype)
    gradient = rng.standard_normal(weights.shape).astype(dtype)
    scale = 1e-4 / 200
    expected = gradient + np.multiply(weights, scale)  # NumPy's two passes, each rounded to the dtype
    compiled = gradient.copy()
    assert fused.add_scaled(compiled, weights, scale)
    np.testing.assert_array_equal(compiled, expected)
    assert compiled.dtype == dtype and not np.array_equal(compiled, gradient)


def test_the_l2_pass_falls_back_where_it_does_not_apply():
    rng = np.random.RandomState(3)
    big = rng.standard_normal((fused.MIN_SIZE // 10 + 1, 20))
    flat = big.ravel()
    for y, x in [(big[:2].copy(), big[:2]),  # too small
                 (np.asfortranarray(big), big.copy()),  # not C-contiguous
                 (big.copy(), big.astype(np.float32)),  # another dtype
                 (big[:, :10].copy(), big[:, :10]),  # a strided view
                 (big.astype(np.float16), big.astype(np.float16)),  # a dtype numba does not compile
                 (big.astype(">f8"), big.astype(">f8")),  # byte-swapped
                 (flat[1:], flat[:-1])]:  # overlapping: the loop would read values it wrote
        y_before, x_before = y.copy(), x.copy()
        assert fused.add_scaled(y, x, 0.5) is False
        np.testing.assert_array_equal(y, y_before)
        np.testing.assert_array_equal(x, x_before)


def test_nothing_is_compiled_when_numba_is_disabled(monkeypatch):
    monkeypatch.setattr(fused, "_compiled", False)  # as with SKNEURAL_FUSED=0 or without numba
    rng = np.random.RandomState(4)
    y, x = rng.standard_normal(fused.MIN_SIZE), rng.standard_normal(fused.MIN_SIZE)
    before = y.copy()
    assert not fused.available()
    assert fused.add_scaled(y, x, 0.5) is False
    assert fused.adam_step(y, x, np.zeros_like(y), np.zeros_like(y), 0.9, 0.999, 1e-3, 1e-8) is False
    np.testing.assert_array_equal(y, before)
