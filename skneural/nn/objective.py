"""The training objective of a network and its gradient.

The objective of a batch is the (sample-weighted) average loss plus the L2
penalty ``0.5 * alpha * sum ||p||^2 / sum(w)`` over every layer's
``penalized`` parameters.  For a canonical output activation and loss pair
(:func:`skneural.components.is_canonical_pair`) the loss and its gradient are
computed from the output layer's pre-activation (the loss's ``from_logits``
and ``logit_gradient``): exact at saturation and without the ``(n, m, m)``
Jacobians.
"""

import numpy as np

from ..components import fused
from . import inputs

__all__ = ["Objective", "penalized"]


def penalized(layers):
    """``(parameter, gradient)`` of every layer's ``penalized`` parameters, in layer order."""
    return [(getattr(layer, name), getattr(layer, "d_" + name)) for layer in layers for name in layer.penalized]


class Objective:
    """Mixin of the network over its ``layers``, ``loss``, ``alpha`` and ``_fused`` (whether the
    last layer and the loss are a canonical pair): the objective and its gradient."""

    def _run(self, x, forward):
        """The output and, for a canonical pair, the output layer's pre-activation (else None):
        through the layers' ``forward`` (``forward=True``, in their mode, keeping what ``backward``
        needs) or ``infer`` (evaluation, keeping nothing)."""
        for layer in self.layers[:-1] if self._fused else self.layers:
            x = layer.forward(x) if forward else layer.infer(x)
        if not self._fused:
            return x, None
        last = self.layers[-1]
        return (last.forward(x) if forward else last.infer(x)), x

    @staticmethod
    def _total_weight(n, sample_weight):
        return n if sample_weight is None else float(np.sum(sample_weight))

    def _objective(self, y_pred, z, y_true, sample_weight):
        """Weighted average loss plus the L2 penalty."""
        if y_true.shape != y_pred.shape:
            raise ValueError(f"y has shape {y_true.shape}, but the network's output has shape {y_pred.shape}.")
        values = self.loss(y_pred, y_true) if z is None else self.loss.from_logits(z, y_true)
        values = np.asarray(values)
        n = len(y_pred)
        if values.shape != (n, 1):
            raise ValueError(
                f"Loss {self.loss!r} returned shape {values.shape} for {n} samples; "
                f"expected ({n}, 1), one loss per sample."
            )
        total = self._total_weight(n, sample_weight)
        loss = values.sum() if sample_weight is None else values[:, 0] @ sample_weight
        if self.alpha:
            loss += 0.5 * self.alpha * sum(np.vdot(p, p) for p, _ in self._penalized()[0])
        return float(loss) / total

    def _penalized(self):
        """``penalized(self.layers)`` and work arrays shaped like those parameters, for the L2
        term's gradient; kept until the parameter vector is replaced (``astype``, unpickling)."""
        cached = self.__dict__.get("_scratch")
        if cached is None or cached[0] is not self._params:
            pairs = penalized(self.layers)
            cached = self._scratch = (self._params, pairs, [np.empty_like(p) for p, _ in pairs])
        return cached[1], cached[2]

    def _backward(self, y_pred, y_true, sample_weight):
        total = self._total_weight(len(y_pred), sample_weight)
        layers = self.layers
        if self._fused:
            grad = self.loss.logit_gradient(y_pred, y_true)
            layers = layers[:-1]
        else:
            grad = self.loss.gradient(y_pred, y_true)
            if getattr(grad, "shape", None) != y_pred.shape:
                raise ValueError(
                    f"The gradient of loss {self.loss!r} has shape {getattr(grad, 'shape', type(grad))} for "
                    f"predictions of shape {y_pred.shape}; it must have the predictions' shape (n, m), "
                    "one row per sample."
                )
        grad = grad * (1.0 / total if sample_weight is None else sample_weight[:, None] / total)
        for layer in reversed(layers):
            grad = layer.backward(grad)
            if not layer.needs_input_gradient:  # the layers before it have no parameters
                break
            if grad is None:
                raise TypeError(f"{layer!r}.backward returned None, but the layers before it have parameters: it "
                                "must return the gradient with respect to its input.")
        if self.alpha:
            scale = float(self.alpha) / total
            for (p, g), scratch in zip(*self._penalized()):
                if not fused.add_scaled(g, p, scale):  # one compiled pass over large weights, when numba is there
                    np.multiply(p, scale, out=scratch)
                    g += scratch

    def _loss(self, x, y, sample_weight, forward):
        """The objective on a batch and the output, through ``forward`` or ``infer`` (see ``_run``)."""
        inputs.check_width(x, self.n_inputs)
        y_pred, z = self._run(x, forward)
        return self._objective(y_pred, z, y, sample_weight), y_pred

    def loss_and_gradient(self, x, y, sample_weight=None):
        """Average loss on a batch and its gradient (the flat ``grads`` vector, overwritten).

        ``x`` and ``y`` are taken as validated 2-D arrays (only their shapes
        are checked).  The layers run ``forward`` in their mode (``train``,
        ``eval``).  With ``sample_weight`` the average is weighted:
        ``sum(w * loss) / sum(w)``.  With ``alpha`` the L2 penalty
        ``0.5 * alpha * sum ||W||^2 / sum(w)`` is added, over the layers'
        ``penalized`` parameters (the dense weights, not the biases, as
        scikit-learn).
        """
        loss, y_pred = self._loss(x, y, sample_weight, forward=True)
        self._backward(y_pred, y, sample_weight)
        return loss, self.grads

    def compute_loss(self, x, y, sample_weight=None):
        """The objective of ``loss_and_gradient`` without the gradient, in evaluation mode (the
        layers' ``infer``) whatever the mode, keeping no layer state."""
        return self._loss(x, y, sample_weight, forward=False)[0]
