"""Training: the loop (``Trainer``), its callbacks and guards, L-BFGS, and Ctrl-C handling.

Nothing here imports the engine: a network is used through its
``params``, ``optimizer``, ``train_batch``, ``loss_and_gradient``,
``compute_loss`` and ``output``.
"""

from . import callbacks
from .interrupts import TrainingInterrupted
from .lbfgs import LBFGSTrainer
from .loop import Trainer

__all__ = ["Trainer", "LBFGSTrainer", "TrainingInterrupted", "callbacks"]
