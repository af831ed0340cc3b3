"""Time one Lasso fit of sparsereg against scikit-learn, celer and skglm.

Usage::

    python benchmarks/bench_cd.py [--quick] [--repeats N]

Every library is timed at *equal solution quality*, not at equal ``tol`` (the
libraries define ``tol`` differently):

1. For each problem a reference objective ``P*`` is computed: the smallest objective
   reached by any library at the tightest ``tol`` of the ladder (all libraries
   solve the same convex problem, so the smallest value is the best upper bound on
   the optimum).
2. For each library the loosest ``tol`` of the ladder 1e-2, 1e-3, ..., 1e-12 is
   chosen for which the relative suboptimality ``(P(w, b) - P*) / P*`` is at most
   1e-6, where ``P(w, b) = 1/(2n) ||y - Xw - b||^2 + alpha ||w||_1`` is evaluated
   here, from the fitted ``coef_`` and ``intercept_``.
3. Fits at the chosen ``tol`` are timed round-robin over the libraries within each
   repeat (the starting library rotates), after one untimed warm-up fit per
   library, so that JIT compilation is excluded and machine noise hits every
   library alike. The median over repeats is reported.

It also times ``import + first fit`` in a fresh Python process, with a warm and a
cold on-disk numba cache. ``--suite shapes`` runs six single fits of three shapes
(p >> n dense at three penalties, text-like sparse, n >> p) instead of the default
three. The result is a Markdown table on stdout;
progress goes to stderr.
"""

import argparse
import gc
import importlib
import inspect
import itertools
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

TOL_LADDER = tuple(10.0**-k for k in range(2, 13))  # 1e-2 ... 1e-12
TARGET_SUBOPT = 1e-6
BIG_MAX_ITER = 100_000  # epochs for sklearn/sparsereg: stop on tol, never max_iter


# ---------------------------------------------------------------------- problems


@dataclass
class Problem:
    """One Lasso problem: data, penalty, and whether an intercept is fitted."""

    name: str  # short label for the table
    description: str
    X: object  # ndarray (Fortran-ordered) or scipy.sparse CSC matrix
    y: np.ndarray
    alpha: float
    fit_intercept: bool


def alpha_max(X, y, fit_intercept):
    """Smallest alpha with an all-zero solution: ``max_j |x_j' y| / n``.

    With an intercept, ``X`` and ``y`` are centered (implicitly for sparse ``X``).
    """
    n = X.shape[0]
    if not fit_intercept:
        return float(np.max(np.abs(X.T @ y))) / n
    yc = y - y.mean()
    x_mean = np.asarray(X.mean(axis=0)).ravel()
    Xty = np.asarray(X.T @ yc).ravel() - x_mean * yc.sum()
    return float(np.max(np.abs(Xty))) / n


def _sparse_target(X, rng, n_nonzero, noise):
    """``y = X w + noise`` with ``n_nonzero`` Gaussian coefficients in ``w``."""
    p = X.shape[1]
    w = np.zeros(p)
    w[rng.choice(p, n_nonzero, replace=False)] = rng.standard_normal(n_nonzero)
    signal = np.asarray(X @ w).ravel()
    return signal + noise * signal.std() * rng.standard_normal(X.shape[0])


def make_dense_problem(n, p, rho=0.6, n_nonzero=50, divisor=100, seed=0,
                       name="dense"):
    """Gaussian ``X`` with Toeplitz correlation ``rho**|i-j|`` (Fortran order).

    The columns follow an AR(1) recursion, which gives exactly that correlation.
    """
    rng = np.random.default_rng(seed)
    X = np.empty((n, p), order="F")
    X[:, 0] = rng.standard_normal(n)
    scale = np.sqrt(1.0 - rho**2)
    for j in range(1, p):
        X[:, j] = rho * X[:, j - 1] + scale * rng.standard_normal(n)
    y = _sparse_target(X, rng, n_nonzero, noise=0.5)
    alpha = alpha_max(X, y, True) / divisor
    description = (f"dense Fortran-ordered X, n={n}, p={p}, Toeplitz correlation "
                   f"rho={rho}, {n_nonzero} true nonzeros, alpha=alpha_max/{divisor}, "
                   "fit_intercept=True")
    return Problem(name, description, X, y, alpha, fit_intercept=True)


