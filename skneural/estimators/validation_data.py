"""Validation data given to ``fit`` (``X_val``, ``y_val``, ``sample_weight_val``), checked against the
training data as ``HistGradientBoostingClassifier.fit`` checks it.

``check_arguments`` raises what needs no look at the data; ``validate`` returns
``(X_val, Y_val, y_val, sample_weight_val)`` as ``fit_stochastic`` takes them, the rows of the
early-stopping split would be: ``X_val`` as prediction input in the dtype of ``X``, ``y_val`` through
the estimator's target encoding (``classifier_targets``, ``regressor_targets``: its
``_validate_y_val``), the weights as ``sample_weight`` times the class weights.
"""

import re
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_array, column_or_1d
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import type_of_target, unique_labels
from sklearn.utils.validation import validate_data

from ..components import losses
from ..nn.network import check_sample_weight

__all__ = ["check_arguments", "validate", "features", "classifier_targets", "regressor_targets"]


def check_arguments(est, validation):
    """``(X_val, y_val, sample_weight_val)`` as given to ``fit``, or None when none is given."""
    if validation is None:
        return None
    X_val, y_val, sample_weight_val = validation
    if X_val is None and y_val is None:
        if sample_weight_val is not None:
            raise ValueError("sample_weight_val was given without X_val and y_val, the validation rows it "
                             "weights. Pass X_val and y_val too, or leave sample_weight_val out.")
        return None
    if y_val is None:
        raise ValueError("X_val was given without y_val: pass the validation targets y_val too, or neither.")
    if X_val is None:
        raise ValueError("y_val was given without X_val: pass the validation rows X_val too, or neither.")
    if est._is_lbfgs():
        name = "solver" if getattr(est, "solver", None) is not None else "optimizer"
        raise ValueError(
            f"X_val and y_val are scored after every epoch of a stochastic optimizer, but {name}='lbfgs' "
            "has no epochs. Use a stochastic optimizer (e.g. 'adam'), or score the fitted model on them "
            "yourself (est.score(X_val, y_val))."
        )
    return validation


def validate(est, X, y, X_val, y_val, sample_weight_val):
    """``(X_val, Y_val, y_val, sample_weight_val)`` checked against the validated training data
    ``X``, ``y`` (after ``_validate_fit_data``: ``n_features_in_`` and ``classes_`` are set)."""
    X_val = est._validate_X_val(X_val, X.dtype)
    y_val, Y_val = est._validate_y_val(y_val, y, X.dtype)
    if Y_val.shape[0] != X_val.shape[0]:
        raise ValueError(f"X_val has {X_val.shape[0]} rows, but y_val has {Y_val.shape[0]} targets: "
                         "give one target per validation row.")
    if X_val.shape[0] < 2:
        raise ValueError(f"X_val has {X_val.shape[0]} row; the validation set needs at least 2. "
                         "Pass more validation rows.")
    sample_weight_val = _class_weighted(est, _sample_weight(sample_weight_val, X_val), y_val, y, X.dtype)
    return X_val, Y_val, y_val, sample_weight_val


def features(est, X_val, dtype):
    """``X_val`` checked as ``predict`` checks its input, with messages that name it."""
    checked = check_array(X_val, accept_sparse=["csr", "csc"], dtype=dtype, input_name="X_val", estimator=est)
    if checked.shape[1] != est.n_features_in_:
        raise ValueError(f"X_val has {checked.shape[1]} features, but X has {est.n_features_in_}: the "
                         "validation rows need the columns of the training rows, in the same order.")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:  # the feature names of X, checked (and warned about) as predict checks them
            validate_data(est, X_val, reset=False, skip_check_array=True)
        except ValueError as exc:
            raise ValueError(f"X_val does not have the feature names of X. {exc}") from None
    for warning in caught:  # scikit-learn's warnings speak of X: these are about X_val
        message = re.sub(r"^X (?=has feature names|does not have valid feature names)", "X_val ",
                         str(warning.message))
        warnings.warn(message, warning.category, stacklevel=6)
    return checked.tocsr() if sp.issparse(checked) else checked


