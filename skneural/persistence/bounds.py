"""The check that a loaded model's outputs stay finite for ordinary inputs."""

import copy
import warnings

import numpy as np
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import Normalizer, PowerTransformer, TargetEncoder

from ..components.activations import Softmax
from ..nn.embeddings import PeriodicEmbedding, Scale, SmoothClip
from ..nn.piecewise import PiecewiseLinearEncoding
from ..nn.layers import Activation, Dense
from ..nn.normalization import BatchNorm, LayerNorm
from ..nn.regularization import Dropout
from .archive import ArchiveError
from .scalers import SCALERS
from .values import is_builtin

__all__ = ["ordinary_inputs", "output_bounds", "check_predictions", "weights_gain"]


# A loaded model must give finite outputs for every input whose features lie in [-_RADIUS, _RADIUS]
# as its network sees them (after its scalers): inputs in the range it declares it was fitted on.
_RADIUS = 10.0


def _parts(model):
    """The scalers the network's inputs come out of (those after any other preprocessing step, such
    as a ColumnTransformer) and the final estimator of a model (of a TransformedTargetRegressor's
    regressor)."""
    if type(model) is TransformedTargetRegressor:
        model = model.regressor_
    if type(model) is Pipeline:
        steps = [step for _, step in model.steps[:-1]]
        last_other = max((i for i, s in enumerate(steps) if not _is_scaler(s)), default=-1)
        return steps[last_other + 1:], model.steps[-1][1]
    return [], model


def _is_scaler(step):
    return SCALERS.get(type(step).__name__, (None,))[0] is type(step)


def _encoder_of(step):
    """The ColumnTransformer a tabular estimator encodes its table with (its ``preprocessor_``), or None."""
    encoder = getattr(step, "preprocessor_", None) if hasattr(step, "network_") else None
    return encoder if type(encoder) is ColumnTransformer else None


def _all_scalers(model):
    """Every scaler of a model's preprocessing, also inside Pipelines and ColumnTransformers."""
    if type(model) is TransformedTargetRegressor:
        model = model.regressor_
    found, stack = [], [model]
    while stack:
        step = stack.pop()
        if type(step) is Pipeline:
            stack.extend(s for _, s in step.steps)
        elif type(step) is ColumnTransformer:
            stack.extend(t for _, t, _ in step.transformers_ if not isinstance(t, str))
        elif _is_scaler(step) and hasattr(step, "n_features_in_"):
            found.append(step)
        elif _encoder_of(step) is not None:
            stack.append(_encoder_of(step))
    return found


def weights_gain(model):
    """How much a model's ColumnTransformers can multiply what their transformers return: the product,
    over every ColumnTransformer of its preprocessing, of its largest ``transformer_weights`` magnitude
    (1 when that is below 1 or unset)."""
    if type(model) is TransformedTargetRegressor:
        model = model.regressor_
    gain, stack = 1.0, [model]
    while stack:
        step = stack.pop()
        if type(step) is Pipeline:
            stack.extend(s for _, s in step.steps)
        elif type(step) is ColumnTransformer:
            stack.extend(t for _, t, _ in getattr(step, "transformers_", ()) if not isinstance(t, str))
            gain *= max([1.0] + [abs(float(w)) for w in (step.transformer_weights or {}).values()])
        elif _encoder_of(step) is not None:
            stack.append(_encoder_of(step))
    return gain


def _filled(step):
    """Rows holding the values a numeric SimpleImputer puts in place of missing ones, or the least and
    greatest values a TargetEncoder gives each column; None for other steps."""
    if type(step) is TargetEncoder and hasattr(step, "encodings_"):
        means = np.atleast_1d(np.asarray(step.target_mean_, dtype=np.float64))
        values = [np.append(e, means[i % len(means)]) for i, e in enumerate(step.encodings_)]
        return np.array([[v.min() for v in values], [v.max() for v in values]])
    stats = getattr(step, "statistics_", None)
    if type(step) is not SimpleImputer or stats is None:
        return None
    try:
        values = np.asarray(stats, dtype=np.float64).reshape(1, -1)
    except (TypeError, ValueError):  # strings: categories for an encoder
        return None
    values = values[:, ~np.isnan(values[0])]  # an all-missing feature is dropped
    indicator = getattr(step, "indicator_", None)  # its columns are 0 or 1
    return np.hstack([values, np.zeros((1, 0 if indicator is None else len(indicator.features_)))])


def _imputed(step, scalers):
    """The values of :func:`_filled` through the scalers after the step."""
    values = _filled(step)
    if values is None:
        return np.zeros(0)
    for scaler in scalers:
        values = np.asarray(scaler.transform(values), dtype=np.float64)  # a DataFrame after set_output
    return np.asarray(values, dtype=np.float64).ravel()


