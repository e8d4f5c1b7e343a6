"""A network's input layers in a model file: the layers before its dense ones (``input_layers``), each
one of skneural's :class:`~skneural.nn.embeddings.SmoothClip`, :class:`~skneural.nn.embeddings.PeriodicEmbedding`,
:class:`~skneural.nn.piecewise.PiecewiseLinearEncoding` and :class:`~skneural.nn.embeddings.Scale`, from this
fixed table by name, with its settings (a PiecewiseLinearEncoding's edges are layer state, stored and
checked with the network's).

A network entry holds them (``"input_layers"``) only when it has some, so a file of a network without
them is as before.  ``load`` checks every setting (types, ranges), counts the parameters they take
from the settings alone (with Python integers, before anything is built) and checks the chain of
widths: each layer takes what the one before gives and the last gives the first dense layer's
``sizes[0]`` columns.  The layers' parameters are the first ones of the network's flat parameter
vector, in layer order: their count is part of the size the stored parameters must have."""

from ..nn.embeddings import PeriodicEmbedding, Scale, SmoothClip
from ..nn.piecewise import PiecewiseLinearEncoding
from .archive import ArchiveError
from .scalers import count, is_bool, number
from .values import fields

__all__ = ["describe", "encode_input_layers", "input_layer_specs", "build_input_layers", "MAX_INPUT_LAYERS",
           "EMBEDDING_ACTIVATIONS", "MAX_FREQUENCIES", "MAX_EMBEDDING_SIZE", "MAX_BINS", "embedding_width"]

MAX_INPUT_LAYERS = 16  # each costs Python objects that the file's bytes do not bound
MAX_LIMIT = 1e12  # SmoothClip's limit and PeriodicEmbedding's sigma, at most
# PeriodicEmbedding's n_frequencies and embedding_size, at most (the estimators' defaults: 16 and 8): a
# row's intermediates take n_features * (3 * n_frequencies + 2 * embedding_size) values, however narrow
# the layer's output, so these bound what prediction works with beyond what the parameters take
MAX_FREQUENCIES = 1024
MAX_EMBEDDING_SIZE = 1024
MAX_BINS = 1024  # PiecewiseLinearEncoding's n_bins, at most (the estimators' default: 32)
# the activations of an embedding a file keeps: skneural's own, named, without settings of their own
EMBEDDING_ACTIVATIONS = ("relu", "identity", "tanh", "sigmoid")


def _positive(v, where):
    v = number(v, where)
    if not 0 < v <= MAX_LIMIT:
        raise ArchiveError(f"{where} is not a number in (0, {MAX_LIMIT:g}]")
    return v


def describe(layer):
    """``{"layer": kind, **settings}`` of one of the input layers a file holds, as plain values; a TypeError
    for any other layer."""
    if type(layer) is SmoothClip:
        return {"layer": "SmoothClip", "n_features": layer.n_features, "limit": float(layer.limit)}
    if type(layer) is Scale:
        return {"layer": "Scale", "width": int(layer.width)}
    if type(layer) is PeriodicEmbedding:
        activation = layer._activation_spec
        if not (isinstance(activation, str) and activation in EMBEDDING_ACTIVATIONS):
            raise TypeError(f"a PeriodicEmbedding whose activation is {activation!r} (kept: "
                            f"{', '.join(EMBEDDING_ACTIVATIONS)})")
        return {"layer": "PeriodicEmbedding", "n_features": int(layer.n_features),
                "n_passthrough": int(layer.n_passthrough), "n_frequencies": int(layer.n_frequencies),
                "embedding_size": int(layer.embedding_size), "sigma": float(layer.sigma),
                "include_input": bool(layer.include_input), "activation": activation}
    if type(layer) is PiecewiseLinearEncoding:
        return {"layer": "PiecewiseLinearEncoding", "n_features": int(layer.n_features), "n_bins": int(layer.n_bins),
                "n_passthrough": int(layer.n_passthrough), "include_input": bool(layer.include_input)}
    raise TypeError(f"a network whose input layers hold a {type(layer).__name__}")


def encode_input_layers(enc, net):
    """The ``input_layers`` of a network entry, or None when it has none."""
    layers = list(getattr(net, "input_layers", None) or ())
    if not layers:
        return None
    if len(layers) > MAX_INPUT_LAYERS:
        raise TypeError(f"a network of {len(layers)} input layers, over the {MAX_INPUT_LAYERS} a model file holds")
    return [{k: enc.setting(v) for k, v in describe(layer).items()} for layer in layers]


# kind -> (the settings' checks (where -> value), parameters they take, the width they take and give)
def _smooth_clip(spec, where):
    fields(spec, where, ["layer", "n_features", "limit"])
    n = spec["n_features"]
    return {"n_features": None if n is None else count(n, f"{where}.n_features", 1),
            "limit": _positive(spec["limit"], f"{where}.limit")}


def _scale(spec, where):
    fields(spec, where, ["layer", "width"])
    return {"width": count(spec["width"], f"{where}.width", 1)}


