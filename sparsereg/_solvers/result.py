"""What a solver returns."""

from dataclasses import dataclass, field

import numpy as np


@dataclass
class SolverResult:
    """Outcome of one solve of ``P`` for one target at one (l1, l2).

    Attributes
    ----------
    coef : ndarray of shape (n_features,)
        The final iterate (CD decreases the objective at every step).
    dual_gap : float
        Duality gap of ``coef`` in the public 1/n scaling.
    n_iter : int
        Number of epochs (passes over the features) run.
    converged : bool
        Whether the solver's stopping rule was met (for CD: ``dual_gap <= tol *
        ||y||^2 / n`` after a small-step epoch).
    history : list of (n_iter, primal, dual_gap)
        One entry per gap evaluation (by the driver).
    extrapolated : bool
        Whether CD ended with Anderson extrapolation on (with ``anderson="auto"``:
        whether plain CD crept past its budget, see ``cd.cd_solve``).
    """

    coef: np.ndarray
    dual_gap: float
    n_iter: int
    converged: bool
    history: list = field(default_factory=list)
    extrapolated: bool = False
