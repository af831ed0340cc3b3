"""Time Lasso regularization paths: glmnet's Table 1 protocol (Friedman, Hastie and
Tibshirani 2010, "Regularization Paths for Generalized Linear Models via Coordinate
Descent", J. Stat. Softw. 33(1), Table 1).

Usage::

    python benchmarks/bench_path.py [--quick] [--repeats N] [--rhos R,R] \
        [--sizes NxP,NxP] [--skip NxP:R,...] [--libs NAME,NAME] \
        [--ladder-stop-seconds S] [--full-reference]

**Data** (Table 1, Gaussian): ``n x p`` Gaussian features with equal population
correlation ``rho`` between every pair (``X_j = sqrt(1 - rho) Z_j + sqrt(rho) Z_0``),
``y = sum_j X_j beta_j + k Z`` with ``beta_j = (-1)^j exp(-2 (j - 1) / 20)`` and ``k``
chosen for a signal-to-noise ratio ``Var(X beta) / k^2 = 3`` (population variances).

**Path**: 100 lambdas, geometric from ``lambda_max`` down to ``eps * lambda_max``
(glmnet's default ``eps``: 1e-4 if n > p, else 1e-2), the same explicit grid for
every library; ``fit_intercept=True``, no standardization. X and y are centered once
here and sparsereg, scikit-learn, celer and skglm get the centered arrays (their path
functions have no intercept); glmnet gets the raw data and fits the intercept.

**Equal solution quality**: every path is evaluated here, at each lambda_k, by
``P_k(w) = 1/(2n) ||y_c - X_c w||^2 + lambda_k ||w||_1`` on the centered data (for
glmnet from its ``coef_path_``: its intercept is then the centered one).

1. ``P*_k``: the smallest objective at lambda_k of the libraries' tightest paths
   (tol 1e-12; glmnet 1e-14), computed library after library (glmnet first, then
   the fastest ones) until ``P*`` is certified by a duality gap: with ``D*_k`` the best
   dual value seen (a lower bound on the optimum), once
   ``max_k (P*_k - D*_k) / P*_k <= 1e-7`` no other library can lower ``P*`` by more
   than a tenth of the target, and the remaining reference paths are skipped
   (``--full-reference`` computes them all).
2. Per library, the loosest tol of its ladder (1e-2 .. 1e-12; glmnet 1e-2 .. 1e-16)
   whose worst relative suboptimality over the path, ``max_k (P_k - P*_k) / P*_k``,
   is at most 1e-6. A library that misses it at every tol is n/a, and so is one
   whose path still misses it after ``--ladder-stop-seconds`` (default 20): the
   next rung typically takes 2-10 times longer, minutes per path.
3. One untimed warm-up path per library at that tol, then ``--repeats`` rounds in
   which every library computes its path once, round-robin with the starting
   library rotating; medians, min-max and ratios.

For information the table also gives each timed path's worst certified duality gap
relative to its objective, ``max_k gap_k / P_k``, the gap computed here from the
coefficients (dual point ``theta = R / max(1, ||X_c' R||_inf / (n lambda_k))``).

Libraries that do not import are skipped with a note, so the script runs with or
without python-glmnet (which needs numpy < 2, see the README). The result is a
Markdown report on stdout; progress goes to stderr. The machine description comes
from ``bench_cd.py``.
"""

import argparse
import statistics
import sys
import time
import warnings
from dataclasses import dataclass, field
from importlib import metadata

import bench_cd as bc
import numpy as np

N_LAMBDAS = 100
TARGET_SUBOPT = 1e-6
GAP_LADDER = tuple(10.0**-k for k in range(2, 13))  # 1e-2 ... 1e-12
GLMNET_LADDER = tuple(10.0**-k for k in range(2, 17))  # 1e-2 ... 1e-16
GLMNET_REFERENCE_TOL = 1e-14
# P* is certified when max_k (P*_k - D*_k) / P*_k is below this (D* the best dual
# value seen), a tenth of the target: then the other reference paths are skipped.
REFERENCE_CERTIFIED = 1e-7
# Order of the reference paths: the fastest at tight tol first (from trial runs;
# scikit-learn's Gram-matrix solver is quick when n > p, slow when p >> n).
REFERENCE_ORDER = {
    True: ("glmnet", "sklearn", "sparsereg", "sparsereg+anderson", "skglm", "celer",
           "skglm-refit"),  # n > p
    False: ("glmnet", "sparsereg", "sparsereg+anderson", "celer", "skglm", "sklearn",
            "skglm-refit"),  # n <= p
}
BIG_MAX_ITER = 100_000  # epochs per lambda for sparsereg/sklearn: stop on tol
RHOS = (0.0, 0.1, 0.2, 0.5, 0.9, 0.95)
SIZES = ((1000, 100), (5000, 100), (100, 1000), (100, 5000), (100, 20000))
QUICK_RHOS = (0.0, 0.5, 0.95)
QUICK_SIZES = ((1000, 100), (100, 1000))
PEERS = ("sklearn", "celer", "skglm", "glmnet")


