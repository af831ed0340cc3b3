"""Shared estimator machinery: validation, centering, the fit and its attributes
(the solver dispatch is ``_solvers/dispatch.py``).

The facades in ``linear_model/`` only declare their parameters and how those map to
``(l1, l2)``; everything else happens here.
"""

import numbers
import warnings

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, MultiOutputMixin, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from .._solvers.dispatch import SolverOptions, make_solver
from .._solvers.problem import Problem
from ._scale import DataScale

FLOAT_DTYPES = (np.float64, np.float32)


# --------------------------------------------------------------------------- inputs


def check_sample_weight(sample_weight, n_samples):
    """Validated float64 weights of shape (n_samples,), or None (no weights).

    A scalar means that weight for every sample (it matters for Ridge, whose
    objective is not normalized by the total weight).
    """
    if sample_weight is None:
        return None
    if isinstance(sample_weight, numbers.Number):
        if not (np.isfinite(sample_weight) and sample_weight > 0):
            raise ValueError(
                f"sample_weight={sample_weight!r}: a scalar sample_weight must be a "
                "finite number > 0"
            )
        return np.full(n_samples, float(sample_weight))
    if sparse.issparse(sample_weight):
        raise TypeError("sample_weight must be a dense 1-D array-like, got sparse")
    sw = np.asarray(sample_weight)
    if sw.dtype.kind not in "biuf":
        raise TypeError(
            f"sample_weight must be numeric, got an array of dtype {sw.dtype}"
        )
    sw = sw.astype(np.float64)
    if sw.ndim != 1:
        raise ValueError(
            f"Sample weights must be 1D array or scalar, got shape {sw.shape}"
        )
    if sw.shape[0] != n_samples:
        raise ValueError(
            f"sample_weight.shape == {sw.shape}, expected ({n_samples},): "
            "pass one weight per sample"
        )
    if not np.all(np.isfinite(sw)):
        raise ValueError("sample_weight contains NaN or infinity")
    if np.any(sw < 0):
        raise ValueError("sample_weight must be non-negative; negative values found")
    if not sw.sum() > 0:
        raise ValueError("sample_weight sums to zero: at least one weight must be > 0")
    return sw


def validate_Xy(est, X, y, sample_weight, check_input=True):
    """validate_data for fit: float X (dense or sparse), numeric y, weights.

    ``check_input=False`` (scikit-learn's escape hatch for callers that already
    validated) skips the conversions and the scan for NaN/inf, and requires X to be
    a Fortran-ordered float array or a CSC matrix.
    """
    if not check_input:
        return _trusted_Xy(est, X, y, sample_weight)
    X, y = validate_data(
        est, X, y, accept_sparse=("csc", "csr", "coo", "lil", "dok", "bsr", "dia"),
        dtype=FLOAT_DTYPES, multi_output=True, y_numeric=True,
    )
    if y.ndim == 2 and y.shape[1] == 0:
        raise ValueError("y has 0 targets: pass at least one column")
    sw = check_sample_weight(sample_weight, X.shape[0])
    y = np.asarray(y, dtype=np.float64)
    return X, y, sw


def _trusted_Xy(est, X, y, sample_weight):
    if sample_weight is not None and isinstance(X, np.ndarray):
        X = np.asfortranarray(X)  # weighted data are rescaled (copied) anyway
    ok = (X.format == "csc") if sparse.issparse(X) else (
        isinstance(X, np.ndarray) and X.ndim == 2 and X.flags.f_contiguous)
    if not ok or X.dtype not in FLOAT_DTYPES:
        raise ValueError(
            "check_input=False requires X to be a Fortran-ordered float32/float64 "
            "ndarray or a CSC matrix; pass check_input=True to convert it"
        )
    y = np.asarray(y, dtype=np.float64)
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"X has {X.shape[0]} samples but y has {y.shape[0]}")
    est.n_features_in_ = X.shape[1]
    return X, y, check_sample_weight(sample_weight, X.shape[0])


# ------------------------------------------------------------------------ estimator


