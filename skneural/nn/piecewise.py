"""The piecewise-linear encoding of numeric features (:class:`PiecewiseLinearEncoding`).

"PLE" of Gorishniy, Rubachev & Babenko ("On Embeddings for Numerical Features in Tabular Deep
Learning", NeurIPS 2022) with quantile bins: each feature becomes one value per bin, 0 below the
bin, 1 above it and linear across it, so a network sees where a value lies among the training
values, as a tree's thresholds do, while the encoding stays continuous.

Examples
--------
>>> import numpy as np
>>> from skneural.layers import PiecewiseLinearEncoding
>>> x = np.arange(10.0).reshape(-1, 1)
>>> layer = PiecewiseLinearEncoding.from_quantiles(x, n_bins=3)
>>> layer.edges
array([[0., 3., 6., 9.]])
>>> layer.infer(np.array([[-3.0], [4.5], [12.0]]))
array([[-1. ,  0. ,  0. ],
       [ 1. ,  0.5,  0. ],
       [ 1. ,  1. ,  2. ]])
"""

from numbers import Integral

import numpy as np

from ..components.params import Boolean, Interval, validate
from .embeddings import checked_columns
from .layers import Layer

__all__ = ["PiecewiseLinearEncoding", "quantile_edges", "inverse_widths"]


def quantile_edges(x, n_bins):
    """``(n_features, n_bins + 1)`` edges: each column's quantiles at ``0, 1/n_bins, ..., 1``, without
    repeats, then its largest one repeated (empty bins) to fill the row."""
    x = np.asarray(x, dtype=np.float64)
    edges = np.empty((x.shape[1], n_bins + 1))
    for j, column in enumerate(x.T):
        column = column[np.isfinite(column)]
        unique = np.unique(np.quantile(column, np.linspace(0, 1, n_bins + 1))) if column.size else np.zeros(1)
        edges[j, :unique.size] = unique
        edges[j, unique.size:] = unique[-1]
    return edges


def inverse_widths(edges, dtype):
    """``(widths, inverses, used)`` of the bins between ``edges`` (along the last axis), in float64: a
    bin is used when its width is positive and ``dtype`` holds its inverse (else its inverse is 0)."""
    width = np.diff(np.asarray(edges, dtype=np.float64), axis=-1)
    with np.errstate(divide="ignore", over="ignore"):
        inverse = 1.0 / np.where(width > 0, width, np.inf)
        used = (width > 0) & np.isfinite(inverse.astype(dtype))
    inverse[~used] = 0.0
    return width, inverse, used


