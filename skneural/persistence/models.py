"""Models in a model file: the estimators with their networks, and the scikit-learn
Pipelines of preprocessing steps (:mod:`.columns`) and TransformedTargetRegressors around them.
A TransformedTargetRegressor's transformer is a scaler (but Normalizer), a QuantileTransformer, a
PowerTransformer or a Pipeline of these; ``func`` and ``inverse_func``, which are code, are refused.

Each kind has a fixed layout.  ``load`` builds an estimator through its
constructor from settings it then validates as ``fit`` would, checks every
fitted attribute's type, shape and value, and checks them against each other
(the network against ``hidden_layer_sizes``, ``n_features_in_``, the classes
and the components the parameters name) before the model is returned.  A
TransformedTargetRegressor gets ``feature_names_in_`` from its regressor, as ``fit``
sets them.
"""

import math

from sklearn.compose import TransformedTargetRegressor
from sklearn.pipeline import Pipeline

from ..components import sklearn_params
from ..training.monitors import is_scorer_name
from ..training.epoch import layer_state
from .archive import ArchiveError
from .bounds import check_predictions
from .estimator_state import HISTORY_KEYS, history, labels
from .columns import decode_step, encode_step, is_step, output_width
from .networks import MAX_LAYERS, decode_network, encode_network
from .scalers import count, feature_names, is_bool, number
from .tabular_models import decode_tabular, encode_tabular, is_tabular, tabular_fields
from .values import fields, is_builtin, mapping

__all__ = ["encode_model", "decode_model", "is_model", "unsaved_part", "register_estimator", "is_target_step", "training_dim"]

# The estimator classes a model file may name, by class name: skneural's own, registered by the
# estimators package (persistence imports nothing of the estimators).
_ESTIMATORS = {}


def register_estimator(cls, regressor=False):
    """Let model files hold estimators of exactly ``cls`` (named by its class name)."""
    _ESTIMATORS[cls.__name__] = (cls, regressor)
    return cls


def _estimator_class(name, regressor):
    cls, is_regressor = _ESTIMATORS.get(name, (None, False)) if isinstance(name, str) else (None, False)
    return cls if cls is not None and (is_regressor or not regressor) else None


def _is_estimator(model):
    return _estimator_class(type(model).__name__, False) is type(model)


_OPTIONAL_FITTED = ("feature_names_in_", "loss_curve_", "validation_scores_", "validation_loss_curve_",
                    "best_validation_score_", "best_loss_", "_no_improvement_count", "history_",
                    "optimizer_settings")
_COMPONENT_PARAMS = ("activation", "output_activation", "loss", "optimizer", "init", "learning_rate", "callbacks")


def is_model(model):
    """Whether ``model`` is what ``save`` writes: an estimator, or a Pipeline of preprocessing steps
    (:mod:`.columns`) ending in one, possibly inside a TransformedTargetRegressor."""
    if type(model) is TransformedTargetRegressor:
        model = model.regressor_ if hasattr(model, "regressor_") else model.regressor
    if type(model) is Pipeline:
        model = model.steps[-1][1]
    return _is_estimator(model)


def unsaved_part(model):
    """The class name of the first part of ``model`` that keeps it from being saved (``is_model`` false):
    a TransformedTargetRegressor's regressor, a Pipeline's step or final estimator, or the model itself."""
    if type(model) is TransformedTargetRegressor:
        inner = model.regressor_ if hasattr(model, "regressor_") else model.regressor
        return unsaved_part(inner) if type(inner) is Pipeline else type(inner).__name__
    if type(model) is Pipeline and model.steps:
        for _, step in model.steps[:-1]:
            if not is_step(step):
                return type(step).__name__
        return type(model.steps[-1][1]).__name__
    return type(model).__name__


# -- saving --------------------------------------------------------------------------------------


