"""The tabular embedding layers: SmoothClip, Scale and PeriodicEmbedding (skneural.nn.embeddings)."""

import pickle

import numpy as np
import pytest

import skneural
from skneural import NeuralNetwork, check_gradients
from skneural.components.params import InvalidParameterError
from skneural.layers import Dense, PeriodicEmbedding, ReLU, Scale, SmoothClip, Tanh
from skneural.optimizers import SGD, Adam

EMBEDDINGS = {  # name: (factory, input width)
    "plain": (lambda: PeriodicEmbedding(3, n_frequencies=4, embedding_size=5, random_state=0), 3),
    "passthrough": (lambda: PeriodicEmbedding(3, n_passthrough=2, n_frequencies=4, embedding_size=5,
                                              random_state=1), 5),
    "include_input": (lambda: PeriodicEmbedding(2, n_passthrough=1, n_frequencies=3, embedding_size=4,
                                                include_input=True, random_state=2), 3),
    "identity": (lambda: PeriodicEmbedding(3, n_passthrough=1, n_frequencies=4, embedding_size=3,
                                           activation="identity", random_state=3), 4),
    "none_include": (lambda: PeriodicEmbedding(2, n_frequencies=2, embedding_size=3, activation=None,
                                               include_input=True, random_state=4), 2),
    "tanh": (lambda: PeriodicEmbedding(2, n_passthrough=1, n_frequencies=3, embedding_size=3, activation="tanh",
                                       sigma=1.0, random_state=5), 3),
}
LAYERS = {
    **EMBEDDINGS,
    "clip_all": (lambda: SmoothClip(limit=1.5), 4),
    "clip_partial": (lambda: SmoothClip(2), 4),
    "scale": (lambda: _scale(4), 4),
}


def _scale(width, seed=0):
    layer = Scale(width)
    layer.scale[...] = 1 + 0.5 * np.random.RandomState(seed).randn(1, width)
    return layer


def _x(rng, n, width):
    return 2.5 * rng.randn(n, width)  # beyond SmoothClip's limit too


def _numeric_input_gradient(layer, x, g, h=1e-6):
    numeric = np.empty_like(x)
    for index in np.ndindex(*x.shape):
        up, down = x.copy(), x.copy()
        up[index] += h
        down[index] -= h
        numeric[index] = (np.sum(layer.forward(up) * g) - np.sum(layer.forward(down) * g)) / (2 * h)
    return numeric


