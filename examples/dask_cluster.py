"""A model search spread over a Dask cluster, and prediction on a dask.array.
==========================================================================

skneural brings no scheduler of its own: its estimators are ordinary
scikit-learn estimators, so scikit-learn's ``GridSearchCV`` farms its fits out
through joblib, and joblib's Dask backend sends them to the workers of a
``dask.distributed`` cluster.  Here the cluster is a ``LocalCluster`` of
worker processes on this machine; on a real cluster only the line that makes
the ``Client`` changes::

    client = Client("tcp://scheduler-host:8786")   # instead of Client(LocalCluster(...))

(or run this script with ``--scheduler tcp://scheduler-host:8786``).  Every
worker needs skneural installed, as for any estimator Dask runs.

Prediction on data too large for one machine's memory goes block by block
with ``dask.array.map_blocks``: each worker predicts its own blocks with a
copy of the fitted model (a few hundred kB, smaller than scikit-learn's MLP).

Needs the ``dask`` extra: ``pip install -e ".[dask]"``.

Run it::

    python examples/dask_cluster.py                # --quick for a short run
"""

import argparse
import pickle
import time
import warnings

import joblib
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skneural import NumpyMLPClassifier

GRID = {"numpymlpclassifier__activation": ["relu", "tanh"],
        "numpymlpclassifier__alpha": [1e-4, 1e-2],
        "numpymlpclassifier__learning_rate_init": [1e-3, 1e-2]}


def search(X, y, max_iter, n_jobs=None, cv=3):
    pipeline = make_pipeline(StandardScaler(), NumpyMLPClassifier(hidden_layer_sizes=(32,), max_iter=max_iter,
                                                                  random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # short runs on purpose
        return GridSearchCV(pipeline, GRID, cv=cv, n_jobs=n_jobs).fit(X, y)


def pickled_sizes(X, y):
    """Bytes of a default fitted skneural model and of scikit-learn's MLPClassifier, as pickled to workers."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = NumpyMLPClassifier(random_state=0).fit(X, y)
        theirs = MLPClassifier(random_state=0).fit(X, y)
    return len(pickle.dumps(ours)), len(pickle.dumps(theirs))


def main(scheduler=None, n_workers=2, max_iter=50):
    from dask import array as da
    from distributed import Client, LocalCluster

    X, y = load_digits(return_X_y=True)
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None)
    client = Client(scheduler or cluster)
    try:
        print(f"cluster: {len(client.scheduler_info()['workers'])} workers at {client.scheduler.address}")

        start = time.perf_counter()
        serial = search(X, y, max_iter)  # one fit after another, in this process
        serial_s = time.perf_counter() - start
        start = time.perf_counter()
        with joblib.parallel_backend("dask"):  # every fit a task on the cluster
            spread = search(X, y, max_iter, n_jobs=-1)
        spread_s = time.perf_counter() - start
        same = (spread.best_params_ == serial.best_params_
                and np.allclose(spread.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"]))
        print(f"GridSearchCV over {len(spread.cv_results_['params'])} settings x 3 folds: "
              f"{serial_s:.1f} s one after another here, {spread_s:.1f} s on the cluster; "
              f"same best parameters and scores: {same}")
        print(f"best: {spread.best_params_} ({spread.best_score_:.3f})")

        # prediction block by block: each block of rows goes to a worker with the (small) fitted model
        big = da.tile(da.from_array(X), (20, 1)).rechunk((5000, X.shape[1]))  # X sent once, tiled on the workers
        model = spread.best_estimator_
        labels = big.map_blocks(model.predict, dtype=y.dtype, drop_axis=1).compute()
        matches = bool(np.array_equal(labels, model.predict(np.tile(X, (20, 1)))))
        print(f"predicted {len(labels):,} rows in {big.numblocks[0]} blocks on the workers; "
              f"same as in memory: {matches}")

        ours, theirs = pickled_sizes(X, y)
        print(f"a default fitted model pickles to {ours / 1024:.0f} kB "
              f"(scikit-learn's MLPClassifier: {theirs / 1024:.0f} kB)")
        return {"same_search": same, "same_predictions": matches, "pickled": (ours, theirs),
                "serial": serial, "spread": spread}
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--scheduler", help="address of a running scheduler, e.g. tcp://host:8786 "
                                            "(default: start a LocalCluster here)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes of the LocalCluster")
    parser.add_argument("--quick", action="store_true", help="a few epochs per fit")
    args = parser.parse_args()
    main(args.scheduler, args.workers, max_iter=5 if args.quick else 50)
