"""Learning-rate schedules: the rate each one sets per epoch, and the training loss it gives.
==========================================================================================

Trains the same network on digits (SGD with momentum 0.9, initial learning rate
0.05, 64 hidden units) once per schedule of ``skneural.schedules`` that the
estimators' ``learning_rate`` accepts by name: ``constant``, ``invscaling``,
``adaptive``, ``step_decay``, ``cosine_annealing`` and ``one_cycle``. Writes
``schedules.png`` (into ``--out-dir``, default the current folder) with two
panels, the learning rate per epoch (from ``history_``) and the training loss per
epoch (``loss_curve_``), and prints each schedule's final loss and its accuracy
on a held-out, stratified 25% of the data. ``adaptive`` lowers the rate only when
the loss stops improving, so on this run it follows ``constant``; ``step_decay``
first acts after 10 epochs.

Needs matplotlib: ``pip install -e ".[examples]"``.

Run it::

    python examples/schedules.py                   # --quick for a short run
"""

import argparse
import os
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skneural import NumpyMLPClassifier

SCHEDULES = ("constant", "invscaling", "adaptive", "step_decay", "cosine_annealing", "one_cycle")
STYLES = ("-", "--", ":", "-.", "-", "--")  # so lines that coincide (early on, several do) stay visible


def main(epochs=60, out_dir="."):
    """Return ``({"schedules": png_path}, rows)``; each row is a dict with the schedule's
    name, final training loss, held-out accuracy and learning rate per epoch (``lrs``)."""
    try:
        import matplotlib
    except ImportError:
        print('This plot needs matplotlib: pip install -e ".[examples]" (or pip install matplotlib).')
        return None
    matplotlib.use("Agg")  # files only, no window
    import matplotlib.pyplot as plt

    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

    fig, (ax_lr, ax_loss) = plt.subplots(1, 2, figsize=(12, 4.5))
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a fixed number of epochs on purpose
        for name, style in zip(SCHEDULES, STYLES):
            clf = NumpyMLPClassifier(hidden_layer_sizes=(64,), solver="sgd", momentum=0.9, learning_rate=name,
                                     learning_rate_init=0.05, max_iter=epochs, random_state=0)
            clf.fit(X_train, y_train)
            epoch = [h["epoch"] for h in clf.history_]
            lrs = [h["lr"] for h in clf.history_]
            ax_lr.plot(epoch, lrs, style, label=name, linewidth=2)
            ax_loss.plot(np.arange(1, len(clf.loss_curve_) + 1), clf.loss_curve_, style, label=name,
                         linewidth=2)
            rows.append({"schedule": name, "final_loss": clf.loss_curve_[-1],
                         "accuracy": clf.score(X_test, y_test), "lrs": lrs})
    ax_lr.set(xlabel="epoch", ylabel="learning rate", yscale="log", title="Learning rate per epoch (history_)")
    ax_loss.set(xlabel="epoch", ylabel="training loss (log loss + L2)", yscale="log",
                title="Training loss per epoch (loss_curve_)")
    for ax in (ax_lr, ax_loss):
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize="small")
    fig.suptitle(f"Digits, 64 hidden units, SGD with momentum 0.9, learning_rate_init=0.05, {epochs} epochs")
    os.makedirs(out_dir, exist_ok=True)
    paths = {"schedules": os.path.join(out_dir, "schedules.png")}
    fig.savefig(paths["schedules"], dpi=100, bbox_inches="tight")
    plt.close(fig)

    print(f"{'schedule':<18}{'final loss':>12}{'held-out accuracy':>20}")
    for row in rows:
        print(f"{row['schedule']:<18}{row['final_loss']:>12.4f}{row['accuracy']:>20.3f}")
    print(f"wrote {paths['schedules']}")
    return paths, rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few epochs only")
    parser.add_argument("--out-dir", default=".", help="where to write the PNG file (default: here)")
    args = parser.parse_args()
    main(epochs=10 if args.quick else 60, out_dir=args.out_dir)
