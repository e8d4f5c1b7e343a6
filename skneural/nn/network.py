"""The backprop engine: a stack of layers over one flat parameter vector.

One batch: ``forward`` through the layers, per-sample loss, the gradient of
the batch's *average* loss with respect to the output (computed from the
output layer's pre-activation for the canonical pairs, otherwise
``loss' @ Jacobian`` or, for elementwise outputs, ``loss' * f'``),
``backward`` through the layers into the flat gradient vector, then
``optimizer.update(params, grads)`` on the flat parameter vector.  Every
layer's weights and gradients are views into those two vectors, so nothing is
flattened or restored by copying.
"""

import numbers
import zipfile

import numpy as np
from sklearn import get_config
from sklearn.utils import assert_all_finite, check_random_state
from sklearn.utils.validation import check_array, check_consistent_length

from ..components import activations, losses, resolve
from ..utils import class_indices, to_categorical
from .diagnose import diagnose
from .layers import Activation, Dense, Layer
from .memory import check_memory
from ..training import Trainer
from ..training.callbacks import EpochLog
from ..training.epoch import run_epoch

__all__ = ["NeuralNetwork", "check_sample_weight"]

# Output activation and loss pairs computed together from the output layer's
# pre-activation z (the loss's from_logits and logit_gradient): exact at
# saturation and without the (n, m, m) Jacobians.  Identity needs no entry:
# its backprop passes the loss gradient through.
_CANONICAL_PAIRS = {
    (activations.Softmax, losses.CategoricalCrossEntropy),
    (activations.Sigmoid, losses.BinaryCrossEntropy),
    (activations.Exp, losses.Poisson),
}


_QUIET = dict(over="ignore", invalid="ignore")

# Prediction works through large inputs in chunks whose widest work array is about this big.
_CHUNK_BYTES = 8 * 2**20


def _plain_dense(layer):
    """A Dense layer computing ``x @ W + b`` with skneural's own ``infer``."""
    return isinstance(layer, Dense) and type(layer).infer is Dense.infer


def check_sample_weight(sample_weight, x):
    """Validate ``sample_weight`` for ``x``: None, or a 1-D array of non-negative numbers with a positive sum.

    Parameters
    ----------
    sample_weight : None, float or array-like of shape (n_samples,)
        A single number gives every sample that weight.
    x : ndarray of shape (n_samples, n_features)
        The data; the weights take its dtype.

    Returns
    -------
    None or ndarray of shape (n_samples,)

    Examples
    --------
    >>> import numpy as np
    >>> x = np.zeros((3, 2))
    >>> check_sample_weight([1, 0, 2], x)
    array([1., 0., 2.])
    >>> check_sample_weight(2, x.astype(np.float32))
    array([2., 2., 2.], dtype=float32)
    >>> check_sample_weight([1, 2], x)
    Traceback (most recent call last):
    ...
    ValueError: sample_weight has 2 values, but there are 3 samples.
    """
    if sample_weight is None:
        return None
    if isinstance(sample_weight, numbers.Real):
        sample_weight = np.full(x.shape[0], sample_weight)
    sample_weight = check_array(sample_weight, ensure_2d=False, dtype=x.dtype, input_name="sample_weight")
    if sample_weight.ndim != 1:
        raise ValueError(f"sample_weight must be 1-D; got shape {sample_weight.shape}.")
    if len(sample_weight) != x.shape[0]:
        raise ValueError(f"sample_weight has {len(sample_weight)} values, but there are {x.shape[0]} samples.")
    if np.any(sample_weight < 0):
        raise ValueError("sample_weight must not contain negative values.")
    with np.errstate(over="ignore"):
        total = np.sum(sample_weight)
    if not total > 0:
        raise ValueError("Sample weights must contain at least one non-zero number.")
    if not np.isfinite(total):
        raise ValueError(
            f"sample_weight sums to {total} in {sample_weight.dtype}: the weights are too large. "
            "Scale them down (only their ratios matter)."
        )
    return sample_weight


def _is_size(v):
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


