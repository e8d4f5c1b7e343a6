"""``skneural evaluate MODEL DATA.csv --target COLUMN``: a saved model's metrics on a CSV file, and figures."""

import sys
import warnings

import numpy as np

from .columns import decimal_comma_hint
from .errors import UsageError
from .frames import read_frame, row_at
from .model_input import load_model, model_inputs, missing_markers, predictions, text_columns
from .targets import class_labels
from .train_command import rows_with_target


def _network(model):
    """The skneural estimator inside a Pipeline or TransformedTargetRegressor."""
    model = getattr(model, "regressor_", model)
    return model[-1] if hasattr(model, "steps") else model


def _true_values(frame, name, path, sep, classifier):
    import pandas as pd

    column = frame[name]
    if classifier:
        return class_labels(column.astype(object).map(str).tolist() if column.dtype.kind in "bO" else column.tolist())
    y = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(y))
    if bad.size:
        line, text = row_at(path, sep, int(frame.index[bad[0]]), list(frame.columns), name,
                            frame.attrs.get("encoding"))
        hint = decimal_comma_hint(text, frame, sep)
        raise UsageError(f"{path}, line {line}, column {name!r}: {text!r} is not a finite number"
                         + (f" ({hint})" if hint else ""))
    return y


def _unknown_classes_note(y, classes):
    """A line naming the true values' classes that the model was never trained on, or None."""
    names, counts = np.unique(y, return_counts=True)
    unknown = [(name, count) for name, count in zip(names.tolist(), counts.tolist()) if name not in set(classes.tolist())]
    if not unknown:
        return None
    listed = ", ".join(f"{name!r} ({count} row{'s' * (count != 1)})" for name, count in unknown)
    return (f"Note: the true values hold {'a class' if len(unknown) == 1 else 'classes'} the model was never "
            f"trained on, so never predicts: {listed}")


def _warning_notes(caught):
    """One short line for each distinct warning scikit-learn gave (its first sentence)."""
    lines = []
    for warning in caught:
        text = str(warning.message).strip().split(". ")[0].rstrip(".")
        if text.startswith("A single label was found"):  # about the call (labels are passed where they matter)
            continue
        line = f"Note: {text}"
        if line not in lines:
            lines.append(line)
    return lines


def classification_metrics(model, y, predicted, proba):
    """[(name, value)], the confusion matrix, its labels and note lines.  F1 (macro) and balanced
    accuracy are over the classes in the true values and predictions (scikit-learn's default)."""
    from sklearn.metrics import accuracy_score, balanced_accuracy_score, confusion_matrix, f1_score, roc_auc_score

    classes = np.asarray(model.classes_)
    if y.dtype.kind != classes.dtype.kind and (classes.dtype.kind in "US" or y.dtype.kind in "US"):
        y, predicted, classes = y.astype(str), np.asarray(predicted).astype(str), classes.astype(str)
    present = set(np.unique(y).tolist())
    known = set(classes.tolist())
    notes = [note] if (note := _unknown_classes_note(y, classes)) else []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        metrics = [("accuracy", accuracy_score(y, predicted)),
                   ("balanced accuracy", balanced_accuracy_score(y, predicted))]
        if len(classes) == 2 and present <= known:
            metrics.append((f"F1 (positive class {classes[1]})", f1_score(y, predicted, pos_label=classes[1])))
        else:
            metrics.append(("F1 (macro average)", f1_score(y, predicted, average="macro")))
        if len(present) < 2 or not present <= known:
            metrics.append(("ROC AUC", "not defined (needs every class the model knows, and at least two)"))
        elif len(classes) == 2:
            metrics.append(("ROC AUC", roc_auc_score(y, proba[:, 1])))
        elif present == known:
            metrics.append(("ROC AUC (one-vs-rest, macro)",
                            roc_auc_score(y, proba, multi_class="ovr", labels=classes)))
        else:
            metrics.append(("ROC AUC", "not defined (not every class appears in the file)"))
        labels = np.unique(np.concatenate([classes, np.unique(y)])) if present - known else classes
        matrix = confusion_matrix(y, predicted, labels=labels)
    return metrics, matrix, labels, notes + _warning_notes(caught)


def regression_metrics(y, predicted):
    from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

    with warnings.catch_warnings(record=True) as caught:  # R^2 of one row, say: a note line
        warnings.simplefilter("always")
        metrics = [("R^2", r2_score(y, predicted)), ("MAE", mean_absolute_error(y, predicted)),
                   ("RMSE", float(np.sqrt(mean_squared_error(y, predicted))))]
    return metrics, _warning_notes(caught)


def _print_matrix(matrix, labels):
    names = [str(label) for label in labels]
    width = max(6, *(len(n) for n in names), *(len(str(v)) for v in matrix.ravel()))
    print("Confusion matrix (rows: true class, columns: predicted class):")
    print(" " * (width + 2) + "  ".join(n.rjust(width) for n in names))
    for name, row in zip(names, matrix):
        print(name.rjust(width) + "  " + "  ".join(str(v).rjust(width) for v in row))


def evaluate(args):
    from sklearn.base import is_classifier

    model, metadata, plan, target = load_model(args.model)
    target = args.target or metadata.get("target")
    if not target:
        raise UsageError("name the target column with --target")
    notes = []
    frame, sep = read_frame(args.data, args.sep, encoding=args.encoding, decimal=args.decimal, notes=notes,
                            na_values=missing_markers(metadata, args),
                            text=text_columns(model, plan))
    for note in notes:
        print(note)
    if target not in frame.columns:
        raise UsageError(f"{args.data} has no column {target!r}; its columns are: {', '.join(frame.columns)}")
    frame = rows_with_target(frame, target, args.data)
    classifier = is_classifier(model) or metadata.get("task") == "classification"
    y = _true_values(frame, target, args.data, sep, classifier)
    notes = []
    X = model_inputs(model, plan, frame, args.data, sep, notes)
    print(*notes, sep="\n", end="\n" if notes else "", file=sys.stderr)
    predicted, proba = predictions(model, X, args.data)
    print(f"Evaluated {args.model} on {len(y):,} rows of {args.data}")
    matrix = labels = None
    notes = []
    if classifier:
        metrics, matrix, labels, notes = classification_metrics(model, y, predicted, proba)
    else:
        metrics, notes = regression_metrics(y, predicted)
    width = max(len(name) for name, _ in metrics) + 2
    for name, value in metrics:
        print(f"{name:<{width}}{value:.4f}" if isinstance(value, (float, np.floating)) else f"{name:<{width}}{value}")
    if matrix is not None:
        _print_matrix(matrix, labels)
    print(*notes, sep="\n", end="\n" if notes else "")
    if args.plot:
        from .plots import plot_evaluation

        plot_evaluation(args.plot, _network(model), y, predicted, matrix, labels)
    return dict(metrics)
