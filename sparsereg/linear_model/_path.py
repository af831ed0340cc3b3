"""Regularization paths: the alpha grid and warm-started solves along it.

A path solves ``P`` (see ``objective.py``) for a decreasing sequence of alphas,
each solve starting from the previous solution. The solver is prepared once for the
data (design, Gram matrix or Lipschitz constant) and then called per alpha.
"""

import numbers
import warnings
from numbers import Real

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_scalar
from sklearn.utils.validation import check_array, check_consistent_length

from .._solvers.dispatch import SolverOptions, make_solver
from .._solvers.objective import alpha_max, penalty_weights
from .._solvers.problem import Problem
from ._base import FLOAT_DTYPES, check_sample_weight
from ._scale import DataScale


def alpha_grid(problem, l1_ratio=1.0, eps=1e-3, n_alphas=100, positive=False,
               pen=None):
    """``n_alphas`` values from ``alpha_max`` down to ``eps * alpha_max``, geometric.

    ``alpha_max`` is the smallest alpha whose solution is all zeros, on the centered
    and weighted data of ``problem`` (the largest over its targets). With penalty
    factors (``pen``, see ``objective.feature_penalty``) it is the smallest alpha at
    which every penalized coefficient is zero: the correlations are taken with the
    residual of the unpenalized features' least-squares fit and divided by the
    factors (glmnet's ``lambda.max``); bounds count as ``positive`` where the lower
    bound is 0, and are otherwise ignored.
    """
    if l1_ratio <= 0:
        raise ValueError(
            "Automatic alpha grid generation is not supported for l1_ratio=0. "
            "Please supply a grid by providing your estimator with the appropriate "
            "`alphas=` argument (alpha_max is infinite without an l1 penalty)."
        )
    if pen is None or np.all(pen.factor == 1.0):
        top = alpha_max(problem.Xty(), problem.n, l1_ratio, positive)
    else:
        top = _alpha_max_penalized(problem, pen, l1_ratio)
    tiny = np.finfo(np.float64).resolution
    if top <= tiny:
        return np.full(n_alphas, tiny)
    return np.geomspace(top, top * eps, num=n_alphas)


def _alpha_max_penalized(problem, pen, l1_ratio):
    from .._solvers.dispatch import Unpenalized

    Xty = np.asarray(problem.Xty()).reshape(pen.factor.shape[0], -1)
    cols = np.flatnonzero(pen.factor == 0.0)
    if cols.size:  # correlations with the residual of the unpenalized fit
        unpen = Unpenalized(problem.operator(), problem.weighted_targets(), cols)
        Xty = Xty - unpen.Z @ unpen.QtB
    c = np.where((pen.lower >= 0.0)[:, None], np.maximum(Xty, 0.0),
                 np.where((pen.upper <= 0.0)[:, None], np.maximum(-Xty, 0.0),
                          np.abs(Xty)))
    penalized = pen.factor > 0.0
    if not penalized.any():
        return 0.0
    return float((c[penalized] / pen.factor[penalized, None]).max()) / (
        problem.n * l1_ratio)


def compute_path(opts, problem, alphas, l1_ratio, coef_init=None, verbose=0):
    """Warm-started solves of ``P`` for ``alphas`` (in the given order).

    ``opts``: the :class:`~sparsereg._solvers.dispatch.SolverOptions`. Returns
    ``coefs`` of shape (n_targets, n_features, n_alphas), ``gaps`` and ``n_iters``
    of shape (n_targets, n_alphas). A :class:`ConvergenceWarning` names the alphas that
    did not converge.
    """
    coefs, gaps, n_iters, failed = solve_path(opts, problem, alphas, l1_ratio,
                                              coef_init, verbose)
    warn_unconverged(failed, len(alphas), stacklevel=4)
    return coefs, gaps, n_iters


