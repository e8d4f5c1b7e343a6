"""Gradient-based optimizers working on one flat parameter vector.

An optimizer is any object with ``update(old_params, gradient)`` returning the
new parameters (what ``NeuralNetwork`` asks of an optimizer).  The built-ins update ``old_params`` in place and
return it, so the network's per-layer arrays, which are views into that
vector, change with it at no copying cost.  They keep their own state
(velocities, moments, step count) in attributes ending in ``_``, created on
the first ``update`` and cleared by ``reset()``.  Hyperparameters are
constructor arguments, so ``get_params``/``set_params`` and ``clone`` work as
for scikit-learn objects (``clone`` gives a fresh, state-free copy).

Examples
--------
>>> import numpy as np
>>> from skneural.optimizers import SGD
>>> opt = SGD(learning_rate=0.1, momentum=0.0)
>>> opt.update(np.array([1.0, 2.0]), np.array([1.0, -1.0]))
array([0.9, 2.1])
>>> opt.set_params(learning_rate=0.5).get_params()["learning_rate"]
0.5
"""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator

from . import fused
from .params import Boolean, Constrained, Interval

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "OPTIMIZERS", "get_optimizer_names"]

_LEARNING_RATE = Interval(Real, 0, None, "left")
_DECAY = Interval(Real, 0, 1, "left")  # beta_1, beta_2, rho
_EPSILON = Interval(Real, 0, None, "neither")


