"""Shared estimator machinery: validation, centering, the fit and its attributes
(the solver dispatch is ``_solver.py``).

The facades in ``linear_model.py`` only declare their parameters and how those map to
``(l1, l2)``; everything else happens here.
"""

import copy
import numbers
import warnings

import numpy as np
from scipy import sparse
from scipy.sparse import linalg as sp_linalg
from sklearn.base import BaseEstimator, MultiOutputMixin, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ._scale import DataScale
from ._solver import solve_penalized

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


def _xt_dot(X, M):
    """``X.T @ M`` in float64 without a float64 copy of a float32 X."""
    if sparse.issparse(X):
        return np.asarray(X.T @ M, dtype=np.float64)
    if X.dtype == np.float64:
        return X.T @ M
    spec = "ij,i->j" if M.ndim == 1 else "ij,ik->jk"
    return np.einsum(spec, X, M, dtype=np.float64)  # buffered casting, no copy


class CenteredSparseOperator(sp_linalg.LinearOperator):
    """``A = diag(r) (X - 1 m')`` for sparse X: products cost O(nnz), no densifying."""

    def __init__(self, X, m, r):
        super().__init__(dtype=np.float64, shape=X.shape)
        self.X = X if X.dtype == np.float64 else X.astype(np.float64)
        self.m, self.r = m, r

    def _matmat(self, W):
        # A W = r * (X W - 1 (m' W)); m'W by einsum, not BLAS: a threaded BLAS dot
        # of length p waits for a second core (4x slower FISTA on a busy machine)
        return self.r[:, None] * (np.asarray(self.X @ W)
                                  - np.einsum("j,jk->k", self.m, W))

    def _matvec(self, v):
        return self._matmat(np.reshape(v, (-1, 1))).ravel()

    def _rmatmat(self, U):
        # A' U = X' (r U) - m (1' r U)
        rU = self.r[:, None] * U
        return np.asarray(self.X.T @ rU) - np.outer(self.m, rU.sum(axis=0))

    def _rmatvec(self, u):
        return self._rmatmat(np.reshape(u, (-1, 1))).ravel()


class Problem:
    """The centered, weighted least-squares data shared by every solver.

    Attributes
    ----------
    X : ndarray (Fortran, centered, times sqrt(s)) or csc_matrix (raw)
    Y : ndarray of shape (n_samples, n_targets), centered (times sqrt(s) if dense)
    sw : ndarray of shape (n_samples,)
        Weights rescaled to sum to ``n_samples`` (ones without weights).
    sum_sw : float
        Sum of the *raw* weights (Ridge's alpha is relative to it).
    X_offset, y_offset : weighted means (zeros without an intercept).
    """

    def __init__(self, X, Y, sample_weight, fit_intercept, copy_X):
        n = X.shape[0]
        self.n = n
        self.is_sparse = sparse.issparse(X)
        raw = np.ones(n) if sample_weight is None else sample_weight
        self.sum_sw = float(raw.sum())
        if not self.sum_sw > 0:  # e.g. a CV fold whose training part weighs 0
            raise ValueError(
                f"sample_weight sums to zero on these {n} samples (in cross-"
                "validation: the training part of a fold has only zero weights); "
                "at least one weight must be > 0"
            )
        self.sw = raw * (n / self.sum_sw)
        self.weighted = sample_weight is not None
        self.fit_intercept = fit_intercept
        if fit_intercept:
            self.X_offset = _xt_dot(X, self.sw) / n
            self.y_offset = (self.sw @ Y) / n
        else:
            self.X_offset = np.zeros(X.shape[1])
            self.y_offset = np.zeros(Y.shape[1])
        Yc = np.asarray(Y - self.y_offset, dtype=np.float64)
        if self.is_sparse:
            self.X = sparse.csc_matrix(X)
            self.x_mean = self.X_offset
            self.Y = Yc
            return
        sqrt_sw = np.sqrt(self.sw)
        needs_change = fit_intercept or self.weighted or not X.flags.f_contiguous
        if needs_change and copy_X or not X.flags.writeable:
            Xc = np.empty(X.shape, dtype=X.dtype, order="F")
            np.subtract(X, self.X_offset.astype(X.dtype), out=Xc)
        else:  # copy_X=False: scikit-learn's contract, X may be overwritten
            Xc = np.asfortranarray(X)
            if fit_intercept:
                Xc -= self.X_offset.astype(X.dtype)
        if self.weighted:
            Xc *= sqrt_sw[:, None].astype(X.dtype)
            Yc *= sqrt_sw[:, None]
        self.X = Xc
        self.Y = Yc

    @property
    def n_features(self):
        return self.X.shape[1]

    @property
    def n_targets(self):
        return self.Y.shape[1]

    def design(self):
        from ._cd import DenseDesign, SparseDesign  # (imports numba: see _jit.py)

        if self.is_sparse:
            return SparseDesign(self.X, self.x_mean if self.fit_intercept else None,
                                self.sw if self.weighted else None, self.n)
        return DenseDesign(self.X, self.n)

    _gram = None

    def gram(self):
        """``G = X_c' diag(s) X_c`` (dense p x p; sparse X is never densified),
        computed once (a CV shares it between the folds and the full path)."""
        if self._gram is None:
            if self.is_sparse:
                Xs = self.X.multiply(np.sqrt(self.sw)[:, None]).tocsc()
                G = np.asarray((Xs.T @ Xs).toarray(), dtype=np.float64)
                m = self.x_mean
                G -= self.n * np.outer(m, m)
            else:
                X = self.X.astype(np.float64, copy=False)
                G = X.T @ X
            self._gram = G
        return self._gram

    def use_gram(self, G):
        """Take ``G``, computed elsewhere from the same rows, as :meth:`gram`."""
        self._gram = G

    def gram_column(self, j):
        """Column ``j`` of :meth:`gram`, without forming the whole matrix."""
        if self.is_sparse:
            xj = self.X[:, [j]].toarray().ravel()
            col = np.asarray(self.X.T @ (self.sw * xj)).ravel()
            return col - self.n * self.x_mean * self.x_mean[j]
        X = self.X
        return np.asarray(X.T @ X[:, j], dtype=np.float64)

    def operator(self):
        """``A = S^1/2 X_c`` as a float64 LinearOperator (sparse X never densified).

        Dense X is already centered and weighted (converted once to float64 when it
        is float32); sparse X is centered and weighted on the fly.
        """
        if self.is_sparse:
            return CenteredSparseOperator(self.X, self.x_mean, np.sqrt(self.sw))
        return sp_linalg.aslinearoperator(self.X.astype(np.float64, copy=False))

    def weighted_targets(self):
        """``b = S^1/2 y_c`` for every target, so that ``P`` is ``||b - A w||^2/(2n)``
        plus the penalties."""
        if self.is_sparse:
            return np.sqrt(self.sw)[:, None] * self.Y
        return self.Y

    Xy = None  # a caller-supplied X'y (path functions), used instead of computing it

    def Xty(self):
        """``X_c' diag(s) y_c`` for every target, shape (n_features, n_targets)."""
        if self.Xy is not None:
            return self.Xy
        if self.is_sparse:
            return np.asarray(self.X.T @ (self.sw[:, None] * self.Y))  # x_mean'sY=0
        return _xt_dot(self.X, self.Y)

    def yty(self):
        """``y_c' diag(s) y_c`` for every target, shape (n_targets,)."""
        sw = self.sw if self.is_sparse else np.ones(self.n)
        return np.einsum("ik,ik,i->k", self.Y, self.Y, sw)


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


