"""Checking settings against declared constraints, with scikit-learn's error message.

A constraint is a small object with ``is_satisfied_by(value)`` and a
``description`` that completes the sentence "must be ...": an
:class:`Interval` of numbers, :class:`Options` (exact values), a
:class:`Boolean`, an :class:`InstanceOf` some types, or several of them at
once (:class:`AnyOf`, :class:`NoneOr`).  :func:`validate` checks a dict of
settings against a dict of constraints and raises scikit-learn's message;
:class:`Constrained` gives a component class ``check_params()`` from its
``_constraints`` table.

Examples
--------
>>> from numbers import Integral, Real
>>> from skneural.components.params import AnyOf, Interval, Options, validate
>>> constraints = {"alpha": Interval(Real, 0, None, "left"),
...                "batch_size": AnyOf(Options("auto"), Interval(Integral, 1, None, "left"))}
>>> validate("MyModel", {"alpha": 0.5, "batch_size": "auto"}, constraints)
>>> validate("MyModel", {"alpha": -1.0}, constraints)
Traceback (most recent call last):
...
skneural.components.params.InvalidParameterError: The 'alpha' parameter of MyModel must be a float in the range [0, inf). Got -1.0 instead.
>>> validate("MyModel", {"batch_size": 0}, constraints)
Traceback (most recent call last):
...
skneural.components.params.InvalidParameterError: The 'batch_size' parameter of MyModel must be 'auto' or an int in the range [1, inf). Got 0 instead.
"""

import math
import warnings
from numbers import Integral, Real

import numpy as np

__all__ = ["InvalidParameterError", "Constraint", "Interval", "Options", "Boolean", "InstanceOf", "AnyOf",
           "NoneOr", "validate", "Constrained"]

_CLOSED = ("left", "right", "both", "neither")


class InvalidParameterError(ValueError, TypeError):
    """A setting that does not satisfy its constraint.

    A ``ValueError`` and also a ``TypeError`` (a value of the wrong type is
    one way of breaking a constraint), as scikit-learn's error of the same name.

    Examples
    --------
    >>> issubclass(InvalidParameterError, ValueError), issubclass(InvalidParameterError, TypeError)
    (True, True)
    """


def _is_bool(value):
    return isinstance(value, (bool, np.bool_))


class Constraint:
    """Base class of constraints: subclasses define ``is_satisfied_by`` and ``description``.

    Examples
    --------
    >>> class Even(Constraint):
    ...     description = "an even int"
    ...     def is_satisfied_by(self, value):
    ...         return isinstance(value, int) and value % 2 == 0
    >>> Even().is_satisfied_by(4), str(Even())
    (True, 'an even int')
    """

    description = "a valid value"

    def is_satisfied_by(self, value):
        """Whether ``value`` satisfies the constraint."""
        raise NotImplementedError

    def __str__(self):
        return self.description


class Interval(Constraint):
    """Numbers of a kind between two bounds.

    Parameters
    ----------
    kind : numbers.Real or numbers.Integral
        ``Real`` takes any real number (ints too), ``Integral`` only ints.
        Bools are never numbers here, and NaN is in no interval.
    low, high : number or None
        The bounds; None is minus or plus infinity.
    closed : {'left', 'right', 'both', 'neither'}
        Which bounds belong to the interval (an infinite bound too: with
        ``high=None`` and ``closed='left'``, ``inf`` is outside).

    Examples
    --------
    >>> from numbers import Integral, Real
    >>> unit = Interval(Real, 0, 1, "left")
    >>> unit.description
    'a float in the range [0, 1)'
    >>> [unit.is_satisfied_by(v) for v in (0, 0.5, 1.0, float("nan"), True, "0.5")]
    [True, True, False, False, False, False]
    >>> Interval(Integral, 1, None, "left").description
    'an int in the range [1, inf)'
    >>> Interval(Integral, 1, None, "left").is_satisfied_by(2.0)
    False
    """

    def __init__(self, kind, low, high, closed):
        if kind not in (Real, Integral):
            raise TypeError(f"kind must be numbers.Real or numbers.Integral; got {kind!r}.")
        if closed not in _CLOSED:
            raise ValueError(f"closed must be one of {_CLOSED}; got {closed!r}.")
        for bound in (low, high):
            if bound is not None and (not isinstance(bound, Real) or _is_bool(bound) or math.isnan(bound)):
                raise TypeError(f"The bounds must be numbers or None; got {bound!r}.")
        if low is not None and high is not None and low > high:
            raise ValueError(f"low must not exceed high; got {low!r} > {high!r}.")
        self.kind, self.low, self.high, self.closed = kind, low, high, closed

    @property
    def description(self):
        left = "[" if self.closed in ("left", "both") else "("
        right = "]" if self.closed in ("right", "both") else ")"
        low = "-inf" if self.low is None else self.low
        high = "inf" if self.high is None else self.high
        what = "an int" if self.kind is Integral else "a float"
        return f"{what} in the range {left}{low}, {high}{right}"

    def is_satisfied_by(self, value):
        if not isinstance(value, self.kind) or _is_bool(value) or value != value:  # NaN is not equal to itself
            return False
        low = -math.inf if self.low is None else self.low
        high = math.inf if self.high is None else self.high
        above = value >= low if self.closed in ("left", "both") else value > low
        below = value <= high if self.closed in ("right", "both") else value < high
        return bool(above and below)

    def __repr__(self):
        return f"Interval({self.kind.__name__}, {self.low!r}, {self.high!r}, {self.closed!r})"


