"""What every compiled loop shares: the 1-D coordinate update, random order.

Only ``@njit(cache=True, nogil=True)`` functions of arrays and scalars live in
``_kernels/`` (no jitclass), so they are compiled once per dtype signature and
cached on disk, and they release the GIL, so that folds fitted in threads run in
parallel. Drivers and checks stay in Python (``_solvers/cd.py``); the maths of the
gap is documented in ``_solvers/objective.py``.

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


@njit(cache=True, nogil=True, inline="always")
def _u(i):
    return np.uint64(i)


guard_caches(globals())  # a corrupt cache file recompiles (see _jit.py)
