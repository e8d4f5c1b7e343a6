"""Drop-in fidelity: what a scikit-learn user does in the first hour behaves as with scikit-learn's
MLP, checked against scikit-learn run in the same test."""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_iris, make_classification, make_multilabel_classification
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skneural import SGD, Adam, NumpyMLPClassifier, NumpyMLPRegressor
from skneural.optimizers import OPTIMIZERS

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
QUIET = dict(max_iter=20, random_state=0)


@pytest.fixture(autouse=True)
def _no_convergence_noise():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*Maximum iterations.*")
        yield


# -- optimizer__<setting> with a named optimizer --------------------------------------------------


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_optimizer_learning_rate_means_learning_rate_init_for_every_named_optimizer(name):
    est = NumpyMLPClassifier(optimizer=name, hidden_layer_sizes=(5,), max_iter=2, random_state=0)
    est.set_params(optimizer__learning_rate=0.0123)
    assert est.learning_rate_init == 0.0123
    assert "optimizer__learning_rate" not in est.get_params()  # an alias, not a parameter of its own
    assert clone(est).learning_rate_init == 0.0123
    same = NumpyMLPClassifier(optimizer=name, hidden_layer_sizes=(5,), max_iter=2, random_state=0,
                              learning_rate_init=0.0123)
    est.fit(X_IRIS, Y_IRIS)
    same.fit(X_IRIS, Y_IRIS)
    assert est.optimizer_.learning_rate == 0.0123
    np.testing.assert_array_equal(est.predict_proba(X_IRIS), same.predict_proba(X_IRIS))


def test_grid_search_over_optimizer_learning_rate_with_the_default_optimizer():
    grid = {"optimizer__learning_rate": [1e-3, 3e-2]}
    by_setting = GridSearchCV(NumpyMLPClassifier(hidden_layer_sizes=(8,), **QUIET), grid, cv=3).fit(X_IRIS, Y_IRIS)
    by_param = GridSearchCV(NumpyMLPClassifier(hidden_layer_sizes=(8,), **QUIET),
                            {"learning_rate_init": [1e-3, 3e-2]}, cv=3).fit(X_IRIS, Y_IRIS)
    np.testing.assert_array_equal(by_setting.cv_results_["mean_test_score"],
                                  by_param.cv_results_["mean_test_score"])
    assert by_setting.best_params_["optimizer__learning_rate"] == by_param.best_params_["learning_rate_init"]


def test_nested_names_through_a_pipeline_and_with_other_settings():
    pipe = make_pipeline(StandardScaler(), NumpyMLPClassifier(optimizer="sgd"))
    pipe.set_params(numpymlpclassifier__optimizer__momentum=0.5, numpymlpclassifier__optimizer__nesterov=False)
    mlp = pipe[-1]
    assert (mlp.momentum, mlp.nesterovs_momentum) == (0.5, False)
    assert pipe.get_params()["numpymlpclassifier__momentum"] == 0.5
    # the optimizer named in the same call decides what the setting means
    est = NumpyMLPClassifier().set_params(optimizer="sgd", optimizer__momentum=0.3)
    assert est.momentum == 0.3


def test_nested_names_the_named_optimizer_does_not_take_are_errors():
    with pytest.raises(ValueError, match="'rmsprop' takes only 'learning_rate', 'epsilon' this way. Pass an "
                                         r"optimizer object for its other settings, e.g. optimizer=RMSprop\(...\)"):
        NumpyMLPClassifier(optimizer="rmsprop").set_params(optimizer__rho=0.5)
    # lbfgs takes them and ignores them, as scikit-learn's lbfgs ignores learning_rate_init: a grid
    # over optimizers and learning rates works as the same grid over learning_rate_init does
    assert NumpyMLPRegressor(optimizer="lbfgs").set_params(optimizer__learning_rate=0.1).learning_rate_init == 0.1
    grid = {"optimizer": ["lbfgs", "adam"], "optimizer__learning_rate": [1e-3, 1e-2]}
    search = GridSearchCV(NumpyMLPClassifier(hidden_layer_sizes=(4,), **QUIET), grid, cv=2, error_score="raise")
    assert len(search.fit(X_IRIS, Y_IRIS).cv_results_["params"]) == 4
    with pytest.raises(ValueError, match="set the same parameter"):
        NumpyMLPClassifier().set_params(optimizer__learning_rate=0.1, learning_rate_init=0.2)