class Options(Constraint):
    """Exactly one of some values: a string only equals a string, a bool only a bool.

    Parameters
    ----------
    *values
        The allowed values.

    Examples
    --------
    >>> schedules = Options("constant", "invscaling", "adaptive")
    >>> schedules.description
    "one of {'constant', 'invscaling', 'adaptive'}"
    >>> schedules.is_satisfied_by("adaptive"), schedules.is_satisfied_by("Adaptive")
    (True, False)
    >>> Options(1).is_satisfied_by(True), Options("auto").description
    (False, "'auto'")
    """

    def __init__(self, *values):
        if not values:
            raise ValueError("Options needs at least one value.")
        self.values = values

    @property
    def description(self):
        if len(self.values) == 1:
            return repr(self.values[0])
        return "one of {" + ", ".join(map(repr, self.values)) + "}"

    def is_satisfied_by(self, value):
        return any(_same(value, option) for option in self.values)

    def __repr__(self):
        return f"Options({', '.join(map(repr, self.values))})"


def _same(value, option):
    if option is None or value is None:
        return value is option
    if _is_bool(value) != _is_bool(option) or isinstance(value, str) != isinstance(option, str):
        return False
    try:
        equal = value == option
    except Exception:  # noqa: BLE001 - anything that cannot be compared is not the option
        return False
    return _is_bool(equal) and bool(equal)  # an array compared elementwise is no option


class Boolean(Constraint):
    """``True`` or ``False`` (Python's or NumPy's bool; not 0 or 1).

    Examples
    --------
    >>> import numpy as np
    >>> [Boolean().is_satisfied_by(v) for v in (True, np.bool_(False), 1, "yes")]
    [True, True, False, False]
    >>> Boolean().description
    'a bool'
    """

    description = "a bool"

    def is_satisfied_by(self, value):
        return _is_bool(value)

    def __repr__(self):
        return "Boolean()"


class InstanceOf(Constraint):
    """An instance of one of some types.

    Parameters
    ----------
    *types : type
    description : str, optional
        What to say instead of "an instance of 'T'".

    Examples
    --------
    >>> import numpy as np
    >>> c = InstanceOf(np.random.RandomState, description="a RandomState")
    >>> c.is_satisfied_by(np.random.RandomState(0)), c.is_satisfied_by(0), c.description
    (True, False, 'a RandomState')
    >>> InstanceOf(str).description
    "an instance of 'str'"
    """

    def __init__(self, *types, description=None):
        if not types or not all(isinstance(t, type) for t in types):
            raise TypeError(f"InstanceOf needs one or more types; got {types!r}.")
        self.types = types
        self._description = description

    @property
    def description(self):
        if self._description is not None:
            return self._description
        return _join([f"an instance of {t.__name__!r}" for t in self.types])

    def is_satisfied_by(self, value):
        return isinstance(value, self.types)

    def __repr__(self):
        return f"InstanceOf({', '.join(t.__name__ for t in self.types)})"


def _join(descriptions):
    if len(descriptions) == 1:
        return descriptions[0]
    return f"{', '.join(descriptions[:-1])} or {descriptions[-1]}"


