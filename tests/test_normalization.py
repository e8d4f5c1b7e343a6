"""BatchNorm and LayerNorm inside networks: exact gradients (batch statistics and running ones)
with every output activation and loss pairing, parameters left out of the L2 penalty, running
statistics by the documented formula, kept by save, load, pickle, astype and a failed epoch, and
prediction of a row alone equal to its prediction inside a batch."""

import copy
import pickle

import numpy as np
import pytest

from skneural import NeuralNetwork, check_gradients
from skneural.components.params import InvalidParameterError
from skneural.layers import BatchNorm, Dense, LayerNorm, Softmax, Tanh
from skneural.nn.parameters import split
from skneural.optimizers import SGD, Adam

from training_cases import PAIRINGS, nan_on_second_step



def norm_layer(kind, width):
    layer = BatchNorm(width, momentum=0.3) if kind == "batch" else LayerNorm(width)
    rng = np.random.RandomState(width)  # parameters and state away from their initial values
    layer.scale[...] = 1 + 0.3 * rng.randn(1, width)
    layer.shift[...] = 0.2 * rng.randn(1, width)
    if kind == "batch":
        layer.running_mean[...] = 0.3 * rng.randn(1, width)
        layer.running_var[...] = rng.uniform(0.5, 2.0, (1, width))
    return layer


def make_network(kind, pairing, alpha=0.0, before_output=False):
    activation, loss, m, _ = PAIRINGS[pairing]
    layers = [Dense(4, 6, random_state=0), norm_layer(kind, 6), Tanh(), Dense(6, m, random_state=1)]
    if before_output:
        layers.append(norm_layer(kind, m))
    return NeuralNetwork(layers + [activation()], loss=loss, alpha=alpha)


@pytest.mark.parametrize("before_output", [False, True], ids=["hidden", "before-output"])
@pytest.mark.parametrize("pairing", sorted(PAIRINGS))
@pytest.mark.parametrize("kind, mode", [("batch", "train"), ("batch", "eval"), ("layer", "train")])
def test_gradients_match_finite_differences(kind, mode, pairing, before_output):
    rng = np.random.RandomState(1)
    x, y = rng.randn(10, 4), PAIRINGS[pairing][3](rng, 10)
    net = make_network(kind, pairing, before_output=before_output).train(mode == "train")
    state = [np.copy(a) for layer in net.layers for a in layer.state]
    assert check_gradients(net, x, y) < 1e-6
    w = rng.uniform(0.1, 2.0, 10)
    assert check_gradients(net, x, y, sample_weight=w) < 1e-6
    for before, after in zip(state, (a for layer in net.layers for a in layer.state)):
        np.testing.assert_array_equal(before, after)  # the check puts the running statistics back


@pytest.mark.parametrize("pairing", ["softmax+categorical_crossentropy", "identity+mse"])
@pytest.mark.parametrize("kind", ["batch", "layer"])
def test_scale_and_shift_are_trained_but_not_penalized(kind, pairing):
    rng = np.random.RandomState(2)
    x, y = rng.randn(8, 4), PAIRINGS[pairing][3](rng, 8)
    net = make_network(kind, pairing, before_output=True)
    norm = net.layers[1]
    assert norm.param_names == ("scale", "shift") and norm.penalized == ()
    assert np.shares_memory(norm.scale, net.params) and not any(np.shares_memory(a, net.params) for a in norm.state)
    plain_loss, plain = net.loss_and_gradient(x, y)
    plain = plain.copy()
    alpha = 0.9
    net.alpha = alpha
    loss, grads = net.loss_and_gradient(x, y)
    dense = [net.layers[0], net.layers[3]]
    assert loss - plain_loss == pytest.approx(0.5 * alpha * sum(np.sum(d.weights ** 2) for d in dense) / 8, rel=1e-9)
    moved = np.zeros_like(net.params)
    views = split(net.layers, moved)
    for i in (0, 3):
        views[i][0][...] = alpha * net.layers[i].weights / 8
    np.testing.assert_allclose(grads - plain, moved, rtol=1e-9, atol=1e-15)
    assert np.any(net.layers[1].d_scale != 0) and np.any(net.layers[4].d_shift != 0)
    assert check_gradients(net, x, y) < 1e-6


