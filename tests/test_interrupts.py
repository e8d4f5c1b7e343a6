"""Ctrl-C never swallows a user's intent (issue 12), with real SIGINTs sent from inside training.

skneural defers a first Ctrl-C to the end of the current batch only over Python's default
handler, in the main thread; the second one (in any later training call, until one completes
uninterrupted) raises KeyboardInterrupt at once; partial_fit and the command line never keep a
partly trained model.
"""

import csv
import os
import signal
import warnings

import numpy as np
import pytest
import sklearn
from sklearn.datasets import load_iris, make_classification

from conftest import squared_error_pair
from skneural import Adam, NeuralNetwork, NumpyMLPClassifier, NumpyMLPRegressor, TrainingInterrupted
from skneural.training.callbacks import EarlyStopping
from skneural.cli import main

X, Y = make_classification(n_samples=60, n_features=4, n_informative=3, n_redundant=0, random_state=0)
PARAMS = dict(hidden_layer_sizes=(5,), batch_size=20, tol=0, random_state=0)  # three batches an epoch


class Presses:
    """Counts optimizer updates over a whole test (the estimators train clones of the optimizer)
    and sends ``at[k]`` SIGINTs to this process just after the k-th update."""

    def __init__(self):
        self.at, self.updates, self.handlers = {}, 0, []

    def after_update(self):
        self.updates += 1
        self.handlers.append(signal.getsignal(signal.SIGINT))
        for _ in range(self.at.get(self.updates, 0)):
            signal.raise_signal(signal.SIGINT)


PRESSES = Presses()


class CtrlCAdam(Adam):
    """Adam, pressing Ctrl-C at the moments ``PRESSES.at`` chooses."""

    def update(self, old_params, gradient):
        new = super().update(old_params, gradient)
        PRESSES.after_update()
        return new


@pytest.fixture(autouse=True)
def default_handler():
    """Python's own SIGINT handler, as in a fresh interpreter, and a fresh count of updates."""
    global PRESSES
    PRESSES = Presses()
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def press(at):
    """Ctrl-C ``n`` times just after the ``k``-th update from now, for each ``k: n`` of ``at``."""
    PRESSES.at = {PRESSES.updates + k: n for k, n in at.items()}


def clf(**params):
    return NumpyMLPClassifier(optimizer=CtrlCAdam(), **{**PARAMS, **params})


