"""Results unchanged by refactoring: every configuration in tests/golden.py gives the outputs
recorded in tests/data/golden.npz (predictions, loss curves, epochs, validation scores).

Integers (epochs) must be equal; floats equal to 1e-9 relative, which any behavioural change far
exceeds while a different BLAS thread count's last-bit rounding stays within it."""

import numpy as np
import pytest

from golden import GOLDEN, record_all


@pytest.fixture(scope="module")
def now():
    return record_all()


def test_the_recorded_configurations_give_the_recorded_outputs(now):
    with np.load(GOLDEN) as recorded:
        recorded = {k: recorded[k] for k in recorded.files}
    assert sorted(now) == sorted(recorded)
    assert len({key.split("/")[0] for key in recorded}) >= 20
    for key, expected in recorded.items():
        if expected.dtype.kind in "iub":
            np.testing.assert_array_equal(now[key], expected, err_msg=key)
        else:
            np.testing.assert_allclose(now[key], expected, rtol=1e-9, atol=1e-12, err_msg=key)
