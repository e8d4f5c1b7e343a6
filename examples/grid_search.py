"""Model selection: a Pipeline, GridSearchCV over activations and optimizers, cross_val_score.
===========================================================================================

The grid mixes optimizer *names* (built from the scikit-learn parameters such
as ``learning_rate_init``) and optimizer *objects* whose own settings are
tuned through nested parameters, ``mlp__optimizer__learning_rate``, as any
scikit-learn estimator's would be.  Prints the table of results, then the
cross-validated score of the best pipeline.

Run it::

    python examples/grid_search.py                 # --quick for a short run
"""

import argparse
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skneural import SGD, Adam, NumpyMLPClassifier


def main(max_iter=60, cv=3, n_samples=None):
    X, y = load_digits(return_X_y=True)
    if n_samples:
        X, y = X[:n_samples], y[:n_samples]
    pipeline = Pipeline([("scale", StandardScaler()),
                         ("mlp", NumpyMLPClassifier(hidden_layer_sizes=(32,), max_iter=max_iter, random_state=0))])
    grid = [
        # names: the optimizer is built from learning_rate_init (and momentum for sgd)
        {"mlp__activation": ["relu", "tanh"], "mlp__optimizer": ["adam", "sgd"],
         "mlp__learning_rate_init": [0.001, 0.01]},
        # objects: their own hyperparameters, tuned through nested names
        {"mlp__activation": ["leaky_relu"], "mlp__optimizer": [Adam()],
         "mlp__optimizer__learning_rate": [0.001, 0.01]},
        {"mlp__activation": ["leaky_relu"], "mlp__optimizer": [SGD(momentum=0.9, nesterov=True)],
         "mlp__optimizer__learning_rate": [0.01, 0.1]},
    ]
    folds = StratifiedKFold(n_splits=cv, shuffle=True, random_state=0)
    search = GridSearchCV(pipeline, grid, cv=folds)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # short runs on purpose
        search.fit(X, y)

        results = search.cv_results_
        print(f"{'rank':>4}  {'mean':>6}  {'std':>6}  {'fit s':>6}  parameters")
        for i in np.argsort(results["rank_test_score"]):
            params = ", ".join(f"{k.removeprefix('mlp__')}={v!r}" for k, v in results["params"][i].items())
            print(f"{results['rank_test_score'][i]:>4}  {results['mean_test_score'][i]:>6.3f}  "
                  f"{results['std_test_score'][i]:>6.3f}  {results['mean_fit_time'][i]:>6.2f}  {params}")

        print(f"\nbest: {search.best_params_} ({search.best_score_:.3f})")
        scores = cross_val_score(search.best_estimator_, X, y, cv=StratifiedKFold(n_splits=cv, shuffle=True,
                                                                                  random_state=1))
    print(f"cross_val_score of the best pipeline on other folds: {scores.mean():.3f} +/- {scores.std():.3f}")
    return search, scores


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--quick", action="store_true", help="few epochs on part of the data")
    quick = parser.parse_args().quick
    main(max_iter=5 if quick else 60, n_samples=400 if quick else None)
