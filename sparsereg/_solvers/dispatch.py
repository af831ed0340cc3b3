"""Solver dispatch: :class:`SolverOptions` (read once from an estimator) and a
:class:`~sparsereg._solvers.problem.Problem` make one prepared solver (coordinate
descent on X or on a Gram matrix, ISTA/FISTA, or SAGA), whose ``solve`` a single fit
calls once and a regularization path once per alpha (or whose ``path`` solves the
whole path in one jitted call, where it applies).
"""

import dataclasses
import os
import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

from .objective import feature_penalty, is_plain
from .prox_grad import lipschitz_constant, prox_grad_solve

_INT32_MAX = np.iinfo(np.int32).max


@dataclass(frozen=True)
class SolverOptions:
    """The parameters of an estimator that the solvers read, gathered once by
    :meth:`of` (the estimator itself goes no further). ``precompute=None``: the
    estimator has no Gram option (Ridge)."""

    solver: str = "cd"
    tol: float = 1e-4
    max_iter: int = 1000
    selection: str = "cyclic"
    random_state: object = None
    anderson: object = False
    precompute: object = None
    positive: bool = False
    penalty_factor: object = None
    lower_bounds: object = None
    upper_bounds: object = None

    @classmethod
    def of(cls, est, **changes):
        """The options of estimator ``est`` (``max_iter=None``: 1000), with
        ``changes``."""
        params = est.get_params(deep=False)
        kw = {f.name: params[f.name] for f in dataclasses.fields(cls)
              if f.name in params}
        if kw.get("max_iter") is None:
            kw.pop("max_iter", None)
        kw.update(changes)
        return cls(**kw)

    def scaled(self, scale):
        """These options for the data divided by ``scale`` (a user Gram matrix is
        then divided by its square, as the penalties are)."""
        pre = self.precompute
        if not scale or pre is None or isinstance(pre, (str, bool, np.bool_)):
            return self
        return dataclasses.replace(
            self, precompute=scale.penalty(np.asarray(pre, dtype=np.float64)))

    def penalty(self, n_features):
        """The validated :class:`~sparsereg._solvers.objective.Penalty`."""
        return estimator_penalty(self, n_features)


def make_solver(opts, problem):
    """Prepare the solver ``opts`` asks for once for ``problem``: the design, a Gram
    matrix, the Lipschitz constant or SAGA's row-ordered data are computed here,
    not per call."""
    if opts.solver in ("ista", "fista"):
        return ProximalGradient(opts, problem)
    if opts.solver == "saga":
        return Saga(opts, problem)
    return CoordinateDescent(opts, problem)


class _Solver:
    """``solve(l1s, l2s, coef0, warn=True) -> list of SolverResult``, one per
    target (``l1s``, ``l2s``: its penalties; ``coef0`` of shape (n_targets,
    n_features): the starting point); ``path``: None, or the whole path in one
    call (see ``gram_path.path_solver``)."""

    path = None

    def __init__(self, opts, problem):
        self.opts = opts
        self.pen = opts.penalty(problem.n_features)
        self.plain = is_plain(self.pen)
        unpenalized = np.flatnonzero(self.pen.factor == 0.0)
        self.unpen = (Unpenalized(problem.operator(), problem.weighted_targets(),
                                  unpenalized) if unpenalized.size else None)
        # the stopping rule's unit per target, for the warning: ||y_c||_s^2 / n
        self.tol_scale = problem.yty() / problem.n

    def _checked(self, results, l1s, warn):
        if warn:
            failed = [(k, r.dual_gap) for k, r in enumerate(results)
                      if not r.converged]
            _warn_convergence(failed, self.opts.tol, self.tol_scale,
                              self.opts.max_iter, float(np.max(l1s)),
                              self.opts.solver)
        return results