def fit_elastic_net(est, X, y, sample_weight, penalty, check_input=True):
    """Fit an ElasticNet-family estimator by coordinate descent.

    ``penalty(sum_sw) -> (l1, l2)`` is the facade's mapping of its parameters.
    """
    X, y, sw = validate_Xy(est, X, y, sample_weight, check_input)
    scale = DataScale.of(X, y)  # data near 1e+-150 are solved as X / s, y / s
    X, y = scale.down(X), scale.down(y)
    Y = y[:, None] if y.ndim == 1 else y
    problem = Problem(X, Y, sw, est.fit_intercept, est.copy_X and not scale)
    return fit_problem(est, problem, scale, penalty, X.dtype, y.ndim)


def fit_problem(est, problem, scale, penalty, X_dtype, y_ndim):
    """The solve and the fitted attributes of :func:`fit_elastic_net`, on a
    :class:`Problem` of the data scaled by ``scale`` (CV refits share theirs)."""
    n_targets, n_features = problem.n_targets, problem.n_features
    l1, l2 = penalty(problem.sum_sw)
    if l1 == 0.0 and l2 == 0.0:
        warnings.warn(
            "With alpha=0, this algorithm does not converge well. You are advised "
            "to use the LinearRegression estimator (no penalty, no sparsity).",
            UserWarning, stacklevel=3,
        )
    coef0 = _initial_coef(est, n_targets, n_features)
    results = solve_penalized(_scaled_options(est, scale), problem,
                              np.full(n_targets, scale.penalty(l1)),
                              np.full(n_targets, scale.penalty(l2)), coef0)
    coef = np.array([r.coef for r in results])
    n_iter = [r.n_iter for r in results]
    _set_fitted(est, problem, coef, n_iter[0] if n_targets == 1 else n_iter,
                [r.dual_gap for r in results], X_dtype, y_ndim)
    scale.unscale_fitted(est)
    check_finite_result(est)
    return est


def _scaled_options(est, scale):
    """``est``, or a shallow copy whose user Gram matrix is that of ``X / s``."""
    pre = getattr(est, "precompute", None)
    if not scale or pre is None or isinstance(pre, (str, bool, np.bool_)):
        return est
    view = copy.copy(est)
    view.precompute = scale.penalty(np.asarray(pre, dtype=np.float64))
    return view


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
