"""Learning-rate schedules: how an optimizer's ``learning_rate`` changes during training.

A schedule answers two questions, with the formulas of scikit-learn's MLP
(``learning_rate='constant'``, ``'invscaling'`` or ``'adaptive'``):

* ``rate(initial, t)``: the learning rate once ``t`` samples have been seen,
  starting from ``initial``, or None to leave the rate as it is (the
  training loop asks after every epoch);
* ``reduce(current)``: after ``n_iter_no_change`` epochs without progress,
  the rate to go on with, or None to stop training.

Any optimizer with a ``learning_rate`` attribute can be scheduled.
Settings are constructor arguments, so ``get_params``/``set_params``,
``clone`` and ``repr`` work as for scikit-learn objects; ``sklearn_params``
names the scikit-learn MLP parameter behind each (as for optimizers).

Examples
--------
>>> from skneural.components import names
>>> from skneural.components.schedules import InvScaling
>>> InvScaling(power_t=0.5).rate(0.1, 3)
0.05
>>> names("schedule")
['adaptive', 'constant', 'invscaling']
"""

from numbers import Real

from sklearn.base import BaseEstimator

from .params import Constrained, Interval

__all__ = ["Schedule", "Constant", "InvScaling", "Adaptive", "SCHEDULES"]


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
        rate as it is (a schedule that changes it only through ``reduce``)."""
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


class Adaptive(Schedule):
    """The rate stays until progress stalls, then is divided by ``factor`` (scikit-learn's 'adaptive').

    Training stops once the rate is at or below ``min_learning_rate``.

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


SCHEDULES = {
    "constant": Constant,
    "invscaling": InvScaling,
    "adaptive": Adaptive,
}
