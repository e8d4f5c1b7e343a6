"""Adam's step as one pass over the parameters, compiled by numba when it is installed.

NumPy makes Adam's step a dozen passes over the flat parameter vector (each reading and writing
all of it); compiled, the step reads each parameter, gradient and moment once.  This is an optional
speed-up: ``pip install -e ".[fast]"`` installs numba, and without it (or with the environment
variable ``SKNEURAL_FUSED=0``) every step takes the NumPy path of :class:`~skneural.optimizers.Adam`,
which is the reference the compiled step is tested against: it makes the same operations in the same
order, so the two give the same bits.  numba is imported, and the step
compiled (cached on disk after the first time), only when a network of at least ``MIN_SIZE``
parameters takes its first step: small networks, whose steps cost microseconds, never pay for it.
"""

import os

import numpy as np

__all__ = ["MIN_SIZE", "adam_step", "available"]

MIN_SIZE = 50_000  # parameters; below this a step is too cheap for compiling to pay off

_compiled = None  # the compiled step once built; False when numba is missing or disabled


def available():
    """Whether the compiled step can be used (numba installed, not disabled by ``SKNEURAL_FUSED=0``)."""
    return _kernel() is not False


def _kernel():
    global _compiled
    if _compiled is None:
        _compiled = False
        if os.environ.get("SKNEURAL_FUSED", "1") != "0":
            try:
                import numba
            except ImportError:
                return _compiled
            _compiled = numba.njit(cache=True, error_model="numpy", nogil=True)(_adam_step)
    return _compiled


def _adam_step(params, gradient, m, v, beta_1, beta_2, one_minus_beta_1, one_minus_beta_2, step, epsilon):
    for i in range(params.shape[0]):
        g = gradient[i]
        m_i = beta_1 * m[i] + one_minus_beta_1 * g
        v_i = beta_2 * v[i] + one_minus_beta_2 * (g * g)
        m[i] = m_i
        v[i] = v_i
        params[i] -= m_i / (np.sqrt(v_i) + epsilon) * step  # NumPy's order of operations: the same bits


def adam_step(params, gradient, m, v, beta_1, beta_2, step, epsilon):
    """Adam's step in place, or False when the compiled step does not apply (then nothing changed):
    numba missing or disabled, fewer than ``MIN_SIZE`` parameters, or arrays that are not 1-d,
    contiguous and of one float dtype."""
    if params.size < MIN_SIZE:
        return False
    arrays = (params, gradient, m, v)
    dtype = params.dtype
    if dtype.kind != "f" or any(a.dtype != dtype or a.ndim != 1 or not a.flags.c_contiguous for a in arrays):
        return False
    kernel = _kernel()
    if kernel is False:
        return False
    cast = dtype.type  # each constant rounded once to the dtype, as NumPy rounds a Python float (1 - beta_2 too)
    kernel(params, gradient, m, v, cast(beta_1), cast(beta_2), cast(1 - beta_1), cast(1 - beta_2), cast(step),
           cast(epsilon))
    return True
