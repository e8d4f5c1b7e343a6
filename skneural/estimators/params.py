"""The estimators' parameters: scikit-learn's constraints, and the optimizer they name.

Which settings win: a *named* optimizer is built from the scikit-learn
parameters its class declares in ``sklearn_params`` (SGD's ``learning_rate``
is ``learning_rate_init``, its ``nesterov`` is ``nesterovs_momentum``, ...),
and ``optimizer__<setting>`` is another name for those parameters.  An
optimizer *object* keeps its own settings.  Names resolve through the
component registries, so an optimizer registered with
``skneural.components.register`` works here by name too.
"""

import inspect
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, clone

from ..components import BUILTIN_CLASSES, did_you_mean, names, resolve, sklearn_params
from ..components.optimizers import OPTIMIZERS
from ..components.params import AnyOf, Boolean, Constraint, InstanceOf, Interval, NoneOr, Options, validate
from ..training.hooks import HOOKS, is_callback

__all__ = ["MLPParameters"]

_FULL_BATCH = "lbfgs"  # scipy's L-BFGS-B: a training driver of its own, not an optimizer object
# scikit-learn's parameters that build its optimizers and the 'sgd' schedule: those an optimizer object
# makes ignored
_OPTIMIZER_PARAMS = ("learning_rate_init", "momentum", "nesterovs_momentum", "beta_1", "beta_2", "epsilon",
                     "learning_rate", "power_t")


def _constraints():
    """scikit-learn's constraints on the MLP parameters (``learning_rate`` takes every registered
    schedule name)."""
    unit = Interval(Real, 0, 1, "left")
    return {
        "alpha": Interval(Real, 0, None, "left"),
        "learning_rate_init": Interval(Real, 0, None, "neither"),
        "power_t": Interval(Real, 0, None, "left"),
        "max_iter": Interval(Integral, 1, None, "left"),
        "tol": Interval(Real, 0, None, "left"),
        "momentum": Interval(Real, 0, 1, "both"),
        "validation_fraction": unit,
        "beta_1": unit,
        "beta_2": unit,
        "epsilon": Interval(Real, 0, None, "neither"),
        "max_fun": Interval(Integral, 1, None, "left"),
        "shuffle": Boolean(),
        "warm_start": Boolean(),
        "nesterovs_momentum": Boolean(),
        "early_stopping": Boolean(),
        "learning_rate": AnyOf(Options(*names("schedule")), _ScheduleObject()),
        "batch_size": AnyOf(Options("auto"), Interval(Integral, 1, None, "left")),
        "n_iter_no_change": AnyOf(Interval(Integral, 1, None, "left"), Options(np.inf)),
        "verbose": AnyOf(Boolean(), Interval(Integral, 0, None, "left")),
        "random_state": NoneOr(Interval(Integral, 0, 2**32 - 1, "both"),
                               InstanceOf(np.random.RandomState, description="a RandomState")),
        "max_grad_norm": NoneOr(Interval(Real, 0, None, "neither")),
        "label_smoothing": Interval(Real, 0, 1, "left"),
        "dropout": AnyOf(Interval(Real, 0, 1, "left"), _Rates()),
        "normalization": Options(None, "batch", "layer"),
        "callbacks": NoneOr(InstanceOf(list, tuple, description="a list of callbacks (skneural.callbacks)")),
        "class_weight": AnyOf(Options(None), Options("balanced"),
                              InstanceOf(dict, description="a dict mapping labels to weights")),
    }


class _ScheduleObject(Constraint):
    """A schedule object: anything but a string or a class with a ``rate`` method."""

    description = "a schedule object (skneural.schedules)"

    def is_satisfied_by(self, value):
        return not isinstance(value, (str, type)) and callable(getattr(value, "rate", None))


class _Rates(Constraint):
    """One dropout rate per hidden layer: a list or tuple of floats in [0, 1)."""

    description = "a list of floats in [0, 1), one per hidden layer"

    def is_satisfied_by(self, value):
        return (isinstance(value, (list, tuple)) or isinstance(value, np.ndarray) and value.ndim == 1) and all(
            isinstance(v, Real) and not isinstance(v, (bool, np.bool_)) and 0 <= v < 1 for v in value)


