"""skneural: a from-scratch NumPy neural network engine for the scikit-learn world.

Activations, losses and optimizers are pluggable: pass a name, an object, or
a ``(function, derivative)`` pair; so are weight initializers (a name or an
object).
"""

import sys

from . import components, estimators, training
from .components import activations, initializers, losses, optimizers, schedules
from .components.initializers import GlorotUniform, HeNormal, HeUniform, LecunNormal, XavierNormal
from .components.losses import (
    BinaryCrossEntropy,
    CategoricalCrossEntropy,
    Huber,
    MeanSquaredError,
    Poisson,
    SquaredError,
)
from .components.optimizers import SGD, Adagrad, Adam, AdamW, RMSprop
from .estimators import NumpyMLPClassifier, NumpyMLPRegressor, TabularMLPClassifier, TabularMLPRegressor
from .nn import all_layers as layers
from .nn import network
from .nn.layers import Activation, Dense, Layer
from .nn.embeddings import PeriodicEmbedding, Scale, SmoothClip
from .nn.piecewise import PiecewiseLinearEncoding
from .nn.normalization import BatchNorm, LayerNorm
from .nn.regularization import Dropout
from .nn.network import NeuralNetwork
from .persistence import load, save
from .training import TrainingInterrupted, callbacks
from .utils import check_gradients, to_categorical

# Short names for the modules users import (``from skneural.activations import ...``,
# ``skneural.callbacks``); they are also skneural 0.1's module names, so that code and pickles
# written for it (``skneural.network.NeuralNetwork``) keep working.  ``skneural.layers`` is
# ``skneural.nn.all_layers``: every layer (``skneural.nn.layers``' and the others) in one place.
for _name, _module in (("activations", activations), ("initializers", initializers), ("losses", losses),
                       ("optimizers", optimizers), ("schedules", schedules), ("layers", layers),
                       ("network", network), ("callbacks", callbacks)):
    sys.modules.setdefault(f"{__name__}.{_name}", _module)
del _name, _module

__version__ = "0.1.0"

__all__ = [
    "activations",
    "callbacks",
    "components",
    "schedules",
    "training",
    "estimators",
    "initializers",
    "NumpyMLPClassifier",
    "NumpyMLPRegressor",
    "TabularMLPClassifier",
    "TabularMLPRegressor",
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "LecunNormal",
    "XavierNormal",
    "layers",
    "losses",
    "optimizers",
    "Activation",
    "Dense",
    "Layer",
    "Dropout",
    "BatchNorm",
    "LayerNorm",
    "SmoothClip",
    "Scale",
    "PeriodicEmbedding",
    "PiecewiseLinearEncoding",
    "BinaryCrossEntropy",
    "CategoricalCrossEntropy",
    "Huber",
    "MeanSquaredError",
    "Poisson",
    "SquaredError",
    "NeuralNetwork",
    "TrainingInterrupted",
    "SGD",
    "Adagrad",
    "Adam",
    "AdamW",
    "RMSprop",
    "check_gradients",
    "load",
    "save",
    "to_categorical",
]
