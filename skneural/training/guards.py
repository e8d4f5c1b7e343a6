"""Guards against training that diverged or could make no progress, run at the end of a fit.

``DivergenceGuard`` takes the loss on a sample of the training rows when
training starts and checks it when training ends, for the stochastic loop
(as a callback) and for L-BFGS alike.
"""

import numpy as np
import scipy.sparse as sp

from .callbacks import Callback

__all__ = ["DivergenceGuard"]

# A fit that ends with a loss over this many times the loss at the start of the call, and that of
# predicting the mean target, has diverged even while everything stays finite (a spike it recovers
# from is not divergence: scikit-learn's MLP carries on through such epochs, and so does fit).
_DIVERGENCE_FACTOR = 100

# Training that made no progress because of the data's scale, checked at the end of every fit and
# partial_fit on the rows the loss was taken on at the start (X*1e300, y*1e150 and the like fit
# "successfully" otherwise).  Measured (default Adam, 5 epochs; loss before -> after the call):
#   digits X*1e300: 3.96e300 -> 3.96e300 (relative change 3.7e-6; Adam's squared gradients overflow,
#     so the weights barely move), iris X*1e300: 2.44e299 -> the same value; regression y*1e150:
#     5.7e303 -> the same value (steps of about 1e-3 cannot move outputs towards 1e150);
#     y*1e20: 5.7e43 -> the same value; y*1e12: changed by 6e-15 of itself.
#   Legitimate fits end far below 1e154: digits raw (0..16), max_iter=1 or 2: 4.6 -> 1.9 or 0.96;
#     a target of mean 1000, max_iter=1 or 5: 5.0e5, changed by 1.9e-4 or 9.4e-4 of itself;
#     mean 1e6: 5e11, changed by 9.4e-7 (float64) or 9.2e-7 (float32) of itself.
# The criterion: (1) the loss after the call is still beyond the square root of the largest float
# of the data's dtype (1.3e154 in float64, 1.8e19 in float32): the square of such a loss (and of
# its gradients, as Adam and RMSprop take them) overflows, so training cannot reduce it; no
# legitimate fit has a loss anywhere near it.  Or (2) the updates moved the weights (the output
# layer's bias, which every update reaches) and yet left the loss on those rows unchanged to the
# last bit, while the model is no better than predicting the mean target (loss >= half of that
# one's): a loss that large cannot be moved by steps of the weights' size.  A learning rate too
# small to change the weights, or zero gradients, leaves the bias as it was and is not caught.


def _max_abs(a):
    a = a.data if sp.issparse(a) else a
    return float(np.max(np.abs(a))) if a.size else 0.0


def _start_losses(network, x, y):
    """The network's loss on ``(x, y)`` and that of predicting ``y``'s mean there (nan for a loss
    that cannot score a constant)."""
    with np.errstate(all="ignore"):
        start = network.compute_loss(x, y)
        constant = np.broadcast_to(y.mean(axis=0), y.shape).copy()
        try:
            constant = float(np.mean(network.loss(constant, y)))
        except (ValueError, TypeError, FloatingPointError):
            constant = np.nan
    return start, constant


class DivergenceGuard(Callback):
    """Raise a ValueError at the end of training if the model diverged or the data's scale kept
    training from making progress.

    Parameters
    ----------
    sample_every : int
        The loss is taken on every ``n_rows // sample_every``-th row (rows spread evenly over the
        data: the first rows alone may all be alike, in data sorted by target).
    regression : bool, default=False
        Whether the advice on scaling also names the targets.
    restored : str, default=''
        Appended to the messages (what became of the model).
    factor : float or None, default=100
        A fit that ends with a loss over ``factor`` times the larger of the loss at the start and
        that of predicting the mean target has diverged; None checks only that training could make
        progress (L-BFGS, whose line search never ends above where it started on the whole data).
    """

    def __init__(self, sample_every, regression=False, restored="", factor=_DIVERGENCE_FACTOR):
        self.sample_every = sample_every
        self.regression = regression
        self.restored = restored
        self.factor = factor

    @staticmethod
    def _moved(network):
        """What every update reaches: the output layer's bias, or all the parameters of a network without one."""
        biases = network.biases
        return biases[-1] if biases else network.params

    def on_train_begin(self, trainer):
        network, x = trainer.network, trainer.x
        self._rows = slice(None, None, max(1, x.shape[0] // self.sample_every))
        self._start, self._constant = _start_losses(network, x[self._rows], trainer.y[self._rows])
        self._output_bias = self._moved(network).copy()

    def on_train_end(self, trainer):
        network, rows = trainer.network, self._rows
        with np.errstate(all="ignore"):
            end = network.compute_loss(trainer.x[rows], trainer.y[rows])
        finite = [v for v in (self._start, self._constant) if np.isfinite(v)]
        reference = max(finite) if finite else 0.0
        # a loss that spiked and came back is fine (scikit-learn's MLP recovers from such epochs too);
        # a model that ends far worse than where it started, or than predicting the mean, has diverged
        if self.factor is not None and reference > 0 and end > self.factor * reference:
            raise ValueError(
                f"Training diverged: after epoch {trainer.epoch} the loss is {end:.4g}, over "
                f"{self.factor} times the larger of the loss at the start and that of "
                f"predicting the mean target ({reference:.4g}).{self.restored} Try a smaller learning "
                "rate, or scale the inputs (e.g. StandardScaler) and, for regression, the targets."
            )
        self._check_progress(trainer, end)

    def _check_progress(self, trainer, end):
        network, start = trainer.network, self._start
        astronomical = end >= np.sqrt(np.finfo(network.params.dtype).max)
        frozen = (end == start and start > 0 and not start < self._constant / 2
                  and not np.array_equal(self._moved(network), self._output_bias))
        if not (astronomical or frozen):
            return
        reason = ("a loss that large is beyond what training can reduce (its square overflows)" if astronomical
                  else "the updates moved the weights but left the loss unchanged to the last digit")
        sizes = f"X holds values as large as {_max_abs(trainer.x):.3g}"
        if self.regression:
            sizes += f" and y as large as {_max_abs(trainer.y):.3g}"
        raise ValueError(
            f"Training made no progress: the loss did not improve from {start:.3g} (it is {end:.3g} "
            f"after this call): {reason}. {sizes}: the data's scale is far beyond what the network's "
            f"weights can fit. Scale X{' and y' if self.regression else ''} (e.g. with StandardScaler"
            f"{'; TransformedTargetRegressor scales y' if self.regression else ''}).{self.restored}"
        )
