"""The training machinery shared by MLPRegressor and MLPClassifier.

``_BaseMLP`` validates the parameters, initializes the weights exactly as
scikit-learn does (Glorot uniform, drawn in the same order from ``random_state``),
and trains them: with ``solver="lbfgs"`` by L-BFGS-B on the full-batch loss
(:mod:`~sparsereg.neural_network._lbfgs`); with "sgd" or "adam" it splits off the
validation set, runs the epochs of minibatch training on a
:class:`~sparsereg.neural_network._network.Network`, and applies the stopping rules:
scikit-learn's on the training loss or the validation score, or on the validation
loss (``monitor="val_loss"``), restoring the best weights at the end.
"""

import warnings
from numbers import Integral, Real

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state, gen_batches, shuffle
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from ._lbfgs import (
    FullBatchLoss,
    LBFGSOptions,
    check_lbfgs_compatible,
    minimize_lbfgs,
    packed,
)
from ._network import SGD, Adam, Network, data_loss

# What the epochs of a stochastic solver record; a fresh fit starts without them,
# and solver="lbfgs", which has no epochs, sets none (as scikit-learn).
_EPOCH_RECORDS = ("loss_curve_", "history_", "best_loss_", "validation_scores_",
                  "best_validation_score_", "best_validation_loss_", "best_epoch_",
                  "_no_improvement_count", "_best_state")


class DivergenceError(ValueError, FloatingPointError):
    """Training produced a non-finite loss (usually: the learning rate is too
    large for the scale of the data, or, with solver="lbfgs", the data are badly
    scaled)."""


class _BaseMLP(BaseEstimator):
    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None,
                                                      closed="left")],
        "activation": [StrOptions({"identity", "logistic", "tanh", "relu"})],
        "solver": [StrOptions({"lbfgs", "sgd", "adam"})],
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
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"),
                             Options(Real, {np.inf})],
        "monitor": [StrOptions({"val_score", "val_loss"})],
        "restore_best_weights": ["boolean"],
        "dtype": [None, StrOptions({"float32", "float64"}), type],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
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
            scored every epoch (``history_``). Stochastic solvers only:
            ``solver="lbfgs"`` has no epochs and raises a ValueError.
        sample_weight_val : array-like of shape (n_val,), default=None
            Weights of the validation samples (stochastic solvers only).

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
        if self.solver == "lbfgs":
            check_lbfgs_compatible(rates, self.l1, self.monitor,
                                   self.restore_best_weights,
                                   any(v is not None for v in (X_val, y_val,
                                                               sample_weight_val)))
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
        self._set_up_weights(first_pass, Y, units, dtype)
        if self.solver == "lbfgs":
            self._train_lbfgs(X, Y, sw, dtype)
        else:
            self._train(X, Y, sw, rates, incremental, dtype, X_val, y_val,
                        sample_weight_val)
        if not all(np.isfinite(w).all() for w in self.coefs_ + self.intercepts_):
            raise self._diverged("", "the weights are not finite")
        return self

    def _set_up_weights(self, first_pass, Y, units, dtype):
        """Fresh weights, or the current ones (warm start, partial_fit) in dtype."""
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

    def _sample_weight(self, sample_weight, X, y_raw):
        if sample_weight is None:
            return None
        return _check_sample_weight(sample_weight, X, dtype=X.dtype,
                                    ensure_non_negative=True)

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
        for name in (*_EPOCH_RECORDS, "_optimizer"):
            if hasattr(self, name):  # _train starts them afresh
                delattr(self, name)

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
                   else _check_sample_weight(sample_weight_val, Xv, dtype=X.dtype,
                                             ensure_non_negative=True))
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

    def _ensure_bookkeeping(self):
        """Training records a model set up by hand (or unpickled from an older
        version) may lack; the weights themselves are the caller's."""
        if not hasattr(self, "loss_curve_"):
            self.loss_curve_ = []
        if not hasattr(self, "history_"):
            self.history_ = {"train_loss": list(self.loss_curve_), "val_loss": [],
                             "val_score": []}
        for name, value in (("_no_improvement_count", 0), ("_best_state", None),
                            ("best_epoch_", None), ("n_iter_", 0), ("t_", 0)):
            if not hasattr(self, name):
                setattr(self, name, value)
        if not hasattr(self, "best_loss_"):
            self.best_loss_ = None if self.early_stopping else np.inf
        if not hasattr(self, "validation_scores_"):
            self.validation_scores_ = [] if self.early_stopping else None
            self.best_validation_score_ = -np.inf if self.early_stopping else None
            self.best_validation_loss_ = np.inf if self.early_stopping else None

    def _train(self, X, Y, sw, rates, incremental, dtype, X_val, y_val,
               sample_weight_val):
        self._ensure_bookkeeping()
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
                    raise self._diverged(self.n_iter_ + 1,
                                         f"the training loss became {loss}")
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

    def _train_lbfgs(self, X, Y, sw, dtype):
        """L-BFGS-B on the full-batch loss, from the current weights."""
        n_coefs = len(self.coefs_)
        theta, params = packed(self.coefs_ + self.intercepts_, dtype)
        grad, grads = packed(params, dtype)
        net = Network(params[:n_coefs], params[n_coefs:], self.activation,
                      self.out_activation_, self._loss_kind(), [0.0] * (n_coefs - 1),
                      X.shape[0], dtype, grads=grads)
        objective = FullBatchLoss(net, theta, grad, X,
                                  np.ascontiguousarray(Y, dtype=dtype), sw, self.alpha)
        result = minimize_lbfgs(objective, LBFGSOptions(
            self.max_iter, self.max_fun, self.tol, bool(self.verbose)))
        # own arrays, not views of the optimizer's vector
        self.coefs_ = [W.copy() for W in params[:n_coefs]]
        self.intercepts_ = [b.copy() for b in params[n_coefs:]]
        self.n_iter_, self.loss_ = result.n_iter, result.loss
        if not np.isfinite(result.loss):
            raise self._diverged("", f"the loss at the last iterate is {result.loss}")

    def _diverged(self, epoch, what):
        """The DivergenceError of ``what`` (seen in ``epoch``, if any)."""
        where = f" in epoch {epoch}" if epoch else ""
        if self.solver == "lbfgs":
            cause = ("the inputs (or the targets) are likely badly scaled: "
                     "standardize them")
        else:
            cause = (f"learning_rate_init={self.learning_rate_init} is likely too "
                     "large for this data (or the inputs are badly scaled: "
                     "standardize them)")
        return DivergenceError(
            "Solver produced non-finite parameter weights. The input data may "
            f"contain large values and need to be preprocessed. Training "
            f"diverged{where}: {what}; {cause}."
        )

    def _check_solver(self):
        """True for the stochastic solvers; the AttributeError that hides
        ``partial_fit`` otherwise (scikit-learn's)."""
        if self.solver not in ("sgd", "adam"):
            raise AttributeError("partial_fit is only available for stochastic "
                                 f"optimizers. {self.solver} is not stochastic.")
        return True

    def _evaluate(self, net, val):
        Xv, Yv, yv_raw, swv = val
        out = net.predict(Xv)
        if not np.isfinite(out).all():
            raise self._diverged(self.n_iter_, "the predictions on the validation "
                                 "set are not finite")
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
