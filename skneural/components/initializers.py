"""Weight initializers: how a dense layer's weights and bias start.

An initializer is called as ``init(fan_in, fan_out, random_state, dtype)``
and returns ``(weights, bias)``: weights of shape ``(fan_in, fan_out)`` and a
bias of shape ``(1, fan_out)``, both of ``dtype``.  ``random_state`` is a
``numpy.random.RandomState`` (an int or None is turned into one); the
built-ins draw from it in a fixed order (weights first), so that one
``RandomState`` shared by the layers of a network, drawn layer by layer,
reproduces the whole network.  Any callable with that signature is an
initializer too.  Settings are constructor arguments, so
``get_params``/``set_params`` and ``clone`` work as for scikit-learn objects.

The estimators default to ``'glorot_uniform'``, scikit-learn's MLP scheme
(with the same ``RandomState`` the initial weights are bit-identical);
``NeuralNetwork`` and ``Dense`` default to ``'xavier_normal'``, the scheme of
the project's seed.

Examples
--------
>>> import numpy as np
>>> from skneural.initializers import GlorotUniform, get_initializer_names
>>> weights, bias = GlorotUniform()(3, 2, np.random.RandomState(0), np.float32)
>>> weights.shape, bias.shape, weights.dtype
((3, 2), (1, 2), dtype('float32'))
>>> bool(np.all(np.abs(weights) <= np.sqrt(6 / (3 + 2))))
True
>>> get_initializer_names()
['glorot_uniform', 'he_normal', 'he_uniform', 'lecun_normal', 'xavier_normal']
"""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state

from .params import Constrained, Interval

__all__ = ["Initializer", "GlorotUniform", "XavierNormal", "HeNormal", "HeUniform", "LecunNormal",
           "INITIALIZERS", "get_initializer_names"]


class Initializer(Constrained, BaseEstimator):
    """Base class of the built-in initializers.

    Subclasses implement ``_draw(fan_in, fan_out, rng)`` returning float64
    ``(weights, bias)`` with bias of shape ``(fan_out,)`` or
    ``(1, fan_out)``; ``__call__`` casts them to ``dtype`` and gives the bias
    its ``(1, fan_out)`` shape.  Settings are constrained in ``_constraints``
    (:mod:`skneural.components.params`), checked by ``check_params`` on every call.

    Examples
    --------
    >>> import numpy as np
    >>> class Constant(Initializer):
    ...     _constraints = {"value": Interval(Real, None, None, "neither")}
    ...     def __init__(self, value=0.1):
    ...         self.value = value
    ...     def _draw(self, fan_in, fan_out, rng):
    ...         return np.full((fan_in, fan_out), self.value), np.zeros(fan_out)
    >>> Constant(0.5)(2, 3, random_state=0)[0]
    array([[0.5, 0.5, 0.5],
           [0.5, 0.5, 0.5]])
    >>> Constant()
    Constant()
    >>> Constant(float("inf"))(2, 3)
    Traceback (most recent call last):
    ...
    skneural.components.params.InvalidParameterError: The 'value' parameter of Constant must be a float in the range (-inf, inf). Got inf instead.
    """

    def __call__(self, fan_in, fan_out, random_state=None, dtype=np.float64):
        """Return ``(weights, bias)`` of shapes ``(fan_in, fan_out)`` and ``(1, fan_out)`` in ``dtype``."""
        self.check_params()
        weights, bias = self._draw(fan_in, fan_out, check_random_state(random_state))
        weights = weights.astype(dtype, copy=False)
        bias = bias.astype(dtype, copy=False).reshape(1, fan_out)
        return weights, bias

    def _draw(self, fan_in, fan_out, rng):
        raise NotImplementedError


class GlorotUniform(Initializer):
    """Glorot (Xavier) uniform, exactly as scikit-learn's MLP: U(-b, b), ``b = sqrt(factor / (fan_in + fan_out))``.

    Weights and bias are drawn from the same distribution, weights first
    (``rng.uniform(-b, b, (fan_in, fan_out))``, then ``rng.uniform(-b, b,
    fan_out)``), in float64 and then cast to ``dtype``: the calls
    scikit-learn's ``MLPClassifier._init_coef`` makes, so the same
    ``RandomState`` gives bit-identical values.  scikit-learn uses
    ``factor=2`` for the logistic activation and 6 otherwise; the estimators
    do the same for ``init='glorot_uniform'``.

    Parameters
    ----------
    factor : float, default=6.0
        Must be > 0.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.RandomState(0)
    >>> weights, bias = GlorotUniform(factor=2.0)(4, 4, rng)
    >>> bool(np.abs(weights).max() <= 0.5), bias.shape
    (True, (1, 4))
    >>> GlorotUniform(factor=2.0)
    GlorotUniform(factor=2.0)
    """

    _constraints = {"factor": Interval(Real, 0, None, "neither")}

    def __init__(self, factor=6.0):
        self.factor = factor

    def _draw(self, fan_in, fan_out, rng):
        bound = np.sqrt(self.factor / (fan_in + fan_out))
        weights = rng.uniform(-bound, bound, (fan_in, fan_out))
        bias = rng.uniform(-bound, bound, fan_out)
        return weights, bias