def encode_model(enc, model):
    if type(model) is TransformedTargetRegressor:
        if model.func is not None or model.inverse_func is not None:
            raise TypeError("a TransformedTargetRegressor with func or inverse_func (code)")
        fitted = [model.transformer] + ([model.transformer_] if hasattr(model, "regressor_") else [])
        if not all(is_target_step(t) for t in fitted):
            what = "None" if model.transformer is None else f"a {type(model.transformer).__name__}"
            raise TypeError(f"a TransformedTargetRegressor whose transformer is {what} (kept: "
                            f"{', '.join(_TARGET_STEPS)} or a Pipeline of these)")
        entry = {"transformed_target": encode_model(enc, model.regressor),
                 "transformer": encode_step(enc, model.transformer), "check_inverse": bool(model.check_inverse)}
        if hasattr(model, "regressor_"):
            entry["fitted"] = {"regressor_": encode_model(enc, model.regressor_),
                               "transformer_": encode_step(enc, model.transformer_),
                               "training_dim": int(training_dim(model))}
            try:  # what load checks: refused now, not then
                check_predictions(model)
            except ArchiveError as exc:
                why = str(exc).split(": ", 1)[-1]
                raise TypeError(f"a TransformedTargetRegressor that load would refuse ({why})") from None
        return entry
    if type(model) is Pipeline:
        if model.memory is not None:
            raise TypeError("a Pipeline with memory")
        routed = getattr(model, "transform_input", None)
        if routed is not None and not _is_routed_names(routed):
            raise TypeError(f"a Pipeline with transform_input={routed!r} (a list of at most {_MAX_ROUTED} names is "
                            "kept)")
        *scalers, (name, last) = model.steps
        steps = [[n, encode_step(enc, s)] for n, s in scalers] + [[name, encode_model(enc, last)]]
        entry = {"pipeline": steps, "verbose": bool(model.verbose)}
        if routed is not None:
            entry["transform_input"] = list(routed)
        return entry
    if _is_estimator(model):
        return _encode_estimator(enc, model)
    raise TypeError(f"a {type(model).__name__}")


def _encode_estimator(enc, est):
    try:
        est._validate_params()  # what load would refuse
    except (TypeError, ValueError) as exc:
        raise TypeError(f"an invalid parameter ({exc})") from None
    entry = {"estimator": type(est).__name__,
             "params": {k: enc.setting(v) for k, v in est.get_params(deep=False).items()}}
    if not hasattr(est, "network_"):
        return entry
    net = est.network_
    fitted = {"n_features_in_": int(est.n_features_in_), "n_iter_": int(est.n_iter_), "t_": int(est.t_),
              "loss_": enc.setting(est.loss_)}
    for name in _OPTIONAL_FITTED[:-2]:
        if hasattr(est, name):
            fitted[name] = enc.setting(getattr(est, name))
    if hasattr(est, "history_"):
        fitted["history_"] = [{k: enc.setting(v) for k, v in record.items() if k in HISTORY_KEYS or is_scorer_name(k)}
                              for record in est.history_]
    name, settings = est._optimizer_settings
    # what a named optimizer of skneural's own was last built from (a registered one of the user's is
    # rebuilt from custom_objects, and a warm start after loading takes up every setting again)
    if isinstance(name, str) and settings is not None and is_builtin(net.optimizer):
        fitted["optimizer_settings"] = {"name": name, "settings": {k: enc.setting(v) for k, v in settings.items()}}
    fitted["network"] = encode_network(enc, net)
    if hasattr(est, "classes_"):
        fitted["classes_"] = enc.array(est.classes_)
        fitted["target_type"] = est._label_binarizer.y_type_
        fitted["sparse_labels"] = bool(est._label_binarizer.sparse_input_)
    if is_tabular(est):
        encode_tabular(enc, est, fitted)
    entry["fitted"] = fitted
    return entry


# -- loading -------------------------------------------------------------------------------------


def decode_model(dec, entry, where="model", regressor=False):
    if isinstance(entry, dict) and entry:
        tag = next(iter(entry))
        if tag == "estimator":
            return _decode_estimator(dec, entry, where, regressor)
        if tag == "pipeline":
            return _decode_pipeline(dec, entry, where, regressor)
        if tag == "transformed_target" and not regressor and where == "model":
            return _decode_transformed_target(dec, entry, where)
    raise ArchiveError(f"{where} is not a model")


