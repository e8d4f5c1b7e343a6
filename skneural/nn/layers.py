"""Layers composed by hand into a list (the layer-list style), working on batches of rows.

Every layer follows one protocol (:class:`Layer`), by which a network drives it without
knowing what kind of layer it is: ``forward`` and ``backward`` for training, ``infer`` for
prediction, the trainable parameters it lists in ``param_names`` (their gradients are the
attributes ``d_<name>``), those of them the L2 penalty applies to (``penalized``), its
non-trainable state (``state_names``) and its mode (``training``).  Parameter updates belong
to the optimizer, not to the layers: a network binds the parameters and their gradients to
views into its flat parameter and gradient vectors (``bind``).

Examples
--------
The layer-list network, adapted to batch rows:

>>> import numpy as np
>>> from skneural.layers import Dense, Tanh, Softmax
>>> network = [Dense(784, 40, random_state=0), Tanh(), Dense(40, 10, random_state=0), Softmax()]
>>> out = np.zeros((5, 784))
>>> for layer in network:
...     out = layer.forward(out)
>>> out.shape
(5, 10)
"""

from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state

from ..components import activations, resolve
from ..components.params import Interval, validate

__all__ = ["Layer", "Dense", "Activation", "Identity", "ReLU", "LeakyReLU", "Tanh", "Sigmoid", "ELU", "Softplus", "Exp", "Softmax"]


class Layer:
    """Base layer: the protocol through which a network drives any layer.

    Subclasses define ``forward`` and ``backward``, and override the rest
    where the defaults do not fit.

    Computing

    * ``forward(input)``: the output for a batch of rows ``(n, input_width)``,
      keeping what ``backward`` needs (by convention in ``input`` and
      ``output``); it honours ``training``.
    * ``backward(output_gradient)``: after ``forward``, the gradient with
      respect to the input (or None when ``needs_input_gradient`` is False,
      which a network sets on the layers up to the first with parameters,
      where backpropagation ends), having written each parameter's gradient
      into ``d_<name>`` in place (views into the network's gradient vector).
    * ``infer(input, out=None)``: the output in evaluation mode whatever
      ``training`` says, keeping nothing, so that several threads may predict
      at once.  ``out``, when given, is an array the layer may write its
      output into and return: of shape ``(n, output_width(input_width))``,
      or ``input`` itself for an ``inplace`` layer; the caller uses what is
      returned either way.  A layer whose ``infer`` takes no ``out`` is never
      given one.  The default calls ``forward``: override it when ``forward``
      keeps state or depends on the mode.
    * ``output_width(input_width)``: the number of output columns for inputs
      of that width, or None when unknown (the default); prediction sizes its
      work arrays with it.
    * ``inplace``: whether ``infer(x, out=x)`` may write the output over the
      input (elementwise layers such as activations).  Default False.
    * ``propagates_nonfinite_rows``: whether a nan or infinity anywhere in a
      row of the input makes that whole row of ``infer``'s output non-finite
      (``x @ W + b`` does); as the first layer, prediction then checks the
      input's finiteness on its output, without a pass over the input.
      Default False.

    Parameters and state

    * ``param_names``: the trainable parameters, arrays held in attributes
      of those names.  A network copies them into its flat parameter vector
      and makes the attributes views into it (``bind``), and their gradients
      ``d_<name>`` views into its flat gradient vector; its optimizer updates
      them in place.  ``params`` and ``grads`` list them.  Default ``()``.
    * ``penalized``: the names among ``param_names`` that the network's L2
      penalty (``alpha``) applies to.  Default ``()``.
    * ``state_names``: non-trainable arrays (running statistics, say) held in
      attributes of those names, listed by ``state``: saved and loaded with
      the parameters (``NeuralNetwork.save`` and ``load``), converted with
      them by ``astype`` (floating ones), never given to the optimizer.  The
      layer updates them itself, typically in ``forward`` in training mode.
      Default ``()``.

    Mode

    * ``training``: True (the default) in training mode, False in evaluation
      mode; ``NeuralNetwork.train()`` and ``NeuralNetwork.eval()`` set it on
      every layer.  Only ``forward`` reads it.

    A layer belongs to at most one network, and keeps no reference to it.

    Examples
    --------
    >>> import numpy as np
    >>> class Double(Layer):
    ...     def forward(self, input):
    ...         return 2 * input
    ...     def backward(self, output_gradient):
    ...         return 2 * output_gradient
    >>> layer = Double()
    >>> layer
    Double()
    >>> layer.forward(np.array([[1.0, -2.0]]))
    array([[ 2., -4.]])
    >>> layer.params, layer.grads, layer.state
    ([], [], [])
    """

    param_names = ()
    penalized = ()
    state_names = ()
    needs_input_gradient = True
    training = True
    inplace = False
    propagates_nonfinite_rows = False

    def __init__(self):
        self.input = None
        self.output = None

    def forward(self, input):
        raise NotImplementedError

    def backward(self, output_gradient):
        raise NotImplementedError

    def infer(self, input, out=None):
        """The output in evaluation mode, keeping nothing; this default calls ``forward``."""
        return self.forward(input)

    def output_width(self, input_width):
        """The number of output columns for ``input_width`` input columns; None: unknown."""
        return None

    @property
    def params(self):
        return [getattr(self, name) for name in self.param_names]

    @property
    def grads(self):
        return [getattr(self, "d_" + name) for name in self.param_names]

    @property
    def state(self):
        return [getattr(self, name) for name in self.state_names]

    def __getstate__(self):
        # a copy or pickle of a layer is a layer of its own: its arrays are no longer views into a
        # network's vectors (a network's own unpickling binds its layers again)
        state = self.__dict__.copy()
        state.update(input=None, output=None)  # what forward kept for backward: scratch
        state.pop("_ones", None)
        if state.pop("_bound", False):  # the network's bind gives them back
            for name in self.param_names:
                state.pop("d_" + name, None)
        return state

    def __setstate__(self, state):
        state = {k: v for k, v in state.items() if k != "_network"}  # skneural 0.1's back-reference
        self.__dict__.update(state)
        for name in self.param_names:
            if "d_" + name not in state:
                setattr(self, "d_" + name, np.zeros_like(getattr(self, name)))

    def bind(self, params, grads):
        """Copy the parameters into ``params`` and use those arrays (and ``grads``) from now on.

        The layer then belongs to the network that owns those vectors (it keeps no reference to it).
        """
        for name, p, g in zip(self.param_names, params, grads):
            p[...] = getattr(self, name)
            setattr(self, name, p)
            setattr(self, "d_" + name, g)
        self._bound = True

    def __repr__(self):
        return f"{type(self).__name__}()"


