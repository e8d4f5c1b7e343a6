"""Plots: loss curves of several optimizers on one chart, and a validation curve from GridSearchCV.
================================================================================================

Writes two PNG files (into ``--out-dir``, default the current folder):

* ``optimizer_loss_curves.png``: the training loss per epoch (``loss_curve_``)
  of the same network on digits with SGD, Adam, RMSprop and Adagrad;
* ``validation_curve.png``: mean training and cross-validated accuracy (± one
  standard deviation) against the L2 penalty ``alpha``, from a
  ``GridSearchCV`` with ``return_train_score=True``.

Needs matplotlib: ``pip install -e ".[examples]"``.

Run it::

    python examples/plots.py                       # --quick for a short run
"""

import argparse
import os
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skneural import NumpyMLPClassifier

OPTIMIZERS = ("sgd", "adam", "rmsprop", "adagrad")


def main(max_iter=100, out_dir=".", alphas=tuple(np.logspace(-4, 2, 7)), cv=3):
    try:
        import matplotlib
    except ImportError:
        print('These plots need matplotlib: pip install -e ".[examples]" (or pip install matplotlib).')
        return None
    matplotlib.use("Agg")  # files only, no window
    import matplotlib.pyplot as plt

    X, y = load_digits(return_X_y=True)
    X_scaled = StandardScaler().fit_transform(X)
    paths = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # --quick stops early on purpose

        fig, ax = plt.subplots(figsize=(7, 4.5))
        for name in OPTIMIZERS:
            clf = NumpyMLPClassifier(hidden_layer_sizes=(64,), optimizer=name, learning_rate_init=0.01,
                                     max_iter=max_iter, random_state=0).fit(X_scaled, y)
            ax.plot(np.arange(1, clf.n_iter_ + 1), clf.loss_curve_, label=f"{name} ({clf.n_iter_} epochs)")
        ax.set(xlabel="epoch", ylabel="training loss (log loss + L2)", yscale="log",
               title="Digits, 64 hidden units, learning rate 0.01")
        ax.legend()
        paths["loss_curves"] = os.path.join(out_dir, "optimizer_loss_curves.png")
        fig.savefig(paths["loss_curves"], dpi=100, bbox_inches="tight")
        plt.close(fig)

        search = GridSearchCV(make_pipeline(StandardScaler(), NumpyMLPClassifier(hidden_layer_sizes=(64,),
                                                                                  max_iter=max_iter,
                                                                                  random_state=0)),
                              {"numpymlpclassifier__alpha": list(alphas)}, cv=cv, return_train_score=True)
        search.fit(X, y)
    results = search.cv_results_
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for split in ("train", "test"):
        mean, std = results[f"mean_{split}_score"], results[f"std_{split}_score"]
        ax.plot(alphas, mean, marker="o", label="training" if split == "train" else "cross-validated")
        ax.fill_between(alphas, mean - std, mean + std, alpha=0.2)
    ax.set(xscale="log", xlabel="alpha (L2 penalty)", ylabel="accuracy",
           title=f"Validation curve from GridSearchCV (best alpha = {search.best_params_['numpymlpclassifier__alpha']:g})")
    ax.legend()
    paths["validation_curve"] = os.path.join(out_dir, "validation_curve.png")
    fig.savefig(paths["validation_curve"], dpi=100, bbox_inches="tight")
    plt.close(fig)
    for path in paths.values():
        print(f"wrote {path}")
    return paths


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few epochs and three values of alpha")
    parser.add_argument("--out-dir", default=".", help="where to write the PNG files (default: here)")
    args = parser.parse_args()
    if args.quick:
        main(max_iter=10, out_dir=args.out_dir, alphas=(1e-4, 1e-1, 1e2))
    else:
        main(out_dir=args.out_dir)
