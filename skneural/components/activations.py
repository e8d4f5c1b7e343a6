"""Activation functions, each bundling the function with its derivative.

An activation is called on an ``(n, m)`` array (rows are samples) and returns
an ``(n, m)`` array.  Its ``derivative(x)`` returns

* an ``(n, m)`` array for *elementwise* activations (usable in hidden layers),
* the stack of per-sample Jacobians ``(n, m, m)`` for *row-wise* activations
  such as softmax, with ``J[k, i, j] = d out[k, i] / d x[k, j]``.

``backprop(x, y, upstream)`` maps the gradient of the loss with respect to the
output ``y = f(x)`` to the gradient with respect to ``x``.  The base class
derives it from ``derivative`` (elementwise products, or ``upstream @ J`` for
per-sample Jacobians); most built-ins override it with cheaper formulas, in
``y`` for tanh, sigmoid and exp, in ``x`` for relu, leaky relu and elu
(identity passes ``upstream`` through).  Softmax backpropagates through its
Jacobians, except with categorical cross-entropy (the network's fused path).

Examples
--------
>>> import numpy as np
>>> from skneural.activations import Softmax
>>> Softmax()(np.array([[0.0, 0.0]])), Softmax().derivative(np.zeros((3, 4))).shape
(array([[0.5, 0.5]]), (3, 4, 4))
"""

from numbers import Real

import numpy as np
from scipy.special import expit
from sklearn.base import BaseEstimator

from .params import Constrained, Interval
from .rows import row_max, row_sums

__all__ = ["ActivationFunction", "FunctionActivation", "Identity", "ReLU", "LeakyReLU", "Tanh", "Sigmoid", "ELU",
           "Softplus", "Exp", "Softmax", "ACTIVATIONS", "get_activation_names"]


def _as_dtype(a, like):
    return np.asarray(a, dtype=like.dtype)


class ActivationFunction(Constrained, BaseEstimator):
    """Base class of activations: subclasses define ``__call__`` and ``derivative``.

    Hyperparameters are constructor arguments, so ``get_params``,
    ``set_params``, ``clone`` and ``repr`` work as for scikit-learn objects;
    ``_constraints`` constrains them (:mod:`skneural.components.params`) for
    ``check_params``.  ``jacobian`` and ``backprop`` are derived from ``derivative``.

    Examples
    --------
    >>> import numpy as np
    >>> class Square(ActivationFunction):
    ...     def __call__(self, x):
    ...         return x ** 2
    ...     def derivative(self, x):
    ...         return 2 * x
    >>> x = np.array([[1.0, -3.0]])
    >>> Square()(x)
    array([[1., 9.]])
    >>> Square().backprop(x, Square()(x), np.ones((1, 2)))
    array([[ 2., -6.]])
    >>> Square().jacobian(x)
    array([[[ 2.,  0.],
            [ 0., -6.]]])
    """

    def __call__(self, x):
        raise NotImplementedError

    def derivative(self, x):
        raise NotImplementedError

    def apply_inplace(self, x):
        """``self(x)``, written over ``x`` where the activation can (the built-ins do);
        the default returns ``self(x)``.  Prediction uses it on arrays it owns."""
        return self(x)

    def is_rowwise(self):
        """Whether the derivative is a stack of per-sample Jacobians (softmax-like), not elementwise."""
        return np.ndim(self.derivative(np.zeros((1, 2)))) == 3

    def _checked_derivative(self, x):
        d = np.asarray(self.derivative(x))
        n, m = x.shape
        if d.shape not in ((n, m), (n, m, m)):
            raise ValueError(f"The derivative of activation {self!r} returned shape {d.shape} for input of shape "
                             f"{x.shape}; expected {(n, m)} for an elementwise activation or {(n, m, m)} (one "
                             "Jacobian per sample) for a row-wise one.")
        return d

    def jacobian(self, x):
        """Stack of per-sample Jacobians ``(n, m, m)``, for any activation."""
        d = self._checked_derivative(x)
        if d.ndim == 3:
            return d
        n, m = d.shape
        jac = np.zeros((n, m, m), dtype=d.dtype)
        jac[:, np.arange(m), np.arange(m)] = d
        return jac

    def backprop(self, x, y, upstream):
        """Gradient with respect to ``x`` given ``upstream = dL/dy`` and ``y = self(x)``."""
        d = self._checked_derivative(x)
        if d.ndim == 2:
            return upstream * d
        return np.matmul(upstream[:, None, :], d)[:, 0, :]


