"""Dense X (Fortran-ordered, centered, times ``sqrt(s)``): the layout's operations
(see ``layout.py``)."""

from typing import NamedTuple

import numpy as np

from .layout import anderson_losses, col_dot, col_move, implements, reset, sums


class DenseData(NamedTuple):
    X: np.ndarray
    y: np.ndarray  # centered, times sqrt(s)
    norms2: np.ndarray


@implements(col_dot, DenseData)
def _col_dot(data, R, state, j):
    X = data.X
    acc = 0.0
    for i in range(X.shape[0]):
        acc += X[i, j] * R[i]
    return acc


@implements(col_move, DenseData)
def _col_move(data, R, state, j, d):
    X = data.X
    for i in range(X.shape[0]):
        R[i] -= d * X[i, j]


@implements(reset, DenseData)
def _reset(data, R, state):
    y = data.y
    for i in range(y.shape[0]):
        R[i] = y[i]


@implements(sums, DenseData)
def _sums(data, R, state, w):
    y = data.y
    R_norm2 = 0.0
    Ry = 0.0
    for i in range(y.shape[0]):
        R_norm2 += R[i] * R[i]
        Ry += R[i] * y[i]
    return R_norm2, Ry


@implements(anderson_losses, DenseData)
def _anderson_losses(data, R, state, w, w_acc, active, H, S, c):
    cur = 0.0
    acc = 0.0
    for i in range(R.shape[0]):
        cur += R[i] * R[i]
        r = 0.0
        for k in range(c.shape[0]):
            r += c[k] * H[k + 1, i]
        acc += r * r
    return 0.5 * cur, 0.5 * acc