def test_nested_names_of_an_optimizer_object_set_the_object():
    est = NumpyMLPClassifier(optimizer=Adam()).set_params(optimizer__learning_rate=0.05)
    assert est.optimizer.learning_rate == 0.05 and est.learning_rate_init == 0.001
    assert est.get_params()["optimizer__learning_rate"] == 0.05


class MyMLP(NumpyMLPClassifier):
    """A subclass with an __init__ of its own, as users write them."""

    def __init__(self, hidden_layer_sizes=(7,), optimizer="adam", learning_rate_init=0.001, max_iter=5):
        super().__init__(hidden_layer_sizes=hidden_layer_sizes, optimizer=optimizer,
                         learning_rate_init=learning_rate_init, max_iter=max_iter)


def test_subclasses_with_their_own_init_keep_working():
    est = MyMLP().set_params(optimizer__learning_rate=0.01)
    assert est.learning_rate_init == 0.01
    est.set_params(**est.get_params())
    with pytest.warns(UserWarning, match="learning_rate_init=0.01 is ignored"):
        clone(est).set_params(optimizer=Adam()).fit(X_IRIS, Y_IRIS)


# -- a target with a single class --------------------------------------------------------------


@pytest.mark.parametrize("label", [7, "only"])
def test_a_single_class_is_fitted_as_scikit_learn_fits_it(label):
    X = np.random.RandomState(0).rand(30, 3)
    y = np.array([label] * 30, dtype=object if isinstance(label, str) else int)
    ours = NumpyMLPClassifier(**QUIET).fit(X, y)
    theirs = MLPClassifier(**QUIET).fit(X, y)
    np.testing.assert_array_equal(ours.classes_, theirs.classes_)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    assert ours.n_outputs_ == theirs.n_outputs_ and ours.out_activation_ == theirs.out_activation_
    assert ours.predict_proba(X).shape == theirs.predict_proba(X).shape
    np.testing.assert_allclose(ours.predict_proba(X).sum(axis=1), 1)
    assert ours.score(X, y) == theirs.score(X, y) == 1.0
    # a cross-validation fold or a filtered subset with one class, with early stopping too
    NumpyMLPClassifier(early_stopping=True, **QUIET).fit(X, y)
    MLPClassifier(early_stopping=True, **QUIET).fit(X, y)
    # and with partial_fit
    part = NumpyMLPClassifier(random_state=0).partial_fit(X, y, classes=[label])
    np.testing.assert_array_equal(part.predict(X), MLPClassifier(random_state=0).partial_fit(X, y, classes=[label])
                                  .predict(X))


def test_a_single_class_with_a_softmax_output_predicts_that_class():
    X = np.random.RandomState(0).rand(30, 3)
    est = NumpyMLPClassifier(output_activation="softmax", loss="categorical_crossentropy", **QUIET)
    est.fit(X, ["a"] * 30)
    assert set(est.predict(X)) == {"a"} and est.predict_proba(X).shape == (30, 2)


