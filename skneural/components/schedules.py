"""Learning-rate schedules: how an optimizer's ``learning_rate`` changes during training.

A schedule answers two questions:

* ``rate(initial, t)``: the learning rate once ``t`` samples have been seen,
  starting from ``initial``, or None to leave the rate as it is.  The
  training loop asks after every epoch, for the epochs that follow:
  scikit-learn's timing and formulas (``learning_rate='constant'``,
  ``'invscaling'``, ``'adaptive'``);
* ``reduce(current)``: after ``n_iter_no_change`` epochs without progress,
  the rate to go on with, or None to stop training.

An epoch-based schedule names keyword parameters ``epoch`` (and ``epochs``)
in its ``rate``: ``rate(initial, t, *, epoch, epochs=None)``.  The loop then
asks at the start of every epoch, for that epoch's rate, so a warm-up
already holds for the first one; ``epoch`` counts the epochs completed
before it (0 for the first epoch of a training: the estimators' ``fit``,
warm starts included, counts from 0 as scikit-learn's ``n_iter_`` does, while
``partial_fit`` goes on counting) and ``epochs`` is the epoch count at which
the training ends if it runs its full length (its ``max_epochs``; for the
estimators' ``partial_fit``, whose loop has no end of its own, ``max_iter``
epochs counted over the calls).  Past ``epochs``, ``CosineAnnealing`` and
``OneCycle`` stay at their lowest rate.
``StepDecay``, ``CosineAnnealing`` and ``OneCycle`` are epoch-based; a
``rate(initial, t)`` of one's own keeps working as before.

Any optimizer with a ``learning_rate`` attribute can be scheduled.
Settings are constructor arguments, so ``get_params``/``set_params``,
``clone`` and ``repr`` work as for scikit-learn objects; ``sklearn_params``
names the scikit-learn MLP parameter behind each (as for optimizers).

Examples
--------
>>> from skneural.components import names
>>> from skneural.components.schedules import CosineAnnealing, InvScaling
>>> InvScaling(power_t=0.5).rate(0.1, 3)
0.05
>>> CosineAnnealing().rate(0.1, 0, epoch=5, epochs=10)  # halfway through 10 epochs
0.05
>>> names("schedule")
['adaptive', 'constant', 'cosine_annealing', 'invscaling', 'one_cycle', 'reduce_on_plateau', 'step_decay']
"""

import math
from numbers import Integral, Real

from sklearn.base import BaseEstimator

from .params import Constrained, Interval, NoneOr

__all__ = ["Schedule", "Constant", "InvScaling", "Adaptive", "ReduceOnPlateau", "StepDecay", "CosineAnnealing",
           "OneCycle", "SCHEDULES"]


class Schedule(Constrained, BaseEstimator):
    """Base class of learning-rate schedules: subclasses define ``rate`` and may define ``reduce``.

    Hyperparameters are constructor arguments, constrained in ``_constraints``
    (see :mod:`skneural.components.params`) and checked by ``check_params``.

    Examples
    --------
    >>> class Halving(Schedule):
    ...     def __init__(self, every=1000):
    ...         self.every = every
    ...     def rate(self, initial, t):
    ...         return initial / 2 ** (t // self.every)
    >>> Halving().rate(0.1, 2500)
    0.025
    >>> Halving().reduce(0.025) is None  # the default: stop when progress stalls
    True
    >>> Halving(every=10)
    Halving(every=10)
    """

    sklearn_params = {}  # setting -> the scikit-learn MLP parameter that sets it

    def rate(self, initial, t):
        """The learning rate after ``t`` samples seen, starting from ``initial``; None leaves the
        rate as it is (a schedule that changes it only through ``reduce``).

        An epoch-based schedule defines ``rate(self, initial, t, *, epoch, epochs=None)``
        instead: the rate of epoch ``epoch`` (from 0) of a training of ``epochs`` epochs, asked
        at the start of that epoch (see the module's documentation)."""
        raise NotImplementedError

    def reduce(self, current):
        """After epochs without progress: the new learning rate, or None to stop (the default)."""
        return None


class Constant(Schedule):
    """The learning rate stays as it is; training stops when progress stalls.

    Examples
    --------
    >>> Constant().rate(0.01, 5000) is None  # the rate is left as it is (a rate set by hand stays)
    True
    >>> Constant().reduce(0.01) is None
    True
    """

    def rate(self, initial, t):
        return None


class InvScaling(Schedule):
    """The rate decays with the samples seen: ``initial / (t + 1) ** power_t`` (scikit-learn's 'invscaling').

    Parameters
    ----------
    power_t : float, default=0.5
        The exponent of the decay; must be >= 0.

    Examples
    --------
    >>> InvScaling().rate(0.1, 99)
    0.01
    >>> InvScaling(power_t=1.0).rate(0.1, 4)
    0.02
    >>> InvScaling().reduce(0.01) is None
    True
    """

    _constraints = {"power_t": Interval(Real, 0, None, "left")}
    sklearn_params = {"power_t": "power_t"}  # the scikit-learn MLP parameter that sets each setting

    def __init__(self, power_t=0.5):
        self.power_t = power_t

    def rate(self, initial, t):
        return initial / (t + 1) ** self.power_t


