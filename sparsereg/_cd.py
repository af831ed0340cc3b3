"""Coordinate-descent driver: epochs, gap checks, screening, warm start.

The jitted epoch of ``_kernels.py`` does the work; this driver decides when to
evaluate the duality gap (scikit-learn's rule: whenever the largest coordinate change
of an epoch is below ``tol`` relative to the largest coefficient, and at the last
epoch), stops when ``gap <= tol * ||y||^2 / n``, and removes features that the gap safe
rule proves to be zero (only when ``l1 > 0``).
"""

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from . import _kernels as K
from ._objective import duality_gap, screen_mask
from ._result import SolverResult


@dataclass
class DenseDesign:
    """Fortran-ordered ``X`` already centered and multiplied by ``sqrt(s)``."""

    X: np.ndarray
    n: int

    def __post_init__(self):
        X = self.X
        self.norms2 = np.einsum("ij,ij->j", X, X, dtype=np.float64)
        self.col_norms = np.sqrt(self.norms2)

    @property
    def n_features(self):
        return self.X.shape[1]

    def residual(self, y, w):
        R = np.empty(self.X.shape[0])
        K.dense_residual(self.X, y, w, R)
        return R, None

    def y_norm2(self, y):
        return float(y @ y)

    def epoch(self, R, state, w, active, a, b, positive, random, rng):
        return K.dense_epoch(self.X, R, w, self.norms2, active, a, b, positive,
                             random, rng)

    def gap_terms(self, R, state, w, y, idx, XtR):
        return K.dense_gap_terms(self.X, R, y, idx, XtR)

    def zero_out(self, R, state, w, idx):
        K.dense_zero_out(self.X, R, w, idx)


@dataclass
class SparseDesign:
    """CSC ``X`` with implicit centering by ``x_mean`` and sample weights ``sw``."""

    X: sparse.csc_matrix
    x_mean: np.ndarray
    sw: np.ndarray
    n: int

    def __post_init__(self):
        X = self.X
        self.data, self.indices, self.indptr = X.data, X.indices, X.indptr
        sw_col = self.sw[self.indices]
        counts = np.diff(self.indptr)
        col = np.repeat(np.arange(X.shape[1]), counts)
        data = self.data.astype(np.float64)
        # colws_j = sum_i s_i X_ij ; ||x_cj||_s^2 = sum s X^2 - 2 m colws + n m^2
        self.colws = np.bincount(col, weights=sw_col * data, minlength=X.shape[1])
        sq = np.bincount(col, weights=sw_col * data * data, minlength=X.shape[1])
        m = self.x_mean
        norms2 = sq - 2.0 * m * self.colws + self.n * m * m
        self.norms2 = np.maximum(norms2, 0.0)
        self.col_norms = np.sqrt(self.norms2)

    @property
    def n_features(self):
        return self.X.shape[1]

    def residual(self, y, w):
        Rt = np.empty(y.shape[0])
        state = np.zeros(2)
        K.sparse_residual(self.data, self.indices, self.indptr, self.x_mean, self.sw,
                          y, w, Rt, state)
        return Rt, state

    def y_norm2(self, y):
        return float(y @ (self.sw * y))

    def epoch(self, R, state, w, active, a, b, positive, random, rng):
        return K.sparse_epoch(self.data, self.indices, self.indptr, self.x_mean,
                              self.sw, self.colws, R, state, w, self.norms2, active,
                              a, b, positive, random, rng)

    def gap_terms(self, R, state, w, y, idx, XtR):
        return K.sparse_gap_terms(self.data, self.indices, self.indptr, self.x_mean,
                                  self.sw, self.colws, R, state, y, idx, XtR)

    def zero_out(self, R, state, w, idx):
        K.sparse_zero_out(self.data, self.indices, self.indptr, self.x_mean,
                          self.colws, R, state, w, idx)


@dataclass
class GramDesign:
    """Precomputed ``G = X_c' diag(s) X_c`` (CD then costs O(p) per coordinate).

    A target is given to :func:`cd_solve` as ``y = (q, yty)`` with
    ``q = X_c' diag(s) y_c`` and ``yty = y_c' diag(s) y_c``; the "residual" kept by
    the kernel is ``Gw = G @ w``, from which ``X'R = q - Gw`` and
    ``||R||^2 = yty - 2 w'q + w'Gw`` follow.
    """

    G: np.ndarray
    n: int

    def __post_init__(self):
        self.norms2 = np.ascontiguousarray(np.diag(self.G), dtype=np.float64)
        self.col_norms = np.sqrt(np.maximum(self.norms2, 0.0))

    @property
    def n_features(self):
        return self.G.shape[0]

    def residual(self, y, w):
        return self.G @ w, y

    def y_norm2(self, y):
        return float(y[1])

    def epoch(self, Gw, state, w, active, a, b, positive, random, rng):
        return K.gram_epoch(self.G, Gw, state[0], w, active, a, b, positive, random,
                            rng)

    def gap_terms(self, Gw, state, w, y, idx, XtR):
        q, yty = state
        XtR[idx] = q[idx] - Gw[idx]
        wq = float(w @ q)
        R_norm2 = max(yty - 2.0 * wq + float(w @ Gw), 0.0)
        return R_norm2, yty - wq

    def zero_out(self, Gw, state, w, idx):
        for j in idx:
            if w[j] != 0.0:
                Gw -= w[j] * self.G[:, j]
                w[j] = 0.0


