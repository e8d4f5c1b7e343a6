"""skneural: a from-scratch NumPy neural network engine for the scikit-learn world.

Activations, losses and optimizers are pluggable: pass a name, an object, or
a ``(function, derivative)`` pair; so are weight initializers (a name or an
object).
"""

from . import activations, components, estimators, initializers, layers, losses, optimizers
from .estimators import NumpyMLPClassifier, NumpyMLPRegressor
from .initializers import GlorotUniform, HeNormal, HeUniform, LecunNormal, XavierNormal
from .layers import Activation, Dense, Layer
from .losses import (
    BinaryCrossEntropy,
    CategoricalCrossEntropy,
    Huber,
    MeanSquaredError,
    Poisson,
    SquaredError,
)
from .network import NeuralNetwork, TrainingInterrupted
from .optimizers import SGD, Adagrad, Adam, RMSprop
from .persistence import load, save
from .utils import check_gradients, to_categorical

__version__ = "0.1.0"

__all__ = [
    "activations",
    "components",
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
