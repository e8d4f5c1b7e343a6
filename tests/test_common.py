"""scikit-learn's own estimator checks, with no expected failures."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skneural import NumpyMLPClassifier, NumpyMLPRegressor


@parametrize_with_checks([
    NumpyMLPClassifier(),
    NumpyMLPRegressor(),
    NumpyMLPClassifier(optimizer="sgd", activation="tanh"),
    NumpyMLPRegressor(optimizer="sgd", activation="tanh"),
])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
