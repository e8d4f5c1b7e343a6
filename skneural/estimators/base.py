"""scikit-learn estimators on the engine: ``NumpyMLPClassifier`` and ``NumpyMLPRegressor``.

Both accept every parameter of scikit-learn's ``MLPClassifier`` /
``MLPRegressor`` under the same name, with the same default and meaning,
except that ``solver`` is called ``optimizer`` (``solver=`` is accepted too,
so scikit-learn code runs unchanged).  ``activation``,
``output_activation``, ``loss`` and ``optimizer`` also take objects and
``(function, derivative)`` pairs.

Which settings win: a *named* optimizer ('sgd', 'adam', 'rmsprop',
'adagrad') is built from the scikit-learn parameters (``learning_rate_init``,
``momentum``, ``nesterovs_momentum``, ``beta_1``, ``beta_2``, ``epsilon``;
``learning_rate`` schedules apply to 'sgd' only, as in scikit-learn).  An
optimizer *object* keeps its own settings and those parameters are ignored;
``fit`` trains a clone of it (``optimizer_``), so the object passed in is
never changed, and ``GridSearchCV`` can tune it as ``optimizer__learning_rate``.
"""

import copy
import inspect
import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn import get_config
from sklearn.base import BaseEstimator, clone, is_regressor
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from ..components import activations, did_you_mean, initializers, resolve
from ..components.optimizers import OPTIMIZERS
from ..nn.memory import check_memory
from ..nn.network import NeuralNetwork
from ..training.interrupts import TrainingInterrupted, deferred_interrupt
from ..persistence import load, save
from .training import fit_lbfgs, fit_stochastic

# The scikit-learn parameter behind each setting of a named optimizer: the optimizer is built from
# them, and ``optimizer__<setting>`` is another name for them (``optimizer__learning_rate`` is
# ``learning_rate_init``).  Other settings (RMSprop's rho) keep their defaults.
_OPTIMIZER_SETTINGS = {
    "sgd": {"learning_rate": "learning_rate_init", "momentum": "momentum", "nesterov": "nesterovs_momentum"},
    "adam": {"learning_rate": "learning_rate_init", "beta_1": "beta_1", "beta_2": "beta_2", "epsilon": "epsilon"},
    "rmsprop": {"learning_rate": "learning_rate_init", "epsilon": "epsilon"},
    "adagrad": {"learning_rate": "learning_rate_init", "epsilon": "epsilon"},
}
assert set(_OPTIMIZER_SETTINGS) == set(OPTIMIZERS)
# What an optimizer object replaces: the settings above and the 'sgd' learning-rate schedule.
_ANY_OPTIMIZER_SETTING = {k: v for settings in _OPTIMIZER_SETTINGS.values() for k, v in settings.items()}
_NAMED_OPTIMIZER_PARAMS = ("learning_rate_init", "momentum", "nesterovs_momentum", "beta_1", "beta_2",
                           "epsilon", "learning_rate", "power_t")

# (type, low, high, closed) of each numeric parameter, as scikit-learn constrains them.
_INTERVALS = {
    "alpha": (Real, 0, None, "left"),
    "learning_rate_init": (Real, 0, None, "neither"),
    "power_t": (Real, 0, None, "left"),
    "max_iter": (Integral, 1, None, "left"),
    "tol": (Real, 0, None, "left"),
    "momentum": (Real, 0, 1, "both"),
    "validation_fraction": (Real, 0, 1, "left"),
    "beta_1": (Real, 0, 1, "left"),
    "beta_2": (Real, 0, 1, "left"),
    "epsilon": (Real, 0, None, "neither"),
    "max_fun": (Integral, 1, None, "left"),
}
_BOOLEANS = ("shuffle", "warm_start", "nesterovs_momentum", "early_stopping")
_LEARNING_RATES = ("constant", "invscaling", "adaptive")

# The output activation and loss that 'auto' picks for each kind of classification target.
_AUTO_CLASSIFICATION = {
    "binary": ("sigmoid", "binary_crossentropy"),
    "multiclass": ("softmax", "categorical_crossentropy"),
    "multilabel-indicator": ("sigmoid", "binary_crossentropy"),
}
# scikit-learn's names for the output activations (out_activation_).
_OUTPUT_NAMES = {cls: name for name, cls in activations.ACTIVATIONS.items()}


def _in_interval(value, kind, low, high, closed):
    if not isinstance(value, kind) or isinstance(value, bool) or np.isnan(value):
        return False
    above = value >= low if closed in ("left", "both") else value > low
    below = high is None or (value <= high if closed in ("right", "both") else value < high)
    return above and below