class FunctionActivation(ActivationFunction):
    """An activation made of a plain ``(function, derivative)`` pair, as ``NeuralNetwork`` takes them.

    ``derivative`` may return ``(n, m)`` (elementwise) or ``(n, m, m)``
    (per-sample Jacobians); the shape it returns decides which.

    Parameters
    ----------
    function : callable
        ``function(x)`` maps an ``(n, m)`` array to an ``(n, m)`` array.
    derivative : callable
        ``derivative(x)`` returns ``(n, m)`` or ``(n, m, m)``, as above.

    Examples
    --------
    >>> import numpy as np
    >>> act = FunctionActivation(np.tanh, lambda x: 1 - np.tanh(x) ** 2)
    >>> act.backprop(np.zeros((1, 2)), np.zeros((1, 2)), np.ones((1, 2)))
    array([[1., 1.]])
    """

    def __init__(self, function, derivative):
        self.function = function
        self.derivative = derivative

    def __call__(self, x):
        return self.function(x)

    def __repr__(self):
        name = getattr(self.function, "__name__", repr(self.function))
        dname = getattr(self.derivative, "__name__", repr(self.derivative))
        return f"FunctionActivation({name}, {dname})"


class Identity(ActivationFunction):
    """``f(x) = x``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[-1.0, 2.0]])
    >>> Identity()(x), Identity().derivative(x)
    (array([[-1.,  2.]]), array([[1., 1.]]))
    """

    def __call__(self, x):
        return x

    def apply_inplace(self, x):
        return x

    def derivative(self, x):
        return np.ones_like(x)

    def backprop(self, x, y, upstream):
        return upstream


class ReLU(ActivationFunction):
    """``f(x) = max(x, 0)``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[-1.0, 2.0]])
    >>> ReLU()(x), ReLU().derivative(x)
    (array([[0., 2.]]), array([[0., 1.]]))
    """

    def __call__(self, x):
        return np.maximum(x, 0)

    def apply_inplace(self, x):
        return np.maximum(x, 0, out=x)

    def derivative(self, x):
        return _as_dtype(x > 0, x)

    def backprop(self, x, y, upstream):
        return upstream * (x > 0)


class LeakyReLU(ActivationFunction):
    """``f(x) = x`` for ``x > 0``, else ``alpha * x``.

    Parameters
    ----------
    alpha : float, default=0.01
        Slope for negative inputs.

    Examples
    --------
    >>> import numpy as np
    >>> LeakyReLU(alpha=0.1)(np.array([[-1.0, 2.0]]))
    array([[-0.1,  2. ]])
    >>> LeakyReLU().derivative(np.array([[-1.0, 2.0]]))
    array([[0.01, 1.  ]])
    """

    _constraints = {"alpha": Interval(Real, None, None, "neither")}  # any finite number

    def __init__(self, alpha=0.01):
        self.alpha = alpha

    def __call__(self, x):
        return np.where(x > 0, x, x * x.dtype.type(self.alpha))

    def derivative(self, x):
        return _as_dtype(np.where(x > 0, 1.0, self.alpha), x)

    def backprop(self, x, y, upstream):
        return upstream * self.derivative(x)


class Tanh(ActivationFunction):
    """Hyperbolic tangent.

    Examples
    --------
    >>> import numpy as np
    >>> Tanh()(np.array([[-1.0, 0.0, 2.0]])), Tanh().derivative(np.array([[0.0]]))
    (array([[-0.76159416,  0.        ,  0.96402758]]), array([[1.]]))
    """

    def __call__(self, x):
        return np.tanh(x)

    def apply_inplace(self, x):
        return np.tanh(x, out=x)

    def derivative(self, x):
        return 1 - np.tanh(x) ** 2

    def backprop(self, x, y, upstream):
        return upstream * (1 - y * y)