class ProximalGradient(_Solver):
    """ISTA / FISTA (``prox_grad.py``) on the operator ``A = S^1/2 X_c``."""

    def __init__(self, opts, problem):
        super().__init__(opts, problem)
        _check_prox_grad_options(opts)
        self.A, self.B = problem.operator(), problem.weighted_targets()
        self.lipschitz = lipschitz_constant(self.A, problem.n)

    def solve(self, l1s, l2s, coef0, warn=True):
        opts = self.opts
        results = prox_grad_solve(
            self.A, self.B, np.asarray(l1s, float), np.asarray(l2s, float), coef0.T,
            accelerated=opts.solver == "fista", max_iter=opts.max_iter, tol=opts.tol,
            lipschitz=self.lipschitz, pen=self.pen, project=self.unpen)
        return self._checked(results, l1s, warn)


class Saga(_Solver):
    """SAGA with the elastic-net prox (``sag.py``)."""

    def __init__(self, opts, problem):
        super().__init__(opts, problem)
        _check_prox_grad_options(opts)
        from .sag import SagaSolver

        self.saga = SagaSolver(problem, self.pen, opts.tol, opts.max_iter,
                               opts.random_state, project=self.unpen)

    def solve(self, l1s, l2s, coef0, warn=True):
        results = [self.saga.solve(k, float(l1s[k]), float(l2s[k]), coef0[k])
                   for k in range(len(l1s))]
        return self._checked(results, l1s, warn)


class CoordinateDescent(_Solver):
    """Coordinate descent (``cd.cd_solve``) on X or on a Gram matrix; along a
    path, once plain CD crept at one alpha (``anderson="auto"`` turned
    extrapolation on), the next alphas extrapolate from their first epoch."""

    def __init__(self, opts, problem):
        super().__init__(opts, problem)
        from .cd import cd_solve  # (imports numba: see _jit.py)

        self.cd_solve = cd_solve
        gram = _gram_design(opts, problem) if opts.precompute is not None else None
        self.design = gram if gram is not None else problem.design()
        self.targets = _targets(problem, gram)
        self.rng = check_random_state(opts.random_state)
        self.random = opts.selection == "random"
        self.anderson = _check_anderson(opts)
        self.crept = np.zeros(problem.n_targets, dtype=bool)
        if gram is not None and not self.random and self.unpen is None:
            from .gram_path import path_solver

            self.path = path_solver(gram, self.targets, self.pen, self.plain,
                                    opts.tol, opts.max_iter, self.anderson)

    def solve(self, l1s, l2s, coef0, warn=True):
        opts, results = self.opts, []
        for k in range(len(l1s)):
            results.append(self.cd_solve(
                self.design, self.targets[k], float(l1s[k]), float(l2s[k]), coef0[k],
                max_iter=opts.max_iter, tol=opts.tol, random=self.random,
                pen=self.pen, plain=self.plain,
                anderson=True if self.crept[k] else self.anderson,
                project=None if self.unpen is None else self.unpen.for_target(k),
                rng_seed=(int(self.rng.randint(1, _INT32_MAX)) if self.random
                          else 0)))
            self.crept[k] = self.anderson == "auto" and results[-1].extrapolated
        return self._checked(results, l1s, warn)


def estimator_penalty(opts, n_features):
    """The :class:`~sparsereg._solvers.objective.Penalty` of the options'
    ``penalty_factor``, ``lower_bounds``, ``upper_bounds`` and ``positive``,
    validated."""
    pf = _per_feature(opts.penalty_factor, "penalty_factor", n_features)
    if pf is not None and (not np.all(np.isfinite(pf)) or np.any(pf < 0)):
        raise ValueError(
            "penalty_factor must hold finite, non-negative numbers (0: the feature is "
            "not penalized)"
        )
    lower = _per_feature(opts.lower_bounds, "lower_bounds", n_features)
    upper = _per_feature(opts.upper_bounds, "upper_bounds", n_features)
    positive = bool(opts.positive)
    pen = feature_penalty(n_features, positive, pf, lower, upper)
    if np.any(np.isnan(pen.lower)) or np.any(np.isnan(pen.upper)):
        raise ValueError("lower_bounds and upper_bounds must not contain NaN")
    bad = np.flatnonzero(pen.lower > pen.upper)
    if bad.size:
        j = int(bad[0])
        if positive and (lower is None or lower[j] < 0.0):
            what = f"positive=True makes the lower bound of coefficient {j} 0"
        else:
            what = f"lower_bounds[{j}] = {pen.lower[j]}"
        raise ValueError(
            f"{what} > upper_bounds[{j}] = {pen.upper[j]}: no coefficient can satisfy "
            "both; raise that upper bound"
            + (" or drop positive=True" if positive else "")
        )
    if np.any(pen.lower == np.inf) or np.any(pen.upper == -np.inf):
        raise ValueError("a lower bound of +inf or an upper bound of -inf leaves no "
                         "feasible coefficient")
    return pen


