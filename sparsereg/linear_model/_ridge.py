"""Ridge and its solvers: direct (Cholesky, SVD), iterative (LSQR, CG, L-BFGS-B),
SAG/SAGA and CD.

All of them minimize ``||y - Xw - b||_s^2 + alpha ||w||^2`` on the centered, weighted
data of :class:`~sparsereg._solvers.problem.Problem`; the coordinate-descent one goes
through the shared elastic-net kernel with ``(l1, l2) = (0, alpha / sum(s))``, and
SAG/SAGA (``_solvers/sag.py``) minimize the same problem divided by ``sum(s)``.
"""

import warnings
from numbers import Integral, Real

import numpy as np
from scipy import linalg, optimize
from scipy.sparse import linalg as sp_linalg
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions

from .._solvers.dispatch import SolverOptions, make_solver
from .._solvers.objective import penalty_weights
from .._solvers.problem import Problem
from .._solvers.sag import ridge_sag
from ._base import (
    LinearBase,
    _set_fitted,
    check_finite_result,
    validate_Xy,
)
from ._scale import DataScale

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
        coef, n_iter = ridge_sag(SolverOptions.of(est), problem, l2)
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
    results = make_solver(SolverOptions.of(est), problem).solve(
        np.zeros(len(l2s)), l2s, coef0)
    return np.array([r.coef for r in results]), [r.n_iter for r in results]


def require_finite(M, solver):
    if not np.all(np.isfinite(M)):
        raise ValueError(
            f"The Ridge solver {solver!r} resulted in non-finite parameter values: "
            "the centered data or X.T @ X overflow float64. Rescale X and y (e.g. "
            "with StandardScaler)."
        )


def _ridge_svd(problem, alphas):
    X = problem.X.astype(np.float64, copy=False)
    require_finite(X, "svd")
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
        A, rhs = kernel_matrix(problem), b
    require_finite(A, "cholesky")
    coef = np.empty((len(alphas), p))
    for alpha in np.unique(alphas):
        ks = np.flatnonzero(alphas == alpha)
        sol = _solve_spd(A, alpha, rhs[:, ks])
        coef[ks] = (sol if n >= p else problem.operator().rmatmat(sol)).T
    return coef


def kernel_matrix(problem):
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


