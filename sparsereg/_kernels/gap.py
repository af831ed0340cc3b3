"""The duality gap's sums and gap safe screening (the maths: ``objective.py``)."""

import numpy as np

from .._jit import guard_caches, njit


@njit(cache=True, nogil=True)
def _conjugate(v, a, b, lo, hi):
    """g*(v) = sup over lo <= w <= hi of v w - a|w| - b/2 w^2.

    With ``b = 0`` and an infinite bound, g* is infinite when the slope towards
    that bound is positive (``v > a`` or ``v < -a``): the caller chose the dual
    point so that this does not happen, up to rounding at ``|v| = a``, so only the
    finite candidates (the finite bounds and 0) are compared here."""
    if b > 0.0:
        mag = abs(v) - a
        w = 0.0 if mag <= 0.0 else np.sign(v) * mag / b
        if lo <= w <= hi:
            # the unconstrained maximum, in closed form: v w - a|w| - b/2 w^2 would
            # overflow to inf - inf (or lose its sign) when b is tiny
            return 0.0 if mag <= 0.0 else 0.5 * mag * (mag / b)
        w = min(max(w, lo), hi)
        return v * w - a * abs(w) - 0.5 * b * w * w
    best = -np.inf
    if lo <= 0.0 <= hi:
        best = 0.0
    if lo > -np.inf:
        best = max(best, v * lo - a * abs(lo))
    if hi < np.inf:
        best = max(best, v * hi - a * abs(hi))
    return best


@njit(cache=True, nogil=True)
def _dual_value(XtR, R_norm2, Ry, idx, s, a, b, pen):
    """D(s R) = s R.y - s^2/2 ||R||^2 - sum_j g*_j(s x_j.R); features of penalty
    factor 0 count as orthogonal to R (the caller projected them out)."""
    total = s * Ry - 0.5 * s * s * R_norm2
    for j in idx:
        pf = pen.factor[j]
        v = 0.0 if pf == 0.0 else s * XtR[j]
        total -= _conjugate(v, a * pf, b * pf, pen.lower[j], pen.upper[j])
    return total


@njit(cache=True, nogil=True)
def enet_dual(XtR, R_norm2, Ry, R_norm2_primal, w, idx, a, b, pen):
    """(stopping gap, primal, dual, scale) of ``n * P`` (sum scaling) at ``w``,
    over the features ``idx`` (the others are zero); see
    ``objective.duality_gap``. ``XtR``, ``R_norm2`` and ``Ry`` describe the
    residual the dual points are built from (projected off unpenalized columns, if
    any); ``R_norm2_primal`` is the residual's own squared norm, for the primal.
    ``dual`` and ``scale`` are the best dual point ``scale * R`` (for screening);
    the stopping gap is scikit-learn's (:func:`_stopping_dual`)."""
    p_sum = 0.5 * R_norm2_primal
    for j in idx:
        p_sum += pen.factor[j] * (a * abs(w[j]) + 0.5 * b * w[j] * w[j])
    if a == 0.0 and b == 0.0:  # least squares: the stationarity residual
        g = 0.0
        for j in idx:
            g += XtR[j] * XtR[j]
        return g, p_sum, p_sum - g, 1.0
    # largest s <= 1 for which every conjugate stays finite with l2 ignored (the
    # Lasso recipe), and s = 1 when the actual conjugates are all finite there
    s_lasso = 1.0
    finite_at_one = True
    for j in idx:
        pf = pen.factor[j]
        if pf == 0.0:
            continue
        c, a_j = XtR[j], a * pf
        if _unbounded(c, pen.lower[j], pen.upper[j]) and abs(c) > a_j:
            s_lasso = min(s_lasso, a_j / abs(c))
            if b == 0.0:
                finite_at_one = False
    best = _dual_value(XtR, R_norm2, Ry, idx, s_lasso, a, b, pen)
    scale = s_lasso
    d_one = -np.inf
    if s_lasso < 1.0 and finite_at_one:
        d_one = _dual_value(XtR, R_norm2, Ry, idx, 1.0, a, b, pen)
        if d_one > best:
            best, scale = d_one, 1.0
    if a == 0.0:  # pure ridge: the stopping dual is the point s = 1
        stop = best if s_lasso == 1.0 else d_one
    elif b == 0.0:  # the Lasso: the rescaled residual, the one point tried
        stop = best
    else:
        stop = _stopping_dual(XtR, R_norm2, Ry, w, idx, a, b, pen)
    return max(p_sum - stop, 0.0), p_sum, best, scale


@njit(cache=True, nogil=True, inline="always")
def _unbounded(v, lo, hi):
    """Is the slope ``v`` towards an infinite bound (the l1 conjugate then finite
    only while ``|v|`` is at most the l1 weight)?"""
    return (hi == np.inf and v > 0.0) or (lo == -np.inf and v < 0.0)


@njit(cache=True, nogil=True)
def _stopping_dual(XtR, R_norm2, Ry, w, idx, a, b, pen):
    """scikit-learn's dual value for ``a, b > 0`` (its "formulation A").

    The l2 term is read as least squares on rows ``sqrt(b pf_j) e_j`` appended to
    X, with targets 0: the residual gains the entries ``-sqrt(b pf_j) w_j``, so
    that ``x_j.R`` becomes ``v_j = x_j.R - b pf_j w_j`` and ``||R||^2`` gains
    ``b sum_j pf_j w_j^2``; the dual point is that residual times the largest
    ``s <= 1`` keeping every l1 conjugate finite, ``min(1, a / max_j |v_j|)`` for
    the plain elastic net. Its value is lower than the best of
    :func:`enet_dual`'s points, and the stopping test takes it all the same: a gap
    of ``tol * ||y||^2`` then means the accuracy it means in scikit-learn. (The
    better dual points certify a gap below tol several epochs earlier on an
    elastic-net path, at coefficients 100-1000 times farther from the solution.)
    """
    s = 1.0
    wbw = 0.0
    for j in idx:
        pf = pen.factor[j]
        if pf == 0.0:
            continue
        wbw += b * pf * w[j] * w[j]
        v = XtR[j] - b * pf * w[j]
        if _unbounded(v, pen.lower[j], pen.upper[j]) and abs(v) > a * pf:
            s = min(s, a * pf / abs(v))
    total = s * Ry - 0.5 * s * s * (R_norm2 + wbw)
    for j in idx:
        pf = pen.factor[j]
        v = 0.0 if pf == 0.0 else s * (XtR[j] - b * pf * w[j])
        total -= _conjugate(v, a * pf, 0.0, pen.lower[j], pen.upper[j])
    return total


@njit(cache=True, nogil=True)
def screen_keep(XtR, col_norms, idx, scale, radius, threshold, positive):
    """(kept, removed): the features of ``idx`` that gap safe screening cannot
    prove zero, and those it can; see ``objective.screen_keep``."""
    keep = np.empty(idx.shape[0], dtype=idx.dtype)
    drop = np.empty(idx.shape[0], dtype=idx.dtype)
    k = 0
    d = 0
    for j in idx:
        corr = scale * XtR[j]
        if not positive:
            corr = abs(corr)
        if corr + radius * col_norms[j] < threshold:
            drop[d] = j
            d += 1
        else:
            keep[k] = j
            k += 1
    return keep[:k], drop[:d]


guard_caches(globals())  # a corrupt cache file recompiles (see _jit.py)
