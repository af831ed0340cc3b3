"""Generalized linear models: proximal Newton steps over the weighted elastic net.

A family's problem, in the normalized scaling of every solver here (sample weights
``s`` rescaled to sum to 1), is

    F(w, b) = sum_i s_i l(y_i, x_i.w + b) + sum_j factor_j (l1 |w_j| + l2/2 w_j^2)

within the bounds, with ``l(y, eta) = f(eta) - y eta`` for the family's cumulant
``f``: ``log(1 + e^eta)`` (binomial, ``y`` in [0, 1]) or ``e^eta`` (Poisson,
``y >= 0``). As in glmnet, each outer step replaces the loss by its quadratic model
at the current ``eta`` -- a *weighted* least-squares problem in ``eta' = Xw' + b'``
with weights ``h = s f''(eta)`` and working response ``z = eta + (y - mu) / f''``
(``mu = f'(eta)``) -- which the coordinate-descent solver of the linear models
solves, warm-started, as it solves any weighted elastic net (its own Problem,
penalties divided by ``sum(h)``). A backtracking line search on ``F`` along the
step makes every outer step decrease ``F`` (Tseng & Yun 2009); the intercept is
then set to its exact minimizer for the new ``w`` (a 1-D problem).

The stopping rule is the duality gap. With ``theta = s (y - mu)`` (the negative
gradient of the loss in ``eta``; it sums to 0 at the exact intercept, the dual's
constraint for an unpenalized intercept), the dual points ``a * theta``,
``0 < a <= 1``, are feasible and

    D(a theta) = -sum_i s_i f*((1 - a) y_i + a mu_i) - sum_j g_j*(a x_j.theta),

``f*`` the convex conjugate of the cumulant (``u log u + (1 - u) log(1 - u)``,
binomial; ``u log u - u``, Poisson) and ``g_j*`` the penalty's (finite for
``|a x_j.theta| <= l1 factor_j`` without l2: ``a`` is the largest such value, or 1;
with l2 the better of the two). ``F - D >= F - F*``: a gap at most ``tol`` times
the (half) deviance of the intercept-only model certifies the solution.
"""

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.special import expit, xlogy

from .dispatch import SolverOptions, make_solver
from .problem import Problem, xt_dot

# floor of the Hessian weights f''(eta) (glmnet's is 1e-5 for binomial): a fitted
# probability of exactly 0 or 1 would give a sample no weight and an infinite
# working response
_MIN_VARIANCE = 1e-10
# the inner solves' tolerance starts here and tightens with the outer gap
_INNER_TOL = 1e-4
_MIN_INNER_TOL = 1e-13
_ARMIJO = 0.25  # sufficient decrease of the line search, a fraction of the model's
_UNMEASURABLE = 64 * np.finfo(np.float64).eps  # a change of F below rounding


class Binomial:
    """``y`` in [0, 1] (class labels 0 / 1, or proportions); mean ``expit(eta)``."""

    name = "binomial"

    @staticmethod
    def loss(y, eta):
        return np.logaddexp(0.0, eta) - y * eta

    mean = staticmethod(expit)

    @staticmethod
    def variance(mu):
        return mu * (1.0 - mu)

    @staticmethod
    def conjugate(u):
        return xlogy(u, u) + xlogy(1.0 - u, 1.0 - u)

    @staticmethod
    def intercept_shift(y, s, eta):
        """``c`` minimizing ``sum_i s_i l(y_i, eta_i + c)``: Newton's method on the
        convex 1-D problem, each step halved until the loss decreases."""
        c = 0.0
        target = s @ y
        for _ in range(100):
            mu = expit(eta + c)
            g = s @ mu - target
            h = s @ (mu * (1.0 - mu))
            if not h > 0.0 or abs(g) <= 1e-15 * max(target, 1e-300):
                break
            step = g / h
            before = s @ Binomial.loss(y, eta + c)
            while step != 0.0 and s @ Binomial.loss(y, eta + c - step) > before:
                step *= 0.5
            if step == 0.0:
                break
            c -= step
        return c


