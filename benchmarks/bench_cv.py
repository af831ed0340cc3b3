"""Time LassoCV and RidgeCV of sparsereg against scikit-learn (and celer).

Usage::

    python benchmarks/bench_cv.py [--quick] [--repeats N] [--size S] [--eps E]

**LassoCV and ElasticNetCV** (l1_ratio 0.5) at *equal cross-validation quality*, on
a dense p > n, a sparse and a dense n >> p problem (ElasticNetCV on the two dense
ones). Every library gets the same explicit grid of 100 alphas (geometric,
``alpha_max`` down to ``eps * alpha_max``, computed once here; ``--eps``, default
1e-2) and the same ``KFold`` object, so that they solve the same 5 x 100 problems:

1. A reference ``mse_path_`` (and ``alpha_``) is computed by scikit-learn's
   ``LassoCV`` at ``tol=1e-12``.
2. For each library the loosest ``tol`` of the ladder 1e-2, 1e-3, ..., 1e-10 is
   chosen whose ``mse_path_`` is within 1e-6 of the reference, relatively and in
   the worst (alpha, fold) cell, and whose ``alpha_`` is the reference's.
3. Fits at the chosen ``tol`` are timed round-robin over the libraries (bench_cd's
   interleaved timing: one untimed warm-up fit each, then the starting library
   rotates from repeat to repeat); the median over repeats is reported.

**RidgeCV** (closed-form leave-one-out, and one 5-fold case): same ``alphas`` for
both libraries, the answers are checked to agree (``alpha_`` equal, ``best_score_``
within 1e-8 relative; a warning row otherwise) and the fits are timed the same way,
each timed sample being the mean of enough fits to last ~0.5 s (they take ms).

The default sizes are scaled down from the specified ones (``--size spec``: dense
500 x 2000, sparse 5000 x 20000, n >> p 100000 x 100) so that a run takes minutes;
see ``SIZES``. The result is a Markdown table on stdout; progress goes to stderr. The
machine description, problem makers and timing helpers come from ``bench_cd.py``.
"""

import argparse
import importlib
import sys
import time
import warnings
from dataclasses import dataclass, field

import bench_cd as bc
import numpy as np
from sklearn.model_selection import KFold

CV_TOL_LADDER = tuple(10.0**-k for k in range(2, 11))  # 1e-2 ... 1e-10
REFERENCE_TOL = 1e-12
TARGET_DEVIATION = 1e-6  # max relative deviation of mse_path_ from the reference
N_ALPHAS = 100
N_FOLDS = 5
# Smallest alpha / alpha_max of the LassoCV grid. scikit-learn's default is 1e-3;
# with p > n its last decade is the near-interpolation regime, where both libraries
# need minutes per fit at the tol that 1e-6 agreement demands (see the README).
# 1e-2 is glmnet's default when n < p.
DEFAULT_EPS = 1e-2
RIDGE_ALPHAS = np.logspace(-3, 3, 50)
SCORE_RTOL = 1e-8  # RidgeCV: best_score_ agreement
# RidgeCV fits take milliseconds, and LAPACK's eigh alone jumps between ~10 and
# ~100 ms on the shared VM: each timed sample is the mean of enough fits to last
# about this long (for the faster library).
RIDGE_SAMPLE_SECONDS = 0.5

