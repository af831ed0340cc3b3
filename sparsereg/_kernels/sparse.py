"""Sparse CSC X, centered and weighted implicitly (see ``common.py``): the layout's
operations (see ``layout.py``) and the column statistics.

``x_mean is None`` (no intercept) and ``sw is None`` (no sample weights) are
compiled out: numba prunes the branches on None-typed arguments, hence the small
helpers that take the fields as arguments (compiled as functions of their own, not
inlined into the caller's IR, where the None would be a field, not an argument).
"""

from typing import NamedTuple

import numpy as np

from .._jit import guard_caches, njit
from .common import _u
from .layout import anderson_losses, col_dot, col_move, implements, reset, sums


class SparseData(NamedTuple):
    data: np.ndarray
    indices: np.ndarray
    indptr: np.ndarray
    x_mean: object  # ndarray, or None: no intercept
    sw: object  # ndarray, or None: no sample weights
    colws: np.ndarray  # sum_i s_i X_ij
    y: np.ndarray  # centered
    norms2: np.ndarray


@implements(col_dot, SparseData)
def _col_dot(data, Rt, state, j):
    n = Rt.shape[0]
    return _xtr(data.data, data.indices, _u(data.indptr[j]), _u(data.indptr[j + 1]),
                data.sw, Rt, state[0], data.colws[j], data.x_mean, j,
                state[1] + n * state[0])


@implements(col_move, SparseData)
def _col_move(data, Rt, state, j, d):
    _move(data.data, data.indices, data.indptr, data.x_mean, data.colws, Rt, state, j,
          d)


@implements(reset, SparseData)
def _reset(data, Rt, state):
    _reset_weighted(data.y, data.sw, Rt, state)


@implements(sums, SparseData)
def _sums(data, Rt, state, w):
    return _sums_weighted(data.y, data.sw, Rt, state)


@implements(anderson_losses, SparseData)
def _anderson_losses(data, Rt, state, w, w_acc, active, H, S, c):
    return _losses_weighted(data.sw, Rt, state, H, S, c)


@njit(cache=True, nogil=True)
def _xtr(data, indices, start, stop, sw, Rt, off, colws_j, x_mean, j, sR):
    """x_cj^T diag(s) R for column j, with R = Rt + off and sR = sum_i s_i R_i."""
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
def _move(data, indices, indptr, x_mean, colws, Rt, state, j, d):
    # Rt -= d * X[:, j];  off += d * x_mean[j]
    for k in range(_u(indptr[j]), _u(indptr[j + 1])):
        Rt[_u(indices[k])] -= d * data[k]
    if x_mean is not None:
        state[0] += d * x_mean[j]
        state[1] -= d * colws[j]


@njit(cache=True, nogil=True)
def _reset_weighted(y, sw, Rt, state):
    sy = 0.0
    for i in range(y.shape[0]):
        Rt[i] = y[i]
        sy += (1.0 if sw is None else sw[i]) * y[i]
    state[0], state[1] = 0.0, sy


@njit(cache=True, nogil=True)
def _sums_weighted(y, sw, Rt, state):
    off = state[0]
    R_norm2 = 0.0
    Ry = 0.0
    for i in range(Rt.shape[0]):
        r = Rt[i] + off
        s_i = 1.0 if sw is None else sw[i]
        R_norm2 += s_i * r * r
        Ry += s_i * r * y[i]
    return R_norm2, Ry


@njit(cache=True, nogil=True)
def _losses_weighted(sw, Rt, state, H, S, c):
    K = c.shape[0]
    off_acc = 0.0
    for k in range(K):
        off_acc += c[k] * S[k + 1]
    cur = 0.0
    acc = 0.0
    for i in range(Rt.shape[0]):
        s_i = 1.0 if sw is None else sw[i]
        r = Rt[i] + state[0]
        cur += s_i * r * r
        r = off_acc
        for k in range(K):
            r += c[k] * H[k + 1, i]
        acc += s_i * r * r
    return 0.5 * cur, 0.5 * acc


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


guard_caches(globals())  # a corrupt cache file recompiles (see _jit.py)
