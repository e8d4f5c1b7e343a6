"""``skneural train DATA.csv --target COLUMN``: train a model on a CSV file and save it."""

import time
import warnings

import numpy as np

from .csv_input import _column, check_scale, numeric_columns, read_csv
from .errors import UsageError
from .output_file import _check_out
from .progress import progress_from_verbose_output
from .targets import class_labels, guess_task


def train(args):
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from ..estimators import NumpyMLPClassifier, NumpyMLPRegressor
    from ..persistence import save

    if not 0 <= args.random_state < 2**32:
        raise UsageError(f"--random-state must be between 0 and {2**32 - 1}; got {args.random_state}")
    _check_out(args.out, [args.data])
    table = read_csv(args.data)
    target = _column(table, args.target)
    features = [c for c in range(len(table.header)) if c != target]
    if not features:
        raise UsageError(f"{args.data} has no feature columns besides the target {args.target!r}")
    X = numeric_columns(table, features)
    check_scale(table, X, features)
    labels = [row[target] for row in table.rows]
    for row, line in zip(table.rows, table.lines):
        if row[target].lower() in ("", "nan", "na", "n/a", "null", "none"):
            raise UsageError(f"{table.path}, line {line}: the target {args.target!r} is missing "
                             f"({row[target]!r}); drop or fill in the rows without one")
    task, reason = (args.task, "as asked") if args.task else guess_task(labels)
    if args.task is None:
        print(f"Task: {task} (guessed because {reason}; choose with --task)")
    if task == "regression":
        y = numeric_columns(table, [target], "a regression target must be numeric; or use --task classification")
        check_scale(table, y, [target])
        y, estimator = y[:, 0], NumpyMLPRegressor
    else:
        y, estimator = class_labels(labels), NumpyMLPClassifier
    stratify = y if task == "classification" and min(np.unique(y, return_counts=True)[1]) >= 2 else None
    try:
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=args.test_size, random_state=args.random_state, stratify=stratify)
    except ValueError as exc:
        raise UsageError(f"cannot hold out --test-size {args.test_size} of {len(y)} rows: {exc}") from None
    network = estimator(hidden_layer_sizes=args.hidden, activation=args.activation, optimizer=args.optimizer,
                        max_iter=args.max_iter, random_state=args.random_state, verbose=1)
    model = make_pipeline(StandardScaler(), network)
    if task == "regression":  # targets scaled too, as networks train best on values near 1
        model = TransformedTargetRegressor(model, transformer=StandardScaler())
    print(f"Training {network!r} on {len(y_train)} rows, {len(features)} features")
    start = time.perf_counter()
    try:
        with warnings.catch_warnings(record=True) as caught, progress_from_verbose_output():
            warnings.simplefilter("always")
            model.fit(X_train, y_train)
    except ValueError as exc:
        raise UsageError(f"training failed: {exc}") from None
    for warning in caught:
        print(f"Warning: {warning.message}")
    metric = "accuracy" if task == "classification" else "R^2"
    print(f"Trained in {time.perf_counter() - start:.2f} s; held-out {metric} on {len(y_test)} rows: "
          f"{model.score(X_test, y_test):.4f}")
    (model.regressor_ if task == "regression" else model)[-1].verbose = 0
    metadata = {"features": [table.header[c] for c in features], "target": args.target, "task": task}
    try:
        save(model, args.out, metadata)
    except OSError as exc:
        raise UsageError(f"cannot save the model to {args.out}: {exc.strerror or exc}") from None
    args.saved = True  # for main's message, should Ctrl-C come after this
    print(f"Saved the model to {args.out}")
    return model