class AnyOf(Constraint):
    """Any value that satisfies at least one of the constraints.

    Parameters
    ----------
    *constraints : Constraint

    Examples
    --------
    >>> from numbers import Integral
    >>> c = AnyOf(Interval(Integral, 1, None, "left"), Options(float("inf")))
    >>> c.is_satisfied_by(10), c.is_satisfied_by(float("inf")), c.is_satisfied_by(0)
    (True, True, False)
    >>> c.description
    'an int in the range [1, inf) or inf'
    """

    def __init__(self, *constraints):
        if not constraints or not all(isinstance(c, Constraint) for c in constraints):
            raise TypeError(f"AnyOf needs one or more constraints; got {constraints!r}.")
        self.constraints = constraints

    @property
    def description(self):
        return _join([c.description for c in self.constraints])

    def is_satisfied_by(self, value):
        return any(c.is_satisfied_by(value) for c in self.constraints)

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(map(repr, self.constraints))})"


class NoneOr(AnyOf):
    """None, or any value that satisfies one of the constraints.

    Parameters
    ----------
    *constraints : Constraint

    Examples
    --------
    >>> from numbers import Real
    >>> c = NoneOr(Interval(Real, 0, None, "neither"))
    >>> c.is_satisfied_by(None), c.is_satisfied_by(2.5), c.is_satisfied_by(0)
    (True, True, False)
    >>> c.description
    'a float in the range (0, inf) or None'
    """

    @property
    def description(self):
        return _join([c.description for c in self.constraints] + ["None"])

    def is_satisfied_by(self, value):
        return value is None or super().is_satisfied_by(value)


def validate(owner_name, params, constraints):
    """Raise scikit-learn's error for the first setting that breaks its constraint.

    Settings without a constraint, and constraints without a setting, are
    skipped; settings are checked in the order of ``constraints``.

    Parameters
    ----------
    owner_name : str
        Whose settings they are (a class name), for the message.
    params : dict
        ``{name: value}``.
    constraints : dict
        ``{name: Constraint}``.

    Raises
    ------
    InvalidParameterError
        A ``ValueError`` (and ``TypeError``): "The {name!r} parameter of
        {owner_name} must be {description}. Got {value!r} instead."

    Examples
    --------
    >>> from numbers import Real
    >>> validate("Adam", {"beta_1": 2}, {"beta_1": Interval(Real, 0, 1, "left")})
    Traceback (most recent call last):
    ...
    skneural.components.params.InvalidParameterError: The 'beta_1' parameter of Adam must be a float in the range [0, 1). Got 2 instead.
    """
    for name, constraint in constraints.items():
        if name in params and not constraint.is_satisfied_by(params[name]):
            raise InvalidParameterError(
                f"The {name!r} parameter of {owner_name} must be {constraint.description}. "
                f"Got {params[name]!r} instead."
            )


class Constrained:
    """Mixin giving a component class ``check_params()`` from its ``_constraints``.

    ``_constraints`` maps constructor parameters to constraints; a subclass's
    table extends (or overrides) its parents'.  A class that still declares
    the old ``_ranges = {name: (low, high, closed)}`` gets them as real-number
    intervals, with a ``FutureWarning``.

    Examples
    --------
    >>> from numbers import Real
    >>> from sklearn.base import BaseEstimator
    >>> class Scaled(Constrained, BaseEstimator):
    ...     _constraints = {"scale": Interval(Real, 0, None, "neither")}
    ...     def __init__(self, scale=1.0):
    ...         self.scale = scale
    >>> Scaled().check_params()
    >>> Scaled(scale=0).check_params()
    Traceback (most recent call last):
    ...
    skneural.components.params.InvalidParameterError: The 'scale' parameter of Scaled must be a float in the range (0, inf). Got 0 instead.
    """

    _constraints = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        own = dict(vars(cls).get("_constraints", {}))
        ranges = vars(cls).get("_ranges")
        if isinstance(ranges, dict) and ranges:
            warnings.warn(
                f"{cls.__name__}._ranges is deprecated: declare _constraints = {{name: Interval(Real, low, "
                "high, closed)}} instead (skneural.components.params).", FutureWarning, stacklevel=2)
            own = {**{name: Interval(Real, *bounds) for name, bounds in ranges.items()}, **own}
        inherited = {}
        for base in reversed(cls.__mro__[1:]):
            inherited.update(vars(base).get("_constraints", {}))
        cls._constraints = {**inherited, **own}

    def check_params(self):
        """Raise an ``InvalidParameterError`` (a ``ValueError``) naming the first setting that
        breaks its constraint in ``_constraints``."""
        constraints = type(self)._constraints
        if not constraints:
            return
        params = {k: v for k, v in self.get_params(deep=False).items() if k in constraints}
        validate(type(self).__name__, params, constraints)