def test_batchnorm_normalizes_with_batch_statistics_in_training_and_running_ones_in_evaluation(rng):
    x = 3 + 2 * rng.randn(20, 5)
    layer = BatchNorm(5)
    out = layer.forward(x)
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=0), 1 / (1 + 1e-5 / x.var(axis=0)), rtol=1e-12)
    np.testing.assert_allclose(layer.running_mean, 0.1 * x.mean(axis=0, keepdims=True))
    np.testing.assert_allclose(layer.running_var, 0.9 + 0.1 * x.var(axis=0, ddof=1, keepdims=True))
    layer.training = False
    expected = (x - layer.running_mean) / np.sqrt(layer.running_var + 1e-5)
    np.testing.assert_allclose(layer.forward(x), expected)
    np.testing.assert_array_equal(layer.forward(x), layer.infer(x))
    mean, var = layer.running_mean.copy(), layer.running_var.copy()
    layer.forward(x)  # evaluation mode leaves the running statistics alone
    np.testing.assert_array_equal(layer.running_mean, mean)
    np.testing.assert_array_equal(layer.running_var, var)


def test_batchnorm_on_a_batch_of_one_row(rng):
    layer = norm_layer("batch", 3)
    mean, var = layer.running_mean.copy(), layer.running_var.copy()
    row = rng.randn(1, 3)
    np.testing.assert_array_equal(layer.forward(row), layer.shift)  # normalized to 0
    np.testing.assert_array_equal(layer.backward(np.ones((1, 3))), 0)
    np.testing.assert_allclose(layer.running_mean, 0.7 * mean + 0.3 * row)
    np.testing.assert_array_equal(layer.running_var, var)  # one row estimates no variance
    # fit with a last batch of one row trains
    net = NeuralNetwork([Dense(4, 3, random_state=0), BatchNorm(3), Tanh(), Dense(3, 1, random_state=1)],
                        random_state=0)
    history = net.fit(rng.randn(9, 4), rng.randn(9, 1), batch_size=4, epochs=2)
    assert np.all(np.isfinite(history)) and np.all(np.isfinite(net.layers[1].running_var))


def test_layernorm_normalizes_each_row(rng):
    x = 5 + 3 * rng.randn(7, 6)
    layer = LayerNorm(6)
    out = layer.forward(x)
    np.testing.assert_allclose(out.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=1), 1 / (1 + 1e-5 / x.var(axis=1)), rtol=1e-12)
    layer.scale[...], layer.shift[...] = 2.0, -1.0
    np.testing.assert_allclose(layer.forward(x), 2 * out - 1)
    layer.training = False
    np.testing.assert_array_equal(layer.forward(x), layer.infer(x))
    assert layer.state == []


@pytest.mark.parametrize("kind", ["batch", "layer"])
def test_one_row_predicts_as_inside_a_batch(kind, rng):
    x, y = rng.randn(30, 4), rng.randint(0, 3, 30)
    net = make_network(kind, "softmax+categorical_crossentropy", before_output=True)
    net.fit(x, y, batch_size=8, epochs=3, categorical=True)  # in training mode: batch statistics
    whole = net.predict(x)
    for i in (0, 13, 29):
        np.testing.assert_allclose(net.predict(x[i:i + 1]), whole[i:i + 1], rtol=1e-12, atol=1e-15)
    norm, hidden = net.layers[1], net.layers[0].infer(x)
    kept = hidden.copy()
    expected = norm.infer(hidden)
    np.testing.assert_array_equal(hidden, kept)  # infer without out leaves its input alone
    out = np.empty_like(hidden)
    assert norm.infer(hidden, out=out) is out and norm.inplace
    np.testing.assert_array_equal(out, expected)
    assert norm.infer(hidden, out=hidden) is hidden  # over its input, as prediction's work arrays allow
    np.testing.assert_array_equal(hidden, expected)


