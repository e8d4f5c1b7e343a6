"""``NumpyMLPClassifier``: scikit-learn's ``MLPClassifier`` on skneural's engine."""

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.metrics import accuracy_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import column_or_1d
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, unique_labels

from ..nn.network import check_sample_weight
from ..components import resolve
from . import validation_data
from .base import _AUTO_CLASSIFICATION_LOSS, _BaseMLP

__all__ = ["NumpyMLPClassifier"]


class NumpyMLPClassifier(ClassifierMixin, _BaseMLP):
    """Multi-layer perceptron classifier on skneural's NumPy engine.

    A drop-in replacement for :class:`sklearn.neural_network.MLPClassifier`
    (``solver`` is called ``optimizer``) whose activation, output activation,
    loss and optimizer are pluggable, with ``class_weight`` on top.

    Parameters
    ----------
    hidden_layer_sizes : int or tuple of int, default=(100,)
        The number of neurons of each hidden layer.  Sizes whose network would
        need more than the machine's physical memory to train are a
        ``ValueError`` naming the parameter count, raised before anything is
        allocated.
    activation : str, activation object or (function, derivative), default='relu'
        Hidden activation: any name of :mod:`skneural.activations` ('identity',
        'logistic', 'tanh', 'relu', 'leaky_relu', 'elu', ...), an object, or a pair.
    output_activation : 'auto', str, object or pair, default='auto'
        'auto' is softmax for multiclass targets, logistic (sigmoid) for
        binary and multilabel ones, as scikit-learn.  With a row-wise output
        (softmax or any activation whose derivative returns Jacobians) binary
        targets use two output units.
    loss : 'auto', str, loss object or pair, default='auto'
        'auto' is categorical cross-entropy with softmax, binary cross-entropy
        with sigmoid.
    optimizer : str or object with ``update(old_params, gradient)``, default='adam'
        'sgd', 'adam', 'adamw', 'rmsprop', 'adagrad' (built from the parameters below),
        'lbfgs' (full batch, scipy's L-BFGS-B), or an optimizer object whose
        own settings are used (see :mod:`skneural.estimators`).
    solver : str or None, default=None
        scikit-learn's name for ``optimizer``, accepted so that code written
        for ``MLPClassifier``/``MLPRegressor`` runs unchanged; when given,
        it is used instead of ``optimizer`` (leave ``optimizer`` at its default).
    alpha : float, default=1e-4
        L2 penalty ``0.5 * alpha * sum ||W||^2 / n_samples``.
    batch_size : int or 'auto', default='auto'
        ``min(200, n_samples)`` for 'auto'.
    learning_rate : str or schedule object, default='constant'
        A schedule's name ('constant', 'invscaling', 'adaptive' and the other
        names of :mod:`skneural.schedules`) schedules the 'sgd' optimizer's
        step size alone, as scikit-learn.  A schedule object
        (``CosineAnnealing(warmup=5)``, ...) schedules any optimizer,
        starting from ``learning_rate_init`` (an optimizer object: from its
        own ``learning_rate``); ``fit`` trains a clone of it, and
        ``GridSearchCV`` tunes it as ``learning_rate__warmup`` and so on.
        lbfgs ignores it.
    learning_rate_init : float, default=1e-3
    power_t : float, default=0.5
    max_iter : int, default=200
        Epochs (stochastic optimizers) or iterations (lbfgs).
    shuffle : bool, default=True
    random_state : int, RandomState or None, default=None
    tol : float, default=1e-4
    verbose : bool or int, default=False
        1 prints a line per epoch (loss, validation score, time); 2 or more
        also shows the running average loss after every batch, rewritten in
        place on the epoch's line.
    warm_start : bool, default=False
        Continue from the fitted weights *and the optimizer's state* (from
        ``learning_rate_init``, as scikit-learn).
    momentum : float, default=0.9
    nesterovs_momentum : bool, default=True
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data (stratified for binary
        targets, as scikit-learn), stop when
        its accuracy has not improved by ``tol`` for ``n_iter_no_change``
        epochs, and keep the best epoch's weights.  ``X_val``, ``y_val`` given
        to ``fit`` replace the held-out rows (all of ``X`` trains); without
        early stopping they are only scored (see ``fit``).
    validation_fraction : float, default=0.1
    beta_1, beta_2, epsilon : float, default=0.9, 0.999, 1e-8
        Adam's settings (``epsilon`` also RMSprop's and Adagrad's).
    n_iter_no_change : int, default=10
    max_fun : int, default=15000
        Maximum number of loss evaluations of lbfgs.
    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes, multiplying the sample weights: finite numbers
        >= 0, not all 0 over the classes present in ``y`` (a class missing
        from the dict weighs 1).
    label_smoothing : float, default=0.0
        Train towards ``(1 - label_smoothing) * y + label_smoothing / K``
        instead of the one-hot targets ``y``, with ``K`` the number of classes
        for a softmax output and 2 for each column of a sigmoid one, so that
        the model stays less sure of itself.  In [0, 1).  The loss reported
        (``loss_curve_``) is that of the smoothed targets.
    max_grad_norm : float or None, default=None
        Clip each batch's gradient to at most this Euclidean norm (over all
        the weights and biases at once) before the optimizer's step, for every
        stochastic optimizer; None does not clip.  lbfgs ignores it.
    dropout : float or list of float, default=0.0
        Inverted dropout after each hidden activation while training (one rate
        per hidden layer, or one for all; in [0, 1); 0 adds no layer);
        prediction is deterministic.  Not with lbfgs.
    normalization : {None, 'batch', 'layer'}, default=None
        A ``BatchNorm`` or ``LayerNorm`` layer after each hidden dense layer,
        its scale and shift free of the L2 penalty.  'batch' needs batches of
        2 rows or more (not lbfgs) and predicts with the running statistics
        (saved with the model): a row's prediction does not depend on its batch.
    callbacks : list of callbacks or None, default=None
        ``EarlyStopping``, ``ModelCheckpoint``, ``ProgressBar`` of :mod:`skneural.callbacks`
        or your own, called at the start and end of fit, of each epoch (lbfgs:
        iteration) and batch, after the estimator's own; they can stop training.
        ``fit`` trains clones (``callbacks_``); warm starts and ``partial_fit``
        go on with them.  See :mod:`skneural.estimators.callbacks`.
    init : str, initializer object or callable, default='glorot_uniform'
        How each layer's weights and bias start, drawn from ``random_state``
        layer by layer: a name of :mod:`skneural.initializers`
        ('glorot_uniform', 'xavier_normal', 'he_normal', 'he_uniform',
        'lecun_normal'), an initializer object, or a callable
        ``init(fan_in, fan_out, random_state, dtype)`` returning
        ``(weights, bias)``.  'glorot_uniform' is scikit-learn's scheme, with
        its factor 2 instead of 6 for the logistic (sigmoid) activation: with
        the same integer ``random_state`` the initial ``coefs_`` and
        ``intercepts_`` are scikit-learn's, bit for bit.  An object is used
        with its own settings (``GlorotUniform()`` keeps factor 6 even for
        logistic).

    Attributes
    ----------
    classes_, coefs_, intercepts_, loss_, loss_curve_, best_loss_,
    validation_scores_, best_validation_score_, n_iter_, t_, n_features_in_,
    feature_names_in_, n_layers_, n_outputs_, out_activation_
        As scikit-learn's ``MLPClassifier``.
    history_ : list of dict
        One record per epoch (lbfgs: per iteration, with ``epoch`` and
        ``loss`` only), kept across warm starts and ``partial_fit``:
        ``epoch``, ``loss``, ``lr`` (the optimizer's learning rate), ``time``
        (seconds), and whenever a validation set is
        used (early stopping, or ``X_val`` given to ``fit``) ``val_loss`` and
        ``val_score``, and the scorers the callbacks monitor.
    callbacks_ : list
        The clones of ``callbacks`` that fit trained, with their results.
    validation_loss_curve_ : list of float or None
        The objective (loss plus penalty) on the validation set after each
        epoch, beside ``validation_scores_``: with early stopping, or ``X_val``
        given to ``fit`` (which without early stopping sets both, and leaves
        ``best_validation_score_`` None); else None.
    network_ : NeuralNetwork
        The engine; ``coefs_`` and ``intercepts_`` are views into its parameters.
    optimizer_ : object
        The optimizer being trained, with its state.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skneural import NumpyMLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = NumpyMLPClassifier(hidden_layer_sizes=(20,), activation="tanh",
    ...                          learning_rate_init=0.01, max_iter=300, random_state=0).fit(X, y)
    >>> clf.predict(X[:3])
    array([0, 0, 0])
    >>> clf.predict_proba(X[:1]).shape
    (1, 3)
    >>> clf.score(X, y) > 0.95
    True
    """

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, output_activation="auto",
                 loss="auto", optimizer="adam", alpha=0.0001, batch_size="auto", learning_rate="constant",
                 learning_rate_init=0.001, power_t=0.5, max_iter=200, shuffle=True, random_state=None,
                 tol=1e-4, verbose=False, warm_start=False, momentum=0.9, nesterovs_momentum=True,
                 early_stopping=False, validation_fraction=0.1, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 n_iter_no_change=10, max_fun=15000, class_weight=None, init="glorot_uniform", solver=None,
                 max_grad_norm=None, label_smoothing=0.0, dropout=0.0, normalization=None,
                 callbacks=None):
        self._store_params(locals())

    def _output_and_loss(self):
        auto_loss = _AUTO_CLASSIFICATION_LOSS[self._label_binarizer.y_type_]
        auto_output = resolve(auto_loss, "loss").canonical_activation
        output = self._resolve("output_activation", "activation",
                               auto_output if self.output_activation == "auto" else None)
        loss = self._resolve("loss", "loss", auto_loss if self.loss == "auto" else None)
        return output, loss

    def _n_outputs(self, Y, output):
        self._two_column_binary = self._label_binarizer.y_type_ == "binary" and output.is_rowwise()
        return 2 if self._two_column_binary else Y.shape[1]

    def _stratify_validation(self, Y):
        # as scikit-learn: binary targets only, on the binarized column (> 0.5: also when label_smoothing
        # moves its 0 and 1); multiclass and multilabel splits are not stratified
        return Y[:, -1:] > 0.5 if self._label_binarizer.y_type_ == "binary" else None

    _validate_y_val = validation_data.classifier_targets  # fit's y_val, checked as y

    def _validate_fit_data(self, X, y, sample_weight, first_pass, incremental, classes):
        X, y = self._check_X_y(X, y, first_pass)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        if incremental and not hasattr(self, "classes_"):
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit.")
            self._label_binarizer = LabelBinarizer().fit(y if y.ndim == 2 else classes)
            self.classes_ = self._label_binarizer.classes_
        elif first_pass and not incremental:
            # one class is fitted as scikit-learn does: a binary output trained towards 0,
            # and predict gives that class
            self._label_binarizer = LabelBinarizer().fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            if classes is not None and not np.array_equal(np.unique(classes), self.classes_):
                raise ValueError(
                    f"`classes={list(classes)}` is not the same as on the first call to "
                    f"partial_fit, was: {list(self.classes_)}."
                )
            if self.warm_start and not incremental and set(unique_labels(y)) != set(self.classes_):
                raise ValueError(
                    "warm_start can only be used where `y` has the same classes as in the "
                    f"previous call to fit. Previously got {self.classes_}, `y` has {unique_labels(y)}"
                )
        seen = unique_labels(y)
        if len(np.setdiff1d(seen, self.classes_)):
            raise ValueError(
                f"`y` has classes not in `self.classes_`. `self.classes_` has {self.classes_}. "
                f"'y' has {seen}."
            )
        sample_weight = check_sample_weight(sample_weight, X)
        if self.class_weight is not None:
            if incremental and isinstance(self.class_weight, str):
                raise ValueError(
                    "class_weight='balanced' needs all the data at once and is not supported by "
                    "partial_fit; pass a dict (e.g. from sklearn.utils.class_weight."
                    "compute_class_weight over the whole data) instead."
                )
            # scikit-learn's error for a label that is not a class; the values were checked above
            class_weights = compute_sample_weight(self.class_weight, y)
            with np.errstate(over="ignore"):
                class_weights = class_weights.astype(X.dtype)
                combined = class_weights if sample_weight is None else sample_weight * class_weights
                total = np.sum(combined)
            if not total > 0:
                which = "present in y" if sample_weight is None else "of the samples of positive sample_weight"
                present = unique_labels(y if sample_weight is None else y[sample_weight > 0]).tolist()
                raise ValueError(
                    f"class_weight gives weight 0 to every class {which} ({', '.join(map(repr, present))}): "
                    "there is nothing to train on. Give at least one of them a positive weight."
                )
            if not np.isfinite(total):
                raise ValueError(
                    f"class_weight is too large: the samples' weights sum to {total} in {X.dtype}. "
                    "Scale its values down (only their ratios matter)."
                )
            sample_weight = check_sample_weight(combined, X)
        return X, self._label_binarizer.transform(y).astype(X.dtype), y, sample_weight

    def _final_targets(self, Y):
        # binary targets for a row-wise output (softmax): one column per class
        Y = np.hstack([1 - Y, Y]) if self._two_column_binary else Y
        smoothing = getattr(self, "label_smoothing", 0.0)  # a subclass may not take it
        if smoothing:
            # towards the uniform distribution over the classes of a row-wise output (softmax), or over
            # {0, 1} for each column of an elementwise one (sigmoid: binary and multilabel), as Keras
            classes = Y.shape[1] if self.network_.output_activation.is_rowwise() else 2
            Y = Y * (1 - smoothing) + smoothing / classes
        return Y

    @available_if(lambda est: est._partial_fit_available())
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """One epoch over ``(X, y)``, continuing from the current weights and optimizer state.

        ``classes`` (all the labels that will ever appear) is required on the first call.
        Ctrl-C raises ``KeyboardInterrupt`` (at the end of the current batch,
        or at once if it is the second) with the estimator as it was before
        the call, so that a loop of ``partial_fit`` calls stops.
        """
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def _score_validation(self, X, y, sample_weight):
        return accuracy_score(y, self._labels(self.network_.output(X)), sample_weight=sample_weight)

    def _labels(self, out):
        if self._two_column_binary and len(self.classes_) == 2:
            return self.classes_[np.argmax(out, axis=1)]
        return self._label_binarizer.inverse_transform(out)

    def predict(self, X):
        """Predicted class labels (or label indicator rows for multilabel targets)."""
        return self._labels(self._forward(X))

    def predict_proba(self, X):
        """Probability of each class, in the order of ``classes_``."""
        out = self._forward(X)
        if out.shape[1] == 1:
            return np.hstack([1 - out, out])
        return out

    def predict_log_proba(self, X):
        """Logarithm of ``predict_proba``, as scikit-learn computes it (``-inf`` where a
        probability rounds to 0), so that both give the same row-wise argmax."""
        proba = self.predict_proba(X)
        with np.errstate(divide="ignore"):
            return np.log(proba, out=proba)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags
