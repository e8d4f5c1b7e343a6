"""Model files written by skneural 0.1 (format 1) load, translated into format 2 and checked as
format-2 files are, with the predictions they gave when they were saved.

The files in tests/data/format1 were written by skneural 0.1 (commit 9cb47f0) with the
predictions its models gave beside them (``*.expected.npy``)."""

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_diabetes, load_iris, make_multilabel_classification

from skneural import load

FILES = Path(__file__).resolve().parent / "data" / "format1"


def data(name):
    X, y = load_iris(return_X_y=True)
    Xr, yr = load_diabetes(return_X_y=True)
    Xm, Ym = make_multilabel_classification(n_samples=60, n_features=5, n_classes=3, random_state=0)
    return {"classifier": (X, np.array(["setosa", "versicolor", "virginica"])[y]), "pipeline": (X, y == 1),
            "target": (Xr, yr), "multilabel": (Xm, Ym),
            "regressor": (Xr[:, :4].astype(np.float32), yr / 100)}[name]


@pytest.mark.parametrize("name", ["classifier", "pipeline", "target", "multilabel", "regressor"])
def test_a_format_1_file_loads_with_the_predictions_it_was_saved_with(name):
    X, y = data(name)
    model = load(FILES / f"{name}.skn")
    predictions = model.predict_proba(X) if hasattr(model, "predict_proba") else model.predict(X)
    np.testing.assert_array_equal(np.asarray(predictions, dtype=np.float64), np.load(FILES / f"{name}.expected.npy"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)  # and trains on, as any loaded model
    assert len(model.predict(X)) == len(X)


def test_a_format_1_file_goes_through_format_2s_checks(tmp_path):
    with np.load(FILES / "classifier.skn", allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files}
    document = json.loads(str(arrays.pop("__skneural__")))
    state = dict(document["model"]["state"]["dict"])
    key = state["network_"]["network"]["params"]["array"]
    arrays[key] = arrays[key].copy()
    arrays[key][0] = np.nan
    path = tmp_path / "nan.skn"
    with open(path, "wb") as f:
        np.savez(f, **arrays, __skneural__=np.array(json.dumps(document)))
    with pytest.raises(ValueError, match="network.params holds non-finite values"):
        load(path)


@pytest.mark.parametrize("gadget, match", [
    ({"method": "fit", "of": {"class": "Pipeline", "params": {"dict": [["memory", "/tmp/x"]]}}},
     "format-1 'method' entry"),
    ({"class": "Pipeline", "params": {"dict": [["memory", "/tmp/x"]]}}, "names a class 'Pipeline' that is not a"),
    ({"method": "__subclasses__", "of": {"class": "ReLU"}}, "format-1 'method' entry"),
])
def test_format_1_entries_that_name_code_are_refused(gadget, match, tmp_path):
    with np.load(FILES / "classifier.skn", allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files}
    document = json.loads(str(arrays.pop("__skneural__")))
    params = document["model"]["params"]["dict"]
    document["model"]["params"]["dict"] = [[k, gadget if k == "activation" else v] for k, v in params]
    path = tmp_path / "gadget.skn"
    with open(path, "wb") as f:
        np.savez(f, **arrays, __skneural__=np.array(json.dumps(document)))
    with pytest.raises(ValueError, match=match):
        load(path)
