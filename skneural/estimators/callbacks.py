"""The estimators' ``callbacks`` parameter: the clones a fit trains, and what they monitor.

``fit`` trains clones of the objects in ``callbacks`` (``clone(callback,
safe=False)``), so the objects passed in never change (``GridSearchCV`` and
``cross_val_score`` may share them between fits) and the trained ones are
``callbacks_``.  A warm start or ``partial_fit`` goes on with copies of
``callbacks_`` (their state: ``EarlyStopping``'s patience, ``ModelCheckpoint``'s
best value) as long as ``callbacks`` holds the same objects with the same
settings; a fresh fit, or changed callbacks, starts from fresh clones.

They run after the estimator's own callbacks, so that an epoch's record in
``history_`` is complete when they see it, and the estimator's fitted
attributes (``n_iter_``, ``t_``, ``loss_``, ``best_loss_``, ...) are those of
the epoch just ended: a callback can predict with the estimator, score it or
save it (``trainer.model``).  A monitored scikit-learn scorer name is scored
on the validation data after each epoch and recorded under its name.

* Monitors: 'loss' is measured on the training data; 'val_loss', 'val_score'
  and scorer names need validation data (``early_stopping=True`` or ``X_val``
  and ``y_val``): without it, or for an unknown name, ``fit`` fails before
  training with an error naming the valid names, and the estimator is left
  as it was.  So does a scorer that cannot score the model on the validation
  data (each is scored once before training): e.g. 'roc_auc' on more than two
  classes (monitor 'roc_auc_ovr'), or 'neg_log_loss' on labels lacking a class.
* ``optimizer='lbfgs'``: an epoch is an L-BFGS iteration (the parameters at
  ``on_epoch_end`` are the iteration's), a batch one evaluation of the loss on
  the whole data; ``trainer.stop`` ends the minimization after the iteration.
  It has no validation data, so only 'loss' can be monitored.
* ``partial_fit``: each call is one training of one epoch (every hook runs,
  ``on_train_begin`` and ``on_train_end`` included) with the callbacks' state
  carried over; it has no validation data, so only 'loss' can be monitored;
  a stop cannot end the caller's loop: ``EarlyStopping`` then
  records ``stopped_epoch_`` (and restores the best weights in that call
  only).
* Model files store ``callbacks`` (skneural's own by settings, yours by name
  through ``custom_objects``), not ``callbacks_``: see
  :mod:`skneural.persistence.callbacks`, also for the safety rules on a
  ModelCheckpoint's path.
"""

import copy
import warnings

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.metrics import get_scorer

from ..training.callbacks import Callback, EarlyStopping, ModelCheckpoint
from ..training.monitors import check_monitor, is_scorer_name, needs_validation
from .params import same_setting

__all__ = ["user_callbacks"]


class _Current(Callback):
    """Makes the estimator's fitted attributes those of the epoch just ended."""

    def __init__(self, est, keep_state=None, stochastic=True):
        self.est = est
        self.keep_state = keep_state
        self.stochastic = stochastic

    def on_epoch_end(self, trainer):
        est = self.est
        est.n_iter_ = trainer.epoch
        if self.stochastic:
            est.t_ = trainer.samples_seen
        est.loss_ = trainer.history[-1]["loss"]
        if self.keep_state is not None:
            self.keep_state()


class _Scores(Callback):
    """Records the scikit-learn scorers ``names`` of the estimator on the validation data, each
    under its name, after every epoch; ``owners`` names, for each, the callback that monitors it.

    Each is scored once before training too, on the model as it is: a scorer that cannot score
    this model on these rows (e.g. 'roc_auc' on three classes, 'neg_log_loss' on validation labels
    lacking a class) fails the fit before anything is trained."""

    def __init__(self, est, names, X, y, sample_weight=None, owners=None):
        self.est = est
        self.names = names
        self.X = X
        self.y = y
        self.sample_weight = sample_weight
        self.owners = owners

    def _score(self, name):
        weights = {} if self.sample_weight is None else {"sample_weight": self.sample_weight}
        with warnings.catch_warnings():  # the validation rows are arrays: an X of named columns fit it
            warnings.filterwarnings("ignore", message="X does not have valid feature names")
            return float(get_scorer(name)(self.est, self.X, self.y, **weights))

    def on_train_begin(self, trainer):
        for name in self.names:
            try:
                with warnings.catch_warnings():  # an untrained model's ill-defined scores: only errors matter
                    warnings.simplefilter("ignore")
                    self._check_number(name, self._score(name), "before training")
            except (ValueError, TypeError, AttributeError) as exc:
                owner = (self.owners or {}).get(name, "A callback")
                raise ValueError(f"{owner} monitors the scorer {name!r}, which cannot score this model on the "
                                 f"validation data (scored before training): {str(exc).rstrip('.')}.{self._advice(name, exc)} "
                                 "Nothing was trained; the estimator was left as it was.") from exc

    def _advice(self, name, exc):
        advice = ""
        classes = getattr(self.est, "classes_", None)
        y = np.asarray(self.y)
        if classes is not None and y.ndim == 1:
            missing = [label for label in classes.tolist() if label not in set(np.unique(y).tolist())]
            if missing:
                advice += (f" The validation labels lack the class(es) {missing} of classes_ {classes.tolist()}, "
                           f"and {name!r} needs every class among them: give validation rows of every class "
                           "(or stratify the split), or monitor 'val_loss' or a scorer such as 'accuracy'.")
        if classes is not None and "multi_class" in str(exc):
            advice += (f" {name!r} scores two classes only; for {len(classes)} classes monitor 'roc_auc_ovr' "
                       "(one class against the rest; or 'roc_auc_ovo', 'roc_auc_ovr_weighted').")
        return advice or " Monitor another name, or give validation data this scorer can score."

    @staticmethod
    def _check_number(name, value, when):
        # scikit-learn gives nan, with a warning, for a score its rows leave undefined ('roc_auc' on labels of
        # one class): nothing to stop on or to keep the best of
        if np.isnan(value):
            raise ValueError(f"{name!r} is nan on the validation data ({when}), which scikit-learn gives for a "
                             "score these rows leave undefined (such as 'roc_auc' on labels of one class)")
        return value

    def on_epoch_end(self, trainer):
        record = trainer.history[-1]
        for name in self.names:
            try:
                record[name] = self._check_number(name, self._score(name), f"after epoch {trainer.epoch}")
            except (ValueError, TypeError, AttributeError) as exc:
                raise ValueError(f"The scorer {name!r}, which a callback monitors, failed on the validation "
                                 f"data after epoch {trainer.epoch}: {exc}") from exc


