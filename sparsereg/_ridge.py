"""Ridge solvers: direct (Cholesky, SVD), iterative (LSQR, CG, L-BFGS-B), SAG/SAGA
and CD.

All of them minimize ``||y - Xw - b||_s^2 + alpha ||w||^2`` on the centered, weighted
data of :class:`~sparsereg._base.Problem`; the coordinate-descent one goes through
the shared elastic-net kernel with ``(l1, l2) = (0, alpha / sum(s))``, and SAG/SAGA
(``_sag.py``) minimize the same problem divided by ``sum(s)``.
"""

import warnings

import numpy as np
from scipy import linalg, optimize
from scipy.sparse import linalg as sp_linalg
from sklearn.exceptions import ConvergenceWarning

from ._base import (
    Problem,
    _set_fitted,
    check_finite_result,
    validate_Xy,
)
from ._objective import penalty_weights
from ._sag import ridge_sag
from ._scale import DataScale
from ._solver import solve_penalized

SOLVERS = ("auto", "svd", "cholesky", "lsqr", "sparse_cg", "sag", "saga", "lbfgs",
           "cd", "ista", "fista")
POSITIVE_SOLVERS = ("auto", "lbfgs", "cd", "ista", "fista")


def resolve_solver(solver, is_sparse, positive, fit_intercept=True):
    """The solver ``solver="auto"`` stands for, after checking the combination.

    The errors are scikit-learn's (same exception, same condition): a solver that
    cannot constrain the coefficients with ``positive=True``, and ``"svd"`` with
    sparse X (ValueError with an intercept, TypeError without). Every other solver
    fits the intercept of sparse X, by implicit centering.
    """
    if positive and solver not in POSITIVE_SOLVERS:
        raise ValueError(
            f"solver='{solver}' does not support positive fitting. Please set the "
            "solver to 'auto' or 'lbfgs' (or 'cd', 'ista', 'fista'), or set "
            "`positive=False`"
        )
    if solver == "auto":
        if positive:
            return "cd"
        return "sparse_cg" if is_sparse else "cholesky"
    if solver == "svd" and is_sparse:
        if fit_intercept:
            raise ValueError(
                "solver='svd' does not support fitting the intercept on sparse "
                "data. Please set the solver to 'auto' or 'lsqr', 'sparse_cg', "
                "'sag', 'saga', 'cholesky', 'lbfgs', 'cd' or set "
                "`fit_intercept=False`"
            )
        raise TypeError(
            "SVD solver does not support sparse inputs currently; use another "
            "solver (e.g. 'auto') or pass a dense array"
        )
    return solver


def ridge_alphas(alpha, n_targets):
    """``alpha`` as one value per target (scikit-learn allows an array)."""
    alphas = np.atleast_1d(np.asarray(alpha, dtype=np.float64))
    if alphas.ndim != 1 or alphas.size not in (1, n_targets):
        raise ValueError(
            "Number of targets and number of penalties do not correspond: "
            f"{alphas.size} != {n_targets}; pass a scalar alpha or one per target"
        )
    if not np.all(np.isfinite(alphas)) or np.any(alphas < 0):
        raise ValueError(f"alpha must be finite and >= 0, got {alpha!r}")
    return np.broadcast_to(alphas, (n_targets,)).copy()


def fit_ridge(est, X, y, sample_weight):
    """Fit :class:`~sparsereg.Ridge` with the solver it asks for."""
    X, y, sw = validate_Xy(est, X, y, sample_weight)
    scale = DataScale.of(X, y)  # data near 1e+-150 are solved as X / s, y / s
    X, y = scale.down(X), scale.down(y)
    Y = y[:, None] if y.ndim == 1 else y
    alphas = ridge_alphas(est.alpha, Y.shape[1])
    problem = Problem(X, Y, sw, est.fit_intercept, est.copy_X and not scale)
    solver = resolve_solver(est.solver, problem.is_sparse, est.positive,
                            est.fit_intercept)
    # The data of `problem` carry weights normalized to sum to n, so the penalty of
    # ||A w - b||^2 + alpha_n ||w||^2 on it is alpha_n = n * l2 = alpha * n / sum(s).
    l2 = scale.penalty(np.array([
        penalty_weights("ridge", a, sum_sample_weight=problem.sum_sw)[1]
        for a in alphas]))
    n_iter = None
    if solver in ("cd", "ista", "fista"):
        coef, n_iter = _ridge_iterative_penalized(est, problem, l2)
    elif solver in ("sag", "saga"):
        coef, n_iter = ridge_sag(est, problem, l2)
    elif solver == "svd":
        coef = _ridge_svd(problem, problem.n * l2)
    elif solver == "cholesky":
        coef = _ridge_cholesky(problem, problem.n * l2)
    elif solver == "lbfgs":
        coef, n_iter = _ridge_lbfgs(problem, problem.n * l2, est.positive, est.tol,
                                    est.max_iter)
    else:
        coef, n_iter = _ridge_iterative(problem, problem.n * l2, solver, est.tol,
                                        est.max_iter)
    est.solver_ = solver
    _set_fitted(est, problem, coef, None if n_iter is None else np.asarray(n_iter),
                None, X.dtype, y.ndim)
    scale.unscale_fitted(est)
    check_finite_result(est, f"The Ridge solver {solver!r}")
    return est