def _periodic(spec, where):
    fields(spec, where, ["layer", "n_features", "n_passthrough", "n_frequencies", "embedding_size", "sigma",
                         "include_input", "activation"])
    settings = {k: count(spec[k], f"{where}.{k}", 0 if k == "n_passthrough" else 1)
                for k in ("n_features", "n_passthrough", "n_frequencies", "embedding_size")}
    for k, high in (("n_frequencies", MAX_FREQUENCIES), ("embedding_size", MAX_EMBEDDING_SIZE)):
        if settings[k] > high:
            raise ArchiveError(f"{where}.{k} is {settings[k]}, not an integer in [1, {high}]")
    if not is_bool(spec["include_input"]):
        raise ArchiveError(f"{where}.include_input is not a bool")
    if not (isinstance(spec["activation"], str) and spec["activation"] in EMBEDDING_ACTIVATIONS):
        raise ArchiveError(f"{where}.activation is not one of {EMBEDDING_ACTIVATIONS}")
    return {**settings, "sigma": _positive(spec["sigma"], f"{where}.sigma"), "include_input": spec["include_input"],
            "activation": spec["activation"]}


def _piecewise(spec, where):
    fields(spec, where, ["layer", "n_features", "n_bins", "n_passthrough", "include_input"])
    settings = {k: count(spec[k], f"{where}.{k}", 0 if k == "n_passthrough" else 1)
                for k in ("n_features", "n_bins", "n_passthrough")}
    if settings["n_bins"] > MAX_BINS:
        raise ArchiveError(f"{where}.n_bins is {settings['n_bins']}, not an integer in [1, {MAX_BINS}]")
    if not is_bool(spec["include_input"]):
        raise ArchiveError(f"{where}.include_input is not a bool")
    return {**settings, "include_input": spec["include_input"]}


_KINDS = {"SmoothClip": _smooth_clip, "Scale": _scale, "PeriodicEmbedding": _periodic,
          "PiecewiseLinearEncoding": _piecewise}


def _n_params(kind, s):
    if kind == "Scale":
        return s["width"]
    if kind == "PeriodicEmbedding":  # frequencies (f, k), weights (f, 2k, e), bias (f, e)
        f, k, e = s["n_features"], s["n_frequencies"], s["embedding_size"]
        return f * k + f * 2 * k * e + f * e
    return 0


_PER_FEATURE = {"PeriodicEmbedding": "embedding_size", "PiecewiseLinearEncoding": "n_bins"}


def embedding_width(kind, s):
    """The columns an embedding (of ``_PER_FEATURE``'s kinds) of settings ``s`` gives."""
    return s["n_features"] * (s[_PER_FEATURE[kind]] + s["include_input"]) + s["n_passthrough"]


def _widths(kind, s, width_out):
    """The width a layer takes, given the width it must give (None: it cannot give that)."""
    if kind == "Scale":
        return s["width"] if s["width"] == width_out else None
    if kind in _PER_FEATURE:
        return s["n_features"] + s["n_passthrough"] if embedding_width(kind, s) == width_out else None
    return width_out if s["n_features"] is None or s["n_features"] <= width_out else None


def input_layer_specs(entry, where, first_width):
    """``([(kind, settings), ...], n_params, input_width)`` of a network entry's ``input_layers``: every
    setting checked, their chain of widths ending in ``first_width`` (the first dense layer's inputs)
    and the number of parameters they take, all from the settings, before anything is built."""
    specs = entry.get("input_layers")
    if specs is None:
        return [], 0, first_width
    if not (isinstance(specs, list) and 1 <= len(specs) <= MAX_INPUT_LAYERS):
        raise ArchiveError(f"{where}.input_layers is not a list of 1 to {MAX_INPUT_LAYERS} layers")
    checked = []
    for i, spec in enumerate(specs):
        at = f"{where}.input_layers[{i}]"
        kind = spec.get("layer") if isinstance(spec, dict) else None
        if not (isinstance(kind, str) and kind in _KINDS):
            raise ArchiveError(f"{at} is not one of the input layers {sorted(_KINDS)}")
        checked.append((kind, _KINDS[kind](spec, at)))
    width = first_width
    for i in reversed(range(len(checked))):
        kind, settings = checked[i]
        width = _widths(kind, settings, width)
        if width is None:
            raise ArchiveError(f"{where}.input_layers[{i}] ({kind}) does not give the columns the layers after it "
                               "take")
    return checked, sum(_n_params(kind, s) for kind, s in checked), width


def build_input_layers(specs, dtype):
    """The layers of checked ``specs`` (their parameters are set from the file after)."""
    layers = []
    for kind, s in specs:
        if kind == "SmoothClip":
            layers.append(SmoothClip(s["n_features"], limit=s["limit"]))
        elif kind == "Scale":
            layers.append(Scale(s["width"], dtype=dtype))
        elif kind == "PiecewiseLinearEncoding":  # its edges are set from the file's layer state after
            layers.append(PiecewiseLinearEncoding(s["n_features"], s["n_bins"], s["n_passthrough"],
                                                  s["include_input"], dtype=dtype))
        else:
            layers.append(PeriodicEmbedding(s["n_features"], n_passthrough=s["n_passthrough"],
                                            n_frequencies=s["n_frequencies"], embedding_size=s["embedding_size"],
                                            sigma=s["sigma"], include_input=s["include_input"],
                                            activation=s["activation"], random_state=0, dtype=dtype))
    return layers