def _per_feature(value, name, n_features):
    """None, or a float array of length n_features from a scalar or array-like."""
    if value is None:
        return None
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == 0:
        return np.full(n_features, float(arr))
    if arr.shape != (n_features,):
        raise ValueError(
            f"{name} has shape {arr.shape}; expected a scalar or one value per "
            f"feature, shape ({n_features},)"
        )
    return arr


class Unpenalized:
    """Orthonormal basis ``Q`` of the columns of the unpenalized features, so that
    the duality gap can use a dual point orthogonal to them (their conjugate is
    the indicator of ``x_j'theta = 0``): the residual ``R`` is replaced by
    ``R - Q Q'R`` with ``Q'R = Q'b - Z'w``, ``Z = A'Q``, computed from ``w`` alone.
    """

    def __init__(self, A, B, cols):
        n, p = A.shape
        E = np.zeros((p, cols.size))
        E[cols, np.arange(cols.size)] = 1.0
        Q = np.linalg.qr(np.asarray(A.matmat(E)))[0]
        self.Z = np.asarray(A.rmatmat(Q))  # (p, m)
        self.QtB = Q.T @ B  # (m, n_targets)

    def __call__(self, k, XtR, w, R_norm2, Ry, idx=None):
        """The gap terms of target k projected: ``(XtR_p, R_norm2_p, Ry_p)``."""
        t = self.QtB[:, k] - self.Z.T @ w
        XtR_p = XtR - self.Z @ t if idx is None else XtR.copy()
        if idx is not None:
            XtR_p[idx] -= self.Z[idx] @ t
        return XtR_p, R_norm2 - float(t @ t), Ry - float(t @ self.QtB[:, k])

    def for_target(self, k):
        """The projection of target k with coordinate descent's signature."""
        return lambda XtR, idx, w, R_norm2, Ry: self(k, XtR, w, R_norm2, Ry, idx)


def _check_anderson(opts):
    """The ``anderson`` switch (True, False or "auto": on working sets), refused
    where it cannot act; "auto" is off where it cannot act."""
    anderson = opts.anderson
    cyclic = opts.selection == "cyclic"
    if isinstance(anderson, str):
        return "auto" if cyclic else False
    anderson = bool(anderson)
    if anderson and not cyclic:
        raise ValueError(
            "anderson=True extrapolates the iterates of cyclic coordinate descent; "
            "with selection='random' there is no fixed cycle to extrapolate: use "
            "selection='cyclic' or anderson=False"
        )
    return anderson


def _check_prox_grad_options(opts):
    """Options that only coordinate descent has are errors, not silently ignored."""
    if opts.selection != "cyclic":
        raise ValueError(
            f"selection={opts.selection!r} chooses the coordinate order of "
            f"solver='cd'; solver={opts.solver!r} has none: leave selection='cyclic'"
        )
    if opts.anderson is True:
        raise ValueError(
            f"anderson=True accelerates solver='cd'; solver={opts.solver!r} has its "
            "own scheme: leave anderson=False (or use solver='cd')"
        )
    pre = opts.precompute
    if not (pre is None or isinstance(pre, str) or pre is False):
        raise ValueError(
            f"precompute is used by solver='cd' only; with solver={opts.solver!r} "
            "leave precompute=False"
        )


