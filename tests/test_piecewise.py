"""The piecewise-linear encoding layer (skneural.nn.piecewise)."""

import pickle

import numpy as np
import pytest

from skneural import NeuralNetwork, PiecewiseLinearEncoding, check_gradients
from skneural.components.params import InvalidParameterError
from skneural.layers import Dense, PeriodicEmbedding, Scale, SmoothClip, Tanh
from skneural.optimizers import Adam


def _layer(rng, include_input=True, n_passthrough=2):
    return PiecewiseLinearEncoding.from_quantiles(rng.randn(200, 3 + n_passthrough), n_bins=4,
                                                  n_passthrough=n_passthrough, include_input=include_input)


def _reference(x, edges, include_input, n_passthrough):
    """The encoding written out one value at a time, from its definition."""
    n, f = x.shape[0], edges.shape[0]
    rows = []
    for i in range(n):
        row = list(x[i, :f]) if include_input else []
        for j in range(f):
            used = [t for t in range(edges.shape[1] - 1) if edges[j, t + 1] > edges[j, t]]
            for t in range(edges.shape[1] - 1):
                if t not in used:
                    row.append(0.0)
                    continue
                v = (x[i, j] - edges[j, t]) / (edges[j, t + 1] - edges[j, t])
                if t != used[0]:
                    v = max(v, 0.0)
                if t != used[-1]:
                    v = min(v, 1.0)
                row.append(v)
        rows.append(row + list(x[i, f:]))
    return np.array(rows)


@pytest.mark.parametrize("include_input", [False, True])
def test_the_encoding_follows_its_definition(include_input, rng):
    layer = _layer(rng, include_input)
    x = 2 * rng.randn(30, 5)  # beyond the training range too
    np.testing.assert_allclose(layer.forward(x), _reference(x, layer.edges, include_input, 2), rtol=1e-12)
    np.testing.assert_array_equal(layer.infer(x), layer.forward(x))


def test_quantile_bins_hold_about_as_many_training_rows_each(rng):
    x = rng.exponential(size=(1000, 2))
    layer = PiecewiseLinearEncoding.from_quantiles(x, n_bins=5)
    for j in range(2):
        counts = np.histogram(x[:, j], bins=layer.edges[j])[0]
        assert counts.min() >= 190 and counts.max() <= 210
    bins = layer.infer(x)
    assert bins.min() >= 0 and bins.max() <= 1  # the training rows lie within the edges


def test_repeated_values_give_fewer_bins_and_empty_ones_give_zero(rng):
    x = np.column_stack([rng.randint(0, 2, 100).astype(float), np.full(100, 3.0), rng.randn(100)])
    layer = PiecewiseLinearEncoding.from_quantiles(x, n_bins=4)
    assert np.all(np.diff(layer.edges, axis=1) >= 0)
    assert np.count_nonzero(np.diff(layer.edges[0])) == 1 and np.count_nonzero(np.diff(layer.edges[1])) == 0
    out = layer.infer(x).reshape(100, 3, 4)
    np.testing.assert_array_equal(out[:, 0, 0], x[:, 0])  # one bin from 0 to 1: the binary value itself
    assert np.all(out[:, 0, 1:] == 0) and np.all(out[:, 1] == 0)
    assert np.ptp(out[:, 2], axis=0).min() > 0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bins_too_narrow_for_the_dtype_and_infinite_values_give_no_nan(dtype):
    tiny = np.finfo(dtype).smallest_subnormal
    layer = PiecewiseLinearEncoding(1, 3, edges=[[-1.0, 0.0, tiny, 1.0]], dtype=dtype)
    out = layer.infer(np.array([[0.0], [0.5], [np.inf], [-np.inf]], dtype))
    assert not np.isnan(out).any()
    np.testing.assert_array_equal(out[:2, 1], 0)  # the narrow bin counts as empty
    np.testing.assert_array_equal(out[:2, 2], [0, 0.5])
    empty = PiecewiseLinearEncoding(1, 3, edges=[[0.0, 1.0, 1.0, 1.0]]).infer(np.array([[np.inf], [-np.inf]]))
    np.testing.assert_array_equal(empty, [[np.inf, 0, 0], [-np.inf, 0, 0]])


@pytest.mark.parametrize("include_input", [False, True])
def test_backward_matches_central_differences(include_input, rng):
    layer = _layer(rng, include_input)
    x = 1.5 * rng.randn(8, 5)
    out = layer.forward(x)
    g = rng.randn(*out.shape)
    analytic = layer.backward(g)
    numeric = np.empty_like(x)
    h = 1e-6
    for index in np.ndindex(*x.shape):
        up, down = x.copy(), x.copy()
        up[index] += h
        down[index] -= h
        numeric[index] = (np.sum(layer.forward(up) * g) - np.sum(layer.forward(down) * g)) / (2 * h)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


