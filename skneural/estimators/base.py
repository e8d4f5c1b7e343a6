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
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn import get_config
from sklearn.base import clone
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from ..components import activations, initializers
from ..components.optimizers import OPTIMIZERS
from ..nn.architecture import output_width
from ..nn.memory import check_memory
from ..nn.network import NeuralNetwork
from ..training.epoch import restore, snapshot
from ..training.interrupts import TrainingInterrupted, deferred_interrupt, warn_interrupted
from ..persistence import load, save
from . import validation_data
from .params import MLPParameters
from .training import fit_lbfgs, fit_stochastic, sync_stopping_state

# The loss that 'auto' picks for each kind of classification target; 'auto' output activation is
# that loss's canonical one (softmax, or sigmoid: logistic as scikit-learn calls it).
_AUTO_CLASSIFICATION_LOSS = {
    "binary": "binary_crossentropy",
    "multiclass": "categorical_crossentropy",
    "multilabel-indicator": "binary_crossentropy",
}
# scikit-learn's names for the output activations (out_activation_).
_OUTPUT_NAMES = {cls: name for name, cls in activations.ACTIVATIONS.items()}


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


class _SklearnAttributes:
    """The fitted attributes of scikit-learn's MLP that are views of the network's."""

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


class _BaseMLP(_SklearnAttributes, MLPParameters):
    """Shared machinery of the two estimators; not for direct use."""

    _named_schedules_any_optimizer = False  # scikit-learn's: a learning_rate name schedules 'sgd' only
    _warns_at_max_iter = True  # scikit-learn's ConvergenceWarning when training ends at max_iter

    # -- fitting --------------------------------------------------------------------------

    def fit(self, X, y, sample_weight=None, *, X_val=None, y_val=None, sample_weight_val=None):
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
            Weights each sample's loss (weight 2 is the sample repeated, but for
            the random masks of dropout and the batch statistics of
            ``normalization='batch'``, which count rows).
        X_val : {array-like, sparse matrix} of shape (n_val_samples, n_features), default=None
            Validation rows (at least 2), as ``HistGradientBoostingClassifier``
            takes them.  ``early_stopping=True`` uses them instead of the
            ``validation_fraction`` split (all of ``X`` trains); without it,
            their loss and score are only recorded after each epoch
            (``history_``, ``validation_*``), changing nothing.  Checked as
            ``predict`` checks its input.  Not for 'lbfgs', which has no epochs.
            A Pipeline transforms them as ``X`` with ``transform_input=["X_val"]``
            (metadata routing, ``set_fit_request(X_val=True, y_val=True)``).
        y_val : array-like of shape (n_val_samples,) or (n_val_samples, n_outputs), default=None
            Targets of ``X_val``: labels among ``classes_``, or the outputs of ``y``.
        sample_weight_val : array-like of shape (n_val_samples,), default=None
            Weights of the validation rows (times ``class_weight``, as ``sample_weight``).

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, incremental=False, validation=(X_val, y_val, sample_weight_val))

    def _partial_fit_available(self):
        if self._is_lbfgs():
            raise AttributeError(
                "partial_fit is only available for stochastic optimizers. 'lbfgs' is not stochastic."
            )
        return True

    def _fit(self, X, y, sample_weight, incremental, classes=None, validation=None):
        self._validate_params()
        if incremental and self._stops_early(incremental):
            raise ValueError("partial_fit does not support early_stopping=True")
        validation = validation_data.check_arguments(self, validation)
        first_pass = not hasattr(self, "network_") or (not self.warm_start and not incremental)
        # a failed call (fit, warm start or partial_fit) leaves the estimator as it was
        saved = self._snapshot(with_parameters=not first_pass)
        try:
            X, Y, y, sample_weight = self._validate_fit_data(X, y, sample_weight, first_pass, incremental, classes)
            if validation is not None:  # checked against the training data, before anything is built
                validation = validation_data.validate(self, X, y, *validation)
            if sp.issparse(X):
                X = X.tocsr()
            self._random_state = check_random_state(self.random_state)
            if first_pass:
                self._warn_ignored_settings()
                self._initialize(X, Y)
            else:
                self._check_same_layers()
                self.network_.alpha = self.alpha
                self._sync_optimizer()
            self.network_.max_grad_norm = getattr(self, "max_grad_norm", None)  # a subclass may not take it
            sync_stopping_state(self, incremental)
            self.network_.astype(X.dtype)
            Y = self._final_targets(Y)
            if validation is not None:  # the validation loss is that of the targets trained towards
                validation = (validation[0], self._final_targets(validation[1]), *validation[2:])
            with deferred_interrupt(whole_call=True):  # a first Ctrl-C waits for the end of the batch
                if self._is_lbfgs():
                    fit_lbfgs(self, X, Y, sample_weight)
                else:
                    fit_stochastic(self, X, Y, y, sample_weight, incremental, validation)
        except TrainingInterrupted:
            # fit catches Ctrl-C in its loop, so here it came after training's last check: keep the model
            if not incremental:
                warn_interrupted()
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
        return state, (snapshot(network), network.alpha, network.max_grad_norm)

    def _restore(self, saved):
        state, parameters = saved
        for key in [k for k in vars(self) if self._is_state(k)]:
            delattr(self, key)
        vars(self).update(state)
        if parameters is not None:
            network, alpha, max_grad_norm = parameters
            restore(self.network_, network)
            self.network_.alpha, self.network_.max_grad_norm = alpha, max_grad_norm

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
        input_layers = self._input_layers(X)
        sizes = [output_width(input_layers, X.shape[1]), *self._hidden_sizes(), n_outputs]
        n_samples, lbfgs = X.shape[0], self._is_lbfgs()
        rows = n_samples if lbfgs else min(200 if self.batch_size == "auto" else self.batch_size, n_samples)
        # before any allocation: an absurd size is a clear error, not NumPy's "Unable to allocate"
        check_memory(sizes, "hidden_layer_sizes", self.hidden_layer_sizes, X.dtype.itemsize, rows, lbfgs)
        self._attach_network(NeuralNetwork(
            sizes, activation, output, loss, self._make_optimizer(),
            random_state=self._random_state, alpha=self.alpha, init=self._initializer(activation),
            dropout=self._dropout_rates(), normalization=getattr(self, "normalization", None),
            input_layers=input_layers,
        ))
        self.n_iter_ = 0
        self.t_ = 0
        self.loss_ = None
        self._no_improvement_count = 0
        for name in ("loss_curve_", "validation_scores_", "validation_loss_curve_", "best_validation_score_",
                     "best_loss_", "_best_params", "_best_state", "history_", "callbacks_", "_callbacks_given"):
            self.__dict__.pop(name, None)  # a fresh fit forgets the previous one's progress

    def _input_layers(self, X):
        """Layers before the dense ones, built for the training data ``X`` (none here)."""
        return []

    def _check_same_layers(self):
        """A warm start or partial_fit trains the network it has: dropout and normalization as built."""
        built = {"dropout": self.network_.dropout, "normalization": self.network_.normalization}
        wanted = {"dropout": self._dropout_rates(), "normalization": getattr(self, "normalization", None)}
        changed = [name for name in built if built[name] != wanted[name]]
        if changed:
            raise ValueError(
                f"{' and '.join(changed)} changed since the network was built "
                f"({', '.join(f'{k}={built[k]!r}' for k in changed)}): warm_start and partial_fit go on "
                "training the same layers. Set them back, or fit again with warm_start=False."
            )

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
            return opt, (self._named_optimizer_settings(opt) if opt in OPTIMIZERS else None)
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

    def _n_outputs(self, Y, output):
        return Y.shape[1]

    def _final_targets(self, Y):
        return Y

    # what a call trains with: scikit-learn's rules (the tabular estimators' partial_fit differs)
    def _stops_early(self, incremental):
        return self.early_stopping

    def _schedule(self, incremental):
        return self.learning_rate

    def _restarts_rate(self, incremental):
        return not incremental  # partial_fit goes on from the optimizer's rate

    def _batch_alpha(self, batch_size, n_samples):
        """The network's ``alpha``, which it divides by each batch's rows (scikit-learn's L2 penalty)."""
        return self.alpha

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

    def _check_X_y(self, X, y, reset, **kwargs):
        """``validate_data`` of the training data (``reset``: at the first fit)."""
        return validate_data(self, X, y, accept_sparse=["csr", "csc"], multi_output=True,
                             dtype=(np.float64, np.float32), reset=reset, **kwargs)

    def _validate_X_val(self, X_val, dtype):
        return validation_data.features(self, X_val, dtype)

    def _validate_for_prediction(self, X):
        # finiteness is checked by the network on its first layer's output, sparing a pass over X
        return validate_data(self, X, accept_sparse=["csr", "csc"], dtype=(np.float64, np.float32),
                             reset=False, ensure_all_finite=False)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
