"""The estimators' ``callbacks`` parameter: hooks, clones, monitors (scorer names included),
ModelCheckpoint, ProgressBar, and their round trips through model files, clone, pickle and
GridSearchCV."""

import io
import json
import math
import os
import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score, roc_auc_score
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import scale

import skneural
from skneural import NeuralNetwork, NumpyMLPClassifier, NumpyMLPRegressor, load
from skneural.callbacks import Callback, EarlyStopping, ModelCheckpoint, ProgressBar
from skneural.training import Trainer
from skneural.training import progress as progress_module
from skneural.training.checkpoint import save_atomically

X_all, y_all = load_breast_cancer(return_X_y=True)
X_all = scale(X_all)
X_train, y_train, X_val, y_val = X_all[:400], y_all[:400], X_all[400:], y_all[400:]
X_iris, y_iris = load_iris(return_X_y=True)
X_iris = X_iris / 8


@pytest.fixture(autouse=True)
def quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


class Recorder(Callback):
    """Records every hook it sees, and the estimator's state at each epoch's end; stops after
    ``stop_after`` epochs of a call."""

    def __init__(self, stop_after=None, X=None):
        self.stop_after = stop_after
        self.X = X

    def on_train_begin(self, trainer):
        self.events_ = getattr(self, "events_", []) + [("train_begin", trainer.epoch)]
        self.predictions_ = getattr(self, "predictions_", {})
        self.current_ = getattr(self, "current_", [])
        self._calls = 0

    def on_epoch_begin(self, trainer):
        self.events_.append(("epoch_begin", trainer.epoch + 1))

    def on_batch_begin(self, trainer, done, n):
        self.events_.append(("batch_begin", done, n))

    def on_batch_end(self, trainer, done, n, running_loss):
        self.events_.append(("batch_end", done, n))

    def on_epoch_end(self, trainer):
        self.events_.append(("epoch_end", trainer.epoch))
        est, record = trainer.model, trainer.history[-1]
        if trainer.model is trainer.network:  # a bare Trainer's
            return
        self.current_.append(est.n_iter_ == trainer.epoch and est.loss_ == record["loss"]
                             and est.history_[-1] is record
                             and (est.optimizer == "lbfgs" or {"lr", "time"} <= set(record)))
        if self.X is not None:
            self.predictions_[trainer.epoch] = est.predict(self.X)
        self._calls += 1
        if self.stop_after is not None and self._calls >= self.stop_after:
            trainer.stop = True

    def on_train_end(self, trainer):
        self.events_.append(("train_end", trainer.epoch))


def expected_events(first_epoch, epochs, n, batch_size):
    events = [("train_begin", first_epoch)]
    for epoch in range(first_epoch + 1, first_epoch + epochs + 1):
        events.append(("epoch_begin", epoch))
        for start in range(0, n, batch_size):
            events += [("batch_begin", start, n), ("batch_end", min(start + batch_size, n), n)]
        events.append(("epoch_end", epoch))
    return events + [("train_end", first_epoch + epochs)]


# -- hooks ---------------------------------------------------------------------------------------


def test_a_user_callback_sees_every_hook_in_order_and_stops_training():
    recorder = Recorder(stop_after=3, X=X_iris)
    clf = NumpyMLPClassifier((8,), batch_size=64, max_iter=50, random_state=0, callbacks=[recorder]).fit(X_iris, y_iris)
    trained = clf.callbacks_[0]
    assert clf.n_iter_ == 3 and len(clf.history_) == 3
    assert trained.events_ == expected_events(0, 3, len(X_iris), 64)
    # the estimator's fitted attributes were those of each epoch when the callback ran, after the
    # estimator's own callbacks had completed the epoch's record
    assert trained.current_ == [True, True, True]
    np.testing.assert_array_equal(trained.predictions_[3], clf.predict(X_iris))


def test_the_objects_passed_in_never_change_and_callbacks_holds_the_trained_clones(tmp_path):
    given = [Recorder(), EarlyStopping("loss", patience=2, min_delta=0.05),
             ModelCheckpoint(str(tmp_path / "m.skn"), monitor="loss"), ProgressBar(stream=io.StringIO())]
    before = [dict(vars(callback)) for callback in given]
    clf = NumpyMLPClassifier((8,), max_iter=40, random_state=0, callbacks=given).fit(X_iris, y_iris)
    assert [vars(callback) for callback in given] == before
    assert [type(c) for c in clf.callbacks_] == [type(c) for c in given]
    assert all(trained is not original for trained, original in zip(clf.callbacks_, given))
    assert [repr(c.get_params()) for c in clf.callbacks_] == [repr(c.get_params()) for c in given]
    stopping = clf.callbacks_[1]
    assert stopping.stopped_epoch_ == clf.n_iter_ < 40
    assert stopping.best_ == min(r["loss"] for r in clf.history_)
    assert clf.callbacks_[3].stream is given[3].stream  # a clone shares the stream
    first = clf.callbacks_
    clf.fit(X_iris, y_iris)  # a fresh fit: fresh clones
    assert all(a is not b for a, b in zip(first, clf.callbacks_))
    assert NumpyMLPClassifier((4,), max_iter=2).fit(X_iris, y_iris).callbacks_ == []


