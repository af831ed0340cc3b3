"""Compiled inner loops: coordinate-descent epochs and the products a duality gap needs.

Only ``@njit(cache=True, nogil=True)`` functions of arrays and scalars live here (no
jitclass), so they are compiled once per dtype signature and cached on disk, and they
release the GIL, so that folds fitted in threads run in parallel. Drivers and checks
stay in Python (``_solvers/cd.py``); the maths of the gap is documented in
``_solvers/objective.py``.

Notation: the kernels solve the *sum*-scaled problem
``1/2 sum_i s_i R_i^2 + a ||w||_1 + b/2 ||w||^2`` with ``R = y - X_c w``, ``a = n l1``,
``b = n l2``. ``X`` keeps its own dtype (float32 or float64); ``w``, ``R`` and every
accumulator are float64.

* dense: ``X`` is Fortran-ordered, already centered and multiplied by ``sqrt(s)``.
* sparse (CSC): ``X_c = X - 1 x_mean^T`` is never formed (``x_mean`` and the
  weights ``sw`` may be None, which compiles the centering / weighting out). The
  residual is stored as
  ``R = Rt + off`` with ``Rt = y_c - X w`` (sparse updates) and the scalar
  ``off = x_mean . w``; ``sRt = sum_i s_i Rt_i`` is kept alongside, so that
  ``x_cj^T diag(s) R = sum_{i in col j} s_i X_ij R_i - x_mean_j * sum_i s_i R_i``
  costs O(nnz of column j).
* gram: ``G = X_c^T diag(s) X_c`` and ``q = X_c^T diag(s) y_c`` are precomputed and the
  kernel keeps ``Gw = G @ w`` instead of a residual.
"""

import numpy as np

from .._jit import guard_caches, njit

_FASTMATH = {"reassoc", "contract"}  # lets reductions vectorize; no NaN/inf shortcuts


@njit(cache=True, nogil=True, inline="always")
def _rand_index(rng, n):
    """xorshift64 step on ``rng[0]``; returns an index uniform in ``range(n)``."""
    x = rng[0]
    x ^= x << np.uint64(13)
    x ^= x >> np.uint64(7)
    x ^= x << np.uint64(17)
    rng[0] = x
    return np.int64(x % np.uint64(n))


@njit(cache=True, nogil=True, inline="always")
def _cd_update(tmp, norm2_j, a, b, lo, hi):
    """1-D minimizer of ``norm2_j/2 (w - tmp/norm2_j)^2 + a|w| + b/2 w^2`` over
    ``lo <= w <= hi``: the unconstrained minimizer, clipped (the function is convex)."""
    mag = abs(tmp) - a
    w = 0.0 if mag <= 0.0 else np.sign(tmp) * mag / (norm2_j + b)
    return min(max(w, lo), hi)


@njit(cache=True, nogil=True, inline="always")
def _cd_update_j(tmp, norm2_j, a, b, pen, j):
    """:func:`_cd_update` for feature ``j``: its factor and bounds from ``pen``."""
    f = pen.factor[j]
    return _cd_update(tmp, norm2_j, a * f, b * f, pen.lower[j], pen.upper[j])


# ----------------------------------------------------------------------------- dense


@njit(cache=True, nogil=True, fastmath=_FASTMATH)
def dense_epoch(X, R, w, norms2, active, a, b, pen, random, rng):
    """One pass of CD over ``active``; returns (max |dw_j|, max |w_j|)."""
    n = X.shape[0]
    n_active = active.shape[0]
    d_w_max = 0.0
    w_max = 0.0
    for f in range(n_active):
        j = active[_rand_index(rng, n_active)] if random else active[f]
        if norms2[j] == 0.0:
            continue
        w_j = w[j]
        # tmp = X[:, j] @ R + w_j * ||X[:, j]||^2
        tmp = 0.0
        for i in range(n):
            tmp += X[i, j] * R[i]
        tmp += w_j * norms2[j]
        w_new = _cd_update_j(tmp, norms2[j], a, b, pen, j)
        if w_new != w_j:
            d = w_new - w_j
            # R -= (w_new - w_j) * X[:, j]
            for i in range(n):
                R[i] -= d * X[i, j]
            w[j] = w_new
        d_w_max = max(d_w_max, abs(w_new - w_j))
        w_max = max(w_max, abs(w_new))
    return d_w_max, w_max


