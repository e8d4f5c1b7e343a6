"""max_grad_norm: each batch's gradient clipped to a Euclidean norm, for every optimizer."""

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.model_selection import GridSearchCV

import skneural
from skneural import SGD, NeuralNetwork, NumpyMLPClassifier, NumpyMLPRegressor

rng = np.random.RandomState(0)
X = rng.randn(64, 3)
Y = X @ np.array([[3.0], [-2.0], [1.0]]) * 10


def test_a_step_of_plain_sgd_moves_the_parameters_by_the_clipped_gradient():
    for limit in (0.5, 1e6):
        net = NeuralNetwork([3, 4, 1], "tanh", optimizer=SGD(learning_rate=0.1, momentum=0.0), random_state=0,
                            max_grad_norm=limit)
        reference = NeuralNetwork([3, 4, 1], "tanh", random_state=0, optimizer=None)
        _, grads = reference.loss_and_gradient(X, Y)
        norm = np.linalg.norm(grads)
        before = net.params.copy()
        net.train_batch(X, Y)
        expected = before - 0.1 * grads * min(1.0, limit / norm)
        np.testing.assert_allclose(net.params, expected, rtol=1e-12, atol=1e-15)
        assert (norm > limit) == (limit == 0.5)  # one case clips, the other does not


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "rmsprop", "adagrad"])
def test_clipping_changes_training_only_when_the_gradient_is_larger(optimizer):
    plain = NumpyMLPRegressor(hidden_layer_sizes=(8,), optimizer=optimizer, max_iter=5, random_state=0).fit(X, Y[:, 0])
    loose = NumpyMLPRegressor(hidden_layer_sizes=(8,), optimizer=optimizer, max_iter=5, random_state=0,
                              max_grad_norm=1e12).fit(X, Y[:, 0])
    tight = NumpyMLPRegressor(hidden_layer_sizes=(8,), optimizer=optimizer, max_iter=5, random_state=0,
                              max_grad_norm=0.01).fit(X, Y[:, 0])
    np.testing.assert_array_equal(plain.network_.params, loose.network_.params)
    assert not np.array_equal(plain.network_.params, tight.network_.params)


def test_bad_values_are_refused_with_scikit_learns_message():
    with pytest.raises(ValueError, match=r"The 'max_grad_norm' parameter of NumpyMLPClassifier must be a float in the "
                                         r"range \(0, inf\) or None\. Got 0 instead"):
        NumpyMLPClassifier(max_grad_norm=0).fit(X, Y[:, 0] > 0)
    with pytest.raises(ValueError, match="max_grad_norm"):
        NeuralNetwork([3, 1], max_grad_norm=-1.0)


def test_it_is_a_searchable_parameter_kept_in_model_files(tmp_path):
    X_iris, y_iris = load_iris(return_X_y=True)
    search = GridSearchCV(NumpyMLPClassifier((8,), max_iter=20, random_state=0),
                          {"max_grad_norm": [None, 0.1]}, cv=2).fit(X_iris / 8, y_iris)
    assert search.best_params_["max_grad_norm"] in (None, 0.1)
    clf = NumpyMLPClassifier((8,), max_iter=5, random_state=0, max_grad_norm=0.1).fit(X_iris / 8, y_iris)
    clf.save(tmp_path / "m.skn")
    again = skneural.load(tmp_path / "m.skn")
    assert again.max_grad_norm == 0.1
    # training goes on with the clipping, as it would have without saving
    clf.set_params(warm_start=True, max_iter=2).fit(X_iris / 8, y_iris)
    again.set_params(warm_start=True, max_iter=2).fit(X_iris / 8, y_iris)
    np.testing.assert_array_equal(again.network_.params, clf.network_.params)
