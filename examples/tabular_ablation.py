"""What each ingredient of the tabular estimators' defaults gains.
===============================================================

Each variant (``VARIANTS``: name -> the settings it changes) is the defaults with one ingredient
taken out or swapped.  Every variant is scored on the benchmark's own folds (5-fold, identical for
every model) in two ways:

* ``inner``: trained on 80% of each fold's training rows and scored on the other 20% (a split of
  the training rows only, stratified for classification): the score the defaults were chosen by,
  so that choosing them never looked at a test fold;
* ``outer`` (``--outer``): trained on the fold's training rows and scored on its test rows, as the
  benchmark scores every model.

It prints, per variant, the mean change of the score (ROC AUC or R²) from the defaults over the
datasets (> 0: the variant is better; an ingredient whose removal costs score has a negative
change), on how many datasets it is ahead and behind, and its worst change::

    python examples/tabular_ablation.py                       # inner scores, all datasets
    python examples/tabular_ablation.py --outer               # and the test folds' scores
    python examples/tabular_ablation.py --variants "no numeric embedding" --datasets wage,ames
    python examples/tabular_ablation.py --quick               # 2 small datasets, 2 folds, 5 epochs
    python examples/tabular_ablation.py --jobs 2 --out-dir examples/results   # also writes the results

``main(...)`` returns the per-fold scores as a pandas DataFrame (variant, dataset, task, fold,
inner, outer, fit_time).
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.metrics import get_scorer
from sklearn.model_selection import train_test_split

from skneural import TabularMLPClassifier, TabularMLPRegressor

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tabular_benchmark import SCORING, folds  # noqa: E402
from tabular_datasets import DATASETS  # noqa: E402

VARIANTS = {
    "defaults": {},
    "no numeric embedding": {"numeric_embedding": None},
    "periodic embedding only": {"numeric_embedding": "periodic"},
    "piecewise-linear encoding only": {"numeric_embedding": "piecewise_linear"},
    "no smooth clipping": {"smooth_clip": None},
    "standard scaling": {"numeric_scaling": "standard"},
    "quantile scaling": {"numeric_scaling": "quantile"},
    "no scaling layer": {"scaling_layer": False},
    "no dropout": {"dropout": 0.0},
    "no label smoothing": {"label_smoothing": 0.0},
    "constant learning rate": {"learning_rate": "constant"},
    "adam (no weight decay)": {"optimizer": "adam"},
    "no best epoch": {"early_stopping": False},
}
"""name -> the settings a variant changes from the defaults (a setting the task's estimator does not
take, such as label_smoothing for regression, makes the variant the defaults there)."""
QUICK = dict(datasets=("penguins", "carseats"), n_folds=2, max_iter=5,
             variants=("defaults", "no numeric embedding"))


def make(task, settings, max_iter=None):
    cls = TabularMLPRegressor if task == "regression" else TabularMLPClassifier
    own = cls().get_params()
    settings = {k: v for k, v in settings.items() if k in own}
    if max_iter is not None:
        settings["max_iter"] = max_iter
    return cls(random_state=0, **settings)


def score_variant(name, dataset, n_folds, outer, max_iter=None):
    """Per-fold rows (dicts) of one variant on one dataset."""
    X, y, task = DATASETS[dataset]()
    scorer, rows = get_scorer(SCORING[task]), []
    for fold, (train, test) in enumerate(folds(task, X, y, n_folds)):
        X_train, y_train = X.iloc[train], y.iloc[train]
        fit, held = train_test_split(np.arange(len(train)), test_size=0.2, random_state=fold,
                                     stratify=None if task == "regression" else y_train)
        row = {"variant": name, "dataset": dataset, "task": task, "fold": fold, "outer": np.nan}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. infrequent categories of a small fold
            start = time.perf_counter()
            model = make(task, VARIANTS[name], max_iter).fit(X_train.iloc[fit], y_train.iloc[fit])
            row["fit_time"] = time.perf_counter() - start
            row["inner"] = scorer(model, X_train.iloc[held], y_train.iloc[held])
            if outer:
                model = make(task, VARIANTS[name], max_iter).fit(X_train, y_train)
                row["outer"] = scorer(model, X.iloc[test], y.iloc[test])
        rows.append(row)
    return rows


def report(results):
    """One row per variant: mean change from the defaults, datasets ahead/behind, worst change."""
    lines = []
    for column in ("inner", "outer"):
        scores = results.pivot_table(index="dataset", columns="variant", values=column, aggfunc="mean")
        if scores.empty or "defaults" not in scores:
            continue
        change = scores.sub(scores["defaults"], axis=0).drop(columns="defaults")
        table = pd.DataFrame({"mean change": change.mean(), "ahead": (change > 5e-4).sum(),
                              "behind": (change < -5e-4).sum(), "worst": change.min(),
                              "worst on": change.idxmin()}).sort_values("mean change")
        lines.append(f"\n{column} scores ({len(scores)} datasets): change from the defaults (> 0: better)")
        with pd.option_context("display.width", 200, "display.float_format", "{:+.4f}".format):
            lines.append(table.to_string())
    times = results.groupby("variant", sort=False)["fit_time"].mean()
    lines.append("\nmean fit time: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in times.items()))
    return "\n".join(lines)


def _scored(variant, dataset, n_folds, outer, max_iter):
    start = time.perf_counter()
    try:
        rows = score_variant(variant, dataset, n_folds, outer, max_iter)
    except ImportError as error:
        print(f"{dataset}: skipped ({DATASETS[dataset].source} is not installed: {error})", flush=True)
        return []
    print(f"{dataset}, {variant}: {n_folds} folds in {time.perf_counter() - start:.0f} s", flush=True)
    return rows


def main(datasets=None, variants=None, n_folds=5, outer=False, quick=False, max_iter=None, n_jobs=1,
         out_dir=None):
    if quick:
        datasets, n_folds, max_iter = datasets or QUICK["datasets"], QUICK["n_folds"], QUICK["max_iter"]
        variants = variants or QUICK["variants"]
    datasets, variants = list(datasets or DATASETS), list(variants or VARIANTS)
    if "defaults" not in variants:
        variants.insert(0, "defaults")
    for name, known in [(d, DATASETS) for d in datasets] + [(v, VARIANTS) for v in variants]:
        if name not in known:
            raise SystemExit(f"unknown name {name!r}; choose from {', '.join(known)}")
    parts = Parallel(n_jobs=n_jobs)(delayed(_scored)(variant, dataset, n_folds, outer, max_iter)
                                    for dataset in datasets for variant in variants)
    results = pd.DataFrame([row for part in parts for row in part],
                           columns=["variant", "dataset", "task", "fold", "inner", "outer", "fit_time"])
    if not results.empty:
        text = report(results)
        print(text)
        if out_dir is not None:
            out = Path(out_dir)
            out.mkdir(parents=True, exist_ok=True)
            results.to_csv(out / "ablation.csv", index=False)
            command = "python examples/tabular_ablation.py " + " ".join(sys.argv[1:])
            (out / "ablation.md").write_text(f"Made by `{command}`\n\n```\n{text.strip()}\n```\n")
    return results


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--datasets", help="comma-separated names (default: all): " + ", ".join(DATASETS))
    parser.add_argument("--variants", help="comma-separated names (default: all): " + ", ".join(VARIANTS))
    parser.add_argument("--folds", type=int, default=5, help="number of folds (default 5)")
    parser.add_argument("--outer", action="store_true", help="also score each variant on the test folds")
    parser.add_argument("--quick", action="store_true", help="2 small datasets, 2 folds, 2 variants, 5 epochs")
    parser.add_argument("--jobs", type=int, default=1, help="variants and datasets scored in parallel (default 1)")
    parser.add_argument("--out-dir", help="write ablation.csv (every fold) and ablation.md (the report) there")
    args = parser.parse_args(argv)
    split = lambda text: [s.strip() for s in text.split(",") if s.strip()] if text else None  # noqa: E731
    return dict(datasets=split(args.datasets), variants=split(args.variants), n_folds=args.folds,
                outer=args.outer, quick=args.quick, n_jobs=args.jobs, out_dir=args.out_dir)


if __name__ == "__main__":
    main(**parse_args())
