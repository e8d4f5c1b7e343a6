import pickle
import signal

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from conftest import softmax_pair
import scipy.sparse as sp

from skneural import SGD, Adam, MeanSquaredError, NeuralNetwork, check_gradients, to_categorical
from skneural import activations as A
from skneural.layers import Dense, Layer, Softmax, Tanh

HIDDEN = ["identity", "relu", "leaky_relu", "tanh", "sigmoid", "elu", "softplus", "exp"]
# (output activation, loss, targets maker): every loss with the outputs it pairs with,
# fused pairs and general (Jacobian or elementwise) ones alike.
PAIRS = [
    ("softmax", "categorical_crossentropy", "onehot"),
    ("softmax", "mse", "onehot"),
    ("softmax", "squared_error", "onehot"),
    ("sigmoid", "binary_crossentropy", "binary"),
    ("sigmoid", "mse", "binary"),
    ("identity", "mse", "real"),
    ("identity", "squared_error", "real"),
    ("identity", "huber", "real"),
    ("tanh", "huber", "real"),
    ("exp", "poisson", "counts"),
    ("softplus", "poisson", "counts"),
]


def make_targets(kind, rng, n, m):
    if kind == "onehot":
        return np.eye(m)[rng.randint(0, m, n)]
    if kind == "binary":
        return rng.randint(0, 2, (n, m)).astype(float)
    if kind == "counts":
        return rng.poisson(1.5, (n, m)).astype(float)
    return rng.randn(n, m)


@pytest.fixture(scope="module")
def digits():
    x, y = load_digits(return_X_y=True)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, stratify=y, random_state=0)
    scaler = StandardScaler().fit(x_train)
    return scaler.transform(x_train), scaler.transform(x_test), y_train, y_test


# -- shapes, initialisation, flat parameters -----------------------------------------


def test_shapes_follow_the_original_contract(rng):
    net = NeuralNetwork([5, 10, 2], random_state=0)
    assert [w.shape for w in net.weights] == [(5, 10), (10, 2)]
    assert [b.shape for b in net.biases] == [(1, 10), (1, 2)]
    x = rng.randn(7, 5)
    io = net.forward(x)
    assert len(io) == 4 and io[0][0] is x
    assert [pair[1].shape for pair in io] == [(7, 10), (7, 10), (7, 2), (7, 2)]
    d_weights, d_biases = net.backward(io, rng.randn(7, 2))
    assert [d.shape for d in d_weights] == [(5, 10), (10, 2)]
    assert [d.shape for d in d_biases] == [(1, 10), (1, 2)]
    assert net.predict(x).shape == (7, 2)


def test_initialisation_statistics():
    net = NeuralNetwork([400, 600, 1], random_state=0)
    w = net.weights[0]
    sigma = np.sqrt(1 / (400 + 600))
    assert abs(w.mean()) < 3 * sigma / np.sqrt(w.size)
    assert w.std() == pytest.approx(sigma, rel=0.01)
    assert net.biases[0].std() == pytest.approx(sigma, rel=0.15)
    assert net.weights[1].std() == pytest.approx(np.sqrt(1 / 601), rel=0.15)


def test_same_random_state_same_network():
    a = NeuralNetwork([4, 6, 3], random_state=42)
    b = NeuralNetwork([4, 6, 3], random_state=42)
    c = NeuralNetwork([4, 6, 3], random_state=43)
    np.testing.assert_array_equal(a.params, b.params)
    assert not np.array_equal(a.params, c.params)


def test_flatten_restore_is_the_identity_without_copies(rng):
    net = NeuralNetwork([3, 4, 2], random_state=0)
    assert net.params.size == 3 * 4 + 4 + 4 * 2 + 2
    for array in net.weights + net.biases:
        assert np.shares_memory(array, net.params)
    assert net.flatten_params() is net.params
    np.testing.assert_array_equal(net.flatten_params(net.weights, net.biases), net.params)
    weights, biases = net.restore_params(net.params)
    for restored, live in zip(weights + biases, net.weights + net.biases):
        assert np.shares_memory(restored, net.params)
        np.testing.assert_array_equal(restored, live)
    net.params[0] = 123.0
    assert net.weights[0][0, 0] == 123.0
    # updates happen in place: after training the layers still view the same vector
    params = net.params
    net.fit(rng.randn(8, 3), rng.randn(8, 2), batch_size=4, epochs=2)
    assert net.params is params and np.shares_memory(net.weights[1], params)
    for array in net.backward(net.forward(rng.randn(2, 3)), rng.randn(2, 2))[0]:
        assert np.shares_memory(array, net.grads)


