"""Turning what a user passes (a name, an object or a pair) into a component.

One registry per kind ('activation', 'loss', 'optimizer', 'initializer',
'schedule'), looked up by exact key; an unknown name's error lists the valid
ones.  ``register`` adds a class of one's own under a new name;
``BUILTIN_CLASSES`` is the frozenset of skneural's own component classes,
taken at import, before any such registration.

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
ValueError: Unknown activation 'Tanh'. Did you mean 'tanh'? Valid names are: 'elu', 'exp', 'gelu', 'identity', 'leaky_relu', 'logistic', 'mish', 'relu', 'selu', 'sigmoid', 'silu', 'softmax', 'softplus', 'tanh'.
>>> from skneural.components.optimizers import Adam
>>> Adam in BUILTIN_CLASSES, type(resolve("logistic", "activation")) in BUILTIN_CLASSES
(True, True)
"""

import difflib
import inspect

from .activations import ACTIVATIONS, ActivationFunction, FunctionActivation
from .initializers import INITIALIZERS, Initializer
from .losses import LOSSES, FunctionLoss, Loss
from .optimizers import OPTIMIZERS
from .schedules import SCHEDULES, Schedule
from .smooth_activations import SMOOTH_ACTIVATIONS

ACTIVATIONS.update(SMOOTH_ACTIVATIONS)  # 'selu', 'gelu', 'silu', 'mish': built-ins kept in their own module

__all__ = ["resolve", "did_you_mean", "register", "unregister", "names", "sklearn_params", "is_canonical_pair",
           "BUILTIN_CLASSES"]


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
    "schedule": (SCHEDULES, Schedule, None, "rate", "an object with .rate(initial, t) and .reduce(current) methods"),
}

# skneural's own component classes and names, taken before any registration of the user's
BUILTIN_CLASSES = frozenset(cls for registry, *_ in _KINDS.values() for cls in registry.values())
_BUILTIN_NAMES = {kind: frozenset(registry) for kind, (registry, *_) in _KINDS.items()}


def _registry(kind):
    if kind not in _KINDS:
        raise ValueError(f"Unknown component kind {kind!r}. Valid kinds are: {', '.join(map(repr, _KINDS))}.")
    return _KINDS[kind][0]


def names(kind):
    """Sorted names registered for ``kind``: skneural's own and those added with ``register``.

    Parameters
    ----------
    kind : {'activation', 'loss', 'optimizer', 'initializer', 'schedule'}

    Returns
    -------
    list of str

    Examples
    --------
    >>> names("schedule")
    ['adaptive', 'constant', 'cosine_annealing', 'invscaling', 'one_cycle', 'reduce_on_plateau', 'step_decay']
    >>> names("layer")
    Traceback (most recent call last):
    ...
    ValueError: Unknown component kind 'layer'. Valid kinds are: 'activation', 'loss', 'optimizer', 'initializer', 'schedule'.
    """
    return sorted(_registry(kind))


def _fits(kind, cls):
    """Whether instances of ``cls`` are components of ``kind``, and what they must be if not."""
    if kind == "optimizer":
        return callable(getattr(cls, "update", None)), "a class with an update(old_params, gradient) method"
    if kind == "initializer":
        needs = "a subclass of Initializer or a class of callables init(fan_in, fan_out, random_state, dtype)"
        return issubclass(cls, Initializer) or _calls_with_four_arguments(cls), needs
    base = _KINDS[kind][1]
    return issubclass(cls, base), f"a subclass of {base.__name__}"


def _calls_with_four_arguments(cls):
    if not any("__call__" in vars(c) for c in cls.__mro__[:-1]):  # instances are not callable
        return False
    try:
        inspect.signature(cls.__call__).bind(None, 1, 1, None, None)  # self, fan_in, fan_out, random_state, dtype
    except TypeError:
        return False
    except ValueError:  # no signature to read
        pass
    return True