class Poisson:
    """Counts (any ``y >= 0``); mean ``exp(eta)``."""

    name = "poisson"

    @staticmethod
    def loss(y, eta):
        return np.exp(eta) - y * eta

    mean = staticmethod(np.exp)

    @staticmethod
    def variance(mu):
        return mu

    @staticmethod
    def conjugate(u):
        return xlogy(u, u) - u

    @staticmethod
    def intercept_shift(y, s, eta):
        """``c = log(sum s y / sum s e^eta)``, the minimizer in closed form."""
        return float(np.log(s @ y) - np.log(s @ np.exp(eta)))


@dataclass
class GLMResult:
    coef: np.ndarray
    intercept: float
    dual_gap: float  # in the scaling of F (weights summing to 1)
    n_iter: int  # outer (Newton) steps
    n_epochs: int  # coordinate-descent epochs of the inner solves, in all
    converged: bool


def null_deviance(family, y, s, null_eta):
    """Half the deviance of the intercept-only model (``eta = null_eta``): its loss
    minus the saturated model's, ``-f*(y)`` (>= 0; the stopping rule's unit)."""
    deviance = float(s @ (family.loss(y, null_eta) + family.conjugate(y)))
    return max(deviance, np.finfo(float).tiny)


def penalty_value(w, l1, l2, pen):
    """``sum_j factor_j (l1 |w_j| + l2/2 w_j^2)``."""
    return float(pen.factor @ (l1 * np.abs(w) + 0.5 * l2 * w * w))


def duality_gap(family, X, y, s, eta, w, l1, l2, pen):
    """``(gap, F(w, b))`` at the linear predictor ``eta`` (see the module's
    docstring; ``eta`` should hold the exact intercept for ``w``)."""
    from .._kernels.gap import _dual_value  # (imports numba: see _jit.py)

    mu = family.mean(eta)
    theta = s * (y - mu)
    XtR = xt_dot(X, theta)
    primal = float(s @ family.loss(y, eta)) + penalty_value(w, l1, l2, pen)
    idx = np.arange(w.shape[0])
    a_lasso = 1.0
    if l1 > 0.0:
        towards = ((pen.upper == np.inf) & (XtR > 0)) | ((pen.lower == -np.inf)
                                                        & (XtR < 0))
        limit = towards & (pen.factor > 0) & (np.abs(XtR) > l1 * pen.factor)
        if limit.any():
            a_lasso = float(np.min(l1 * pen.factor[limit] / np.abs(XtR[limit])))
    candidates = [a_lasso] if (l2 == 0.0 and a_lasso < 1.0) else {a_lasso, 1.0}
    dual = -np.inf
    for a in candidates:
        u = (1.0 - a) * y + a * mu
        value = -float(s @ family.conjugate(u)) + _dual_value(
            XtR, 0.0, 0.0, idx, a, l1, l2, pen)
        dual = max(dual, value)
    return max(primal - dual, 0.0), primal


def glm_solve(family, X, y, sample_weight, fit_intercept, l1, l2, pen, coef0,
              intercept0=0.0, *, tol=1e-4, max_iter=100, inner_max_iter=1000):
    """Minimize ``F`` (the module's docstring) by proximal Newton steps from
    ``coef0`` and ``intercept0``; returns a :class:`GLMResult`. ``tol``: the gap
    relative to the deviance of the intercept-only model (``b = 0`` without an
    intercept), :func:`null_deviance`."""
    n = X.shape[0]
    sw = np.ones(n) if sample_weight is None else np.asarray(sample_weight, float)
    s = sw / sw.sum()
    y = np.asarray(y, dtype=np.float64)
    w = np.array(coef0, dtype=np.float64)
    b = float(intercept0) if fit_intercept else 0.0
    eta = _linear_predictor(X, w) + b
    null_eta = np.zeros(n)
    if fit_intercept:
        c = family.intercept_shift(y, s, eta)
        b, eta = b + c, eta + c
        null_eta += family.intercept_shift(y, s, null_eta)
    tol_gap = tol * null_deviance(family, y, s, null_eta)
    inner_tol, epochs = _INNER_TOL, 0
    gap, primal = duality_gap(family, X, y, s, eta, w, l1, l2, pen)
    n_iter = 0
    while gap > tol_gap and n_iter < max_iter:
        n_iter += 1
        mu = family.mean(eta)
        v = np.maximum(family.variance(mu), _MIN_VARIANCE)
        h = s * v
        z = eta + (y - mu) / v
        inner = _weighted_enet(X, z, h, fit_intercept, l1, l2, pen, w, inner_tol,
                               inner_max_iter)
        epochs += inner.n_iter
        step = _line_search(family, X, y, s, eta, w, b, inner, mu, primal, l1, l2,
                            pen)
        if step is None:  # no decrease along the step: solve the model tighter
            if inner_tol <= _MIN_INNER_TOL:
                break
            inner_tol = max(inner_tol * 1e-2, _MIN_INNER_TOL)
            continue
        w, b, eta = step
        if fit_intercept:
            c = family.intercept_shift(y, s, eta)
            b, eta = b + c, eta + c
        gap, primal = duality_gap(family, X, y, s, eta, w, l1, l2, pen)
        # the model's solve need not be much more accurate than the outer gap
        inner_tol = min(inner_tol, max(1e-2 * gap / tol_gap * tol, _MIN_INNER_TOL))
    return GLMResult(coef=w, intercept=b, dual_gap=gap, n_iter=n_iter,
                     n_epochs=epochs, converged=bool(gap <= tol_gap))