# -- gradients -----------------------------------------------------------------------


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("output, loss, targets", PAIRS)
def test_network_gradient_matches_finite_differences(hidden, output, loss, targets):
    rng = np.random.RandomState(1)
    net = NeuralNetwork([4, 5, 3, 3], hidden, output, loss, random_state=0)
    x = rng.randn(6, 4)
    y = make_targets(targets, rng, 6, 3)
    assert check_gradients(net, x, y) < 1e-6


def test_gradient_check_catches_a_wrong_derivative(rng):
    wrong = (np.tanh, lambda x: 1 - np.tanh(x))  # should be 1 - tanh(x)**2
    net = NeuralNetwork([3, 4, 2], wrong, "identity", "mse", random_state=0)
    assert check_gradients(net, rng.randn(5, 3), rng.randn(5, 2)) > 1e-2


def test_sample_weighted_gradient_matches_finite_differences(rng):
    net = NeuralNetwork([3, 4, 2], "tanh", "softmax", "categorical_crossentropy", random_state=0)
    weights = rng.uniform(0.1, 3, 6)
    assert check_gradients(net, rng.randn(6, 3), rng.randint(0, 2, 6), weights, categorical=True) < 1e-6


@pytest.mark.parametrize("output, loss, targets", [
    ("softmax", "categorical_crossentropy", "onehot"),
    ("sigmoid", "binary_crossentropy", "binary"),
    ("exp", "poisson", "counts"),
])
def test_fused_and_general_paths_give_the_same_gradient(output, loss, targets, rng, monkeypatch):
    x = rng.randn(8, 4)
    y = make_targets(targets, rng, 8, 3)
    fused = NeuralNetwork([4, 5, 3], "tanh", output, loss, random_state=0)
    component = fused.layers[-1].activation
    calls = []

    def jacobians(z):
        calls.append(1)
        return component.jacobian(z)

    general = NeuralNetwork([4, 5, 3], "tanh", (component, jacobians), loss, random_state=0)  # a plain pair
    np.testing.assert_array_equal(fused.params, general.params)
    general_loss, general_grad = general.loss_and_gradient(x, y)
    general_grad = general_grad.copy()
    assert calls, "the general path must use the Jacobians"

    def no_jacobians(self, z):
        raise AssertionError("the fused path must not build Jacobians")

    monkeypatch.setattr(type(component), "derivative", no_jacobians)
    monkeypatch.setattr(type(component), "jacobian", no_jacobians)
    fused_loss, fused_grad = fused.loss_and_gradient(x, y)
    assert fused_loss == pytest.approx(general_loss, rel=1e-12)
    np.testing.assert_allclose(fused_grad, general_grad, rtol=1e-9, atol=1e-12)


def test_custom_row_wise_output_trains_through_jacobians(rng):
    x = rng.randn(60, 2)
    y = (x[:, 0] * x[:, 1] > 0).astype(int)
    net = NeuralNetwork([2, 16, 2], "tanh", softmax_pair(), "categorical_crossentropy",
                        Adam(learning_rate=0.05), random_state=0)
    assert check_gradients(net, x[:10], y[:10], categorical=True) < 1e-6
    history = net.fit(x, y, batch_size=20, epochs=150, categorical=True)
    assert history[-1] < 0.5 * history[0]
    assert net.score(x, y, accuracy=True) > 0.9


def test_l2_penalty_value_and_gradient(rng):
    x, y = rng.randn(6, 3), rng.randn(6, 2)
    plain = NeuralNetwork([3, 4, 2], "tanh", "identity", "squared_error", random_state=0)
    penalised = NeuralNetwork([3, 4, 2], "tanh", "identity", "squared_error", random_state=0, alpha=0.3)
    weights = rng.uniform(0.5, 2, 6)
    expected = plain.compute_loss(x, y, weights) + 0.5 * 0.3 * sum(np.sum(w**2) for w in plain.weights) / weights.sum()
    assert penalised.compute_loss(x, y, weights) == pytest.approx(expected)
    assert check_gradients(penalised, x, y, weights) < 1e-6
    _, grad = penalised.loss_and_gradient(x, y)
    _, bias_grad = penalised.restore_params(grad)
    _, plain_bias_grad = plain.restore_params(plain.loss_and_gradient(x, y)[1])
    np.testing.assert_allclose(bias_grad[0], plain_bias_grad[0])  # biases are not penalised