def make_sparse_problems(n, p, density, n_nonzero=50, divisor=20, seed=0,
                         intercepts=(True, False), label="sparse"):
    """A CSC ``X`` from ``scipy.sparse.random``, fitted with and without intercept.

    Each problem gets ``alpha = alpha_max / divisor`` of its own objective (one
    divisor, or a tuple of them).
    """
    rng = np.random.default_rng(seed)
    # A Generator (not an int seed) keeps scipy's sampling fast for large shapes.
    X = sparse.random(n, p, density=density, format="csc", random_state=rng)
    y = _sparse_target(X, rng, n_nonzero, noise=0.5)
    problems = []
    divisors = divisor if isinstance(divisor, tuple) else (divisor,)
    for fit_intercept in intercepts:
        for d in divisors:
            alpha = alpha_max(X, y, fit_intercept) / d
            name = f"{label}, {'intercept' if fit_intercept else 'no intercept'}"
            if len(divisors) > 1:
                name += f", /{d}"
            description = (f"CSC X from scipy.sparse.random, n={n}, p={p}, "
                           f"density={density:g}, {n_nonzero} true nonzeros, "
                           f"alpha=alpha_max/{d}, fit_intercept={fit_intercept}")
            problems.append(Problem(name, description, X, y, alpha, fit_intercept))
    return problems


def shape_problems(seed):
    """Six single fits of three shapes: p >> n dense (Toeplitz 0.7, three
    penalties), text-like sparse, and n >> p."""
    problems = [make_dense_problem(200, 10000, rho=0.7, divisor=d, seed=seed,
                                   name=f"dense p>>n, /{d}")
                for d in (10, 100, 1000)]
    problems += make_sparse_problems(20000, 100000, 1e-3, divisor=(10, 100),
                                     seed=seed, intercepts=(True,),
                                     label="sparse text-like")
    problems.append(make_dense_problem(100000, 100, rho=0.7, n_nonzero=20,
                                       divisor=10, seed=seed, name="n>>p, /10"))
    return problems


def objective(problem, est):
    """``P(w, b) = 1/(2n) ||y - Xw - b||^2 + alpha ||w||_1`` of a fitted estimator."""
    w = np.asarray(est.coef_, dtype=np.float64).ravel()
    b = float(np.ravel(est.intercept_)[0]) if problem.fit_intercept else 0.0
    r = problem.y - np.asarray(problem.X @ w).ravel() - b
    return 0.5 * float(r @ r) / r.shape[0] + problem.alpha * float(np.abs(w).sum())


# --------------------------------------------------------------------- libraries


@dataclass
class Library:
    """A Lasso implementation: how to build an estimator and what its tol means."""

    name: str
    cls: type
    tol_meaning: str
    extra: dict = field(default_factory=dict)

    def make(self, problem, tol):
        """An unfitted estimator for ``problem`` at ``tol``."""
        return self.cls(alpha=problem.alpha, tol=tol,
                        fit_intercept=problem.fit_intercept, **self.extra)

    def cannot_solve(self, problem):
        """Why this library cannot solve ``problem`` as posed, or None."""
        params = inspect.signature(self.cls).parameters
        if problem.fit_intercept and "fit_intercept" not in params:
            return "no fit_intercept parameter"
        return None


def load_libraries():
    """The libraries that import, sparsereg first; and notes on the missing ones."""
    specs = [
        ("sparsereg", "sparsereg", "Lasso", {"max_iter": BIG_MAX_ITER},
         "duality gap <= tol * ||y - mean(y)||^2 / n"),
        ("sparsereg+anderson", "sparsereg", "Lasso",
         {"max_iter": BIG_MAX_ITER, "anderson": True},
         "as sparsereg, with Anderson extrapolation of the CD iterates"),
        ("sklearn", "sklearn.linear_model", "Lasso", {"max_iter": BIG_MAX_ITER},
         "duality gap <= tol * ||y - mean(y)||^2 / n"),
        ("celer", "celer", "Lasso", {},
         "duality gap <= tol * ||y||^2 / n (working sets, default max_iter)"),
        ("skglm", "skglm", "Lasso", {},
         "max violation of the optimality conditions <= tol (absolute; working "
         "sets with Anderson acceleration, default max_iter)"),
    ]
    libs, notes = [], []
    for name, module, attr, extra, meaning in specs:
        try:
            cls = getattr(importlib.import_module(module), attr)
        except ImportError as exc:
            notes.append(f"{name}: skipped, not installed ({exc})")
            continue
        libs.append(Library(name, cls, meaning, extra))
    return libs, notes