def test_on_batch_begin_is_passed_to_the_epoch_only_when_a_callback_overrides_it(monkeypatch):
    import skneural.training.loop as loop

    seen = []
    real = loop.run_epoch

    def spy(*args, **kwargs):
        seen.append(kwargs["on_batch_begin"] is not None)
        return real(*args, **kwargs)

    monkeypatch.setattr(loop, "run_epoch", spy)
    net = NeuralNetwork([4, 3, 3], optimizer="adam", random_state=0)
    Y = np.eye(3)[y_iris]
    trainer = Trainer(net, batch_size=50, max_epochs=1, callbacks=[EarlyStopping("loss")])
    trainer.fit(X_iris, Y)
    assert trainer.model is net  # a bare Trainer's model is its network
    recorder = Recorder()
    Trainer(net, batch_size=50, max_epochs=1, callbacks=[recorder]).fit(X_iris, Y)
    assert seen == [False, True]
    assert recorder.events_ == expected_events(0, 1, len(X_iris), 50)


def test_lbfgs_runs_the_hooks_per_iteration_and_stops_when_asked(tmp_path):
    recorder = Recorder(stop_after=4, X=X_iris)
    path = tmp_path / "lbfgs-{epoch}.skn"
    clf = NumpyMLPClassifier((8,), optimizer="lbfgs", max_iter=100, random_state=0,
                             callbacks=[recorder, ModelCheckpoint(str(path), monitor="loss", save_best_only=False)])
    clf.fit(X_iris, y_iris)
    trained = clf.callbacks_[0]
    assert clf.n_iter_ == 4 and [r["epoch"] for r in clf.history_] == [1, 2, 3, 4]
    assert trained.current_ == [True] * 4
    events = trained.events_
    assert events[0] == ("train_begin", 0) and events[-1] == ("train_end", 4)
    # an iteration is an epoch; each evaluation of the whole data, a batch
    assert [e for e in events if e[0] in ("epoch_begin", "epoch_end")] == [
        (kind, k) for k in range(1, 5) for kind in ("epoch_begin", "epoch_end")]
    evaluations = [e for e in events if e[0].startswith("batch")]
    assert evaluations and set(evaluations) == {("batch_begin", 0, 150), ("batch_end", 150, 150)}
    # stopped on the 4th iteration's parameters, which the checkpoint of that iteration holds
    np.testing.assert_array_equal(trained.predictions_[4], clf.predict(X_iris))
    for epoch in (2, 4):
        saved = load(str(path).replace("{epoch}", str(epoch)), custom_objects={"Recorder": Recorder})
        assert saved.n_iter_ == epoch
        np.testing.assert_array_equal(saved.predict(X_iris), trained.predictions_[epoch])


# -- monitors: scorer names --------------------------------------------------------------------


class ScoreItself(Callback):
    """Computes roc_auc with scikit-learn on the validation rows, at each epoch's end."""

    def __init__(self, X, y, sample_weight=None):
        self.X, self.y, self.sample_weight = X, y, sample_weight

    def on_epoch_end(self, trainer):
        proba = trainer.model.predict_proba(self.X)[:, 1]
        self.scores_ = getattr(self, "scores_", []) + [roc_auc_score(self.y, proba, sample_weight=self.sample_weight)]


def test_early_stopping_on_roc_auc_records_it_and_the_best_checkpoint_is_the_restored_model(tmp_path):
    path = tmp_path / "best.skn"
    weights = np.random.RandomState(0).uniform(0.5, 2, len(y_val))
    clf = NumpyMLPClassifier((8,), learning_rate_init=0.01, max_iter=300, random_state=0, callbacks=[
        EarlyStopping("roc_auc", patience=4, min_delta=0.0, restore_best_weights=True),
        ModelCheckpoint(str(path), monitor="roc_auc"), ScoreItself(X_val, y_val, weights)])
    clf.fit(X_train, y_train, X_val=X_val, y_val=y_val, sample_weight_val=weights)
    stopping, checkpoint, itself = clf.callbacks_
    recorded = [r["roc_auc"] for r in clf.history_]
    assert recorded == itself.scores_  # the weighted score of the model at each epoch
    assert stopping.stopped_epoch_ == clf.n_iter_ < 300
    best = int(np.argmax(recorded)) + 1
    assert checkpoint.best_epoch_ == checkpoint.saved_epoch_ == best and checkpoint.best_ == stopping.best_ == max(recorded)
    saved = load(path, custom_objects={"ScoreItself": ScoreItself})
    assert saved.n_iter_ == best and [r["roc_auc"] for r in saved.history_] == recorded[:best]
    assert roc_auc_score(y_val, saved.predict_proba(X_val)[:, 1], sample_weight=weights) == max(recorded)
    # EarlyStopping ended on the best epoch's weights: those of the file
    np.testing.assert_array_equal(saved.predict_proba(X_all), clf.predict_proba(X_all))


def test_a_checkpoint_of_every_epoch_holds_the_model_of_that_epoch(tmp_path):
    recorder = Recorder(X=X_val)
    reg = NumpyMLPRegressor(hidden_layer_sizes=(8,), max_iter=5, random_state=0, early_stopping=True, callbacks=[
        ModelCheckpoint(str(tmp_path / "epoch-{epoch}.skn"), monitor="r2", save_best_only=False), recorder])
    reg.fit(X_all, X_all[:, 0] - X_all[:, 1])
    assert sorted(os.listdir(tmp_path)) == [f"epoch-{k}.skn" for k in range(1, 6)]
    for k in range(1, 6):
        saved = load(tmp_path / f"epoch-{k}.skn", custom_objects={"Recorder": Recorder})
        assert saved.n_iter_ == k and len(saved.history_) == k
        np.testing.assert_array_equal(saved.predict(X_val), reg.callbacks_[1].predictions_[k])
    assert reg.callbacks_[0].best_ == max(r["r2"] for r in reg.history_)  # a score: higher is better


