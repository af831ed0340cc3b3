"""MLPRegressor and MLPClassifier: scikit-learn's multi-layer perceptrons, plus
dropout, a user-supplied validation set, a validation-loss monitor, best-weight
restoration, an L1 weight penalty and a dtype option.

With ``dropout=0`` and ``l1=0`` the training follows scikit-learn's exactly: the
same initialization (Glorot uniform), the same draws from ``random_state`` in the
same order (weights, validation split, per-epoch shuffles), the same batches,
losses, gradients and optimizer steps; with ``solver="lbfgs"``, scipy's L-BFGS-B
with scikit-learn's options on the same full-batch loss.
"""

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.metrics import accuracy_score, r2_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import column_or_1d
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target, unique_labels
from sklearn.utils.validation import _check_sample_weight, validate_data

from ._base import DivergenceError, _BaseMLP

__all__ = ["DivergenceError", "MLPClassifier", "MLPRegressor"]


_COMMON_DOC = """
    Parameters
    ----------
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        Units of each hidden layer.
    activation : {{"identity", "logistic", "tanh", "relu"}}, default="relu"
        Activation of the hidden layers.
    solver : {{"adam", "sgd", "lbfgs"}}, default="adam"
        "adam" and "sgd" take minibatch steps, epoch after epoch; "lbfgs" is scipy's
        L-BFGS-B on the loss of the whole training set (often faster and better on
        small data; for the squared error with several outputs, on their sum, whose
        gradient every solver follows). Parameters marked "stochastic solvers only"
        are not used by "lbfgs", as in scikit-learn; ``dropout``, ``l1``,
        ``monitor``, ``restore_best_weights`` and a validation set in ``fit`` set
        away from their defaults raise a ValueError with "lbfgs".
    alpha : float, default=0.0001
        L2 penalty: ``alpha / 2 * ||W||^2 / sum(batch weights)`` is added to each
        batch loss (the whole training set for "lbfgs"), over all weight matrices
        (scikit-learn's scaling).
    l1 : float, default=0.0
        L1 penalty ``l1 * ||W||_1 / sum(batch weights)`` on all weight matrices,
        applied by a proximal (soft-thresholding) step after each optimizer step, so
        that weights become exactly zero, e.g. every first-layer weight of an input
        the network does not use (see ``coefs_[0]``). For Adam the step is taken in
        Adam's per-coordinate metric. Stochastic solvers only.
    dropout : float or array-like of float, default=0.0
        Probability of dropping each hidden unit during training (one rate, or one
        per hidden layer), in [0, 1). Inverted dropout: kept units are scaled by
        ``1 / (1 - p)`` while training, nothing is dropped at prediction.
        Stochastic solvers only.
    batch_size : int or "auto", default="auto"
        Minibatch size; "auto" is ``min(200, n_samples)``. Stochastic solvers only.
    learning_rate : {{"constant", "invscaling", "adaptive"}}, default="constant"
        Learning-rate schedule of ``solver="sgd"``.
    learning_rate_init : float, default=0.001
        Initial learning rate. Stochastic solvers only.
    power_t : float, default=0.5
        Exponent of the "invscaling" schedule.
    max_iter : int, default=200
        Maximum number of epochs; for "lbfgs", of L-BFGS-B iterations.
    shuffle : bool, default=True
        Shuffle the samples every epoch. Stochastic solvers only.
    random_state : int, RandomState instance or None, default=None
        Seeds everything random: initialization, validation split, shuffling and
        dropout masks. The same seed gives bit-identical results.
    tol : float, default=1e-4
        Minimum improvement (of the training loss, or of the monitored validation
        quantity with early stopping) that resets the patience counter; for
        "lbfgs", L-BFGS-B's ``gtol``: it stops when no gradient entry exceeds
        ``tol`` (or when an iteration lowers the loss by a relative 2.2e-9 or
        less, scipy's ``ftol``).
    verbose : bool, default=False
        Print the loss (and validation score) every epoch, or every L-BFGS-B
        iteration.
    warm_start : bool, default=False
        Continue from the previous weights.
    momentum : float, default=0.9
        Momentum of ``solver="sgd"``.
    nesterovs_momentum : bool, default=True
        Nesterov momentum for ``solver="sgd"``.
    early_stopping : bool, default=False
        Stop when the monitored validation quantity has not improved by ``tol``
        for ``n_iter_no_change`` epochs, on ``X_val, y_val`` if given to ``fit``,
        else on ``validation_fraction`` of the training data{stratified}.
        Stochastic solvers only.
    validation_fraction : float, default=0.1
        Fraction of the training data held out for early stopping.
    beta_1, beta_2 : float, default=0.9, 0.999
        Adam's moment decay rates.
    epsilon : float, default=1e-8
        Adam's numerical stabilizer.
    n_iter_no_change : int, default=10
        Patience, in epochs. Stochastic solvers only.
    monitor : {{"val_score", "val_loss"}}, default="val_score"
        What early stopping watches: the validation score ({score}, scikit-learn's
        choice) or the validation loss.
    restore_best_weights : bool, default=True
        With early stopping, end with the weights of the best monitored epoch
        (scikit-learn always does); False keeps the last ones.
    dtype : {{"float32", "float64"}} or None, default=None
        Precision of the weights and of all computations; None follows X (float32
        stays float32, anything else is float64), as scikit-learn. float32 roughly
        halves the time on large problems.
    max_fun : int, default=15000
        For "lbfgs" only: maximum number of loss (and gradient) evaluations;
        L-BFGS-B stops with a ConvergenceWarning when it is reached.
"""

