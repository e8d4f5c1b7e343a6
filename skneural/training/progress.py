"""Progress: ``ProgressBar`` (how far training is, how fast it goes and how long it has left), and
the verbose lines of the estimators (``ProgressLog``) and of ``NeuralNetwork.fit`` (``EpochLog``).

Examples
--------
>>> import io
>>> import numpy as np
>>> from skneural import NumpyMLPRegressor
>>> from skneural.callbacks import EarlyStopping, ProgressBar
>>> rng = np.random.RandomState(0)
>>> X = rng.uniform(-1, 1, (100, 2)); y = X.sum(axis=1)
>>> out = io.StringIO()  # not a terminal: one line per epoch
>>> reg = NumpyMLPRegressor(hidden_layer_sizes=(8,), max_iter=3, random_state=0,
...                         callbacks=[ProgressBar(stream=out)])
>>> import warnings
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore")  # 3 epochs: no convergence
...     _ = reg.fit(X, y)
>>> lines = out.getvalue().splitlines()
>>> [line.split(" - ")[0] for line in lines]
['Epoch 1/3', 'Epoch 2/3', 'Epoch 3/3']
>>> all("loss" in line and "left" in line for line in lines)
True
"""

import math
import shutil
import sys
import time

from .hooks import Callback

__all__ = ["ProgressBar", "ProgressLog", "EpochLog", "format_duration", "format_rate"]

_REFRESH_SECONDS = 0.1  # the live line is redrawn at most this often during an epoch


def format_duration(seconds):
    """``m:ss`` or ``h:mm:ss``; '?' for a time not known (nan or inf)."""
    if not math.isfinite(seconds):
        return "?"
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_rate(epochs, seconds):
    """How fast ``epochs`` epochs in ``seconds`` went: ``'1,150 epochs/s'``, ``'12.5 epochs/s'``, or
    below one epoch a second ``'2.4 s/epoch'`` (no exponent: ``'1.15e+03'`` reads badly)."""
    rate = epochs / seconds
    if rate >= 1:
        return f"{rate:,.0f} epochs/s" if rate >= 100 else f"{rate:.1f} epochs/s"
    return f"{1 / rate:.1f} s/epoch" if 1 / rate < 100 else f"{1 / rate:,.0f} s/epoch"


def _label(part):
    """The name of a 'name value' part of the line ('loss', 'val_loss', 'test accuracy')."""
    return part.rpartition(" ")[0]


# What gives way, in turn, while the line is too wide: the speed in samples, the speed, the time
# elapsed, the time left, the training loss, the validation (or test) loss, the batch counter.
_SHORTER = (lambda p: p.split(", ")[0] if p.endswith(" samples/s") else p,
            lambda p: None if p.endswith((" epochs/s", " s/epoch")) else p,
            lambda p: p.split(", ")[-1] if p.endswith(" left") else None if p.endswith(" elapsed") else p,
            lambda p: None if p.endswith(" left") else p,
            lambda p: None if _label(p) == "loss" else p,
            lambda p: None if _label(p).endswith("loss") else p,
            lambda p: p.split(" [")[0] if p.startswith("Epoch ") else p)


def fit_to_terminal(line, width=None):
    """The live line made to fit the terminal's width less one column (a line as wide as the
    terminal, or wider, wraps, and '\r' then rewrites only its last row, leaving the others
    behind); width: that width, instead.  Parts give way in turn until it fits: the speed in
    samples, the speed, the time elapsed, the time left, the loss, the validation (or test) loss,
    the batch counter; the epoch ('Epoch k/N') and the score stay, and only then is the end cut."""
    width = max(shutil.get_terminal_size().columns - 1, 20) if width is None else width
    for shorten in _SHORTER:
        if len(line) <= width:
            return line
        line = " - ".join(part for part in map(shorten, line.split(" - ")) if part is not None)
    return line[:width]


def _is_terminal(stream):
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


