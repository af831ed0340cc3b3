"""Compare sparsereg's solvers (cd, ista, fista) with scikit-learn at equal quality.

Usage::

    python benchmarks/bench_solvers.py [--quick] [--repeats N] [--pg-max-iter N]

Problems:

* the three Lasso problems of ``bench_cd.py`` (dense with correlated features; sparse
  CSC with and without intercept), solved by sparsereg's ``Lasso`` with
  ``solver="cd"``, ``"ista"`` and ``"fista"`` and by scikit-learn's ``Lasso``;
* one multi-target ElasticNet problem meant to favour FISTA: a dense, well-conditioned
  design (i.i.d. Gaussian, ``n_samples > n_features``), 20 targets with dense true
  coefficients (so that the solutions are far from sparse) and
  ``ElasticNet(l1_ratio=0.5)``, every target in one ``fit``; solved by sparsereg's
  ``cd`` and ``fista`` and by scikit-learn's ``ElasticNet``.

The equal-quality protocol is that of ``bench_cd.py`` (whose problem makers,
objective, tol ladder, fitting and interleaved timing are imported, not copied):

1. ``P*``: the smallest objective reached by sparsereg-cd and scikit-learn at
   ``tol=1e-12`` (per target for the multi-target problem);
2. per solver, the loosest ``tol`` of the ladder 1e-2, ..., 1e-12 whose fit has a
   relative suboptimality ``(P - P*) / P*`` of at most 1e-6 (the largest over the
   targets for the multi-target problem), evaluated here from ``coef_`` and
   ``intercept_``; the table also gives ``n_iter_`` of that fit;
3. fits at that ``tol`` timed round-robin over the solvers after one untimed
   warm-up fit each; the median over the repeats is reported.

sparsereg-cd and scikit-learn get ``max_iter=100000`` (they stop on ``tol``);
ISTA/FISTA get ``--pg-max-iter`` gradient steps (default 5000). A solver that misses
1e-6 is listed as n/a with the reason; as soon as a fit of the ladder stops on
``max_iter``, the tighter rungs are skipped (they would run into the same limit and,
the solvers being deterministic, return the same iterate).

The result is a Markdown table on stdout; progress goes to stderr.
"""

import argparse
import sys
import time
from dataclasses import dataclass

import bench_cd as bc
import numpy as np
import sklearn.linear_model

import sparsereg

PG_MAX_ITER = 5000  # ISTA/FISTA gradient steps (ISTA needs ~1e4 on "dense")
L1_RATIO = 0.5  # of the multi-target ElasticNet problem


# ---------------------------------------------------------------------- problems


@dataclass
class EnetProblem(bc.Problem):
    """A multi-target ElasticNet problem (``y`` of shape (n_samples, n_targets))."""

    l1_ratio: float = L1_RATIO


def make_multitarget_problem(n, p, n_targets, divisor=10, seed=0):
    """i.i.d. Gaussian ``X`` (Fortran order); every target has dense coefficients.

    Each column of ``y`` is ``X w + noise`` with all ``p`` coefficients of ``w``
    Gaussian (bench_cd's target maker with ``n_nonzero=p``), so that the
    ElasticNet solutions keep most features; ``alpha`` is ``alpha_max / divisor``
    with ``alpha_max`` the largest over the targets (``max_j |x_j' y| / (n l1_ratio)``
    on centered data), the same ``alpha`` for every target.
    """
    rng = np.random.default_rng(seed)
    X = np.asfortranarray(rng.standard_normal((n, p)))
    y = np.column_stack([bc._sparse_target(X, rng, p, noise=0.5)
                         for _ in range(n_targets)])
    a_max = max(bc.alpha_max(X, y[:, k], True) for k in range(n_targets)) / L1_RATIO
    description = (f"dense Fortran-ordered X, n={n}, p={p}, i.i.d. Gaussian (no "
                   f"correlation), y of shape ({n}, {n_targets}) with dense true "
                   f"coefficients, ElasticNet(l1_ratio={L1_RATIO}), "
                   f"alpha=alpha_max/{divisor}, fit_intercept=True, all targets in "
                   "one fit")
    return EnetProblem("multi-target enet", description, X, y, a_max / divisor,
                       fit_intercept=True)


def objectives(problem, est):
    """Objective of each target of a fitted estimator (a 1-element array for Lasso).

    Lasso problems use ``bench_cd.objective``; it assumes one target and no l2 term,
    hence this function for the multi-target ElasticNet.
    """
    if not isinstance(problem, EnetProblem):
        return np.array([bc.objective(problem, est)])
    W = np.atleast_2d(np.asarray(est.coef_, dtype=np.float64))  # (k, p)
    b = np.ravel(est.intercept_) if problem.fit_intercept else 0.0
    R = problem.y - problem.X @ W.T - b
    l1 = problem.alpha * problem.l1_ratio
    l2 = problem.alpha * (1.0 - problem.l1_ratio)
    return (0.5 * np.einsum("ik,ik->k", R, R) / R.shape[0]
            + l1 * np.abs(W).sum(axis=1) + 0.5 * l2 * np.einsum("kj,kj->k", W, W))