class PiecewiseLinearEncoding(Layer):
    """Piecewise-linear encoding of numeric features by bins (PLE, Gorishniy et al., NeurIPS 2022).

    Each of the first ``n_features`` input columns ``x_j``, with the ``n_bins + 1`` edges
    ``edges[j]`` (non-decreasing; usually its quantiles on the training data, :meth:`from_quantiles`),
    becomes ``n_bins`` values, one per bin ``[a, b)`` of positive width::

        (x_j - a) / (b - a), clipped to [0, 1]

    except that the first bin is not clipped below and the last one not above (so values beyond the
    training range stay distinguishable).  A bin of zero width (a column with fewer distinct values
    than bins) gives 0.  With ``include_input``, the features themselves come first.  The output is
    ``[x_1..x_f (include_input)] [bins of x_1] ... [bins of x_f]`` followed by the ``n_passthrough``
    other input columns unchanged: ``(n, f * (n_bins + include_input) + n_passthrough)``.

    No trainable parameters: ``edges`` ``(n_features, n_bins + 1)`` is the layer's state
    (``state_names``), saved with a network.

    Parameters
    ----------
    n_features : int >= 1
    n_bins : int >= 1, default=16
    n_passthrough : int >= 0, default=0
    include_input : bool, default=False
    edges : array of shape (n_features, n_bins + 1) or None, default=None
        None: ``n_bins`` equal bins over ``[-1, 1]`` for every feature.
    dtype : dtype, default=np.float64

    Examples
    --------
    >>> import numpy as np
    >>> layer = PiecewiseLinearEncoding(1, n_bins=2, n_passthrough=1, include_input=True)
    >>> layer
    PiecewiseLinearEncoding(1, n_bins=2, n_passthrough=1, include_input=True)
    >>> layer.forward(np.array([[0.5, 7.0]]))
    array([[0.5, 1. , 0.5, 7. ]])
    >>> layer.backward(np.ones((1, 4)))
    array([[2., 1.]])
    """

    state_names = ("edges",)

    def __init__(self, n_features, n_bins=16, n_passthrough=0, include_input=False, edges=None, dtype=np.float64):
        super().__init__()
        validate("PiecewiseLinearEncoding",
                 {"n_features": n_features, "n_bins": n_bins, "n_passthrough": n_passthrough,
                  "include_input": include_input},
                 {"n_features": Interval(Integral, 1, None, "left"), "n_bins": Interval(Integral, 1, None, "left"),
                  "n_passthrough": Interval(Integral, 0, None, "left"), "include_input": Boolean()})
        self.n_features, self.n_bins = f, t = int(n_features), int(n_bins)
        self.n_passthrough, self.include_input = int(n_passthrough), bool(include_input)
        if edges is None:
            edges = np.tile(np.linspace(-1.0, 1.0, t + 1), (f, 1))
        edges = np.array(edges, dtype=dtype)
        if edges.shape != (f, t + 1) or not np.isfinite(edges).all() or (np.diff(edges, axis=1) < 0).any():
            raise ValueError(f"edges must be finite and non-decreasing along each row, of shape {(f, t + 1)} "
                             f"(n_features, n_bins + 1); got an array of shape {edges.shape}.")
        self.edges = edges
        self.input_size = f + self.n_passthrough
        self.output_size = f * (t + self.include_input) + self.n_passthrough

    @classmethod
    def from_quantiles(cls, X, n_bins=16, n_passthrough=0, include_input=False, dtype=np.float64):
        """The encoding of ``X``'s first columns (all but the last ``n_passthrough``) by their quantiles:
        bins holding about as many of ``X``'s rows each (fewer, wider ones where values repeat; NaN
        values are left out of the quantiles)."""
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] <= n_passthrough:
            raise ValueError(f"X must be a 2-d array with more columns than n_passthrough={n_passthrough} (the "
                             f"numeric features come first); got an array of shape {X.shape}. Reshape a single "
                             "feature with X.reshape(-1, 1).")
        n_features = X.shape[1] - n_passthrough
        return cls(n_features, n_bins, n_passthrough, include_input,
                   quantile_edges(X[:, :n_features], n_bins), dtype)

    def _bins(self, dtype):
        """``(low, inverse widths, lower clip, upper clip)``, each ``(1, n_features * n_bins)``; a bin
        too narrow for ``dtype`` to hold the inverse of its width counts as empty."""
        edges = self.edges.astype(np.float64)
        width, inverse, used = inverse_widths(edges, dtype)
        lower, upper = np.zeros_like(width), np.where(used, 1.0, 0.0)
        rows = np.arange(self.n_features)
        has = used.any(axis=1)
        first, last = used.argmax(axis=1), width.shape[1] - 1 - used[:, ::-1].argmax(axis=1)
        lower[rows[has], first[has]] = -np.inf
        upper[rows[has], last[has]] = np.inf
        return tuple(a.reshape(1, -1).astype(dtype) for a in (edges[:, :-1], inverse, lower, upper))

    def _check(self, input):
        return checked_columns(self, input, self.edges.dtype)

    def _encode(self, x):
        """The bins' values ``(n, f * n_bins)``."""
        low, inverse, lower, upper = self._bins(x.dtype)
        values = np.repeat(x[:, :self.n_features], self.n_bins, axis=1)
        values -= low
        with np.errstate(invalid="ignore"):  # inf * 0 in an empty bin, set to 0 below
            values *= inverse
        empty = inverse[0] == 0
        if empty.any():
            values[:, empty] = 0  # also for an infinite value (inf * 0)
        return np.clip(values, lower, upper, out=values)

    def _assemble(self, x, bins):
        f = self.n_features
        parts = ([x[:, :f]] if self.include_input else []) + [bins, x[:, f:]]
        return np.concatenate(parts, axis=1)

    def forward(self, input):
        self.input = self._check(input)
        self.output = self._assemble(self.input, self._encode(self.input))
        return self.output

    def infer(self, input, out=None):
        x = self._check(input)
        return self._assemble(x, self._encode(x))

    def backward(self, output_gradient):
        if not self.needs_input_gradient:
            return None
        f, t, g = self.n_features, self.n_bins, np.asarray(output_gradient)
        start = f * self.include_input
        _, inverse, lower, upper = self._bins(g.dtype)
        bins = self.output[:, start:start + f * t]  # clipped: inside its bin exactly where strictly within bounds
        through = g[:, start:start + f * t] * inverse
        through *= (bins > lower) & (bins < upper)
        grad = np.empty((g.shape[0], self.input_size), g.dtype)
        grad[:, :f] = through.reshape(-1, f, t).sum(axis=2)
        if self.include_input:
            grad[:, :f] += g[:, :f]
        grad[:, f:] = g[:, start + f * t:]
        return grad

    def output_width(self, input_width):
        return self.output_size

    def __repr__(self):
        args = [str(self.n_features)]
        defaults = {"n_bins": 16, "n_passthrough": 0, "include_input": False}
        args += [f"{name}={getattr(self, name)!r}" for name, default in defaults.items()
                 if getattr(self, name) != default]
        return f"PiecewiseLinearEncoding({', '.join(args)})"
