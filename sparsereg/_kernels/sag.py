"""Compiled epochs of SAG and SAGA: one pass of ``n`` sampled rows per call.

Only ``@njit(cache=True, nogil=True)`` functions of arrays and scalars live here; the
drivers, the stopping rules and the checks are in ``_solvers/sag.py``. The maths (in the
notation of that module): the smooth part ``f(w) = 1/n sum_i f_i(w)`` with
``f_i(w) = s_i/2 (y_i - (x_i - m).w)^2`` has per-sample gradients
``g_i (x_i - m)`` with the scalar ``g_i = s_i ((x_i - m).w - y_i)``. Both methods
keep the last ``g_i`` seen of every sample (``g_mem``) and their sum
``S = sum_i g_mem_i (x_i - m)``; a step on sample ``i`` with ``dg = g_i - g_mem_i``

* SAG: ``w <- decay * w - step * S_new / n_seen``
* SAGA: ``w <- decay * w - step * (dg (x_i - m) + S_old / n_seen)``

where ``decay = 1 - step * l2`` is the l2 penalty taken as a gradient step
(scikit-learn's ``wscale``), or, for the elastic net, ``decay = 1`` and the prox of
the penalty follows the step. ``n_seen`` is the number of distinct samples drawn so
far (scikit-learn's first-epoch rule; ``n`` once every sample was seen).

* dense: the rows are those of ``A = diag(sqrt(s)) (X - 1 m')`` (C-ordered, centered
  and weighted already), so ``g_i = A_i.w - b_i``.
* sparse (CSR): ``X`` is raw; ``m`` (column means, when an intercept is fitted)
  enters through scalars only: ``S = S_x - m G`` with ``S_x = sum_i g_mem_i x_i``
  (sparse updates) and ``G = sum_i g_mem_i``, and ``(x_i - m).w = x_i.w - m.w``.

Rows are drawn uniformly with replacement, by a xorshift64 generator whose state
``rng`` (a uint64 array of length 1) the caller seeds and keeps across epochs.
"""


from .._jit import guard_caches, njit
from .common import _cd_update_j, _rand_index


@njit(cache=True, nogil=True, inline="always")
def _prox_j(v, step, l1, l2, pen, j):
    """clip(sign(v) max(|v| - step l1 f_j, 0) / (1 + step l2 f_j), lo_j, hi_j), with
    feature j's factor and bounds from ``pen``: coordinate descent's 1-D minimizer
    with curvature ``1 / step``."""
    return _cd_update_j(v / step, 1.0 / step, l1, l2, pen, j)


# ----------------------------------------------------------------------------- dense


@njit(cache=True, nogil=True)
def dense_epoch(A, b, w, S, g_mem, seen, n_seen, rng, step, decay, saga, prox, l1,
                l2, pen):
    """n steps of SAG (``saga=False``) or SAGA on the rows of ``A``, in place.

    ``prox``: the elastic-net prox (``l1``, ``l2`` times the factors
    ``pen.factor``, within ``pen.lower`` and ``pen.upper``) follows each step (then
    ``decay`` should be 1). Returns the updated ``n_seen``.
    """
    n, p = A.shape
    for _ in range(n):
        i = _rand_index(rng, n)
        if seen[i] == 0:
            seen[i] = 1
            n_seen += 1
        # g = A[i] @ w - b[i]
        g = 0.0
        for j in range(p):
            g += A[i, j] * w[j]
        g -= b[i]
        dg = g - g_mem[i]
        g_mem[i] = g
        avg = step / n_seen
        c = step * (1.0 - 1.0 / n_seen) * dg if saga else 0.0
        for j in range(p):
            a_ij = A[i, j]
            # S += dg * A[i];  w = decay * w - step * S / n_seen - c * A[i]
            S[j] += dg * a_ij
            v = decay * w[j] - avg * S[j] - c * a_ij
            if prox:
                v = _prox_j(v, step, l1, l2, pen, j)
            w[j] = v
    return n_seen


# ---------------------------------------------------------------------------- sparse


