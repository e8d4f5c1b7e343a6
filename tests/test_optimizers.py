import numpy as np
import pytest
from sklearn.base import clone

from skneural import optimizers as O
from skneural.components import names, resolve, sklearn_params
from skneural.components import schedules as S

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


@pytest.mark.parametrize("optimizer, name, bad, expected", [
    (O.SGD(), "learning_rate", -0.5, "a float in the range [0, inf)"),
    (O.SGD(), "momentum", 1.5, "a float in the range [0, 1]"),
    (O.Adam(), "beta_1", 1.0, "a float in the range [0, 1)"),
    (O.Adam(), "beta_1", 2, "a float in the range [0, 1)"),
    (O.Adam(), "beta_2", -0.1, "a float in the range [0, 1)"),
    (O.Adam(), "epsilon", 0.0, "a float in the range (0, inf)"),
    (O.Adam(), "epsilon", float("inf"), "a float in the range (0, inf)"),
    (O.RMSprop(), "rho", 1.0, "a float in the range [0, 1)"),
    (O.Adagrad(), "learning_rate", -1e-3, "a float in the range [0, inf)"),
    (O.Adam(), "learning_rate", "0.1", "a float in the range [0, inf)"),
    (O.Adam(), "learning_rate", True, "a float in the range [0, inf)"),
    (O.Adam(), "learning_rate", float("nan"), "a float in the range [0, inf)"),
    (O.Adam(), "beta_1", float("nan"), "a float in the range [0, 1)"),
    (O.SGD(), "nesterov", "no", "a bool"),
    (O.SGD(), "nesterov", 1, "a bool"),
])
def test_hyperparameters_out_of_range_are_named(optimizer, name, bad, expected):
    optimizer = clone(optimizer)
    optimizer.check_params()  # the defaults are fine
    optimizer.set_params(**{name: bad})
    with pytest.raises(ValueError) as info:
        optimizer.check_params()
    assert str(info.value) == (f"The {name!r} parameter of {type(optimizer).__name__} must be {expected}. "
                               f"Got {bad!r} instead.")
    assert isinstance(info.value, TypeError)  # as scikit-learn's InvalidParameterError, also a TypeError


@pytest.mark.parametrize("optimizer, name, edge", [
    (O.SGD(), "learning_rate", 0), (O.SGD(), "momentum", 0.0), (O.SGD(), "momentum", 1),
    (O.SGD(), "nesterov", np.bool_(True)), (O.Adam(), "beta_1", 0.0), (O.Adam(), "beta_2", np.float32(0.5)),
    (O.Adam(), "epsilon", 1e-300), (O.RMSprop(), "rho", 0), (O.Adagrad(), "learning_rate", np.int64(2)),
])
def test_values_on_the_edges_of_the_ranges_are_accepted(optimizer, name, edge):
    clone(optimizer).set_params(**{name: edge}).check_params()


SKLEARN_PARAMS = {  # as the estimators have built the named optimizers since 0.1
    O.SGD: {"learning_rate": "learning_rate_init", "momentum": "momentum", "nesterov": "nesterovs_momentum"},
    O.Adam: {"learning_rate": "learning_rate_init", "beta_1": "beta_1", "beta_2": "beta_2", "epsilon": "epsilon"},
    # Adam's; weight_decay has no scikit-learn parameter
    O.AdamW: {"learning_rate": "learning_rate_init", "beta_1": "beta_1", "beta_2": "beta_2", "epsilon": "epsilon"},
    O.RMSprop: {"learning_rate": "learning_rate_init", "epsilon": "epsilon"},
    O.Adagrad: {"learning_rate": "learning_rate_init", "epsilon": "epsilon"},
}


def test_every_built_in_optimizer_declares_its_scikit_learn_parameters():
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    assert set(SKLEARN_PARAMS) == set(O.OPTIMIZERS.values())
    assert O.Optimizer.sklearn_params == {}
    sklearn_names = set(MLPClassifier().get_params()) & set(MLPRegressor().get_params())
    for cls, expected in SKLEARN_PARAMS.items():
        assert cls.sklearn_params == expected
        assert sklearn_params(cls) == expected and sklearn_params(cls()) == expected
        assert set(expected) <= set(cls().get_params())  # settings the constructor takes
        assert set(expected.values()) <= sklearn_names  # parameters scikit-learn's MLPs have
    # the helper returns a copy: changing it leaves the class's table alone
    sklearn_params(O.Adam).clear()
    assert O.Adam.sklearn_params == SKLEARN_PARAMS[O.Adam]


