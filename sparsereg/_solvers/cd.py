"""Coordinate-descent driver: screening, working sets, epochs, gap checks.

The compiled epochs of ``_kernels/epochs.py`` (written once for every data layout
of ``_kernels/layout.py``), several per call with the gap checks inside, do the
work; :func:`cd_solve` stops as scikit-learn does: when ``gap <= tol * ||y||^2 / n``
right after an epoch whose largest coefficient change was at most ``tol`` times the
largest coefficient. Its loop reads as its steps; the strategies that make it fast
(working sets, Anderson extrapolation, Newton steps on the support) are small
objects chosen once before the loop. A design (dense X, sparse X, Gram matrix)
binds a target to its layout's data (``design.data(y)``) for the compiled loops.
"""

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from .._kernels import epochs as kernels
from .._kernels.dense import DenseData
from .._kernels.gram import GramData
from .._kernels.sparse import SparseData, sparse_column_stats
from .newton import SupportNewton
from .objective import DualPoint, duality_gap, feature_penalty, is_plain, screen_keep
from .result import SolverResult

# anderson="auto" outside working sets: plain cyclic CD for at least CREEP_EPOCHS
# epochs and CREEP_WORK multiply-adds of epochs on X (n x features each, a few
# milliseconds in all) before extrapolating; most problems are solved by then, with
# scikit-learn's iterates.
CREEP_EPOCHS = 200
CREEP_WORK = 10**7

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


