"""glmnet-style predictions at any alpha of a CV estimator's full-data path.

glmnet's ``coef(fit, s=)`` and ``predict(fit, newx, s=)`` (with ``exact=FALSE``)
interpolate the stored path between the two grid points around ``s``, linearly in
lambda (``lambda.interp``): along a Lasso path the coefficients are piecewise linear
in lambda, so between two knots the interpolation is exact. :class:`PathPredictMixin`
gives the CV estimators the same: :meth:`~PathPredictMixin.coef_at` and
:meth:`~PathPredictMixin.predict_at`, from ``coef_path_``, ``alphas_`` and
``intercept_path_``. Unlike glmnet, which clamps ``s`` into the path's range, an
alpha outside it is an error: the path says nothing there.
"""

import numpy as np
from scipy import sparse
from sklearn.utils.validation import FLOAT_DTYPES, check_is_fitted, validate_data


def intercept_path(X, y, sample_weight, coef_path, fit_intercept):
    """``mean(y) - mean(X) @ w`` (weighted means; ``sample_weight`` None: equal
    weights) for every coefficient vector of ``coef_path`` (shape (...,
    n_features, n_alphas)); zeros without an intercept."""
    if not fit_intercept:
        return np.zeros(coef_path.shape[:-2] + coef_path.shape[-1:])
    n = X.shape[0]
    s = np.full(n, 1.0 / n) if sample_weight is None else (
        sample_weight / sample_weight.sum())
    x_mean = np.asarray(X.T @ s).ravel() if sparse.issparse(X) else s @ X
    return float(s @ y) - np.einsum("j,...ja->...a", x_mean, coef_path)


class PathPredictMixin:
    """``coef_at`` and ``predict_at`` for estimators with ``coef_path_``,
    ``intercept_path_``, ``alphas_`` and ``l1_ratio_``."""

    def coef_at(self, alpha, l1_ratio=None):
        """Coefficients and intercept at ``alpha``, interpolated along the path.

        Between the two alphas of the grid around ``alpha``, the full-data
        ``coef_path_`` and ``intercept_path_`` are interpolated linearly in alpha,
        as glmnet's ``coef(fit, s=alpha, exact=FALSE)`` does; at a grid alpha this is
        the path's own solution.

        Parameters
        ----------
        alpha : float
            Within the grid's range, ``[alphas_.min(), alphas_.max()]``.
        l1_ratio : float, default=None
            Which l1_ratio's path (one of those cross-validated); None: ``l1_ratio_``.

        Returns
        -------
        coef : ndarray of shape (n_features,)
        intercept : float

        Raises
        ------
        ValueError
            If ``alpha`` is outside the path's range or ``l1_ratio`` was not
            cross-validated.
        """
        check_is_fitted(self, "coef_path_")
        grid, coefs, intercepts = self._path_of(l1_ratio)
        try:
            alpha = float(alpha)
        except (TypeError, ValueError):
            raise TypeError(f"alpha must be a number, got {alpha!r}") from None
        lo, hi = grid.min(), grid.max()
        if not (lo * (1 - 1e-12) <= alpha <= hi * (1 + 1e-12)):
            raise ValueError(
                f"alpha={alpha!r} is outside the path, [{lo:.6g}, {hi:.6g}]: refit "
                "with a grid that holds it (alphas=, or a smaller eps)"
            )
        order = np.argsort(grid)  # increasing, for searchsorted
        g = grid[order]
        right = int(np.clip(np.searchsorted(g, alpha), 1, g.size - 1)) if (
            g.size > 1) else 0
        left = max(right - 1, 0)
        frac = 0.0 if g[right] == g[left] else (alpha - g[left]) / (g[right] - g[left])
        i, j = order[left], order[right]
        coef = (1.0 - frac) * coefs[:, i] + frac * coefs[:, j]
        intercept = (1.0 - frac) * intercepts[i] + frac * intercepts[j]
        return coef, float(intercept)

    def predict_at(self, X, alpha, l1_ratio=None):
        """Predict with the path's model at ``alpha`` (see :meth:`coef_at`).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.
        alpha : float
            Within the grid's range.
        l1_ratio : float, default=None
            Which l1_ratio's path; None: ``l1_ratio_``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        coef, intercept = self.coef_at(alpha, l1_ratio)
        X = validate_data(self, X, accept_sparse=("csr", "csc", "coo"),
                          dtype=FLOAT_DTYPES, reset=False)
        return np.asarray(X @ coef).ravel() + intercept

    def _path_of(self, l1_ratio):
        """(grid, coefficient path (p, n_alphas), intercept path) of one l1_ratio."""
        coefs, intercepts = self.coef_path_, self.intercept_path_
        grid = np.asarray(self.alphas_)
        if coefs.ndim == 2:  # one l1_ratio
            ratios = [self.l1_ratio_]
        else:
            ratios = list(np.atleast_1d(self.l1_ratio))
        wanted = self.l1_ratio_ if l1_ratio is None else float(l1_ratio)
        match = [k for k, r in enumerate(ratios) if np.isclose(r, wanted, rtol=1e-12)]
        if not match:
            raise ValueError(f"l1_ratio={l1_ratio!r} was not cross-validated; the "
                             f"path holds {ratios}")
        if coefs.ndim == 2:
            return grid, coefs, intercepts
        k = match[0]
        return (grid[k] if grid.ndim == 2 else grid), coefs[k], intercepts[k]
