"""Refusing, before anything is allocated, a network too large for the machine."""

import os


def physical_memory():
    """The machine's physical memory in bytes, or None where the system does not say."""
    try:
        pages, page_size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None
    return pages * page_size if pages > 0 and page_size > 0 else None


def _count(n):
    """A (possibly astronomically large) int, readably."""
    if n < 10**15:
        return f"{n:,}"
    digits = str(n)
    return f"{digits[0]}.{digits[1:3]}e+{len(digits) - 1}"


def _gib(n_bytes):
    gib = n_bytes // 2**30
    return _count(gib) if gib >= 10**15 else f"{n_bytes / 2**30:,.1f}"


def check_memory(sizes, name, value, itemsize=8, batch_rows=0, full_batch=False):
    """Raise a ValueError naming ``name`` if training a network of layer ``sizes`` needs more than
    the machine's physical memory; nothing is allocated (Python ints cannot overflow).

    The estimate, in bytes, is the larger of building the network and training it:

    * building: every Dense layer's float64 weights and gradients, then the flat parameter and
      gradient vectors they are copied into, and the float64 draw of the largest layer;
    * training (``itemsize`` per number): parameters and gradients, the epoch-start copy of the
      parameters, an optimizer's state of two arrays (Adam's moments) with its scratch array and
      their epoch-start copies (8 vectors), or for ``full_batch`` (L-BFGS) scipy's 10 pairs of
      float64 correction vectors and its work vectors (about 30); plus, per row of a batch
      (``batch_rows``), about three arrays as wide as each layer (outputs, activations, gradients).
    """
    sizes = [int(s) for s in sizes]
    n_params = sum((fan_in + 1) * fan_out for fan_in, fan_out in zip(sizes[:-1], sizes[1:]))
    largest = max(fan_in * fan_out for fan_in, fan_out in zip(sizes[:-1], sizes[1:]))
    building = 2 * 8 * n_params + 2 * itemsize * n_params + 8 * largest
    vectors = 2 * itemsize * n_params + 30 * 8 * n_params if full_batch else 8 * itemsize * n_params
    training = vectors + 3 * itemsize * batch_rows * sum(sizes[1:])
    needed, available = max(building, training), physical_memory()
    if available is not None and needed > available:
        raise ValueError(
            f"{name}={value!r} makes a network of {_count(n_params)} parameters; training it needs "
            f"about {_gib(needed)} GiB of memory, more than this machine's {_gib(available)} GiB. "
            "Use fewer or smaller layers."
        )
    return n_params