# Problem sizes. "spec" are the sizes the benchmark was specified with; a full run
# at them takes hours (scikit-learn alone: ~20 s per dense and ~70 s per sparse
# LassoCV fit at tol=1e-8 with eps=1e-2), so the default run scales the LassoCV
# problems down to run in about 4.5 minutes: dense 2.5x smaller in n and p, sparse
# 5x smaller in n and p with 5x the density (the same ~5 nonzeros per column).
SIZES = {
    "quick": {"dense": (100, 400, 10), "sparse": (400, 1600, 1.25e-2),
              "tall": (2000, 20, 5), "ridge_tall": (400, 50),
              "ridge_wide": (100, 600), "ridge_default": (1000, 100)},
    "default": {"dense": (200, 800, 50), "sparse": (1000, 4000, 5e-3),
                "tall": (20000, 100, 20), "ridge_tall": (2000, 200),
                "ridge_wide": (300, 3000), "ridge_default": (10000, 500)},
    "spec": {"dense": (500, 2000, 50), "sparse": (5000, 20000, 1e-3),
             "tall": (100000, 100, 20), "ridge_tall": (2000, 200),
             "ridge_wide": (300, 3000), "ridge_default": (10000, 500)},
}
ENET_L1_RATIO = 0.5  # the ElasticNetCV problems' (single) l1_ratio


# ---------------------------------------------------------------------- problems


@dataclass
class CVProblem:
    """One cross-validation problem: data, the shared alpha grid and splitter."""

    name: str
    description: str
    X: object  # ndarray (Fortran-ordered) or scipy.sparse CSC matrix
    y: np.ndarray
    alphas: np.ndarray
    cv: object  # None (leave-one-out) or one KFold shared by every library
    options: dict = field(default_factory=dict)  # extra estimator parameters
    estimator: str = "LassoCV"  # or "ElasticNetCV" (options hold its l1_ratio)


def folds(seed):
    """The one splitter object every library gets (deterministic splits)."""
    return KFold(n_splits=N_FOLDS, shuffle=True, random_state=seed)


def lasso_grid(X, y, eps=DEFAULT_EPS):
    """100 geometric alphas from alpha_max down to ``eps * alpha_max``."""
    top = bc.alpha_max(X, y, fit_intercept=True)
    return np.geomspace(top, top * eps, num=N_ALPHAS)


def lasso_problems(size, seed, eps=DEFAULT_EPS):
    """LassoCV on (a) dense Toeplitz-correlated p > n X, (b) sparse CSC X, (c) dense
    n >> p X (Toeplitz 0.7), all with intercept; ElasticNetCV (l1_ratio 0.5) on (a)
    and (c)."""
    n, p, n_nonzero = SIZES[size]["dense"]
    dense = bc.make_dense_problem(n, p, rho=0.6, n_nonzero=n_nonzero, seed=seed)
    n, p, density = SIZES[size]["sparse"]
    sparse_ = bc.make_sparse_problems(n, p, density, seed=seed)[0]
    n, p, n_nonzero = SIZES[size]["tall"]
    tall = bc.make_dense_problem(n, p, rho=0.7, n_nonzero=n_nonzero, seed=seed)
    problems = []
    for label, base, l1_ratio in (("dense", dense, 1.0), ("sparse", sparse_, 1.0),
                                  ("n>>p", tall, 1.0), ("dense", dense, ENET_L1_RATIO),
                                  ("n>>p", tall, ENET_L1_RATIO)):
        # bench_cd's description ends with its single alpha: replace that part
        head = base.description.split(", alpha=")[0]
        grid = lasso_grid(base.X, base.y, eps) / l1_ratio  # enet: alpha_max / rho
        enet = l1_ratio < 1.0
        description = (f"{head}, fit_intercept=True; {N_ALPHAS} alphas "
                       f"{grid[0]:.4g} .. {grid[-1]:.4g} (alpha_max .. alpha_max*"
                       f"{eps:g}), {N_FOLDS}-fold KFold(shuffle=True, "
                       f"random_state={seed})")
        if enet:
            description += f"; ElasticNetCV(l1_ratio={l1_ratio:g})"
        n, p = base.X.shape
        name = f"{'ElasticNetCV ' if enet else ''}{label} {n}x{p}"
        problems.append(CVProblem(
            name, description, base.X, base.y, grid, folds(seed),
            {"l1_ratio": l1_ratio} if enet else {},
            "ElasticNetCV" if enet else "LassoCV"))
    return problems


