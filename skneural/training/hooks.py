"""The callback protocol: ``Callback``, whose hooks do nothing, and the names of the hooks.

A trainer (``Trainer``, ``LBFGSTrainer``) calls each of its callbacks, in
order, at these hooks, passing itself:

* ``on_train_begin(trainer)`` and ``on_train_end(trainer)``: once per call of ``fit``;
* ``on_epoch_begin(trainer)`` and ``on_epoch_end(trainer)``: around each epoch
  (with L-BFGS: each iteration);
* ``on_batch_begin(trainer, done, n)`` and ``on_batch_end(trainer, done, n, running_loss)``:
  around each mini-batch, ``done`` rows of ``n`` having been trained on before
  it (``on_batch_begin``) or with it (``on_batch_end``), ``running_loss`` the
  average loss of the epoch's batches so far.  They are called only when a
  callback overrides them, so that the loop pays nothing for them otherwise.

A callback reads the trainer's ``network``, ``model`` (the estimator being
trained, or the network), ``epoch``, ``samples_seen``, ``max_epochs`` and
``history`` (one dict per epoch, to which it may add entries) and ends
training after the current epoch by setting ``trainer.stop = True``.

Callbacks are scikit-learn estimators (``get_params``, ``set_params``,
``clone``): keep settings as constructor parameters and results in
attributes ending with ``_``.
"""

from sklearn.base import BaseEstimator

__all__ = ["Callback", "HOOKS", "is_callback"]

HOOKS = ("on_train_begin", "on_epoch_begin", "on_batch_begin", "on_batch_end", "on_epoch_end", "on_train_end")


class Callback(BaseEstimator):
    """Base class: every hook does nothing (see :mod:`skneural.training.hooks`)."""

    def on_train_begin(self, trainer):
        pass

    def on_epoch_begin(self, trainer):
        pass

    def on_batch_begin(self, trainer, done, n):
        pass

    def on_batch_end(self, trainer, done, n, running_loss):
        pass

    def on_epoch_end(self, trainer):
        pass

    def on_train_end(self, trainer):
        pass


def is_callback(obj):
    """Whether ``obj`` is a callback object: not a class, with at least one hook method."""
    return not isinstance(obj, type) and any(callable(getattr(obj, hook, None)) for hook in HOOKS)


def overrides(callback, hook):
    """Whether ``callback`` has a ``hook`` that does something (not ``Callback``'s, which does nothing)."""
    method = getattr(type(callback), hook, None)
    if method is None:  # an object that is no Callback: its instance may still have it
        return callable(getattr(callback, hook, None))
    return method is not getattr(Callback, hook)
