"""``skneural train DATA.csv --target COLUMN``: train a model on a CSV file and save it."""

import sys
import time
import warnings

import numpy as np

from .columns import build_preprocessor, decimal_comma_hint, describe, plan_columns, prepare_features
from .errors import UsageError
from .frames import check_readable, read_frame, row_at
from .output_file import _check_out
from .targets import class_labels, guess_task

_MISSING = ("", "nan", "na", "n/a", "null", "none")


def _settings(args, task):
    """The estimator's parameters from the command line's options."""
    settings = dict(hidden_layer_sizes=args.hidden, activation=args.activation, optimizer=args.optimizer,
                    max_iter=args.max_iter, random_state=args.random_state, alpha=args.alpha,
                    learning_rate_init=args.learning_rate, batch_size=args.batch_size,
                    learning_rate=args.learning_rate_schedule, early_stopping=args.early_stopping,
                    validation_fraction=args.validation_fraction, n_iter_no_change=args.n_iter_no_change,
                    tol=args.tol, dropout=args.dropout, normalization=args.normalization,
                    max_grad_norm=args.max_grad_norm, init=args.init)
    if task == "classification":
        if args.loss is not None:
            raise UsageError("--loss is for regression only (a classifier's loss is the log loss)")
        settings.update(class_weight=args.class_weight, label_smoothing=args.label_smoothing)
    else:
        for option in ("class_weight", "label_smoothing"):
            if getattr(args, option) not in (None, 0.0):
                raise UsageError(f"--{option.replace('_', '-')} is for classification only")
        settings.update(loss=args.loss or "squared_error")
    return settings


def rows_with_target(frame, target, path):
    """The frame without its rows where the target is missing (with a line saying how many), or an
    error if no row has one.  The index keeps each row's position in the file, for messages."""
    missing = frame[target].isna().to_numpy()
    if not missing.any():
        return frame
    if missing.all():
        raise UsageError(f"no row of {path} has a value of {target!r}: there is nothing to learn from")
    print(f"Left out {int(missing.sum()):,} rows without a value of {target!r}")
    return frame[~missing]


def _target(frame, args):
    """The target column's values (as text if not numbers)."""
    column = frame[args.target]
    return column.astype(object).map(str).tolist() if column.dtype.kind in "bO" else column.tolist()


def _numeric_target(frame, args, sep, labels):
    import pandas as pd

    y = pd.to_numeric(frame[args.target], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(y))
    if bad.size:
        line, text = row_at(args.data, sep, int(frame.index[bad[0]]), list(frame.columns), args.target,
                            frame.attrs.get("encoding"))
        problem = "is not a finite number" if frame[args.target].dtype.kind in "iuf" else "is not a number"
        raise UsageError(f"{args.data}, line {line}, column {args.target!r}: {text!r} {problem} "
                         f"({decimal_comma_hint(text, frame, sep) or 'a regression target must be numeric'}; "
                         "or use --task classification)")
    with np.errstate(over="ignore", invalid="ignore"):
        if not np.isfinite(np.var(y)):
            line, text = row_at(args.data, sep, int(frame.index[np.argmax(np.abs(y))]), list(frame.columns), args.target,
                                frame.attrs.get("encoding"))
            raise UsageError(f"{args.data}, line {line}, column {args.target!r}: {text} is too large to "
                             "standardize; rescale that column first")
    return y


