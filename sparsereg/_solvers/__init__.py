"""The solvers of the penalized least-squares problem every linear model reduces to.

Where things live:

* ``problem.py``: :class:`~.problem.Problem`, the centered, weighted data (dense X,
  sparse X, or its Gram matrix) and targets;
* ``objective.py``: the maths, once: the mapping of public parameters to
  ``(l1, l2)``, the :class:`~.objective.Penalty` (factors, bounds), the duality gap,
  screening, the proximal operator, ``alpha_max``;
* ``dispatch.py``: :class:`~.dispatch.SolverOptions` read once from an estimator,
  and ``make_solver``, which prepares the solver they ask for;
* ``cd.py``: the coordinate-descent driver and its strategies (working sets,
  extrapolation schedule, Newton steps, ``newton.py``); ``gram_path.py``: the same
  loop with its plain strategies, compiled (its rules compiled from ``cd.py``'s
  source), which runs a whole warm-started path on a Gram matrix in one call;
* ``prox_grad.py`` (ISTA/FISTA) and ``sag.py`` (SAG/SAGA);
* ``glm.py``: the binomial, multinomial and Poisson families, fitted by proximal
  Newton steps whose quadratic models the CD solver solves (the seam below), and
  their duality gaps;
* the compiled loops they run are in ``sparsereg/_kernels/``.

The seam for the next families and penalties: every solver here minimizes a
*weighted* least-squares datafit plus a separable penalty,
``1/(2n) sum_i s_i (y_i - x_i.w)^2 + sum_j factor_j (l1 |w_j| + l2/2 w_j^2)``
within the bounds. A generalized linear model (logistic, multinomial, Poisson) is
an outer Newton / IRLS loop around it, as in glmnet: each outer step builds the
Problem of its quadratic approximation (sample weights = the Hessian weights
times the user's, target = the working response) and calls the same solver,
warm-started, with the family's own gap in the outer stopping test. A block penalty
(multi-task, group) replaces the 1-D update ``_kernels.common._cd_update_j`` by the
block's prox and the conjugate in the gap by the block's, the driver's steps
(screen, working set, epochs, gap) staying as they are.
"""
