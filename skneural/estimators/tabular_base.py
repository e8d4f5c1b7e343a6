"""What the tabular estimators add to the MLP estimators: a table read as it is (``preprocessor_``,
learned at the first fit), the network's input layers for the numeric columns, the tabular
settings, and a named learning-rate schedule for any optimizer."""

import inspect
from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_array
from sklearn.utils.validation import check_consistent_length

from ..components.optimizers import OPTIMIZERS
from ..components.params import Boolean, Interval, NoneOr, Options, validate
from ..nn.embeddings import PeriodicEmbedding, Scale, SmoothClip
from ..nn.piecewise import PiecewiseLinearEncoding, quantile_edges
from ..persistence.tabular_models import INPUT_SETTINGS  # what a warm start keeps and model files store
from .tabular_encoding import NUMERIC_SCALINGS, check_table, make_encoder, numeric_width

__all__ = ["TabularMixin", "ROWS_PER_BIN"]

ROWS_PER_BIN = 16  # numeric_embedding='auto' bins the numbers from n_bins * ROWS_PER_BIN rows on

_TABULAR_CONSTRAINTS = {
    "numeric_scaling": Options(*NUMERIC_SCALINGS),
    "smooth_clip": NoneOr(Interval(Real, 0, None, "neither")),
    "numeric_embedding": Options(None, "auto", "periodic", "piecewise_linear"),
    "n_bins": Interval(Integral, 1, None, "left"),
    "n_frequencies": Interval(Integral, 1, None, "left"),
    "embedding_size": Interval(Integral, 1, None, "left"),
    "frequency_scale": Interval(Real, 0, None, "neither"),
    "scaling_layer": Boolean(),
    "max_categories": NoneOr(Interval(Integral, 2, None, "left")),
    "min_category_frequency": NoneOr(Interval(Integral, 1, None, "left")),
    "weight_decay": Interval(Real, 0, None, "left"),
}


class TabularMixin:
    """Put before ``NumpyMLPClassifier`` or ``NumpyMLPRegressor``; not for direct use."""

    _named_schedules_any_optimizer = True
    _warns_at_max_iter = False  # max_iter is the schedule's length, not a limit reached too soon

    def _validate_params(self):
        validate(type(self).__name__, {k: getattr(self, k) for k in _TABULAR_CONSTRAINTS}, _TABULAR_CONSTRAINTS)
        super()._validate_params()

    # partial_fit: one epoch on the rows given, at learning_rate_init (no schedule, no held-out rows)
    def _stops_early(self, incremental):
        return self.early_stopping and not incremental

    def _schedule(self, incremental):
        return "constant" if incremental else self.learning_rate

    def _restarts_rate(self, incremental):
        return True

    # -- the table ----------------------------------------------------------------------------

    def _check_X_y(self, X, y, reset, y_numeric=False):
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None.")
        X = check_table(self, X, reset)
        y = check_array(y, ensure_2d=False, dtype="numeric" if y_numeric else None, input_name="y",
                        estimator=self, ensure_min_samples=0)
        if y_numeric and y.dtype.kind == "O":
            y = y.astype(np.float64)
        check_consistent_length(X, y)
        if reset:
            self.preprocessor_ = make_encoder(X, self.numeric_scaling, self.max_categories,
                                              self.min_category_frequency).fit(X)
            self._input_settings = {name: getattr(self, name) for name in INPUT_SETTINGS}
            self.numeric_embedding_ = self._resolved_embedding(X.shape[0])
        return self._encode(X), y

    def _resolved_embedding(self, n_samples):
        # quantile bins need rows to place their edges: on a few hundred rows the periodic embedding's
        # smoother functions generalize better (measured on the tabular benchmark's held-out training rows)
        if not numeric_width(self.preprocessor_):
            return None
        if self.numeric_embedding != "auto":
            return self.numeric_embedding
        return "piecewise_linear" if n_samples >= ROWS_PER_BIN * self.n_bins else "periodic"

    def _encode(self, X):
        # float32: twice as fast as float64, and as accurate as training needs
        return np.asarray(self.preprocessor_.transform(X), dtype=np.float32)

    def _batch_alpha(self, batch_size, n_samples):
        # the penalty is alpha / n_samples for any batch size: an L2 prior, which fades as the data grows
        return self.alpha * batch_size / n_samples

    def _batch_size(self, n_samples):
        if self.batch_size == "auto":  # at least 16 steps an epoch, in batches of 32 to 256 rows
            return min(n_samples, max(32, min(256, n_samples // 16)))
        return min(self.batch_size, n_samples)

    def _validate_X_val(self, X_val, dtype):
        try:
            X_val = check_table(self, X_val, reset=False, input_name="X_val")
        except ValueError as exc:
            if "feature" not in str(exc):  # check_table's own errors name X_val already
                raise
            raise ValueError(f"X_val does not have the columns of X. {exc}") from None
        return self._encode(X_val).astype(dtype, copy=False)

    def _validate_for_prediction(self, X):
        return self._encode(check_table(self, X, reset=False))

    def _forward(self, X):
        return super()._forward(X).astype(np.float64)  # the network's float32, as scikit-learn's models give

    # -- the network's input layers -------------------------------------------------------------

    def _input_layers(self, X):
        """SmoothClip and the embedding of the numeric columns (the first ``numeric_width`` encoded
        columns): periodic, or piecewise linear in bins of the clipped training values' quantiles;
        then a learnable scale of every column."""
        n_numeric, width = numeric_width(self.preprocessor_), X.shape[1]
        layers = []
        if n_numeric and self.smooth_clip is not None:
            layers.append(SmoothClip(n_numeric, limit=self.smooth_clip))
        if self.numeric_embedding_ == "periodic":  # None without numeric columns
            layers.append(PeriodicEmbedding(n_numeric, n_passthrough=width - n_numeric,
                                            n_frequencies=self.n_frequencies, embedding_size=self.embedding_size,
                                            sigma=self.frequency_scale, include_input=True,
                                            random_state=self._random_state, dtype=X.dtype))
            width = layers[-1].output_size
        elif self.numeric_embedding_ == "piecewise_linear":
            clipped = layers[0].infer(X[:, :n_numeric]) if layers else X[:, :n_numeric]
            layers.append(PiecewiseLinearEncoding(n_numeric, self.n_bins, width - n_numeric, True,
                                                  quantile_edges(clipped, self.n_bins), dtype=X.dtype))
            width = layers[-1].output_size
        if self.scaling_layer:
            layers.append(Scale(width, dtype=X.dtype))
        return layers

    def _check_same_layers(self):
        super()._check_same_layers()
        changed = [name for name in INPUT_SETTINGS if getattr(self, name) != self._input_settings[name]]
        if changed:
            raise ValueError(
                f"{', '.join(changed)} changed since the model was fitted: warm_start and partial_fit go on "
                "training the same encoding and input layers. Set them back, or fit again with warm_start=False.")

    # -- the optimizer ---------------------------------------------------------------------------

    def _named_optimizer_settings(self, name):
        settings = super()._named_optimizer_settings(name)
        if "weight_decay" in inspect.signature(OPTIMIZERS[name]).parameters:
            settings["weight_decay"] = self.weight_decay
        return settings

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        return tags
