"""The ``skneural`` command (also ``python -m skneural``).

``skneural demo`` (the default) trains on scikit-learn's bundled digits beside
scikit-learn's own MLP; ``skneural train DATA.csv --target COLUMN`` trains a
model on a CSV file of numeric features and saves it; ``skneural predict MODEL
DATA.csv`` writes its predictions.  Mistakes (a missing file, an unknown
column, a non-numeric feature, a file that is not a model) end with a one-line
message and exit status 1.
"""

import argparse
import collections
import contextlib
import csv
import os
import signal
import sys
import tempfile
import threading
import time
import warnings

import numpy as np

__all__ = ["main"]


class UsageError(Exception):
    """A mistake in what the user asked for: reported in one line, without a traceback."""


class _LiveLine:
    """A stream that shows each printed line in place of the previous one on a terminal."""

    def __init__(self, stream):
        self.stream, self.width = stream, 0

    def write(self, text):
        if not self.stream.isatty():
            return self.stream.write(text)
        for line in text.splitlines():
            if line.strip():
                self.stream.write("\r" + line.ljust(self.width))
                self.width = len(line)
        self.stream.flush()
        return len(text)

    def flush(self):
        self.stream.flush()

    def end(self):
        if self.stream.isatty() and self.width:
            self.stream.write("\n")


_CTRL_C = []  # the Ctrl-Cs the command's handler has seen


def _stop_at_once(signum, frame):
    _CTRL_C.append(signum)
    raise KeyboardInterrupt


@contextlib.contextmanager
def _ctrl_c_stops_the_command():
    """Ctrl-C ends the command at once, with exit status 130, and nothing is saved.

    A handler of our own over Python's default one: skneural's ``fit`` then
    defers nothing (a partly trained model is of no use here) and a fit that
    swallows Ctrl-C (scikit-learn's) is caught by ``_check_ctrl_c``.  Ctrl-C
    ignored (SIG_IGN, as in background jobs) or handled by the caller stays so.
    """
    _CTRL_C.clear()
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
        yield
        return
    signal.signal(signal.SIGINT, _stop_at_once)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _check_ctrl_c():
    """Raise KeyboardInterrupt if a Ctrl-C came (one that a fit caught and turned into a warning)."""
    if _CTRL_C:
        raise KeyboardInterrupt


@contextlib.contextmanager
def _live_progress():
    live = _LiveLine(sys.stdout)
    with contextlib.redirect_stdout(live):
        yield
    live.end()


# -- demo ------------------------------------------------------------------------------------


def demo(out_dir="skneural-demo", max_iter=200):
    """Train on digits beside scikit-learn's MLPClassifier, report, save, and plot."""
    from sklearn.datasets import load_digits
    from sklearn.metrics import classification_report
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from . import NumpyMLPClassifier, load, save

    try:  # before training, so that a bad folder fails at once
        os.makedirs(out_dir, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out-dir {out_dir}: cannot create that folder ({exc.strerror})") from None
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    settings = dict(hidden_layer_sizes=(100,), alpha=1e-3, early_stopping=True, n_iter_no_change=20,
                    max_iter=max_iter, random_state=0)
    ours = make_pipeline(StandardScaler(), NumpyMLPClassifier(verbose=1, **settings))
    theirs = make_pipeline(StandardScaler(), MLPClassifier(**settings))
    print(f"Digits: {len(X_train)} training and {len(X_test)} held-out 8x8 images, 10 classes")
    print(f"Training {ours[-1]!r}")
    times = {}
    for name, model in (("skneural", ours), ("scikit-learn", theirs)):
        start = time.perf_counter()
        with warnings.catch_warnings(), (_live_progress() if model is ours else contextlib.nullcontext()):
            warnings.simplefilter("ignore")  # a short max_iter may stop before convergence
            model.fit(X_train, y_train)
        _check_ctrl_c()  # scikit-learn's fit keeps a partly trained model after Ctrl-C
        times[name] = time.perf_counter() - start
    print(f"\n{'':<14}{'accuracy':>10}{'fit time':>11}{'epochs':>8}")
    accuracy = {}
    for name, model in (("skneural", ours), ("scikit-learn", theirs)):
        accuracy[name] = model.score(X_test, y_test)
        print(f"{name:<14}{accuracy[name]:>10.4f}{times[name]:>10.2f}s{model[-1].n_iter_:>8}")
    print("\nskneural, per class on the held-out digits:")
    print(classification_report(y_test, ours.predict(X_test), digits=3))

    path = os.path.join(out_dir, "digits-model.skn")
    ours[-1].verbose = 0
    save(ours, path)
    same = np.array_equal(load(path).predict_proba(X_test), ours.predict_proba(X_test))
    print(f"Saved the model to {path} (skneural.load gives {'the same' if same else 'DIFFERENT'} predictions)")
    _plot_curves(ours[-1], os.path.join(out_dir, "digits-curves.png"))
    print(f"Held-out accuracy: {accuracy['skneural']:.2%}")
    return accuracy["skneural"]


def _plot_curves(estimator, path):
    try:
        import matplotlib
    except ImportError:
        print('Install matplotlib for a plot of the curves: pip install matplotlib (or "skneural[examples]")')
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, loss_axis = plt.subplots(figsize=(7, 4))
    epochs = np.arange(1, len(estimator.loss_curve_) + 1)
    loss_axis.plot(epochs, estimator.loss_curve_, color="tab:blue", label="training loss")
    loss_axis.set_xlabel("epoch")
    loss_axis.set_ylabel("training loss")
    score_axis = loss_axis.twinx()
    score_axis.plot(epochs, estimator.validation_scores_, color="tab:orange", label="validation accuracy")
    score_axis.set_ylabel("validation accuracy")
    fig.legend(loc="center", bbox_to_anchor=(0.5, 0.5))  # the middle is clear of both axes
    fig.suptitle("skneural on digits")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"Wrote the loss and validation curves to {path}")
    return path