def _imputed_radius(model):
    """The largest value (in absolute terms) an imputer of the model's preprocessing gives the network
    in place of a missing one, or a target encoder in place of a category: part of the range the
    network is checked over, beside +-_RADIUS."""
    if type(model) is TransformedTargetRegressor:
        model = model.regressor_
    found, stack = [np.zeros(0)], [model]
    while stack:
        step = stack.pop()
        if type(step) is ColumnTransformer:
            stack.extend(t for _, t, _ in step.transformers_ if not isinstance(t, str))
        elif type(step) is Pipeline:
            parts = [s for _, s in step.steps]
            for i, part in enumerate(parts):
                after = []
                for later in parts[i + 1:]:
                    if not _is_scaler(later):
                        break
                    after.append(later)
                else:  # what comes out of this Pipeline
                    found.append(_imputed(part, after))
                if type(part) in (Pipeline, ColumnTransformer) or _encoder_of(part) is not None:
                    stack.append(part)
        elif _encoder_of(step) is not None:
            stack.append(_encoder_of(step))
        else:
            found.append(_imputed(step, []))
    values = np.concatenate(found)
    return max(_RADIUS, float(np.max(np.abs(values), initial=0.0))) if np.isfinite(values).all() else np.inf


def _next_step_is_bounded(network, limit):
    """Whether a step of a built-in optimizer from its stored state, with a zero gradient, keeps the
    outputs bounded: the state that training goes on from is checked as the weights are."""
    optimizer = network.optimizer
    if optimizer is None or not is_builtin(optimizer) or getattr(optimizer, "t_", None) is None:
        return True
    params = network.params.copy()
    try:
        copy.deepcopy(optimizer).update(network.params, np.zeros_like(params))
        bounds = output_bounds(network)
        return bool(np.isfinite(network.params).all()
                    and (bounds is None or all(np.all(np.abs(b) <= limit) for b in bounds)))
    finally:
        network.params = params


def ordinary_inputs(model, rows):
    """``rows`` (inputs as the model's network sees them) mapped back through the model's scalers
    (those after its last other preprocessing step: a ColumnTransformer's inputs are not rows)."""
    for scaler in reversed(_parts(model)[0]):
        if isinstance(scaler, Normalizer):
            break  # any finite row comes out of it with a norm of 1
        rows = scaler.inverse_transform(rows)
    return rows


def _affine(lo, hi, a, b):
    """Bounds of ``a * x + b`` (per feature) for ``x`` in ``[lo, hi]``."""
    ends = np.stack([a * lo + b, a * hi + b])
    return ends.min(axis=0), ends.max(axis=0)


def _batch_norm(layer, lo, hi):
    # prediction: (x - running_mean) / sqrt(running_var + epsilon) * scale + shift, per feature
    a = (layer.scale / np.sqrt(layer.running_var + layer.epsilon)).astype(np.float64)[0]
    return _affine(lo, hi, a, layer.shift.astype(np.float64)[0] - a * layer.running_mean.astype(np.float64)[0])


def _layer_norm(layer, lo, hi):
    # a row standardized over its d values has each value within +-sqrt(d - 1), whatever the input
    reach = np.sqrt(max(layer.width - 1, 0)) * np.abs(layer.scale.astype(np.float64)[0])
    return layer.shift.astype(np.float64)[0] - reach, layer.shift.astype(np.float64)[0] + reach


def _smooth_clip(layer, lo, hi):
    # x / sqrt(1 + (x / limit)**2) increases with x: the ends of each interval give those of its image
    m = len(lo) if layer.n_features is None else layer.n_features
    lo, hi = lo.copy(), hi.copy()
    for ends in (lo, hi):
        ends[:m] = ends[:m] / np.sqrt(1 + (ends[:m] / layer.limit) ** 2)
    return lo, hi


def _activation_bounds(activation, lo, hi):
    """Bounds of a built-in elementwise activation over ``[lo, hi]`` (each monotone on either side of 0)."""
    values = activation(np.stack([lo, hi, np.clip(0.0, lo, hi)]))
    return values.min(axis=0), values.max(axis=0)


def _periodic(layer, lo, hi):
    # each feature's cosines and sines lie in [-1, 1]: its embedding's pre-activation within its bias
    # plus or minus the sum of the magnitudes of its weights, whatever the input
    f, e, extra = layer.n_features, layer.embedding_size, int(layer.include_input)
    bias = layer.embedding_bias.astype(np.float64)
    reach = np.abs(layer.embedding_weights.astype(np.float64)).sum(axis=1)
    z_lo, z_hi = _activation_bounds(layer.activation, (bias - reach).ravel(), (bias + reach).ravel())
    out = []
    for ends, z in ((lo, z_lo), (hi, z_hi)):
        embedded = np.empty((f, e + extra))
        embedded[:, :e] = z.reshape(f, e)
        if extra:
            embedded[:, e] = ends[:f]
        out.append(np.concatenate([embedded.ravel(), ends[f:]]))
    return out[0], out[1]


def _piecewise(layer, lo, hi):
    # each output increases with its input (or is constant): the ends of the intervals give its image
    ends = layer.infer(np.stack([lo, hi]).astype(np.float64))
    return ends[0], ends[1]


