"""AdamW: Adam with decoupled weight decay (issue 15)."""

import numpy as np
import pytest
from sklearn.base import clone

from skneural import NeuralNetwork
from skneural.components import names, resolve, sklearn_params
from skneural.components.optimizers import OPTIMIZERS, Adam, AdamW
from skneural.components.params import InvalidParameterError

rng = np.random.RandomState(0)
X = rng.uniform(-1, 1, (200, 3))
Y = X[:, :1] - X[:, 1:2] ** 2


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_without_decay_it_is_adam_bit_for_bit(dtype):
    settings = dict(learning_rate=0.01, beta_1=0.8, beta_2=0.99, epsilon=1e-7)
    adam, adamw = Adam(**settings), AdamW(weight_decay=0.0, **settings)
    w_adam = rng.normal(size=50).astype(dtype)
    w_adamw = w_adam.copy()
    for _ in range(7):
        gradient = rng.normal(size=50).astype(dtype)
        adam.update(w_adam, gradient)
        adamw.update(w_adamw, gradient)
        np.testing.assert_array_equal(w_adamw, w_adam)
    np.testing.assert_array_equal(adamw.m_, adam.m_)
    np.testing.assert_array_equal(adamw.v_, adam.v_)
    assert adamw.t_ == adam.t_ == 7


def test_one_step_is_the_decoupled_formula():
    lr, b1, b2, eps, wd = 0.01, 0.9, 0.999, 1e-8, 0.3
    w0 = rng.normal(size=20)
    m0, v0 = rng.normal(size=20) * 0.1, rng.uniform(0, 0.01, 20)
    g = rng.normal(size=20)
    opt = AdamW(learning_rate=lr, beta_1=b1, beta_2=b2, epsilon=eps, weight_decay=wd)
    opt.update(w0.copy(), np.zeros(20))  # a first step creates the state; then set it by hand
    w = w0.copy()
    opt.m_[...], opt.v_[...] = m0, v0
    opt.update(w, g)
    t = 2
    m = b1 * m0 + (1 - b1) * g
    v = b2 * v0 + (1 - b2) * g * g
    m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
    # Loshchilov & Hutter, as PyTorch's AdamW: the decay is scaled by the learning rate, not by sqrt(v)
    expected = w0 - lr * (m_hat / (np.sqrt(v_hat) + eps * (1 - b2**t) ** -0.5) + wd * w0)
    np.testing.assert_allclose(w, expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(opt.m_, m, rtol=1e-14)
    np.testing.assert_allclose(opt.v_, v, rtol=1e-14)
    # the decay alone: a zero gradient on a fresh optimizer moves w by exactly lr * wd * w (m = 0)
    w = w0.copy()
    AdamW(learning_rate=lr, weight_decay=wd).update(w, np.zeros(20))
    np.testing.assert_array_equal(w, w0 * (1 - lr * wd))
    assert not np.array_equal(w, w0)


def test_decay_shrinks_the_weights_compared_with_adam():
    a = NeuralNetwork([3, 16, 1], "tanh", optimizer=Adam(0.01), random_state=0)
    b = NeuralNetwork([3, 16, 1], "tanh", optimizer=AdamW(0.01, weight_decay=0.5), random_state=0)
    a.fit(X, Y, batch_size=20, epochs=30)
    b.fit(X, Y, batch_size=20, epochs=30)
    assert np.linalg.norm(b.params) < np.linalg.norm(a.params)


def test_it_trains_a_small_network_by_name():
    net = NeuralNetwork([3, 16, 1], "tanh", optimizer="adamw", random_state=0)
    assert type(net.optimizer) is AdamW and net.optimizer.weight_decay == 0.01
    losses = net.fit(X, Y, batch_size=20, epochs=60)
    assert losses[-1] < 0.2 * losses[0]
    assert np.all(np.isfinite(net.params))


def test_registered_with_adams_scikit_learn_parameters():
    assert OPTIMIZERS["adamw"] is AdamW and "adamw" in names("optimizer")
    assert type(resolve("adamw", "optimizer")) is AdamW
    assert sklearn_params(AdamW) == sklearn_params(Adam) == {
        "learning_rate": "learning_rate_init", "beta_1": "beta_1", "beta_2": "beta_2", "epsilon": "epsilon"}
    opt = AdamW(weight_decay=0.1)
    assert opt.get_params() == {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-8,
                                "weight_decay": 0.1}
    assert repr(opt) == "AdamW(weight_decay=0.1)"
    assert clone(opt.set_params(weight_decay=0.2)).weight_decay == 0.2
    AdamW(weight_decay=0).check_params()


@pytest.mark.parametrize("settings, message", [
    (dict(weight_decay=-0.01), "The 'weight_decay' parameter of AdamW must be a float in the range [0, inf). "
                               "Got -0.01 instead."),
    (dict(weight_decay=float("nan")), "The 'weight_decay' parameter of AdamW must be a float"),
    (dict(beta_1=1.0), "The 'beta_1' parameter of AdamW must be a float in the range [0, 1). Got 1.0 instead."),
])
def test_bad_settings_get_scikit_learns_message(settings, message):
    with pytest.raises(InvalidParameterError) as info:
        AdamW(**settings).check_params()
    assert str(info.value).startswith(message)
    with pytest.raises(ValueError, match="weight_decay|beta_1"):  # before any training
        NeuralNetwork([3, 4, 1], "tanh", optimizer=AdamW(**settings), random_state=0).fit(X, Y, batch_size=20,
                                                                                         epochs=1)
