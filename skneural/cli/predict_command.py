"""``skneural predict MODEL DATA.csv``: write a saved model's predictions for a CSV file."""

import contextlib
import csv
import sys

import numpy as np

from .errors import UsageError
from .frames import raw_rows, read_frame
from .model_input import load_model, model_inputs, predictions
from .output_file import _check_out


def _text(value):
    """A value at full precision (repr of a float: the shortest text that reads back as the same float)."""
    return repr(float(value)) if isinstance(value, (float, np.floating)) else str(value)


def predict(args):
    if args.out:
        _check_out(args.out, [args.model, args.data])
    model, metadata, plan, target = load_model(args.model)
    frame, sep = read_frame(args.data, getattr(args, "sep", None))
    X = model_inputs(model, plan, frame, args.data, sep)
    header, rows = list(frame.columns), len(frame)
    del frame
    predicted, proba = predictions(model, X, args.data)
    columns = [f"predicted_{target}"]
    if proba is not None:
        columns += [f"probability_{c}" for c in model.classes_]
    try:
        out = open(args.out, "w", newline="") if args.out else contextlib.nullcontext(sys.stdout)
    except OSError as exc:
        raise UsageError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    written = 0
    with out as f:
        writer = csv.writer(f, delimiter=sep)
        writer.writerow(header + columns)
        for (_, row), i in zip(raw_rows(args.data, sep), range(rows)):
            extra = [_text(predicted[i])] + ([repr(float(q)) for q in proba[i]] if proba is not None else [])
            writer.writerow(row + extra)
            written += 1
    if args.out:
        print(f"Wrote {written} predictions to {args.out}")
    return predicted
