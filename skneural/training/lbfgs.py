"""Full-batch training with scipy's L-BFGS-B, with the training loop's callbacks and guards."""

import warnings

import numpy as np
import scipy.optimize
from sklearn.exceptions import ConvergenceWarning

from .interrupts import TrainingInterrupted, check_interrupt, deferred_interrupt, warn_interrupted

__all__ = ["LBFGSTrainer"]


class LBFGSTrainer:
    """Minimizes the network's whole-data objective with L-BFGS-B (``scipy.optimize.minimize``).

    Each iteration is an "epoch" for the callbacks (``on_epoch_end``, with
    the best loss seen as ``loss``); ``on_train_begin`` and ``on_train_end``
    run as in ``Trainer``, so the same guards apply.  A first Ctrl-C stops at
    the end of the current evaluation, keeping the best parameters seen.

    Parameters
    ----------
    network : NeuralNetwork
    max_iter, max_fun : int
        scipy's ``maxiter`` and ``maxfun``.
    tol : float
        scipy's ``gtol``.
    callbacks : list of Callback
    """

    def __init__(self, network, *, max_iter, max_fun, tol, callbacks=()):
        self.network = network
        self.max_iter = max_iter
        self.max_fun = max_fun
        self.tol = tol
        self.callbacks = list(callbacks)
        self.epoch = self.samples_seen = 0
        self.history = []
        self.stop = self.interrupted = False

    def _call(self, hook):
        for callback in self.callbacks:
            getattr(callback, hook)(self)

    def fit(self, x, y, sample_weight=None):
        """Train on validated ``x``, ``y``; return the final loss."""
        self.x, self.y, self.sample_weight = x, y, sample_weight
        network = self.network
        params = network.params
        best = {"loss": np.inf, "params": params.copy()}

        def loss_and_grad(w):
            params[...] = w
            loss, grad = network.loss_and_gradient(x, y, sample_weight)
            if loss < best["loss"]:
                best["loss"], best["params"] = loss, params.copy()
            check_interrupt()  # a first Ctrl-C stops here, keeping the best parameters seen
            return loss, grad.astype(np.float64)

        def iteration_done(xk):
            self.epoch += 1
            self.history.append({"epoch": self.epoch, "loss": best["loss"]})
            self._call("on_epoch_end")

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
        params[...] = result.x
        self.epoch = min(int(result.nit), self.max_iter)
        self.loss = float(result.fun)
        if not (np.isfinite(self.loss) and np.all(np.isfinite(params))):
            raise ValueError(
                "L-BFGS diverged: the loss or the parameters became non-finite (nan or inf). "
                "Scale the inputs (e.g. StandardScaler) or increase alpha."
            )
        self._call("on_train_end")
        if result.status != 0:
            warnings.warn(
                f"lbfgs failed to converge after {self.epoch} iteration(s) (status={result.status}): "
                f"{result.message}. Increase the number of iterations (max_iter) or scale the data.",
                ConvergenceWarning,
            )
        return self.loss
