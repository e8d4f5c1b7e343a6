"""Callbacks: the training policy that ``Trainer`` runs at its hooks.

A callback overrides any of ``on_train_begin(trainer)``,
``on_epoch_begin(trainer)``, ``on_batch_begin(trainer, done, n)``,
``on_batch_end(trainer, done, n, running_loss)``, ``on_epoch_end(trainer)``
and ``on_train_end(trainer)`` (:mod:`skneural.training.hooks`); it reads the
trainer's ``network``, ``model``, ``epoch``, ``samples_seen`` and ``history``
(one dict per epoch, to which it may add entries) and ends training by
setting ``trainer.stop``.  A callback that changes the learning rate on a
plateau has ``on_plateau(trainer)``, returning True when it did; an
``EarlyStopping`` with ``drives_schedule`` (the estimators' own) calls it.

For the estimators' ``callbacks`` parameter: ``EarlyStopping``,
``ModelCheckpoint`` (:mod:`skneural.training.checkpoint`), ``ProgressBar``
(:mod:`skneural.training.progress`) and callbacks of your own.

The estimators build theirs from scikit-learn's parameters: ``LossCurve``,
``ValidationScore`` and ``EarlyStopping`` (``early_stopping``, ``tol``,
``n_iter_no_change``), ``LearningRateSchedule`` (``learning_rate``),
``EpochTimer``, ``ProgressLog`` (``verbose``), ``MaxEpochsWarning`` and the
guards of :mod:`skneural.training.guards`.

Examples
--------
>>> import numpy as np
>>> from skneural import NeuralNetwork
>>> from skneural.training import Trainer
>>> from skneural.training.callbacks import EarlyStopping, LossCurve
>>> rng = np.random.RandomState(0)
>>> x = rng.uniform(-1, 1, (64, 2)); y = x.sum(axis=1, keepdims=True)
>>> net = NeuralNetwork([2, 8, 1], "tanh", optimizer="adam", random_state=0)
>>> curve = []
>>> stopping = EarlyStopping(monitor="loss", min_delta=1e-3, patience=3)
>>> _ = Trainer(net, batch_size=16, max_epochs=1000, random_state=0,
...             callbacks=[LossCurve(curve), stopping]).fit(x, y)
>>> len(curve) < 1000 and stopping.best_ == min(curve)
True
"""

import time
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from .checkpoint import ModelCheckpoint
from .hooks import HOOKS, Callback
from .epoch import layer_state, set_layer_state
from .monitors import check_monitor, maximizes
from .progress import EpochLog, ProgressBar, ProgressLog

__all__ = ["Callback", "HOOKS", "LossCurve", "History", "EpochTimer", "ValidationLoss", "ValidationScore",
           "EarlyStopping", "ModelCheckpoint", "ProgressBar", "LearningRateSchedule", "ProgressLog", "EpochLog",
           "MaxEpochsWarning"]


class LossCurve(Callback):
    """Appends each epoch's loss to ``curve`` (a list the caller keeps, e.g. ``loss_curve_``)."""

    def __init__(self, curve):
        self.curve = curve

    def on_epoch_end(self, trainer):
        self.curve.append(trainer.history[-1]["loss"])


class History(Callback):
    """Appends each epoch's record (``epoch``, ``loss``, and what the other callbacks added:
    ``val_loss``, ``val_score``, ``time``, ``lr``) to ``records`` (a list the caller keeps, e.g.
    ``history_``); ``lr`` is the learning rate in effect during the epoch (the optimizer's, when no
    schedule recorded it).  Put it after the callbacks whose entries it should hold."""

    def __init__(self, records):
        self.records = records

    def on_epoch_end(self, trainer):
        record = trainer.history[-1]
        rate = getattr(getattr(trainer.network, "optimizer", None), "learning_rate", None)
        if "lr" not in record and rate is not None:
            record["lr"] = rate
        self.records.append(record)


class EpochTimer(Callback):
    """Records each epoch's duration in seconds as ``time``."""

    def on_epoch_begin(self, trainer):
        self._start = time.perf_counter()

    def on_epoch_end(self, trainer):
        trainer.history[-1]["time"] = time.perf_counter() - self._start


