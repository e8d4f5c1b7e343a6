"""Loss functions, each bundling the function with its derivative.

``loss(y_pred, y_true)`` takes two ``(n, m)`` arrays and returns the loss of
each sample as an ``(n, 1)`` array.  ``derivative(y_pred, y_true)`` returns the
gradient of each sample's loss with respect to ``y_pred`` as row vectors
``(n, 1, m)``, ready to ``matmul`` with an output activation's Jacobians
``(n, m, m)`` (as ``NeuralNetwork`` takes them); ``gradient``, which
the engine uses, is the same as a plain ``(n, m)`` array.

``EPS``, the smallest positive normal float64, keeps ``log`` and divisions
finite at probabilities of exactly 0 (for float32 data the float32 value).

Examples
--------
>>> import numpy as np
>>> from skneural.losses import CategoricalCrossEntropy
>>> p, t, loss = np.array([[0.25, 0.75]]), np.array([[0.0, 1.0]]), CategoricalCrossEntropy()
>>> loss(p, t).shape, loss.derivative(p, t).shape
((1, 1), (1, 1, 2))
"""

from numbers import Real

import numpy as np
from scipy.special import xlogy
from sklearn.base import BaseEstimator

from .params import Constrained, Interval
from .rows import row_max
from .rows import row_sums as _row_sums

__all__ = ["EPS", "Loss", "FunctionLoss", "SquaredError", "MeanSquaredError", "CategoricalCrossEntropy",
           "BinaryCrossEntropy", "Huber", "Poisson", "LOSSES", "get_loss_names"]

EPS = np.finfo(np.float64).tiny


def logsumexp_rows(z):
    """``log(sum(exp(z), axis=1))`` as a column, without overflow (cheaper than scipy's for small rows)."""
    top = row_max(z)
    return top + np.log(_row_sums(np.exp(z - top)))


def _floor(a):
    """``a`` clipped from below at the smallest positive float of its dtype."""
    return np.maximum(a, np.finfo(a.dtype).tiny)


class Loss(Constrained, BaseEstimator):
    """Base class of losses: subclasses define ``__call__`` and ``gradient`` or ``derivative``.

    A loss with a canonical output activation (softmax for categorical
    cross-entropy, sigmoid for binary cross-entropy, exp for Poisson) names
    it in ``canonical_activation`` (a registry name; None for the others) and
    also defines ``from_logits(z, y_true)``, its value computed from that
    activation's input ``z`` (exact where probabilities round to 0 or 1),
    ``logit_gradient(y_pred, y_true)``, its gradient with respect to ``z``,
    and ``log_output(z)``, the log of the activation's output.  The network
    then never builds the activation's Jacobians.  Hyperparameters are
    constructor arguments, constrained in ``_constraints``
    (:mod:`skneural.components.params`) for ``check_params``.

    Examples
    --------
    >>> import numpy as np
    >>> class AbsoluteError(Loss):
    ...     def __call__(self, y_pred, y_true):
    ...         return np.mean(np.abs(y_pred - y_true), axis=1, keepdims=True)
    ...     def gradient(self, y_pred, y_true):
    ...         return np.sign(y_pred - y_true) / y_pred.shape[1]
    >>> p, t = np.array([[1.0, -3.0]]), np.zeros((1, 2))
    >>> AbsoluteError()(p, t)
    array([[2.]])
    >>> AbsoluteError().derivative(p, t)
    array([[[ 0.5, -0.5]]])
    >>> AbsoluteError.canonical_activation is None
    True
    """

    canonical_activation = None  # the registry name of the activation computed with it (from_logits)

    def __call__(self, y_pred, y_true):
        raise NotImplementedError

    def log_output(self, z):
        """``log(activation(z))`` for the canonical activation, computed stably from its input ``z``.

        Parameters
        ----------
        z : ndarray of shape (n, m)
            The output layer's pre-activation.

        Returns
        -------
        ndarray of shape (n, m)
            Finite wherever ``z`` is, even where the activation's output rounds
            to 0.  A loss without a canonical activation raises NotImplementedError.

        Examples
        --------
        >>> import numpy as np
        >>> z = np.array([[-1000.0, 0.0, 1000.0]])
        >>> CategoricalCrossEntropy().log_output(z)  # log-softmax: log(0), log(0), log(1), all finite
        array([[-2000., -1000.,     0.]])
        >>> BinaryCrossEntropy().log_output(z)  # log-sigmoid
        array([[-1.00000000e+03, -6.93147181e-01, -0.00000000e+00]])
        >>> Poisson().log_output(z)  # the log of exp(z)
        array([[-1000.,     0.,  1000.]])
        >>> SquaredError().log_output(z)
        Traceback (most recent call last):
        ...
        NotImplementedError: SquaredError has no canonical output activation, so no log_output.
        """
        raise NotImplementedError(f"{type(self).__name__} has no canonical output activation, so no log_output.")

    def derivative(self, y_pred, y_true):
        """Per-sample gradient rows, shape ``(n, 1, m)``."""
        return self.gradient(y_pred, y_true)[:, None, :]

    def gradient(self, y_pred, y_true):
        """Per-sample gradient, shape ``(n, m)``."""
        if type(self).derivative is Loss.derivative and "derivative" not in vars(self):  # the defaults call each other
            raise NotImplementedError(
                f"Loss {type(self).__name__} defines neither gradient(y_pred, y_true), returning (n, m), "
                "nor derivative(y_pred, y_true), returning (n, 1, m): define one of them."
            )
        d = np.asarray(self.derivative(y_pred, y_true))
        n, m = y_pred.shape
        if d.shape != (n, 1, m):
            raise ValueError(
                f"The derivative of loss {self!r} returned shape {d.shape} for "
                f"predictions of shape {y_pred.shape}; expected {(n, 1, m)}, one "
                "row vector per sample (use np.expand_dims(grad, 1))."
            )
        return d.reshape(n, m)