def _numeric_param_gradient(layer, name, x, g, h=1e-6):
    param = getattr(layer, name)
    numeric = np.empty_like(param)
    for index in np.ndindex(*param.shape):
        original = param[index]
        param[index] = original + h
        up = np.sum(layer.forward(x) * g)
        param[index] = original - h
        down = np.sum(layer.forward(x) * g)
        param[index] = original
        numeric[index] = (up - down) / (2 * h)
    return numeric


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_backward_matches_central_differences(name, rng):
    factory, width = LAYERS[name]
    layer = factory()
    x = _x(rng, 6, width)
    out = layer.forward(x)
    assert out.shape == (6, layer.output_width(width))
    g = rng.randn(*out.shape)
    analytic = layer.backward(g)
    grads = {p: getattr(layer, "d_" + p).copy() for p in layer.param_names}
    np.testing.assert_allclose(analytic, _numeric_input_gradient(layer, x, g), rtol=1e-6, atol=1e-8)
    for p, grad in grads.items():
        np.testing.assert_allclose(grad, _numeric_param_gradient(layer, p, x, g), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", sorted(EMBEDDINGS))
def test_network_gradients_of_an_embedding_as_first_layer(name, rng):
    factory, width = EMBEDDINGS[name]
    embedding = factory()
    net = NeuralNetwork([embedding, Dense(embedding.output_size, 4, random_state=0), Tanh(),
                         Dense(4, 1, random_state=0)], loss="mse", optimizer=SGD(learning_rate=0.01))
    assert not embedding.needs_input_gradient
    assert check_gradients(net, _x(rng, 8, width), rng.randn(8, 1)) < 1e-6


@pytest.mark.parametrize("include_input", [False, True])
@pytest.mark.parametrize("activation", ["relu", "identity"])
def test_network_gradients_through_every_layer_after_a_dense(include_input, activation, rng):
    """Each new layer after a Dense: the Dense layer's gradient needs their input gradients."""
    embedding = PeriodicEmbedding(2, n_passthrough=1, n_frequencies=3, embedding_size=4, sigma=0.5,
                                  include_input=include_input, activation=activation, random_state=0)
    net = NeuralNetwork([Dense(4, 3, random_state=0), Scale(3), SmoothClip(2, limit=1.0), embedding,
                         Dense(embedding.output_size, 3, random_state=1), Tanh(), Dense(3, 1, random_state=2)],
                        loss="mse")
    net.layers[1].scale[...] = [[1.5, -0.7, 2.0]]
    x, y = _x(rng, 7, 4), rng.randn(7, 1)
    assert check_gradients(net, x, y) < 1e-6
    grads = net.loss_and_gradient(x, y)[1]
    assert np.all(net.layers[0].d_weights != 0) and np.all(net.layers[1].d_scale != 0)
    assert np.abs(grads).max() > 0


def test_periodic_embedding_computes_the_plr_formula(rng):
    layer = PeriodicEmbedding(3, n_passthrough=2, n_frequencies=4, embedding_size=5, include_input=True,
                              random_state=0)
    x = _x(rng, 6, 5)
    out = layer.forward(x)
    assert out.shape == (6, 3 * 6 + 2)
    for j in range(3):
        v = 2 * np.pi * layer.frequencies[j] * x[:, j:j + 1]
        p = np.concatenate([np.cos(v), np.sin(v)], axis=1)
        expected = np.maximum(p @ layer.embedding_weights[j] + layer.embedding_bias[j], 0)
        np.testing.assert_allclose(out[:, 6 * j:6 * j + 5], expected, rtol=1e-12, atol=1e-14)
        np.testing.assert_array_equal(out[:, 6 * j + 5], x[:, j])
    np.testing.assert_array_equal(out[:, -2:], x[:, 3:])
    off = PeriodicEmbedding(3, n_passthrough=2, n_frequencies=4, embedding_size=5, random_state=0)
    np.testing.assert_allclose(off.forward(x)[:, :15], np.delete(out[:, :18], [5, 11, 17], axis=1))


def test_periodic_embedding_initial_parameters(rng):
    layer = PeriodicEmbedding(50, n_frequencies=16, embedding_size=8, sigma=0.3, random_state=0)
    assert layer.frequencies.shape == (50, 16) and layer.embedding_weights.shape == (50, 32, 8)
    assert layer.embedding_bias.shape == (50, 8)
    assert layer.frequencies.std() == pytest.approx(0.3, rel=0.1)
    bound = 1 / np.sqrt(32)
    assert np.abs(layer.embedding_weights).max() <= bound and np.abs(layer.embedding_bias).max() <= bound
    again = PeriodicEmbedding(50, n_frequencies=16, embedding_size=8, sigma=0.3, random_state=0)
    np.testing.assert_array_equal(again.embedding_weights, layer.embedding_weights)
    assert layer.param_names == ("frequencies", "embedding_weights", "embedding_bias") and layer.penalized == ()


def test_smooth_clip_formula_and_passthrough(rng):
    x = _x(rng, 5, 4)
    np.testing.assert_allclose(SmoothClip().forward(x), x / np.sqrt(1 + (x / 3.0) ** 2))
    out = SmoothClip(2, limit=0.5).forward(x)
    np.testing.assert_allclose(out[:, :2], x[:, :2] / np.sqrt(1 + (x[:, :2] / 0.5) ** 2))
    np.testing.assert_array_equal(out[:, 2:], x[:, 2:])
    assert np.all(np.abs(out[:, :2]) < 0.5)
    layer = SmoothClip(2, limit=0.5)
    layer.forward(x)
    grad = layer.backward(np.ones_like(x))
    np.testing.assert_allclose(grad[:, :2], (1 + (x[:, :2] / 0.5) ** 2) ** -1.5)
    np.testing.assert_array_equal(grad[:, 2:], 1)


def test_scale_gradient_is_written_into_the_bound_view(rng):
    net = NeuralNetwork([Dense(3, 4, random_state=0), Scale(4), Dense(4, 1, random_state=0)], loss="mse")
    scale = net.layers[1]
    assert np.shares_memory(scale.d_scale, net.grads) and np.shares_memory(scale.scale, net.params)
    x, y = rng.randn(5, 3), rng.randn(5, 1)
    net.loss_and_gradient(x, y)
    assert np.any(scale.d_scale != 0)
    assert check_gradients(net, x, y) < 1e-6
    assert scale.input_size == scale.output_size == 4 and scale.penalized == ()
    np.testing.assert_array_equal(Scale(3).scale, np.ones((1, 3)))


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_infer_equals_forward_and_keeps_nothing(name, rng):
    factory, width = LAYERS[name]
    x = _x(rng, 6, width)
    layer = factory()
    inferred = layer.infer(x)
    assert layer.input is None and layer.output is None and getattr(layer, "_scratch", None) is None
    np.testing.assert_array_equal(inferred, layer.forward(x))
    out = np.full((6, layer.output_width(width)), np.nan)
    assert layer.infer(x, out=out) is out
    np.testing.assert_array_equal(out, inferred)


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_infer_does_not_change_its_input(name, rng):
    factory, width = LAYERS[name]
    x = _x(rng, 6, width)
    before = x.copy()
    layer = factory()
    layer.infer(x)
    layer.forward(x)
    layer.backward(np.ones((6, layer.output_width(width))))
    np.testing.assert_array_equal(x, before)


def test_float32_layers_give_float32(rng):
    x = _x(rng, 6, 5).astype(np.float32)
    layers = [PeriodicEmbedding(3, n_passthrough=2, random_state=0, dtype=np.float32),
              PeriodicEmbedding(3, n_passthrough=2, include_input=True, random_state=0, dtype=np.float32),
              SmoothClip(3), Scale(5, dtype=np.float32)]
    for layer in layers:
        assert all(p.dtype == np.float32 for p in layer.params)
        out = layer.forward(x)
        assert out.dtype == np.float32 and layer.infer(x).dtype == np.float32
        assert layer.backward(np.ones_like(out)).dtype == np.float32
        assert all(g.dtype == np.float32 for g in layer.grads)
    as64 = PeriodicEmbedding(3, n_passthrough=2, random_state=0)
    np.testing.assert_allclose(layers[0].infer(x), as64.infer(x.astype(np.float64)), rtol=1e-4, atol=1e-5)
    assert as64.infer(x).dtype == np.float32  # the input's dtype is kept


def test_a_float32_network_predicts_in_float32(rng):
    embedding = PeriodicEmbedding(3, n_passthrough=2, random_state=0)
    net = NeuralNetwork([embedding, Dense(embedding.output_size, 4, random_state=0), ReLU(),
                         Dense(4, 1, random_state=0)], loss="mse").astype(np.float32)
    assert net.output(_x(rng, 6, 5).astype(np.float32)).dtype == np.float32
    assert net.layers[0].frequencies.dtype == np.float32


def test_output_width_and_sizes():
    layer = PeriodicEmbedding(4, n_passthrough=3, embedding_size=6)
    assert layer.input_size == 7 and layer.output_size == 4 * 6 + 3 == layer.output_width(7)
    layer = PeriodicEmbedding(4, embedding_size=6, include_input=True)
    assert layer.output_size == 4 * 7 == layer.output_width(4)
    assert SmoothClip(2).output_width(9) == 9 and Scale(5).output_width(5) == 5


def test_reprs():
    assert repr(PeriodicEmbedding(5)) == "PeriodicEmbedding(5)"
    assert repr(PeriodicEmbedding(5, n_passthrough=3)) == "PeriodicEmbedding(5, n_passthrough=3)"
    assert repr(PeriodicEmbedding(2, sigma=1.0, include_input=True, activation="identity")) == \
        "PeriodicEmbedding(2, sigma=1.0, include_input=True, activation='identity')"
    assert repr(PeriodicEmbedding(2, activation=None)) == "PeriodicEmbedding(2, activation='identity')"
    assert repr(SmoothClip()) == "SmoothClip()" and repr(SmoothClip(3, limit=2)) == "SmoothClip(3, limit=2.0)"
    assert repr(Scale(4)) == "Scale(4)"


def test_bad_arguments_give_clear_errors(rng):
    layer = PeriodicEmbedding(3, n_passthrough=2)
    for method in (layer.forward, layer.infer):
        with pytest.raises(ValueError, match=r"expects 5 input columns \(3 numeric features followed by 2 "
                                             r"passthrough columns\); got an input of shape \(4, 4\)"):
            method(np.zeros((4, 4)))
    with pytest.raises(InvalidParameterError, match="'sigma' parameter of PeriodicEmbedding must be a float in "
                                                    r"the range \(0, inf\). Got 0 instead"):
        PeriodicEmbedding(3, sigma=0)
    with pytest.raises(InvalidParameterError, match="sigma"):
        PeriodicEmbedding(3, sigma=-1.0)
    with pytest.raises(ValueError, match="Unknown activation 'rleu'.*'identity'.*'relu'"):
        PeriodicEmbedding(3, activation="rleu")
    for kwargs, name in (({"n_features": 0}, "n_features"), ({"n_features": 2, "n_passthrough": -1}, "n_passthrough"),
                         ({"n_features": 2, "n_frequencies": 0}, "n_frequencies"),
                         ({"n_features": 2, "embedding_size": 0}, "embedding_size"),
                         ({"n_features": 2, "include_input": 1}, "include_input"),
                         ({"n_features": 2.5}, "n_features")):
        with pytest.raises(InvalidParameterError, match=f"'{name}' parameter of PeriodicEmbedding"):
            PeriodicEmbedding(**kwargs)
    with pytest.raises(InvalidParameterError, match="'limit' parameter of SmoothClip"):
        SmoothClip(limit=0)
    with pytest.raises(InvalidParameterError, match="'n_features' parameter of SmoothClip"):
        SmoothClip(0)
    with pytest.raises(ValueError, match=r"SmoothClip\(3\) clips the first 3 columns, but its input has 2"):
        SmoothClip(3).forward(np.zeros((2, 2)))
    with pytest.raises(InvalidParameterError, match="'width' parameter of Scale"):
        Scale(0)
    with pytest.raises(ValueError, match=r"Scale\(3\) expects 3 input columns; got 2"):
        Scale(3).forward(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="expects 5 inputs, but the layers before it produce 4"):
        NeuralNetwork([Dense(3, 4), PeriodicEmbedding(3, n_passthrough=2)])


def _tabular_network(random_state=0):
    embedding = PeriodicEmbedding(3, n_passthrough=2, n_frequencies=8, embedding_size=4, sigma=0.5,
                                  include_input=True, random_state=random_state)
    return NeuralNetwork([SmoothClip(3), embedding, Dense(embedding.output_size, 16, random_state=random_state),
                          ReLU(), Dense(16, 1, random_state=random_state)],
                         loss="mse", optimizer=Adam(learning_rate=0.01), random_state=random_state)


def _tabular_data(rng, n=200):
    numeric = rng.randn(n, 3)
    category = rng.randint(0, 2, n)
    x = np.column_stack([numeric, np.eye(2)[category]])
    y = (np.sin(3 * numeric[:, 0]) + numeric[:, 1] ** 2 + category)[:, None]
    return x, y


def test_a_network_of_these_layers_trains_and_pickles(rng):
    x, y = _tabular_data(rng)
    net = _tabular_network()
    before = net.compute_loss(x, y)
    losses = net.fit(x, y, batch_size=32, epochs=30)
    assert losses[-1] < 0.5 * losses[0] and net.compute_loss(x, y) < 0.5 * before
    copy = pickle.loads(pickle.dumps(net))
    np.testing.assert_array_equal(copy.output(x), net.output(x))
    assert copy.layers[1]._scratch is None
    assert np.shares_memory(copy.layers[1].frequencies, copy.params)
    copy.fit(x, y, batch_size=32, epochs=1)  # and it trains on


def test_prediction_in_chunks_equals_forward(rng, monkeypatch):
    import skneural.nn.inference as inference

    x, y = _tabular_data(rng, 600)
    net = _tabular_network()
    net.fit(x, y, batch_size=64, epochs=2)
    expected = x
    for layer in net.layers:
        expected = layer.forward(expected)
    monkeypatch.setattr(inference, "_CHUNK_BYTES", 8 * 20 * 256)  # chunks of 256 rows
    np.testing.assert_allclose(net.output(x), expected, rtol=1e-12, atol=1e-12)


def test_the_networks_weights_are_the_dense_layers_only():
    net = _tabular_network()
    dense = [layer for layer in net.layers if isinstance(layer, Dense)]
    assert len(net.weights) == len(net.biases) == 2
    for w, b, layer in zip(net.weights, net.biases, dense):
        assert w is layer.weights and b is layer.bias
    embedding = net.layers[1]
    size = embedding.frequencies.size + embedding.embedding_weights.size + embedding.embedding_bias.size
    assert net.params.size == size + sum(w.size + b.size for w, b in zip(net.weights, net.biases))


def test_the_layers_are_exported():
    assert skneural.PeriodicEmbedding is PeriodicEmbedding and skneural.Scale is Scale
    assert skneural.SmoothClip is SmoothClip
    assert {"PeriodicEmbedding", "Scale", "SmoothClip"} <= set(skneural.__all__) & set(skneural.layers.__all__)