def test_running_statistics_follow_the_documented_formula_over_the_batches_seen(rng):
    x, y = rng.randn(22, 4), rng.randn(22, 1)
    net = NeuralNetwork([Dense(4, 5, random_state=0), BatchNorm(5, momentum=0.25), Tanh(),
                         Dense(5, 1, random_state=1)], optimizer=SGD(learning_rate=0.05, momentum=0.0))
    dense, bn = net.layers[0], net.layers[1]
    mean, var = np.zeros((1, 5)), np.ones((1, 5))
    weights, bias = dense.weights.copy(), dense.bias.copy()
    net.fit(x, y, batch_size=8, epochs=1, shuffle=False)
    # replay the epoch: the first layer's output on each batch, with the weights of that step
    replay = NeuralNetwork([Dense(4, 5, random_state=0), BatchNorm(5, momentum=0.25), Tanh(),
                            Dense(5, 1, random_state=1)], optimizer=SGD(learning_rate=0.05, momentum=0.0))
    np.testing.assert_array_equal(replay.layers[0].weights, weights)
    for start in (0, 8, 16):  # batches of 8, 8 and 6 rows
        h = replay.layers[0].infer(x[start:start + 8])
        n = len(h)
        mean = 0.75 * mean + 0.25 * h.mean(axis=0, keepdims=True)
        var = 0.75 * var + 0.25 * h.var(axis=0, keepdims=True) * n / (n - 1)
        replay.train_batch(x[start:start + 8], y[start:start + 8])
    np.testing.assert_allclose(bn.running_mean, mean, rtol=1e-12)
    np.testing.assert_allclose(bn.running_var, var, rtol=1e-12)
    np.testing.assert_array_equal(replay.params, net.params)
    assert not np.array_equal(dense.weights, weights)
    np.testing.assert_allclose(dense.bias, bias, rtol=0, atol=1e-12)  # batch statistics cancel the bias before them


def test_running_statistics_survive_save_load_pickle_and_astype(rng, tmp_path):
    x, y = rng.randn(20, 4), rng.randint(0, 3, 20)
    net = make_network("batch", "softmax+categorical_crossentropy", before_output=True)
    net.fit(x, y, batch_size=5, epochs=2, categorical=True)
    net.save(tmp_path / "net.npz")
    with np.load(tmp_path / "net.npz") as stored:
        assert {"1_running_mean", "1_running_var", "4_running_var", "1_scale", "1_shift"} <= set(stored.files)
    other = make_network("batch", "softmax+categorical_crossentropy", before_output=True).load(tmp_path / "net.npz")
    for copy_ in (other, pickle.loads(pickle.dumps(net)), copy.deepcopy(net)):
        for i in (1, 4):
            np.testing.assert_array_equal(copy_.layers[i].running_mean, net.layers[i].running_mean)
            np.testing.assert_array_equal(copy_.layers[i].running_var, net.layers[i].running_var)
        np.testing.assert_array_equal(copy_.params, net.params)
        np.testing.assert_array_equal(copy_.output(x), net.output(x))
    assert np.shares_memory(pickle.loads(pickle.dumps(net)).layers[1].scale, net.params) is False
    single = net.astype(np.float32)
    for a in (*single.layers[1].state, single.layers[1].scale, single.layers[4].running_var):
        assert a.dtype == np.float32
    out = single.output(x.astype(np.float32))
    assert out.dtype == np.float32
    single.fit(x.astype(np.float32), y, batch_size=5, epochs=1, categorical=True)
    assert single.layers[1].running_mean.dtype == np.float32 and single.layers[1].running_var.dtype == np.float32


