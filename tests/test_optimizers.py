import numpy as np
import pytest
from sklearn.base import clone

from skneural import optimizers as O
from skneural.components import resolve

P0 = np.array([1.0, -2.0])
G1 = np.array([0.5, 1.0])
G2 = np.array([-1.0, 0.25])


def two_steps(opt):
    params = P0.copy()
    p1 = opt.update(params, G1).copy()
    p2 = opt.update(params, G2).copy()
    return p1, p2


def test_sgd_with_momentum_by_hand():
    p1, p2 = two_steps(O.SGD(learning_rate=0.1, momentum=0.9))
    v1 = [-0.1 * 0.5, -0.1 * 1.0]
    v2 = [0.9 * v1[0] - 0.1 * -1.0, 0.9 * v1[1] - 0.1 * 0.25]
    np.testing.assert_allclose(p1, [1.0 + v1[0], -2.0 + v1[1]])
    np.testing.assert_allclose(p2, [1.0 + v1[0] + v2[0], -2.0 + v1[1] + v2[1]])


def test_sgd_nesterov_by_hand():
    p1, p2 = two_steps(O.SGD(learning_rate=0.1, momentum=0.9, nesterov=True))
    v1 = -0.1 * G1
    v2 = 0.9 * v1 - 0.1 * G2
    q1 = P0 + 0.9 * v1 - 0.1 * G1
    np.testing.assert_allclose(p1, q1)
    np.testing.assert_allclose(p2, q1 + 0.9 * v2 - 0.1 * G2)


def test_plain_sgd_by_hand():
    p1, p2 = two_steps(O.SGD(learning_rate=0.5, momentum=0.0))
    np.testing.assert_allclose(p1, [1.0 - 0.25, -2.0 - 0.5])
    np.testing.assert_allclose(p2, [0.75 + 0.5, -2.5 - 0.125])


def test_adam_by_hand():
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    p1, p2 = two_steps(O.Adam(learning_rate=lr))
    m1, v1 = 0.1 * G1, 0.001 * G1**2
    q1 = P0 - lr * np.sqrt(1 - b2) / (1 - b1) * m1 / (np.sqrt(v1) + eps)
    m2, v2 = b1 * m1 + 0.1 * G2, b2 * v1 + 0.001 * G2**2
    q2 = q1 - lr * np.sqrt(1 - b2**2) / (1 - b1**2) * m2 / (np.sqrt(v2) + eps)
    np.testing.assert_allclose(p1, q1, rtol=1e-12)
    np.testing.assert_allclose(p2, q2, rtol=1e-12)
    # the first Adam step moves each parameter by about the learning rate
    np.testing.assert_allclose(np.abs(p1 - P0), lr, rtol=1e-6)


def test_rmsprop_by_hand():
    p1, p2 = two_steps(O.RMSprop(learning_rate=0.01, rho=0.9, epsilon=1e-8))
    s1 = 0.1 * G1**2
    q1 = P0 - 0.01 * G1 / (np.sqrt(s1) + 1e-8)
    s2 = 0.9 * s1 + 0.1 * G2**2
    np.testing.assert_allclose(p1, q1, rtol=1e-12)
    np.testing.assert_allclose(p2, q1 - 0.01 * G2 / (np.sqrt(s2) + 1e-8), rtol=1e-12)


def test_adagrad_by_hand():
    p1, p2 = two_steps(O.Adagrad(learning_rate=0.1, epsilon=1e-8))
    q1 = P0 - 0.1 * G1 / (np.abs(G1) + 1e-8)
    s2 = G1**2 + G2**2
    np.testing.assert_allclose(p1, q1, rtol=1e-12)
    np.testing.assert_allclose(p2, q1 - 0.1 * G2 / (np.sqrt(s2) + 1e-8), rtol=1e-12)


@pytest.mark.parametrize("name", ["sgd", "adam", "rmsprop", "adagrad"])
def test_update_is_in_place_and_reset_forgets_state(name):
    opt = resolve(name, "optimizer")
    params = P0.copy()
    assert opt.update(params, G1) is params
    assert opt.t_ == 1
    fresh_second = resolve(name, "optimizer").update(P0.copy(), G2)
    opt.reset()
    assert not hasattr(opt, "t_")
    np.testing.assert_allclose(opt.update(P0.copy(), G2), fresh_second)


@pytest.mark.parametrize("name", ["sgd", "adam", "rmsprop", "adagrad"])
def test_float32_state_stays_float32(name):
    opt = resolve(name, "optimizer")
    params = P0.astype(np.float32)
    opt.update(params, G1.astype(np.float32))
    assert params.dtype == np.float32
    for state in opt._state_names:
        assert getattr(opt, state).dtype == np.float32


def test_state_restarts_when_the_parameter_vector_changes():
    opt = O.Adam()
    opt.update(np.zeros(3), np.ones(3))
    opt.update(np.zeros(3), np.ones(3))
    assert opt.t_ == 2
    opt.update(np.zeros(5), np.ones(5))
    assert opt.t_ == 1 and opt.m_.shape == (5,)


def test_hyperparameters_are_params_and_clone_is_stateless():
    opt = O.Adam(learning_rate=0.05)
    opt.update(P0.copy(), G1)
    assert opt.get_params()["learning_rate"] == 0.05
    opt.set_params(learning_rate=0.2)
    assert opt.learning_rate == 0.2
    fresh = clone(opt)
    assert fresh.learning_rate == 0.2 and not hasattr(fresh, "m_")
    assert repr(fresh) == "Adam(learning_rate=0.2)"


def test_names_and_user_objects_resolve():
    assert isinstance(resolve("sgd", "optimizer"), O.SGD)

    class Halve:
        def update(self, old_params, gradient):
            return old_params - 0.5 * gradient

    user = Halve()
    assert resolve(user, "optimizer") is user
    with pytest.raises(ValueError, match="Unknown optimizer 'Adam'") as info:
        resolve("Adam", "optimizer")
    assert "'rmsprop'" in str(info.value)
    with pytest.raises(TypeError, match=r"\.update\(old_params, gradient\)"):
        resolve(object(), "optimizer")


def test_a_class_instead_of_an_object_gets_a_grammatical_hint():
    with pytest.raises(TypeError, match=r"Pass an optimizer object, e.g. SGD\(\), not the class SGD"):
        resolve(O.SGD, "optimizer")
    with pytest.raises(TypeError, match="An activation given as a tuple must be"):
        resolve((np.tanh,), "activation")
    with pytest.raises(TypeError, match="A loss given as a tuple must be"):
        resolve((np.abs,), "loss")


@pytest.mark.parametrize("optimizer, name, bad", [
    (O.SGD(), "learning_rate", -0.5), (O.SGD(), "momentum", 1.5), (O.Adam(), "beta_1", 1.0),
    (O.Adam(), "beta_2", -0.1), (O.Adam(), "epsilon", 0.0), (O.RMSprop(), "rho", 1.0),
    (O.Adagrad(), "learning_rate", -1e-3), (O.Adam(), "learning_rate", "0.1"),
    (O.Adam(), "learning_rate", float("nan")), (O.Adam(), "beta_1", float("nan")), (O.SGD(), "nesterov", "no"),
])
def test_hyperparameters_out_of_range_are_named(optimizer, name, bad):
    optimizer.check_params()  # the defaults are fine
    optimizer.set_params(**{name: bad})
    with pytest.raises((ValueError, TypeError), match=rf"{type(optimizer).__name__}\.{name}"):
        optimizer.check_params()