def test_a_scorer_on_held_out_rows_scores_what_the_model_predicted_there(monkeypatch):
    import skneural.estimators.training as module

    held_out = {}
    real_split = module.train_test_split

    def recording_split(*arrays, **kwargs):
        parts = real_split(*arrays, **kwargs)
        held_out.update(X=parts[1], y=parts[5])
        return parts

    monkeypatch.setattr(module, "train_test_split", recording_split)
    reg = NumpyMLPRegressor(hidden_layer_sizes=(8,), max_iter=1, random_state=0, early_stopping=True,
                            callbacks=[EarlyStopping("r2")]).fit(X_all, X_all[:, 0])
    assert reg.history_[0]["r2"] == r2_score(held_out["y"], reg.predict(held_out["X"]))


# -- errors at the start of fit ------------------------------------------------------------------


@pytest.mark.parametrize("callback, match", [
    (EarlyStopping("val_los"), r"callbacks\[0\]: EarlyStopping cannot monitor 'val_los'. Did you mean "
                               r"'val_loss'\? It monitors 'loss', 'val_loss', 'val_score' or .*'roc_auc'"),
    (ModelCheckpoint("m.skn", monitor="auc"), r"ModelCheckpoint cannot monitor 'auc'.*'roc_auc'"),
    (ModelCheckpoint("model.npz"), r"names end in '.skn'"),
    (ModelCheckpoint("bad\nname.skn"), "control characters"),
])
def test_a_bad_setting_is_an_error_naming_the_valid_ones(callback, match):
    clf = NumpyMLPClassifier((4,), max_iter=2, random_state=0).fit(X_iris, y_iris)
    coefs = [c.copy() for c in clf.coefs_]
    with pytest.raises(ValueError, match=match):
        clf.set_params(callbacks=[callback]).fit(X_iris, y_iris)
    assert all(np.array_equal(a, b) for a, b in zip(coefs, clf.coefs_)) and clf.callbacks_ == []


def test_a_class_or_another_object_is_not_a_callback():
    with pytest.raises(TypeError, match=r"callbacks\[1\] is <class .*EarlyStopping'>, not a callback \(a class: "
                                        r"pass an instance, EarlyStopping\(...\)\)"):
        NumpyMLPClassifier(callbacks=[ProgressBar(), EarlyStopping]).fit(X_iris, y_iris)
    with pytest.raises(TypeError, match=r"callbacks\[0\] is 'loss', not a callback"):
        NumpyMLPClassifier(callbacks=["loss"]).fit(X_iris, y_iris)


@pytest.mark.parametrize("monitor", ["val_loss", "val_score", "roc_auc"])
def test_a_monitor_that_needs_validation_data_says_how_to_get_it(monitor):
    clf = NumpyMLPClassifier((4,), max_iter=3, callbacks=[ProgressBar(io.StringIO()), EarlyStopping(monitor)])
    with pytest.raises(ValueError, match=rf"callbacks\[1\], EarlyStopping\(monitor='{monitor}'\), monitors a value "
                                         r"measured on validation data, which this fit has none of: pass "
                                         r"early_stopping=True .* or X_val and y_val to fit, or monitor 'loss'"):
        clf.fit(X_train, y_train)
    assert not hasattr(clf, "network_") and not hasattr(clf, "callbacks_")  # nothing was trained
    clf.set_params(optimizer="lbfgs", callbacks=[ModelCheckpoint("never.skn", monitor=monitor)])
    with pytest.raises(ValueError, match="optimizer='lbfgs' takes no validation data"):
        clf.fit(X_train, y_train)
    assert not os.path.exists("never.skn")


# -- warm starts and partial_fit -----------------------------------------------------------------


class Counter(Callback):
    def on_epoch_end(self, trainer):
        self.epochs_ = getattr(self, "epochs_", 0) + 1


def test_partial_fit_goes_on_with_the_callbacks_state_and_early_stopping_says_when_to_stop():
    stopping = EarlyStopping("loss", patience=2, min_delta=1e9)  # no epoch improves by that much
    clf = NumpyMLPClassifier((8,), random_state=0, callbacks=[stopping, Counter()])
    stopped = []
    for _ in range(6):
        clf.partial_fit(X_iris, y_iris, classes=[0, 1, 2])
        stopped.append(clf.callbacks_[0].stopped_epoch_)
    # patience counts across the calls: the 4th epoch is the 3rd in a row without improvement
    assert stopped == [None, None, None, 4, 5, 6] and clf.callbacks_[1].epochs_ == 6
    assert not hasattr(stopping, "wait_")
    clf.set_params(callbacks=[EarlyStopping("loss", patience=2, min_delta=1e9), Counter()])
    clf.partial_fit(X_iris, y_iris)  # other callbacks: they start afresh
    assert clf.callbacks_[0].stopped_epoch_ is None and clf.callbacks_[1].epochs_ == 1


class MadeUpLoss(Callback):
    """Replaces each epoch's loss by the next of ``values`` (for the callbacks after it)."""

    def __init__(self, values):
        self.values = values

    def on_epoch_end(self, trainer):
        trainer.history[-1]["loss"] = self.values[trainer.epoch - 1]