# the transformers of a target a file holds: those with an inverse that keep one column one column
_TARGET_STEPS = ("StandardScaler", "MinMaxScaler", "MaxAbsScaler", "RobustScaler", "QuantileTransformer",
                 "PowerTransformer")


def is_target_step(step):
    """Whether ``step`` may be a TransformedTargetRegressor's transformer in a file: one of _TARGET_STEPS, or
    a Pipeline of them."""
    if type(step) is Pipeline:
        return all(is_target_step(s) for _, s in step.steps)
    return type(step).__name__ in _TARGET_STEPS and is_step(step)


def training_dim(model, value=None):
    """The number of dimensions of the target a TransformedTargetRegressor was fitted on (or, given
    ``value``, sets it): whether ``predict`` returns 1-D predictions of one output.  The one private
    touch-point of this module: scikit-learn keeps it in ``_training_dim``, with no public way to read it
    (a regressor of one output predicts alike for either), and it is read and set here alone.
    tests/test_tabular_public_api.py fails if scikit-learn keeps it elsewhere."""
    if value is not None:
        model._training_dim = value
    return model._training_dim


def _target_transformer(dec, entry, where):
    step = decode_step(dec, entry, where)
    if not is_target_step(step):
        raise ArchiveError(f"{where} is not one of {', '.join(_TARGET_STEPS)} or a Pipeline of these")
    return step


def _decode_transformed_target(dec, entry, where):
    fields(entry, where, ["transformed_target", "transformer", "check_inverse"], ["fitted"])
    if not is_bool(entry["check_inverse"]):
        raise ArchiveError(f"{where}.check_inverse is not a bool")
    model = TransformedTargetRegressor(
        decode_model(dec, entry["transformed_target"], f"{where}.regressor", regressor=True),
        transformer=_target_transformer(dec, entry["transformer"], f"{where}.transformer"),
        check_inverse=entry["check_inverse"])
    if "fitted" in entry:
        fitted = fields(entry["fitted"], f"{where}.fitted", ["regressor_", "transformer_", "training_dim"])
        model.regressor_ = decode_model(dec, fitted["regressor_"], f"{where}.regressor_", regressor=True)
        model.transformer_ = _target_transformer(dec, fitted["transformer_"], f"{where}.transformer_")
        dim = fitted["training_dim"]
        final = model.regressor_[-1] if isinstance(model.regressor_, Pipeline) else model.regressor_
        outputs = getattr(final, "n_outputs_", None)
        if (dim not in (1, 2) or type(dim) is not int or outputs is None
                or getattr(model.transformer_, "n_features_in_", None) != outputs
                or output_width(model.transformer_) != outputs or (dim == 1 and outputs != 1)):
            raise ArchiveError(f"{where}: the target transformer, the regressor's outputs and the "
                               "target's dimension disagree")
        training_dim(model, dim)
        if hasattr(model.regressor_, "feature_names_in_"):  # as fit sets them (n_features_in_ reads regressor_)
            model.feature_names_in_ = model.regressor_.feature_names_in_
    return model


_PIPELINE_PARAMS = ("steps", "memory", "verbose", "transform_input")  # names a step cannot have


_MAX_ROUTED = 100  # names in a Pipeline's transform_input


def _is_routed_names(names):
    """A Pipeline's ``transform_input``: fit parameters named by identifiers (``X_val``), data only."""
    return (isinstance(names, (list, tuple)) and len(names) <= _MAX_ROUTED
            and all(isinstance(n, str) and n.isidentifier() and len(n) <= 100 for n in names))


