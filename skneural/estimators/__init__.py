"""scikit-learn estimators on the engine: ``NumpyMLPClassifier`` and ``NumpyMLPRegressor``."""

from .classifier import NumpyMLPClassifier
from .regressor import NumpyMLPRegressor

__all__ = ["NumpyMLPClassifier", "NumpyMLPRegressor"]