def read_training_data(args):
    """(X, y, task, plan, separator) from the CSV file, with the lines that report on it."""
    check_readable(args.data, args.encoding)
    print(f"Reading {args.data} ...", end="", flush=True)
    start, notes = time.perf_counter(), []
    frame, sep = read_frame(args.data, args.sep, lean=True, keep=(args.target,), encoding=args.encoding,
                            decimal=args.decimal, notes=notes, na_values=getattr(args, "na_values", None))
    print(f" {len(frame):,} rows, {len(frame.columns)} columns (separator {sep!r}) in "
          f"{time.perf_counter() - start:.1f} s")
    print(*notes, sep="\n", end="\n" if notes else "")
    if args.target not in frame.columns:
        raise UsageError(f"{args.data} has no column {args.target!r}; its columns are: {', '.join(frame.columns)}")
    frame = rows_with_target(frame, args.target, args.data)
    labels = _target(frame, args)
    task, reason = (args.task, "as asked") if args.task else guess_task(labels)
    if args.task is None:
        print(f"Task: {task} (guessed because {reason}; choose with --task)")
    y = _numeric_target(frame, args, sep, labels) if task == "regression" else class_labels(labels)
    if task == "classification" and len(np.unique(y)) < 2:
        raise UsageError(f"{args.target!r} has the same value ({np.unique(y)[0].item()!r}) on every row of {args.data}: "
                         "there is nothing to tell apart. Train on rows with at least two classes.")
    plan = plan_columns(frame, args.target, args.drop or (), args.features, args.data, sep,
                        keep=getattr(args, "keep", None) or ())
    for note in plan.pop("notes"):
        print(note)
    notes = []
    X = prepare_features(frame, plan, args.data, sep, check_scale=True, lean=True, notes=notes)
    print(*notes, sep="\n", end="\n" if notes else "")
    del frame
    print(f"Features ({len(plan['numeric']) + len(plan['categorical']) + len(plan['dates'])}):")
    print("\n".join(describe(plan, X)))
    del plan["booleans"]  # numeric columns; only the report tells them apart
    return X, y, task, plan, sep


def build_model(args, task, plan, rows, progress=True, scored_rows=None):
    """(the model, the network's description).  progress: show a live line.  scored_rows: the name
    of the rows given to fit as X_val, y_val (see `_fit`), or None; with early stopping the live
    line's validation figures are those of the validation split."""
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    from ..estimators import NumpyMLPClassifier, NumpyMLPRegressor
    from .progress import LabelledProgressBar

    estimator = NumpyMLPRegressor if task == "regression" else NumpyMLPClassifier
    try:
        network = estimator(**_settings(args, task))
    except TypeError as exc:
        raise UsageError(str(exc)) from None
    described = repr(network)
    rows_name = scored_rows or ("validation" if args.early_stopping else None)
    if progress:  # one live line on a terminal, one line per epoch elsewhere, in order with the report
        metric = "accuracy" if task == "classification" else "R^2"
        labels = {"val_loss": f"{rows_name} loss", "val_score": f"{rows_name} {metric}"} if rows_name else None
        network.set_params(callbacks=[LabelledProgressBar(sys.stdout, labels)])
    # scored_rows: the Pipeline passes X_val through the preprocessing, as X (metadata routing)
    model = Pipeline([("preprocess", build_preprocessor(plan, rows)), ("network", network)],
                     transform_input=["X_val"] if scored_rows else None)
    if task == "regression":  # targets scaled too, as networks train best on values near 1
        model = TransformedTargetRegressor(model, transformer=StandardScaler())
    return model, described


def _scores_test_rows(args, task, y_train, y_test):
    """Whether fit scores the held-out rows after each epoch, for the live line: only when they are
    not used otherwise (early stopping scores its own validation split), training has epochs, and
    the network can score them (2 rows at least, no class it is not trained on)."""
    return (y_test is not None and len(y_test) >= 2 and not args.early_stopping and args.optimizer != "lbfgs"
            and (task == "regression" or bool(np.isin(y_test, y_train).all())))


def _fit(model, X_train, y_train, X_test, y_test):
    """Fit the model; with X_test, X_val=X_test and y_val=y_test reach the network, which scores them
    after each epoch for the live line, changing nothing else (the weights are the same)."""
    import sklearn
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.preprocessing import StandardScaler

    if X_test is None:
        return model.fit(X_train, y_train)
    if isinstance(model, TransformedTargetRegressor):  # the network sees targets scaled as the regressor scales y
        y_test = StandardScaler().fit(y_train.reshape(-1, 1)).transform(y_test.reshape(-1, 1)).ravel()
    pipeline = getattr(model, "regressor", model)
    with sklearn.config_context(enable_metadata_routing=True):
        pipeline[-1].set_fit_request(X_val=True, y_val=True)
        model.fit(X_train, y_train, X_val=X_test, y_val=y_test)
        fitted = getattr(model, "regressor_", model)
        for part in {id(p): p for p in (pipeline, fitted)}.values():  # the model file as without them
            part.set_params(transform_input=None)
            part[-1].set_fit_request(X_val=None, y_val=None)
    return model


