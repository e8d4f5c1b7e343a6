"""Layers for the numeric features of tabular data: :class:`SmoothClip`, :class:`Scale` and
:class:`PeriodicEmbedding`.

:class:`SmoothClip` bounds robustly scaled features smoothly (RealMLP's preprocessing, Holzmüller
et al. 2024), :class:`Scale` learns a factor per column, and :class:`PeriodicEmbedding` maps each
numeric feature to a small vector through learned periodic functions (the "PLR" embedding of
Gorishniy, Rubachev & Babenko, "On Embeddings for Numerical Features in Tabular Deep Learning",
NeurIPS 2022), passing other columns (one-hot categories, say) through unchanged.

Examples
--------
>>> import numpy as np
>>> from skneural import NeuralNetwork
>>> from skneural.layers import Dense, PeriodicEmbedding, ReLU, SmoothClip
>>> net = NeuralNetwork([SmoothClip(2), PeriodicEmbedding(2, n_passthrough=1, random_state=0),
...                      Dense(17, 4, random_state=0), ReLU(), Dense(4, 1, random_state=0)], loss="mse")
>>> net.output(np.zeros((3, 3))).shape
(3, 1)
"""

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_random_state

from ..components import resolve
from ..components.params import Boolean, Interval, NoneOr, validate
from .layers import Layer

__all__ = ["SmoothClip", "Scale", "PeriodicEmbedding"]

_AT_LEAST_ONE = Interval(Integral, 1, None, "left")
_POSITIVE = Interval(Real, 0, None, "neither")
# PeriodicEmbedding.infer works through its input in blocks of rows whose intermediates (the
# features' frequencies, cosines and sines, pre-activations and activations) take about this much
_BLOCK_BYTES = 32 * 2**20


def _floating(x, dtype=np.float64):
    """``x`` dense, and of a floating dtype (``dtype`` for other ones)."""
    x = x.toarray() if sp.issparse(x) else np.asarray(x)
    return x if np.issubdtype(x.dtype, np.floating) else x.astype(dtype)


def checked_columns(layer, input, dtype):
    """``input`` as :func:`_floating` gives it, checked to be the ``n_features`` numeric columns then the
    ``n_passthrough`` others that ``layer`` (an embedding of numeric features) takes."""
    x = _floating(input, dtype)
    if x.ndim != 2 or x.shape[1] != layer.input_size:
        raise ValueError(
            f"{layer!r} expects {layer.input_size} input columns ({layer.n_features} numeric features followed "
            f"by {layer.n_passthrough} passthrough columns); got an input of shape {x.shape}.")
    return x


class SmoothClip(Layer):
    """Smooth clipping: ``x / sqrt(1 + (x / limit) ** 2)`` on the first ``n_features`` columns.

    Close to the identity for ``|x|`` well below ``limit`` and tending to ``+-limit`` beyond it,
    it bounds outliers of robustly scaled numeric features without a kink (RealMLP, Holzmüller et
    al. 2024).  The other columns pass through unchanged.  No parameters.

    Parameters
    ----------
    n_features : int >= 1 or None, default=None
        The number of leading columns to clip; None: every column.
    limit : float > 0, default=3.0

    Examples
    --------
    >>> import numpy as np
    >>> layer = SmoothClip(1, limit=1.0)
    >>> layer
    SmoothClip(1, limit=1.0)
    >>> layer.forward(np.array([[1.0, 1.0], [0.0, 5.0]]))
    array([[0.70710678, 1.        ],
           [0.        , 5.        ]])
    >>> layer.backward(np.ones((2, 2)))
    array([[0.35355339, 1.        ],
           [1.        , 1.        ]])
    """

    inplace = True

    def __init__(self, n_features=None, limit=3.0):
        super().__init__()
        validate("SmoothClip", {"n_features": n_features, "limit": limit},
                 {"n_features": NoneOr(_AT_LEAST_ONE), "limit": _POSITIVE})
        self.n_features = None if n_features is None else int(n_features)
        self.limit = float(limit)

    def _columns(self, width):
        if self.n_features is None:
            return width
        if self.n_features > width:
            raise ValueError(f"{self!r} clips the first {self.n_features} columns, but its input has {width}.")
        return self.n_features

    def forward(self, input):
        self.input = _floating(input)
        self.output = self.infer(self.input)
        return self.output

    def infer(self, input, out=None):
        """The clipped input, written into ``out`` if given (``input`` itself: in place); nothing is kept."""
        x = _floating(input)
        m = self._columns(x.shape[1])
        if out is None:
            out = x.copy()
        elif out is not x:
            np.copyto(out, x)
        clipped = out[:, :m]
        ratio = clipped / self.limit
        ratio *= ratio
        ratio += 1
        clipped /= np.sqrt(ratio, out=ratio)
        return out

    def backward(self, output_gradient):
        if not self.needs_input_gradient:
            return None
        m = self._columns(self.input.shape[1])
        grad = np.array(output_gradient, copy=True)
        ratio = self.input[:, :m] / self.limit
        grad[:, :m] *= (1 + ratio * ratio) ** -1.5
        return grad

    def output_width(self, input_width):
        return input_width

    def __repr__(self):
        args = [] if self.n_features is None else [str(self.n_features)]
        if self.limit != 3.0:
            args.append(f"limit={self.limit!r}")
        return f"SmoothClip({', '.join(args)})"