def test_a_failed_epoch_puts_the_running_statistics_back(rng):
    x, y = rng.randn(12, 4), rng.randint(0, 3, 12)
    net = make_network("batch", "softmax+categorical_crossentropy")
    bn = net.layers[1]
    before = [a.copy() for a in bn.state]
    net.optimizer, calls = nan_on_second_step()
    with pytest.raises(ValueError, match="non-finite"):
        net.fit(x, y, batch_size=4, epochs=1, categorical=True)
    assert len(calls) >= 2
    for a, b in zip(bn.state, before):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("kind", ["batch", "layer"])
def test_training_end_to_end_reduces_the_loss(kind, rng):
    y = rng.randint(0, 3, 120)
    x = (np.eye(3, 4)[y] + 0.3 * rng.randn(120, 4)) * [1, 10, 3, 0.1] + [0, 5, -5, 2]  # differently scaled
    net = NeuralNetwork([Dense(4, 16, random_state=0), norm_layer(kind, 16), Tanh(), Dense(16, 3, random_state=1),
                         Softmax()], loss="categorical_crossentropy", optimizer=Adam(learning_rate=0.02),
                        random_state=0)
    history = net.fit(x, y, batch_size=16, epochs=30, categorical=True)
    assert history[-1] < 0.25 * history[0]
    assert net.score(x, y, accuracy=True) > 0.95


def test_settings_are_checked_and_shown():
    assert repr(BatchNorm(4)) == "BatchNorm(4)" and repr(LayerNorm(3)) == "LayerNorm(3)"
    assert repr(BatchNorm(4, momentum=0.2, epsilon=1e-3)) == "BatchNorm(4, momentum=0.2, epsilon=0.001)"
    with pytest.raises(InvalidParameterError, match=r"The 'width' parameter of BatchNorm must be an int in the range \[1, inf\)"):
        BatchNorm(0)
    with pytest.raises(InvalidParameterError, match=r"The 'momentum' parameter of BatchNorm must be a float in the range \[0, 1\]"):
        BatchNorm(3, momentum=1.5)
    with pytest.raises(InvalidParameterError, match=r"The 'epsilon' parameter of LayerNorm must be a float in the range \(0, inf\)"):
        LayerNorm(3, epsilon=0)
    with pytest.raises(ValueError, match=r"Layer 1 \(BatchNorm\(5\)\) expects 5 inputs, but the layers before it produce 6"):
        NeuralNetwork([Dense(4, 6), BatchNorm(5)])
    net = NeuralNetwork([BatchNorm(4), Dense(4, 2)])
    assert net.n_inputs == 4 and net.weights == [net.layers[1].weights]


def test_skneurals_normalizing_and_dropout_layers_are_not_blamed_for_divergence(rng):
    from skneural.layers import Dropout

    x, y = rng.randn(32, 4), 1e6 * rng.randn(32, 1)
    net = NeuralNetwork([Dense(4, 6, random_state=0), BatchNorm(6), LayerNorm(6), Dropout(0.2, random_state=0),
                         Dense(6, 1, random_state=1)], optimizer=SGD(learning_rate=10.0, momentum=0.0))
    with pytest.raises(ValueError) as error:
        net.fit(x, y, batch_size=8, epochs=20)
    message = str(error.value)
    assert "non-finite" in message or "diverge" in message.lower()
    assert "BatchNorm" not in message and "LayerNorm" not in message and "Dropout" not in message
    # the replay trusts them by exact type, as it trusts Dense: a subclass (with a forward of its own) is the user's
    from skneural.nn.diagnose import _BUILTIN_LAYERS

    assert {BatchNorm, LayerNorm, Dropout} <= _BUILTIN_LAYERS
    assert type("MyNorm", (BatchNorm,), {}) not in _BUILTIN_LAYERS
