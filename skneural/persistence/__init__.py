"""Saving and loading fitted models as data, never as code.

A model file is a NumPy ``.npz`` archive: the model's arrays, each an
uncompressed ``.npy`` member, plus one JSON description (member
``__skneural__``) of everything else: the format version, the estimator's
class and parameters, its fitted attributes, the classes and settings of its
components and the optimizer's state.

What the format guarantees, for any file, however made:

* Loading never unpickles, imports or runs anything from the file, and a
  loaded model holds nothing the file chose to call: components are classes
  from skneural's own fixed table, made by their constructors from checked
  settings, or what you pass to ``load`` in ``custom_objects`` by name.  No
  field can name a function, a method or an attribute, so no file can make
  ``predict`` (or a later ``fit``) touch the file system or the network.
* Nothing is allocated beyond what the file's own size justifies: members
  must be stored uncompressed and lie inside the file, members that the
  description does not refer to are refused unread, and every declared shape
  is checked against the model's layer sizes before anything is built.
* Every value is checked before use: weights, biases and optimizer state
  finite, float32 or float64 and of the shapes the layer sizes give;
  ``classes_`` against the output layer; ``n_features_in_`` and
  ``feature_names_in_`` against the first layer; the components against the
  parameters that name them.  A bad file fails in ``load`` with a
  ``ValueError`` naming the file and what is wrong.

pickle and joblib give none of these guarantees: load their files only from
sources you trust.

Files are written atomically (a temporary file beside the target, renamed
over it), keep the permission bits of the file they replace, and errors name
the target.

Examples
--------
>>> import os, tempfile
>>> from sklearn.datasets import load_iris
>>> from skneural import NumpyMLPClassifier, load
>>> X, y = load_iris(return_X_y=True)
>>> clf = NumpyMLPClassifier(hidden_layer_sizes=(8,), learning_rate_init=0.05, random_state=0).fit(X, y)
>>> path = os.path.join(tempfile.mkdtemp(), "iris.skn")
>>> clf.save(path)
>>> again = load(path)
>>> bool((again.predict_proba(X) == clf.predict_proba(X)).all())
True
"""

import json
import os

from .archive import Archive, ArchiveError, write
from .bounds import check_predictions
from .format1 import translate
from .models import decode_model, encode_model, is_model, unsaved_part
from .values import CustomObjectError, Decoder, Encoder

__all__ = ["save", "load", "FORMAT_VERSION"]

FORMAT_VERSION = 2
_FORMAT_NAME = "skneural-model"


