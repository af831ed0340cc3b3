"""Proximal gradient solvers: ISTA and FISTA with adaptive restart.

They minimize the problem of ``objective.py``, written on the centered, weighted data
of :class:`~sparsereg._solvers.problem.Problem` as

    P(w) = 1/(2n) ||b - A w||^2  +  l1 ||w||_1 + l2/2 ||w||^2
           `------ f(w) -------'    `------- g(w) -------'

with ``A = S^1/2 X_c`` and ``b = S^1/2 y_c``. The l2 term is kept *inside the prox*
(``g``), so the step size is ``1/L`` with ``L = ||A||_2^2 / n`` whatever ``l2``, and the
prox is the elastic-net one of ``objective.prox_enet``. All targets are solved at once
(``W`` has one column per target), which turns the two products of an iteration into
matrix products.

Each iteration computes ``G = A' (b - A V)`` at the point ``V`` where the gradient is
taken (``V = W`` for ISTA, the extrapolated point for FISTA); the same ``G`` gives the
duality gap of ``V`` for free, so every iteration is a gap check. A target stops, with
``V`` as its solution, when that gap is at most ``tol * ||b||^2 / n`` and the prox
step from ``V`` moved no coefficient by more than ``tol * max|V|`` -- the two
conditions of the coordinate-descent solver, so that ``tol`` means the same for both.
"""

import numpy as np

from .objective import duality_gap, feature_penalty, prox_enet
from .result import SolverResult

# The power iteration only needs L to within a few percent: the estimate gets a 2%
# margin and back-tracking repairs the rare underestimate (measured: a tolerance of
# 1e-7 never stopped before 100 iterations, a third of FISTA's time on benchmarks).
_POWER_ITERATIONS = 50
_POWER_RTOL = 1e-3
_POWER_MARGIN = 1.02
_BACKTRACK = 1.5
# A step size below 1 / (1.5**100) of the power-iteration estimate means the
# objective is not finite (overflow), not that L was underestimated.
_MAX_BACKTRACKS = 100
_CHECK_EVERY = 10  # with positive=True, FISTA's V may be infeasible: check W then


def lipschitz_constant(A, n):
    """``||A||_2^2 / n`` by power iteration on ``A'A`` (deterministic start), with a
    2% margin.

    Power iteration approaches the top eigenvalue from below; the solvers back-track
    (multiply ``L`` by 1.5) whenever the estimate turns out too small.
    """
    p = A.shape[1]
    v = np.random.default_rng(0).standard_normal(p)
    v /= np.linalg.norm(v)
    sigma2 = 0.0
    for _ in range(_POWER_ITERATIONS):
        u = A.rmatvec(A.matvec(v))
        norm = float(np.linalg.norm(u))
        if norm == 0.0:
            return 0.0
        converged = abs(norm - sigma2) <= _POWER_RTOL * norm
        sigma2, v = norm, u / norm
        if converged:
            break
    return _POWER_MARGIN * sigma2 / n


def prox_grad_solve(A, B, l1, l2, W, *, accelerated=True, positive=False,
                    max_iter=1000, tol=1e-4, lipschitz=None, pen=None, project=None):
    """Minimize ``P`` for every column of ``B`` by ISTA (or FISTA if ``accelerated``).

    Parameters
    ----------
    A : LinearOperator of shape (n, p)
    B : ndarray of shape (n, k)
    l1, l2 : ndarray of shape (k,)
        Penalties of each target.
    W : ndarray of shape (p, k)
        Starting point (warm start); not modified.
    lipschitz : float, default=None
        ``||A||^2 / n`` if already known (a path computes it once).
    pen : Penalty, default=None
        Penalty factors and bounds (see ``objective.feature_penalty``; default:
        from ``positive``).
    project : callable, default=None
        ``project(k, XtR, w, R_norm2, Ry)``: the gap terms of target k projected
        off the unpenalized columns (``dispatch.Unpenalized``).

    Returns
    -------
    results : list of SolverResult, one per target
        ``n_iter`` is the number of gradient steps taken when the target stopped.
    """
    n, p = A.shape
    k = B.shape[1]
    l1, l2 = np.broadcast_to(l1, (k,)), np.broadcast_to(l2, (k,))
    tol_gap = tol * np.einsum("ij,ij->j", B, B) / n
    if lipschitz is None:
        lipschitz = lipschitz_constant(A, n)
    L = max(lipschitz, np.finfo(float).tiny)
    if pen is None:
        pen = feature_penalty(p, positive)
    lo, hi = pen.lower[:, None], pen.upper[:, None]
    W = np.clip(np.array(W, dtype=np.float64), lo, hi)
    R = B - A.matmat(W)
    W_prev, R_prev = W, R
    t = 1.0
    track = _Tracker(k, p)
    active = np.arange(k)  # targets still running
    for it in range(max_iter):
        if accelerated:
            t_next = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
            beta = (t - 1.0) / t_next
        else:
            t_next, beta = 1.0, 0.0
        # V = W + beta (W - W_prev), and by linearity R_V = b - A V
        V = W + beta * (W - W_prev) if beta else W
        R_V = R + beta * (R - R_prev) if beta else R
        G = A.rmatmat(R_V)  # = -n * grad f(V)
        W_new, R_new, L = _prox_step(A, B, V, R_V, G, L, l1, l2, n, pen)
        if bool(((V >= lo) & (V <= hi)).all()):
            track.check(active, it, V, G, R_V, W_new - V, B, l1, l2, n, pen, tol,
                        tol_gap, project)
        elif it % _CHECK_EVERY == 0:  # certify the (feasible) iterate W instead
            track.check(active, it, W, A.rmatmat(R), R, W - W_prev, B, l1, l2, n,
                        pen, tol, tol_gap, project)
        active = np.flatnonzero(~track.converged)
        if active.size == 0:
            break
        if accelerated and _should_restart(V, W_new, W):
            t_next = 1.0  # O'Donoghue & Candes: momentum is pushing uphill
        W_prev, R_prev, W, R, t = W, R, W_new, R_new, t_next
    return track.results(it + 1, A, B, W, R, l1, l2, n, pen, project)


