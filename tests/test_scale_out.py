"""Beyond one machine: partial_fit over streamed chunks, out-of-core training, Dask."""

import pickle
import re
import runpy
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

from skneural import NumpyMLPClassifier

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture(scope="module")
def digits_split():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16, y, test_size=0.25, stratify=y, random_state=0)


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "rmsprop"])
def test_partial_fit_over_fits_batches_in_order_gives_fits_weights(optimizer, digits_split):
    X, _, y, _ = digits_split
    settings = dict(hidden_layer_sizes=(16,), batch_size=100, shuffle=False, optimizer=optimizer, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        full = NumpyMLPClassifier(max_iter=4, tol=0, **settings).fit(X, y)
    streamed = NumpyMLPClassifier(**settings)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the last chunk is smaller than batch_size, as in fit
        for _ in range(4):
            for start in range(0, len(X), 100):
                streamed.partial_fit(X[start:start + 100], y[start:start + 100], classes=np.arange(10))
    for a, b in zip(full.coefs_ + full.intercepts_, streamed.coefs_ + streamed.intercepts_):
        np.testing.assert_array_equal(a, b)
    assert streamed.t_ == full.t_


@pytest.mark.parametrize("seed", [0, 1])
def test_partial_fit_over_shuffled_chunks_is_as_good_as_fit(seed, digits_split):
    X_train, X_test, y_train, y_test = digits_split
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        full = NumpyMLPClassifier(hidden_layer_sizes=(64,), max_iter=30, tol=0, random_state=seed)
        full.fit(X_train, y_train)
    streamed = NumpyMLPClassifier(hidden_layer_sizes=(64,), random_state=seed)
    rng = np.random.RandomState(seed)
    for _ in range(30):
        for chunk in np.array_split(rng.permutation(len(X_train)), 5):
            streamed.partial_fit(X_train[chunk], y_train[chunk], classes=np.arange(10))
    # at least as good (streaming often scores a little higher: scikit-learn's MLP does the same here)
    assert streamed.score(X_test, y_test) >= full.score(X_test, y_test) - 0.01
    assert streamed.score(X_test, y_test) > 0.9


def test_out_of_core_example_trains_from_a_memmap_within_its_memory_cap(tmp_path, capsys):
    main = runpy.run_path(str(EXAMPLES / "out_of_core.py"))["main"]
    result = main(path=str(tmp_path / "data.f32"), size_mb=16, chunk_rows=4096, epochs=2, memory_cap_mb=4)
    assert result["rows"] == 16 * 2**20 // (4 * 256)
    assert result["peak_mb"] < result["file_mb"] / 4  # the data was never all in memory
    assert result["accuracy"] > 0.4  # ten classes: chance is about 0.1
    assert result["model"].n_iter_ == 2 * (result["rows"] // 4096 - 1)
    out = capsys.readouterr().out
    assert "epoch 2/2" in out and "held-out accuracy" in out
    with pytest.raises(MemoryError, match="over the cap"):
        main(path=str(tmp_path / "data.f32"), size_mb=16, chunk_rows=4096, memory_cap_mb=0.01)


def test_a_fitted_model_pickles_smaller_than_scikit_learns_and_trains_on_after_unpickling():
    X, y = load_digits(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = NumpyMLPClassifier(random_state=0).fit(X, y)
        theirs = MLPClassifier(random_state=0).fit(X, y)
    data = pickle.dumps(ours)
    assert len(data) < len(pickle.dumps(theirs))
    again = pickle.loads(data)
    np.testing.assert_array_equal(again.predict_proba(X), ours.predict_proba(X))
    again.partial_fit(X, y)
    ours.partial_fit(X, y)
    for a, b in zip(again.coefs_, ours.coefs_):
        np.testing.assert_array_equal(a, b)


@pytest.fixture(scope="module")
def client():
    pytest.importorskip("distributed", reason='the dask extra is not installed: pip install -e ".[dask]"')
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address=None)
    client = Client(cluster)
    yield client
    client.close()
    cluster.close()


def test_grid_search_on_a_dask_cluster_matches_the_serial_search(client):
    import joblib
    from distributed import get_task_stream

    search = runpy.run_path(str(EXAMPLES / "dask_cluster.py"))["search"]
    X, y = load_digits(return_X_y=True)
    X, y = X[:600], y[:600]
    assert len(client.scheduler_info()["workers"]) == 2
    serial = search(X, y, max_iter=5)
    with joblib.parallel_backend("dask"), get_task_stream(client) as tasks:
        spread = search(X, y, max_iter=5, n_jobs=-1)
    assert spread.best_params_ == serial.best_params_
    for key in ("mean_test_score", "split0_test_score", "split2_test_score"):
        np.testing.assert_array_equal(spread.cv_results_[key], serial.cv_results_[key])
    # the fits ran as tasks on both worker processes, not here (joblib sends them in batches)
    batches = [(re.search(r"_fit_and_score_(\d+)_calls", task["key"]), task["worker"]) for task in tasks.data]
    assert sum(int(match[1]) for match, _ in batches if match) == len(serial.cv_results_["params"]) * 3
    assert len({worker for match, worker in batches if match}) == 2


def test_prediction_on_a_dask_array_matches_in_memory(client):
    import dask.array as da

    X, y = load_digits(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = NumpyMLPClassifier(hidden_layer_sizes=(16,), max_iter=20, random_state=0).fit(X, y)
    big = da.from_array(np.vstack([X, X[::-1]]), chunks=(500, 64))
    proba = big.map_blocks(model.predict_proba, dtype=float, chunks=(500, 10)).compute()
    # the same to the last bits a BLAS may round differently with another thread count or block size
    np.testing.assert_allclose(proba, model.predict_proba(np.vstack([X, X[::-1]])), rtol=1e-12, atol=1e-15)
    labels = big.map_blocks(model.predict, dtype=y.dtype, drop_axis=1).compute()
    np.testing.assert_array_equal(labels, model.predict(np.vstack([X, X[::-1]])))


def test_the_dask_example_runs(client, capsys):
    result = runpy.run_path(str(EXAMPLES / "dask_cluster.py"))["main"](scheduler=client.scheduler.address,
                                                                        max_iter=3)
    assert result["same_search"] and result["same_predictions"]
    ours, theirs = result["pickled"]
    assert ours < theirs
    assert "on the cluster" in capsys.readouterr().out
