"""Normalizing layers: :class:`BatchNorm` (per feature, over a batch) and :class:`LayerNorm`
(per row, over its features).

Both have a learnable per-feature ``scale`` (initially 1) and ``shift`` (initially 0), trainable
parameters that the network's L2 penalty leaves alone (``penalized`` is empty).  Their input is
dense (a sparse one is made dense first).
"""

import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp

from ..components.params import Interval, validate
from .layers import Layer

__all__ = ["BatchNorm", "LayerNorm", "NORMALIZATIONS", "check_batch_rows"]

_WIDTH = Interval(Integral, 1, None, "left")
_EPSILON = Interval(Real, 0, None, "neither")


def _dense(x):
    return x.toarray() if sp.issparse(x) else x


def _input_gradient(g, normalized, inv_std, axis):
    """The gradient with respect to the input of ``normalized = (x - mean) * inv_std`` (mean and
    biased variance over ``axis``), given ``g``, the gradient with respect to ``normalized``."""
    return inv_std * (g - g.mean(axis=axis, keepdims=True)
                      - normalized * (g * normalized).mean(axis=axis, keepdims=True))


class _Normalization(Layer):
    """Shared by the two: ``width``, ``epsilon``, ``scale`` and ``shift`` and their gradients."""

    param_names = ("scale", "shift")
    penalized = ()
    inplace = True

    def __init__(self, name, width, epsilon, dtype, **more):
        super().__init__()
        validate(name, {"width": width, "epsilon": epsilon, **{k: v for k, (v, _) in more.items()}},
                 {"width": _WIDTH, "epsilon": _EPSILON, **{k: c for k, (_, c) in more.items()}})
        # input_size and output_size: the network checks the widths of its chain of layers by them
        self.width = self.input_size = self.output_size = int(width)
        self.epsilon = float(epsilon)
        self.scale = np.ones((1, self.width), dtype)
        self.shift = np.zeros((1, self.width), dtype)
        self.d_scale, self.d_shift = np.zeros_like(self.scale), np.zeros_like(self.shift)
        self._normalized = self._inv_std = None  # what forward keeps for backward

    def _param_gradients(self, output_gradient, normalized):
        np.sum(output_gradient * normalized, axis=0, keepdims=True, out=self.d_scale)
        np.sum(output_gradient, axis=0, keepdims=True, out=self.d_shift)

    def output_width(self, input_width):
        return self.width

    def __getstate__(self):
        state = super().__getstate__()
        state.update(_normalized=None, _inv_std=None)  # scratch of the last forward
        return state

    def _settings(self):
        return ""

    def __repr__(self):
        eps = "" if self.epsilon == 1e-5 else f", epsilon={self.epsilon!r}"
        return f"{type(self).__name__}({self.width}{self._settings()}{eps})"


class BatchNorm(_Normalization):
    """Batch normalization: ``scale * (x - mean) / sqrt(var + epsilon) + shift`` per feature.

    In training mode (``forward`` when ``training``) ``mean`` and ``var`` are the batch's:
    the mean and the *biased* variance (divided by n) of each column over the batch's rows,
    unweighted (sample weights weigh the loss, not these statistics), and the backward pass is
    the exact gradient through them.  Each such ``forward`` also moves the running statistics
    toward the batch's, as PyTorch does::

        running_mean = (1 - momentum) * running_mean + momentum * mean
        running_var  = (1 - momentum) * running_var  + momentum * var * n / (n - 1)

    (the running variance takes the *unbiased* variance of the batch).  A batch of one row
    (say, the last batch of an epoch) normalizes to 0 (its variance is 0): its output is
    ``shift`` and no gradient reaches the input; it moves ``running_mean`` but leaves
    ``running_var`` as it is (one row estimates no variance).

    In evaluation mode and in prediction (``infer``), ``mean`` and ``var`` are
    ``running_mean`` and ``running_var``: each row's output depends on that row only, so
    predicting a row alone or inside a batch gives the same.  ``running_mean`` (initially 0)
    and ``running_var`` (initially 1) are the layer's ``state_names``: saved and loaded with
    the parameters, converted by ``astype``, put back after a failed epoch, never optimized.

    Parameters
    ----------
    width : int
        The number of features (input and output columns).
    momentum : float in [0, 1], default=0.1
        The weight of each batch's statistics in the running ones.
    epsilon : float > 0, default=1e-5
        Added to the variance before the square root.
    dtype : dtype, default=np.float64

    Examples
    --------
    >>> import numpy as np
    >>> layer = BatchNorm(2)
    >>> layer
    BatchNorm(2)
    >>> out = layer.forward(np.array([[1.0, 10.0], [3.0, 30.0]]))
    >>> np.round(out, 4)
    array([[-1., -1.],
           [ 1.,  1.]])
    >>> layer.running_mean, layer.running_var
    (array([[0.2, 2. ]]), array([[ 1.1, 20.9]]))
    >>> np.round(layer.infer(np.array([[2.0, 2.0]])), 4)  # prediction: the running statistics
    array([[1.7162, 0.    ]])
    """

    state_names = ("running_mean", "running_var")

    def __init__(self, width, momentum=0.1, epsilon=1e-5, dtype=np.float64):
        super().__init__("BatchNorm", width, epsilon, dtype, momentum=(momentum, Interval(Real, 0, 1, "both")))
        self.momentum = float(momentum)
        self.running_mean = np.zeros((1, self.width), dtype)
        self.running_var = np.ones((1, self.width), dtype)

    def forward(self, input):
        input = _dense(input)
        self.input = input
        if not self.training:
            self._normalized = None  # backward works it out from the running statistics
            self.output = self.infer(input)
            return self.output
        n = input.shape[0]
        mean = input.mean(axis=0, keepdims=True)
        centred = input - mean
        var = np.mean(centred * centred, axis=0, keepdims=True)
        self._inv_std = 1.0 / np.sqrt(var + self.epsilon)
        self._normalized = centred * self._inv_std
        self.output = self._normalized * self.scale
        self.output += self.shift
        m, dtype = self.momentum, self.running_mean.dtype
        self.running_mean = ((1 - m) * self.running_mean + m * mean).astype(dtype, copy=False)
        if n > 1:
            self.running_var = ((1 - m) * self.running_var + m * var * (n / (n - 1))).astype(dtype, copy=False)
        return self.output

    def backward(self, output_gradient):
        normalized, inv_std = self._normalized, self._inv_std
        batch = normalized is not None
        if not batch:  # evaluation mode: the running statistics are constants
            inv_std = 1.0 / np.sqrt(self.running_var + self.epsilon)
            normalized = (self.input - self.running_mean) * inv_std
        self._param_gradients(output_gradient, normalized)
        if not self.needs_input_gradient:
            return None
        g = output_gradient * self.scale
        return _input_gradient(g, normalized, inv_std, axis=0) if batch else g * inv_std

    def infer(self, input, out=None):
        """``(input - running_mean) * (scale / sqrt(running_var + epsilon)) + shift``, written into
        ``out`` if given; nothing is kept."""
        out = np.subtract(_dense(input), self.running_mean, out=out)
        out *= self.scale / np.sqrt(self.running_var + self.epsilon)
        out += self.shift
        return out

    def _settings(self):
        return "" if self.momentum == 0.1 else f", momentum={self.momentum!r}"