def fit_once(lib, problem, tol):
    """Fit a fresh estimator; returns (estimator, wall seconds of construct + fit)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning etc.
        start = time.perf_counter()
        est = lib.make(problem, tol).fit(problem.X, problem.y)
        return est, time.perf_counter() - start


# --------------------------------------------------------- equal-quality protocol


@dataclass
class Row:
    """Result of one (problem, library) pair."""

    problem: str
    library: str
    tol: float | None = None
    subopt: float | None = None
    times: list = field(default_factory=list)
    note: str = ""

    @property
    def median(self):
        return statistics.median(self.times) if self.times else None


def reference_objective(problem, libs, rows, log):
    """``P*``: the smallest objective of any library at the tightest ladder tol.

    Returns ``(P*, library that reached it, its number of nonzero coefficients)``.
    A library whose fit raises is marked n/a in ``rows`` and dropped from ``libs``.
    """
    tight = TOL_LADDER[-1]
    best, by, nnz = np.inf, None, None
    for lib in list(libs):
        try:
            est, seconds = fit_once(lib, problem, tight)
        except Exception as exc:  # e.g. an input type the library rejects
            rows[lib.name].note = f"n/a: fit raised {type(exc).__name__}: {exc}"
            libs.remove(lib)
            continue
        value = objective(problem, est)
        log(f"  reference: {lib.name:9s} tol={tight:.0e} P={value:.16e} "
            f"({seconds:.2f}s)")
        if value < best:
            best, by, nnz = value, lib.name, int(np.count_nonzero(est.coef_))
    return best, by, nnz


def choose_tol(lib, problem, p_star, log):
    """Loosest ladder tol reaching the target suboptimality: (tol, subopt).

    ``tol`` is None when even the tightest tol misses the target.
    """
    subopt = np.inf
    for tol in TOL_LADDER:
        est, seconds = fit_once(lib, problem, tol)
        subopt = max((objective(problem, est) - p_star) / abs(p_star), 0.0)
        log(f"  ladder:    {lib.name:9s} tol={tol:.0e} subopt={subopt:.1e} "
            f"({seconds:.2f}s)")
        if subopt <= TARGET_SUBOPT:
            return tol, subopt
    return None, subopt


def settle(seconds=0.2):
    """Collect garbage, then idle until the BLAS threads of the previous fit stop
    spinning (OpenBLAS busy-waits ~0.1 s after a call; numpy and scipy each have
    a pool): otherwise they take a core from the next library's fit -- a
    scikit-learn fit right after a fit that called numpy's BLAS took 1.7x as long."""
    gc.collect()
    time.sleep(seconds)


def time_interleaved(problem, libs, rows, repeats):
    """Round-robin timing: in repeat ``r`` the libraries start at index ``r``."""
    for lib in libs:  # untimed warm-up at the chosen tol (JIT, caches, page faults)
        fit_once(lib, problem, rows[lib.name].tol)
    for r in range(repeats):
        k = r % len(libs)
        for lib in libs[k:] + libs[:k]:
            settle()
            _, seconds = fit_once(lib, problem, rows[lib.name].tol)
            rows[lib.name].times.append(seconds)


def run_problem(problem, libs, repeats, log):
    """Reference, tol choice and interleaved timing for one problem.

    Returns the rows of the table and a one-line summary of the problem.
    """
    log(problem.name)
    rows = {lib.name: Row(problem.name, lib.name) for lib in libs}
    solvable = []
    for lib in libs:
        reason = lib.cannot_solve(problem)
        if reason:
            rows[lib.name].note = f"n/a: {reason}"
        else:
            solvable.append(lib)
    p_star, by, nnz = reference_objective(problem, solvable, rows, log)
    log(f"  P* = {p_star:.16e} (from {by})")
    timed = []
    for lib in solvable:
        tol, subopt = choose_tol(lib, problem, p_star, log)
        row = rows[lib.name]
        row.subopt = subopt
        if tol is None:
            row.note = (f"n/a: suboptimality {subopt:.1e} > {TARGET_SUBOPT:.0e} "
                        f"even at tol={TOL_LADDER[-1]:.0e} (different problem?)")
        else:
            row.tol = tol
            timed.append(lib)
    if timed:
        time_interleaved(problem, timed, rows, repeats)
    summary = (f"- **{problem.name}**: {problem.description}; "
               f"alpha={problem.alpha:.4g}, P*={p_star:.10g} "
               f"(from {by}, {nnz} nonzero coefficients)")
    return [rows[lib.name] for lib in libs], summary


