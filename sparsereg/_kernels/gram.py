"""A Gram matrix ``G`` (CD keeps ``R = G w`` instead of a residual): the layout's
operations (see ``layout.py``). ``G`` is symmetric and C-ordered: its column ``j``
is read as its row ``j``."""

from typing import NamedTuple

import numpy as np

from .layout import anderson_losses, col_dot, col_move, implements, reset, sums


class GramData(NamedTuple):
    G: np.ndarray  # X_c' diag(s) X_c
    q: np.ndarray  # X_c' diag(s) y_c
    yty: float  # y_c' diag(s) y_c
    norms2: np.ndarray  # the diagonal of G


@implements(col_dot, GramData)
def _col_dot(data, Gw, state, j):
    return data.q[j] - Gw[j]


@implements(col_move, GramData)
def _col_move(data, Gw, state, j, d):
    G = data.G
    for k in range(Gw.shape[0]):
        Gw[k] += d * G[j, k]


@implements(reset, GramData)
def _reset(data, Gw, state):
    for k in range(Gw.shape[0]):
        Gw[k] = 0.0


@implements(sums, GramData)
def _sums(data, Gw, state, w):
    # ||R||^2 = yty - 2 w'q + w'Gw and R.y = yty - w'q
    q, yty = data.q, data.yty
    wq = 0.0
    wGw = 0.0
    for j in range(w.shape[0]):
        wq += w[j] * q[j]
        wGw += w[j] * Gw[j]
    return max(yty - 2.0 * wq + wGw, 0.0), yty - wq


@implements(anderson_losses, GramData)
def _anderson_losses(data, Gw, state, w, w_acc, active, H, S, c):
    # 1/2 ||R||^2 = 1/2 yty - w'q + 1/2 w'Gw; only w on active changes, so compare
    # -w_A'q_A + 1/2 w'Gw, with G w_acc = sum_k c_k H_{k+1} (into H[0], which is
    # rewritten before its next use)
    q = data.q
    p, K = Gw.shape[0], c.shape[0]
    cur = 0.0
    acc = 0.0
    for f in range(active.shape[0]):
        j = active[f]
        cur -= w[j] * q[j]
        acc -= w_acc[f] * q[j]
    wGw = 0.0
    for j in range(p):
        wGw += w[j] * Gw[j]
        g = 0.0
        for k in range(K):
            g += c[k] * H[k + 1, j]
        H[0, j] = g
    wGw_acc = 0.0
    for j in range(p):
        wGw_acc += w[j] * H[0, j]
    for f in range(active.shape[0]):
        j = active[f]
        wGw_acc += (w_acc[f] - w[j]) * H[0, j]
    return cur + 0.5 * wGw, acc + 0.5 * wGw_acc