class Scale(Layer):
    """A learnable factor per column: ``output = input * scale``.

    ``scale`` is ``(1, width)``, initially ones, trained but not penalized by a network's L2
    penalty (as RealMLP's first-layer scaling of the features).

    Parameters
    ----------
    width : int >= 1
        The number of columns (input and output).
    dtype : dtype, default=np.float64

    Examples
    --------
    >>> import numpy as np
    >>> layer = Scale(2)
    >>> layer.scale[...] = [[2.0, -1.0]]
    >>> layer.forward(np.array([[1.0, 1.0], [3.0, 2.0]]))
    array([[ 2., -1.],
           [ 6., -2.]])
    >>> layer.backward(np.ones((2, 2)))
    array([[ 2., -1.],
           [ 2., -1.]])
    >>> layer.d_scale
    array([[4., 3.]])
    """

    param_names = ("scale",)
    penalized = ()
    inplace = True

    def __init__(self, width, dtype=np.float64):
        super().__init__()
        validate("Scale", {"width": width}, {"width": _AT_LEAST_ONE})
        # input_size and output_size: the network checks the widths of its chain of layers by them
        self.width = self.input_size = self.output_size = int(width)
        self.scale = np.ones((1, self.width), dtype)
        self.d_scale = np.zeros_like(self.scale)

    def forward(self, input):
        self.input = _floating(input, self.scale.dtype)
        self.output = self.infer(self.input)
        return self.output

    def infer(self, input, out=None):
        """``input * scale``, written into ``out`` if given; nothing is kept."""
        x = _floating(input, self.scale.dtype)
        if x.shape[1] != self.width:
            raise ValueError(f"{self!r} expects {self.width} input columns; got {x.shape[1]}.")
        return np.multiply(x, self.scale.astype(x.dtype, copy=False), out=out)

    def backward(self, output_gradient):
        self.d_scale[...] = np.sum(self.input * output_gradient, axis=0, keepdims=True)
        if not self.needs_input_gradient:
            return None
        return output_gradient * self.scale

    def output_width(self, input_width):
        return self.width

    def __repr__(self):
        return f"Scale({self.width})"