def test_early_stopping_in_partial_fit_restores_the_best_weights_only_when_it_stops():
    clf = NumpyMLPClassifier((8,), random_state=0, callbacks=[
        MadeUpLoss([1.0, 5.0, 6.0, 7.0]), EarlyStopping("loss", patience=2, restore_best_weights=True)])
    params = []
    for _ in range(4):
        clf.partial_fit(X_iris, y_iris, classes=[0, 1, 2])
        params.append(clf.network_.params.copy())
    stopping = clf.callbacks_[1]
    assert stopping.stopped_epoch_ == 4 and stopping.best_ == 1.0
    np.testing.assert_array_equal(stopping.best_params_, params[0])
    # the calls that did not stop kept their own epoch's weights, and training went on from them
    assert not np.array_equal(params[1], params[0]) and not np.array_equal(params[2], params[1])
    np.testing.assert_array_equal(params[3], params[0])  # the call that stopped restored the best epoch's


def test_a_warm_start_goes_on_with_copies_of_the_trained_callbacks():
    clf = NumpyMLPClassifier((8,), max_iter=3, warm_start=True, random_state=0, callbacks=[Counter()])
    clf.fit(X_iris, y_iris)
    first = clf.callbacks_[0]
    clf.fit(X_iris, y_iris)
    assert clf.callbacks_[0] is not first and first.epochs_ == 3 and clf.callbacks_[0].epochs_ == 6
    clf.set_params(warm_start=False).fit(X_iris, y_iris)
    assert clf.callbacks_[0].epochs_ == 3


# -- ModelCheckpoint: atomic writes and the paths a file may hold --------------------------------


def test_a_checkpoint_that_fails_to_save_leaves_the_previous_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "net.skn"
    net = NeuralNetwork([4, 3, 3], optimizer="adam", random_state=0)
    Y = np.eye(3)[y_iris]
    Trainer(net, batch_size=50, max_epochs=2, callbacks=[ModelCheckpoint(str(path), monitor="loss")]).fit(X_iris, Y)
    before = path.read_bytes()

    def half_written(file, **arrays):  # NeuralNetwork.save writes in place: a half-written file, then a failure
        file.write(b"PK\x03\x04 half a file")
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", half_written)
    with pytest.raises(OSError, match="disk full"):
        Trainer(net, batch_size=50, max_epochs=2, callbacks=[ModelCheckpoint(str(path), monitor="loss")]).fit(X_iris, Y)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["net.skn"]


def test_an_estimator_whose_checkpoint_fails_is_left_as_it_was_and_so_is_the_file(tmp_path, monkeypatch):
    path = tmp_path / "best.skn"
    clf = NumpyMLPClassifier((8,), max_iter=3, warm_start=True, random_state=0,
                             callbacks=[ModelCheckpoint(str(path), monitor="loss")]).fit(X_iris, y_iris)
    before, params, trained = path.read_bytes(), clf.network_.params.copy(), clf.callbacks_[0]
    epochs = trained.best_epoch_

    def half_written(file, **arrays):
        file.write(b"PK\x03\x04 half a file")
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", half_written)
    clf.set_params(max_iter=5)
    with pytest.raises(OSError, match="disk full"):
        clf.fit(X_iris, y_iris)  # a warm start: its first epoch beats the best loss, and the save fails
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["best.skn"]
    np.testing.assert_array_equal(clf.network_.params, params)
    assert clf.callbacks_[0] is trained and trained.best_epoch_ == epochs and clf.max_iter == 5


def test_save_atomically_keeps_the_permission_bits_of_the_file_it_replaces(tmp_path):
    clf = NumpyMLPClassifier((4,), max_iter=2, random_state=0).fit(X_iris, y_iris)
    path = tmp_path / "m.skn"
    save_atomically(clf, path)
    os.chmod(path, 0o640)
    save_atomically(clf, path)
    assert (os.stat(path).st_mode & 0o777) == 0o640 and os.listdir(tmp_path) == ["m.skn"]


def _edit_callbacks(path, edit):
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    document = json.loads(str(arrays.pop("__skneural__")))
    edit(document["model"]["params"]["callbacks"])
    with open(path, "wb") as f:
        np.savez(f, **arrays, __skneural__=np.array(json.dumps(document)))


@pytest.mark.parametrize("hostile, match", [
    ("/home/victim/.bashrc", r"names end in '.skn'"),
    ("src/module.py", r"names end in '.skn'"),
    ("ok.skn\n$(curl evil)", "control characters"),
    ("a" * 2000 + ".skn", "1 to 1024 characters"),
    (["a list.skn"], "not a plain setting"),
    ({"component": "Adam", "params": {}}, "not a setting"),
])
def test_a_file_cannot_make_a_later_fit_write_anything_but_a_model_file(hostile, match, tmp_path):
    path = tmp_path / "m.skn"
    clf = NumpyMLPClassifier((4,), max_iter=2, random_state=0).fit(X_iris, y_iris)
    clf.set_params(callbacks=[ModelCheckpoint("ckpt.skn", monitor="loss")]).save(path)
    assert load(path).callbacks[0].path == "ckpt.skn"

    def edit(callbacks):
        callbacks[0]["params"]["path"] = hostile

    _edit_callbacks(path, edit)
    with pytest.raises(ValueError, match=match) as error:
        load(path)
    assert str(path) in str(error.value)


