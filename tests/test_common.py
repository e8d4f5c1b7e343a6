"""scikit-learn's own estimator checks, with no expected failures but two that dropout and batch
normalization break by their nature: a sample of weight 2 is not the sample seen twice when each row
draws its own dropout mask, nor when a batch's mean and variance count rows."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skneural import NumpyMLPClassifier, NumpyMLPRegressor, TabularMLPClassifier, TabularMLPRegressor
from skneural.schedules import CosineAnnealing, StepDecay


def _expected_failures(estimator):
    random = estimator.dropout != 0 or estimator.normalization == "batch"
    reason = "dropout masks and batch statistics treat a weighted row and repeated rows differently"
    return {f"check_sample_weight_equivalence_on_{kind}_data": reason for kind in ("dense", "sparse")} if random else {}


@parametrize_with_checks([
    NumpyMLPClassifier(),
    NumpyMLPRegressor(),
    NumpyMLPClassifier(optimizer="sgd", activation="tanh"),
    NumpyMLPRegressor(optimizer="sgd", activation="tanh"),
    # the newer parameters at values other than their defaults
    NumpyMLPClassifier(label_smoothing=0.1, max_grad_norm=5.0, learning_rate=CosineAnnealing(warmup=2)),
    NumpyMLPRegressor(optimizer="adamw", max_grad_norm=5.0, learning_rate=StepDecay(step_size=5)),
    NumpyMLPClassifier(dropout=0.2, normalization="batch"),
    NumpyMLPRegressor(hidden_layer_sizes=(20, 10), dropout=[0.1, 0.0], normalization="layer"),
    NumpyMLPClassifier(normalization="layer"),
    # the tabular estimators with their defaults (dropout among them)
    TabularMLPClassifier(),
    TabularMLPRegressor(),
    # and the piecewise-linear encoding, which 'auto' picks from 512 rows on
    TabularMLPClassifier(numeric_embedding="piecewise_linear"),
    TabularMLPRegressor(numeric_embedding="piecewise_linear", n_bins=4),
], expected_failed_checks=_expected_failures)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
