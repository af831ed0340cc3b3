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
the (half) deviance of the intercept-only model certifies the solution. Without
any penalty no dual point is finite away from the optimum, and the measure is the
Newton decrement ``g' H^+ g / 2`` instead. The gap is of first order in the distance
to the optimum where the rescaling ``a < 1`` is active: in double precision it
certifies about ``1e-10`` of a lasso (``1e-9`` multinomial), not less.

The multinomial family (softmax, one coefficient row per class, the penalty on
every entry) takes the steps one class at a time (glmnet's "ungrouped"
multinomial), with the negative entropy as ``f*``. ``smooth_solve`` is
scikit-learn's pair of solvers for the penalties without l1 (L-BFGS-B, Newton with
Cholesky).
"""

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.special import expit, logsumexp, softmax, xlogy

from .dispatch import SolverOptions, make_solver
from .problem import Problem, xt_dot

# floor of the Hessian weights f''(eta) (glmnet's is 1e-5 for binomial): a fitted
# probability of exactly 0 or 1 would give a sample no weight and an infinite
# working response
_MIN_VARIANCE = 1e-10
# each inner solve certifies the quadratic model to this fraction of the outer gap
# (an inexact Newton step), a hundred times less when a step made no progress
_INNER_FRACTION = 0.1
# down to this tolerance of the coordinate-descent solver (relative to the
# working response's variance): about the rounding of its gap
_MIN_INNER_TOL = 1e-15
_MAX_INNER_TOL = 1e-4  # (far from the solution: the linear models' default)
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
    if l1 == 0.0 and l2 == 0.0:  # no penalty: no finite dual point off the optimum
        return _newton_decrement(family, X, s, mu, XtR), primal
    idx = np.arange(w.shape[0])
    a_lasso = _lasso_scale(XtR, l1, pen)
    dual = -np.inf
    for a in _dual_scales(a_lasso, l2):
        u = (1.0 - a) * y + a * mu
        value = -float(s @ family.conjugate(u)) + _dual_value(
            XtR, 0.0, 0.0, idx, a, l1, l2, pen)
        dual = max(dual, value)
    return max(primal - dual, 0.0), primal


def _newton_decrement(family, X, s, mu, XtR):
    """``g' H^+ g / 2`` for the gradient ``g = -X'theta`` and the Hessian ``H`` of
    the unpenalized loss (with the intercept's row, whose gradient is 0 at the
    exact intercept): the quadratic model's estimate of ``F - F*``, the stopping
    measure when there is no penalty (as in scikit-learn's Newton solver)."""
    H = _hessian(X, s * family.variance(mu), True)
    g = np.r_[XtR, 0.0]
    return max(0.5 * float(g @ np.linalg.lstsq(H, g, rcond=None)[0]), 0.0)


def _hessian(X, h, intercept):
    """``[X 1]' diag(h) [X 1]`` (without the ones' row and column if not
    ``intercept``): the Hessian of the loss in ``(w, b)``, ``h = s f''(eta)``."""
    p = X.shape[1]
    Xh = X.multiply(h[:, None]).tocsc() if sparse.issparse(X) else X * h[:, None]
    k = p + int(intercept)
    H = np.empty((k, k))
    H[:p, :p] = (X.T @ Xh).toarray() if sparse.issparse(X) else X.T @ Xh
    if intercept:
        H[p, :p] = H[:p, p] = np.asarray(Xh.sum(axis=0)).ravel()
        H[p, p] = h.sum()
    return H


def glm_solve(family, X, y, sample_weight, fit_intercept, l1, l2, pen, coef0,
              intercept0=0.0, *, tol=1e-4, max_iter=100, inner_max_iter=1000,
              verbose=0):
    """Minimize ``F`` (the module's docstring) by proximal Newton steps from
    ``coef0`` and ``intercept0``; returns a :class:`GLMResult`. ``tol``: the gap
    relative to the deviance of the intercept-only model (``b = 0`` without an
    intercept), :func:`null_deviance`. ``verbose > 0`` prints each step's gap."""
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
    epochs = 0
    gap, primal = duality_gap(family, X, y, s, eta, w, l1, l2, pen)
    inner_gap, n_iter = _INNER_FRACTION * gap, 0
    while gap > tol_gap and n_iter < max_iter:
        n_iter += 1
        mu = family.mean(eta)
        v = np.maximum(family.variance(mu), _MIN_VARIANCE)
        h = s * v
        z = eta + (y - mu) / v
        inner = _weighted_enet(X, z, h, fit_intercept, l1, l2, pen, w, inner_gap,
                               inner_max_iter)
        epochs += inner.n_iter
        step = _line_search(family, X, y, s, eta, w, b, inner, mu, primal, l1, l2,
                            pen)
        if step is None:  # no decrease along the step: solve the model tighter
            if inner.at_floor:
                break
            inner_gap *= 1e-2
            continue
        w, b, eta = step
        if fit_intercept:
            c = family.intercept_shift(y, s, eta)
            b, eta = b + c, eta + c
        gap, primal = duality_gap(family, X, y, s, eta, w, l1, l2, pen)
        inner_gap = min(inner_gap, _INNER_FRACTION * gap)
        _report(verbose, n_iter, primal, gap, tol_gap, epochs)
    return GLMResult(coef=w, intercept=b, dual_gap=gap, n_iter=n_iter,
                     n_epochs=epochs, converged=bool(gap <= tol_gap))


@dataclass
class _InnerSolution:
    coef: np.ndarray
    intercept: float
    n_iter: int
    at_floor: bool  # solved at the tightest tolerance (_MIN_INNER_TOL)


def _weighted_enet(X, z, h, fit_intercept, l1, l2, pen, w0, gap, max_iter):
    """The quadratic model's minimizer, ``1/2 sum_i h_i (z_i - x_i.w - b)^2 +
    penalties``, to a duality gap of ``gap``: the weighted elastic net that
    ``Problem`` rescales (weights summing to n: the penalties and the gap over
    ``sum(h)``), whose solver's ``tol`` is relative to the weighted variance of
    ``z``."""
    problem = Problem(X, z[:, None], h, fit_intercept, True)
    scale = float(h.sum())
    unit = float(problem.yty()[0]) / problem.n  # the solver's gap per unit of tol
    tol = gap / scale / unit if unit > 0 else _MIN_INNER_TOL
    at_floor = not tol > _MIN_INNER_TOL
    tol = min(max(tol, _MIN_INNER_TOL), _MAX_INNER_TOL)
    opts = SolverOptions(solver="cd", tol=tol, max_iter=max_iter, anderson="auto",
                         precompute=False, penalty_factor=pen.factor,
                         lower_bounds=pen.lower, upper_bounds=pen.upper)
    result = make_solver(opts, problem).solve(
        np.array([l1 / scale]), np.array([l2 / scale]), w0[None, :].copy(),
        warn=False)[0]  # (the solver updates its starting point in place)
    coef = result.coef
    intercept = (float(problem.y_offset[0] - coef @ problem.X_offset)
                 if fit_intercept else 0.0)
    return _InnerSolution(coef, intercept, result.n_iter, at_floor)


def _line_search(family, X, y, s, eta, w, b, inner, mu, primal, l1, l2, pen):
    """``(w, b, eta)`` a step of the way to the model's minimizer (see
    :func:`_step_size`); None if the step does not descend."""
    d_w = inner.coef - w
    d_b = inner.intercept - b
    d_eta = _linear_predictor(X, d_w) + d_b
    predicted = float(s @ ((mu - y) * d_eta)) + penalty_value(
        inner.coef, l1, l2, pen) - penalty_value(w, l1, l2, pen)

    def value_at(t):
        return float(s @ family.loss(y, eta + t * d_eta)) + penalty_value(
            w + t * d_w, l1, l2, pen)

    t = _step_size(value_at, primal, predicted)
    if t is None:
        return None
    return w + t * d_w, b + t * d_b, eta + t * d_eta


def _step_size(value_at, primal, predicted):
    """``t``, halved from 1 until ``value_at(t)`` is below ``primal`` by a fraction
    of ``t * predicted`` (the model's predicted change); None if the step does not
    descend. A change too small for ``F`` to show in floating point (of either
    sign, by rounding) takes the full step: that happens near the solution, where
    the full Newton step is the accurate one (the gap then checks it)."""
    if abs(predicted) <= _UNMEASURABLE * abs(primal):
        return 1.0
    if not predicted < 0.0:
        return None
    t = 1.0
    while t > 1e-10:
        if value_at(t) <= primal + _ARMIJO * t * predicted:
            return t
        t *= 0.5
    return None


def _report(verbose, n_iter, value, measure, target, epochs=None):
    """One line per iteration with ``verbose > 0``: the objective and the stopping
    measure (gap or largest gradient entry) against its target."""
    if verbose:
        more = "" if epochs is None else f", {epochs} CD epochs so far"
        print(f"iteration {n_iter}: objective {value:.10g}, stopping measure "
              f"{measure:.3g} (target {target:.3g}){more}", flush=True)


def _linear_predictor(X, w):
    """``X @ w`` as a float64 ndarray (``w`` a vector, or one column per class)."""
    out = np.asarray(X @ w, dtype=np.float64)
    return out.reshape(-1) if w.ndim == 1 else out


# ------------------------------------------------------------------------ multinomial


class Multinomial:
    """``Y`` of shape (n, K), one-hot class indicators (or probabilities); the
    linear predictors ``Eta = X W' + b`` (n, K); mean ``softmax(Eta)``; the loss
    ``logsumexp(eta_i) - Y_i . eta_i`` (scikit-learn's multinomial loss)."""

    name = "multinomial"

    @staticmethod
    def loss(Y, Eta):
        return logsumexp(Eta, axis=1) - np.einsum("ik,ik->i", Y, Eta)

    @staticmethod
    def mean(Eta):
        return softmax(Eta, axis=1)

    @staticmethod
    def conjugate(U):
        """Negative entropy of each row of ``U`` (in the simplex)."""
        return xlogy(U, U).sum(axis=1)

    @staticmethod
    def intercept_shift(Y, s, Eta):
        """``c`` (K,) minimizing ``sum_i s_i loss(Y_i, Eta_i + c)``: Newton's method
        (the Hessian ``sum_i s_i (diag(P_i) - P_i P_i')`` is singular along the
        ones, so the least-norm step), halved until the loss decreases."""
        c = np.zeros(Eta.shape[1])
        target = s @ Y
        before = s @ Multinomial.loss(Y, Eta)
        for _ in range(100):
            P = softmax(Eta + c, axis=1)
            g = s @ P - target
            if np.max(np.abs(g)) <= 1e-15:
                break
            H = np.diag(s @ P) - (P * s[:, None]).T @ P
            step = np.linalg.lstsq(H, g, rcond=None)[0]
            value = s @ Multinomial.loss(Y, Eta + c - step)
            # halve while the loss rises by more than rounding (near the minimum
            # the full Newton step is the accurate one and the loss cannot show it)
            while value - before > _UNMEASURABLE * abs(before) and np.any(step):
                step = 0.5 * step
                value = s @ Multinomial.loss(Y, Eta + c - step)
            if not np.any(step):
                break
            c, before = c - step, min(value, before)
        return c


def multinomial_gap(X, Y, s, Eta, W, l1, l2, pen):
    """``(gap, F(W, b))`` of the multinomial problem (the module's gap with
    ``theta = s (Y - P)``, one column per class, and the negative entropy as
    ``f*``); ``Eta`` should hold the exact intercepts for ``W``."""
    from .._kernels.gap import _dual_value  # (imports numba: see _jit.py)

    P = Multinomial.mean(Eta)
    theta = s[:, None] * (Y - P)
    XtR = xt_dot(X, theta)  # (p, K)
    primal = float(s @ Multinomial.loss(Y, Eta)) + sum(
        penalty_value(w, l1, l2, pen) for w in W)
    if l1 == 0.0 and l2 == 0.0:  # no penalty: the Newton decrement, as above
        return _multinomial_decrement(X, s, P, XtR), primal
    a_lasso = _lasso_scale(XtR, l1, pen)
    idx = np.arange(W.shape[1])
    dual = -np.inf
    for a in _dual_scales(a_lasso, l2):
        value = -float(s @ Multinomial.conjugate((1.0 - a) * Y + a * P))
        for k in range(W.shape[0]):
            value += _dual_value(np.ascontiguousarray(XtR[:, k]), 0.0, 0.0, idx, a,
                                 l1, l2, pen)
        dual = max(dual, value)
    return max(primal - dual, 0.0), primal


def _multinomial_decrement(X, s, P, XtR):
    """``g' H^+ g / 2`` of the unpenalized multinomial loss in ``(W, b)``: ``H``
    is the sum over samples of ``(diag(P_i) - P_i P_i') (x) x_i x_i'`` (with the
    intercept's coordinate), ``g = -X'theta`` and 0 for the exact intercepts."""
    Xd = X.toarray() if sparse.issparse(X) else np.asarray(X, dtype=np.float64)
    Xb = np.hstack([Xd, np.ones((Xd.shape[0], 1))])  # (n, p + 1)
    K, q = P.shape[1], Xb.shape[1]
    H = np.zeros((K, q, K, q))
    for k in range(K):
        for m in range(k, K):
            c = s * P[:, k] * ((k == m) - P[:, m])
            block = (Xb * c[:, None]).T @ Xb
            H[k, :, m, :] = block
            H[m, :, k, :] = block.T
    g = np.vstack([XtR, np.zeros((1, K))]).T.ravel()  # (K, p + 1), flattened
    H = H.reshape(K * q, K * q)
    return max(0.5 * float(g @ np.linalg.lstsq(H, g, rcond=None)[0]), 0.0)


def multinomial_solve(X, Y, sample_weight, fit_intercept, l1, l2, pen, coef0,
                      intercept0=None, *, tol=1e-4, max_iter=100, inner_max_iter=1000):
    """Minimize the multinomial ``F`` (one coefficient row per class, the penalty
    on every entry) by proximal Newton steps one class at a time (glmnet's
    "ungrouped" multinomial): each step replaces the loss, as a function of the
    class's linear predictor with the others fixed, by its quadratic model (weights
    ``s P_k (1 - P_k)``), solves that weighted elastic net by coordinate descent
    and searches along it; after each sweep over the classes the intercepts are set
    to their exact minimizer. Stops on :func:`multinomial_gap` relative to the
    null model's deviance. ``coef0`` (K, p); returns a :class:`GLMResult` whose
    ``coef`` is (K, p) and ``intercept`` (K,)."""
    n = X.shape[0]
    sw = np.ones(n) if sample_weight is None else np.asarray(sample_weight, float)
    s = sw / sw.sum()
    Y = np.asarray(Y, dtype=np.float64)
    W = np.array(coef0, dtype=np.float64)
    K = W.shape[0]
    b = np.zeros(K) if (intercept0 is None or not fit_intercept) else np.array(
        intercept0, dtype=np.float64)
    Eta = _linear_predictor(X, W.T) + b
    null_eta = np.zeros((n, K))
    if fit_intercept:
        c = Multinomial.intercept_shift(Y, s, Eta)
        b, Eta = b + c, Eta + c
        null_eta += Multinomial.intercept_shift(Y, s, null_eta)
    tol_gap = tol * null_deviance(Multinomial, Y, s, null_eta)
    gap, primal = multinomial_gap(X, Y, s, Eta, W, l1, l2, pen)
    inner_gap, epochs, n_iter = _INNER_FRACTION * gap, 0, 0
    while gap > tol_gap and n_iter < max_iter:
        n_iter += 1
        moved = False
        for k in range(K):
            step = _class_step(X, Y, s, Eta, W, b, k, primal, l1, l2, pen,
                               fit_intercept, inner_gap, inner_max_iter)
            at_floor = step[-1]
            if step[0] is None:
                continue
            primal, n_epochs = step[:2]
            epochs += n_epochs
            moved = True
        if fit_intercept:
            c = Multinomial.intercept_shift(Y, s, Eta)
            b += c
            Eta += c
        previous = gap
        gap, primal = multinomial_gap(X, Y, s, Eta, W, l1, l2, pen)
        if not moved or gap >= previous:  # the models' solves limit progress
            if at_floor:
                break
            inner_gap *= 1e-2
        else:
            inner_gap = min(inner_gap, _INNER_FRACTION * gap)
    return GLMResult(coef=W, intercept=b, dual_gap=gap, n_iter=n_iter,
                     n_epochs=epochs, converged=bool(gap <= tol_gap))


def _class_step(X, Y, s, Eta, W, b, k, primal, l1, l2, pen, fit_intercept, tol,
                max_iter):
    """One proximal Newton step on class ``k`` (``W``, ``b`` and ``Eta`` updated in
    place); returns ``(F, epochs, at_floor)``, ``F`` None if it does not descend
    (``at_floor``: the inner solve was at its tightest tolerance)."""
    P = Multinomial.mean(Eta)
    p_k = P[:, k]
    v = np.maximum(p_k * (1.0 - p_k), _MIN_VARIANCE)
    z = Eta[:, k] + (Y[:, k] - p_k) / v
    inner = _weighted_enet(X, z, s * v, fit_intercept, l1, l2, pen, W[k], tol,
                           max_iter)
    d_w, d_b = inner.coef - W[k], inner.intercept - b[k]
    d_eta = _linear_predictor(X, d_w) + d_b
    g_k = penalty_value(W[k], l1, l2, pen)
    rest = primal - float(s @ Multinomial.loss(Y, Eta)) - g_k  # the other rows
    predicted = float(s @ ((p_k - Y[:, k]) * d_eta)) + penalty_value(
        inner.coef, l1, l2, pen) - g_k

    def value_at(t):
        Eta_t = Eta.copy()
        Eta_t[:, k] += t * d_eta
        return (float(s @ Multinomial.loss(Y, Eta_t)) + rest
                + penalty_value(W[k] + t * d_w, l1, l2, pen))

    t = _step_size(value_at, primal, predicted)
    if t is None:
        return None, inner.n_iter, inner.at_floor
    W[k] += t * d_w
    b[k] += t * d_b
    Eta[:, k] += t * d_eta
    return value_at(0.0), inner.n_iter, inner.at_floor


def _dual_scales(a_lasso, l2):
    """The scales of the dual points tried: the lasso's, and 1 where its
    conjugate is finite (with l2)."""
    return [a_lasso] if (l2 == 0.0 and a_lasso < 1.0) else sorted({a_lasso, 1.0})


def _lasso_scale(XtR, l1, pen):
    """The largest ``a <= 1`` with ``|a XtR_jk| <= l1 factor_j`` wherever the
    coefficient may grow without bound in that direction (1 without l1)."""
    if l1 == 0.0:
        return 1.0
    XtR = XtR.reshape(XtR.shape[0], -1)
    lower, upper = pen.lower[:, None], pen.upper[:, None]
    towards = ((upper == np.inf) & (XtR > 0)) | ((lower == -np.inf) & (XtR < 0))
    limit = towards & (pen.factor[:, None] > 0) & (np.abs(XtR) > l1
                                                     * pen.factor[:, None])
    if not limit.any():
        return 1.0
    factor = np.broadcast_to(pen.factor[:, None], XtR.shape)
    return float(np.min(l1 * factor[limit] / np.abs(XtR[limit])))


# ----------------------------------------- smooth problems (no l1): lbfgs, Newton


def smooth_solve(family, X, y, sample_weight, fit_intercept, l2, pen, coef0,
                 intercept0=0.0, *, method="lbfgs", tol=1e-4, max_iter=100,
                 verbose=0):
    """Minimize ``F`` without l1 (``l1 = 0``) as scikit-learn's GLM solvers do:
    ``"lbfgs"`` (scipy's L-BFGS-B on ``(w, b)``, within the bounds; its
    projected-gradient tolerance is ``tol``) or ``"newton-cholesky"`` (Newton's
    method with a Cholesky solve of the ``(p + 1)``-square Hessian and a
    backtracking line search, stopped after a step that leaves the largest
    gradient entry and half the Newton decrement at most ``tol``). Returns a
    :class:`GLMResult` (``n_epochs`` = 0) whose gap is the duality gap of ``F``
    (after the exact intercept). ``verbose > 0`` prints each iteration's objective
    and largest gradient entry."""
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
        def callback(intermediate_result):
            value_grad.n_iter += 1
            v = intermediate_result.x
            _report(verbose, value_grad.n_iter, intermediate_result.fun,
                    np.max(np.abs(value_grad(v)[1])), tol)

        value_grad.n_iter = 0
        res = optimize.minimize(
            value_grad, v0[:k], jac=True, method="L-BFGS-B", bounds=bounds,
            callback=callback if verbose else None,
            options=dict(maxiter=max_iter, maxls=50, gtol=tol,
                         ftol=64 * np.finfo(float).eps))
        v, n_iter, converged = res.x, int(res.nit), bool(res.success)
    else:
        v, n_iter, converged = _newton_cholesky(family, X, y, s, l2, pen, v0[:k],
                                                value_grad, tol, max_iter, verbose)
    w, b = v[:p].copy(), (float(v[p]) if fit_intercept else 0.0)
    eta = _linear_predictor(X, w) + b
    if fit_intercept:  # the gap's dual point needs the exact intercept
        c = family.intercept_shift(y, s, eta)
        if s @ family.loss(y, eta + c) <= s @ family.loss(y, eta):
            b, eta = b + c, eta + c
    gap, _ = duality_gap(family, X, y, s, eta, w, 0.0, l2, pen)
    return GLMResult(coef=w, intercept=b, dual_gap=gap, n_iter=n_iter, n_epochs=0,
                     converged=converged)


def _newton_cholesky(family, X, y, s, l2, pen, v, value_grad, tol, max_iter,
                     verbose=0):
    """Newton's method on the smooth ``F``: ``H d = -g``, ``H`` the Hessian of
    ``(w, b)`` (a Cholesky solve), halving the step until ``F`` decreases
    (Armijo). A singular or ill-conditioned ``H`` (collinear features without l2)
    warns, as scikit-learn's solver does, and the iterations left go to L-BFGS."""
    import warnings

    from scipy import linalg, optimize

    p = X.shape[1]
    k = v.shape[0]
    value, grad = value_grad(v)
    for n_iter in range(1, max_iter + 1):
        eta = _linear_predictor(X, v[:p]) + (v[p] if k > p else 0.0)
        H = _hessian(X, s * family.variance(family.mean(eta)), k > p)
        H[:p, :p] += np.diag(l2 * pen.factor)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", linalg.LinAlgWarning)
                d = -linalg.solve(H, grad, assume_a="pos", check_finite=False)
        except (linalg.LinAlgError, linalg.LinAlgWarning):
            warnings.warn(
                "The inner solver of NewtonCholeskySolver stumbled upon a singular "
                f"or very ill-conditioned Hessian matrix at iteration {n_iter}. It "
                "will now resort to lbfgs instead. (Collinear features without an "
                "l2 penalty: alpha > 0 or removing the collinear columns avoids "
                "it.)", linalg.LinAlgWarning, stacklevel=4)
            res = optimize.minimize(
                value_grad, v, jac=True, method="L-BFGS-B",
                options=dict(maxiter=max_iter - n_iter + 1, maxls=50, gtol=tol,
                             ftol=64 * np.finfo(float).eps))
            return res.x, n_iter - 1 + int(res.nit), bool(res.success)
        t = _step_size(lambda t, v=v, d=d: value_grad(v + t * d)[0], value,
                       grad @ d)
        if t is None:
            return v, n_iter, False
        v = v + t * d
        value, grad = value_grad(v)
        _report(verbose, n_iter, value, np.max(np.abs(grad)), tol)
        # scikit-learn's test, after the step: the gradient and the Newton
        # decrement d'H d / 2 both at most tol
        if np.max(np.abs(grad)) <= tol and 0.5 * (d @ H @ d) <= tol:
            return v, n_iter, True
    return v, max_iter, False
