"""TabularMLPClassifier and TabularMLPRegressor: tables read as they are, their input layers, their
settings reaching the training, and the estimator API (partial_fit, X_val, callbacks, class_weight)."""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from skneural import NumpyMLPClassifier, TabularMLPClassifier, TabularMLPRegressor
from skneural.layers import PeriodicEmbedding, PiecewiseLinearEncoding, Scale, SmoothClip
from skneural.utils import check_gradients

pd = pytest.importorskip("pandas")

SMALL = dict(hidden_layer_sizes=(16,), max_iter=15, learning_rate_init=0.01, batch_size=32, random_state=0)


def table(n=240, seed=0):
    """A table with every kind of column: numbers with missing values, text, category, bool, an int."""
    rng = np.random.RandomState(seed)
    x = rng.normal(size=n)
    x_missing = np.where(rng.uniform(size=n) < 0.2, np.nan, rng.normal(size=n))
    colour = rng.choice(["red", "green", "blue"], n).astype(object)
    colour[rng.uniform(size=n) < 0.1] = None
    size = pd.Categorical(rng.choice(["S", "M", "L"], n), categories=["S", "M", "L"])
    flag = rng.uniform(size=n) < 0.5
    count = rng.poisson(3, n)
    X = pd.DataFrame({"x": x, "x_missing": x_missing, "colour": colour, "size": size, "flag": flag, "count": count})
    signal = 2 * x + (colour == "red") - (size == "L") + 0.5 * flag
    return X, signal


def test_reads_a_table_as_it_is_and_learns_its_encoding():
    X, signal = table()
    y = np.where(signal > np.median(signal), "high", "low")
    clf = TabularMLPClassifier(**SMALL).fit(X, y)
    assert clf.n_features_in_ == 6 and list(clf.feature_names_in_) == list(X.columns)
    kinds = {name: list(columns) for name, _, columns in clf.preprocessor_.transformers_ if name != "remainder"}
    assert kinds == {"numeric": ["x", "x_missing", "count"], "missing": ["x_missing"],
                     "categorical": ["colour", "size", "flag"]}
    assert set(clf.predict(X)) <= {"high", "low"} and clf.score(X, y) > 0.8
    proba = clf.predict_proba(X)
    assert proba.dtype == np.float64 and np.allclose(proba.sum(axis=1), 1)
    three = TabularMLPClassifier(**SMALL).fit(X, np.digitize(signal, [-1, 1]))  # softmax, trained in float32
    sums = three.predict_proba(X).sum(axis=1)
    assert three.predict_proba(X).dtype == np.float64 and np.abs(sums - 1).max() <= 4 * np.finfo(np.float64).eps
    # categories never seen at fit and missing values predict as well as known ones
    unseen = X.head(5).assign(colour=["purple", None, "red", "blue", "green"], x=np.nan)
    assert np.isfinite(clf.predict_proba(unseen)).all()
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(X[list(reversed(X.columns))])


def test_an_array_of_numbers_and_text_is_read_by_column():
    X, signal = table()
    y = (signal > np.median(signal)).astype(int)
    array = X[["x", "colour", "count"]].to_numpy(dtype=object)
    clf = TabularMLPClassifier(**SMALL).fit(array, y)
    numeric, = [c for name, _, c in clf.preprocessor_.transformers_ if name == "numeric"]
    assert list(numeric) == [0, 2]  # the text column is a category
    frame = TabularMLPClassifier(**SMALL).fit(X[["x", "colour", "count"]], y)
    assert np.array_equal(clf.predict_proba(array), frame.predict_proba(X[["x", "colour", "count"]]))


