"""One pass over the data in mini-batches, undone as a whole if anything goes wrong.

The network is used through a few members only (``params``, ``optimizer``,
``layers``, ``astype``, ``train_batch``, ``output``, ``diagnose``), so training never
imports the engine.
"""

import copy

import numpy as np

from .interrupts import check_interrupt, deferred_interrupt

__all__ = ["run_epoch", "snapshot", "restore", "copy_state"]

# a strided x up to this size is copied to contiguous rows first: gathering its rows is several times slower
_CONTIGUOUS_BYTES = 8 * 2**20


_ATOMS = (int, float, bool, str, type(None))  # kept as they are: immutable, and deepcopy is slow on them


class _Diverged(Exception):
    pass


def copy_state(state):
    """A copy of the dict of attributes ``state``, sharing nothing mutable with it: arrays copied
    directly (much cheaper than a deepcopy), immutable atoms kept, anything else deep-copied."""
    return {k: v.copy() if type(v) is np.ndarray else v if type(v) in _ATOMS else copy.deepcopy(v)
            for k, v in state.items()}


def _state_of(obj):
    """A copy of ``obj``'s attributes to put back after a failed epoch (None for an object
    without ``__dict__``); scratch space (``_buffer``) is left out."""
    if not hasattr(obj, "__dict__"):
        return None
    return copy_state({k: v for k, v in vars(obj).items() if k != "_buffer"})


def snapshot(network):
    """The network's parameters (in their dtype), its optimizer and the optimizer's state, and its
    layers' non-trainable state (running statistics), to put back with ``restore``: after a failed
    epoch, and after a failed ``fit``, ``partial_fit`` or warm start of an estimator."""
    layer_states = [(layer, [a.copy() for a in layer.state]) for layer in network.layers
                    if getattr(layer, "state_names", ())]
    return network.params.copy(), network.optimizer, _state_of(network.optimizer), layer_states


def layer_state(network):
    """Copies of the layers' non-trainable state arrays (running statistics), in layer order."""
    return [array.copy() for layer in network.layers for array in layer.state]


def set_layer_state(network, arrays):
    """Put back the arrays ``layer_state`` returned."""
    arrays = iter(arrays)
    for layer in network.layers:
        for name in layer.state_names:
            setattr(layer, name, next(arrays).copy())


def restore(network, saved):
    params, optimizer, optimizer_state, layer_states = saved
    network.astype(params.dtype)
    network.params[...] = params
    network.optimizer = optimizer
    if optimizer_state is not None:
        vars(optimizer).clear()
        vars(optimizer).update(optimizer_state)
    for layer, arrays in layer_states:
        for name, array in zip(layer.state_names, arrays):
            setattr(layer, name, array.copy())


def run_epoch(network, x, y, batch_size, sample_weight=None, order=None, epoch=None, on_batch=None,
              on_batch_begin=None):
    """One pass over validated ``x``, ``y`` in mini-batches; return the average batch loss.

    ``order`` (a permutation of the row indices) gathers the batches in that
    order; None takes the rows as they are.  ``on_batch_begin(done, n)`` is
    called before every batch trained on (``done`` rows before it) and
    ``on_batch(done, n, running_loss)`` after it.  Batches whose sample weights
    are all zero are skipped; each batch's average loss counts by its rows, as
    scikit-learn's MLP counts it.

    If anything goes wrong (a non-finite loss, parameter or output; an
    interrupt; an error in a user's component) the parameters and the
    optimizer's state are put back as they were before the epoch and the
    error raised.  A non-finite value is explained by ``network.diagnose``
    (a replay of the epoch that names a user's component at fault) or else
    reported as divergence.  Ctrl-C takes effect at the end of the current
    batch, as ``TrainingInterrupted``.
    """
    if network.optimizer is None:
        raise ValueError("This network has no optimizer: pass one (e.g. optimizer='adam') to train it.")
    if callable(getattr(network.optimizer, "check_params", None)):
        network.optimizer.check_params()
    network.astype(x.dtype)
    n = x.shape[0]
    gathered = order is not None
    if not gathered:
        order = np.arange(n)
    # gathered dense batches go into one reused array (no allocation per batch); the others are slices of x
    gather = None
    if gathered and isinstance(x, np.ndarray):
        gather = np.empty((min(batch_size, n), x.shape[1]), x.dtype)
        if not x.flags.c_contiguous and x.nbytes <= _CONTIGUOUS_BYTES:
            x = np.ascontiguousarray(x)
    saved = snapshot(network)
    total = seen = 0.0
    try:
        # overflow and invalid values are divergence, reported below
        with deferred_interrupt(), np.errstate(over="ignore", invalid="ignore"):
            for start in range(0, n, batch_size):
                idx = order[start:start + batch_size]
                w = None if sample_weight is None else sample_weight[idx]
                if w is not None and not np.any(w):
                    continue  # a batch of zero weight has nothing to learn from
                if on_batch_begin is not None:
                    on_batch_begin(start, n)
                if not gathered:
                    xb = x[start:start + batch_size]
                elif gather is not None:
                    # mode="clip" skips a bounds check (the indices are a permutation) and a buffered copy
                    xb = np.take(x, idx, axis=0, out=gather[:len(idx)], mode="clip")
                else:
                    xb = x[idx]
                loss = network.train_batch(xb, y[idx], w)
                if not np.isfinite(loss):
                    raise _Diverged
                total += loss * len(idx)
                seen += len(idx)
                if on_batch is not None:
                    on_batch(min(start + batch_size, n), n, total / seen)
                check_interrupt()  # raises TrainingInterrupted after a Ctrl-C
        if not seen:
            raise ValueError("Every sample has zero weight: there is nothing to train on.")
        with np.errstate(over="ignore", invalid="ignore"):
            # the last update is checked on the last batch's outputs
            finite = np.all(np.isfinite(network.params)) and np.all(np.isfinite(network.output(x[idx])))
        if not finite:
            raise _Diverged
    except BaseException as exc:
        restore(network, saved)
        if not isinstance(exc, _Diverged):
            raise
        # replay the epoch, checking every step, to name a user's component that made nan or
        # inf from finite values (only now: the loop above pays nothing for it)
        fault = network.diagnose(x, y, order, batch_size, sample_weight, gathered, epoch, saved[0], saved[2])
        if fault is not None:
            raise ValueError(
                f"{fault} The parameters were restored to their values at the start of that epoch."
            ) from None
        where = "" if epoch is None else f" in epoch {epoch}"
        raise ValueError(
            f"Training diverged{where}: the loss, the parameters or the outputs became "
            "non-finite (nan or inf). Solver produced non-finite parameter weights. The input data may "
            "contain large values and need to be preprocessed. The parameters were restored to their "
            "values at the start of that epoch. Try a smaller learning rate, or scale the inputs (e.g. "
            "StandardScaler) and, for regression, the targets."
        ) from None
    return total / seen
