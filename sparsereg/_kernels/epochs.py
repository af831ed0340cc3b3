"""The compiled loops of coordinate descent, written once for every data layout.

:func:`epochs` runs epochs (:func:`epoch`) over the features ``active`` of one
layout's data (``dense.DenseData``, ``sparse.SparseData``, ``gram.GramData``: see
``layout.py``) and looks at the duality gap of the problem restricted to them
(scikit-learn's test: after every epoch whose largest coefficient change was at most
``tol * max|w|``, plus every ``check_every``-th epoch if that is > 0) without going
back to Python, which on a small problem or with a Gram matrix cost more than the
epochs themselves. It returns an :data:`EpochsRun` as soon as

* the stopping gap of ``gap.enet_dual`` at ``w`` is at most ``target`` (sum
  scaling); the run then holds that look (``looked``: the gap, ``P(w)``, the best
  dual value and its scale), and ``XtR`` its correlations, which the driver reuses;
* ``max_checks`` gaps were looked at and found too large (the driver then screens
  features and records the gap); ``max_checks = 0`` means no gap inside the loop:
  return at the first small step, for the driver to test (the gap it needs is then
  not the one of ``gap.enet_dual`` alone, see ``dispatch.Unpenalized``);
* or ``max_epochs`` are done.

``hist`` is ``None`` (plain CD: numba prunes the extrapolation out when compiling
that signature, so a first fit does not pay for compiling it) or the buffers of
:func:`anderson_buffers` (cyclic order only). Anderson extrapolation (as in skglm;
Bertrand & Massias 2021): cyclic CD is a fixed-point iteration that, once the
support is settled, converges linearly, and every ``ANDERSON_K + 1`` epochs the
weights ``c`` (summing to 1) minimizing ``||sum_k c_k (w_{k+1} - w_k)||`` combine the
last iterates into ``sum_k c_k w_{k+1}``, which replaces the iterate only if it
lowers the objective (judged with the same combination of the stored residuals, the
residual being affine in ``w``: the layout's ``anderson_losses``; once accepted, the
residual is updated exactly from the change in ``w``).
"""

from collections import namedtuple

import numpy as np

from .._jit import guard_caches, njit
from . import dense, gram, sparse  # noqa: F401  (they register their layouts)
from .common import _FASTMATH, _cd_update_j, _rand_index
from .gap import enet_dual
from .layout import anderson_losses, col_dot, col_move, reset, sums

ANDERSON_K = 5


EpochsRun = namedtuple("EpochsRun", "epochs small met looked gap primal dual scale")


EpochsRun.__doc__ = """What one call of the epoch loops did: ``epochs`` run, whether the
last was a small step, whether the gap met the target, and, if the call ended with
a look at the gap (``looked``), that look in the sum scaling (else NaNs)."""


@njit(cache=True, nogil=True)
def anderson_buffers(m, n_rows):
    """History for extrapolating ``m`` coefficients whose residual (``R``, or
    ``G w`` with a Gram matrix) has ``n_rows`` entries: iterates, residuals,
    weights, the extrapolated point, ``state[0]`` and scratch."""
    K = ANDERSON_K
    return (np.empty((K + 1, m)), np.empty((K + 1, n_rows)), np.empty(K),
            np.empty(m), np.empty(K + 1), np.empty((K, K + 1)))


@njit(cache=True, nogil=True, inline="always")
def _look(XtR, terms, w, idx, a, b, pen):
    """The stopping gap at ``w`` with ``P(w)``, the best dual value and its scale
    (``terms`` = (||R||^2, R.y), ``XtR`` filled on ``idx``)."""
    R_norm2, Ry = terms
    return enet_dual(XtR, R_norm2, Ry, R_norm2, w, idx, a, b, pen)


@njit(cache=True, nogil=True, inline="always")
def _due(small, e, check_every):
    """Is the gap looked at after epoch ``e``?"""
    return small or (check_every > 0 and (e + 1) % check_every == 0)


