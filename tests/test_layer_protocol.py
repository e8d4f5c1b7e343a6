"""A layer written against the Layer protocol, inside a NeuralNetwork: trainable parameters (some
penalized), non-trainable state, the training and evaluation modes, and prediction into the
network's work arrays."""

import pickle

import numpy as np
import pytest

from skneural import NeuralNetwork, check_gradients
from skneural.components import register, unregister
from skneural.components.activations import ActivationFunction
from skneural.layers import Dense, Layer, Softmax, Tanh
from skneural.nn.parameters import split
from skneural.optimizers import SGD

from training_cases import nan_on_second_step


class Centre(Layer):
    """``scale * (x - mean) + shift`` per feature: ``mean`` is the batch's mean in training mode
    (``running_mean`` then moves toward it) and ``running_mean`` in evaluation mode."""

    param_names = ("scale", "shift")
    state_names = ("running_mean",)

    def __init__(self, width, penalize_scale=False, momentum=0.5, rng=None):
        super().__init__()
        rng = np.random.RandomState(0) if rng is None else rng
        self.width, self.momentum = width, momentum
        self.penalized = ("scale",) if penalize_scale else ()
        self.scale = 1 + 0.5 * rng.randn(1, width)
        self.shift = 0.1 * rng.randn(1, width)
        self.running_mean = 0.2 * rng.randn(1, width)
        self.d_scale, self.d_shift = np.zeros((1, width)), np.zeros((1, width))
        self.out_given = []  # what infer was given as out, for the tests

    def forward(self, input):
        self.batch_statistics = self.training
        if self.training:
            mean = input.mean(axis=0, keepdims=True)
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mean
        else:
            mean = self.running_mean
        self.input, self.centred = input, input - mean
        return self.scale * self.centred + self.shift

    def backward(self, output_gradient):
        self.d_scale[...] = np.sum(output_gradient * self.centred, axis=0, keepdims=True)
        self.d_shift[...] = np.sum(output_gradient, axis=0, keepdims=True)
        grad = output_gradient * self.scale
        if self.batch_statistics:  # every row's input moves the batch's mean
            grad -= grad.mean(axis=0, keepdims=True)
        return grad

    def infer(self, input, out=None):
        self.out_given.append(out is not None)
        out = np.subtract(input, self.running_mean, out=out)
        out *= self.scale
        out += self.shift
        return out

    def output_width(self, input_width):
        return input_width

    def __repr__(self):
        return f"Centre({self.width})"


def network(penalize_scale=False, alpha=0.0, optimizer="sgd"):
    return NeuralNetwork([Dense(3, 5, random_state=0), Centre(5, penalize_scale), Tanh(),
                          Dense(5, 3, random_state=1), Softmax()],
                         loss="categorical_crossentropy", optimizer=optimizer, alpha=alpha)


@pytest.fixture
def data(rng):
    return rng.randn(12, 3), rng.randint(0, 3, 12)


def test_the_parameters_are_views_and_the_state_is_not_among_them():
    net = network()
    centre = net.layers[1]
    assert net.params.size == (3 * 5 + 5) + 2 * 5 + (5 * 3 + 3)
    assert np.shares_memory(centre.scale, net.params) and np.shares_memory(centre.d_shift, net.grads)
    assert not np.shares_memory(centre.running_mean, net.params)
    assert centre.state == [centre.running_mean]
    assert [len(w) for w in net.weights] == [3, 5] and len(net.biases) == 2  # the Dense layers' only


@pytest.mark.parametrize("mode", ["train", "eval"])
@pytest.mark.parametrize("penalize_scale", [False, True])
@pytest.mark.parametrize("alpha", [0.0, 0.3])
def test_backprop_matches_central_differences(data, mode, penalize_scale, alpha):
    x, y = data
    net = getattr(network(penalize_scale, alpha), mode)()
    before = net.layers[1].running_mean.copy()
    assert check_gradients(net, x, y, categorical=True) < 1e-6
    np.testing.assert_array_equal(net.layers[1].running_mean, before)  # the check puts the state back


