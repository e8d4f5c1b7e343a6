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


@pytest.fixture
def rng():
    return np.random.RandomState(0)
