"""A network's flat parameter and gradient vectors, of which every layer's arrays are views.

The optimizer updates the one parameter vector in place and ``backward``
writes into the one gradient vector, so nothing is flattened or restored by
copying.  :class:`FlatParameters` gives the network ``params`` and ``grads``,
the conversion to another dtype, the ``weights``/``biases`` conveniences and
pickling; :func:`save_arrays` and :func:`load_arrays` store the parameters and
the layers' state by name in a ``.npz`` file.
"""

import zipfile

import numpy as np

__all__ = ["FlatParameters", "split", "named_arrays", "save_arrays", "load_arrays"]


def _size(layers):
    return sum(p.size for layer in layers for p in layer.params)


def split(layers, flat):
    """Per-layer lists of views into ``flat``, in the layout of the parameter vector: layer by
    layer, each layer's ``param_names`` in order, each array in C order."""
    size = _size(layers)
    if flat.shape != (size,):
        raise ValueError(f"Expected a flat vector of {size} parameters; got shape {flat.shape}.")
    views, offset = [], 0
    for layer in layers:
        layer_views = []
        for p in layer.params:
            layer_views.append(flat[offset:offset + p.size].reshape(p.shape))
            offset += p.size
        views.append(layer_views)
    return views


def _convert_state(layer, dtype):
    """The layer's floating state arrays in ``dtype`` (others, such as counters, as they are)."""
    for name in layer.state_names:
        value = getattr(layer, name)
        if isinstance(value, np.ndarray) and value.dtype.kind == "f" and value.dtype != dtype:
            setattr(layer, name, value.astype(dtype))


class FlatParameters:
    """Mixin of the network over its ``layers``: the flat ``params`` and ``grads`` vectors.

    The layers hold the arrays (views into the vectors once bound); a pickle
    stores the layers' arrays and the dtype, and unpickling binds the layers
    to new vectors.
    """

    def _allocate(self, dtype):
        """New vectors of ``dtype`` with the layers' parameters copied in and bound as views, and
        the layers' floating state converted to ``dtype``."""
        self._params = np.empty(_size(self.layers), dtype=dtype)
        self._grads = np.zeros(self._params.size, dtype=dtype)
        for layer, p, g in zip(self.layers, split(self.layers, self._params), split(self.layers, self._grads)):
            layer.bind(p, g)
            _convert_state(layer, self._params.dtype)

    @property
    def params(self):
        """The flat parameter vector; every layer's parameters are views into it.

        Assigning to it copies the values in, so the layers keep seeing them.
        """
        return self._params

    @params.setter
    def params(self, values):
        values = np.asarray(values)
        if values.shape != self._params.shape:
            raise ValueError(f"params must have shape {self._params.shape}; got {values.shape}.")
        self._params[...] = values

    @property
    def grads(self):
        """The flat gradient vector written by ``backward`` (views: each layer's ``d_*``)."""
        return self._grads

    def astype(self, dtype):
        """Convert the parameters, their gradients and the layers' floating state to ``dtype`` in
        place (new vectors, which the layers' arrays become views into); return self.

        The optimizer is left as it is: on its next update it converts its
        state (moments, velocities) to the parameters' new dtype and goes on.
        """
        if self._params.dtype != dtype:
            self._allocate(dtype)
        return self

    def _arrays_named(self, name):
        return [getattr(layer, name) for layer in self.layers if name in layer.param_names]

    @property
    def weights(self):
        """The ``weights`` of the layers that have them (Dense: ``(fan_in, fan_out)``), views into ``params``."""
        return self._arrays_named("weights")

    @property
    def biases(self):
        """The ``bias`` of the layers that have one (Dense: ``(1, fan_out)``), views into ``params``."""
        return self._arrays_named("bias")

    def flatten_params(self, weights=None, biases=None):
        """The flat parameter vector: the live one (no copy), or a new one holding ``weights`` and
        ``biases`` (lists as ``weights`` and ``biases``; either may be None: the current ones) and
        the current values of any other parameters."""
        if weights is None and biases is None:
            return self.params
        flat = self.params.copy()
        new_weights, new_biases = self.restore_params(flat)
        for given, views in ((weights, new_weights), (biases, new_biases)):
            if given is not None:
                if len(given) != len(views):
                    raise ValueError(f"Expected {len(views)} arrays; got {len(given)}.")
                for view, value in zip(views, given):
                    view[...] = value
        return flat

    def restore_params(self, params):
        """Split a flat vector into ``(weights, biases)`` lists of views into it (no copy), laid
        out as ``weights`` and ``biases``."""
        params = np.asarray(params)
        named = [dict(zip(layer.param_names, views)) for layer, views in zip(self.layers, split(self.layers, params))]
        return ([v["weights"] for v in named if "weights" in v], [v["bias"] for v in named if "bias" in v])

    def __getstate__(self):
        # the layers carry their parameters; the flat vectors are rebuilt from them on unpickling
        state = {k: v for k, v in self.__dict__.items() if k not in ("_scratch", "_params", "_grads")}
        state["_dtype"] = self._params.dtype
        return state

    def __setstate__(self, state):
        # pickle stores each layer's arrays on their own: make them views again
        state = dict(state)
        dtype = state.pop("_dtype") if "_dtype" in state else state["_params"].dtype  # older pickles
        state.pop("_dense", None)  # older pickles: the list of Dense layers, no longer kept
        state.setdefault("max_grad_norm", None)  # older pickles: no gradient clipping
        sized = state.get("sizes") is not None
        state.setdefault("dropout", [0.0] * (len(state["sizes"]) - 2) if sized else None)  # older pickles
        state.setdefault("normalization", None)
        self.__dict__.update(state)
        self._allocate(dtype)


def named_arrays(layers):
    """``{"<i>_<name>": array}``: every layer's parameters and state, by layer index and name."""
    return {f"{i}_{name}": getattr(layer, name) for i, layer in enumerate(layers)
            for name in (*layer.param_names, *layer.state_names)}


def save_arrays(path, arrays):
    """Write ``arrays`` (a dict) to ``path`` as NumPy ``.npz``, exactly that file name."""
    with open(path, "wb") as f:
        np.savez(f, **arrays)


def load_arrays(path, expected):
    """Copy the arrays stored in ``path`` into those of ``expected`` (a dict from ``named_arrays``),
    after checking that the names and shapes are the same; nothing is copied otherwise."""
    try:
        with np.load(path, allow_pickle=False) as data:
            stored = {k: data[k] for k in data.files}
    except (ValueError, OSError, zipfile.BadZipFile) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise ValueError(f"{path} is not a file of parameters saved by NeuralNetwork.save: {exc}") from None
    if set(stored) != set(expected):
        raise ValueError(
            f"{path} holds parameters {sorted(stored)}, but this network has "
            f"{sorted(expected)}: build the network with the architecture it was saved from."
        )
    for name, p in expected.items():
        if stored[name].shape != p.shape:
            raise ValueError(
                f"Parameter {name} in {path} has shape {stored[name].shape}, but this "
                f"network's has shape {p.shape}: build the network with the architecture "
                "it was saved from."
            )
    for name, p in expected.items():
        p[...] = stored[name]