@dataclass
class _InnerSolution:
    coef: np.ndarray
    intercept: float
    n_iter: int


def _weighted_enet(X, z, h, fit_intercept, l1, l2, pen, w0, tol, max_iter):
    """The quadratic model's minimizer: the weighted elastic net
    ``1/2 sum_i h_i (z_i - x_i.w - b)^2 + penalties`` (``Problem`` rescales the
    weights to sum to n, hence the penalties over ``sum(h)``)."""
    problem = Problem(X, z[:, None], h, fit_intercept, True)
    opts = SolverOptions(solver="cd", tol=tol, max_iter=max_iter, anderson="auto",
                         precompute=False, penalty_factor=pen.factor,
                         lower_bounds=pen.lower, upper_bounds=pen.upper)
    scale = float(h.sum())
    result = make_solver(opts, problem).solve(
        np.array([l1 / scale]), np.array([l2 / scale]), w0[None, :].copy(),
        warn=False)[0]  # (the solver updates its starting point in place)
    coef = result.coef
    intercept = (float(problem.y_offset[0] - coef @ problem.X_offset)
                 if fit_intercept else 0.0)
    return _InnerSolution(coef, intercept, result.n_iter)


def _line_search(family, X, y, s, eta, w, b, inner, mu, primal, l1, l2, pen):
    """``(w, b, eta)`` a step ``t`` of the way to the model's minimizer, ``t``
    halved from 1 until ``F`` decreases by a fraction of the model's predicted
    decrease; None if the step does not descend."""
    d_w = inner.coef - w
    d_b = inner.intercept - b
    d_eta = _linear_predictor(X, d_w) + d_b
    g_w = penalty_value(w, l1, l2, pen)
    predicted = float(s @ ((mu - y) * d_eta)) + penalty_value(inner.coef, l1, l2,
                                                              pen) - g_w
    if abs(predicted) <= _UNMEASURABLE * abs(primal):
        # a change F cannot show in floating point (of either sign, by rounding):
        # near the solution, where the full Newton step is the accurate one (the
        # gap then checks it)
        return inner.coef.copy(), inner.intercept, eta + d_eta
    if not predicted < 0.0:
        return None
    t = 1.0
    while t > 1e-10:
        w_t, eta_t = w + t * d_w, eta + t * d_eta
        value = float(s @ family.loss(y, eta_t)) + penalty_value(w_t, l1, l2, pen)
        if value <= primal + _ARMIJO * t * predicted:
            return w_t, b + t * d_b, eta_t
        t *= 0.5
    return None


def _linear_predictor(X, w):
    if sparse.issparse(X):
        return np.asarray(X @ w, dtype=np.float64).ravel()
    return np.asarray(X @ w, dtype=np.float64)


# ----------------------------------------- smooth problems (no l1): lbfgs, Newton


