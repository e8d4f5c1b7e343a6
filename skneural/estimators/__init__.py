"""scikit-learn estimators on the engine: ``NumpyMLPClassifier`` and ``NumpyMLPRegressor``."""

from ..persistence.models import register_estimator
from .classifier import NumpyMLPClassifier
from .regressor import NumpyMLPRegressor

register_estimator(NumpyMLPClassifier)
register_estimator(NumpyMLPRegressor, regressor=True)

__all__ = ["NumpyMLPClassifier", "NumpyMLPRegressor"]