def test_gradient_is_of_the_average_loss(rng):
    net = NeuralNetwork([3, 4, 2], "relu", "identity", "mse", random_state=0)
    x, y = rng.randn(5, 3), rng.randn(5, 2)
    loss, grad = net.loss_and_gradient(x, y)
    grad = grad.copy()
    loss2, grad2 = net.loss_and_gradient(np.vstack([x, x, x]), np.vstack([y, y, y]))
    assert loss2 == pytest.approx(loss)
    np.testing.assert_allclose(grad2, grad, rtol=1e-12)
    # weight 2 is the same as the sample repeated
    loss_w, grad_w = net.loss_and_gradient(x, y, np.array([2.0, 1, 1, 1, 1]))
    loss_r, grad_r = net.loss_and_gradient(np.vstack([x, x[:1]]), np.vstack([y, y[:1]]))
    assert loss_w == pytest.approx(loss_r)
    np.testing.assert_allclose(grad_w, grad_r, rtol=1e-12)


# -- training --------------------------------------------------------------------------


def test_xor_is_learned():
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([[0], [1], [1], [0]], dtype=float)
    net = NeuralNetwork([2, 8, 1], "tanh", "sigmoid", "binary_crossentropy", Adam(learning_rate=0.05),
                        random_state=0)
    history = net.fit(x, y, batch_size=4, epochs=500)
    assert history[-1] < 0.05 < history[0]
    np.testing.assert_array_equal(net.predict(x, labels=True), [0, 1, 1, 0])


def test_digits_reach_95_percent(digits):
    x_train, x_test, y_train, y_test = digits
    net = NeuralNetwork([64, 64, 10], "relu", "softmax", "categorical_crossentropy",
                        Adam(learning_rate=0.01), random_state=0)
    history = net.fit(x_train, y_train, batch_size=32, epochs=15, categorical=True)
    assert history[-1] < history[0]
    assert net.score(x_test, y_test, accuracy=True) >= 0.95


def test_the_layer_list_recipe_beats_65_percent_through_the_jacobians(digits, monkeypatch):
    x_train, x_test, y_train, y_test = digits
    x_train, x_test = x_train / 4, x_test / 4
    jacobian_shapes = []
    softmax_derivative = A.Softmax.derivative

    def counting_derivative(self, z):
        jacobian_shapes.append(z.shape)
        return softmax_derivative(self, z)

    monkeypatch.setattr(A.Softmax, "derivative", counting_derivative)
    net = NeuralNetwork([Dense(64, 40, random_state=0), Tanh(), Dense(40, 10, random_state=1), Softmax()],
                        loss="mse", optimizer=SGD(learning_rate=0.1, momentum=0.0), random_state=0)
    net.fit(x_train[:1000], y_train[:1000], batch_size=1, epochs=10, categorical=True)
    assert len(jacobian_shapes) == 10 * 1000  # every batch went through loss' @ Jacobian
    assert net.score(x_test, y_test, accuracy=True) > 0.65


def test_any_optimizer_object_trains_a_hand_built_network(rng):
    class PlainDescent:
        """Returns a new vector instead of updating in place."""

        def update(self, old_params, gradient):
            return old_params - 0.1 * gradient

    x = rng.randn(50, 3)
    y = x @ np.array([[1.0], [-2.0], [0.5]])
    net = NeuralNetwork([Dense(3, 8, random_state=0), Tanh(), Dense(8, 1, random_state=0)],
                        loss="mse", optimizer=PlainDescent())
    params = net.params
    history = net.fit(x, y, batch_size=10, epochs=30)
    assert history[-1] < 0.2 * history[0]
    assert net.params is params and np.shares_memory(net.weights[0], params)


def test_function_pairs_of_the_original_contract_train(rng):
    def relu(x):
        return np.maximum(x, 0)

    def d_relu(x):
        return (x > 0).astype(x.dtype)

    def cce(y_pred, y_true):
        return -np.sum(y_true * np.log(np.maximum(y_pred, 1e-300)), axis=1, keepdims=True)

    def d_cce(y_pred, y_true):
        return np.expand_dims(-y_true / np.maximum(y_pred, 1e-300), 1)

    x = rng.randn(90, 2)
    y = (x[:, 0] > x[:, 1]).astype(int)
    net = NeuralNetwork([2, 10, 2], (relu, d_relu), softmax_pair(), (cce, d_cce),
                        SGD(learning_rate=0.1), random_state=0)
    assert check_gradients(net, x[:8], y[:8], categorical=True) < 1e-6
    net.fit(x, y, batch_size=10, epochs=40, categorical=True)
    assert net.score(x, y, accuracy=True) > 0.9


