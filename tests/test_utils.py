import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from skneural import to_categorical


def test_to_categorical_one_hot():
    out = to_categorical([2, 0, 1, 2])
    assert out.shape == (4, 3) and out.dtype == np.float64
    np.testing.assert_array_equal(out.argmax(axis=1), [2, 0, 1, 2])
    np.testing.assert_array_equal(out.sum(axis=1), 1)
    assert to_categorical([0, 1], num_classes=5).shape == (2, 5)
    assert to_categorical(np.array([1.0, 0.0]), dtype=np.float32).dtype == np.float32
    assert to_categorical(np.array([[1], [0]])).shape == (2, 2)


@given(st.lists(st.integers(0, 9), min_size=1, max_size=50))
def test_to_categorical_round_trips(labels):
    out = to_categorical(labels)
    np.testing.assert_array_equal(out.argmax(axis=1), labels)
    assert out.shape == (len(labels), max(labels) + 1)


@pytest.mark.parametrize("labels, message", [
    (["a", "b"], "non-negative integer class labels"),
    ([0.5, 1.0], "non-negative integer class labels"),
    ([-1, 0], "non-negative integer class labels"),
    ([0, np.nan], "non-negative integer class labels"),
    (np.zeros((2, 2)), "1-D array"),
])
def test_to_categorical_rejects_bad_labels(labels, message):
    with pytest.raises(ValueError, match=message):
        to_categorical(labels)


def test_to_categorical_rejects_labels_beyond_num_classes():
    with pytest.raises(ValueError, match="Class label 3 is out of range for num_classes=3"):
        to_categorical([0, 3], num_classes=3)


@pytest.mark.parametrize("labels", [[1e20], np.array([2**63], dtype=np.uint64)])
def test_labels_too_large_for_an_index_are_rejected(labels):
    from skneural.utils import class_indices

    with pytest.raises(ValueError, match="non-negative integer class labels"):
        class_indices(labels)
