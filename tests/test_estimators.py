import pickle
import warnings

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.datasets import load_digits, make_classification, make_multilabel_classification, make_regression
from sklearn.exceptions import ConvergenceWarning, DataConversionWarning, NotFittedError
from sklearn.metrics import recall_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from conftest import softmax_pair, squared_error_pair
from skneural import SGD, Adam, NumpyMLPClassifier, NumpyMLPRegressor
from skneural.activations import ActivationFunction

ESTIMATORS = [NumpyMLPClassifier, NumpyMLPRegressor]


class Swish(ActivationFunction):
    """A user-written activation: x * sigmoid(beta * x)."""

    def __init__(self, beta=1.0):
        self.beta = beta

    def __call__(self, x):
        return x / (1 + np.exp(-self.beta * x))

    def derivative(self, x):
        s = 1 / (1 + np.exp(-self.beta * x))
        return s + self.beta * x * s * (1 - s)


class SignDescent:
    """A user-written optimizer: a fixed step against the gradient's sign."""

    def __init__(self, learning_rate=0.01):
        self.learning_rate = learning_rate

    def get_params(self, deep=True):
        return {"learning_rate": self.learning_rate}

    def set_params(self, **params):
        for key, value in params.items():
            setattr(self, key, value)
        return self

    def update(self, old_params, gradient):
        return old_params - self.learning_rate * np.sign(gradient)


@pytest.fixture(scope="module")
def blobs():
    X, y = make_classification(n_samples=300, n_features=8, n_informative=5, n_classes=3,
                               random_state=0)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def regression():
    X, y = make_regression(n_samples=200, n_features=6, n_targets=2, noise=1.0, random_state=0)
    return StandardScaler().fit_transform(X), y / np.std(y, axis=0)


# -- parameters ---------------------------------------------------------------------------


@pytest.mark.parametrize("ours, theirs", [(NumpyMLPClassifier, MLPClassifier), (NumpyMLPRegressor, MLPRegressor)])
def test_every_scikit_learn_parameter_with_the_same_default(ours, theirs):
    mine = ours().get_params()
    for name, default in theirs().get_params().items():
        name = "optimizer" if name == "solver" else name
        assert name in mine, name
        if name not in ("loss",) or ours is NumpyMLPRegressor:
            assert mine[name] == default, name


def test_code_for_scikit_learn_runs_after_renaming(blobs):
    X, y = blobs
    kwargs = dict(hidden_layer_sizes=(30, 20), activation="logistic", alpha=1e-3, batch_size=50,
                  learning_rate="invscaling", learning_rate_init=0.05, power_t=0.4, max_iter=30,
                  shuffle=True, random_state=1, tol=1e-5, verbose=False, warm_start=False, momentum=0.8,
                  nesterovs_momentum=False, early_stopping=True, validation_fraction=0.2, beta_1=0.8,
                  beta_2=0.99, epsilon=1e-7, n_iter_no_change=5, max_fun=100)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = NumpyMLPClassifier(optimizer="sgd", **kwargs).fit(X, y)
        theirs = MLPClassifier(solver="sgd", **kwargs).fit(X, y)
    assert clf.score(X, y) >= theirs.score(X, y) - 0.05
    assert clf.n_layers_ == 4 and [c.shape for c in clf.coefs_] == [(8, 30), (30, 20), (20, 3)]


@pytest.mark.parametrize("params, message", [
    (dict(activation="qwerty"), "Unknown activation 'qwerty'. Valid names are: 'elu', "),
    (dict(output_activation="soft_max"), "Invalid 'output_activation' parameter.*Unknown activation"),
    (dict(loss="log"), "Invalid 'loss' parameter.*Valid names are:.*'categorical_crossentropy'"),
    (dict(optimizer="adamx"), "unknown optimizer 'adamx'. Did you mean 'adam'. Valid names are: 'adagrad', 'adam'"),
    (dict(alpha=-1.0), r"'alpha' parameter of NumpyMLPClassifier must be a float in the range \[0, inf\). Got -1.0"),
    (dict(max_iter=0), r"'max_iter' parameter .* must be an int in the range \[1, inf\)"),
    (dict(momentum=1.5), r"'momentum' .* range \[0, 1\]"),
    (dict(learning_rate="cyclic"), "'learning_rate' parameter .* must be one of"),
    (dict(batch_size=0), "'batch_size' parameter .* 'auto' or an int"),
    (dict(hidden_layer_sizes=(10, 0)), "'hidden_layer_sizes' parameter .* positive int"),
    (dict(shuffle="yes"), "'shuffle' parameter .* must be a bool"),
    (dict(validation_fraction=1.0), r"'validation_fraction' .* range \[0, 1\)"),
])
def test_bad_parameters_get_scikit_learn_style_messages(blobs, params, message):
    X, y = blobs
    with pytest.raises(ValueError, match=message):
        NumpyMLPClassifier(**params).fit(X, y)


