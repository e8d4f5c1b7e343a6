"""Regularizing layers: :class:`Dropout`.

Examples
--------
>>> import numpy as np
>>> from skneural import NeuralNetwork
>>> from skneural.layers import Dense, Dropout, ReLU
>>> net = NeuralNetwork([Dense(3, 8, random_state=0), ReLU(), Dropout(0.5, random_state=0),
...                      Dense(8, 1, random_state=1)], random_state=0)
>>> x, y = np.ones((4, 3)), np.ones((4, 1))
>>> losses = net.fit(x, y, batch_size=2, epochs=3)  # a new network trains: dropout is active
>>> np.array_equal(net.predict(x), net.predict(x))  # prediction evaluates: no dropout
True
"""

from numbers import Real

import numpy as np
from sklearn.utils import check_random_state

from ..components.params import Interval, validate
from .layers import Layer

__all__ = ["Dropout"]

_RATE = {"rate": Interval(Real, 0, 1, "left")}


class Dropout(Layer):
    """Inverted dropout: in training mode each input value is zeroed with probability ``rate``
    and the kept ones are scaled by ``1 / (1 - rate)``; in evaluation mode (``net.eval()``) and
    in prediction (``infer``) the layer is the identity.

    A new network trains (``training`` is True), so ``NeuralNetwork.fit`` drops units unless
    the network was put in evaluation mode; ``predict``, ``output``, ``score`` and
    ``compute_loss`` never do.  With ``rate=0`` the layer is the identity in every mode and
    draws nothing: a network trains exactly as it would without it.

    The masks are drawn, one per ``forward`` in training mode, from the layer's own
    ``RandomState`` (seeded by ``random_state``), so that a seeded layer in a seeded network
    trains reproducibly.  A diagnosis replay after a non-finite epoch draws masks of its own.

    Parameters
    ----------
    rate : float in [0, 1)
        The probability of zeroing each value.
    random_state : int, RandomState or None, default=None
        Seeds the masks (an int: a RandomState of its own; a RandomState: drawn from as
        given; None: NumPy's global one).

    Attributes
    ----------
    fixed_mask : array-like of bool or None, default=None
        When not None, training-mode ``forward`` uses this keep mask (True or nonzero: kept)
        instead of drawing one; it must broadcast to the input's shape.  Fix it for a gradient
        check (``check_gradients`` runs ``forward`` once per loss), e.g.
        ``layer.fixed_mask = layer.draw_mask((n, width))``; set it back to None to draw again.
    mask : ndarray of bool or None
        The keep mask of the last training-mode ``forward`` (None when that ``forward`` was
        the identity: evaluation mode or ``rate=0``).

    Examples
    --------
    >>> import numpy as np
    >>> layer = Dropout(0.5, random_state=0)
    >>> layer
    Dropout(0.5)
    >>> layer.fixed_mask = np.array([[True, False, True, True]])
    >>> layer.forward(np.ones((2, 4)))  # kept values scaled by 1 / (1 - 0.5)
    array([[2., 0., 2., 2.],
           [2., 0., 2., 2.]])
    >>> layer.backward(np.ones((2, 4)))
    array([[2., 0., 2., 2.],
           [2., 0., 2., 2.]])
    >>> layer.infer(np.ones((1, 4)))  # prediction: the identity
    array([[1., 1., 1., 1.]])
    """

    inplace = True

    def __init__(self, rate, random_state=None):
        super().__init__()
        validate("Dropout", {"rate": rate}, _RATE)
        self.rate = float(rate)
        self._rng = check_random_state(random_state)
        self.fixed_mask = None
        self.mask = None
        self._kept = None  # the multipliers forward applied (0 or 1 / (1 - rate)); None: the identity

    def reseed(self, seed):
        """Draw the masks from a new ``RandomState(seed)``."""
        self._rng = check_random_state(seed)

    def draw_mask(self, shape):
        """A new keep mask of ``shape`` from the layer's random state: True with probability
        ``1 - rate``."""
        return self._rng.random_sample(shape) >= self.rate

    def forward(self, input):
        self.input = input
        if not self.training or self.rate == 0:
            self.mask = self._kept = None
            self.output = input
            return input
        if self.fixed_mask is None:
            keep = self.draw_mask(input.shape)
        else:
            keep = np.asarray(self.fixed_mask) != 0
            try:
                fits = np.broadcast_shapes(keep.shape, input.shape) == input.shape
            except ValueError:
                fits = False
            if not fits:
                raise ValueError(f"Dropout's fixed_mask has shape {keep.shape}, which does not broadcast "
                                 f"to the input's shape {input.shape}.")
        self.mask = keep
        self._kept = np.where(keep, 1.0 / (1.0 - self.rate), 0.0).astype(input.dtype, copy=False)
        self.output = input * self._kept
        return self.output

    def backward(self, output_gradient):
        if not self.needs_input_gradient:
            return None
        if self._kept is None:
            return output_gradient
        return output_gradient * self._kept

    def infer(self, input, out=None):
        """The identity (evaluation mode): ``input`` copied into ``out`` if given (nothing to do
        when ``out`` is ``input``), else a copy of it."""
        if out is None:
            return np.array(input, copy=True)
        if out is not input:
            np.copyto(out, input)
        return out

    def output_width(self, input_width):
        return input_width

    def __getstate__(self):
        state = super().__getstate__()
        state.update(mask=None, _kept=None)  # scratch of the last forward, as input and output
        return state

    def __repr__(self):
        return f"Dropout({self.rate:g})"
