"""Golden outputs of about twenty configurations, recorded before the engine's restructure
(issue 14) so that it can show behaviour unchanged.

``python tests/golden.py`` records them to tests/data/golden.npz;
tests/test_golden.py recomputes and compares.  Record again only for a change
that is meant to change results, and say so in the commit.
"""

import sys
import warnings
from pathlib import Path

import numpy as np
from sklearn.datasets import load_diabetes, load_digits, make_multilabel_classification
from sklearn.preprocessing import scale

from skneural import NeuralNetwork, NumpyMLPClassifier, NumpyMLPRegressor
from skneural.layers import Dense, Softmax, Tanh

GOLDEN = Path(__file__).resolve().parent / "data" / "golden.npz"


def _data():
    X, y = load_digits(return_X_y=True)
    X, y = X[:300] / 16, y[:300]
    Xr, yr = load_diabetes(return_X_y=True)
    Xr, yr = scale(Xr)[:200], scale(yr)[:200]
    Xm, Ym = make_multilabel_classification(n_samples=80, n_features=6, n_classes=3, random_state=0)
    return X, y, Xr, yr, Xm, Ym


def _estimator_cases():
    X, y, Xr, yr, Xm, Ym = _data()
    small = dict(hidden_layer_sizes=(12,), max_iter=8, random_state=0)
    weights = np.random.RandomState(1).uniform(0, 2, len(y))
    for name in ("adam", "sgd", "rmsprop", "adagrad", "lbfgs"):
        yield f"classifier-{name}", NumpyMLPClassifier(optimizer=name, **small), X, y, {}
    yield "classifier-float32", NumpyMLPClassifier(**small), X.astype(np.float32), y, {}
    yield "classifier-early-stopping", NumpyMLPClassifier(early_stopping=True, **small), X, y, {}
    yield "classifier-class-weight", NumpyMLPClassifier(class_weight="balanced", **small), X, y, {}
    yield "classifier-sample-weight", NumpyMLPClassifier(**small), X, y, {"sample_weight": weights}
    yield "classifier-binary-softmax", NumpyMLPClassifier(output_activation="softmax",
                                                          loss="categorical_crossentropy", **small), X, y == 3, {}
    yield "classifier-multilabel", NumpyMLPClassifier(**small), Xm, Ym, {}
    yield "classifier-sgd-invscaling", NumpyMLPClassifier(optimizer="sgd", learning_rate="invscaling", **small), X, y, {}
    for name in ("adam", "sgd", "lbfgs"):
        yield f"regressor-{name}", NumpyMLPRegressor(optimizer=name, **small), Xr, yr, {}
    yield "regressor-poisson", NumpyMLPRegressor(loss="poisson", **small), Xr, np.abs(yr), {}
    yield "regressor-two-outputs", NumpyMLPRegressor(**small), Xr, np.c_[yr, -yr], {}


def record_all():
    out = {}
    X, y, *_ = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, est, Xc, yc, fit_params in _estimator_cases():
            est.fit(Xc, yc, **fit_params)
            out[f"{name}/predict"] = est.predict_proba(Xc) if hasattr(est, "predict_proba") else est.predict(Xc)
            out[f"{name}/n_iter"] = np.array(est.n_iter_)
            out[f"{name}/loss"] = np.array(est.loss_)
            if getattr(est, "loss_curve_", None):
                out[f"{name}/loss_curve"] = np.array(est.loss_curve_)
            if getattr(est, "validation_scores_", None):
                out[f"{name}/validation_scores"] = np.array(est.validation_scores_)
        # warm start and partial_fit
        est = NumpyMLPClassifier(hidden_layer_sizes=(12,), max_iter=4, warm_start=True, random_state=0)
        est.fit(X, y).fit(X, y)
        out["warm-start/predict"] = est.predict_proba(X)
        est = NumpyMLPClassifier(hidden_layer_sizes=(12,), random_state=0)
        for start in range(0, len(X), 60):
            est.partial_fit(X[start:start + 60], y[start:start + 60], classes=np.arange(10))
        out["partial-fit/predict"] = est.predict_proba(X)
        # the engine in its two original styles
        net = NeuralNetwork([64, 16, 10], "relu", "softmax", "categorical_crossentropy", "adam", random_state=0)
        out["network-sizes/history"] = np.array(net.fit(X, y, batch_size=32, epochs=3, categorical=True))
        out["network-sizes/predict"] = net.predict(X)
        rng = np.random.RandomState(0)
        net = NeuralNetwork([Dense(64, 20, random_state=rng), Tanh(), Dense(20, 10, random_state=rng), Softmax()],
                            loss="mse", optimizer="sgd", random_state=0)
        out["network-layers/history"] = np.array(net.fit(X, y, batch_size=1, epochs=1, categorical=True))
        out["network-layers/predict"] = net.predict(X)
    return out


if __name__ == "__main__":
    results = record_all()
    np.savez_compressed(GOLDEN, **results)
    print(f"recorded {len(results)} arrays to {GOLDEN}", file=sys.stderr)
