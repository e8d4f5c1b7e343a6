"""The layers of a network: built from a list of sizes, or checked when given as Layer objects."""

import numpy as np

from ..components import resolve
from .layers import Activation, Dense, Layer
from .inputs import is_size
from .memory import check_memory
from .normalization import NORMALIZATIONS
from .regularization import Dropout

__all__ = ["make_layers", "build_layers", "check_layers", "check_dropout", "check_input_layers", "output_width",
           "skip_input_gradients"]


def make_layers(layers, hidden_activation, output_activation, init, rng, dropout=0.0, normalization=None):
    """What a ``NeuralNetwork`` is made of: ``(layers, sizes, hidden_activation, output_activation,
    dropout, normalization)`` from its ``layers`` argument (sizes, or Layer objects with None for
    the rest) and settings."""
    if not isinstance(layers, (list, tuple)) or len(layers) == 0:
        raise TypeError(f"layers must be a non-empty list; got {layers!r}.")
    if all(is_size(v) for v in layers):
        rates = check_dropout(dropout, max(len(layers) - 2, 0))
        built, hidden, output = build_layers(list(layers), hidden_activation, output_activation, init, rng, rates,
                                             normalization)
        return built, list(layers), hidden, output, rates, normalization
    if is_layer_list(layers):
        check_layers(layers, hidden_activation, output_activation, isinstance(init, str) and init == "xavier_normal",
                     normalization is None and np.ndim(dropout) == 0 and not isinstance(dropout, (list, tuple))
                     and dropout == 0)
        return list(layers), None, None, None, None, None
    raise TypeError(
        "layers must be a list of layer sizes such as [5, 10, 2] or a list of Layer "
        f"objects such as [Dense(5, 10), ReLU(), Dense(10, 2)]; got {layers!r}."
    )


def build_layers(sizes, hidden_activation, output_activation, init, rng, dropout=(), normalization=None):
    """``[Dense, Activation, ..., Dense, Activation]`` for the layer ``sizes`` (inputs and outputs
    included), and the hidden and output activations resolved: ``(layers, hidden, output)``.

    Each hidden layer is ``Dense``, then the ``normalization`` layer if any, its activation, then
    ``Dropout`` when its rate in ``dropout`` (one per hidden layer) is above 0.  The dropout layers'
    seeds are drawn from ``rng`` after every weight, so the weights are those of the same network
    without dropout."""
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(
            "layers must list at least an input and an output size, all positive "
            f"(e.g. [5, 10, 2]); got {sizes!r}."
        )
    check_memory(sizes, "layers", sizes)  # before any allocation: a clear error, not NumPy's
    hidden = resolve("relu" if hidden_activation is None else hidden_activation, "activation")
    output = resolve("identity" if output_activation is None else output_activation, "activation")
    init = resolve(init, "initializer")
    dropout = list(dropout) or [0.0] * (len(sizes) - 2)
    norm = None if normalization is None else _lookup(NORMALIZATIONS, normalization, "normalization")
    built = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        built.append(Dense(fan_in, fan_out, random_state=rng, init=init))
        if i == len(sizes) - 2:
            built.append(Activation(output))
            break
        built += [*([norm(fan_out)] if norm else []), Activation(hidden)]
        if dropout[i] > 0:
            built.append(Dropout(dropout[i]))
    for layer in built:
        if isinstance(layer, Dropout):
            layer.reseed(rng.randint(2**31 - 1))
    return built, hidden, output


def check_dropout(dropout, n_hidden):
    """One rate in [0, 1) per hidden layer, from a float or a list of ``n_hidden`` floats."""
    rates = list(dropout) if isinstance(dropout, (list, tuple)) or np.ndim(dropout) == 1 else [dropout] * n_hidden
    if len(rates) != n_hidden:
        raise ValueError(f"dropout lists {len(rates)} rates for {n_hidden} hidden layers; give one rate per "
                         "hidden layer, or a single float for all of them.")
    return [Dropout(rate).rate for rate in rates]  # Dropout checks each rate