def fit_quietly(est, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an interrupt's warning fails the test
        warnings.filterwarnings("ignore", "Stochastic Optimizer: Maximum iterations")
        return est.fit(*args)


def interrupted_warning():
    return pytest.warns(UserWarning, match="Training interrupted by user")


def assert_default_handler():
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def state(est):
    """Everything fitting may change, copied: the fitted attributes, the weights, the optimizer's state."""
    fitted = {k: v for k, v in vars(est).items() if k.endswith("_") or k.startswith("_")}
    network = fitted.pop("network_", None)
    fitted.pop("_random_state", None)  # a RandomState: compared through what it draws below
    out = {"keys": sorted(vars(est)), "fitted": repr(fitted)}
    if network is not None:
        out["params"] = network.params.copy()
        out["optimizer"] = {k: np.copy(v) for k, v in vars(network.optimizer).items() if k.endswith("_")}
    return out


def assert_same_state(now, then):
    assert now["keys"] == then["keys"] and now["fitted"] == then["fitted"]
    if "params" in then:
        assert now["params"].tobytes() == then["params"].tobytes()  # bit for bit
        assert now["optimizer"].keys() == then["optimizer"].keys()
        for name, value in then["optimizer"].items():
            np.testing.assert_array_equal(now["optimizer"][name], value)


# -- whose handler ------------------------------------------------------------------------------------


def test_with_ctrl_c_ignored_fit_runs_to_the_end_and_installs_nothing():
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # as for a shell's background job
    press({4: 1, 5: 2})
    est = fit_quietly(clf(max_iter=6), X, Y)
    assert est.n_iter_ == 6 and PRESSES.updates == 18
    assert set(PRESSES.handlers) == {signal.SIG_IGN}  # ours was never installed
    assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN


def test_a_users_handler_is_called_and_ours_never_installed():
    calls = []

    def mine(signum, frame):
        calls.append(signum)

    signal.signal(signal.SIGINT, mine)
    press({4: 1, 8: 1})
    est = fit_quietly(clf(max_iter=5), X, Y)
    assert est.n_iter_ == 5 and calls == [signal.SIGINT, signal.SIGINT]
    assert set(PRESSES.handlers) == {mine}
    assert signal.getsignal(signal.SIGINT) is mine
    net = NeuralNetwork([4, 3, 1], optimizer=CtrlCAdam(), random_state=0)
    press({2: 1})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(net.fit(X, Y, batch_size=20, epochs=3)) == 3
    assert len(calls) == 3 and signal.getsignal(signal.SIGINT) is mine


# -- the first Ctrl-C: graceful ------------------------------------------------------------------------


def test_one_ctrl_c_stops_fit_at_the_end_of_the_batch_and_keeps_the_model():
    press({8: 1})  # the 2nd batch of epoch 3
    with interrupted_warning():
        est = clf(max_iter=50).fit(X, Y)
    assert_default_handler()
    assert est.n_iter_ == 2 and len(est.loss_curve_) == 2 and PRESSES.updates == 8  # the batch ran to its end
    reference = fit_quietly(clf(max_iter=2), X, Y)
    assert est.network_.params.tobytes() == reference.network_.params.tobytes()
    assert est.optimizer_.t_ == 6  # the interrupted epoch is undone, optimizer state too
    assert np.all(np.isfinite(est.predict_proba(X)))


def test_neural_network_fit_stops_gracefully_and_a_second_ctrl_c_propagates():
    net = NeuralNetwork([4, 3, 1], optimizer=CtrlCAdam(), random_state=0)
    press({5: 1})  # the 2nd batch of epoch 2
    with interrupted_warning():
        history = net.fit(X, Y, batch_size=20, epochs=10)
    assert_default_handler()
    after_one_epoch = net.params.copy()

    press({5: 1})  # the next Ctrl-C, in a later call (after an epoch completed): at once
    with pytest.raises(KeyboardInterrupt) as caught:
        net.fit(X, Y, batch_size=20, epochs=10)
    assert type(caught.value) is KeyboardInterrupt and PRESSES.updates == 10
    assert_default_handler()

    # after an uninterrupted fit (this one), the parameters of the first were its first epoch's
    reference = NeuralNetwork([4, 3, 1], optimizer=Adam(), random_state=0)
    assert history == reference.fit(X, Y, batch_size=20, epochs=1) and len(history) == 1
    assert after_one_epoch.tobytes() == reference.params.tobytes()


def test_a_ctrl_c_alone_in_train_epoch_is_a_training_interrupted():
    net = NeuralNetwork([4, 3, 1], optimizer=CtrlCAdam(), random_state=0)
    x, y = X, Y.reshape(-1, 1).astype(float)
    before = net.params.copy()
    press({2: 1})
    with pytest.raises(TrainingInterrupted):
        net.train_epoch(x, y, batch_size=20)
    assert PRESSES.updates == 2 and net.params.tobytes() == before.tobytes()  # the epoch is undone
    assert_default_handler()


# -- the second Ctrl-C: at once, never swallowed ------------------------------------------------------------


@pytest.mark.parametrize("warm_start", [False, True])
def test_two_ctrl_c_in_one_batch_propagate_and_leave_the_estimator_as_it_was(warm_start):
    est = clf(max_iter=3, warm_start=warm_start)
    if warm_start:
        fit_quietly(est, X, Y)  # 9 updates
    before = state(est)
    press({5: 2})  # the 2nd batch of the next fit's 2nd epoch
    with pytest.raises(KeyboardInterrupt) as caught:
        est.fit(X, Y)
    assert type(caught.value) is KeyboardInterrupt  # not the graceful TrainingInterrupted
    assert_default_handler()
    assert_same_state(state(est), before)
    if warm_start:
        fit_quietly(est, X, Y)  # and it trains on from there as if never interrupted
        reference = fit_quietly(fit_quietly(clf(max_iter=3, warm_start=True), X, Y), X, Y)
        assert est.network_.params.tobytes() == reference.network_.params.tobytes()
    else:
        assert not hasattr(est, "network_")


def test_ctrl_c_in_one_fit_then_in_the_next_stops_the_loop():
    press({4: 1, 13: 1})  # fit 1's 2nd epoch; fit 2's 3rd epoch (two of its epochs completed before)
    fitted = []
    with interrupted_warning(), pytest.raises(KeyboardInterrupt) as caught:
        for seed in range(5):  # as GridSearchCV or a loop of fits
            est = clf(max_iter=10, random_state=seed)
            est.fit(X, Y)
            fitted.append(est)
    assert type(caught.value) is KeyboardInterrupt
    assert len(fitted) == 1 and fitted[0].n_iter_ == 1
    assert not hasattr(est, "network_")  # fit 2 left as it was: unfitted
    assert PRESSES.updates == 13
    assert_default_handler()


def test_after_an_uninterrupted_fit_a_ctrl_c_is_graceful_again():
    press({4: 1, 16: 1})  # fit 1's 2nd epoch, fit 3's 2nd epoch (fit 2: updates 5 to 10)
    with interrupted_warning():
        first = clf(max_iter=4).fit(X, Y)
    second = fit_quietly(clf(max_iter=2), X, Y)
    with interrupted_warning():
        third = clf(max_iter=4).fit(X, Y)
    assert (first.n_iter_, second.n_iter_, third.n_iter_) == (1, 2, 1)
    assert_default_handler()


# -- partial_fit -------------------------------------------------------------------------------------------


def test_a_loop_of_partial_fit_stops_at_the_first_ctrl_c_with_the_model_before_that_call():
    est = clf()
    press({11: 1})  # the 2nd batch of the 4th call
    completed, before = 0, None
    with pytest.raises(KeyboardInterrupt) as caught:
        for _ in range(60):
            before = state(est)
            est.partial_fit(X, Y, classes=[0, 1])
            completed += 1
    assert type(caught.value) is KeyboardInterrupt
    assert completed == 3 and PRESSES.updates == 11  # the batch ran to its end
    assert_same_state(state(est), before)
    assert est.n_iter_ == 3 and est.optimizer_.t_ == 9
    assert_default_handler()


def test_a_ctrl_c_between_batches_of_partial_fit_is_not_lost(monkeypatch):
    est = clf()
    est.partial_fit(X, Y, classes=[0, 1])
    before = state(est)
    # after the epoch's last batch was checked, while the epoch is being recorded
    ctrl_c_in(monkeypatch, EarlyStopping, "on_epoch_end", at_call=1)
    with pytest.raises(KeyboardInterrupt) as caught:
        est.partial_fit(X, Y)
    assert type(caught.value) is KeyboardInterrupt
    assert_same_state(state(est), before)
    assert_default_handler()


# -- lbfgs --------------------------------------------------------------------------------------------------


def lbfgs_regressor(presses, at_call):
    """A regressor whose loss sends ``presses`` SIGINTs at its ``at_call``-th evaluation, and the list
    of the losses of the evaluations that ran to their end."""
    seen = []
    loss, d_loss, _ = squared_error_pair(at_call, lambda: [signal.raise_signal(signal.SIGINT)
                                                           for _ in range(presses)])

    def recorded(y_pred, y_true):
        values = loss(y_pred, y_true)
        seen.append(float(values.mean()))
        return values

    reg = NumpyMLPRegressor(loss=(recorded, d_loss), hidden_layer_sizes=(5,), optimizer="lbfgs", alpha=0.0,
                            max_iter=200, random_state=0)
    return reg, seen


def test_lbfgs_stops_gracefully_with_the_best_parameters_seen():
    reg, seen = lbfgs_regressor(1, at_call=8)
    with interrupted_warning():
        reg.fit(X, X[:, 0])
    assert_default_handler()
    assert len(seen) == 8  # the signalled evaluation ran to its end, and training stopped there
    assert reg.loss_ == pytest.approx(min(seen)) and min(seen) < seen[0] and reg.n_iter_ < 200
    assert reg.network_.compute_loss(X, X[:, :1]) == pytest.approx(reg.loss_)
    assert np.all(np.isfinite(reg.predict(X)))


def test_lbfgs_stops_at_once_on_a_second_ctrl_c():
    reg, seen = lbfgs_regressor(2, at_call=8)
    with pytest.raises(KeyboardInterrupt) as caught:
        reg.fit(X, X[:, 0])
    assert type(caught.value) is KeyboardInterrupt and len(seen) == 7
    assert not hasattr(reg, "network_")
    assert_default_handler()


# -- the command line -----------------------------------------------------------------------------------------


@pytest.fixture
def iris_csv(tmp_path):
    data = load_iris()
    path = tmp_path / "iris.csv"
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["a", "b", "c", "d", "species"])
        writer.writerows([*x, t] for x, t in zip(data.data, data.target))
    return str(path)


