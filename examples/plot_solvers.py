"""
Coordinate descent, ISTA and FISTA on a Lasso problem
=====================================================

:class:`~sparsereg.Lasso`, :class:`~sparsereg.ElasticNet` and :class:`~sparsereg.Ridge`
accept ``solver="cd"`` (coordinate descent, the default), ``"ista"`` (proximal
gradient) and ``"fista"`` (accelerated proximal gradient with adaptive restart). They
minimize the same objective and stop on the same duality-gap rule, so they can be
compared on one axis: the relative suboptimality ``(P(w) - P*) / P*`` reached after a
given number of iterations (``max_iter`` with ``tol=0``), and after a given time.

The problem is a dense Lasso with correlated features (n=500, p=1000, Toeplitz
correlation 0.6, 30 true nonzeros, ``alpha = alpha_max / 20``); ``P*`` comes from a
coordinate-descent fit at ``tol=1e-12``. An iteration is one epoch (a pass over the
features being optimized) for CD and one gradient step for ISTA/FISTA; each fit
starts from zero, and its time includes the set-up (centering; for ISTA/FISTA the
estimate of the step size by power iteration).

**Why coordinate descent is the default.** A coordinate update costs one dot product
and one update of the residual (``O(n_samples)``) and benefits at once from every
previous update, where a gradient step has to wait for a full product ``X' R``. The
solutions are sparse: a coefficient that stays at zero costs one test, and gap safe
screening and working sets confine the epochs to the few features that can be
nonzero, so most epochs touch a small part of ``X``. ISTA converges slowly on
correlated designs (its rate depends on the conditioning of ``X' X``); FISTA is much
faster than ISTA but still needs many full passes over ``X``, plus a fixed set-up
cost: the power iteration that estimates its step size (the offset of the ISTA and
FISTA curves at the left of the time panel).

**When FISTA is the better choice.** FISTA's strength is the matrix product. With many
targets at once (``y`` of shape ``(n_samples, n_targets)``), all targets are solved
together and each step is two matrix products ``X @ W`` and ``X.T @ R`` (BLAS level
3, reading ``X`` twice for all the targets), while coordinate descent reads ``X``
once per epoch *and per target*. This pays off when ``X`` is dense and
well-conditioned (few steps are needed), when the solutions are far from sparse (so
that screening saves coordinate descent little), and increasingly so with more
targets and a larger ``X``. ``benchmarks/bench_solvers.py`` compares the solvers on
such a problem (n=2000, p=500, 20 targets), where coordinate descent still wins on
the 2-core machine of ``benchmarks/README.md``: measure on your own data before
switching.

Run ``python examples/plot_solvers.py [output.png]`` (default ``solvers.png`` in the
current directory).
"""

import sys
import time
import warnings

import matplotlib

if __name__ == "__main__":
    matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sparsereg import Lasso

# %%
# A dense Lasso problem with correlated features
# ----------------------------------------------
# The columns follow an AR(1) recursion, which gives the Toeplitz correlation
# ``0.6 ** |i - j|``; ``y`` is ``X w + noise`` with 30 nonzero coefficients.

rng = np.random.default_rng(0)
n_samples, n_features, rho = 500, 1000, 0.6
X = np.empty((n_samples, n_features), order="F")
X[:, 0] = rng.standard_normal(n_samples)
for j in range(1, n_features):
    X[:, j] = rho * X[:, j - 1] + np.sqrt(1 - rho**2) * rng.standard_normal(n_samples)
w_true = np.zeros(n_features)
w_true[rng.choice(n_features, 30, replace=False)] = rng.standard_normal(30)
signal = X @ w_true
y = signal + 0.5 * signal.std() * rng.standard_normal(n_samples)

Xc, yc = X - X.mean(axis=0), y - y.mean()
alpha_max = np.max(np.abs(Xc.T @ yc)) / n_samples
alpha = alpha_max / 20