_SIZES = {"input_size": Interval(Integral, 1, None, "left"), "output_size": Interval(Integral, 1, None, "left")}


class Dense(Layer):
    """Fully connected layer: ``output = input @ weights + bias``.

    ``weights`` is ``(input_size, output_size)`` and ``bias`` is ``(1, output_size)``, both drawn
    by ``init``; by default from N(0, sigma) with ``sigma = sqrt(1 / (input_size + output_size))``
    (the ``NeuralNetwork`` class's default, a Xavier variant, :class:`~skneural.initializers.XavierNormal`).  A
    network's L2 penalty applies to the weights only (``penalized``).

    Parameters
    ----------
    input_size, output_size : int
    random_state : int, RandomState or None, default=None
        Seeds the initial weights and bias.
    dtype : dtype, default=np.float64
    init : str or initializer, default='xavier_normal'
        A name of :mod:`skneural.initializers` ('glorot_uniform', 'xavier_normal', 'he_normal',
        'he_uniform', 'lecun_normal'), an initializer object, or any callable ``init(fan_in,
        fan_out, random_state, dtype)`` returning ``(weights, bias)``; the layer does not keep it.

    Examples
    --------
    >>> import numpy as np
    >>> layer = Dense(2, 1, random_state=0)
    >>> layer.weights[...] = [[1.0], [2.0]]; layer.bias[...] = 0.5
    >>> layer.forward(np.array([[1.0, 1.0], [0.0, 3.0]]))
    array([[3.5],
           [6.5]])
    >>> layer.backward(np.ones((2, 1)))  # gradient with respect to the input
    array([[1., 2.],
           [1., 2.]])
    >>> layer.d_weights, layer.d_bias
    (array([[1.],
           [4.]]), array([[2.]]))
    >>> Dense(3, 2, random_state=0, init="he_normal").bias
    array([[0., 0.]])
    """

    param_names = ("weights", "bias")
    penalized = ("weights",)

    def __init__(self, input_size, output_size, random_state=None, dtype=np.float64, init="xavier_normal"):
        super().__init__()
        validate("Dense", {"input_size": input_size, "output_size": output_size}, _SIZES)
        self.input_size, self.output_size = n_in, n_out = int(input_size), int(output_size)
        initializer = resolve(init, "initializer")
        drawn = initializer(n_in, n_out, check_random_state(random_state), dtype)
        try:
            weights, bias = drawn
            # copies: the layer owns its arrays (an initializer may return shared or read-only ones)
            self.weights, self.bias = np.array(weights, dtype=dtype), np.array(bias, dtype=dtype)
            if self.weights.shape != (n_in, n_out) or self.bias.shape not in ((1, n_out), (n_out,)):
                raise ValueError
            self.bias = self.bias.reshape(1, n_out)
        except (TypeError, ValueError):
            raise ValueError(
                f"Initializer {initializer!r} must return (weights, bias) of shapes ({n_in}, {n_out}) "
                f"and (1, {n_out}) for Dense({n_in}, {n_out}); got {_shapes(drawn)}."
            ) from None
        self.d_weights = np.zeros_like(self.weights)
        self.d_bias = np.zeros_like(self.bias)

    def forward(self, input):
        self.input = input
        self.output = self.infer(input)
        return self.output

    def infer(self, input, out=None):
        """``input @ weights + bias``, written into ``out`` if given (dense ``input`` only).  A single row
        is computed as a pair: NumPy sums one row's product in another order than several rows'."""
        if input.shape[0] == 1 and isinstance(input, np.ndarray):
            product = (np.concatenate([input, input]) @ self.weights)[:1]
            out = product if out is None else np.copyto(out, product) or out
        else:
            out = input @ self.weights if out is None else np.matmul(input, self.weights, out=out)
        out += self.bias
        return out

    def output_width(self, input_width):
        return self.output_size

    @property
    def propagates_nonfinite_rows(self):
        """True for ``input @ weights + bias`` (``inf * w`` is inf or, for ``w = 0``, nan, and nan
        stays nan); False for a subclass with an ``infer`` of its own, which may compute otherwise."""
        return type(self).infer is Dense.infer

    def backward(self, output_gradient):
        if isinstance(self.input, np.ndarray):
            np.matmul(self.input.T, output_gradient, out=self.d_weights)
        else:  # a scipy sparse input
            self.d_weights[...] = self.input.T @ output_gradient
        ones = self.__dict__.get("_ones")
        if ones is None or ones.shape[0] != output_gradient.shape[0] or ones.dtype != output_gradient.dtype:
            self._ones = ones = np.ones(output_gradient.shape[0], output_gradient.dtype)
        np.matmul(ones, output_gradient, out=self.d_bias[0])  # column sums, several times faster than np.sum
        if self.needs_input_gradient:
            return output_gradient @ self.weights.T
        return None

    def __repr__(self):
        return f"Dense({self.input_size}, {self.output_size})"