def _describe_interval(kind, low, high, closed):
    left = "[" if closed in ("left", "both") else "("
    right = "]" if closed in ("right", "both") else ")"
    what = "an int" if kind is Integral else "a float"
    return f"{what} in the range {left}{low}, {'inf' if high is None else high}{right}"


def _as_float(number):
    """``float(number)``; inf for an int beyond the largest float."""
    try:
        return float(number)
    except OverflowError:
        return np.inf


def _same_setting(a, b):
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return a is b


class _ParameterList(list):
    """A list of views into a network's parameters; assigning items copies values into them."""

    def __init__(self, views, name):
        super().__init__(views)
        self.name = name

    def __setitem__(self, index, values):
        targets = list.__getitem__(self, index)
        if not isinstance(index, slice):
            targets, values = [targets], [values]
        values = [np.asarray(v) for v in values]
        if [v.shape for v in values] != [t.shape for t in targets]:
            raise ValueError(
                f"{self.name} needs arrays of shapes {[t.shape for t in targets]}; "
                f"got {[v.shape for v in values]}."
            )
        for target, value in zip(targets, values):
            target[...] = value


class _BaseMLP(BaseEstimator):
    """Shared machinery of the two estimators; not for direct use."""

    def _store_params(self, params):
        for name, value in params.items():
            if name not in ("self", "__class__"):
                setattr(self, name, value)

    # -- parameters ---------------------------------------------------------------------

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

    def _resolve(self, name, kind, value=None):
        """The component a parameter names (the object itself, when it is one)."""
        try:
            return resolve(getattr(self, name) if value is None else value, kind)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"Invalid {name!r} parameter of {type(self).__name__}: {exc}") from None

    def _validate_params(self):
        for name, (kind, low, high, closed) in _INTERVALS.items():
            if not _in_interval(getattr(self, name), kind, low, high, closed):
                raise self._invalid(name, _describe_interval(kind, low, high, closed))
        for name in _BOOLEANS:
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise self._invalid(name, "a bool")
        if self.learning_rate not in _LEARNING_RATES:
            raise self._invalid("learning_rate", f"one of {_LEARNING_RATES}")
        if not (self.batch_size == "auto" or _in_interval(self.batch_size, Integral, 1, None, "left")):
            raise self._invalid("batch_size", "'auto' or an int in the range [1, inf)")
        if not (self.n_iter_no_change == np.inf
                or _in_interval(self.n_iter_no_change, Integral, 1, None, "left")):
            raise self._invalid("n_iter_no_change", "an int in the range [1, inf) or np.inf")
        if not (isinstance(self.verbose, (bool, np.bool_))
                or _in_interval(self.verbose, Integral, 0, None, "left")):
            raise self._invalid("verbose", "a bool or an int >= 0")
        random_state = self.random_state
        if not (random_state is None or isinstance(random_state, np.random.RandomState)
                or _in_interval(random_state, Integral, 0, 2**32 - 1, "both")):
            raise self._invalid("random_state", "an int in the range [0, 4294967295], a RandomState or None")
        self._hidden_sizes()
        self._resolve("activation", "activation")
        self._resolve("init", "initializer")
        self._is_lbfgs()
        class_weight = getattr(self, "class_weight", None)
        if not (class_weight is None or class_weight == "balanced" or isinstance(class_weight, dict)):
            raise self._invalid("class_weight", "None, 'balanced' or a dict mapping labels to weights")
        for label, weight in (class_weight.items() if isinstance(class_weight, dict) else ()):
            if not (isinstance(weight, Real) and not isinstance(weight, (bool, np.bool_))
                    and 0 <= _as_float(weight) < np.inf):
                raise ValueError(
                    f"Invalid 'class_weight' parameter of {type(self).__name__}: the weight of class "
                    f"{label!r} is {weight!r}; class weights must be finite numbers >= 0 (only their "
                    "ratios matter)."
                )

    def _optimizer_spec(self):
        """The optimizer asked for, by ``optimizer`` or by its scikit-learn name ``solver``."""
        solver = getattr(self, "solver", None)
        if solver is None:
            return self.optimizer
        if not (isinstance(self.optimizer, str) and self.optimizer == "adam"):
            raise ValueError(
                f"{type(self).__name__} got both solver={solver!r} and optimizer={self.optimizer!r}. "
                "'solver' is scikit-learn's name for 'optimizer': pass only one of them."
            )
        return solver

    def _is_lbfgs(self):
        opt = self._optimizer_spec()
        name = "optimizer" if getattr(self, "solver", None) is None else "solver"
        if isinstance(opt, str) and opt not in OPTIMIZERS and opt != "lbfgs":
            names = ", ".join(repr(n) for n in sorted([*OPTIMIZERS, "lbfgs"]))
            raise ValueError(
                f"Invalid {name!r} parameter of {type(self).__name__}: unknown optimizer "
                f"{opt!r}.{did_you_mean(opt, [*OPTIMIZERS, 'lbfgs'])} Valid names are: {names}."
            )
        if not isinstance(opt, str) and not callable(getattr(opt, "update", None)):
            raise TypeError(
                f"Invalid {name!r} parameter of {type(self).__name__}: expected a name or an "
                f"object with an .update(old_params, gradient) method; got {opt!r}."
            )
        return isinstance(opt, str) and opt == "lbfgs"

    def _make_optimizer(self):
        if self._is_lbfgs():
            return None
        opt = self._optimizer_spec()
        if isinstance(opt, str):
            return OPTIMIZERS[opt](**self._named_optimizer_settings(opt))
        return clone(opt, safe=False)

    def _named_optimizer_settings(self, name):
        return {setting: getattr(self, param) for setting, param in _OPTIMIZER_SETTINGS[name].items()}

    def _warn_ignored_settings(self):
        """An optimizer object keeps its own settings: say which of ours it overrides."""
        if isinstance(self._optimizer_spec(), str):
            return
        defaults = type(self)._defaults()
        ignored = [f"{name}={getattr(self, name)!r}" for name in _NAMED_OPTIMIZER_PARAMS
                   if name in defaults and not _same_setting(getattr(self, name, defaults[name]), defaults[name])]
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
            if "__init__" in vars(klass) and issubclass(klass, _BaseMLP):
                defaults.update({name: p.default for name, p in inspect.signature(klass.__init__).parameters.items()
                                 if p.default is not p.empty})
        return defaults

    # -- parameters of a named optimizer, by its settings' names --------------------------

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
        own = {k: v for k, v in params.items() if not k.startswith("optimizer__")}
        nested = {k[len("optimizer__"):]: v for k, v in params.items() if k.startswith("optimizer__")}
        solver = own.get("solver", getattr(self, "solver", None))
        opt = solver if solver is not None else own.get("optimizer", self.optimizer)
        if nested and isinstance(opt, str):
            # 'lbfgs' ignores them all, as scikit-learn's lbfgs ignores learning_rate_init and the rest
            settings = _OPTIMIZER_SETTINGS.get(opt, _ANY_OPTIMIZER_SETTING if opt == "lbfgs" else {})
            for setting, value in nested.items():
                if setting not in settings:
                    takes = (f"takes only {', '.join(map(repr, settings))} this way" if settings
                             else "has no settings of this kind")
                    raise ValueError(
                        f"Invalid parameter 'optimizer__{setting}' for {type(self).__name__}: the named "
                        f"optimizer {opt!r} {takes}. Pass an optimizer object for its other settings, e.g. "
                        f"optimizer={type(OPTIMIZERS[opt]()).__name__ if opt in OPTIMIZERS else 'Adam'}(...)."
                    )
                param = settings[setting]
                if param in own and not _same_setting(own[param], value):
                    raise ValueError(f"optimizer__{setting}={value!r} and {param}={own[param]!r} set the same "
                                     f"parameter of {type(self).__name__} to different values.")
                own[param] = value
            nested = {}
        return super().set_params(**own, **{f"optimizer__{k}": v for k, v in nested.items()})

    # -- fitted attributes shared with scikit-learn's MLP -------------------------------

    @property
    def optimizer_(self):
        """The optimizer being trained (a clone of ``optimizer``, or built from its name)."""
        return self.network_.optimizer

    @property
    def _optimizer(self):
        # scikit-learn's MLP keeps its trained optimizer here; code written for it reads
        # _optimizer.learning_rate (e.g. scikit-learn's own tests of the learning-rate schedules)
        return self.optimizer_

    @property
    def coefs_(self):
        """Weight matrices ``(fan_in, fan_out)``: views into the network's parameters.

        Assigning the list, or one of its items, copies the values in.
        """
        return _ParameterList(self.network_.weights, "coefs_")

    @coefs_.setter
    def coefs_(self, values):
        self.coefs_[:] = values

    @property
    def intercepts_(self):
        """Bias vectors ``(fan_out,)``: views into the network's parameters (assignable, as ``coefs_``)."""
        return _ParameterList([b[0] for b in self.network_.biases], "intercepts_")

    @intercepts_.setter
    def intercepts_(self, values):
        self.intercepts_[:] = values

    # -- fitting --------------------------------------------------------------------------

    def fit(self, X, y, sample_weight=None):
        """Fit the model to data ``X`` and targets ``y``.

        Ctrl-C stops at the end of the current batch with a warning, keeping
        the last completed epoch's weights (lbfgs: the best seen).  A second
        Ctrl-C, in this call or a later one until a fit completes
        uninterrupted, raises ``KeyboardInterrupt`` at once and leaves the
        estimator as it was before the call.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), default=None
            Weights each sample's loss (weight 2 is the sample repeated).

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, incremental=False)

    def _partial_fit_available(self):
        if self._is_lbfgs():
            raise AttributeError(
                "partial_fit is only available for stochastic optimizers. 'lbfgs' is not stochastic."
            )
        return True

    def _fit(self, X, y, sample_weight, incremental, classes=None):
        self._validate_params()
        if incremental and self.early_stopping:
            raise ValueError("partial_fit does not support early_stopping=True")
        first_pass = not hasattr(self, "network_") or (not self.warm_start and not incremental)
        # a failed call (fit, warm start or partial_fit) leaves the estimator as it was
        saved = self._snapshot(with_parameters=not first_pass)
        try:
            X, Y, y, sample_weight = self._validate_fit_data(X, y, sample_weight, first_pass, incremental, classes)
            if sp.issparse(X):
                X = X.tocsr()
            self._random_state = check_random_state(self.random_state)
            if first_pass:
                self._warn_ignored_settings()
                self._initialize(X, Y)
            else:
                self.network_.alpha = self.alpha
                self._sync_optimizer()
            self._sync_stopping_state()
            self.network_.astype(X.dtype)
            Y = self._final_targets(Y)
            with deferred_interrupt(whole_call=True):  # a first Ctrl-C waits for the end of the batch
                if self._is_lbfgs():
                    fit_lbfgs(self, X, Y, sample_weight)
                else:
                    fit_stochastic(self, X, Y, y, sample_weight, incremental)
        except TrainingInterrupted:
            # fit catches Ctrl-C in its loop, so here it came after training's last check: keep the model
            if not incremental:
                warnings.warn("Training interrupted by user.")
                return self
            self._restore(saved)
            # partial_fit never swallows Ctrl-C (scikit-learn's does): a loop of calls stops at the first
            raise KeyboardInterrupt("partial_fit interrupted; the estimator is as it was before the call") from None
        except BaseException:
            self._restore(saved)
            raise
        return self

    @staticmethod
    def _is_state(name):
        return name.endswith("_") or name.startswith("_")

    def _snapshot(self, with_parameters):
        state = {k: copy.copy(v) if isinstance(v, list) else v for k, v in vars(self).items() if self._is_state(k)}
        network = state.get("network_")
        if not with_parameters or network is None:
            return state, None
        return state, (network.params.copy(), copy.deepcopy(network.optimizer), network.alpha)

    def _restore(self, saved):
        state, parameters = saved
        for key in [k for k in vars(self) if self._is_state(k)]:
            delattr(self, key)
        vars(self).update(state)
        if parameters is not None:
            params, optimizer, alpha = parameters
            self.network_.astype(params.dtype).params = params
            self.network_.optimizer, self.network_.alpha = optimizer, alpha

    def _initializer(self, activation):
        """The initializer ``init`` names; 'glorot_uniform' takes scikit-learn's factor 2 for logistic."""
        named = isinstance(self.init, str) and self.init == "glorot_uniform"
        if named and isinstance(activation, activations.Sigmoid):  # scikit-learn: activation == "logistic"
            return initializers.GlorotUniform(factor=2.0)
        return clone(self._resolve("init", "initializer"), safe=False)

    def _initialize(self, X, Y):
        # the network trains clones, so that the objects passed in (and other estimators sharing
        # them) never change, as _make_optimizer does for the optimizer
        output, loss = (clone(c, safe=False) for c in self._output_and_loss())
        activation = clone(self._resolve("activation", "activation"), safe=False)
        n_outputs = self._n_outputs(Y, output)
        sizes = [X.shape[1], *self._hidden_sizes(), n_outputs]
        n_samples, lbfgs = X.shape[0], self._is_lbfgs()
        rows = n_samples if lbfgs else min(200 if self.batch_size == "auto" else self.batch_size, n_samples)
        # before any allocation: an absurd size is a clear error, not NumPy's "Unable to allocate"
        check_memory(sizes, "hidden_layer_sizes", self.hidden_layer_sizes, X.dtype.itemsize, rows, lbfgs)
        self._attach_network(NeuralNetwork(
            sizes, activation, output, loss, self._make_optimizer(),
            random_state=self._random_state, alpha=self.alpha, init=self._initializer(activation),
        ))
        self.n_iter_ = 0
        self.t_ = 0
        self.loss_ = None
        self._no_improvement_count = 0
        for name in ("loss_curve_", "validation_scores_", "best_validation_score_", "best_loss_", "_best_params"):
            self.__dict__.pop(name, None)  # a fresh fit forgets the previous one's progress

    def _attach_network(self, network):
        """Make ``network`` the fitted one, with the attributes that follow from it (at fit and at load)."""
        self.network_ = network
        self._optimizer_settings = self._current_optimizer_settings()
        self.n_layers_ = len(network.sizes)
        self.n_outputs_ = network.sizes[-1]
        self.out_activation_ = _OUTPUT_NAMES.get(type(network.output_activation), network.output_activation)

    def _current_optimizer_settings(self):
        opt = self._optimizer_spec()
        if isinstance(opt, str):
            return opt, (self._named_optimizer_settings(opt) if opt in _OPTIMIZER_SETTINGS else None)
        return id(opt), (opt.get_params() if hasattr(opt, "get_params") else None)

    def _sync_optimizer(self):
        """On a warm start or partial_fit: take up changed settings, keep the state."""
        settings = self._current_optimizer_settings()
        try:
            unchanged = bool(settings == self._optimizer_settings)
        except ValueError:  # settings holding arrays
            unchanged = False
        if unchanged:
            return
        current, wanted = self.network_.optimizer, self._make_optimizer()
        if (current is not None and wanted is not None and type(current) is type(wanted)
                and hasattr(current, "set_params") and hasattr(wanted, "get_params")):
            current.set_params(**wanted.get_params())
        else:
            self.network_.optimizer = wanted
        self._optimizer_settings = settings

    def _sync_stopping_state(self):
        """The stochastic optimizers' stopping attributes, (re)made when early_stopping changes."""
        if self._is_lbfgs():
            return
        if not hasattr(self, "loss_curve_"):
            self.loss_curve_ = []
        if self.early_stopping and getattr(self, "validation_scores_", None) is None:
            self.validation_scores_ = []
            self.best_validation_score_ = -np.inf
            self.best_loss_ = None
        elif not self.early_stopping and getattr(self, "best_loss_", None) is None:
            self.validation_scores_ = None
            self.best_validation_score_ = None
            self.best_loss_ = np.inf

    def _is_regressor(self):
        return is_regressor(self)

    def _n_outputs(self, Y, output):
        return Y.shape[1]

    def _final_targets(self, Y):
        return Y

    def _batch_size(self, n_samples):
        if self.batch_size == "auto":
            return min(200, n_samples)
        if self.batch_size > n_samples:
            warnings.warn("Got `batch_size` less than 1 or larger than sample size. It is going to be clipped")
        return int(np.clip(self.batch_size, 1, n_samples))

    # -- saving -----------------------------------------------------------------------------

    def save(self, path, metadata=None):
        """Save the whole estimator to ``path`` safely (no pickle); see :func:`skneural.save`."""
        save(self, path, metadata)

    @classmethod
    def load(cls, path, custom_objects=None):
        """Load an estimator of this class saved by ``save``; see :func:`skneural.load`."""
        model = load(path, custom_objects)
        if type(model) is not cls:
            raise TypeError(f"{path} holds a {type(model).__name__}, not a {cls.__name__}.")
        return model

    # -- prediction -----------------------------------------------------------------------

    def _forward(self, X):
        check_is_fitted(self)
        X = self._validate_for_prediction(X)
        with np.errstate(over="ignore", invalid="ignore"):  # reported just below
            out = self.network_.output(X, check_finite=True)
        if not get_config()["assume_finite"] and not np.isfinite(out).all():
            raise ValueError(
                "The network's outputs overflow for this X (they are not finite): its values are far "
                "outside the range of the training data. Scale X as the training data was scaled."
            )
        return out

    def _validate_for_prediction(self, X):
        # finiteness is checked by the network on its first layer's output, sparing a pass over X
        return validate_data(self, X, accept_sparse=["csr", "csc"], dtype=(np.float64, np.float32),
                             reset=False, ensure_all_finite=False)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