class ValidationLoss(Callback):
    """Records the objective (loss plus penalty, as ``loss``) on validation data as ``val_loss`` after
    every epoch, and appends it to ``curve`` (a list the caller keeps, e.g. ``validation_loss_curve_``)."""

    def __init__(self, x, y, sample_weight=None, curve=None):
        self.x = x
        self.y = y
        self.sample_weight = sample_weight
        self.curve = curve

    def on_epoch_end(self, trainer):
        with np.errstate(over="ignore", invalid="ignore"):
            value = trainer.network.compute_loss(self.x, self.y, self.sample_weight)
        trainer.history[-1]["val_loss"] = value
        if self.curve is not None:
            self.curve.append(value)


class ValidationScore(Callback):
    """Records ``score()`` (higher is better) as ``val_score`` after every epoch, and appends it
    to ``scores`` (a list the caller keeps, e.g. ``validation_scores_``)."""

    def __init__(self, score, scores=None):
        self.score = score
        self.scores = scores

    def on_epoch_end(self, trainer):
        value = self.score()
        trainer.history[-1]["val_score"] = value
        if self.scores is not None:
            self.scores.append(value)


class EarlyStopping(Callback):
    """scikit-learn's MLP stopping rule: stop once ``monitor`` has not improved by ``min_delta`` for
    more than ``patience`` epochs in a row.  It never changes the learning rate (as in Keras, early
    stopping and a plateau schedule are independent): a schedule's plateau reduction
    (``ReduceOnPlateau``, 'adaptive') is driven by the estimator's own stopping rule (``tol``,
    ``n_iter_no_change``), the one instance whose ``drives_schedule`` is True.  That instance
    attribute (not a parameter: ``clone``, and so ``fit``, drops it) makes a plateau first ask the
    trainer's schedules to lower the rate (``on_plateau``), stopping only when none does; set it
    on an EarlyStopping of your own ``Trainer`` for the same.

    Parameters
    ----------
    monitor : str, default='val_loss'
        The objective on validation data (lower is better; recorded by ``ValidationLoss``), the
        validation score ('val_score', higher is better; ``ValidationScore``), the training loss
        ('loss'), or the name of a scikit-learn scorer such as 'roc_auc' (higher is better), which
        the estimators record on their validation data when a callback monitors it (see
        :mod:`skneural.training.monitors`).  Every name but 'loss' needs validation data:
        ``early_stopping=True``, or ``X_val`` and ``y_val`` passed to ``fit``.
    min_delta : float, default=1e-4
        The least change that counts as an improvement (scikit-learn's ``tol``).
    patience : int or inf, default=10
        Epochs in a row without improvement before stopping (scikit-learn's ``n_iter_no_change``).
    restore_best_weights : bool, default=False
        Keep the parameters of the best epoch and end training on them (in ``partial_fit``, which
        trains one epoch a call, only in the call that stops).
    verbose : bool, default=False
        Print a message when stopping (or lowering the rate: scikit-learn's message).

    Attributes
    ----------
    best_ : float
        The best value so far (start: inf for the loss, -inf for a score).
    wait_ : int
        Epochs in a row without improvement.
    best_params_ : ndarray or None
        With ``restore_best_weights``: the parameters of the best epoch.
    best_state_ : list of ndarray or None
        With them, the layers' non-trainable state of that epoch (BatchNorm's running mean and
        variance), restored with them.
    stopped_epoch_ : int or None
        The epoch after which it stopped training (None: it did not); in a loop of ``partial_fit``
        calls, which it cannot end, the sign to stop calling.

    An estimator's warm start or ``partial_fit`` goes on from the state of its clone
    (``callbacks_``): patience counts across the calls.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.preprocessing import scale
    >>> from skneural import NumpyMLPClassifier
    >>> from skneural.callbacks import EarlyStopping
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> clf = NumpyMLPClassifier((8,), early_stopping=True, n_iter_no_change=1000, random_state=0,
    ...                          callbacks=[EarlyStopping("roc_auc", patience=3)]).fit(scale(X), y)
    >>> clf.n_iter_ < 200 and clf.callbacks_[0].stopped_epoch_ == clf.n_iter_
    True
    >>> clf.callbacks_[0].best_ == max(record["roc_auc"] for record in clf.history_)
    True
    """

    drives_schedule = False

    def __init__(self, monitor="val_loss", min_delta=1e-4, patience=10, restore_best_weights=False, verbose=False):
        self.monitor = monitor
        self.min_delta = min_delta
        self.patience = patience
        self.restore_best_weights = restore_best_weights
        self.verbose = verbose

    def resume(self, best, wait, best_params=None, best_state=None):
        """Go on from the state of an earlier call (a warm start or ``partial_fit``) in the next
        training; otherwise each training starts afresh."""
        self.best_, self.wait_, self.best_params_, self.best_state_ = best, wait, best_params, best_state
        self._resumed = True
        return self

    def check_params(self):
        """Raise a ValueError or TypeError unless the settings are valid."""
        check_monitor(self.monitor, "EarlyStopping")
        flag = (bool, np.bool_)
        if not (isinstance(self.min_delta, Real) and not isinstance(self.min_delta, flag)
                and 0 <= self.min_delta < float("inf")):
            raise ValueError(f"EarlyStopping's min_delta must be a finite number >= 0; got {self.min_delta!r}.")
        patience = self.patience
        if not (isinstance(patience, Real) and not isinstance(patience, flag)
                and (isinstance(patience, Integral) and patience >= 0 or patience == float("inf"))):
            raise ValueError(f"EarlyStopping's patience must be an int >= 0 or inf; got {patience!r}.")
        if not isinstance(self.restore_best_weights, flag):
            raise TypeError(f"EarlyStopping's restore_best_weights must be a bool; got {self.restore_best_weights!r}.")
        if not (isinstance(self.verbose, (Integral, np.bool_)) and self.verbose >= 0):
            raise TypeError(f"EarlyStopping's verbose must be a bool or an int >= 0; got {self.verbose!r}.")

    def on_train_begin(self, trainer):
        self.check_params()
        if not getattr(self, "_resumed", False):
            self.best_ = -float("inf") if maximizes(self.monitor) else float("inf")
            self.wait_, self.best_params_, self.best_state_ = 0, None, None
        self._resumed = False
        self.stopped_epoch_ = None

    def on_epoch_end(self, trainer):
        record = trainer.history[-1]
        if self.monitor not in record:
            raise ValueError(
                f"EarlyStopping monitors {self.monitor!r}, which this training does not record (it records "
                f"{', '.join(map(repr, record))}): add the callback that records it (ValidationLoss, "
                "ValidationScore) before EarlyStopping, or monitor 'loss'.")
        value = record[self.monitor]
        if value != value:  # nan: neither better nor worse, and nothing to keep the best of
            raise ValueError(f"EarlyStopping monitors {self.monitor!r}, which is nan after epoch {trainer.epoch}: "
                             "there is nothing to compare. Monitor a value that is defined on this data.")
        if maximizes(self.monitor):
            self.wait_ = self.wait_ + 1 if value < self.best_ + self.min_delta else 0
            if value > self.best_:
                self.best_ = value
                if self.restore_best_weights:
                    self._keep_best(trainer.network)
            elif self.restore_best_weights and self.best_params_ is None:
                self._keep_best(trainer.network)
        else:
            self.wait_ = self.wait_ + 1 if value > self.best_ - self.min_delta else 0
            if self.restore_best_weights and (value < self.best_ or self.best_params_ is None):
                self._keep_best(trainer.network)
            self.best_ = min(self.best_, value)
        if self.wait_ > self.patience:
            self._on_plateau(trainer)

    def _message(self):
        what = {"loss": "Training loss", "val_loss": "Validation loss",
                "val_score": "Validation score"}.get(self.monitor, f"Validation {self.monitor}")
        if self.drives_schedule:  # the estimators' rule: scikit-learn's message, word for word
            return f"{what} did not improve more than tol={self.min_delta:f} for {self.patience} consecutive epochs."
        epochs = "1 epoch" if self.wait_ == 1 else f"{self.wait_} consecutive epochs"
        return f"{what} did not improve by more than min_delta={self.min_delta:g} for {epochs}."

    def _on_plateau(self, trainer):
        if self.drives_schedule and any(cb.on_plateau(trainer) for cb in trainer.callbacks
                                        if hasattr(cb, "on_plateau")):
            self.wait_ = 0
            if self.verbose:
                print(self._message() + f" Setting learning rate to {trainer.network.optimizer.learning_rate:f}")
            return
        if self.verbose:
            print(self._message() + " Stopping.")
        trainer.stop = True
        self.stopped_epoch_ = trainer.epoch

    def on_train_end(self, trainer):
        # partial_fit trains one epoch a call: the best weights come back only when training stops
        ends = not getattr(trainer, "incremental", False) or self.__dict__.get("stopped_epoch_") is not None
        if self.restore_best_weights and self.best_params_ is not None and ends:
            trainer.network.params[...] = self.best_params_
            if getattr(self, "best_state_", None) is not None:
                set_layer_state(trainer.network, self.best_state_)

    def _keep_best(self, network):
        self.best_params_, self.best_state_ = network.params.copy(), layer_state(network)


