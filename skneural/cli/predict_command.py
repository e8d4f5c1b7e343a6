"""``skneural predict MODEL DATA.csv``: write a saved model's predictions for a CSV file."""

import contextlib
import csv
import sys

import numpy as np

from .csv_input import _column, numeric_columns, read_csv
from .errors import UsageError
from .output_file import _check_out


def predict(args):
    from ..persistence import load

    if args.out:
        _check_out(args.out, [args.model, args.data])
    try:
        model, metadata = load(args.model, with_metadata=True)
    except FileNotFoundError:
        raise UsageError(f"{args.model}: no such file") from None
    except OSError as exc:
        raise UsageError(f"cannot read {args.model}: {exc.strerror or exc}") from None
    except (ValueError, TypeError) as exc:
        raise UsageError(str(exc)) from None
    features, target = metadata.get("features"), metadata.get("target", "value")
    if not (isinstance(features, list) and features and all(isinstance(f, str) for f in features)
            and isinstance(target, str)):
        raise UsageError(f"{args.model} was not saved by 'skneural train': it does not record its feature "
                         "columns and target as 'skneural train' does")
    if len(features) != getattr(model, "n_features_in_", len(features)):
        raise UsageError(f"{args.model} records {len(features)} feature columns, but its model takes "
                         f"{model.n_features_in_}")
    table = read_csv(args.data)
    X = numeric_columns(table, [_column(table, name) for name in features])
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported as the error below
            predicted = model.predict(X)
            proba = model.predict_proba(X) if hasattr(model, "predict_proba") else None
    except ValueError as exc:  # values so far out of range that the scaled inputs or outputs overflow
        reason = str(exc).partition("\n")[0].rstrip(".")
        raise UsageError(f"{args.data}: cannot predict: {reason}. Are its values far outside the range of the "
                         "training data?") from None
    name = f"predicted_{target}"
    columns, values = [name], [[p] for p in predicted]
    if proba is not None:
        columns += [f"probability_{c}" for c in model.classes_]
        values = [[p, *(f"{q:.6g}" for q in row)] for p, row in zip(predicted, proba)]
    try:
        out = open(args.out, "w", newline="") if args.out else contextlib.nullcontext(sys.stdout)
    except OSError as exc:
        raise UsageError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    with out as f:
        writer = csv.writer(f)
        writer.writerow(table.header + columns)
        for row, extra in zip(table.rows, values):
            writer.writerow(row + [str(v) for v in extra])
    if args.out:
        print(f"Wrote {len(table.rows)} predictions to {args.out}")
    return predicted
