"""``skneural predict MODEL DATA.csv``: write a saved model's predictions for a CSV file."""

import contextlib
import csv
import sys

import numpy as np

from .errors import UsageError
from .frames import UTF8, raw_rows, read_frame
from .model_input import load_model, model_inputs, missing_markers, predictions, text_columns
from .output_file import _check_out


def _text(value, decimal="."):
    """A value at full precision (repr of a float: the shortest text that reads back as the same
    float), with the decimal mark the input file's numbers were read with."""
    if isinstance(value, (float, np.floating)):
        return repr(float(value)).replace(".", decimal)
    return str(value)


def predict(args):
    if args.out:
        _check_out(args.out, [args.model, args.data])
    model, metadata, plan, target = load_model(args.model)
    notes = []
    frame, sep = read_frame(args.data, getattr(args, "sep", None), encoding=getattr(args, "encoding", None),
                            decimal=getattr(args, "decimal", None), notes=notes,
                            na_values=missing_markers(metadata, args),
                            text=text_columns(model, plan))
    for note in notes:  # on standard error: standard output may be the predictions
        print(note, file=sys.stderr)
    columns = [f"predicted_{target}"]
    if hasattr(model, "predict_proba") and getattr(model, "classes_", None) is not None:
        columns += [f"probability_{c}" for c in model.classes_]
    clash = [name for name in columns if name in frame.columns]
    if clash:  # refused rather than replaced: the file's own columns are kept as they are, whatever they hold
        raise UsageError(f"{args.data} already has the column{'s' * (len(clash) > 1)} {', '.join(map(repr, clash))} "
                         "that predict writes; drop or rename them first (is it a file of predictions?)")
    notes = []
    X = model_inputs(model, plan, frame, args.data, sep, notes)
    print(*notes, sep="\n", end="\n" if notes else "", file=sys.stderr)
    header, rows, encoding, decimal = list(frame.columns), len(frame), frame.attrs["encoding"], frame.attrs["decimal"]
    del frame
    predicted, proba = predictions(model, X, args.data)
    columns = [f"predicted_{target}"]
    if proba is not None:
        columns += [f"probability_{c}" for c in model.classes_]
    try:
        # --out in the input's encoding, so that its rows read back as the input's (UTF-8 without a BOM if
        # that was UTF-8); a class label the encoding cannot hold (only those can be new) becomes '?'
        out = (open(args.out, "w", newline="", encoding="utf-8" if encoding == UTF8 else encoding,
                    errors="replace") if args.out else contextlib.nullcontext(sys.stdout))
    except OSError as exc:
        raise UsageError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    written = 0
    with out as f:
        writer = csv.writer(f, delimiter=sep, lineterminator="\n")
        writer.writerow(header + columns)
        for (_, row), i in zip(raw_rows(args.data, sep, encoding), range(rows)):
            extra = [predicted[i], *(proba[i] if proba is not None else ())]
            writer.writerow(row + [_text(value, decimal) for value in extra])
            written += 1
    if args.out:
        print(f"Wrote {written} predictions to {args.out}")
    return predicted