class Sigmoid(ActivationFunction):
    """Logistic sigmoid ``1 / (1 + exp(-x))``, computed without overflow.

    Examples
    --------
    >>> import numpy as np
    >>> Sigmoid()(np.array([[-1.0, 0.0, 2.0]])), Sigmoid().derivative(np.array([[0.0]]))
    (array([[0.26894142, 0.5       , 0.88079708]]), array([[0.25]]))
    """

    def __call__(self, x):
        return expit(x)

    def apply_inplace(self, x):
        return expit(x, out=x)

    def derivative(self, x):
        s = expit(x)
        return s * (1 - s)

    def backprop(self, x, y, upstream):
        return upstream * (y * (1 - y))


class ELU(ActivationFunction):
    """``f(x) = x`` for ``x > 0``, else ``alpha * (exp(x) - 1)``.

    Parameters
    ----------
    alpha : float, default=1.0
        The value ``f`` approaches for large negative inputs is ``-alpha``.

    Examples
    --------
    >>> import numpy as np
    >>> ELU()(np.array([[-1.0, 2.0]]))
    array([[-0.63212056,  2.        ]])
    >>> ELU(alpha=0.5).derivative(np.array([[-1.0, 2.0]]))
    array([[0.18393972, 1.        ]])
    """

    _constraints = {"alpha": Interval(Real, None, None, "neither")}  # any finite number

    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def __call__(self, x):
        return np.where(x > 0, x, x.dtype.type(self.alpha) * np.expm1(np.minimum(x, 0)))

    def derivative(self, x):
        return np.where(x > 0, 1, self.alpha * np.exp(np.minimum(x, 0))).astype(x.dtype)

    def backprop(self, x, y, upstream):
        return upstream * self.derivative(x)


class Softplus(ActivationFunction):
    """``f(x) = log(1 + exp(x))``, computed without overflow.

    Examples
    --------
    >>> import numpy as np
    >>> Softplus()(np.array([[0.0, 1000.0]])), Softplus().derivative(np.array([[0.0]]))
    (array([[6.93147181e-01, 1.00000000e+03]]), array([[0.5]]))
    """

    def __call__(self, x):
        return np.logaddexp(0, x)

    def apply_inplace(self, x):
        return np.logaddexp(0, x, out=x)

    def derivative(self, x):
        return expit(x)


class Exp(ActivationFunction):
    """``f(x) = exp(x)``: the output of Poisson regression.

    Examples
    --------
    >>> import numpy as np
    >>> Exp()(np.array([[0.0, 1.0]]))
    array([[1.        , 2.71828183]])
    """

    def __call__(self, x):
        return np.exp(x)

    def apply_inplace(self, x):
        return np.exp(x, out=x)

    def derivative(self, x):
        return np.exp(x)

    def backprop(self, x, y, upstream):
        return upstream * y


class Softmax(ActivationFunction):
    """Row-wise softmax; its derivative is the stack of exact Jacobians.

    The row maximum is subtracted first, which leaves the result unchanged and
    keeps ``exp`` from overflowing.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[0.0, np.log(3.0)]])
    >>> Softmax()(x)
    array([[0.25, 0.75]])
    >>> Softmax().derivative(x)
    array([[[ 0.1875, -0.1875],
            [-0.1875,  0.1875]]])
    """

    def __call__(self, x):
        return self._normalized(np.exp(x - row_max(x)))

    def apply_inplace(self, x):
        x -= row_max(x)
        return self._normalized(np.exp(x, out=x))

    @staticmethod
    def _normalized(e):
        return np.divide(e, row_sums(e), out=e)

    def derivative(self, x):
        s = self(x)
        jac = -s[:, :, None] * s[:, None, :]
        m = s.shape[1]
        jac[:, np.arange(m), np.arange(m)] += s
        return jac


ACTIVATIONS = {"identity": Identity, "relu": ReLU, "leaky_relu": LeakyReLU, "tanh": Tanh, "sigmoid": Sigmoid,
               "logistic": Sigmoid, "elu": ELU, "softplus": Softplus, "exp": Exp, "softmax": Softmax}


def get_activation_names():
    """Sorted names accepted wherever an activation is expected.

    Returns
    -------
    list of str
        The keys of ``ACTIVATIONS`` (``'logistic'`` is an alias of ``'sigmoid'``).

    Examples
    --------
    >>> get_activation_names()
    ['elu', 'exp', 'gelu', 'identity', 'leaky_relu', 'logistic', 'mish', 'relu', 'selu', 'sigmoid', 'silu', 'softmax', 'softplus', 'tanh']
    """
    return sorted(ACTIVATIONS)