def save(model, path, metadata=None):
    """Save a fitted skneural estimator (or a Pipeline of preprocessing steps ending in one,
    possibly inside a TransformedTargetRegressor) to ``path``.

    The estimators are NumpyMLPClassifier, NumpyMLPRegressor, TabularMLPClassifier and
    TabularMLPRegressor (with their ``preprocessor_``, the input layers of their network and the
    regressor's target scaling, all checked against each other on load: see
    :mod:`skneural.persistence.tabular_models` and :mod:`skneural.persistence.input_layers`).

    The preprocessing steps a file holds are the scikit-learn scalers (StandardScaler,
    MinMaxScaler, MaxAbsScaler, RobustScaler, Normalizer), SimpleImputer, MissingIndicator,
    OneHotEncoder (also with ``drop`` and explicit ``categories``), OrdinalEncoder (also with
    explicit ``categories``), TargetEncoder (``shuffle`` and an int or None ``random_state``
    kept), QuantileTransformer, PowerTransformer (either ``standardize``), Pipelines of these
    and ColumnTransformers of these (columns by name, by position, as a slice of either, as a
    boolean mask or by ``make_column_selector``, whose ``pattern`` must be one that cannot
    backtrack for long, see :func:`skneural.persistence.selectors.pattern_problem`; a
    ``remainder`` that is one of these transformers; ``transformer_weights``, also for ``"remainder"``, each at
    most 1e6 in absolute value); see
    :mod:`skneural.persistence.columns`.  A TransformedTargetRegressor's ``transformer`` may be a
    scaler but Normalizer, a QuantileTransformer, a PowerTransformer or a Pipeline of these (not
    ``func``/``inverse_func``).  Steps keep ``set_output(transform="pandas")`` or ``"default"``.
    Anything else is refused with a ``TypeError`` naming the first part that cannot be stored:
    use pickle or joblib for files you trust.

    The file holds the whole fitted model: parameters, built-in components by
    name and settings, fitted attributes and optimizer state, so training can
    go on after ``load`` (``warm_start``, ``partial_fit``).  The write is
    atomic, and the written file is loaded back with all of :func:`load`'s checks
    before it replaces ``path``: should one fail, nothing is written and a
    ``TypeError`` says why.  Errors name ``path``.  Components you wrote yourself are saved by name only; pass them
    to :func:`load` in ``custom_objects``.  ``metadata``, a dict of JSON
    values (e.g. column names), is stored beside the model and returned by
    ``load(path, with_metadata=True)``.

    Parameters
    ----------
    model : NumpyMLPClassifier, NumpyMLPRegressor, TabularMLPClassifier, TabularMLPRegressor, Pipeline or
        TransformedTargetRegressor
    path : str or path-like
    metadata : dict, default=None

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from skneural import NumpyMLPClassifier
    >>> X, y = np.array([[0.0], [1.0], [2.0], [3.0]]), np.array([0, 0, 1, 1])
    >>> clf = NumpyMLPClassifier(hidden_layer_sizes=(4,), learning_rate_init=0.1, random_state=0).fit(X, y)
    >>> path = os.path.join(tempfile.mkdtemp(), "model.skn")
    >>> save(clf, path, metadata={"columns": ["x"]})
    >>> os.listdir(os.path.dirname(path))
    ['model.skn']
    """
    path = os.fspath(path)
    if not is_model(model):
        part = unsaved_part(model)
        holding = "" if part == type(model).__name__ else f" holding a {part}"
        raise TypeError(
            f"{path}: Cannot save a {type(model).__name__}{holding}: {part} is not something skneural model files "
            "hold; they hold skneural estimators "
            "and Pipelines of scikit-learn's tabular preprocessing ending in one (also inside a "
            "TransformedTargetRegressor). Use pickle or joblib for files you trust."
        )
    encode = Encoder()
    try:
        document = {"format": _FORMAT_NAME, "version": FORMAT_VERSION, "model": encode_model(encode, model),
                    "metadata": json.loads(json.dumps(metadata if metadata is not None else {}))}
    except TypeError as exc:
        raise TypeError(f"{path}: Cannot save this {type(model).__name__} safely: it holds {exc}. Use pickle or "
                        "joblib for models you only load from files you trust.") from None
    if not isinstance(document["metadata"], dict):
        raise TypeError(f"{path}: Cannot save: metadata must be a dict of JSON values; got a "
                        f"{type(metadata).__name__}.")

    def loads_back(written):  # the file must pass every check load makes before it replaces the target
        try:
            _open_and_read(written, encode.custom_given)
        except (ArchiveError, CustomObjectError) as exc:
            raise TypeError(f"{path}: Cannot save this {type(model).__name__}: the file could not be loaded "
                            f"back: {str(exc).rstrip('.')}; use pickle or joblib for files you trust.") from None

    try:
        write(path, document, encode.arrays, check=loads_back)
    except ValueError as exc:  # a description or array count over the limits
        raise ValueError(f"{path}: Cannot save: {exc}") from None


def _references(entry):
    """The array members (each as often as it is named) and the components of the caller's own
    that a description refers to, in one pass."""
    keys, names, stack = [], set(), [entry]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if len(value) == 1 and isinstance(value.get("array"), str):
                keys.append(value["array"])
            if isinstance(value.get("custom"), str):
                names.add(value["custom"])
            stack.extend(v for v in value.values() if isinstance(v, (dict, list)))
        elif isinstance(value, list):
            stack.extend(v for v in value if isinstance(v, (dict, list)))
    return keys, names