@pytest.mark.parametrize("penalize_scale", [False, True])
def test_the_penalty_applies_exactly_to_the_penalized_parameters(data, penalize_scale):
    x, y = data
    y = np.eye(3)[y]
    net = network(penalize_scale)
    dense, centre, output_dense = net.layers[0], net.layers[1], net.layers[3]
    plain_loss, plain_grads = net.loss_and_gradient(x, y)
    plain_grads = plain_grads.copy()
    alpha, n = 0.7, len(x)
    penalized = [dense.weights, output_dense.weights] + ([centre.scale] if penalize_scale else [])
    expected = 0.5 * alpha * sum(np.sum(p ** 2) for p in penalized) / n
    net.alpha = alpha
    loss, grads = net.loss_and_gradient(x, y)
    assert loss - plain_loss == pytest.approx(expected, rel=1e-9)
    # the gradient moves by alpha * p / n where p is penalized, and nowhere else
    moved = np.zeros_like(net.params)
    moved_views = split(net.layers, moved)
    for views, p in ((moved_views[0][0], dense.weights), (moved_views[3][0], output_dense.weights),
                     *([(moved_views[1][0], centre.scale)] if penalize_scale else [])):
        views[...] = alpha * p / n
    np.testing.assert_allclose(grads - plain_grads, moved, rtol=1e-9, atol=1e-15)
    assert check_gradients(net, x, y) < 1e-6
    net.eval()  # compute_loss evaluates: the same objective as loss_and_gradient's in evaluation mode
    assert net.compute_loss(x, y) == net.loss_and_gradient(x, y)[0]


def test_a_layer_declaring_unknown_penalized_or_state_names_is_refused():
    bad = Centre(5)
    bad.penalized = ("weights",)
    with pytest.raises(ValueError, match=r"penalizes \['weights'\], which are not among its param_names"):
        NeuralNetwork([Dense(3, 5), bad])
    bad = Centre(5)
    bad.state_names = ("scale",)
    with pytest.raises(ValueError, match=r"lists \['scale'\] both in param_names and in state_names"):
        NeuralNetwork([Dense(3, 5), bad])


def test_the_state_is_saved_and_loaded_with_the_parameters(data, tmp_path):
    x, y = data
    net = network()
    net.fit(x, y, batch_size=4, epochs=2, categorical=True)
    path = tmp_path / "net.npz"
    net.save(path)
    with np.load(path) as stored:
        assert "1_running_mean" in stored.files and "1_scale" in stored.files
        np.testing.assert_array_equal(stored["1_running_mean"], net.layers[1].running_mean)
    other = network().load(path)
    np.testing.assert_array_equal(other.params, net.params)
    np.testing.assert_array_equal(other.layers[1].running_mean, net.layers[1].running_mean)
    np.testing.assert_array_equal(other.output(x), net.output(x))
    np.savez(tmp_path / "old.npz", **{k: v for k, v in np.load(path).items() if k != "1_running_mean"})
    with pytest.raises(ValueError, match="build the network with the architecture it was saved from"):
        network().load(tmp_path / "old.npz")


def test_the_optimizer_never_touches_the_state(data):
    x, y = data
    net = network(optimizer=SGD(learning_rate=0.1, momentum=0.0)).eval()
    centre = net.layers[1]
    state, params = centre.running_mean.copy(), net.params.copy()
    net.fit(x, y, batch_size=4, epochs=3, categorical=True)  # in evaluation mode: the state is left alone
    assert not np.array_equal(net.params, params)
    np.testing.assert_array_equal(centre.running_mean, state)
    net.train().fit(x, y, batch_size=4, epochs=1, categorical=True)  # in training mode forward moves it
    assert not np.array_equal(centre.running_mean, state)


def test_the_mode_changes_forward_while_infer_always_evaluates(data):
    x, _ = data
    net = network()
    centre = net.layers[1]
    assert all(layer.training for layer in net.layers)
    hidden = net.layers[0].infer(x)
    state = centre.running_mean.copy()
    evaluated = centre.scale * (hidden - state) + centre.shift

    trained = net.forward(x)[1][1]  # training mode: the batch's own mean
    np.testing.assert_allclose(trained, centre.scale * (hidden - hidden.mean(axis=0)) + centre.shift)
    np.testing.assert_allclose(centre.running_mean, 0.5 * state + 0.5 * hidden.mean(axis=0, keepdims=True))

    centre.running_mean = state.copy()
    assert net.eval() is net and not any(layer.training for layer in net.layers)
    np.testing.assert_allclose(net.forward(x)[1][1], evaluated)
    np.testing.assert_array_equal(centre.running_mean, state)

    for mode in (net.train, net.eval):  # infer, output and compute_loss evaluate whatever the mode
        mode()
        np.testing.assert_allclose(centre.infer(hidden), evaluated)
        expected = net.layers[4].infer(net.layers[3].infer(np.tanh(evaluated)))
        np.testing.assert_allclose(net.output(x), expected)
        np.testing.assert_array_equal(centre.running_mean, state)