# -- CSV files -------------------------------------------------------------------------------


Table = collections.namedtuple("Table", "path header rows lines")
Table.__doc__ = "A CSV file: its path, header, rows (lists of stripped strings) and each row's line number."


def read_csv(path):
    """The header and the rows of a CSV file, as a `Table`; blank lines are skipped."""
    rows, lines = [], []
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:  # -sig: drop the BOM of Excel's "CSV UTF-8"
            reader = csv.reader(f)
            line = 1  # where the next row starts
            for row in reader:
                if row:
                    rows.append([cell.strip() for cell in row])
                    lines.append(line)
                line = reader.line_num + 1
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UsageError(f"{path}: cannot read it as CSV ({exc})") from None
    if len(rows) < 2:
        raise UsageError(f"{path}: expected a header row and at least one data row")
    header = rows[0]
    repeated = [name for name, count in collections.Counter(header).items() if count > 1]
    if repeated:
        raise UsageError(f"{path}: column names must be unique, but the header repeats "
                         f"{', '.join(map(repr, repeated))}")
    for row, line in zip(rows[1:], lines[1:]):
        if len(row) != len(header):
            raise UsageError(f"{path}, line {line}: {len(row)} values, but the header has {len(header)} columns")
    return Table(path, header, rows[1:], lines[1:])


def _column(table, name):
    if name not in table.header:
        raise UsageError(f"{table.path} has no column {name!r}; its columns are: {', '.join(table.header)}")
    return table.header.index(name)


def numeric_columns(table, columns, hint="features must be numeric; drop or encode that column first"):
    """The given columns as a float array, or an error naming the first value that is not a finite number."""
    X = np.empty((len(table.rows), len(columns)))
    for i, row in enumerate(table.rows):
        for j, c in enumerate(columns):
            try:
                X[i, j] = value = float(row[c])
            except ValueError:
                value = None
            if value is None or not np.isfinite(value):  # "nan" and "inf" are floats, but not usable ones
                problem = (f"is not a number ({hint})" if value is None else
                           "is not a finite number (fill in or drop missing and infinite values first)")
                raise UsageError(f"{table.path}, line {table.lines[i]}, column {table.header[c]!r}: "
                                 f"{row[c]!r} {problem}")
    return X


def check_scale(table, X, columns):
    """An error if a column holds numbers so large that standardizing it overflows."""
    with np.errstate(over="ignore", invalid="ignore"):
        spread = np.var(X, axis=0)
    bad = np.flatnonzero(~np.isfinite(spread))
    if bad.size:
        i, c = np.argmax(np.abs(X[:, bad[0]])), columns[bad[0]]  # the largest value of the first such column
        raise UsageError(f"{table.path}, line {table.lines[i]}, column {table.header[c]!r}: "
                         f"{table.rows[i][c]} is too large to standardize; rescale that column first")


def _numbers(values):
    """The strings as a float array, or None if one is not a number."""
    try:
        return np.array([float(v) for v in values])
    except ValueError:
        return None


def _whole(numbers):
    return numbers is not None and bool(np.all(np.abs(numbers) < 2**53) and np.all(numbers == np.round(numbers)))


def class_labels(values):
    """Class labels: whole numbers as integers (so "1" and "1.0" are one class), anything else as the strings."""
    numbers = _numbers(values)
    return numbers.astype(np.int64) if _whole(numbers) else np.array(values)


def guess_task(values):
    """'regression' for a numeric target with many distinct or fractional values, else 'classification'."""
    numbers = _numbers(values)
    if numbers is None:
        return "classification", "the target's values are not all numbers"
    distinct = len(np.unique(numbers))
    if _whole(numbers) and distinct <= 20:
        return "classification", f"the target has {distinct} distinct whole-number values"
    return "regression", f"the target has {distinct} distinct numeric values"


# -- train and predict -----------------------------------------------------------------------


