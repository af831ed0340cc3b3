"""The relaxed lasso (R glmnet's ``relax=TRUE``; Hastie, Tibshirani & Tibshirani 2020).

At a given alpha, the lasso selects a support ``S`` and shrinks its coefficients.
The relaxed fit undoes part of the shrinkage:

    w(alpha, gamma) = gamma * w_lasso(alpha) + (1 - gamma) * w_LS(S),

with ``w_LS(S)`` the unpenalized least-squares fit (with the same intercept and
sample weights) on the columns of ``S`` only, and the same blend for the intercept.
``gamma=1`` is the lasso, ``gamma=0`` the least-squares refit on its support.
When the signal is strong and sparse the lasso must shrink the true coefficients
to exclude the noise ones; the relaxed fit keeps the selection and drops the bias.
"""

from numbers import Real

import numpy as np
from scipy import sparse
from scipy.optimize import nnls
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import validate_data

from ._base import (
    FLOAT_DTYPES,
    LinearBase,
    check_sample_weight,
)
from ._coordinate_descent import Lasso
from ._scale import DataScale

_SOLVER_PARAMS = ("fit_intercept", "precompute", "max_iter", "tol", "positive",
                  "random_state", "selection", "solver", "anderson")


def least_squares_on(X, y, sw, support, fit_intercept, positive=False):
    """Unpenalized (weighted) least squares on the columns ``support`` of X.

    Returns ``(w, b)`` with ``w`` of length n_features (zero outside the support).
    A rank-deficient ``X[:, support]`` gets the minimum-norm solution; with
    ``positive``, non-negative least squares.
    """
    n, p = X.shape
    w = np.zeros(p)
    s = np.ones(n) if sw is None else sw
    y_mean = float(s @ y / s.sum()) if fit_intercept else 0.0
    cols = np.flatnonzero(support)
    if cols.size == 0:
        return w, y_mean
    Xs = X[:, cols]
    Xs = Xs.toarray() if sparse.issparse(Xs) else np.asarray(Xs, dtype=np.float64)
    x_mean = s @ Xs / s.sum() if fit_intercept else np.zeros(cols.size)
    root = np.sqrt(s)
    A = root[:, None] * (Xs - x_mean)
    b = root * (y - y_mean)
    w[cols] = nnls(A, b)[0] if positive else np.linalg.lstsq(A, b, rcond=None)[0]
    return w, y_mean - float(x_mean @ w[cols])


class RelaxedLasso(LinearBase):
    """The relaxed lasso: a blend of the lasso and the least-squares refit on its
    support.

    Fits :class:`~sparsereg.Lasso` at ``alpha``, then least squares (unpenalized,
    same weights and intercept) on the features the lasso kept, and returns
    ``gamma * lasso + (1 - gamma) * refit`` (coefficients and intercept), R
    glmnet's definition. ``gamma=1`` is the lasso, ``gamma=0`` the refit.

    Parameters
    ----------
    alpha : float, default=1.0
        The lasso's penalty (scikit-learn's scaling, see :class:`~sparsereg.Lasso`).
    gamma : float, default=0.5
        Weight of the lasso fit, in [0, 1].
    fit_intercept, precompute, max_iter, tol, positive, random_state, selection, \
solver, anderson
        As for :class:`~sparsereg.Lasso`; with ``positive`` the refit is
        non-negative least squares.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        The relaxed coefficients.
    intercept_ : float or ndarray of shape (n_targets,)
        The relaxed intercept.
    lasso_coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        The lasso fit (``gamma=1``).
    lasso_intercept_ : float or ndarray of shape (n_targets,)
        Its intercept.
    refit_coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        The least-squares refit on the lasso's support (``gamma=0``).
    refit_intercept_ : float or ndarray of shape (n_targets,)
        Its intercept.
    n_iter_ : int or list of int
        Epochs of the lasso fit.
    dual_gap_ : float or ndarray
        Duality gap of the lasso fit.
    n_features_in_ : int
        Number of features seen during fit.

    Examples
    --------
    >>> from sparsereg import RelaxedLasso
    >>> from sparsereg.datasets import make_sparse_regression
    >>> X, y, coef = make_sparse_regression(100, 20, 3, noise=0.1, random_state=0)
    >>> model = RelaxedLasso(alpha=0.2, gamma=0.0).fit(X, y)
    >>> bool(abs(model.coef_ - coef).max() < abs(model.lasso_coef_ - coef).max())
    True
    """

    _parameter_constraints: dict = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "gamma": [Interval(Real, 0, 1, closed="both")],
        **{k: v for k, v in Lasso._parameter_constraints.items()
           if k in _SOLVER_PARAMS},
    }

    def __init__(self, alpha=1.0, gamma=0.5, *, fit_intercept=True, precompute=False,
                 max_iter=1000, tol=1e-4, positive=False, random_state=None,
                 selection="cyclic", solver="cd", anderson="auto"):
        self.alpha = alpha
        self.gamma = gamma
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.solver = solver
        self.anderson = anderson

    def fit(self, X, y, sample_weight=None):
        """Fit the lasso at ``alpha``, the refit on its support, and blend them.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Targets (each column its own lasso and refit).
        sample_weight : float or array-like of shape (n_samples,), default=None
            Weights of the samples, in the lasso and in the refit.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._validate_params()
        X, y = validate_data(self, X, y, accept_sparse="csc", dtype=FLOAT_DTYPES,
                             multi_output=True, y_numeric=True)
        y = np.asarray(y, dtype=np.float64)
        sw = check_sample_weight(sample_weight, X.shape[0])
        # data near 1e+-150: both fits run on X / s, y / s (alpha / s^2), exactly
        scale = DataScale.of(X, y)
        X, y = scale.down(X), scale.down(y)
        lasso = Lasso(alpha=scale.penalty(self.alpha), **self._solver_params()).fit(
            X, y, sample_weight=sw)
        L = np.atleast_2d(lasso.coef_).astype(np.float64)
        L0 = np.atleast_1d(lasso.intercept_).astype(np.float64)
        Y = y[:, None] if y.ndim == 1 else y
        refits = [least_squares_on(X, Y[:, k], sw, L[k] != 0, self.fit_intercept,
                                   self.positive) for k in range(Y.shape[1])]
        R = np.array([w for w, _ in refits])
        R0 = np.array([b for _, b in refits])
        g = float(self.gamma)
        single = y.ndim == 1
        shape = (lambda a: a[0]) if single else (lambda a: a)
        self.coef_ = shape(g * L + (1 - g) * R).astype(X.dtype)
        self.intercept_ = (shape(g * L0 + (1 - g) * R0) if self.fit_intercept
                           else 0.0)
        self.lasso_coef_, self.lasso_intercept_ = lasso.coef_, lasso.intercept_
        self.refit_coef_ = shape(R).astype(X.dtype)
        self.refit_intercept_ = shape(R0) if self.fit_intercept else 0.0
        self.n_iter_, self.dual_gap_ = lasso.n_iter_, lasso.dual_gap_
        scale.unscale_fitted(self, names=("intercept_", "lasso_intercept_",
                                          "refit_intercept_"))
        return self

    def _solver_params(self):
        return {k: getattr(self, k) for k in _SOLVER_PARAMS}
