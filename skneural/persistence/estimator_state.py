"""The fitted state of a skneural estimator in a model file besides its network: the classes a
classifier's outputs stand for and the record of its epochs, each checked as ``load`` reads it."""

import math

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import LabelBinarizer

from ..training.monitors import is_scorer_name
from .archive import ArchiveError
from .scalers import count, is_bool, number
from .values import fields

__all__ = ["labels", "history", "TARGET_TYPES", "HISTORY_KEYS"]

TARGET_TYPES = ("binary", "multiclass", "multilabel-indicator")
# what an epoch's record may hold, and the scikit-learn scorers a callback monitored (is_scorer_name)
HISTORY_KEYS = ("epoch", "loss", "val_loss", "val_score", "lr", "time")


def labels(dec, est, fitted, where, n_outputs, output):
    kind = fitted["target_type"]
    if kind not in TARGET_TYPES or not is_bool(fitted.get("sparse_labels", False)):
        raise ArchiveError(f"{where}.target_type is not one of {TARGET_TYPES}")
    classes = dec.array(fitted["classes_"], f"{where}.classes_", kinds="biufU",
                        shape=lambda s: None if len(s) == 1 and 1 <= s[0] <= max(n_outputs, 2) else "not the outputs' classes")
    if not np.array_equal(np.unique(classes), classes):
        raise ArchiveError(f"{where}.classes_ is not sorted and unique")
    if kind == "multilabel-indicator":
        labels = np.eye(len(classes), dtype=int)
        labels = sp.csr_matrix(labels) if fitted.get("sparse_labels") else labels
    else:
        labels = classes
    binarizer = LabelBinarizer().fit(labels)
    expected = {"binary": [1, 2] if output.is_rowwise() else [1]}.get(kind, [len(classes)])
    if (binarizer.y_type_ != kind or not np.array_equal(binarizer.classes_, classes)
            or (kind == "binary") != (len(classes) in (1, 2)) or n_outputs != expected[-1]):
        raise ArchiveError(f"{where}: classes_ ({len(classes)}, {kind}) do not match the network's "
                           f"{n_outputs} outputs")
    binarizer.classes_ = classes
    est._label_binarizer, est.classes_ = binarizer, classes
    est._two_column_binary = kind == "binary" and n_outputs == 2


def history(dec, records, where):
    """``history_``: one record per epoch, each with ``epoch`` and ``loss`` and at most the other
    known keys, every value a number (infinities allowed, nan not)."""
    if not isinstance(records, list):
        raise ArchiveError(f"{where} is not a list")
    history = []
    for i, record in enumerate(records):
        at = f"{where}[{i}]"
        scorers = [k for k in (record if isinstance(record, dict) else ()) if is_scorer_name(k)]
        fields(record, at, ["epoch", "loss"], [k for k in HISTORY_KEYS if k not in ("epoch", "loss")] + scorers)
        values = {k: number(dec.setting(v, f"{at}.{k}"), f"{at}.{k}", (math.inf, -math.inf))
                  for k, v in record.items() if k != "epoch"}
        history.append({"epoch": count(record["epoch"], f"{at}.epoch", 1), **values})
    return history
