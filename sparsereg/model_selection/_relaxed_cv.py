"""The relaxed lasso with alpha and gamma chosen by cross-validation."""

from numbers import Integral, Real

import numpy as np
from joblib import Parallel, delayed
from sklearn.model_selection import check_cv
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import validate_data

from .._solvers.dispatch import SolverOptions
from .._solvers.problem import Problem
from ..linear_model._base import FLOAT_DTYPES, LinearBase, check_sample_weight
from ..linear_model._coordinate_descent import Lasso
from ..linear_model._path import compute_path, resolve_alphas
from ..linear_model._relaxed import _SOLVER_PARAMS, RelaxedLasso, least_squares_on
from ..linear_model._scale import DataScale
from ._common import argmin_tied, cv_results_table


class RelaxedLassoCV(LinearBase):
    """Relaxed lasso with alpha and gamma chosen by cross-validation.

    For every fold, a warm-started lasso path is fitted on the training part; at
    each alpha the least-squares refit on the path's support is blended with the
    lasso fit for every ``gamma``, and the blend is scored on the held-out part
    (mean squared error, weighted by ``sample_weight``). The (alpha, gamma) of the
    smallest mean error is chosen (``alpha_rule="1se"``: the largest alpha, then
    the largest gamma, whose mean error is within one standard error of that
    minimum), and :class:`RelaxedLasso` is refitted on all the data.

    Parameters
    ----------
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the generated grid.
    alphas : int or array-like, default=100
        Number of alphas of the grid, or the alphas.
    gammas : array-like, default=(0, 0.25, 0.5, 0.75, 1)
        The gammas to try, in [0, 1] (glmnet's default grid).
    cv : int, cross-validation generator or iterable, default=None
        As in scikit-learn (None: 5-fold).
    alpha_rule : {"min", "1se"}, default="min"
        How the (alpha, gamma) cell is chosen.
    n_jobs : int, default=None
        Folds in parallel through joblib (threads by default).
    verbose : int, default=0
        joblib's progress.
    fit_intercept, precompute, max_iter, tol, positive, random_state, selection, \
solver, anderson
        As for :class:`~sparsereg.LassoCV`.

    Attributes
    ----------
    alpha_ : float
        The chosen alpha.
    gamma_ : float
        The chosen gamma.
    alphas_ : ndarray of shape (n_alphas,)
        The alpha grid (decreasing).
    gammas_ : ndarray of shape (n_gammas,)
        The gammas.
    mse_path_ : ndarray of shape (n_gammas, n_alphas, n_folds)
        Held-out error per gamma, alpha and fold.
    cv_results_ : dict of ndarrays
        One row per (gamma, alpha): ``param_gamma``, ``param_alpha``,
        ``split{k}_test_error``, ``mean_test_error``, ``std_test_error``,
        ``sem_test_error``, ``n_nonzero`` (of the full-data lasso path, which the
        relaxed fit shares).
    coef_ : ndarray of shape (n_features,)
        Coefficients of the final :class:`RelaxedLasso` at ``(alpha_, gamma_)``,
        fitted on all the data.
    intercept_ : float
        Its intercept.
    lasso_coef_ : ndarray of shape (n_features,)
        Its lasso part (``gamma=1``).
    refit_coef_ : ndarray of shape (n_features,)
        Its least-squares part (``gamma=0``).
    n_iter_ : int
        Epochs of its lasso fit.
    dual_gap_ : float
        Duality gap of its lasso fit.
    n_features_in_ : int
        Number of features seen during fit.
    """

    _parameter_constraints: dict = {
        "eps": [Interval(Real, 0, None, closed="neither")],
        "alphas": [Interval(Integral, 1, None, closed="left"), "array-like"],
        "gammas": ["array-like"],
        "cv": ["cv_object"],
        "alpha_rule": [StrOptions({"min", "1se"})],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
        **RelaxedLasso._parameter_constraints,
    }
    for _key in ("alpha", "gamma"):
        _parameter_constraints.pop(_key)

    def __init__(self, *, eps=1e-3, alphas=100, gammas=(0.0, 0.25, 0.5, 0.75, 1.0),
                 cv=None, alpha_rule="min", n_jobs=None, verbose=0,
                 fit_intercept=True, precompute="auto", max_iter=1000, tol=1e-4,
                 positive=False, random_state=None, selection="cyclic", solver="cd",
                 anderson="auto"):
        self.eps = eps
        self.alphas = alphas
        self.gammas = gammas
        self.cv = cv
        self.alpha_rule = alpha_rule
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.solver = solver
        self.anderson = anderson

    def fit(self, X, y, sample_weight=None, groups=None):
        """Choose (alpha, gamma) by cross-validation, then fit on all data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Target.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Weights of the samples, in the fits and the held-out errors.
        groups : array-like of shape (n_samples,), default=None
            Group labels for a group-aware ``cv`` splitter.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._validate_params()
        gammas = np.asarray(self.gammas, dtype=np.float64).ravel()
        if gammas.size == 0 or not np.all((gammas >= 0) & (gammas <= 1)):  # and NaN
            raise ValueError(f"gammas must be values in [0, 1], got {self.gammas!r}")
        X, y = validate_data(self, X, y, accept_sparse="csc", dtype=FLOAT_DTYPES,
                             y_numeric=True)
        y = np.asarray(y, dtype=np.float64)
        sw = check_sample_weight(sample_weight, X.shape[0])
        # data near 1e+-150: the CV runs on X / s, y / s, alphas / s^2 (exact)
        scale = DataScale.of(X, y)
        Xs, ys = scale.down(X), scale.down(y)
        full = Problem(Xs, ys[:, None], sw, self.fit_intercept, True)
        alphas = resolve_alphas(self.alphas, full, 1.0, self.eps, self.positive)
        if not isinstance(self.alphas, Integral):
            alphas = scale.penalty(alphas)
        folds = list(check_cv(self.cv).split(X, y, groups))
        lasso = Lasso(**RelaxedLasso(**self._lasso_params())._solver_params())
        opts = SolverOptions.of(lasso)
        errors = Parallel(n_jobs=self.n_jobs, verbose=self.verbose, prefer="threads")(
            delayed(_fold_errors)(opts, lasso.fit_intercept, Xs, ys, sw, fold,
                                  alphas, gammas)
            for fold in folds)
        # (n_gammas, n_alphas, n_folds), in the user's units
        err = scale.user_units(np.stack(errors, axis=-1),
                               "The cross-validation errors")
        coefs, _, _ = compute_path(opts, full, alphas, 1.0)
        alphas = scale.user_units(alphas, "The alphas of the grid")
        n_nonzero = np.count_nonzero(coefs[0], axis=0)
        self.cv_results_ = cv_results_table(
            err, np.tile(alphas, (gammas.size, 1)), gammas,
            np.tile(n_nonzero, (gammas.size, 1)))
        self.cv_results_["param_gamma"] = self.cv_results_.pop("param_l1_ratio")
        i, j = _choose(err, self.alpha_rule)
        self.alpha_, self.gamma_ = float(alphas[j]), float(gammas[i])
        self.alphas_, self.gammas_, self.mse_path_ = alphas, gammas, err
        final = RelaxedLasso(alpha=self.alpha_, gamma=self.gamma_,
                             **self._lasso_params()).fit(X, y, sample_weight=sw)
        for name in ("coef_", "intercept_", "lasso_coef_", "lasso_intercept_",
                     "refit_coef_", "refit_intercept_", "n_iter_", "dual_gap_"):
            setattr(self, name, getattr(final, name))
        return self

    def _lasso_params(self):
        params = {k: getattr(self, k) for k in _SOLVER_PARAMS}
        if isinstance(params["precompute"], str):  # "auto" is for the paths
            params["precompute"] = False
        return params

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = False
        return tags


def _fold_errors(opts, fit_intercept, X, y, sw, fold, alphas, gammas):
    """Held-out MSE of every (gamma, alpha) of one fold: shape (n_gammas, n_alphas)
    (``opts``: the lasso's SolverOptions)."""
    train, test = fold
    sw_train = None if sw is None else sw[train]
    prob = Problem(X[train], y[train, None], sw_train, fit_intercept, True)
    coefs, _, _ = compute_path(opts, prob, alphas, 1.0)
    W = coefs[0]  # (p, n_alphas)
    b = prob.y_offset[0] - prob.X_offset @ W
    X_test, y_test = X[test], y[test]
    weights = None if sw is None else sw[test]
    out = np.empty((gammas.size, alphas.size))
    refits = {}  # supports repeat along the path: refit each once
    for a in range(alphas.size):
        support = W[:, a] != 0
        key = support.tobytes()
        if key not in refits:
            refits[key] = least_squares_on(X[train], y[train], sw_train, support,
                                           fit_intercept, opts.positive)
        w_ls, b_ls = refits[key]
        for g, gamma in enumerate(gammas):
            w = gamma * W[:, a] + (1 - gamma) * w_ls
            pred = np.asarray(X_test @ w).ravel() + gamma * b[a] + (1 - gamma) * b_ls
            out[g, a] = np.average((y_test - pred) ** 2, weights=weights)
    return out


def _choose(err, rule):
    """(gamma index, alpha index): the minimum mean error, or with ``"1se"`` the
    largest alpha, then the largest gamma, within one standard error of it."""
    mean = err.mean(axis=2)
    i, j = np.unravel_index(argmin_tied(mean.T), mean.T.shape)[::-1]
    if rule == "min":
        return int(i), int(j)
    n_folds = err.shape[2]
    se = err[i, j].std(ddof=1) / np.sqrt(n_folds) if n_folds > 1 else 0.0
    within = mean <= mean[i, j] + se
    j_best = int(np.flatnonzero(within.any(axis=0))[0])  # alphas decrease
    i_best = int(np.flatnonzero(within[:, j_best])[-1])  # largest gamma
    return i_best, j_best