# ---------------------------------------------------------------------- problems


@dataclass
class PathProblem:
    """One Table 1 problem: raw and centered data and the lambda grid."""

    n: int
    p: int
    rho: float
    X: np.ndarray  # raw, Fortran-ordered (glmnet)
    y: np.ndarray
    Xc: np.ndarray  # centered, Fortran-ordered (the path functions)
    yc: np.ndarray
    lambdas: np.ndarray  # decreasing
    eps: float

    @property
    def name(self):
        return f"{self.n}x{self.p}, rho={self.rho:g}"


def make_problem(n, p, rho, seed=0):
    """Table 1 data: equicorrelated Gaussian X, alternating decaying beta, SNR 3."""
    rng = np.random.default_rng(seed)
    X = np.empty((n, p), order="F")
    # X_j = sqrt(1 - rho) Z_j + sqrt(rho) Z_0: corr(X_j, X_j') = rho, Var(X_j) = 1
    X[:] = rng.standard_normal((n, p))
    X *= np.sqrt(1.0 - rho)
    X += np.sqrt(rho) * rng.standard_normal(n)[:, None]
    j = np.arange(1, p + 1)
    beta = (-1.0) ** j * np.exp(-2.0 * (j - 1) / 20.0)
    # Var(X beta) = (1 - rho) ||beta||^2 + rho (sum beta)^2
    signal_var = (1.0 - rho) * beta @ beta + rho * beta.sum() ** 2
    k = np.sqrt(signal_var / 3.0)
    y = X @ beta + k * rng.standard_normal(n)
    Xc = np.asfortranarray(X - X.mean(axis=0))
    yc = y - y.mean()
    eps = 1e-4 if n > p else 1e-2
    lambda_max = float(np.max(np.abs(Xc.T @ yc))) / n
    lambdas = np.geomspace(lambda_max, lambda_max * eps, N_LAMBDAS)
    return PathProblem(n, p, rho, X, y, Xc, yc, lambdas, eps)


def primal_dual(problem, W):
    """``P_k`` and a dual value ``D_k <= min P_k`` at every lambda, for W (p x K)."""
    n, lam, yc = problem.n, problem.lambdas, problem.yc
    R = yc[:, None] - problem.Xc @ W  # residuals, n x K
    P = 0.5 * np.einsum("ik,ik->k", R, R) / n + lam * np.abs(W).sum(axis=0)
    # theta = R / max(1, ||X'R||_inf / (n lambda)): dual feasible
    scale = np.maximum(1.0, np.abs(problem.Xc.T @ R).max(axis=0) / (n * lam))
    theta = R / scale
    diff = yc[:, None] - theta
    D = 0.5 * (yc @ yc - np.einsum("ik,ik->k", diff, diff)) / n
    return P, D


# --------------------------------------------------------------------- libraries


@dataclass
class Library:
    """A path implementation: ``run(problem, tol) -> coefs`` (p x n_lambdas)."""

    name: str
    run: object
    ladder: tuple
    reference_tol: float
    tol_meaning: str


def _sparsereg(extra):
    from sparsereg import lasso_path

    def run(problem, tol):
        return lasso_path(problem.Xc, problem.yc, alphas=problem.lambdas, tol=tol,
                          max_iter=BIG_MAX_ITER, **extra)[1]
    return run


def _sklearn():
    from sklearn.linear_model import lasso_path

    def run(problem, tol):
        return lasso_path(problem.Xc, problem.yc, alphas=problem.lambdas, tol=tol,
                          max_iter=BIG_MAX_ITER)[1]
    return run


