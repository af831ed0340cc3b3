"""A Gram matrix ``G`` (CD keeps ``Gw = G w`` instead of a residual): an epoch, the
loop of epochs, the gap's products, Anderson's step."""

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
)


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


@njit(cache=True, nogil=True)
def gram_epochs(G, Gw, q, yty, w, active, a, b, pen, random, rng, max_epochs, tol,
                XtR, target, check_every, max_checks, hist):
    checks = 0
    gap = primal = dual = scale = np.nan
    slot = np.int64(0)  # not the literal 0: one signature of the callees
    for e in range(max_epochs):
        d_w_max, w_max = gram_epoch(G, Gw, q, w, active, a, b, pen, random, rng)
        small = w_max == 0.0 or d_w_max <= tol * w_max
        if _due(small, e, check_every):
            met = False
            if max_checks > 0:
                gap, primal, dual, scale = _look(
                    XtR, gram_gap_terms(q, Gw, w, yty, active, XtR), w, active, a, b,
                    pen)
                met = gap <= target
            checks += 1
            if _done(small, met, checks, max_checks):
                return EpochsRun(e + 1, small, met, max_checks > 0, gap, primal,
                                 dual, scale)
        if hist is not None:
            slot = _gram_anderson(G, Gw, q, w, active, a, b, pen, hist, slot)
    return EpochsRun(max_epochs, False, False, False, gap, primal, dual, scale)


@njit(cache=True, nogil=True, inline="always")
def _gram_anderson(G, Gw, q, w, active, a, b, pen, hist, slot):
    _, Gh, c, w_acc, _, _ = hist
    p, m, K = G.shape[0], active.shape[0], ANDERSON_K
    slot, ready = _anderson_record(hist, w, Gw, active, slot, pen)
    if not ready:
        return slot
    # 1/2 ||R||^2 = 1/2 yty - w'q + 1/2 w'Gw; only w_A changes, so compare
    # -w_A'q_A + 1/2 w'Gw (Gw being the matching combination) + penalty
    obj_cur = _penalty(w, active, a, b, pen)
    obj_acc = _penalty_of(w_acc, active, a, b, pen)
    for f in range(m):
        j = active[f]
        obj_cur -= w[j] * q[j]
        obj_acc -= w_acc[f] * q[j]
    wGw_cur = 0.0
    wGw_acc = 0.0
    for j in range(p):
        wGw_cur += w[j] * Gw[j]
    for j in range(p):
        g = 0.0
        for k in range(K):
            g += c[k] * Gh[k + 1, j]
        Gh[0, j] = g  # row 0 is rewritten before its next use
    for j in range(p):
        wGw_acc += w[j] * Gh[0, j]
    for f in range(m):
        j = active[f]
        wGw_acc += (w_acc[f] - w[j]) * Gh[0, j]
    if obj_acc + 0.5 * wGw_acc < obj_cur + 0.5 * wGw_cur:
        for f in range(m):
            j = active[f]
            d = w_acc[f] - w[j]
            if d != 0.0:
                for k in range(p):
                    Gw[k] += d * G[j, k]
                w[j] = w_acc[f]
    return slot


@njit(cache=True, nogil=True)
def gram_zero_out(G, Gw, w, idx):
    """Set ``w[idx]`` to zero, keeping ``Gw = G w``."""
    p = Gw.shape[0]
    for j in idx:
        d = w[j]
        if d != 0.0:
            # Gw -= w_j * G[j] (G symmetric: row j for column j)
            for k in range(p):
                Gw[k] -= d * G[j, k]
            w[j] = 0.0


guard_caches(globals())  # a corrupt cache file recompiles (see _jit.py)