@njit(cache=True, nogil=True, fastmath=_FASTMATH)
def dense_gap_terms(X, R, y, idx, XtR):
    """XtR[idx] = X[:, idx].T @ R (in place); returns (R @ R, R @ y)."""
    n = X.shape[0]
    for j in idx:
        acc = 0.0
        for i in range(n):
            acc += X[i, j] * R[i]
        XtR[j] = acc
    R_norm2 = 0.0
    Ry = 0.0
    for i in range(n):
        R_norm2 += R[i] * R[i]
        Ry += R[i] * y[i]
    return R_norm2, Ry


@njit(cache=True, nogil=True, fastmath=_FASTMATH)
def dense_residual(X, y, w, R):
    """R = y - X @ w (in place)."""
    n, p = X.shape
    for i in range(n):
        R[i] = y[i]
    for j in range(p):
        w_j = w[j]
        if w_j != 0.0:
            for i in range(n):
                R[i] -= w_j * X[i, j]


@njit(cache=True, nogil=True, fastmath=_FASTMATH)
def dense_zero_out(X, R, w, idx):
    """Set w[idx] = 0 and keep R = y - X @ w."""
    n = X.shape[0]
    for j in idx:
        w_j = w[j]
        if w_j != 0.0:
            # R += w_j * X[:, j]
            for i in range(n):
                R[i] += w_j * X[i, j]
            w[j] = 0.0


# ---------------------------------------------------------------------------- sparse
# Indices read from CSC arrays are cast to unsigned (_u) so that numba drops its
# negative-index wraparound test from the gather loops (measured 1.5x on X.T @ R).


@njit(cache=True, nogil=True, inline="always")
def _u(i):
    return np.uint64(i)



@njit(cache=True, nogil=True, inline="always")
def _sparse_xtr(data, indices, start, stop, sw, Rt, off, colws_j, x_mean, j, sR):
    """x_cj^T diag(s) R for column j, with R = Rt + off and sR = sum_i s_i R_i.

    ``sw is None`` (no weights) and ``x_mean is None`` (no intercept) are compiled
    out: numba prunes these branches for None-typed arguments.
    """
    acc = 0.0
    if sw is None:
        for k in range(start, stop):
            acc += data[k] * Rt[_u(indices[k])]
    else:
        for k in range(start, stop):
            i = _u(indices[k])
            acc += data[k] * sw[i] * Rt[i]
    if x_mean is None:
        return acc
    return acc + off * colws_j - x_mean[j] * sR


@njit(cache=True, nogil=True)
def sparse_epoch(
    data, indices, indptr, x_mean, sw, colws, Rt, state, w, norms2, active, a, b,
    pen, random, rng,
):
    """One CD pass on CSC data; ``state = [off, sRt]``. Returns (max |dw|, max |w|).

    ``sw`` and ``x_mean`` may be None (no sample weights, no intercept).
    """
    n = Rt.shape[0]
    n_active = active.shape[0]
    off, sRt = state[0], state[1]
    d_w_max = 0.0
    w_max = 0.0
    for f in range(n_active):
        j = active[_rand_index(rng, n_active)] if random else active[f]
        if norms2[j] == 0.0:
            continue
        w_j = w[j]
        start, stop = _u(indptr[j]), _u(indptr[j + 1])
        tmp = _sparse_xtr(data, indices, start, stop, sw, Rt, off, colws[j], x_mean,
                          j, sRt + n * off)
        tmp += w_j * norms2[j]
        w_new = _cd_update_j(tmp, norms2[j], a, b, pen, j)
        if w_new != w_j:
            d = w_new - w_j
            # Rt -= d * X[:, j];  off += d * x_mean[j]
            for k in range(start, stop):
                Rt[_u(indices[k])] -= d * data[k]
            if x_mean is not None:
                sRt -= d * colws[j]
                off += d * x_mean[j]
            w[j] = w_new
        d_w_max = max(d_w_max, abs(w_new - w_j))
        w_max = max(w_max, abs(w_new))
    state[0], state[1] = off, sRt
    return d_w_max, w_max