def _hidden_sizes(text):
    try:
        sizes = tuple(int(s) for s in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected sizes like 128,64; got {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"sizes must be positive; got {text!r}")
    return sizes


def _same_file(a, b):
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def _check_out(path, inputs=()):
    """Fail before any work if path is empty, one of the inputs, a folder or another non-regular
    file, or in a folder that does not exist or where no file can be created."""
    if not path:
        raise UsageError("--out needs a file name")
    for name in inputs:
        if _same_file(path, name):
            raise UsageError(f"--out {path} is the input {name}; it would be overwritten: give another file name")
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise UsageError(f"--out {path} is a folder; give a file name")
    if os.path.exists(path) and not os.path.isfile(path):
        raise UsageError(f"--out {path} is not a regular file; give a file name")
    if not os.path.isdir(folder):
        problem = "is not a folder" if os.path.exists(folder) else "does not exist"
        raise UsageError(f"--out {path}: the folder {folder} {problem}")
    try:  # the one sure test that a file can be written there (permissions, read-only disks, root)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise UsageError(f"--out {path}: cannot write in the folder {folder} ({exc.strerror or exc})") from None


def train(args):
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from . import NumpyMLPClassifier, NumpyMLPRegressor, save

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
        with warnings.catch_warnings(record=True) as caught, _live_progress():
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


def predict(args):
    from . import load

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


# -- the command line ------------------------------------------------------------------------


def build_parser():
    from .components.activations import ACTIVATIONS
    from .components.optimizers import OPTIMIZERS

    parser = argparse.ArgumentParser(prog="skneural", description=__doc__.split("\n\n")[1].replace("\n", " "))
    commands = parser.add_subparsers(dest="command")
    run_demo = commands.add_parser("demo", help="train on the bundled digits beside scikit-learn (the default)")
    run_demo.add_argument("--out-dir", default="skneural-demo", help="where to write the model and the plot")
    run_demo.add_argument("--max-iter", type=int, default=200)

    run_train = commands.add_parser("train", help="train a model on a CSV file and save it")
    run_train.add_argument("data", help="CSV file with a header row and numeric feature columns")
    run_train.add_argument("--target", required=True, help="the column to predict")
    run_train.add_argument("--task", choices=["classification", "regression"],
                           help="guessed from the target when omitted")
    run_train.add_argument("--hidden", type=_hidden_sizes, default=(100,), help="hidden layer sizes, e.g. 128,64")
    run_train.add_argument("--activation", choices=sorted(ACTIVATIONS), default="relu")
    run_train.add_argument("--optimizer", choices=sorted([*OPTIMIZERS, "lbfgs"]), default="adam")
    run_train.add_argument("--max-iter", type=int, default=200)
    run_train.add_argument("--test-size", type=float, default=0.2, help="fraction of rows held out for the score")
    run_train.add_argument("--random-state", type=int, default=0)
    run_train.add_argument("--out", default="model.skn", help="where to save the model (default model.skn)")

    run_predict = commands.add_parser("predict", help="predict with a saved model on a CSV file")
    run_predict.add_argument("model", help="a model saved by 'skneural train'")
    run_predict.add_argument("data", help="CSV file with the model's feature columns")
    run_predict.add_argument("--out", help="CSV file for the predictions (default: standard output)")
    return parser


def main(argv=None):
    """Run the ``skneural`` command.

    Options without a command are the demo's (``skneural --max-iter 5``).  A
    mistake (a missing file, an unknown column, a value that is not a number,
    ...) prints a one-line message to standard error instead of raising.
    Ctrl-C stops the command at once (training does not finish its batch)
    and prints "skneural: interrupted" to standard error; ``train`` then
    saves no model.  When Ctrl-C is ignored (SIG_IGN, as for a background
    job) or the caller has a SIGINT handler of its own, that stays in charge.

    Parameters
    ----------
    argv : list of str, optional
        The command-line arguments after the program name; by default
        ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit status: 0 on success, 1 after a mistake, 130 when interrupted by Ctrl-C
        (a ``KeyboardInterrupt``).

    Examples
    --------
    >>> from skneural.cli import main
    >>> main(["train", "no-such-file.csv", "--target", "y"])  # prints "skneural: error: ..." to stderr
    1
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv = ["demo", *argv]  # the demo is the default command
    args = build_parser().parse_args(argv)
    try:
        with _ctrl_c_stops_the_command():
            if getattr(args, "max_iter", 1) < 1:
                raise UsageError(f"--max-iter must be at least 1; got {args.max_iter}")
            if args.command == "train":
                train(args)
            elif args.command == "predict":
                predict(args)
            else:
                demo(getattr(args, "out_dir", "skneural-demo"), getattr(args, "max_iter", 200))
    except UsageError as exc:
        message = str(exc).partition("\n")[0]  # scikit-learn's messages, passed on, may run on for lines
        print(f"skneural: error: {message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        unsaved = "; no model was saved" if args.command == "train" and not getattr(args, "saved", False) else ""
        print(f"skneural: interrupted{unsaved}", file=sys.stderr)
        return 130
    return 0


def console_main():
    try:
        status = main()
        sys.stdout.flush()
    except BrokenPipeError:  # the reader left (skneural predict ... | head): stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit's flush cannot fail again
        status = 1
    sys.exit(status)