def ctrl_c_in(monkeypatch, cls, name, at_call):
    """Send SIGINT from inside ``cls.name`` on its ``at_call``-th call."""
    original, calls = getattr(cls, name), []

    def signalling(*args, **kwargs):
        calls.append(1)
        if len(calls) == at_call:
            signal.raise_signal(signal.SIGINT)
        return original(*args, **kwargs)

    monkeypatch.setattr(cls, name, signalling)
    return calls


def test_cli_train_interrupted_saves_nothing_and_exits_130(iris_csv, tmp_path, monkeypatch, capsys):
    out = str(tmp_path / "model.skn")
    calls = ctrl_c_in(monkeypatch, NeuralNetwork, "train_batch", at_call=3)
    assert main(["train", iris_csv, "--target", "species", "--hidden", "5", "--max-iter", "50",
                 "--out", out]) == 130
    assert not os.path.exists(out) and len(calls) == 3  # stopped at once, in the signalled batch
    err = capsys.readouterr().err
    assert err == "skneural: interrupted; no model was saved\n"
    assert_default_handler()


def test_cli_train_with_ctrl_c_ignored_runs_to_the_end(iris_csv, tmp_path, monkeypatch, capsys):
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    out = str(tmp_path / "model.skn")
    ctrl_c_in(monkeypatch, NeuralNetwork, "train_batch", at_call=3)
    assert main(["train", iris_csv, "--target", "species", "--hidden", "5", "--max-iter", "5",
                 "--out", out]) == 0
    assert os.path.exists(out) and signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    printed = capsys.readouterr().out
    assert "Epoch 5/5 - " in printed and "interrupted" not in printed


