"""Coordinate-descent driver: epochs, gap checks, screening, working sets.

The jitted epochs of ``_kernels/cd.py``, run several per call by
``_kernels/epochs.py`` (which also evaluates the gap after small steps), do the
work; this driver stops as scikit-learn does: when ``gap <= tol * ||y||^2 / n``
right after an epoch whose largest coefficient change was at most ``tol`` times the
largest coefficient. With ``l1 > 0`` it also removes the features that the gap safe
rule proves to be zero and, above 500 features or on large tall data, runs CD on
working sets (see :func:`cd_solve`).
"""

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from .._kernels import cd as K
from .._kernels import epochs as E
from .newton import SupportNewton
from .objective import DualPoint, duality_gap, is_plain, penalty_array, screen_keep
from .result import SolverResult

# anderson="auto" outside working sets: plain cyclic CD for at least CREEP_EPOCHS
# epochs and CREEP_WORK multiply-adds of epochs on X (n x features each, a few
# milliseconds in all) before extrapolating; most problems are solved by then, with
# scikit-learn's iterates.
CREEP_EPOCHS = 200
CREEP_WORK = 10**7


def creep_epochs(n, n_features):
    """Plain epochs before anderson="auto" extrapolates outside working sets:
    ``max(CREEP_EPOCHS, CREEP_WORK / (n * n_features))``."""
    return max(CREEP_EPOCHS, -(-CREEP_WORK // max(n * n_features, 1)))


@dataclass
class DenseDesign:
    """Fortran-ordered ``X`` already centered and multiplied by ``sqrt(s)``."""

    X: np.ndarray
    n: int

    def __post_init__(self):
        X = self.X
        self.norms2 = np.einsum("ij,ij->j", X, X, dtype=np.float64)
        self.col_norms = np.sqrt(self.norms2)
        self.usable = np.flatnonzero(self.norms2 > 0.0)  # (zero columns stay 0)

    @property
    def n_features(self):
        return self.X.shape[1]

    def residual(self, y, w):
        if not w.any():  # the usual cold start: no kernel to compile for a copy
            return np.array(y, dtype=np.float64), None
        R = np.empty(self.X.shape[0])
        K.dense_residual(self.X, y, w, R)
        return R, None

    def y_norm2(self, y):
        return float(y @ y)

    def epochs(self, R, state, y, w, active, a, b, pen, random, rng, loop):
        hist = loop.history(active, R.shape[0])
        return E.dense_epochs(self.X, R, y, w, self.norms2, active, a, b, pen, random,
                              rng, *loop.args, hist)

    def gap_terms(self, R, state, w, y, idx, XtR):
        X = self.X
        if X.dtype == np.float64 and 2 * idx.size >= X.shape[1]:
            # most columns: one BLAS product (threaded) beats the kernel's pass
            np.dot(X.T, R, out=XtR)
            return float(R @ R), float(R @ y)
        return K.dense_gap_terms(X, R, y, idx, XtR)

    def zero_out(self, R, state, w, idx):
        K.dense_zero_out(self.X, R, w, idx)


@dataclass
class SparseDesign:
    """CSC ``X`` with implicit centering by ``x_mean`` and sample weights ``sw``.

    ``x_mean=None`` means no intercept and ``sw=None`` no sample weights; the
    kernels are then compiled without those terms.
    """

    X: sparse.csc_matrix
    x_mean: np.ndarray | None
    sw: np.ndarray | None
    n: int

    def __post_init__(self):
        X = self.X
        self.data, self.indices, self.indptr = X.data, X.indices, X.indptr
        p = X.shape[1]
        self.colws = np.empty(p)
        self.norms2 = np.empty(p)
        K.sparse_column_stats(self.data, self.indices, self.indptr, self.sw,
                              self.x_mean, float(self.n), self.colws, self.norms2)
        self.col_norms = np.sqrt(self.norms2)
        self.usable = np.flatnonzero(self.norms2 > 0.0)

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
        return float(y @ y) if self.sw is None else float(y @ (self.sw * y))

    def epochs(self, R, state, y, w, active, a, b, pen, random, rng, loop):
        hist = loop.history(active, R.shape[0])
        return E.sparse_epochs(self.data, self.indices, self.indptr, self.x_mean,
                               self.sw, self.colws, R, state, y, w, self.norms2,
                               active, a, b, pen, random, rng, *loop.args, hist)

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
        # the kernels read column j of the symmetric G as its row j
        self.G = np.ascontiguousarray(self.G, dtype=np.float64)
        self.norms2 = np.ascontiguousarray(np.diag(self.G), dtype=np.float64)
        self.col_norms = np.sqrt(np.maximum(self.norms2, 0.0))
        self.usable = np.flatnonzero(self.norms2 > 0.0)

    @property
    def n_features(self):
        return self.G.shape[0]

    def residual(self, y, w):
        return self.G @ w, y

    def y_norm2(self, y):
        return float(y[1])

    def epochs(self, Gw, state, y, w, active, a, b, pen, random, rng, loop):
        hist = loop.history(active, Gw.shape[0])
        q, yty = state
        return E.gram_epochs(self.G, Gw, q, float(yty), w, active, a, b, pen, random,
                             rng, *loop.args, hist)

    def gap_terms(self, Gw, state, w, y, idx, XtR):
        q, yty = state
        return K.gram_gap_terms(q, Gw, w, float(yty), idx, XtR)

    def zero_out(self, Gw, state, w, idx):
        nz = idx[w[idx] != 0.0]
        if nz.size:
            Gw -= w[nz] @ self.G[nz]  # (G symmetric: rows for columns)
            w[nz] = 0.0


@dataclass
class EpochLoop:
    """The arguments of one call of the ``_epochs`` loops but the data: epoch
    budget, small-step ``tol``, the gap test (``ctl[0]`` = its target, sum
    scaling; ``ctl[1:6]``: the gap the loop last looked at, see ``_kernels/epochs.py``),
    and whether to extrapolate."""

    tol: float
    XtR: np.ndarray
    anderson: bool

    def __post_init__(self):
        self.ctl = np.zeros(6)
        self.args = ()

    def set(self, max_epochs, target, check_every, max_checks):
        self.ctl[0] = target
        self.args = (int(max_epochs), float(self.tol), self.XtR, self.ctl,
                     int(check_every), int(max_checks))

    def history(self, active, n_rows):
        if not self.anderson or active.shape[0] < 2:
            return None
        return E.anderson_buffers(active.shape[0], n_rows)


def cd_solve(design, y, l1, l2, w, *, positive=False, max_iter=1000, tol=1e-4,
             random=False, rng_seed=0, screen=True, anderson=False, pen=None,
             plain=None, project=None):
    """Minimize ``P`` for one target by coordinate descent, starting from ``w``.

    ``y`` is the centered (and, for dense X, ``sqrt(s)``-weighted) target; ``w`` is
    modified in place and returned in the result. Stops, as scikit-learn does, when
    the duality gap is at most ``tol * ||y||_s^2 / n`` after an epoch whose largest
    coefficient change was at most ``tol * max|w|`` (or at once if the starting
    point already has such a gap); ``n_iter`` counts epochs (passes over the
    features being optimized). The gap is scikit-learn's, at the current iterate
    (see :func:`~sparsereg._solvers.objective.duality_gap`).

    With ``l1 > 0`` and ``screen``, the features that the gap safe rule proves to be
    zero are dropped, and with more than 500 features CD runs on a *working set*
    (as skglm does): the nonzeros plus the features nearest to violating their
    optimality condition, ``max(2 * nnz, previous size)`` of them (100 at first).
    Each working-set problem is solved until its own duality gap is below
    ``max(0.3 * full gap, tol * ||y||^2 / n)`` (or the latter alone when the set
    holds every feature that violates optimality), or for at most
    ``max(50, 10 p / |ws|)`` epochs; then the full gap decides. From a warm start
    (``w`` not all zero: a path's previous alpha) the sets are tighter, the
    nonzeros plus at most as many violating features (100 at least), and a set
    holding every violator runs without that epoch cap. A working set of
    half the features or more is not worth it: CD then runs on all the
    (unscreened) features. Tall data (``n >= 2 p``) whose epochs cost more than
    ``_TALL_WORK`` multiply-adds -- X beyond the per-core caches -- also run on
    working sets, of ``max(16, 2 * nnz)`` features chosen afresh at every full gap
    check: epochs on the support read a small part of X, mostly from the caches
    (glmnet's active-set cycling; the full gap check is a BLAS product).

    ``anderson`` (cyclic order only) extrapolates the iterates every few epochs
    (see ``_kernels/epochs.py``): the same stopping rule is met in fewer epochs on
    ill-conditioned problems, but the iterates no longer follow scikit-learn's.
    ``"auto"``: from the first epoch on the problems solved with working sets,
    whose iterates differ from scikit-learn's anyway; elsewhere after
    ``CREEP_EPOCHS`` epochs of plain cyclic CD costing ``CREEP_WORK``
    multiply-adds, so that the problems solved within them keep scikit-learn's
    iterates and the slow ones (correlated features: thousands of epochs) are
    extrapolated, by then usually on a settled support. Where it extrapolates, CD
    also takes Newton steps on the support (``newton.py``) once epochs costing as
    much as a step have not converged (dense and Gram designs, no unpenalized
    features, the plain elastic net).

    ``pen`` (:func:`~sparsereg._solvers.objective.penalty_array`) gives per-feature
    penalty factors and bounds (default: from ``positive``); ``w`` is first clipped
    into the bounds. Screening and working sets rely on the plain elastic net's
    optimality conditions and are used only without factors and bounds (``plain``: the
    ``objective.is_plain`` of ``pen``, when the caller knows it). With
    unpenalized features, ``project(XtR, idx, w, R_norm2, Ry)`` gives the gap's
    residual terms projected off their columns (see ``dispatch.Unpenalized``).
    """
    n = design.n
    a, b = n * l1, n * l2
    if pen is None:
        pen = penalty_array(w.shape[0], positive)
    plain, positive = is_plain(pen) if plain is None else plain
    if positive or not plain:  # bounds
        np.clip(w, pen[1], pen[2], out=w)
    R, state = design.residual(y, w)
    tol_gap = tol * design.y_norm2(y) / n
    XtR = np.empty(design.n_features)
    rng = np.array([np.uint64(rng_seed) | np.uint64(1)], dtype=np.uint64)
    active = design.usable
    if active.size < design.n_features:
        design.zero_out(R, state, w, np.flatnonzero(design.norms2 <= 0.0))
    use_screening = screen and l1 > 0.0 and plain
    use_ws = use_screening and active.size > _WS_MIN_FEATURES
    # tall data whose epochs stream X from memory: working sets too, from 16
    # features (an epoch on them reads a small part of X, from the caches)
    tall = (use_screening and not use_ws and not isinstance(design, GramDesign)
            and n >= 2 * active.size and n * active.size >= _TALL_WORK)
    # "auto": on working sets (their iterates differ from scikit-learn's anyway);
    # elsewhere only once plain CD has shown that it creeps (see the user guide)
    extrapolate = anderson is True or anderson == "auto" and use_ws
    late = anderson == "auto" and not use_ws and not random
    # (the work of an epoch on X, whatever the design, so that dense, sparse and
    # Gram CD switch at the same epoch)
    creep = creep_epochs(n, active.size)
    # Newton steps on the support where CD is slow (with the extrapolation)
    newton = None
    if (use_screening and not random and project is None
            and (anderson is True or anderson == "auto")):
        if isinstance(design, DenseDesign):
            newton = SupportNewton(n, b, X=design.X)
        elif isinstance(design, GramDesign):
            newton = SupportNewton(n, b, G=design.G)
    history = []

    def gap_on(idx):
        R_norm2, Ry = design.gap_terms(R, state, w, y, idx, XtR)
        projected = None if project is None else project(XtR, idx, w, R_norm2, Ry)
        return duality_gap(XtR, R_norm2, Ry, w, l1, l2, n, idx=idx, pen=pen,
                           projected=projected)

    # The stopping gap is the one of the current iterate (scikit-learn's dual
    # point, see objective.duality_gap), never a better dual value seen earlier:
    # either would make tol accept a less accurate solution than scikit-learn's.
    def check_gap(n_iter, fresh=False):
        if fresh:  # the loop just evaluated it, on the same features
            gap, primal, value, scale = loop.ctl[1:5]
            dual = DualPoint(gap=gap / n, primal=primal / n, dual=value / n,
                             scale=scale)
        else:
            dual = gap_on(active)
        history.append((n_iter, dual.primal, dual.gap))
        return dual, dual.gap

    # from a warm start (a path's previous alpha), sets of the support and up to
    # as many of the features violating optimality, solved without an epoch cap
    # once they hold every violator
    warm = use_ws and bool(w.any())
    dual, gap = check_gap(0)
    n_iter = 0
    converged = gap <= tol_gap
    ws_size = _WS_MIN
    loop = EpochLoop(tol=tol, XtR=XtR, anderson=extrapolate and not random)
    while not converged and n_iter < max_iter:
        if use_screening:
            kept, removed = screen_keep(XtR, design.col_norms, active, dual, n,
                                        l1, positive)
            if removed.size:
                design.zero_out(R, state, w, removed)
                active = kept
        ws, complete = active, True
        nnz = np.count_nonzero(w)
        if use_ws and warm:
            size = max(_WS_MIN, nnz + min(nnz, _count_violators(XtR, w, active, a,
                                                                positive)))
            ws, complete = _working_set(XtR, w, design.col_norms, active, a,
                                        positive, size)
        elif use_ws:
            ws_size = max(ws_size, 2 * nnz)
            ws, complete = _working_set(XtR, w, design.col_norms, active, a,
                                        positive, ws_size)
        elif tall:  # sized by the current support alone
            ws, complete = _working_set(XtR, w, design.col_norms, active, a,
                                        positive, max(_TALL_WS_MIN, 2 * nnz))
        budget = max_iter - n_iter
        if late:
            loop.anderson = n_iter >= creep
            if not loop.anderson:
                budget = min(budget, creep - n_iter)
        cap = budget  # epochs of this call
        if newton is not None and (loop.anderson or not late):
            cap = min(budget, newton.epochs_left(nnz, ws.size))
        if ws is active:
            # the gap is looked at inside the jitted loop after every small step;
            # back here every _MAX_CHECKS of them to screen (not at all when the
            # gap needs the projection of unpenalized features)
            loop.set(cap, n * tol_gap, 0, 0 if project is not None else _MAX_CHECKS)
        else:
            # a working set holding every feature that violates optimality is
            # solved to the final tolerance at once, otherwise to a fraction of the
            # full gap (looked at every 10th epoch too); and for at most max_inner
            # epochs, so that a set that turned out incomplete cannot use up
            # max_iter, but a full gap check (p / |ws| epochs) stays a small part
            inner_tol = tol_gap if complete else max(0.3 * gap, tol_gap)
            max_inner = max(_WS_MAX_EPOCHS, 10 * active.size // max(ws.size, 1))
            if warm and complete:
                max_inner = budget
            loop.set(min(cap, max_inner), n * inner_tol,
                     0 if inner_tol <= tol_gap else 10, budget)
        n_run, small_step, met = design.epochs(R, state, y, w, ws, a, b, pen, random,
                                               rng, loop)
        n_iter += n_run
        dual, gap = check_gap(n_iter, ws is active and loop.ctl[5] == 1.0)
        # scikit-learn's double criterion: a small duality gap *and* a last epoch
        # whose largest coefficient change was below tol (relative to max |w|)
        converged = (gap <= tol_gap or met and ws is active) and small_step
        if not np.isfinite(gap):  # overflow: the caller reports it
            break
        if (cap < budget and newton.ran(n_run, cap) and not converged
                and newton.step(R, state, w, a, positive)):
            dual, gap = check_gap(n_iter)
    return SolverResult(coef=w, dual_gap=gap, n_iter=n_iter, converged=converged,
                        history=history, extrapolated=loop.anderson)


# Gap checks inside one jitted call before the driver screens features again.
_MAX_CHECKS = 10
_WS_MIN = 100  # first working-set size (skglm starts at 10, celer at 100)
# Below this many features a working set saves little, and plain CD keeps the
# property that two fits of k epochs (warm-started) equal one fit of 2k epochs.
_WS_MIN_FEATURES = 500
# Epochs on one working set before the full gap is looked at again, so that a set
# that turned out incomplete cannot use up max_iter: at least this many, and more
# (10 p / |ws|) when a full gap check costs more than a few epochs on the set.
_WS_MAX_EPOCHS = 50
# Working sets on tall data (n >= 2 p) from this many multiply-adds per epoch
# (8 MB of float64 X, beyond the per-core caches); smaller problems keep plain CD
# and scikit-learn's iterates. Their sets hold max(_TALL_WS_MIN, 2 nnz) features.
_TALL_WORK = 2**20
_TALL_WS_MIN = 16


def _count_violators(XtR, w, active, a, positive):
    """How many zero features of ``active`` violate optimality (``|x_j' R| > a``)."""
    corr = XtR[active] if positive else np.abs(XtR[active])
    return int(np.count_nonzero((corr > a) & (w[active] == 0.0)))


def _working_set(XtR, w, col_norms, active, a, positive, size):
    """The ``size`` features of ``active`` nearest to entering the model.

    At the current iterate a zero feature ``j`` is optimal while
    ``|x_j' R| <= n l1``; the distance ``(n l1 - |x_j' R|) / ||x_j||`` ranks it
    (negative: it violates its optimality condition).
    Nonzero features always belong to the working set. Returns the set in
    increasing order (so that cyclic CD visits features in their natural order)
    and whether it holds every violating feature.
    """
    if 2 * size >= active.size:  # a set this large saves little: use them all
        return active, True
    corr = XtR[active]
    if not positive:
        corr = np.abs(corr)
    dist = (a - corr) / col_norms[active]
    dist[w[active] != 0.0] = -np.inf
    keep = np.argpartition(dist, size - 1)[:size]
    complete = np.count_nonzero(dist < 0.0) <= size
    return np.sort(active[keep]), complete