def test_network_gradients_through_the_encoding_after_a_dense(rng):
    encoding = PiecewiseLinearEncoding(2, n_bins=3, n_passthrough=1, include_input=True)
    embedding = PeriodicEmbedding(2, n_passthrough=7, n_frequencies=2, embedding_size=3, sigma=0.5,
                                  include_input=True, random_state=0)
    net = NeuralNetwork([Dense(4, 3, random_state=0), encoding, embedding, Scale(embedding.output_size),
                         Dense(embedding.output_size, 3, random_state=1), Tanh(), Dense(3, 1, random_state=2)],
                        loss="mse")
    x, y = rng.randn(9, 4), rng.randn(9, 1)
    assert check_gradients(net, x, y) < 1e-6
    net.loss_and_gradient(x, y)
    assert np.all(net.layers[0].d_weights != 0)


def test_backpropagation_stops_at_the_first_layer_with_parameters(rng, monkeypatch):
    x = rng.randn(40, 3)
    layers = [SmoothClip(2), PiecewiseLinearEncoding.from_quantiles(x, n_bins=3, n_passthrough=1, include_input=True),
              Scale(9), Dense(9, 4, random_state=0), Tanh(), Dense(4, 1, random_state=1)]
    net = NeuralNetwork(layers, loss="mse")
    assert [layer.needs_input_gradient for layer in layers] == [False, False, False, True, True, True]
    calls = []
    for layer in layers[:2]:
        monkeypatch.setattr(layer, "backward", lambda g, layer=layer: calls.append(layer))
    y = rng.randn(40, 1)
    assert check_gradients(net, x, y) < 1e-6
    assert calls == [] and np.abs(layers[2].d_scale).max() > 0


def test_a_network_trains_saves_and_pickles_its_edges(rng, tmp_path):
    x = rng.uniform(-2, 2, (300, 2))
    y = (np.sign(x[:, :1]) + x[:, 1:] ** 2)  # a step a smooth network finds hard
    encoding = PiecewiseLinearEncoding.from_quantiles(x, n_bins=8, include_input=True)
    net = NeuralNetwork([encoding, Dense(encoding.output_size, 16, random_state=0), Tanh(),
                         Dense(16, 1, random_state=0)], loss="mse", optimizer=Adam(learning_rate=0.01))
    before = net.compute_loss(x, y)
    net.fit(x, y, epochs=50, batch_size=32)
    assert net.compute_loss(x, y) < 0.2 * before
    path = tmp_path / "params.npz"
    net.save(path)
    other = NeuralNetwork([PiecewiseLinearEncoding(2, n_bins=8, include_input=True),
                           Dense(encoding.output_size, 16), Tanh(), Dense(16, 1)], loss="mse").load(path)
    np.testing.assert_array_equal(other.layers[0].edges, encoding.edges)
    np.testing.assert_array_equal(other.output(x), net.output(x))
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(net)).output(x), net.output(x))


def test_float32_in_float32_out(rng):
    layer = PiecewiseLinearEncoding.from_quantiles(rng.randn(50, 2), n_bins=3, dtype=np.float32)
    assert layer.edges.dtype == np.float32
    assert layer.infer(rng.randn(4, 2).astype(np.float32)).dtype == np.float32


def test_repr_and_width():
    layer = PiecewiseLinearEncoding(3, n_bins=5, n_passthrough=2, include_input=True)
    assert repr(layer) == "PiecewiseLinearEncoding(3, n_bins=5, n_passthrough=2, include_input=True)"
    assert layer.output_width(5) == 3 * 6 + 2 == layer.output_size
    assert repr(PiecewiseLinearEncoding(2)) == "PiecewiseLinearEncoding(2)"


def test_bad_arguments_and_inputs_give_clear_errors(rng):
    with pytest.raises(InvalidParameterError, match="n_bins"):
        PiecewiseLinearEncoding(2, n_bins=0)
    with pytest.raises(ValueError, match="non-decreasing"):
        PiecewiseLinearEncoding(1, n_bins=2, edges=[[0.0, 2.0, 1.0]])
    with pytest.raises(ValueError, match=r"shape \(1, 3\)"):
        PiecewiseLinearEncoding(1, n_bins=2, edges=[[0.0, 1.0]])
    with pytest.raises(ValueError, match="finite"):
        PiecewiseLinearEncoding(1, n_bins=1, edges=[[0.0, np.inf]])
    with pytest.raises(ValueError, match=r"2-d array with more columns than n_passthrough=0.*X.reshape"):
        PiecewiseLinearEncoding.from_quantiles(rng.randn(10))
    with pytest.raises(ValueError, match=r"more columns than n_passthrough=2"):
        PiecewiseLinearEncoding.from_quantiles(rng.randn(10, 2), n_passthrough=2)
    with pytest.raises(ValueError, match="expects 3 input columns"):
        PiecewiseLinearEncoding(2, n_passthrough=1).forward(rng.randn(4, 2))
