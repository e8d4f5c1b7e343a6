"""Helpers: one-hot encoding of labels and a finite-difference gradient check."""

import copy

import numpy as np

__all__ = ["to_categorical", "check_gradients", "class_indices"]


def class_indices(y):
    """``y`` as a 1-D integer array of class indices, or a ValueError saying what is wrong.

    Parameters
    ----------
    y : array-like of shape (n,) or (n, 1)
        Non-negative integer labels; booleans and floats holding whole
        numbers are accepted.

    Returns
    -------
    ndarray of shape (n,), dtype intp

    Examples
    --------
    >>> import numpy as np
    >>> class_indices(np.array([[2.0], [0.0], [1.0]]))
    array([2, 0, 1])
    >>> class_indices(["a", "b"])
    Traceback (most recent call last):
    ...
    ValueError: Expected non-negative integer class labels 0 .. k-1; got ... Map other labels with sklearn.preprocessing.LabelEncoder first.
    """
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError(f"Expected a 1-D array of class labels; got shape {y.shape}.")
    numeric = np.issubdtype(y.dtype, np.integer) or np.issubdtype(y.dtype, np.bool_) or (
        np.issubdtype(y.dtype, np.floating) and np.all(np.isfinite(y)) and np.all(y == np.round(y))
    )
    # int(): NumPy 1.x compares uint64 with a large int through float64, which rounds 2**63 - 1 up
    if not numeric or (y.size and (y.min() < 0 or int(y.max()) > np.iinfo(np.intp).max)):
        raise ValueError(
            "Expected non-negative integer class labels 0 .. k-1; got "
            f"{y[:5]!r}{'...' if y.size > 5 else ''}. Map other labels with "
            "sklearn.preprocessing.LabelEncoder first."
        )
    return y.astype(np.intp)


def to_categorical(y, num_classes=None, dtype=np.float64):
    """One-hot encode integer class labels, 0 to ``num_classes - 1``.

    Parameters
    ----------
    y : array-like of shape (n,)
        Non-negative integer labels (floats holding whole numbers are accepted).
    num_classes : int, optional
        Number of classes; default ``max(y) + 1``.
    dtype : dtype, default=float64

    Returns
    -------
    ndarray of shape (n, num_classes)

    Examples
    --------
    >>> to_categorical([0, 2, 1])
    array([[1., 0., 0.],
           [0., 0., 1.],
           [0., 1., 0.]])
    """
    labels = class_indices(y)
    if num_classes is None:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    if labels.size and labels.max() >= num_classes:
        raise ValueError(
            f"Class label {labels.max()} is out of range for num_classes={num_classes} "
            f"(labels must be 0 .. {num_classes - 1})."
        )
    out = np.zeros((len(labels), num_classes), dtype=dtype)
    out[np.arange(len(labels)), labels] = 1
    return out


def check_gradients(network, x, y, sample_weight=None, categorical=False, step=1e-6):
    """Compare backprop's gradient with central finite differences.

    Every parameter ``w`` is moved to ``w +/- h`` with ``h = step * max(1, |w|)``
    and the average loss recomputed.  Returns the worst relative error,
    ``max |backprop - numeric| / max(|backprop|, |numeric|)`` over all
    parameters, the denominator being taken over the whole vector so that
    tiny gradients do not dominate.  The check runs in float64, on a float64
    copy of a float32 network: float32 has too few digits for finite
    differences.  It runs in the network's mode (``train`` or ``eval``): every
    loss goes through the layers' ``forward``, as ``loss_and_gradient``'s
    does, from the layers' state (``state_names``) as it was at the start,
    which is put back at the end.

    Parameters
    ----------
    network : NeuralNetwork
        The network to check (an estimator's is ``est.network_``); it is not changed.
    x : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples, n_outputs), or class labels with ``categorical=True``
    sample_weight : array-like of shape (n_samples,), default=None
    categorical : bool, default=False
        One-hot encode the integer labels ``y``.
    step : float, default=1e-6
        Relative size of the finite-difference step.

    Returns
    -------
    float
        The worst relative error; below about 1e-6 means backprop agrees.

    Examples
    --------
    >>> import numpy as np
    >>> from skneural import NeuralNetwork
    >>> rng = np.random.RandomState(0)
    >>> net = NeuralNetwork([3, 4, 2], "tanh", "softmax", "categorical_crossentropy", random_state=0)
    >>> check_gradients(net, rng.randn(5, 3), rng.randint(0, 2, 5), categorical=True) < 1e-7
    True
    """
    if network.params.dtype != np.float64:
        network = copy.deepcopy(network).astype(np.float64)
    x, y, sample_weight = network._check_data(x, y, categorical, sample_weight, dtype=np.float64)
    state = [(layer, name, np.copy(getattr(layer, name))) for layer in network.layers for name in layer.state_names]

    def loss():  # forward in training mode may update the layers' state: each loss starts from the same
        for layer, name, value in state:
            setattr(layer, name, value.copy())
        return network._loss(x, y, sample_weight, forward=True)[0]

    _, grads = network.loss_and_gradient(x, y, sample_weight)
    analytic = grads.copy()
    params = network.params
    numeric = np.empty_like(analytic)
    try:
        for i in range(params.size):
            original = params[i]
            h = step * max(1.0, abs(original))
            params[i] = original + h
            upper = loss()
            params[i] = original - h
            lower = loss()
            params[i] = original
            numeric[i] = (upper - lower) / (2 * h)
    finally:
        for layer, name, value in state:
            setattr(layer, name, value)
    scale = max(np.max(np.abs(analytic)), np.max(np.abs(numeric)), np.finfo(float).tiny)
    return float(np.max(np.abs(analytic - numeric)) / scale)
