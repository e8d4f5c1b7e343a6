"""What ``skneural train`` makes of the target column: the task it implies and its class labels."""

import numpy as np


def _numbers(values):
    """The strings as a float array, or None if one is not a number."""
    try:
        return np.array([float(v) for v in values])
    except ValueError:
        return None


def _whole(numbers):
    return numbers is not None and bool(np.all(np.abs(numbers) < 2**53) and np.all(numbers == np.round(numbers)))


def class_labels(values):
    """Class labels: whole numbers as integers (so "1" and "1.0" are one class), anything else as the strings."""
    numbers = _numbers(values)
    return numbers.astype(np.int64) if _whole(numbers) else np.array(values)


def guess_task(values):
    """'regression' for a numeric target with many distinct or fractional values, else 'classification'."""
    numbers = _numbers(values)
    if numbers is None:
        return "classification", "the target's values are not all numbers"
    distinct = len(np.unique(numbers))
    if _whole(numbers) and distinct <= 20:
        return "classification", f"the target has {distinct} distinct whole-number values"
    return "regression", f"the target has {distinct} distinct numeric values"