def test_float32_in_float32_throughout(rng):
    x = rng.randn(40, 3).astype(np.float32)
    y = rng.randint(0, 2, 40)
    net = NeuralNetwork([3, 5, 2], "relu", "softmax", "categorical_crossentropy", "adam", random_state=0)
    net.fit(x, y, batch_size=10, epochs=2, categorical=True)
    assert net.params.dtype == np.float32 and net.grads.dtype == np.float32
    assert all(w.dtype == np.float32 and np.shares_memory(w, net.params) for w in net.weights)
    assert net.optimizer.m_.dtype == np.float32
    assert net.predict(x).dtype == np.float32
    net.fit(x.astype(np.float64), y, batch_size=10, epochs=1, categorical=True)
    assert net.params.dtype == np.float64


def test_fit_returns_epoch_losses_and_reports_progress(rng, capsys):
    x, y = rng.randn(30, 2), rng.randn(30, 1)
    net = NeuralNetwork([2, 3, 1], random_state=0)
    history = net.fit(x, y, batch_size=10, epochs=3)
    assert len(history) == 3 and capsys.readouterr().out == ""
    net.fit(x, y, batch_size=10, epochs=2, verbose=1)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith("Epoch 2/2 [30/30] loss:")
    net.fit(x, y, batch_size=10, epochs=2, verbose=2)
    out = capsys.readouterr().out
    lines = out.strip().split("\n")
    assert len(lines) == 2  # one line an epoch, each rewritten in place after every batch
    updates = lines[1].split("\r")[1:]
    assert [u.split(" loss")[0] for u in updates] == [f"Epoch 2/2 [{k}/30]" for k in (10, 20, 30, 30)]
    assert float(updates[1].split("loss:")[1]) > 0


def test_epoch_loss_is_the_average_of_batch_losses(rng):
    x, y = rng.randn(30, 2), rng.randn(30, 1)
    net = NeuralNetwork([2, 3, 1], optimizer=SGD(learning_rate=0.0), random_state=0)
    history = net.fit(x, y, batch_size=7, epochs=1)
    assert history[0] == pytest.approx(net.score(x, y))


def test_save_load_gives_identical_predictions(tmp_path, rng):
    x = rng.randn(10, 4)
    net = NeuralNetwork([4, 6, 3], "tanh", "softmax", "categorical_crossentropy", random_state=0)
    net.fit(x, rng.randint(0, 3, 10), batch_size=5, epochs=3, categorical=True)
    path = tmp_path / "model"
    net.save(path)
    assert path.exists()
    other = NeuralNetwork([4, 6, 3], "tanh", "softmax", "categorical_crossentropy", random_state=1)
    assert not np.array_equal(other.predict(x), net.predict(x))
    other.load(path)
    np.testing.assert_array_equal(other.predict(x), net.predict(x))
    assert np.shares_memory(other.weights[0], other.params)
    with pytest.raises(ValueError, match="has shape"):
        NeuralNetwork([4, 7, 3]).load(path)
    with pytest.raises(ValueError, match="holds parameters"):
        NeuralNetwork([4, 6, 6, 3]).load(path)
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a model")
    with pytest.raises(ValueError, match="not a file of parameters"):
        net.load(junk)


def test_network_pickles(rng):
    net = NeuralNetwork([3, 4, 2], "tanh", "softmax", "categorical_crossentropy", "adam", random_state=0)
    net.fit(rng.randn(8, 3), rng.randint(0, 2, 8), categorical=True)
    copy = pickle.loads(pickle.dumps(net))
    x = rng.randn(5, 3)
    np.testing.assert_array_equal(copy.predict(x), net.predict(x))
    assert np.shares_memory(copy.weights[0], copy.params)