class XavierNormal(Initializer):
    """N(0, sigma) with ``sigma = sqrt(1 / (fan_in + fan_out))``: the project's original scheme.

    Weights and bias are drawn from the same distribution, weights first
    (``rng.normal(0.0, sigma, (fan_in, fan_out))``, then ``rng.normal(0.0,
    sigma, (1, fan_out))``), the ``NeuralNetwork`` class's default.  Note that this ``sigma`` is
    ``1/sqrt(2)`` of Glorot's normal scheme (``sqrt(2 / (fan_in + fan_out))``).
    The default of :class:`~skneural.layers.Dense` and
    :class:`~skneural.network.NeuralNetwork`.

    Examples
    --------
    >>> import numpy as np
    >>> weights, bias = XavierNormal()(300, 100, random_state=0)
    >>> round(float(weights.std() * np.sqrt(400)), 1)
    1.0
    """

    def _draw(self, fan_in, fan_out, rng):
        sigma = np.sqrt(1.0 / (fan_in + fan_out))
        weights = rng.normal(0.0, sigma, (fan_in, fan_out))
        bias = rng.normal(0.0, sigma, (1, fan_out))
        return weights, bias


class HeNormal(Initializer):
    """He normal: weights N(0, sqrt(2 / fan_in)), bias zeros (suits ReLU layers).

    Only the weights are drawn from the random state; the bias starts at 0.

    Examples
    --------
    >>> import numpy as np
    >>> weights, bias = HeNormal()(200, 300, random_state=0)
    >>> round(float(weights.std() * np.sqrt(200 / 2)), 1), bool(np.all(bias == 0))
    (1.0, True)
    """

    def _draw(self, fan_in, fan_out, rng):
        return rng.normal(0.0, np.sqrt(2.0 / fan_in), (fan_in, fan_out)), np.zeros(fan_out)


class HeUniform(Initializer):
    """He uniform: weights U(-b, b) with ``b = sqrt(6 / fan_in)``, bias zeros.

    Only the weights are drawn from the random state; the bias starts at 0.

    Examples
    --------
    >>> import numpy as np
    >>> weights, bias = HeUniform()(6, 3, random_state=0)
    >>> bool(np.abs(weights).max() <= 1.0), bool(np.all(bias == 0))
    (True, True)
    """

    def _draw(self, fan_in, fan_out, rng):
        bound = np.sqrt(6.0 / fan_in)
        return rng.uniform(-bound, bound, (fan_in, fan_out)), np.zeros(fan_out)


class LecunNormal(Initializer):
    """LeCun normal: weights N(0, sqrt(1 / fan_in)), bias zeros (suits SELU/tanh layers).

    Only the weights are drawn from the random state; the bias starts at 0.

    Examples
    --------
    >>> import numpy as np
    >>> weights, bias = LecunNormal()(400, 300, random_state=0)
    >>> round(float(weights.std() * np.sqrt(400)), 1), bool(np.all(bias == 0))
    (1.0, True)
    """

    def _draw(self, fan_in, fan_out, rng):
        return rng.normal(0.0, np.sqrt(1.0 / fan_in), (fan_in, fan_out)), np.zeros(fan_out)


INITIALIZERS = {
    "glorot_uniform": GlorotUniform,
    "xavier_normal": XavierNormal,
    "he_normal": HeNormal,
    "he_uniform": HeUniform,
    "lecun_normal": LecunNormal,
}


def get_initializer_names():
    """Sorted names accepted wherever an initializer is expected.

    Returns
    -------
    list of str
        The keys of ``INITIALIZERS``.

    Examples
    --------
    >>> get_initializer_names()[:2]
    ['glorot_uniform', 'he_normal']
    """
    return sorted(INITIALIZERS)
