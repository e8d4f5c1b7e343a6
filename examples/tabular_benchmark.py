"""Cross-validated comparison of skneural's MLP with scikit-learn's models on real tables.
=======================================================================================

Every dataset of ``tabular_datasets.DATASETS`` (binary, multiclass and regression tables with
text columns and missing values) is scored by 5-fold cross-validation, on the same folds for
every model (``StratifiedKFold`` for classification, ``KFold`` for regression, shuffled with
``random_state=0``): ROC AUC for binary tasks (``"roc_auc"``), one-vs-rest ROC AUC for
multiclass ones (``"roc_auc_ovr"``) and R² for regression. The models (``MODELS``: name ->
``function(task, X)`` returning an unfitted estimator; add one in one line):

* ``TabularMLP``: ``TabularMLPClassifier`` / ``TabularMLPRegressor`` with their defaults
  (``random_state=0``), given the table as it is (they encode it themselves);
* ``NumpyMLP`` and ``sklearn MLP``: ``NumpyMLPClassifier`` / ``NumpyMLPRegressor`` and
  ``MLPClassifier`` / ``MLPRegressor`` with their defaults (``random_state=0``), after the same
  preprocessing: numeric columns median-imputed (with missing-value indicators) and
  standardized, categorical ones (text, category, bool) imputed with the most frequent value
  and one-hot encoded; regression targets standardized (``TransformedTargetRegressor``);
* ``HistGradientBoosting``: the classifier or regressor with its defaults and native
  categorical support (``categorical_features="from_dtype"``, text columns turned into pandas
  ``category``), as scikit-learn's "Categorical Feature Support in Gradient Boosting" shows;
* ``linear``: ``LogisticRegression(max_iter=1000)`` / ``RidgeCV`` after the MLPs' preprocessing.

It prints one row per dataset (task, rows, each model's mean score and its difference to
HistGradientBoosting), a summary (mean difference to HistGradientBoosting per model, on how
many datasets each MLP leads the other, each model's worst difference) and writes the
differences as ``tabular_benchmark.png`` to ``--out-dir`` (needs the ``examples`` extra for the
figure and the ``benchmark`` extra for most datasets; a dataset whose package is missing is
skipped with a line)::

    python examples/tabular_benchmark.py                      # all datasets, 5 folds
    python examples/tabular_benchmark.py --quick              # 3 small datasets, 2 folds, 20 epochs
    python examples/tabular_benchmark.py --datasets titanic,wage --models NumpyMLP,HistGradientBoosting
    python examples/tabular_benchmark.py --out-dir results --folds 10
    python examples/tabular_benchmark.py --fit-time           # TabularMLP's fit on 10,000 x 50
    python examples/tabular_benchmark.py --report examples/results/tabular_benchmark.csv  # again

``main(...)`` returns the per-fold results as a pandas DataFrame (dataset, task, rows, model,
fold, score, fit_time, test_indices).  The figure of the run committed in ``examples/results/``
(``OPENBLAS_NUM_THREADS=1 python examples/tabular_benchmark.py --jobs 2 --out-dir examples/results``):

.. image:: /../examples/results/tabular_benchmark.png
   :alt: Score difference to HistGradientBoosting per dataset
"""

# sphinx_gallery_thumbnail_path = '../examples/results/tabular_benchmark.png'

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.model_selection import KFold, StratifiedKFold, cross_validate
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from skneural import NumpyMLPClassifier, NumpyMLPRegressor, TabularMLPClassifier, TabularMLPRegressor

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tabular_datasets import DATASETS, is_categorical  # noqa: E402

REFERENCE = "HistGradientBoosting"
QUICK_DATASETS = ("titanic", "penguins", "carseats")  # binary, multiclass, regression; text + NaN
QUICK_MAX_ITER = 20
SCORING = {"binary": "roc_auc", "multiclass": "roc_auc_ovr", "regression": "r2"}


# -- the models ------------------------------------------------------------------------------

def categorical_columns(X):
    return [c for c in X.columns if is_categorical(X[c])]


def preprocessing(X):
    """The MLPs' and linear models' preprocessing: numeric -> median (+ indicators), scaled;
    categorical -> most frequent, one-hot."""
    categorical = categorical_columns(X)
    numeric = [c for c in X.columns if c not in categorical]
    return ColumnTransformer([
        ("numeric", make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler()),
         numeric),
        ("categorical", make_pipeline(SimpleImputer(strategy="most_frequent"),
                                      OneHotEncoder(handle_unknown="ignore")), categorical),
    ])