_ATTRS_DOC = """
    Attributes
    ----------
    coefs_ : list of ndarray
        Weight matrices, ``coefs_[i]`` of shape (units of layer i, units of i + 1).
    intercepts_ : list of ndarray
        Bias vectors.
    loss_ : float
        Training loss (with penalties, scikit-learn's) of the last epoch; for
        "lbfgs", at the solution.
    loss_curve_ : list of float
        Training loss of every epoch. This and the following five attributes are
        set by the stochastic solvers only (not by "lbfgs", as in scikit-learn).
    best_loss_ : float or None
        Smallest training loss (None with early stopping, as scikit-learn).
    validation_scores_ : list of float or None
        Validation score of every epoch with early stopping, else None.
    best_validation_score_ : float or None
        Validation score of the best monitored epoch (with early stopping).
    best_validation_loss_ : float or None
        Validation loss of the best monitored epoch (with early stopping).
    best_epoch_ : int or None
        The best epoch (1-based, counted like ``loss_curve_`` and ``history_``,
        across warm starts): of the monitored validation quantity with early
        stopping (the epoch whose weights are restored), else of the training loss.
    history_ : dict of lists
        Per epoch: ``"train_loss"``, and, when there is a validation set,
        ``"val_loss"`` (data loss, no penalty) and ``"val_score"``.
    n_iter_ : int
        Epochs (L-BFGS-B iterations for "lbfgs") run by the last call of ``fit`` /
        ``partial_fit`` (scikit-learn's meaning).
    t_ : int
        Training samples seen by the stochastic solvers (0 after a fresh "lbfgs"
        fit, as scikit-learn).
    n_layers_ : int
        Number of layers (inputs and outputs included).
    n_outputs_ : int
        Number of outputs.
    out_activation_ : str
        Output activation.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when X has string column names.
"""