@njit(cache=True, nogil=True, inline="always")
def _done(small, met, checks, max_checks):
    """Return to the driver after a look at the gap (``checks`` looks so far)?"""
    return met or (checks >= max_checks and (small or max_checks > 0))


@njit(cache=True, nogil=True)
def _anderson_weights(W, c, C):
    """Extrapolation weights from the iterate history ``W`` (K+1 rows) into
    ``c``, with ``C`` (K x K+1) as scratch; False if the differences are
    (numerically) linearly dependent."""
    K = W.shape[0] - 1
    m = W.shape[1]
    # C = [U U' | 1], U_k = W_{k+1} - W_k (every entry is written)
    for k in range(K):
        for l in range(k + 1):
            acc = 0.0
            for f in range(m):
                acc += (W[k + 1, f] - W[k, f]) * (W[l + 1, f] - W[l, f])
            C[k, l] = acc
            C[l, k] = acc
        C[k, K] = 1.0
    scale = 0.0
    for k in range(K):
        scale = max(scale, C[k, k])
    if not scale > 0.0:
        return False
    # Gaussian elimination with partial pivoting on the K x K system
    for k in range(K):
        piv = k
        for r in range(k + 1, K):
            if abs(C[r, k]) > abs(C[piv, k]):
                piv = r
        if abs(C[piv, k]) <= 1e-14 * scale:  # cond(C) beyond ~1e14
            return False
        if piv != k:
            for col in range(K + 1):
                C[k, col], C[piv, col] = C[piv, col], C[k, col]
        for r in range(k + 1, K):
            f = C[r, k] / C[k, k]
            for col in range(k, K + 1):
                C[r, col] -= f * C[k, col]
    total = 0.0
    for k in range(K - 1, -1, -1):
        acc = C[k, K]
        for col in range(k + 1, K):
            acc -= C[k, col] * c[col]
        c[k] = acc / C[k, k]
        total += c[k]
    if not (np.isfinite(total) and total != 0.0):
        return False
    for k in range(K):
        c[k] /= total
    return True


@njit(cache=True, nogil=True, inline="always")
def _extrapolate(W, c, w_acc, active, pen):
    """w_acc = sum_k c_k W_{k+1}; returns False if it leaves the bounds."""
    K = W.shape[0] - 1
    for f in range(W.shape[1]):
        acc = 0.0
        for k in range(K):
            acc += c[k] * W[k + 1, f]
        j = active[f]
        if acc < pen.lower[j] or acc > pen.upper[j]:
            return False
        w_acc[f] = acc
    return True


@njit(cache=True, nogil=True, inline="always")
def _penalty_of(v, active, a, b, pen):
    """sum over ``active`` of pf_j (a |v_f| + b/2 v_f^2), ``v`` holding the values
    of the features ``active`` in their order."""
    acc = 0.0
    for f in range(active.shape[0]):
        acc += pen.factor[active[f]] * (a * abs(v[f]) + 0.5 * b * v[f] * v[f])
    return acc


@njit(cache=True, nogil=True, inline="always")
def _anderson_record(hist, w, R, state, active, slot, pen):
    """Store the iterate (``w`` on ``active``), its residual ``R`` and ``state[0]``
    in history row ``slot``; once the K + 1 rows are full, compute the
    extrapolated point into ``w_acc``. Returns (next slot, whether ``w_acc`` is
    ready)."""
    W, H, c, w_acc, S, C = hist
    for f in range(active.shape[0]):
        W[slot, f] = w[active[f]]
    for i in range(R.shape[0]):  # (a slice assignment costs seconds to compile)
        H[slot, i] = R[i]
    S[slot] = state[0]
    slot += 1
    if slot < W.shape[0]:
        return slot, False
    return 0, _anderson_weights(W, c, C) and _extrapolate(W, c, w_acc, active, pen)