def _shapes(value):
    """What an initializer returned, for an error message: shapes of a pair, else the type."""
    if isinstance(value, tuple) and len(value) == 2:
        return "(" + ", ".join(str(np.shape(v)) for v in value) + ")"
    return type(value).__name__


class Activation(Layer):
    """Applies an activation: a name, an activation object, or (as in the layer-list style)
    a function and its derivative given as two arguments or as a tuple.  In prediction it
    works over its input (``inplace``) when that is a work array of the network's.

    Parameters
    ----------
    activation : str, activation object, callable or (function, derivative)
    activation_prime : callable, default=None
        The derivative, when ``activation`` is a plain function.

    Examples
    --------
    >>> import numpy as np
    >>> layer = Activation("relu")
    >>> layer
    Activation(ReLU())
    >>> layer.forward(np.array([[-1.0, 2.0]]))
    array([[0., 2.]])
    >>> layer.backward(np.array([[5.0, 5.0]]))
    array([[0., 5.]])
    >>> Activation(np.tanh, lambda x: 1 - np.tanh(x) ** 2)
    Activation(FunctionActivation(tanh, <lambda>))
    """

    inplace = True

    def __init__(self, activation, activation_prime=None):
        super().__init__()
        if activation_prime is not None:
            activation = (activation, activation_prime)
        self.activation = resolve(activation, "activation")

    def forward(self, input):
        self.input = input
        self.output = self.infer(input)
        return self.output

    def infer(self, input, out=None):
        """The activation of ``input``; with ``out`` (``input`` itself, or an array of its shape) it
        is written there where the activation can (``apply_inplace``)."""
        if out is None:
            output = self.activation(input)
        else:
            if out is not input:
                np.copyto(out, input)
            output = self.activation.apply_inplace(out)
        if getattr(output, "shape", None) != input.shape:
            raise ValueError(
                f"Activation {self.activation!r} returned {getattr(output, 'shape', type(output))} "
                f"for input of shape {input.shape}; it must return an array of its input's shape."
            )
        return output

    def output_width(self, input_width):
        return input_width

    def backward(self, output_gradient):
        return self.activation.backprop(self.input, self.output, output_gradient)

    def __repr__(self):
        return f"Activation({self.activation!r})"


def _activation_layer(component):
    def __init__(self, *args, **kwargs):
        Activation.__init__(self, component(*args, **kwargs))

    name = component.__name__
    doc = f"""Activation layer applying :class:`skneural.activations.{name}` (layer-list style).

    Parameters
    ----------
    *args, **kwargs
        Passed to :class:`skneural.activations.{name}`.

    Examples
    --------
    >>> import numpy as np
    >>> from skneural import activations, layers
    >>> layer = layers.{name}()
    >>> layer
    {name}()
    >>> x = np.array([[-1.0, 2.0]])
    >>> np.array_equal(layer.forward(x), activations.{name}()(x))
    True
    >>> layer.backward(np.ones((1, 2))).shape
    (1, 2)
    """
    def __repr__(self):
        return repr(self.activation)

    return type(name, (Activation,), {"__init__": __init__, "__repr__": __repr__, "__doc__": doc,
                                      "__module__": __name__})


Identity = _activation_layer(activations.Identity)
ReLU = _activation_layer(activations.ReLU)
LeakyReLU = _activation_layer(activations.LeakyReLU)
Tanh = _activation_layer(activations.Tanh)
Sigmoid = _activation_layer(activations.Sigmoid)
ELU = _activation_layer(activations.ELU)
Softplus = _activation_layer(activations.Softplus)
Exp = _activation_layer(activations.Exp)
Softmax = _activation_layer(activations.Softmax)
