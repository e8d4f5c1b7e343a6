"""The layers of a network: built from a list of sizes, or checked when given as Layer objects."""

from ..components import resolve
from .layers import Activation, Dense, Layer
from .memory import check_memory

__all__ = ["build_layers", "check_layers"]


def build_layers(sizes, hidden_activation, output_activation, init, rng):
    """``[Dense, Activation, ..., Dense, Activation]`` for the layer ``sizes`` (inputs and outputs
    included), and the hidden and output activations resolved: ``(layers, hidden, output)``."""
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(
            "layers must list at least an input and an output size, all positive "
            f"(e.g. [5, 10, 2]); got {sizes!r}."
        )
    check_memory(sizes, "layers", sizes)  # before any allocation: a clear error, not NumPy's
    hidden = resolve("relu" if hidden_activation is None else hidden_activation, "activation")
    output = resolve("identity" if output_activation is None else output_activation, "activation")
    init = resolve(init, "initializer")
    built = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        built.append(Dense(fan_in, fan_out, random_state=rng, init=init))
        built.append(Activation(output if i == len(sizes) - 2 else hidden))
    return built, hidden, output


def check_layers(layers, hidden_activation, output_activation, init_is_default):
    """Raise a ValueError unless ``layers`` (Layer objects) can make a network: no activations or
    init given besides them, each layer's inputs as wide as the outputs of those before it, each
    layer object once and in no other network, and each layer's ``penalized`` among its
    ``param_names`` and its ``state_names`` not among them."""
    if hidden_activation is not None or output_activation is not None:
        raise ValueError(
            "With a list of Layer objects the activations are layers in that list; "
            "leave hidden_activation and output_activation unset."
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