@njit(cache=True, nogil=True)
def sparse_gap_terms(data, indices, indptr, x_mean, sw, colws, Rt, state, y, idx,
                     XtR):
    """XtR[idx] = X_c[:, idx].T @ diag(s) @ R; returns (R'diag(s)R, R'diag(s)y)."""
    n = Rt.shape[0]
    off, sRt = state[0], state[1]
    sR = sRt + n * off
    for j in idx:
        XtR[j] = _sparse_xtr(data, indices, _u(indptr[j]), _u(indptr[j + 1]), sw, Rt,
                             off, colws[j], x_mean, j, sR)
    R_norm2 = 0.0
    Ry = 0.0
    for i in range(n):
        r = Rt[i] + off
        s_i = 1.0 if sw is None else sw[i]
        R_norm2 += s_i * r * r
        Ry += s_i * r * y[i]
    return R_norm2, Ry


@njit(cache=True, nogil=True)
def sparse_residual(data, indices, indptr, x_mean, sw, y, w, Rt, state):
    """Rt = y - X @ w, state = [x_mean @ w, sum_i s_i Rt_i] (in place)."""
    n = y.shape[0]
    for i in range(n):
        Rt[i] = y[i]
    off = 0.0
    for j in range(w.shape[0]):
        w_j = w[j]
        if w_j != 0.0:
            for k in range(_u(indptr[j]), _u(indptr[j + 1])):
                Rt[_u(indices[k])] -= w_j * data[k]
            if x_mean is not None:
                off += w_j * x_mean[j]
    sRt = 0.0
    for i in range(n):
        sRt += (1.0 if sw is None else sw[i]) * Rt[i]
    state[0], state[1] = off, sRt


@njit(cache=True, nogil=True)
def sparse_zero_out(data, indices, indptr, x_mean, colws, Rt, state, w, idx):
    """Set w[idx] = 0 and keep the residual representation consistent."""
    for j in idx:
        w_j = w[j]
        if w_j != 0.0:
            for k in range(_u(indptr[j]), _u(indptr[j + 1])):
                Rt[_u(indices[k])] += w_j * data[k]
            if x_mean is not None:
                state[1] += w_j * colws[j]
                state[0] -= w_j * x_mean[j]
            w[j] = 0.0


@njit(cache=True, nogil=True)
def sparse_column_stats(data, indices, indptr, sw, x_mean, n, colws, norms2):
    """colws_j = sum_i s_i X_ij and ||x_cj||_s^2 = sum s X^2 - 2 m colws + n m^2."""
    for j in range(indptr.shape[0] - 1):
        acc = 0.0
        sq = 0.0
        for k in range(_u(indptr[j]), _u(indptr[j + 1])):
            v = np.float64(data[k])
            s_i = 1.0 if sw is None else sw[_u(indices[k])]
            acc += s_i * v
            sq += s_i * v * v
        colws[j] = acc
        if x_mean is not None:
            sq += -2.0 * x_mean[j] * acc + n * x_mean[j] * x_mean[j]
        norms2[j] = max(sq, 0.0)


# ------------------------------------------------------------------------------ gram


