"""MLPRegressor and MLPClassifier: scikit-learn's multi-layer perceptrons, plus
dropout, a user-supplied validation set, a validation-loss monitor, best-weight
restoration, an L1 weight penalty and a dtype option.

With ``dropout=0`` and ``l1=0`` the training follows scikit-learn's exactly: the
same initialization (Glorot uniform), the same draws from ``random_state`` in the
same order (weights, validation split, per-epoch shuffles), the same batches,
losses, gradients and optimizer steps.
"""

import warnings
from numbers import Integral, Real

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state, column_or_1d, gen_batches, shuffle
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import type_of_target, unique_labels
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from ._network import SGD, Adam, Network, data_loss


class DivergenceError(ValueError, FloatingPointError):
    """Training produced a non-finite loss (usually: the learning rate is too
    large for the scale of the data)."""


class _BaseMLP(BaseEstimator):
    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None,
                                                      closed="left")],
        "activation": [StrOptions({"identity", "logistic", "tanh", "relu"})],
        "solver": [StrOptions({"sgd", "adam"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "l1": [Interval(Real, 0, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left"), "array-like"],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None,
                                                      closed="left")],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "monitor": [StrOptions({"val_score", "val_loss"})],
        "restore_best_weights": ["boolean"],
        "dtype": [None, StrOptions({"float32", "float64"}), type],
    }

    # ------------------------------------------------------------ validation

    def _hidden_sizes(self):
        sizes = self.hidden_layer_sizes
        sizes = list(sizes) if hasattr(sizes, "__iter__") else [sizes]
        for s in sizes:
            if isinstance(s, bool) or not isinstance(s, Integral) or s <= 0:
                raise ValueError(
                    f"hidden_layer_sizes must be > 0, got {sizes}: every entry must "
                    "be a positive integer number of units"
                )
        return [int(s) for s in sizes]

    def _dropout_rates(self, n_hidden):
        rates = np.atleast_1d(np.asarray(self.dropout, dtype=object))
        if rates.ndim != 1:
            raise ValueError(
                f"dropout must be a float or a 1-D list, got {self.dropout!r}")
        if rates.size == 1:
            rates = np.repeat(rates, n_hidden)
        if rates.size != n_hidden:
            raise ValueError(
                f"dropout has {rates.size} rates for {n_hidden} hidden layers: pass "
                "one float, or one rate per hidden layer"
            )
        out = []
        for k, p in enumerate(rates):
            if isinstance(p, bool) or not isinstance(p, Real):
                raise TypeError(f"dropout[{k}] must be a number, got {p!r}")
            if not (0.0 <= float(p) < 1.0):
                raise ValueError(
                    f"dropout[{k}] = {p}: a dropout rate is the probability of "
                    "dropping a unit and must lie in [0, 1)"
                )
            out.append(float(p))
        return out

    def _compute_dtype(self, X):
        if self.dtype is None:
            return X.dtype
        dtype = np.dtype(self.dtype)
        if dtype not in (np.float32, np.float64):
            raise ValueError(
                f"dtype must be float32, float64 or None, got {self.dtype!r}")
        return dtype

    # ------------------------------------------------------------------ fit

    def fit(self, X, y, sample_weight=None, X_val=None, y_val=None,
            sample_weight_val=None):
        """Fit the model to ``(X, y)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets (class labels for the classifier).
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the training samples.
        X_val, y_val : array-like, default=None
            A validation set. With ``early_stopping=True`` it replaces the split
            of ``validation_fraction`` of the training data; without, it is only
            scored every epoch (``history_``).
        sample_weight_val : array-like of shape (n_val,), default=None
            Weights of the validation samples.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._validate_params()
        return self._fit(X, y, sample_weight, incremental=False, X_val=X_val,
                         y_val=y_val, sample_weight_val=sample_weight_val)

    def _fit(self, X, y, sample_weight, incremental, X_val=None, y_val=None,
             sample_weight_val=None, classes=None):
        hidden = self._hidden_sizes()
        rates = self._dropout_rates(len(hidden))
        first_pass = not hasattr(self, "coefs_") or (not self.warm_start
                                                      and not incremental)
        X, Y, y_raw = self._validate_input(X, y, incremental, reset=first_pass,
                                           classes=classes)
        dtype = self._compute_dtype(X)
        if X.dtype != dtype:
            X = X.astype(dtype)
        sw = self._sample_weight(sample_weight, X, y_raw)
        if (X_val is None) != (y_val is None):
            raise ValueError("pass both X_val and y_val, or neither")
        n_samples, n_features = X.shape
        units = [n_features] + hidden + [Y.shape[1]]
        self.n_outputs_ = Y.shape[1]
        self._random_state = check_random_state(self.random_state)
        if first_pass:
            self._initialize(Y, units, dtype)
        elif [W.shape for W in self.coefs_] != list(zip(units[:-1], units[1:],
                                                        strict=True)):
            raise ValueError(
                "warm_start / partial_fit needs the same network shape: the data "
                "or hidden_layer_sizes changed since the last fit"
            )
        else:
            self.coefs_ = [W.astype(dtype, copy=False) for W in self.coefs_]
            self.intercepts_ = [b.astype(dtype, copy=False) for b in self.intercepts_]
        self._train(X, Y, sw, rates, incremental, dtype, X_val, y_val,
                    sample_weight_val)
        if not all(np.isfinite(w).all() for w in self.coefs_ + self.intercepts_):
            raise DivergenceError(
                "Solver produced non-finite parameter weights. The input data may "
                "contain large values and need to be preprocessed, or "
                f"learning_rate_init={self.learning_rate_init} is too large."
            )
        return self

    def _sample_weight(self, sample_weight, X, y_raw):
        if sample_weight is None:
            return None
        return _check_sample_weight(sample_weight, X, dtype=X.dtype)

    def _initialize(self, Y, units, dtype):
        """Glorot-uniform weights drawn exactly as scikit-learn draws them."""
        self.n_iter_ = 0
        self.t_ = 0
        self.n_layers_ = len(units)
        self.out_activation_ = self._output_activation(Y)
        self.coefs_, self.intercepts_ = [], []
        factor = 2.0 if self.activation == "logistic" else 6.0
        for fan_in, fan_out in zip(units[:-1], units[1:], strict=True):
            bound = np.sqrt(factor / (fan_in + fan_out))
            W = self._random_state.uniform(-bound, bound, (fan_in, fan_out))
            b = self._random_state.uniform(-bound, bound, fan_out)
            self.coefs_.append(W.astype(dtype, copy=False))
            self.intercepts_.append(b.astype(dtype, copy=False))
        self.loss_curve_ = []
        self.history_ = {"train_loss": [], "val_loss": [], "val_score": []}
        self._no_improvement_count = 0
        self._best_state = None
        if self.early_stopping:
            self.validation_scores_ = []
            self.best_validation_score_ = -np.inf
            self.best_validation_loss_ = np.inf
            self.best_loss_ = None
        else:
            self.best_loss_ = np.inf
            self.validation_scores_ = None
            self.best_validation_score_ = None
            self.best_validation_loss_ = None
        self.best_epoch_ = None
        if hasattr(self, "_optimizer"):
            del self._optimizer

    def _loss_kind(self):
        if not is_classifier(self):
            return self.loss
        return "binary_log_loss" if self.out_activation_ == "logistic" else "log_loss"

    # --------------------------------------------------------------- training

    def _split(self, X, Y, sw, X_val, y_val, sample_weight_val, incremental):
        """(train, validation) parts; validation is None when there is none."""
        if X_val is not None:
            Xv, Yv, yv_raw = self._validate_input(X_val, y_val, True, reset=False,
                                                  classes=None, validation=True)
            Xv = Xv.astype(X.dtype, copy=False)
            swv = (None if sample_weight_val is None
                   else _check_sample_weight(sample_weight_val, Xv, dtype=X.dtype))
            return (X, Y, sw), (Xv, Yv, yv_raw, swv)
        if sample_weight_val is not None:
            raise ValueError("sample_weight_val needs X_val and y_val")
        if not self.early_stopping:
            return (X, Y, sw), None
        if incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        stratify = Y if (is_classifier(self) and self.n_outputs_ == 1) else None
        arrays = [X, Y] if sw is None else [X, Y, sw]
        parts = train_test_split(*arrays, random_state=self._random_state,
                                 test_size=self.validation_fraction,
                                 stratify=stratify)
        X_tr, X_v, Y_tr, Y_v = parts[:4]
        sw_tr, sw_v = (parts[4], parts[5]) if sw is not None else (None, None)
        if X_v.shape[0] < 2:
            raise ValueError(
                "The validation set is too small. Increase 'validation_fraction' "
                "or the size of your dataset."
            )
        return (X_tr, Y_tr, sw_tr), (X_v, Y_v, self._decode(Y_v), sw_v)

    def _train(self, X, Y, sw, rates, incremental, dtype, X_val, y_val,
               sample_weight_val):
        n_coefs = len(self.coefs_)
        params = self.coefs_ + self.intercepts_
        if not incremental or not hasattr(self, "_optimizer"):
            if self.solver == "sgd":
                self._optimizer = SGD(params, n_coefs, self.learning_rate_init,
                                      self.learning_rate, self.momentum,
                                      self.nesterovs_momentum, self.power_t)
            else:
                self._optimizer = Adam(params, n_coefs, self.learning_rate_init,
                                       self.beta_1, self.beta_2, self.epsilon)
        else:  # partial_fit: the optimizer must act on the current arrays
            self._optimizer.params = params
        (X_tr, Y_tr, sw_tr), val = self._split(X, Y, sw, X_val, y_val,
                                               sample_weight_val, incremental)
        early = self.early_stopping and val is not None
        n = X_tr.shape[0]
        if self.batch_size == "auto":
            batch_size = min(200, n)
        else:
            if self.batch_size > n:
                warnings.warn("Got `batch_size` less than 1 or larger than sample "
                              "size. It is going to be clipped", stacklevel=2)
            batch_size = int(np.clip(self.batch_size, 1, n))
        seed = (self._random_state.randint(np.iinfo(np.int32).max)
                if any(p > 0 for p in rates) else None)
        rng = None if seed is None else np.random.default_rng(seed)
        net = Network(self.coefs_, self.intercepts_, self.activation,
                      self.out_activation_, self._loss_kind(), rates, batch_size,
                      dtype, rng)
        is_sparse = sparse.issparse(X_tr)
        Y_tr = np.ascontiguousarray(Y_tr, dtype=dtype)
        xbuf = None if is_sparse else np.empty((batch_size, X_tr.shape[1]), dtype)
        ybuf = np.empty((batch_size, Y_tr.shape[1]), dtype)
        swbuf = None if sw_tr is None else np.empty(batch_size, dtype)
        l1 = float(self.l1)
        sample_idx = np.arange(n, dtype=int)
        self.n_iter_ = 0  # per call, as scikit-learn (loss_curve_ accumulates)
        for _ in range(self.max_iter):
            if self.shuffle:
                sample_idx = shuffle(sample_idx, random_state=self._random_state)
            accumulated = 0.0
            for batch in gen_batches(n, batch_size):
                m = batch.stop - batch.start
                if self.shuffle:
                    idx = sample_idx[batch]
                    if is_sparse:
                        Xb = X_tr[idx]
                    else:
                        Xb = np.take(X_tr, idx, axis=0, out=xbuf[:m])
                    Yb = np.take(Y_tr, idx, axis=0, out=ybuf[:m])
                    swb = (None if sw_tr is None
                           else np.take(sw_tr, idx, out=swbuf[:m]))
                else:
                    Xb, Yb = X_tr[batch], Y_tr[batch]
                    swb = None if sw_tr is None else sw_tr[batch]
                net.forward(Xb, m, train=True)
                loss, sw_sum = net.backward(Xb, Yb, swb, m, self.alpha, train=True)
                if l1:
                    loss += l1 * net.l1_norm() / sw_sum
                if not np.isfinite(loss):
                    raise DivergenceError(
                        f"Training diverged in epoch {self.n_iter_ + 1}: the loss "
                        f"became {loss}. learning_rate_init="
                        f"{self.learning_rate_init} is likely too large for this "
                        "data (or the inputs are badly scaled: standardize them)."
                    )
                accumulated += loss * m
                self._optimizer.update(net.coef_grads + net.intercept_grads,
                                       l1 / sw_sum)
            self.n_iter_ += 1
            self.loss_ = accumulated / n
            self.t_ += n
            self.loss_curve_.append(self.loss_)
            self.history_["train_loss"].append(self.loss_)
            if self.verbose:
                print(f"Iteration {self.n_iter_}, loss = {self.loss_:.8f}")
            if val is not None:
                val_loss, val_score = self._evaluate(net, val)
                self.history_["val_loss"].append(val_loss)
                self.history_["val_score"].append(val_score)
            self._update_no_improvement_count(early, val_loss if val else None,
                                              val_score if val else None)
            self._optimizer.iteration_ends(self.t_)
            if self._no_improvement_count > self.n_iter_no_change:
                what = (("Validation score did not improve" if self.monitor ==
                         "val_score" else "Validation loss did not improve")
                        if early else "Training loss did not improve")
                msg = (f"{what} more than tol={self.tol:f} for "
                       f"{self.n_iter_no_change} consecutive epochs.")
                if self._optimizer.trigger_stopping(msg, self.verbose):
                    break
                self._no_improvement_count = 0
            if incremental:
                break
            if self.n_iter_ == self.max_iter:
                warnings.warn(
                    f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) "
                    "reached and the optimization hasn't converged yet.",
                    ConvergenceWarning, stacklevel=2,
                )
        if early and self.restore_best_weights and self._best_state is not None:
            for W, Wb in zip(self.coefs_ + self.intercepts_, self._best_state,
                             strict=True):
                W[...] = Wb

    def _evaluate(self, net, val):
        Xv, Yv, yv_raw, swv = val
        out = net.predict(Xv)
        sw_sum = float(Xv.shape[0]) if swv is None else float(swv.sum())
        loss = data_loss(self._loss_kind(), out, Yv.astype(out.dtype, copy=False),
                         swv, sw_sum, np.empty_like(out))
        score = self._score_outputs(out, yv_raw, swv)
        return float(loss), float(score)

    def _update_no_improvement_count(self, early, val_loss, val_score):
        if early:
            self.validation_scores_.append(val_score)
            if self.verbose:
                print(f"Validation score: {val_score:f}")
            if self.monitor == "val_score":
                worse = val_score < self.best_validation_score_ + self.tol
                better = val_score > self.best_validation_score_
            else:
                worse = val_loss > self.best_validation_loss_ - self.tol
                better = val_loss < self.best_validation_loss_
            self._no_improvement_count = self._no_improvement_count + 1 if worse else 0
            if better:
                self.best_validation_score_ = val_score
                self.best_validation_loss_ = val_loss
                self.best_epoch_ = len(self.loss_curve_)
                self._best_state = [W.copy() for W in self.coefs_ + self.intercepts_]
        else:
            loss = self.loss_curve_[-1]
            if loss > self.best_loss_ - self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if loss < self.best_loss_:
                self.best_loss_ = loss
                self.best_epoch_ = len(self.loss_curve_)

    # --------------------------------------------------------------- predict

    def _forward(self, X):
        check_is_fitted(self, "coefs_")
        X = validate_data(self, X, accept_sparse=["csr", "csc"],
                          dtype=(np.float64, np.float32), reset=False)
        dtype = self.coefs_[0].dtype
        X = X.astype(dtype, copy=False)
        net = Network.__new__(Network)
        net.coefs, net.intercepts = self.coefs_, self.intercepts_
        net.activation, net.out_activation = self.activation, self.out_activation_
        return net.predict(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


_COMMON_DOC = """
    Parameters
    ----------
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        Units of each hidden layer.
    activation : {{"identity", "logistic", "tanh", "relu"}}, default="relu"
        Activation of the hidden layers.
    solver : {{"adam", "sgd"}}, default="adam"
        Stochastic optimizer (scikit-learn's "lbfgs" is not offered).
    alpha : float, default=0.0001
        L2 penalty: ``alpha / 2 * ||W||^2 / sum(batch weights)`` is added to each
        batch loss, over all weight matrices (scikit-learn's scaling).
    l1 : float, default=0.0
        L1 penalty ``l1 * ||W||_1 / sum(batch weights)`` on all weight matrices,
        applied by a proximal (soft-thresholding) step after each optimizer step, so
        that weights become exactly zero, e.g. every first-layer weight of an input
        the network does not use (see ``coefs_[0]``). For Adam the step is taken in
        Adam's per-coordinate metric.
    dropout : float or array-like of float, default=0.0
        Probability of dropping each hidden unit during training (one rate, or one
        per hidden layer), in [0, 1). Inverted dropout: kept units are scaled by
        ``1 / (1 - p)`` while training, nothing is dropped at prediction.
    batch_size : int or "auto", default="auto"
        Minibatch size; "auto" is ``min(200, n_samples)``.
    learning_rate : {{"constant", "invscaling", "adaptive"}}, default="constant"
        Learning-rate schedule of ``solver="sgd"``.
    learning_rate_init : float, default=0.001
        Initial learning rate.
    power_t : float, default=0.5
        Exponent of the "invscaling" schedule.
    max_iter : int, default=200
        Maximum number of epochs.
    shuffle : bool, default=True
        Shuffle the samples every epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds everything random: initialization, validation split, shuffling and
        dropout masks. The same seed gives bit-identical results.
    tol : float, default=1e-4
        Minimum improvement (of the training loss, or of the monitored validation
        quantity with early stopping) that resets the patience counter.
    verbose : bool, default=False
        Print the loss (and validation score) every epoch.
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
    validation_fraction : float, default=0.1
        Fraction of the training data held out for early stopping.
    beta_1, beta_2 : float, default=0.9, 0.999
        Adam's moment decay rates.
    epsilon : float, default=1e-8
        Adam's numerical stabilizer.
    n_iter_no_change : int, default=10
        Patience, in epochs.
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
"""

_ATTRS_DOC = """
    Attributes
    ----------
    coefs_ : list of ndarray
        Weight matrices, ``coefs_[i]`` of shape (units of layer i, units of i + 1).
    intercepts_ : list of ndarray
        Bias vectors.
    loss_ : float
        Training loss (with penalties) of the last epoch.
    loss_curve_ : list of float
        Training loss of every epoch.
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
        Epochs run by the last call of ``fit`` / ``partial_fit`` (scikit-learn's
        meaning).
    t_ : int
        Training samples seen.
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

    A drop-in for :class:`sklearn.neural_network.MLPRegressor` (solvers "adam" and
    "sgd"): the same parameters, attributes and, with ``dropout=0`` and ``l1=0``,
    the same training. Adds ``dropout``, ``l1``, a validation set in ``fit``,
    ``monitor``, ``restore_best_weights``, ``best_epoch_``, ``history_`` and
    ``dtype``.
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
                 restore_best_weights=True, dtype=None, loss="squared_error"):
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

    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over ``(X, y)``, continuing from the current weights.

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

    A drop-in for :class:`sklearn.neural_network.MLPClassifier` (solvers "adam" and
    "sgd"; binary, multiclass and multilabel): the same parameters, attributes and,
    with ``dropout=0`` and ``l1=0``, the same training. Adds ``dropout``, ``l1``,
    ``class_weight``, a validation set in ``fit``, ``monitor``,
    ``restore_best_weights``, ``best_epoch_``, ``history_`` and ``dtype``.
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
                 restore_best_weights=True, dtype=None, class_weight=None):
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
              else _check_sample_weight(sample_weight, X, dtype=X.dtype))
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

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """One epoch over ``(X, y)``, continuing from the current weights.

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