def objective(est):
    """Lasso objective ``1/(2n) ||y - Xw - b||^2 + alpha ||w||_1`` of a fit."""
    residual = y - X @ est.coef_ - est.intercept_
    return 0.5 * residual @ residual / n_samples + alpha * np.abs(est.coef_).sum()


reference = Lasso(alpha=alpha, tol=1e-12, max_iter=100_000).fit(X, y)
p_star = objective(reference)
print(f"alpha = alpha_max / 20 = {alpha:.4g}, P* = {p_star:.12g}, "
      f"{np.count_nonzero(reference.coef_)} nonzero coefficients")

# %%
# Suboptimality after 1, 2, 4, ... iterations
# -------------------------------------------
# ``tol=0`` makes every fit run exactly ``max_iter`` iterations (and warn that it
# did not converge, which is expected here). A solver's curve stops once it reaches
# ``P*`` to about machine precision (plotted at the floor ``1e-13``). Each fit is
# repeated (at least 3 times and 0.2 s) and its shortest time kept, which filters
# out most of the noise of a busy machine.


def fit_time(solver, max_iter, min_repeats=3, min_seconds=0.2):
    """Shortest wall time of ``Lasso(...).fit(X, y)`` over several repeats."""
    times = []
    while len(times) < min_repeats or sum(times) < min_seconds:
        start = time.perf_counter()
        Lasso(alpha=alpha, tol=0, max_iter=max_iter, solver=solver).fit(X, y)
        times.append(time.perf_counter() - start)
    return min(times)


solvers = {"cd": "CD (epochs)", "ista": "ISTA (gradient steps)",
           "fista": "FISTA (gradient steps)"}
max_iters = 2 ** np.arange(13)  # 1 ... 4096
floor = 1e-13
results = {}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    for solver in solvers:
        Lasso(alpha=alpha, tol=0, max_iter=2, solver=solver).fit(X, y)  # compile
        iters, seconds, subopt = [], [], []
        for max_iter in max_iters:
            seconds.append(fit_time(solver, int(max_iter)))
            est = Lasso(alpha=alpha, tol=0, max_iter=int(max_iter),
                        solver=solver).fit(X, y)
            iters.append(max_iter)
            subopt.append(max((objective(est) - p_star) / p_star, floor))
            if subopt[-1] <= floor:
                break
        results[solver] = (np.array(iters), np.array(seconds), np.array(subopt))
        print(f"{solver:5s}: {iters[-1]:5d} iterations, {seconds[-1]:.3f} s, "
              f"relative suboptimality {subopt[-1]:.1e}")

# %%
# Plot
# ----

fig, (ax_iter, ax_time) = plt.subplots(1, 2, figsize=(11, 4.5), sharey=True)
styles = {"cd": ("C0", "o"), "ista": ("C1", "s"), "fista": ("C2", "^")}
for solver, (iters, seconds, subopt) in results.items():
    color, marker = styles[solver]
    ax_iter.loglog(iters, subopt, marker=marker, color=color, label=solvers[solver])
    ax_time.loglog(seconds, subopt, marker=marker, color=color,
                   label=solvers[solver])
ax_iter.set_xlabel("iterations (max_iter, tol=0)")
ax_time.set_xlabel("fit time [s] (from scratch, set-up included; best of "
                   "repeats)")
ax_iter.set_ylabel("relative suboptimality (P(w) - P*) / P*")
for ax in (ax_iter, ax_time):
    ax.axhline(1e-6, color="0.5", linestyle="--", linewidth=1,
               label="1e-6 (benchmark target)")
    ax.grid(True, which="major", alpha=0.3)
ax_iter.legend(loc="lower left")
ax_iter.set_title("suboptimality vs iterations")
ax_time.set_title("suboptimality vs time")
fig.suptitle(f"Lasso, dense X {n_samples} x {n_features}, Toeplitz correlation "
             f"{rho}, alpha = alpha_max / 20 (values below {floor:g} shown at "
             f"{floor:g})")
fig.tight_layout()

output = sys.argv[1] if len(sys.argv) > 1 else "solvers.png"
fig.savefig(output, dpi=110)
print(f"saved {output}")
