"""The backprop engine: a stack of layers over one flat parameter vector.

One batch: ``forward`` through the layers, per-sample loss, the gradient of
the batch's *average* loss with respect to the output (computed from the
output layer's pre-activation for the canonical pairs, otherwise
``loss' @ Jacobian`` or, for elementwise outputs, ``loss' * f'``),
``backward`` through the layers into the flat gradient vector, then
``optimizer.update(params, grads)`` on the flat parameter vector.  Every
layer's parameters and gradients are views into those two vectors
(:mod:`~skneural.nn.parameters`); the network drives any layer through the
protocol of :class:`~skneural.nn.layers.Layer`.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_consistent_length

from ..components import is_canonical_pair, resolve
from ..components.params import Interval, NoneOr, validate
from ..training import Trainer
from ..training.callbacks import EpochLog
from ..training.epoch import run_epoch
from ..training.interrupts import TrainingInterrupted
from ..utils import class_indices
from . import inputs
from .architecture import check_input_layers, make_layers, skip_input_gradients
from .diagnose import diagnose
from .inference import infer_in_chunks
from .inputs import check_sample_weight
from .layers import Activation, Dense, Layer
from .normalization import check_batch_rows
from .objective import Objective
from .parameters import FlatParameters, load_arrays, named_arrays, save_arrays

# TrainingInterrupted, Dense and Layer were importable from skneural 0.1's skneural.network too
__all__ = ["NeuralNetwork", "check_sample_weight", "TrainingInterrupted", "Dense", "Layer"]


_NETWORK_SETTINGS = {"max_grad_norm": NoneOr(Interval(Real, 0, None, "neither"))}
_FIT_SETTINGS = {"batch_size": Interval(Integral, 1, None, "left"), "epochs": Interval(Integral, 0, None, "left")}


class NeuralNetwork(Objective, FlatParameters):
    """A feed-forward network trained by backpropagation (activation, loss and optimizer passed in).

    Parameters
    ----------
    layers : list of int or list of Layer
        Either the number of nodes of each layer, inputs and outputs included
        (``[5, 10, 2]``: 5 inputs, a hidden layer of 10, 2 outputs), or a list
        of :class:`~skneural.layers.Layer` objects composed by hand (the layer-list style:
        ``[Dense(64, 40), Tanh(), Dense(40, 10), Softmax()]``).  Sizes whose
        network would need more than the machine's physical memory to build
        and train are a ``ValueError``, raised before anything is allocated.
    hidden_activation, output_activation : str, activation object or (function, derivative)
        Only with a list of sizes.  Default ``'relu'`` and ``'identity'``.
        Hidden activations work elementwise; an output activation may work
        row-wise, its derivative returning per-sample Jacobians ``(n, m, m)``.
    loss : str, loss object or (function, derivative), default='mse'
    optimizer : str, object with ``update(old_params, gradient)`` or None, default='sgd'
        A name makes a new optimizer with default settings; an object is used
        (and its state updated) as given.  None leaves the network without
        one, for driving it from outside (e.g. scipy's L-BFGS).
    random_state : int, RandomState or None
        Seeds the initial weights and the shuffling in ``fit``.
    alpha : float, default=0.0
        Strength of the L2 penalty ``0.5 * alpha * sum ||W||^2 / n_samples``
        added to the loss, over the layers' ``penalized`` parameters (the
        dense weights, not the biases).
    max_grad_norm : float or None, default=None
        Clip each batch's gradient (the whole flat vector, penalty included)
        to at most this Euclidean norm before the optimizer's update; None
        leaves it as it is.  Works for every optimizer.
    init : str, initializer or callable, default='xavier_normal'
        Only with a list of sizes: how every dense layer's weights and bias
        start (see :mod:`skneural.initializers`), drawn from ``random_state``
        layer by layer.  The default, N(0, sqrt(1/(fan_in+fan_out))), is the
        Xavier variant of this class; the estimators default to scikit-learn's
        'glorot_uniform'.  With Layer objects, give each ``Dense`` its own
        ``init``.
    dropout : float or list of float, default=0.0
        Only with sizes: a ``Dropout`` of this rate after each hidden activation
        (a list: one per hidden layer; 0 adds none), seeded from ``random_state``.
    normalization : {None, 'batch', 'layer'}, default=None
        Only with sizes: a ``BatchNorm`` or ``LayerNorm`` after each hidden dense layer.
    input_layers : list of Layer, default=()
        Only with sizes: layers before the dense ones, giving them their ``layers[0]`` inputs.

    Attributes
    ----------
    layers : list of Layer
    params, grads : ndarray
        The flat parameter and gradient vectors; every layer's arrays are views.
    weights, biases : list of ndarray
        The ``weights`` and ``bias`` of the layers that have them (Dense:
        ``(fan_in, fan_out)`` and ``(1, fan_out)``), views into ``params``.

    Examples
    --------
    >>> import numpy as np
    >>> from skneural import NeuralNetwork
    >>> from skneural.optimizers import Adam
    >>> x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    >>> y = np.array([0, 1, 1, 0])
    >>> net = NeuralNetwork([2, 8, 2], "tanh", "softmax", "categorical_crossentropy",
    ...                     Adam(learning_rate=0.05), random_state=0)
    >>> history = net.fit(x, y, batch_size=4, epochs=300, categorical=True)
    >>> history[-1] < history[0]
    True
    >>> net.predict(x, labels=True)
    array([0, 1, 1, 0])
    """

    def __init__(self, layers, hidden_activation=None, output_activation=None, loss="mse",
                 optimizer="sgd", random_state=None, alpha=0.0, init="xavier_normal", max_grad_norm=None,
                 dropout=0.0, normalization=None, input_layers=()):
        self.random_state = random_state
        self.alpha = alpha
        validate("NeuralNetwork", {"max_grad_norm": max_grad_norm}, _NETWORK_SETTINGS)
        self.max_grad_norm = max_grad_norm
        self._rng = check_random_state(random_state)
        self.loss = resolve(loss, "loss")
        self.optimizer = None if optimizer is None else resolve(optimizer, "optimizer")
        (self.layers, self.sizes, self.hidden_activation, self.output_activation, self.dropout,
         self.normalization) = make_layers(layers, hidden_activation, output_activation, init, self._rng, dropout,
                                           normalization)
        self.layers[:0] = self.input_layers = check_input_layers(input_layers, self.sizes)
        for component in (self.loss, self.optimizer, *(getattr(layer, "activation", None) for layer in self.layers)):
            if callable(getattr(component, "check_params", None)):  # settings out of range: a clear error now
                component.check_params()
        skip_input_gradients(self.layers)
        last = self.layers[-1]
        self._fused = isinstance(last, Activation) and is_canonical_pair(last.activation, self.loss)
        dtypes = [p.dtype for layer in self.layers for p in layer.params]
        self._allocate(dtypes[0] if dtypes else np.float64)

    @property
    def n_inputs(self):
        """Number of input features, or None when no layer fixes it."""
        return next((l.input_size for l in self.layers if hasattr(l, "input_size")), None)

    @property
    def n_outputs(self):
        """Number of outputs, or None when no layer fixes it."""
        return next((l.output_size for l in reversed(self.layers) if hasattr(l, "output_size")), None)

    def train(self, mode=True):
        """Put every layer in training mode (``mode=False``: evaluation mode); return self.

        The mode is each layer's ``training``, which its ``forward`` honours:
        ``forward``, ``loss_and_gradient`` and training (``fit``, which keeps
        the mode as it is) run in it.  Prediction (``output``, ``predict``,
        ``score``) and ``compute_loss`` always evaluate.  A new network trains.
        """
        for layer in self.layers:
            layer.training = bool(mode)
        return self

    def eval(self):
        """Put every layer in evaluation mode (``train(False)``); return self."""
        return self.train(False)

    # -- data -----------------------------------------------------------------------

    def _check_x(self, x, dtype=(np.float64, np.float32)):
        return inputs.check_x(x, self.n_inputs, dtype)

    def _check_data(self, x, y, categorical=False, sample_weight=None, dtype=(np.float64, np.float32)):
        return inputs.check_data(x, y, self.n_inputs, self.n_outputs, categorical, sample_weight, dtype)

    # -- forward, backward and prediction -----------------------------------------

    def forward(self, x):
        """Pass ``x`` through the layers' ``forward`` (in their mode); return ``[input, output]`` of each layer."""
        x = self._check_x(x)
        io = []
        for layer in self.layers:
            out = layer.forward(x)
            io.append([x, out])
            x = out
        return io

    def backward(self, io_arrays, y_true, sample_weight=None):
        """Gradients of the average loss after ``forward``: ``(d_weights, d_biases)``, as ``restore_params``
        splits the flat gradient vector (``grads``, which holds every parameter's gradient)."""
        y_pred = io_arrays[-1][1]
        y_true = inputs.check_y(y_true, y_pred.shape[0], self.n_outputs, y_pred.dtype)
        sample_weight = check_sample_weight(sample_weight, y_pred)
        self._backward(y_pred, y_true, sample_weight)
        return self.restore_params(self.grads)

    def output(self, x, check_finite=False, input_name="X"):
        """The network's output for validated ``x`` in evaluation mode, keeping no state (thread-safe).

        Large ``x`` goes through in chunks of rows, so the hidden layers' work
        arrays stay bounded (about ``_CHUNK_BYTES`` of :mod:`skneural.nn.inference`
        each) whatever the size of ``x``.  ``check_finite=True`` raises
        scikit-learn's error for NaN or infinity in ``x`` (named
        ``input_name``), checked on the first layer's output when that layer
        ``propagates_nonfinite_rows`` (a Dense layer's output is non-finite
        wherever ``x`` is), which costs no pass over ``x``.
        """
        return infer_in_chunks(self.layers, x, self._params.dtype, check_finite, input_name)

    def logits(self, x, check_finite=False, input_name="X"):
        """The output layer's pre-activation for validated ``x`` (the output itself if the
        last layer is not an activation), in chunks and checked as ``output``."""
        layers = self.layers[:-1] if isinstance(self.layers[-1], Activation) else self.layers
        return infer_in_chunks(layers, x, self._params.dtype, check_finite, input_name)

    # -- training and prediction --------------------------------------------------

    def fit(self, x, y, batch_size=32, epochs=1, categorical=False, verbose=0, shuffle=True,
            sample_weight=None):
        """Train with mini-batches; return the list of per-epoch average losses.

        Each epoch's loss is the average over its batches of the loss before
        each update.  ``categorical=True`` one-hot encodes integer labels ``y``.
        Float32 ``x`` trains float32 parameters; anything else trains float64.
        ``verbose=1`` prints a line per epoch with its average loss;
        ``verbose=2`` also shows the running average loss after every batch,
        rewritten in place on one line.

        Ctrl-C stops at the end of the current batch with a warning and
        returns the history so far, keeping the last completed epoch's
        parameters.  A second Ctrl-C (in this call or a later training call,
        until a ``fit`` completes uninterrupted) raises ``KeyboardInterrupt``
        at once, the parameters again those of the last completed epoch.
        skneural puts its handler in place only over Python's default one and
        in the main thread: Ctrl-C ignored (SIG_IGN) stays ignored, and a
        SIGINT handler of your own is called as usual.
        """
        x, y, sample_weight = self._check_data(x, y, categorical, sample_weight)
        validate("NeuralNetwork.fit", {"batch_size": batch_size, "epochs": epochs}, _FIT_SETTINGS)
        check_batch_rows(self.layers, x.shape[0], batch_size)
        callbacks = [EpochLog(verbose)] if verbose else []
        trainer = Trainer(self, batch_size=batch_size, max_epochs=epochs, shuffle=shuffle,
                          random_state=self._rng, callbacks=callbacks,
                          interrupt_message="Training interrupted by user; the parameters are those of the "
                                            "last completed epoch.")
        return [record["loss"] for record in trainer.fit(x, y, sample_weight)]

    def train_epoch(self, x, y, batch_size, sample_weight=None, shuffle=True, random_state=None,
                    epoch=None, progress=None, order=None):
        """One pass over validated data in mini-batches; return the average batch loss.

        ``random_state`` (default: the network's own) shuffles the rows, or
        ``order`` (a permutation of the row indices) gives their order;
        ``progress(done, n, running_loss)`` is called after every batch.
        Batches whose sample weights are all zero are skipped.  If anything
        goes wrong (a non-finite loss, parameter or output: divergence; an
        interrupt; an error in a user's component), the parameters and the
        optimizer's state are put back as they were before the epoch and the
        error is raised.  A non-finite value is traced by replaying the epoch
        with a check after every step: a user's component (activation, its
        derivative, loss, its gradient, optimizer, layer) that made nan or inf
        from finite values without overflowing is named in a ``ValueError``;
        anything else is divergence, a ``ValueError`` saying what to do.
        Ctrl-C takes effect at the end of the current batch, as
        ``TrainingInterrupted`` (a ``KeyboardInterrupt``) with the epoch undone;
        a second Ctrl-C raises ``KeyboardInterrupt`` at once (see ``fit``).
        """
        if order is None and shuffle:
            order = (self._rng if random_state is None else random_state).permutation(x.shape[0])
        return run_epoch(self, x, y, batch_size, sample_weight, order, epoch=epoch, on_batch=progress)

    def diagnose(self, x, y, order, batch_size, sample_weight, gathered, epoch, saved_params, saved_optimizer):
        """After an epoch went non-finite: the message naming a user's component at fault, or None
        (see :func:`skneural.nn.diagnose.diagnose`)."""
        return diagnose(self, x, y, order, batch_size, sample_weight, gathered, epoch, saved_params,
                        saved_optimizer)

    def train_batch(self, x, y, sample_weight=None):
        """One step on a validated batch: the loss and gradient, then the optimizer's update; return the loss."""
        loss, grads = self.loss_and_gradient(x, y, sample_weight)
        if not np.isfinite(loss):
            return loss
        if self.max_grad_norm is not None:
            norm = float(np.sqrt(np.vdot(grads, grads)))
            if norm > self.max_grad_norm:
                grads *= self.max_grad_norm / norm
        new = self.optimizer.update(self.params, grads)
        if new is not self.params:
            new = np.asarray(new)
            if new.shape != self.params.shape:
                raise ValueError(
                    f"{self.optimizer!r}.update returned shape {new.shape}; expected the flat "
                    f"parameter vector's shape {self.params.shape}."
                )
            self.params[...] = new
        return loss

    def predict(self, x, labels=False):
        """The network's output for ``x``, or with ``labels=True`` the predicted class indices.

        With a single output unit the labels are ``output > 0.5`` (a sigmoid output).
        """
        out = self.output(self._check_x(x, dtype=self.params.dtype))
        if not labels:
            return out
        if out.shape[1] == 1:
            return (out[:, 0] > 0.5).astype(int)
        return np.argmax(out, axis=1)

    def score(self, x, y, accuracy=False):
        """The average loss on ``(x, y)`` (``y`` one-hot for classification), or
        with ``accuracy=True`` the fraction of correct labels (``y`` as class labels)."""
        if accuracy:
            y = np.asarray(y)
            y = y.argmax(axis=1) if y.ndim == 2 and y.shape[1] > 1 else class_indices(y)
            predicted = self.predict(x, labels=True)
            check_consistent_length(predicted, y)
            return float(np.mean(predicted == y))
        x, y, _ = self._check_data(x, y, dtype=self.params.dtype)
        return self.compute_loss(x, y)

    # -- saving the parameters ----------------------------------------------------

    def save(self, path):
        """Save the parameters and the layers' state to ``path`` (NumPy ``.npz``, exactly that file name).

        Only those arrays are saved: rebuild the network with the same code,
        then ``load``.
        """
        save_arrays(path, named_arrays(self.layers))

    def load(self, path):
        """Load the parameters and state saved by ``save`` into this network (same architecture)."""
        load_arrays(path, named_arrays(self.layers))
        return self

    def __repr__(self):
        if self.sizes is None:
            layers = f"layers={self.layers!r}"
        else:
            layers = (f"layers={self.sizes!r}, hidden_activation={self.hidden_activation!r}, "
                      f"output_activation={self.output_activation!r}")
            layers += "".join(f", {name}={value!r}" for name, value in
                              (("dropout", self.dropout), ("normalization", self.normalization),
                               ("input_layers", self.input_layers))
                              if value is not None and any(value if isinstance(value, list) else [value]))
        return f"NeuralNetwork({layers}, loss={self.loss!r}, optimizer={self.optimizer!r})"