def _as_float(number):
    """``float(number)``; inf for an int beyond the largest float."""
    try:
        return float(number)
    except OverflowError:
        return np.inf


def same_setting(a, b):
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return a is b


def _settings_of(name):
    """``{optimizer setting: scikit-learn parameter}`` of the optimizer registered as ``name``."""
    return sklearn_params(OPTIMIZERS[name])


def _builtin_settings():
    """Every setting of skneural's own named optimizers, with its scikit-learn parameter."""
    return {k: v for name in names("optimizer") if OPTIMIZERS[name] in BUILTIN_CLASSES
            for k, v in _settings_of(name).items()}


class MLPParameters(BaseEstimator):
    """Validation of the estimators' parameters and the optimizer they name; not for direct use."""

    def _store_params(self, params):
        for name, value in params.items():
            if name not in ("self", "__class__"):
                setattr(self, name, value)

    def _invalid(self, name, expected):
        return ValueError(
            f"The {name!r} parameter of {type(self).__name__} must be {expected}. "
            f"Got {getattr(self, name)!r} instead."
        )

    def _hidden_sizes(self):
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if isinstance(sizes, Integral) else sizes
        try:
            sizes = list(sizes)
        except TypeError:
            sizes = None
        if sizes is None or not all(isinstance(s, Integral) and not isinstance(s, bool) and s >= 1
                                    for s in sizes):
            raise self._invalid("hidden_layer_sizes", "a positive int or a sequence of positive ints")
        return [int(s) for s in sizes]

    def _dropout_rates(self):
        """One dropout rate per hidden layer (a single ``dropout`` applies to each)."""
        n_hidden = len(self._hidden_sizes())
        rates = getattr(self, "dropout", 0.0)  # a subclass may not take it
        if not isinstance(rates, (list, tuple, np.ndarray)):
            return [float(rates)] * n_hidden
        if len(rates) != n_hidden:
            raise ValueError(
                f"The 'dropout' parameter of {type(self).__name__} lists {len(rates)} rates, but "
                f"hidden_layer_sizes={self.hidden_layer_sizes!r} has {n_hidden} hidden layers: give one rate "
                "per hidden layer, or a single float for all of them."
            )
        return [float(r) for r in rates]

    def _resolve(self, name, kind, value=None):
        """The component a parameter names (the object itself, when it is one)."""
        try:
            return resolve(getattr(self, name) if value is None else value, kind)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"Invalid {name!r} parameter of {type(self).__name__}: {exc}") from None

    def _check_component(self, name, kind):
        """Resolve a component parameter and check its own settings (its ``check_params``)."""
        component = self._resolve(name, kind)
        if callable(getattr(component, "check_params", None)):
            try:
                component.check_params()
            except (TypeError, ValueError) as exc:
                raise type(exc)(f"Invalid {name!r} parameter of {type(self).__name__}: {exc}") from None

    def _validate_params(self):
        validate(type(self).__name__, self.get_params(deep=False), _constraints())
        self._hidden_sizes()
        if self._is_lbfgs() and (any(self._dropout_rates()) or getattr(self, "normalization", None) == "batch"):
            name = "solver" if getattr(self, "solver", None) is not None else "optimizer"
            raise ValueError(
                f"{name}='lbfgs' minimizes one fixed loss over the whole data, which dropout (a new random mask "
                "at each evaluation) and batch normalization (statistics that move at each evaluation) do not "
                "have. Use a stochastic optimizer (e.g. 'adam'), or dropout=0 and normalization=None or 'layer'."
            )
        self._check_component("activation", "activation")
        self._check_component("init", "initializer")
        if not isinstance(self.learning_rate, str):
            self._check_component("learning_rate", "schedule")
        for name, kind in (("output_activation", "activation"), ("loss", "loss")):
            if not (isinstance(getattr(self, name), str) and getattr(self, name) == "auto"):
                self._check_component(name, kind)
        if not self._is_lbfgs():
            spec = self._optimizer_spec()
            if not isinstance(spec, str) and callable(getattr(spec, "check_params", None)):
                self._check_component("solver" if getattr(self, "solver", None) is not None else "optimizer",
                                      "optimizer")
        class_weight = getattr(self, "class_weight", None)
        for label, weight in (class_weight.items() if isinstance(class_weight, dict) else ()):
            if not (isinstance(weight, Real) and not isinstance(weight, (bool, np.bool_))
                    and 0 <= _as_float(weight) < np.inf):
                raise ValueError(
                    f"Invalid 'class_weight' parameter of {type(self).__name__}: the weight of class "
                    f"{label!r} is {weight!r}; class weights must be finite numbers >= 0 (only their "
                    "ratios matter)."
                )
        self._check_callbacks()

    def _check_callbacks(self):
        """Each of ``callbacks`` is a callback object whose settings (its ``check_params``) are valid."""
        for i, callback in enumerate(getattr(self, "callbacks", None) or ()):  # a subclass may not take it
            where = f"Invalid 'callbacks' parameter of {type(self).__name__}: callbacks[{i}]"
            if not is_callback(callback):
                hint = f" (a class: pass an instance, {callback.__name__}(...))" if isinstance(callback, type) else ""
                raise TypeError(f"{where} is {callback!r}, not a callback{hint}: an object with any of the hooks "
                                f"{', '.join(HOOKS)}, such as those of skneural.callbacks.")
            if callable(getattr(callback, "check_params", None)):
                try:
                    callback.check_params()
                except (TypeError, ValueError) as exc:
                    raise type(exc)(f"{where}: {exc}") from None

    # -- the optimizer ------------------------------------------------------------------

    def _optimizer_spec(self):
        """The optimizer asked for, by ``optimizer`` or by its scikit-learn name ``solver``."""
        solver = getattr(self, "solver", None)
        if solver is None:
            return self.optimizer
        default = type(self)._defaults()["optimizer"]  # 'adam' (scikit-learn's); the tabular estimators' 'adamw'
        if not (isinstance(self.optimizer, str) and self.optimizer == default):
            raise ValueError(
                f"{type(self).__name__} got both solver={solver!r} and optimizer={self.optimizer!r}. "
                "'solver' is scikit-learn's name for 'optimizer': pass only one of them."
            )
        return solver

    def _is_lbfgs(self):
        opt = self._optimizer_spec()
        name = "optimizer" if getattr(self, "solver", None) is None else "solver"
        valid = [*names("optimizer"), _FULL_BATCH]
        if isinstance(opt, str) and opt not in valid:
            listed = ", ".join(repr(n) for n in sorted(valid))
            raise ValueError(
                f"Invalid {name!r} parameter of {type(self).__name__}: unknown optimizer "
                f"{opt!r}.{did_you_mean(opt, valid)} Valid names are: {listed}."
            )
        if not isinstance(opt, str) and not callable(getattr(opt, "update", None)):
            raise TypeError(
                f"Invalid {name!r} parameter of {type(self).__name__}: expected a name or an "
                f"object with an .update(old_params, gradient) method; got {opt!r}."
            )
        return isinstance(opt, str) and opt == _FULL_BATCH

    def _make_optimizer(self):
        if self._is_lbfgs():
            return None
        opt = self._optimizer_spec()
        if isinstance(opt, str):
            return OPTIMIZERS[opt](**self._named_optimizer_settings(opt))
        return clone(opt, safe=False)

    def _named_optimizer_settings(self, name):
        settings, own = _settings_of(name), self.get_params(deep=False)
        unknown = sorted(param for param in settings.values() if param not in own)
        if unknown:
            raise ValueError(
                f"Optimizer {OPTIMIZERS[name].__name__} (registered as {name!r}) declares sklearn_params "
                f"{settings}, but {type(self).__name__} has no parameter {', '.join(map(repr, unknown))}."
            )
        return {setting: own[param] for setting, param in settings.items()}

    def _warn_ignored_settings(self):
        """An optimizer object keeps its own settings: say which of ours it overrides."""
        if isinstance(self._optimizer_spec(), str):
            return
        defaults = type(self)._defaults()
        # a schedule object drives any optimizer: it is not ignored
        params = [p for p in _OPTIMIZER_PARAMS if p != "learning_rate" or isinstance(self.learning_rate, str)]
        ignored = [f"{name}={getattr(self, name)!r}" for name in params
                   if name in defaults and not same_setting(getattr(self, name, defaults[name]), defaults[name])]
        if ignored:
            warnings.warn(
                f"{', '.join(ignored)} {'is' if len(ignored) == 1 else 'are'} ignored: the optimizer object "
                f"{self._optimizer_spec()!r} uses its own settings. Set them on it instead (e.g. "
                f"optimizer__learning_rate=...), or pass the optimizer by name.", UserWarning, stacklevel=4)

    @classmethod
    def _defaults(cls):
        # a subclass may have an __init__ of its own: the first class that names a parameter gives its default
        defaults = {}
        for klass in reversed(cls.__mro__):
            if "__init__" in vars(klass) and issubclass(klass, MLPParameters):
                defaults.update({name: p.default for name, p in inspect.signature(klass.__init__).parameters.items()
                                 if p.default is not p.empty})
        return defaults

    def set_params(self, **params):
        """Set the parameters of this estimator.

        ``optimizer__<setting>`` works with a named optimizer as with an
        optimizer object: it sets the estimator's parameter behind that setting
        (``optimizer__learning_rate=0.01`` is ``learning_rate_init=0.01``), so
        ``GridSearchCV(NumpyMLPClassifier(), {"optimizer__learning_rate": [...]})``
        tunes the default Adam.

        Parameters
        ----------
        **params : dict

        Returns
        -------
        self
        """
        schedule = params.get("learning_rate", getattr(self, "learning_rate", None))
        nested_schedule = sorted(k for k in params if k.startswith("learning_rate__"))
        if nested_schedule and isinstance(schedule, str):
            raise ValueError(
                f"Invalid parameter {nested_schedule[0]!r} for {type(self).__name__}: learning_rate is the name "
                f"{schedule!r}, which has no settings of its own. Set learning_rate to a schedule object "
                "(e.g. learning_rate=CosineAnnealing() from skneural.schedules) to tune its settings."
            )
        own = {k: v for k, v in params.items() if not k.startswith("optimizer__")}
        nested = {k[len("optimizer__"):]: v for k, v in params.items() if k.startswith("optimizer__")}
        solver = own.get("solver", getattr(self, "solver", None))
        opt = solver if solver is not None else own.get("optimizer", self.optimizer)
        if nested and isinstance(opt, str):
            if opt == _FULL_BATCH:  # ignores them all, as scikit-learn's lbfgs ignores learning_rate_init
                settings = _builtin_settings()
            else:
                settings = _settings_of(opt) if opt in OPTIMIZERS else {}
            for setting, value in nested.items():
                if setting not in settings:
                    takes = (f"takes only {', '.join(map(repr, settings))} this way" if settings
                             else "has no settings of this kind")
                    raise ValueError(
                        f"Invalid parameter 'optimizer__{setting}' for {type(self).__name__}: the named "
                        f"optimizer {opt!r} {takes}. Pass an optimizer object for its other settings, e.g. "
                        f"optimizer={OPTIMIZERS[opt].__name__ if opt in OPTIMIZERS else 'Adam'}(...)."
                    )
                param = settings[setting]
                if param in own and not same_setting(own[param], value):
                    raise ValueError(f"optimizer__{setting}={value!r} and {param}={own[param]!r} set the same "
                                     f"parameter of {type(self).__name__} to different values.")
                own[param] = value
            nested = {}
        return super().set_params(**own, **{f"optimizer__{k}": v for k, v in nested.items()})
