"""Solver dispatch: an estimator's options and a :class:`problem.Problem` make one
prepared solve (coordinate descent on X or on a Gram matrix, ISTA/FISTA, or SAGA),
which a single fit calls once and a regularization path once per alpha.
"""

import os
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

from .objective import is_plain, penalty_array
from .prox_grad import lipschitz_constant, prox_grad_solve


def solve_penalized(est, problem, l1s, l2s, coef0):
    """Run the estimator's iterative solver on every target; warn if one failed.

    ``l1s``, ``l2s``: penalties per target; ``coef0`` of shape (n_targets,
    n_features) is the starting point. Returns one SolverResult per target.
    """
    return make_solver(est, problem)(l1s, l2s, coef0)


_INT32_MAX = np.iinfo(np.int32).max


def make_solver(est, problem):
    """Prepare the estimator's iterative solver once for ``problem``.

    Returns ``solve(l1s, l2s, coef0, warn=True) -> list of SolverResult`` (one per
    target), which a regularization path calls once per alpha: the design, a Gram
    matrix, the Lipschitz constant or SAGA's row-ordered data are computed here,
    not per call.
    """
    max_iter = 1000 if est.max_iter is None else est.max_iter
    solver = getattr(est, "solver", "cd")
    pen = estimator_penalty(est, problem.n_features)
    plain = is_plain(pen)
    unpenalized = np.flatnonzero(pen[0] == 0.0)
    unpen = (Unpenalized(problem.operator(), problem.weighted_targets(), unpenalized)
             if unpenalized.size else None)
    if solver in ("ista", "fista"):
        _check_prox_grad_options(est)
        A, B = problem.operator(), problem.weighted_targets()
        lipschitz = lipschitz_constant(A, problem.n)

        def run(l1s, l2s, coef0):
            return prox_grad_solve(A, B, l1s, l2s, coef0.T,
                                   accelerated=solver == "fista", max_iter=max_iter,
                                   tol=est.tol, lipschitz=lipschitz, pen=pen,
                                   project=unpen)
    elif solver == "saga":
        _check_prox_grad_options(est)
        from .sag import SagaSolver

        saga = SagaSolver(problem, pen, est.tol, max_iter, est.random_state,
                          project=unpen)

        def run(l1s, l2s, coef0):
            return [saga.solve(k, l1s[k], l2s[k], coef0[k]) for k in range(len(l1s))]
    else:
        from .cd import cd_solve  # (imports numba: see _jit.py)

        gram = _gram_design(est, problem) if hasattr(est, "precompute") else None
        design = gram if gram is not None else problem.design()
        targets = _targets(problem, gram)
        rng = check_random_state(est.random_state)
        random = getattr(est, "selection", "cyclic") == "random"
        anderson = _check_anderson(est)
        # along a path, once plain CD crept at one alpha (anderson="auto" turned
        # extrapolation on), the next alphas extrapolate from their first epoch
        crept = np.zeros(problem.n_targets, dtype=bool)

        def run(l1s, l2s, coef0):
            results = []
            for k in range(len(l1s)):
                results.append(cd_solve(
                    design, targets[k], l1s[k], l2s[k], coef0[k], max_iter=max_iter,
                    tol=est.tol, random=random, pen=pen, plain=plain,
                    anderson=True if crept[k] else anderson,
                    project=None if unpen is None else unpen.for_target(k),
                    rng_seed=int(rng.randint(1, _INT32_MAX)) if random else 0))
                crept[k] = anderson == "auto" and results[-1].extrapolated
            return results

    # the stopping rule's unit per target, for the warning: ||y_c||_s^2 / n
    tol_scale = problem.yty() / problem.n

    def solve(l1s, l2s, coef0, warn=True):
        results = run(np.asarray(l1s, float), np.asarray(l2s, float), coef0)
        failed = [(k, r.dual_gap) for k, r in enumerate(results) if not r.converged]
        if warn:
            _warn_convergence(failed, est.tol, tol_scale, max_iter,
                              float(np.max(l1s)), solver)
        return results

    # a whole path in one jitted call (compute_path), where it applies
    solve.path = None
    if solver == "cd" and gram is not None and not random and unpen is None:
        from .gram_path import path_solver

        solve.path = path_solver(gram, targets, pen, plain, est.tol, max_iter,
                                 anderson)
    return solve


def estimator_penalty(est, n_features):
    """The (3, n_features) penalty array of an estimator's ``penalty_factor``,
    ``lower_bounds``, ``upper_bounds`` and ``positive``, validated."""
    pf = _per_feature(getattr(est, "penalty_factor", None), "penalty_factor",
                      n_features)
    if pf is not None and (not np.all(np.isfinite(pf)) or np.any(pf < 0)):
        raise ValueError(
            "penalty_factor must hold finite, non-negative numbers (0: the feature is "
            "not penalized)"
        )
    lower = _per_feature(getattr(est, "lower_bounds", None), "lower_bounds",
                         n_features)
    upper = _per_feature(getattr(est, "upper_bounds", None), "upper_bounds",
                         n_features)
    positive = bool(getattr(est, "positive", False))
    pen = penalty_array(n_features, positive, pf, lower, upper)
    if np.any(np.isnan(pen[1:])):
        raise ValueError("lower_bounds and upper_bounds must not contain NaN")
    bad = np.flatnonzero(pen[1] > pen[2])
    if bad.size:
        j = int(bad[0])
        if positive and (lower is None or lower[j] < 0.0):
            what = f"positive=True makes the lower bound of coefficient {j} 0"
        else:
            what = f"lower_bounds[{j}] = {pen[1, j]}"
        raise ValueError(
            f"{what} > upper_bounds[{j}] = {pen[2, j]}: no coefficient can satisfy "
            "both; raise that upper bound"
            + (" or drop positive=True" if positive else "")
        )
    if np.any(pen[1] == np.inf) or np.any(pen[2] == -np.inf):
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


def _check_anderson(est):
    """The estimator's ``anderson`` switch (True, False or "auto": on working
    sets), refused where it cannot act; "auto" is off where it cannot act."""
    anderson = getattr(est, "anderson", False)
    cyclic = getattr(est, "selection", "cyclic") == "cyclic"
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


def _check_prox_grad_options(est):
    """Options that only coordinate descent has are errors, not silently ignored."""
    if getattr(est, "selection", "cyclic") != "cyclic":
        raise ValueError(
            f"selection={est.selection!r} chooses the coordinate order of "
            f"solver='cd'; solver={est.solver!r} has none: leave selection='cyclic'"
        )
    if getattr(est, "anderson", False) is True:
        raise ValueError(
            f"anderson=True accelerates solver='cd'; solver={est.solver!r} has its own "
            "scheme: leave anderson=False (or use solver='cd')"
        )
    pre = getattr(est, "precompute", False)
    if not (isinstance(pre, str) or pre is False):
        raise ValueError(
            f"precompute is used by solver='cd' only; with solver={est.solver!r} "
            "leave precompute=False"
        )


def _gram_design(est, problem):
    """A GramDesign when ``precompute`` asks for one, else None."""
    from .cd import GramDesign

    pre = est.precompute
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
    if est.fit_intercept and not np.allclose(problem.X_offset, 0.0):
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
