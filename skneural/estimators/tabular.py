"""``TabularMLPClassifier`` and ``TabularMLPRegressor``: MLPs whose defaults are chosen for tables.

They read a pandas DataFrame (or an array) as it is, numbers, categories and missing values
alike (:mod:`.tabular_encoding`), and put before the dense layers a smooth clipping, an embedding of
each numeric column (periodic, :mod:`skneural.nn.embeddings`, or piecewise linear,
:mod:`skneural.nn.piecewise`) and a learnable scale of each column.
Every other parameter is the MLP estimators' own, with other defaults.
"""

import numpy as np
from sklearn.metrics import log_loss, r2_score

from ..components.params import Options, validate

from ..components.activations import Identity
from . import validation_data
from .classifier import NumpyMLPClassifier
from .regressor import NumpyMLPRegressor
from .tabular_base import TabularMixin

__all__ = ["TabularMLPClassifier", "TabularMLPRegressor"]

_TABULAR_PARAMETERS = """
    numeric_scaling : {'robust', 'quantile', 'standard'}, default='robust'
        How numeric columns are scaled after median imputation: scikit-learn's
        ``RobustScaler`` (median and interquartile range), ``QuantileTransformer``
        towards a normal distribution, or ``StandardScaler``.
    smooth_clip : float or None, default=3.0
        Numeric columns go through ``x / sqrt(1 + (x / smooth_clip)**2)`` (a
        ``SmoothClip`` layer), which keeps outliers within about that many
        scales; None leaves them as they are.
    numeric_embedding : {'auto', 'periodic', 'piecewise_linear', None}, default='auto'
        Each numeric column is embedded by a ``PeriodicEmbedding`` layer
        (learned frequencies, cosines and sines, a linear map and ReLU, and the
        value itself), or by a ``PiecewiseLinearEncoding`` layer (the value
        and one value per bin of its training values' quantiles, 0 below the
        bin, 1 above it and linear across it: thresholds as a tree's); 'auto':
        piecewise linear from ``16 * n_bins`` rows given to ``fit`` on (512 by
        default; ``partial_fit``: its first call's rows), else periodic, which
        generalizes better on a few hundred rows; None gives the network the
        values alone.  ``numeric_embedding_`` says which (None without
        numeric columns).
    n_frequencies : int, default=16
        Frequencies of each numeric column's embedding.
    embedding_size : int, default=8
        Values each numeric column's embedding gives (plus the value itself).
    frequency_scale : float, default=0.1
        Standard deviation of the embedding's initial frequencies.
    n_bins : int, default=32
        Bins of each numeric column's piecewise-linear encoding (fewer where
        its training values repeat).
    scaling_layer : bool, default=True
        A learnable scale of each input column of the dense layers (a ``Scale``
        layer), starting at 1.
    max_categories : int or None, default=200
        The most one-hot columns of a categorical column: rarer categories are
        grouped as one "infrequent" category.
    min_category_frequency : int or None, default=None
        Categories seen fewer times at ``fit`` are grouped as "infrequent".
    weight_decay : float, default=0.0
        Decoupled weight decay of 'adamw' (and of any named optimizer that
        takes ``weight_decay``).
"""