def _ridge_iterative_penalized(est, problem, l2s):
    """Ridge by the elastic-net solvers (cd, ista, fista) with l1 = 0."""
    coef0 = np.zeros((len(l2s), problem.X.shape[1]))
    results = solve_penalized(est, problem, np.zeros(len(l2s)), l2s, coef0)
    return np.array([r.coef for r in results]), [r.n_iter for r in results]


def _require_finite(M, solver):
    if not np.all(np.isfinite(M)):
        raise ValueError(
            f"The Ridge solver {solver!r} resulted in non-finite parameter values: "
            "the centered data or X.T @ X overflow float64. Rescale X and y (e.g. "
            "with StandardScaler)."
        )


def _ridge_svd(problem, alphas):
    X = problem.X.astype(np.float64, copy=False)
    _require_finite(X, "svd")
    U, s, Vt = linalg.svd(X, full_matrices=False, check_finite=False)
    UtY = U.T @ problem.Y
    coef = np.empty((len(alphas), X.shape[1]))
    cutoff = s.max(initial=0.0) * max(X.shape) * np.finfo(np.float64).eps
    for k, alpha in enumerate(alphas):
        denom = s**2 + alpha
        d = np.where(s > cutoff, s / np.where(denom > 0, denom, 1.0), 0.0)
        coef[k] = Vt.T @ (d * UtY[:, k])
    return coef


def _ridge_cholesky(problem, alphas):
    """Solve the normal equations (n >= p) or the kernel system (p > n)."""
    n, p = problem.X.shape
    b = problem.weighted_targets()
    if n >= p:
        A, rhs = problem.gram(), problem.Xty()
    else:
        A, rhs = _kernel_matrix(problem), b
    _require_finite(A, "cholesky")
    coef = np.empty((len(alphas), p))
    for alpha in np.unique(alphas):
        ks = np.flatnonzero(alphas == alpha)
        sol = _solve_spd(A, alpha, rhs[:, ks])
        coef[ks] = (sol if n >= p else problem.operator().rmatmat(sol)).T
    return coef


def _kernel_matrix(problem):
    """``A A'`` for A = S^1/2 X_c, shape (n_samples, n_samples)."""
    if not problem.is_sparse:
        X = problem.X.astype(np.float64, copy=False)
        return X @ X.T
    X, m, r = problem.X, problem.x_mean, np.sqrt(problem.sw)
    Xm = np.asarray(X @ m).ravel()
    K = np.asarray((X @ X.T).toarray(), dtype=np.float64)
    K -= Xm[:, None] + Xm[None, :] - m @ m
    return r[:, None] * K * r[None, :]


def _solve_spd(A, alpha, rhs):
    """Solve ``(A + alpha I) x = rhs``; least squares if the matrix is singular."""
    M = A + alpha * np.eye(A.shape[0])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", linalg.LinAlgWarning)
            return linalg.solve(M, rhs, assume_a="pos", check_finite=False)
    except (linalg.LinAlgError, linalg.LinAlgWarning):
        warnings.warn(
            "Singular matrix in the Ridge normal equations (alpha too small?): "
            "using the least-squares solution instead.", linalg.LinAlgWarning,
            stacklevel=5,
        )
        return linalg.lstsq(M, rhs, check_finite=False)[0]


def _ridge_iterative(problem, alphas, solver, tol, max_iter):
    """LSQR on the damped least-squares problem, or CG on the normal equations."""
    A = problem.operator()
    b = problem.weighted_targets()
    n, p = A.shape
    coef = np.empty((len(alphas), p))
    n_iter = []
    for k, alpha in enumerate(alphas):
        if solver == "lsqr":
            out = sp_linalg.lsqr(A, b[:, k], damp=np.sqrt(alpha), atol=tol, btol=tol,
                                 iter_lim=max_iter)
            coef[k], it = out[0], out[2]
            if out[1] == 7:  # istop 7: the iteration limit, before atol/btol held
                warnings.warn(
                    f"lsqr did not converge within max_iter={max_iter} iterations "
                    f"(tol={tol}); the last iterate is returned: increase max_iter",
                    ConvergenceWarning, stacklevel=5)
        else:
            coef[k], it = _ridge_cg(A, b[:, k], alpha, tol, max_iter)
        n_iter.append(it)
    return coef, n_iter


