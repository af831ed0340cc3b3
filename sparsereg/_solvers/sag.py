"""SAG and SAGA: stochastic average gradient solvers for very tall data.

Both minimize the problem of ``objective.py`` on the centered, weighted data of
:class:`~sparsereg._solvers.problem.Problem`, written as an average over the samples,

    P(w) = 1/n sum_i f_i(w) + l1 ||w||_1 + l2/2 ||w||^2,
    f_i(w) = s_i/2 (y_i - (x_i - m).w)^2,

with one sampled row per step (Schmidt, Le Roux & Bach 2017, SAG; Defazio, Bach &
Lacoste-Julien 2014, SAGA); the compiled epochs are ``_kernels/sag.py``. The intercept
never enters the solver: dense X is centered by the problem, sparse X is centered
implicitly (the column means ``m`` enter the kernels as scalars, so sparse and dense
data follow the same iterates).

* Ridge (``solver="sag"`` / ``"saga"``) is scikit-learn's solver: memory of the
  gradients starting at zero, the first epoch averaging over the samples seen so far,
  l2 as a decay of the weights, step ``1 / (max_i s_i ||x_i - m||^2 + l2)`` (SAG) or
  ``1 / (2 L + min(2 n l2, L))`` with ``L`` that denominator (SAGA), and its
  stopping rule: after an epoch, ``max|w - w_prev| <= tol * max|w|``.
* The elastic net (``solver="saga"`` of Lasso and ElasticNet) takes SAGA steps with
  the proximal operator of the whole penalty (factors and bounds included) and the
  same step, and stops, like every elastic-net solver here, when the duality gap of
  the iterate is at most ``tol * ||b||^2 / n``. The gap is computed after every
  epoch from the exact residual, whose per-sample gradients then replace the memory.
"""

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

from .objective import duality_gap, feature_penalty
from .result import SolverResult

_INT32_MAX = np.iinfo(np.int32).max


def step_size(max_squared_sum, l2, n, saga):
    """scikit-learn's ``get_auto_step_size`` for the squared loss, the intercept
    being out of the solver: ``1 / L`` (SAG) or ``1 / (2 L + min(2 n l2, L))``
    (SAGA) with ``L = max_squared_sum + l2``; ValueError unless finite and > 0."""
    L = np.float64(max_squared_sum) + np.float64(l2)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        step = 1.0 / (2.0 * L + min(2.0 * n * l2, L)) if saga else 1.0 / L
    step = float(step)
    if not (np.isfinite(step) and step > 0.0):
        raise ValueError(
            f"SAG/SAGA step size {step} is not a finite positive number (largest "
            f"squared row norm {max_squared_sum}, l2 {l2}): the data overflow "
            "float64 or are all zero. Rescale X (e.g. with StandardScaler)."
        )
    return step