def creep_epochs(n, n_features):
    """Plain epochs before anderson="auto" extrapolates outside working sets:
    ``max(CREEP_EPOCHS, CREEP_WORK / (n * n_features))``."""
    return max(CREEP_EPOCHS, -(-CREEP_WORK // max(n * n_features, 1)))


class _Design:
    """What the driver asks of a design; ``data(y)`` binds a target to it (the
    layout's NamedTuple of ``_kernels/``), and the compiled loops do the rest."""

    def residual(self, data, w):
        """``(R, state)`` of ``w``."""
        R, state = np.empty(self.n_rows), np.zeros(2)
        kernels.residual(data, w, R, state)
        return R, state

    def epochs(self, data, R, state, w, active, a, b, pen, random, rng, tol, XtR,
               plan, extrapolate):
        return kernels.epochs(data, R, state, w, active, a, b, pen, random, rng,
                              plan.max_epochs, tol, XtR, plan.target,
                              plan.check_every, plan.max_checks,
                              _history(extrapolate, active, R.shape[0]))

    def gap_terms(self, data, R, state, w, idx, XtR):
        return kernels.gap_terms(data, R, state, w, idx, XtR)

    def zero_out(self, data, R, state, w, idx):
        kernels.zero_out(data, R, state, w, idx)


@dataclass
class DenseDesign(_Design):
    """Fortran-ordered ``X`` already centered and multiplied by ``sqrt(s)``."""

    X: np.ndarray
    n: int

    def __post_init__(self):
        X = self.X
        self.n_rows, self.n_features = X.shape
        self.norms2 = np.einsum("ij,ij->j", X, X, dtype=np.float64)
        self.col_norms = np.sqrt(self.norms2)
        self.usable = np.flatnonzero(self.norms2 > 0.0)  # (zero columns stay 0)

    def data(self, y):
        return DenseData(self.X, y, self.norms2)

    def y_norm2(self, data):
        return float(data.y @ data.y)

    def residual(self, data, w):
        if not w.any():  # the usual cold start: no kernel to compile for a copy
            return np.array(data.y, dtype=np.float64), np.zeros(2)
        return super().residual(data, w)

    def gap_terms(self, data, R, state, w, idx, XtR):
        X = self.X
        if X.dtype == np.float64 and 2 * idx.size >= X.shape[1]:
            # most columns: one BLAS product (threaded) beats the kernel's pass
            np.dot(X.T, R, out=XtR)
            return float(R @ R), float(R @ data.y)
        return super().gap_terms(data, R, state, w, idx, XtR)


@dataclass
class SparseDesign(_Design):
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
        self.n_rows, self.n_features = X.shape
        self.colws = np.empty(self.n_features)
        self.norms2 = np.empty(self.n_features)
        sparse_column_stats(X.data, X.indices, X.indptr, self.sw, self.x_mean,
                            float(self.n), self.colws, self.norms2)
        self.col_norms = np.sqrt(self.norms2)
        self.usable = np.flatnonzero(self.norms2 > 0.0)

    def data(self, y):
        X = self.X
        return SparseData(X.data, X.indices, X.indptr, self.x_mean, self.sw,
                          self.colws, y, self.norms2)

    def y_norm2(self, data):
        y = data.y
        return float(y @ y) if self.sw is None else float(y @ (self.sw * y))


@dataclass
class GramDesign(_Design):
    """Precomputed ``G = X_c' diag(s) X_c`` (CD then costs O(p) per coordinate).

    A target is given to :func:`cd_solve` as ``y = (q, yty)`` with
    ``q = X_c' diag(s) y_c`` and ``yty = y_c' diag(s) y_c``; the "residual" kept by
    the kernel is ``Gw = G @ w``, from which ``X'R = q - Gw`` and
    ``||R||^2 = yty - 2 w'q + w'Gw`` follow. (``G w`` is computed by the compiled
    ``residual``, not by BLAS, whose threads' wake-up cost a fold's path 10-15%.)
    """

    G: np.ndarray
    n: int

    def __post_init__(self):
        # the kernels read column j of the symmetric G as its row j
        self.G = np.ascontiguousarray(self.G, dtype=np.float64)
        self.n_rows = self.n_features = self.G.shape[0]
        self.norms2 = np.ascontiguousarray(np.diag(self.G), dtype=np.float64)
        self.col_norms = np.sqrt(np.maximum(self.norms2, 0.0))
        self.usable = np.flatnonzero(self.norms2 > 0.0)

    def data(self, y):
        q, yty = y
        return GramData(self.G, np.ascontiguousarray(q, dtype=np.float64),
                        float(yty), self.norms2)

    def y_norm2(self, data):
        return data.yty


@dataclass(frozen=True)
class EpochPlan:
    """One call of the jitted epoch loop (``_kernels/epochs.py``): at most
    ``max_epochs`` epochs; back as soon as the gap (sum scaling) is at most
    ``target``, looked at after every small step and every ``check_every``-th epoch
    (0: small steps only), or after ``max_checks`` looks (0: no look inside the
    loop, back at the first small step for the driver to test)."""

    max_epochs: int
    target: float
    check_every: int = 0
    max_checks: int = 0


# ----------------------------------------------------------- working-set strategies
#
# Which features the next epochs run on, chosen once before the driver's loop. Each
# strategy's ``choose(XtR, w, active)`` returns the set and whether it holds every
# feature violating optimality; ``plan`` how far to solve it.


@dataclass
class AllFeatures:
    """Plain CD on every feature that screening keeps; the gap is looked at inside
    the jitted loop (not at all when the gap needs the projection of unpenalized
    features: ``checks = 0``)."""

    tol_gap: float
    n: int
    checks: int = 0
    wide = False  # (working sets because of many features, see WorkingSets)

    def choose(self, XtR, w, active):
        return active, True

    def plan(self, ws, complete, active, gap, cap, budget):
        return EpochPlan(cap, self.n * self.tol_gap, 0, self.checks)


@dataclass
class WorkingSets(AllFeatures):
    """CD on working sets (as skglm): the nonzeros plus the features nearest to
    violating their optimality condition, ``size(nnz, XtR, w, active)`` of them.
    A set holding every violator is solved to the final tolerance, others to
    ``max(0.3 * full gap, tol_gap)`` (the gap also looked at every 10th epoch), for
    at most ``max(_WS_MAX_EPOCHS, 10 p / |set|)`` epochs (no cap for a complete set
    from a warm start: ``uncapped``); then the full gap decides. ``wide``: sets
    because of many features (not because of tall data)."""

    col_norms: np.ndarray = None
    a: float = 0.0
    positive: bool = False
    size: object = None
    uncapped: bool = False
    wide: bool = True

    def choose(self, XtR, w, active):
        size = self.size(np.count_nonzero(w), XtR, w, active)
        return _working_set(XtR, w, self.col_norms, active, self.a, self.positive,
                            size)

    def plan(self, ws, complete, active, gap, cap, budget):
        if ws is active:  # every feature: plain CD
            return super().plan(ws, complete, active, gap, cap, budget)
        inner_tol = self.tol_gap if complete else max(0.3 * gap, self.tol_gap)
        max_inner = max(_WS_MAX_EPOCHS, 10 * active.size // max(ws.size, 1))
        if self.uncapped and complete:
            max_inner = budget
        return EpochPlan(min(cap, max_inner), self.n * inner_tol,
                         0 if inner_tol <= self.tol_gap else 10, budget)


class GrowingSize:
    """Cold start: ``max(2 nnz, previous size)``, 100 at first."""

    def __init__(self):
        self.size = _WS_MIN

    def __call__(self, nnz, XtR, w, active):
        self.size = max(self.size, 2 * nnz)
        return self.size


def warm_size(a, positive):
    """From a warm start: the support and at most as many violators (100 at least)."""
    def size(nnz, XtR, w, active):
        return max(_WS_MIN, nnz + min(nnz, _count_violators(XtR, w, active, a,
                                                             positive)))
    return size


def tall_size(nnz, XtR, w, active):
    """Tall data: ``max(16, 2 nnz)``, sized by the current support alone."""
    return max(_TALL_WS_MIN, 2 * nnz)


def working_sets(design, w, n, tol_gap, a, positive, screening, checks):
    """The strategy for this solve: working sets with more than
    ``_WS_MIN_FEATURES`` features, or on tall data whose epochs stream X from
    memory (``n >= 2 p``, more than ``_TALL_WORK`` multiply-adds: X beyond the
    per-core caches; glmnet's active-set cycling), else every feature."""
    p = design.usable.size
    if not screening:
        return AllFeatures(tol_gap, n, checks)
    kw = dict(col_norms=design.col_norms, a=a, positive=positive)
    if p > _WS_MIN_FEATURES:
        if w.any():  # a path's previous alpha
            return WorkingSets(tol_gap, n, checks, size=warm_size(a, positive),
                               uncapped=True, **kw)
        return WorkingSets(tol_gap, n, checks, size=GrowingSize(), **kw)
    if (not isinstance(design, GramDesign) and n >= 2 * p
            and n * p >= _TALL_WORK):
        return WorkingSets(tol_gap, n, checks, size=tall_size, wide=False, **kw)
    return AllFeatures(tol_gap, n, checks)


@dataclass
class Extrapolation:
    """When the epochs extrapolate (Anderson): from the first epoch (``on``), never,
    or (``late``: ``anderson="auto"`` without working sets) once ``creep`` plain
    epochs have not converged."""

    on: bool
    late: bool
    creep: int

    def next(self, n_iter, budget):
        """(extrapolate in the next call, its epoch budget)."""
        return extrapolation_step(self.on, self.late, self.creep, n_iter, budget)


def extrapolation_step(on, late, creep, n_iter, budget):
    """:meth:`Extrapolation.next`, as a function (``gram_path.py`` compiles it)."""
    if not late:
        return on, budget
    if n_iter >= creep:
        return True, budget
    return False, min(budget, creep - n_iter)


def extrapolation(anderson, sets, random, n, p):
    """``anderson=True``: always; ``"auto"``: on the working sets of many features
    from the first epoch (their iterates differ from scikit-learn's anyway),
    elsewhere after :func:`creep_epochs`; never in random order."""
    on = (anderson is True or anderson == "auto" and sets.wide) and not random
    late = anderson == "auto" and not sets.wide and not random
    return Extrapolation(on, late, creep_epochs(n, p))


def newton_steps(design, data, n, b, anderson, screening, random, project):
    """Newton steps on the support (``newton.py``) where CD may creep: with the
    extrapolation, on dense and Gram designs of the plain elastic net."""
    if not (screening and not random and project is None
            and (anderson is True or anderson == "auto")):
        return None
    if isinstance(design, DenseDesign):
        return SupportNewton(n, b, X=design.X)
    if isinstance(design, GramDesign):
        return SupportNewton(n, b, G=design.G, q=data.q)
    return None


# ------------------------------------------------------------------------ the driver


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

    The loop reads as its steps: screen (with ``l1 > 0``, the features that the
    gap safe rule proves to be zero are dropped), choose the working set
    (:func:`working_sets`), run epochs (with the gap checks and, per
    :func:`extrapolation`, Anderson extrapolation inside the jitted loop), check
    the gap, and take a Newton step on the support where one is due
    (:func:`newton_steps`).

    ``pen`` (:func:`~sparsereg._solvers.objective.feature_penalty`) gives
    per-feature penalty factors and bounds (default: from ``positive``); ``w`` is
    first clipped into the bounds. Screening and working sets rely on the plain
    elastic net's optimality conditions and are used only without factors and
    bounds (``plain``: the ``objective.is_plain`` of ``pen``, when the caller
    knows it). With unpenalized features, ``project(XtR, idx, w, R_norm2, Ry)``
    gives the gap's residual terms projected off their columns (see
    ``dispatch.Unpenalized``).
    """
    n = design.n
    a, b = n * l1, n * l2
    if pen is None:
        pen = feature_penalty(w.shape[0], positive)
    plain, positive = is_plain(pen) if plain is None else plain
    if positive or not plain:  # bounds
        np.clip(w, pen.lower, pen.upper, out=w)
    data = design.data(y)
    R, state = design.residual(data, w)
    tol_gap = tol * design.y_norm2(data) / n
    XtR = np.empty(design.n_features)
    rng = np.array([np.uint64(rng_seed) | np.uint64(1)], dtype=np.uint64)
    active = design.usable
    if active.size < design.n_features:
        design.zero_out(data, R, state, w, np.flatnonzero(design.norms2 <= 0.0))
    screening = screen and l1 > 0.0 and plain
    sets = working_sets(design, w, n, tol_gap, a, positive, screening,
                        0 if project is not None else _MAX_CHECKS)
    schedule = extrapolation(anderson, sets, random, n, active.size)
    newton = newton_steps(design, data, n, b, anderson, screening, random, project)
    history = []

    # The stopping gap is the one of the current iterate (scikit-learn's dual
    # point, see objective.duality_gap), never a better dual value seen earlier:
    # either would make tol accept a less accurate solution than scikit-learn's.
    def check_gap(run=None):
        if run is not None and run.looked:  # the loop just looked, on these features
            dual = DualPoint(gap=run.gap / n, primal=run.primal / n,
                             dual=run.dual / n, scale=run.scale)
        else:
            R_norm2, Ry = design.gap_terms(data, R, state, w, active, XtR)
            projected = (None if project is None
                         else project(XtR, active, w, R_norm2, Ry))
            dual = duality_gap(XtR, R_norm2, Ry, w, l1, l2, n, idx=active, pen=pen,
                               projected=projected)
        history.append((n_iter, dual.primal, dual.gap))
        return dual

    n_iter = 0
    dual = check_gap()
    converged = dual.gap <= tol_gap
    extrapolating = schedule.on
    while not converged and n_iter < max_iter:
        if screening:
            kept, removed = screen_keep(XtR, design.col_norms, active, dual, n, l1,
                                        positive)
            if removed.size:
                design.zero_out(data, R, state, w, removed)
                active = kept
        ws, complete = sets.choose(XtR, w, active)
        extrapolating, budget = schedule.next(n_iter, max_iter - n_iter)
        cap = budget  # epochs of this call
        if newton is not None and (extrapolating or not schedule.late):
            cap = min(budget, newton.epochs_left(np.count_nonzero(w), ws.size))
        plan = sets.plan(ws, complete, active, dual.gap, cap, budget)
        run = design.epochs(data, R, state, w, ws, a, b, pen, random, rng, tol, XtR,
                            plan, extrapolating)
        n_iter += run.epochs
        dual = check_gap(run if ws is active else None)
        converged = stopped(dual.gap, tol_gap, run.met and ws is active, run.small)
        if not np.isfinite(dual.gap):  # overflow: the caller reports it
            break
        if (cap < budget and newton.ran(run.epochs, cap) and not converged
                and newton.step(R, w, a, positive)):
            dual = check_gap()
    return SolverResult(coef=w, dual_gap=dual.gap, n_iter=n_iter,
                        converged=converged, history=history,
                        extrapolated=extrapolating)


def stopped(gap, target, met, small):
    """The stopping test of every coordinate-descent solve (``gram_path.py``
    compiles it), scikit-learn's double criterion: a small duality gap (``gap <=
    target``, or ``met`` in the loop of epochs on the same features) *and* a last
    epoch whose largest coefficient change was below tol (relative to max |w|)."""
    return (gap <= target or met) and small


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


def _history(extrapolate, active, n_rows):
    """Anderson's buffers for the epochs on ``active``, or None: plain CD."""
    if not extrapolate or active.shape[0] < 2:
        return None
    return kernels.anderson_buffers(active.shape[0], n_rows)
