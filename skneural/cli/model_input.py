"""Loading a model for ``skneural predict`` and ``skneural evaluate``, and giving it a file's columns.

A model saved by ``skneural train`` records its columns and how each is treated in its
metadata; a model saved from Python that was fitted on a pandas DataFrame has its column
names in ``feature_names_in_``.  Either way columns are matched by name, in any order;
columns the model does not use are ignored (and passed through to ``predict``'s output).
"""

import numpy as np

from .columns import prepare_features
from .dates import DAY_FIRST, MONTH_FIRST
from .errors import UsageError


def _column_names(model):
    """The column names the model was fitted on (inside a TransformedTargetRegressor too), or None."""
    names = getattr(model, "feature_names_in_", None)
    inner = getattr(model, "regressor_", None)
    return names if names is not None or inner is None else getattr(inner, "feature_names_in_", None)


def load_model(path):
    """(model, metadata, plan or None, target name) of the model file at path."""
    from ..persistence import load

    try:
        model, metadata = load(path, with_metadata=True)
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (ValueError, TypeError) as exc:
        raise UsageError(str(exc)) from None
    metadata = metadata or {}
    features, target = metadata.get("features"), metadata.get("target", "value")
    names = _column_names(model)
    if features is None and names is not None and isinstance(target, str):
        return model, metadata, None, target
    if not (isinstance(features, list) and features and all(isinstance(f, str) for f in features)
            and isinstance(target, str)):
        raise UsageError(f"{path} was not saved by 'skneural train': it does not record its feature "
                         "columns and target as 'skneural train' does, nor was it fitted on named columns "
                         "(a pandas DataFrame)")
    plan = {key: metadata.get(key) for key in ("numeric", "categorical", "dates")}
    if not all(isinstance(v, list) and all(isinstance(f, str) for f in v) for v in plan.values()):
        plan = {"numeric": features, "categorical": [], "dates": []}  # skneural train's first files: numbers only
    if plan == {"numeric": features, "categorical": [], "dates": []} and names is None:
        if len(features) != getattr(model, "n_features_in_", len(features)):
            raise UsageError(f"{path} records {len(features)} feature columns, but its model takes "
                             f"{model.n_features_in_}")
    order = metadata.get("date_order", {})
    if not (isinstance(order, dict) and all(name in plan["dates"] and value in (DAY_FIRST, MONTH_FIRST)
                                            for name, value in order.items())):
        raise UsageError(f"{path}: its metadata's date_order is not what 'skneural train' writes "
                         f"({{date column: {DAY_FIRST!r} or {MONTH_FIRST!r}}})")
    plan["date_order"] = order
    return model, metadata, plan, target


def model_inputs(model, plan, frame, path, sep):
    """What the model takes from the file's DataFrame: its columns, by name."""
    if plan is not None:
        X = prepare_features(frame, plan, path, sep)
        return X if _column_names(model) is not None else X.to_numpy(dtype=float)
    names = list(_column_names(model))
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise UsageError(f"{path} has no column {missing[0]!r}; its columns are: {', '.join(frame.columns)}")
    return frame[names]


def predictions(model, X, path):
    """(predicted values, probabilities or None), or an error in one line."""
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported as the error below
            predicted = model.predict(X)
            proba = model.predict_proba(X) if hasattr(model, "predict_proba") else None
    except ValueError as exc:  # values so far out of range that the scaled inputs or outputs overflow
        reason = str(exc).partition("\n")[0].rstrip(".")
        raise UsageError(f"{path}: cannot predict: {reason}. Are its values far outside the range of the "
                         "training data?") from None
    classes = getattr(model, "classes_", None)
    if proba is not None and classes is not None and proba.shape[1] != len(classes):
        if len(classes) != 1:
            raise UsageError(f"the model gives {proba.shape[1]} probabilities per row but knows {len(classes)} "
                             "classes; it cannot be used as it is: fit it again")
        # Fitted (in Python) on one class: it predicts that class on every row, which is then certain;
        # the network's own two outputs mean nothing.
        proba = np.ones((proba.shape[0], 1))
    return predicted, proba