@njit(cache=True, nogil=True, inline="always")
def _anderson(data, R, state, w, active, a, b, pen, hist, slot):
    """Record the epoch's iterate; every K + 1 epochs, move to the extrapolated
    point if it lowers the objective. Returns the next history slot."""
    W, H, c, w_acc, S, _ = hist
    slot, ready = _anderson_record(hist, w, R, state, active, slot, pen)
    if not ready:
        return slot
    cur, acc = anderson_losses(data, R, state, w, w_acc, active, H, S, c)
    # (the last row of W holds the current w on active)
    if acc + _penalty_of(w_acc, active, a, b, pen) < cur + _penalty_of(
            W[W.shape[0] - 1], active, a, b, pen):
        for f in range(active.shape[0]):
            j = active[f]
            d = w_acc[f] - w[j]
            if d != 0.0:
                col_move(data, R, state, j, d)
                w[j] = w_acc[f]
    return slot


@njit(cache=True, nogil=True, fastmath=_FASTMATH)
def epoch(data, R, state, w, active, a, b, pen, random, rng):
    """One pass of CD over ``active``; returns (max |dw_j|, max |w_j|)."""
    norms2 = data.norms2
    n_active = active.shape[0]
    d_w_max = 0.0
    w_max = 0.0
    for f in range(n_active):
        j = active[_rand_index(rng, n_active)] if random else active[f]
        if norms2[j] == 0.0:
            continue
        w_j = w[j]
        tmp = col_dot(data, R, state, j) + w_j * norms2[j]
        w_new = _cd_update_j(tmp, norms2[j], a, b, pen, j)
        if w_new != w_j:
            col_move(data, R, state, j, w_new - w_j)
            w[j] = w_new
        d_w_max = max(d_w_max, abs(w_new - w_j))
        w_max = max(w_max, abs(w_new))
    return d_w_max, w_max


@njit(cache=True, nogil=True)
def epochs(data, R, state, w, active, a, b, pen, random, rng, max_epochs, tol, XtR,
           target, check_every, max_checks, hist):
    """Epochs over ``active`` with the gap checks (see the module's docstring);
    returns an :data:`EpochsRun`."""
    checks = 0
    gap = primal = dual = scale = np.nan
    slot = np.int64(0)  # not the literal 0: one signature of the callees
    for e in range(max_epochs):
        d_w_max, w_max = epoch(data, R, state, w, active, a, b, pen, random, rng)
        small = w_max == 0.0 or d_w_max <= tol * w_max
        if _due(small, e, check_every):
            met = False
            if max_checks > 0:
                gap, primal, dual, scale = _look(
                    XtR, gap_terms(data, R, state, w, active, XtR), w, active, a, b,
                    pen)
                met = gap <= target
            checks += 1
            if _done(small, met, checks, max_checks):
                return EpochsRun(e + 1, small, met, max_checks > 0, gap, primal,
                                 dual, scale)
        if hist is not None:
            slot = _anderson(data, R, state, w, active, a, b, pen, hist, slot)
    return EpochsRun(max_epochs, False, False, False, gap, primal, dual, scale)


@njit(cache=True, nogil=True, fastmath=_FASTMATH)
def gap_terms(data, R, state, w, idx, XtR):
    """``XtR[idx] = X_c[:, idx]' diag(s) R`` (in place); returns
    ``(||R||_s^2, R' diag(s) y)``."""
    for j in idx:
        XtR[j] = col_dot(data, R, state, j)
    return sums(data, R, state, w)


@njit(cache=True, nogil=True, fastmath=_FASTMATH)
def residual(data, w, R, state):
    """``R`` and ``state`` of ``w`` (in place)."""
    reset(data, R, state)
    for j in range(w.shape[0]):
        if w[j] != 0.0:
            col_move(data, R, state, j, w[j])


@njit(cache=True, nogil=True)
def zero_out(data, R, state, w, idx):
    """Set ``w[idx]`` to zero, keeping ``R`` and ``state`` those of ``w``."""
    for j in idx:
        if w[j] != 0.0:
            col_move(data, R, state, j, -w[j])
            w[j] = 0.0


guard_caches(globals())  # a corrupt cache file recompiles (see _jit.py)
