"""A fitted estimator's network in a model file: its layer sizes, components, parameters, the
dropout and normalization layers with their state, and the input layers before the dense ones
(:mod:`.input_layers`), whose parameters come first in the flat parameter vector."""

import numpy as np

from ..nn.network import NeuralNetwork
from ..nn.normalization import NORMALIZATIONS
from ..nn.piecewise import inverse_widths
from .archive import ArchiveError
from .input_layers import build_input_layers, encode_input_layers, input_layer_specs
from .scalers import number
from .values import fields

__all__ = ["MAX_LAYERS", "encode_network", "decode_network"]

MAX_LAYERS = 1000  # layers of weights; each costs Python objects that the file's bytes do not bound


def encode_network(enc, net):
    if len(net.sizes) > MAX_LAYERS + 1:
        raise TypeError(f"a network of {len(net.sizes) - 1} layers, over the {MAX_LAYERS} a model file holds")
    params = net.params
    optimizer = net.optimizer
    entry = {
        "sizes": [int(s) for s in net.sizes], "hidden_activation": enc.component(net.hidden_activation),
        "output_activation": enc.component(net.output_activation), "loss": enc.component(net.loss),
        "optimizer": None if optimizer is None else enc.component(optimizer, trains=params),
        "alpha": enc.setting(net.alpha), "params": enc.array(params),
    }
    entry.update(_encode_layers(enc, net))
    return entry


def _encode_layers(enc, net):
    """The layers beyond dense and activation ones (written only when there are some, so a file of
    a network without them is as before): dropout rates, normalization and its state."""
    entry = {}
    input_layers = encode_input_layers(enc, net)
    if input_layers is not None:
        entry["input_layers"] = input_layers
    if any(rate > 0 for rate in net.dropout):
        entry["dropout"] = [enc.setting(rate) for rate in net.dropout]
    if net.normalization is not None:
        entry["normalization"] = net.normalization
    state = _state_arrays(net)
    if state:
        entry["state"] = enc.array(np.concatenate([a.ravel() for a in state]))
    return entry


def _state_arrays(net):
    """The layers' state (BatchNorm's running mean and variance, PiecewiseLinearEncoding's edges), in
    layer order."""
    return [getattr(layer, name) for layer in net.layers for name in layer.state_names]


def _decode_layers(dec, entry, where, sizes):
    """``(dropout, normalization)`` of a network entry, checked against its ``sizes``."""
    hidden = sizes[1:-1]
    dropout = entry.get("dropout", [0.0] * len(hidden))
    if not (isinstance(dropout, list) and len(dropout) == len(hidden)):
        raise ArchiveError(f"{where}.dropout is not a list of one rate per hidden layer ({len(hidden)})")
    dropout = [number(rate, f"{where}.dropout[{i}]") for i, rate in enumerate(dropout)]
    if not all(0 <= rate < 1 for rate in dropout):
        raise ArchiveError(f"{where}.dropout has a rate outside [0, 1)")
    normalization = entry.get("normalization")
    if normalization is not None and (not isinstance(normalization, str) or normalization not in NORMALIZATIONS):
        raise ArchiveError(f"{where}.normalization is not one of {sorted(NORMALIZATIONS)}")
    return dropout, normalization


def _bad_edges(edges):
    """Whether bin edges decrease somewhere, or make a bin too narrow for their dtype to invert."""
    width, _, used = inverse_widths(edges, edges.dtype)
    return bool((width < 0).any() or ((width > 0) & ~used).any())


def _decode_state(dec, entry, where, net, dtype):
    """Copy the stored layer state into ``net``'s layers, after checking its size and values."""
    state = _state_arrays(net)
    if not state:
        if "state" in entry:
            raise ArchiveError(f"{where}.state is stored for a network whose layers keep no state")
        return
    if "state" not in entry:
        raise ArchiveError(f"{where} lacks the state of its layers (normalization, bin edges)")
    n_state = sum(a.size for a in state)
    values = dec.array(entry["state"], f"{where}.state", kinds="f", shape=(n_state,), dtype=dtype)
    if not np.isfinite(values).all():
        raise ArchiveError(f"{where}.state holds values that are not finite")
    start = 0
    for layer in net.layers:
        for name in layer.state_names:
            target = getattr(layer, name)
            part = values[start:start + target.size].reshape(target.shape)
            if name.endswith("_var") and (part < 0).any():
                raise ArchiveError(f"{where}.state holds a negative variance")
            if name == "edges" and _bad_edges(part):
                raise ArchiveError(f"{where}.state holds bin edges that decrease or are closer than their dtype "
                                   "can divide by")
            target[...] = part
            start += target.size


def decode_network(dec, entry, where):
    fields(entry, where, ["sizes", "hidden_activation", "output_activation", "loss", "optimizer", "alpha", "params"],
           ["dropout", "normalization", "state", "input_layers"])
    sizes = entry["sizes"]
    if not (isinstance(sizes, list) and 2 <= len(sizes) <= MAX_LAYERS + 1
            and all(type(s) is int and 1 <= s <= 2**53 for s in sizes)):
        raise ArchiveError(f"{where}.sizes is not a list of 2 to {MAX_LAYERS + 1} positive layer sizes")
    dropout, normalization = _decode_layers(dec, entry, where, sizes)
    n_params = sum((a + 1) * b for a, b in zip(sizes, sizes[1:]))
    n_params += 0 if normalization is None else 2 * sum(sizes[1:-1])  # each one's scale and shift
    inputs, n_input_params, _ = input_layer_specs(entry, where, sizes[0])  # before them, in layer order
    n_params += n_input_params
    # the stored parameters (stored uncompressed, so the file's size bounds them) must match the sizes
    # before anything of that size is built
    params = dec.array(entry["params"], f"{where}.params", kinds="f", shape=(n_params,),
                       dtype=None)
    if params.dtype not in (np.float32, np.float64):
        raise ArchiveError(f"{where}.params has dtype {params.dtype}; expected float32 or float64")
    alpha = number(entry["alpha"], f"{where}.alpha")
    if alpha < 0:
        raise ArchiveError(f"{where}.alpha is negative")
    hidden, output, loss = (dec.component(entry[k], f"{where}.{k}")
                            for k in ("hidden_activation", "output_activation", "loss"))
    optimizer = None if entry["optimizer"] is None else dec.component(entry["optimizer"], f"{where}.optimizer",
                                                                      state_like=params)
    net = NeuralNetwork(sizes, hidden, output, loss, optimizer, random_state=0, alpha=alpha, dropout=dropout,
                        normalization=normalization, input_layers=build_input_layers(inputs, params.dtype))
    net.astype(params.dtype).params = params
    _decode_state(dec, entry, where, net, params.dtype)
    return net