# the layers whose prediction-time bounds are computed exactly (the identity for Dropout), or (the
# periodic embedding) bounded whatever its input
_BOUNDED = {BatchNorm: _batch_norm, LayerNorm: _layer_norm, Dropout: lambda layer, lo, hi: (lo, hi),
            SmoothClip: _smooth_clip, PeriodicEmbedding: _periodic, PiecewiseLinearEncoding: _piecewise,
            Scale: lambda layer, lo, hi: _affine(lo, hi, layer.scale.astype(np.float64)[0], 0.0)}


def output_bounds(network, radius=_RADIUS):
    """Bounds of the network's outputs over all inputs in ``[-radius, radius]`` per feature, by
    interval arithmetic in float64 (exact for skneural's own activations, each monotone on either
    side of 0); None where an activation is the caller's own."""
    lo = np.full(network.n_inputs, -radius)
    hi = -lo
    with np.errstate(all="ignore"):
        for layer in network.layers:
            if type(layer) is Dense:  # a subclass may compute something else
                weights = layer.weights.astype(np.float64)
                centre = (lo + hi) / 2 @ weights + layer.bias[0]
                spread = (hi - lo) / 2 @ np.abs(weights)
                lo, hi = centre - spread, centre + spread
            elif type(layer) in _BOUNDED:
                lo, hi = _BOUNDED[type(layer)](layer, lo, hi)
            elif isinstance(layer, Activation) and is_builtin(layer.activation):
                if isinstance(layer.activation, Softmax):
                    lo, hi = np.zeros_like(lo), np.ones_like(hi)
                    continue
                points = np.stack([lo, hi, np.clip(0.0, lo, hi)])
                values = layer.activation(points)
                lo, hi = values.min(axis=0), values.max(axis=0)
            else:
                return None
            if not (np.isfinite(lo).all() and np.isfinite(hi).all()):
                return lo, hi
    return lo, hi


def _target_probes(transformer, bounds):
    """The network outputs at which a target transformer's inverse must be finite: the bounds of the
    outputs, or only 0 when a PowerTransformer is among its steps, since its inverse is undefined beyond
    -1/lambda by its own formula (scikit-learn returns nan there), whatever values a file holds."""
    steps = [s for _, s in transformer.steps] if isinstance(transformer, Pipeline) else [transformer]
    targets = np.stack(bounds)
    return np.zeros_like(targets[:1]) if any(isinstance(s, PowerTransformer) for s in steps) else targets


def check_predictions(model, where="model"):
    """Refuse a fitted model whose predictions can overflow for inputs in the range it declares."""
    scalers, final = _parts(model)
    if not hasattr(final, "network_"):
        return
    network = final.network_
    limit = np.finfo(network.params.dtype).max / 1e8  # a margin for the rounding of the bounds
    corners = np.zeros((3, final.n_features_in_))
    corners[1], corners[2] = _RADIUS, -_RADIUS
    with np.errstate(all="ignore"), warnings.catch_warnings():
        # the probes are arrays without column names: scikit-learn's warning that a step fitted on a
        # DataFrame gets none is about them, not about the model
        warnings.filterwarnings("ignore", message="X does not have valid feature names", category=UserWarning)
        # a ColumnTransformer's transformer_weights multiply what its transformers return
        gain = weights_gain(model)
        radius = _imputed_radius(model) * gain
        bounds = output_bounds(network, radius) if np.isfinite(radius) else None
        finite = bool(np.isfinite(radius))
        if bounds is None:  # the caller's own components: try the corners (as the network sees its inputs)
            inputs = np.zeros((3, network.n_inputs))
            inputs[1], inputs[2] = _RADIUS, -_RADIUS
            outputs = network.output((inputs * gain if finite else inputs).astype(network.params.dtype))
            bounds = outputs.min(axis=0), outputs.max(axis=0)
        finite = finite and all(np.all(np.abs(b) <= limit) for b in bounds) and _next_step_is_bounded(network, limit)
        if finite and hasattr(final, "y_scale_"):  # a regressor's outputs in the targets' units
            bounds = _affine(*bounds, final.y_scale_.astype(np.float64), final.y_mean_.astype(np.float64))
            finite = all(np.all(np.abs(b) <= np.finfo(np.float64).max / 1e8) for b in bounds)
        finite = finite and np.isfinite(ordinary_inputs(model, corners)).all()
        for scaler in _all_scalers(model):  # each on its own, also before a Normalizer or in a ColumnTransformer
            if isinstance(scaler, Normalizer):
                continue  # any finite row comes out of it with a norm of 1
            corners = np.zeros((3, scaler.n_features_in_))
            corners[1], corners[2] = _RADIUS, -_RADIUS
            raw = scaler.inverse_transform(corners)
            finite = finite and np.isfinite(raw).all() and np.isfinite(np.asarray(scaler.transform(raw))).all()
        if finite and type(model) is TransformedTargetRegressor:
            finite = np.isfinite(model.transformer_.inverse_transform(_target_probes(model.transformer_, bounds))).all()
    if not finite:
        raise ArchiveError(f"{where}: its stored values make its outputs overflow for inputs in the range it "
                           f"declares it was fitted on (values within +-{_RADIUS:g} after its scalers, and the "
                           "values its imputers and target encoders fill in, times its largest transformer_weights)")
