"""Poisson regression: sparsereg against scikit-learn at equal accuracy.

``PoissonRegressor(alpha)`` (l1_ratio=0, scikit-learn's objective: mean half
Poisson deviance + alpha/2 ||w||^2) on dense problems of three shapes, fitted by
sparsereg's default (proximal Newton with coordinate descent, "cd") and its
"lbfgs", and by scikit-learn's "lbfgs" and "newton-cholesky". The protocol of
``bench_cd.py``: each library at the loosest ``tol`` of the ladder 1e-2, 1e-3, ...
whose fit reaches a relative suboptimality ``(F - F*) / F*`` of at most 1e-6 (``F*``
the smallest objective any library reaches at its tightest tol), one untimed
warm-up, then interleaved rounds with the starting library rotating; medians.
Also the lasso version (``l1_ratio=1``), which scikit-learn cannot fit, timed alone.

    python benchmarks/bench_glm.py              # 5 repeats, about 1 min on 2 cores
    python benchmarks/bench_glm.py --repeats 3
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from scipy.special import xlogy

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_cd import machine_info, settle  # noqa: E402

TARGET = 1e-6
LADDER = [10.0**-k for k in range(2, 13)]


def make_problem(n, p, rho, seed):
    """Correlated (Toeplitz rho) standardized features, 10 true effects, counts."""
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n, p))
    X = np.empty_like(Z)
    X[:, 0] = Z[:, 0]
    for j in range(1, p):
        X[:, j] = rho * X[:, j - 1] + np.sqrt(1 - rho**2) * Z[:, j]
    w = np.zeros(p)
    w[rng.choice(p, 10, replace=False)] = rng.uniform(-0.3, 0.3, 10)
    y = rng.poisson(np.exp(X @ w + 0.5)).astype(float)
    return X, y


def objective(X, y, coef, intercept, alpha, l1_ratio):
    """The mean half deviance (>= 0, so that relative suboptimality means
    something) plus the penalty: scikit-learn's objective."""
    eta = X @ coef + intercept
    loss = np.mean(np.exp(eta) - y * eta + xlogy(y, y) - y)
    return loss + alpha * (l1_ratio * np.abs(coef).sum()
                           + 0.5 * (1 - l1_ratio) * coef @ coef)


def libraries(l1_ratio):
    import sklearn.linear_model as sk

    import sparsereg as sr

    libs = {"sparsereg cd": lambda a, tol: sr.PoissonRegressor(
        alpha=a, l1_ratio=l1_ratio, tol=tol, max_iter=1000)}
    if l1_ratio == 0:
        libs["sparsereg lbfgs"] = lambda a, tol: sr.PoissonRegressor(
            alpha=a, solver="lbfgs", tol=tol, max_iter=10000)
        libs["sklearn lbfgs"] = lambda a, tol: sk.PoissonRegressor(
            alpha=a, tol=tol, max_iter=10000)
        libs["sklearn newton-cholesky"] = lambda a, tol: sk.PoissonRegressor(
            alpha=a, solver="newton-cholesky", tol=tol, max_iter=1000)
    return libs


def fit(make, X, y, alpha, tol):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        est = make(alpha, tol).fit(X, y)
        return est, time.perf_counter() - start


def run(name, X, y, alpha, l1_ratio, repeats, log):
    libs = libraries(l1_ratio)
    values = {k: objective(X, y, *_params(fit(m, X, y, alpha, 1e-12)[0]), alpha,
                           l1_ratio) for k, m in libs.items()}
    f_star = min(values.values())
    log(f"{name}: F* = {f_star:.16e}")
    chosen = {}
    for k, make in libs.items():
        for tol in LADDER:
            est, _ = fit(make, X, y, alpha, tol)
            sub = (objective(X, y, *_params(est), alpha, l1_ratio) - f_star) / f_star
            if sub <= TARGET:
                chosen[k] = (tol, sub)
                break
        log(f"  {k}: tol {chosen.get(k, (None,))[0]}")
    times = {k: [] for k in chosen}
    names = list(chosen)
    for k in names:
        fit(libs[k], X, y, alpha, chosen[k][0])  # warm-up
    for r in range(repeats):
        for k in names[r % len(names):] + names[:r % len(names)]:
            settle()
            times[k].append(fit(libs[k], X, y, alpha, chosen[k][0])[1])
    medians = {k: float(np.median(v)) for k, v in times.items()}
    ref = medians.get("sklearn lbfgs")
    peers = [medians[k] for k in medians if k.startswith("sklearn")]
    fastest = min(peers) if peers else None
    rows = []
    for k in names:
        ratio = f"{medians[k] / ref:.2f}" if ref else "-"
        ratio_fast = f"{medians[k] / fastest:.2f}" if fastest else "-"
        rows.append(f"| {name} | {k} | {chosen[k][0]:.0e} | {chosen[k][1]:.1e} | "
                    f"{medians[k]:.4f} | {min(times[k]):.4f}-{max(times[k]):.4f} | "
                    f"{ratio} | {ratio_fast} |")
    return rows


def _params(est):
    return np.asarray(est.coef_, dtype=np.float64), float(est.intercept_)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    problems = [("10000x50, alpha 1e-2", (10000, 50, 0.5, 0), 1e-2),
                ("2000x500, alpha 1e-2", (2000, 500, 0.5, 1), 1e-2),
                ("500x2000, alpha 1e-2", (500, 2000, 0.5, 2), 1e-2)]
    print("## Poisson regression at equal accuracy\n")
    print(f"Relative suboptimality target {TARGET:g}; median of {args.repeats} "
          "interleaved fits; ratios to scikit-learn's lbfgs and to its fastest "
          "solver.\n")
    header = ("| problem | library | tol used | rel. subopt. | median [s] | "
              "min-max [s] | time / sklearn lbfgs | time / fastest sklearn |\n"
              "|---|---|---|---|---|---|---|---|")
    for l1_ratio in (0.0, 1.0):
        print(f"\n**l1_ratio = {l1_ratio:g}**\n")
        print(header)
        for name, shape, alpha in problems:
            X, y = make_problem(*shape)
            for row in run(name, X, y, alpha, l1_ratio, args.repeats, log):
                print(row, flush=True)
    print()
    print("\n".join(machine_info()))


if __name__ == "__main__":
    main()
