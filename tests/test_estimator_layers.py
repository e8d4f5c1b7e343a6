"""The estimators' ``dropout`` and ``normalization``: the layers they build, how those train and
predict, and their round trips through model files, clone, pickle and GridSearchCV."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_iris, make_classification, make_regression
from sklearn.metrics import log_loss
from sklearn.model_selection import GridSearchCV

from skneural import NeuralNetwork, NumpyMLPClassifier, NumpyMLPRegressor, check_gradients, load, save
from skneural.layers import Activation, BatchNorm, Dense, Dropout, LayerNorm
from skneural.schedules import CosineAnnealing

from test_model_file_safety import edit_model_file, network_of

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

NORMALIZATION = {"batch": BatchNorm, "layer": LayerNorm}


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


def kinds(layers):
    return [type(layer) for layer in layers]


@pytest.mark.parametrize("normalization", [None, "batch", "layer"])
def test_layers_follow_dense_layers_in_order(normalization):
    net = NeuralNetwork([3, 6, 5, 2], "tanh", "softmax", "categorical_crossentropy", random_state=0,
                        dropout=[0.25, 0.0], normalization=normalization)
    norm = [NORMALIZATION[normalization]] if normalization else []
    assert kinds(net.layers) == [Dense, *norm, Activation, Dropout, Dense, *norm, Activation, Dense, Activation]
    assert [layer.rate for layer in net.layers if isinstance(layer, Dropout)] == [0.25]
    assert [w.shape for w in net.weights] == [(3, 6), (6, 5), (5, 2)]
    # the same seed draws the same weights with or without the extra layers
    plain = NeuralNetwork([3, 6, 5, 2], "tanh", "softmax", "categorical_crossentropy", random_state=0)
    for a, b in zip(plain.weights + plain.biases, net.weights + net.biases):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("normalization", ["batch", "layer"])
def test_gradients_of_a_sized_network_with_every_extra_layer(normalization):
    rng = np.random.RandomState(0)
    x, y = rng.normal(size=(7, 3)), np.eye(2)[rng.randint(0, 2, 7)]
    net = NeuralNetwork([3, 5, 4, 2], "tanh", "softmax", "categorical_crossentropy", random_state=0,
                        dropout=0.3, normalization=normalization)
    for layer in net.layers:
        if isinstance(layer, Dropout):
            layer.fixed_mask = layer.draw_mask((7, layer_width(net, layer)))
    assert check_gradients(net, x, y) < 1e-6


def layer_width(net, dropout):
    before = net.layers[:net.layers.index(dropout)]
    return [layer for layer in before if isinstance(layer, Dense)][-1].weights.shape[1]


def test_bad_settings_name_the_cause():
    with pytest.raises(ValueError, match="Unknown normalization 'batchnorm'; valid ones are: 'batch', 'layer'"):
        NeuralNetwork([3, 4, 2], normalization="batchnorm")
    with pytest.raises(ValueError, match="dropout lists 2 rates for 1 hidden layers"):
        NeuralNetwork([3, 4, 2], dropout=[0.1, 0.2])
    with pytest.raises(ValueError, match="leave dropout and normalization unset"):
        NeuralNetwork([Dense(3, 2), Activation("identity")], dropout=0.5)
    X, y = make_classification(40, 4, random_state=0)
    for params, match in [({"dropout": 1.0}, "'dropout' parameter of NumpyMLPClassifier must be"),
                          ({"dropout": [0.1, 0.1]}, "lists 2 rates, but hidden_layer_sizes=.100,. has 1"),
                          ({"normalization": "batchnorm"}, "'normalization' parameter of NumpyMLPClassifier"),
                          ({"normalization": "Batch"}, "'normalization' parameter")]:
        with pytest.raises(ValueError, match=match):
            NumpyMLPClassifier(**params).fit(X, y)


def test_dropout_trains_differently_and_predicts_deterministically(iris):
    X, y = iris
    plain = NumpyMLPClassifier((32,), max_iter=20, random_state=0).fit(X, y)
    dropped = NumpyMLPClassifier((32,), dropout=0.5, max_iter=20, random_state=0).fit(X, y)
    assert not np.allclose(plain.coefs_[0], dropped.coefs_[0])
    first = dropped.predict_proba(X)
    np.testing.assert_array_equal(first, dropped.predict_proba(X))
    # prediction is the network without dropout: the dense layers and activations alone
    h = np.maximum(X @ dropped.coefs_[0] + dropped.intercepts_[0], 0)
    logits = h @ dropped.coefs_[1] + dropped.intercepts_[1]
    expected = np.exp(logits - logits.max(axis=1, keepdims=True))
    np.testing.assert_allclose(first, expected / expected.sum(axis=1, keepdims=True), rtol=1e-12)
    assert all(layer.training for layer in dropped.network_.layers)  # predicting leaves the mode alone


def test_dropout_shrinks_the_gap_between_train_and_test_loss():
    """A wide network on 100 noisy rows overfits; dropout narrows the log-loss gap on 200 new rows."""
    X, y = make_classification(300, 20, n_informative=4, flip_y=0.25, random_state=1)
    train, test = slice(0, 100), slice(100, None)

    def gap(dropout):
        gaps = []
        for seed in range(3):
            clf = NumpyMLPClassifier((256,), dropout=dropout, learning_rate_init=0.01, max_iter=200,
                                     random_state=seed).fit(X[train], y[train])
            gaps.append(log_loss(y[test], clf.predict_proba(X[test]))
                        - log_loss(y[train], clf.predict_proba(X[train])))
        return np.mean(gaps)

    without, with_dropout = gap(0.0), gap(0.6)
    assert without > 0.5  # it does overfit
    assert with_dropout < 0.9 * without


@pytest.mark.parametrize("normalization", ["batch", "layer"])
def test_a_row_predicts_as_it_does_inside_a_batch(normalization):
    X, y = make_regression(120, 5, noise=5, random_state=0)
    reg = NumpyMLPRegressor(hidden_layer_sizes=(16, 8), normalization=normalization, max_iter=30, random_state=0).fit(X, y)
    whole = reg.predict(X)
    one_by_one = np.array([reg.predict(X[i:i + 1])[0] for i in range(len(X))])
    np.testing.assert_allclose(one_by_one, whole, rtol=1e-12, atol=1e-12)
    norms = [layer for layer in reg.network_.layers if isinstance(layer, NORMALIZATION[normalization])]
    assert len(norms) == 2 and [n.width for n in norms] == [16, 8]
    # scale and shift trained, and not among the weights that alpha penalizes
    assert not np.allclose(norms[0].scale, 1) and not np.allclose(norms[0].shift, 0)
    assert len(reg.coefs_) == 3 and [c.shape for c in reg.coefs_] == [(5, 16), (16, 8), (8, 1)]
    assert all(layer.penalized == () for layer in norms)


def test_batch_norm_running_statistics_are_those_of_training():
    X, y = make_regression(64, 3, random_state=0)
    X = X * [1, 10, 100] + [5, -5, 50]
    reg = NumpyMLPRegressor(hidden_layer_sizes=(4,), normalization="batch", batch_size=64, max_iter=1, shuffle=False,
                            learning_rate_init=1e-12, random_state=0).fit(X, y)
    layer = reg.network_.layers[1]
    pre = X @ reg.coefs_[0] + reg.intercepts_[0]  # the weights barely moved
    np.testing.assert_allclose(layer.running_mean[0], 0.1 * pre.mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(layer.running_var[0], 0.9 + 0.1 * pre.var(axis=0, ddof=1), rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("params", [{"dropout": 0.3}, {"normalization": "batch", "dropout": [0.2, 0.0]},
                                    {"normalization": "layer"}])
def test_save_load_pickle_and_clone_keep_everything(tmp_path, iris, params, dtype):
    X, y = iris[0].astype(dtype), iris[1]
    clf = NumpyMLPClassifier((8, 6), max_iter=15, random_state=0, **params).fit(X, y)
    save(clf, tmp_path / "m.skn")
    for copy in (load(tmp_path / "m.skn"), pickle.loads(pickle.dumps(clf))):
        assert copy.get_params() == clf.get_params()
        assert kinds(copy.network_.layers) == kinds(clf.network_.layers)
        np.testing.assert_array_equal(copy.predict_proba(X), clf.predict_proba(X))
        for a, b in zip(copy.network_.layers, clf.network_.layers):
            for name in (*a.param_names, *a.state_names):
                np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
                assert getattr(a, name).dtype == dtype
            if isinstance(a, Dropout):
                assert a.rate == b.rate
        copy.partial_fit(X, y)  # and training goes on
        assert copy.n_iter_ == clf.n_iter_ + 1
    assert clone(clf).get_params() == clf.get_params()


def test_warm_start_refuses_other_layers_and_keeps_the_model(iris):
    X, y = iris
    clf = NumpyMLPClassifier((8,), dropout=0.2, max_iter=5, random_state=0, warm_start=True).fit(X, y)
    before = clf.predict_proba(X)
    for params in ({"dropout": 0.3}, {"normalization": "layer"}):
        with pytest.raises(ValueError, match="changed since the network was built"):
            clone(clf).set_params(**params)  # a clone has no network: fine
            clf.set_params(**params).fit(X, y)
        clf.set_params(dropout=0.2, normalization=None)
        np.testing.assert_array_equal(clf.predict_proba(X), before)
    clf.fit(X, y)  # as built: goes on
    assert not np.array_equal(clf.predict_proba(X), before)


@pytest.mark.parametrize("edit, match", [
    (lambda net: net.update(normalization="group"), "normalization is not one of"),
    (lambda net: net.update(dropout=[0.2, 1.5]), "dropout has a rate outside"),
    (lambda net: net.update(dropout=[0.2]), "dropout is not a list of one rate per hidden layer"),
    (lambda net: net.update(dropout=[0.2, "x"]), "dropout"),
    (lambda net: net.update(normalization="layer"), "state is stored for a network whose layers keep no state"),
    (lambda net: net.pop("normalization"), "params has shape"),
])
def test_model_files_with_bad_layer_settings_are_refused(tmp_path, iris, edit, match):
    X, y = iris
    path = tmp_path / "m.skn"
    NumpyMLPClassifier((5, 4), normalization="batch", dropout=0.2, max_iter=3, random_state=0).fit(X, y).save(path)
    edit_model_file(path, lambda model: edit(network_of(model)))
    with pytest.raises(ValueError, match=match):
        load(path)


def test_a_file_without_its_running_statistics_is_refused(tmp_path, iris):
    X, y = iris
    path = tmp_path / "m.skn"
    NumpyMLPClassifier((5,), normalization="batch", max_iter=3, random_state=0).fit(X, y).save(path)

    def drop_state(model, arrays):
        del arrays[network_of(model).pop("state")["array"]]
    edit_model_file(path, edit_arrays=drop_state)
    with pytest.raises(ValueError, match="lacks the state of its layers"):
        load(path)


@pytest.mark.parametrize("poke, match", [(-1.0, "negative variance"), (np.nan, "non-finite"),
                                         (np.inf, "non-finite")])
def test_running_statistics_from_a_file_are_checked(tmp_path, iris, poke, match):
    X, y = iris
    path = tmp_path / "m.skn"
    NumpyMLPClassifier((5,), normalization="batch", max_iter=3, random_state=0).fit(X, y).save(path)

    def set_variance(model, arrays):
        key = network_of(model)["state"]["array"]
        arrays[key] = arrays[key].copy()
        arrays[key][-1] = poke  # the last running variance
    edit_model_file(path, edit_arrays=set_variance)
    with pytest.raises(ValueError, match=match):
        load(path)


def test_a_huge_running_scale_is_refused_by_the_output_bounds(tmp_path, iris):
    X, y = iris
    path = tmp_path / "m.skn"
    NumpyMLPRegressor(hidden_layer_sizes=(5,), normalization="batch", max_iter=3, random_state=0).fit(X, y).save(path)

    def shrink_variance(model, arrays):
        key = network_of(model)["state"]["array"]
        params = network_of(model)["params"]["array"]
        arrays[key] = np.zeros_like(arrays[key])  # running means 0 and variances 0: 1/sqrt(epsilon)
        arrays[params] = arrays[params].copy()
        arrays[params][:20] = 1e300  # first dense weights
    edit_model_file(path, edit_arrays=shrink_variance)
    with pytest.raises(ValueError, match="overflow"):
        load(path)


def test_grid_search_tunes_dropout_and_the_warmup(iris):
    X, y = iris
    grid = {"dropout": [0.0, 0.3], "learning_rate__warmup": [0, 3]}
    search = GridSearchCV(NumpyMLPClassifier((16,), learning_rate=CosineAnnealing(), max_iter=30, random_state=0),
                          grid, cv=3).fit(X, y)
    tried = [(p["dropout"], p["learning_rate__warmup"]) for p in search.cv_results_["params"]]
    assert sorted(tried) == [(0.0, 0), (0.0, 3), (0.3, 0), (0.3, 3)]
    assert len(set(np.round(search.cv_results_["mean_test_score"], 12))) > 1  # the settings matter
    best = search.best_estimator_
    rates = [layer.rate for layer in best.network_.layers if isinstance(layer, Dropout)]
    assert rates == ([best.dropout] if best.dropout else [])
    assert best.learning_rate.warmup == search.best_params_["learning_rate__warmup"]


def test_restoring_the_best_epoch_restores_its_running_statistics():
    from skneural.callbacks import EarlyStopping

    X, y = load_iris(return_X_y=True)
    X = X * [1, 10, 0.1, 5]
    train, val = np.arange(len(X)) % 3 != 0, np.arange(len(X)) % 3 == 0
    stopping = EarlyStopping("val_loss", patience=3, restore_best_weights=True)
    clf = NumpyMLPClassifier((32, 16), normalization="batch", learning_rate_init=0.05, batch_size=16, max_iter=200,
                             n_iter_no_change=200, random_state=0, callbacks=[stopping])
    clf.fit(X[train], y[train], X_val=X[val], y_val=y[val])
    best = clf.callbacks_[0]
    assert best.stopped_epoch_ is not None and best.best_ < clf.validation_loss_curve_[-1]  # it went past the best
    Y_val = clf._label_binarizer.transform(y[val]).astype(float)
    assert clf.network_.compute_loss(X[val], Y_val) == pytest.approx(best.best_, rel=1e-12)
    # the estimator's own early stopping keeps its best epoch the same way
    clf = NumpyMLPClassifier((32, 16), normalization="batch", learning_rate_init=0.05, batch_size=16, max_iter=200,
                             early_stopping=True, n_iter_no_change=3, random_state=0)
    clf.fit(X[train], y[train], X_val=X[val], y_val=y[val])
    assert clf.validation_scores_[-1] < clf.best_validation_score_
    assert clf.score(X[val], y[val]) == clf.best_validation_score_
    assert clf.network_.compute_loss(X[val], Y_val) == pytest.approx(
        clf.validation_loss_curve_[int(np.argmax(clf.validation_scores_))], rel=1e-12)


def test_batch_normalization_needs_two_rows_a_batch(iris):
    X, y = iris
    clf = NumpyMLPClassifier((8,), batch_size=1, normalization="batch")
    with pytest.raises(ValueError, match=r"a batch of one row does not have \(training on 150 samples in batches of 1\)"):
        clf.fit(X, y)
    assert not hasattr(clf, "network_")
    with pytest.raises(ValueError, match="training on 1 sample in batches of 1"):
        NumpyMLPClassifier((8,), normalization="batch").partial_fit(X[:1], y[:1], classes=[0, 1, 2])
    with pytest.warns(UserWarning, match="the last batch of every epoch has one row"):
        NumpyMLPClassifier((8,), batch_size=149, normalization="batch", max_iter=2).fit(X, y)
    NumpyMLPClassifier((8,), batch_size=1, normalization="layer", max_iter=2).fit(X, y)  # each row on its own


@pytest.mark.parametrize("params", [{"dropout": 0.1}, {"normalization": "batch"}])
def test_lbfgs_refuses_layers_that_make_its_loss_move(iris, params):
    X, y = iris
    with pytest.raises(ValueError, match="optimizer='lbfgs' minimizes one fixed loss"):
        NumpyMLPClassifier(optimizer="lbfgs", **params).fit(X, y)
    with pytest.raises(ValueError, match="solver='lbfgs' minimizes one fixed loss"):
        NumpyMLPClassifier(solver="lbfgs", **params).fit(X, y)


def test_lbfgs_trains_with_layer_normalization(iris):
    X, y = iris
    clf = NumpyMLPClassifier((8,), optimizer="lbfgs", normalization="layer", max_iter=50, random_state=0).fit(X, y)
    Y = clf._label_binarizer.transform(y).astype(float)
    assert clf.network_.compute_loss(X, Y) == pytest.approx(clf.loss_, rel=1e-9)


def test_dropout_rates_may_be_an_array(iris):
    X, y = iris
    clf = NumpyMLPClassifier((6, 4), dropout=np.array([0.2, 0.0]), max_iter=3, random_state=0).fit(X, y)
    assert [layer.rate for layer in clf.network_.layers if isinstance(layer, Dropout)] == [0.2]
    with pytest.raises(ValueError, match="'dropout' parameter"):
        NumpyMLPClassifier(dropout=np.array([[0.2]])).fit(X, y)


def test_the_engine_checks_batch_rows_as_the_estimators_do():
    x, y = np.random.RandomState(0).normal(size=(30, 4)), np.arange(30) % 3
    net = NeuralNetwork([4, 8, 3], "relu", "softmax", "categorical_crossentropy", "adam", random_state=0,
                        normalization="batch")
    before = net.params.copy()
    with pytest.raises(ValueError, match=r"Batch normalization .* \(training on 30 samples in batches of 1\)"):
        net.fit(x, y, categorical=True, batch_size=1)
    np.testing.assert_array_equal(net.params, before)
    with pytest.warns(UserWarning, match="With 30 rows in batches of 29, the last batch of every epoch has one row"):
        net.fit(x, y, categorical=True, batch_size=29)
    net.eval()  # evaluation mode uses the running statistics: nothing to check
    NeuralNetwork([4, 8, 3], "relu", "softmax", "categorical_crossentropy", "adam",
                  normalization="layer").fit(x, y, categorical=True, batch_size=1)


def test_a_pipeline_routing_x_val_is_saved_with_its_routing(tmp_path):
    from sklearn import config_context
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = load_iris(return_X_y=True)
    with config_context(enable_metadata_routing=True):
        model = Pipeline([("scale", StandardScaler()),
                          ("mlp", NumpyMLPClassifier((8,), dropout=0.1, normalization="batch", max_iter=5,
                                                     random_state=0).set_fit_request(X_val=True, y_val=True))],
                         transform_input=["X_val"])
        model.fit(X[::2], y[::2], X_val=X[1::2], y_val=y[1::2])
        save(model, tmp_path / "p.skn")
        again = load(tmp_path / "p.skn")
        assert again.transform_input == ["X_val"]
        np.testing.assert_array_equal(again.predict_proba(X), model.predict_proba(X))
        assert len(again[-1].validation_loss_curve_) == 5
    edit_model_file(tmp_path / "p.skn", lambda m: m.update(transform_input=["X_val", 3]))
    with pytest.raises(ValueError, match="transform_input is not a list of at most 100 parameter names"):
        load(tmp_path / "p.skn")
