"""A whole regularization path of Gram coordinate descent in one jitted call.

With a Gram matrix, an alpha of a warm-started path often takes a few epochs of
``O(p)`` each, less than the driver of ``cd.py`` costs in Python per call (about
50 microseconds: the residual, the gap, screening, the loop's arguments). For the
plain cyclic case -- no random order, no unpenalized features -- :func:`gram_path`
runs that driver's steps for every alpha without returning to Python: the gap at
the warm start, gap safe screening, ``_kernels.gram.gram_epochs`` (its gap checks and,
for ``anderson``, its extrapolation), the double stopping test, and ``"auto"``'s
switch to extrapolation after ``creep`` plain epochs, kept for the next alphas once
made. ``cd.cd_solve`` documents the rules; ``test_path`` checks that both give the
same path.
"""

import numpy as np

from .._jit import guard_caches, njit
from .._kernels.epochs import _look, anderson_buffers
from .._kernels.gap import screen_keep
from .._kernels.gram import gram_epochs, gram_gap_terms, gram_zero_out
from .cd import _MAX_CHECKS, _WS_MIN_FEATURES, creep_epochs
from .objective import SCREEN_SLACK


@njit(cache=True, nogil=True, inline="always")
def _gap(G, q, yty, Gw, w, active, a, b, pen, XtR):
    """The loops' look at the gap (``epochs._look``) on a Gram design."""
    return _look(XtR, gram_gap_terms(q, Gw, w, yty, active, XtR), w, active, a, b,
                 pen)


@njit(cache=True, nogil=True)
def _solve_one(G, q, yty, Gw, w, usable, col_norms, n, l1, l2, pen, screen,
               positive, tol, max_iter, creep, extrapolate, late, XtR, rng):
    """One alpha from the warm start ``w`` (``Gw = G w``, updated in place).
    Returns (gap, epochs, converged, extrapolated), the gap divided by ``n``."""
    a, b = n * l1, n * l2
    target = tol * yty  # n * (tol * ||y||^2 / n), in the sum scaling
    active = usable
    gap, primal, value, scale = _gap(G, q, yty, Gw, w, active, a, b, pen, XtR)
    n_iter = 0
    converged = gap <= target
    anderson = extrapolate
    while not converged and n_iter < max_iter:
        if screen:
            radius = np.sqrt(2.0 * (max(primal - value, 0.0)
                                    + SCREEN_SLACK * abs(primal)))
            kept, removed = screen_keep(XtR, col_norms, active, scale, radius, a,
                                        positive)
            if removed.shape[0] > 0:
                gram_zero_out(G, Gw, w, removed)
                active = kept
        budget = max_iter - n_iter
        if late:
            anderson = n_iter >= creep
            if not anderson:
                budget = min(budget, creep - n_iter)
        if anderson and active.shape[0] >= 2:
            run = gram_epochs(
                G, Gw, q, yty, w, active, a, b, pen, False, rng, budget, tol, XtR,
                target, 0, _MAX_CHECKS, anderson_buffers(active.shape[0], Gw.shape[0]))
        else:
            run = gram_epochs(
                G, Gw, q, yty, w, active, a, b, pen, False, rng, budget, tol, XtR,
                target, 0, _MAX_CHECKS, None)
        n_iter += run.epochs
        if run.looked:  # the loop ended on a look at the gap at w
            gap, primal, value, scale = run.gap, run.primal, run.dual, run.scale
        else:
            gap, primal, value, scale = _gap(G, q, yty, Gw, w, active, a, b, pen,
                                             XtR)
        converged = (gap <= target or run.met) and run.small
        if not np.isfinite(gap):
            break
    return gap / n, n_iter, converged, anderson


@njit(cache=True, nogil=True)
def gram_path(G, q, yty, w, usable, col_norms, n, l1s, l2s, pen, screen, positive,
              tol, max_iter, creep, anderson, auto, coefs, gaps, n_iters, converged):
    """Warm-started solves for ``l1s[i], l2s[i]`` in order, from ``w`` (updated).
    ``anderson``: extrapolate from the first epoch; ``auto``: after ``creep``
    plain epochs, then from the first epoch of the next alphas. Fills ``coefs``
    (p, n_alphas), ``gaps``, ``n_iters`` and ``converged``."""
    p = w.shape[0]
    Gw = np.zeros(p)
    for j in range(p):
        if w[j] != 0.0:
            for k in range(p):
                Gw[k] += w[j] * G[j, k]
    XtR = np.zeros(p)
    rng = np.ones(1, dtype=np.uint64)
    crept = False
    for i in range(l1s.shape[0]):
        use_screen = screen and l1s[i] > 0.0
        extrapolate = anderson or crept
        gap, n_iter, conv, extrapolated = _solve_one(
            G, q, yty, Gw, w, usable, col_norms, n, l1s[i], l2s[i], pen, use_screen,
            positive, tol, max_iter, creep, extrapolate, auto and not extrapolate,
            XtR, rng)
        crept = auto and extrapolated
        coefs[:, i] = w
        gaps[i] = gap
        n_iters[i] = n_iter
        converged[i] = conv


def path_solver(design, targets, pen, plain, tol, max_iter, anderson):
    """``path(l1s, l2s, W) -> (coefs, gaps, n_iters, converged)`` for a
    ``cd.GramDesign`` (``targets``: its ``(q, yty)`` per target; ``W`` the warm
    starts, one row per target, updated), or None where :func:`gram_path` does not
    apply: beyond ``cd._WS_MIN_FEATURES`` features the driver uses working sets.
    The caller excludes random order and unpenalized features."""
    usable = design.usable
    if usable.size > _WS_MIN_FEATURES:
        return None
    n = design.n
    creep = creep_epochs(n, usable.size)
    screen, positive = plain

    def path(l1s, l2s, W):
        k, p, m = len(targets), W.shape[1], len(l1s)
        coefs, gaps = np.empty((k, p, m)), np.empty((k, m))
        n_iters, converged = np.empty((k, m), dtype=np.int64), np.empty((k, m), bool)
        for t, (q, yty) in enumerate(targets):
            w = np.ascontiguousarray(W[t], dtype=np.float64)
            if positive or not screen:  # into the bounds, as cd_solve starts
                np.clip(w, pen.lower, pen.upper, out=w)
            w[design.norms2 <= 0.0] = 0.0
            gram_path(design.G, q, float(yty), w, usable, design.col_norms, n,
                      l1s, l2s, pen, screen, positive, float(tol), int(max_iter),
                      int(creep), anderson is True, anderson == "auto", coefs[t],
                      gaps[t], n_iters[t], converged[t])
        return coefs, gaps, n_iters, converged

    return path


guard_caches(globals())  # a corrupt cache file recompiles (see _jit.py)
