"""``ModelCheckpoint``: save the model being trained when the monitored value improves.

Examples
--------
>>> import os, tempfile, warnings
>>> from sklearn.datasets import load_iris
>>> from skneural import NumpyMLPClassifier, load
>>> from skneural.callbacks import ModelCheckpoint
>>> X, y = load_iris(return_X_y=True)
>>> path = os.path.join(tempfile.mkdtemp(), "best.skn")
>>> clf = NumpyMLPClassifier((8,), max_iter=30, early_stopping=True, random_state=0,
...                          callbacks=[ModelCheckpoint(path, monitor="val_loss")])
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore")
...     _ = clf.fit(X, y)
>>> checkpoint = clf.callbacks_[0]  # the clone that fit trained
>>> best = min(clf.history_, key=lambda record: record["val_loss"])
>>> checkpoint.best_epoch_ == best["epoch"] and checkpoint.best_ == best["val_loss"]
True
>>> load(path).n_iter_ == checkpoint.best_epoch_
True
"""

import contextlib
import os
import stat
import uuid

from .hooks import Callback
from .monitors import check_monitor, maximizes

__all__ = ["ModelCheckpoint", "save_atomically", "MAX_PATH_CHARS", "SUFFIX"]

MAX_PATH_CHARS = 1024
SUFFIX = ".skn"
_EPOCH = "{epoch}"


def save_atomically(model, path):
    """``model.save`` to ``path`` through a temporary file beside it, renamed over ``path`` once
    complete: a save that fails leaves whatever file was there as it was.  The file keeps the
    permission bits of the file it replaces."""
    path = os.fspath(path)
    folder, base = os.path.split(os.path.abspath(path))
    temporary = os.path.join(folder, f".{base}.{uuid.uuid4().hex}.partial{os.path.splitext(base)[1]}")
    try:
        model.save(temporary)
        with contextlib.suppress(FileNotFoundError):
            os.chmod(temporary, stat.S_IMODE(os.stat(path).st_mode))
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


