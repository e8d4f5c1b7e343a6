"""Turning what a user passes (a name, an object or a pair) into a component.

One registry per kind, looked up by exact key; an unknown name's error lists
the valid ones.

Examples
--------
>>> from skneural.components import resolve
>>> resolve("tanh", "activation")
Tanh()
>>> resolve("adam", "optimizer")
Adam()
>>> resolve("Tanh", "activation")
Traceback (most recent call last):
...
ValueError: Unknown activation 'Tanh'. Did you mean 'tanh'? Valid names are: 'elu', 'exp', 'identity', 'leaky_relu', 'logistic', 'relu', 'sigmoid', 'softmax', 'softplus', 'tanh'.
"""

import difflib

from .activations import ACTIVATIONS, ActivationFunction, FunctionActivation
from .initializers import INITIALIZERS, Initializer
from .losses import LOSSES, FunctionLoss, Loss
from .optimizers import OPTIMIZERS

__all__ = ["resolve", "did_you_mean"]


def did_you_mean(name, valid):
    """`` Did you mean 'x'?`` for the valid name closest to ``name`` (case aside), or ''.

    Examples
    --------
    >>> did_you_mean("ReLU", ["relu", "tanh"])
    " Did you mean 'relu'?"
    >>> did_you_mean("qwerty", ["relu", "tanh"])
    ''
    """
    lowered = {v.lower(): v for v in valid}
    close = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.6)
    return f" Did you mean {lowered[close[0]]!r}?" if close else ""

# kind -> (registry, base class, wrapper for pairs, the method an object needs, and the call
# signature of a pair's function or, for kinds without pairs, what an object must be)
_KINDS = {
    "activation": (ACTIVATIONS, ActivationFunction, FunctionActivation, "derivative", "f(x)"),
    "loss": (LOSSES, Loss, FunctionLoss, "derivative", "f(y_pred, y_true)"),
    "optimizer": (OPTIMIZERS, None, None, "update", "an object with a .update(old_params, gradient) method"),
    "initializer": (INITIALIZERS, Initializer, None, "__call__",
                    "a callable init(fan_in, fan_out, random_state, dtype) returning (weights, bias)"),
}


def resolve(spec, kind):
    """Return the component of ``kind`` ('activation', 'loss', 'optimizer' or 'initializer') that ``spec`` names.

    ``spec`` may be a registered name (a new instance is returned), an object
    (returned as is; an object that only has the right methods is wrapped), or,
    for activations and losses, a ``(function, derivative)`` tuple.

    Parameters
    ----------
    spec : str, object or (function, derivative)
    kind : {'activation', 'loss', 'optimizer', 'initializer'}

    Returns
    -------
    The component: an ``ActivationFunction``, a ``Loss``, an optimizer or an initializer.

    Examples
    --------
    >>> import numpy as np
    >>> from skneural.optimizers import SGD
    >>> resolve("mse", "loss")
    MeanSquaredError()
    >>> resolve((np.tanh, np.cos), "activation")
    FunctionActivation(tanh, cos)
    >>> opt = SGD(momentum=0.0)
    >>> resolve(opt, "optimizer") is opt
    True
    >>> resolve("glorot_uniform", "initializer")
    GlorotUniform()
    >>> resolve("glorot", "initializer")
    Traceback (most recent call last):
    ...
    ValueError: Unknown initializer 'glorot'. Did you mean 'glorot_uniform'? Valid names are: 'glorot_uniform', 'he_normal', 'he_uniform', 'lecun_normal', 'xavier_normal'.
    """
    registry, base, wrapper, method, signature = _KINDS[kind]
    names = ", ".join(repr(name) for name in sorted(registry))
    article = "an" if kind[0] in "aeiou" else "a"
    if isinstance(spec, str):
        try:
            return registry[spec]()
        except KeyError:
            raise ValueError(f"Unknown {kind} {spec!r}.{did_you_mean(spec, registry)} Valid names are: {names}.") from None
    if isinstance(spec, type):
        raise TypeError(f"Pass {article} {kind} object, e.g. {spec.__name__}(), not the class {spec.__name__}.")
    if base is not None and isinstance(spec, base):
        return spec
    if isinstance(spec, tuple) and wrapper is not None:
        if len(spec) != 2 or not all(callable(f) for f in spec):
            raise TypeError(
                f"{article.capitalize()} {kind} given as a tuple must be (function, derivative), two "
                f"callables; got {spec!r}."
            )
        return wrapper(*spec)
    if callable(getattr(spec, method, None)):
        if wrapper is None:
            return spec
        if callable(spec):
            return wrapper(spec, getattr(spec, method))
    pair = f", or a (function, derivative) tuple with function {signature}" if wrapper else ""
    needs = f"a callable object with a .{method}() method" if wrapper else signature
    raise TypeError(f"{kind} must be one of the names {names}, {needs}{pair}; got {spec!r}.")