def ridge_problems(size, seed):
    """Leave-one-out with n > p (SVD) and p > n (eigen), one 5-fold case, and
    leave-one-out with 100 alphas and the default gcv_mode on a larger n > p."""
    tall, wide = SIZES[size]["ridge_tall"], SIZES[size]["ridge_wide"]
    out = []
    for (n, p), cv, mode in ((tall, None, "svd"), (wide, None, "eigen"),
                             (tall, folds(seed), None)):
        base = bc.make_dense_problem(n, p, rho=0.6, n_nonzero=min(50, p), seed=seed)
        if cv is None:
            name, options = f"LOO {mode} {n}x{p}", {"gcv_mode": mode}
            how = f"leave-one-out (cv=None), gcv_mode='{mode}'"
        else:
            name, options = f"{N_FOLDS}-fold {n}x{p}", {}
            how = (f"cv=KFold({N_FOLDS}, shuffle=True, random_state={seed}), "
                   "default scoring (R^2)")
        description = (f"{base.description.split(', alpha=')[0]}; "
                       f"alphas=np.logspace(-3, 3, 50); {how}")
        out.append(CVProblem(name, description, base.X, base.y, RIDGE_ALPHAS, cv,
                             options))
    # 100 alphas, both libraries at their defaults
    # (scikit-learn: the SVD and a loop over alphas; sparsereg: "auto")
    n, p = SIZES[size]["ridge_default"]
    base = bc.make_dense_problem(n, p, rho=0.6, n_nonzero=50, seed=seed)
    description = (f"{base.description.split(', alpha=')[0]}; "
                   "alphas=np.logspace(-3, 3, 100); leave-one-out, default gcv_mode")
    out.append(CVProblem(f"LOO default {n}x{p}, 100 alphas", description, base.X,
                         base.y, np.logspace(-3, 3, 100), None, {}))
    return out


# --------------------------------------------------------------------- libraries


@dataclass
class CVLibrary:
    """A CV estimator class and the options it always gets (duck-types
    ``bench_cd.Library`` for ``bench_cd.fit_once`` and ``time_interleaved``)."""

    name: str
    cls: object  # a class, or {problem.estimator: class}
    extra: dict = field(default_factory=dict)
    takes_tol: bool = True

    def make(self, problem, tol):
        params = {"alphas": problem.alphas, "cv": problem.cv, "fit_intercept": True,
                  **problem.options, **self.extra}
        if self.takes_tol:
            params["tol"] = tol
        cls = self.cls[problem.estimator] if isinstance(self.cls, dict) else self.cls
        return cls(**params)

    def cannot_solve(self, problem):
        if isinstance(self.cls, dict) and problem.estimator not in self.cls:
            return f"no {problem.estimator}"
        return None


def lasso_libraries(probe):
    """sparsereg (plain and ``anderson=True``) and scikit-learn LassoCV, plus
    celer's if it works on ``probe``.

    celer is tried on a small problem posed like the real ones (explicit alphas, a
    KFold object); if it does not import or raises, it is skipped with a note.
    """
    import sklearn.linear_model

    import sparsereg

    def both(module):
        return {"LassoCV": module.LassoCV, "ElasticNetCV": module.ElasticNetCV}

    big = {"max_iter": bc.BIG_MAX_ITER}
    libs = [CVLibrary("sparsereg", both(sparsereg), big),
            CVLibrary("sparsereg+anderson", both(sparsereg), {**big, "anderson": True}),
            CVLibrary("sklearn", both(sklearn.linear_model), big)]
    notes = []
    try:
        celer = importlib.import_module("celer")
        # default max_iter / max_epochs; celer has no ElasticNetCV
        lib = CVLibrary("celer", {"LassoCV": celer.LassoCV})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lib.make(probe, 1e-4).fit(probe.X, probe.y)
        libs.append(lib)
    except Exception as exc:  # ImportError, or an API mismatch with this sklearn
        notes.append(f"celer.LassoCV skipped: {type(exc).__name__}: {exc}")
    return libs, notes