def relative_subopt(problem, est, p_star):
    """Largest ``(P - P*) / P*`` over the targets (clipped at 0)."""
    return float(max(np.max((objectives(problem, est) - p_star) / np.abs(p_star)),
                     0.0))


# ----------------------------------------------------------------------- solvers


def make_solvers(problem, pg_max_iter):
    """``bench_cd.Library`` entries for ``problem``: sparsereg's solvers, sklearn."""
    if isinstance(problem, EnetProblem):
        ours, theirs = sparsereg.ElasticNet, sklearn.linear_model.ElasticNet
        extra, names = {"l1_ratio": problem.l1_ratio}, ("cd", "fista")
    else:
        ours, theirs = sparsereg.Lasso, sklearn.linear_model.Lasso
        extra, names = {}, ("cd", "ista", "fista")
    gap_rule = "duality gap <= tol * ||y - mean(y)||^2 / n"
    solvers = []
    for name in names:
        max_iter = bc.BIG_MAX_ITER if name == "cd" else pg_max_iter
        unit = "epochs" if name == "cd" else "gradient steps"
        solvers.append(bc.Library(
            f"sparsereg {name}", ours, f"{gap_rule} after a small step; max_iter="
            f"{max_iter} {unit}", {**extra, "solver": name, "max_iter": max_iter}))
    solvers.append(bc.Library("sklearn", theirs, f"{gap_rule}; max_iter="
                              f"{bc.BIG_MAX_ITER} epochs",
                              {**extra, "max_iter": bc.BIG_MAX_ITER}))
    return solvers


REFERENCE = "sparsereg cd"  # first ratio column; the second is sklearn


# --------------------------------------------------------- equal-quality protocol


@dataclass
class SolverRow(bc.Row):
    """bench_cd's row plus ``n_iter_`` of the fit at the chosen tol."""

    n_iter: int | None = None


def n_iter_of(est):
    """``n_iter_`` of a fit; the largest over the targets for a 2-D ``y``."""
    return int(np.max(est.n_iter_))


def reference_objective(problem, solvers, log):
    """``P*`` per target: the smallest objective of the ``tol=1e-12`` fits.

    Like ``bench_cd.reference_objective``, but per target (for the multi-target
    problem). Returns ``(P*, description of where it came from)``.
    """
    tight = bc.TOL_LADDER[-1]
    values, nnz = {}, {}
    for lib in solvers:
        est, seconds = bc.fit_once(lib, problem, tight)
        values[lib.name] = objectives(problem, est)
        nnz[lib.name] = np.count_nonzero(est.coef_) / values[lib.name].size
        log(f"  reference: {lib.name:16s} tol={tight:.0e} "
            f"P={values[lib.name].sum():.16e} n_iter_={n_iter_of(est)} "
            f"({seconds:.2f}s)")
    stacked = np.array(list(values.values()))
    p_star = stacked.min(axis=0)
    names = list(values)
    winners = sorted({names[i] for i in stacked.argmin(axis=0)})
    per = " per target" if p_star.size > 1 else ""
    return p_star, (f"from {' and '.join(winners)}; "
                    f"{nnz[winners[0]]:.0f} nonzero coefficients{per}")


def choose_tol(lib, problem, p_star, row, log):
    """``bench_cd.choose_tol`` plus ``n_iter_`` and a stop on ``max_iter``.

    Fills ``row.tol`` (None if no rung reaches the target), ``row.subopt``,
    ``row.n_iter`` and, on failure, ``row.note``.
    """
    max_iter = lib.extra["max_iter"]
    for tol in bc.TOL_LADDER:
        est, seconds = bc.fit_once(lib, problem, tol)
        row.subopt = relative_subopt(problem, est, p_star)
        row.n_iter = n_iter_of(est)
        log(f"  ladder:    {lib.name:16s} tol={tol:.0e} subopt={row.subopt:.1e} "
            f"n_iter_={row.n_iter} ({seconds:.2f}s)")
        if row.subopt <= bc.TARGET_SUBOPT:
            row.tol = tol
            return
        if row.n_iter >= max_iter:
            row.note = (f"n/a: hit max_iter={max_iter} at tol={tol:.0e} "
                        f"(one fit: {seconds:.1f} s), subopt {row.subopt:.1e}")
            return
    row.note = (f"n/a: subopt {row.subopt:.1e} > {bc.TARGET_SUBOPT:.0e} even at "
                f"tol={bc.TOL_LADDER[-1]:.0e}")