class Ridge(LinearBase):
    """Linear least squares with an L2 penalty (ridge regression).

    Minimizes, over ``w`` and the intercept ``b``::

        ||y - Xw - b||^2_2 + alpha * ||w||^2_2

    exactly scikit-learn's :class:`~sklearn.linear_model.Ridge` objective (not divided
    by ``n_samples``; with ``sample_weight`` the squared errors are weighted by the raw
    weights). In the shared problem of this package it is ``(l1, l2) =
    (0, alpha / sum(sample_weight))``.

    Parameters
    ----------
    alpha : float or ndarray of shape (n_targets,), default=1.0
        Penalty strength, ``>= 0``; one value per target is allowed.
    fit_intercept : bool, default=True
        Whether to fit an intercept (by centering, never penalized).
    copy_X : bool, default=True
        If False, a dense X may be centered in place.
    max_iter : int, default=None
        Maximum iterations of the iterative solvers (CD, SAG, SAGA: epochs,
        ISTA/FISTA: gradient steps; 1000 if None; scipy's defaults for "lsqr",
        "sparse_cg" and "lbfgs").
    tol : float, default=1e-4
        "lsqr": its ``atol``/``btol``; "sparse_cg": relative residual; "lbfgs":
        L-BFGS-B's ``tol``; "sag", "saga": relative change of the coefficients
        (see Notes); "cd", "ista", "fista": stop when the duality gap is below
        ``tol * ||y - mean(y)||^2 / n_samples`` after a small step.
    solver : {"auto", "svd", "cholesky", "lsqr", "sparse_cg", "sag", "saga", \
            "lbfgs", "cd", "ista", "fista"}, default="auto"
        "auto" is "cholesky" for dense X, "sparse_cg" for sparse X and "cd" when
        ``positive=True``. "cholesky" solves the normal equations (or the
        ``n_samples x n_samples`` kernel system when ``n_features > n_samples``;
        sparse X too, through its Gram or kernel matrix), "svd" uses a thin SVD of
        X (dense only), "lsqr" and "sparse_cg" are the iterative solvers of
        :mod:`scipy.sparse.linalg`, "sag" and "saga" are scikit-learn's stochastic
        average gradient solvers (compiled; one sample drawn per step, see Notes),
        "lbfgs" is scipy's L-BFGS-B (it accepts ``positive``), "cd", "ista" and
        "fista" are the solvers shared with :class:`ElasticNet` (duality-gap
        stopping rule). With sparse X and ``fit_intercept=True`` every solver but
        "svd" fits the intercept (by implicit centering).
    positive : bool, default=False
        Constrain the coefficients to be non-negative (solvers "auto", "cd",
        "ista", "fista", "lbfgs"; the others raise a ValueError).
    random_state : int, RandomState instance or None, default=None
        Seed of the samples drawn by "sag" and "saga" (the other solvers are
        deterministic).

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients ``w``.
    intercept_ : float or ndarray of shape (n_targets,)
        Intercept ``b`` (0.0 without ``fit_intercept``).
    n_iter_ : None or ndarray of shape (n_targets,)
        Iterations of the iterative solvers (epochs for "sag", "saga" and "cd"),
        None for "cholesky" and "svd".
    solver_ : str
        The solver used.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when X has string column names.

    Notes
    -----
    **SAG and SAGA** (Schmidt, Le Roux & Bach 2017; Defazio, Bach &
    Lacoste-Julien 2014) minimize the objective above divided by
    ``sum(sample_weight)``, one sample per step, as scikit-learn's solvers do:
    the gradients of the samples are remembered (from zero, the first epoch
    averaging over the samples seen so far), the l2 term is a decay of the
    coefficients, and the step is ``1 / L`` (SAG) or ``1 / (2 L + min(2 n l2,
    L))`` (SAGA) with ``l2 = alpha / sum(s)``, ``L = max_i s_i ||x_i - mean(x)||^2
    + l2`` and the weights ``s`` rescaled to sum to ``n = n_samples``.
    **Stopping rule** (scikit-learn's): after each epoch (``n_samples`` steps),
    stop when the largest coefficient change of the epoch is at most ``tol``
    times the largest coefficient; a ConvergenceWarning reports the ratio reached
    at ``max_iter``. The intercept is never a solver variable: dense X is
    centered, sparse X is centered implicitly (the column means enter the
    compiled epochs as scalars, and sparse steps cost the nonzeros of the row),
    so dense and sparse X give the same iterates.

    Examples
    --------
    >>> from sparsereg import Ridge
    >>> Ridge(alpha=1.0).fit([[0, 0], [1, 1], [2, 2]], [0, 1, 2]).coef_.round(4)
    array([0.4, 0.4])
    """

    _parameter_constraints: dict = {
        "alpha": [Interval(Real, 0, None, closed="left"), "array-like"],
        "fit_intercept": ["boolean"],
        "copy_X": ["boolean"],
        "max_iter": [Interval(Integral, 1, None, closed="left"), None],
        "tol": [Interval(Real, 0, None, closed="left")],
        "solver": [StrOptions({"auto", "svd", "cholesky", "lsqr", "sparse_cg", "sag",
                               "saga", "lbfgs", "cd", "ista", "fista"})],
        "positive": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(self, alpha=1.0, *, fit_intercept=True, copy_X=True, max_iter=None,
                 tol=1e-4, solver="auto", positive=False, random_state=None):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.solver = solver
        self.positive = positive
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; sparse X is never densified.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Targets.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Non-negative weights of the squared errors (a float: that weight, > 0,
            for every sample; for Ridge it acts as ``alpha / weight``).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._validate_params()
        return fit_ridge(self, X, y, sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = self.solver != "svd"
        return tags
