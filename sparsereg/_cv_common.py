"""Pieces shared by the CV estimators: the cv_results_ table and a scorer adapter."""

import numpy as np
from sklearn.base import BaseEstimator, MultiOutputMixin, RegressorMixin


class FixedLinear(RegressorMixin, MultiOutputMixin, BaseEstimator):
    """A linear model with given coef_ and intercept_, for scorers."""

    def predict(self, X):
        return np.asarray(X @ self.coef_.T) + self.intercept_


def cv_results_table(err, grids, l1_ratios, n_nonzero):
    """The cv_results_ dict: one row per (l1_ratio, alpha) of ``err`` (shape
    (n_l1_ratios, n_alphas, n_splits)), with per-split errors, their mean, standard
    deviation and standard error, and the nonzeros of the full-data model."""
    n_l1, n_alphas, n_folds = err.shape
    flat = err.reshape(n_l1 * n_alphas, n_folds)
    results = {
        "param_l1_ratio": np.repeat(l1_ratios, n_alphas),
        "param_alpha": grids.ravel(),
        "mean_test_error": flat.mean(axis=1),
        "std_test_error": flat.std(axis=1),
        # standard error as glmnet's cvsd: sample std / sqrt(n_splits)
        "sem_test_error": (flat.std(axis=1, ddof=1) / np.sqrt(n_folds)
                           if n_folds > 1 else np.zeros(len(flat))),
        "n_nonzero": n_nonzero.ravel(),
    }
    for k in range(n_folds):
        results[f"split{k}_test_error"] = flat[:, k]
    return results


def argmin_tied(values, rtol=1e-12):
    """Flat index of the first entry within ``rtol`` (relative) of the minimum.

    Like ``np.argmin``, which scikit-learn uses and which breaks exact ties towards
    the first entry (the largest alpha), but treating differences at the level of
    floating-point rounding as ties too: on a plateau of the CV curve the choice
    must not depend on the order in which rounding errors fell (a fit with integer
    sample weights and one with repeated rows, say, give errors equal to 1e-15).
    """
    values = np.asarray(values, dtype=float)
    best = float(np.min(values))
    if not np.isfinite(best):
        return int(np.argmin(values))
    return int(np.flatnonzero((values <= best + rtol * abs(best)).ravel())[0])