def cd_solve(design, y, l1, l2, w, *, positive=False, max_iter=1000, tol=1e-4,
             random=False, rng_seed=0, screen=True):
    """Minimize ``P`` for one target by coordinate descent, starting from ``w``.

    ``y`` is the centered (and, for dense X, ``sqrt(s)``-weighted) target; ``w`` is
    modified in place and returned in the result. Stops when the duality gap is at
    most ``tol * ||y||_s^2 / n``; ``n_iter`` counts epochs (passes over the features
    being optimized).

    With ``l1 > 0`` and ``screen``, the features that the gap safe rule proves to be
    zero are dropped, and with more than 500 features CD runs on a *working set*
    (as skglm does): the nonzeros
    plus the features nearest to violating their optimality condition, at least
    ``max(2 * nnz, previous size)`` of them. Each working-set problem is solved until
    its own duality gap is below 0.3 times the full one; then the full gap decides.
    """
    n = design.n
    a, b = n * l1, n * l2
    R, state = design.residual(y, w)
    tol_gap = tol * design.y_norm2(y) / n
    XtR = np.empty(design.n_features)
    rng = np.array([np.uint64(rng_seed) | np.uint64(1)], dtype=np.uint64)
    active = np.flatnonzero(design.norms2 > 0.0)
    if active.size < design.n_features:
        design.zero_out(R, state, w, np.flatnonzero(design.norms2 <= 0.0))
    use_screening = screen and l1 > 0.0
    use_ws = use_screening and active.size > _WS_MIN_FEATURES
    history = []

    def gap_on(idx):
        R_norm2, Ry = design.gap_terms(R, state, w, y, idx, XtR)
        return duality_gap(XtR[idx], R_norm2, Ry, w[idx], l1, l2, n, positive)

    def check_gap(n_iter):
        dual = gap_on(active)
        history.append((n_iter, dual.primal, dual.gap))
        return dual

    dual = check_gap(0)
    n_iter = 0
    converged = dual.gap <= tol_gap
    ws_size = _WS_MIN
    while not converged and n_iter < max_iter:
        ws = active
        if use_screening:
            keep = ~screen_mask(XtR[active], design.col_norms[active], dual, n, l1,
                                positive)
            if not keep.all():
                design.zero_out(R, state, w, active[~keep])
                active = active[keep]
        if use_ws:
            ws_size = max(ws_size, 2 * np.count_nonzero(w))
            ws = _working_set(XtR, w, design.col_norms, active, dual.scale, a,
                              positive, ws_size)
        inner_tol = max(0.3 * dual.gap, tol_gap)
        n_inner = 0
        while n_iter < max_iter:
            d_w_max, w_max = design.epoch(R, state, w, ws, a, b, positive, random,
                                          rng)
            n_iter += 1
            n_inner += 1
            small_step = w_max == 0.0 or d_w_max <= tol * w_max
            if ws is active:
                if small_step:
                    break
            elif (small_step or n_inner % 10 == 0) and gap_on(ws).gap <= inner_tol:
                break
        dual = check_gap(n_iter)
        converged = dual.gap <= tol_gap
        if not np.isfinite(dual.gap):  # overflow: the caller reports it
            break
    return SolverResult(coef=w, dual_gap=dual.gap, n_iter=n_iter, converged=converged,
                        history=history)


_WS_MIN = 100  # first working-set size (skglm starts at 10, celer at 100)
# Below this many features a working set saves little, and plain CD keeps the
# property that two fits of k epochs (warm-started) equal one fit of 2k epochs.
_WS_MIN_FEATURES = 500


def _working_set(XtR, w, col_norms, active, scale, a, positive, size):
    """The ``size`` features of ``active`` nearest to entering the model.

    A zero feature ``j`` may enter only if ``|x_j' theta| = n l1``; its distance
    ``(n l1 - |x_j' theta|) / ||x_j||`` ranks it (negative: it violates optimality).
    Nonzero features always belong to the working set. Returned in increasing order,
    so that cyclic CD visits features in their natural order.
    """
    if size >= active.size:
        return active
    corr = scale * XtR[active]
    if not positive:
        corr = np.abs(corr)
    dist = (a - corr) / col_norms[active]
    dist[w[active] != 0.0] = -np.inf
    keep = np.argpartition(dist, size - 1)[:size]
    return np.sort(active[keep])