class LinearBase(MultiOutputMixin, RegressorMixin, BaseEstimator):
    """predict, sparse_coef_ and tags of every linear model of the package."""

    def predict(self, X):
        """Predict with the linear model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            ``X @ coef_.T + intercept_``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse=("csr", "csc", "coo"),
                          dtype=FLOAT_DTYPES, reset=False)
        coef = np.asarray(self.coef_)
        out = X @ coef.T
        return np.asarray(out) + self.intercept_

    @property
    def sparse_coef_(self):
        """Sparse (CSR) representation of the fitted ``coef_``."""
        check_is_fitted(self)
        return sparse.csr_matrix(np.atleast_2d(self.coef_))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


def _set_fitted(est, problem, coef, n_iter, dual_gap, X_dtype, y_ndim):
    """Store coef_, intercept_, n_iter_ (and dual_gap_) with scikit-learn's shapes.

    ``coef`` has shape (n_targets, n_features). As in scikit-learn, a single target
    gives a 1-D ``coef_`` (also for y of shape (n_samples, 1)), while ``intercept_``
    is a NumPy scalar of X's dtype for 1-D y, an array of shape (n_targets,) for 2-D
    y, and 0.0 without an intercept.
    """
    coef = np.asarray(coef, dtype=np.float64)
    single = coef.shape[0] == 1
    est.coef_ = (coef[0] if single else coef).astype(X_dtype)
    if not est.fit_intercept:
        est.intercept_ = 0.0
    else:
        intercept = problem.y_offset - coef @ problem.X_offset
        est.intercept_ = (np.dtype(X_dtype).type(intercept[0]) if y_ndim == 1
                          else intercept.astype(X_dtype))
    est.n_iter_ = n_iter
    if dual_gap is not None:
        est.dual_gap_ = float(dual_gap[0]) if single else np.asarray(dual_gap)


def scaled_problem(est, X, y, sw):
    """The :class:`Problem` of validated data, and the :class:`DataScale` it was
    divided by (data near 1e+-150 are solved as X / s, y / s)."""
    scale = DataScale.of(X, y)
    X, y = scale.down(X), scale.down(y)
    Y = y[:, None] if y.ndim == 1 else y
    return Problem(X, Y, sw, est.fit_intercept, est.copy_X and not scale), scale


def fit_problem(est, problem, scale, X_dtype, y_ndim):
    """Fit an ElasticNet-family estimator (its penalty: ``est._penalty()``) by its
    solver on a :class:`Problem` of the data divided by ``scale``, and set the
    fitted attributes (CV refits share the CV's problem)."""
    n_targets, n_features = problem.n_targets, problem.n_features
    l1, l2 = est._penalty()
    if l1 == 0.0 and l2 == 0.0:
        warnings.warn(
            "With alpha=0, this algorithm does not converge well. You are advised "
            "to use the LinearRegression estimator (no penalty, no sparsity).",
            UserWarning, stacklevel=3,
        )
    coef0 = _initial_coef(est, n_targets, n_features)
    solver = make_solver(SolverOptions.of(est).scaled(scale), problem)
    results = solver.solve(np.full(n_targets, scale.penalty(l1)),
                           np.full(n_targets, scale.penalty(l2)), coef0)
    coef = np.array([r.coef for r in results])
    n_iter = [r.n_iter for r in results]
    _set_fitted(est, problem, coef, n_iter[0] if n_targets == 1 else n_iter,
                [r.dual_gap for r in results], X_dtype, y_ndim)
    scale.unscale_fitted(est)
    check_finite_result(est)
    return est


def _initial_coef(est, n_targets, n_features):
    """Zeros, or the previous ``coef_`` when ``warm_start`` and shapes match."""
    if est.warm_start and hasattr(est, "coef_"):
        prev = np.atleast_2d(np.asarray(est.coef_, dtype=np.float64))
        if prev.shape == (n_targets, n_features):
            return prev.copy()
    return np.zeros((n_targets, n_features))


def check_finite_result(est, source="Coordinate descent iterations"):
    """ValueError (scikit-learn's message for CD) if coef_ or intercept_ overflowed."""
    if not (np.all(np.isfinite(est.coef_)) and np.all(np.isfinite(est.intercept_))):
        raise ValueError(
            f"{source} resulted in non-finite parameter values. "
            "The input data may contain values too large for float64 arithmetic: "
            "rescale X and y (e.g. with StandardScaler)."
        )