class PeriodicEmbedding(Layer):
    """Periodic embeddings of numeric features ("PLR", Gorishniy, Rubachev & Babenko, NeurIPS 2022).

    Each of the first ``n_features`` input columns ``x_j`` becomes ``embedding_size`` values::

        v = 2 * pi * frequencies[j] * x_j                       (n_frequencies values)
        p = concat(cos(v), sin(v))                              (2 * n_frequencies values)
        e_j = activation(p @ embedding_weights[j] + embedding_bias[j])

    and, with ``include_input``, ``x_j`` itself after them (RealMLP's PBLD style), so
    ``embedding_size + 1`` values.  The output is the features' embeddings one feature after the
    other, ``(n, n_features * e)``, followed by the ``n_passthrough`` remaining input columns
    unchanged (one-hot categories, say): the input has ``n_features + n_passthrough`` columns.

    The three parameters are trained, none penalized: ``frequencies``
    ``(n_features, n_frequencies)`` drawn from N(0, sigma), ``embedding_weights``
    ``(n_features, 2 * n_frequencies, embedding_size)`` and ``embedding_bias``
    ``(n_features, embedding_size)`` drawn uniformly from ``+-1 / sqrt(2 * n_frequencies)``.
    (They are not called ``weights`` and ``bias``: a network's ``weights`` and ``biases`` list
    its Dense layers'.)

    Parameters
    ----------
    n_features : int >= 1
    n_passthrough : int >= 0, default=0
    n_frequencies : int >= 1, default=16
    embedding_size : int >= 1, default=8
    sigma : float > 0, default=0.1
        The standard deviation of the initial frequencies.
    include_input : bool, default=False
    activation : str, activation object or None, default='relu'
        Applied to each feature's embedding (a row of ``embedding_size`` values); a name of
        :mod:`skneural.activations` ('relu', 'identity', ...); None: 'identity'.
    random_state : int, RandomState or None, default=None
        Seeds the initial parameters.
    dtype : dtype, default=np.float64

    Examples
    --------
    >>> import numpy as np
    >>> layer = PeriodicEmbedding(2, n_passthrough=1, n_frequencies=3, embedding_size=4, random_state=0)
    >>> layer
    PeriodicEmbedding(2, n_passthrough=1, n_frequencies=3, embedding_size=4)
    >>> out = layer.forward(np.array([[0.5, -1.0, 1.0], [0.0, 2.0, 0.0]]))
    >>> out.shape, layer.output_width(3)
    ((2, 9), 9)
    >>> out[:, -1]  # the passthrough column
    array([1., 0.])
    >>> layer.backward(np.ones_like(out)).shape
    (2, 3)
    >>> PeriodicEmbedding(3, include_input=True, activation="identity").output_width(3)
    27
    """

    param_names = ("frequencies", "embedding_weights", "embedding_bias")
    penalized = ()

    def __init__(self, n_features, n_passthrough=0, n_frequencies=16, embedding_size=8, sigma=0.1,
                 include_input=False, activation="relu", random_state=None, dtype=np.float64):
        super().__init__()
        validate("PeriodicEmbedding",
                 {"n_features": n_features, "n_passthrough": n_passthrough, "n_frequencies": n_frequencies,
                  "embedding_size": embedding_size, "sigma": sigma, "include_input": include_input},
                 {"n_features": _AT_LEAST_ONE, "n_passthrough": Interval(Integral, 0, None, "left"),
                  "n_frequencies": _AT_LEAST_ONE, "embedding_size": _AT_LEAST_ONE, "sigma": _POSITIVE,
                  "include_input": Boolean()})
        self.n_features = f = int(n_features)
        self.n_passthrough = int(n_passthrough)
        self.n_frequencies, self.embedding_size = k, e = int(n_frequencies), int(embedding_size)
        self.sigma, self.include_input = float(sigma), bool(include_input)
        self._activation_spec = "identity" if activation is None else activation
        self.activation = resolve(self._activation_spec, "activation")
        self.input_size = f + self.n_passthrough
        self.output_size = f * (e + self.include_input) + self.n_passthrough
        rng = check_random_state(random_state)
        bound = 1 / np.sqrt(2 * k)
        self.frequencies = rng.normal(0.0, self.sigma, (f, k)).astype(dtype)
        self.embedding_weights = rng.uniform(-bound, bound, (f, 2 * k, e)).astype(dtype)
        self.embedding_bias = rng.uniform(-bound, bound, (f, e)).astype(dtype)
        for name in self.param_names:
            setattr(self, "d_" + name, np.zeros_like(getattr(self, name)))
        self._scratch = None  # what forward keeps for backward

    def _check(self, input):
        return checked_columns(self, input, self.frequencies.dtype)

    def _embed(self, x):
        """``(xt, p, z, h)``: the features ``(F, n)``, ``concat(cos v, sin v)`` ``(F, n, 2k)``, the
        pre-activation ``z`` and the activation ``h`` ``(F, n, e)``, computed in ``x``'s dtype."""
        f, k, e = self.n_features, self.n_frequencies, self.embedding_size
        n = x.shape[0]
        xt = np.ascontiguousarray(x[:, :f].T)
        v = xt[:, :, None] * ((2 * np.pi) * self.frequencies.astype(x.dtype, copy=False))[:, None, :]
        p = np.empty((f, n, 2 * k), x.dtype)
        np.cos(v, out=p[:, :, :k])
        np.sin(v, out=p[:, :, k:])
        z = np.matmul(p, self.embedding_weights.astype(x.dtype, copy=False))
        z += self.embedding_bias.astype(x.dtype, copy=False)[:, None, :]
        h = self.activation(z.reshape(f * n, e)).reshape(f, n, e)
        return xt, p, z, h

    def _assemble(self, x, xt, h, out):
        f, e, width = self.n_features, self.embedding_size, self.n_features * (self.embedding_size + self.include_input)
        if out is None:
            out = np.empty((x.shape[0], self.output_size), x.dtype)
        embedded = out[:, :width].reshape(x.shape[0], f, e + self.include_input)  # a view: splits the last axis
        embedded[:, :, :e] = h.transpose(1, 0, 2)
        if self.include_input:
            embedded[:, :, e] = xt.T
        out[:, width:] = x[:, f:]
        return out

    def forward(self, input):
        x = self._check(input)
        xt, p, z, h = self._embed(x)
        self.input, self._scratch = x, (xt, p, z, h)
        self.output = self._assemble(x, xt, h, None)
        return self.output

    def infer(self, input, out=None):
        """The embeddings and passthrough columns, written into ``out`` if given; nothing is kept.

        Blocks of rows at a time, so that the intermediates (``n_features * (3 * n_frequencies + ...)``
        values a row, however narrow the output) stay about ``_BLOCK_BYTES``; a row's values are those
        of one pass over all rows to the last bits (BLAS sums in an order that depends on the block)."""
        x = self._check(input)
        n = x.shape[0]
        if out is None:
            out = np.empty((n, self.output_size), x.dtype)
        per_row = x.dtype.itemsize * self.n_features * (3 * self.n_frequencies + 2 * self.embedding_size + 2)
        rows = max(1, _BLOCK_BYTES // per_row)
        for start in range(0, n, rows):
            block = x[start:start + rows]
            xt, _, _, h = self._embed(block)
            self._assemble(block, xt, h, out[start:start + rows])
        return out

    def backward(self, output_gradient):
        xt, p, z, h = self._scratch
        f, k, e = self.n_features, self.n_frequencies, self.embedding_size
        n, width = xt.shape[1], f * (e + self.include_input)
        g = np.asarray(output_gradient)
        embedded = g[:, :width].reshape(n, f, e + self.include_input)
        gh = np.ascontiguousarray(embedded[:, :, :e].transpose(1, 0, 2))  # (F, n, e)
        gz = self.activation.backprop(z.reshape(f * n, e), h.reshape(f * n, e), gh.reshape(f * n, e))
        gz = np.asarray(gz).reshape(f, n, e)
        self.d_embedding_bias[...] = gz.sum(axis=1)
        self.d_embedding_weights[...] = np.matmul(p.transpose(0, 2, 1), gz)
        gp = np.matmul(gz, self.embedding_weights.astype(gz.dtype, copy=False).transpose(0, 2, 1))  # (F, n, 2k)
        # d/dv of cos v is -sin v and of sin v is cos v (p holds cos v, then sin v)
        gv = p[:, :, k:] * gp[:, :, :k]
        np.subtract(p[:, :, :k] * gp[:, :, k:], gv, out=gv)
        gv *= 2 * np.pi  # dL/dv times dv/d(frequency * x)
        self.d_frequencies[...] = np.matmul(xt[:, None, :], gv)[:, 0, :]
        if not self.needs_input_gradient:
            return None
        grad = np.empty((n, self.input_size), np.result_type(g.dtype, gv.dtype))
        grad[:, :f] = np.matmul(gv, self.frequencies.astype(gv.dtype, copy=False)[:, :, None])[:, :, 0].T
        if self.include_input:
            grad[:, :f] += embedded[:, :, e]
        grad[:, f:] = g[:, width:]
        return grad

    def output_width(self, input_width):
        return self.output_size

    def __getstate__(self):
        state = super().__getstate__()
        state["_scratch"] = None  # what the last forward kept for backward
        return state

    def __repr__(self):
        args = [str(self.n_features)]
        defaults = {"n_passthrough": 0, "n_frequencies": 16, "embedding_size": 8, "sigma": 0.1,
                    "include_input": False}
        args += [f"{name}={getattr(self, name)!r}" for name, default in defaults.items()
                 if getattr(self, name) != default]
        if self._activation_spec != "relu":
            spec = self._activation_spec
            args.append(f"activation={spec!r}" if isinstance(spec, str) else f"activation={self.activation!r}")
        return f"PeriodicEmbedding({', '.join(args)})"
