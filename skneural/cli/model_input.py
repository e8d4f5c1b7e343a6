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
from .frames import row_at


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
    markers = metadata.get("na_values", [])
    if not (isinstance(markers, list) and all(isinstance(m, str) for m in markers)):
        raise UsageError(f"{path}: its metadata's na_values is not what 'skneural train' writes (a list of texts)")
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


_ENCODERS = ("OneHotEncoder", "OrdinalEncoder", "TargetEncoder")


def _encoded_text(part, columns=None):
    """The names of the input columns that the fitted part (a Pipeline, ColumnTransformer,
    TransformedTargetRegressor or encoder) one-hot, ordinal or target encodes with text categories.
    columns: the names the part is given, when it cannot tell them itself."""
    part = getattr(part, "regressor_", part)
    found = []
    if type(part).__name__ in _ENCODERS and hasattr(part, "categories_"):
        names = getattr(part, "feature_names_in_", None)
        names = list(names) if names is not None else columns
        if names is not None and len(names) == len(part.categories_):
            found += [name for name, cats in zip(names, part.categories_)
                      if any(isinstance(c, str) for c in np.asarray(cats, dtype=object).ravel())]
    elif hasattr(part, "transformers_"):
        names = getattr(part, "feature_names_in_", None)
        for _, transformer, chosen in part.transformers_:
            if isinstance(chosen, str):
                chosen = [chosen]
            elif names is not None and not isinstance(chosen, slice):
                chosen = np.asarray([] if callable(chosen) else chosen)
                chosen = (list(np.asarray(names)[chosen]) if chosen.dtype.kind in "biu" and len(chosen) else
                          [str(c) for c in chosen])
            else:
                chosen = None
            if not isinstance(transformer, str):
                found += _encoded_text(transformer, chosen)
    elif hasattr(part, "steps"):
        for _, step in part.steps:  # each step is given the pipeline's columns while imputers keep them as they are
            found += _encoded_text(step, columns)
            if not (type(step).__name__ == "SimpleImputer" and not step.add_indicator):
                columns = None
    return found


def missing_markers(metadata, args):
    """The texts that mark a missing value: those the model was trained with (--na-values), and those given."""
    return list(dict.fromkeys([*metadata.get("na_values", []), *(getattr(args, "na_values", None) or [])]))


def text_columns(model, plan):
    """The columns to read as text as written: the categorical ones ("2" is the category "2", not
    the number 2.0)."""
    if plan is not None:
        return list(plan["categorical"])
    try:
        return list(dict.fromkeys(_encoded_text(model)))
    except (TypeError, ValueError, IndexError, AttributeError):  # a part too unusual to read: as before
        return []


def model_inputs(model, plan, frame, path, sep, notes=None):
    """What the model takes from the file's DataFrame: its columns, by name.  A DataFrame keeps in
    its attrs where it came from (``source``: path, separator, header, encoding, text columns), for
    `predictions` to name the cell that a failed prediction stumbled on.  notes: as `prepare_features`'."""
    if plan is not None:
        X = prepare_features(frame, plan, path, sep, notes=notes)
        if _column_names(model) is None:
            return X.to_numpy(dtype=float)
    else:
        names = list(_column_names(model))
        missing = [n for n in names if n not in frame.columns]
        if missing:
            raise UsageError(f"{path} has no column {missing[0]!r}; its columns are: {', '.join(frame.columns)}")
        X = frame[names].copy(deep=False)
    X.attrs["source"] = dict(path=path, sep=sep, header=list(frame.columns), encoding=frame.attrs.get("encoding"),
                             text=text_columns(model, plan))
    return X


def _first_cell(X, masks):
    """(row label, column) of the first row (then column) where masks ({column: bool array}) hold, or None."""
    firsts = [(int(np.argmax(mask)), list(X.columns).index(name), name) for name, mask in masks.items() if mask.any()]
    if not firsts:
        return None
    position, _, name = min(firsts)
    return X.index[position], name


def _diagnosis(X, reason, path):
    """One line naming the cell a failed prediction stumbled on (a text where numbers are needed,
    a missing value the model cannot fill in), or None."""
    import pandas as pd

    source = getattr(X, "attrs", {}).get("source")
    if source is None:
        return None
    numbers = [name for name in X.columns if name not in source["text"]]
    texts = {name: (pd.to_numeric(X[name], errors="coerce").isna() & X[name].notna()).to_numpy()
             for name in numbers if X[name].dtype.kind == "O"}
    cell, missing = _first_cell(X, texts), False
    if cell is None and "nan" in reason.lower():
        cell, missing = _first_cell(X, {name: X[name].isna().to_numpy() for name in X.columns}), True
    if cell is None:
        return None
    line, text = row_at(source["path"], source["sep"], int(cell[0]), source["header"], cell[1], source["encoding"])
    where = f"{path}, line {line}, column {cell[1]!r}"
    if not missing:
        return f"{where}: {text!r} is not a number (the model takes numbers in that column)"
    what = f"{text!r} marks a missing value" if text else "the cell is empty"
    return f"{where}: {what}, and the model cannot fill in missing values (it has no imputer): fill it in or drop the row"


def _huge(X):
    """Whether some number of X is so large that scaling it may overflow."""
    import pandas as pd

    values = (X.select_dtypes("number").to_numpy(dtype=float) if isinstance(X, pd.DataFrame)
              else np.asarray(X, dtype=float))
    with np.errstate(invalid="ignore"):
        return bool(np.any(np.abs(values) > 1e30))


def predictions(model, X, path):
    """(predicted values, probabilities or None), or an error in one line."""
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported as the error below
            predicted = model.predict(X)
            proba = model.predict_proba(X) if hasattr(model, "predict_proba") else None
    except (ValueError, TypeError) as exc:
        reason = str(exc).strip().partition("\n")[0].rstrip(".") or type(exc).__name__
        message = _diagnosis(X, reason, path)
        if message:
            raise UsageError(message) from None
        huge = "infinity" in reason or "too large" in reason or _huge(X)
        raise UsageError(f"{path}: cannot predict: {reason}"
                         + (". Are its values far outside the range of the training data?" if huge else "")) from None
    classes = getattr(model, "classes_", None)
    if proba is not None and classes is not None and proba.shape[1] != len(classes):
        if len(classes) != 1:
            raise UsageError(f"the model gives {proba.shape[1]} probabilities per row but knows {len(classes)} "
                             "classes; it cannot be used as it is: fit it again")
        # Fitted (in Python) on one class: it predicts that class on every row, which is then certain;
        # the network's own two outputs mean nothing.
        proba = np.ones((proba.shape[0], 1))
    return predicted, proba
