"""Dense X (Fortran-ordered, centered, times ``sqrt(s)``): an epoch, the loop of
epochs, the gap's products, the residual, zeroing features, Anderson's step."""

import numpy as np

from .._jit import guard_caches, njit
from .common import _FASTMATH, _cd_update_j, _rand_index
from .epochs import (
    ANDERSON_K,
    EpochsRun,
    _anderson_record,
    _done,
    _due,
    _look,
    _penalty,
    _penalty_of,
    _sq_norm,
)


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


@njit(cache=True, nogil=True)
def dense_epochs(X, R, y, w, norms2, active, a, b, pen, random, rng, max_epochs, tol,
                 XtR, target, check_every, max_checks, hist):
    checks = 0
    gap = primal = dual = scale = np.nan
    slot = np.int64(0)  # not the literal 0: one signature of the callees
    for e in range(max_epochs):
        d_w_max, w_max = dense_epoch(X, R, w, norms2, active, a, b, pen, random, rng)
        small = w_max == 0.0 or d_w_max <= tol * w_max
        if _due(small, e, check_every):
            met = False
            if max_checks > 0:
                gap, primal, dual, scale = _look(
                    XtR, dense_gap_terms(X, R, y, active, XtR), w, active, a, b, pen)
                met = gap <= target
            checks += 1
            if _done(small, met, checks, max_checks):
                return EpochsRun(e + 1, small, met, max_checks > 0, gap, primal,
                                 dual, scale)
        if hist is not None:
            slot = _dense_anderson(X, R, w, active, a, b, pen, hist, slot)
    return EpochsRun(max_epochs, False, False, False, gap, primal, dual, scale)


@njit(cache=True, nogil=True, inline="always")
def _dense_anderson(X, R, w, active, a, b, pen, hist, slot):
    """Record the epoch's iterate; every K + 1 epochs, extrapolate. Returns the
    next history slot."""
    _, Rh, c, w_acc, _, _ = hist
    n, m, K = R.shape[0], active.shape[0], ANDERSON_K
    slot, ready = _anderson_record(hist, w, R, active, slot, pen)
    if not ready:
        return slot
    p_cur = 0.5 * _sq_norm(R) + _penalty(w, active, a, b, pen)
    r2 = 0.0
    for i in range(n):
        r = 0.0
        for k in range(K):
            r += c[k] * Rh[k + 1, i]
        r2 += r * r
    if 0.5 * r2 + _penalty_of(w_acc, active, a, b, pen) < p_cur:
        for f in range(m):
            j = active[f]
            d = w_acc[f] - w[j]
            if d != 0.0:
                for i in range(n):
                    R[i] -= d * X[i, j]
                w[j] = w_acc[f]
    return slot


guard_caches(globals())  # a corrupt cache file recompiles (see _jit.py)