class Optimizer(Constrained, BaseEstimator):
    """Base class of the built-in optimizers.

    Subclasses list their state arrays in ``_state_names`` and implement
    ``_step(params, gradient, buffer)``, updating ``params`` in place;
    ``buffer`` is a scratch array shaped like ``params``.  Hyperparameters go
    into the arithmetic as Python floats: a NumPy float64 scalar would turn
    float32 in-place operations into several times slower casting loops.

    ``_constraints`` maps hyperparameters to constraints
    (:mod:`skneural.components.params`), checked by ``check_params`` before
    every epoch.  ``sklearn_params`` maps constructor settings to the
    scikit-learn MLP parameter that feeds them when the estimators build the
    optimizer by name: an optimizer of your own with a ``learning_rate``
    constructor argument should declare ``{"learning_rate": "learning_rate_init"}``.

    Examples
    --------
    >>> import numpy as np
    >>> class SignSGD(Optimizer):
    ...     _constraints = {"learning_rate": Interval(Real, 0, None, "left")}
    ...     sklearn_params = {"learning_rate": "learning_rate_init"}
    ...     def __init__(self, learning_rate=0.1):
    ...         self.learning_rate = learning_rate
    ...     def _step(self, params, gradient, buffer):
    ...         np.sign(gradient, out=buffer)
    ...         buffer *= float(self.learning_rate)
    ...         params -= buffer
    >>> opt = SignSGD()
    >>> opt.update(np.array([1.0, 2.0]), np.array([0.5, -3.0]))
    array([0.9, 2.1])
    >>> opt.t_
    1
    >>> SignSGD(learning_rate=-1).check_params()
    Traceback (most recent call last):
    ...
    skneural.components.params.InvalidParameterError: The 'learning_rate' parameter of SignSGD must be a float in the range [0, inf). Got -1 instead.
    """

    _state_names = ()
    # constructor setting -> the scikit-learn MLP parameter that feeds it (see the class docstring)
    sklearn_params = {}

    def update(self, old_params, gradient):
        """Update ``old_params`` in place from ``gradient`` and return it."""
        key = (old_params.shape, old_params.dtype)
        state_key = getattr(self, "_state_key", None)
        if state_key is None or state_key[0] != key[0]:
            self.reset()
            for name in self._state_names:
                setattr(self, name, np.zeros_like(old_params))
            self.t_ = 0
        elif state_key[1] != key[1]:  # same parameters in another dtype: keep the state
            for name in self._state_names:
                setattr(self, name, getattr(self, name).astype(key[1]))
        self._state_key = key
        buffer = self.__dict__.get("_buffer")
        if buffer is None or buffer.dtype != key[1] or buffer.shape != key[0]:
            self._buffer = buffer = np.empty_like(old_params)
        self.t_ += 1
        self._step(old_params, gradient, buffer)
        return old_params

    def __getstate__(self):
        state = dict(super().__getstate__())
        state.pop("_buffer", None)  # scratch space: not worth copying or pickling
        return state

    def reset(self):
        """Forget the state (velocities, moments, step count)."""
        for name in self._state_names + ("_buffer", "t_", "_state_key"):
            self.__dict__.pop(name, None)
        return self

    def _step(self, params, gradient, buffer):
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent with (optionally Nesterov) momentum.

    ``v <- momentum * v - learning_rate * g``, then ``w <- w + v``, or with
    Nesterov ``w <- w + momentum * v - learning_rate * g`` (as scikit-learn).

    Parameters
    ----------
    learning_rate : float, default=0.01
    momentum : float, default=0.9
    nesterov : bool, default=False

    Examples
    --------
    >>> import numpy as np
    >>> opt = SGD(learning_rate=0.1)
    >>> w, g = np.array([1.0, 2.0]), np.array([1.0, -1.0])
    >>> opt.update(w, g)
    array([0.9, 2.1])
    >>> opt.update(w, g)  # the velocity carries 0.9 of the first step
    array([0.71, 2.29])
    >>> opt.velocity_
    array([-0.19,  0.19])
    """

    _state_names = ("velocity_",)
    _constraints = {"learning_rate": _LEARNING_RATE, "momentum": Interval(Real, 0, 1, "both"),
                    "nesterov": Boolean()}
    sklearn_params = {"learning_rate": "learning_rate_init", "momentum": "momentum", "nesterov": "nesterovs_momentum"}

    def __init__(self, learning_rate=0.01, momentum=0.9, nesterov=False):
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.nesterov = nesterov

    def _step(self, params, gradient, buffer):
        v, momentum = self.velocity_, float(self.momentum)
        np.multiply(gradient, float(self.learning_rate), out=buffer)
        v *= momentum
        v -= buffer
        if self.nesterov:
            buffer *= -1
            buffer += momentum * v
            params += buffer
        else:
            params += v


class Adam(Optimizer):
    """Adam, with the bias correction folded into the step size as in scikit-learn.

    ``m <- b1 m + (1 - b1) g``, ``v <- b2 v + (1 - b2) g**2``,
    ``w <- w - lr * sqrt(1 - b2**t) / (1 - b1**t) * m / (sqrt(v) + epsilon)``.

    Parameters
    ----------
    learning_rate : float, default=0.001
    beta_1, beta_2 : float, default=0.9 and 0.999
        Decay rates of the first and second moment estimates.
    epsilon : float, default=1e-8

    Examples
    --------
    The first step moves every parameter by about ``learning_rate``:

    >>> import numpy as np
    >>> opt = Adam(learning_rate=0.1)
    >>> opt.update(np.array([1.0, 2.0]), np.array([1.0, -1.0]))
    array([0.90000003, 2.09999997])
    >>> opt.m_, opt.v_
    (array([ 0.1, -0.1]), array([0.001, 0.001]))
    """

    _state_names = ("m_", "v_")
    _constraints = {"learning_rate": _LEARNING_RATE, "beta_1": _DECAY, "beta_2": _DECAY, "epsilon": _EPSILON}
    sklearn_params = {"learning_rate": "learning_rate_init", "beta_1": "beta_1", "beta_2": "beta_2",
                      "epsilon": "epsilon"}

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        self.learning_rate = learning_rate
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def _step(self, params, gradient, buffer):
        b1, b2, t = float(self.beta_1), float(self.beta_2), self.t_
        m, v = self.m_, self.v_
        step = float(self.learning_rate) * (1 - b2**t) ** 0.5 / (1 - b1**t)
        if fused.adam_step(params, gradient, m, v, b1, b2, step, float(self.epsilon)):
            return  # the same arithmetic in one compiled pass (numba installed, a large network)
        m *= b1
        np.multiply(gradient, 1 - b1, out=buffer)
        m += buffer
        v *= b2
        np.multiply(gradient, gradient, out=buffer)
        buffer *= 1 - b2
        v += buffer
        np.sqrt(v, out=buffer)
        buffer += float(self.epsilon)
        np.divide(m, buffer, out=buffer)
        buffer *= step
        params -= buffer


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), as PyTorch's ``AdamW``.

    The decay is scaled by the learning rate and taken before Adam's step, which it does not
    enter: ``w <- w * (1 - lr * weight_decay)``, then Adam's update of :class:`Adam`
    (``m``, ``v``, bias correction folded into the step size), i.e.
    ``w <- w - lr * (sqrt(1 - b2**t) / (1 - b1**t) * m / (sqrt(v) + epsilon) + weight_decay * w)``.
    Unlike an L2 penalty (the estimators' ``alpha``), the decay is not divided by
    ``sqrt(v)``.  It applies to every parameter of the flat vector, biases included.  With
    ``weight_decay=0`` it is Adam, bit for bit.

    Parameters
    ----------
    learning_rate : float, default=0.001
    beta_1, beta_2 : float, default=0.9 and 0.999
    epsilon : float, default=1e-8
    weight_decay : float, default=0.01
        The decay per step, relative to the learning rate; must be >= 0.

    Examples
    --------
    >>> import numpy as np
    >>> opt = AdamW(learning_rate=0.1, weight_decay=0.5)
    >>> opt.update(np.array([1.0, 2.0]), np.array([1.0, -1.0]))  # Adam's step after w * 0.95
    array([0.85000003, 1.99999997])
    """

    _constraints = {"weight_decay": Interval(Real, 0, None, "left")}

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8, weight_decay=0.01):
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon)
        self.weight_decay = weight_decay

    def _step(self, params, gradient, buffer):
        decay = float(self.learning_rate) * float(self.weight_decay)
        if decay:
            params *= 1.0 - decay
        super()._step(params, gradient, buffer)