def _settings(callback):
    return callback.get_params(deep=False) if isinstance(callback, BaseEstimator) else None


def _unchanged(given, kept):
    """Whether ``given`` holds the objects ``kept`` records, with the settings they had."""
    if kept is None or len(kept) != len(given):
        return False
    for callback, (before, settings) in zip(given, kept):
        now = _settings(callback)
        if callback is not before or (now is not None and (
                set(now) != set(settings) or not all(same_setting(now[k], settings[k]) for k in now))):
            return False
    return True


def _copy(callback):
    """A trained callback with its state, copied (sharing what ``clone`` shares, a ProgressBar's
    stream), so that a failed call leaves ``callbacks_`` as it was."""
    if not isinstance(callback, BaseEstimator):
        return copy.deepcopy(callback)
    new = clone(callback, safe=False)
    params = set(callback.get_params(deep=False))
    vars(new).update(copy.deepcopy({k: v for k, v in vars(callback).items() if k not in params}))
    return new


def _resume(callback):
    if isinstance(callback, EarlyStopping) and hasattr(callback, "best_"):
        callback.resume(callback.best_, callback.wait_, callback.best_params_, getattr(callback, "best_state_", None))
    elif isinstance(callback, ModelCheckpoint) and hasattr(callback, "best_"):
        callback.resume(callback.best_, callback.best_epoch_, callback.saved_epoch_, callback.saved_path_)
    return callback


def _monitored_scorers(callbacks, validation, lbfgs, incremental=False):
    """The scorer names the callbacks monitor, each with the first callback that monitors it; a clear
    error for a name that needs validation data this fit does not have."""
    names = {}
    for i, callback in enumerate(callbacks):
        if not isinstance(callback, (EarlyStopping, ModelCheckpoint)):
            continue
        monitor, what = callback.monitor, type(callback).__name__
        check_monitor(monitor, what)
        needed = not isinstance(callback, ModelCheckpoint) or callback.save_best_only
        if needs_validation(monitor) and needed and not validation:
            if lbfgs:
                how = ("optimizer='lbfgs' takes no validation data (it has no epochs to score them after): use a "
                       "stochastic optimizer for that")
            elif incremental:
                how = ("partial_fit has no validation data (it takes no X_val and refuses early_stopping=True): "
                       "train with fit and X_val, y_val (or early_stopping=True) for that")
            else:
                how = ("pass early_stopping=True (to hold out validation_fraction of the training data) or X_val "
                       "and y_val to fit")
            raise ValueError(
                f"callbacks[{i}], {what}(monitor={monitor!r}), monitors a value measured on validation data, "
                f"which this fit has none of: {how}, or monitor 'loss', the one name measured on the "
                "training data. Every other name ('val_loss', 'val_score' or a scikit-learn scorer name) "
                "needs validation data.")
        if is_scorer_name(monitor) and monitor not in names:
            names[monitor] = f"callbacks[{i}], {what}(monitor={monitor!r}),"
    return names


def user_callbacks(est, continuing, validation=None, keep_state=None, lbfgs=False, incremental=False):
    """The callbacks to run after the estimator's own: the clones of ``est.callbacks`` (now
    ``est.callbacks_``; copies of the last call's when ``continuing`` with the same callbacks),
    preceded by those that record the scorers they monitor on ``validation``, ``(X_val, Y_val,
    y_val, sample_weight_val)``, and keep the estimator's fitted attributes current
    (``keep_state()`` makes its stopping attributes those of the epoch)."""
    given = list(est.callbacks or ())
    kept = est.__dict__.get("callbacks_")
    if continuing and kept is not None and _unchanged(given, est.__dict__.get("_callbacks_given")):
        callbacks = [_resume(_copy(callback)) for callback in kept]
    else:
        callbacks = [clone(callback, safe=False) for callback in given]
    est.callbacks_ = callbacks
    est._callbacks_given = [(callback, _settings(callback)) for callback in given]
    if not callbacks:
        return []
    owners = _monitored_scorers(callbacks, validation is not None, lbfgs, incremental)
    scores = [] if not owners else [_Scores(est, list(owners), validation[0], validation[2], validation[3], owners)]
    return [*scores, _Current(est, keep_state, stochastic=not lbfgs), *callbacks]