# -- schedules -----------------------------------------------------------------------------------------

def sklearn_invscaling(learning_rate_init, t, power_t):
    """scikit-learn's SGDOptimizer.iteration_ends, as written there."""
    return float(learning_rate_init) / (t + 1) ** power_t


def sklearn_adaptive_rates(learning_rate):
    """The rates scikit-learn's _fit_stochastic goes through when progress keeps stalling."""
    rates = []
    while True:
        if learning_rate <= 1e-6:
            return rates
        learning_rate /= 5.0
        rates.append(learning_rate)


@pytest.mark.parametrize("power_t", [0.5, 0.25, 1.0, 0.0, 2.5, 1 / 3])
@pytest.mark.parametrize("initial", [0.001, 0.1, 1.0, 0.37])
def test_invscaling_is_scikit_learns_formula_bit_for_bit(initial, power_t):
    schedule = S.InvScaling(power_t=power_t)
    for t in [0, 1, 2, 7, 200, 1797, 10**6 + 3, 2**40]:
        assert schedule.rate(initial, t) == sklearn_invscaling(initial, t, power_t)
    if power_t:  # the rate decays (the comparison can fail)
        assert schedule.rate(initial, 1000) < schedule.rate(initial, 10) < initial


@pytest.mark.parametrize("start", [0.001, 0.1, 1e-6, 5e-6, 0.5])
def test_adaptive_reduces_as_scikit_learn_and_stops_where_it_does(start):
    schedule, rates, rate = S.Adaptive(), [], start
    while (rate := schedule.reduce(rate)) is not None:
        rates.append(rate)
        assert schedule.rate(start, 1000) is None  # between plateaus the rate stays as it is
    assert rates == sklearn_adaptive_rates(start)
    assert (rates == []) == (start <= 1e-6)
    assert S.Adaptive(factor=2.0, min_learning_rate=0.1).reduce(1.0) == 0.5
    assert S.Adaptive(factor=2.0, min_learning_rate=0.1).reduce(0.1) is None


def test_constant_keeps_the_rate_and_stops():
    for initial, t in [(0.001, 0), (0.5, 10**9)]:
        assert S.Constant().rate(initial, t) is None  # the rate is left as it is
        assert S.InvScaling().reduce(initial) is None and S.Constant().reduce(initial) is None


def test_schedules_are_registered_and_behave_as_estimators():
    assert names("schedule") == ["adaptive", "constant", "cosine_annealing", "invscaling", "one_cycle",
                                 "reduce_on_plateau", "step_decay"]
    for name, cls in [("constant", S.Constant), ("invscaling", S.InvScaling), ("adaptive", S.Adaptive)]:
        assert S.SCHEDULES[name] is cls and type(resolve(name, "schedule")) is cls
        resolve(name, "schedule").check_params()
    schedule = S.InvScaling(power_t=0.25)
    assert schedule.get_params() == {"power_t": 0.25}
    assert repr(schedule) == "InvScaling(power_t=0.25)" and repr(S.InvScaling()) == "InvScaling()"
    copy = clone(schedule.set_params(power_t=0.75))
    assert copy is not schedule and copy.power_t == 0.75
    assert S.Adaptive().get_params() == {"factor": 5.0, "min_learning_rate": 1e-6}
    # power_t is scikit-learn's; Adaptive's settings are constants there
    assert sklearn_params(S.InvScaling) == {"power_t": "power_t"}
    assert sklearn_params(S.Adaptive) == {} and sklearn_params(S.Constant) == {}
    assert resolve(schedule, "schedule") is schedule


@pytest.mark.parametrize("schedule, message", [
    (S.InvScaling(power_t=-0.5), "The 'power_t' parameter of InvScaling must be a float in the range [0, inf). "
                                 "Got -0.5 instead."),
    (S.Adaptive(factor=1), "The 'factor' parameter of Adaptive must be a float in the range (1, inf). Got 1 instead."),
    (S.Adaptive(min_learning_rate=float("nan")), "The 'min_learning_rate' parameter of Adaptive must be a float in "
                                                 "the range [0, inf). Got nan instead."),
])
def test_schedule_settings_are_checked(schedule, message):
    with pytest.raises(ValueError) as info:
        schedule.check_params()
    assert str(info.value) == message