def _decode_pipeline(dec, entry, where, regressor):
    fields(entry, where, ["pipeline", "verbose"], ["transform_input"])
    routed = entry.get("transform_input")
    if routed is not None and not (isinstance(routed, list) and _is_routed_names(routed)):
        raise ArchiveError(f"{where}.transform_input is not a list of at most {_MAX_ROUTED} parameter names")
    steps = entry["pipeline"]
    if not isinstance(steps, list) or not steps or not is_bool(entry["verbose"]):
        raise ArchiveError(f"{where} is not a pipeline")
    names, decoded = set(), []
    for i, step in enumerate(steps):
        at = f"{where}.steps[{i}]"
        if not (isinstance(step, list) and len(step) == 2 and isinstance(step[0], str) and step[0]
                and "__" not in step[0] and step[0] not in names and step[0] not in _PIPELINE_PARAMS):
            raise ArchiveError(f"{at} is not a (unique name, step) pair")
        names.add(step[0])
        last = i == len(steps) - 1
        decoded.append((step[0], _decode_estimator(dec, step[1], at, regressor) if last
                        else decode_step(dec, step[1], at)))
    fitted, parts = [hasattr(s, "n_features_in_") for _, s in decoded], [s for _, s in decoded]
    if fitted[-1] and (not all(fitted) or any(output_width(a) != b.n_features_in_ for a, b in zip(parts, parts[1:]))):
        raise ArchiveError(f"{where}: its steps are not all fitted, or disagree on the number of features")
    return Pipeline(decoded, verbose=entry["verbose"], transform_input=routed)


def _decode_estimator(dec, entry, where, regressor):
    fields(entry, where, ["estimator", "params"], ["fitted"])
    cls = _estimator_class(entry["estimator"], regressor)
    if cls is None:
        raise ArchiveError(f"{where} is not a skneural {'regressor' if regressor else 'estimator'}")
    params = mapping(entry["params"], f"{where}.params")
    sizes = params.get("hidden_layer_sizes")
    if isinstance(sizes, dict) and len(sizes.get("tuple", ())) > MAX_LAYERS or \
            isinstance(sizes, list) and len(sizes) > MAX_LAYERS:
        raise ArchiveError(f"{where}.params.hidden_layer_sizes lists more than {MAX_LAYERS} layers")
    unknown = sorted(set(params) - set(cls().get_params(deep=False)))
    if unknown:
        raise ArchiveError(f"{where}.params has settings {cls.__name__} does not take: {unknown}")
    est = cls(**{k: dec.setting(v, f"{where}.params.{k}", components=k in _COMPONENT_PARAMS)
                  for k, v in params.items()})
    try:
        est._validate_params()
    except (TypeError, ValueError) as exc:
        raise ArchiveError(f"{where}.params: {exc}") from None
    if "fitted" in entry:
        _decode_fitted(dec, est, entry["fitted"], where)
    return est


def _optimizer_settings(dec, est, stored, where):
    """The settings a named optimizer was last built from; the network's must be those (but for its
    learning rate, which schedules move), so that a warm start takes up later changes as it would have
    without saving."""
    name, current = est._optimizer_settings  # current: the settings the estimator's parameters give it
    if not isinstance(name, str) or name == "lbfgs" or not is_builtin(est.network_.optimizer):
        if stored is not None:
            raise ArchiveError(f"{where}.optimizer_settings is for a named optimizer of skneural's")
        if isinstance(name, str):
            est._optimizer_settings = (name, None)
        return
    fields(stored, f"{where}.optimizer_settings", ["name", "settings"])
    built = dec.component({"component": type(est.network_.optimizer).__name__,
                           "params": mapping(stored["settings"], f"{where}.optimizer_settings")},
                          f"{where}.optimizer_settings")
    settings = stored["settings"]
    if stored["name"] != name or set(settings) != set(current or sklearn_params(type(est.network_.optimizer))):
        raise ArchiveError(f"{where}.optimizer_settings are not those of the optimizer {name!r}")
    actual, wanted = est.network_.optimizer.get_params(), built.get_params()
    for key, value in wanted.items():
        # the learning rate is state: a schedule (the one set now, or one set before) moves it either way,
        # and the next fit starts it again from the setting
        ok = 0 < actual[key] < math.inf if key == "learning_rate" else actual[key] == value
        if not ok:
            raise ArchiveError(f"{where}.network.optimizer has {key}={actual[key]!r}, " + (
                "which is not a positive finite learning rate" if key == "learning_rate"
                else f"not the {value!r} it was built with"))
    est._optimizer_settings = (name, settings)