def _celer():
    from celer import celer_path

    def run(problem, tol):
        # max_iter: working-set iterations per lambda (celer.Lasso's default; the
        # path function's own default is 20)
        return celer_path(problem.Xc, problem.yc, "lasso", alphas=problem.lambdas,
                          tol=tol, max_iter=100)[1]
    return run


def _skglm():
    from skglm import Lasso

    def run(problem, tol):
        # skglm's own warm-started path (AndersonCD.path), default max_iter/epochs
        return Lasso(fit_intercept=False, tol=tol).path(problem.Xc, problem.yc,
                                                       problem.lambdas)[1]
    return run


def _skglm_refit():
    from skglm import Lasso

    def run(problem, tol):
        est = Lasso(fit_intercept=False, warm_start=True, tol=tol)
        W = np.empty((problem.p, N_LAMBDAS))
        for k, lam in enumerate(problem.lambdas):
            W[:, k] = est.set_params(alpha=lam).fit(problem.Xc, problem.yc).coef_
        return W
    return run


def _glmnet():
    from glmnet import ElasticNet

    def run(problem, tol):
        m = ElasticNet(alpha=1.0, lambda_path=problem.lambdas, standardize=False,
                       fit_intercept=True, n_splits=0, tol=tol,
                       max_iter=10**6).fit(problem.X, problem.y)
        if m.coef_path_.shape[1] != N_LAMBDAS:  # stopped early (max_iter)
            raise RuntimeError(f"glmnet returned {m.coef_path_.shape[1]} of "
                               f"{N_LAMBDAS} lambdas (jerr={m.jerr_})")
        return m.coef_path_
    return run


_GAP = "duality gap <= tol * ||y_c||^2 / n at every lambda"
LIBRARY_SPECS = [  # name, factory, ladder, reference tol, meaning of tol, default?
    ("sparsereg", lambda: _sparsereg({}), GAP_LADDER, 1e-12,
     f"`lasso_path`, {_GAP} (anderson='auto')", True),
    ("sparsereg+anderson", lambda: _sparsereg({"anderson": True}), GAP_LADDER, 1e-12,
     "`lasso_path(anderson=True)`: as sparsereg, Anderson extrapolation always on",
     True),
    ("sklearn", _sklearn, GAP_LADDER, 1e-12,
     f"`sklearn.linear_model.lasso_path`, {_GAP}", True),
    ("celer", _celer, GAP_LADDER, 1e-12,
     "`celer.celer_path(pb='lasso', max_iter=100)`: duality gap <= tol * ||y_c||^2 "
     "/ n (working sets)", True),
    ("skglm", _skglm, GAP_LADDER, 1e-12,
     "`skglm.Lasso(fit_intercept=False).path` (warm-started AndersonCD): max "
     "violation of the optimality conditions <= tol (absolute)", True),
    ("skglm-refit", _skglm_refit, GAP_LADDER, 1e-12,
     "`skglm.Lasso(fit_intercept=False, warm_start=True)` refitted down the grid",
     False),
    ("glmnet", _glmnet, GLMNET_LADDER, GLMNET_REFERENCE_TOL,
     "python-glmnet `ElasticNet(alpha=1, lambda_path=..., standardize=False, "
     "n_splits=0, max_iter=1e6)` on the raw data with the intercept (Fortran "
     "elnet): tol is glmnet's `thresh`, the largest change of the objective by a "
     "coordinate update relative to the null deviance (not a duality gap)", True),
]


def load_libraries(names=None):
    """The selected libraries that import, in table order; notes on the others."""
    libs, notes = [], []
    for name, factory, ladder, ref_tol, meaning, default in LIBRARY_SPECS:
        if (names is None and not default) or (names and name not in names):
            continue
        try:
            run = factory()
        except ImportError as exc:
            notes.append(f"{name}: skipped, does not import ({exc})")
            continue
        libs.append(Library(name, run, ladder, ref_tol, meaning))
    return libs, notes


