"""Naming the real cause of a non-finite value, kept off training's hot path.

``diagnose`` runs only after an epoch has found a non-finite loss, parameter
or output: it replays the epoch's batches with a check after every step and
names the user's component that first turned finite values into nan or inf.
"""

import numpy as np
import scipy.sparse as sp

from ..components import BUILTIN_CLASSES
from ..training.epoch import copy_state
from . import layers
from .layers import Activation, Dense
from .normalization import BatchNorm, LayerNorm
from .regularization import Dropout

# skneural's own components (BUILTIN_CLASSES) and layers are never blamed, as they only turn finite
# values into nan or inf by overflowing on huge ones (divergence).  A class a user registers is the
# user's, and so is a subclass of skneural's layers (its forward may be its own): exact types count.
_ACTIVATION_LAYERS = frozenset(cls for cls in (getattr(layers, name) for name in layers.__all__)
                               if issubclass(cls, Activation))
_BUILTIN_LAYERS = frozenset((Dense, Dropout, BatchNorm, LayerNorm))


class _Found(Exception):
    """The first step of the replay that produced a non-finite value.

    ``message`` blames a user's component, or is None when that step is divergence.
    """

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _arrays(values):
    for v in values:
        if v is None:
            continue
        a = v.data if sp.issparse(v) else np.asarray(v)
        if a.dtype.kind in "fc":
            yield a


def _finite(a):
    with np.errstate(all="ignore"):
        return bool(np.all(np.isfinite(a)))


def _what(a):
    kinds = [name for name, test in (("nan", np.isnan), ("inf", np.isinf)) if np.any(test(a))]
    return " and ".join(kinds)


def _huge(values):
    """Whether any value is so large that its square overflows: a component that turns such
    inputs into nan or inf overflows (divergence) rather than being at fault."""
    with np.errstate(all="ignore"):
        return any(a.size and np.max(np.abs(a)) >= np.sqrt(np.finfo(a.dtype).max) for a in _arrays(values))


class _Replay:
    """Runs the steps of the replayed epoch, each under a watch for floating-point events."""

    def __init__(self, epoch):
        self.epoch, self.batch = epoch, None

    def where(self):
        return f"in batch {self.batch}" if self.epoch is None else f"in epoch {self.epoch}, batch {self.batch}"

    def run(self, fn, args, builtin, inputs, describe, outputs=None):
        """``fn(*args)``; raise ``_Found`` if it (or ``outputs(result)``) holds nan or inf.

        ``inputs`` are finite (the replay stops at the first non-finite value).  The component is
        at fault when it is a user's own and turned them into nan or inf without overflowing: no
        floating-point overflow was signalled during the call, and no input is huge.
        """
        events = set()
        with np.errstate(over="call", invalid="call", divide="call", under="ignore",
                         call=lambda kind, flag: events.add(kind)):
            result = fn(*args)
        for a in _arrays([result] if outputs is None else outputs(result)):
            if not _finite(a):
                fault = not builtin and "overflow" not in events and not _huge(inputs)
                raise _Found(describe(_what(a), result) if fault else None)
        return result


def _watch_layer(replay, i, layer):
    """Instance attributes shadowing ``layer.forward`` and ``layer.backward`` with checked calls."""
    forward, backward = layer.forward, layer.backward
    activation = type(layer) in _ACTIVATION_LAYERS
    if activation:
        builtin, name = type(layer.activation) in BUILTIN_CLASSES, f"activation {layer.activation!r}"
    else:
        builtin, name = type(layer) in _BUILTIN_LAYERS, f"layer {layer!r}"

    def checked_forward(x):
        def describe(what, result):
            fix = "the activation" if activation else "the layer's forward"
            return (f"{name[0].upper()}{name[1:]} returned {what} for finite inputs {replay.where()} "
                    f"(layer {i}): fix {fix}; it must return finite values for finite inputs.")

        return replay.run(forward, (x,), builtin, [x, *layer.params], describe)

    def checked_backward(grad):
        def describe(what, result):
            if activation:
                return (f"The derivative of {name} gave {what} for finite inputs {replay.where()} "
                        f"(layer {i}, backpropagation): fix the derivative; it must be finite for "
                        "finite inputs.")
            return (f"The backward pass of {name} returned {what} for finite gradients "
                    f"{replay.where()} (layer {i}): fix the layer's backward.")

        inputs = [grad, getattr(layer, "input", None), getattr(layer, "output", None), *layer.params]
        return replay.run(backward, (grad,), builtin, inputs, describe, outputs=lambda r: [r, *layer.grads])

    return {"forward": checked_forward, "backward": checked_backward}


