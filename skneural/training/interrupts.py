"""Ctrl-C during training: deferred to the end of the current batch, once.

The first Ctrl-C sets a flag that the training loop acts on at the end of the
batch (``TrainingInterrupted``); the next one interrupts at once, in this
training call or any later one, until a whole training call completes
uninterrupted.  Everything here is process-wide state of the main thread.
"""

import contextlib
import signal
import threading
import warnings

__all__ = ["TrainingInterrupted", "check_interrupt", "deferred_interrupt", "warn_interrupted", "INTERRUPTED"]

INTERRUPTED = "Training interrupted by user."  # scikit-learn's words


def warn_interrupted(message=INTERRUPTED, stacklevel=2):
    """The warning of a training call that a first Ctrl-C ended, keeping the model trained so far."""
    warnings.warn(message, UserWarning, stacklevel=stacklevel + 1)


class TrainingInterrupted(KeyboardInterrupt):
    """A Ctrl-C during training, deferred to the end of the current batch.

    ``fit`` (of the estimators and of ``NeuralNetwork``) catches this one
    alone, warns and keeps the model trained so far; any other
    ``KeyboardInterrupt`` (a second Ctrl-C, which interrupts at once) passes
    through.
    """


class _Interrupts:
    """skneural's Ctrl-C state, shared by every training call of the process (main thread only)."""

    depth = 0  # training windows open in the main thread (fit around train_epoch)
    previous = None  # the handler ours replaced while the outermost window is open, or None
    pending = False  # a Ctrl-C deferred to the end of the current batch and not yet acted on
    # a Ctrl-C was deferred and no training call has completed since: the next one stops at once
    armed = False
    presses = 0  # the Ctrl-Cs our handler has seen


def _on_sigint(signum, frame):
    _Interrupts.presses += 1
    if _Interrupts.armed:
        raise KeyboardInterrupt
    _Interrupts.armed = _Interrupts.pending = True


def check_interrupt():
    """Raise ``TrainingInterrupted`` if a Ctrl-C was deferred (called at the end of every batch)."""
    if _Interrupts.pending and threading.current_thread() is threading.main_thread():
        _Interrupts.pending = False
        raise TrainingInterrupted


@contextlib.contextmanager
def deferred_interrupt(whole_call=False):
    """Defer Ctrl-C to the end of the current batch while training; yield the check to call there.

    Installed only in the main thread and only over Python's default handler:
    with Ctrl-C ignored (SIG_IGN, as in background jobs) or a handler of the
    user's own, nothing changes.  The first Ctrl-C sets a flag and the check
    raises ``TrainingInterrupted``; the next one, in this call or in any later
    one, raises ``KeyboardInterrupt`` at once, until a whole training call
    (``whole_call=True``: a ``fit``, not an epoch) completes uninterrupted.
    Windows nest: the outermost one installs the handler, puts back the
    previous one, and acts on a Ctrl-C that came after the last check.
    """
    if threading.current_thread() is not threading.main_thread():
        yield check_interrupt
        return
    outermost, presses = _Interrupts.depth == 0, _Interrupts.presses
    _Interrupts.depth += 1
    try:
        if outermost:
            _Interrupts.pending = False
            if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
                _Interrupts.previous = signal.default_int_handler
                signal.signal(signal.SIGINT, _on_sigint)
        yield check_interrupt
        if outermost:
            check_interrupt()
    finally:
        _Interrupts.depth -= 1
        if outermost and _Interrupts.previous is not None:
            signal.signal(signal.SIGINT, _Interrupts.previous)
            _Interrupts.previous = None
    if whole_call and outermost and _Interrupts.presses == presses:
        _Interrupts.armed = False  # completed without being interrupted (fit may catch the first Ctrl-C)
