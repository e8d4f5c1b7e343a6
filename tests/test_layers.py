import pickle

import numpy as np
import pytest
import scipy.sparse as sp

from skneural import activations as A
from skneural import layers as Lyr
from skneural.layers import Activation, Dense


def test_dense_forward_and_backward_match_finite_differences(rng):
    layer = Dense(4, 3, random_state=0)
    assert layer.weights.shape == (4, 3) and layer.bias.shape == (1, 3)
    x = rng.randn(5, 4)
    np.testing.assert_allclose(layer.forward(x), x @ layer.weights + layer.bias)
    upstream = rng.randn(5, 3)
    input_grad = layer.backward(upstream)

    def objective():  # <output, upstream>: its gradient is what backward computes
        return np.sum(layer.infer(x) * upstream)

    h = 1e-6
    for array, grad in ((layer.weights, layer.d_weights), (layer.bias, layer.d_bias), (x, input_grad)):
        numeric = np.empty_like(array)
        for idx in np.ndindex(array.shape):
            original = array[idx]
            array[idx] = original + h
            upper = objective()
            array[idx] = original - h
            lower = objective()
            array[idx] = original
            numeric[idx] = (upper - lower) / (2 * h)
        np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_row_computed_alone_equals_the_row_computed_among_others(dtype, rng):
    layer = Dense(300, 64, random_state=0)
    layer.weights, layer.bias = layer.weights.astype(dtype), layer.bias.astype(dtype)
    x = rng.randn(20, 300).astype(dtype)
    together = layer.infer(x)
    alone = np.concatenate([layer.infer(x[i:i + 1]) for i in range(20)])
    np.testing.assert_array_equal(alone, together)
    out = np.empty((1, 64), dtype)
    assert layer.infer(x[:1], out=out) is out and np.array_equal(out, together[:1])


def test_first_layer_skips_the_input_gradient(rng):
    layer = Dense(3, 2, random_state=0)
    layer.needs_input_gradient = False
    layer.forward(rng.randn(4, 3))
    assert layer.backward(rng.randn(4, 2)) is None
    assert np.any(layer.d_weights != 0)


def test_dense_accepts_sparse_input(rng):
    layer = Dense(6, 2, random_state=0)
    dense_x = rng.randn(5, 6) * (rng.rand(5, 6) < 0.3)
    upstream = rng.randn(5, 2)
    out_dense = layer.forward(dense_x)
    layer.backward(upstream)
    d_dense = layer.d_weights.copy()
    out_sparse = layer.forward(sp.csr_matrix(dense_x))
    layer.backward(upstream)
    np.testing.assert_allclose(out_sparse, out_dense)
    np.testing.assert_allclose(layer.d_weights, d_dense)


def test_activation_layer_takes_every_form(rng):
    x = rng.randn(4, 3)
    upstream = rng.randn(4, 3)
    expected = upstream * (1 - np.tanh(x) ** 2)
    for layer in (
        Activation(np.tanh, lambda z: 1 - np.tanh(z) ** 2),  # the layer-list style: Activation(activation, activation_prime)
        Activation((np.tanh, lambda z: 1 - np.tanh(z) ** 2)),
        Activation("tanh"),
        Activation(A.Tanh()),
        Lyr.Tanh(),
    ):
        np.testing.assert_allclose(layer.forward(x), np.tanh(x))
        np.testing.assert_allclose(layer.backward(upstream), expected)


def test_named_activation_layers_wrap_their_component():
    assert isinstance(Lyr.LeakyReLU(alpha=0.3).activation, A.LeakyReLU)
    assert Lyr.LeakyReLU(alpha=0.3).activation.alpha == 0.3
    assert issubclass(Lyr.Softmax, Activation)
    assert repr(Lyr.Softmax()) == "Softmax()" and repr(Lyr.LeakyReLU(alpha=0.3)) == "LeakyReLU(alpha=0.3)"
    assert repr(Activation("softmax")) == "Activation(Softmax())"
    layer = pickle.loads(pickle.dumps(Lyr.ELU(alpha=0.5)))
    assert type(layer) is Lyr.ELU and layer.activation.alpha == 0.5


def test_the_layer_list_style_runs_on_batches(rng):
    network = [Dense(784, 40, random_state=0), Lyr.Tanh(), Dense(40, 10, random_state=1), Lyr.Softmax()]
    out = rng.rand(3, 784)
    for layer in network:
        out = layer.forward(out)
    assert out.shape == (3, 10)
    np.testing.assert_allclose(out.sum(axis=1), 1.0)
    grad = np.ones((3, 10))
    for layer in reversed(network):
        grad = layer.backward(grad)
    assert grad.shape == (3, 784)
    # the gradient of sum(softmax) is zero whatever the input
    np.testing.assert_allclose(grad, 0.0, atol=1e-12)


def test_bind_makes_parameters_views():
    layer = Dense(2, 3, random_state=0)
    weights, bias = layer.weights.copy(), layer.bias.copy()
    flat, grads = np.zeros(9), np.zeros(9)
    layer.bind([flat[:6].reshape(2, 3), flat[6:].reshape(1, 3)], [grads[:6].reshape(2, 3), grads[6:].reshape(1, 3)])
    np.testing.assert_array_equal(layer.weights, weights)
    np.testing.assert_array_equal(layer.bias, bias)
    assert np.shares_memory(layer.weights, flat) and np.shares_memory(layer.d_bias, grads)


def test_dense_rejects_bad_sizes():
    for bad in (0, -1, 2.5, True, "3"):
        with pytest.raises(ValueError, match=r"The 'input_size' parameter of Dense must be an int in the range \[1, inf\)"):
            Dense(bad, 3)


def test_dense_and_activation_declare_the_layer_protocol(rng):
    dense, act = Dense(4, 3, random_state=0), Lyr.Tanh()
    assert dense.param_names == ("weights", "bias") and dense.penalized == ("weights",)
    assert dense.state_names == () and dense.state == [] and dense.training
    assert dense.output_width(4) == 3 and act.output_width(7) == 7 and act.output_width(None) is None
    assert not dense.inplace and act.inplace
    assert dense.propagates_nonfinite_rows and not act.propagates_nonfinite_rows

    class Scaled(Dense):  # its own infer: nothing is assumed of what it computes
        def infer(self, input):
            return 2 * super().infer(input)

    assert not Scaled(4, 3).propagates_nonfinite_rows
    x = rng.randn(5, 4)
    out = np.empty((5, 3))
    assert dense.infer(x, out=out) is out
    np.testing.assert_array_equal(out, x @ dense.weights + dense.bias)
    h = out.copy()
    assert act.infer(out, out=out) is out  # in place
    np.testing.assert_array_equal(out, np.tanh(h))
    other = np.empty((5, 3))
    np.testing.assert_array_equal(act.infer(h, out=other), np.tanh(h))
    np.testing.assert_array_equal(act.infer(h), np.tanh(h))


def test_the_base_layer_defaults():
    layer = Lyr.Layer()
    assert layer.param_names == layer.penalized == layer.state_names == ()
    assert layer.training and not layer.inplace and not layer.propagates_nonfinite_rows
    assert layer.output_width(5) is None