class _WatchedLoss:
    """Stands in for the network's loss during the replay, checking what each method returns."""

    def __init__(self, loss, replay):
        self._loss, self._replay, self._builtin = loss, replay, type(loss) in BUILTIN_CLASSES

    def _run(self, method, y_pred, y_true, gradient):
        def describe(what, result):
            if gradient:
                return (f"The gradient of loss {self._loss!r} gave {what} for finite predictions and "
                        f"targets {self._replay.where()}: fix the loss's derivative; it must be finite "
                        "for finite inputs.")
            return (f"The loss {self._loss!r} returned {what} for finite predictions and targets "
                    f"{self._replay.where()}: fix the loss; it must return finite values for finite inputs.")

        return self._replay.run(method, (y_pred, y_true), self._builtin, [y_pred, y_true], describe)

    def __call__(self, y_pred, y_true):
        return self._run(self._loss.__call__, y_pred, y_true, False)

    def from_logits(self, z, y_true):
        return self._run(self._loss.from_logits, z, y_true, False)

    def gradient(self, y_pred, y_true):
        return self._run(self._loss.gradient, y_pred, y_true, True)

    def logit_gradient(self, y_pred, y_true):
        return self._run(self._loss.logit_gradient, y_pred, y_true, True)

    def __getattr__(self, name):
        return getattr(self._loss, name)

    def __repr__(self):
        return repr(self._loss)


def _state_arrays(optimizer):
    return {k: v for k, v in sorted(vars(optimizer).items()) if isinstance(v, np.ndarray) and k != "_buffer"}


class _WatchedOptimizer:
    """Stands in for the network's optimizer during the replay, checking parameters and state."""

    def __init__(self, optimizer, replay):
        self._optimizer, self._replay = optimizer, replay

    def update(self, params, grads):
        opt, replay = self._optimizer, self._replay
        if not (_finite(params) and _finite(grads)):
            raise _Found(None)  # the L2 penalty overflowed: divergence

        def outputs(new):
            return [new, *(_state_arrays(opt).values() if hasattr(opt, "__dict__") else ())]

        def describe(what, new):
            state = [f"{k} holds {_what(v)}" for k, v in _state_arrays(opt).items()
                     if v.dtype.kind in "fc" and not _finite(v)] if hasattr(opt, "__dict__") else []
            note = f" (its state: {', '.join(state)})" if state else ""
            if _finite(np.asarray(new)):
                return (f"The state of optimizer {opt!r} became non-finite{note} from finite parameters and "
                        f"gradients {replay.where()}: fix the optimizer.")
            return (f"Optimizer {opt!r} produced {_what(np.asarray(new))} parameters from finite parameters "
                    f"and gradients {replay.where()}{note}: fix the optimizer.")

        builtin = type(opt) in BUILTIN_CLASSES
        return replay.run(opt.update, (params, grads), builtin, [params, grads], describe, outputs)

    def __getattr__(self, name):
        return getattr(self._optimizer, name)

    def __repr__(self):
        return repr(self._optimizer)


def _put_state(obj, state, copy):
    """``obj``'s attributes set to ``state``; with ``copy``, copies (the replay must not change the saved
    state, whose mutable values ``restore`` puts back afterwards)."""
    vars(obj).clear()
    vars(obj).update(copy_state(state) if copy else state)


def diagnose(network, x, y, order, batch_size, sample_weight, gathered, epoch, saved_params, saved_state):
    """Replay an epoch that went non-finite and return the message naming the user's component at
    fault, or None: divergence (a Dense layer, the L2 penalty or a built-in component overflowing
    on huge values), or a failure the replay did not reproduce (a non-deterministic component).

    The replay starts from the epoch's saved parameters and optimizer state (``saved_state`` from
    ``_state_of``, or None) and takes the same batches in the same order (``order``; ``gathered``
    False: the rows as they are) through the same code (``train_batch``), with the layers, the
    loss and the optimizer watched; it ends with both put back as saved, and the layers' state
    (``state_names``) as it was before the replay.
    """
    replay = _Replay(epoch)
    loss, optimizer = network.loss, network.optimizer
    layer_state = [(layer, name, np.copy(getattr(layer, name))) for layer in network.layers
                   for name in layer.state_names]
    patched = []
    try:
        network.params[...] = saved_params
        if saved_state is not None:
            _put_state(optimizer, saved_state, copy=True)  # the saved arrays stay as they were
        for i, layer in enumerate(network.layers):
            methods = _watch_layer(replay, i, layer)
            patched.append((layer, {k: vars(layer)[k] for k in methods if k in vars(layer)}))
            vars(layer).update(methods)
        network.loss, network.optimizer = _WatchedLoss(loss, replay), _WatchedOptimizer(optimizer, replay)
        last = None
        with np.errstate(over="ignore", invalid="ignore"):
            for start in range(0, x.shape[0], batch_size):
                idx = order[start:start + batch_size]
                w = None if sample_weight is None else sample_weight[idx]
                if w is not None and not np.any(w):
                    continue
                replay.batch = start // batch_size + 1
                if not np.isfinite(network.train_batch(x[idx] if gathered else x[start:start + batch_size],
                                                        y[idx], w)):
                    raise _Found(None)  # finite loss values summed or penalized past the largest float
                last = idx
            if last is not None:  # train_epoch's last check: the last update, on the last batch
                network._run(x[last], forward=True)
        return None
    except _Found as found:
        return found.message
    except Exception:  # a component that raised this time: not the failure being explained
        return None
    finally:
        network.loss, network.optimizer = loss, optimizer
        for layer, shadowed in patched:
            for name in ("forward", "backward"):
                vars(layer).pop(name, None)
            vars(layer).update(shadowed)
        network.params[...] = saved_params
        for layer, name, saved in layer_state:
            setattr(layer, name, saved)
        if saved_state is not None:
            _put_state(optimizer, saved_state, copy=False)