def smooth_solve(family, X, y, sample_weight, fit_intercept, l2, pen, coef0,
                 intercept0=0.0, *, method="lbfgs", tol=1e-4, max_iter=100):
    """Minimize ``F`` without l1 (``l1 = 0``) as scikit-learn's GLM solvers do:
    ``"lbfgs"`` (scipy's L-BFGS-B on ``(w, b)``, within the bounds; its
    projected-gradient tolerance is ``tol``) or ``"newton-cholesky"`` (Newton's
    method with a Cholesky solve of the ``(p + 1)``-square Hessian and a
    backtracking line search, stopped when the largest gradient entry is at most
    ``tol``). Returns a :class:`GLMResult` (``n_epochs`` = 0) whose gap is the
    duality gap of ``F`` (after the exact intercept)."""
    from scipy import optimize

    n, p = X.shape
    sw = np.ones(n) if sample_weight is None else np.asarray(sample_weight, float)
    s = sw / sw.sum()
    y = np.asarray(y, dtype=np.float64)
    v0 = np.r_[np.asarray(coef0, dtype=np.float64), float(intercept0)]
    k = p + int(fit_intercept)

    def value_grad(v):
        w, b = v[:p], (v[p] if fit_intercept else 0.0)
        eta = _linear_predictor(X, w) + b
        g_eta = s * (family.mean(eta) - y)
        value = float(s @ family.loss(y, eta)) + penalty_value(w, 0.0, l2, pen)
        grad = np.r_[xt_dot(X, g_eta) + l2 * pen.factor * w, g_eta.sum()]
        return value, grad[:k]

    if method == "lbfgs":
        bounds = list(zip(pen.lower, pen.upper, strict=True)) + [(None, None)] * (
            k - p)
        bounds = [(None if lo == -np.inf else lo, None if hi == np.inf else hi)
                  for lo, hi in bounds]
        res = optimize.minimize(
            value_grad, v0[:k], jac=True, method="L-BFGS-B", bounds=bounds,
            options=dict(maxiter=max_iter, maxls=50, gtol=tol,
                         ftol=64 * np.finfo(float).eps))
        v, n_iter, converged = res.x, int(res.nit), bool(res.success)
    else:
        v, n_iter, converged = _newton_cholesky(family, X, y, s, l2, pen, v0[:k],
                                                value_grad, tol, max_iter)
    w, b = v[:p].copy(), (float(v[p]) if fit_intercept else 0.0)
    eta = _linear_predictor(X, w) + b
    if fit_intercept:  # the gap's dual point needs the exact intercept
        c = family.intercept_shift(y, s, eta)
        if s @ family.loss(y, eta + c) <= s @ family.loss(y, eta):
            b, eta = b + c, eta + c
    gap, _ = duality_gap(family, X, y, s, eta, w, 0.0, l2, pen)
    return GLMResult(coef=w, intercept=b, dual_gap=gap, n_iter=n_iter, n_epochs=0,
                     converged=converged)


def _newton_cholesky(family, X, y, s, l2, pen, v, value_grad, tol, max_iter):
    """Newton's method on the smooth ``F``: ``H d = -g``, ``H`` the Hessian of
    ``(w, b)`` (Cholesky; a tiny ridge if it is singular), halving the step until
    ``F`` decreases (Armijo)."""
    from scipy import linalg

    p = X.shape[1]
    k = v.shape[0]
    value, grad = value_grad(v)
    for n_iter in range(1, max_iter + 1):
        if np.max(np.abs(grad)) <= tol:
            return v, n_iter - 1, True
        eta = _linear_predictor(X, v[:p]) + (v[p] if k > p else 0.0)
        h = s * family.variance(family.mean(eta))
        Xh = X.multiply(h[:, None]).tocsc() if sparse.issparse(X) else X * h[:, None]
        H = np.empty((k, k))
        H[:p, :p] = (X.T @ Xh).toarray() if sparse.issparse(X) else X.T @ Xh
        H[:p, :p] += np.diag(l2 * pen.factor)
        if k > p:
            H[p, :p] = H[:p, p] = np.asarray(Xh.sum(axis=0)).ravel()
            H[p, p] = h.sum()
        try:
            d = -linalg.cho_solve(linalg.cho_factor(H), grad)
        except linalg.LinAlgError:  # singular (e.g. l2 = 0, p > n): regularize
            d = -linalg.solve(H + 1e-10 * np.trace(H) / k * np.eye(k), grad,
                              assume_a="sym")
        slope = grad @ d
        t = 1.0
        while t > 1e-12:
            new_value, new_grad = value_grad(v + t * d)
            if new_value <= value + 1e-4 * t * slope:
                break
            t *= 0.5
        else:
            return v, n_iter, False
        v, value, grad = v + t * d, new_value, new_grad
    return v, max_iter, bool(np.max(np.abs(grad)) <= tol)
