"""label_smoothing: the classifier trains towards smoothed targets, through the fused cross-entropy path."""

import warnings

import pytest
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import LabelBinarizer

import skneural
from skneural import NumpyMLPClassifier

X, y = load_iris(return_X_y=True)
X = X / 8


def fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


def initial_network(X, y, **settings):
    # steps of 1e-300 leave every weight as it started: the network before training
    return fit(NumpyMLPClassifier(solver="sgd", momentum=0.0, learning_rate_init=1e-300, max_iter=1,
                                  **settings), X, y).network_


@pytest.mark.parametrize("target, rowwise", [("multiclass", True), ("binary", False)])
def test_the_first_loss_is_the_cross_entropy_of_the_smoothed_targets(target, rowwise):
    X_, y_ = (X, y) if target == "multiclass" else (X, (y == 2).astype(int))
    settings = dict(hidden_layer_sizes=(6,), batch_size=len(X_), shuffle=False, random_state=0, alpha=0.0)
    eps = 0.2
    smoothed = fit(NumpyMLPClassifier(solver="sgd", momentum=0.0, max_iter=1, label_smoothing=eps, **settings),
                   X_, y_)
    one_hot = LabelBinarizer().fit_transform(y_).astype(float)
    classes = one_hot.shape[1] if rowwise else 2
    expected = initial_network(X_, y_, **settings).compute_loss(X_, one_hot * (1 - eps) + eps / classes)
    assert smoothed.loss_curve_[0] == pytest.approx(expected, rel=1e-12)
    plain = initial_network(X_, y_, **settings).compute_loss(X_, one_hot)
    assert abs(expected - plain) > 1e-3  # the smoothing made a difference the test can see


def test_smoothing_makes_the_model_less_sure_of_itself():
    sure = fit(NumpyMLPClassifier((32,), learning_rate_init=0.01, max_iter=300, random_state=0), X, y)
    modest = fit(NumpyMLPClassifier((32,), learning_rate_init=0.01, max_iter=300, random_state=0,
                                    label_smoothing=0.3), X, y)
    assert modest.predict_proba(X).max(axis=1).mean() < sure.predict_proba(X).max(axis=1).mean() - 0.05
    assert modest.score(X, y) > 0.9


def test_label_smoothing_is_kept_in_model_files_and_checked(tmp_path):
    clf = fit(NumpyMLPClassifier((4,), max_iter=3, random_state=0, label_smoothing=0.1), X, y)
    clf.save(tmp_path / "m.skn")
    assert skneural.load(tmp_path / "m.skn").label_smoothing == 0.1
    with pytest.raises(ValueError, match=r"The 'label_smoothing' parameter of NumpyMLPClassifier must be a float "
                                         r"in the range \[0, 1\)\. Got 1\.0 instead"):
        NumpyMLPClassifier(label_smoothing=1.0).fit(X, y)