def _read(archive, custom_objects):
    document = archive.description()
    if document.get("format") != _FORMAT_NAME:
        raise ArchiveError("it is not a skneural model file")
    version = document.get("version")
    if version not in (1, FORMAT_VERSION):
        raise ArchiveError(
            f"it was written in skneural model format version {version!r}; this version of skneural "
            f"reads formats 1 and {FORMAT_VERSION}. Load it with the skneural that wrote it and save it again."
        )
    if set(document) != {"format", "version", "model", "metadata"} or not isinstance(document["metadata"], dict):
        raise ArchiveError("its description does not have the fields format, version, model and metadata")
    keys, names = _references(document["model"])
    read = keys  # the arrays that will be read
    if version == 1:  # translated into format 2, then read with all of format 2's checks
        document = dict(document, model=translate(archive, document["model"]))
        read, _ = _references(document["model"])  # format 1's random states are never read
    unreferenced = sorted(set(archive.members) - set(keys) - {"__skneural__"}, key=lambda k: (len(k), k))
    if unreferenced or len(read) != len(set(read)):
        what = f"arrays it never uses ({', '.join(unreferenced[:5])})" if unreferenced else "arrays used twice"
        raise ArchiveError(f"it holds {what}")
    missing = sorted(names - set(custom_objects or {}))
    if missing:
        needed = ", ".join(f"{name!r}: ..." for name in missing)
        raise CustomObjectError(
            f"The model uses components of your own ({', '.join(map(repr, missing))}), which a model "
            f"file holds by name only. Pass them to load: load(path, custom_objects={{{needed}}}), "
            "with the functions, classes or objects you trained with."
        )
    model = decode_model(Decoder(archive, custom_objects), document["model"])
    check_predictions(model)
    return model, document["metadata"]


def load(path, custom_objects=None, with_metadata=False):
    """Load a model saved by :func:`save`; nothing in the file is ever imported or run.

    Parameters
    ----------
    path : str or path-like
    custom_objects : dict, default=None
        The components of your own that the model was trained with, by the
        name the file records for them (a function's ``__name__``, a class's
        name): functions, classes or objects.  ``load`` says which names it
        needs.
    with_metadata : bool, default=False
        Also return the ``metadata`` dict given to :func:`save`.

    Returns
    -------
    The fitted estimator (or Pipeline), or ``(model, metadata)``.

    Raises
    ------
    ValueError
        The file is not a skneural model file, or something in it is wrong;
        the message names the file and what.
    FileNotFoundError, PermissionError
        As ``open`` raises them.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from skneural import NumpyMLPClassifier
    >>> X, y = np.array([[0.0], [1.0], [2.0], [3.0]]), np.array([0, 0, 1, 1])
    >>> clf = NumpyMLPClassifier(hidden_layer_sizes=(4,), learning_rate_init=0.1, random_state=0).fit(X, y)
    >>> path = os.path.join(tempfile.mkdtemp(), "model.skn")
    >>> save(clf, path, metadata={"columns": ["x"]})
    >>> model, metadata = load(path, with_metadata=True)
    >>> model.predict(X), metadata
    (array([0, 0, 1, 1]), {'columns': ['x']})
    >>> bool((model.predict_proba(X) == clf.predict_proba(X)).all())
    True
    """
    path = os.fspath(path)
    try:
        model, metadata = _open_and_read(path, custom_objects)
    except CustomObjectError as exc:
        raise CustomObjectError(f"{path}: {exc}") from None
    except ArchiveError as exc:
        raise ValueError(f"{path} is not a valid skneural model file: {str(exc).rstrip('.')}.") from None
    return (model, metadata) if with_metadata else model


def _open_and_read(path, custom_objects):
    """(model, metadata) from the file at ``path``; what is wrong with it as an ArchiveError (or a
    CustomObjectError), without the path."""
    try:
        with Archive(path) as archive:
            return _read(archive, custom_objects)
    except (CustomObjectError, ArchiveError, FileNotFoundError, PermissionError):
        raise
    except RecursionError:
        raise ArchiveError("it is nested too deeply") from None
    except OSError as exc:  # e.g. /proc/self/mem, whose reads fail
        raise ArchiveError(f"it cannot be read ({exc.strerror or exc})") from None
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError) as exc:
        # what the checks above let through and a constructor then refused
        raise ArchiveError(f"{type(exc).__name__}: {exc}") from None
