"""A whole regularization path of coordinate descent in one compiled call.

With a Gram matrix, an alpha of a warm-started path often takes a few epochs of
``O(p)`` each, less than the driver of ``cd.py`` costs in Python per call (about
50 microseconds: the residual, the gap, screening, the loop's arguments). For the
plain cyclic case -- every feature (no working sets), no random order, no
unpenalized features, no Newton steps -- :func:`solve_plain` is the loop of
``cd.cd_solve`` with those strategies, compiled: the same steps (the gap at the
start, gap safe screening, ``_kernels.epochs.epochs`` with its gap checks and
extrapolation) and the same rules, each written once and compiled from its Python
source here (``cd.stopped``, ``cd.extrapolation_step``,
``objective.screen_radius``). :func:`path` runs it for every alpha; like the
kernels, both are generic over the data layout. ``test_path`` checks that the two
drivers give the same path.
"""

import numpy as np

from .._jit import guard_caches, njit
from .._kernels.epochs import _look, anderson_buffers, epochs, gap_terms, zero_out
from .._kernels.gap import screen_keep
from .cd import _MAX_CHECKS, _WS_MIN_FEATURES, creep_epochs, extrapolation_step, stopped
from .objective import screen_radius

_rule = njit(cache=True, nogil=True, inline="always")
_stopped = _rule(stopped)
_extrapolation_step = _rule(extrapolation_step)
_screen_radius = _rule(screen_radius)


@njit(cache=True, nogil=True, inline="always")
def _gap(data, R, state, w, active, a, b, pen, XtR):
    """The loops' look at the gap (``epochs._look``) at ``w``."""
    return _look(XtR, gap_terms(data, R, state, w, active, XtR), w, active, a, b, pen)


@njit(cache=True, nogil=True)
def solve_plain(data, R, state, w, usable, col_norms, a, b, pen, screen, positive,
                tol, target, max_iter, creep, extrapolate, late, XtR, rng):
    """One alpha from the warm start ``w`` (``R``, ``state``: its residual; all
    updated in place), the sum scaling's ``a = n l1``, ``b = n l2`` and stopping
    ``target``. Returns (gap, epochs, converged, extrapolated), the gap in the sum
    scaling."""
    active = usable
    gap, primal, value, scale = _gap(data, R, state, w, active, a, b, pen, XtR)
    n_iter = 0
    converged = gap <= target
    anderson = extrapolate
    while not converged and n_iter < max_iter:
        if screen:
            kept, removed = screen_keep(XtR, col_norms, active, scale,
                                        _screen_radius(primal, value), a, positive)
            if removed.shape[0] > 0:
                zero_out(data, R, state, w, removed)
                active = kept
        anderson, budget = _extrapolation_step(extrapolate, late, creep, n_iter,
                                               max_iter - n_iter)
        if anderson and active.shape[0] >= 2:
            run = epochs(data, R, state, w, active, a, b, pen, False, rng, budget, tol,
                         XtR, target, 0, _MAX_CHECKS,
                         anderson_buffers(active.shape[0], R.shape[0]))
        else:
            run = epochs(data, R, state, w, active, a, b, pen, False, rng, budget, tol,
                         XtR, target, 0, _MAX_CHECKS, None)
        n_iter += run.epochs
        if run.looked:  # the loop ended on a look at the gap at w
            gap, primal, value, scale = run.gap, run.primal, run.dual, run.scale
        else:
            gap, primal, value, scale = _gap(data, R, state, w, active, a, b, pen, XtR)
        converged = _stopped(gap, target, run.met, run.small)
        if not np.isfinite(gap):
            break
    return gap, n_iter, converged, anderson


@njit(cache=True, nogil=True)
def path(data, R, state, w, usable, col_norms, n, l1s, l2s, pen, screen, positive,
         tol, target, max_iter, creep, anderson, auto, coefs, gaps, n_iters,
         converged):
    """Warm-started solves for ``l1s[i], l2s[i]`` in order, from ``w`` (updated,
    with its residual ``R`` and ``state``). ``anderson``: extrapolate from the
    first epoch; ``auto``: after ``creep`` plain epochs, then from the first epoch
    of the next alphas. Fills ``coefs`` (p, n_alphas), ``gaps`` (divided by
    ``n``), ``n_iters`` and ``converged``."""
    XtR = np.zeros(w.shape[0])
    rng = np.ones(1, dtype=np.uint64)
    crept = False
    for i in range(l1s.shape[0]):
        extrapolate = anderson or crept
        gap, n_iter, conv, extrapolated = solve_plain(
            data, R, state, w, usable, col_norms, n * l1s[i], n * l2s[i], pen,
            screen and l1s[i] > 0.0, positive, tol, target, max_iter, creep,
            extrapolate, auto and not extrapolate, XtR, rng)
        crept = auto and extrapolated
        coefs[:, i] = w
        gaps[i] = gap / n
        n_iters[i] = n_iter
        converged[i] = conv


def path_solver(design, targets, pen, plain, tol, max_iter, anderson):
    """``path(l1s, l2s, W) -> (coefs, gaps, n_iters, converged)`` for a
    ``cd.GramDesign`` (``targets``: its ``(q, yty)`` per target; ``W`` the warm
    starts, one row per target, updated), or None where :func:`path` does not
    apply: beyond ``cd._WS_MIN_FEATURES`` features the driver uses working sets.
    The caller excludes random order and unpenalized features."""
    usable = design.usable
    if usable.size > _WS_MIN_FEATURES:
        return None
    n = design.n
    creep = creep_epochs(n, usable.size)
    screen, positive = plain

    def solve(l1s, l2s, W):
        k, p, m = len(targets), W.shape[1], len(l1s)
        coefs, gaps = np.empty((k, p, m)), np.empty((k, m))
        n_iters, converged = np.empty((k, m), dtype=np.int64), np.empty((k, m), bool)
        for t, y in enumerate(targets):
            data = design.data(y)
            w = np.ascontiguousarray(W[t], dtype=np.float64)
            if positive or not screen:  # into the bounds, as cd_solve starts
                np.clip(w, pen.lower, pen.upper, out=w)
            w[design.norms2 <= 0.0] = 0.0
            R, state = design.residual(data, w)
            path(data, R, state, w, usable, design.col_norms, n, l1s, l2s, pen,
                 screen, positive, float(tol), float(tol * design.y_norm2(data)),
                 int(max_iter), int(creep), anderson is True, anderson == "auto",
                 coefs[t], gaps[t], n_iters[t], converged[t])
        return coefs, gaps, n_iters, converged

    return solve


guard_caches(globals())  # a corrupt cache file recompiles (see _jit.py)