def register(kind, name, cls):
    """Make ``name`` a name of the component class ``cls`` wherever a ``kind`` is expected.

    ``resolve(name, kind)`` then returns ``cls()``, and the errors for
    unknown names list ``name``.  Registered classes stay the user's own:
    ``BUILTIN_CLASSES`` holds skneural's classes only.

    Parameters
    ----------
    kind : {'activation', 'loss', 'optimizer', 'initializer', 'schedule'}
    name : str
        A name not yet taken by another class (registering a class again
        under its own name does nothing).
    cls : class
        Made with no arguments by ``resolve``.  An activation must subclass
        ``ActivationFunction``, a loss ``Loss``, a schedule ``Schedule``;
        an optimizer needs an ``update`` method; an initializer subclasses
        ``Initializer`` or has instances that are callable.

    Returns
    -------
    cls
        The class, unchanged.

    Raises
    ------
    ValueError
        For an unknown kind, an empty name, or a name taken by another class.
    TypeError
        For a name that is not a str, or a ``cls`` that is not a class of the kind.

    Examples
    --------
    >>> import numpy as np
    >>> from skneural.optimizers import Optimizer
    >>> class Lion(Optimizer):
    ...     sklearn_params = {"learning_rate": "learning_rate_init"}
    ...     def __init__(self, learning_rate=1e-4):
    ...         self.learning_rate = learning_rate
    ...     def _step(self, params, gradient, buffer):
    ...         params -= self.learning_rate * np.sign(gradient)
    >>> _ = register("optimizer", "lion", Lion)
    >>> resolve("lion", "optimizer")
    Lion()
    >>> "lion" in names("optimizer")
    True
    >>> register("optimizer", "adam", Lion)
    Traceback (most recent call last):
    ...
    ValueError: The optimizer name 'adam' is taken by Adam; pick another name for Lion.
    >>> register("optimizer", "lion2", Lion())
    Traceback (most recent call last):
    ...
    TypeError: register needs a class, not an instance: pass Lion, not Lion().
    >>> unregister("optimizer", "lion")
    """
    registry = _registry(kind)
    if not isinstance(name, str):
        raise TypeError(f"A {kind} name must be a str; got {name!r}.")
    if not name:
        raise ValueError(f"A {kind} name must be a non-empty str.")
    if inspect.isroutine(cls):
        raise TypeError(f"register needs a class, not a function; got {cls!r}.")
    if not isinstance(cls, type):
        raise TypeError(f"register needs a class, not an instance: pass {type(cls).__name__}, not {cls!r}.")
    fits, needs = _fits(kind, cls)
    if not fits:
        raise TypeError(f"A registered {kind} must be {needs}; {cls.__name__} is not.")
    _check_no_arguments(kind, cls)
    taken = registry.get(name)
    if taken is not None and taken is not cls:
        raise ValueError(f"The {kind} name {name!r} is taken by {taken.__name__}; pick another name for "
                         f"{cls.__name__}.")
    registry[name] = cls
    return cls