def _decode_fitted(dec, est, fitted, where):
    where = f"{where}.fitted"
    classifier = hasattr(est, "predict_proba")
    required = ["n_features_in_", "n_iter_", "t_", "loss_", "network"]
    required += ["classes_", "target_type", "sparse_labels"] if classifier else []
    tabular = is_tabular(est)
    own, optional = tabular_fields(est) if tabular else ([], [])
    fields(fitted, where, required + own, [*_OPTIONAL_FITTED, *optional])
    n_features = count(fitted["n_features_in_"], f"{where}.n_features_in_", 1)
    net = decode_network(dec, fitted["network"], f"{where}.network")
    est.n_features_in_ = n_features
    feature_names(dec, est, fitted, where, n_features)
    # a tabular estimator's table is encoded, then goes through the network's input layers
    first = decode_tabular(dec, est, fitted, where, net) if tabular else n_features
    if net.input_layers and not tabular:
        raise ArchiveError(f"{where}.network has input layers, which only the tabular estimators build")
    if net.sizes[0] != first or net.sizes[1:-1] != est._hidden_sizes():
        raise ArchiveError(f"{where}: the network's layer sizes {net.sizes} do not match n_features_in_ "
                           f"({n_features}{f', {first} after its input layers' if tabular else ''}) and "
                           f"hidden_layer_sizes {est.hidden_layer_sizes}")
    if net.dropout != est._dropout_rates() or net.normalization != getattr(est, "normalization", None):
        raise ArchiveError(f"{where}: the network's dropout {net.dropout} and normalization {net.normalization!r} "
                           "are not those the parameters name")
    if classifier:
        labels(dec, est, fitted, where, net.sizes[-1], net.output_activation)
    expected = [est._resolve("activation", "activation"), *est._output_and_loss(),
                None if est._is_lbfgs() else est._make_optimizer()]
    found = [net.hidden_activation, net.output_activation, net.loss, net.optimizer]
    if [type(c) for c in expected] != [type(c) for c in found]:
        raise ArchiveError(f"{where}: the network's components {found} are not those the parameters name")
    est.n_iter_ = count(fitted["n_iter_"], f"{where}.n_iter_")
    est.t_ = count(fitted["t_"], f"{where}.t_")
    est.loss_ = None if fitted["loss_"] is None else number(fitted["loss_"], f"{where}.loss_")
    for name in ("loss_curve_", "validation_scores_", "validation_loss_curve_"):
        if name in fitted:
            values = fitted[name]
            if not ((values is None and name != "loss_curve_") or isinstance(values, list)):
                raise ArchiveError(f"{where}.{name} is not a list")
            infinite = (math.inf,) if name == "validation_loss_curve_" else ()  # a loss may be inf on held-out rows
            setattr(est, name, None if values is None else
                    [number(dec.setting(v, f"{where}.{name}[{i}]"), f"{where}.{name}[{i}]", infinite)
                     for i, v in enumerate(values)])
    for name, allowed in (("best_validation_score_", (-math.inf,)), ("best_loss_", (math.inf,))):
        if name in fitted:
            value = dec.setting(fitted[name], f"{where}.{name}")
            setattr(est, name, None if value is None else number(value, f"{where}.{name}", allowed))
    if "history_" in fitted:
        est.history_ = history(dec, fitted["history_"], f"{where}.history_")
    scores = getattr(est, "validation_scores_", None)
    # best_validation_score_ None: scores of X_val recorded without early stopping, which picks no epoch
    stopped_on_scores = scores is not None and getattr(est, "best_validation_score_", None) is not None
    if stopped_on_scores and est.best_validation_score_ != max(scores, default=-math.inf):
        raise ArchiveError(f"{where}.best_validation_score_ is not the best of validation_scores_")
    if stopped_on_scores and scores:  # fit ends on the best epoch's weights: they are the loaded ones
        est._best_params, est._best_state = net.params.copy(), layer_state(net)
    if "_no_improvement_count" in fitted:
        est._no_improvement_count = count(fitted["_no_improvement_count"], f"{where}._no_improvement_count")
    if classifier and isinstance(est.class_weight, dict) and not set(est.class_weight) <= set(est.classes_.tolist()):
        raise ArchiveError(f"{where}: class_weight names labels that are not classes")
    est._attach_network(net)
    _optimizer_settings(dec, est, fitted.get("optimizer_settings"), where)
