"""PeriodicEmbedding in bounded memory: prediction works through an embedding in blocks of rows whose
intermediates stay within a budget, however narrow the layer's output (the same values, bit for bit,
as one pass over all rows), and a model file cannot ask for more frequencies or a wider embedding
than load allows."""

import tracemalloc
import warnings

from functools import partial

import numpy as np
import pandas as pd
import pytest

from skneural import NeuralNetwork, TabularMLPRegressor, load, save
from skneural.layers import Dense, PeriodicEmbedding
from skneural.nn import embeddings
from skneural.persistence.archive import ArchiveError
from skneural.persistence.input_layers import MAX_EMBEDDING_SIZE, MAX_FREQUENCIES, input_layer_specs
from model_file_edits import read_model_file, write_model_file

LAYERS = {  # name: (settings, input width)
    "plain": (dict(n_features=3, n_frequencies=4, embedding_size=5), 3),
    "one_wide": (dict(n_features=4, n_frequencies=6, embedding_size=1), 4),
    "passthrough_include": (dict(n_features=2, n_passthrough=2, n_frequencies=3, embedding_size=4,
                                 include_input=True), 4),
    "tanh": (dict(n_features=3, n_passthrough=1, n_frequencies=5, embedding_size=3, activation="tanh",
                  sigma=1.0), 4),
    "identity": (dict(n_features=2, n_frequencies=2, embedding_size=2, activation=None), 2),
}


def _per_row(layer, dtype):
    return np.dtype(dtype).itemsize * layer.n_features * (3 * layer.n_frequencies + 2 * layer.embedding_size + 2)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(LAYERS))
def test_blocked_infer_equals_forward(name, dtype, monkeypatch):
    settings, width = LAYERS[name]
    layer = PeriodicEmbedding(**settings, random_state=0, dtype=dtype)
    x = (2.0 * np.random.RandomState(1).randn(37, width)).astype(dtype)
    expected = layer.forward(x).copy()  # forward: one pass over all rows
    # to the last bits only: BLAS sums a row's terms in an order that depends on the rows beside it
    same = partial(np.testing.assert_allclose, rtol=1e-5 if dtype == np.float32 else 1e-12,
                   atol=1e-6 if dtype == np.float32 else 1e-14)
    for rows in (1, 2, 3, 7, 36, 37, 100):
        monkeypatch.setattr(embeddings, "_BLOCK_BYTES", rows * _per_row(layer, dtype))
        got = layer.infer(x)
        assert got.dtype == expected.dtype
        same(got, expected, err_msg=f"blocks of {rows} rows")
        out = np.full((len(x), layer.output_size), np.nan, dtype)
        assert layer.infer(x, out=out) is out
        same(out, expected, err_msg=f"blocks of {rows} rows, into out")
    monkeypatch.setattr(embeddings, "_BLOCK_BYTES", 1)  # below one row: still a row at a time
    same(layer.infer(x), expected)
    assert layer.infer(x[:0]).shape == (0, layer.output_size)


def test_network_output_is_the_same_whatever_the_blocks(monkeypatch):
    net = NeuralNetwork([PeriodicEmbedding(3, n_passthrough=1, n_frequencies=4, embedding_size=2, random_state=0),
                         Dense(7, 3, random_state=0)], loss="mse")
    x = np.random.RandomState(2).randn(300, 4)
    expected = net.output(x)
    monkeypatch.setattr(embeddings, "_BLOCK_BYTES", 5 * _per_row(net.layers[0], np.float64))
    np.testing.assert_allclose(net.output(x), expected, rtol=1e-12, atol=1e-14)


def test_prediction_through_a_narrow_output_with_wide_intermediates_stays_in_bounded_memory():
    """100 features, 1000 frequencies, embeddings of 1 value: a row's output is 100 values but its
    intermediates 300,000, so a chunk of rows sized by the outputs alone (thousands of rows) would take
    gigabytes in one pass; 1,000 rows (2.4 GB in one pass) keep the test quick."""
    layer = PeriodicEmbedding(100, n_frequencies=1000, embedding_size=1, random_state=0)
    net = NeuralNetwork([layer, Dense(100, 1, random_state=0)], loss="mse")
    x = np.random.RandomState(0).randn(1000, 100)
    tracemalloc.start()
    try:
        y = net.output(x)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert y.shape == (1000, 1) and np.all(np.isfinite(y))
    assert peak < 200 * 2**20, f"{peak / 2**20:.0f} MB"
    np.testing.assert_allclose(layer.infer(x[:5]), layer.forward(x[:5]), rtol=1e-12, atol=1e-14)


# -- model files ----------------------------------------------------------------------------------


def _entry(**changes):
    spec = {"layer": "PeriodicEmbedding", "n_features": 2, "n_passthrough": 0, "n_frequencies": 16,
            "embedding_size": 8, "sigma": 0.1, "include_input": False, "activation": "relu"}
    spec.update(changes)
    return {"input_layers": [spec]}, 2 * spec["embedding_size"]


@pytest.mark.parametrize("setting, high", [("n_frequencies", MAX_FREQUENCIES), ("embedding_size", MAX_EMBEDDING_SIZE)])
def test_the_decoder_bounds_frequencies_and_embedding_size(setting, high):
    assert high == 1024
    entry, width = _entry(**{setting: high})
    specs, n_params, input_width = input_layer_specs(entry, "net", width)
    assert specs[0][1][setting] == high and input_width == 2
    entry, width = _entry(**{setting: high + 1})
    with pytest.raises(ArchiveError, match=rf"net\.input_layers\[0\]\.{setting} is {high + 1}, not an integer "
                                           rf"in \[1, {high}\]"):
        input_layer_specs(entry, "net", width)


def test_a_model_file_with_too_many_frequencies_and_parameters_to_match_is_refused(tmp_path):
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"a": rng.randn(40), "b": rng.rand(40), "c": rng.choice(["x", "y"], 40)})
    y = X["a"].to_numpy() + rng.randn(40) / 10
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = TabularMLPRegressor(hidden_layer_sizes=(4,), max_iter=1, random_state=0).fit(X, y)
    path, edited = tmp_path / "model.skn", tmp_path / "edited.skn"
    save(model, path)
    np.testing.assert_array_equal(load(path).predict(X), model.predict(X))

    document, arrays = read_model_file(path)
    network = document["model"]["fitted"]["network"]
    layer = next(spec for spec in network["input_layers"] if spec["layer"] == "PeriodicEmbedding")
    f, e = layer["n_features"], layer["embedding_size"]
    extra = f * (1 + 2 * e) * (MAX_FREQUENCIES + 1 - layer["n_frequencies"])  # a frequency's parameters
    key = network["params"]["array"]
    size = arrays[key].shape
    for name, value in list(arrays.items()):  # the parameters, and the optimizer's state of their shape
        if value.shape == size and value.dtype.kind == "f":
            arrays[name] = np.concatenate([np.zeros(extra, value.dtype), value])
    layer["n_frequencies"] = MAX_FREQUENCIES + 1
    write_model_file(edited, document, arrays)
    with pytest.raises(ValueError, match=rf"n_frequencies is {MAX_FREQUENCIES + 1}, not an integer") as info:
        load(edited)
    assert str(edited) in str(info.value)