def test_objects_missing_methods_say_what_they_need(blobs):
    X, y = blobs
    with pytest.raises(TypeError, match=r"\.update\(old_params, gradient\) method"):
        NumpyMLPClassifier(optimizer=object()).fit(X, y)
    with pytest.raises(TypeError, match=r"Invalid 'activation'.*\.derivative\(\) method"):
        NumpyMLPClassifier(activation=np.tanh).fit(X, y)
    with pytest.raises(TypeError, match=r"not the class Adam"):
        NumpyMLPClassifier(optimizer=Adam).fit(X, y)


def test_fit_never_mutates_its_parameters(blobs):
    X, y = blobs
    opt = Adam(learning_rate=0.01)
    act = Swish(beta=2.0)
    clf = NumpyMLPClassifier((10,), activation=act, optimizer=opt, max_iter=5, random_state=0)
    before = pickle.dumps(clf.get_params(deep=True))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    assert pickle.dumps(clf.get_params(deep=True)) == before
    assert not hasattr(opt, "m_") and clf.optimizer_ is not opt and clf.optimizer_.t_ > 0


# -- what the targets pick -----------------------------------------------------------------


def test_auto_outputs_and_losses_follow_scikit_learn(blobs):
    X, y = blobs
    fit = dict(hidden_layer_sizes=(8,), max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        multi = NumpyMLPClassifier(**fit).fit(X, y)
        binary = NumpyMLPClassifier(**fit).fit(X, y == 1)
        labels = NumpyMLPClassifier(**fit).fit(X, np.c_[y == 0, y == 1, y == 2].astype(int))
        binary_softmax = NumpyMLPClassifier(output_activation="softmax", **fit).fit(X, y == 1)
        poisson = NumpyMLPRegressor(loss="poisson", **fit).fit(X, np.abs(X[:, 0]))
        squared = NumpyMLPRegressor(**fit).fit(X, X[:, 0])
    assert (multi.out_activation_, multi.n_outputs_) == ("softmax", 3)
    assert type(multi.network_.loss).__name__ == "CategoricalCrossEntropy"
    assert (binary.out_activation_, binary.n_outputs_) == ("logistic", 1)
    assert type(binary.network_.loss).__name__ == "BinaryCrossEntropy"
    assert (labels.out_activation_, labels.n_outputs_) == ("logistic", 3)
    assert binary_softmax.n_outputs_ == 2  # a row-wise output gets a unit per class
    np.testing.assert_allclose(binary_softmax.predict_proba(X).sum(axis=1), 1.0)
    assert poisson.out_activation_ == "exp" and squared.out_activation_ == "identity"
    assert np.all(poisson.predict(X) > 0)


def test_string_labels_probabilities_and_log_probabilities(blobs):
    X, y = blobs
    names = np.array(["cat", "dog", "emu"])[y]
    clf = NumpyMLPClassifier((20,), learning_rate_init=0.01, random_state=0).fit(X, names)
    assert list(clf.classes_) == ["cat", "dog", "emu"]
    assert set(clf.predict(X)) <= set(clf.classes_)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    np.testing.assert_allclose(clf.predict_log_proba(X), np.log(proba), rtol=1e-7, atol=1e-10)
    assert clf.score(X, names) > 0.85


def test_classifier_rejects_continuous_targets(blobs):
    X, _ = blobs
    with pytest.raises(ValueError, match="Unknown label type"):
        NumpyMLPClassifier().fit(X, X[:, 0])


def test_multilabel(blobs):
    X, _ = make_multilabel_classification(n_samples=300, n_features=10, n_classes=4, random_state=0)
    X, Y = make_multilabel_classification(n_samples=300, n_features=10, n_classes=4, random_state=0)
    X = StandardScaler().fit_transform(X)
    clf = NumpyMLPClassifier((50,), learning_rate_init=0.01, max_iter=300, random_state=0).fit(X, Y)
    assert clf.predict(X).shape == Y.shape and clf.predict_proba(X).shape == Y.shape
    np.testing.assert_array_equal(clf.predict(X), (clf.predict_proba(X) > 0.5).astype(int))
    assert np.mean(clf.predict(X) == Y) > 0.9


def test_multi_output_regression(regression):
    X, Y = regression
    reg = NumpyMLPRegressor(hidden_layer_sizes=(50,), learning_rate_init=0.01, max_iter=400, random_state=0).fit(X, Y)
    assert reg.predict(X).shape == Y.shape and reg.n_outputs_ == 2
    assert reg.score(X, Y) > 0.95
    single = NumpyMLPRegressor(hidden_layer_sizes=(50,), learning_rate_init=0.01, max_iter=400,
                               random_state=0).fit(X, Y[:, 0])
    assert single.predict(X).shape == (len(X),)


def test_huber_and_custom_losses_on_the_regressor(regression):
    X, Y = regression
    y = Y[:, 0].copy()
    y[:10] += 50  # outliers
    params = dict(hidden_layer_sizes=(20,), learning_rate_init=0.01, max_iter=300, random_state=0)
    plain = NumpyMLPRegressor(**params).fit(X, y)
    huber = NumpyMLPRegressor("huber", **params).fit(X, y)
    clean = slice(10, None)
    assert huber.score(X[clean], Y[clean, 0]) > plain.score(X[clean], Y[clean, 0])


# -- weights ------------------------------------------------------------------------------


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_sample_weight_two_is_the_sample_repeated(Estimator, blobs):
    X, y = blobs
    X, y = X[:60], y[:60]
    weights = np.random.RandomState(0).randint(0, 3, len(X))
    params = dict(hidden_layer_sizes=(10,), max_iter=30, batch_size=500, random_state=0, tol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        weighted = Estimator(**params).fit(X, y, sample_weight=weights)
        repeated = Estimator(**params).fit(np.repeat(X, weights, axis=0), np.repeat(y, weights))
    for w, r in zip(weighted.coefs_ + weighted.intercepts_, repeated.coefs_ + repeated.intercepts_):
        np.testing.assert_allclose(w, r, rtol=1e-8, atol=1e-10)
    assert weighted.loss_ == pytest.approx(repeated.loss_)


def test_class_weight_favours_the_weighted_class():
    X, y = make_classification(n_samples=400, n_features=6, weights=[0.9, 0.1], flip_y=0.05,
                               class_sep=0.5, random_state=0)
    params = dict(hidden_layer_sizes=(10,), max_iter=100, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        plain = NumpyMLPClassifier(**params).fit(X, y)
        balanced = NumpyMLPClassifier(class_weight="balanced", **params).fit(X, y)
        as_dict = NumpyMLPClassifier(class_weight={0: 1.0, 1: 9.0}, **params).fit(X, y)
    minority = recall_score(y, plain.predict(X))
    assert recall_score(y, balanced.predict(X)) > minority + 0.1
    assert recall_score(y, as_dict.predict(X)) > minority + 0.1
    # class_weight is the same as the equivalent sample weights
    sw = np.where(y == 1, 9.0, 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        by_samples = NumpyMLPClassifier(**params).fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(by_samples.coefs_[0], as_dict.coefs_[0])


# -- input kinds -----------------------------------------------------------------------------


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_sparse_is_dense(Estimator, blobs):
    X, y = blobs
    X = np.where(np.abs(X) > 0.8, X, 0.0)
    params = dict(hidden_layer_sizes=(10,), max_iter=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        dense = Estimator(**params).fit(X, y)
        for container in (sp.csr_matrix, sp.csc_matrix):
            sparse = Estimator(**params).fit(container(X), y)
            np.testing.assert_allclose(sparse.coefs_[0], dense.coefs_[0], rtol=1e-10, atol=1e-12)
            np.testing.assert_allclose(sparse.predict(container(X)), dense.predict(X), rtol=1e-12)


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "lbfgs"])
def test_float32_stays_float32(optimizer, blobs, regression):
    X, y = blobs
    X32 = X.astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = NumpyMLPClassifier((10,), optimizer=optimizer, max_iter=20, random_state=0).fit(X32, y)
        reg = NumpyMLPRegressor(hidden_layer_sizes=(10,), optimizer=optimizer, max_iter=20,
                                random_state=0).fit(regression[0].astype(np.float32), regression[1])
    assert all(c.dtype == np.float32 for c in clf.coefs_ + clf.intercepts_)
    assert clf.predict_proba(X32).dtype == np.float32
    assert reg.predict(regression[0].astype(np.float32)).dtype == np.float32


def test_dataframes_keep_feature_names(blobs):
    pd = pytest.importorskip("pandas")
    X, y = blobs
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    clf = NumpyMLPClassifier((10,), max_iter=50, random_state=0).fit(frame, y)
    assert list(clf.feature_names_in_) == list(frame.columns)
    with pytest.warns(UserWarning, match="feature names"):
        clf.predict(X)
    with pytest.raises(ValueError, match="X has 7 features, but NumpyMLPClassifier is expecting 8"):
        clf.predict(X[:, :7])


# -- scikit-learn machinery -------------------------------------------------------------------


def test_pipeline_cross_val_and_grid_searches(blobs):
    X, y = blobs
    base = dict(hidden_layer_sizes=(10,), learning_rate_init=0.01, max_iter=40, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe = make_pipeline(StandardScaler(), NumpyMLPClassifier(**base))
        assert cross_val_score(pipe, X, y, cv=3).mean() > 0.7
        by_name = GridSearchCV(NumpyMLPClassifier(**base), {"activation": ["relu", "tanh", "leaky_relu"]}, cv=3)
        by_name.fit(X, y)
        assert by_name.best_params_["activation"] in ("relu", "tanh", "leaky_relu")
        by_object = GridSearchCV(NumpyMLPClassifier(**base),
                                 {"optimizer": [SGD(learning_rate=0.05), Adam(learning_rate=0.01)]}, cv=3)
        by_object.fit(X, y)
        nested = GridSearchCV(NumpyMLPClassifier(optimizer=Adam(), **base),
                              {"optimizer__learning_rate": [1e-4, 1e-2]}, cv=3).fit(X, y)
        assert nested.best_params_ == {"optimizer__learning_rate": 1e-2}
        assert nested.best_estimator_.optimizer_.learning_rate == 1e-2
        user = GridSearchCV(NumpyMLPClassifier(activation=Swish(), optimizer=SignDescent(), **base),
                            {"activation__beta": [0.5, 2.0], "optimizer__learning_rate": [1e-3, 1e-2]}, cv=3)
        user.fit(X, y)
        assert user.best_score_ > 0.6
        scores = by_name.cv_results_["mean_test_score"]
    parallel = GridSearchCV(NumpyMLPClassifier(**base), {"activation": ["relu", "tanh", "leaky_relu"]},
                            cv=3, n_jobs=2).fit(X, y)
    np.testing.assert_allclose(parallel.cv_results_["mean_test_score"], scores)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_clone_pickle_and_joblib_round_trips(Estimator, blobs, tmp_path):
    X, y = blobs
    est = Estimator(hidden_layer_sizes=(10,), activation=Swish(), max_iter=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    fresh = clone(est)
    assert not hasattr(fresh, "network_") and fresh.get_params()["activation"].beta == 1.0
    copy = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(copy.predict(X), est.predict(X))
    assert np.shares_memory(copy.coefs_[0], copy.network_.params)
    joblib.dump(est, tmp_path / "model.joblib")
    np.testing.assert_array_equal(joblib.load(tmp_path / "model.joblib").predict(X), est.predict(X))


# -- agreement with scikit-learn ---------------------------------------------------------------


def test_one_sgd_step_matches_scikit_learn(blobs):
    X, y = blobs
    settings = dict(hidden_layer_sizes=(7, 5), activation="tanh", alpha=0.0, batch_size=len(X),
                    learning_rate_init=0.1, momentum=0.0, max_iter=1, shuffle=False, random_state=0,
                    warm_start=True)
    theirs = MLPClassifier(solver="sgd", **settings)
    ours = NumpyMLPClassifier(optimizer="sgd", **settings)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs.fit(X, y)
        ours.fit(X, y)
        start_coefs = [c.copy() for c in theirs.coefs_]
        start_intercepts = [i.copy() for i in theirs.intercepts_]
        ours.coefs_, ours.intercepts_ = start_coefs, start_intercepts
        theirs.fit(X, y)  # one full-batch step from the same weights
        ours.fit(X, y)
    assert not np.allclose(theirs.coefs_[0], start_coefs[0])
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-10)
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=1e-10)


def test_default_is_as_accurate_as_scikit_learn_on_digits():
    X, y = load_digits(return_X_y=True)
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs = cross_val_score(MLPClassifier(random_state=0), X, y, cv=cv).mean()
        ours = cross_val_score(NumpyMLPClassifier(random_state=0), X, y, cv=cv).mean()
    # both start from the same weights (init='glorot_uniform'); the epochs' shuffled orders differ from
    # the second on, worth a few of the 1797 digits either way (0.005 is 9 of them)
    assert ours >= theirs - 0.005


# -- training behaviour -----------------------------------------------------------------------


def test_warm_start_keeps_the_optimizer_state(blobs):
    X, y = blobs
    params = dict(hidden_layer_sizes=(10,), max_iter=5, shuffle=False, tol=0, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        straight = NumpyMLPClassifier(**{**params, "max_iter": 10}).fit(X, y)
        resumed = NumpyMLPClassifier(warm_start=True, **params).fit(X, y)
        steps = resumed.optimizer_.t_
        resumed.fit(X, y)
    assert resumed.optimizer_.t_ == 2 * steps == straight.optimizer_.t_
    np.testing.assert_allclose(resumed.coefs_[0], straight.coefs_[0], rtol=1e-12)
    assert resumed.loss_curve_ == pytest.approx(straight.loss_curve_)


def test_warm_start_needs_the_same_classes(blobs):
    X, y = blobs
    clf = NumpyMLPClassifier((5,), warm_start=True, max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
        with pytest.raises(ValueError, match="warm_start can only be used where `y` has the same classes"):
            clf.fit(X[y < 2], y[y < 2])


def test_partial_fit_over_chunks(blobs):
    X, y = blobs
    params = dict(hidden_layer_sizes=(10,), shuffle=False, tol=0, random_state=0, batch_size=50)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        whole = NumpyMLPClassifier(max_iter=4, **params).fit(X, y)
    streamed = NumpyMLPClassifier(**params)
    with pytest.raises(ValueError, match="classes must be passed on the first call to partial_fit"):
        streamed.partial_fit(X[:50], y[:50])
    for epoch in range(4):
        streamed.partial_fit(X, y, classes=np.unique(y))
    np.testing.assert_allclose(streamed.coefs_[0], whole.coefs_[0], rtol=1e-12)
    assert streamed.n_iter_ == 4 and streamed.t_ == 4 * len(X)
    chunked = NumpyMLPClassifier(**params)
    for start in range(0, len(X), 100):
        chunked.partial_fit(X[start:start + 100], y[start:start + 100], classes=[0, 1, 2])
    with pytest.raises(ValueError, match="`y` has classes not in `self.classes_`"):
        chunked.partial_fit(X[:5], [0, 1, 2, 3, 3])
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping=True"):
        NumpyMLPClassifier(early_stopping=True).partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(AttributeError, match="has no attribute 'partial_fit'") as info:
        NumpyMLPClassifier(optimizer="lbfgs").partial_fit(X, y, classes=[0, 1, 2])
    assert "'lbfgs' is not stochastic" in str(info.value.__cause__)
    reg = NumpyMLPRegressor(hidden_layer_sizes=(10,), random_state=0)
    for start in range(0, len(X), 100):
        reg.partial_fit(X[start:start + 100], X[start:start + 100, 0])
    assert reg.n_iter_ == 3


def test_early_stopping_restores_the_best_epoch(blobs):
    X, y = blobs
    params = dict(hidden_layer_sizes=(30,), learning_rate_init=0.05, early_stopping=True,
                  validation_fraction=0.3, n_iter_no_change=8, random_state=0)
    clf = NumpyMLPClassifier(max_iter=200, **params).fit(X, y)
    best_epoch = int(np.argmax(clf.validation_scores_)) + 1
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert clf.n_iter_ > best_epoch and clf.best_loss_ is None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        at_best = NumpyMLPClassifier(max_iter=best_epoch, **params).fit(X, y)
    np.testing.assert_allclose(clf.coefs_[0], at_best.coefs_[0])


def test_n_iter_no_change_and_tol_stop_training(blobs):
    X, y = blobs
    clf = NumpyMLPClassifier((10,), tol=1.0, n_iter_no_change=3, random_state=0).fit(X, y)
    # no epoch improves by tol=1: the count reaches 4 > n_iter_no_change at epoch 5 (as scikit-learn)
    assert clf.n_iter_ == 5
    theirs = MLPClassifier((10,), tol=1.0, n_iter_no_change=3, random_state=0).fit(X, y)
    assert theirs.n_iter_ == clf.n_iter_
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(3\) reached"):
        NumpyMLPClassifier((10,), max_iter=3, random_state=0).fit(X, y)


def test_sgd_learning_rate_schedules(blobs):
    X, y = blobs
    params = dict(hidden_layer_sizes=(10,), optimizer="sgd", learning_rate_init=0.1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        inv = NumpyMLPClassifier(learning_rate="invscaling", power_t=0.5, max_iter=4, **params).fit(X, y)
        adaptive = NumpyMLPClassifier(learning_rate="adaptive", tol=10.0, n_iter_no_change=1, max_iter=6,
                                      **params).fit(X, y)
    assert inv.optimizer_.learning_rate == pytest.approx(0.1 / (inv.t_ + 1) ** 0.5)
    # no epoch improves by tol=10: the count exceeds n_iter_no_change=1 at epochs 3 and 5,
    # and each time the rate is divided by 5
    assert adaptive.optimizer_.learning_rate == pytest.approx(0.1 / 5**2)
    assert adaptive.n_iter_ == 6


def test_lbfgs(blobs):
    X, y = blobs
    clf = NumpyMLPClassifier((20,), optimizer="lbfgs", max_iter=500, random_state=0).fit(X, y)
    assert clf.score(X, y) > 0.95 and clf.n_iter_ <= 500
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        short = NumpyMLPClassifier((20,), optimizer="lbfgs", max_iter=3, random_state=0).fit(X, y)
    assert short.n_iter_ == 3
    with pytest.warns(ConvergenceWarning):
        NumpyMLPClassifier((20,), optimizer="lbfgs", max_fun=5, random_state=0).fit(X, y)


def test_verbose_prints_epochs_and_batches(blobs, capsys):
    X, y = blobs
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        NumpyMLPClassifier((5,), max_iter=2, verbose=1, early_stopping=True, random_state=0).fit(X, y)
        lines = capsys.readouterr().out.strip().splitlines()
        assert len(lines) == 2
        assert lines[1].startswith("Iteration 2, loss = ") and "validation score = " in lines[1]
        assert lines[1].endswith("s") and "time = " in lines[1]
        NumpyMLPClassifier((5,), max_iter=2, verbose=2, batch_size=100, random_state=0).fit(X, y)
    lines = capsys.readouterr().out.strip().split("\n")
    assert len(lines) == 2  # the batches rewrite the epoch's line in place
    updates = lines[1].split("\r")[1:]
    assert [u.split(", running")[0] for u in updates[:3]] == [
        f"Iteration 2, batch [{k}/300]" for k in (100, 200, 300)]
    assert updates[3].startswith("Iteration 2, loss = ")


def test_divergence_is_a_clear_error_and_keeps_the_previous_model(blobs):
    X, y = blobs
    X = X * 1e3
    bad = NumpyMLPRegressor(hidden_layer_sizes=(10,), optimizer="sgd", learning_rate_init=1e3, random_state=0)
    with pytest.raises(ValueError, match=r"diverged in epoch \d+.*smaller learning rate.*scale the inputs"):
        bad.fit(X, X[:, 0])
    with pytest.raises(NotFittedError):
        bad.predict(X)
    good = NumpyMLPRegressor(hidden_layer_sizes=(10,), optimizer="sgd", learning_rate_init=1e-9, max_iter=2,
                             warm_start=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        good.fit(X, X[:, 0])
    before = [c.copy() for c in good.coefs_]
    good.set_params(learning_rate_init=1e3)
    with pytest.raises(ValueError, match="diverged"):
        good.fit(X, X[:, 0])
    for now, then in zip(good.coefs_, before):
        np.testing.assert_array_equal(now, then)
    assert np.all(np.isfinite(good.predict(X)))


def test_interrupt_keeps_the_last_completed_epoch(blobs):
    from skneural import TrainingInterrupted

    X, y = blobs

    def interrupt():
        raise TrainingInterrupted  # a deferred Ctrl-C (a plain KeyboardInterrupt propagates)

    # the first batch of epoch 4 (two an epoch), after the divergence reference's two evaluations
    loss, d_loss, calls = squared_error_pair(2 + 3 * 2 + 1, interrupt)

    params = dict(hidden_layer_sizes=(10,), batch_size=150, tol=0, random_state=0)
    with pytest.warns(UserWarning, match="Training interrupted by user"):
        interrupted = NumpyMLPRegressor(loss=(loss, d_loss), max_iter=50, **params).fit(X, X[:, 0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reference = NumpyMLPRegressor(max_iter=3, **params).fit(X, X[:, 0])
    assert interrupted.n_iter_ == 3 and len(interrupted.loss_curve_) == 3
    np.testing.assert_allclose(interrupted.coefs_[0], reference.coefs_[0])
    assert interrupted.optimizer_.t_ == reference.optimizer_.t_
    assert np.all(np.isfinite(interrupted.predict(X)))


def test_column_vector_targets_warn_like_scikit_learn(blobs):
    X, y = blobs
    with pytest.warns(DataConversionWarning):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            NumpyMLPClassifier((5,), max_iter=2).fit(X, y.reshape(-1, 1))


def test_lbfgs_interrupt_keeps_the_best_parameters_seen(blobs):
    from skneural import TrainingInterrupted

    X, y = blobs
    seen = []

    def loss(y_pred, y_true):
        if len(seen) == 6:
            raise TrainingInterrupted  # a deferred Ctrl-C (a plain KeyboardInterrupt propagates)
        values = 0.5 * np.mean((y_pred - y_true) ** 2, axis=1, keepdims=True)
        seen.append(values.mean())
        return values

    def d_loss(y_pred, y_true):
        return np.expand_dims((y_pred - y_true) / y_true.shape[1], 1)

    with pytest.warns(UserWarning, match="Training interrupted by user"):
        reg = NumpyMLPRegressor(loss=(loss, d_loss), hidden_layer_sizes=(5,), optimizer="lbfgs", alpha=0.0,
                                random_state=0).fit(X, X[:, 0])
    assert len(seen) == 6 and reg.loss_ == pytest.approx(min(seen)) and min(seen) < seen[0]
    seen.clear()
    assert reg.network_.compute_loss(X, X[:, :1]) == pytest.approx(reg.loss_)


@pytest.mark.parametrize("optimizer, rate", [("rmsprop", 0.01), ("adagrad", 0.1)])
def test_more_named_optimizers(optimizer, rate, blobs):
    X, y = blobs
    clf = NumpyMLPClassifier((20,), optimizer=optimizer, learning_rate_init=rate, epsilon=1e-6, max_iter=100,
                             random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    assert type(clf.optimizer_).__name__.lower() == optimizer
    assert clf.optimizer_.learning_rate == rate and clf.optimizer_.epsilon == 1e-6
    assert clf.score(X, y) > 0.85


def test_pairs_and_a_row_wise_output_in_an_estimator(blobs):
    X, y = blobs

    softmax, softmax_jacobians = softmax_pair()

    def softsign(z):
        return z / (1 + np.abs(z))

    def d_softsign(z):
        return 1 / (1 + np.abs(z)) ** 2

    clf = NumpyMLPClassifier((20,), activation=(softsign, d_softsign), output_activation=(softmax, softmax_jacobians),
                             loss="categorical_crossentropy", learning_rate_init=0.01, max_iter=100, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    np.testing.assert_allclose(clf.predict_proba(X).sum(axis=1), 1.0)
    assert clf.score(X, y) > 0.85
    binary = clone(clf).set_params(max_iter=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        binary.fit(X, y == 1)
    assert binary.n_outputs_ == 2  # the Jacobian-shaped derivative marks it row-wise


def test_early_stopping_asks_for_a_stratified_split(blobs, monkeypatch):
    import skneural.estimators.training as module

    X, y = blobs
    seen = {}
    real_split = module.train_test_split

    def recording_split(*arrays, **kwargs):
        seen.update(kwargs)
        return real_split(*arrays, **kwargs)

    monkeypatch.setattr(module, "train_test_split", recording_split)
    NumpyMLPClassifier((5,), early_stopping=True, max_iter=3, random_state=0).fit(X, y)
    assert seen["stratify"] is None  # multiclass: not stratified, as scikit-learn's
    NumpyMLPClassifier((5,), early_stopping=True, max_iter=3, random_state=0).fit(X, y == 1)
    np.testing.assert_array_equal(seen["stratify"], (y == 1)[:, None])  # binary: on the binarized column
    seen.clear()
    NumpyMLPRegressor(hidden_layer_sizes=(5,), early_stopping=True, max_iter=3, random_state=0).fit(X, X[:, 0])
    assert seen["stratify"] is None
    with pytest.raises(ValueError, match="The test_size = 1 should be greater or equal to the number of classes"):
        NumpyMLPClassifier(early_stopping=True).fit(X[:8], [0, 1] * 4)  # scikit-learn's split error, as its MLP
    with pytest.raises(ValueError, match="The validation set is too small"):
        NumpyMLPRegressor(early_stopping=True).fit(X[:8], X[:8, 0])


def test_first_partial_fit_rejects_labels_outside_classes(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match="`y` has classes not in `self.classes_`"):
        NumpyMLPClassifier().partial_fit(X, y, classes=[0, 1])


def test_set_params_takes_effect_on_warm_start_and_partial_fit(blobs):
    X, y = blobs
    clf = NumpyMLPClassifier((10,), warm_start=True, max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
        steps = clf.optimizer_.t_
        clf.set_params(learning_rate_init=0.5, alpha=3.0, beta_1=0.5).fit(X, y)
    assert clf.optimizer_.learning_rate == 0.5 and clf.optimizer_.beta_1 == 0.5
    assert clf.network_.alpha == 3.0
    assert clf.optimizer_.t_ == 2 * steps  # the state was kept
    streamed = NumpyMLPClassifier((10,), optimizer=Adam(learning_rate=0.01), random_state=0)
    streamed.partial_fit(X, y, classes=[0, 1, 2])
    streamed.set_params(optimizer__learning_rate=0.2).partial_fit(X, y)
    assert streamed.optimizer_.learning_rate == 0.2 and streamed.optimizer_.t_ == 4
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.set_params(early_stopping=True).fit(X, y)  # switching early stopping on keeps going
    assert len(clf.validation_scores_) == 2


def test_ctrl_c_stops_the_estimator_at_the_end_of_a_batch(blobs):
    import signal

    X, y = blobs
    # Ctrl-C during the first batch of epoch 3 (three batches an epoch), after the divergence
    # reference's two evaluations
    loss, d_loss, calls = squared_error_pair(2 + 2 * 3 + 1, lambda: signal.raise_signal(signal.SIGINT))

    params = dict(hidden_layer_sizes=(10,), batch_size=100, tol=0, random_state=0)
    with pytest.warns(UserWarning, match="Training interrupted by user"):
        reg = NumpyMLPRegressor(loss=(loss, d_loss), max_iter=50, **params).fit(X, X[:, 0])
    assert len(calls) == 10 and reg.n_iter_ == 2  # the 10th: fit's no-progress check at the end
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reference = NumpyMLPRegressor(max_iter=2, **params).fit(X, X[:, 0])
    np.testing.assert_allclose(reg.coefs_[0], reference.coefs_[0])


def test_coefs_items_can_be_assigned(blobs):
    X, y = blobs
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = NumpyMLPClassifier((4,), max_iter=2, random_state=0).fit(X, y)
    clf.coefs_[0] = np.zeros((8, 4))
    clf.intercepts_[1] = np.array([5.0, 0.0, 0.0])
    assert np.all(clf.network_.weights[0] == 0)
    np.testing.assert_array_equal(clf.predict(X), np.zeros(len(X)))  # class 0 always wins now
    with pytest.raises(ValueError, match=r"coefs_ needs arrays of shapes \[\(8, 4\)\]"):
        clf.coefs_[0] = np.zeros((3, 3))


def test_scalar_sample_weight_and_bad_class_weight(blobs):
    X, y = blobs
    params = dict(hidden_layer_sizes=(5,), max_iter=3, alpha=0.0, random_state=0)  # alpha scales with sum(w)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        scalar = NumpyMLPClassifier(**params).fit(X, y, sample_weight=2.0)
        plain = NumpyMLPClassifier(**params).fit(X, y)
    np.testing.assert_allclose(scalar.coefs_[0], plain.coefs_[0])
    with pytest.raises(ValueError, match="'class_weight' parameter .* None, 'balanced' or a dict"):
        NumpyMLPClassifier(class_weight="equal").fit(X, y)


def test_log_probabilities_stay_finite_when_saturated():
    X = np.array([[0.0, 0.0], [1.0, 1.0]])
    clf = NumpyMLPClassifier((5, 2), optimizer="lbfgs", alpha=1e-5, random_state=1).fit(X, [0, 1])
    log_proba = clf.predict_log_proba(X)
    assert np.all(np.isfinite(log_proba))
    np.testing.assert_allclose(np.exp(log_proba), clf.predict_proba(X), atol=1e-12)


def test_float_dtype_change_keeps_the_optimizer_state(blobs):
    X, y = blobs
    clf = NumpyMLPClassifier((5,), random_state=0)
    clf.partial_fit(X, y, classes=[0, 1, 2])
    clf.partial_fit(X.astype(np.float32), y)
    assert clf.optimizer_.t_ == 4 and clf.optimizer_.m_.dtype == np.float32


def test_outputs_that_overflow_are_divergence(blobs):
    X = np.array([[1.0, 2.0], [2.0, 1.0], [3.0, 3.0]]) * 1e150
    reg = NumpyMLPRegressor(hidden_layer_sizes=(10,), optimizer="sgd", learning_rate_init=1e-4, max_iter=1,
                            random_state=0)
    with pytest.raises(ValueError, match="diverged in epoch 1"):
        reg.fit(X, X[:, 0])
    with pytest.raises(NotFittedError):
        reg.predict(X)


@pytest.mark.parametrize("bad, message", [(np.nan, "NaN"), (np.inf, "infinity"), (-np.inf, "infinity")])
@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic"])
@pytest.mark.parametrize("sparse", [False, True])
def test_prediction_rejects_non_finite_input_whatever_the_weights(bad, message, activation, sparse):
    # Prediction checks finiteness on the first layer's output: a single hidden unit whose
    # incoming weights are all negative, or zero, must not hide an infinite input (relu(-inf)
    # is 0, tanh(-inf) is -1).
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    est = NumpyMLPClassifier(hidden_layer_sizes=(1,), activation=activation, max_iter=5,
                             random_state=0).fit(X, y)
    for w in (-1.0, 0.0):
        est.coefs_[0][...] = w
        X_bad = X.copy()
        X_bad[7, 2] = bad
        X_bad = sp.csr_matrix(X_bad) if sparse else X_bad
        for method in (est.predict, est.predict_proba, est.predict_log_proba):
            with pytest.raises(ValueError, match=f"Input X contains {message}"):
                method(X_bad)


def test_prediction_reports_inputs_too_large_for_the_network():
    X, y = make_classification(n_samples=40, n_features=3, n_informative=2, n_redundant=0, random_state=0)
    est = NumpyMLPRegressor(hidden_layer_sizes=(4,), max_iter=5, random_state=0).fit(X, y)
    est.coefs_[0][...] = 1.0  # three inputs of 1e308 sum past the largest float
    with pytest.raises(ValueError, match="so large that the first layer's outputs overflow"):
        est.predict(np.full((2, 3), 1e308))


def test_assume_finite_skips_the_prediction_check():
    from sklearn import config_context

    X, y = make_classification(n_samples=40, n_features=3, n_informative=2, n_redundant=0, random_state=0)
    est = NumpyMLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0).fit(X, y)
    X_bad = X.copy()
    X_bad[0, 0] = np.nan
    with config_context(assume_finite=True):
        proba = est.predict_proba(X_bad)
    assert np.isnan(proba[0]).all() and np.isfinite(proba[1:]).all()


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_scikit_learn_solver_parameter_is_accepted(solver):
    X, y = make_classification(n_samples=80, n_features=5, random_state=0)
    by_solver = NumpyMLPClassifier(solver=solver, hidden_layer_sizes=(6,), max_iter=20, random_state=0).fit(X, y)
    by_optimizer = NumpyMLPClassifier(optimizer=solver, hidden_layer_sizes=(6,), max_iter=20, random_state=0).fit(X, y)
    np.testing.assert_array_equal(by_solver.coefs_[0], by_optimizer.coefs_[0])
    assert (by_solver.optimizer_ is None) == (solver == "lbfgs")
    search = GridSearchCV(NumpyMLPRegressor(hidden_layer_sizes=(4,), max_iter=5, random_state=0),
                          {"solver": ["sgd", "adam"]}, cv=2).fit(X, y.astype(float))
    assert search.best_params_["solver"] in ("sgd", "adam")


def test_solver_and_optimizer_together_is_an_error():
    X, y = make_classification(n_samples=40, n_features=5, random_state=0)
    with pytest.raises(ValueError, match="got both solver='sgd' and optimizer='rmsprop'"):
        NumpyMLPClassifier(solver="sgd", optimizer="rmsprop").fit(X, y)
    with pytest.raises(ValueError, match="Invalid 'solver' parameter.*unknown optimizer 'newton'"):
        NumpyMLPClassifier(solver="newton").fit(X, y)
