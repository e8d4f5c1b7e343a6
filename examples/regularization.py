"""Dropout and weight decay: training and validation loss curves, with and without them.
=====================================================================================

A wide network (two hidden layers of 256) on 200 rows of a noisy problem
(``make_classification`` with 20% of the labels flipped) learns what can be
learned in a few epochs and then memorizes the noise: its training loss falls
towards zero while its loss on 1,000 validation rows climbs. The same network
is trained four times, from the same initial weights, with Adam at a
learning rate of 0.001 and no L2 penalty (``alpha=0``): as is, with
``dropout=0.5``, with decoupled weight decay (``optimizer=AdamW(weight_decay=1.0)``)
and with both. The validation rows are passed to ``fit`` as ``X_val`` and
``y_val``, so each epoch's training and validation losses are in ``history_``
(``loss`` and ``val_loss``) without stopping training. The training loss is
the average over the epoch's batches as they were trained, so with dropout it
is that of the thinned network; the validation loss is the whole network's.

Writes ``regularization.png`` (into ``--out-dir``, default the current
folder): one panel per setting, each with its training and validation loss per
epoch; and prints each setting's final training and validation loss and its
validation accuracy.

Needs matplotlib: ``pip install -e ".[examples]"``.

Run it::

    python examples/regularization.py                 # --quick for a short run
"""

import argparse
import os
import warnings

from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from skneural import NumpyMLPClassifier
from skneural.optimizers import AdamW

SETTINGS = {
    "no regularization": {},
    "dropout=0.5": {"dropout": 0.5},
    "weight decay (AdamW, 1.0)": {"optimizer": AdamW(learning_rate=1e-3, weight_decay=1.0)},
    "dropout and weight decay": {"dropout": 0.5, "optimizer": AdamW(learning_rate=1e-3, weight_decay=1.0)},
}


def main(epochs=100, out_dir="."):
    """Return ``({"regularization": png_path}, rows)``; each row is a dict with the setting's name,
    its training and validation loss per epoch (``loss``, ``val_loss``) and validation accuracy."""
    try:
        import matplotlib
    except ImportError:
        print('This plot needs matplotlib: pip install -e ".[examples]" (or pip install matplotlib).')
        return None
    matplotlib.use("Agg")  # files only, no window
    import matplotlib.pyplot as plt

    X, y = make_classification(n_samples=1200, n_features=20, n_informative=5, flip_y=0.2, random_state=0)
    X_train, X_val, y_train, y_val = train_test_split(X, y, train_size=200, stratify=y, random_state=0)

    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a fixed number of epochs on purpose
        for name, params in SETTINGS.items():
            clf = NumpyMLPClassifier(hidden_layer_sizes=(256, 256), alpha=0.0, batch_size=32, max_iter=epochs,
                                     n_iter_no_change=epochs, random_state=0, **params)
            clf.fit(X_train, y_train, X_val=X_val, y_val=y_val)
            rows.append({"setting": name, "loss": [h["loss"] for h in clf.history_],
                         "val_loss": [h["val_loss"] for h in clf.history_], "accuracy": clf.score(X_val, y_val)})

    fig, axes = plt.subplots(1, len(rows), figsize=(4 * len(rows), 4), sharey=True)
    for ax, row in zip(axes, rows):
        epoch = range(1, len(row["loss"]) + 1)
        ax.plot(epoch, row["loss"], label="training loss", linewidth=2)
        ax.plot(epoch, row["val_loss"], "--", label="validation loss", linewidth=2)
        ax.set(title=row["setting"], xlabel="epoch", yscale="log")
        ax.grid(True, which="major", alpha=0.3)
    axes[0].set_ylabel("log loss (history_)")
    axes[0].legend(fontsize="small")
    fig.suptitle(f"200 noisy rows, two hidden layers of 256, Adam (lr 0.001), {epochs} epochs", y=1.03)
    os.makedirs(out_dir, exist_ok=True)
    paths = {"regularization": os.path.join(out_dir, "regularization.png")}
    fig.savefig(paths["regularization"], dpi=100, bbox_inches="tight")
    plt.close(fig)

    print(f"{'setting':<28}{'training loss':>15}{'validation loss':>17}{'validation accuracy':>21}")
    for row in rows:
        print(f"{row['setting']:<28}{row['loss'][-1]:>15.4f}{row['val_loss'][-1]:>17.4f}{row['accuracy']:>21.3f}")
    print(f"wrote {paths['regularization']}")
    return paths, rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few epochs only")
    parser.add_argument("--out-dir", default=".", help="where to write the PNG file (default: here)")
    args = parser.parse_args()
    main(epochs=15 if args.quick else 100, out_dir=args.out_dir)
