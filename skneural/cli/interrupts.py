"""Ctrl-C in the ``skneural`` command: it stops the command at once, with exit status 130."""

import contextlib
import signal
import threading

_CTRL_C = []  # the Ctrl-Cs the command's handler has seen


def _stop_at_once(signum, frame):
    _CTRL_C.append(signum)
    raise KeyboardInterrupt


@contextlib.contextmanager
def _ctrl_c_stops_the_command():
    """Ctrl-C ends the command at once, with exit status 130, and nothing is saved.

    A handler of our own over Python's default one: skneural's ``fit`` then
    defers nothing (a partly trained model is of no use here) and a fit that
    swallows Ctrl-C (scikit-learn's) is caught by ``_check_ctrl_c``.  Ctrl-C
    ignored (SIG_IGN, as in background jobs) or handled by the caller stays so.
    """
    _CTRL_C.clear()
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
        yield
        return
    signal.signal(signal.SIGINT, _stop_at_once)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _check_ctrl_c():
    """Raise KeyboardInterrupt if a Ctrl-C came (one that a fit caught and turned into a warning)."""
    if _CTRL_C:
        raise KeyboardInterrupt