@njit(cache=True, nogil=True)
def sparse_lazy_epoch(data, indices, indptr, y, sw, m, center, z, S, g_mem, seen,
                      n_seen, rng, step, l2, saga, C1, C2, hist):
    """n steps of SAG / SAGA (l2 as a decay, no prox) on CSR rows, just in time.

    ``w = wscale * z``: the decay only shrinks the scalar ``wscale``, and the
    averaged step, the same for every feature up to the constant ``S_j`` (and its
    centering term ``m_j``), is applied to a feature when a drawn row next reads it
    (Schmidt et al. 2017, section 4.3), so a step costs the row's nonzeros. ``z`` is
    ``w`` on entry and on return (every feature caught up, ``wscale`` folded in);
    ``C1``, ``C2`` (n,) and ``hist`` (p,) are work arrays. Returns ``n_seen``.

    Catching feature j up on the steps ``hist[j] .. t-1`` is
    ``z_j -= sum_k a_k (S_j - m_j G_k) - m_j sum_k e_k``, read off the running sums
    ``C1 = cumsum(a)`` and ``C2 = cumsum(a G + e)`` (``S_j`` is constant meanwhile).
    It is written out where it is used: a helper taking the arrays costs numba
    reference counting on every call (measured: 10x slower epochs).
    """
    n = indptr.shape[0] - 1
    p = z.shape[0]
    decay = 1.0 - step * l2
    wscale = 1.0
    # G = sum(g_mem); mS = m @ S_x; mz = m @ z (of z caught up); mm = m @ m
    G = 0.0
    mS = 0.0
    mz = 0.0
    mm = 0.0
    if center:
        for i in range(n):
            G += g_mem[i]
        for j in range(p):
            mS += m[j] * S[j]
            mz += m[j] * z[j]
            mm += m[j] * m[j]
    # hist[:] = 0: every feature is up to date (the steps are numbered from 0)
    for j in range(p):
        hist[j] = 0
    for t in range(n):
        i = _rand_index(rng, n)
        if seen[i] == 0:
            seen[i] = 1
            n_seen += 1
        start, stop = indptr[i], indptr[i + 1]
        # xz = x_i @ z, mx = m @ x_i, the row's features caught up first
        xz = 0.0
        mx = 0.0
        for k in range(start, stop):
            j = indices[k]
            h = hist[j]
            if h < t:  # catch z[j] up on the steps h .. t-1
                z[j] -= (C1[t - 1] - (C1[h - 1] if h > 0 else 0.0)) * S[j]
                if center:
                    z[j] += m[j] * (C2[t - 1] - (C2[h - 1] if h > 0 else 0.0))
                hist[j] = t
            xz += data[k] * z[j]
            if center:
                mx += m[j] * data[k]
        g = sw[i] * (wscale * (xz - mz) - y[i])
        dg = g - g_mem[i]
        g_mem[i] = g
        wscale *= decay
        # S_x += dg * x_i
        for k in range(start, stop):
            S[indices[k]] += dg * data[k]
        e = 0.0
        if saga:
            # z -= c * (x_i - m): the x_i part now, the m part with the lagged steps
            c = step * (1.0 - 1.0 / n_seen) * dg / wscale
            for k in range(start, stop):
                z[indices[k]] -= c * data[k]
            if center:
                mz -= c * (mx - mm)
                e = c
        a = step / (wscale * n_seen)
        if center:  # G += dg, and m @ S_x, m @ z follow the steps
            mS += dg * mx
            G += dg
            mz -= a * (mS - mm * G)
        C1[t] = (C1[t - 1] if t > 0 else 0.0) + a
        C2[t] = (C2[t - 1] if t > 0 else 0.0) + a * G + e
        if wscale < 1e-9 or t == n - 1:
            # w = wscale * z, every feature caught up through step t
            for j in range(p):
                h = hist[j]  # catch z[j] up on the steps h .. t
                z[j] -= (C1[t] - (C1[h - 1] if h > 0 else 0.0)) * S[j]
                if center:
                    z[j] += m[j] * (C2[t] - (C2[h - 1] if h > 0 else 0.0))
                hist[j] = t + 1
                z[j] *= wscale
            mz *= wscale
            wscale = 1.0
            C1[t] = 0.0
            C2[t] = 0.0
    return n_seen


@njit(cache=True, nogil=True)
def sparse_prox_epoch(data, indices, indptr, y, sw, m, w, S, g_mem, rng, step, l1,
                      l2, pen):
    """n steps of SAGA with the elastic-net prox on CSR rows, in place.

    Every sample's gradient is in the memory (``n_seen = n``); the prox and the
    averaged step touch every feature, so a step costs ``O(nnz_i + n_features)``.
    """
    n = indptr.shape[0] - 1
    p = w.shape[0]
    # G = sum(g_mem); mw = m @ w
    G = 0.0
    for i in range(n):
        G += g_mem[i]
    mw = 0.0
    for j in range(p):
        mw += m[j] * w[j]
    avg = step / n
    for _ in range(n):
        i = _rand_index(rng, n)
        start, stop = indptr[i], indptr[i + 1]
        # xw = x_i @ w
        xw = 0.0
        for k in range(start, stop):
            xw += data[k] * w[indices[k]]
        g = sw[i] * (xw - mw - y[i])
        dg = g - g_mem[i]
        g_mem[i] = g
        G += dg
        c = step * (1.0 - 1.0 / n) * dg
        # S_x += dg * x_i;  w -= c * x_i (before the prox)
        for k in range(start, stop):
            j = indices[k]
            S[j] += dg * data[k]
            w[j] -= c * data[k]
        # w = prox(w + c * m - step * (S_x - m G) / n);  mw = m @ w
        mw = 0.0
        for j in range(p):
            v = w[j] + c * m[j] - avg * (S[j] - m[j] * G)
            v = _prox_j(v, step, l1, l2, pen, j)
            w[j] = v
            mw += m[j] * v


guard_caches(globals())  # a corrupt cache file recompiles (see _jit.py)
