"""``NumpyMLPRegressor``: scikit-learn's ``MLPRegressor`` on skneural's engine."""

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.utils.metaestimators import available_if

from ..components import losses
from ..nn.network import check_sample_weight
from . import validation_data
from .base import _BaseMLP

__all__ = ["NumpyMLPRegressor"]


class NumpyMLPRegressor(RegressorMixin, _BaseMLP):
    """Multi-layer perceptron regressor on skneural's NumPy engine.

    A drop-in replacement for :class:`sklearn.neural_network.MLPRegressor`
    (``solver`` is called ``optimizer``) whose activation, output activation,
    loss and optimizer are pluggable.

    Parameters
    ----------
    loss : str, loss object or (function, derivative), default='squared_error'
        'squared_error' (half the squared error averaged over outputs, as
        scikit-learn reports it), 'poisson' (half Poisson deviance, with an
        exp output), 'huber', 'mse', or any loss.
    output_activation : 'auto', str, object or pair, default='auto'
        'auto' is exp for the Poisson loss and identity otherwise.
    init : str, initializer object or callable, default='glorot_uniform'
        As :class:`NumpyMLPClassifier`: scikit-learn's Glorot-uniform scheme
        (factor 2 for logistic), bit-identical initial weights for the same
        integer ``random_state``.
    Other parameters
        As :class:`NumpyMLPClassifier` (without ``class_weight``).

    Attributes
    ----------
    coefs_, intercepts_, loss_, loss_curve_, best_loss_, validation_scores_,
    best_validation_score_, n_iter_, t_, n_features_in_, feature_names_in_,
    n_layers_, n_outputs_, out_activation_, network_, optimizer_, history_,
    validation_loss_curve_, callbacks_
        As :class:`NumpyMLPClassifier`; the validation score (early stopping,
        or ``X_val`` given to ``fit``) is R².

    Examples
    --------
    >>> import numpy as np
    >>> from skneural import NumpyMLPRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.uniform(-1, 1, (200, 2))
    >>> y = X[:, 0] ** 2 + X[:, 1]
    >>> reg = NumpyMLPRegressor(hidden_layer_sizes=(32,), learning_rate_init=0.01,
    ...                         max_iter=500, random_state=0).fit(X, y)
    >>> reg.predict(X[:2]).shape
    (2,)
    >>> reg.score(X, y) > 0.9
    True
    """

    def __init__(self, loss="squared_error", hidden_layer_sizes=(100,), activation="relu", *,
                 output_activation="auto", optimizer="adam", alpha=0.0001, batch_size="auto",
                 learning_rate="constant", learning_rate_init=0.001, power_t=0.5, max_iter=200,
                 shuffle=True, random_state=None, tol=1e-4, verbose=False, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1, beta_1=0.9,
                 beta_2=0.999, epsilon=1e-8, n_iter_no_change=10, max_fun=15000, init="glorot_uniform",
                 solver=None, max_grad_norm=None, dropout=0.0, normalization=None, callbacks=None):
        self._store_params(locals())

    def _output_and_loss(self):
        loss = self._resolve("loss", "loss")
        auto_output = getattr(loss, "canonical_activation", None) or "identity"  # exp for Poisson
        output = self._resolve("output_activation", "activation",
                               auto_output if self.output_activation == "auto" else None)
        return output, loss

    def _stratify_validation(self, Y):
        return None

    _validate_y_val = validation_data.regressor_targets  # fit's y_val, checked as y

    def _validate_fit_data(self, X, y, sample_weight, first_pass, incremental, classes):
        X, y = self._check_X_y(X, y, first_pass, y_numeric=True)
        Y = (y.reshape(-1, 1) if y.ndim == 1 else y).astype(X.dtype)
        if isinstance(self._resolve("loss", "loss"), losses.Poisson) and np.any(Y < 0):
            raise ValueError("Some value(s) of y are negative which is not allowed for Poisson regression.")
        if not first_pass and Y.shape[1] != self.n_outputs_:
            raise ValueError(f"y has {Y.shape[1]} outputs, but the model was fitted with {self.n_outputs_}.")
        return X, Y, y, check_sample_weight(sample_weight, X)

    @available_if(lambda est: est._partial_fit_available())
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over ``(X, y)``, continuing from the current weights and optimizer state.

        Ctrl-C raises ``KeyboardInterrupt`` (at the end of the current batch,
        or at once if it is the second) with the estimator as it was before
        the call, so that a loop of ``partial_fit`` calls stops.
        """
        return self._fit(X, y, sample_weight, incremental=True)

    def _score_validation(self, X, y, sample_weight):
        return r2_score(y, self._shape_output(self.network_.output(X)), sample_weight=sample_weight)

    @staticmethod
    def _shape_output(out):
        return out[:, 0] if out.shape[1] == 1 else out

    def predict(self, X):
        """Predicted targets: shape (n_samples,) for one output, else (n_samples, n_outputs)."""
        return self._shape_output(self._forward(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
