import numpy as np
import pytest


def numeric_jacobian(f, x, h=1e-6):
    """Central-difference Jacobians of a row-wise function: J[k, i, j] = d f(x)[k, i] / d x[k, j]."""
    n, m = x.shape
    out_m = f(x).shape[1]
    jac = np.empty((n, out_m, m))
    for j in range(m):
        e = np.zeros_like(x)
        e[:, j] = h
        jac[:, :, j] = (f(x + e) - f(x - e)) / (2 * h)
    return jac


def softmax_pair():
    """Softmax written by a user as the original NeuralNetwork contract describes: a function and its per-sample Jacobians."""

    def softmax(x):
        e = np.exp(x - x.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def d_softmax(x):
        s = softmax(x)
        return np.einsum("ni,ij->nij", s, np.eye(s.shape[1])) - np.einsum("ni,nj->nij", s, s)

    return softmax, d_softmax


def squared_error_pair(at_call, event):
    """Half squared error as a user's (loss, derivative) pair that calls ``event()`` on its
    ``at_call``-th evaluation; also returns the list counting the evaluations."""
    calls = []

    def loss(y_pred, y_true):
        calls.append(1)
        if len(calls) == at_call:
            event()
        return 0.5 * np.mean((y_pred - y_true) ** 2, axis=1, keepdims=True)

    def d_loss(y_pred, y_true):
        return np.expand_dims((y_pred - y_true) / y_true.shape[1], 1)

    return loss, d_loss, calls


@pytest.fixture(autouse=True)
def no_earlier_ctrl_c():
    """Each test starts as a fresh process would: skneural remembers a deferred Ctrl-C process-wide
    (so that the next one, even in a later fit, stops at once), which must not leak between tests."""
    from skneural.training.interrupts import _Interrupts

    _Interrupts.armed = _Interrupts.pending = False


@pytest.fixture
def rng():
    return np.random.RandomState(0)