class MLPRegressor(RegressorMixin, _BaseMLP):
    """Multi-layer perceptron regressor with dropout, early stopping and L1/L2.

    A drop-in for :class:`sklearn.neural_network.MLPRegressor` (solvers "adam",
    "sgd" and "lbfgs"): the same parameters, attributes and, with ``dropout=0``
    and ``l1=0``, the same training. Adds ``dropout``, ``l1``, a validation set
    in ``fit``, ``monitor``, ``restore_best_weights``, ``best_epoch_``,
    ``history_`` and ``dtype``.
{doc}    loss : {{"squared_error", "poisson"}}, default="squared_error"
        Half the mean squared error (identity output), or the Poisson deviance
        (exponential output).
{attrs}
    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sparsereg.neural_network import MLPRegressor
    >>> X, y = make_regression(n_samples=200, n_features=5, noise=1, random_state=0)
    >>> model = MLPRegressor(hidden_layer_sizes=(32,), dropout=0.1, max_iter=500,
    ...                      early_stopping=True, random_state=0).fit(X, y)
    >>> model.best_epoch_ <= model.n_iter_
    True
    """

    _parameter_constraints: dict = {
        **_BaseMLP._parameter_constraints,
        "loss": [StrOptions({"squared_error", "poisson"})],
    }

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *,
                 solver="adam", alpha=0.0001, l1=0.0, dropout=0.0,
                 batch_size="auto", learning_rate="constant",
                 learning_rate_init=0.001, power_t=0.5, max_iter=200, shuffle=True,
                 random_state=None, tol=1e-4, verbose=False, warm_start=False,
                 momentum=0.9, nesterovs_momentum=True, early_stopping=False,
                 validation_fraction=0.1, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 n_iter_no_change=10, monitor="val_score",
                 restore_best_weights=True, dtype=None, max_fun=15000,
                 loss="squared_error"):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.l1 = l1
        self.dropout = dropout
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.monitor = monitor
        self.restore_best_weights = restore_best_weights
        self.dtype = dtype
        self.max_fun = max_fun
        self.loss = loss

    def _validate_input(self, X, y, incremental, reset, classes=None,
                        validation=False):
        if validation:
            X = validate_data(self, X, accept_sparse=["csr", "csc"],
                              dtype=(np.float64, np.float32), reset=False)
            y = np.asarray(y)
        else:
            X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"],
                                 multi_output=True, y_numeric=True,
                                 dtype=(np.float64, np.float32), reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if self.loss == "poisson" and np.any(np.asarray(y) < 0):
            raise ValueError("loss='poisson' needs non-negative targets y")
        y = np.asarray(y, dtype=np.float64)
        if y.shape[0] != X.shape[0]:
            raise ValueError(f"X has {X.shape[0]} samples but y has {y.shape[0]}")
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        return X, Y, y

    def _output_activation(self, Y):
        return "exp" if self.loss == "poisson" else "identity"

    def _decode(self, Y):
        return Y[:, 0] if Y.shape[1] == 1 else Y

    def _score_outputs(self, out, y_raw, sw):
        pred = out[:, 0] if out.shape[1] == 1 else out
        return r2_score(y_raw, pred, sample_weight=sw)

    @available_if(_BaseMLP._check_solver)
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over ``(X, y)``, continuing from the current weights.

        Stochastic solvers only: with "lbfgs" there is no ``partial_fit``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        self : object
            The updated estimator.
        """
        if not hasattr(self, "coefs_"):
            self._validate_params()
        return self._fit(X, y, sample_weight, incremental=True)

    def predict(self, X):
        """Predicted values, shape (n_samples,) or (n_samples, n_outputs)."""
        out = self._forward(X)
        return out[:, 0] if out.shape[1] == 1 else out


class MLPClassifier(ClassifierMixin, _BaseMLP):
    """Multi-layer perceptron classifier with dropout, early stopping and L1/L2.

    A drop-in for :class:`sklearn.neural_network.MLPClassifier` (solvers "adam",
    "sgd" and "lbfgs"; binary, multiclass and multilabel): the same parameters,
    attributes and, with ``dropout=0`` and ``l1=0``, the same training. Adds
    ``dropout``, ``l1``, ``class_weight``, a validation set in ``fit``,
    ``monitor``, ``restore_best_weights``, ``best_epoch_``, ``history_`` and
    ``dtype``.
{doc}    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplied into ``sample_weight`` (as
        :func:`sklearn.utils.class_weight.compute_sample_weight`).
{attrs}    classes_ : ndarray or list of ndarray
        Class labels.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sparsereg.neural_network import MLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = MLPClassifier(hidden_layer_sizes=(20,), dropout=0.2, max_iter=300,
    ...                     random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape
    (2, 3)
    """

    _parameter_constraints: dict = {
        **_BaseMLP._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *,
                 solver="adam", alpha=0.0001, l1=0.0, dropout=0.0,
                 batch_size="auto", learning_rate="constant",
                 learning_rate_init=0.001, power_t=0.5, max_iter=200, shuffle=True,
                 random_state=None, tol=1e-4, verbose=False, warm_start=False,
                 momentum=0.9, nesterovs_momentum=True, early_stopping=False,
                 validation_fraction=0.1, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 n_iter_no_change=10, monitor="val_score",
                 restore_best_weights=True, dtype=None, max_fun=15000,
                 class_weight=None):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.l1 = l1
        self.dropout = dropout
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.monitor = monitor
        self.restore_best_weights = restore_best_weights
        self.dtype = dtype
        self.max_fun = max_fun
        self.class_weight = class_weight

    def _validate_input(self, X, y, incremental, reset, classes=None,
                        validation=False):
        if validation:
            X = validate_data(self, X, accept_sparse=["csr", "csc"],
                              dtype=(np.float64, np.float32), reset=False)
            y = np.asarray(y)
            if y.ndim == 2 and y.shape[1] == 1:
                y = column_or_1d(y, warn=True)
            unknown = np.setdiff1d(unique_labels(y), self._label_set())
            if len(unknown):
                raise ValueError(
                    f"y_val has classes not seen in y: {unknown}; classes_ is "
                    f"{self.classes_}"
                )
            return X, self._label_binarizer.transform(y).astype(bool), y
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"],
                             multi_output=True, dtype=(np.float64, np.float32),
                             reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if (not hasattr(self, "classes_")) or (not self.warm_start
                                                and not incremental):
            self._label_binarizer = LabelBinarizer()
            self._label_binarizer.fit(y if classes is None or y.ndim == 2
                                      else np.asarray(classes))
            self.classes_ = self._label_binarizer.classes_
        else:
            labels = unique_labels(y)
            if self.warm_start and not incremental:
                if set(labels) != set(self._label_set()):
                    raise ValueError(
                        "warm_start can only be used where `y` has the same classes "
                        f"as in the previous call to fit. Previously got "
                        f"{self.classes_}, `y` has {labels}"
                    )
            elif len(np.setdiff1d(labels, self._label_set(), assume_unique=True)):
                raise ValueError(
                    f"`y` has classes not in `self.classes_`. `self.classes_` has "
                    f"{self.classes_}. 'y' has {labels}."
                )
        if not incremental and type_of_target(y) != "multilabel-indicator" and len(
                unique_labels(y)) < 2 and classes is None:
            raise ValueError(
                "The classifier needs samples of at least 2 classes in the data, "
                f"but the data contains only one class: {unique_labels(y)[0]!r}"
            )
        return X, self._label_binarizer.transform(y).astype(bool), y

    def _label_set(self):
        return self.classes_

    def _sample_weight(self, sample_weight, X, y_raw):
        sw = (None if sample_weight is None
              else _check_sample_weight(sample_weight, X, dtype=X.dtype,
                                        ensure_non_negative=True))
        if self.class_weight is None:
            return sw
        cw = compute_sample_weight(self.class_weight, y_raw).astype(X.dtype)
        return cw if sw is None else sw * cw

    def _output_activation(self, Y):
        if self._label_binarizer.y_type_ == "multiclass":
            return "softmax"
        return "logistic"

    def _decode(self, Y):
        return self._label_binarizer.inverse_transform(Y)

    def _score_outputs(self, out, y_raw, sw):
        pred = out[:, 0] if self.n_outputs_ == 1 else out
        return accuracy_score(y_raw, self._label_binarizer.inverse_transform(pred),
                              sample_weight=sw)

    @available_if(_BaseMLP._check_solver)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """One epoch over ``(X, y)``, continuing from the current weights.

        Stochastic solvers only: with "lbfgs" there is no ``partial_fit``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_classes)
            Labels.
        classes : array of shape (n_classes,), default=None
            All the classes; required on the first call, ignored afterwards (as
            scikit-learn).
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        self : object
            The updated estimator.
        """
        first = not hasattr(self, "classes_")
        if first:
            self._validate_params()
            if classes is None:
                raise ValueError("classes must be passed on the first call to "
                                 "partial_fit.")
            unknown = np.setdiff1d(unique_labels(y), np.asarray(classes))
            if len(unknown):
                raise ValueError(
                    f"`y` has classes {unknown} that are not in `classes={classes!r}`"
                )
        elif classes is not None and not np.array_equal(
                np.sort(np.asarray(classes)), np.sort(self.classes_)):
            raise ValueError(
                f"`classes={classes!r}` is not the same as on last call to "
                f"partial_fit, was: {self.classes_!r}"
            )
        return self._fit(X, y, sample_weight, incremental=True,
                         classes=classes if first else None)

    def predict(self, X):
        """Predicted class labels."""
        out = self._forward(X)
        if self.n_outputs_ == 1:
            out = out.ravel()
        return self._label_binarizer.inverse_transform(out)

    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, n_classes)."""
        out = self._forward(X)
        if self.n_outputs_ == 1:
            out = out.ravel()
        if out.ndim == 1:
            return np.vstack([1 - out, out]).T
        return out

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`."""
        return np.log(self.predict_proba(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


MLPRegressor.__doc__ = MLPRegressor.__doc__.format(
    doc=_COMMON_DOC.format(stratified="", score="R^2"), attrs=_ATTRS_DOC)
MLPClassifier.__doc__ = MLPClassifier.__doc__.format(
    doc=_COMMON_DOC.format(stratified=" (stratified)", score="accuracy"),
    attrs=_ATTRS_DOC)