def test_input_layers_follow_the_settings_and_the_table():
    X, signal = table()
    reg = TabularMLPRegressor(**SMALL).fit(X, signal)
    clip, embedding, scale = reg.network_.input_layers
    n_numeric = 3  # x, x_missing, count: the first encoded columns
    width = reg.preprocessor_.transform(X.head(1)).shape[1]
    assert isinstance(clip, SmoothClip) and clip.n_features == n_numeric and clip.limit == 3.0
    assert isinstance(embedding, PeriodicEmbedding) and embedding.n_features == n_numeric
    assert embedding.n_passthrough == width - n_numeric
    assert embedding.n_frequencies == 16 and embedding.embedding_size == 8 and embedding.include_input
    assert isinstance(scale, Scale) and reg.network_.sizes[0] == n_numeric * 9 + width - n_numeric
    plain = TabularMLPRegressor(numeric_embedding=None, smooth_clip=None, scaling_layer=False, **SMALL).fit(X, signal)
    assert plain.network_.input_layers == [] and plain.network_.sizes[0] == width
    only_text = TabularMLPRegressor(**SMALL).fit(X[["colour", "size"]], signal)
    assert [type(layer) for layer in only_text.network_.input_layers] == [Scale]


def test_the_piecewise_linear_encoding_bins_the_clipped_training_values_by_quantiles():
    X, signal = table()
    reg = TabularMLPRegressor(numeric_embedding="piecewise_linear", n_bins=5, **SMALL).fit(X, signal)
    clip, bins, scale = reg.network_.input_layers
    encoded = reg.preprocessor_.transform(X)
    n_numeric, width = 3, encoded.shape[1]
    assert isinstance(bins, PiecewiseLinearEncoding) and (bins.n_features, bins.n_bins) == (n_numeric, 5)
    assert bins.n_passthrough == width - n_numeric and bins.include_input
    clipped = clip.infer(encoded[:, :n_numeric].astype(np.float64))
    for j in range(n_numeric):
        expected = np.unique(np.quantile(clipped[:, j], np.linspace(0, 1, 6)))
        np.testing.assert_allclose(np.unique(bins.edges[j]), expected, rtol=1e-6)
    assert reg.network_.sizes[0] == scale.width == n_numeric * 6 + width - n_numeric


@pytest.mark.parametrize("n_rows", [16 * 8 - 1, 16 * 8])
def test_auto_bins_the_numbers_from_16_rows_a_bin_on(n_rows):
    X, signal = table(n_rows)
    reg = TabularMLPRegressor(n_bins=8, **SMALL).fit(X, signal)
    assert reg.numeric_embedding == "auto"
    expected = "piecewise_linear" if n_rows >= 16 * 8 else "periodic"
    assert reg.numeric_embedding_ == expected
    kinds = {"piecewise_linear": PiecewiseLinearEncoding, "periodic": PeriodicEmbedding}
    assert type(reg.network_.input_layers[1]) is kinds[expected]
    assert TabularMLPRegressor(numeric_embedding=None, **SMALL).fit(X, signal).numeric_embedding_ is None
    assert reg.partial_fit(X, signal).numeric_embedding_ == expected  # the network it has


def test_the_piecewise_linear_encoding_learns_a_step_the_periodic_one_smooths():
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"day": rng.randint(0, 100, 1500), "noise": rng.normal(size=1500)})
    y = np.where(X["day"] % 50 < 25, 1.0, -1.0) + 0.1 * rng.normal(size=1500)  # steps every 25 days
    train, test = slice(0, 1000), slice(1000, None)
    kw = dict(hidden_layer_sizes=(64,), max_iter=40, random_state=0)
    scores = {e: TabularMLPRegressor(numeric_embedding=e, **kw).fit(X[train], y[train]).score(X[test], y[test])
              for e in ("periodic", "piecewise_linear")}
    assert scores["piecewise_linear"] > scores["periodic"] + 0.03, scores


def test_the_whole_network_has_the_gradient_of_its_loss():
    X, signal = table(60)
    reg = TabularMLPRegressor(hidden_layer_sizes=(8,), max_iter=2, dropout=0.0, random_state=0).fit(X, signal)
    encoded = reg.preprocessor_.transform(X)
    targets = ((np.asarray(signal) - reg.y_mean_) / reg.y_scale_).reshape(-1, 1)
    assert check_gradients(reg.network_, encoded, targets) < 1e-5


@pytest.mark.parametrize("scaling", ["robust", "quantile", "standard"])
def test_each_numeric_scaling_is_the_scaler_it_names(scaling):
    X, signal = table()
    reg = TabularMLPRegressor(numeric_scaling=scaling, **SMALL).fit(X, signal)
    scaler = reg.preprocessor_.named_transformers_["numeric"].named_steps["scale"]
    assert type(scaler).__name__ == {"robust": "RobustScaler", "quantile": "QuantileTransformer",
                                     "standard": "StandardScaler"}[scaling]


def test_regression_targets_are_standardized_inside():
    X, signal = table()
    reg = TabularMLPRegressor(**SMALL).fit(X, signal)
    assert np.isclose(reg.y_mean_[0], signal.mean()) and np.isclose(reg.y_scale_[0], signal.std())
    big = TabularMLPRegressor(**SMALL).fit(X, 1000 * signal + 5)
    # the network sees the same standardized targets: the predictions are the same, in the targets' units
    assert np.allclose(big.predict(X), 1000 * reg.predict(X) + 5, rtol=1e-3, atol=1e-2)
    assert big.score(X, 1000 * signal + 5) == pytest.approx(reg.score(X, signal), abs=1e-4)
    two = TabularMLPRegressor(**SMALL).fit(X, np.column_stack([signal, -signal]))
    assert two.predict(X).shape == (len(X), 2) and two.y_mean_.shape == (2,)


