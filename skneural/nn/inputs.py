"""Checking what is given to a network: ``x``, ``y`` and ``sample_weight``."""

import numbers

import numpy as np
from sklearn.utils.validation import check_array

from ..utils import to_categorical

__all__ = ["check_sample_weight", "check_width", "check_x", "check_y", "check_data", "is_size"]


def is_size(v):
    """Whether ``v`` is an int (not a bool)."""
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def check_sample_weight(sample_weight, x):
    """Validate ``sample_weight`` for ``x``: None, or a 1-D array of non-negative numbers with a positive sum.

    Parameters
    ----------
    sample_weight : None, float or array-like of shape (n_samples,)
        A single number gives every sample that weight.
    x : ndarray of shape (n_samples, n_features)
        The data; the weights take its dtype.

    Returns
    -------
    None or ndarray of shape (n_samples,)

    Examples
    --------
    >>> import numpy as np
    >>> x = np.zeros((3, 2))
    >>> check_sample_weight([1, 0, 2], x)
    array([1., 0., 2.])
    >>> check_sample_weight(2, x.astype(np.float32))
    array([2., 2., 2.], dtype=float32)
    >>> check_sample_weight([1, 2], x)
    Traceback (most recent call last):
    ...
    ValueError: sample_weight has 2 values, but there are 3 samples.
    """
    if sample_weight is None:
        return None
    if isinstance(sample_weight, numbers.Real):
        sample_weight = np.full(x.shape[0], sample_weight)
    sample_weight = check_array(sample_weight, ensure_2d=False, dtype=x.dtype, input_name="sample_weight")
    if sample_weight.ndim != 1:
        raise ValueError(f"sample_weight must be 1-D; got shape {sample_weight.shape}.")
    if len(sample_weight) != x.shape[0]:
        raise ValueError(f"sample_weight has {len(sample_weight)} values, but there are {x.shape[0]} samples.")
    if np.any(sample_weight < 0):
        raise ValueError("sample_weight must not contain negative values.")
    with np.errstate(over="ignore"):
        total = np.sum(sample_weight)
    if not total > 0:
        raise ValueError("Sample weights must contain at least one non-zero number.")
    if not np.isfinite(total):
        raise ValueError(
            f"sample_weight sums to {total} in {sample_weight.dtype}: the weights are too large. "
            "Scale them down (only their ratios matter)."
        )
    return sample_weight


def check_width(x, n_inputs):
    """Raise a ValueError unless ``x`` is 2-D with ``n_inputs`` columns (any number if None)."""
    if n_inputs is not None and (x.ndim != 2 or x.shape[1] != n_inputs):
        has = f"{x.shape[1]} features" if x.ndim == 2 else f"shape {x.shape}"
        raise ValueError(f"x has {has}, but the network's first layer expects {n_inputs} features.")


def check_x(x, n_inputs, dtype=(np.float64, np.float32)):
    """``x`` as a 2-D array (or CSR/CSC matrix) of ``dtype`` with ``n_inputs`` columns."""
    x = check_array(x, accept_sparse=("csr", "csc"), dtype=dtype, input_name="x")
    check_width(x, n_inputs)
    return x


def check_y(y, n_samples, n_outputs, dtype):
    """``y`` as an ``(n_samples, n_outputs)`` array of ``dtype`` (1-D ``y`` for a single output)."""
    y = check_array(y, ensure_2d=False, dtype=dtype, input_name="y")
    if y.ndim == 1 and n_outputs in (1, None):
        y = y.reshape(-1, 1)
    if y.ndim != 2 or (n_outputs is not None and y.shape[1] != n_outputs):
        hint = " (pass class labels with categorical=True to one-hot encode them)" if y.ndim == 1 else ""
        raise ValueError(
            f"y has shape {y.shape}, but the network has {n_outputs} outputs; expected "
            f"({n_samples}, {n_outputs}){hint}."
        )
    if len(y) != n_samples:
        raise ValueError(f"Found x and y with inconsistent numbers of samples: [{n_samples}, {len(y)}]")
    return y


def check_data(x, y, n_inputs, n_outputs, categorical=False, sample_weight=None, dtype=(np.float64, np.float32)):
    """``(x, y, sample_weight)`` checked; ``categorical=True`` one-hot encodes the labels ``y``."""
    x = check_x(x, n_inputs, dtype)
    if categorical:
        y = to_categorical(y, num_classes=n_outputs, dtype=x.dtype)
    y = check_y(y, x.shape[0], n_outputs, x.dtype)
    return x, y, check_sample_weight(sample_weight, x)
