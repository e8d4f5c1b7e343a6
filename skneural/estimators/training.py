"""How an estimator trains: the training loop's callbacks built from scikit-learn's parameters.

``fit_stochastic`` holds out the early-stopping split (or takes the
validation data given to ``fit``), builds the callbacks
(loss curve, validation score and early stopping, the 'sgd' learning-rate
schedule, timing, verbose lines, the divergence guard) and runs the
``Trainer``; ``fit_lbfgs`` runs scipy's L-BFGS with the same guard and
verbose lines.  Both leave the estimator's fitted attributes (``n_iter_``,
``t_``, ``loss_``, ``loss_curve_``, ``best_loss_``, ...) as scikit-learn's MLP
leaves them.
"""

import numpy as np
from sklearn.base import clone, is_regressor
from sklearn.model_selection import train_test_split

from ..components import resolve, sklearn_params
from ..training import LBFGSTrainer, Trainer
from ..training.callbacks import (
    EarlyStopping,
    EpochTimer,
    History,
    LearningRateSchedule,
    LossCurve,
    MaxEpochsWarning,
    ProgressLog,
    ValidationLoss,
    ValidationScore,
)
from ..nn.normalization import check_batch_rows
from ..training.guards import DivergenceGuard
from .callbacks import user_callbacks

__all__ = ["fit_stochastic", "fit_lbfgs", "sync_stopping_state"]

_RESTORED = " The estimator was left as it was before this call."


def _validation_split(est, X, Y, y, sample_weight):
    """scikit-learn's early-stopping split: ``(X, Y, y, sample_weight)`` to train on and
    ``(X_val, Y_val, y_val, sample_weight_val)`` to score."""
    arrays = (X, Y, y) if sample_weight is None else (X, Y, y, sample_weight)
    # scikit-learn's own errors about the split (e.g. a class with one member) come first
    split = train_test_split(*arrays, random_state=est._random_state, test_size=est.validation_fraction,
                             stratify=est._stratify_validation(Y))
    X, X_val, Y, Y_val, y, y_val = split[:6]
    if X_val.shape[0] < 2:
        raise ValueError(
            f"The validation set is too small ({X_val.shape[0]} of {X.shape[0] + X_val.shape[0]} "
            "samples; it needs at least 2). Increase 'validation_fraction' or the size of your dataset."
        )
    sample_weight, sw_val = split[6:] if sample_weight is not None else (None, None)
    if sample_weight is not None and not np.sum(sample_weight) > 0:
        raise ValueError(
            "Every sample left for training after the validation split has zero weight; "
            "change random_state or validation_fraction, or give more samples a weight."
        )
    return (X, Y, y, sample_weight), (X_val, Y_val, y_val, sw_val)


def _stopping(est, validation):
    """``EarlyStopping`` on the validation score or the training loss, going on from the
    estimator's state.  The one stopping rule that drives the schedule's plateau reduction
    (``drives_schedule``: scikit-learn's 'adaptive'); a user's EarlyStopping only stops."""
    if validation is not None:
        stopping = EarlyStopping("val_score", est.tol, est.n_iter_no_change, restore_best_weights=True,
                                 verbose=est.verbose)
        stopping.drives_schedule = True
        return stopping.resume(est.best_validation_score_, est._no_improvement_count,
                               getattr(est, "_best_params", None), getattr(est, "_best_state", None))
    stopping = EarlyStopping("loss", est.tol, est.n_iter_no_change, verbose=est.verbose)
    stopping.drives_schedule = True
    return stopping.resume(est.best_loss_, est._no_improvement_count)


def _keep_stopping_state(est, stopping):
    est._no_improvement_count = stopping.wait_
    if stopping.restore_best_weights:
        est.best_validation_score_ = stopping.best_
        if stopping.best_params_ is not None:
            est._best_params, est._best_state = stopping.best_params_, stopping.best_state_
    else:
        est.best_loss_ = stopping.best_


def sync_stopping_state(est, incremental=False):
    """The stochastic optimizers' stopping attributes, (re)made when early_stopping changes, and the
    history every fit appends to."""
    if not hasattr(est, "history_"):
        est.history_ = []
    if est._is_lbfgs():
        return
    if not hasattr(est, "loss_curve_"):
        est.loss_curve_ = []
    early_stopping = est._stops_early(incremental)
    if early_stopping and getattr(est, "best_validation_score_", None) is None:
        est.validation_scores_ = getattr(est, "validation_scores_", None) or []  # X_val's go on
        est.best_validation_score_ = -np.inf
        est.best_loss_ = None
    elif not early_stopping and getattr(est, "best_loss_", None) is None:
        est.best_loss_ = np.inf
        if not est.early_stopping:  # (a tabular partial_fit, which does not stop early, keeps fit's record)
            est.validation_scores_ = None
            est.best_validation_score_ = None
            est.validation_loss_curve_ = None
    if early_stopping and getattr(est, "validation_loss_curve_", None) is None:
        est.validation_loss_curve_ = []  # also for a model whose file predates it


def _initial_rate(est):
    spec = est._optimizer_spec()
    return est.learning_rate_init if isinstance(spec, str) else getattr(spec, "learning_rate", None)


def _start_rate(est, incremental):
    """Each ``fit`` (a warm start too) starts from the learning rate set, whatever an earlier schedule
    left, as scikit-learn's MLP builds its optimizer again at every fit; ``partial_fit`` goes on from the
    optimizer's rate, as scikit-learn's does (its schedule's reductions carry on)."""
    optimizer, initial = est.network_.optimizer, _initial_rate(est)
    if est._restarts_rate(incremental) and initial is not None and hasattr(optimizer, "learning_rate"):
        optimizer.learning_rate = initial