# -- predict_log_proba ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["multiclass", "binary", "multilabel"])
def test_predict_log_proba_is_log_of_predict_proba_and_keeps_its_argmax(kind):
    if kind == "multilabel":
        X, y = make_multilabel_classification(n_samples=60, random_state=0)
    else:
        X, y = make_classification(n_samples=80, n_informative=4, n_classes=3 if kind == "multiclass" else 2,
                                   random_state=0)
    est = NumpyMLPClassifier(max_iter=60, random_state=0).fit(X, y)
    est.coefs_[-1][...] *= 1e3  # confident outputs: probabilities that round to 0 and 1
    proba = est.predict_proba(X)
    log_proba = est.predict_log_proba(X)
    with np.errstate(divide="ignore"):
        np.testing.assert_array_equal(log_proba, np.log(proba))
    np.testing.assert_array_equal(log_proba.argmax(axis=1), proba.argmax(axis=1))
    assert ((proba == 0) | (proba == 1)).any()  # the case that used to disagree is there


def test_predict_log_proba_ties_as_scikit_learn():
    # probabilities that round to equal values keep predict_proba's argmax, as np.log does in scikit-learn
    est = NumpyMLPClassifier(hidden_layer_sizes=(3,), max_iter=1, random_state=0).fit(X_IRIS, Y_IRIS)
    est.coefs_[-1][...] = 0
    est.intercepts_[-1][...] = [1e-17, 0, 0]  # logits differing below the precision of the probabilities
    proba, log_proba = est.predict_proba(X_IRIS[:5]), est.predict_log_proba(X_IRIS[:5])
    assert (proba[:, 0] == proba[:, 1]).all()
    np.testing.assert_array_equal(log_proba.argmax(axis=1), proba.argmax(axis=1))


# -- errors and warnings ---------------------------------------------------------------------------


def test_early_stopping_on_small_stratified_data_raises_scikit_learns_error_first():
    X, y = [[1, 2], [2, 3], [3, 4], [4, 5]], [0, 0, 0, 1]
    with pytest.raises(ValueError) as theirs:
        MLPClassifier(early_stopping=True).fit(X, y)
    with pytest.raises(ValueError) as ours:
        NumpyMLPClassifier(early_stopping=True).fit(X, y)
    assert str(ours.value) == str(theirs.value)


def test_a_validation_set_of_one_sample_is_still_refused_after_the_split():
    X, y = np.arange(20.0).reshape(-1, 1), np.arange(20.0)
    with pytest.raises(ValueError, match="The validation set is too small"):
        MLPRegressor(early_stopping=True, validation_fraction=0.05).fit(X, y)
    with pytest.raises(ValueError, match=r"The validation set is too small \(1 of 20 samples"):
        NumpyMLPRegressor(early_stopping=True, validation_fraction=0.05).fit(X, y)


@pytest.mark.parametrize("optimizer", [Adam(), SGD(momentum=0.5)])
def test_settings_an_optimizer_object_overrides_are_named_once_per_fit(optimizer):
    est = NumpyMLPClassifier(optimizer=optimizer, learning_rate_init=0.5, beta_1=0.8, hidden_layer_sizes=(4,),
                             max_iter=3, random_state=0)
    with pytest.warns(UserWarning, match=r"learning_rate_init=0.5, beta_1=0.8 are ignored: the optimizer object") \
            as caught:
        est.fit(X_IRIS, Y_IRIS)
    mine = [w for w in caught if "are ignored" in str(w.message)]
    assert len(mine) == 1 and mine[0].filename == __file__  # it points at the caller's line
    assert est.optimizer_.learning_rate == optimizer.learning_rate  # ignored indeed
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*ignored: the optimizer object")
        NumpyMLPClassifier(optimizer=Adam(), hidden_layer_sizes=(4,), max_iter=3, random_state=0).fit(X_IRIS, Y_IRIS)
        NumpyMLPClassifier(optimizer="adam", learning_rate_init=0.5, hidden_layer_sizes=(4,), max_iter=3,
                           random_state=0).fit(X_IRIS, Y_IRIS)