def test_predict_labels_and_score(rng):
    net = NeuralNetwork([2, 3, 3], "relu", "softmax", "categorical_crossentropy", random_state=0)
    x = rng.randn(10, 2)
    labels = net.predict(x, labels=True)
    np.testing.assert_array_equal(labels, net.predict(x).argmax(axis=1))
    assert net.score(x, labels, accuracy=True) == 1.0
    assert net.score(x, to_categorical(labels, 3), accuracy=True) == 1.0
    onehot = to_categorical(labels, 3)
    expected = np.mean(-np.log(np.sum(net.predict(x) * onehot, axis=1)))
    assert net.score(x, onehot) == pytest.approx(expected)
    single = NeuralNetwork([2, 3, 1], "relu", "sigmoid", "binary_crossentropy", random_state=0)
    np.testing.assert_array_equal(single.predict(x, labels=True), (single.predict(x)[:, 0] > 0.5).astype(int))


def test_divergence_is_a_clear_error_and_restores_the_parameters(rng):
    x = rng.randn(40, 3) * 1e3
    y = rng.randn(40, 1) * 1e3
    net = NeuralNetwork([3, 8, 1], "relu", "identity", "mse", SGD(learning_rate=10.0), random_state=0)
    before = net.params.copy()
    with pytest.raises(ValueError, match=r"diverged in epoch 1.*smaller learning rate"):
        net.fit(x, y, batch_size=10, epochs=5)
    np.testing.assert_array_equal(net.params, before)
    assert np.all(np.isfinite(net.predict(x)))


def test_interrupt_keeps_the_last_completed_epoch(rng):
    from skneural import TrainingInterrupted

    x, y = rng.randn(40, 2), rng.randn(40, 1)
    calls = []

    def mse(y_pred, y_true):
        calls.append(1)
        if len(calls) == 2 * 4 + 2:  # the 2nd batch of epoch 3
            raise TrainingInterrupted  # a deferred Ctrl-C (a plain KeyboardInterrupt propagates)
        return np.mean((y_pred - y_true) ** 2, axis=1, keepdims=True)

    def d_mse(y_pred, y_true):
        return np.expand_dims(2 * (y_pred - y_true) / y_true.shape[1], 1)

    net = NeuralNetwork([2, 5, 1], loss=(mse, d_mse), optimizer=Adam(), random_state=0)
    reference = NeuralNetwork([2, 5, 1], loss="mse", optimizer=Adam(), random_state=0)
    with pytest.warns(UserWarning, match="interrupted by user"):
        history = net.fit(x, y, batch_size=10, epochs=5)
    expected = reference.fit(x, y, batch_size=10, epochs=2)
    np.testing.assert_allclose(history, expected)
    np.testing.assert_allclose(net.params, reference.params)
    assert net.optimizer.t_ == reference.optimizer.t_ == 8


def test_ctrl_c_stops_at_the_end_of_the_batch(rng):
    x, y = rng.randn(40, 2), rng.randn(40, 1)
    batches = []

    def mse(y_pred, y_true):
        batches.append(1)
        if len(batches) == 4 + 2:  # the 2nd batch of epoch 2
            signal.raise_signal(signal.SIGINT)
        return np.mean((y_pred - y_true) ** 2, axis=1, keepdims=True)

    net = NeuralNetwork([2, 5, 1], loss=(mse, MeanSquaredError().derivative), random_state=0)
    with pytest.warns(UserWarning, match="interrupted by user"):
        history = net.fit(x, y, batch_size=10, epochs=5)
    assert len(history) == 1 and len(batches) == 6  # the signalled batch ran to its end
    reference = NeuralNetwork([2, 5, 1], loss="mse", random_state=0)
    reference.fit(x, y, batch_size=10, epochs=1)
    np.testing.assert_allclose(net.params, reference.params)


# -- bad input -------------------------------------------------------------------------


def test_bad_inputs_get_clear_errors(rng):
    net = NeuralNetwork([3, 4, 2], "relu", "softmax", "categorical_crossentropy", random_state=0)
    x = rng.randn(5, 3)
    with pytest.raises(ValueError, match="x has 4 features, but the network's first layer expects 3"):
        net.predict(rng.randn(5, 4))
    with pytest.raises(ValueError, match="Expected 2D array"):
        net.predict(rng.randn(3))
    bad = x.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="x contains NaN"):
        net.fit(bad, to_categorical([0, 1, 0, 1, 0]))
    with pytest.raises(ValueError, match=r"y has shape \(5, 3\), but the network has 2 outputs"):
        net.fit(x, rng.randn(5, 3))
    with pytest.raises(ValueError, match="categorical=True"):
        net.fit(x, np.array([0, 1, 0, 1, 0]))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        net.fit(x, to_categorical([0, 1, 0, 1]))
    with pytest.raises(ValueError, match="out of range for num_classes=2"):
        net.fit(x, [0, 1, 2, 1, 0], categorical=True)
    with pytest.raises(ValueError, match=r"The 'batch_size' parameter of NeuralNetwork.fit must be an int in the range \[1, inf\)"):
        net.fit(x, [0, 1, 0, 1, 0], batch_size=0, categorical=True)
    with pytest.raises(ValueError, match="sample_weight must not contain negative values"):
        net.fit(x, [0, 1, 0, 1, 0], categorical=True, sample_weight=-np.ones(5))
    with pytest.raises(ValueError, match="at least one non-zero"):
        net.fit(x, [0, 1, 0, 1, 0], categorical=True, sample_weight=np.zeros(5))