def test_chunked_inference_equals_the_unchunked_result(rng, monkeypatch):
    import skneural.nn.inference as inference

    net = network()
    net.fit(rng.randn(40, 3), rng.randint(0, 3, 40), batch_size=8, epochs=2, categorical=True)
    x = rng.randn(1000, 3)
    centre = net.layers[1]
    logits = x
    for layer in net.layers[:-1]:  # each layer on its own, unchunked, with arrays of its own
        logits = layer.infer(logits)
    expected = net.layers[-1].infer(logits.copy())
    centre.out_given.clear()
    whole = net.output(x)
    assert centre.out_given == [True]  # one chunk, and a work array of the network's for the output
    np.testing.assert_array_equal(whole, expected)

    monkeypatch.setattr(inference, "_CHUNK_BYTES", 5 * 8 * 256)  # chunks of 256 rows
    seen = []
    real = inference.infer_rows
    monkeypatch.setattr(inference, "infer_rows", lambda rows, *args: seen.append(len(rows)) or real(rows, *args))
    np.testing.assert_array_equal(net.output(x), expected)
    assert seen == [256, 256, 256, 232]
    np.testing.assert_array_equal(net.logits(x), logits)


def test_pickling_keeps_the_state_and_the_mode(data):
    x, y = data
    net = network()
    net.fit(x, y, batch_size=4, epochs=1, categorical=True)
    net.eval()
    copy = pickle.loads(pickle.dumps(net))
    assert not copy.layers[1].training
    np.testing.assert_array_equal(copy.layers[1].running_mean, net.layers[1].running_mean)
    np.testing.assert_array_equal(copy.output(x), net.output(x))
    assert np.shares_memory(copy.layers[1].scale, copy.params)


def test_astype_converts_the_state(data):
    x, _ = data
    net = network().astype(np.float32)
    assert net.layers[1].running_mean.dtype == np.float32 and net.params.dtype == np.float32
    assert net.output(x.astype(np.float32)).dtype == np.float32


# -- which layers and components the replay of a non-finite epoch blames -------------------------


class NaNDense(Dense):
    """A Dense subclass with a forward of its own that makes nan: a user's layer."""

    def forward(self, input):
        out = super().forward(input)
        out[0, 0] = np.nan
        return out


class SquareRoot(ActivationFunction):
    """A user's activation, registered under a name: nan for negative inputs."""

    def __call__(self, x):
        return np.sqrt(x)

    def derivative(self, x):
        return 0.5 / np.sqrt(x)


def test_a_dense_subclass_with_its_own_forward_is_blamed(data):
    x, y = data
    net = NeuralNetwork([NaNDense(3, 4, random_state=0), Tanh(), Dense(4, 3, random_state=1), Softmax()],
                        loss="categorical_crossentropy")
    with pytest.raises(ValueError, match=r"Layer Dense\(3, 4\) returned nan for finite inputs in epoch 1, batch 1 "
                                         r"\(layer 0\): fix the layer's forward"):
        net.fit(x, y, batch_size=4, categorical=True)


def test_a_registered_activation_is_blamed_like_any_users(data):
    x, y = data
    register("activation", "square_root", SquareRoot)
    try:
        net = NeuralNetwork([3, 4, 3], "square_root", "softmax", "categorical_crossentropy", random_state=0)
        with pytest.raises(ValueError, match=r"Activation SquareRoot\(\) returned nan for finite inputs"):
            net.fit(x, y, batch_size=4, categorical=True)
    finally:
        unregister("activation", "square_root")


def test_a_failed_epoch_puts_the_layers_state_back(data):
    x, y = data
    net = network()
    before = net.layers[1].running_mean.copy()
    net.optimizer, calls = nan_on_second_step()  # nan from the second step on (the replay comes later)
    with pytest.raises(ValueError, match="non-finite"):
        net.fit(x, y, batch_size=4, epochs=1, categorical=True)
    assert len(calls) >= 2  # the second batch ran (and moved the running mean) before the failure
    np.testing.assert_array_equal(net.layers[1].running_mean, before)


class _NoGradient(Layer):
    """A layer (without parameters) whose backward wrongly returns nothing."""

    def forward(self, input):
        return input

    def backward(self, output_gradient):
        return None


def test_a_layer_returning_no_gradient_where_one_is_needed_is_a_clear_error(rng):
    layers = [Dense(2, 3, random_state=0), _NoGradient(), Dense(3, 1, random_state=1)]
    net = NeuralNetwork(layers, loss="mse")
    assert [layer.needs_input_gradient for layer in layers] == [False, True, True]
    layers[0].d_weights[...] = 7.0
    with pytest.raises(TypeError, match=r"_NoGradient\(\)\.backward returned None, but the layers before it"):
        net.loss_and_gradient(rng.randn(5, 2), rng.randn(5, 1))
    # before the first layer with parameters, nothing is needed from it: backpropagation ends there
    first = NeuralNetwork([_NoGradient(), Dense(2, 1, random_state=0)], loss="mse")
    assert check_gradients(first, rng.randn(5, 2), rng.randn(5, 1)) < 1e-6