class LearningRateSchedule(Callback):
    """Drives ``optimizer.learning_rate`` of any optimizer by a schedule of
    :mod:`skneural.components.schedules`, from the initial rate ``initial``.

    * A schedule with ``rate(initial, t)``: ``schedule.rate(initial, samples_seen)`` after every
      epoch, for the epochs that follow (scikit-learn's timing);
    * an epoch-based one, whose ``rate`` names an ``epoch`` keyword (and maybe ``epochs``):
      ``schedule.rate(initial, samples_seen, epoch=trainer.epoch, epochs=end)`` at the start of
      every epoch, for that epoch (``end``: ``epochs`` if given, else the trainer's epoch at the
      start of training plus its ``max_epochs``, or none for a trainer in a loop of ``partial_fit``
      calls), so the first epoch already has its rate (a warm-up);
    * ``schedule.reduce(rate)`` on a plateau (an ``EarlyStopping`` with ``drives_schedule``);
      None stops training.

    None from ``rate`` leaves the rate as it is.  Records ``lr``, the learning rate in effect
    during the epoch (the one its updates used), in the epoch's ``history`` record.
    """

    def __init__(self, schedule, initial, epochs=None):
        self.schedule = schedule
        self.initial = initial
        self.epochs = epochs

    @staticmethod
    def _epoch_keywords(rate):
        """The keywords among ``epoch``, ``epochs`` that ``rate`` names (``**kwargs`` not counted)."""
        import inspect

        try:
            parameters = inspect.signature(rate).parameters
        except (TypeError, ValueError):  # no signature to read: the original protocol
            return ()
        named = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
        keywords = tuple(k for k in ("epoch", "epochs") if k in parameters and parameters[k].kind in named)
        return keywords if "epoch" in keywords else ()

    def on_train_begin(self, trainer):
        if callable(getattr(self.schedule, "check_params", None)):
            self.schedule.check_params()
        self._keywords = self._epoch_keywords(self.schedule.rate)
        if self.epochs is not None:  # the epoch count a loop of trainings (partial_fit) plans to reach
            self._end = self.epochs
        else:  # a training of one epoch in a loop of unknown length gives no end to span
            self._end = None if getattr(trainer, "incremental", False) else trainer.epoch + trainer.max_epochs

    def _set(self, optimizer, rate):
        if rate is not None:
            optimizer.learning_rate = rate

    def on_epoch_begin(self, trainer):
        optimizer = trainer.network.optimizer
        if self._keywords:
            given = {"epoch": trainer.epoch, "epochs": self._end}
            self._set(optimizer, self.schedule.rate(self.initial, trainer.samples_seen,
                                                    **{k: given[k] for k in self._keywords}))
        self._rate = optimizer.learning_rate

    def on_epoch_end(self, trainer):
        optimizer = trainer.network.optimizer
        trainer.history[-1]["lr"] = self.__dict__.get("_rate", optimizer.learning_rate)
        if not self.__dict__.get("_keywords", ()):
            self._set(optimizer, self.schedule.rate(self.initial, trainer.samples_seen))

    def on_plateau(self, trainer):
        optimizer = trainer.network.optimizer
        rate = self.schedule.reduce(optimizer.learning_rate)
        if rate is None:
            return False
        optimizer.learning_rate = rate
        return True


class MaxEpochsWarning(Callback):
    """scikit-learn's ``ConvergenceWarning`` when training reaches ``max_epochs`` without stopping."""

    def __init__(self, max_epochs):
        self.max_epochs = max_epochs

    def on_epoch_end(self, trainer):
        if trainer.epoch == self.max_epochs and not trainer.stop:
            warnings.warn(f"Stochastic Optimizer: Maximum iterations ({self.max_epochs}) reached and "
                          "the optimization hasn't converged yet.", ConvergenceWarning)