def test_a_named_schedule_and_weight_decay_drive_adamw():
    X, signal = table()
    y = signal > 0
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # max_iter is the schedule's length: no warning
        clf = TabularMLPClassifier(weight_decay=0.05, **SMALL).fit(X, y)
    rates = [record["lr"] for record in clf.history_]
    assert rates[0] == pytest.approx(0.01) and rates[-1] < 0.05 * rates[0]  # cosine annealing, to near 0
    assert clf.optimizer_.weight_decay == 0.05
    numpy_mlp = NumpyMLPClassifier(learning_rate="cosine_annealing", max_iter=15, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        numpy_mlp.fit(clf.preprocessor_.transform(X), y)  # scikit-learn's rule: a name schedules 'sgd' only
    assert {record["lr"] for record in numpy_mlp.history_} == {1e-3}


def test_early_stopping_keeps_the_best_epoch_of_held_out_rows():
    X, signal = table()
    clf = TabularMLPClassifier(**SMALL).fit(X, signal > 0)
    assert len(clf.validation_scores_) == clf.n_iter_ == 15
    assert clf.best_validation_score_ == max(clf.validation_scores_)


def test_x_val_is_a_table_too():
    X, signal = table(300)
    y = signal > 0
    clf = TabularMLPClassifier(**SMALL).fit(X[:200], y[:200], X_val=X[200:], y_val=y[200:])
    assert len(clf.validation_scores_) == clf.n_iter_
    assert clf.best_validation_score_ == pytest.approx(max(clf.validation_scores_))
    with pytest.raises(ValueError, match="X_val does not have the columns of X"):
        TabularMLPClassifier(**SMALL).fit(X[:200], y[:200], X_val=X[200:].drop(columns="colour"), y_val=y[200:])
    with pytest.raises(ValueError, match="^X_val has shape") as error:  # not a column mismatch
        TabularMLPClassifier(**SMALL).fit(X[:200], y[:200], X_val=X[:0], y_val=y[:0])
    assert "columns of X" not in str(error.value)


def test_partial_fit_learns_the_encoding_from_its_first_rows():
    X, signal = table(300)
    y = signal > 0
    clf = TabularMLPClassifier(hidden_layer_sizes=(16,), random_state=0)  # early_stopping=True by default
    clf.partial_fit(X[:150], y[:150], classes=[False, True])
    first = clf.preprocessor_
    clf.partial_fit(X[150:], y[150:])
    assert clf.preprocessor_ is first and clf.n_iter_ == 2 and clf.early_stopping
    assert clf.score(X, y) > 0.6
    clf.set_params(numeric_embedding=None)
    with pytest.raises(ValueError, match="numeric_embedding changed"):
        clf.partial_fit(X[:150], y[:150])


def test_class_weight_and_callbacks_work_as_in_the_other_estimators():
    X, signal = table(300)
    y = signal > np.quantile(signal, 0.85)  # 15% positives
    plain = TabularMLPClassifier(**SMALL).fit(X, y)
    seen = []

    class Epochs:
        def on_epoch_end(self, trainer):
            seen.append(trainer.history[-1]["epoch"])

    balanced = TabularMLPClassifier(class_weight="balanced", callbacks=[Epochs()], **SMALL).fit(X, y)
    assert seen == list(range(1, balanced.n_iter_ + 1))
    assert balanced.predict(X).mean() > plain.predict(X).mean()  # the rare class predicted more often


def test_a_failed_fit_leaves_the_estimator_as_it_was():
    X, signal = table()
    reg = TabularMLPRegressor(**SMALL).fit(X, signal)
    before = (reg.preprocessor_, reg.network_.params.copy(), reg.y_mean_.copy())
    with pytest.raises(ValueError):
        reg.fit(X.assign(x=np.inf), signal)
    assert reg.preprocessor_ is before[0] and np.array_equal(reg.network_.params, before[1])
    assert np.array_equal(reg.y_mean_, before[2])


@pytest.mark.parametrize("bad, message", [
    (lambda X: X.assign(when=pd.date_range("2020-01-01", periods=len(X))), "dates or times"),
    (lambda X: X.assign(x=np.inf), "infinity"),
])
def test_bad_tables_name_the_cause(bad, message):
    X, signal = table()
    with pytest.raises(ValueError, match=message):
        TabularMLPRegressor(**SMALL).fit(bad(X), signal)
    with pytest.raises(ValueError, match="y is None"):
        TabularMLPRegressor(**SMALL).fit(X, None)


def test_bad_settings_are_refused_with_the_valid_values():
    X, signal = table()
    for setting, value in [("numeric_scaling", "minmax"), ("numeric_embedding", "linear"), ("smooth_clip", 0),
                           ("n_frequencies", 0), ("max_categories", 1), ("weight_decay", -1)]:
        with pytest.raises(ValueError, match=setting):
            TabularMLPRegressor(**{setting: value, **SMALL}).fit(X, signal)


def test_grid_search_and_pipelines_tune_the_tabular_settings():
    X, signal = table()
    search = GridSearchCV(TabularMLPRegressor(**SMALL), {"numeric_embedding": [None, "periodic"]}, cv=2).fit(X, signal)
    assert search.best_params_["numeric_embedding"] in (None, "periodic")
    pipe = make_pipeline(FunctionTransformer(lambda frame: frame.drop(columns="count")), TabularMLPRegressor(**SMALL))
    assert pipe.fit(X, signal).predict(X).shape == (len(X),)
    twin = clone(search.best_estimator_)
    assert twin.get_params() == search.best_estimator_.get_params() and not hasattr(twin, "network_")


@pytest.mark.parametrize("scoring", ["loss", "accuracy"])
def test_the_best_epoch_is_chosen_by_the_scoring_on_x_val(scoring):
    from sklearn.metrics import log_loss
    X, signal = table(300)
    y = np.select([signal < -1, signal < 1], ["low", "mid"], "high")
    clf = TabularMLPClassifier(scoring=scoring, **SMALL).fit(X[:200], y[:200], X_val=X[200:], y_val=y[200:])
    kept = (-log_loss(y[200:], clf.predict_proba(X[200:]), labels=clf.classes_) if scoring == "loss"
            else clf.score(X[200:], y[200:]))
    assert clf.best_validation_score_ == max(clf.validation_scores_) == pytest.approx(kept, abs=1e-5)
    with pytest.raises(ValueError, match="scoring"):
        TabularMLPClassifier(scoring="roc_auc", **SMALL).fit(X, y)


@pytest.mark.parametrize("n_rows, batch", [(100, 32), (1600, 100), (8000, 256)])
def test_auto_batches_give_at_least_16_steps_an_epoch_in_32_to_256_rows(n_rows, batch):
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(n_rows, 2)), rng.normal(size=n_rows)
    done = []

    class Batches:
        def on_batch_end(self, trainer, rows_done, total, loss):
            done.append(rows_done)

    reg = TabularMLPRegressor(hidden_layer_sizes=(4,), max_iter=1, early_stopping=False, callbacks=[Batches()],
                              random_state=0).fit(X, y)
    assert np.diff([0] + done).max() == batch and done[-1] == n_rows == reg.t_


