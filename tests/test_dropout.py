"""Dropout inside networks: exact gradients through a fixed mask with every output activation and
loss pairing, the identity in evaluation and prediction, reproducible masks of the documented
statistics, and rate 0 training exactly as no dropout layer at all."""

import pickle

import numpy as np
import pytest

from skneural import NeuralNetwork, check_gradients
from skneural.components.params import InvalidParameterError
from skneural.layers import BatchNorm, Dense, Dropout, Softmax, Tanh
from skneural.optimizers import Adam

from training_cases import PAIRINGS



def make_network(pairing, rate=0.4, dropout=True, batch_norm=False, alpha=0.0, optimizer="sgd"):
    activation, loss, m, _ = PAIRINGS[pairing]
    layers = [Dense(4, 6, random_state=0), *([BatchNorm(6)] if batch_norm else []), Tanh(),
              *([Dropout(rate, random_state=3)] if dropout else []), Dense(6, m, random_state=1), activation()]
    return NeuralNetwork(layers, loss=loss, alpha=alpha, optimizer=optimizer, random_state=0)


def dropout_of(net):
    return next(layer for layer in net.layers if isinstance(layer, Dropout))


@pytest.mark.parametrize("batch_norm", [False, True])
@pytest.mark.parametrize("pairing", sorted(PAIRINGS))
def test_gradients_through_a_fixed_mask_match_finite_differences(pairing, batch_norm):
    rng = np.random.RandomState(1)
    x, y = rng.randn(10, 4), PAIRINGS[pairing][3](rng, 10)
    net = make_network(pairing, batch_norm=batch_norm)
    layer = dropout_of(net)
    layer.fixed_mask = layer.draw_mask((10, 6))
    assert 0 < layer.fixed_mask.sum() < layer.fixed_mask.size
    assert check_gradients(net, x, y) < 1e-6
    assert check_gradients(net, x, y, sample_weight=rng.uniform(0.1, 2.0, 10)) < 1e-6
    np.testing.assert_array_equal(layer.mask, layer.fixed_mask)


@pytest.mark.parametrize("pairing", ["softmax+categorical_crossentropy", "identity+huber"])
def test_dropout_adds_nothing_to_the_penalty(pairing):
    rng = np.random.RandomState(2)
    x, y = rng.randn(8, 4), PAIRINGS[pairing][3](rng, 8)
    net = make_network(pairing)
    layer = dropout_of(net)
    layer.fixed_mask = layer.draw_mask((8, 6))
    assert layer.param_names == () and layer.penalized == () and layer.state_names == ()
    plain, _ = net.loss_and_gradient(x, y)
    net.alpha = 0.5
    loss, _ = net.loss_and_gradient(x, y)
    assert loss - plain == pytest.approx(0.25 * sum(np.sum(w ** 2) for w in net.weights) / 8, rel=1e-9)
    assert check_gradients(net, x, y) < 1e-6


def test_the_mask_keeps_about_one_minus_rate_and_scales_the_kept_units(rng):
    layer = Dropout(0.3, random_state=1)  # not the stream of rng (seed 0), which draws x
    x = rng.uniform(1, 2, (400, 250))
    out = layer.forward(x)
    keep = layer.mask
    assert keep.dtype == bool and keep.shape == x.shape
    assert abs(keep.mean() - 0.7) < 0.005  # 100000 draws: the standard error is about 0.0015
    np.testing.assert_allclose(out[keep], x[keep] / 0.7, rtol=1e-15)
    assert np.all(out[~keep] == 0)
    grad = rng.randn(*x.shape)
    np.testing.assert_allclose(layer.backward(grad), np.where(keep, grad / 0.7, 0), rtol=1e-15)
    assert abs(out.mean() / x.mean() - 1) < 0.01  # inverted dropout keeps the expected value
    layer.forward(x)
    assert not np.array_equal(layer.mask, keep)  # a new mask each forward


def test_masks_are_reproducible_from_the_seed(rng):
    x = rng.randn(20, 5)
    a, b = Dropout(0.5, random_state=7), Dropout(0.5, random_state=np.random.RandomState(7))
    for _ in range(3):
        np.testing.assert_array_equal(a.forward(x), b.forward(x))
    np.testing.assert_array_equal(Dropout(0.5, random_state=7).draw_mask((20, 5)),
                                  np.random.RandomState(7).random_sample((20, 5)) >= 0.5)


