"""scikit-learn's own estimator checks, with no expected failures."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skneural import NumpyMLPClassifier, NumpyMLPRegressor
from skneural.schedules import CosineAnnealing, StepDecay


@parametrize_with_checks([
    NumpyMLPClassifier(),
    NumpyMLPRegressor(),
    NumpyMLPClassifier(optimizer="sgd", activation="tanh"),
    NumpyMLPRegressor(optimizer="sgd", activation="tanh"),
    # the newer parameters at values other than their defaults
    NumpyMLPClassifier(label_smoothing=0.1, max_grad_norm=5.0, learning_rate=CosineAnnealing(warmup=2)),
    NumpyMLPRegressor(optimizer="adamw", max_grad_norm=5.0, learning_rate=StepDecay(step_size=5)),
])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