def test_user_components_with_wrong_shapes_get_clear_errors(rng):
    x, y = rng.randn(5, 3), rng.randn(5, 2)

    def mse(y_pred, y_true):
        return np.mean((y_pred - y_true) ** 2, axis=1, keepdims=True)

    flat_derivative = NeuralNetwork([3, 4, 2], loss=(mse, lambda p, t: 2 * (p - t)), random_state=0)
    with pytest.raises(ValueError, match=r"derivative of loss .* returned shape \(5, 2\).*expected \(5, 1, 2\)"):
        flat_derivative.fit(x, y)
    scalar_loss = NeuralNetwork([3, 4, 2], loss=(lambda p, t: np.mean((p - t) ** 2), lambda p, t: (p - t)[:, None]))
    with pytest.raises(ValueError, match=r"returned shape \(\).*expected \(5, 1\)"):
        scalar_loss.fit(x, y)
    bad_activation = NeuralNetwork([3, 4, 2], (np.tanh, lambda z: np.ones(3)), random_state=0)
    with pytest.raises(ValueError, match=r"derivative of activation .* returned shape \(3,\)"):
        bad_activation.fit(x, y)

    class Shrinker:
        def update(self, old_params, gradient):
            return old_params[:-1]

    with pytest.raises(ValueError, match="update returned shape"):
        NeuralNetwork([3, 4, 2], optimizer=Shrinker()).fit(x, y)


def test_bad_architectures_get_clear_errors():
    with pytest.raises(ValueError, match="Layer 2 .* expects 30 inputs, but the layers before it produce 40"):
        NeuralNetwork([Dense(64, 40), Tanh(), Dense(30, 10)])
    with pytest.raises(ValueError, match="at least an input and an output size"):
        NeuralNetwork([5])
    with pytest.raises(ValueError, match=r"parameter of Dense must be an int in the range \[1, inf\)"):
        Dense(0, 3)
    with pytest.raises(TypeError, match="list of layer sizes"):
        NeuralNetwork([5, "10", 2])
    with pytest.raises(ValueError, match="leave hidden_activation and output_activation unset"):
        NeuralNetwork([Dense(2, 2)], hidden_activation="relu")
    with pytest.raises(ValueError, match="Unknown activation 'RELU'"):
        NeuralNetwork([2, 3, 1], "RELU")
    with pytest.raises(ValueError, match="Unknown loss"):
        NeuralNetwork([2, 3, 1], loss="log_loss")


def test_a_custom_layer_takes_part_in_training(rng):
    class Scale(Layer):
        """y = x * s with one learnable scale per feature."""

        param_names = ("scale",)

        def __init__(self, width):
            super().__init__()
            self.scale = np.ones((1, width))
            self.d_scale = np.zeros((1, width))

        def forward(self, input):
            self.input = input
            return input * self.scale

        def backward(self, output_gradient):
            self.d_scale[...] = np.sum(output_gradient * self.input, axis=0, keepdims=True)
            return output_gradient * self.scale

    net = NeuralNetwork([Dense(3, 4, random_state=0), Scale(4), Tanh(), Dense(4, 1, random_state=1)], loss="mse")
    assert net.params.size == 3 * 4 + 4 + 4 + 4 + 1
    assert check_gradients(net, rng.randn(6, 3), rng.randn(6, 1)) < 1e-6


def test_layers_cannot_be_shared(rng):
    layers = [Dense(3, 8), Tanh(), Dense(8, 1)]
    NeuralNetwork(layers, loss="mse")
    with pytest.raises(ValueError, match="already belongs to another NeuralNetwork"):
        NeuralNetwork(layers, loss="mse")
    dense = Dense(4, 4)
    with pytest.raises(ValueError, match="appears more than once"):
        NeuralNetwork([dense, Tanh(), dense], loss="mse")