class ProgressBar(Callback):
    """Show training's progress: the epoch, the speed, the time spent and left, and the loss.

    On a terminal one line, cut to the terminal's width, is rewritten in place (``'\\r'``) while
    training runs, with the running loss of the current epoch after each batch (at
    most every 0.1 s); elsewhere (a file, a pipe, a notebook's captured
    stream) one line per epoch.  A line reads ``Epoch 3/200 - 12.5 epochs/s,
    11,250 samples/s - 0:01 elapsed, 0:15 left - loss 0.1234`` followed by
    ``val_loss`` and ``val_score`` (and any scorer monitored) when the epoch
    recorded them (slower than an epoch a second, the speed reads ``2.4
    s/epoch``).  The time left assumes training runs to ``max_iter``: a
    stopping rule can end it sooner.  ``partial_fit`` trains one epoch a call:
    its lines give the epoch's number without a total or a time left.  With
    ``optimizer='lbfgs'`` an epoch is one L-BFGS iteration.

    Parameters
    ----------
    stream : file-like or None, default=None
        Where to write (anything with ``write``); None is ``sys.stderr`` at the
        time of the fit.  A model file (``save``, ``ModelCheckpoint``) stores
        it as None whatever it is: where one process shows progress is not
        part of the model.  ``clone`` (and so ``fit``, which trains a clone)
        shares the stream rather than copying it; pickle needs a stream that
        pickles (None does).
    """

    def __init__(self, stream=None):
        self.stream = stream

    def check_params(self):
        """Raise a TypeError unless ``stream`` is None or has a ``write`` method."""
        if self.stream is not None and not callable(getattr(self.stream, "write", None)):
            raise TypeError(f"ProgressBar's stream must be None or have a write method; got {self.stream!r}.")

    def __sklearn_clone__(self):
        return type(self)(stream=self.stream)  # the same stream: a copy of it would show nothing

    def _out(self):
        return sys.stderr if self.stream is None else self.stream

    def on_train_begin(self, trainer):
        self.check_params()
        self._start = self._drawn = time.perf_counter()
        self._first_epoch, self._first_samples = trainer.epoch, trainer.samples_seen
        self._end = None if getattr(trainer, "incremental", False) else trainer.epoch + trainer.max_epochs
        self._live = _is_terminal(self._out())
        self._width = 0

    def _speed_and_time(self, epochs, samples):
        elapsed = time.perf_counter() - self._start
        parts = []
        if epochs and elapsed > 0:
            speed = format_rate(epochs, elapsed)
            parts.append(speed + (f", {samples / elapsed:,.0f} samples/s" if samples else ""))
        timing = f"{format_duration(elapsed)} elapsed"
        if self._end is not None:
            left = (self._end - self._first_epoch - epochs) * elapsed / epochs if epochs else math.inf
            timing += f", {format_duration(left)} left"
        return [*parts, timing]

    def _epoch_label(self, epoch):
        return f"Epoch {epoch}" + (f"/{self._end}" if self._end is not None else "")

    def _write(self, line, final):
        out = self._out()
        if self._live:
            line = fit_to_terminal(line)
            out.write("\r" + line.ljust(self._width))
            self._width = len(line)
        elif final:
            out.write(line + "\n")
        if callable(getattr(out, "flush", None)):
            out.flush()

    def on_batch_end(self, trainer, done, n, running_loss):
        if not self._live or time.perf_counter() - self._drawn < _REFRESH_SECONDS:
            return
        self._drawn = time.perf_counter()
        epochs = trainer.epoch - self._first_epoch
        parts = [f"{self._epoch_label(trainer.epoch + 1)} [{done}/{n}]",
                 *self._speed_and_time(epochs, trainer.samples_seen - self._first_samples),
                 f"loss {running_loss:.4g}"]
        self._write(" - ".join(parts), final=False)

    def on_epoch_end(self, trainer):
        record = trainer.history[-1]
        parts = [self._epoch_label(record["epoch"]),
                 *self._speed_and_time(trainer.epoch - self._first_epoch, trainer.samples_seen - self._first_samples),
                 f"loss {record['loss']:.4g}"]
        parts += [f"{key} {value:.4g}" for key, value in record.items()
                  if key not in ("epoch", "loss", "lr", "time") and isinstance(value, float)]
        self._drawn = time.perf_counter()
        self._write(" - ".join(parts), final=True)

    def on_train_end(self, trainer):
        if self.__dict__.get("_live") and self._width:
            self._out().write("\n")
            self._width = 0


class ProgressLog(Callback):
    """scikit-learn's verbose lines: ``Iteration 3, loss = 0.12345678`` (with the validation
    score and the epoch's time when recorded); ``verbose >= 2`` also shows the running loss after
    every batch, rewritten in place."""

    def __init__(self, verbose=1):
        self.verbose = verbose

    def on_train_begin(self, trainer):
        self._live = 0  # the width of the live batch line on screen (0: none)

    def on_batch_end(self, trainer, done, n, running_loss):
        if self.verbose >= 2:
            line = f"Iteration {trainer.epoch + 1}, batch [{done}/{n}], running loss = {running_loss:.8f}"
            print("\r" + line.ljust(self._live), end="", flush=True)
            self._live = max(self._live, len(line))

    def on_epoch_end(self, trainer):
        record = trainer.history[-1]
        line = f"Iteration {record['epoch']}, loss = {record['loss']:.8f}"
        if "val_score" in record:
            line += f", validation score = {record['val_score']:.6f}"
        if "time" in record:
            line += f", time = {record['time']:.3f}s"
        if self._live:  # over the live batch line, blanking what is left of it
            line = "\r" + line.ljust(self._live)
        self._live = 0
        print(line, flush=True)


class EpochLog(Callback):
    """``NeuralNetwork.fit``'s lines: ``Epoch 3/10 [100/100] loss: 0.123456``; ``verbose >= 2``
    also shows the running loss after every batch, rewritten in place."""

    def __init__(self, verbose=1):
        self.verbose = verbose

    def _line(self, trainer, epoch, done, n, loss):
        return f"Epoch {epoch}/{trainer.max_epochs} [{done}/{n}] loss: {loss:.6f}"

    def on_batch_end(self, trainer, done, n, running_loss):
        if self.verbose >= 2:
            print("\r" + self._line(trainer, trainer.epoch + 1, done, n, running_loss), end="", flush=True)

    def on_epoch_end(self, trainer):
        n = trainer.x.shape[0]
        prefix = "\r" if self.verbose >= 2 else ""
        print(prefix + self._line(trainer, trainer.epoch, n, n, trainer.history[-1]["loss"]), flush=True)