class TabularMLPClassifier(TabularMixin, NumpyMLPClassifier):
    __doc__ = f"""MLP classifier for tables, with defaults chosen for them.

    Reads a pandas DataFrame (or an array) as it is: numeric, categorical
    (``object``, ``category``, ``bool`` or string columns) and missing values
    are encoded inside (``preprocessor_``, learned at ``fit``: the first call
    of ``partial_fit`` learns it from its rows).  Numbers are median-imputed
    (with missing-value indicators), robustly scaled, smoothly clipped and
    embedded; categories one-hot encoded, a missing value being a category.
    The network computes in float32 whatever the table's dtype (predictions
    are float64, to float32's precision).

    Parameters
    ----------
    {_TABULAR_PARAMETERS.strip()}
    scoring : {'loss', 'accuracy'}, default='loss'
        What picks the best epoch on the held-out rows (``early_stopping``) and
        fills ``validation_scores_``: minus the log loss (cross-entropy, without
        label smoothing), or the accuracy (``score``'s, as
        :class:`NumpyMLPClassifier`).  As ``HistGradientBoostingClassifier``'s
        ``scoring='loss'``.  Multilabel targets (and a single class) use the accuracy.
    Other parameters
        As :class:`NumpyMLPClassifier` (``partial_fit`` trains one epoch on the
        rows it is given, without early stopping), with other defaults:
        ``hidden_layer_sizes=(256, 256)``, ``optimizer='adamw'``,
        ``learning_rate='cosine_annealing'`` (a named schedule drives any
        optimizer here, not only 'sgd'), ``learning_rate_init=0.001``,
        ``max_iter=100`` (the schedule's length: no ConvergenceWarning),
        ``dropout=0.15``, ``label_smoothing=0.1``, ``early_stopping=True`` with
        ``validation_fraction=0.2`` and ``n_iter_no_change=100`` (the best epoch
        on the held-out rows is kept), and two whose meaning differs:

        * ``alpha=3.0``: the L2 penalty is ``0.5 * alpha * ||W||² / n_samples``
          whatever the batch (scikit-learn's divides by the batch's rows), a
          prior that fades as the data grows (``partial_fit``: the rows of
          the call);
        * ``batch_size='auto'``: ``n_samples // 16`` rows, within 32 to 256, so
          that small data gets at least 16 steps an epoch.

    Attributes
    ----------
    preprocessor_ : sklearn.compose.ColumnTransformer
        The fitted encoding of the table's columns.
    numeric_embedding_ : {'periodic', 'piecewise_linear', None}
        The embedding of the numeric columns (``numeric_embedding`` resolved).
    network_ : NeuralNetwork
        Its first layers are the input layers (``network_.input_layers``).
    Others
        As :class:`NumpyMLPClassifier`; ``n_features_in_`` and
        ``feature_names_in_`` are those of the table.

    Examples
    --------
    >>> import numpy as np
    >>> from skneural import TabularMLPClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = np.column_stack([rng.normal(size=300), rng.choice(["a", "b"], 300)]).astype(object)
    >>> X[:, 0] = X[:, 0].astype(float)
    >>> y = (X[:, 0].astype(float) > 0) ^ (X[:, 1] == "a")
    >>> clf = TabularMLPClassifier(max_iter=30, random_state=0).fit(X, y)
    >>> clf.score(X, y) > 0.9
    True
    """

    def __init__(self, hidden_layer_sizes=(256, 256), activation="relu", *, output_activation="auto",
                 loss="auto", optimizer="adamw", alpha=3.0, batch_size="auto", learning_rate="cosine_annealing",
                 learning_rate_init=0.001, power_t=0.5, max_iter=100, shuffle=True, random_state=None,
                 tol=1e-4, verbose=False, warm_start=False, momentum=0.9, nesterovs_momentum=True,
                 early_stopping=True, validation_fraction=0.2, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 n_iter_no_change=100, max_fun=15000, class_weight=None, init="glorot_uniform", solver=None,
                 max_grad_norm=None, label_smoothing=0.1, dropout=0.15, normalization=None, callbacks=None,
                 numeric_scaling="robust", smooth_clip=3.0, numeric_embedding="auto", n_frequencies=16,
                 embedding_size=8, frequency_scale=0.1, n_bins=32, scaling_layer=True, max_categories=200,
                 min_category_frequency=None, weight_decay=0.0, scoring="loss"):
        self._store_params(locals())

    def _validate_params(self):
        validate(type(self).__name__, {"scoring": self.scoring}, {"scoring": Options("loss", "accuracy")})
        super()._validate_params()

    def _score_validation(self, X, y, sample_weight):
        if self.scoring == "accuracy" or self._label_binarizer.y_type_ == "multilabel-indicator" \
                or len(self.classes_) < 2:  # one class: log loss is undefined, the accuracy is 1
            return super()._score_validation(X, y, sample_weight)
        proba = self._rows_sum_to_one(self.network_.output(X).astype(np.float64))
        proba = np.hstack([1 - proba, proba]) if proba.shape[1] == 1 else proba
        return -log_loss(y, proba, sample_weight=sample_weight, labels=self.classes_)

    def _forward(self, X):
        return self._rows_sum_to_one(super()._forward(X))

    def _rows_sum_to_one(self, out):
        """A row-wise output (softmax) computed in float32 sums to 1 only to float32's precision: in
        float64 its rows are made to sum to 1 again, as scikit-learn's metrics check."""
        if self.network_.output_activation.is_rowwise():
            out /= out.sum(axis=1, keepdims=True)
        return out