def test_a_file_cannot_give_a_callback_settings_it_does_not_take_or_a_stream(tmp_path):
    path = tmp_path / "m.skn"
    NumpyMLPClassifier((4,), max_iter=2, random_state=0, callbacks=[EarlyStopping("loss"), ProgressBar()]) \
        .fit(X_iris, y_iris).save(path)
    valid = path.read_bytes()
    for edit, match in [(lambda c: c[0]["params"].update(monitor="eval"), "cannot monitor 'eval'"),
                        (lambda c: c[0]["params"].update(patience=-1), "patience must be an int >= 0"),
                        (lambda c: c[1]["params"].update(stream="/dev/tty"), "stream must be None"),
                        (lambda c: c[0]["params"].update(hook="os.system"), "does not take"),
                        (lambda c: c.append({"component": "Adam", "params": {}}), r"callbacks\[2\] is Adam\(\)")]:
        path.write_bytes(valid)
        _edit_callbacks(path, edit)
        with pytest.raises(ValueError, match=match):
            load(path)


# -- ProgressBar ---------------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_the_progress_bar_writes_one_line_per_epoch_elsewhere_than_a_terminal():
    out = io.StringIO()
    clf = NumpyMLPClassifier((8,), max_iter=6, early_stopping=True, random_state=0, callbacks=[ProgressBar(out)])
    clf.fit(X_train, y_train)
    lines = out.getvalue().split("\n")
    assert lines[-1] == "" and "\r" not in out.getvalue()
    assert len(lines[:-1]) == 6
    for line, record in zip(lines, clf.history_):
        assert line.startswith(f"Epoch {record['epoch']}/6 - ")
        assert f"loss {record['loss']:.4g}" in line and f"val_loss {record['val_loss']:.4g}" in line
        assert f"val_score {record['val_score']:.4g}" in line and "epochs/s" in line and " left" in line


def test_the_progress_bar_rewrites_one_live_line_on_a_terminal(monkeypatch):
    monkeypatch.setattr(progress_module, "_REFRESH_SECONDS", 0.0)  # every batch redraws it
    out = Terminal()
    clf = NumpyMLPClassifier((8,), max_iter=3, batch_size=100, random_state=0, callbacks=[ProgressBar(out)])
    clf.fit(X_train, y_train)
    text = out.getvalue()
    assert text.count("\n") == 1 and text.endswith("\n")  # one line, ended when training ends
    frames = text[:-1].split("\r")[1:]
    assert frames[-1].rstrip().startswith("Epoch 3/3 - ") and f"loss {clf.loss_:.4g}" in frames[-1]
    assert any(frame.startswith("Epoch 2/3 [300/400] - ") for frame in frames)  # the running loss of a batch
    assert all(len(frame) >= len(before.rstrip()) for before, frame in zip(frames, frames[1:]))  # old text wiped


def test_the_progress_bar_of_partial_fit_gives_no_total():
    out = io.StringIO()
    clf = NumpyMLPClassifier((8,), random_state=0, callbacks=[ProgressBar(out)])
    for _ in range(2):
        clf.partial_fit(X_iris, y_iris, classes=[0, 1, 2])
    lines = out.getvalue().splitlines()
    assert [line.split(" - ")[0] for line in lines] == ["Epoch 1", "Epoch 2"] and "left" not in out.getvalue()


def test_the_progress_bar_writes_to_standard_error_by_default(capsys):
    NumpyMLPRegressor(hidden_layer_sizes=(4,), max_iter=2, random_state=0, callbacks=[ProgressBar()]).fit(X_iris, y_iris)
    assert capsys.readouterr().err.startswith("Epoch 1/2 - ")


def test_durations():
    assert [progress_module.format_duration(s) for s in (0, 59.6, 61, 3725, math.inf)] == \
        ["0:00", "1:00", "1:01", "1:02:05", "?"]


# -- round trips ---------------------------------------------------------------------------------


class StopBelow(Callback):
    """A callback of the user's: stops once the loss is below ``loss``."""

    def __init__(self, loss=0.5):
        self.loss = loss

    def on_epoch_end(self, trainer):
        trainer.stop = trainer.history[-1]["loss"] < self.loss


def all_callbacks(folder):
    return [EarlyStopping("loss", patience=3, min_delta=0.01, restore_best_weights=True),
            ModelCheckpoint(os.path.join(folder, "best.skn"), monitor="loss"), ProgressBar(), StopBelow(0.3)]


def same_callbacks(a, b):
    return [type(c) for c in a] == [type(c) for c in b] and [c.get_params() for c in a] == [c.get_params() for c in b]


def test_the_callbacks_round_trip_through_a_model_file(tmp_path):
    clf = NumpyMLPClassifier((8,), learning_rate_init=0.05, max_iter=200, random_state=0,
                             callbacks=all_callbacks(str(tmp_path)))
    clf.fit(X_iris, y_iris)
    assert clf.n_iter_ < 200
    clf.save(tmp_path / "model.skn")
    with pytest.raises(ValueError, match=r"custom_objects=\{'StopBelow': ...\}"):
        load(tmp_path / "model.skn")
    again = load(tmp_path / "model.skn", custom_objects={"StopBelow": StopBelow})
    assert same_callbacks(again.callbacks, clf.callbacks)
    assert all(a is not b for a, b in zip(again.callbacks, clf.callbacks))
    assert not hasattr(again, "callbacks_")  # the trained clones are not stored: a warm start clones afresh
    np.testing.assert_array_equal(again.predict_proba(X_iris), clf.predict_proba(X_iris))
    # and it trains with them: the loaded ModelCheckpoint writes its file
    os.remove(tmp_path / "best.skn")
    again.set_params(warm_start=True).fit(X_iris, y_iris)
    assert os.path.exists(tmp_path / "best.skn") and same_callbacks(again.callbacks_, clf.callbacks)