def preprocessed(task, X, classifier, regressor, scale_target=True):
    """classifier or regressor (unfitted) after ``preprocessing(X)``; a regression target scaled."""
    if task != "regression":
        return make_pipeline(preprocessing(X), classifier)
    model = make_pipeline(preprocessing(X), regressor)
    return TransformedTargetRegressor(model, transformer=StandardScaler()) if scale_target else model


def to_category(X):
    """Text and bool columns as pandas ``category`` (HistGradientBoosting's native support)."""
    return X.astype({c: "category" for c in categorical_columns(X)})


def hist_gradient_boosting(task, X):
    model = (HistGradientBoostingRegressor if task == "regression" else HistGradientBoostingClassifier)(
        categorical_features="from_dtype", random_state=0)
    return make_pipeline(FunctionTransformer(to_category), model)


MODELS = {
    "TabularMLP": lambda task, X: (TabularMLPRegressor if task == "regression" else TabularMLPClassifier)(
        random_state=0),
    "NumpyMLP": lambda task, X: preprocessed(task, X, NumpyMLPClassifier(random_state=0),
                                             NumpyMLPRegressor(random_state=0)),
    "sklearn MLP": lambda task, X: preprocessed(task, X, MLPClassifier(random_state=0),
                                                MLPRegressor(random_state=0)),
    REFERENCE: hist_gradient_boosting,
    "linear": lambda task, X: preprocessed(task, X, LogisticRegression(max_iter=1000), RidgeCV(),
                                           scale_target=False),
}
"""name -> function(task, X) returning an unfitted estimator for that task and table."""


def limit_mlp_iterations(estimator, max_iter):
    """Set ``max_iter`` of every MLP inside estimator (a pipeline, a target transformer)."""
    params = estimator.get_params()
    for key in params:
        if key == "max_iter" or key.endswith("__max_iter"):
            owner = params[key.rpartition("__")[0]] if "__" in key else estimator
            if "MLP" in type(owner).__name__:
                estimator.set_params(**{key: max_iter})
    return estimator


# -- the benchmark -----------------------------------------------------------------------------

def folds(task, X, y, n_folds):
    """The list of (train, test) index pairs every model is scored on."""
    splitter = (KFold if task == "regression" else StratifiedKFold)(n_folds, shuffle=True, random_state=0)
    return list(splitter.split(X, y))


def run_dataset(name, models, n_folds, max_iter=None, n_jobs=None):
    """Per-fold rows (dicts) of every model on one dataset."""
    X, y, task = DATASETS[name]()
    splits = folds(task, X, y, n_folds)
    rows = []
    for model_name in models:
        estimator = MODELS[model_name](task, X)
        if max_iter is not None:
            limit_mlp_iterations(estimator, max_iter)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            result = cross_validate(estimator, X, y, cv=splits, scoring=SCORING[task], return_indices=True,
                                    error_score="raise", n_jobs=n_jobs)
        for fold, (score, seconds, test) in enumerate(zip(result["test_score"], result["fit_time"],
                                                           result["indices"]["test"])):
            rows.append({"dataset": name, "task": task, "rows": len(X), "model": model_name, "fold": fold,
                         "score": float(score), "fit_time": float(seconds), "test_indices": tuple(test)})
    return rows


def summary_table(results, models):
    """One row per dataset: task, rows, each model's mean score and difference to the reference."""
    means = results.pivot_table(index="dataset", columns="model", values="score", aggfunc="mean", sort=False)
    table = results.groupby("dataset", sort=False)[["task", "rows"]].first().join(means[list(models)])
    if REFERENCE in models:
        for model in models:
            if model != REFERENCE:
                table[f"{model} - HGB"] = table[model] - table[REFERENCE]
    return table


def paired_gaps(results, model, other, confidence=0.95):
    """Per dataset: the mean of ``model``'s score minus ``other``'s over the folds, its standard error
    (the folds' differences), and the verdict: 'ahead' or 'behind' when the mean is further from 0
    than Student's t (folds - 1 degrees of freedom, two-sided ``confidence``) standard errors, else
    'within noise' (the folds disagree too much to tell)."""
    scores = results.pivot_table(index=["dataset", "fold"], columns="model", values="score", sort=False)
    by_dataset = (scores[model] - scores[other]).groupby(level="dataset", sort=False)
    gaps = pd.DataFrame({"mean": by_dataset.mean(), "se": by_dataset.std() / np.sqrt(by_dataset.count()),
                         "folds": by_dataset.count()})
    margin = stats.t.ppf(0.5 + confidence / 2, gaps["folds"] - 1) * gaps["se"]
    gaps["verdict"] = np.where(gaps["mean"] > margin, "ahead",
                               np.where(gaps["mean"] < -margin, "behind", "within noise"))
    return gaps


