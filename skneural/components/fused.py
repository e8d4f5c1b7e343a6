"""Adam's step and the L2 term's gradient, each in one pass, compiled by numba when it is installed.

NumPy makes Adam's step a dozen passes over the flat parameter vector (each reading and writing
all of it), and the L2 term's gradient ``g += alpha / n * w`` two; compiled, each reads every value
once.  This is an optional speed-up: ``pip install -e ".[fast]"`` installs numba, and without it (or
with the environment variable ``SKNEURAL_FUSED=0``) every step takes the NumPy path (of
:class:`~skneural.optimizers.Adam`, of the network's objective), which is the reference the compiled
passes are tested against: they make the same operations in the same order, so the two give the
same bits.  numba is imported, and the passes compiled (cached on disk after the first time), only
when arrays of at least ``MIN_SIZE`` elements take their first step: small networks, whose steps
cost microseconds, never pay for it.
"""

import os

import numpy as np

__all__ = ["MIN_SIZE", "adam_step", "add_scaled", "available"]

MIN_SIZE = 50_000  # elements; below this a NumPy pass is too cheap for compiling to pay off

_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))  # native byte order
_compiled = None  # {name: compiled function} once built; False when numba is missing or disabled


def available():
    """Whether the compiled steps can be used (numba installed, not disabled by ``SKNEURAL_FUSED=0``)."""
    return _kernels() is not False


def _kernels():
    global _compiled
    if _compiled is None:
        _compiled = False
        if os.environ.get("SKNEURAL_FUSED", "1") != "0":
            try:
                import numba
            except ImportError:
                return _compiled
            jit = numba.njit(cache=True, error_model="numpy", nogil=True)
            _compiled = {"adam_step": jit(_adam_step), "add_scaled": jit(_add_scaled)}
    return _compiled


def _adam_step(params, gradient, m, v, beta_1, beta_2, one_minus_beta_1, one_minus_beta_2, step, epsilon):
    for i in range(params.shape[0]):
        g = gradient[i]
        m_i = beta_1 * m[i] + one_minus_beta_1 * g
        v_i = beta_2 * v[i] + one_minus_beta_2 * (g * g)
        m[i] = m_i
        v[i] = v_i
        params[i] -= m_i / (np.sqrt(v_i) + epsilon) * step  # NumPy's order of operations: the same bits


def _add_scaled(y, x, a):
    for i in range(y.shape[0]):
        y[i] += a * x[i]


def _kernel_for(name, arrays):
    """The compiled function ``name`` if it applies to ``arrays`` (numba there and enabled, at least
    ``MIN_SIZE`` elements, C-contiguous, separate arrays of one shape and of float32 or float64), else None."""
    first = arrays[0]
    if first.size < MIN_SIZE or first.dtype not in _DTYPES:  # float16, long double, byte-swapped: NumPy's
        return None
    if any(a.dtype != first.dtype or a.shape != first.shape or not a.flags.c_contiguous for a in arrays):
        return None
    if any(np.may_share_memory(a, b) for i, a in enumerate(arrays) for b in arrays[i + 1:]):
        return None  # the loop would read values it already wrote; NumPy's passes read the originals
    kernels = _kernels()
    return None if kernels is False else kernels[name]


def adam_step(params, gradient, m, v, beta_1, beta_2, step, epsilon):
    """Adam's step in place, or False when the compiled step does not apply (then nothing changed):
    numba missing or disabled, fewer than ``MIN_SIZE`` parameters, or arrays that are not 1-d,
    contiguous and of one float dtype."""
    kernel = _kernel_for("adam_step", (params, gradient, m, v)) if params.ndim == 1 else None
    if kernel is None:
        return False
    cast = params.dtype.type  # each constant rounded once to the dtype, as NumPy rounds a Python float (1 - beta_2 too)
    kernel(params, gradient, m, v, cast(beta_1), cast(beta_2), cast(1 - beta_1), cast(1 - beta_2), cast(step),
           cast(epsilon))
    return True


def add_scaled(y, x, a):
    """``y += a * x`` in place in one pass (NumPy needs two, ``a * x`` into a scratch array then the sum,
    rounded as here: the same bits), or False when the compiled pass does not apply (then nothing
    changed): numba missing or disabled, fewer than ``MIN_SIZE`` elements, or arrays of other shapes
    or dtypes, or not C-contiguous (the L2 term's gradient: ``y`` a weight gradient, ``x`` the weights)."""
    kernel = _kernel_for("add_scaled", (y, x))
    if kernel is None:
        return False
    kernel(y.reshape(-1), x.reshape(-1), y.dtype.type(a))  # views: both are C-contiguous
    return True
