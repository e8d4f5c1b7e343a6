"""Validation data given to fit: ``fit(X, y, sample_weight, *, X_val, y_val, sample_weight_val)``.

With early stopping it replaces the ``validation_fraction`` split; without, its loss and score
are recorded after every epoch and nothing else changes.  Metadata routing carries it through a
``Pipeline`` (``transform_input=["X_val"]``).
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn
from sklearn.base import clone
from sklearn.datasets import load_iris, make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

import skneural
import skneural.estimators.training as training_module
from skneural import NumpyMLPClassifier, NumpyMLPRegressor


@pytest.fixture(autouse=True)
def quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def classification_data():
    X, y = make_classification(n_samples=240, n_features=6, n_informative=4, flip_y=0.1, random_state=0)
    weights = np.random.RandomState(1).uniform(0.2, 2.0, len(y))
    return X, y, weights


def regression_data():
    X, y = make_regression(n_samples=240, n_features=6, noise=20.0, random_state=0)
    weights = np.random.RandomState(1).uniform(0.2, 2.0, len(y))
    return X, y / np.std(y), weights


def halves(n, seed=0):
    order = np.random.RandomState(seed).permutation(n)
    return order[: 2 * n // 3], order[2 * n // 3:]


def without_time(history):
    return [{k: v for k, v in record.items() if k != "time"} for record in history]


def assert_same_fit(a, b):
    for x, z in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        np.testing.assert_array_equal(x, z)
    assert a.n_iter_ == b.n_iter_ and a.t_ == b.t_
    assert a.loss_curve_ == b.loss_curve_
    assert a.validation_scores_ == b.validation_scores_
    assert a.validation_loss_curve_ == b.validation_loss_curve_
    assert a.best_validation_score_ == b.best_validation_score_ and a.best_loss_ == b.best_loss_
    assert without_time(a.history_) == without_time(b.history_)


@pytest.fixture
def recorded_split(monkeypatch):
    """Records the rows of the estimator's early-stopping split: the wrapper passes ``np.arange(n)``
    through the same ``train_test_split`` call (same random state, same stratification), whose
    draws do not depend on how many arrays are split."""
    real = training_module.train_test_split
    rows = {}

    def split(*arrays, **kwargs):
        parts = real(*arrays, np.arange(arrays[0].shape[0]), **kwargs)
        rows["train"], rows["val"] = parts[-2], parts[-1]
        return parts[:-2]

    monkeypatch.setattr(training_module, "train_test_split", split)
    return rows


@pytest.fixture
def no_split(monkeypatch):
    def split(*arrays, **kwargs):
        raise AssertionError("the validation_fraction split was made")

    monkeypatch.setattr(training_module, "train_test_split", split)


# -- the same result as the split -----------------------------------------------------------------


@pytest.mark.parametrize("settings", [
    {},
    {"class_weight": {0: 1.0, 1: 3.0}},
    {"label_smoothing": 0.1, "output_activation": "softmax"},  # two output units, smoothed targets
])
@pytest.mark.parametrize("weighted", [False, True])
def test_X_val_gives_the_classifier_the_result_of_the_same_split(recorded_split, settings, weighted):
    """Fitting on the training rows of the early-stopping split with its held-out rows as X_val
    trains exactly the model the split trains (weights, stopping epoch, curves, history).

    ``shuffle=False``: the split draws from the estimator's random state after the weights are
    initialized, and the shuffling of the batches draws from the same stream; with X_val no split
    is drawn, so shuffled batches would come in another order.  Without shuffling nothing else
    draws from it, and the two fits must agree bit for bit.
    """
    X, y, weights = classification_data()
    params = dict(hidden_layer_sizes=(16,), learning_rate_init=0.02, max_iter=60, n_iter_no_change=4,
                  early_stopping=True, validation_fraction=0.25, shuffle=False, random_state=3, **settings)
    sample_weight = weights if weighted else None
    split = NumpyMLPClassifier(**params).fit(X, y, sample_weight=sample_weight)
    train, val = recorded_split["train"], recorded_split["val"]
    assert len(val) == 60
    # stratified, as the estimator asks of the split
    assert abs(np.mean(y[val]) - np.mean(y)) < 0.02
    recorded_split.clear()
    given = NumpyMLPClassifier(**params).fit(
        X[train], y[train], sample_weight=None if sample_weight is None else sample_weight[train],
        X_val=X[val], y_val=y[val], sample_weight_val=None if sample_weight is None else sample_weight[val])
    assert not recorded_split  # no split of its own
    assert split.n_iter_ < params["max_iter"]  # early stopping decided the end, so it is compared too
    assert len(split.validation_scores_) == split.n_iter_
    assert_same_fit(split, given)
    np.testing.assert_array_equal(split.predict_proba(X), given.predict_proba(X))


@pytest.mark.parametrize("weighted", [False, True])
def test_X_val_gives_the_regressor_the_result_of_the_same_split(recorded_split, weighted):
    """As for the classifier (``shuffle=False`` for the same reason): the split's held-out rows given
    as X_val train the same model as the split."""
    X, y, weights = regression_data()
    params = dict(hidden_layer_sizes=(16,), learning_rate_init=0.03, max_iter=80, n_iter_no_change=3,
                  early_stopping=True, validation_fraction=0.2, shuffle=False, random_state=5)
    sample_weight = weights if weighted else None
    split = NumpyMLPRegressor(**params).fit(X, y, sample_weight=sample_weight)
    train, val = recorded_split["train"], recorded_split["val"]
    given = NumpyMLPRegressor(**params).fit(
        X[train], y[train], sample_weight=None if sample_weight is None else sample_weight[train],
        X_val=X[val], y_val=y[val], sample_weight_val=None if sample_weight is None else sample_weight[val])
    assert split.n_iter_ < params["max_iter"]
    assert_same_fit(split, given)


def test_the_sample_weights_of_the_validation_rows_count(recorded_split):
    """The check above is not blind to sample_weight_val: other validation weights give other scores."""
    X, y, weights = regression_data()
    train, val = halves(len(y))
    params = dict(hidden_layer_sizes=(8,), max_iter=5, random_state=0, early_stopping=True)
    a = NumpyMLPRegressor(**params).fit(X[train], y[train], X_val=X[val], y_val=y[val])
    b = NumpyMLPRegressor(**params).fit(X[train], y[train], X_val=X[val], y_val=y[val],
                                        sample_weight_val=weights[val])
    assert a.loss_curve_ == b.loss_curve_  # the training is the same ...
    assert a.validation_loss_curve_ != b.validation_loss_curve_  # ... but not the validation
    assert a.validation_scores_ != b.validation_scores_


# -- early stopping with X_val --------------------------------------------------------------------


def test_early_stopping_with_X_val_trains_on_all_of_X_and_keeps_the_best_epoch(no_split):
    X, y, _ = classification_data()
    train, val = halves(len(y))
    clf = NumpyMLPClassifier((16,), learning_rate_init=0.02, max_iter=100, n_iter_no_change=3,
                             early_stopping=True, random_state=0).fit(X[train], y[train], X_val=X[val], y_val=y[val])
    assert clf.t_ == clf.n_iter_ * len(train)  # every epoch went through all the training rows
    assert clf.n_iter_ < 100
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert clf.score(X[val], y[val]) == clf.best_validation_score_  # the weights of the best epoch
    best = int(np.argmax(clf.validation_scores_))
    # stopped once the score had not improved by tol for more than n_iter_no_change epochs
    assert clf.n_iter_ - 1 - best > clf.n_iter_no_change


# -- X_val without early stopping: recorded only --------------------------------------------------


@pytest.mark.parametrize("Estimator, data", [(NumpyMLPClassifier, classification_data),
                                             (NumpyMLPRegressor, regression_data)])
def test_X_val_without_early_stopping_is_recorded_and_changes_nothing_else(no_split, Estimator, data):
    X, y, weights = data()
    train, val = halves(len(y))
    params = dict(hidden_layer_sizes=(8,), learning_rate_init=0.01, tol=1e-3, max_iter=300, n_iter_no_change=3,
                  random_state=0)
    plain = Estimator(**params).fit(X[train], y[train], sample_weight=weights[train])
    recorded = Estimator(**params).fit(X[train], y[train], sample_weight=weights[train],
                                       X_val=X[val], y_val=y[val], sample_weight_val=weights[val])
    assert plain.n_iter_ < 300  # stopped on the training loss ...
    for x, z in zip(plain.coefs_ + plain.intercepts_, recorded.coefs_ + recorded.intercepts_):
        np.testing.assert_array_equal(x, z)
    assert (recorded.n_iter_, recorded.loss_curve_, recorded.best_loss_) == (plain.n_iter_, plain.loss_curve_,
                                                                            plain.best_loss_)
    assert plain.validation_scores_ is None and plain.validation_loss_curve_ is None
    assert recorded.best_validation_score_ is None  # ... not on the validation score
    assert len(recorded.validation_scores_) == len(recorded.validation_loss_curve_) == recorded.n_iter_
    assert [r["val_score"] for r in recorded.history_] == recorded.validation_scores_
    assert [r["val_loss"] for r in recorded.history_] == recorded.validation_loss_curve_
    assert "val_loss" not in plain.history_[0]
    # the last record is the final model's: its score and objective on the validation rows
    assert recorded.validation_scores_[-1] == pytest.approx(recorded.score(X[val], y[val], sample_weight=weights[val]),
                                                            abs=1e-12)
    Y_val = y[val].reshape(-1, 1) if Estimator is NumpyMLPRegressor else recorded._label_binarizer.transform(y[val])
    expected = recorded.network_.compute_loss(X[val], Y_val.astype(float), weights[val])
    assert recorded.validation_loss_curve_[-1] == expected


def test_the_validation_loss_weighs_the_classes_as_the_training_loss_does():
    X, y, _ = classification_data()
    train, val = halves(len(y))
    class_weight = {0: 0.5, 1: 4.0}
    clf = NumpyMLPClassifier((8,), max_iter=3, random_state=0, class_weight=class_weight).fit(
        X[train], y[train], X_val=X[val], y_val=y[val])
    weights = np.array([class_weight[label] for label in y[val]])
    Y_val = clf._label_binarizer.transform(y[val]).astype(float)
    assert clf.validation_loss_curve_[-1] == clf.network_.compute_loss(X[val], Y_val, weights)
    assert clf.validation_loss_curve_[-1] != clf.network_.compute_loss(X[val], Y_val)


def test_balanced_class_weights_of_the_validation_rows_are_those_of_the_training_labels():
    X, y, _ = classification_data()
    train = np.flatnonzero(y == 0)[:100].tolist() + np.flatnonzero(y == 1)[:20].tolist()
    val = np.flatnonzero(y == 0)[100:110].tolist() + np.flatnonzero(y == 1)[20:70].tolist()
    clf = NumpyMLPClassifier((8,), max_iter=2, random_state=0, class_weight="balanced").fit(
        X[train], y[train], X_val=X[val], y_val=y[val])
    counts = np.bincount(y[train])
    weights = (len(train) / (2 * counts))[y[val]]  # 'balanced' over the training labels
    Y_val = clf._label_binarizer.transform(y[val]).astype(float)
    assert clf.validation_loss_curve_[-1] == pytest.approx(clf.network_.compute_loss(X[val], Y_val, weights),
                                                           rel=1e-12)


# -- what X_val is checked and converted like -----------------------------------------------------


def test_X_val_takes_the_training_dtype_and_may_be_sparse():
    X, y, _ = classification_data()
    train, val = halves(len(y))
    params = dict(hidden_layer_sizes=(8,), max_iter=4, random_state=0)
    X32 = X.astype(np.float32)
    from64 = NumpyMLPClassifier(**params).fit(X32[train], y[train], X_val=X[val], y_val=y[val])
    from32 = NumpyMLPClassifier(**params).fit(X32[train], y[train], X_val=X32[val], y_val=y[val])
    assert from64.validation_loss_curve_ == from32.validation_loss_curve_
    dense = NumpyMLPClassifier(**params).fit(X[train], y[train], X_val=X[val], y_val=y[val])
    for matrix in (sp.csr_matrix, sp.csc_matrix):
        sparse = NumpyMLPClassifier(**params).fit(X[train], y[train], X_val=matrix(X[val]), y_val=y[val])
        np.testing.assert_allclose(sparse.validation_loss_curve_, dense.validation_loss_curve_, rtol=1e-12)
        assert sparse.validation_scores_ == dense.validation_scores_


def test_string_labels_and_feature_names():
    pytest.importorskip("pandas")
    X, y = load_iris(return_X_y=True, as_frame=True)
    labels = np.array(["setosa", "versicolor", "virginica"], dtype=object)[y]
    train, val = halves(len(y))
    clf = NumpyMLPClassifier((8,), max_iter=3, random_state=0).fit(
        X.iloc[train], labels[train], X_val=X.iloc[val], y_val=labels[val])
    assert len(clf.validation_scores_) == 3
    with pytest.raises(ValueError, match="X_val does not have the feature names of X"):
        clf.fit(X.iloc[train], labels[train], X_val=X.iloc[val, ::-1], y_val=labels[val])
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        clf.fit(X.iloc[train], labels[train], X_val=X.iloc[val].to_numpy(), y_val=labels[val])


def test_multilabel_and_multioutput_targets():
    X, y, _ = classification_data()
    Y = np.c_[y, 1 - y, X[:, 0] > 0].astype(int)
    train, val = halves(len(y))
    clf = NumpyMLPClassifier((8,), max_iter=3, random_state=0, early_stopping=True).fit(
        X[train], Y[train], X_val=X[val], y_val=Y[val])
    assert len(clf.validation_scores_) == 3
    with pytest.raises(ValueError, match=r"y_val must be a label indicator matrix .* \(n_val_samples, 3\)"):
        clf.fit(X[train], Y[train], X_val=X[val], y_val=Y[val, :2])
    reg = NumpyMLPRegressor(hidden_layer_sizes=(8,), max_iter=3, random_state=0).fit(
        X[train], Y[train] * 1.5, X_val=X[val], y_val=Y[val] * 1.5)
    assert len(reg.validation_loss_curve_) == 3
    with pytest.raises(ValueError, match="y_val has 1 outputs, but y has 3"):
        reg.fit(X[train], Y[train] * 1.5, X_val=X[val], y_val=Y[val, 0])


X_ERR, Y_ERR, W_ERR = classification_data()
TRAIN, VAL = halves(len(Y_ERR))


@pytest.mark.parametrize("Estimator, arguments, message", [
    (NumpyMLPClassifier, dict(X_val=X_ERR[VAL]), "X_val was given without y_val"),
    (NumpyMLPClassifier, dict(y_val=Y_ERR[VAL]), "y_val was given without X_val"),
    (NumpyMLPClassifier, dict(sample_weight_val=W_ERR[VAL]), "sample_weight_val was given without X_val"),
    (NumpyMLPClassifier, dict(X_val=X_ERR[VAL, :4], y_val=Y_ERR[VAL]), "X_val has 4 features, but X has 6"),
    (NumpyMLPClassifier, dict(X_val=np.where(X_ERR[VAL] > 2, np.nan, X_ERR[VAL]), y_val=Y_ERR[VAL]),
     "Input X_val contains NaN"),
    (NumpyMLPClassifier, dict(X_val=X_ERR[VAL], y_val=Y_ERR[VAL][:-1]), "X_val has 80 rows, but y_val has 79"),
    (NumpyMLPClassifier, dict(X_val=X_ERR[VAL[:1]], y_val=Y_ERR[VAL[:1]]), "at least 2"),
    (NumpyMLPClassifier, dict(X_val=X_ERR[VAL], y_val=Y_ERR[VAL] + 1), r"labels that are not classes of y: \[2\]"),
    (NumpyMLPClassifier, dict(X_val=X_ERR[VAL], y_val=Y_ERR[VAL] + 0.5), "y_val must hold class labels"),
    (NumpyMLPClassifier, dict(X_val=X_ERR[VAL], y_val=np.c_[Y_ERR[VAL], Y_ERR[VAL]]), "one label per validation row"),
    (NumpyMLPClassifier, dict(X_val=X_ERR[VAL], y_val=Y_ERR[VAL], sample_weight_val=W_ERR[:3]),
     "sample_weight_val has 3 values, but there are 80 rows in X_val"),
    (NumpyMLPClassifier, dict(X_val=X_ERR[VAL], y_val=Y_ERR[VAL], sample_weight_val=-W_ERR[VAL]),
     "sample_weight_val must not contain negative values"),
    (NumpyMLPClassifier, dict(X_val=X_ERR[VAL], y_val=Y_ERR[VAL], sample_weight_val=0 * W_ERR[VAL]),
     "sample_weight_val must contain at least one non-zero number"),
    (NumpyMLPRegressor, dict(X_val=X_ERR[VAL], y_val=np.c_[Y_ERR[VAL], Y_ERR[VAL]]), "y_val has 2 outputs, but y has 1"),
    (NumpyMLPRegressor, dict(X_val=X_ERR[VAL], y_val=np.array(["a"] * len(VAL), dtype=object)),
     "y_val must hold numbers"),
])
@pytest.mark.parametrize("fitted", [False, True])
def test_bad_validation_data_is_a_clear_error_that_leaves_the_estimator_as_it_was(Estimator, arguments, message,
                                                                                   fitted):
    est = Estimator(hidden_layer_sizes=(8,), max_iter=3, random_state=0, warm_start=fitted)
    if fitted:
        est.fit(X_ERR[TRAIN], Y_ERR[TRAIN])
    before = {k: (v.copy() if isinstance(v, (list, np.ndarray)) else v) for k, v in vars(est).items()}
    params = [p.copy() for p in est.coefs_ + est.intercepts_] if fitted else None
    with pytest.raises(ValueError, match=message):
        est.fit(X_ERR[TRAIN], Y_ERR[TRAIN], **arguments)
    assert vars(est).keys() == before.keys()
    for key, value in before.items():
        assert vars(est)[key] is value or np.array_equal(vars(est)[key], value) or vars(est)[key] == value, key
    if fitted:
        for x, z in zip(params, est.coefs_ + est.intercepts_):
            np.testing.assert_array_equal(x, z)


def test_a_class_weight_that_zeroes_every_validation_row_is_an_error():
    X, y, _ = classification_data()
    clf = NumpyMLPClassifier((8,), max_iter=3, class_weight={0: 0.0, 1: 1.0})
    with pytest.raises(ValueError, match="gives every validation row weight 0"):
        clf.fit(X, y, X_val=X[y == 0], y_val=y[y == 0])
    assert not hasattr(clf, "network_")


def test_poisson_validation_targets_must_not_be_negative():
    X, y, _ = regression_data()
    with pytest.raises(ValueError, match="y_val are negative"):
        NumpyMLPRegressor(loss="poisson", max_iter=2).fit(X, np.abs(y), X_val=X[:10], y_val=y[:10] - 10)


@pytest.mark.parametrize("settings", [dict(solver="lbfgs"), dict(optimizer="lbfgs")])
def test_lbfgs_refuses_X_val(settings):
    X, y, _ = classification_data()
    clf = NumpyMLPClassifier((8,), **settings)
    name = next(iter(settings))
    with pytest.raises(ValueError, match=f"{name}='lbfgs' has no epochs"):
        clf.fit(X, y, X_val=X[:20], y_val=y[:20])
    assert not hasattr(clf, "network_")


def test_partial_fit_takes_no_validation_data():
    X, y, _ = classification_data()
    with pytest.raises(TypeError, match="X_val"):
        NumpyMLPClassifier((8,)).partial_fit(X, y, classes=[0, 1], X_val=X, y_val=y)


# -- metadata routing ------------------------------------------------------------------------------


@pytest.mark.parametrize("Estimator, data", [(NumpyMLPClassifier, classification_data),
                                             (NumpyMLPRegressor, regression_data)])
def test_a_pipeline_transforms_X_val_as_X(Estimator, data):
    X, y, _ = data()
    X = X * [1, 10, 100, 1000, 0.1, 5] + 7  # far from scaled, so that scaling matters
    train, val = halves(len(y))
    est = Estimator(hidden_layer_sizes=(8,), max_iter=40, n_iter_no_change=3, early_stopping=True, random_state=0)
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = Pipeline([("scale", StandardScaler()), ("mlp", clone(est).set_fit_request(X_val=True, y_val=True))],
                        transform_input=["X_val"])
        pipe.fit(X[train], y[train], X_val=X[val], y_val=y[val])
    scaler = StandardScaler().fit(X[train])
    alone = clone(est).fit(scaler.transform(X[train]), y[train], X_val=scaler.transform(X[val]), y_val=y[val])
    assert_same_fit(pipe[-1], alone)
    # the comparison sees the transformation: untransformed validation rows train another model
    raw = clone(est).fit(scaler.transform(X[train]), y[train], X_val=X[val], y_val=y[val])
    assert raw.validation_loss_curve_ != alone.validation_loss_curve_


def test_without_routing_a_pipeline_refuses_X_val_as_scikit_learn_says():
    X, y, _ = classification_data()
    pipe = Pipeline([("scale", StandardScaler()), ("mlp", NumpyMLPClassifier((8,), max_iter=2))])
    with pytest.raises(ValueError, match="Pipeline.fit does not accept the X_val parameter"):
        pipe.fit(X, y, X_val=X, y_val=y)


def test_cross_validation_and_grid_search_work_with_and_without_X_val():
    X, y, _ = classification_data()
    train, val = halves(len(y))
    est = NumpyMLPClassifier((8,), max_iter=5, random_state=0)
    assert len(cross_val_score(est, X, y, cv=3)) == 3
    search = GridSearchCV(est, {"alpha": [1e-4, 1e-2]}, cv=3).fit(X, y)
    assert search.best_estimator_.validation_scores_ is None
    with sklearn.config_context(enable_metadata_routing=True):
        routed = clone(est).set_fit_request(X_val=True, y_val=True)
        scores = cross_val_score(routed, X[train], y[train], cv=3, params={"X_val": X[val], "y_val": y[val]})
        search = GridSearchCV(routed, {"alpha": [1e-4, 1e-2]}, cv=3).fit(X[train], y[train], X_val=X[val],
                                                                            y_val=y[val])
    assert len(scores) == 3
    best = search.best_estimator_
    assert len(best.validation_scores_) == best.n_iter_ == 5
    assert best.validation_scores_[-1] == best.score(X[val], y[val])


# -- warm start, saving ------------------------------------------------------------------------------


def test_warm_start_goes_on_recording_and_may_switch_to_early_stopping():
    X, y, _ = classification_data()
    train, val = halves(len(y))
    clf = NumpyMLPClassifier((8,), max_iter=4, random_state=0, warm_start=True)
    clf.fit(X[train], y[train], X_val=X[val], y_val=y[val])
    clf.fit(X[train], y[train], X_val=X[val], y_val=y[val])
    assert len(clf.history_) == len(clf.validation_scores_) == len(clf.validation_loss_curve_) == 8
    assert [r["val_score"] for r in clf.history_] == clf.validation_scores_
    clf.set_params(early_stopping=True, max_iter=30, n_iter_no_change=2)
    clf.fit(X[train], y[train], X_val=X[val], y_val=y[val])
    # the early stopping of this fit stops on this fit's scores and keeps its best epoch
    assert len(clf.validation_scores_) == 8 + clf.n_iter_
    assert clf.best_validation_score_ == max(clf.validation_scores_[8:])
    assert clf.score(X[val], y[val]) == clf.best_validation_score_
    # and a fresh fit forgets it all
    clf.set_params(warm_start=False, early_stopping=False, max_iter=3)
    clf.fit(X[train], y[train])
    assert clf.validation_scores_ is None and len(clf.history_) == 3


@pytest.mark.parametrize("early_stopping", [False, True])
def test_a_model_fitted_with_X_val_is_saved_and_loaded(tmp_path, early_stopping):
    X, y, _ = classification_data()
    train, val = halves(len(y))
    clf = NumpyMLPClassifier((8,), max_iter=6, random_state=0, early_stopping=early_stopping).fit(
        X[train], y[train], X_val=X[val], y_val=y[val])
    skneural.save(clf, tmp_path / "m.skn")
    again = skneural.load(tmp_path / "m.skn")
    for name in ("history_", "validation_scores_", "validation_loss_curve_", "best_validation_score_", "best_loss_"):
        assert getattr(again, name) == getattr(clf, name), name
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    # and goes on training, recording, as the original does
    for model in (clf, again):
        model.set_params(warm_start=True, max_iter=2).fit(X[train], y[train], X_val=X[val], y_val=y[val])
    assert_same_fit(again, clf)