def _split(X, y, task, args):
    from sklearn.model_selection import train_test_split

    if args.test_size == 0:
        return X, None, y, None
    stratify = y if task == "classification" and min(np.unique(y, return_counts=True)[1]) >= 2 else None
    try:
        return train_test_split(X, y, test_size=args.test_size, random_state=args.random_state, stratify=stratify)
    except ValueError as exc:
        raise UsageError(f"cannot hold out --test-size {args.test_size} of {len(y)} rows: {exc}") from None


def _cross_validate(args, X, y, task, plan):
    from sklearn.model_selection import cross_val_score

    model, _ = build_model(args, task, plan, len(y), progress=False)
    metric = "accuracy" if task == "classification" else "R^2"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scores = cross_val_score(model, X, y, cv=args.cv, error_score="raise")
    except ValueError as exc:
        raise UsageError(f"cannot cross-validate with --cv {args.cv}: {exc}") from None
    print(f"Cross-validated {metric} ({args.cv} folds): {scores.mean():.4f} ± {scores.std():.4f} "
          f"(folds: {', '.join(f'{s:.4f}' for s in scores)})")


def train(args):
    from ..persistence import save

    if not 0 <= args.random_state < 2**32:
        raise UsageError(f"--random-state must be between 0 and {2**32 - 1}; got {args.random_state}")
    if not 0 <= args.test_size < 1:
        raise UsageError(f"--test-size must be at least 0 and below 1; got {args.test_size}")
    if args.cv is not None and args.cv < 2:
        raise UsageError(f"--cv must be at least 2; got {args.cv}")
    if args.learning_rate_schedule != "constant" and args.optimizer != "sgd":
        # as scikit-learn's MLP, a schedule's name drives 'sgd' alone: refused rather than ignored
        raise UsageError(f"--learning-rate-schedule {args.learning_rate_schedule} changes the learning rate of "
                         f"--optimizer sgd only (got --optimizer {args.optimizer}); add --optimizer sgd")
    _check_out(args.out, [args.data])
    X, y, task, plan, sep = read_training_data(args)
    if args.cv:
        _cross_validate(args, X, y, task, plan)
    X_train, X_test, y_train, y_test = _split(X, y, task, args)
    del X  # the split's copies are what is needed now
    scored = _scores_test_rows(args, task, y_train, y_test)
    model, described = build_model(args, task, plan, len(y_train), scored_rows="test" if scored else None)
    print(f"Training {described} on {len(y_train):,} rows")
    start = time.perf_counter()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            _fit(model, X_train, y_train, *((X_test, y_test) if scored else (None, None)))
    except ValueError as exc:
        raise UsageError(f"training failed: {exc}") from None
    for warning in {str(w.message): w for w in caught}.values():
        print(f"Warning: {warning.message}")
    metric = "accuracy" if task == "classification" else "R^2"
    score = ("no rows held out (--test-size 0)" if X_test is None else
             f"held-out {metric} on {len(y_test)} rows: {model.score(X_test, y_test):.4f}")
    print(f"Trained in {time.perf_counter() - start:.2f} s; {score}")
    for pipeline in ((model.regressor, model.regressor_) if task == "regression" else (model,)):
        pipeline[-1].callbacks = None  # the progress line is this command's, not the model's
    metadata = {"features": [*plan["numeric"], *plan["categorical"], *plan["dates"]], "target": args.target,
                "task": task, "numeric": plan["numeric"], "categorical": plan["categorical"],
                "dates": plan["dates"], "separator": sep}
    if plan["date_order"]:  # day-month dates: how predict and evaluate read them (`dates`)
        metadata["date_order"] = plan["date_order"]
    if getattr(args, "na_values", None):  # predict and evaluate read them as missing too
        metadata["na_values"] = list(dict.fromkeys(args.na_values))
    try:
        save(model, args.out, metadata)
    except OSError as exc:
        raise UsageError(f"cannot save the model to {args.out}: {exc.strerror or exc}") from None
    except TypeError as exc:  # a part the model file format does not hold
        raise UsageError(f"cannot save the model to {args.out}: {exc}") from None
    args.saved = True  # for main's message, should Ctrl-C come after this
    print(f"Saved the model to {args.out}")
    return model