def _sample_weight(sample_weight_val, X_val):
    try:
        return check_sample_weight(sample_weight_val, X_val)
    except ValueError as exc:
        message = re.sub(r"\bsample_weight\b", "sample_weight_val", str(exc))
        message = message.replace("Sample weights", "sample_weight_val").replace(" samples.", " rows in X_val.")
        raise ValueError(message) from None


def _class_weighted(est, sample_weight_val, y_val, y, dtype):
    """``sample_weight_val`` times the class weights of the validation rows' labels: those that weigh
    the training rows ('balanced': computed from ``y``), as the rows that ``validation_fraction`` holds
    out are weighted."""
    class_weight = getattr(est, "class_weight", None)  # the classifier's
    if class_weight is None:
        return sample_weight_val
    y = y.toarray() if sp.issparse(y) else y
    balanced = isinstance(class_weight, str)
    weights = compute_sample_weight(class_weight, np.concatenate([y, y_val]),
                                    indices=np.arange(len(y)) if balanced else None)
    with np.errstate(over="ignore"):
        weights = weights[len(y):].astype(dtype)
        combined = weights if sample_weight_val is None else sample_weight_val * weights
        total = np.sum(combined)
    if not total > 0:
        raise ValueError("class_weight (with sample_weight_val) gives every validation row weight 0: there is "
                         "nothing to score. Pass validation rows of classes of positive weight.")
    return combined


def classifier_targets(est, y_val, y, dtype):
    """``y_val`` checked as ``y`` is, its labels among ``classes_``, and its binarized targets."""
    y_val = check_array(y_val, accept_sparse="csr", ensure_2d=False, dtype=None, input_name="y_val", estimator=est)
    if sp.issparse(y_val):
        y_val = y_val.toarray()
    if y_val.ndim == 2 and y_val.shape[1] == 1:
        y_val = column_or_1d(y_val, warn=True)
    if est._label_binarizer.y_type_ == "multilabel-indicator":
        n_classes = len(est.classes_)
        if y_val.ndim != 2 or y_val.shape[1] != n_classes or not np.isin(y_val, (0, 1)).all():
            raise ValueError(f"y_val must be a label indicator matrix as y is: of shape (n_val_samples, "
                             f"{n_classes}), holding 0 and 1; got an array of shape {y_val.shape}.")
    else:
        if y_val.ndim != 1:
            raise ValueError(f"y_val must hold one label per validation row, as y does; got an array of "
                             f"shape {y_val.shape}.")
        kind = type_of_target(y_val, input_name="y_val")
        if kind not in ("binary", "multiclass"):
            raise ValueError(f"y_val must hold class labels, as y does; its values are {kind} (e.g. "
                             f"{y_val[:1].tolist()[0]!r}). Pass the labels of the validation rows.")
        known = set(est.classes_.tolist())
        unknown = [label for label in unique_labels(y_val).tolist() if label not in known]
        if unknown:
            raise ValueError(
                f"y_val has labels that are not classes of y: {unknown} (classes_ is {est.classes_.tolist()}). "
                "The model can only be scored on the classes it is trained on: drop those validation rows, "
                "or train on data that has those labels."
            )
    return y_val, est._label_binarizer.transform(y_val).astype(dtype)


def regressor_targets(est, y_val, y, dtype):
    """``y_val`` checked as ``y`` is, with the outputs of ``y``, and its targets in ``dtype``."""
    try:
        y_val = check_array(y_val, ensure_2d=False, dtype="numeric", input_name="y_val", estimator=est)
    except ValueError as exc:
        if "y_val" in str(exc):  # e.g. "Input y_val contains NaN."
            raise
        raise ValueError(f"y_val must hold numbers, as y does: {exc}") from None
    Y_val = (y_val.reshape(-1, 1) if y_val.ndim == 1 else y_val).astype(dtype)
    n_outputs = 1 if y.ndim == 1 else y.shape[1]
    if Y_val.shape[1] != n_outputs:
        raise ValueError(f"y_val has {Y_val.shape[1]} outputs, but y has {n_outputs}: give each validation "
                         "row targets like those of the training rows.")
    if isinstance(est._resolve("loss", "loss"), losses.Poisson) and np.any(Y_val < 0):
        raise ValueError("Some value(s) of y_val are negative which is not allowed for Poisson regression.")
    return y_val, Y_val