# ------------------------------------------------------------- fresh process


_FRESH_CODE = """\
import time
t = time.perf_counter()
import numpy as np
from {module} import Lasso
X = np.random.default_rng(0).standard_normal(({n}, {p}))
y = X[:, 0] + 0.1 * X[:, 1]
Lasso(alpha={alpha}).fit(X, y)
print(time.perf_counter() - t)
"""


# (n, p, alpha): a small n > p fit (plain CD) and a p > n one (working sets and
# Anderson extrapolation, which sparsereg compiles only when they are used)
FRESH_PROBLEMS = ((50, 20, 0.01), (100, 2000, 0.05))


def fresh_process_seconds(module, shape, runs=3, cold=False):
    """Median wall time of ``import + first fit`` in fresh interpreters.

    Warm: one unreported run comes first, so that numba's on-disk cache is warm (and
    the OS file cache too); then ``runs`` runs are measured. Cold: every run gets a
    new, empty ``NUMBA_CACHE_DIR``, so each one compiles every kernel it calls.
    """
    n, p, alpha = shape
    cmd = [sys.executable, "-c",
           _FRESH_CODE.format(module=module, n=n, p=p, alpha=alpha)]
    times = []
    for _ in range(runs + (0 if cold else 1)):
        env = dict(os.environ)
        with tempfile.TemporaryDirectory() as cache:
            if cold:
                env["NUMBA_CACHE_DIR"] = cache
            out = subprocess.run(cmd, check=True, capture_output=True, text=True,
                                 env=env)
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times if cold else times[1:]), times


# --------------------------------------------------------------------- reporting


def machine_info():
    """Lines describing the machine and the library versions."""
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    lines = [
        f"- CPU: {cpu}; nproc: {usable} (os.cpu_count: {os.cpu_count()})",
        f"- Python {platform.python_version()} on {platform.system()} "
        f"{platform.release()}",
    ]
    versions = []
    for module in ("sparsereg", "numpy", "scipy", "sklearn", "numba", "celer",
                   "skglm"):
        try:
            mod = importlib.import_module(module)
            versions.append(f"{module} {getattr(mod, '__version__', '?')}")
        except ImportError:
            versions.append(f"{module} (not installed)")
    lines.append("- " + ", ".join(versions))
    revision = _git_revision()
    if revision:
        lines.append(f"- sparsereg source: {revision}")
    try:
        from threadpoolctl import threadpool_info

        pools = [f"{p['internal_api']} ({p['num_threads']} threads)"
                 for p in threadpool_info()]
        lines.append("- thread pools: " + (", ".join(pools) or "none"))
    except ImportError:
        pass
    return lines


