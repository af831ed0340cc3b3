"""Gathering the test rows of the CV folds (``model_selection/_folds.py``)."""

import numpy as np

from .._jit import guard_caches, njit


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
