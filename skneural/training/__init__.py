"""Training: the loop (``Trainer``), its callbacks and guards, L-BFGS, and Ctrl-C handling.

Nothing here imports the engine: a network is used through its
``params``, ``optimizer``, ``layers`` (their ``state``), ``biases``, ``loss``,
``astype``, ``train_batch``, ``loss_and_gradient``, ``compute_loss``,
``output`` and ``diagnose``.
"""

from . import callbacks
from .interrupts import TrainingInterrupted
from .lbfgs import LBFGSTrainer
from .loop import Trainer

__all__ = ["Trainer", "LBFGSTrainer", "TrainingInterrupted", "callbacks"]