def test_activation_returning_the_wrong_shape_is_a_clear_error(rng):
    net = NeuralNetwork([3, 4, 2], "relu", (lambda z: z[:, :1], np.ones_like), random_state=0)
    with pytest.raises(ValueError, match=r"returned \(5, 1\) for input of shape \(5, 2\)"):
        net.fit(rng.randn(5, 3), rng.randn(5, 2))


def test_batches_of_zero_weight_are_skipped(rng):
    x, y = rng.randn(20, 3), rng.randint(0, 2, 20)
    net = NeuralNetwork([3, 4, 2], "relu", "softmax", "categorical_crossentropy", random_state=0)
    weights = np.r_[np.zeros(10), np.ones(10)]
    history = net.fit(x, y, batch_size=5, categorical=True, sample_weight=weights, shuffle=False, epochs=2)
    assert np.all(np.isfinite(history))
    reference = NeuralNetwork([3, 4, 2], "relu", "softmax", "categorical_crossentropy", random_state=0)
    reference.fit(x[10:], y[10:], batch_size=5, categorical=True, shuffle=False, epochs=2)
    np.testing.assert_allclose(net.params, reference.params)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_saturated_cross_entropies_report_the_exact_loss(dtype):
    binary = NeuralNetwork([1, 1], output_activation="sigmoid", loss="binary_crossentropy")
    binary.params = [1.0, 0.0]  # output = sigmoid(x)
    binary.astype(dtype)
    x = np.array([[50.0]], dtype=dtype)
    assert binary.score(x, np.array([[0.0]], dtype=dtype)) == pytest.approx(50.0, rel=1e-6)
    multi = NeuralNetwork([2, 2], output_activation="softmax", loss="categorical_crossentropy")
    multi.params = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]  # output = softmax(x)
    multi.astype(dtype)
    x = np.array([[200.0, 0.0]], dtype=dtype)
    assert multi.score(x, np.array([[0.0, 1.0]], dtype=dtype)) == pytest.approx(200.0, rel=1e-6)


def test_numpy_scalar_hyperparameters_keep_float32(rng):
    from skneural.losses import Huber

    x = rng.randn(10, 3).astype(np.float32)
    hidden = A.LeakyReLU(alpha=np.linspace(0, 0.1, 3)[1])
    net = NeuralNetwork([3, 4, 2], hidden, "identity", Huber(delta=np.float64(0.5)), "adam", random_state=0)
    net.fit(x, rng.randn(10, 2).astype(np.float32), batch_size=5)
    assert net.layers[1].output.dtype == np.float32
    assert net.predict(x).dtype == np.float32
    assert net.loss(net.predict(x), np.zeros((10, 2), np.float32)).dtype == np.float32


def test_sparse_input_trains_like_dense(rng):
    x = rng.randn(30, 6) * (rng.rand(30, 6) < 0.4)
    y = rng.randint(0, 3, 30)
    dense = NeuralNetwork([6, 5, 3], "relu", "softmax", "categorical_crossentropy", "adam", random_state=0)
    sparse = NeuralNetwork([6, 5, 3], "relu", "softmax", "categorical_crossentropy", "adam", random_state=0)
    history_dense = dense.fit(x, y, batch_size=8, epochs=3, categorical=True)
    history_sparse = sparse.fit(sp.csr_matrix(x), y, batch_size=8, epochs=3, categorical=True)
    np.testing.assert_allclose(history_sparse, history_dense)
    np.testing.assert_allclose(sparse.predict(sp.csc_matrix(x)), dense.predict(x))


def test_public_seed_methods_validate_their_input(rng):
    net = NeuralNetwork([3, 4, 2], "relu", "identity", "mse", random_state=0)
    with pytest.raises(ValueError, match="x has 4 features"):
        net.forward(np.ones((5, 4)))
    io = net.forward(rng.randn(5, 3))
    with pytest.raises(ValueError, match=r"y has shape \(5,\), but the network has 2 outputs"):
        net.backward(io, np.zeros(5))
    with pytest.raises(ValueError, match=r"y has shape \(5, 1\), but the network's output has shape \(5, 2\)"):
        net.loss_and_gradient(rng.randn(5, 3), np.zeros((5, 1)))
    with pytest.raises(ValueError, match="expects 3 features"):
        net.loss_and_gradient(rng.randn(5, 4), np.zeros((5, 2)))