@njit(cache=True, nogil=True, fastmath=_FASTMATH)
def gram_epoch(G, Gw, q, w, active, a, b, pen, random, rng):
    """One CD pass with a precomputed Gram matrix (symmetric, C-ordered: its
    columns are read as rows); keeps ``Gw = G @ w``."""
    p = G.shape[0]
    n_active = active.shape[0]
    d_w_max = 0.0
    w_max = 0.0
    for f in range(n_active):
        j = active[_rand_index(rng, n_active)] if random else active[f]
        G_jj = G[j, j]
        if G_jj == 0.0:
            continue
        w_j = w[j]
        # tmp = q_j - (G w)_j + G_jj w_j
        tmp = q[j] - Gw[j] + G_jj * w_j
        w_new = _cd_update_j(tmp, G_jj, a, b, pen, j)
        if w_new != w_j:
            d = w_new - w_j
            # Gw += d * G[:, j], read as row j (G is symmetric and C-ordered)
            for k in range(p):
                Gw[k] += d * G[j, k]
            w[j] = w_new
        d_w_max = max(d_w_max, abs(w_new - w_j))
        w_max = max(w_max, abs(w_new))
    return d_w_max, w_max


# ------------------------------------------------------------- duality gap, screening
# The formulas are documented in objective.py (duality_gap, screen_keep); these loops
# evaluate them without numpy's per-call overhead, which dominated small problems.


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


@njit(cache=True, nogil=True)
def gram_gap_terms(q, Gw, w, yty, idx, XtR):
    """XtR[idx] = q[idx] - Gw[idx]; returns (||R||^2, R.y) from the Gram terms."""
    for j in idx:
        XtR[j] = q[j] - Gw[j]
    wq = 0.0
    wGw = 0.0
    for j in range(w.shape[0]):
        wq += w[j] * q[j]
        wGw += w[j] * Gw[j]
    return max(yty - 2.0 * wq + wGw, 0.0), yty - wq


# ------------------------------------------------------------ cross-validation folds


@njit(cache=True, nogil=True)
def gather_folds(X, order, starts, x_offset, r, u, out):
    """Copy rows of X, fold by fold, centered and weighted, into one float64 buffer.

    Fold ``k`` is the rows ``order[starts[k]:starts[k + 1]]`` (``rows`` of them);
    its block is the Fortran-ordered (rows, p + 2) matrix at ``out[starts[k] *
    (p + 2):]``, whose ``m``-th row, for row ``i`` of X, is ``(X[i] - x_offset) *
    r[i]`` followed by ``r[i]`` and ``u[i]`` (so that the block's ``B'B`` holds
    every sum of the fold's terms). ``order`` holds a range of consecutive rows of
    X (a chunk), in any order.
    """
    p = X.shape[1]
    q = p + 2
    size = starts[starts.shape[0] - 1]
    lo = size and order[:size].min()
    # where each row of the chunk goes: block base + its place in the fold, and
    # the block's column stride (its number of rows)
    dest = np.empty(size, dtype=np.int64)
    stride = np.empty(size, dtype=np.int64)
    for k in range(starts.shape[0] - 1):
        a = starts[k]
        rows = starts[k + 1] - a
        base = a * q
        for m in range(rows):
            i = order[a + m]
            dest[i - lo] = base + m
            stride[i - lo] = rows
            out[base + p * rows + m] = r[i]
            out[base + (p + 1) * rows + m] = u[i]
    if X.strides[0] > X.strides[1]:  # C-ordered: a row at a time
        for i in range(size):
            row = X[lo + i]
            ri = r[lo + i]
            d, st = dest[i], stride[i]
            for j in range(p):
                out[d + j * st] = (row[j] - x_offset[j]) * ri
    else:  # a column at a time, read in order (prefetched), written scattered
        for j in range(p):
            col = X[lo:lo + size, j]
            off = x_offset[j]
            for i in range(size):
                out[dest[i] + j * stride[i]] = (col[i] - off) * r[lo + i]


guard_caches(globals())  # a corrupt cache file recompiles (see _jit.py)