class RMSprop(Optimizer):
    """RMSprop: ``s <- rho s + (1 - rho) g**2``, ``w <- w - lr g / (sqrt(s) + epsilon)``.

    Parameters
    ----------
    learning_rate : float, default=0.001
    rho : float, default=0.9
        Decay rate of the average of squared gradients.
    epsilon : float, default=1e-8

    Examples
    --------
    >>> import numpy as np
    >>> opt = RMSprop(learning_rate=0.1)
    >>> opt.update(np.array([1.0, 2.0]), np.array([1.0, -1.0]))
    array([0.68377224, 2.31622776])
    >>> opt.square_avg_
    array([0.1, 0.1])
    """

    _state_names = ("square_avg_",)
    _constraints = {"learning_rate": _LEARNING_RATE, "rho": _DECAY, "epsilon": _EPSILON}
    sklearn_params = {"learning_rate": "learning_rate_init", "epsilon": "epsilon"}

    def __init__(self, learning_rate=0.001, rho=0.9, epsilon=1e-8):
        self.learning_rate = learning_rate
        self.rho = rho
        self.epsilon = epsilon

    def _step(self, params, gradient, buffer):
        s = self.square_avg_
        rho = float(self.rho)
        s *= rho
        np.multiply(gradient, gradient, out=buffer)
        buffer *= 1 - rho
        s += buffer
        _scaled_step(params, gradient, s, self.learning_rate, self.epsilon, buffer)


class Adagrad(Optimizer):
    """Adagrad: ``s <- s + g**2``, ``w <- w - lr g / (sqrt(s) + epsilon)``.

    Parameters
    ----------
    learning_rate : float, default=0.01
    epsilon : float, default=1e-8

    Examples
    --------
    >>> import numpy as np
    >>> opt = Adagrad(learning_rate=0.1)
    >>> w, g = np.array([1.0, 2.0]), np.array([1.0, -1.0])
    >>> opt.update(w, g)
    array([0.9, 2.1])
    >>> opt.update(w, g)  # smaller: the squares add up
    array([0.82928932, 2.17071068])
    >>> hasattr(opt.reset(), "sum_squares_")  # reset forgets the state
    False
    """

    _state_names = ("sum_squares_",)
    _constraints = {"learning_rate": _LEARNING_RATE, "epsilon": _EPSILON}
    sklearn_params = {"learning_rate": "learning_rate_init", "epsilon": "epsilon"}

    def __init__(self, learning_rate=0.01, epsilon=1e-8):
        self.learning_rate = learning_rate
        self.epsilon = epsilon

    def _step(self, params, gradient, buffer):
        s = self.sum_squares_
        np.multiply(gradient, gradient, out=buffer)
        s += buffer
        _scaled_step(params, gradient, s, self.learning_rate, self.epsilon, buffer)


def _scaled_step(params, gradient, squares, learning_rate, epsilon, buffer):
    """``params -= learning_rate * gradient / (sqrt(squares) + epsilon)`` in place."""
    np.sqrt(squares, out=buffer)
    buffer += float(epsilon)
    np.divide(gradient, buffer, out=buffer)
    buffer *= float(learning_rate)
    params -= buffer


OPTIMIZERS = {
    "sgd": SGD,
    "adam": Adam,
    "adamw": AdamW,
    "rmsprop": RMSprop,
    "adagrad": Adagrad,
}


def get_optimizer_names():
    """Sorted names accepted wherever an optimizer is expected.

    Returns
    -------
    list of str
        The keys of ``OPTIMIZERS``.

    Examples
    --------
    >>> get_optimizer_names()
    ['adagrad', 'adam', 'adamw', 'rmsprop', 'sgd']
    """
    return sorted(OPTIMIZERS)