@dataclass
class _Batch:
    """``k`` fits of fresh estimators in one timed call (for millisecond fits)."""

    make: object  # a callable returning a fresh estimator
    k: int

    def fit(self, X, y):
        for _ in range(self.k):
            self.make().fit(X, y)
        return self


@dataclass
class BatchedLibrary:
    """A CVLibrary whose ``make`` gives a ``_Batch`` of ``k`` fits."""

    lib: CVLibrary
    k: int

    @property
    def name(self):
        return self.lib.name

    def make(self, problem, tol):
        return _Batch(lambda: self.lib.make(problem, tol), self.k)


def ridge_libraries():
    import sklearn.linear_model

    import sparsereg

    return [CVLibrary("sparsereg", sparsereg.RidgeCV, takes_tol=False),
            CVLibrary("sklearn", sklearn.linear_model.RidgeCV, takes_tol=False)]


# --------------------------------------------------------- equal-quality protocol


def deviation(est, reference):
    """Largest relative deviation of ``est.mse_path_`` from the reference's."""
    mse = np.asarray(est.mse_path_, dtype=np.float64)
    ref = np.asarray(reference.mse_path_, dtype=np.float64)
    if mse.shape != ref.shape:
        return np.inf
    return float(np.max(np.abs(mse - ref) / np.abs(ref)))


def same_alpha(est, reference):
    return bool(np.isclose(est.alpha_, reference.alpha_, rtol=1e-12, atol=0.0))


def choose_cv_tol(lib, problem, reference, log):
    """Loosest ladder tol matching the reference: (tol, deviation, note)."""
    dev, same = np.inf, False
    for tol in CV_TOL_LADDER:
        try:
            est, seconds = bc.fit_once(lib, problem, tol)
        except Exception as exc:
            return None, None, f"n/a: fit raised {type(exc).__name__}: {exc}"
        dev, same = deviation(est, reference), same_alpha(est, reference)
        log(f"  ladder:    {lib.name:18s} tol={tol:.0e} max rel. dev={dev:.1e} "
            f"alpha_ {'same' if same else 'DIFFERS'} ({seconds:.2f}s)")
        if dev <= TARGET_DEVIATION and same:
            return tol, dev, ""
    why = "alpha_ differs" if not same else f"deviation {dev:.1e}"
    return None, dev, (f"n/a: {why} even at tol={CV_TOL_LADDER[-1]:.0e}")


def run_lasso_problem(problem, libs, repeats, log):
    """Reference, tol choice and interleaved timing; rows and a summary line."""
    log(problem.name)
    sklearn_lib = next(lib for lib in libs if lib.name == "sklearn")
    reference, seconds = bc.fit_once(sklearn_lib, problem, REFERENCE_TOL)
    j = int(np.argmin(np.abs(problem.alphas - reference.alpha_)))
    log(f"  reference: sklearn tol={REFERENCE_TOL:.0e} alpha_={reference.alpha_:.4g} "
        f"(grid index {j}) ({seconds:.1f}s)")
    rows = {lib.name: bc.Row(problem.name, lib.name) for lib in libs}
    timed = []
    for lib in libs:
        reason = lib.cannot_solve(problem)
        if reason:
            rows[lib.name].note = f"n/a: {reason}"
            continue
        tol, dev, note = choose_cv_tol(lib, problem, reference, log)
        row = rows[lib.name]
        row.tol, row.subopt, row.note = tol, dev, note
        if tol is not None:
            timed.append(lib)
    if timed:
        bc.time_interleaved(problem, timed, rows, repeats)
        for lib in timed:
            log(f"  timed:     {lib.name:18s} median {rows[lib.name].median:.3f}s")
    nnz = int(np.count_nonzero(reference.coef_))
    summary = (f"- **{problem.name}**: {problem.description}. Reference (sklearn, "
               f"tol={REFERENCE_TOL:.0e}, {seconds:.1f} s): "
               f"alpha_={reference.alpha_:.4g} (grid index {j} of {N_ALPHAS}), "
               f"{nnz} nonzero coefficients, "
               f"min mean CV MSE {reference.mse_path_.mean(axis=1).min():.6g}")
    return [rows[lib.name] for lib in libs], summary