def test_evaluation_and_prediction_are_the_identity(rng):
    x, y = rng.randn(30, 4), rng.randint(0, 3, 30)
    net = make_network("softmax+categorical_crossentropy", rate=0.5)
    plain = make_network("softmax+categorical_crossentropy", dropout=False)
    np.testing.assert_array_equal(net.predict(x), plain.predict(x))  # in training mode too: prediction evaluates
    np.testing.assert_array_equal(net.predict(x), net.predict(x))
    assert net.compute_loss(x, np.eye(3)[y]) == plain.compute_loss(x, np.eye(3)[y])
    training_output = net.forward(x)[-1][1]
    assert not np.allclose(training_output, plain.forward(x)[-1][1])  # forward in training mode drops
    net.eval()
    np.testing.assert_array_equal(net.forward(x)[-1][1], plain.forward(x)[-1][1])
    assert dropout_of(net).mask is None
    net.fit(x, y, batch_size=10, epochs=2, categorical=True)
    plain.eval().fit(x, y, batch_size=10, epochs=2, categorical=True)
    np.testing.assert_array_equal(net.params, plain.params)  # evaluation mode trains without dropout


def test_rate_zero_trains_exactly_as_no_dropout_and_a_positive_rate_differently(rng):
    x, y = rng.randn(40, 4), rng.randint(0, 3, 40)
    histories, params = {}, {}
    for name, kwargs in {"none": dict(dropout=False), "zero": dict(rate=0.0), "half": dict(rate=0.5),
                         "half again": dict(rate=0.5)}.items():
        net = make_network("softmax+categorical_crossentropy", optimizer=Adam(learning_rate=0.01), **kwargs)
        histories[name] = net.fit(x, y, batch_size=8, epochs=3, categorical=True)
        params[name] = net.params
    assert histories["zero"] == histories["none"]
    np.testing.assert_array_equal(params["zero"], params["none"])
    assert histories["half"] != histories["none"] and not np.array_equal(params["half"], params["none"])
    assert histories["half again"] == histories["half"]  # same seeds, same masks
    np.testing.assert_array_equal(params["half again"], params["half"])


def test_infer_writes_into_out_and_keeps_nothing(rng):
    layer = Dropout(0.5, random_state=0)
    x = rng.randn(4, 3)
    copy = layer.infer(x)
    assert copy is not x and np.array_equal(copy, x)
    out = np.empty_like(x)
    assert layer.infer(x, out=out) is out and np.array_equal(out, x)
    assert layer.infer(x, out=x) is x and layer.inplace and layer.output_width(3) == 3
    assert layer.input is None and layer.mask is None


def test_a_fixed_mask_of_the_wrong_shape_is_refused(rng):
    layer = Dropout(0.5)
    layer.fixed_mask = np.ones((1, 3), bool)  # broadcasts over the rows
    np.testing.assert_array_equal(layer.forward(np.ones((4, 3))), 2 * np.ones((4, 3)))
    layer.fixed_mask = np.ones((4, 2), bool)
    with pytest.raises(ValueError, match=r"fixed_mask has shape \(4, 2\), which does not broadcast to the input's shape \(4, 3\)"):
        layer.forward(np.ones((4, 3)))


def test_settings_are_checked_shown_and_pickled(rng):
    for bad in (1.0, -0.1, "0.5"):
        with pytest.raises(InvalidParameterError, match=r"The 'rate' parameter of Dropout must be a float in the range \[0, 1\)"):
            Dropout(bad)
    layer = Dropout(0.25, random_state=0)
    assert repr(layer) == "Dropout(0.25)"
    layer.forward(rng.randn(3, 2))
    copy = pickle.loads(pickle.dumps(layer))
    assert copy.mask is None and copy.input is None and copy.rate == 0.25
    x = rng.randn(5, 2)
    np.testing.assert_array_equal(copy.forward(x), layer.forward(x))  # the random state travels with it


def test_training_with_dropout_end_to_end_reduces_the_loss(rng):
    y = rng.randint(0, 3, 150)
    x = np.eye(3, 4)[y] + 0.3 * rng.randn(150, 4)
    net = NeuralNetwork([Dense(4, 32, random_state=0), Tanh(), Dropout(0.3, random_state=0),
                         Dense(32, 3, random_state=1), Softmax()], loss="categorical_crossentropy",
                        optimizer=Adam(learning_rate=0.02), random_state=0)
    history = net.fit(x, y, batch_size=16, epochs=30, categorical=True)
    assert history[-1] < 0.4 * history[0]
    assert net.score(x, y, accuracy=True) > 0.95
