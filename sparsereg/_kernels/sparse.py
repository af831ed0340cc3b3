"""Sparse CSC X, centered and weighted implicitly (see ``common.py``): an epoch, the
loop of epochs, the gap's products, the residual, zeroing features, column
statistics, Anderson's step."""

import numpy as np

from .._jit import guard_caches, njit
from .common import _cd_update_j, _rand_index, _u
from .epochs import (
    ANDERSON_K,
    EpochsRun,
    _anderson_record,
    _done,
    _due,
    _look,
    _penalty,
    _penalty_of,
)


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


@njit(cache=True, nogil=True)
def sparse_epochs(data, indices, indptr, x_mean, sw, colws, Rt, state, y, w, norms2,
                  active, a, b, pen, random, rng, max_epochs, tol, XtR, target,
                  check_every, max_checks, hist):
    checks = 0
    gap = primal = dual = scale = np.nan
    slot = np.int64(0)  # not the literal 0: one signature of the callees
    for e in range(max_epochs):
        d_w_max, w_max = sparse_epoch(data, indices, indptr, x_mean, sw, colws, Rt,
                                      state, w, norms2, active, a, b, pen, random,
                                      rng)
        small = w_max == 0.0 or d_w_max <= tol * w_max
        if _due(small, e, check_every):
            met = False
            if max_checks > 0:
                gap, primal, dual, scale = _look(
                    XtR, sparse_gap_terms(data, indices, indptr, x_mean, sw, colws, Rt,
                                          state, y, active, XtR),
                    w, active, a, b, pen)
                met = gap <= target
            checks += 1
            if _done(small, met, checks, max_checks):
                return EpochsRun(e + 1, small, met, max_checks > 0, gap, primal,
                                 dual, scale)
        if hist is not None:
            slot = _sparse_anderson(data, indices, indptr, x_mean, sw, colws, Rt,
                                    state, w, active, a, b, pen, hist, slot)
    return EpochsRun(max_epochs, False, False, False, gap, primal, dual, scale)


@njit(cache=True, nogil=True, inline="always")
def _sparse_anderson(data, indices, indptr, x_mean, sw, colws, Rt, state, w, active,
                     a, b, pen, hist, slot):
    _, Rh, c, w_acc, offh, _ = hist
    n, m, K = Rt.shape[0], active.shape[0], ANDERSON_K
    offh[slot] = state[0]
    slot, ready = _anderson_record(hist, w, Rt, active, slot, pen)
    if not ready:
        return slot
    off_acc = 0.0
    for k in range(K):
        off_acc += c[k] * offh[k + 1]
    r2_cur = 0.0
    r2 = 0.0
    for i in range(n):
        s_i = 1.0 if sw is None else sw[i]
        r = Rt[i] + state[0]
        r2_cur += s_i * r * r
        r = off_acc
        for k in range(K):
            r += c[k] * Rh[k + 1, i]
        r2 += s_i * r * r
    if 0.5 * r2 + _penalty_of(w_acc, active, a, b, pen) < (
            0.5 * r2_cur + _penalty(w, active, a, b, pen)):
        for f in range(m):
            j = active[f]
            d = w_acc[f] - w[j]
            if d != 0.0:
                for k in range(_u(indptr[j]), _u(indptr[j + 1])):
                    Rt[_u(indices[k])] -= d * data[k]
                if x_mean is not None:
                    state[1] -= d * colws[j]
                    state[0] += d * x_mean[j]
                w[j] = w_acc[f]
    return slot


guard_caches(globals())  # a corrupt cache file recompiles (see _jit.py)