def _check_finite(est):
    """A model never holds nan: weights that became non-finite after the loop's own checks (changed by a
    callback) fail the fit, which then leaves the estimator as it was."""
    if not np.isfinite(est.network_.params).all():
        raise ValueError(
            "The network's weights became non-finite (nan or inf) during training although every epoch's "
            "loss was finite: something other than the optimizer changed them, such as a callback writing "
            "into trainer.network. The estimator was left as it was before this call.")
    for layer in est.network_.layers:
        if not all(np.isfinite(array).all() for array in layer.state):
            raise ValueError(
                f"The state of layer {layer!r} became non-finite (nan or inf) during training, changed by "
                "something other than training, such as a callback. The estimator was left as it was "
                "before this call.")


def fit_stochastic(est, X, Y, y, sample_weight, incremental, validation_data=None):
    """Train ``est.network_`` with its optimizer for ``max_iter`` epochs (one for ``partial_fit``).

    ``validation_data``: the validated ``(X_val, Y_val, y_val, sample_weight_val)`` given to ``fit``.
    With early stopping they take the place of the ``validation_fraction`` split (nothing is held out
    of ``X``); without, their loss and score are recorded after every epoch, and nothing else changes.
    """
    validation, validation_loss = None, []
    if validation_data is None and est._stops_early(incremental):
        (X, Y, y, sample_weight), validation_data = _validation_split(est, X, Y, y, sample_weight)
    if validation_data is not None:
        X_val, Y_val, y_val, sw_val = validation_data
        if est.validation_scores_ is None:  # X_val without early stopping: the curves are recorded all the same
            est.validation_scores_ = []
        if est.validation_loss_curve_ is None:
            est.validation_loss_curve_ = []
        validation = ValidationScore(lambda: est._score_validation(X_val, y_val, sw_val),
                                     est.validation_scores_)
        validation_loss = [ValidationLoss(X_val, Y_val, sw_val, est.validation_loss_curve_)]
    n_samples = X.shape[0]
    batch_size = est._batch_size(n_samples)
    est.network_.alpha = est._batch_alpha(batch_size, n_samples)
    check_batch_rows(est.network_.layers, n_samples, batch_size, stacklevel=5)
    if not incremental:
        est.n_iter_ = 0
    stopping = _stopping(est, validation if est._stops_early(incremental) else None)  # else: on the training loss
    callbacks = [LossCurve(est.loss_curve_), *validation_loss, *([validation] if validation else []), EpochTimer()]
    if est.verbose:
        callbacks.append(ProgressLog(est.verbose))
    _start_rate(est, incremental)
    horizon = est.max_iter if incremental else None  # partial_fit: max_iter epochs over the calls, as fit's
    learning_rate = est._schedule(incremental)
    if not isinstance(learning_rate, str):  # a schedule object drives any optimizer
        spec, initial = est._optimizer_spec(), _initial_rate(est)
        if initial is None:
            raise ValueError(f"learning_rate={learning_rate!r} schedules the optimizer's learning_rate, "
                             f"but {spec!r} has none.")
        callbacks.append(LearningRateSchedule(clone(learning_rate, safe=False), initial, horizon))
    elif est._optimizer_spec() == "sgd" or est._named_schedules_any_optimizer:
        # a schedule's name: scikit-learn schedules 'sgd' alone (the tabular estimators: any optimizer)
        schedule = resolve(learning_rate, "schedule")
        schedule.set_params(**{setting: getattr(est, param) for setting, param in sklearn_params(schedule).items()})
        callbacks.append(LearningRateSchedule(schedule, est.learning_rate_init, horizon))
    callbacks += [History(est.history_), stopping]
    if not incremental and est._warns_at_max_iter:
        callbacks.append(MaxEpochsWarning(est.max_iter))
    callbacks.append(DivergenceGuard(batch_size, regression=is_regressor(est), restored=_RESTORED))
    # the user's callbacks, after the estimator's own (a first pass has no callbacks_ to go on from)
    callbacks += user_callbacks(est, "callbacks_" in vars(est), validation_data,
                                keep_state=lambda: _keep_stopping_state(est, stopping), incremental=incremental)
    trainer = Trainer(est.network_, batch_size=batch_size, max_epochs=1 if incremental else est.max_iter,
                      shuffle=est.shuffle, random_state=est._random_state, callbacks=callbacks,
                      carry_order=True, initial_epoch=est.n_iter_, samples_seen=est.t_,
                      catch_interrupt=not incremental, model=est, incremental=incremental)
    try:
        trainer.fit(X, Y, sample_weight)
        _check_finite(est)
    finally:  # the guard may raise after the loop; the estimator then restores its state anyway
        est.n_iter_, est.t_ = trainer.epoch, trainer.samples_seen
        if trainer.history:
            est.loss_ = trainer.history[-1]["loss"]
        _keep_stopping_state(est, stopping)


def fit_lbfgs(est, X, Y, sample_weight):
    """Train ``est.network_`` with scipy's L-BFGS-B on the whole data; for the user's callbacks an
    iteration is an epoch (see ``LBFGSTrainer``)."""
    callbacks = [ProgressLog(est.verbose)] if est.verbose else []
    callbacks += [History(est.history_),
                  DivergenceGuard(200, regression=is_regressor(est), restored=_RESTORED, factor=None)]
    callbacks += user_callbacks(est, "callbacks_" in vars(est), lbfgs=True)
    trainer = LBFGSTrainer(est.network_, max_iter=est.max_iter, max_fun=est.max_fun, tol=est.tol,
                           callbacks=callbacks, model=est)
    est.n_iter_ = 0
    try:
        est.loss_ = trainer.fit(X, Y, sample_weight)
        _check_finite(est)
    finally:
        est.n_iter_ = trainer.epoch
