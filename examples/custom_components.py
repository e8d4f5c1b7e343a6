"""Writing your own components: an activation, a loss, two optimizers and a row-wise output activation.
====================================================================================================

Each is a small class with a function and its derivative (or an update rule),
used in an estimator like a built-in one, and the activation, loss and output
activation are checked against central finite differences with
``skneural.check_gradients``:

* ``Swish``: a hidden activation, ``x * sigmoid(x)``, elementwise;
* ``Quantile``: the pinball loss, for a model of the 90th percentile;
* ``AdamW`` and ``Lion``: optimizers with decoupled weight decay, on the flat
  parameter vector, keeping their state in attributes ending in ``_``;
* ``Sparsemax``: a row-wise output activation (a softmax whose outputs can be
  exactly 0) whose derivative is the stack of per-sample Jacobians ``(n, m, m)``.

Run it::

    python examples/custom_components.py           # --quick for a short run
"""

import argparse
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skneural import NumpyMLPClassifier, NumpyMLPRegressor, check_gradients
from skneural.activations import ActivationFunction
from skneural.losses import Loss
from skneural.optimizers import Optimizer


class Swish(ActivationFunction):
    """``x * sigmoid(x)``, elementwise."""

    def __call__(self, x):
        return x / (1 + np.exp(-x))

    def derivative(self, x):
        s = 1 / (1 + np.exp(-x))
        return s + x * s * (1 - s)


class Quantile(Loss):
    """Pinball loss of quantile ``q``, averaged over outputs: its minimiser is the q-th quantile."""

    def __init__(self, q=0.9):
        self.q = q

    def __call__(self, y_pred, y_true):
        r = y_true - y_pred
        return np.mean(np.maximum(self.q * r, (self.q - 1) * r), axis=1, keepdims=True)

    def gradient(self, y_pred, y_true):
        return np.where(y_true > y_pred, -self.q, 1 - self.q) / y_pred.shape[1]


class AdamW(Optimizer):
    """Adam with decoupled weight decay: ``w -= lr * weight_decay * w`` before each Adam step."""

    _state_names = ("m_", "v_")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8, weight_decay=0.01):
        self.learning_rate = learning_rate
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.weight_decay = weight_decay

    def _step(self, params, gradient, buffer):
        lr, b1, b2, t = self.learning_rate, self.beta_1, self.beta_2, self.t_
        params *= 1 - lr * self.weight_decay
        self.m_ *= b1
        self.m_ += (1 - b1) * gradient
        self.v_ *= b2
        self.v_ += (1 - b2) * gradient**2
        m_hat = self.m_ / (1 - b1**t)
        v_hat = self.v_ / (1 - b2**t)
        np.divide(m_hat, np.sqrt(v_hat) + self.epsilon, out=buffer)
        params -= lr * buffer


class Lion(Optimizer):
    """Lion (Chen et al., 2023): the sign of an interpolated momentum, with decoupled weight decay."""

    _state_names = ("m_",)

    def __init__(self, learning_rate=1e-4, beta_1=0.9, beta_2=0.99, weight_decay=0.0):
        self.learning_rate = learning_rate
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.weight_decay = weight_decay

    def _step(self, params, gradient, buffer):
        np.sign(self.beta_1 * self.m_ + (1 - self.beta_1) * gradient, out=buffer)
        params -= self.learning_rate * (buffer + self.weight_decay * params)
        self.m_ *= self.beta_2
        self.m_ += (1 - self.beta_2) * gradient


class Sparsemax(ActivationFunction):
    """Sparsemax (Martins & Astudillo, 2016): the Euclidean projection of each row onto the simplex."""

    def __call__(self, x):
        z = np.sort(x, axis=1)[:, ::-1]
        k = np.arange(1, x.shape[1] + 1)
        cumulative = np.cumsum(z, axis=1)
        support = 1 + k * z > cumulative  # the first k entries stay positive
        size = support.sum(axis=1, keepdims=True)
        tau = (np.take_along_axis(cumulative, size - 1, axis=1) - 1) / size
        return np.maximum(x - tau, 0)

    def derivative(self, x):
        """Per-sample Jacobians ``diag(s) - s s^T / |S|``, s the indicator of the support S."""
        s = (self(x) > 0).astype(x.dtype)
        eye = np.eye(x.shape[1], dtype=x.dtype)
        return s[:, :, None] * eye - s[:, :, None] * s[:, None, :] / s.sum(axis=1)[:, None, None]


def digits():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def main(max_iter=100):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # --quick stops early on purpose
        return run(max_iter)


def run(max_iter):
    X_train, X_test, y_train, y_test = digits()
    results = {}

    # an activation of our own in the hidden layer, a row-wise output activation, two optimizers
    for name, kwargs in {
        "swish + AdamW": dict(activation=Swish(), optimizer=AdamW(learning_rate=0.01, weight_decay=0.01)),
        "swish + Lion": dict(activation=Swish(), optimizer=Lion(learning_rate=3e-4, weight_decay=0.1)),
        "relu + sparsemax output, mse": dict(output_activation=Sparsemax(), loss="mse", optimizer="adam"),
    }.items():
        clf = NumpyMLPClassifier(hidden_layer_sizes=(64,), max_iter=max_iter, random_state=0, **kwargs)
        clf.fit(X_train, y_train)
        error = check_gradients(clf.network_, X_test[:20], y_test[:20], categorical=True)
        results[name] = {"accuracy": clf.score(X_test, y_test), "gradient_error": error}
        print(f"{name:<32} held-out accuracy {results[name]['accuracy']:.3f}   "
              f"worst relative gradient error {error:.1e}")

    zeros = np.mean(clf.predict_proba(X_test) == 0)
    print(f"sparsemax gives exact zeros: {zeros:.0%} of the predicted probabilities")

    # a loss of our own: the 90th percentile of a noisy target
    rng = np.random.RandomState(0)
    X = rng.uniform(-2, 2, (1000, 1))
    y = X[:, 0] ** 2 + rng.standard_normal(1000)
    reg = NumpyMLPRegressor(hidden_layer_sizes=(32,), activation=Swish(), loss=Quantile(0.9),
                            learning_rate_init=0.01, max_iter=max_iter * 2, random_state=0).fit(X, y)
    covered = float(np.mean(y <= reg.predict(X)))
    error = check_gradients(reg.network_, X[:20], y[:20, None])
    results["quantile"] = {"covered": covered, "gradient_error": error}
    print(f"{'swish + quantile(0.9) loss':<32} share of targets below the prediction {covered:.2f} "
          f"(aim: 0.90)   worst relative gradient error {error:.1e}")
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few epochs only")
    main(max_iter=10 if parser.parse_args().quick else 100)