@pytest.mark.parametrize("params, close", [
    (dict(activation="ReLU"), "relu"), (dict(optimizer="Adam"), "adam"), (dict(solver="SGD"), "sgd"),
    (dict(loss="Squared_Error"), "squared_error"), (dict(activation="tahn"), "tanh"),
])
def test_an_unknown_name_suggests_the_close_one(params, close):
    make = NumpyMLPRegressor
    with pytest.raises(ValueError, match=f"Did you mean '{close}'\\? Valid names are"):
        make(max_iter=1, **params).fit(X_IRIS, Y_IRIS)


def test_cross_val_score_matches_scikit_learn_closely_on_iris():
    pipe_ours = make_pipeline(StandardScaler(), NumpyMLPClassifier(max_iter=300, random_state=0))
    pipe_theirs = make_pipeline(StandardScaler(), MLPClassifier(max_iter=300, random_state=0))
    ours = cross_val_score(pipe_ours, X_IRIS, Y_IRIS, cv=5).mean()
    theirs = cross_val_score(pipe_theirs, X_IRIS, Y_IRIS, cv=5).mean()
    assert abs(ours - theirs) < 0.03


# -- the same training, step for step ----------------------------------------------------------------


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
@pytest.mark.parametrize("early_stopping", [False, True])
def test_the_same_settings_and_seed_train_scikit_learns_weights(solver, early_stopping):
    # same initial weights (glorot_uniform), the same shuffling (each epoch reshuffles the last one's
    # order) and the same updates: the weights agree to rounding after several epochs
    from sklearn.datasets import load_diabetes, load_digits
    from sklearn.preprocessing import scale

    X, y = load_digits(return_X_y=True)
    Xr, yr = load_diabetes(return_X_y=True)
    settings = dict(hidden_layer_sizes=(16,), max_iter=8, random_state=0, solver=solver,
                    early_stopping=early_stopping, alpha=1e-3)
    for ours, theirs, data in [(NumpyMLPClassifier, MLPClassifier, (X[:500] / 16, y[:500])),
                               (NumpyMLPRegressor, MLPRegressor, (scale(Xr), scale(yr)))]:
        a, b = ours(**settings).fit(*data), theirs(**settings).fit(*data)
        assert a.n_iter_ == b.n_iter_
        for mine, its in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
            np.testing.assert_allclose(mine, its, rtol=0, atol=1e-9)
        np.testing.assert_allclose(a.loss_curve_ if solver != "lbfgs" else a.loss_,
                                   b.loss_curve_ if solver != "lbfgs" else b.loss_, rtol=1e-9)


def test_sample_weights_train_as_scikit_learn_trains_with_them():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X, y = X[:400] / 16, y[:400]
    weights = np.random.RandomState(0).uniform(0, 3, len(y))
    settings = dict(hidden_layer_sizes=(16,), max_iter=60, random_state=0, n_iter_no_change=3, tol=0.05)
    a = NumpyMLPClassifier(**settings).fit(X, y, sample_weight=weights)
    b = MLPClassifier(**settings).fit(X, y, sample_weight=weights)
    assert a.n_iter_ == b.n_iter_ < 60  # the same epoch losses stop both at the same epoch
    np.testing.assert_allclose(a.loss_curve_, b.loss_curve_, rtol=1e-9)
    for mine, its in zip(a.coefs_, b.coefs_):
        np.testing.assert_allclose(mine, its, rtol=0, atol=1e-9)


def test_a_loss_spike_that_training_recovers_from_is_not_divergence():
    # epoch 2's loss is 70 times epoch 1's; scikit-learn carries on and fits well, and so must we
    ours = NumpyMLPRegressor(learning_rate_init=0.1, random_state=0).fit(X_IRIS, Y_IRIS)
    theirs = MLPRegressor(learning_rate_init=0.1, random_state=0).fit(X_IRIS, Y_IRIS)
    assert max(ours.loss_curve_) > 50 * ours.loss_curve_[0]
    assert ours.n_iter_ == theirs.n_iter_
    np.testing.assert_allclose(ours.score(X_IRIS, Y_IRIS), theirs.score(X_IRIS, Y_IRIS), rtol=1e-9)
