"""Full-batch training with scipy's L-BFGS-B, with the training loop's callbacks and guards."""

import warnings

import numpy as np
import scipy.optimize
from sklearn.exceptions import ConvergenceWarning

from .hooks import overrides
from .interrupts import TrainingInterrupted, check_interrupt, deferred_interrupt, warn_interrupted

__all__ = ["LBFGSTrainer"]


class _Stopped(Exception):
    """A callback set ``stop``: end the minimization after this iteration."""


class LBFGSTrainer:
    """Minimizes the network's whole-data objective with L-BFGS-B (``scipy.optimize.minimize``).

    Each iteration is an "epoch" for the callbacks: ``on_epoch_begin`` at its
    first evaluation of the objective, ``on_epoch_end`` once scipy accepts it
    (with the best loss seen as ``loss``, and the network's parameters those of
    the iteration).  Each evaluation of the loss and gradient on the whole data
    is a "batch" (``on_batch_begin(trainer, 0, n)``, ``on_batch_end(trainer,
    n, n, loss)``); an iteration makes one or more.  ``on_train_begin`` and
    ``on_train_end`` run as in ``Trainer``, so the same guards apply.  A
    callback that sets ``stop`` ends the minimization after the iteration,
    on its parameters.  A first Ctrl-C stops at the end of the current
    evaluation, keeping the best parameters seen.

    Parameters
    ----------
    network : NeuralNetwork
    max_iter, max_fun : int
        scipy's ``maxiter`` and ``maxfun``.
    tol : float
        scipy's ``gtol``.
    callbacks : list of Callback
    model : object, default=None
        ``trainer.model`` for the callbacks: the estimator being trained; None is the network.
    """

    incremental = False  # always a whole training

    def __init__(self, network, *, max_iter, max_fun, tol, callbacks=(), model=None):
        self.network = network
        self.model = network if model is None else model
        self.max_iter = self.max_epochs = max_iter
        self.max_fun = max_fun
        self.tol = tol
        self.callbacks = list(callbacks)
        self.epoch = self.samples_seen = 0
        self.history = []
        self.stop = self.interrupted = False

    def _call(self, hook, *args):
        for callback in self.callbacks:
            method = getattr(callback, hook, None)
            if method is not None:
                method(self, *args)

    def fit(self, x, y, sample_weight=None):
        """Train on validated ``x``, ``y``; return the final loss."""
        self.x, self.y, self.sample_weight = x, y, sample_weight
        network = self.network
        params = network.params
        best = {"loss": np.inf, "params": params.copy()}
        n = x.shape[0]
        batch_begin = [cb for cb in self.callbacks if overrides(cb, "on_batch_begin")]
        batch_end = [cb for cb in self.callbacks if overrides(cb, "on_batch_end")]
        epoch_hooks = any(overrides(cb, "on_epoch_begin") for cb in self.callbacks)
        within = {"epoch": False}  # whether on_epoch_begin was called for the iteration under way

        def loss_and_grad(w):
            if epoch_hooks and not within["epoch"]:
                within["epoch"] = True
                self._call("on_epoch_begin")
            params[...] = w
            for callback in batch_begin:
                callback.on_batch_begin(self, 0, n)
            loss, grad = network.loss_and_gradient(x, y, sample_weight)
            if loss < best["loss"]:
                best["loss"], best["params"] = loss, params.copy()
            for callback in batch_end:
                callback.on_batch_end(self, n, n, loss)
            check_interrupt()  # a first Ctrl-C stops here, keeping the best parameters seen
            return loss, grad.astype(np.float64)

        def iteration_done(xk):
            within["epoch"] = False
            params[...] = xk  # the callbacks see (and may save) the iteration's model
            self.epoch += 1
            self.history.append({"epoch": self.epoch, "loss": best["loss"]})
            self._call("on_epoch_end")
            if self.stop:
                raise _Stopped

        try:
            with deferred_interrupt(whole_call=True), np.errstate(over="ignore", invalid="ignore"):
                self._call("on_train_begin")
                result = scipy.optimize.minimize(
                    loss_and_grad, params.astype(np.float64), method="L-BFGS-B", jac=True,
                    callback=iteration_done,
                    options={"maxfun": self.max_fun, "maxiter": self.max_iter, "gtol": self.tol},
                )
        except TrainingInterrupted:  # a second Ctrl-C is not caught
            self.interrupted = True
            warn_interrupted()
            params[...] = best["params"]
            self.loss = best["loss"]
            return self.loss  # the best parameters seen, kept as they are: the guards evaluate no more
        except _Stopped:  # the last iteration's parameters, set by iteration_done
            result = None
            self.loss = float(self.history[-1]["loss"])
        if result is not None:
            params[...] = result.x
            self.epoch = min(int(result.nit), self.max_iter)
            self.loss = float(result.fun)
        if not (np.isfinite(self.loss) and np.all(np.isfinite(params))):
            raise ValueError(
                "L-BFGS diverged: the loss or the parameters became non-finite (nan or inf). "
                "Scale the inputs (e.g. StandardScaler) or increase alpha."
            )
        self._call("on_train_end")
        if result is not None and result.status != 0:
            warnings.warn(
                f"lbfgs failed to converge after {self.epoch} iteration(s) (status={result.status}): "
                f"{result.message}. Increase the number of iterations (max_iter) or scale the data.",
                ConvergenceWarning,
            )
        return self.loss
