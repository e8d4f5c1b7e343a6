"""skneural's own callbacks in a model file (the estimators' ``callbacks`` parameter).

``EarlyStopping``, ``ModelCheckpoint`` and ``ProgressBar`` are entries of the
component table (``{"component": "ModelCheckpoint", "params": {...}}``): each
is made by its constructor from plain settings (None, bools, numbers,
strings: no component, array or random state) that the constructor takes,
with all those it requires, then checked by its ``check_params``.  A
ModelCheckpoint's ``path`` chooses where a later ``fit`` of the loaded model
writes, so its rules are the safety rules: a file name ending in ``.skn``, at
most 1024 characters, no control characters (a file cannot make a fit
overwrite a source file, a shell profile or a key).  A ProgressBar's stream
is where one process shows its progress, not part of the model: it is
stored as None (standard error), whatever it was.  The clones a fit trained
(``callbacks_``) are not stored: a loaded model's warm start begins from
fresh clones.  Callbacks of your own are stored by class name and settings,
as other components of yours, and loaded from ``custom_objects``.
"""

import inspect
import os

from ..training.callbacks import EarlyStopping, ModelCheckpoint, ProgressBar
from .archive import ArchiveError

__all__ = ["CALLBACK_CLASSES", "decode_callback", "stored_params"]

CALLBACK_CLASSES = (EarlyStopping, ModelCheckpoint, ProgressBar)
_NOT_STORED = {ProgressBar: {"stream": None}}  # settings stored as these values, whatever they are


def stored_params(obj):
    """The settings of ``obj`` (a component) as a model file stores them."""
    params = obj.get_params(deep=False)
    params.update(_NOT_STORED.get(type(obj), {}))
    if isinstance(obj, ModelCheckpoint) and isinstance(params["path"], os.PathLike):
        params["path"] = os.fspath(params["path"])  # loaded as a str
    return params


def decode_callback(setting, cls, params, where):
    """The callback of class ``cls`` from the settings ``params`` of a file's entry at ``where``,
    each decoded with ``setting(value, where)``."""
    signature = inspect.signature(cls.__init__).parameters
    takes = set(signature) - {"self"}
    required = {name for name in takes if signature[name].default is inspect.Parameter.empty}
    if not set(params) <= takes or not required <= set(params):
        raise ArchiveError(f"{where} has settings {cls.__name__} does not take, or lacks some it needs")
    values = {}
    for name, value in params.items():
        value = setting(value, f"{where}.params.{name}")
        if not (value is None or isinstance(value, (bool, int, float, str))):
            raise ArchiveError(f"{where}.params.{name} is not a plain setting")
        values[name] = value
    obj = cls(**values)
    try:
        obj.check_params()
    except (TypeError, ValueError) as exc:
        raise ArchiveError(f"{where}: {exc}") from None
    return obj