def test_a_progress_bar_writing_elsewhere_is_saved_writing_to_standard_error(tmp_path):
    clf = NumpyMLPClassifier((4,), max_iter=2, random_state=0, callbacks=[ProgressBar(io.StringIO())])
    clf.fit(X_iris, y_iris).save(tmp_path / "m.skn")
    assert load(tmp_path / "m.skn").callbacks[0].stream is None


def test_the_callbacks_round_trip_through_clone_and_pickle(tmp_path):
    clf = NumpyMLPClassifier((8,), learning_rate_init=0.05, max_iter=200, random_state=0,
                             callbacks=all_callbacks(str(tmp_path)))
    copy = clone(clf)
    assert same_callbacks(copy.callbacks, clf.callbacks) and all(
        a is not b for a, b in zip(copy.callbacks, clf.callbacks))
    clf.fit(X_iris, y_iris)
    again = pickle.loads(pickle.dumps(clf))
    assert same_callbacks(again.callbacks, clf.callbacks) and same_callbacks(again.callbacks_, clf.callbacks_)
    assert again.callbacks_[0].best_ == clf.callbacks_[0].best_
    assert again.callbacks_[1].best_epoch_ == clf.callbacks_[1].best_epoch_
    np.testing.assert_array_equal(again.predict_proba(X_iris), clf.predict_proba(X_iris))


def test_grid_search_with_early_stopping_callbacks():
    stopping = EarlyStopping("val_loss", patience=2, restore_best_weights=True)
    search = GridSearchCV(NumpyMLPClassifier((8,), max_iter=300, early_stopping=True, n_iter_no_change=1000,
                                             random_state=0, callbacks=[stopping]),
                          {"alpha": [1e-4, 1e-1]}, cv=2, n_jobs=1).fit(X_train, y_train)
    assert not hasattr(stopping, "best_")  # never trained itself
    best = search.best_estimator_
    assert best.callbacks[0] is not stopping and best.callbacks_[0].stopped_epoch_ == best.n_iter_ < 300
    assert best.callbacks_[0].best_ == min(r["val_loss"] for r in best.history_)


def test_skneural_callbacks_exports_the_new_names():
    assert {"EarlyStopping", "ModelCheckpoint", "ProgressBar", "Callback"} <= set(skneural.callbacks.__all__)
    assert skneural.callbacks.ModelCheckpoint is ModelCheckpoint


# -- a user's EarlyStopping and a plateau schedule are independent ------------------------------


def _plateau_settings():
    from skneural.schedules import ReduceOnPlateau

    # a tolerance no epoch meets: the estimator's own rule halves the rate every 2 epochs
    return dict(hidden_layer_sizes=(8,), optimizer="sgd", learning_rate=ReduceOnPlateau(factor=2),
                learning_rate_init=0.2, tol=0.5, n_iter_no_change=1, max_iter=12, random_state=0)


@pytest.mark.parametrize("patience", [1, 3])
def test_a_users_early_stopping_only_stops_and_never_lowers_the_rate_of_a_plateau_schedule(patience):
    alone = NumpyMLPClassifier(**_plateau_settings()).fit(X_iris, y_iris)
    rates = [r["lr"] for r in alone.history_]
    user = EarlyStopping("loss", min_delta=0.5, patience=patience)  # its plateau: the same epochs or later
    clf = NumpyMLPClassifier(**_plateau_settings(), callbacks=[user]).fit(X_iris, y_iris)
    stopping = clf.callbacks_[0]
    assert not stopping.drives_schedule and stopping.stopped_epoch_ == clf.n_iter_ < alone.n_iter_
    # the rates are those the estimator's own rule set, epoch for epoch, and it did lower them
    assert [r["lr"] for r in clf.history_] == rates[:clf.n_iter_] and min(rates[:clf.n_iter_ + 1]) < 0.2
    assert clf.optimizer_.learning_rate == rates[clf.n_iter_]  # cut once at the last plateau, not twice


def _verbose_lines(est, **fit):
    import contextlib

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        est.fit(X_iris, y_iris, **fit)
    return [line for line in out.getvalue().splitlines() if "did not improve" in line]


@pytest.mark.parametrize("learning_rate", ["constant", "adaptive"])
def test_the_estimators_own_stopping_message_is_scikit_learns(learning_rate):
    from sklearn.neural_network import MLPClassifier

    settings = dict(hidden_layer_sizes=(8,), solver="sgd", learning_rate=learning_rate, learning_rate_init=0.2,
                    tol=0.05, n_iter_no_change=2, max_iter=60, random_state=0, verbose=True)
    ours, theirs = _verbose_lines(NumpyMLPClassifier(**settings)), _verbose_lines(MLPClassifier(**settings))
    assert ours and all("tol=" in line for line in ours)
    if learning_rate == "constant":
        assert ours == theirs
    else:  # every lowering of the rate, word for word
        assert [line for line in ours if "Setting" in line] == [line for line in theirs if "Setting" in line]


@pytest.mark.parametrize("patience", [0, 2])
def test_a_users_early_stopping_message_names_min_delta_and_counts_the_epochs(patience):
    stopping = EarlyStopping("loss", min_delta=1e9, patience=patience, verbose=True)  # no epoch improves enough
    lines = _verbose_lines(NumpyMLPClassifier((8,), max_iter=20, random_state=0, callbacks=[stopping]))
    assert len(lines) == 1 and "min_delta=" in lines[0] and "tol=" not in lines[0]
    assert " 0 consecutive" not in lines[0] and lines[0].endswith("Stopping.")
    n = patience + 1  # the epochs in a row without improvement when it stopped
    assert f"for {n} epoch." in lines[0] if n == 1 else f"for {n} consecutive epochs." in lines[0]


