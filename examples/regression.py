"""Regression, single- and multi-output, beside scikit-learn's MLPRegressor.
=========================================================================

Single output: the bundled diabetes data (442 patients, 10 features, disease
progression a year later).  Several outputs: completing the bundled 8x8
digits, the bottom half of each image (32 pixels) predicted from its top half
by one network with 32 output units.  Inputs and targets are standardised
(``StandardScaler`` in a pipeline, ``TransformedTargetRegressor`` for the
targets), as a network needs, every network stops early on a tenth of its
training data, and every model is scored by 5-fold cross-validated R² on the
same folds.

Run it::

    python examples/regression.py                  # --quick for a short run
"""

import argparse
import time
import warnings

from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_diabetes, load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, cross_val_score
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skneural import NumpyMLPRegressor


def scaled(regressor):
    return TransformedTargetRegressor(make_pipeline(StandardScaler(), regressor), transformer=StandardScaler())


def digit_halves():
    """Top halves of the digits (32 pixels) and their bottom halves (32 targets)."""
    images = load_digits().images.reshape(-1, 64)
    return images[:, :32], images[:, 32:]


def main(max_iter=500):
    folds = KFold(n_splits=5, shuffle=True, random_state=0)
    datasets = {"diabetes (1 output)": load_diabetes(return_X_y=True),
                "digit halves (32 outputs)": digit_halves()}
    settings = dict(hidden_layer_sizes=(64,), alpha=0.1, max_iter=max_iter, early_stopping=True, random_state=0)
    models = {
        "NumpyMLPRegressor": NumpyMLPRegressor(**settings),
        "NumpyMLPRegressor, huber loss": NumpyMLPRegressor(loss="huber", **settings),
        "MLPRegressor (scikit-learn)": MLPRegressor(**settings),
    }
    results = {}
    print(f"{'data':<27}{'model':<32}{'R² (5-fold)':>14}{'seconds':>9}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # --quick stops early on purpose
        for data, (X, y) in datasets.items():
            for name, model in models.items():
                start = time.perf_counter()
                scores = cross_val_score(scaled(model), X, y, cv=folds, scoring="r2")
                seconds = time.perf_counter() - start
                results[data, name] = scores.mean()
                print(f"{data:<27}{name:<32}{scores.mean():>8.3f} ± {scores.std():.2f}{seconds:>9.2f}")
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few epochs only")
    main(max_iter=20 if parser.parse_args().quick else 500)