def test_cli_predict_interrupted_exits_130(iris_csv, tmp_path, monkeypatch, capsys):
    model = str(tmp_path / "model.skn")
    assert main(["train", iris_csv, "--target", "species", "--hidden", "5", "--max-iter", "5",
                 "--out", model]) == 0
    capsys.readouterr()
    ctrl_c_in(monkeypatch, NeuralNetwork, "output", at_call=1)
    assert main(["predict", model, iris_csv]) == 130
    out, err = capsys.readouterr()
    assert err == "skneural: interrupted\n" and "predicted_species" not in out
    assert_default_handler()


# -- predict_log_proba overflows as predict_proba does --------------------------------------------------------


@pytest.mark.parametrize("kind", ["multiclass", "binary", "multilabel"])
def test_predict_log_proba_raises_where_predict_proba_overflows(kind):
    iris_X, iris_y = load_iris(return_X_y=True)
    y = {"multiclass": iris_y, "binary": iris_y == 0,
         "multilabel": np.c_[iris_y == 0, iris_y == 1].astype(int)}[kind]
    est = fit_quietly(NumpyMLPClassifier((10,), activation="exp", max_iter=20, random_state=0), iris_X, y)
    with np.errstate(divide="ignore"):
        np.testing.assert_array_equal(est.predict_log_proba(iris_X), np.log(est.predict_proba(iris_X)))
    huge = iris_X * 1e200
    assert np.all(np.isfinite(huge @ est.coefs_[0]))  # the first layer does not overflow; a later one does
    with pytest.raises(ValueError, match="The network's outputs overflow for this X"):
        est.predict_proba(huge)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning on the way either
        with pytest.raises(ValueError, match="The network's outputs overflow for this X"):
            est.predict_log_proba(huge)
    with sklearn.config_context(assume_finite=True):  # unchecked, as predict_proba is
        est.predict_proba(huge)
        est.predict_log_proba(huge)
