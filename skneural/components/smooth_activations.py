"""Smooth activations for hidden layers: SELU, GELU, SiLU (swish) and Mish.

They follow the protocol of :mod:`skneural.components.activations`: an
elementwise ``__call__`` and ``derivative`` on ``(n, m)`` arrays, keeping the
input's dtype (float32 in, float32 out), a ``backprop`` in ``x`` and an
``apply_inplace`` that writes over its input.  All four are computed without
overflow or warnings for large ``|x|``.  They are registered as ``'selu'``,
``'gelu'``, ``'silu'`` and ``'mish'`` (``SMOOTH_ACTIVATIONS``), so those names
work wherever an activation is expected, and in model files.

Examples
--------
>>> import numpy as np
>>> from skneural.components import resolve
>>> resolve("mish", "activation")
Mish()
>>> x = np.array([[-1000.0, 1000.0]])
>>> [resolve(name, "activation")(x).tolist() for name in ("gelu", "silu", "mish")]
[[[-0.0, 1000.0]], [[-0.0, 1000.0]], [[-0.0, 1000.0]]]
"""

import math

import numpy as np
from scipy.special import expit

from .activations import ActivationFunction

__all__ = ["SELU", "GELU", "SiLU", "Mish", "SMOOTH_ACTIVATIONS"]


class SELU(ActivationFunction):
    """Scaled ELU: ``scale * x`` for ``x > 0``, else ``scale * alpha * (exp(x) - 1)``.

    The constants ``alpha = 1.6732632423543772`` and ``scale =
    1.0507009873554805`` are fixed (Klambauer et al., 2017): with them,
    layers initialised with ``'lecun_normal'`` keep their activations near
    zero mean and unit variance.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[-1.0, 0.0, 2.0]])
    >>> SELU()(x)
    array([[-1.11133074,  0.        ,  2.10140197]])
    >>> SELU().derivative(x)
    array([[0.6467686 , 1.75809934, 1.05070099]])
    """

    alpha = 1.6732632423543772
    scale = 1.0507009873554805

    def __call__(self, x):
        negative = x.dtype.type(self.alpha) * np.expm1(np.minimum(x, 0))
        return x.dtype.type(self.scale) * np.where(x > 0, x, negative)

    def apply_inplace(self, x):
        negative = np.minimum(x, 0)
        np.expm1(negative, out=negative)
        negative *= x.dtype.type(self.alpha)
        np.maximum(x, 0, out=x)
        x += negative
        x *= x.dtype.type(self.scale)
        return x

    def derivative(self, x):
        slope = np.where(x > 0, 1.0, self.alpha * np.exp(np.minimum(x, 0)))
        return (self.scale * slope).astype(x.dtype)

    def backprop(self, x, y, upstream):
        return upstream * self.derivative(x)


class GELU(ActivationFunction):
    """Gaussian error linear unit, tanh approximation:
    ``0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x**3)))``.

    The cubic is taken of ``x`` clipped to ``[-100, 100]``, where the tanh
    is already exactly ``+-1``, so that large inputs cannot overflow it.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[-1.0, 0.0, 2.0]])
    >>> GELU()(x)
    array([[-0.15880801,  0.        ,  1.95459769]])
    >>> GELU().derivative(x)
    array([[-0.08296408,  0.5       ,  1.08609926]])
    """

    _C = math.sqrt(2 / math.pi)
    _K = 0.044715
    _CLIP = 100.0

    def _parts(self, x):
        """``(clipped x, tanh of the scaled cubic)`` in ``x``'s dtype."""
        xc = np.clip(x, -self._CLIP, self._CLIP)
        t = xc * xc
        t *= x.dtype.type(self._K)
        t += 1
        t *= xc
        t *= x.dtype.type(self._C)
        return xc, np.tanh(t, out=t)

    def __call__(self, x):
        return self.apply_inplace(x.copy())

    def apply_inplace(self, x):
        _, t = self._parts(x)
        t += 1
        t *= 0.5
        x *= t
        return x

    def derivative(self, x):
        xc, t = self._parts(x)
        inner = 1 + x.dtype.type(3 * self._K) * (xc * xc)  # d/dx (x + K x^3); 1 - t^2 is 0 where x was clipped
        return 0.5 * (1 + t) + (0.5 * x.dtype.type(self._C)) * xc * (1 - t * t) * inner

    def backprop(self, x, y, upstream):
        return upstream * self.derivative(x)


class SiLU(ActivationFunction):
    """Sigmoid linear unit (swish): ``x * sigmoid(x)``, the sigmoid computed without overflow.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[-1.0, 0.0, 2.0]])
    >>> SiLU()(x)
    array([[-0.26894142,  0.        ,  1.76159416]])
    >>> SiLU().derivative(x)
    array([[0.07232949, 0.5       , 1.09078425]])
    """

    def __call__(self, x):
        return x * expit(x)

    def apply_inplace(self, x):
        x *= expit(x)
        return x

    def derivative(self, x):
        s = expit(x)
        return s * (1 + x * (1 - s))

    def backprop(self, x, y, upstream):
        return upstream * self.derivative(x)


class Mish(ActivationFunction):
    """``x * tanh(softplus(x))``, with ``softplus(x) = log(1 + exp(x))`` computed without overflow.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[-1.0, 0.0, 2.0]])
    >>> Mish()(x)
    array([[-0.30340146,  0.        ,  1.94395896]])
    >>> Mish().derivative(x)
    array([[0.05921676, 0.6       , 1.06931793]])
    """

    def __call__(self, x):
        return x * np.tanh(np.logaddexp(0, x))

    def apply_inplace(self, x):
        t = np.logaddexp(0, x)
        x *= np.tanh(t, out=t)
        return x

    def derivative(self, x):
        t = np.tanh(np.logaddexp(0, x))
        return t + x * (1 - t * t) * expit(x)

    def backprop(self, x, y, upstream):
        return upstream * self.derivative(x)


SMOOTH_ACTIVATIONS = {"selu": SELU, "gelu": GELU, "silu": SiLU, "mish": Mish}
