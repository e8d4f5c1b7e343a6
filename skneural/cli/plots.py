"""The PNG figures of ``skneural evaluate --plot DIR`` (matplotlib, from the ``examples`` extra)."""

import os

import numpy as np

from .errors import UsageError


def plot_evaluation(folder, network, y, predicted, matrix=None, labels=None):
    """Write the confusion matrix (or predicted versus true values) and the loss curve into folder;
    the paths written."""
    try:
        import matplotlib
    except ImportError:
        raise UsageError(f'--plot {folder}: the figures need matplotlib, which is not installed: '
                         'pip install matplotlib (or "skneural[examples]")') from None
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--plot {folder}: cannot create that folder ({exc.strerror})") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    fig, ax = plt.subplots(figsize=(6, 5))
    if matrix is not None:
        image = ax.imshow(matrix, cmap="Blues")
        fig.colorbar(image, ax=ax)
        ticks = np.arange(len(labels))
        ax.set_xticks(ticks, [str(v) for v in labels], rotation=45, ha="right")
        ax.set_yticks(ticks, [str(v) for v in labels])
        for (i, j), value in np.ndenumerate(matrix):
            ax.text(j, i, str(value), ha="center", va="center",
                    color="white" if value > matrix.max() / 2 else "black")
        ax.set_xlabel("predicted class")
        ax.set_ylabel("true class")
        ax.set_title("Confusion matrix")
        name = "confusion_matrix.png"
    else:
        ax.scatter(y, predicted, s=8, alpha=0.5)
        low, high = float(min(np.min(y), np.min(predicted))), float(max(np.max(y), np.max(predicted)))
        ax.plot([low, high], [low, high], color="tab:gray", linestyle="--", label="predicted = true")
        ax.set_xlabel("true value")
        ax.set_ylabel("predicted value")
        ax.set_title("Predicted versus true")
        ax.legend()
        name = "predicted_vs_true.png"
    written.append(_save(fig, plt, folder, name))
    curve = getattr(network, "loss_curve_", None)
    if curve:
        fig, ax = plt.subplots(figsize=(6, 4))
        ax.plot(np.arange(1, len(curve) + 1), curve, label="training loss")
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        ax.set_title("Loss curve")
        ax.legend()
        written.append(_save(fig, plt, folder, "loss_curve.png"))
    print(f"Wrote {', '.join(written)}")
    return written


def _save(fig, plt, folder, name):
    path = os.path.join(folder, name)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
