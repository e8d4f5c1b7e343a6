"""Model files of format 1 (written by skneural 0.1): their description is translated into
format 2's, then read as any format-2 file is, with every check.

Format 1 described any object generically (a class, its parameters, its attributes) and could
name methods; the translation takes only what format 2 can hold, field by field, and refuses the
rest (a method other than a component's own ``derivative``, an unknown field or class).  The
random states and the attributes format 2 derives are dropped, unread.
"""

from .archive import ArchiveError
from .scalers import SCALERS
from .values import BUILTIN_COMPONENTS

__all__ = ["translate"]

_PAIRS = {"FunctionActivation": "activation", "FunctionLoss": "loss"}
_FITTED = ("n_features_in_", "feature_names_in_", "n_iter_", "t_", "loss_", "loss_curve_", "validation_scores_",
           "best_validation_score_", "best_loss_", "_no_improvement_count")
# attributes of a fitted estimator that format 2 derives (or that only steered the next fit's shuffling)
_DERIVED = ("_random_state", "_two_column_binary", "n_layers_", "n_outputs_", "out_activation_", "_best_params",
            "_label_binarizer", "_optimizer_settings", "classes_", "network_")


def _pairs(entry, where):
    if not (isinstance(entry, dict) and set(entry) == {"dict"} and isinstance(entry["dict"], list)
            and all(isinstance(p, list) and len(p) == 2 and isinstance(p[0], str) for p in entry["dict"])):
        raise ArchiveError(f"{where} is not a format-1 table of names")
    return dict(entry["dict"])


