"""Cases shared by the layer tests: every output activation and loss pairing, and an optimizer that
makes training fail part-way through an epoch."""

import numpy as np

from skneural.layers import Exp, Identity, Sigmoid, Softmax
from skneural.optimizers import SGD

# (output activation layer, loss, output width, targets for n rows)
PAIRINGS = {
    "softmax+categorical_crossentropy": (Softmax, "categorical_crossentropy", 3,
                                         lambda rng, n: np.eye(3)[rng.randint(0, 3, n)]),
    "sigmoid+binary_crossentropy": (Sigmoid, "binary_crossentropy", 2,
                                    lambda rng, n: rng.randint(0, 2, (n, 2)).astype(float)),
    "identity+squared_error": (Identity, "squared_error", 2, lambda rng, n: rng.randn(n, 2)),
    "identity+mse": (Identity, "mse", 2, lambda rng, n: rng.randn(n, 2)),
    "identity+huber": (Identity, "huber", 2, lambda rng, n: 2 * rng.randn(n, 2)),
    "exp+poisson": (Exp, "poisson", 2, lambda rng, n: rng.poisson(1.5, (n, 2)).astype(float)),
    "softmax+mse": (Softmax, "mse", 3, lambda rng, n: np.eye(3)[rng.randint(0, 3, n)]),
}


def nan_on_second_step():
    """Plain SGD (no momentum) whose second step of the process turns the parameters into nan, and
    the list of its calls.  The count lives outside the optimizer, so the epoch's rollback (which puts
    the optimizer's state back) does not reset it: a replay of the epoch does not fail again."""
    calls = []

    class NanOnSecondBatch(SGD):
        def update(self, old_params, gradient):
            calls.append(1)
            if len(calls) == 2:
                old_params[...] = np.nan
                return old_params
            return super().update(old_params, gradient)

    return NanOnSecondBatch(momentum=0.0), calls
