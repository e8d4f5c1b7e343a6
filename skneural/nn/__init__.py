"""The engine: the layer protocol and its layers, and the network driving them over one flat parameter vector.

``layers`` (the :class:`~skneural.nn.layers.Layer` protocol, ``Dense``,
``Activation``), ``network`` (``NeuralNetwork``), ``parameters`` (the flat
vectors and the views into them), ``objective`` (loss, L2 penalty, output
gradient), ``inference`` (prediction in bounded memory), ``architecture``
(building and checking the list of layers), ``inputs`` (checking ``x``, ``y``
and ``sample_weight``), ``diagnose`` (naming the component that made nan or
inf), ``memory`` (refusing networks too large for the machine).
"""