@dataclass
class RidgeRow(bc.Row):
    """bench_cd's row plus the RidgeCV answer."""

    alpha: float | None = None
    score: float | None = None
    score_rel_diff: float | None = None


def run_ridge_problem(problem, libs, repeats, log):
    """Check that the answers agree, then time.

    Returns the rows, a warning row (or ''), and the number of fits per sample.
    """
    log(problem.name)
    rows = {lib.name: RidgeRow(problem.name, lib.name) for lib in libs}
    fitted, fastest = {}, np.inf
    for lib in libs:
        est, seconds = bc.fit_once(lib, problem, None)
        again = bc.fit_once(lib, problem, None)[1]
        fastest = min(fastest, seconds, again)
        fitted[lib.name] = est
        rows[lib.name].alpha, rows[lib.name].score = est.alpha_, est.best_score_
        log(f"  check:     {lib.name:18s} alpha_={est.alpha_:.6g} "
            f"best_score_={est.best_score_:.12g} ({seconds:.3f}s, {again:.3f}s)")
    ref = fitted["sklearn"]
    warning = ""
    for name, est in fitted.items():
        diff = abs(est.best_score_ - ref.best_score_) / abs(ref.best_score_)
        rows[name].score_rel_diff = diff
        if est.alpha_ != ref.alpha_ or diff > SCORE_RTOL:
            warning = (f"| {problem.name} | **WARNING** | answers differ: alpha_ "
                       f"{fitted['sparsereg'].alpha_:.6g} (sparsereg) vs "
                       f"{ref.alpha_:.6g} (sklearn), best_score_ relative "
                       f"difference {diff:.1e} |  |  |  |  |  |")
    k = int(min(max(1, round(RIDGE_SAMPLE_SECONDS / fastest)), 100))
    bc.time_interleaved(problem, [BatchedLibrary(lib, k) for lib in libs], rows,
                        repeats)
    for lib in libs:
        rows[lib.name].times = [t / k for t in rows[lib.name].times]
        log(f"  timed:     {lib.name:18s} median {rows[lib.name].median:.4f}s "
            f"({k} fits per sample)")
    return [rows[lib.name] for lib in libs], warning, k


# --------------------------------------------------------------------- reporting


def _ratios(row, medians):
    out = []
    for ref in ("sparsereg", "sklearn"):
        t_ref = medians.get(ref)
        out.append(f"{row.median / t_ref:.2f}" if row.median and t_ref else "-")
    return out


def _spread(row):
    return f"{min(row.times):.3f}-{max(row.times):.3f}" if row.times else "-"


def lasso_table(rows):
    out = ["| problem | library | tol used | max rel. dev. of mse_path_ "
           "| median time [s] | min-max [s] | time / sparsereg | time / sklearn |",
           "|---|---|---|---|---|---|---|---|"]
    for problem, group in bc._grouped(rows):
        medians = {r.library: r.median for r in group}
        for r in group:
            ratios = _ratios(r, medians)
            out.append(f"| {problem} | {r.library} | {bc._fmt(r.tol, '.0e')} | "
                       f"{bc._fmt(r.subopt, '.1e')} | "
                       f"{bc._fmt(r.median, '.3f', r.note or '-')} | {_spread(r)} | "
                       f"{ratios[0]} | {ratios[1]} |")
    return "\n".join(out)