def run_path(lib, problem, tol):
    """(coefs, wall seconds) of one path; warnings (convergence) silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        W = lib.run(problem, tol)
        seconds = time.perf_counter() - start
    return np.asarray(W, dtype=np.float64).reshape(problem.p, N_LAMBDAS), seconds


# --------------------------------------------------------- equal-quality protocol


@dataclass
class Row:
    """Result of one (problem, library) pair."""

    problem: PathProblem
    library: str
    tol: float | None = None
    subopt: float | None = None
    gap_rel: float | None = None  # max_k gap_k / P_k of the path at ``tol``
    times: list = field(default_factory=list)
    note: str = ""

    @property
    def median(self):
        return statistics.median(self.times) if self.times else None


@dataclass
class PathQuality:
    """What the script measured of one path: objectives, dual values, seconds."""

    P: np.ndarray
    D: np.ndarray
    seconds: float


def _quality(lib, problem, tol, cache, log):
    """``lib``'s path at ``tol``, evaluated once per tol (``cache``, which also
    remembers a path that raised, and raises again)."""
    if tol not in cache:
        try:
            W, seconds = run_path(lib, problem, tol)
        except Exception as exc:  # e.g. glmnet stopping on max_iter
            cache[tol] = exc
            log(f"  {lib.name:18s} tol={tol:.0e} raised {type(exc).__name__}: {exc}")
            raise
        cache[tol] = PathQuality(*primal_dual(problem, W), seconds)
        log(f"  {lib.name:18s} tol={tol:.0e} {seconds:8.2f}s  "
            f"nnz(last)={np.count_nonzero(W[:, -1])}")
    if isinstance(cache[tol], Exception):
        raise cache[tol]
    return cache[tol]


def reference(problem, libs, caches, full, log):
    """``P*`` (per lambda): the smallest objective of the libraries' tightest paths.

    Libraries are tried in ``REFERENCE_ORDER``; unless ``full``, once ``P*`` is
    certified (``max_k (P*_k - D*_k) / P*_k <= REFERENCE_CERTIFIED``, ``D*`` the best
    dual value, a lower bound on the optimum) the others are skipped: they could
    lower ``P*`` by less than that. A reference path that raises (glmnet stopping on
    its max_iter at 1e-14) just does not count. Returns (P*, certified bound,
    source summary).
    """
    preferred = REFERENCE_ORDER[problem.n > problem.p]
    order = sorted(libs, key=lambda lib: preferred.index(lib.name))
    values, p_star, d_star, bound = {}, None, None, np.inf
    for lib in order:
        if bound <= REFERENCE_CERTIFIED and not full:
            break
        try:
            q = _quality(lib, problem, lib.reference_tol, caches[lib.name], log)
        except Exception:
            continue
        values[lib.name] = q.P
        p_star = q.P if p_star is None else np.minimum(p_star, q.P)
        d_star = q.D if d_star is None else np.maximum(d_star, q.D)
        bound = float(np.max((p_star - d_star) / p_star))
        log(f"  P* certified to {bound:.1e}")
    if not values:
        return None, bound, "no library"
    names = list(values)
    stacked = np.array([values[name] for name in names])
    wins = np.bincount(stacked.argmin(axis=0), minlength=len(names))
    source = ", ".join(f"{name} {w}" for name, w in zip(names, wins, strict=True)
                       if w)
    return p_star, bound, source


def choose_tol(lib, problem, p_star, row, cache, stop_seconds, log):
    """The loosest ladder tol whose worst relative suboptimality is <= target.

    Climbing stops (n/a) when a path misses the target after ``stop_seconds``.
    """
    subopt, error = np.inf, None
    for tol in lib.ladder:
        try:
            q = _quality(lib, problem, tol, cache, log)
        except Exception as exc:
            error = f"; at tol={tol:.0e}: {type(exc).__name__}: {exc}"
            continue
        subopt = max(float(np.max((q.P - p_star) / p_star)), 0.0)
        if subopt <= TARGET_SUBOPT:
            row.tol, row.subopt = tol, subopt
            row.gap_rel = float(np.max((q.P - q.D) / q.P))
            return True
        if q.seconds > stop_seconds:
            row.subopt = subopt
            row.note = (f"n/a: rel. subopt. {subopt:.1e} at tol={tol:.0e} after "
                        f"{q.seconds:.0f} s per path (ladder stopped)")
            return False
    row.subopt = subopt
    row.note = (f"n/a: rel. subopt. {subopt:.1e} > {TARGET_SUBOPT:.0e} even at "
                f"tol={lib.ladder[-1]:.0e}{error or ''}")
    return False


def time_interleaved(problem, libs, rows, repeats):
    """One untimed warm-up each, then round-robin rounds, rotating the start."""
    for lib in libs:
        run_path(lib, problem, rows[lib.name].tol)
    for r in range(repeats):
        k = r % len(libs)
        for lib in libs[k:] + libs[:k]:
            bc.settle()
            rows[lib.name].times.append(run_path(lib, problem, rows[lib.name].tol)[1])


def run_problem(problem, libs, args, log):
    """Reference, tol choice and timing of one problem: (rows, summary line)."""
    log(f"{problem.name} (eps={problem.eps:g})")
    start = time.perf_counter()
    rows = {lib.name: Row(problem, lib.name) for lib in libs}
    caches = {lib.name: {} for lib in libs}
    p_star, bound, source = reference(problem, libs, caches, args.full_reference,
                                      log)
    if p_star is None:
        for row in rows.values():
            row.note = "n/a: no reference path could be computed"
    timed = [lib for lib in libs if p_star is not None
             and choose_tol(lib, problem, p_star, rows[lib.name], caches[lib.name],
                           args.ladder_stop_seconds, log)]
    if timed:
        time_interleaved(problem, timed, rows, args.repeats)
    for lib in timed:
        row = rows[lib.name]
        log(f"  timed {lib.name:18s} tol={row.tol:.0e} median={row.median:.3f}s")
    last = "-" if p_star is None else f"{p_star[-1]:.6g}"
    summary = (f"- **{problem.name}**: eps={problem.eps:g}, lambda_max="
               f"{problem.lambdas[0]:.4g}, P* at the last lambda={last}, certified "
               f"to {bound:.0e} (max_k (P*_k - D*_k) / P*_k); P* from (lambdas "
               f"won): {source}; {time.perf_counter() - start:.0f} s in all")
    return [rows[lib.name] for lib in libs], summary


# --------------------------------------------------------------------- reporting


def _fmt(value, spec, missing="-"):
    return missing if value is None else format(value, spec)


def _ratio(t, t_ref):
    return f"{t / t_ref:.2f}" if t and t_ref else "-"


def detail_table(rows):
    """One line per (problem, library) with quality, times and ratios."""
    out = ["| N x p | rho | library | tol used | rel. subopt. | worst gap / P "
           "| median [s] | min-max [s] | / sparsereg | / fastest peer | / glmnet |",
           "|---|---|---|---|---|---|---|---|---|---|---|"]
    for group in _by_problem(rows):
        medians = {r.library: r.median for r in group}
        peers = [medians[name] for name in PEERS if medians.get(name)]
        fastest = min(peers) if peers else None
        for r in group:
            spread = f"{min(r.times):.3f}-{max(r.times):.3f}" if r.times else "-"
            out.append(
                f"| {r.problem.n}x{r.problem.p} | {r.problem.rho:g} | {r.library} | "
                f"{_fmt(r.tol, '.0e')} | {_fmt(r.subopt, '.1e')} | "
                f"{_fmt(r.gap_rel, '.1e')} | {_fmt(r.median, '.3f', r.note or '-')} | "
                f"{spread} | {_ratio(r.median, medians.get('sparsereg'))} | "
                f"{_ratio(r.median, fastest)} | "
                f"{_ratio(r.median, medians.get('glmnet'))} |")
    return "\n".join(out)


def table1_layout(rows):
    """Median seconds laid out as glmnet's Table 1: one block per size, rho across."""
    rhos = sorted({r.problem.rho for r in rows})
    out = ["| N x p | library | " + " | ".join(f"rho={rho:g}" for rho in rhos) + " |",
           "|---|---|" + "---|" * len(rhos)]
    sizes = list(dict.fromkeys((r.problem.n, r.problem.p) for r in rows))
    libraries = list(dict.fromkeys(r.library for r in rows))
    cells = {(r.problem.n, r.problem.p, r.problem.rho, r.library): r for r in rows}
    for n, p in sizes:
        for name in libraries:
            line = []
            for rho in rhos:
                r = cells.get((n, p, rho, name))
                line.append("" if r is None else _fmt(r.median, ".3f", "n/a"))
            out.append(f"| {n}x{p} | {name} | " + " | ".join(line) + " |")
    return "\n".join(out)