def _check_no_arguments(kind, cls):
    try:
        signature = inspect.signature(cls)
    except (TypeError, ValueError):  # no signature to read: resolve will tell
        return
    required = [p.name for p in signature.parameters.values()
                if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    if required:
        raise TypeError(f"A registered {kind} is made by its name with no arguments, but {cls.__name__} "
                        f"requires {', '.join(required)}: give them defaults.")


def unregister(kind, name):
    """Remove a name added with ``register`` (skneural's own names stay).

    Parameters
    ----------
    kind : {'activation', 'loss', 'optimizer', 'initializer', 'schedule'}
    name : str

    Examples
    --------
    >>> unregister("activation", "relu")
    Traceback (most recent call last):
    ...
    ValueError: 'relu' is one of skneural's own activation names, which cannot be removed.
    """
    registry = _registry(kind)
    if name in _BUILTIN_NAMES[kind]:
        raise ValueError(f"{name!r} is one of skneural's own {kind} names, which cannot be removed.")
    if name not in registry:
        raise ValueError(f"No {kind} is registered as {name!r}.")
    del registry[name]


def sklearn_params(optimizer_class):
    """The scikit-learn MLP parameter behind each constructor setting of an optimizer (or schedule) class.

    The class's ``sklearn_params`` (``{}`` when it has none), keeping only
    the settings its constructor takes.

    Parameters
    ----------
    optimizer_class : class
        An optimizer or schedule class (an instance is taken as its class).

    Returns
    -------
    dict
        ``{setting: scikit-learn parameter}``, a new dict.

    Examples
    --------
    >>> from skneural.optimizers import SGD, RMSprop
    >>> sklearn_params(RMSprop)
    {'learning_rate': 'learning_rate_init', 'epsilon': 'epsilon'}
    >>> sklearn_params(SGD)["nesterov"]
    'nesterovs_momentum'
    >>> class Fixed:
    ...     sklearn_params = {"learning_rate": "learning_rate_init"}  # but the constructor takes none
    ...     def update(self, old_params, gradient):
    ...         return old_params - 0.1 * gradient
    >>> sklearn_params(Fixed)
    {}
    """
    cls = optimizer_class if isinstance(optimizer_class, type) else type(optimizer_class)
    declared = dict(getattr(cls, "sklearn_params", None) or {})
    try:
        parameters = inspect.signature(cls).parameters.values()
    except (TypeError, ValueError):
        return {}
    if any(p.kind is p.VAR_KEYWORD for p in parameters):
        return declared
    takes = {p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    return {setting: param for setting, param in declared.items() if setting in takes}


def is_canonical_pair(activation, loss):
    """Whether the network computes ``activation`` and ``loss`` together from the pre-activation.

    True iff ``loss.canonical_activation`` names an activation whose
    registered class is exactly ``type(activation)`` (a subclass, which may
    compute another function, is not fused).

    Parameters
    ----------
    activation : object
        The output activation (anything; None is fine).
    loss : object
        The loss.

    Returns
    -------
    bool

    Examples
    --------
    >>> from skneural.activations import Sigmoid, Softmax
    >>> from skneural.losses import BinaryCrossEntropy, CategoricalCrossEntropy
    >>> is_canonical_pair(Softmax(), CategoricalCrossEntropy())
    True
    >>> is_canonical_pair(Sigmoid(), CategoricalCrossEntropy())
    False
    >>> class Tempered(Softmax):
    ...     def __call__(self, x):
    ...         return super().__call__(x / 2)
    >>> is_canonical_pair(Tempered(), CategoricalCrossEntropy())
    False
    """
    name = getattr(loss, "canonical_activation", None)
    return isinstance(name, str) and ACTIVATIONS.get(name) is type(activation)


def resolve(spec, kind):
    """Return the component of ``kind`` that ``spec`` names.

    ``spec`` may be a registered name (a new instance is returned), an object
    (returned as is; an object that only has the right methods is wrapped), or,
    for activations and losses, a ``(function, derivative)`` tuple.

    Parameters
    ----------
    spec : str, object or (function, derivative)
    kind : {'activation', 'loss', 'optimizer', 'initializer', 'schedule'}

    Returns
    -------
    The component: an ``ActivationFunction``, a ``Loss``, an optimizer, an initializer or a ``Schedule``.

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
    >>> resolve("invscaling", "schedule")
    InvScaling()
    >>> resolve("glorot", "initializer")
    Traceback (most recent call last):
    ...
    ValueError: Unknown initializer 'glorot'. Did you mean 'glorot_uniform'? Valid names are: 'glorot_uniform', 'he_normal', 'he_uniform', 'lecun_normal', 'xavier_normal'.
    """
    _registry(kind)
    registry, base, wrapper, method, signature = _KINDS[kind]
    valid = ", ".join(repr(name) for name in sorted(registry))
    article = "an" if kind[0] in "aeiou" else "a"
    if isinstance(spec, str):
        if spec not in registry:
            raise ValueError(f"Unknown {kind} {spec!r}.{did_you_mean(spec, registry)} Valid names are: {valid}.")
        return registry[spec]()  # outside the look-up: an error of a registered class's own is its own
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
    raise TypeError(f"{kind} must be one of the names {valid}, {needs}{pair}; got {spec!r}.")