def run_problem(problem, repeats, pg_max_iter, log):
    """Reference, tol choice and interleaved timing for one problem."""
    log(problem.name)
    solvers = make_solvers(problem, pg_max_iter)
    rows = {lib.name: SolverRow(problem.name, lib.name) for lib in solvers}
    references = [lib for lib in solvers if lib.name in (REFERENCE, "sklearn")]
    p_star, origin = reference_objective(problem, references, log)
    log(f"  P* = {p_star.sum():.16e} ({origin})")
    timed = []
    for lib in solvers:
        choose_tol(lib, problem, p_star, rows[lib.name], log)
        if rows[lib.name].tol is not None:
            timed.append(lib)
    if timed:
        bc.time_interleaved(problem, timed, rows, repeats)
    p_text = (f"P*={p_star[0]:.10g}" if p_star.size == 1
              else f"sum of P* over the targets={p_star.sum():.10g}")
    summary = (f"- **{problem.name}**: {problem.description}; "
               f"alpha={problem.alpha:.4g}, {p_text} ({origin})")
    return [rows[lib.name] for lib in solvers], summary, solvers


# --------------------------------------------------------------------- reporting


def markdown_table(rows):
    """The results table; ratios are median(solver) / median(reference solver)."""
    out = [
        "| problem | solver | tol used | rel. subopt. | n_iter_ | median time [s] "
        f"| min-max [s] | time / {REFERENCE} | time / sklearn |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for problem, group in bc._grouped(rows):
        medians = {r.library: r.median for r in group}
        for r in group:
            ratios = []
            for ref in (REFERENCE, "sklearn"):
                t_ref = medians.get(ref)
                ratios.append(f"{r.median / t_ref:.2f}" if r.median and t_ref
                              else "-")
            time_cell = bc._fmt(r.median, ".3f", r.note or "-")
            spread = (f"{min(r.times):.3f}-{max(r.times):.3f}" if r.times
                      else "-")
            out.append(f"| {problem} | {r.library} | {bc._fmt(r.tol, '.0e')} | "
                       f"{bc._fmt(r.subopt, '.1e')} | {bc._fmt(r.n_iter, 'd')} | "
                       f"{time_cell} | {spread} | {ratios[0]} | {ratios[1]} |")
    return "\n".join(out)


# -------------------------------------------------------------------------- main


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="small problems and 3 repeats, for a smoke run")
    parser.add_argument("--repeats", type=int, default=None,
                        help="timed fits per solver (default 5, 3 with --quick)")
    parser.add_argument("--pg-max-iter", type=int, default=PG_MAX_ITER,
                        help="max_iter (gradient steps) of ISTA and FISTA "
                        f"(default {PG_MAX_ITER})")
    parser.add_argument("--seed", type=int, default=0, help="data seed")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    repeats = args.repeats or (3 if args.quick else 5)

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    start = time.perf_counter()
    if args.quick:
        problems = [bc.make_dense_problem(200, 1000, seed=args.seed),
                    *bc.make_sparse_problems(2000, 5000, 5e-3, seed=args.seed),
                    make_multitarget_problem(400, 100, 5, seed=args.seed)]
    else:
        problems = [bc.make_dense_problem(1000, 5000, seed=args.seed),
                    *bc.make_sparse_problems(20000, 50000, 1e-3, seed=args.seed),
                    make_multitarget_problem(2000, 500, 20, seed=args.seed)]

    rows, summaries, meanings = [], [], {}
    for problem in problems:
        problem_rows, summary, solvers = run_problem(problem, repeats,
                                                     args.pg_max_iter, log)
        rows.extend(problem_rows)
        summaries.append(summary)
        meanings.update({lib.name: lib.tol_meaning for lib in solvers})

    print("## Solvers at equal solution quality\n")
    print(f"Median of {repeats} interleaved fits; tol = loosest of 1e-2..1e-12 "
          f"reaching (P - P*)/P* <= {bc.TARGET_SUBOPT:.0e} (largest over the targets "
          "for the multi-target problem); n_iter_ is epochs for cd and sklearn, "
          "gradient steps for ista and fista (largest over the targets); ratios > 1 "
          "mean slower than the reference.\n")
    print(markdown_table(rows))
    print("\nProblems (P* = smallest objective of sparsereg cd and sklearn at "
          f"tol={bc.TOL_LADDER[-1]:.0e}):\n")
    print("\n".join(summaries))
    print("\nStopping rule and iteration limit per solver:\n")
    for name, meaning in meanings.items():
        print(f"- {name}: {meaning}")
    print("\n## Machine\n")
    print("\n".join(bc.machine_info()))
    print(f"\nTotal benchmark time: {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