# -- scorers that cannot score, checked before any training --------------------------------------


@pytest.fixture
def epochs_run(monkeypatch):
    import skneural.training.loop as loop

    run = []
    real = loop.run_epoch

    def counting(*args, **kwargs):
        run.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(loop, "run_epoch", counting)
    return run


def _unchanged_by_a_failed_fit(clf, callbacks, match, exception=ValueError, **fit):
    """Fit ``clf`` (fitted) again with ``callbacks``: the error matching ``match``, and ``clf`` as it was."""
    params, n_iter, history, trained = clf.network_.params.copy(), clf.n_iter_, list(clf.history_), clf.callbacks_
    clf.set_params(callbacks=callbacks, warm_start=True)
    with pytest.raises(exception, match=match) as error:
        clf.fit(X_iris, y_iris, **fit)
    np.testing.assert_array_equal(clf.network_.params, params)
    assert clf.n_iter_ == n_iter and clf.history_ == history
    assert len(clf.callbacks_) == len(trained) and all(a is b for a, b in zip(clf.callbacks_, trained))
    return error.value


@pytest.mark.parametrize("callback, suggestion", [
    (EarlyStopping("roc_auc"), "monitor 'roc_auc_ovr'"),
    (ModelCheckpoint("never.skn", monitor="roc_auc"), "monitor 'roc_auc_ovr'"),
])
def test_roc_auc_on_more_than_two_classes_fails_before_training_and_names_roc_auc_ovr(callback, suggestion,
                                                                                         epochs_run):
    clf = NumpyMLPClassifier((8,), max_iter=2, random_state=0).fit(X_iris, y_iris)
    del epochs_run[:]
    what = type(callback).__name__
    error = _unchanged_by_a_failed_fit(clf, [ProgressBar(io.StringIO()), callback],
                                       rf"callbacks\[1\], {what}\(monitor='roc_auc'\), monitors the scorer 'roc_auc'",
                                       X_val=X_iris[::3], y_val=y_iris[::3])
    assert suggestion in str(error) and "before training" in str(error) and epochs_run == []
    assert not os.path.exists("never.skn")


@pytest.mark.parametrize("scorer", ["neg_log_loss", "roc_auc_ovr", "neg_brier_score"])
def test_a_scorer_that_needs_every_class_fails_before_training_when_y_val_lacks_one(scorer, epochs_run):
    clf = NumpyMLPClassifier((8,), max_iter=2, random_state=0).fit(X_iris, y_iris)
    del epochs_run[:]
    kept = y_iris != clf.classes_[-1]
    missing = [label for label in clf.classes_.tolist() if label not in set(y_iris[kept].tolist())]
    error = _unchanged_by_a_failed_fit(clf, [EarlyStopping(scorer)], rf"EarlyStopping\(monitor='{scorer}'\)",
                                       X_val=X_iris[kept], y_val=y_iris[kept])
    assert f"lack the class(es) {missing}" in str(error) and epochs_run == []


# -- ModelCheckpoint: the folder, checked before training; errors name the path -----------------


def test_a_checkpoint_into_a_folder_that_does_not_exist_fails_before_training(tmp_path, epochs_run):
    clf = NumpyMLPClassifier((8,), max_iter=2, random_state=0).fit(X_iris, y_iris)
    del epochs_run[:]
    path = str(tmp_path / "no such folder" / "best.skn")
    error = _unchanged_by_a_failed_fit(clf, [ModelCheckpoint(path, monitor="loss")], "does not exist",
                                       exception=FileNotFoundError)
    assert repr(path) in str(error) and ".partial" not in str(error) and epochs_run == []
    (tmp_path / "a file").write_text("")
    path = str(tmp_path / "a file" / "best.skn")
    error = _unchanged_by_a_failed_fit(clf, [ModelCheckpoint(path, monitor="loss")], "is not a folder",
                                       exception=NotADirectoryError)
    assert repr(path) in str(error) and epochs_run == [] and os.listdir(tmp_path) == ["a file"]


class RemoveFolder(Callback):
    """Removes ``folder`` at the end of epoch ``epoch``."""

    def __init__(self, folder, epoch):
        self.folder, self.epoch = folder, epoch

    def on_epoch_end(self, trainer):
        if trainer.epoch == self.epoch:
            import shutil

            shutil.rmtree(self.folder)


def test_a_save_that_fails_later_names_the_path_not_the_temporary_file(tmp_path):
    folder = tmp_path / "runs"
    folder.mkdir()
    path = str(folder / "epoch-{epoch}.skn")
    clf = NumpyMLPClassifier((8,), max_iter=5, random_state=0, callbacks=[
        RemoveFolder(str(folder), 2), ModelCheckpoint(path, monitor="loss", save_best_only=False)])
    with pytest.raises(FileNotFoundError) as error:
        clf.fit(X_iris, y_iris)
    assert repr(path.replace("{epoch}", "2")) in str(error.value) and ".partial" not in str(error.value)
    assert not hasattr(clf, "network_")