def print_report(table, models, results):
    with pd.option_context("display.width", 200, "display.max_columns", None,
                           "display.float_format", "{:.3f}".format):
        print(table.to_string())
    times = results.groupby("model", sort=False)["fit_time"].mean()
    print("\nmean fit time per fold: " + ", ".join(f"{m} {times[m]:.2f} s" for m in models))
    print("scores: ROC AUC (binary), one-vs-rest ROC AUC (multiclass), R² (regression)")
    if REFERENCE in models:
        print(f"\nsummary: difference to {REFERENCE} (its score subtracted; > 0: better)")
        for model in models:
            if model != REFERENCE:
                diff = table[f"{model} - HGB"]
                print(f"  {model:<14} mean {diff.mean():+.3f}, median {diff.median():+.3f}, "
                      f"worst {diff.min():+.3f} ({diff.idxmin()}), ahead on {(diff > 0).sum()}/{len(diff)}")
    for model, other in (("TabularMLP", "sklearn MLP"), ("NumpyMLP", "sklearn MLP"), ("TabularMLP", "linear"),
                         ("TabularMLP", REFERENCE)):
        if {model, other} <= set(models):
            gap = table[model] - table[other]  # a tie: equal to 3 decimals, as printed
            lead, tie = (gap >= 5e-4).sum(), (gap.abs() < 5e-4).sum()
            print(f"  {model} leads {other} on {lead}, {other} leads on {len(gap) - lead - tie}, ties (to 3 "
                  f"decimals) {tie} of {len(gap)} datasets; mean gap {gap.mean():+.4f}, largest "
                  f"{gap.abs().max():.3f} ({gap.abs().idxmax()})")
            if results["fold"].nunique() > 1:
                verdicts = paired_gaps(results, model, other)["verdict"]
                behind = ", ".join(verdicts.index[verdicts == "behind"]) or "none"
                print(f"    beyond fold noise (95%, paired t over the folds): ahead on {(verdicts == 'ahead').sum()}, "
                      f"behind on {(verdicts == 'behind').sum()} ({behind}), within noise on "
                      f"{(verdicts == 'within noise').sum()}")


def write_tables(results, table, out_dir):
    """The per-fold results (CSV) and the table as Markdown (what the README shows)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    results.drop(columns="test_indices").to_csv(out / "tabular_benchmark.csv", index=False)
    columns = list(table.columns)
    lines = ["| dataset | " + " | ".join(columns) + " |", "| --- " * (len(columns) + 1) + "|"]
    for name, row in table.iterrows():
        cells = [(f"{v:+.3f}" if c.endswith("- HGB") else f"{v:.3f}") if isinstance(v, float) else str(v)
                 for c, v in row.items()]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    means = table.select_dtypes("number").drop(columns="rows").mean()
    lines.append("| **mean** | | | " + " | ".join(f"**{means[c]:+.3f}**" if c.endswith("- HGB") else f"**{means[c]:.3f}**"
                                               for c in columns[2:]) + " |")
    (out / "tabular_benchmark.md").write_text("\n".join(lines) + "\n")
    print(f"tables: {out / 'tabular_benchmark.csv'}, {out / 'tabular_benchmark.md'}")


def plot(table, models, out_dir):
    """Each model's difference to the reference per dataset, as a PNG; None without matplotlib."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print('no figure: matplotlib is not installed (pip install -e ".[examples]")')
        return None
    others = [m for m in models if m != REFERENCE]
    if REFERENCE not in models or not others:
        print(f"no figure: it shows differences to {REFERENCE}, which needs it and another model")
        return None
    labels = [f"{name} ({task})" for name, task in zip(table.index, table["task"])]
    fig, ax = plt.subplots(figsize=(8, 1.2 + 0.45 * len(table) * max(1, len(others) / 2)))
    height = 0.8 / len(others)
    positions = np.arange(len(table))
    for i, model in enumerate(others):
        ax.barh(positions + (i - (len(others) - 1) / 2) * height, table[f"{model} - HGB"], height, label=model)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(positions, labels)
    ax.invert_yaxis()
    ax.set_xlabel(f"mean score − {REFERENCE}'s (ROC AUC or R²; > 0: better)")
    ax.set_title("Cross-validated score difference to HistGradientBoosting")
    ax.legend(loc="best", fontsize="small")
    fig.tight_layout()
    path = Path(out_dir) / "tabular_benchmark.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    print(f"\nfigure: {path}")
    return path