def _by_problem(rows):
    groups = {}
    for r in rows:
        groups.setdefault(r.problem.name, []).append(r)
    return groups.values()


def versions_line():
    """Versions of the path libraries that bench_cd's machine_info does not list."""
    try:
        glmnet = f"python-glmnet {metadata.version('glmnet')}"
    except metadata.PackageNotFoundError:
        glmnet = "python-glmnet (not installed)"
    return f"- {glmnet}"


# -------------------------------------------------------------------------- main


def _floats(text):
    return tuple(float(v) for v in text.split(","))


def _sizes(text):
    return tuple(tuple(int(v) for v in item.lower().split("x"))
                 for item in text.split(","))


def _problems(text):
    out = []
    for item in text.split(","):
        size, rho = item.split(":")
        out.append((*_sizes(size)[0], float(rho)))
    return tuple(out)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="rho in {0, 0.5, 0.95} x sizes {1000x100, 100x1000}, "
                        "3 repeats")
    parser.add_argument("--repeats", type=int, default=None,
                        help="timed paths per library (default 5, 3 with --quick)")
    parser.add_argument("--rhos", type=_floats, default=None,
                        help="comma-separated correlations, e.g. 0,0.5")
    parser.add_argument("--sizes", type=_sizes, default=None,
                        help="comma-separated NxP, e.g. 1000x100,100x1000")
    parser.add_argument("--libs", default=None,
                        help="comma-separated library names (default: all that "
                        "import except skglm-refit); names: "
                        + ", ".join(spec[0] for spec in LIBRARY_SPECS))
    parser.add_argument("--skip", type=_problems, default=(),
                        help="comma-separated NxP:rho problems to leave out, e.g. "
                        "100x20000:0.95")
    parser.add_argument("--ladder-stop-seconds", type=float, default=20.0,
                        help="a library whose path misses the target after this "
                        "long stops climbing the tol ladder (n/a); default 20")
    parser.add_argument("--full-reference", action="store_true",
                        help="compute every library's tightest path for P*, even "
                        "once P* is certified by a duality gap")
    parser.add_argument("--seed", type=int, default=0, help="data seed")
    args = parser.parse_args(argv)
    args.repeats = args.repeats or (3 if args.quick else 5)
    return args