def test_model_checkpoint_says_what_it_saves_in_a_pipeline_and_a_search():
    doc = " ".join(ModelCheckpoint.__doc__.split())
    assert "Pipeline" in doc and "final step" in doc and "save the whole pipeline" in doc
    assert "GridSearchCV" in doc and "cross_val_score" in doc and "{epoch}" in doc


# -- partial_fit's monitors ----------------------------------------------------------------------


@pytest.mark.parametrize("monitor", ["val_loss", "roc_auc"])
def test_partial_fit_says_it_has_no_validation_data(monitor):
    clf = NumpyMLPClassifier((8,), random_state=0, callbacks=[EarlyStopping(monitor)])
    with pytest.raises(ValueError, match=r"partial_fit has no validation data .*or monitor 'loss'") as error:
        clf.partial_fit(X_train, y_train, classes=[0, 1])
    assert "early_stopping=True (to hold out" not in str(error.value) and not hasattr(clf, "network_")


# -- weights a callback made non-finite ----------------------------------------------------------


class Poison(Callback):
    """Writes nan into the weights when training ends (after every check of the loop)."""

    def on_train_end(self, trainer):
        trainer.network.params[0] = np.nan


@pytest.mark.parametrize("optimizer", ["adam", "lbfgs"])
def test_weights_a_callback_made_non_finite_fail_the_fit_and_the_estimator_is_left_as_it_was(optimizer):
    clf = NumpyMLPClassifier((8,), optimizer=optimizer, max_iter=3, random_state=0).fit(X_iris, y_iris)
    before = clf.predict_proba(X_iris)
    _unchanged_by_a_failed_fit(clf, [Poison()], r"weights became non-finite \(nan or inf\) during training.*"
                                                r"a callback")
    np.testing.assert_array_equal(clf.predict_proba(X_iris), before)
    with pytest.raises(ValueError, match="non-finite"):
        NumpyMLPClassifier((8,), optimizer=optimizer, max_iter=3, callbacks=[Poison()]).fit(X_iris, y_iris)


# -- cosmetics -------------------------------------------------------------------------------------


@pytest.mark.parametrize("seconds_per_call", [1e-6, 1e-3, 0.3, 30.0])
def test_the_progress_bar_gives_its_speed_without_an_exponent(seconds_per_call, monkeypatch):
    import re
    import types

    clock = [0.0]

    def perf_counter():
        clock[0] += seconds_per_call
        return clock[0]

    monkeypatch.setattr(progress_module, "time", types.SimpleNamespace(perf_counter=perf_counter))
    out = io.StringIO()
    NumpyMLPClassifier((8,), max_iter=3, random_state=0, callbacks=[ProgressBar(out)]).fit(X_iris, y_iris)
    for line in out.getvalue().splitlines():
        speed = line.split(" - ")[1]
        assert re.fullmatch(r"\d[\d,]*(\.\d)? (epochs/s|s/epoch), [\d,]+ samples/s", speed), speed
    for epochs in (1, 3, 7):
        for seconds in (1e-5, 3e-3, 0.2, 1.0, 45.0, 5000.0):
            text = progress_module.format_rate(epochs, seconds)
            number, unit = text.split(" ")
            value = float(number.replace(",", ""))
            exact = epochs / seconds if unit == "epochs/s" else seconds / epochs
            assert "e" not in number and exact >= 1 and abs(value - exact) <= max(0.05, 0.01 * exact), text


def test_the_warning_about_feature_names_of_x_val_names_x_val():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(X_iris, columns=["a", "b", "c", "d"])
    for X, X_v, says in [(frame, X_iris, "X_val does not have valid feature names"),
                         (X_iris, frame, "X_val has feature names")]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            NumpyMLPClassifier((4,), max_iter=1, random_state=0).fit(X, y_iris, X_val=X_v, y_val=y_iris)
        named = [w for w in caught if "feature names" in str(w.message)]
        assert named and all(str(w.message).startswith(says) for w in named)
        assert all(w.filename == __file__ for w in named)  # pointing at the call of fit


def test_a_monitored_value_that_is_nan_fails_before_it_can_pick_weights():
    """'roc_auc' on validation labels of one class is nan (scikit-learn only warns): nothing to stop on."""
    X, y = load_breast_cancer(return_X_y=True)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    clf = NumpyMLPClassifier((8,), max_iter=10, random_state=0,
                             callbacks=[EarlyStopping("roc_auc", patience=2, restore_best_weights=True)])
    with pytest.raises(ValueError, match="'roc_auc' is nan on the validation data .before training."):
        clf.fit(X, y, X_val=X[y == 1], y_val=y[y == 1])
    assert not hasattr(clf, "network_")
    stopping = EarlyStopping("val_loss", patience=2)
    stopping.on_train_begin(None)

    class Record:
        epoch = 1
        history = [{"epoch": 1, "loss": 1.0, "val_loss": float("nan")}]
    with pytest.raises(ValueError, match="EarlyStopping monitors 'val_loss', which is nan after epoch 1"):
        stopping.on_epoch_end(Record())


def test_lbfgs_calls_only_the_batch_hooks_an_object_has():
    class OnlyEnd:
        def get_params(self, deep=True):
            return {}

        def on_batch_end(self, trainer, done, n, loss):
            self.calls = getattr(self, "calls", 0) + 1

    clf = NumpyMLPClassifier((8,), optimizer="lbfgs", max_iter=5, random_state=0, callbacks=[OnlyEnd()])
    clf.fit(X_iris, y_iris)
    assert clf.callbacks_[0].calls >= clf.n_iter_  # one evaluation of the loss at least per iteration