def _gram_design(opts, problem):
    """A GramDesign when ``precompute`` asks for one, else None."""
    from .cd import GramDesign

    pre = opts.precompute
    if isinstance(pre, str):  # "auto" as in scikit-learn's path functions
        pre = problem.n > problem.n_features
    if isinstance(pre, (bool, np.bool_)):
        if not pre:
            return None
        p = problem.n_features
        if 8.0 * p * p > _gram_memory_limit():
            raise ValueError(
                f"precompute=True would form a {p} x {p} Gram matrix "
                f"({8.0 * p * p / 2**30:.1f} GiB), more than a quarter of this "
                "machine's memory: use precompute=False (coordinate descent on X)"
            )
        return GramDesign(problem.gram(), problem.n)
    G = np.asarray(pre)
    rtol = 1e-4 if np.float32 in (G.dtype, problem.X.dtype) else 1e-7
    G = G.astype(np.float64)
    p = problem.X.shape[1]
    if G.shape != (p, p):
        raise ValueError(
            f"precompute: the Gram matrix has shape {G.shape}, expected ({p}, {p})"
        )
    if problem.fit_intercept and not np.allclose(problem.X_offset, 0.0):
        warnings.warn(
            "Gram matrix was provided but X was centered to fit intercept: "
            "recomputing Gram matrix.", UserWarning, stacklevel=4,
        )
        return GramDesign(problem.gram(), problem.n)
    _check_gram(G, problem, rtol)
    return GramDesign(G, problem.n)


def _gram_memory_limit():
    """A quarter of the physical memory in bytes (4 GiB if it cannot be read)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 4
    except (AttributeError, ValueError, OSError):
        return 4.0 * 2**30


def _check_gram(G, problem, rtol):
    """Spot-check one entry of a user Gram matrix against the (weighted) data."""
    p = G.shape[0]
    f1 = p // 2
    f2 = min(f1 + 1, p - 1)
    expected = problem.gram_column(f2)[f1]
    if not np.isclose(expected, G[f1, f2], rtol=rtol, atol=1e-5):
        raise ValueError(
            "Gram matrix passed in via 'precompute' parameter did not pass "
            f"validation: for element ({f1}, {f2}) X.T @ X gives {expected} but the "
            f"given matrix has {G[f1, f2]}. Pass precompute=True to let it be "
            "computed, or the Gram matrix of this (weighted, centered) X."
        )


def _targets(problem, gram):
    """Per-target inputs of cd_solve: y columns, or (q, yty) for a Gram design."""
    if gram is None:
        Y = problem.Y
        return [np.ascontiguousarray(Y[:, k]) for k in range(Y.shape[1])]
    Xty, yty = problem.Xty(), problem.yty()
    return [(np.ascontiguousarray(Xty[:, k]), float(yty[k]))
            for k in range(problem.n_targets)]


def _warn_convergence(failed, tol, tol_scale, max_iter, l1, solver="cd"):
    """scikit-learn's ConvergenceWarning for the first target in ``failed``
    (``(k, gap)`` pairs): the gap and the number it was compared with,
    ``tol * tol_scale[k]`` (``tol_scale = ||y_k - mean(y_k)||_s^2 / n``)."""
    if not failed:
        return
    k, gap = failed[0]
    which = f" for target {k} of {len(tol_scale)}" if len(tol_scale) > 1 else ""
    msg = (
        "Objective did not converge. You might want to increase the number of "
        f"iterations (max_iter={max_iter}), check the scale of the features or "
        f"consider increasing regularisation. Duality gap: {gap:.3e}, tolerance: "
        f"{tol * tol_scale[k]:.3e}{which} (tol={tol:g} times "
        f"||y - mean(y)||^2 / n_samples; solver={solver!r}, the best iterate is "
        "returned)."
    )
    if l1 == 0.0:
        msg += " With no l1 penalty, Ridge's direct solvers are faster."
    warnings.warn(msg, ConvergenceWarning, stacklevel=4)
