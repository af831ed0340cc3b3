"""The elastic-net problem, written once.

Every estimator of this package minimizes

    P(w, b) = 1/(2n) * sum_i s_i (y_i - x_i.w - b)^2 + l1 * ||w||_1 + l2/2 * ||w||_2^2

with sample weights ``s`` rescaled to sum to ``n``. The public parameters of each
estimator map to ``(l1, l2)`` in :func:`penalty_weights`; the duality gap, the
proximal operator and ``alpha_max`` below are shared by every solver.

Internally the solvers work on the *sum* scaling ``n * P`` (no 1/n factor), which is
what ``R_norm2 = sum_i s_i R_i^2`` and ``XtR`` naturally give; the functions below take
``n`` and return values in the public (1/n) scaling.
"""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np


def penalty_weights(kind, alpha, l1_ratio=1.0, sum_sample_weight=None):
    """Map an estimator's public parameters to ``(l1, l2)`` of ``P``.

    Parameters
    ----------
    kind : {"lasso", "enet", "ridge"}
        Which public objective.
    alpha : float
        The estimator's regularization strength.
    l1_ratio : float, default=1.0
        ElasticNet's mixing parameter (ignored for "lasso" and "ridge").
    sum_sample_weight : float
        ``sum(s)`` of the *raw* sample weights (``n`` without weights); only Ridge
        needs it, because its objective ``||y - Xw||_s^2 + alpha ||w||^2`` is not
        normalized by the number of samples.

    Returns
    -------
    l1, l2 : float

    Notes
    -----
    ============  =========================================  =========================
    kind          public objective                           (l1, l2)
    ============  =========================================  =========================
    lasso         1/(2n)||y - Xw||^2 + alpha ||w||_1         (alpha, 0)
    enet          1/(2n)||y - Xw||^2 + alpha rho ||w||_1     (alpha rho, alpha (1-rho))
                  + alpha (1 - rho)/2 ||w||^2
    ridge         ||y - Xw||^2 + alpha ||w||^2               (0, alpha / sum(s))
    ============  =========================================  =========================
    """
    if kind == "lasso":
        return float(alpha), 0.0
    if kind == "enet":
        return float(alpha * l1_ratio), float(alpha * (1.0 - l1_ratio))
    if kind == "ridge":
        return 0.0, float(alpha / sum_sample_weight)
    raise ValueError(f"unknown objective kind {kind!r}")


@dataclass
class DualPoint:
    """Result of :func:`duality_gap`, in the public 1/n scaling.

    ``gap`` is the stopping gap (scikit-learn's dual point); ``dual`` is the value
    of the best dual point tried, ``theta = scale * R`` (weighted residual), which
    screening uses: ``primal - dual <= gap``.
    """

    gap: float
    primal: float
    dual: float
    scale: float


class Penalty(NamedTuple):
    """The per-feature penalty the solvers share (compiled code reads it too):
    ``factor`` (the l1 and l2 weights of feature j are ``l1 * factor[j]`` and
    ``l2 * factor[j]``), and the ``lower`` and ``upper`` bounds of each
    coefficient; float64 arrays of shape (n_features,)."""

    factor: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


def feature_penalty(n_features, positive=False, penalty_factor=None, lower=None,
                    upper=None):
    """The :class:`Penalty` of factors and bounds (default: factors 1, no bounds;
    ``positive`` is lower bound 0)."""
    def full(value, default):
        return np.full(n_features, default, dtype=np.float64) if value is None else (
            np.array(value, dtype=np.float64))

    pen = Penalty(full(penalty_factor, 1.0), full(lower, -np.inf),
                  full(upper, np.inf))
    if positive:
        np.maximum(pen.lower, 0.0, out=pen.lower)
    return pen


def is_plain(pen):
    """(plain, positive): whether ``pen`` is the ordinary elastic net (factors 1,
    no bounds but possibly ``positive``), for which screening rules hold."""
    if not (np.all(pen.factor == 1.0) and np.all(pen.upper == np.inf)):
        return False, False
    if np.all(pen.lower == -np.inf):
        return True, False
    return bool(np.all(pen.lower == 0.0)), True