class ReduceOnPlateau(Schedule):
    """The rate stays until progress stalls, then is divided by ``factor``; training stops once
    the rate is at or below ``min_learning_rate``.

    The general form of scikit-learn's 'adaptive' (:class:`Adaptive`): with the defaults the
    rates are ``current / 5.0``, bit for bit as scikit-learn's (``factor`` divides, since a
    multiplication by 0.2 would round differently).  "Progress stalls" is decided by the
    early-stopping rule (``tol``, ``n_iter_no_change``), which calls ``reduce``.

    Parameters
    ----------
    factor : float, default=5.0
        What the rate is divided by on a plateau; must be > 1.
    min_learning_rate : float, default=1e-6
        At or below this rate, stalled progress stops training; must be >= 0.

    Examples
    --------
    >>> ReduceOnPlateau().rate(0.01, 5000) is None  # the rate changes only when progress stalls
    True
    >>> ReduceOnPlateau().reduce(0.01)
    0.002
    >>> ReduceOnPlateau(factor=2.0, min_learning_rate=0.1).reduce(0.1) is None
    True
    >>> ReduceOnPlateau(factor=10)
    ReduceOnPlateau(factor=10)
    """

    _constraints = {"factor": Interval(Real, 1, None, "neither"),
                    "min_learning_rate": Interval(Real, 0, None, "left")}

    def __init__(self, factor=5.0, min_learning_rate=1e-6):
        self.factor = factor
        self.min_learning_rate = min_learning_rate

    def rate(self, initial, t):
        return None

    def reduce(self, current):
        if current <= self.min_learning_rate:
            return None
        return current / self.factor


class Adaptive(ReduceOnPlateau):
    """scikit-learn's 'adaptive': :class:`ReduceOnPlateau`, under scikit-learn's name.

    The rate stays until progress stalls, then is divided by ``factor``; training stops once the
    rate is at or below ``min_learning_rate``.

    Parameters
    ----------
    factor : float, default=5.0
        What the rate is divided by; must be > 1.
    min_learning_rate : float, default=1e-6
        At or below this rate, stalled progress stops training; must be >= 0.

    Examples
    --------
    >>> Adaptive().rate(0.01, 5000) is None  # the rate changes only when progress stalls
    True
    >>> Adaptive().reduce(0.01)
    0.002
    >>> Adaptive().reduce(1e-6) is None
    True
    """


def _horizon(own, given, name):
    """The number of epochs a schedule spans: its own setting, else the training's."""
    epochs = given if own is None else own
    if epochs is None:
        raise ValueError(f"{name} needs the number of epochs to span, which this training does not give: set "
                         f"{name}(epochs=...), or call rate(..., epochs=n).")
    return epochs