def solve_path(opts, problem, alphas, l1_ratio, coef_init=None, verbose=0):
    """:func:`compute_path` without its warning (none: safe in threads, where
    ``warnings.catch_warnings`` is not); its fourth item lists the alphas that did
    not converge."""
    n_targets, p = problem.n_targets, problem.n_features
    solver = make_solver(opts, problem)
    W = np.zeros((n_targets, p)) if coef_init is None else np.array(
        np.reshape(coef_init, (n_targets, p)), dtype=np.float64)
    weights = np.array([penalty_weights("enet", a, l1_ratio) for a in alphas],
                       dtype=np.float64).reshape(-1, 2)
    if solver.path is not None and not verbose:  # the whole path in one call
        coefs, gaps, n_iters, converged = solver.path(
            np.ascontiguousarray(weights[:, 0]), np.ascontiguousarray(weights[:, 1]),
            W)
        converged = converged.all(axis=0)
    else:
        coefs, gaps, n_iters, converged = _per_alpha(solver, alphas, weights, W,
                                                     verbose)
    failed = [alpha for alpha, ok in zip(alphas, converged, strict=True) if not ok]
    return coefs, gaps, n_iters, failed


def warn_unconverged(failed, n_alphas, stacklevel=2):
    """The :class:`ConvergenceWarning` of a path whose alphas ``failed`` (of
    ``n_alphas``) did not converge; nothing if none."""
    if failed:
        warnings.warn(
            f"Objective did not converge for {len(failed)} of {n_alphas} alphas of "
            f"the path (the smallest: alpha={min(failed):.4g}); increase max_iter or "
            "tol.", ConvergenceWarning, stacklevel=stacklevel,
        )


def _per_alpha(solver, alphas, weights, W, verbose):
    n_targets, p = W.shape
    coefs = np.empty((n_targets, p, len(alphas)))
    gaps = np.empty((n_targets, len(alphas)))
    n_iters = np.empty((n_targets, len(alphas)), dtype=int)
    converged = np.empty(len(alphas), dtype=bool)
    for i, (l1, l2) in enumerate(weights):
        results = solver.solve(np.full(n_targets, l1), np.full(n_targets, l2), W,
                               warn=False)
        W = np.array([r.coef for r in results])
        coefs[:, :, i] = W
        gaps[:, i] = [r.dual_gap for r in results]
        n_iters[:, i] = [r.n_iter for r in results]
        converged[i] = all(r.converged for r in results)
        if verbose:
            print(f"[path] alpha {i + 1}/{len(alphas)} = {alphas[i]:.4g}: "
                  f"{int(np.count_nonzero(W))} nonzero, max gap {gaps[:, i].max():.2e}")
    return coefs, gaps, n_iters, converged


def _deprecated_alphas(alphas, n_alphas):
    """scikit-learn 1.9's deprecation of ``n_alphas`` and ``alphas=None`` in the
    path functions, with its messages: both still work, with a FutureWarning."""
    if not (isinstance(n_alphas, str) and n_alphas == "deprecated"):
        warnings.warn(
            "'n_alphas' was deprecated in 1.9 and will be removed in 1.11. 'alphas' "
            "now accepts an integer value which removes the need to pass "
            "'n_alphas'. Pass an explicit value to 'alphas' and leave 'n_alphas' to "
            "its default value to silence this warning.", FutureWarning, stacklevel=4,
        )
        if isinstance(alphas, str) and alphas == "warn":
            return n_alphas
    if isinstance(alphas, str) and alphas == "warn":
        return 100
    if alphas is None:
        warnings.warn(
            "'alphas=None' is deprecated and will be removed in 1.11, at which point "
            "the default value will be set to 100. Set 'alphas=100' to silence this "
            "warning.", FutureWarning, stacklevel=4,
        )
        return 100
    return alphas


def resolve_alphas(alphas, problem, l1_ratio, eps, positive, pen=None):
    """``alphas`` as given (array, sorted decreasing) or an int-sized grid."""
    if alphas is None:
        alphas = 100
    if isinstance(alphas, numbers.Integral) and not isinstance(alphas, bool):
        if alphas < 1:
            raise ValueError(f"alphas={alphas}: an int number of alphas must be >= 1")
        return alpha_grid(problem, l1_ratio, eps, int(alphas), positive, pen)
    values = list(np.ravel(np.asarray(alphas, dtype=object)))
    if not values:
        raise ValueError("alphas is empty: pass an int or at least one alpha")
    for index, alpha in enumerate(values):  # scikit-learn's messages
        check_scalar(alpha, f"alphas[{index}]", target_type=Real, min_val=0.0,
                     include_boundaries="left")
        if not np.isfinite(alpha):
            raise ValueError(f"alphas[{index}] == {alpha}, must be finite.")
    return np.sort(np.asarray(values, dtype=np.float64))[::-1]