class NeuralNetwork:
    """A feed-forward network trained by backpropagation (the original ``NeuralNetwork`` contract).

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
        added to the loss (dense weights only, not biases).
    init : str, initializer or callable, default='xavier_normal'
        Only with a list of sizes: how every dense layer's weights and bias
        start (see :mod:`skneural.initializers`), drawn from ``random_state``
        layer by layer.  The default, N(0, sqrt(1/(fan_in+fan_out))), is the
        original engine's scheme; the estimators default to scikit-learn's
        'glorot_uniform'.  With Layer objects, give each ``Dense`` its own
        ``init``.

    Attributes
    ----------
    layers : list of Layer
    params, grads : ndarray
        The flat parameter and gradient vectors; every layer's arrays are views.
    weights, biases : list of ndarray
        The ``(fan_in, fan_out)`` weights and ``(1, fan_out)`` biases of the
        dense layers (views into ``params``).

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
                 optimizer="sgd", random_state=None, alpha=0.0, init="xavier_normal"):
        self.random_state = random_state
        self.alpha = alpha
        self._rng = check_random_state(random_state)
        self.loss = resolve(loss, "loss")
        self.optimizer = None if optimizer is None else resolve(optimizer, "optimizer")
        if not isinstance(layers, (list, tuple)) or len(layers) == 0:
            raise TypeError(f"layers must be a non-empty list; got {layers!r}.")
        if all(_is_size(v) for v in layers):
            self.layers = self._build(list(layers), hidden_activation, output_activation, init)
            self.sizes = list(layers)
        elif all(isinstance(v, Layer) for v in layers):
            if hidden_activation is not None or output_activation is not None:
                raise ValueError(
                    "With a list of Layer objects the activations are layers in that list; "
                    "leave hidden_activation and output_activation unset."
                )
            if not (isinstance(init, str) and init == "xavier_normal"):
                raise ValueError(
                    "With a list of Layer objects each Dense layer was initialized when it was made "
                    "(Dense(..., init=...)); leave init unset."
                )
            self.layers = list(layers)
            self.sizes = None
            self._check_chain()
            if len({id(layer) for layer in self.layers}) != len(self.layers):
                raise ValueError(
                    "The same layer object appears more than once in layers; give each position "
                    "its own layer (copy.deepcopy it)."
                )
            owned = [layer for layer in self.layers if getattr(layer, "_bound", False)]
            if owned:
                raise ValueError(
                    f"Layer {owned[0]!r} already belongs to another NeuralNetwork; build new layer "
                    "objects for this one (or copy.deepcopy them)."
                )
        else:
            raise TypeError(
                "layers must be a list of layer sizes such as [5, 10, 2] or a list of Layer "
                f"objects such as [Dense(5, 10), ReLU(), Dense(10, 2)]; got {layers!r}."
            )
        self.layers[0].needs_input_gradient = False
        self._dense = [layer for layer in self.layers if isinstance(layer, Dense)]
        last = self.layers[-1]
        pair = (type(getattr(last, "activation", None)), type(self.loss))
        self._fused = isinstance(last, Activation) and pair in _CANONICAL_PAIRS
        dtypes = [p.dtype for layer in self.layers for p in layer.params]
        self._allocate(dtypes[0] if dtypes else np.float64)

    def _build(self, sizes, hidden_activation, output_activation, init):
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(
                "layers must list at least an input and an output size, all positive "
                f"(e.g. [5, 10, 2]); got {sizes!r}."
            )
        check_memory(sizes, "layers", sizes)  # before any allocation: a clear error, not NumPy's
        hidden = resolve("relu" if hidden_activation is None else hidden_activation, "activation")
        output = resolve("identity" if output_activation is None else output_activation, "activation")
        self.hidden_activation, self.output_activation = hidden, output
        init = resolve(init, "initializer")
        built = []
        for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            built.append(Dense(fan_in, fan_out, random_state=self._rng, init=init))
            built.append(Activation(output if i == len(sizes) - 2 else hidden))
        return built

    def _check_chain(self):
        width = None
        for i, layer in enumerate(self.layers):
            n_in = getattr(layer, "input_size", None)
            if n_in is not None and width is not None and n_in != width:
                raise ValueError(
                    f"Layer {i} ({layer!r}) expects {n_in} inputs, but the layers before it "
                    f"produce {width}."
                )
            width = getattr(layer, "output_size", width)

    @property
    def n_inputs(self):
        """Number of input features, or None when no layer fixes it."""
        return next((l.input_size for l in self.layers if hasattr(l, "input_size")), None)

    @property
    def n_outputs(self):
        """Number of outputs, or None when no layer fixes it."""
        return next((l.output_size for l in reversed(self.layers) if hasattr(l, "output_size")), None)

    @property
    def weights(self):
        return [layer.weights for layer in self._dense]

    @property
    def biases(self):
        return [layer.bias for layer in self._dense]

    # -- the flat parameter vector ------------------------------------------------

    def _split(self, flat):
        """Per-layer lists of views into ``flat``, in the layout of ``params``."""
        size = sum(p.size for layer in self.layers for p in layer.params)
        if flat.shape != (size,):
            raise ValueError(f"Expected a flat vector of {size} parameters; got shape {flat.shape}.")
        views, offset = [], 0
        for layer in self.layers:
            layer_views = []
            for p in layer.params:
                layer_views.append(flat[offset:offset + p.size].reshape(p.shape))
                offset += p.size
            views.append(layer_views)
        return views

    def _penalty_scratch(self):
        """Work arrays shaped like the dense weights, for the L2 term's gradient."""
        scratch = self.__dict__.get("_scratch")
        if scratch is None or scratch[0].dtype != self._params.dtype:
            scratch = self._scratch = [np.empty_like(w) for w in self.weights]
        return scratch

    def _allocate(self, dtype):
        size = sum(p.size for layer in self.layers for p in layer.params)
        self._params = np.empty(size, dtype=dtype)
        self._grads = np.zeros(size, dtype=dtype)
        for layer, p, g in zip(self.layers, self._split(self._params), self._split(self._grads)):
            layer.bind(p, g)

    @property
    def params(self):
        """The flat parameter vector; every layer's parameters are views into it.

        Assigning to it copies the values in, so the layers keep seeing them.
        """
        return self._params

    @params.setter
    def params(self, values):
        values = np.asarray(values)
        if values.shape != self._params.shape:
            raise ValueError(f"params must have shape {self._params.shape}; got {values.shape}.")
        self._params[...] = values

    @property
    def grads(self):
        """The flat gradient vector written by ``backward`` (views: each layer's ``d_*``)."""
        return self._grads

    def astype(self, dtype):
        """Convert the parameters to ``dtype`` in place (the optimizer restarts its state); return self."""
        if self._params.dtype != dtype:
            self._allocate(dtype)
        return self

    def __getstate__(self):
        # the layers carry their parameters; the flat vectors are rebuilt from them on unpickling
        state = {k: v for k, v in self.__dict__.items() if k not in ("_scratch", "_params", "_grads")}
        state["_dtype"] = self._params.dtype
        return state

    def __setstate__(self, state):
        # pickle stores each layer's arrays on their own: make them views again
        state = dict(state)
        dtype = state.pop("_dtype") if "_dtype" in state else state["_params"].dtype  # older pickles
        self.__dict__.update(state)
        self._allocate(dtype)

    def flatten_params(self, weights=None, biases=None):
        """The flat parameter vector: the live one (no copy) or one built from the given lists."""
        if weights is None and biases is None:
            return self.params
        pairs = [a.ravel() for w, b in zip(weights, biases) for a in (w, b)]
        return np.concatenate(pairs)

    def restore_params(self, params):
        """Split a flat vector into ``(weights, biases)`` lists of views into it (no copy)."""
        params = np.asarray(params)
        views = [v for layer, v in zip(self.layers, self._split(params)) if isinstance(layer, Dense)]
        return [v[0] for v in views], [v[1] for v in views]

    # -- forward and backward -----------------------------------------------------

    def forward(self, x):
        """Pass ``x`` through the network; return ``[input, output]`` of each layer."""
        x = self._check_x(x)
        io = []
        for layer in self.layers:
            out = layer.forward(x)
            io.append([x, out])
            x = out
        return io

    def backward(self, io_arrays, y_true, sample_weight=None):
        """Gradients of the average loss after ``forward``: ``(d_weights, d_biases)``."""
        y_pred = io_arrays[-1][1]
        y_true = self._check_y(y_true, y_pred.shape[0], y_pred.dtype)
        sample_weight = check_sample_weight(sample_weight, y_pred)
        self._backward(y_pred, y_true, sample_weight)
        return self.restore_params(self.grads)

    def _run(self, x, train):
        """The output and, for a canonical pair, the output layer's pre-activation (else None)."""
        for layer in self.layers[:-1] if self._fused else self.layers:
            x = layer.forward(x) if train else layer.infer(x)
        if not self._fused:
            return x, None
        last = self.layers[-1]
        return (last.forward(x) if train else last.infer(x)), x

    def _total_weight(self, n, sample_weight):
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
            loss += 0.5 * self.alpha * sum(np.vdot(w, w) for w in self.weights)
        return float(loss) / total

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
        if self.alpha:
            for layer, scratch in zip(self._dense, self._penalty_scratch()):
                np.multiply(layer.weights, float(self.alpha) / total, out=scratch)
                layer.d_weights += scratch

    def loss_and_gradient(self, x, y, sample_weight=None):
        """Average loss on a batch and its gradient (the flat ``grads`` vector, overwritten).

        ``x`` and ``y`` are taken as validated 2-D arrays (only their shapes
        are checked).  With ``sample_weight`` the average is weighted:
        ``sum(w * loss) / sum(w)``.  With ``alpha`` the L2 penalty
        ``0.5 * alpha * sum ||W||^2 / sum(w)`` is added (dense weights only,
        as scikit-learn).
        """
        self._check_width(x)
        y_pred, z = self._run(x, train=True)
        loss = self._objective(y_pred, z, y, sample_weight)
        self._backward(y_pred, y, sample_weight)
        return loss, self.grads

    def compute_loss(self, x, y, sample_weight=None):
        """The objective of ``loss_and_gradient`` without the gradient or any layer state."""
        self._check_width(x)
        y_pred, z = self._run(x, train=False)
        return self._objective(y_pred, z, y, sample_weight)

    def output(self, x, check_finite=False, input_name="X"):
        """The network's output for validated ``x``, keeping no state (safe across threads).

        Large ``x`` goes through in chunks of rows, so the hidden layers' work
        arrays stay bounded (about ``_CHUNK_BYTES`` each) whatever the size of ``x``.
        ``check_finite=True`` raises scikit-learn's error for NaN or infinity in
        ``x`` (named ``input_name``), checked on the first layer's output,
        which is non-finite wherever ``x`` is, and costs no pass over ``x``.
        """
        return self._in_chunks(self.layers, x, check_finite, input_name)

    def logits(self, x, check_finite=False, input_name="X"):
        """The output layer's pre-activation for validated ``x`` (the output itself if the
        last layer is not an activation), in chunks and checked as ``output``."""
        layers = self.layers[:-1] if isinstance(self.layers[-1], Activation) else self.layers
        return self._in_chunks(layers, x, check_finite, input_name)

    def _infer(self, x, layers, check_finite, input_name, work):
        """``x`` through ``layers``.  Dense layers write into the arrays of ``work`` (one per
        layer, reused from chunk to chunk) and the activations after them work in place."""
        check_finite = check_finite and not get_config()["assume_finite"]
        if check_finite and not _plain_dense(layers[0]):
            assert_all_finite(x, input_name=input_name)
        owned = False  # whether x is a work array that may be overwritten
        for i, layer in enumerate(layers):
            if _plain_dense(layer) and isinstance(x, np.ndarray):
                dtype = np.result_type(x.dtype, layer.weights.dtype)
                if i not in work or work[i].dtype != dtype or len(work[i]) < len(x):
                    work[i] = np.empty((len(x), layer.output_size), dtype)
                with np.errstate(**_QUIET if check_finite and i == 0 else {}):  # checked just below
                    out, owned = layer.infer(x, out=work[i][:len(x)]), True
            elif isinstance(layer, Activation):
                out = layer.infer(x, overwrite_input=owned)
            else:
                out, owned = layer.infer(x), False
            if check_finite and i == 0 and _plain_dense(layer):
                # inf * w is +-inf or (w = 0) nan, and nan stays nan, so a non-finite input
                # value makes its whole row of x @ W non-finite
                with np.errstate(**_QUIET):
                    finite = np.isfinite(np.sum(out)) or np.all(np.isfinite(out))
                if not finite:
                    assert_all_finite(x, input_name=input_name)
                    raise ValueError(
                        f"Input {input_name} has values so large that the first layer's outputs "
                        "overflow. Scale the inputs (e.g. with StandardScaler)."
                    )
            x = out
        return x

    def _in_chunks(self, layers, x, check_finite, input_name):
        widths = [p.shape[-1] for p in self.weights] or [x.shape[1]]
        rows = max(256, _CHUNK_BYTES // (max(widths) * self._params.itemsize))
        n = x.shape[0]
        work = {}  # this call's own work arrays, so that threads can predict at once

        def run(x):
            return self._infer(x, layers, check_finite, input_name, work)

        if n <= rows:
            return run(x)
        first = run(x[:rows])
        out = np.empty((n,) + first.shape[1:], dtype=first.dtype)
        out[:rows] = first
        for start in range(rows, n, rows):
            out[start:start + rows] = run(x[start:start + rows])
        return out

    # -- training and prediction --------------------------------------------------

    def _check_width(self, x):
        n_inputs = self.n_inputs
        if n_inputs is not None and (x.ndim != 2 or x.shape[1] != n_inputs):
            has = f"{x.shape[1]} features" if x.ndim == 2 else f"shape {x.shape}"
            raise ValueError(f"x has {has}, but the network's first layer expects {n_inputs} features.")

    def _check_x(self, x, dtype=(np.float64, np.float32)):
        x = check_array(x, accept_sparse=("csr", "csc"), dtype=dtype, input_name="x")
        self._check_width(x)
        return x

    def _check_y(self, y, n_samples, dtype):
        n_outputs = self.n_outputs
        y = check_array(y, ensure_2d=False, dtype=dtype, input_name="y")
        if y.ndim == 1 and n_outputs in (1, None):
            y = y.reshape(-1, 1)
        if y.ndim != 2 or (n_outputs is not None and y.shape[1] != n_outputs):
            hint = " (pass class labels with categorical=True to one-hot encode them)" if y.ndim == 1 else ""
            raise ValueError(
                f"y has shape {y.shape}, but the network has {n_outputs} outputs; expected "
                f"({n_samples}, {n_outputs}){hint}."
            )
        if len(y) != n_samples:
            raise ValueError(f"Found x and y with inconsistent numbers of samples: [{n_samples}, {len(y)}]")
        return y

    def _check_data(self, x, y, categorical=False, sample_weight=None, dtype=(np.float64, np.float32)):
        x = self._check_x(x, dtype)
        if categorical:
            y = to_categorical(y, num_classes=self.n_outputs, dtype=x.dtype)
        y = self._check_y(y, x.shape[0], x.dtype)
        return x, y, check_sample_weight(sample_weight, x)

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
        for name, value, low in (("batch_size", batch_size, 1), ("epochs", epochs, 0)):
            if not _is_size(value) or value < low:
                raise ValueError(f"{name} must be an integer >= {low}; got {value!r}.")
        callbacks = [EpochLog(verbose)] if verbose else []
        trainer = Trainer(self, batch_size=batch_size, max_epochs=epochs, shuffle=shuffle,
                          random_state=self._rng, callbacks=callbacks)
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

    def _named_params(self):
        return {f"{i}_{name}": p for i, layer in enumerate(self.layers)
                for name, p in zip(layer.param_names, layer.params)}

    def save(self, path):
        """Save the parameters to ``path`` (NumPy ``.npz``, exactly that file name).

        Only the parameters are saved: rebuild the network with the same code,
        then ``load``.
        """
        with open(path, "wb") as f:
            np.savez(f, **self._named_params())

    def load(self, path):
        """Load parameters saved by ``save`` into this network (same architecture)."""
        try:
            with np.load(path, allow_pickle=False) as data:
                stored = {k: data[k] for k in data.files}
        except (ValueError, OSError, zipfile.BadZipFile) as exc:
            if isinstance(exc, FileNotFoundError):
                raise
            raise ValueError(f"{path} is not a file of parameters saved by NeuralNetwork.save: {exc}") from None
        expected = self._named_params()
        if set(stored) != set(expected):
            raise ValueError(
                f"{path} holds parameters {sorted(stored)}, but this network has "
                f"{sorted(expected)}: build the network with the architecture it was saved from."
            )
        for name, p in expected.items():
            if stored[name].shape != p.shape:
                raise ValueError(
                    f"Parameter {name} in {path} has shape {stored[name].shape}, but this "
                    f"network's has shape {p.shape}: build the network with the architecture "
                    "it was saved from."
                )
        for name, p in expected.items():
            p[...] = stored[name]
        return self

    def __repr__(self):
        if self.sizes is None:
            layers = f"layers={self.layers!r}"
        else:
            layers = (f"layers={self.sizes!r}, hidden_activation={self.hidden_activation!r}, "
                      f"output_activation={self.output_activation!r}")
        return f"NeuralNetwork({layers}, loss={self.loss!r}, optimizer={self.optimizer!r})"