class TabularMLPRegressor(TabularMixin, NumpyMLPRegressor):
    __doc__ = f"""MLP regressor for tables, with defaults chosen for them.

    As :class:`TabularMLPClassifier` for the table; the targets are
    standardized inside (``y_mean_``, ``y_scale_``: their mean and standard
    deviation, weighted by ``sample_weight``, learned at ``fit``), so that
    ``loss_`` and the loss curves are in units of their standard deviation,
    while ``predict`` and ``score`` are in the targets' units.  With an output
    other than linear (the exp of ``loss='poisson'``) they are only divided
    by their standard deviation, so that predictions stay positive.

    Parameters
    ----------
    {_TABULAR_PARAMETERS.strip()}
    Other parameters
        As :class:`NumpyMLPRegressor`, with the defaults of
        :class:`TabularMLPClassifier` (no ``label_smoothing`` nor ``class_weight``).

    Attributes
    ----------
    preprocessor_ : sklearn.compose.ColumnTransformer
    numeric_embedding_ : {'periodic', 'piecewise_linear', None}
    y_mean_, y_scale_ : ndarray of shape (n_outputs,)
        The targets' mean (0 for an output other than linear) and standard
        deviation (1 where it is 0) at ``fit``.
    Others
        As :class:`NumpyMLPRegressor`.

    Examples
    --------
    >>> import numpy as np
    >>> from skneural import TabularMLPRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.uniform(-2, 2, (300, 3))
    >>> y = 100 * np.sin(X[:, 0]) + X[:, 1]
    >>> reg = TabularMLPRegressor(max_iter=30, random_state=0).fit(X, y)
    >>> reg.score(X, y) > 0.9
    True
    """

    def __init__(self, loss="squared_error", hidden_layer_sizes=(256, 256), activation="relu", *,
                 output_activation="auto", optimizer="adamw", alpha=3.0, batch_size="auto",
                 learning_rate="cosine_annealing", learning_rate_init=0.001, power_t=0.5, max_iter=100,
                 shuffle=True, random_state=None, tol=1e-4, verbose=False, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=True, validation_fraction=0.2, beta_1=0.9,
                 beta_2=0.999, epsilon=1e-8, n_iter_no_change=100, max_fun=15000, init="glorot_uniform",
                 solver=None, max_grad_norm=None, dropout=0.15, normalization=None, callbacks=None,
                 numeric_scaling="robust", smooth_clip=3.0, numeric_embedding="auto", n_frequencies=16,
                 embedding_size=8, frequency_scale=0.1, n_bins=32, scaling_layer=True, max_categories=200,
                 min_category_frequency=None, weight_decay=0.0):
        self._store_params(locals())

    def _validate_fit_data(self, X, y, sample_weight, first_pass, incremental, classes):
        X, Y, y, sample_weight = super()._validate_fit_data(X, y, sample_weight, first_pass, incremental, classes)
        targets = np.asarray(y, dtype=np.float64).reshape(len(Y), -1)  # float64: y's digits, not Y's float32
        if first_pass:
            linear = isinstance(self._output_and_loss()[0], Identity)
            # an exp output (Poisson) predicts positive values: its targets are only rescaled
            mean = np.average(targets, axis=0, weights=sample_weight)
            spread = np.sqrt(np.average((targets - mean) ** 2, axis=0, weights=sample_weight))
            self.y_mean_ = mean if linear else np.zeros_like(mean)
            self.y_scale_ = np.where(spread > 0, spread, 1.0)
        return X, self._standardized(targets, X.dtype), y, sample_weight

    def _standardized(self, targets, dtype):
        return ((targets - self.y_mean_) / self.y_scale_).astype(dtype)

    def _validate_y_val(self, y_val, y, dtype):
        y_val, Y_val = validation_data.regressor_targets(self, y_val, y, np.float64)
        return y_val, self._standardized(Y_val, dtype)

    def _in_target_units(self, out):
        return out.astype(np.float64) * self.y_scale_ + self.y_mean_

    def _forward(self, X):
        return self._in_target_units(super()._forward(X))

    def _score_validation(self, X, y, sample_weight):
        out = self._in_target_units(self.network_.output(X))
        return r2_score(y, self._shape_output(out), sample_weight=sample_weight)