def enet_path(X, y, *, l1_ratio=0.5, eps=1e-3, n_alphas="deprecated", alphas="warn",
              precompute="auto", Xy=None, copy_X=True, coef_init=None, verbose=False,
              return_n_iter=False, positive=False, check_input=True, **params):
    """Compute the elastic-net path, warm-started from the largest alpha down.

    Solves, for each alpha (no intercept: X and y are used as given, as in
    scikit-learn's :func:`~sklearn.linear_model.enet_path`)::

        1 / (2 * n_samples) * ||y - Xw||^2_2
        + alpha * l1_ratio * ||w||_1 + 0.5 * alpha * (1 - l1_ratio) * ||w||^2_2

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training data (sparse stays sparse).
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
        Targets. Unlike scikit-learn (which then solves a multi-task problem), the
        columns of a 2-D y are solved as independent problems, as
        :class:`~sparsereg.ElasticNet` does; as in scikit-learn, ``positive=True``
        needs a 1-D y.
    l1_ratio : float, default=0.5
        Mixing parameter in (0, 1] (0 needs an explicit ``alphas`` array).
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the generated grid.
    n_alphas : int, default="deprecated"
        Deprecated in scikit-learn 1.9 (pass ``alphas=n`` instead); accepted with
        scikit-learn's FutureWarning.
    alphas : int or array-like, default="warn"
        Number of alphas of a geometric grid from ``alpha_max`` (the default:
        100), or the alphas themselves (solved from the largest down). ``None``
        means 100 with scikit-learn's FutureWarning (deprecated there in 1.9).
    precompute : "auto", bool or array-like of shape (n_features, n_features), \
            default="auto"
        Gram matrix use by coordinate descent, see :class:`~sparsereg.ElasticNet`.
    Xy : array-like of shape (n_features,) or (n_features, n_targets), default=None
        ``X.T @ y``, used instead of computing it (for ``alpha_max`` of the
        generated grid and by the Gram solver).
    copy_X : bool, default=True
        Kept for compatibility: the path never modifies X, whatever its value.
    coef_init : array-like of shape (n_features,) or (n_targets, n_features), \
            default=None
        Starting point of the first alpha.
    verbose : bool or int, default=False
        Print one line per alpha.
    return_n_iter : bool, default=False
        Also return the number of iterations per alpha.
    positive : bool, default=False
        Constrain the coefficients to be non-negative (1-D y only: a 2-D y
        raises a ValueError, as in scikit-learn).
    check_input : bool, default=True
        Validate X and y (skip only if already validated).
    **params : dict
        ``tol``, ``max_iter``, ``selection``, ``random_state``, ``solver`` ("cd",
        "ista", "fista", "saga"), ``anderson``, ``penalty_factor``, ``lower_bounds``,
        ``upper_bounds`` and ``sample_weight``, as for
        :class:`~sparsereg.ElasticNet`.

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
        The alphas, decreasing.
    coefs : ndarray of shape (n_features, n_alphas) or (n_targets, n_features, \
            n_alphas)
        Coefficients along the path.
    dual_gaps : ndarray of shape (n_alphas,) or (n_targets, n_alphas)
        Duality gaps at the end of each solve.
    n_iters : ndarray of shape (n_alphas,) or (n_targets, n_alphas)
        Iterations per alpha (if ``return_n_iter``).

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sparsereg import lasso_path
    >>> X, y = load_diabetes(return_X_y=True)
    >>> alphas, coefs, gaps = lasso_path(X - X.mean(0), y - y.mean(), alphas=5)
    >>> (coefs != 0).sum(axis=0)
    array([ 0,  4,  7,  9, 10])
    """
    from ._coordinate_descent import ElasticNet

    unknown = set(params) - {"tol", "max_iter", "selection", "random_state", "solver",
                             "anderson", "penalty_factor", "lower_bounds",
                             "upper_bounds", "sample_weight"}
    if unknown:
        raise ValueError(
            f"Unexpected parameters in params: {sorted(unknown)}. The path accepts "
            "tol, max_iter, selection, random_state, solver, anderson, "
            "penalty_factor, lower_bounds, upper_bounds and sample_weight."
        )
    sample_weight = params.pop("sample_weight", None)
    # the parameters are those of ElasticNet, validated (and defaulted) as there
    model = ElasticNet(l1_ratio=l1_ratio, fit_intercept=False, positive=positive,
                       **params)
    model._validate_params()
    if check_input:
        X = check_array(X, accept_sparse="csc", dtype=FLOAT_DTYPES, input_name="X")
        y = check_array(y, dtype=np.float64, ensure_2d=False, input_name="y")
        check_consistent_length(X, y)
    y = np.asarray(y, dtype=np.float64)
    if positive and y.ndim != 1:
        raise ValueError("positive=True is not allowed for multi-output (y.ndim != 1)")
    Y = y[:, None] if y.ndim == 1 else y
    sw = check_sample_weight(sample_weight, X.shape[0])
    # data near 1e+-150 are solved as X / s, y / s, with every penalty-like input
    # (alphas, a Gram matrix, Xy) divided by s^2; alphas and gaps are scaled back
    data = DataScale.of(X, Y)
    alphas = _deprecated_alphas(alphas, n_alphas)
    if data:
        X, Y = data.down(X), data.down(Y)
        if not isinstance(alphas, numbers.Integral):
            alphas = data.penalty(np.asarray(alphas, dtype=np.float64))
        if not isinstance(precompute, (str, bool, np.bool_)):
            precompute = data.penalty(np.asarray(precompute, dtype=np.float64))
        if Xy is not None:
            Xy = data.penalty(np.asarray(Xy, dtype=np.float64))
    opts = SolverOptions.of(model, precompute=precompute)
    problem = Problem(X, Y, sw, False, copy_X=True)
    if Xy is not None:
        problem.Xy = np.reshape(np.asarray(Xy, dtype=np.float64), (X.shape[1], -1))
    alphas = resolve_alphas(alphas, problem, l1_ratio, eps, positive,
                            opts.penalty(X.shape[1]))
    coefs, gaps, n_iters = compute_path(opts, problem, alphas, l1_ratio, coef_init,
                                        verbose)
    alphas, gaps = data.objective(alphas), data.objective(gaps)
    if y.ndim == 1:
        coefs, gaps, n_iters = coefs[0], gaps[0], n_iters[0]
    if return_n_iter:
        return alphas, coefs, gaps, n_iters
    return alphas, coefs, gaps


