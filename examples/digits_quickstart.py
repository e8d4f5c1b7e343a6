"""Digits classification in five lines: StandardScaler + NumpyMLPClassifier.
=========================================================================

Trains on three quarters of scikit-learn's bundled 8x8 digits and reports the
held-out accuracy and a per-class report, exactly as with scikit-learn's own
``MLPClassifier``.

Run it::

    python examples/digits_quickstart.py            # --quick for a short run
"""

import argparse
import warnings

from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import classification_report
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skneural import NumpyMLPClassifier


def main(max_iter=200):
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)

    model = make_pipeline(StandardScaler(),
                          NumpyMLPClassifier(hidden_layer_sizes=(64,), max_iter=max_iter, random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # --quick stops early on purpose
        model.fit(X_train, y_train)

    mlp = model[-1]
    accuracy = model.score(X_test, y_test)
    print(f"{mlp.n_iter_} epochs, final training loss {mlp.loss_:.4f}")
    print(f"held-out accuracy: {accuracy:.2%}\n")
    print(classification_report(y_test, model.predict(X_test), digits=3))
    return accuracy


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few epochs only")
    main(max_iter=10 if parser.parse_args().quick else 200)