class FunctionLoss(Loss):
    """A loss made of a plain ``(function, derivative)`` pair, as ``NeuralNetwork`` takes them.

    ``function(y_pred, y_true)`` returns ``(n, 1)`` and ``derivative(y_pred,
    y_true)`` returns ``(n, 1, m)``.

    Parameters
    ----------
    function : callable
        The loss of each sample, ``(n, 1)``.
    derivative : callable
        The gradient of each sample's loss with respect to ``y_pred``, ``(n, 1, m)``.

    Examples
    --------
    >>> import numpy as np
    >>> def sse(y_pred, y_true):
    ...     return np.sum((y_pred - y_true) ** 2, axis=1, keepdims=True)
    >>> def sse_prime(y_pred, y_true):
    ...     return np.expand_dims(2 * (y_pred - y_true), 1)
    >>> loss = FunctionLoss(sse, sse_prime)
    >>> loss
    FunctionLoss(sse, sse_prime)
    >>> p, t = np.array([[1.0, 2.0]]), np.zeros((1, 2))
    >>> loss(p, t)
    array([[5.]])
    >>> loss.gradient(p, t)
    array([[2., 4.]])
    """

    def __init__(self, function, derivative):
        self.function = function
        self.derivative = derivative

    def __call__(self, y_pred, y_true):
        return self.function(y_pred, y_true)

    def __repr__(self):
        name = getattr(self.function, "__name__", repr(self.function))
        dname = getattr(self.derivative, "__name__", repr(self.derivative))
        return f"FunctionLoss({name}, {dname})"


class SquaredError(Loss):
    """Half the squared error averaged over outputs: ``0.5 * mean_j (p - t)**2``.

    This is scikit-learn's ``squared_error`` as ``MLPRegressor`` reports it.

    Examples
    --------
    >>> import numpy as np
    >>> p = np.array([[0.5, 1.0], [2.0, 0.0]]); t = np.array([[1.0, 1.0], [0.0, 0.0]])
    >>> SquaredError()(p, t)
    array([[0.0625],
           [1.    ]])
    >>> SquaredError().gradient(p, t)
    array([[-0.25,  0.  ],
           [ 1.  ,  0.  ]])
    """

    _scale = 0.5

    def __call__(self, y_pred, y_true):
        return self._scale * np.mean((y_pred - y_true) ** 2, axis=1, keepdims=True)

    def gradient(self, y_pred, y_true):
        return (2 * self._scale / y_pred.shape[1]) * (y_pred - y_true)


class MeanSquaredError(SquaredError):
    """Mean squared error over outputs: ``mean_j (p - t)**2`` (the layer-list style's ``mse``).

    Examples
    --------
    >>> import numpy as np
    >>> p = np.array([[0.5, 1.0], [2.0, 0.0]]); t = np.array([[1.0, 1.0], [0.0, 0.0]])
    >>> MeanSquaredError()(p, t)
    array([[0.125],
           [2.   ]])
    >>> MeanSquaredError().gradient(p, t)
    array([[-0.5,  0. ],
           [ 2. ,  0. ]])
    """

    _scale = 1.0


class CategoricalCrossEntropy(Loss):
    """``-sum_j t log p``, for probabilities (softmax outputs) and one-hot targets.

    Examples
    --------
    >>> import numpy as np
    >>> p = np.array([[0.25, 0.75], [0.5, 0.5]]); t = np.array([[0.0, 1.0], [1.0, 0.0]])
    >>> CategoricalCrossEntropy()(p, t)
    array([[0.28768207],
           [0.69314718]])
    >>> CategoricalCrossEntropy().from_logits(np.log(p), t)
    array([[0.28768207],
           [0.69314718]])
    >>> CategoricalCrossEntropy().logit_gradient(p, t)
    array([[ 0.25, -0.25],
           [-0.5 ,  0.5 ]])
    """

    canonical_activation = "softmax"

    def __call__(self, y_pred, y_true):
        return -np.sum(xlogy(y_true, _floor(y_pred)), axis=1, keepdims=True)

    def gradient(self, y_pred, y_true):
        return -y_true / _floor(y_pred)

    def from_logits(self, z, y_true):
        lse = logsumexp_rows(z)
        return lse * _row_sums(y_true) - np.einsum("ij,ij->i", y_true, z)[:, None]

    def logit_gradient(self, y_pred, y_true):
        return y_pred * _row_sums(y_true) - y_true

    def log_output(self, z):
        return z - logsumexp_rows(z)


