"""Saving and loading a model: a safe file that restores the whole fitted estimator.
=================================================================================

``est.save(path)`` writes parameters, settings, fitted attributes and the
optimizer's state into one ``.npz`` file that loads without pickle, so a
model file from elsewhere can never run code.  Components you wrote yourself
are stored by name and passed back to ``skneural.load`` in
``custom_objects``.  Training goes on after loading exactly as it would have.
"""

import argparse
import os
import tempfile
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skneural
from skneural import NumpyMLPClassifier


def swish(x):
    return x / (1 + np.exp(-x))


def swish_derivative(x):
    s = 1 / (1 + np.exp(-x))
    return s + x * s * (1 - s)


def main(max_iter=60, out_dir=None):
    out_dir = out_dir or tempfile.mkdtemp(prefix="skneural-")
    warnings.filterwarnings("ignore", category=ConvergenceWarning)  # short runs on purpose
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)

    # 1. a pipeline with built-in components: save, load, same predictions
    model = make_pipeline(StandardScaler(), NumpyMLPClassifier(hidden_layer_sizes=(64,), max_iter=max_iter,
                                                               random_state=0))
    model.fit(X_train, y_train)
    path = os.path.join(out_dir, "digits.skn")
    skneural.save(model, path, metadata={"dataset": "digits"})
    loaded, metadata = skneural.load(path, with_metadata=True)
    same = bool(np.array_equal(loaded.predict_proba(X_test), model.predict_proba(X_test)))
    print(f"Saved {path} ({os.path.getsize(path) / 1024:.0f} KiB, metadata {metadata}); "
          f"loaded model gives the same probabilities: {same}")

    # 2. a component of your own is stored by name and passed back in
    custom = NumpyMLPClassifier(hidden_layer_sizes=(32,), activation=(swish, swish_derivative),
                                max_iter=max_iter, random_state=0, warm_start=True)
    custom.fit(X_train / 16, y_train)
    custom_path = os.path.join(out_dir, "swish.skn")
    custom.save(custom_path)
    try:
        skneural.load(custom_path)
    except ValueError as exc:
        print(f"Without custom_objects: {exc}")
    objects = {"swish": swish, "swish_derivative": swish_derivative}
    again = NumpyMLPClassifier.load(custom_path, custom_objects=objects)

    # 3. training goes on from the loaded model exactly as from the original
    custom.fit(X_train / 16, y_train)
    again.fit(X_train / 16, y_train)
    continued = bool(all(np.array_equal(a, b) for a, b in zip(custom.coefs_, again.coefs_)))
    accuracy = again.score(X_test / 16, y_test)
    print(f"Warm-started both for {max_iter} more epochs: identical weights {continued}; "
          f"held-out accuracy {accuracy:.3f}")
    return {"same_predictions": same, "identical_after_training": continued, "accuracy": accuracy}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few epochs only")
    parser.add_argument("--out-dir", help="where to write the model files (default: a new temporary folder)")
    args = parser.parse_args()
    main(max_iter=5 if args.quick else 60, out_dir=args.out_dir)
