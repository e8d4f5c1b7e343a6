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
from .components.optimizers import SGD, Adagrad, Adam, RMSprop
from .estimators import NumpyMLPClassifier, NumpyMLPRegressor
from .nn import layers, network
from .nn.layers import Activation, Dense, Layer
from .nn.network import NeuralNetwork
from .persistence import load, save
from .training import TrainingInterrupted, callbacks
from .utils import check_gradients, to_categorical

# Short names for the modules users import (``from skneural.activations import ...``,
# ``skneural.callbacks``); they are also skneural 0.1's module names, so that code and pickles
# written for it (``skneural.network.NeuralNetwork``) keep working.
for _module in (activations, initializers, losses, optimizers, schedules, layers, network, callbacks):
    sys.modules.setdefault(f"{__name__}.{_module.__name__.rsplit('.', 1)[1]}", _module)
del _module

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
    "RMSprop",
    "check_gradients",
    "load",
    "save",
    "to_categorical",
]
