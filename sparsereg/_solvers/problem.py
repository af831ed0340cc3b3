"""The centered, weighted least-squares data every solver works on."""

import numpy as np
from scipy import sparse
from scipy.sparse import linalg as sp_linalg


def xt_dot(X, M):
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
            self.X_offset = xt_dot(X, self.sw) / n
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
        from .._solvers.cd import (  # (imports numba: see _jit.py)
            DenseDesign,
            SparseDesign,
        )

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
        return xt_dot(self.X, self.Y)

    def yty(self):
        """``y_c' diag(s) y_c`` for every target, shape (n_targets,)."""
        sw = self.sw if self.is_sparse else np.ones(self.n)
        return np.einsum("ik,ik,i->k", self.Y, self.Y, sw)
