"""How the ``skneural`` command shows training progress.

The demo restyles the estimator's ``verbose`` output: `progress_from_verbose_output`
captures standard output while a model trains.  ``skneural train`` uses skneural's
``ProgressBar`` callback as `LabelledProgressBar`, which names the rows its validation
figures are of ("test accuracy", "validation accuracy").
"""

import contextlib
import sys

from ..training.progress import ProgressBar, fit_to_terminal


class _LiveLine:
    """A stream that shows each printed line in place of the previous one on a terminal."""

    def __init__(self, stream):
        self.stream, self.width = stream, 0

    def write(self, text):
        if not self.stream.isatty():
            return self.stream.write(text)
        for line in text.splitlines():
            if line.strip():
                line = fit_to_terminal(line)
                self.stream.write("\r" + line.ljust(self.width))
                self.width = len(line)
        self.stream.flush()
        return len(text)

    def flush(self):
        self.stream.flush()

    def end(self):
        if self.stream.isatty() and self.width:
            self.stream.write("\n")


@contextlib.contextmanager
def progress_from_verbose_output():
    """While in the block, show what is printed (a verbose fit's lines) as one live line on a terminal.

    It captures ``sys.stdout``: on a terminal each printed line replaces the
    previous one, elsewhere the text passes through unchanged.
    """
    live = _LiveLine(sys.stdout)
    with contextlib.redirect_stdout(live):
        yield
    live.end()


class LabelledProgressBar(ProgressBar):
    """skneural's ProgressBar with the validation figures of its lines named for the rows they are
    computed on: labels {'val_loss': 'test loss', 'val_score': 'test accuracy'}, say."""

    def __init__(self, stream=None, labels=None):
        super().__init__(stream)
        self.labels = labels

    def __sklearn_clone__(self):  # the same stream, as ProgressBar's clone (a TransformedTargetRegressor fits one)
        return type(self)(stream=self.stream, labels=self.labels)

    def _write(self, line, final):
        for key, label in (self.labels or {}).items():
            line = line.replace(f" - {key} ", f" - {label} ")
        super()._write(line, final)
