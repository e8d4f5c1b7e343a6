"""The training loop: epochs of mini-batches, with every policy in callbacks.

``Trainer.fit`` shuffles, runs each epoch (``run_epoch``: batches, rollback
and divergence), and calls its callbacks at the start and end of training,
of each epoch and of each batch (the batch hooks only when a callback
overrides them).  Early stopping, learning-rate schedules,
validation scores, progress printing, timing and the guards against
divergence are callbacks (``skneural.training.callbacks``), as in skorch.

Examples
--------
>>> import numpy as np
>>> from skneural import NeuralNetwork
>>> from skneural.training import Trainer
>>> from skneural.training.callbacks import Callback
>>> class StopBelow(Callback):
...     def __init__(self, loss):
...         self.loss = loss
...     def on_epoch_end(self, trainer):
...         trainer.stop = trainer.history[-1]["loss"] < self.loss
>>> rng = np.random.RandomState(0)
>>> x = rng.uniform(-1, 1, (64, 2)); y = x.sum(axis=1, keepdims=True)
>>> net = NeuralNetwork([2, 8, 1], "tanh", optimizer="adam", random_state=0)
>>> trainer = Trainer(net, batch_size=16, max_epochs=500, random_state=0, callbacks=[StopBelow(0.01)])
>>> history = trainer.fit(x, y)
>>> trainer.epoch < 500 and history[-1]["loss"] < 0.01
True
"""

import numpy as np
from sklearn.utils import check_random_state

from .epoch import run_epoch
from .hooks import overrides as _overrides
from .interrupts import INTERRUPTED, TrainingInterrupted, deferred_interrupt, warn_interrupted

__all__ = ["Trainer"]


class Trainer:
    """Trains a network in epochs of mini-batches; its callbacks decide everything else.

    Parameters
    ----------
    network : NeuralNetwork
        The network to train (its parameters, optimizer and ``train_batch``).
    batch_size : int
    max_epochs : int
        Epochs of this call, unless a callback sets ``trainer.stop``.
    shuffle : bool, default=True
    random_state : int, RandomState or None
        Draws each epoch's order of the rows.
    callbacks : list of Callback
        Called in this order at every hook.
    carry_order : bool, default=False
        Each epoch shuffles the previous epoch's order (as scikit-learn's MLP
        shuffles its data in place) instead of drawing a fresh permutation.
    initial_epoch, samples_seen : int, default=0
        Epochs and samples seen before this call (a warm start goes on counting).
    catch_interrupt : bool, default=True
        A first Ctrl-C ends training with a warning (``on_train_end`` is still
        called) instead of raising ``TrainingInterrupted``.
    interrupt_message : str, default="Training interrupted by user."
        That warning.
    model : object, default=None
        What the callbacks see as ``trainer.model``: the estimator being
        trained (an estimator passes itself); None is the network.
    incremental : bool, default=False
        This call is one of a series (``partial_fit``, one epoch a call): callbacks
        keep their state across the calls, and those that act when training ends
        (``EarlyStopping``'s restore) do so only in the call that stops it.

    Attributes
    ----------
    epoch : int
        The number of the last completed epoch.
    samples_seen : int
    history : list of dict
        One record per epoch of this call: ``epoch``, ``loss``, and what the
        callbacks add (``val_score``, ``time``, ``lr``).
    stop : bool
        Set by a callback to end training after the current epoch.
    interrupted : bool
    """

    def __init__(self, network, *, batch_size, max_epochs, shuffle=True, random_state=None, callbacks=(),
                 carry_order=False, initial_epoch=0, samples_seen=0, catch_interrupt=True,
                 interrupt_message=INTERRUPTED, model=None, incremental=False):
        self.network = network
        self.model = network if model is None else model
        self.incremental = incremental
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.shuffle = shuffle
        self.random_state = check_random_state(random_state)
        self.callbacks = list(callbacks)
        self.carry_order = carry_order
        self.epoch = initial_epoch
        self.samples_seen = samples_seen
        self.catch_interrupt = catch_interrupt
        self.interrupt_message = interrupt_message
        self.history = []
        self.stop = self.interrupted = False

    def _call(self, hook, *args):
        for callback in self.callbacks:
            method = getattr(callback, hook, None)  # an object of one's own may have some hooks only
            if method is not None:
                method(self, *args)

    def fit(self, x, y, sample_weight=None):
        """Train on validated 2-D ``x`` and ``y``; return ``history``."""
        self.x, self.y, self.sample_weight = x, y, sample_weight
        n = x.shape[0]
        batch_hooks = [cb for cb in self.callbacks if _overrides(cb, "on_batch_end")]
        begin_hooks = [cb for cb in self.callbacks if _overrides(cb, "on_batch_begin")]

        def on_batch(done, total, loss):
            for callback in batch_hooks:
                callback.on_batch_end(self, done, total, loss)

        def on_batch_begin(done, total):
            for callback in begin_hooks:
                callback.on_batch_begin(self, done, total)

        try:
            with deferred_interrupt(whole_call=True):
                self._call("on_train_begin")
                order = np.arange(n)
                for _ in range(self.max_epochs):
                    self._call("on_epoch_begin")
                    if self.shuffle:
                        permutation = self.random_state.permutation(n)
                        order = order[permutation] if self.carry_order else permutation
                    loss = run_epoch(self.network, x, y, self.batch_size, sample_weight,
                                     order if self.shuffle else None, epoch=self.epoch + 1,
                                     on_batch=on_batch if batch_hooks else None,
                                     on_batch_begin=on_batch_begin if begin_hooks else None)
                    self.epoch += 1
                    self.samples_seen += n
                    self.history.append({"epoch": self.epoch, "loss": loss})
                    self._call("on_epoch_end")
                    if self.stop:
                        break
        except TrainingInterrupted:  # a first Ctrl-C, at the end of a batch; a second one is not caught
            if not self.catch_interrupt:
                raise
            self.interrupted = True
            warn_interrupted(self.interrupt_message, stacklevel=3)
        self._call("on_train_end")
        return self.history