def test_alpha_is_a_penalty_per_row_of_the_data_whatever_the_batch():
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(320, 3)), rng.normal(size=320)
    settings = dict(hidden_layer_sizes=(8,), alpha=2.0, max_iter=3, early_stopping=False, dropout=0.0, random_state=0)
    small = TabularMLPRegressor(batch_size=32, **settings).fit(X, y)
    assert small.network_.alpha == pytest.approx(2.0 * 32 / 320)  # the network divides it by each batch's rows
    whole = TabularMLPRegressor(batch_size=320, **settings).fit(X, y)
    assert whole.network_.alpha == pytest.approx(2.0)
    # the penalty's gradient on a batch is alpha * W / n_samples: that of the whole data's mean loss
    net = small.network_
    encoded = small.preprocessor_.transform(X).astype(np.float32)
    targets = ((y - small.y_mean_) / small.y_scale_).reshape(-1, 1).astype(np.float32)
    net.loss_and_gradient(encoded[:32], targets[:32])
    with_penalty = net.grads.copy()
    net.alpha = 0.0
    net.loss_and_gradient(encoded[:32], targets[:32])
    weights = np.concatenate([w.ravel() for w in net.weights])
    penalty = np.concatenate([g.ravel() for g in net.restore_params(with_penalty - net.grads)[0]])
    assert np.allclose(penalty, 2.0 * weights / 320, rtol=1e-4, atol=1e-7)


def test_partial_fit_after_fit_learns_at_the_initial_rate_and_keeps_the_fit_record():
    X, signal = table(300)
    reg = TabularMLPRegressor(**SMALL).fit(X, signal)
    scores, best = list(reg.validation_scores_), reg.best_validation_score_
    for _ in range(3):
        before = reg.network_.params.copy()
        reg.partial_fit(X, signal + 5)
        assert reg.optimizer_.learning_rate == reg.learning_rate_init  # no schedule run down to 0
        assert not np.array_equal(reg.network_.params, before)
    assert reg.validation_scores_ == scores and reg.best_validation_score_ == best and reg.early_stopping


def test_poisson_targets_are_rescaled_not_centred():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 3))
    y = rng.poisson(np.exp(X[:, 0]))
    reg = TabularMLPRegressor(loss="poisson", **SMALL).fit(X, y)
    assert reg.y_mean_[0] == 0 and reg.y_scale_[0] == pytest.approx(y.std())
    assert (reg.predict(X) > 0).all() and reg.score(X, y) > 0.3


def test_targets_are_standardized_from_their_float64_values_and_weights():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 2))
    y = 1e7 + 0.3 * X[:, 0]  # 400 distinct values, 17 in float32
    far = TabularMLPRegressor(**SMALL).fit(X, y)
    near = TabularMLPRegressor(**SMALL).fit(X, y - 1e7)
    assert far.score(X, y) == pytest.approx(near.score(X, y - 1e7), abs=1e-3) and far.score(X, y) > 0.9
    weights = rng.uniform(0.5, 2, 400)
    weighted = TabularMLPRegressor(**SMALL).fit(X, y, sample_weight=weights)
    assert weighted.y_mean_[0] == pytest.approx(np.average(y, weights=weights), rel=1e-12)


def test_scikit_learn_s_solver_name_works_with_the_tabular_default_optimizer():
    X, signal = table()
    reg = TabularMLPRegressor(solver="sgd", **SMALL).fit(X, signal)
    assert type(reg.optimizer_).__name__ == "SGD"