def _ridge_lbfgs(problem, alphas, positive, tol, max_iter):
    """L-BFGS-B on ``1/2 ||A w - b||^2 + alpha/2 ||w||^2`` (bounds if positive).

    The objective is scaled by ``sum(s) / n`` back to Ridge's raw weights, so that
    the (scale-dependent) stopping tests see the same function as with repeated rows.
    """
    A = problem.operator()
    b = problem.weighted_targets()
    p = A.shape[1]
    c = problem.sum_sw / problem.n
    coef = np.empty((len(alphas), p))
    n_iter = []
    options = {} if max_iter is None else {"maxiter": max_iter}
    bounds = [(0.0, np.inf)] * p if positive else None
    for k, alpha in enumerate(alphas):
        b_k = b[:, k]

        def value_and_grad(w, b_k=b_k, alpha=alpha):
            r = A.matvec(w) - b_k
            value = 0.5 * (r @ r) + 0.5 * alpha * (w @ w)
            return c * value, c * (A.rmatvec(r) + alpha * w)

        res = optimize.minimize(value_and_grad, np.zeros(p), jac=True,
                                method="L-BFGS-B", tol=tol, bounds=bounds,
                                options=options)
        if not res.success:
            warnings.warn(
                f"The lbfgs solver did not converge ({res.message}); increase "
                f"max_iter (now {max_iter}) or tol (now {tol}).",
                ConvergenceWarning, stacklevel=5,
            )
        coef[k] = res.x
        n_iter.append(res.nit)
    return coef, n_iter


def _ridge_cg(A, b, alpha, tol, max_iter):
    """CG on ``(A'A + alpha I) w = A'b`` (or on the n x n kernel system if p > n)."""
    n, p = A.shape
    count = [0]

    def counted(f):
        def g(v):
            count[0] += 1
            return f(v)
        return g

    if n >= p:
        op = sp_linalg.LinearOperator(
            (p, p), matvec=counted(lambda v: A.rmatvec(A.matvec(v)) + alpha * v),
            dtype=np.float64)
        w, info = sp_linalg.cg(op, A.rmatvec(b), rtol=tol, maxiter=max_iter)
    else:
        op = sp_linalg.LinearOperator(
            (n, n), matvec=counted(lambda v: A.matvec(A.rmatvec(v)) + alpha * v),
            dtype=np.float64)
        dual, info = sp_linalg.cg(op, b, rtol=tol, maxiter=max_iter)
        w = A.rmatvec(dual)
    if info > 0:
        warnings.warn(f"sparse_cg did not converge after {info} iterations; "
                      "increase max_iter or tol", ConvergenceWarning, stacklevel=5)
    return w, count[0]