def test_check_gradients_of_a_float32_network_runs_in_float64(rng):
    net = NeuralNetwork([3, 4, 2], "tanh", "softmax", "categorical_crossentropy", random_state=0)
    x, y = rng.randn(6, 3).astype(np.float32), rng.randint(0, 2, 6)
    net.fit(x, y, categorical=True)
    assert net.params.dtype == np.float32
    assert check_gradients(net, x, y, categorical=True) < 1e-6
    assert net.params.dtype == np.float32  # the network itself is untouched


def test_small_mistakes_get_clear_errors(rng):
    with pytest.raises(TypeError, match=r"e\.g\. Adam\(\), not the class Adam"):
        NeuralNetwork([2, 2], optimizer=Adam)
    net = NeuralNetwork([2, 3, 2], "relu", "softmax", "categorical_crossentropy", random_state=0)
    with pytest.raises(ValueError, match="flat vector of 17 parameters"):
        net.restore_params(np.zeros(5))
    with pytest.raises(ValueError, match="integer class labels"):
        net.score(rng.randn(3, 2), ["a", "b", "a"], accuracy=True)
    with pytest.raises(ValueError, match="non-negative targets"):
        NeuralNetwork([2, 1], output_activation="exp", loss="poisson").fit(rng.randn(4, 2), -np.ones(4))
    with pytest.raises(ValueError, match=r"params must have shape \(17,\)"):
        net.params = np.zeros(3)
    net.params = np.arange(17.0)
    assert net.weights[0][0, 1] == 1.0  # assignment copies into the live vector


def test_large_inputs_are_predicted_in_bounded_chunks(rng, monkeypatch):
    import skneural.nn.inference as module

    net = NeuralNetwork([5, 64, 3], "relu", "softmax", "categorical_crossentropy", random_state=0)
    x = rng.randn(1000, 5)
    whole = net.predict(x)
    monkeypatch.setattr(module, "_CHUNK_BYTES", 64 * 8 * 300)  # 300 rows of the 64-wide layer
    seen = []
    real_infer = module.infer_rows
    monkeypatch.setattr(module, "infer_rows", lambda rows, *args: seen.append(len(rows)) or real_infer(rows, *args))
    np.testing.assert_allclose(net.predict(x), whole, rtol=1e-12)
    assert seen == [300, 300, 300, 100]
    w1, w2 = net.weights
    b1, b2 = net.biases
    np.testing.assert_allclose(net.logits(x), np.maximum(x @ w1 + b1, 0) @ w2 + b2, rtol=1e-12)


def test_chunked_prediction_handles_mixed_dtypes_and_user_dense_layers(rng, monkeypatch):
    import skneural.nn.inference as module

    class Doubled(Dense):  # a user layer with its own infer: used as it is, never given work arrays
        def infer(self, input):
            return 2 * super().infer(input)

        def forward(self, input):
            self.input = input
            return self.infer(input)

    net = NeuralNetwork([Doubled(4, 16, random_state=0), Tanh(), Dense(16, 3, random_state=1), Softmax()],
                        loss="categorical_crossentropy")
    x = rng.randn(700, 4)
    w1, w2 = net.weights
    b1, b2 = net.biases
    z = np.tanh(2 * (x @ w1 + b1)) @ w2 + b2
    expected = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    monkeypatch.setattr(module, "_CHUNK_BYTES", 16 * 8 * 256)  # chunks of 256 rows
    np.testing.assert_allclose(net.output(x), expected, rtol=1e-12)
    out32 = net.output(x.astype(np.float32))  # float32 rows through float64 parameters
    assert out32.dtype == np.float64
    np.testing.assert_allclose(out32, expected, rtol=1e-5)


def test_prediction_from_many_threads_matches_serial(rng, monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    import skneural.nn.inference as module

    net = NeuralNetwork([6, 32, 4], "relu", "softmax", "categorical_crossentropy", random_state=0)
    monkeypatch.setattr(module, "_CHUNK_BYTES", 32 * 8 * 256)
    inputs = [rng.randn(1000 + 37 * i, 6) for i in range(8)]
    serial = [net.output(x) for x in inputs]
    with ThreadPoolExecutor(8) as pool:
        for _ in range(5):
            parallel = list(pool.map(net.output, inputs))
            for a, b in zip(parallel, serial):
                np.testing.assert_array_equal(a, b)