def _git_revision():
    """Commit of the imported sparsereg when it is a git checkout, else None."""
    try:
        import sparsereg

        where = os.path.dirname(os.path.abspath(sparsereg.__file__))
        git = ["git", "-C", where]
        commit = subprocess.run(git + ["rev-parse", "--short", "HEAD"], check=True,
                                capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(git + ["status", "--porcelain", "--", "."],
                               check=True, capture_output=True, text=True).stdout
    except (ImportError, OSError, subprocess.CalledProcessError):
        return None
    return f"git {commit}" + (" + uncommitted changes" if dirty.strip() else "")


def _fmt(value, spec, missing="-"):
    return missing if value is None else format(value, spec)


PEERS = ("sklearn", "celer", "skglm")


def markdown_table(rows):
    """The results table; ratios are time(library) / time(reference library), the
    last one to the fastest of the peers (scikit-learn, celer, skglm) on that
    problem."""
    out = [
        "| problem | library | tol used | rel. subopt. | median time [s] "
        "| min-max [s] | time / sparsereg | time / sklearn | time / fastest peer |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for problem, group in _grouped(rows):
        medians = {r.library: r.median for r in group}
        peer_times = [medians[p] for p in PEERS if medians.get(p)]
        fastest = min(peer_times) if peer_times else None
        for r in group:
            ratios = []
            for t_ref in (medians.get("sparsereg"), medians.get("sklearn"), fastest):
                ratios.append(f"{r.median / t_ref:.2f}" if r.median and t_ref
                              else "-")
            time_cell = _fmt(r.median, ".3f", r.note or "-")
            spread = (f"{min(r.times):.3f}-{max(r.times):.3f}" if r.times
                      else "-")
            out.append(f"| {problem} | {r.library} | {_fmt(r.tol, '.0e')} | "
                       f"{_fmt(r.subopt, '.1e')} | {time_cell} | {spread} | "
                       f"{' | '.join(ratios)} |")
    return "\n".join(out)


def _grouped(rows):
    seen = {}
    for r in rows:
        seen.setdefault(r.problem, []).append(r)
    return seen.items()


# -------------------------------------------------------------------------- main


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="small problems and 3 repeats, for a smoke run")
    parser.add_argument("--repeats", type=int, default=None,
                        help="timed fits per library (default 7, 3 with --quick)")
    parser.add_argument("--seed", type=int, default=0, help="data seed")
    parser.add_argument("--suite", choices=("default", "shapes"), default="default",
                        help="shapes: six single fits of three shapes (p >> n "
                        "dense at three penalties, text-like sparse, n >> p)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    repeats = args.repeats or (3 if args.quick else 7)

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    start = time.perf_counter()
    libs, notes = load_libraries()
    if args.suite == "shapes":
        problems = shape_problems(args.seed)
    elif args.quick:
        problems = [make_dense_problem(200, 1000, seed=args.seed),
                    *make_sparse_problems(2000, 5000, 5e-3, seed=args.seed)]
    else:
        problems = [make_dense_problem(1000, 5000, seed=args.seed),
                    *make_sparse_problems(20000, 50000, 1e-3, seed=args.seed)]

    rows, summaries = [], []
    for problem in problems:
        problem_rows, summary = run_problem(problem, libs, repeats, log)
        rows.extend(problem_rows)
        summaries.append(summary)

    log("fresh-process import + first fit")
    fresh = {}
    for name, module in (("sparsereg", "sparsereg"),
                         ("sklearn", "sklearn.linear_model"),
                         ("celer", "celer"), ("skglm", "skglm")):
        if not any(lib.name == name for lib in libs):
            continue
        for shape, cold in itertools.product(
                FRESH_PROBLEMS,
                (False, True) if name in ("sparsereg", "skglm") else (False,)):
            key = (f"{name} ({'cold' if cold else 'warm'} numba cache), "
                   f"{shape[0]} x {shape[1]}")
            fresh[key] = fresh_process_seconds(module, shape, cold=cold)
            log(f"  {key}: runs {', '.join(f'{t:.2f}' for t in fresh[key][1])}")

    print("## Lasso fit at equal solution quality\n")
    print(f"Median of {repeats} interleaved fits; tol = loosest of 1e-2..1e-12 "
          f"reaching (P - P*)/P* <= {TARGET_SUBOPT:.0e}; ratios > 1 mean slower "
          "than the reference library.\n")
    print(markdown_table(rows))
    print("\nProblems:\n")
    print("\n".join(summaries))
    print("\nWhat `tol` means per library:\n")
    for lib in libs:
        print(f"- {lib.name}: {lib.tol_meaning}")
    for note in notes:
        print(f"- {note}")
    print("\n## Import + first fit in a fresh process\n")
    print("Warm: the first run (listed first) warms the caches and is not in the "
          "median; cold: every run starts from an empty numba cache. Lasso on "
          "n x p standard normal data (see FRESH_PROBLEMS).\n")
    print("| library, problem | median of 3 runs [s] | all runs [s] |")
    print("|---|---|---|")
    for name, (median, runs) in fresh.items():
        print(f"| {name} | {median:.2f} | {', '.join(f'{t:.2f}' for t in runs)} |")
    print("\n## Machine\n")
    print("\n".join(machine_info()))
    print(f"\nTotal benchmark time: {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