def output_width(layers, width=None):
    """The columns ``layers`` give for ``width`` input columns (None: that of the first layer that
    fixes it, its ``input_size``); None when a layer cannot tell."""
    for layer in layers:
        width = layer.output_width(width if width is not None else getattr(layer, "input_size", None))
    return width


def check_input_layers(input_layers, sizes):
    """``input_layers`` as a list, checked: Layer objects before a network built from ``sizes``,
    whose last one gives the ``sizes[0]`` columns its first dense layer takes."""
    input_layers = list(input_layers or ())
    if not input_layers:
        return []
    if sizes is None:
        raise ValueError("input_layers go with a list of sizes; with a list of Layer objects put them first in it.")
    if not is_layer_list(input_layers):
        raise TypeError(f"input_layers must be a list of Layer objects; got {input_layers!r}.")
    check_layers(input_layers, None, None, True)
    width = output_width(input_layers)
    if width is not None and width != sizes[0]:
        raise ValueError(f"The input layers {input_layers!r} give {width} columns, but the first dense layer "
                         f"takes layers[0] = {sizes[0]}.")
    return input_layers


def skip_input_gradients(layers):
    """Tell the layers up to the first with parameters (that one included) that no gradient of their
    input is needed: backpropagation stops there."""
    for layer in layers:
        layer.needs_input_gradient = False
        if layer.param_names:
            return


def _lookup(table, name, what):
    try:
        return table[name]
    except (KeyError, TypeError):
        raise ValueError(f"Unknown {what} {name!r}; valid ones are: {', '.join(map(repr, table))} "
                         "(or None).") from None


def check_layers(layers, hidden_activation, output_activation, init_is_default, extras_are_default=True):
    """Raise a ValueError unless ``layers`` (Layer objects) can make a network: no activations or
    init given besides them, each layer's inputs as wide as the outputs of those before it, each
    layer object once and in no other network, and each layer's ``penalized`` among its
    ``param_names`` and its ``state_names`` not among them."""
    if hidden_activation is not None or output_activation is not None:
        raise ValueError(
            "With a list of Layer objects the activations are layers in that list; "
            "leave hidden_activation and output_activation unset."
        )
    if not extras_are_default:
        raise ValueError(
            "With a list of Layer objects, put Dropout and BatchNorm or LayerNorm layers in that list "
            "(skneural.layers); leave dropout and normalization unset."
        )
    if not init_is_default:
        raise ValueError(
            "With a list of Layer objects each Dense layer was initialized when it was made "
            "(Dense(..., init=...)); leave init unset."
        )
    _check_chain(layers)
    if len({id(layer) for layer in layers}) != len(layers):
        raise ValueError(
            "The same layer object appears more than once in layers; give each position "
            "its own layer (copy.deepcopy it)."
        )
    owned = [layer for layer in layers if getattr(layer, "_bound", False)]
    if owned:
        raise ValueError(
            f"Layer {owned[0]!r} already belongs to another NeuralNetwork; build new layer "
            "objects for this one (or copy.deepcopy them)."
        )
    for layer in layers:
        _check_declarations(layer)


def _check_chain(layers):
    width = None
    for i, layer in enumerate(layers):
        n_in = getattr(layer, "input_size", None)
        if n_in is not None and width is not None and n_in != width:
            raise ValueError(
                f"Layer {i} ({layer!r}) expects {n_in} inputs, but the layers before it "
                f"produce {width}."
            )
        width = getattr(layer, "output_size", width)


def _check_declarations(layer):
    params, penalized, state = tuple(layer.param_names), tuple(layer.penalized), tuple(layer.state_names)
    unknown = [name for name in penalized if name not in params]
    if unknown:
        raise ValueError(f"Layer {layer!r} penalizes {unknown}, which are not among its param_names {params}.")
    both = [name for name in state if name in params]
    if both:
        raise ValueError(f"Layer {layer!r} lists {both} both in param_names and in state_names.")


def is_layer_list(layers):
    """Whether ``layers`` is a list of Layer objects (rather than of sizes)."""
    return all(isinstance(v, Layer) for v in layers)