class LayerNorm(_Normalization):
    """Layer normalization: each row normalized over its own features,
    ``scale * (x - mean) / sqrt(var + epsilon) + shift``, with ``mean`` and ``var`` (biased)
    those of the row.  No state: the same in training and evaluation mode, and a row's output
    depends on that row only.  The backward pass is the exact gradient through the row's
    statistics.

    Parameters
    ----------
    width : int
        The number of features (input and output columns).
    epsilon : float > 0, default=1e-5
    dtype : dtype, default=np.float64

    Examples
    --------
    >>> import numpy as np
    >>> layer = LayerNorm(3)
    >>> np.round(layer.forward(np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 3.0]])), 4)
    array([[-1.2247,  0.    ,  1.2247],
           [-0.7071, -0.7071,  1.4142]])
    """

    def __init__(self, width, epsilon=1e-5, dtype=np.float64):
        super().__init__("LayerNorm", width, epsilon, dtype)

    def _normalize(self, input, out=None):
        """``(input - mean) / sqrt(var + epsilon)`` of each row, into ``out`` if given, and
        ``1 / sqrt(var + epsilon)`` as a column."""
        input = _dense(input)
        mean = input.mean(axis=1, keepdims=True)
        out = np.subtract(input, mean, out=out)
        inv_std = 1.0 / np.sqrt(np.mean(out * out, axis=1, keepdims=True) + self.epsilon)
        out *= inv_std
        return out, inv_std

    def forward(self, input):
        self.input = input
        self._normalized, self._inv_std = self._normalize(input)
        self.output = self._normalized * self.scale
        self.output += self.shift
        return self.output

    def backward(self, output_gradient):
        self._param_gradients(output_gradient, self._normalized)
        if not self.needs_input_gradient:
            return None
        return _input_gradient(output_gradient * self.scale, self._normalized, self._inv_std, axis=1)

    def infer(self, input, out=None):
        """The normalized rows, scaled and shifted, written into ``out`` if given; nothing is kept."""
        out, _ = self._normalize(input, out)
        out *= self.scale
        out += self.shift
        return out


# the layer each name of a network's (and the estimators') ``normalization`` setting puts after each hidden
# dense layer
NORMALIZATIONS = {"batch": BatchNorm, "layer": LayerNorm}


def check_batch_rows(layers, n_samples, batch_size, stacklevel=3):
    """Batch normalization in training needs batches of two rows or more: one row has no variance,
    normalizes to 0 and passes no gradient back.  A ValueError when every batch would have one row,
    a warning when the last of each epoch would."""
    if not any(isinstance(layer, BatchNorm) and layer.training for layer in layers):
        return
    batch_size = min(batch_size, n_samples)
    if batch_size < 2:
        raise ValueError(
            "Batch normalization (normalization='batch', BatchNorm) normalizes each batch by its own mean and "
            f"variance, which a batch of one row does not have (training on {n_samples} "
            f"sample{'s' if n_samples != 1 else ''} in batches of {batch_size}). Use batches of 2 rows or more, "
            "or layer normalization (normalization='layer', LayerNorm), which normalizes each row on its own.")
    if n_samples % batch_size == 1:
        warnings.warn(
            f"With {n_samples} rows in batches of {batch_size}, the last batch of every epoch has one row, which "
            "batch normalization cannot normalize: that row trains only the layers after it. Choose a "
            "batch_size that leaves at least 2 rows in the last batch.", UserWarning, stacklevel=stacklevel)
