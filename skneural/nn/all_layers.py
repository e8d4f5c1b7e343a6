"""Every layer of skneural in one namespace: ``skneural.layers``.

``skneural.layers`` (skneural 0.1's module of layers, so that code and pickles naming
``skneural.layers.Dense`` keep working) is this module: the layer protocol and the dense and
activation layers of :mod:`skneural.nn.layers`, :class:`Dropout` of
:mod:`skneural.nn.regularization`, and :class:`BatchNorm` and :class:`LayerNorm` of
:mod:`skneural.nn.normalization`, and :class:`SmoothClip`, :class:`Scale` and
:class:`PeriodicEmbedding` of :mod:`skneural.nn.embeddings`, and :class:`PiecewiseLinearEncoding` of
:mod:`skneural.nn.piecewise`.

Examples
--------
>>> from skneural.layers import BatchNorm, Dense, Dropout, LayerNorm, ReLU, Softmax
>>> [Dense(4, 8), BatchNorm(8), ReLU(), Dropout(0.2), Dense(8, 3), LayerNorm(3), Softmax()]
[Dense(4, 8), BatchNorm(8), ReLU(), Dropout(0.2), Dense(8, 3), LayerNorm(3), Softmax()]
"""

from .embeddings import PeriodicEmbedding, Scale, SmoothClip
from .layers import (ELU, Activation, Dense, Exp, Identity, Layer, LeakyReLU, ReLU, Sigmoid, Softmax,
                     Softplus, Tanh)
from .normalization import BatchNorm, LayerNorm
from .piecewise import PiecewiseLinearEncoding
from .regularization import Dropout

__all__ = ["Layer", "Dense", "Activation", "Identity", "ReLU", "LeakyReLU", "Tanh", "Sigmoid", "ELU",
           "Softplus", "Exp", "Softmax", "Dropout", "BatchNorm", "LayerNorm", "SmoothClip", "Scale",
           "PeriodicEmbedding", "PiecewiseLinearEncoding"]