def duality_gap(XtR, R_norm2, Ry, w, l1, l2, n, positive=False, idx=None, pen=None,
                projected=None):
    """Duality gap of ``P`` at ``w``, valid for every ``l1, l2 >= 0``.

    With the weighted residual ``R = y - Xw`` (so that ``XtR = X.T @ diag(s) @ R``,
    ``R_norm2 = R @ diag(s) @ R`` and ``Ry = R @ diag(s) @ y``), the Fenchel dual of
    ``n * P`` is

        D(theta) = theta.y - ||theta||^2 / 2 - sum_j g*_j(x_j.theta),

    with ``g_j(w) = n l1 pf_j |w| + n l2 pf_j w^2 / 2`` restricted to the bounds of
    coefficient j (``pen``, see :func:`feature_penalty`; without it: factors 1, no
    bounds, or lower bound 0 with ``positive``) and ``g*_j`` its convex conjugate,
    ``sup_w v w - g_j(w)``, in closed form: for the plain elastic net
    ``(|v| - n l1)_+^2 / (2 n l2)`` when ``l2 > 0`` and the indicator of
    ``|v| <= n l1`` when ``l2 = 0`` (``|v|`` becomes ``v`` when ``positive``).
    Two dual points ``theta = s R`` are tried and the better one kept (``dual``,
    ``scale``), for gap safe screening:

    * ``s`` the largest value in (0, 1] for which every conjugate is finite when l2
      is ignored, ``min(1, n l1 / max_j |x_j.R|)`` for the plain Lasso: valid for
      every (l1, l2) (the Lasso recipe);
    * ``s = 1`` when the conjugates are finite there (``l2 > 0``, or bounded
      coefficients). This is the one that works at ``l1 = 0``, where the rescaling
      collapses to ``theta = 0``.

    The stopping gap ``gap`` is scikit-learn's, so that ``tol`` means the accuracy
    it means there: with ``l1 > 0`` the dual point of the Lasso recipe applied to
    the elastic net written as a Lasso on X with rows ``sqrt(n l2 pf_j) e_j``
    appended (``x_j.R`` becomes ``x_j.R - n l2 pf_j w_j``; see
    ``_kernels.gap._stopping_dual``), and with ``l1 = 0`` the point ``s = 1``. On an
    elastic-net path the better points certify ``tol`` several epochs earlier, at
    coefficients 100-1000 times farther from the solution than scikit-learn's.

    Features with a penalty factor of 0 must be orthogonal to ``theta``: the caller
    passes ``projected = (XtR_p, R_norm2_p, Ry_p)``, the terms of the residual
    projected off their columns (see ``dispatch.Unpenalized``), from which the dual
    point is built; their conjugates are then 0, and ``R_norm2`` (of the residual
    itself) still gives the primal.

    When ``l1 = l2 = 0`` (ordinary least squares) there is no usable dual, and the
    "gap" is the stationarity residual ``||X.T R||^2 / n``, as in scikit-learn.

    ``idx`` (int64 array) restricts ``XtR`` and ``w`` to those features (the others
    being zero), without copies; the sums run in ``_kernels.gap.enet_dual``.
    """
    R_norm2_primal = float(R_norm2)
    if projected is not None:
        XtR, R_norm2, Ry = projected
    XtR = np.ascontiguousarray(XtR, dtype=np.float64)
    if idx is None:
        idx = np.arange(XtR.shape[0])
    if pen is None:
        pen = feature_penalty(XtR.shape[0], positive)
    from .._kernels import gap as _kernels  # (imports numba: see _jit.py)

    gap, p_sum, best, scale = _kernels.enet_dual(
        XtR, float(R_norm2), float(Ry), R_norm2_primal,
        np.ascontiguousarray(w, dtype=np.float64), idx, n * l1, n * l2, pen)
    return DualPoint(gap=gap / n, primal=p_sum / n, dual=best / n, scale=scale)


