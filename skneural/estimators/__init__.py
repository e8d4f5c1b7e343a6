"""scikit-learn estimators on the engine: ``NumpyMLPClassifier`` and ``NumpyMLPRegressor`` (scikit-learn's
MLP, drop-in), ``TabularMLPClassifier`` and ``TabularMLPRegressor`` (defaults chosen for tables)."""

from ..persistence.models import register_estimator
from .classifier import NumpyMLPClassifier
from .regressor import NumpyMLPRegressor
from .tabular import TabularMLPClassifier, TabularMLPRegressor

register_estimator(NumpyMLPClassifier)
register_estimator(NumpyMLPRegressor, regressor=True)
register_estimator(TabularMLPClassifier)
register_estimator(TabularMLPRegressor, regressor=True)

__all__ = ["NumpyMLPClassifier", "NumpyMLPRegressor", "TabularMLPClassifier", "TabularMLPRegressor"]
