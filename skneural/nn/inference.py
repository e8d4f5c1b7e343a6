"""Prediction: inputs through the layers' ``infer``, in chunks of rows, in bounded memory.

A layer that declares its ``output_width`` and whose ``infer`` takes ``out``
writes into a work array of its own, reused from chunk to chunk; an
``inplace`` layer after it (an activation) works over that array.  The work
arrays belong to one call, so that threads can predict at once.
"""

import functools
import inspect

import numpy as np
from sklearn import get_config
from sklearn.utils import assert_all_finite

__all__ = ["infer_in_chunks", "infer_rows", "plan"]

_QUIET = dict(over="ignore", invalid="ignore")

# Prediction works through large inputs in chunks whose widest work array is about this big.
_CHUNK_BYTES = 8 * 2**20


def _signature_takes_out(infer):
    try:
        return "out" in inspect.signature(infer).parameters
    except (TypeError, ValueError):  # no signature to read
        return False


_cached_signature_takes_out = functools.lru_cache(maxsize=1024)(_signature_takes_out)


def _takes_out(layer):
    """Whether the layer's ``infer`` has an ``out`` argument (a user's may not)."""
    infer = layer.__dict__.get("infer") or type(layer).infer
    try:
        return _cached_signature_takes_out(infer)
    except TypeError:  # an unhashable callable
        return _signature_takes_out(infer)


def _work_array(work, i, rows, width, dtype):
    """Layer ``i``'s work array for ``rows`` rows: the one of an earlier chunk where it fits."""
    array = work.get(i)
    if array is None or array.dtype != dtype or len(array) < rows or array.shape[1] != width:
        array = work[i] = np.empty((rows, width), dtype)
    return array[:rows]


def plan(layers, dtype):
    """The steps of :func:`infer_rows` for ``layers`` whose parameters are of ``dtype``, worked out
    once per prediction: ``(layer, whether its infer takes out, its parameters' dtype or None)``."""
    return [(layer, _takes_out(layer), dtype if layer.param_names else None) for layer in layers]


def infer_rows(x, steps, check_finite, input_name, work):
    """``x`` through the layers of ``steps`` (from ``plan``), with the work arrays of ``work`` (a
    dict by layer index).

    ``check_finite`` raises scikit-learn's error for nan or infinity in ``x``
    (named ``input_name``): on the first layer's output when that layer
    ``propagates_nonfinite_rows``, which costs no pass over ``x``.
    """
    check_finite = check_finite and not get_config()["assume_finite"]
    check_output = check_finite and steps[0][0].propagates_nonfinite_rows
    if check_finite and not check_output:
        assert_all_finite(x, input_name=input_name)
    owned = False  # whether x is a work array that may be overwritten
    for i, (layer, takes_out, param_dtype) in enumerate(steps):
        out = None
        if takes_out and isinstance(x, np.ndarray):
            if layer.inplace:
                out = x if owned else None
            else:
                width = layer.output_width(x.shape[1])
                if width is not None:
                    dtype = x.dtype if param_dtype is None else np.promote_types(x.dtype, param_dtype)
                    out = _work_array(work, i, len(x), width, dtype)
        if out is None:
            result = layer.infer(x)
        elif check_output and i == 0:
            with np.errstate(**_QUIET):  # checked just below
                result = layer.infer(x, out=out)
        else:
            result = layer.infer(x, out=out)
        owned = out is not None and result is out
        if check_output and i == 0:
            # inf * w is +-inf or (w = 0) nan, and nan stays nan, so a non-finite input
            # value makes its whole row of x @ W non-finite
            with np.errstate(**_QUIET):
                finite = np.isfinite(np.sum(result)) or np.all(np.isfinite(result))
            if not finite:
                assert_all_finite(x, input_name=input_name)
                raise ValueError(
                    f"Input {input_name} has values so large that the first layer's outputs "
                    "overflow. Scale the inputs (e.g. with StandardScaler)."
                )
        x = result
    return x


def infer_in_chunks(layers, x, dtype, check_finite=False, input_name="X"):
    """``x`` through ``layers``, whose parameters are of ``dtype`` (see :func:`infer_rows`), in
    chunks of rows, so that the widest work array stays about ``_CHUNK_BYTES`` (in ``dtype``)
    whatever the size of ``x``."""
    widths, width = [], x.shape[1]
    for layer in layers:
        width = layer.output_width(width)
        if width is not None:
            widths.append(width)
    rows = max(256, _CHUNK_BYTES // (max(widths or [x.shape[1]]) * dtype.itemsize))
    n = x.shape[0]
    steps = plan(layers, dtype)
    work = {}  # this call's own work arrays, so that threads can predict at once
    if n <= rows:
        return infer_rows(x, steps, check_finite, input_name, work)
    first = infer_rows(x[:rows], steps, check_finite, input_name, work)
    out = np.empty((n,) + first.shape[1:], dtype=first.dtype)
    out[:rows] = first
    for start in range(rows, n, rows):
        out[start:start + rows] = infer_rows(x[start:start + rows], steps, check_finite, input_name, work)
    return out