class LeaveOneOut:
    """Closed-form leave-one-out errors of Ridge for any alpha, from one
    decomposition of the centered, weighted data ``A = S^1/2 X_c``.

    With ``H(alpha) = 1 w'/sum(w) + A (A'A + alpha I)^-1 A'`` the hat matrix of the
    weighted problem (the first term is the unpenalized intercept), the LOO residual
    of sample i is ``r_i / (1 - H_ii)`` with ``r = b - A w(alpha)``: no refit. Every
    mode writes ``A (A'A + alpha I)^-1 A' = Z diag(d(alpha)) Z'`` and
    ``w(alpha) = V diag(e(alpha)) Z'b``:

    * "svd" of ``A = U diag(s) V'``: ``Z = U``, ``d = s^2 / (s^2 + alpha)``;
    * "eigen" of the n x n ``A A' = U diag(s^2) U'`` (p > n, or sparse X):
      ``Z = U``, the same ``d``, and ``w = A' U diag(1 / (s^2 + alpha)) U'b``;
    * "gram", the eigendecomposition of the p x p ``A'A = V diag(lam) V'`` (n >= p):
      ``Z = A V`` (not normalized) and ``d = 1 / (lam + alpha)``. Forming A'A, a
      p x p ``eigh`` and ``A V`` cost a fraction of an SVD of A, and all in BLAS
      3; but the eigenvalues are exact only to about ``eps * lam_max``, so the
      mode is used only when ``lam_min + alpha >= 1e-7 * lam_max`` for every alpha
      (each term ``Z_ij^2 / (lam_j + alpha)`` of the hat diagonal is then exact to
      about ``1e7 eps``, 2e-9 relative); :meth:`gram_suits` tells.

    The errors for all alphas come from two matrix products (:meth:`errors_all`).
    Everything goes through numpy (``np.linalg`` and ``@``), none of it through
    scipy: numpy's and scipy's wheels each bundle an OpenBLAS with its own thread
    pool, and handing work from one to the other while the first one's threads still
    spin costs more than these products on a 2-core machine (measured: numpy's
    ``X.T @ X`` right before scipy's SVD of a 2000 x 200 matrix makes the pair 3x
    slower).
    """

    GRAM_MIN_ALPHA = 1e-7  # lam_min + alpha, relative to the largest eigenvalue

    def __init__(self, problem, mode):
        A = problem.operator()
        self.b = problem.weighted_targets()
        self.mode = mode
        self.A = None
        if mode == "svd":
            X = problem.X.astype(np.float64, copy=False)
            _require_finite(X, "svd")
            self.Z, s, Vt = np.linalg.svd(X, full_matrices=False)
            self.s2, self.V_s = s**2, Vt.T * s  # w = V diag(s / (s^2 + a)) U'b
        elif mode == "gram":
            G = problem.gram()
            _require_finite(G, "gram")
            lam, V = np.linalg.eigh(G)
            self.s2 = np.maximum(lam, 0.0)
            self.V_s = V  # w = V diag(1 / (lam + a)) Z'b
            X = problem.X.astype(np.float64, copy=False)
            self.Z = X @ V
        else:
            K = _kernel_matrix(problem)
            _require_finite(K, "eigen")
            lam, self.Z = np.linalg.eigh(K)
            # eigenvalues at rounding level are those of the null space of A' (a
            # rank-deficient K, e.g. n > p): zero, not noise divided by alpha
            cutoff = lam.max(initial=0.0) * K.shape[0] * np.finfo(np.float64).eps
            self.s2, self.V_s = np.where(lam > cutoff, lam, 0.0), None
            self.A = A
        self.Zb = self.Z.T @ self.b
        self.Z2 = self.Z**2
        sw = problem.sw
        self.h_intercept = sw / sw.sum() if problem.fit_intercept else 0.0

    def gram_suits(self, alphas):
        """Whether the "gram" decomposition is accurate enough for ``alphas``."""
        if self.s2.size == 0:
            return True
        floor = self.s2.min() + np.min(alphas)
        return bool(floor >= self.GRAM_MIN_ALPHA * self.s2.max())

    def _d(self, alphas):
        """``d(alpha)`` for every alpha, shape (rank, n_alphas)."""
        denom = self.s2[:, None] + np.asarray(alphas, dtype=np.float64)[None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.mode == "gram":
                return 1.0 / denom
            return np.where(denom > 0, self.s2[:, None] / denom, 0.0)

    def errors(self, alpha):
        """LOO residuals (weighted scale), shape (n_samples, n_targets)."""
        return self.errors_all(np.array([alpha]))[0]

    def errors_all(self, alphas):
        """LOO residuals for every alpha, shape (n_alphas, n_samples, n_targets):
        two matrix products over all alphas instead of two per alpha."""
        d = self._d(alphas)  # (r, m)
        m, k = d.shape[1], self.b.shape[1]
        fitted = self.Z @ (d[:, :, None] * self.Zb[:, None, :]).reshape(-1, m * k)
        # the intercept's term is (n,) or the scalar 0: a column either way
        h = np.reshape(self.h_intercept, (-1, 1)) + self.Z2 @ d  # (n, m)
        with np.errstate(divide="ignore", invalid="ignore"):
            e = (self.b[:, None, :] - fitted.reshape(-1, m, k)) / (1.0 - h)[:, :, None]
        return np.moveaxis(e, 1, 0)

    def coef(self, alpha):
        """Ridge coefficients at ``alpha``, shape (n_targets, n_features)."""
        return self.coefs(np.array([alpha]))[0]

    def coefs(self, alphas):
        """Coefficients for every alpha at once (one matrix product), shape
        (n_alphas, n_targets, n_features)."""
        alphas = np.asarray(alphas, dtype=np.float64)
        k = self.Zb.shape[1]
        # scaled[:, a * k + t] = Zb[:, t] / (s2 + alphas[a])
        denom = self.s2[:, None] + alphas[None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            scaled = self.Zb[:, None, :] / denom[:, :, None]
        if self.mode == "eigen":  # A'u = 0 for an eigenvector u of eigenvalue 0
            scaled[self.s2 == 0] = 0.0
        scaled = scaled.reshape(len(self.s2), len(alphas) * k)
        if self.V_s is not None:
            W = self.V_s @ scaled
        else:
            W = self.A.rmatmat(self.Z @ scaled)
        return W.T.reshape(len(alphas), k, -1)
