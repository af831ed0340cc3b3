"""Poisson regression with an elastic-net penalty (glmnet's poisson family).

The class documents its objective, stores its parameters and maps them to the
problem of ``_solvers/glm.py``, which fits it.
"""

import warnings
from numbers import Integral, Real

import numpy as np
from scipy.special import xlogy
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from .._solvers.dispatch import SolverOptions
from .._solvers.glm import Poisson, glm_solve, smooth_solve
from .._solvers.objective import penalty_weights
from .._solvers.problem import xt_dot
from ._base import FLOAT_DTYPES, check_sample_weight


class PoissonRegressor(RegressorMixin, BaseEstimator):
    """Poisson regression (log link) with an elastic-net penalty.

    Minimizes, over ``w`` and the intercept ``b``::

        1 / (2 * sum(s)) * sum_i s_i * deviance(y_i, exp(x_i.w + b))
        + alpha * l1_ratio * ||w||_1
        + 0.5 * alpha * (1 - l1_ratio) * ||w||^2_2

    with ``deviance(y, mu) = 2 (y log(y / mu) - y + mu)`` and ``s`` the sample
    weights (ones by default). With ``l1_ratio=0`` (the default) this is exactly
    scikit-learn's :class:`~sklearn.linear_model.PoissonRegressor` objective, and the
    parameters, defaults and fitted attributes are scikit-learn's; ``l1_ratio > 0``
    adds the lasso part (glmnet's ``family="poisson"`` with ``alpha = l1_ratio``).

    Parameters
    ----------
    alpha : float, default=1.0
        Constant multiplying the penalty terms; ``alpha >= 0``.
    l1_ratio : float, default=0.0
        Mixing parameter in ``[0, 1]``: 0 is scikit-learn's ridge penalty, 1 the
        lasso.
    fit_intercept : bool, default=True
        Whether to fit an (unpenalized) intercept.
    solver : {"auto", "cd", "lbfgs", "newton-cholesky"}, default="auto"
        ``"cd"``: proximal Newton steps, each solving the penalized weighted
        least-squares model of the loss by coordinate descent (glmnet's method),
        stopped on the duality gap; any ``l1_ratio``, penalty factors and bounds.
        ``"lbfgs"`` and ``"newton-cholesky"``: scikit-learn's solvers, for
        ``l1_ratio=0`` only (the objective is then smooth); ``"lbfgs"`` also
        respects bounds. ``"auto"`` (a difference from scikit-learn, whose default
        is ``"lbfgs"``) is ``"cd"``, exact for every ``l1_ratio``.
    max_iter : int, default=100
        Maximum number of outer iterations: Newton steps for ``"cd"`` and
        ``"newton-cholesky"``, L-BFGS iterations for ``"lbfgs"``.
    tol : float, default=1e-4
        ``"cd"``: stop when the duality gap is at most ``tol`` times the mean
        half deviance of the intercept-only model (see Notes). ``"lbfgs"`` and
        ``"newton-cholesky"``: scikit-learn's tests (the largest entry of the
        projected gradient at most ``tol``; for Newton also half the Newton
        decrement, after a step).
    warm_start : bool, default=False
        Start from the previous ``coef_`` and ``intercept_`` when refitting.
    verbose : int, default=0
        Positive: print a line per outer iteration (Newton step or L-BFGS
        iteration) with the objective and the stopping measure (the gap, or the
        largest gradient entry) against its target.
    penalty_factor : array-like of shape (n_features,), default=None
        Multiplies the penalty of each feature (glmnet's ``penalty.factor``);
        every factor must be > 0.
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), \
            default=None
        Box constraints on the coefficients (glmnet's ``lower.limits`` and
        ``upper.limits``); ``"cd"`` and ``"lbfgs"`` only.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        Coefficients of the linear predictor.
    intercept_ : float
        Intercept of the linear predictor (0.0 without ``fit_intercept``).
    n_iter_ : int
        Outer iterations run (Newton steps or L-BFGS iterations).
    dual_gap_ : float
        Duality gap of the fitted model for the objective above (a bound on how
        far its value is above the minimum); with ``alpha=0``, no dual point being
        finite away from the optimum, half the squared Newton decrement (the
        quadratic model's estimate of that distance).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when X has string column names.

    Notes
    -----
    **Stopping rule** of ``"cd"``: with ``mu = exp(Xw + b)`` and the intercept at
    its exact minimizer, ``theta = s (y - mu) / sum(s)`` scaled into the dual's
    domain gives a dual value ``D``; the fit stops when the objective minus ``D``
    (a bound on the distance to the optimum) is at most ``tol`` times the weighted
    mean half deviance of the intercept-only model (``exp(intercept)`` the
    weighted mean of ``y``; ``intercept = 0`` without ``fit_intercept``).

    Examples
    --------
    >>> import numpy as np
    >>> from sparsereg import PoissonRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 5))
    >>> y = rng.poisson(np.exp(0.5 * X[:, 0] - 0.3 * X[:, 1]))
    >>> model = PoissonRegressor(alpha=0.1, l1_ratio=1.0).fit(X, y)
    >>> model.coef_.round(2)
    array([ 0.31, -0.19,  0.  ,  0.  ,  0.  ])
    """

    _parameter_constraints: dict = {
        "alpha": [Interval(Real, 0.0, None, closed="left")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "fit_intercept": ["boolean"],
        "solver": [StrOptions({"auto", "cd", "lbfgs", "newton-cholesky"})],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0.0, None, closed="neither")],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
        "penalty_factor": ["array-like", None],
        "lower_bounds": [Real, "array-like", None],
        "upper_bounds": [Real, "array-like", None],
    }

    def __init__(self, *, alpha=1.0, l1_ratio=0.0, fit_intercept=True, solver="auto",
                 max_iter=100, tol=1e-4, warm_start=False, verbose=0,
                 penalty_factor=None, lower_bounds=None, upper_bounds=None):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.verbose = verbose
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds

    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Counts (any non-negative values; they need not be integers).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._validate_params()
        X, y = validate_data(self, X, y, accept_sparse=("csr", "csc"),
                             dtype=FLOAT_DTYPES, y_numeric=True)
        y = np.asarray(y, dtype=np.float64)
        sw = check_sample_weight(sample_weight, X.shape[0])
        _check_counts(y, sw, self.fit_intercept)
        l1, l2 = penalty_weights("enet", self.alpha, self.l1_ratio)
        pen = SolverOptions.of(self).penalty(X.shape[1])
        if np.any(pen.factor == 0.0):
            raise ValueError(
                "penalty_factor must be > 0 for every feature of PoissonRegressor "
                "(an unpenalized feature is not supported yet); use a small factor"
            )
        solver = "cd" if self.solver == "auto" else self.solver
        _check_solver(solver, l1, pen, self.lower_bounds, self.upper_bounds)
        # scikit-learn's start: zeros, the intercept of the intercept-only model
        coef0 = np.clip(np.zeros(X.shape[1]), pen.lower, pen.upper)
        b0 = float(np.log(np.average(y, weights=sw))) if self.fit_intercept else 0.0
        if self.warm_start and hasattr(self, "coef_"):
            coef0 = np.clip(np.asarray(self.coef_, float), pen.lower, pen.upper)
            b0 = float(self.intercept_)
        if solver == "cd":
            res = glm_solve(Poisson, X, y, sw, self.fit_intercept, l1, l2, pen, coef0,
                            b0, tol=self.tol, max_iter=self.max_iter,
                            verbose=self.verbose)
        else:
            res = smooth_solve(Poisson, X, y, sw, self.fit_intercept, l2, pen, coef0,
                               b0, method=solver, tol=self.tol,
                               max_iter=self.max_iter, verbose=self.verbose)
        if not res.converged:
            warnings.warn(
                f"PoissonRegressor(solver={solver!r}) did not converge in "
                f"max_iter={self.max_iter} iterations (duality gap {res.dual_gap:.3g}"
                f", tol={self.tol}); the last iterate is returned. Increase max_iter "
                "or check the scale of the features.",
                ConvergenceWarning, stacklevel=2,
            )
        if not (np.all(np.isfinite(res.coef)) and np.isfinite(res.intercept)):
            raise ValueError(
                "the fit produced non-finite parameter values: the data overflow "
                "exp(X @ coef); standardize the features"
            )
        self.coef_ = res.coef.astype(X.dtype)
        self.intercept_ = float(res.intercept)
        self.n_iter_ = int(res.n_iter)
        self.dual_gap_ = float(res.dual_gap)
        return self

    def _linear_predictor(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse=("csr", "csc"), dtype=FLOAT_DTYPES,
                          reset=False)
        return np.asarray(X @ self.coef_, dtype=np.float64).ravel() + self.intercept_

    def predict(self, X):
        """Predicted mean ``exp(X @ coef_ + intercept_)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        return np.exp(self._linear_predictor(X))

    def score(self, X, y, sample_weight=None):
        """D^2, the fraction of Poisson deviance explained (scikit-learn's score):
        ``1 - D(y, predict(X)) / D(y, mean(y))``, weighted by ``sample_weight``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Test samples.
        y : array-like of shape (n_samples,)
            True counts (non-negative).
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
        """
        eta = self._linear_predictor(X)
        y = np.asarray(y, dtype=np.float64).ravel()
        if y.shape[0] != eta.shape[0]:
            raise ValueError(f"X has {eta.shape[0]} samples but y has {y.shape[0]}")
        if np.any(y < 0) or not np.all(np.isfinite(y)):
            raise ValueError("y must hold finite, non-negative counts")
        sw = check_sample_weight(sample_weight, y.shape[0])
        s = np.ones_like(y) if sw is None else sw
        deviance = s @ Poisson.loss(y, eta)
        null = s @ Poisson.loss(y, np.full_like(y, np.log(np.average(y, weights=s))))
        constant = s @ (xlogy(y, y) - y)  # the half deviance minus the loss
        return float(1 - (deviance + constant) / (null + constant))

    def _get_loss(self, xp=None, device=None):
        """scikit-learn's loss object of this model, ``HalfPoissonLoss`` (its GLM
        estimators expose it, and its utilities and tests call it)."""
        from sklearn._loss.loss import HalfPoissonLoss

        return HalfPoissonLoss()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.positive_only = True
        return tags


def _check_counts(y, sw, fit_intercept):
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D counts, got shape {y.shape}")
    if np.any(y < 0):
        raise ValueError(
            "Some value(s) of y are out of the valid range of the loss (Poisson): "
            "y must be non-negative (counts or rates)"
        )
    s = np.ones_like(y) if sw is None else sw
    if fit_intercept and not s @ y > 0:
        raise ValueError(
            "y is zero wherever the sample weight is positive: the Poisson "
            "intercept would be -inf; such a target has no Poisson model"
        )


def _check_solver(solver, l1, pen, lower, upper):
    if solver in ("lbfgs", "newton-cholesky") and l1 > 0.0:
        raise ValueError(
            f"solver={solver!r} minimizes smooth objectives only: with alpha > 0 "
            "and l1_ratio > 0 use solver='cd' (or 'auto')"
        )
    if solver == "newton-cholesky" and (lower is not None or upper is not None):
        raise ValueError(
            "solver='newton-cholesky' does not handle lower_bounds / upper_bounds; "
            "use solver='cd' or 'lbfgs'"
        )


def poisson_path(X, y, *, l1_ratio=1.0, eps=1e-3, n_alphas=100, alphas=None,
                 sample_weight=None, fit_intercept=True, tol=1e-4, max_iter=100,
                 penalty_factor=None, lower_bounds=None, upper_bounds=None):
    """The regularization path of :class:`PoissonRegressor` (solver ``"cd"``).

    Fits the model at each alpha of a decreasing grid, each fit warm-started from
    the previous one (glmnet's poisson family path).

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training data.
    y : array-like of shape (n_samples,)
        Counts (non-negative).
    l1_ratio : float, default=1.0
        The elastic-net mixing of :class:`PoissonRegressor`, in ``(0, 1]`` for the
        default grid; with 0 (a ridge penalty) pass ``alphas``.
    eps : float, default=1e-3
        The grid ends at ``eps * alpha_max``.
    n_alphas : int, default=100
        Number of alphas of the default grid, log-spaced from ``alpha_max``, the
        smallest alpha whose coefficients are all zero:
        ``max_j |x_j' s (y - mu_0)| / (l1_ratio * penalty_factor_j)``, with ``mu_0``
        the intercept-only model's mean and ``s`` the weights summing to 1.
    alphas : array-like, default=None
        The grid to use instead (sorted in decreasing order).
    sample_weight, fit_intercept, tol, max_iter, penalty_factor, lower_bounds, \
upper_bounds
        As for :class:`PoissonRegressor`.

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
    coefs : ndarray of shape (n_features, n_alphas)
    intercepts : ndarray of shape (n_alphas,)
    dual_gaps : ndarray of shape (n_alphas,)

    Examples
    --------
    >>> import numpy as np
    >>> from sparsereg import poisson_path
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 5))
    >>> y = rng.poisson(np.exp(0.5 * X[:, 0] - 0.3 * X[:, 1]))
    >>> alphas, coefs, intercepts, gaps = poisson_path(X, y, n_alphas=5)
    >>> (coefs != 0).sum(axis=0)  # nonzero coefficients along the path
    array([0, 4, 5, 5, 5])
    """
    model = PoissonRegressor(alpha=1.0, l1_ratio=l1_ratio,
                             fit_intercept=fit_intercept, solver="cd", tol=tol,
                             max_iter=max_iter, penalty_factor=penalty_factor,
                             lower_bounds=lower_bounds, upper_bounds=upper_bounds)
    model._validate_params()
    X, y = validate_data(model, X, y, accept_sparse=("csr", "csc"),
                         dtype=FLOAT_DTYPES, y_numeric=True)
    y = np.asarray(y, dtype=np.float64)
    sw = check_sample_weight(sample_weight, X.shape[0])
    _check_counts(y, sw, fit_intercept)
    pen = SolverOptions.of(model).penalty(X.shape[1])
    if alphas is None:
        alphas = _default_alphas(X, y, sw, fit_intercept, l1_ratio, pen, eps,
                                 n_alphas)
    else:
        alphas = np.sort(np.asarray(alphas, dtype=np.float64).ravel())[::-1]
        if alphas.size == 0 or not np.all(np.isfinite(alphas)) or alphas[-1] < 0:
            raise ValueError("alphas must be finite, non-negative numbers")
    p = X.shape[1]
    coefs, intercepts = np.empty((p, alphas.size)), np.empty(alphas.size)
    gaps = np.empty(alphas.size)
    w = np.clip(np.zeros(p), pen.lower, pen.upper)
    b = float(np.log(np.average(y, weights=sw))) if fit_intercept else 0.0
    for i, alpha in enumerate(alphas):
        l1, l2 = penalty_weights("enet", alpha, l1_ratio)
        res = glm_solve(Poisson, X, y, sw, fit_intercept, l1, l2, pen, w, b,
                        tol=tol, max_iter=max_iter)
        if not res.converged:
            warnings.warn(
                f"poisson_path did not converge at alpha={alpha:.4g} in "
                f"max_iter={max_iter} iterations (duality gap {res.dual_gap:.3g}); "
                "that alpha's coefficients are the last iterate",
                ConvergenceWarning, stacklevel=2,
            )
        w, b = res.coef, res.intercept
        coefs[:, i], intercepts[i], gaps[i] = w, b, res.dual_gap
    return alphas, coefs, intercepts, gaps


def _default_alphas(X, y, sw, fit_intercept, l1_ratio, pen, eps, n_alphas):
    if not l1_ratio > 0:
        raise ValueError(
            "l1_ratio=0 (a ridge penalty) has no alpha_max at which every "
            "coefficient is zero: pass alphas"
        )
    if not (isinstance(n_alphas, Integral) and n_alphas >= 1):
        raise ValueError(f"n_alphas must be an integer >= 1, got {n_alphas!r}")
    if not (isinstance(eps, Real) and 0 < eps < 1):
        raise ValueError(f"eps must be in (0, 1), got {eps!r}")
    s = (np.ones_like(y) if sw is None else sw) / (y.size if sw is None
                                                   else sw.sum())
    mu0 = np.full_like(y, s @ y) if fit_intercept else np.ones_like(y)
    corr = np.abs(xt_dot(X, s * (y - mu0)))
    penalized = pen.factor > 0
    alpha_max = float(np.max(corr[penalized] / pen.factor[penalized]) / l1_ratio)
    if not alpha_max > 0:
        raise ValueError("every feature is constant or zero: no path to compute")
    return np.geomspace(alpha_max, alpha_max * eps, n_alphas)