def lasso_path(X, y, *, eps=1e-3, n_alphas="deprecated", alphas="warn",
               precompute="auto", Xy=None, copy_X=True, coef_init=None, verbose=False,
               return_n_iter=False, positive=False, **params):
    """Compute the Lasso path: :func:`enet_path` with ``l1_ratio=1``.

    Solves ``1 / (2 * n_samples) * ||y - Xw||^2_2 + alpha * ||w||_1`` for each alpha
    (no intercept, as scikit-learn's :func:`~sklearn.linear_model.lasso_path`);
    parameters and returns as :func:`enet_path`.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training data.
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
        Targets (columns solved independently).
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the generated grid.
    n_alphas : int, default="deprecated"
        Deprecated (scikit-learn 1.9): use ``alphas=n``.
    alphas : int or array-like, default="warn"
        Grid size (100 by default; None too, with a FutureWarning) or the alphas.
    precompute : "auto", bool or array-like, default="auto"
        Gram matrix use by coordinate descent.
    Xy : array-like, default=None
        ``X.T @ y`` for the Gram solver.
    copy_X : bool, default=True
        Kept for compatibility; X is never modified.
    coef_init : array-like, default=None
        Starting point of the first alpha.
    verbose : bool or int, default=False
        Print one line per alpha.
    return_n_iter : bool, default=False
        Also return the iterations per alpha.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    **params : dict
        ``tol``, ``max_iter``, ``selection``, ``random_state``, ``solver``,
        ``anderson``, ``penalty_factor``, ``lower_bounds``, ``upper_bounds``,
        ``sample_weight``.

    Returns
    -------
    alphas, coefs, dual_gaps[, n_iters]
        As :func:`enet_path`.
    """
    return enet_path(X, y, l1_ratio=1.0, eps=eps, n_alphas=n_alphas, alphas=alphas,
                     precompute=precompute, Xy=Xy, copy_X=copy_X, coef_init=coef_init,
                     verbose=verbose, return_n_iter=return_n_iter, positive=positive,
                     **params)