def screen_radius(primal, dual):
    """The radius of the gap safe ball around the dual point of value ``dual``,
    ``sqrt(2 (P - D))`` (sum scaling), with a margin for rounding, ``SCREEN_SLACK``
    (``gram_path.py`` compiles this function)."""
    return np.sqrt(2.0 * (max(primal - dual, 0.0) + SCREEN_SLACK * abs(primal)))


def screen_keep(XtR, col_norms, idx, dual, n, l1, positive=False):
    """Gap safe screening (Fercoq et al. 2015; Ndiaye et al. 2017).

    The dual optimum lies in the ball of radius ``sqrt(2 n gap)`` around
    ``theta = dual.scale * R`` (``n * D`` is 1-strongly concave), and a feature whose
    correlation with every point of that ball stays below ``n l1`` is zero at the
    optimum. Returns ``(kept, removed)``: the features of ``idx`` (int64) that are
    not provably zero, and those that are. (The gap is taken with a margin for
    rounding, ``SCREEN_SLACK``.)
    """
    scale = float(dual.scale)
    radius = float(screen_radius(n * dual.primal, n * dual.dual))
    if idx.shape[0] > _SCREEN_IN_NUMPY:
        from .._kernels import gap as _kernels

        return _kernels.screen_keep(XtR, col_norms, idx, scale, radius, n * l1,
                                    bool(positive))
    # few features: numpy's temporaries cost less than compiling the kernel, ~0.25 s
    # of a first fit in a fresh process (the same arithmetic, element by element)
    corr = scale * XtR[idx]
    if not positive:
        corr = np.abs(corr)
    drop = corr + radius * col_norms[idx] < n * l1
    return idx[~drop], idx[drop]


_SCREEN_IN_NUMPY = 256  # features; beyond, the kernel is faster per call
# The computed gap can fall short of the true one by rounding (a few ulps of P),
# and at an exact solution (gap 0, after a Newton step) the correlations of the
# support with the dual point fall below n l1 by as much: screening takes the gap
# plus this fraction of P, so that a solution does not screen out its support.
SCREEN_SLACK = 1e-12


def soft_threshold(z, threshold):
    """Elementwise sign(z) * max(|z| - threshold, 0)."""
    return np.sign(z) * np.maximum(np.abs(z) - threshold, 0.0)


def prox_enet(z, step, l1, l2, positive=False, pen=None):
    """Proximal operator of ``step * (l1 ||.||_1 + l2/2 ||.||^2)`` at ``z``.

    With ``pen`` (:func:`feature_penalty`; ``z`` of shape (n_features,) or
    (n_features, n_targets)) the penalty of feature j is scaled by its factor and the
    result is clipped into its bounds: the prox of the penalty plus the box, since
    both are separable and the 1-D penalty is convex.
    """
    if pen is None:
        if positive:
            return np.maximum(z - step * l1, 0.0) / (1.0 + step * l2)
        return soft_threshold(z, step * l1) / (1.0 + step * l2)
    shape = (-1,) + (1,) * (np.ndim(z) - 1)
    pf = pen.factor.reshape(shape)
    out = soft_threshold(z, step * l1 * pf) / (1.0 + step * l2 * pf)
    return np.clip(out, pen.lower.reshape(shape), pen.upper.reshape(shape))


def alpha_max(Xty, n, l1_ratio=1.0, positive=False):
    """Smallest ``alpha`` for which ``w = 0`` solves the (elastic-net) problem.

    ``Xty = X_c.T @ diag(s) @ y_c`` on centered data, shape (n_features,) or
    (n_features, n_targets); ``alpha_max = max_j |Xty_j| / (n * l1_ratio)`` (the
    largest over the targets, each being an independent problem).
    """
    if l1_ratio <= 0:
        raise ValueError(
            "alpha_max is infinite for l1_ratio=0 (no l1 penalty); "
            "pass l1_ratio > 0"
        )
    Xty = np.asarray(Xty)
    c = Xty if positive else np.abs(Xty)
    return max(float(c.max(initial=0.0)), 0.0) / (n * l1_ratio)