def ridge_table(rows, warnings_):
    out = ["| problem | library | alpha_ | best_score_ | best_score_ rel. diff. "
           "vs sklearn | median time [s] | min-max [s] | time / sparsereg "
           "| time / sklearn |",
           "|---|---|---|---|---|---|---|---|---|"]
    for problem, group in bc._grouped(rows):
        medians = {r.library: r.median for r in group}
        for r in group:
            ratios = _ratios(r, medians)
            out.append(f"| {problem} | {r.library} | {r.alpha:.4g} | {r.score:.10g} | "
                       f"{r.score_rel_diff:.1e} | {bc._fmt(r.median, '.4f')} | "
                       f"{_spread(r)} | {ratios[0]} | {ratios[1]} |")
        out.extend(w for w in warnings_ if w.startswith(f"| {problem} |"))
    return "\n".join(out)


# -------------------------------------------------------------------------- main


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="small problems and 3 repeats, for a smoke run "
                        "(same as --size quick)")
    parser.add_argument("--size", choices=sorted(SIZES), default="default",
                        help="problem sizes (default: scaled to run in ~4 min; "
                        "spec: the specified sizes, hours)")
    parser.add_argument("--eps", type=float, default=DEFAULT_EPS,
                        help="smallest alpha / alpha_max of the LassoCV grid "
                        f"(default {DEFAULT_EPS:g}; scikit-learn's is 1e-3)")
    parser.add_argument("--repeats", type=int, default=None,
                        help="timed fits per library (default 5, 3 with --quick)")
    parser.add_argument("--seed", type=int, default=0, help="data and split seed")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    size = "quick" if args.quick else args.size
    repeats = args.repeats or (3 if size == "quick" else 5)

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    start = time.perf_counter()
    problems = lasso_problems(size, args.seed, args.eps)
    probe = lasso_problems("quick", args.seed)[0]
    libs, notes = lasso_libraries(probe)
    lasso_rows, summaries = [], []
    for problem in problems:
        rows, summary = run_lasso_problem(problem, libs, repeats, log)
        lasso_rows.extend(rows)
        summaries.append(summary)

    ridge_rows, ridge_warnings, ridge_summaries = [], [], []
    for problem in ridge_problems(size, args.seed):
        rows, warning, k = run_ridge_problem(problem, ridge_libraries(), repeats,
                                             log)
        ridge_rows.extend(rows)
        ridge_summaries.append(f"- **{problem.name}**: {problem.description}; "
                               f"{k} fit{'s' if k > 1 else ''} per timed sample")
        if warning:
            ridge_warnings.append(warning)

    print("## LassoCV and ElasticNetCV at equal cross-validation quality\n")
    print(f"Median of {repeats} interleaved fits (one untimed warm-up each); "
          f"tol = loosest of 1e-2..1e-10 whose mse_path_ is within "
          f"{TARGET_DEVIATION:.0e} (max relative deviation over the {N_ALPHAS} x "
          f"{N_FOLDS} grid) of scikit-learn's at tol={REFERENCE_TOL:.0e} and selects "
          "the same alpha_; ratios > 1 mean slower than the reference library.\n")
    print(lasso_table(lasso_rows))
    print("\nProblems (every library gets the same explicit alpha grid and the same "
          "KFold object; max_iter=100000 for sparsereg and sklearn):\n")
    print("\n".join(summaries))
    for note in notes:
        print(f"- {note}")
    print("\n## RidgeCV\n")
    print(f"Median of {repeats} interleaved samples (one untimed warm-up each), a "
          "sample being the mean time of k consecutive fits (k below, chosen so "
          f"that a sample of the faster library lasts ~{RIDGE_SAMPLE_SECONDS:g} s); "
          f"the answers must agree: alpha_ equal, best_score_ within {SCORE_RTOL:.0e} "
          "relative (a WARNING row otherwise).\n")
    print(ridge_table(ridge_rows, ridge_warnings))
    print("\nProblems:\n")
    print("\n".join(ridge_summaries))
    print("\n## Machine\n")
    print("\n".join(bc.machine_info()))
    print(f"\nTotal benchmark time: {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