class ModelCheckpoint(Callback):
    """Save the model at the end of each epoch in which ``monitor`` improved (or of every epoch).

    The model is the trainer's ``model``: the estimator it is attached to, the
    one being fitted (saved with its ``save``, in skneural's safe model format:
    load it with :func:`skneural.load`), or for a bare ``Trainer`` the network.
    At the end of an epoch the estimator's fitted attributes (``n_iter_``,
    ``loss_``, ``history_``, ...) are those of that epoch, so the file holds the
    model as it was then.  The write is atomic: a temporary file in the same
    folder, renamed over ``path`` once complete, so a failed save (which fails
    the fit, with an error naming ``path``) leaves the previous file intact.
    The folder must exist: training checks it before it starts.

    What it saves is that estimator alone.  Inside a ``Pipeline`` it is the
    final step, without the preprocessing before it: apply the pipeline's
    other steps to the data yourself before the loaded model's ``predict``, or
    save the whole pipeline after ``fit``.  In ``GridSearchCV`` or
    ``cross_val_score`` every fit writes the same path, each over the last:
    ``{epoch}``, the one placeholder, tells epochs apart, not fits.

    Parameters
    ----------
    path : str or path-like
        The file to write, whose name ends in ``.skn``; ``{epoch}`` in it (that
        literal text, no other formatting) becomes the epoch's number, to keep
        one file per saved epoch.  At most 1024 characters, without control
        characters.  **Safety**: a model file is untrusted input, and the path
        of a ModelCheckpoint loaded from one chooses where a later ``fit``
        writes.  The same rules hold for it (``load`` checks them): only a file
        named ``*.skn`` can be written, so a file cannot make a fit overwrite a
        source file, a shell profile or a key file; review a loaded model's
        ``callbacks`` before fitting it again.
    monitor : str, default='val_loss'
        'val_loss' or 'loss' (lower is better), 'val_score' or a scikit-learn
        scorer name such as 'roc_auc' (higher is better); see
        :mod:`skneural.training.monitors`.  Every name but 'loss' needs
        validation data (``early_stopping=True``, or ``X_val`` and ``y_val``).
    save_best_only : bool, default=True
        Save only when ``monitor`` is better than at every earlier epoch;
        False saves every epoch (and ``monitor`` then only tracks ``best_``).

    Attributes
    ----------
    best_ : float
        The best monitored value so far.
    best_epoch_ : int or None
        The epoch at which it was reached: with ``save_best_only`` the epoch
        whose model the file holds.
    saved_epoch_ : int or None
        The last epoch saved.
    saved_path_ : str or None
        The file it was saved to (``path`` with ``{epoch}`` filled in).

    A warm start or ``partial_fit`` goes on from the clone's state
    (``callbacks_``), so it writes only when it beats the best so far.
    """

    def __init__(self, path, monitor="val_loss", save_best_only=True):
        self.path = path
        self.monitor = monitor
        self.save_best_only = save_best_only

    def check_params(self):
        """Raise a ValueError or TypeError unless the settings are valid."""
        if not isinstance(self.path, (str, os.PathLike)):
            raise TypeError(f"ModelCheckpoint's path must be a str; got {type(self.path).__name__}.")
        path = os.fspath(self.path)
        if not isinstance(path, str):
            raise TypeError("ModelCheckpoint's path must be a str, not bytes.")
        if not 0 < len(path) <= MAX_PATH_CHARS or any(ord(c) < 32 or ord(c) == 127 for c in path):
            raise ValueError(f"ModelCheckpoint's path must have 1 to {MAX_PATH_CHARS} characters, none of them "
                             f"control characters; got {path[:80]!r}{'...' if len(path) > 80 else ''}.")
        name = os.path.basename(path)
        if not (name.endswith(SUFFIX) and len(name) > len(SUFFIX)):
            raise ValueError(f"ModelCheckpoint writes skneural model files, whose names end in {SUFFIX!r}; "
                             f"got the path {path!r}.")
        check_monitor(self.monitor, "ModelCheckpoint")
        if not isinstance(self.save_best_only, bool):
            raise TypeError(f"ModelCheckpoint's save_best_only must be a bool; got {self.save_best_only!r}.")

    def resume(self, best, best_epoch, saved_epoch=None, saved_path=None):
        """Go on from the state of an earlier call (a warm start or ``partial_fit``)."""
        self.best_, self.best_epoch_, self.saved_epoch_, self.saved_path_ = best, best_epoch, saved_epoch, saved_path
        self._resumed = True
        return self

    def on_train_begin(self, trainer):
        self.check_params()
        if not callable(getattr(trainer.model, "save", None)):
            raise TypeError(f"ModelCheckpoint saves the trainer's model with its save(path) method; "
                            f"{type(trainer.model).__name__} has none.")
        if not self.__dict__.get("_resumed", False):
            self.best_ = -float("inf") if maximizes(self.monitor) else float("inf")
            self.best_epoch_ = self.saved_epoch_ = self.saved_path_ = None
        self._resumed = False
        self._check_folder()

    def _check_folder(self):
        """An error naming ``path`` unless the folder it writes to exists (with ``{epoch}`` in a
        folder's name: the folder above it)."""
        path = os.fspath(self.path)
        folder = os.path.dirname(os.path.abspath(path))
        if _EPOCH in folder:
            folder = os.path.dirname(folder[:folder.index(_EPOCH)])
        if not os.path.exists(folder):
            raise FileNotFoundError(f"ModelCheckpoint cannot write {path!r}: the folder {folder!r} does not "
                                    "exist. Create it (os.makedirs) before fit, or give a path in an existing "
                                    "folder.")
        if not os.path.isdir(folder):
            raise NotADirectoryError(f"ModelCheckpoint cannot write {path!r}: {folder!r} is not a folder. "
                                     "Give a path in a folder.")

    def _save(self, model, path, epoch):
        try:
            save_atomically(model, path)
        except OSError as exc:  # its message may name the temporary file: name the path asked for
            message = (f"ModelCheckpoint could not save the model of epoch {epoch} to {path!r}: "
                       f"{exc.strerror or exc}")
            try:
                error = type(exc)(message)
            except TypeError:  # an OSError subclass constructed otherwise
                error = OSError(message)
            raise error from exc

    def on_epoch_end(self, trainer):
        record = trainer.history[-1]
        value = record.get(self.monitor)
        if value is None and self.save_best_only:
            raise ValueError(
                f"ModelCheckpoint monitors {self.monitor!r}, which this training does not record (it records "
                f"{', '.join(map(repr, record))}): give the estimator validation data (early_stopping=True, "
                "or X_val and y_val), or monitor 'loss'.")
        if value is not None and value != value and self.save_best_only:  # nan: no best to keep
            raise ValueError(f"ModelCheckpoint monitors {self.monitor!r}, which is nan after epoch {record['epoch']}: "
                             "there is no best to keep. Monitor a value that is defined on this data.")
        improved = value is not None and (value > self.best_ if maximizes(self.monitor) else value < self.best_)
        if improved:
            self.best_, self.best_epoch_ = value, record["epoch"]
        if improved or not self.save_best_only:
            path = os.fspath(self.path).replace(_EPOCH, str(record["epoch"]))
            self._save(trainer.model, path, record["epoch"])
            self.saved_epoch_, self.saved_path_ = record["epoch"], path