def _rng_state(seed):
    """A nonzero xorshift64 state from an integer seed (one splitmix64 step)."""
    z = (int(seed) + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    z ^= z >> 31
    return np.array([z or 1], dtype=np.uint64)


@dataclass
class SagData:
    """The rows of a :class:`~sparsereg._solvers.problem.Problem`, as the kernels
    read them.

    Attributes
    ----------
    A : ndarray of shape (n, p), C-ordered, or None
        Dense rows, centered and multiplied by ``sqrt(s)`` (a row-ordered float64
        copy of the problem's X).
    X : csr_matrix or None
        Sparse rows, raw (float64).
    m : ndarray of shape (p,)
        Column means (zeros without an intercept); used with ``X``.
    sw : ndarray of shape (n,)
        Sample weights (summing to n); used with ``X``.
    targets : ndarray of shape (n, n_targets)
        ``b = sqrt(s) y_c`` (dense) or ``y_c`` (sparse): what the kernels fit.
    max_squared_sum : float
        ``max_i s_i ||x_i - m||^2``, the largest Lipschitz constant of the ``f_i``.
    center : bool
        Whether ``m`` is nonzero (sparse X with an intercept).
    """

    A: np.ndarray
    X: object
    m: np.ndarray
    sw: np.ndarray
    targets: np.ndarray
    max_squared_sum: float
    center: bool = False

    @classmethod
    def of(cls, problem):
        n, p = problem.n, problem.n_features
        Y = np.asfortranarray(problem.Y, dtype=np.float64)  # contiguous columns
        if not problem.is_sparse:
            A = np.ascontiguousarray(problem.X, dtype=np.float64)
            top = float(np.einsum("ij,ij->i", A, A).max(initial=0.0))
            return cls(A, None, np.zeros(p), np.ones(n), Y, top, False)
        X = sparse.csr_matrix(problem.X, dtype=np.float64)
        X.sort_indices()
        m = np.ascontiguousarray(problem.x_mean, dtype=np.float64)
        # ||x_i - m||^2 = sum over the row's nonzeros of (x - m_j)^2 - m_j^2, + m.m
        mj = m[X.indices]
        rows = np.repeat(np.arange(n), np.diff(X.indptr))
        norms = np.bincount(rows, weights=(X.data - mj) ** 2 - mj**2, minlength=n)
        norms = np.maximum(norms + m @ m, 0.0) * problem.sw
        return cls(None, X, m, np.ascontiguousarray(problem.sw), Y,
                   float(norms.max(initial=0.0)), bool(np.any(m != 0.0)))

    def ridge_epoch(self, k, w, memory, rng, step, l2, saga):
        """One epoch of scikit-learn's SAG / SAGA (l2 as a decay) for target k."""
        from .._kernels import sag as kern  # (imports numba: see _jit.py)

        b = self.targets[:, k]
        if self.A is not None:
            memory.n_seen = kern.dense_epoch(
                self.A, b, w, memory.S, memory.g, memory.seen, memory.n_seen, rng,
                step, 1.0 - step * l2, saga, False, 0.0, l2, _NO_PENALTY_FACTORS)
            return
        X = self.X
        memory.n_seen = kern.sparse_lazy_epoch(
            X.data, X.indices, X.indptr, b, self.sw, self.m, self.center, w,
            memory.S, memory.g, memory.seen, memory.n_seen, rng, step, l2, saga,
            memory.C1, memory.C2, memory.hist)

    def prox_epoch(self, k, w, memory, rng, step, l1, l2, pen):
        """One epoch of SAGA with the elastic-net prox for target k."""
        from .._kernels import sag as kern

        b = self.targets[:, k]
        if self.A is not None:
            kern.dense_epoch(self.A, b, w, memory.S, memory.g, memory.seen,
                             memory.n_seen, rng, step, 1.0, True, True, l1, l2, pen)
            return
        X = self.X
        kern.sparse_prox_epoch(X.data, X.indices, X.indptr, b, self.sw, self.m, w,
                               memory.S, memory.g, rng, step, l1, l2, pen)

    def residual_terms(self, k, w):
        """At ``w``, for target k: the gap terms ``(XtR, R_norm2, Ry)`` of the
        weighted residual ``R = b - A w`` and the exact per-sample gradients
        ``g`` with their sum ``S`` (in the kernels' form)."""
        if self.A is not None:
            b = self.targets[:, k]
            R = b - self.A @ w
            XtR = self.A.T @ R
            return (XtR, float(R @ R), float(R @ b)), -R, -XtR
        y = self.targets[:, k]
        r = y - (self.X @ w - self.m @ w)
        u = self.sw * r
        Xtu = np.asarray(self.X.T @ u)
        XtR = Xtu - self.m * u.sum()
        return (XtR, float(u @ r), float(u @ y)), -u, -Xtu


_NO_PENALTY_FACTORS = feature_penalty(1)  # unread when the kernel takes no prox


class _Memory:
    """SAG's memory of one target: last gradient of each sample (``g``), their sum
    ``S``, which samples were seen, and the sparse kernel's work arrays."""

    def __init__(self, data, full=False):
        n, p = data.targets.shape[0], data.m.shape[0]
        self.g = np.zeros(n)
        self.S = np.zeros(p)
        self.seen = np.full(n, 1 if full else 0, dtype=np.uint8)
        self.n_seen = n if full else 0
        if data.X is not None:
            self.C1, self.C2 = np.empty(n), np.empty(n)
            self.hist = np.zeros(p, dtype=np.int64)


# ---------------------------------------------------------------------------- Ridge


def ridge_sag(opts, problem, l2s):
    """Ridge by scikit-learn's SAG or SAGA (``opts.solver``), one target at a time.

    ``l2s`` holds the penalty of each target in ``P``. Returns ``(coef of shape
    (n_targets, n_features), n_iter list)``; a ConvergenceWarning names the targets
    whose coefficients still moved by more than ``tol`` (relative) at ``max_iter``.
    """
    saga = opts.solver == "saga"
    max_iter = int(opts.max_iter)
    data = SagData.of(problem)
    rng = check_random_state(opts.random_state)
    coef = np.zeros((len(l2s), problem.n_features))
    n_iter, failed = [], []
    for k, l2 in enumerate(l2s):
        seed = rng.randint(1, _INT32_MAX)
        if data.max_squared_sum == 0.0:  # every centered row is 0: w = 0 is optimal
            n_iter.append(1)
            continue
        step = step_size(data.max_squared_sum, l2, problem.n, saga)
        n_iter_k, change = _ridge_epochs(data, k, coef[k], step, l2, saga, opts.tol,
                                         max_iter, _rng_state(seed))
        n_iter.append(n_iter_k)
        if change is not None:
            failed.append((k, change))
    if failed:
        k, change = failed[0]
        warnings.warn(
            "The max_iter was reached which means the coef_ did not converge: "
            f"after max_iter={max_iter} epochs of solver={opts.solver!r} the largest "
            f"coefficient change of the last epoch is {change:.3e} times the largest "
            f"coefficient (target {k}), tol={opts.tol:g}. Increase max_iter, or "
            "standardize X (SAG converges fast on features of the same scale).",
            ConvergenceWarning, stacklevel=4,
        )
    return coef, n_iter


def _ridge_epochs(data, k, w, step, l2, saga, tol, max_iter, rng):
    """Epochs on ``w`` (in place) until ``max|w - w_prev| <= tol * max|w|``.

    Returns ``(epochs, None)`` when the rule held, else ``(max_iter, last ratio)``.
    """
    memory = _Memory(data)
    ratio = np.inf
    for epoch in range(1, max_iter + 1):
        w_prev = w.copy()
        data.ridge_epoch(k, w, memory, rng, step, l2, saga)
        _check_finite(w, epoch)
        change = float(np.max(np.abs(w - w_prev), initial=0.0))
        w_max = float(np.max(np.abs(w), initial=0.0))
        if w_max == 0.0 and change == 0.0:
            return epoch, None
        ratio = change / w_max if w_max > 0.0 else np.inf
        if ratio <= tol:
            return epoch, None
    return max_iter, ratio


def _check_finite(w, epoch):
    if not np.all(np.isfinite(w)):
        raise ValueError(
            f"Floating-point under-/overflow occurred at epoch #{epoch}. Scaling "
            "input data with StandardScaler or MinMaxScaler might help."
        )


# ---------------------------------------------------------------------- elastic net


class SagaSolver:
    """SAGA with the elastic-net prox, prepared once for a problem (a path solves
    one target at one ``(l1, l2)`` per call of :meth:`solve`)."""

    def __init__(self, problem, pen, tol, max_iter, random_state, project=None):
        self.data = SagData.of(problem)
        self.n = problem.n
        self.pen = pen if pen is not None else feature_penalty(problem.n_features)
        self.tol, self.max_iter, self.project = tol, max_iter, project
        self.rng = check_random_state(random_state)
        B = self.data.targets
        if problem.is_sparse:
            B = np.sqrt(self.data.sw)[:, None] * B
        self.tol_gap = tol * np.einsum("ij,ij->j", B, B) / self.n

    def solve(self, k, l1, l2, coef0):
        """Minimize ``P`` for target k from ``coef0``; returns a SolverResult."""
        rng = _rng_state(self.rng.randint(1, _INT32_MAX))
        pen = self.pen
        w = np.clip(np.array(coef0, dtype=np.float64), pen.lower, pen.upper)
        if self.data.max_squared_sum == 0.0:
            # every centered row is 0: the minimizer of the penalty within the bounds
            w = np.clip(np.zeros_like(w), pen.lower, pen.upper)
        memory = _Memory(self.data, full=True)
        dual = self._gap_and_refresh(k, w, l1, l2, memory)
        best_gap, best_w = dual.gap, w.copy()
        history = [(0, dual.primal, dual.gap)]
        epoch = 0
        if dual.gap > self.tol_gap[k] and self.data.max_squared_sum > 0.0:
            # l2 times the largest factor bounds the strong convexity of the penalty
            mu = l2 * float(np.max(pen.factor, initial=0.0))
            step = step_size(self.data.max_squared_sum, mu, self.n, saga=True)
            for epoch in range(1, self.max_iter + 1):
                self.data.prox_epoch(k, w, memory, rng, step, l1, l2, pen)
                _check_finite(w, epoch)
                dual = self._gap_and_refresh(k, w, l1, l2, memory)
                history.append((epoch, dual.primal, dual.gap))
                if dual.gap < best_gap:  # SAGA is not monotone: keep the best
                    best_gap, best_w = dual.gap, w.copy()
                if dual.gap <= self.tol_gap[k]:
                    break
        return SolverResult(coef=best_w, dual_gap=float(best_gap), n_iter=epoch,
                            converged=bool(best_gap <= self.tol_gap[k]),
                            history=history)

    def _gap_and_refresh(self, k, w, l1, l2, memory):
        """Duality gap of ``w``; the memory is set to the exact gradients at ``w``."""
        terms, memory.g[:], memory.S[:] = self.data.residual_terms(k, w)
        XtR, R_norm2, Ry = terms
        projected = (None if self.project is None
                     else self.project(k, XtR, w, R_norm2, Ry))
        return duality_gap(XtR, R_norm2, Ry, w, l1, l2, self.n, pen=self.pen,
                           projected=projected)
