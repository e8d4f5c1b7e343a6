"""``skneural demo``: train on scikit-learn's bundled digits beside scikit-learn's own MLP."""

import contextlib
import os
import time
import warnings

import numpy as np

from .errors import UsageError
from .interrupts import _check_ctrl_c
from .progress import progress_from_verbose_output


def demo(out_dir="skneural-demo", max_iter=200):
    """Train on digits beside scikit-learn's MLPClassifier, report, save, and plot."""
    from sklearn.datasets import load_digits
    from sklearn.metrics import classification_report
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from ..estimators import NumpyMLPClassifier
    from ..persistence import load, save

    try:  # before training, so that a bad folder fails at once
        os.makedirs(out_dir, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out-dir {out_dir}: cannot create that folder ({exc.strerror})") from None
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    settings = dict(hidden_layer_sizes=(100,), alpha=1e-3, early_stopping=True, n_iter_no_change=20,
                    max_iter=max_iter, random_state=0)
    ours = make_pipeline(StandardScaler(), NumpyMLPClassifier(verbose=1, **settings))
    theirs = make_pipeline(StandardScaler(), MLPClassifier(**settings))
    print(f"Digits: {len(X_train)} training and {len(X_test)} held-out 8x8 images, 10 classes")
    print(f"Training {ours[-1]!r}")
    times = {}
    for name, model in (("skneural", ours), ("scikit-learn", theirs)):
        start = time.perf_counter()
        with warnings.catch_warnings(), (progress_from_verbose_output() if model is ours
                                         else contextlib.nullcontext()):
            warnings.simplefilter("ignore")  # a short max_iter may stop before convergence
            model.fit(X_train, y_train)
        _check_ctrl_c()  # scikit-learn's fit keeps a partly trained model after Ctrl-C
        times[name] = time.perf_counter() - start
    print(f"\n{'':<14}{'accuracy':>10}{'fit time':>11}{'epochs':>8}")
    accuracy = {}
    for name, model in (("skneural", ours), ("scikit-learn", theirs)):
        accuracy[name] = model.score(X_test, y_test)
        print(f"{name:<14}{accuracy[name]:>10.4f}{times[name]:>10.2f}s{model[-1].n_iter_:>8}")
    print("\nskneural, per class on the held-out digits:")
    print(classification_report(y_test, ours.predict(X_test), digits=3))

    path = os.path.join(out_dir, "digits-model.skn")
    ours[-1].verbose = 0
    save(ours, path)
    same = np.array_equal(load(path).predict_proba(X_test), ours.predict_proba(X_test))
    print(f"Saved the model to {path} (skneural.load gives {'the same' if same else 'DIFFERENT'} predictions)")
    _plot_curves(ours[-1], os.path.join(out_dir, "digits-curves.png"))
    print(f"Held-out accuracy: {accuracy['skneural']:.2%}")
    return accuracy["skneural"]


def _plot_curves(estimator, path):
    try:
        import matplotlib
    except ImportError:
        print('Install matplotlib for a plot of the curves: pip install matplotlib (or "skneural[examples]")')
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, loss_axis = plt.subplots(figsize=(7, 4))
    epochs = np.arange(1, len(estimator.loss_curve_) + 1)
    loss_axis.plot(epochs, estimator.loss_curve_, color="tab:blue", label="training loss")
    loss_axis.set_xlabel("epoch")
    loss_axis.set_ylabel("training loss")
    score_axis = loss_axis.twinx()
    score_axis.plot(epochs, estimator.validation_scores_, color="tab:orange", label="validation accuracy")
    score_axis.set_ylabel("validation accuracy")
    fig.legend(loc="center", bbox_to_anchor=(0.5, 0.5))  # the middle is clear of both axes
    fig.suptitle("skneural on digits")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"Wrote the loss and validation curves to {path}")
    return path