class BinaryCrossEntropy(Loss):
    """``-sum_j [t log p + (1 - t) log(1 - p)]``, for sigmoid outputs and 0/1 targets.

    Examples
    --------
    >>> import numpy as np
    >>> p = np.array([[0.8], [0.1]]); t = np.array([[1.0], [0.0]])
    >>> BinaryCrossEntropy()(p, t)
    array([[0.22314355],
           [0.10536052]])
    >>> BinaryCrossEntropy().gradient(p, t)
    array([[-1.25      ],
           [ 1.11111111]])
    """

    canonical_activation = "sigmoid"

    def __call__(self, y_pred, y_true):
        terms = xlogy(y_true, _floor(y_pred)) + xlogy(1 - y_true, _floor(1 - y_pred))
        return -np.sum(terms, axis=1, keepdims=True)

    def gradient(self, y_pred, y_true):
        return (1 - y_true) / _floor(1 - y_pred) - y_true / _floor(y_pred)

    def from_logits(self, z, y_true):
        return np.sum(np.logaddexp(0, z) - y_true * z, axis=1, keepdims=True)

    def logit_gradient(self, y_pred, y_true):
        return y_pred - y_true

    def log_output(self, z):
        return -np.logaddexp(0, -z)


class Huber(Loss):
    """Huber loss averaged over outputs: quadratic within ``delta``, linear beyond.

    Parameters
    ----------
    delta : float, default=1.0
        The residual at which the loss turns from quadratic to linear.

    Examples
    --------
    >>> import numpy as np
    >>> p = np.array([[0.5], [3.0]]); t = np.zeros((2, 1))
    >>> Huber()(p, t)
    array([[0.125],
           [2.5  ]])
    >>> Huber(delta=1.0).gradient(p, t)
    array([[0.5],
           [1. ]])
    >>> Huber(delta=0).check_params()
    Traceback (most recent call last):
    ...
    skneural.components.params.InvalidParameterError: The 'delta' parameter of Huber must be a float in the range (0, inf). Got 0 instead.
    """

    _constraints = {"delta": Interval(Real, 0, None, "neither")}

    def __init__(self, delta=1.0):
        self.delta = delta

    def __call__(self, y_pred, y_true):
        delta = y_pred.dtype.type(self.delta)
        r = np.abs(y_pred - y_true)
        quad = np.minimum(r, delta)
        per_output = 0.5 * quad**2 + delta * (r - quad)
        return np.mean(per_output, axis=1, keepdims=True)

    def gradient(self, y_pred, y_true):
        delta = y_pred.dtype.type(self.delta)
        return np.clip(y_pred - y_true, -delta, delta) / y_pred.shape[1]


class Poisson(Loss):
    """Half Poisson deviance averaged over outputs: ``mean_j [t log(t/p) - t + p]``.

    Predictions must be positive (use the ``exp`` output activation).

    Examples
    --------
    >>> import numpy as np
    >>> p = np.array([[1.0], [2.0]]); t = np.array([[1.0], [0.0]])
    >>> Poisson()(p, t)
    array([[0.],
           [2.]])
    >>> Poisson().gradient(p, t)
    array([[0.],
           [1.]])
    """

    canonical_activation = "exp"

    def __call__(self, y_pred, y_true):
        _check_counts(y_true)
        p = _floor(y_pred)
        return np.mean(xlogy(y_true, y_true / p) - y_true + p, axis=1, keepdims=True)

    def gradient(self, y_pred, y_true):
        return (1 - y_true / _floor(y_pred)) / y_pred.shape[1]

    def from_logits(self, z, y_true):
        _check_counts(y_true)
        return np.mean(xlogy(y_true, y_true) - y_true * z - y_true + np.exp(z), axis=1, keepdims=True)

    def logit_gradient(self, y_pred, y_true):
        return (y_pred - y_true) / y_pred.shape[1]

    def log_output(self, z):
        return np.array(z)  # a copy, as the other losses return new arrays


def _check_counts(y_true):
    if np.any(y_true < 0):
        raise ValueError("The Poisson loss needs non-negative targets; y has negative values.")


LOSSES = {"squared_error": SquaredError, "mse": MeanSquaredError, "categorical_crossentropy": CategoricalCrossEntropy,
          "binary_crossentropy": BinaryCrossEntropy, "huber": Huber, "poisson": Poisson}


def get_loss_names():
    """Sorted names accepted wherever a loss is expected.

    Returns
    -------
    list of str
        The keys of ``LOSSES``.

    Examples
    --------
    >>> get_loss_names()
    ['binary_crossentropy', 'categorical_crossentropy', 'huber', 'mse', 'poisson', 'squared_error']
    """
    return sorted(LOSSES)
