"""What a callback can monitor: the names of the values an epoch's record holds, and which way is better.

* ``'loss'``: the training loss (lower is better);
* ``'val_loss'``: the objective on validation data (lower is better);
* ``'val_score'``: the estimator's ``score`` on validation data (higher is better);
* any scikit-learn scorer name (``sklearn.metrics.get_scorer_names()``, e.g.
  ``'roc_auc'``, ``'neg_log_loss'``): that scorer on validation data, which
  the estimators record under that name when a callback monitors it (higher is
  better, as for every scikit-learn scorer).

Examples
--------
>>> from skneural.training.monitors import check_monitor, maximizes, needs_validation
>>> maximizes("val_loss"), maximizes("roc_auc"), needs_validation("loss")
(False, True, False)
>>> check_monitor("val_los", "EarlyStopping")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
ValueError: EarlyStopping cannot monitor 'val_los'. Did you mean 'val_loss'? It monitors 'loss', 'val_loss', ...
"""

import functools

from sklearn.metrics import get_scorer_names

from ..components import did_you_mean

__all__ = ["OWN_NAMES", "check_monitor", "is_scorer_name", "maximizes", "needs_validation", "monitor_names"]

OWN_NAMES = ("loss", "val_loss", "val_score")
_LOSSES = ("loss", "val_loss")


@functools.lru_cache(maxsize=1)
def _scorer_names():
    return frozenset(get_scorer_names())


def is_scorer_name(name):
    """Whether ``name`` is a scikit-learn scorer's name (and not one of skneural's own names)."""
    return isinstance(name, str) and name not in OWN_NAMES and name in _scorer_names()


def monitor_names():
    """Every name a callback can monitor: skneural's own, then scikit-learn's scorers."""
    return [*OWN_NAMES, *sorted(get_scorer_names())]


def maximizes(name):
    """Whether a higher value of ``name`` is better (scores) rather than a lower one (losses)."""
    return name not in _LOSSES


def needs_validation(name):
    """Whether ``name`` is measured on validation data (every name but ``'loss'``)."""
    return name != "loss"


def check_monitor(name, owner):
    """Raise a ValueError naming the valid names unless ``name`` is one ``owner`` (a class name) can monitor."""
    if isinstance(name, str) and (name in OWN_NAMES or is_scorer_name(name)):
        return
    valid = monitor_names()
    hint = did_you_mean(name, valid) if isinstance(name, str) else ""
    raise ValueError(
        f"{owner} cannot monitor {name!r}.{hint} It monitors 'loss', 'val_loss', 'val_score' or the name of a "
        f"scikit-learn scorer (sklearn.metrics.get_scorer_names()): {', '.join(map(repr, valid))}."
    )