def main(argv=None):
    args = parse_args(argv)
    repeats = args.repeats
    rhos = args.rhos or (QUICK_RHOS if args.quick else RHOS)
    sizes = args.sizes or (QUICK_SIZES if args.quick else SIZES)

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    start = time.perf_counter()
    log(f"sparsereg source at start: {bc._git_revision()}")
    libs, notes = load_libraries(args.libs.split(",") if args.libs else None)
    rows, summaries = [], []
    for n, p in sizes:
        for rho in rhos:
            if (n, p, rho) in args.skip:
                summaries.append(f"- **{n}x{p}, rho={rho:g}**: left out (--skip)")
                continue
            problem = make_problem(n, p, rho, seed=args.seed)
            problem_rows, summary = run_problem(problem, libs, args, log)
            rows.extend(problem_rows)
            summaries.append(summary)

    print("## Lasso regularization paths (glmnet Table 1 protocol)\n")
    print(f"Median time [s] of {repeats} interleaved paths of {N_LAMBDAS} lambdas "
          f"at equal solution quality (worst relative suboptimality over the path "
          f"<= {TARGET_SUBOPT:.0e}), in the layout of glmnet's Table 1:\n")
    print(table1_layout(rows))
    print("\nDetails: tol used = loosest of the ladder reaching the target; rel. "
          "subopt. = max_k (P_k - P*_k) / P*_k; worst gap / P = max_k of the "
          "certified duality gap over the objective; ratios of medians, peers = "
          f"{', '.join(PEERS)}.\n")
    print(detail_table(rows))
    print("\nProblems:\n")
    print("\n".join(summaries))
    print("\nLibraries (what `tol` means):\n")
    for lib in libs:
        print(f"- {lib.name}: {lib.tol_meaning}")
    for note in notes:
        print(f"- {note}")
    print("\n## Machine\n")
    print("\n".join(bc.machine_info() + [versions_line()]))
    print(f"\nTotal benchmark time: {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