class StepDecay(Schedule):
    """The rate is multiplied by ``gamma`` every ``step_size`` epochs:
    ``initial * gamma ** (epoch // step_size)``.

    An epoch-based schedule: it sets the rate at the start of each epoch (``epoch`` counts the
    epochs completed before it, from 0).

    Parameters
    ----------
    step_size : int, default=10
        Epochs between two decays; must be >= 1.
    gamma : float, default=0.5
        The factor of each decay; must be in (0, 1].

    Examples
    --------
    >>> schedule = StepDecay(step_size=2, gamma=0.5)
    >>> [schedule.rate(0.1, 0, epoch=e) for e in range(6)]
    [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]
    >>> schedule.reduce(0.1) is None
    True
    """

    _constraints = {"step_size": Interval(Integral, 1, None, "left"), "gamma": Interval(Real, 0, 1, "right")}

    def __init__(self, step_size=10, gamma=0.5):
        self.step_size = step_size
        self.gamma = gamma

    def rate(self, initial, t, *, epoch, epochs=None):
        return initial * self.gamma ** (epoch // self.step_size)


class CosineAnnealing(Schedule):
    """Linear warm-up (optional), then cosine annealing from ``initial`` down to ``min_learning_rate``.

    With ``n`` the number of epochs (``epochs``, or by default the training's ``max_epochs``)
    and ``w = warmup``, the rate of epoch ``e`` (0 for the first) is

    * ``initial * (e + 1) / (w + 1)`` for ``e < w`` (the warm-up: from ``initial / (w + 1)``
      up, the first epoch included);
    * ``min + (initial - min) * (1 + cos(pi * (e - w) / (n - w))) / 2`` for ``w <= e < n``:
      ``initial`` at ``e = w``, falling towards ``min`` (reached one epoch after the last);
    * ``min`` from epoch ``n`` on (a warm start beyond the span).

    Parameters
    ----------
    epochs : int or None, default=None
        The epochs to anneal over (warm-up included); None takes the training's number of
        epochs (``max_epochs``; ``max_iter`` for the estimators).
    min_learning_rate : float, default=0.0
        The rate annealing leads to; must be >= 0.
    warmup : int, default=0
        Epochs of linear warm-up; must be >= 0.

    Examples
    --------
    >>> schedule = CosineAnnealing(min_learning_rate=0.0, warmup=1)
    >>> [round(schedule.rate(0.1, 0, epoch=e, epochs=5), 4) for e in range(5)]
    [0.05, 0.1, 0.0854, 0.05, 0.0146]
    >>> CosineAnnealing(epochs=4).rate(0.1, 0, epoch=2, epochs=100)  # its own epochs come first
    0.05
    >>> CosineAnnealing(warmup=3)
    CosineAnnealing(warmup=3)
    """

    _constraints = {"epochs": NoneOr(Interval(Integral, 1, None, "left")),
                    "min_learning_rate": Interval(Real, 0, None, "left"),
                    "warmup": Interval(Integral, 0, None, "left")}

    def __init__(self, epochs=None, min_learning_rate=0.0, warmup=0):
        self.epochs = epochs
        self.min_learning_rate = min_learning_rate
        self.warmup = warmup

    def rate(self, initial, t, *, epoch, epochs=None):
        n, w, low = _horizon(self.epochs, epochs, type(self).__name__), self.warmup, self.min_learning_rate
        if epoch < w:
            return initial * (epoch + 1) / (w + 1)
        if epoch >= n:
            return low
        return low + (initial - low) * (1 + math.cos(math.pi * (epoch - w) / (n - w))) / 2


def _cosine(start, end, fraction):
    return end + (start - end) * (1 + math.cos(math.pi * fraction)) / 2


class OneCycle(Schedule):
    """Smith's one-cycle policy: up from a low rate to a peak, then down far below the start.

    With ``n`` epochs (``epochs``, or by default the training's ``max_epochs``), peak
    ``p = max_learning_rate`` (None: ``initial``), start ``s = p / div_factor`` and end
    ``f = s / final_div_factor``, the peak is at epoch ``u = pct_start * (n - 1)`` and the rate
    of epoch ``e`` (0 for the first) follows half cosines, as PyTorch's ``OneCycleLR``
    (``anneal_strategy='cos'``) over epochs:

    * ``e <= u``: from ``s`` (epoch 0) up to ``p`` (at ``u``):
      ``p + (s - p) * (1 + cos(pi * e / u)) / 2`` (``p`` when ``u = 0``);
    * ``u < e <= n - 1``: from ``p`` down to ``f`` (the last epoch):
      ``f + (p - f) * (1 + cos(pi * (e - u) / (n - 1 - u))) / 2``;
    * ``f`` after epoch ``n - 1`` (a warm start beyond the cycle).

    Only the learning rate cycles (not the momentum).

    Parameters
    ----------
    max_learning_rate : float or None, default=None
        The peak rate; None takes the initial rate (``learning_rate_init``); must be > 0.
    pct_start : float, default=0.3
        Where the peak is, as a fraction of the epochs; must be in [0, 1].
    div_factor : float, default=25.0
        The start rate is the peak divided by this; must be > 0.
    final_div_factor : float, default=1e4
        The last rate is the start rate divided by this; must be > 0.
    epochs : int or None, default=None
        The epochs of the cycle; None takes the training's number of epochs.

    Examples
    --------
    >>> schedule = OneCycle(pct_start=0.5, div_factor=10.0, final_div_factor=100.0)
    >>> [round(schedule.rate(1.0, 0, epoch=e, epochs=5), 4) for e in range(5)]
    [0.1, 0.55, 1.0, 0.5005, 0.001]
    """

    _constraints = {"max_learning_rate": NoneOr(Interval(Real, 0, None, "neither")),
                    "pct_start": Interval(Real, 0, 1, "both"),
                    "div_factor": Interval(Real, 0, None, "neither"),
                    "final_div_factor": Interval(Real, 0, None, "neither"),
                    "epochs": NoneOr(Interval(Integral, 1, None, "left"))}

    def __init__(self, max_learning_rate=None, pct_start=0.3, div_factor=25.0, final_div_factor=1e4, epochs=None):
        self.max_learning_rate = max_learning_rate
        self.pct_start = pct_start
        self.div_factor = div_factor
        self.final_div_factor = final_div_factor
        self.epochs = epochs

    def rate(self, initial, t, *, epoch, epochs=None):
        n = _horizon(self.epochs, epochs, type(self).__name__)
        peak = initial if self.max_learning_rate is None else self.max_learning_rate
        start = peak / self.div_factor
        end = start / self.final_div_factor
        top = self.pct_start * (n - 1)
        if epoch <= top:
            return _cosine(start, peak, epoch / top) if top > 0 else peak
        if epoch >= n - 1:
            return end
        return _cosine(peak, end, (epoch - top) / (n - 1 - top))


SCHEDULES = {
    "constant": Constant,
    "invscaling": InvScaling,
    "adaptive": Adaptive,
    "reduce_on_plateau": ReduceOnPlateau,
    "step_decay": StepDecay,
    "cosine_annealing": CosineAnnealing,
    "one_cycle": OneCycle,
}