def main(datasets=None, models=None, quick=False, n_folds=None, out_dir=".", max_iter=None, n_jobs=None):
    """Run the benchmark, print the tables and write the figure; return the per-fold DataFrame."""
    datasets = list(datasets or (QUICK_DATASETS if quick else DATASETS))
    models = list(models or MODELS)
    for name, known in [(d, DATASETS) for d in datasets] + [(m, MODELS) for m in models]:
        if name not in known:
            raise SystemExit(f"unknown name {name!r}; choose from {', '.join(known)}")
    n_folds = n_folds or (2 if quick else 5)
    max_iter = max_iter or (QUICK_MAX_ITER if quick else None)
    rows = []
    for name in datasets:
        start = time.perf_counter()
        try:
            new = run_dataset(name, models, n_folds, max_iter, n_jobs)
        except ImportError as error:
            print(f"{name}: skipped ({DATASETS[name].source} is not installed: {error})")
            continue
        rows += new
        print(f"{name}: {len(new) // n_folds} models x {n_folds} folds in {time.perf_counter() - start:.1f} s",
              flush=True)
    results = pd.DataFrame(rows, columns=["dataset", "task", "rows", "model", "fold", "score", "fit_time",
                                          "test_indices"])
    if results.empty:
        print("no dataset could be loaded")
        return results
    print()
    table = summary_table(results, models)
    print_report(table, models, results)
    write_tables(results, table, out_dir)
    plot(table, models, out_dir)
    return results


def report(csv_path):
    """Print the report of a finished run again from its per-fold CSV (``--report``)."""
    results = pd.read_csv(csv_path)
    models = list(dict.fromkeys(results["model"]))
    print_report(summary_table(results, models), models, results)
    return results


def fit_time(rows=10_000, columns=50, seed=0):
    """Seconds ``TabularMLPClassifier`` (defaults) takes to fit a generated table of ``rows`` x
    ``columns``: four fifths numbers (2% missing), one fifth text columns of 8 categories."""
    rng = np.random.RandomState(seed)
    n_text = columns // 5
    numbers = rng.normal(size=(rows, columns - n_text))
    numbers[rng.uniform(size=numbers.shape) < 0.02] = np.nan
    X = pd.DataFrame(numbers, columns=[f"x{i}" for i in range(numbers.shape[1])])
    for j in range(n_text):
        X[f"text{j}"] = rng.choice([f"v{k}" for k in range(8)], rows)
    y = (np.nan_to_num(numbers[:, :5]).sum(axis=1) + (X["text0"] == "v1") > 0).astype(int)
    start = time.perf_counter()
    model = TabularMLPClassifier(random_state=0).fit(X, y)
    seconds = time.perf_counter() - start
    print(f"TabularMLPClassifier fit on {rows:,} rows x {columns} columns: {seconds:.1f} s "
          f"({model.n_iter_} epochs, {seconds / model.n_iter_:.2f} s each)")
    return seconds


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"{', '.join(QUICK_DATASETS)}; 2 folds; MLPs limited to {QUICK_MAX_ITER} epochs")
    parser.add_argument("--datasets", help="comma-separated names (default: all): " + ", ".join(DATASETS))
    parser.add_argument("--models", help="comma-separated names (default: all): " + ", ".join(MODELS))
    parser.add_argument("--folds", type=int, help="number of folds (default 5; 2 with --quick)")
    parser.add_argument("--max-iter", type=int, help="the MLPs' max_iter (default: theirs; 20 with --quick)")
    parser.add_argument("--jobs", type=int, help="folds fitted in parallel (default 1; fit times then overlap)")
    parser.add_argument("--out-dir", default=".", help="where the figure goes (default: here)")
    parser.add_argument("--fit-time", action="store_true",
                        help="only time TabularMLPClassifier's fit on a generated 10,000 x 50 table")
    parser.add_argument("--report", metavar="CSV",
                        help="only print the report of a run again from its tabular_benchmark.csv")
    args = parser.parse_args(argv)
    if args.fit_time or args.report:
        return args.report
    split = lambda text: [s.strip() for s in text.split(",") if s.strip()] if text else None  # noqa: E731
    return dict(datasets=split(args.datasets), models=split(args.models), quick=args.quick, n_folds=args.folds,
                out_dir=args.out_dir, max_iter=args.max_iter, n_jobs=args.jobs)


if __name__ == "__main__":
    arguments = parse_args()
    if isinstance(arguments, dict):
        main(**arguments)
    else:
        report(arguments) if arguments else fit_time()
