"""Pieces shared by the CV estimators: the cv_results_ table, a scorer adapter, the
selection rules' helpers, the grid-edge warning, the choice of threads and the
routing of fit's metadata to the splitter."""

import warnings
from numbers import Integral

import numpy as np
from joblib.parallel import get_active_backend
from sklearn import get_config
from sklearn.base import BaseEstimator, MultiOutputMixin, RegressorMixin
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    process_routing,
)


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
    with np.errstate(invalid="ignore"):  # an infinite error has std nan
        std = flat.std(axis=1)
        # standard error as glmnet's cvsd: sample std / sqrt(n_splits)
        sem = (flat.std(axis=1, ddof=1) / np.sqrt(n_folds) if n_folds > 1
               else np.zeros(len(flat)))
    results = {
        "param_l1_ratio": np.repeat(l1_ratios, n_alphas),
        "param_alpha": grids.ravel(),
        "mean_test_error": flat.mean(axis=1),
        "std_test_error": std,
        "sem_test_error": sem,
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


class AlphaGridEdgeWarning(UserWarning):
    """The alpha chosen by cross-validation lies on the edge of the grid.

    The best model may lie beyond the grid: widen it (a larger ``alpha_max`` is
    never needed for the Lasso; at the small end, lower ``eps`` or pass alphas).
    """


def is_grid_given(alphas):
    """Whether ``alphas`` lists the alphas (rather than their number)."""
    return not (alphas is None or (isinstance(alphas, Integral)
                                   and not isinstance(alphas, bool)))


def joblib_alone(n_jobs):
    """Would joblib run the jobs one at a time: ``n_jobs=None`` and no
    ``parallel_config`` / ``parallel_backend`` context giving more (dask's
    backend runs on its cluster by default)?"""
    if n_jobs is not None:
        return False
    backend, context_jobs = get_active_backend()
    if context_jobs is None:
        context_jobs = getattr(backend, "default_n_jobs", 1)
    return context_jobs == 1


def one_se_index(err, alphas):
    """glmnet's lambda.1se: the largest alpha whose mean error is within one
    standard error (sample std of the fold errors / sqrt(n_folds)) of the minimum."""
    mean = err.mean(axis=1)
    best = argmin_tied(mean)
    n_folds = err.shape[1]
    se = err[best].std(ddof=1) / np.sqrt(n_folds) if n_folds > 1 else 0.0
    within = np.flatnonzero(mean <= mean[best] + se)
    return int(within.min())  # alphas are sorted decreasing: first = largest


def warn_if_on_edge(mean, n_nonzero, j, alpha):
    """Warn when the chosen alpha is the largest of the grid while its model is not
    all zeros (a larger alpha could do better), or the smallest one while the
    error still decreases there (not flat, i.e. not effectively unpenalized)."""
    last = len(mean) - 1
    if last == 0:
        return
    if j == 0 and n_nonzero[0] > 0:
        msg = "the largest alpha of the grid, whose model is not all zeros"
    elif j == last and not np.isclose(mean[last], mean[last - 1], rtol=1e-4, atol=0):
        msg = "the smallest alpha of the grid, where the error still changes"
    else:
        return
    warnings.warn(
        f"The alpha chosen by cross-validation ({alpha:.4g}) is {msg}: the best "
        "model may lie beyond the grid. Widen it (eps, or explicit alphas).",
        AlphaGridEdgeWarning, stacklevel=4,
    )


def split_params(estimator, params):
    """The metadata of ``estimator.fit(X, y, **params)`` for the CV splitter's
    ``split`` (e.g. ``groups``), routed as scikit-learn's CV estimators route it.

    Parameters
    ----------
    estimator : LassoCV, ElasticNetCV or RidgeCV
        The estimator being fitted (its :meth:`get_metadata_routing` is
        :func:`splitter_router`'s).
    params : dict
        The extra keyword arguments of ``fit``.

    Returns
    -------
    dict
        The keyword arguments of ``split``.

    Raises
    ------
    ValueError
        If ``params`` is not empty while metadata routing is not enabled
        (``sklearn.set_config(enable_metadata_routing=True)``), with
        scikit-learn's message.
    """
    if not params:
        return {}
    if not get_config().get("enable_metadata_routing", False):
        raise ValueError(
            f"Passing extra keyword arguments to {type(estimator).__name__}.fit is "
            "only supported if enable_metadata_routing=True, which you can set "
            "using `sklearn.set_config`. See the User Guide "
            "<https://scikit-learn.org/stable/metadata_routing.html> for more "
            f"details. Extra parameters passed are: {set(params)}"
        )
    return dict(process_routing(estimator, "fit", **params).splitter.split)


def splitter_router(estimator, splitter):
    """The metadata router of a CV estimator: its own requests, and ``fit``'s
    metadata to the ``split`` of ``splitter`` (a CV splitter, or None for
    RidgeCV's leave-one-out in closed form, which splits nothing)."""
    router = MetadataRouter(owner=type(estimator).__name__).add_self_request(
        estimator)
    if splitter is None:
        return router
    return router.add(splitter=splitter,
                      method_mapping=MethodMapping().add(caller="fit", callee="split"))
