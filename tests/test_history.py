"""history_ (one record per epoch) and validation_loss_curve_: what they hold, and that they are kept."""

import json
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning

import skneural
from skneural import NumpyMLPClassifier, NumpyMLPRegressor

X, y = load_iris(return_X_y=True)
X = X / 8


def fit(est, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(*args)


def test_history_holds_each_epochs_loss_rate_and_time():
    clf = fit(NumpyMLPClassifier((8,), learning_rate_init=0.01, max_iter=12, random_state=0), X, y)
    assert [r["epoch"] for r in clf.history_] == list(range(1, 13))
    assert [r["loss"] for r in clf.history_] == clf.loss_curve_
    assert all(r["lr"] == 0.01 and r["time"] >= 0 for r in clf.history_)
    assert "val_loss" not in clf.history_[0] and clf.validation_loss_curve_ is None


def test_history_records_the_scheduled_rate():
    clf = fit(NumpyMLPClassifier((8,), solver="sgd", learning_rate="invscaling", learning_rate_init=0.1,
                                 power_t=0.4, max_iter=5, random_state=0), X, y)
    # the rate in effect during each epoch: the first epoch's is learning_rate_init, each later one's
    # was set after the epoch before, from the samples seen by then
    for record in clf.history_:
        assert record["lr"] == 0.1 / ((record["epoch"] - 1) * len(X) + 1) ** 0.4


def test_the_validation_loss_is_the_objective_on_the_held_out_rows(monkeypatch):
    import skneural.estimators.training as module

    held_out = {}
    real_split = module.train_test_split

    def recording_split(*arrays, **kwargs):
        parts = real_split(*arrays, **kwargs)
        held_out.update(X=parts[1], Y=parts[3])
        return parts

    monkeypatch.setattr(module, "train_test_split", recording_split)
    clf = fit(NumpyMLPClassifier((8,), early_stopping=True, max_iter=1, alpha=0.01, random_state=0), X, y)
    # one epoch: its parameters are the ones the model ends with
    expected = clf.network_.compute_loss(held_out["X"], held_out["Y"])
    assert clf.validation_loss_curve_ == [expected] and clf.history_[0]["val_loss"] == expected
    assert clf.history_[0]["val_score"] == clf.validation_scores_[0]


def test_history_goes_on_across_warm_starts_and_partial_fit_and_a_fresh_fit_forgets_it():
    reg = NumpyMLPRegressor(hidden_layer_sizes=(8,), max_iter=3, random_state=0)
    fit(reg, X, y)
    reg.set_params(warm_start=True)
    fit(reg, X, y)
    reg.partial_fit(X, y)
    assert len(reg.history_) == 7 and len(reg.loss_curve_) == 7
    reg.set_params(warm_start=False)
    fit(reg, X, y)
    assert len(reg.history_) == 3


@pytest.mark.parametrize("settings", [dict(early_stopping=True), dict(solver="lbfgs"), dict(solver="sgd")])
def test_history_and_validation_losses_survive_save_and_load(tmp_path, settings):
    clf = fit(NumpyMLPClassifier((8,), max_iter=8, random_state=0, **settings), X, y)
    clf.save(tmp_path / "m.skn")
    again = skneural.load(tmp_path / "m.skn")
    assert again.history_ == clf.history_
    assert getattr(again, "validation_loss_curve_", None) == getattr(clf, "validation_loss_curve_", None)


def _rewrite(path, change):
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    document = json.loads(str(arrays.pop("__skneural__")))
    change(document["model"]["fitted"])
    with open(path, "wb") as f:
        np.savez(f, **arrays, __skneural__=np.array(json.dumps(document)))


@pytest.mark.parametrize("change, message", [
    (lambda f: f["history_"][0].update(loss=float("nan")), r"history_\[0\].loss is not a finite number"),
    (lambda f: f["history_"][1].update(weights=[1, 2]), r"history_\[1\] has unexpected fields \['weights'\]"),
    (lambda f: f["history_"][0].update(epoch=0), r"history_\[0\].epoch is not an integer >= 1"),
    (lambda f: f["history_"][0].pop("loss"), r"history_\[0\] lacks \['loss'\]"),
    (lambda f: f.update(history_={"epoch": 1}), "history_ is not a list"),
    (lambda f: f.update(validation_loss_curve_=["x"]), r"validation_loss_curve_\[0\]"),
])
def test_a_file_with_a_bad_history_is_refused(tmp_path, change, message):
    clf = fit(NumpyMLPClassifier((4,), max_iter=3, early_stopping=True, random_state=0), X, y)
    clf.save(tmp_path / "m.skn")
    skneural.load(tmp_path / "m.skn")
    _rewrite(tmp_path / "m.skn", change)
    with pytest.raises(ValueError, match=message):
        skneural.load(tmp_path / "m.skn")