class _Translator:
    def __init__(self, archive):
        self.archive = archive

    def value(self, v, where):
        if v is None or isinstance(v, (bool, int, float, str)):
            return v
        if isinstance(v, list):
            return [self.value(x, f"{where}[{i}]") for i, x in enumerate(v)]
        if not isinstance(v, dict) or not v:
            raise ArchiveError(f"{where} is not a format-1 value")
        tag = next(iter(v))
        if tag == "tuple" and isinstance(v["tuple"], list):
            return {"tuple": [self.value(x, f"{where}[{i}]") for i, x in enumerate(v["tuple"])]}
        if tag == "dict" and isinstance(v["dict"], list):
            if not all(isinstance(p, list) and len(p) == 2 for p in v["dict"]):
                raise ArchiveError(f"{where} is not a format-1 table")
            return {"dict": [[self.value(p[0], where), self.value(p[1], where)] for p in v["dict"]]}
        if tag == "float":
            return v
        if tag == "array" and isinstance(v["array"], str):
            return {"array": v["array"]}
        if tag == "scalar":
            return self.scalar(v["scalar"], where)
        if tag == "random_state" and isinstance(v["random_state"], list) and len(v["random_state"]) == 5:
            return {"random_state": v["random_state"][1:]}
        if tag in ("class", "custom"):
            return self.component(v, where)
        raise ArchiveError(f"{where} is a format-1 {tag!r} entry, which no model file may hold")

    def scalar(self, entry, where):
        def check(shape, dtype):
            if shape != () or dtype.kind not in "biuf":
                raise ArchiveError(f"{where} is not a number")

        if not (isinstance(entry, dict) and isinstance(entry.get("array"), str)):
            raise ArchiveError(f"{where} is not a number")
        return self.archive.array(entry["array"], check)[()].item()

    def plain(self, entry, where):
        return {k: self.value(x, f"{where}.{k}") for k, x in _pairs(entry, where).items()}

    def component(self, entry, where):
        if "custom" in entry:
            out = {"custom": entry["custom"]}
            for part in ("params", "state"):
                if part in entry:
                    out[part] = self.plain(entry[part], f"{where}.{part}")
            return out
        name = entry.get("class")
        params = _pairs(entry.get("params", {"dict": []}), f"{where}.params")
        if name in _PAIRS:
            function, derivative = params.get("function"), params.get("derivative")
            if isinstance(derivative, dict) and derivative.get("method") == "derivative" \
                    and derivative.get("of") == function:
                return {"wrapped": _PAIRS[name], "object": self.value(function, f"{where}.function")}
            return {"pair": _PAIRS[name], "function": self.value(function, f"{where}.function"),
                    "derivative": self.value(derivative, f"{where}.derivative")}
        if not isinstance(name, str) or name not in BUILTIN_COMPONENTS:
            raise ArchiveError(f"{where} names a class {name!r} that is not a component")
        out = {"component": name, "params": {k: self.value(x, f"{where}.params.{k}") for k, x in params.items()}}
        state = _pairs(entry.get("state", {"dict": []}), f"{where}.state")
        state.pop("_state_key", None)
        if state:
            out["state"] = {k: self.value(x, f"{where}.state.{k}") for k, x in state.items()}
        return out

    def model(self, entry, where):
        name = entry.get("class") if isinstance(entry, dict) else None
        params = _pairs(entry.get("params"), f"{where}.params") if name else None
        state = _pairs(entry.get("state", {"dict": []}), f"{where}.state") if name else None
        if name == "Pipeline":
            if params.get("memory") is not None or params.get("transform_input") is not None:
                raise ArchiveError(f"{where} is a Pipeline with memory or transform_input")
            steps = params.get("steps")
            if not isinstance(steps, list):
                raise ArchiveError(f"{where} has no steps")
            out = []
            for i, step in enumerate(steps):
                pair = step.get("tuple") if isinstance(step, dict) else None
                if not (isinstance(pair, list) and len(pair) == 2):
                    raise ArchiveError(f"{where}.steps[{i}] is not a step")
                translate = self.model if i == len(steps) - 1 else self.scaler
                out.append([pair[0], translate(pair[1], f"{where}.steps[{i}]")])
            return {"pipeline": out, "verbose": params.get("verbose", False)}
        if name == "TransformedTargetRegressor":
            if params.get("func") is not None or params.get("inverse_func") is not None:
                raise ArchiveError(f"{where} has a func")
            out = {"transformed_target": self.model(params.get("regressor"), f"{where}.regressor"),
                   "transformer": self.scaler(params.get("transformer"), f"{where}.transformer"),
                   "check_inverse": params.get("check_inverse", True)}
            if "regressor_" in state:
                out["fitted"] = {"regressor_": self.model(state["regressor_"], f"{where}.regressor_"),
                                 "transformer_": self.scaler(state.get("transformer_"), f"{where}.transformer_"),
                                 "training_dim": state.get("_training_dim")}
            return out
        if name in ("NumpyMLPClassifier", "NumpyMLPRegressor"):
            return self.estimator(name, params, state, where)
        raise ArchiveError(f"{where} is not a model")

    def scaler(self, entry, where):
        name = entry.get("class") if isinstance(entry, dict) else None
        if name not in SCALERS:
            raise ArchiveError(f"{where} is not a scaler")
        out = {"transformer": name, "params": self.plain(entry.get("params"), f"{where}.params")}
        state = _pairs(entry.get("state", {"dict": []}), f"{where}.state")
        if state:
            out["fitted"] = {k: self.value(x, f"{where}.{k}") for k, x in state.items()}
        return out

    def estimator(self, name, params, state, where):
        out = {"estimator": name, "params": {k: self.value(x, f"{where}.params.{k}") for k, x in params.items()}}
        if "network_" not in state:
            return out
        unknown = sorted(set(state) - set(_FITTED) - set(_DERIVED))
        if unknown:
            raise ArchiveError(f"{where} holds attributes {unknown} that format 1 never wrote")
        fitted = {k: self.value(state[k], f"{where}.{k}") for k in _FITTED if k in state}
        network = state["network_"].get("network") if isinstance(state["network_"], dict) else None
        if not isinstance(network, dict):
            raise ArchiveError(f"{where}.network_ is not a network")
        fitted["network"] = {k: (self.value(network.get(k), f"{where}.network.{k}") if k != "optimizer" or
                                 network.get(k) is not None else None)
                             for k in ("sizes", "hidden_activation", "output_activation", "loss", "optimizer",
                                       "alpha", "params")}
        settings = self.value(state.get("_optimizer_settings"), f"{where}._optimizer_settings")
        if isinstance(settings, dict) and isinstance(settings.get("tuple"), list) and len(settings["tuple"]) == 2:
            opt, values = settings["tuple"]
            if isinstance(opt, str) and isinstance(values, dict) and "dict" in values:
                fitted["optimizer_settings"] = {"name": opt, "settings": {k: x for k, x in values["dict"]}}
        if name == "NumpyMLPClassifier":
            binarizer = state.get("_label_binarizer")
            binarizer = _pairs(binarizer.get("state"), f"{where}._label_binarizer") if isinstance(binarizer, dict) \
                else {}
            fitted.update(classes_=self.value(state.get("classes_"), f"{where}.classes_"),
                          target_type=binarizer.get("y_type_"), sparse_labels=binarizer.get("sparse_input_", False))
        return out | {"fitted": fitted}


def translate(archive, model):
    """Format 2's description of the model in a format-1 file's description."""
    return _Translator(archive).model(model, "model")
