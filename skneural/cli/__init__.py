"""The ``skneural`` command (also ``python -m skneural``).

``skneural demo`` (the default) trains on scikit-learn's bundled digits beside
scikit-learn's own MLP; ``skneural train DATA.csv --target COLUMN`` trains a
model on a CSV file (numeric, categorical and date columns, missing values)
and saves it; ``skneural evaluate MODEL DATA.csv`` prints its metrics;
``skneural predict MODEL DATA.csv`` writes its predictions.  Mistakes (a
missing file, an unknown column, a file that is not a model) end with a
one-line message and exit status 1.
"""

import argparse
import os
import sys

from .csv_input import Table, check_scale, numeric_columns, read_csv
from .demo_command import demo
from .evaluate_command import evaluate
from .errors import UsageError
from .interrupts import _ctrl_c_stops_the_command
from .predict_command import predict
from .targets import class_labels, guess_task
from .train_command import train

__all__ = ["main"]

# Also importable from here, as when the command was one module: Table, check_scale, class_labels,
# console_main, demo, evaluate, guess_task, numeric_columns, predict, read_csv, train, UsageError.
# `main` looks up `demo`, `train` and `predict` here when it runs, so that replacing one of them
# in this module (monkeypatch.setattr(skneural.cli, "demo", ...)) changes what it runs.


def _hidden_sizes(text):
    try:
        sizes = tuple(int(s) for s in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected sizes like 128,64; got {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"sizes must be positive; got {text!r}")
    return sizes


def _batch_size(text):
    if text == "auto":
        return text
    try:
        size = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number or 'auto'; got {text!r}") from None
    if size < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1; got {text!r}")
    return size


def _separator(text):
    text = {"\\t": "\t", "tab": "\t"}.get(text, text)
    if len(text) != 1:
        raise argparse.ArgumentTypeError(f"expected one character (or 'tab'); got {text!r}")
    return text


def _add_reading_options(command):
    command.add_argument("--sep", type=_separator, help="the separator (detected when omitted)")
    command.add_argument("--encoding", metavar="NAME",
                         help="the file's text encoding, e.g. cp1252 (default: UTF-8, else Windows-1252)")
    command.add_argument("--decimal", choices=[".", ","],
                         help="the decimal mark of its numbers (detected when omitted)")
    command.add_argument("--na-values", nargs="+", metavar="TEXT",
                         help="more texts that mark a missing value, e.g. - or missing (besides empty cells, "
                              "NA, N/A, null, NaN and ?, which UCI data uses)")


def _add_training_options(run_train):
    from ..components.activations import ACTIVATIONS
    from ..components.optimizers import OPTIMIZERS

    model = run_train.add_argument_group("the model (NumpyMLPClassifier / NumpyMLPRegressor parameters)")
    model.add_argument("--hidden", type=_hidden_sizes, default=(100,), help="hidden layer sizes, e.g. 128,64")
    model.add_argument("--activation", choices=sorted(ACTIVATIONS), default="relu")
    model.add_argument("--optimizer", choices=sorted([*OPTIMIZERS, "lbfgs"]), default="adam")
    model.add_argument("--max-iter", type=int, default=200, help="epochs at most (default 200)")
    model.add_argument("--alpha", type=float, default=1e-4, help="L2 penalty (default 0.0001)")
    model.add_argument("--learning-rate", type=float, default=1e-3, help="initial learning rate (default 0.001)")
    model.add_argument("--learning-rate-schedule", choices=["constant", "invscaling", "adaptive"],
                       default="constant", help="with --optimizer sgd (default constant)")
    model.add_argument("--batch-size", type=_batch_size, default="auto", help="rows per batch (default auto)")
    model.add_argument("--early-stopping", action="store_true",
                       help="stop when the score on a validation split stops improving")
    model.add_argument("--validation-fraction", type=float, default=0.1, help="with --early-stopping")
    model.add_argument("--n-iter-no-change", type=int, default=10, help="epochs without progress before stopping")
    model.add_argument("--tol", type=float, default=1e-4)
    model.add_argument("--dropout", type=float, default=0.0, help="dropout rate of the hidden layers")
    model.add_argument("--normalization", choices=["batch", "layer"], default=None)
    model.add_argument("--max-grad-norm", type=float, default=None, help="clip gradients to this norm")
    model.add_argument("--init", default="glorot_uniform", help="weight initializer (default glorot_uniform)")
    model.add_argument("--class-weight", choices=["balanced"], default=None, help="classification only")
    model.add_argument("--label-smoothing", type=float, default=0.0, help="classification only")
    model.add_argument("--loss", default=None, help="regression only: squared_error (the default), huber, ...")


def build_parser():
    from importlib.metadata import PackageNotFoundError, version

    try:
        __version__ = version("skneural")
    except PackageNotFoundError:  # run from a source tree that was never installed
        __version__ = "(not installed)"
    parser = argparse.ArgumentParser(prog="skneural", description=__doc__.split("\n\n")[1].replace("\n", " "))
    parser.add_argument("--version", action="version", version=f"skneural {__version__}")
    commands = parser.add_subparsers(dest="command")
    run_demo = commands.add_parser("demo", help="train on the bundled digits beside scikit-learn (the default)")
    run_demo.add_argument("--out-dir", default="skneural-demo", help="where to write the model and the plot")
    run_demo.add_argument("--max-iter", type=int, default=200)

    run_train = commands.add_parser("train", help="train a model on a CSV file and save it")
    run_train.add_argument("data", help="CSV file with a header row")
    run_train.add_argument("--target", required=True, help="the column to predict")
    run_train.add_argument("--task", choices=["classification", "regression"],
                           help="guessed from the target when omitted")
    _add_reading_options(run_train)
    run_train.add_argument("--drop", nargs="+", metavar="COL", help="columns that are not features")
    run_train.add_argument("--features", nargs="+", metavar="COL", help="the feature columns, exactly")
    run_train.add_argument("--keep", nargs="+", metavar="COL",
                           help="use these columns even where a rule would leave them out (an ID, free text, ...)")
    run_train.add_argument("--test-size", type=float, default=0.2,
                           help="fraction of rows held out for the score (0: train on every row)")
    run_train.add_argument("--cv", type=int, metavar="K", help="also report K-fold cross-validated scores")
    run_train.add_argument("--random-state", type=int, default=0)
    run_train.add_argument("--out", default="model.skn", help="where to save the model (default model.skn)")
    _add_training_options(run_train)

    run_evaluate = commands.add_parser("evaluate", help="a saved model's metrics on a CSV file")
    run_evaluate.add_argument("model", help="a saved model")
    run_evaluate.add_argument("data", help="CSV file with the model's feature columns and the target")
    run_evaluate.add_argument("--target", help="the column of true values (default: the one trained on)")
    _add_reading_options(run_evaluate)
    run_evaluate.add_argument("--plot", metavar="DIR", help="write PNG figures there (needs matplotlib)")

    run_predict = commands.add_parser("predict", help="predict with a saved model on a CSV file")
    run_predict.add_argument("model", help="a model saved by 'skneural train'")
    run_predict.add_argument("data", help="CSV file with the model's feature columns")
    _add_reading_options(run_predict)
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
    if argv and argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version"):
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
            elif args.command == "evaluate":
                evaluate(args)
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