def _prox_step(A, B, V, R_V, G, L, l1, l2, n, pen):
    """``W = prox_{g/L}(V - grad f(V) / L)``, growing L until f's upper bound holds.

    The bound ``f(W) <= f(V) + <grad f(V), W - V> + L/2 ||W - V||^2`` is what makes
    ISTA monotone and FISTA's rate hold; it fails only if L underestimates
    ``||A||^2 / n``.
    """
    f_V = 0.5 * np.einsum("ij,ij->j", R_V, R_V) / n
    for _ in range(_MAX_BACKTRACKS):
        W = prox_enet(V + G / (n * L), 1.0 / L, l1, l2, pen=pen)
        R = B - A.matmat(W)
        D = W - V
        f_W = 0.5 * np.einsum("ij,ij->j", R, R) / n
        bound = (f_V - np.einsum("ij,ij->j", G, D) / n
                 + 0.5 * L * np.einsum("ij,ij->j", D, D))
        if np.all(f_W <= bound + 1e-12 * np.maximum(f_V, 1e-300)):
            return W, R, L
        if not (np.all(np.isfinite(f_W)) and np.all(np.isfinite(bound))):
            break
        L *= _BACKTRACK
    raise ValueError(
        "ISTA/FISTA: the objective overflowed (its value or its quadratic bound is "
        "not finite, which happens with entries of X and y near 1e150): rescale X "
        "and y (e.g. with StandardScaler) or use solver='cd'"
    )


def _should_restart(V, W_new, W):
    """Gradient restart test: ``(V - W_new)' (W_new - W) > 0``."""
    return float(np.sum((V - W_new) * (W_new - W))) > 0.0


class _Tracker:
    """Per target: the first point meeting the stopping rule, else the best gap seen."""

    def __init__(self, k, p):
        self.converged = np.zeros(k, dtype=bool)
        self.best_gap = np.full(k, np.inf)
        self.coef = np.zeros((p, k))
        self.n_iter = np.zeros(k, dtype=int)
        self.history = [[] for _ in range(k)]

    def check(self, targets, it, V, G, R, step, B, l1, l2, n, pen, tol, tol_gap,
              project):
        """Duality gap of ``V`` (``G = A'R``, ``R = b - AV``) for each target; a
        target is done when its gap and its last step are both below tol."""
        step = np.abs(step).max(axis=0)
        for j in targets:
            dual = _gap(j, G, R, B, V, l1, l2, n, pen, project)
            small = step[j] <= tol * np.abs(V[:, j]).max(initial=0.0)
            self.record(j, it, V[:, j], dual, dual.gap <= tol_gap[j] and small)

    def record(self, j, it, v, dual, done):
        self.history[j].append((it, dual.primal, dual.gap))
        if done or dual.gap < self.best_gap[j]:
            self.best_gap[j] = dual.gap
            self.coef[:, j] = v
            self.n_iter[j] = it
        if done:
            self.converged[j] = True

    def results(self, n_iter, A, B, W, R, l1, l2, n, pen, project):
        out = []
        G = None
        for j in range(self.converged.size):
            if not self.converged[j]:
                # the last iterate W is feasible: keep it if its gap is the best
                if G is None:
                    G = A.rmatmat(R)
                dual = _gap(j, G, R, B, W, l1, l2, n, pen, project)
                self.history[j].append((n_iter, dual.primal, dual.gap))
                if dual.gap <= self.best_gap[j]:
                    self.best_gap[j], self.coef[:, j] = dual.gap, W[:, j]
                self.n_iter[j] = n_iter
            out.append(SolverResult(coef=self.coef[:, j].copy(),
                                    dual_gap=float(self.best_gap[j]),
                                    n_iter=int(self.n_iter[j]),
                                    converged=bool(self.converged[j]),
                                    history=self.history[j]))
        return out


def _gap(j, G, R, B, V, l1, l2, n, pen, project):
    """Duality gap of target j at ``V[:, j]`` (``G = A'R``)."""
    XtR = G[:, j]
    R_norm2, Ry = R[:, j] @ R[:, j], R[:, j] @ B[:, j]
    projected = None if project is None else project(j, XtR, V[:, j], R_norm2, Ry)
    return duality_gap(XtR, R_norm2, Ry, V[:, j], l1[j], l2[j], n, pen=pen,
                       projected=projected)
