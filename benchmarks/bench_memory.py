"""Peak memory of a Lasso fit on a sparse matrix whose dense form would not fit.

X is a 200000 x 1000000 CSC matrix of density 1e-5 (2 million nonzeros, about 28 MB
as data + indices + indptr); densified it would take 1.6 TB. The fit must succeed
and its peak resident set size must stay a small multiple of X's size plus a few
vectors of length n_features: nothing may densify X.

The matrix is generated once and saved (``scipy.sparse.save_npz``) to a temporary
directory; a fresh Python process then loads it, fits ``Lasso(alpha=alpha_max /
10)`` and reports, from ``resource.getrusage``, the peak RSS after loading X and after
the fit. A fresh process keeps the generation's temporaries out of the figures.

Usage::

    python benchmarks/bench_memory.py                  # the full problem
    python benchmarks/bench_memory.py --n 20000 --p 100000   # a smaller one

Prints a Markdown table to stdout.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import textwrap

import numpy as np
from scipy import sparse

CHILD = textwrap.dedent("""
    import json, resource, sys, time
    import numpy as np
    from scipy import sparse
    import sparsereg as sr

    def peak_mib():  # ru_maxrss is in KiB on Linux (bytes on macOS)
        kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return kib / (1024 * 1024 if sys.platform == "darwin" else 1024)

    path, seed = sys.argv[1], int(sys.argv[2])
    # compile (or load from the disk cache) the kernels on a tiny problem first,
    # so that the figures are those of the data, not of numba
    Xw = sparse.random(50, 200, density=0.05, format="csc", random_state=0)
    sr.Lasso(alpha=1e-3).fit(Xw, np.arange(50.0))
    X = sparse.load_npz(path).tocsc()
    y = np.load(path + ".y.npy")
    before = peak_mib()
    n = X.shape[0]
    Xty = X.T @ (y - y.mean())  # = X_c' y_c: alpha_max of the centered problem
    alpha_max = float(np.max(np.abs(Xty))) / n
    del Xty
    t0 = time.perf_counter()
    est = sr.Lasso(alpha=alpha_max / 10, tol=1e-4, max_iter=1000).fit(X, y)
    seconds = time.perf_counter() - t0
    print(json.dumps(dict(
        peak_before_fit_mib=before, peak_after_fit_mib=peak_mib(), seconds=seconds,
        alpha=alpha_max / 10, n_iter=int(est.n_iter_), dual_gap=float(est.dual_gap_),
        nnz_coef=int(np.count_nonzero(est.coef_)),
        finite=bool(np.all(np.isfinite(est.coef_))),
    )))
""")


def make_problem(n, p, density, seed):
    """CSC X with about ``density * n * p`` nonzeros (uniform positions, standard
    normal values), and ``y = X w + noise`` with 20 nonzero coefficients."""
    rng = np.random.default_rng(seed)
    nnz = int(round(density * n * p))
    rows = rng.integers(0, n, nnz, dtype=np.int32)
    cols = rng.integers(0, p, nnz, dtype=np.int32)
    vals = rng.standard_normal(nnz)
    X = sparse.csc_matrix((vals, (rows, cols)), shape=(n, p))
    X.sum_duplicates()
    w = np.zeros(p)
    busy = np.flatnonzero(np.diff(X.indptr) > 0)
    w[rng.choice(busy, 20, replace=False)] = rng.uniform(1, 3, 20)
    y = X @ w + 0.5 * rng.standard_normal(n)
    return X, y


def _cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def nbytes(X):
    return X.data.nbytes + X.indices.nbytes + X.indptr.nbytes


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--p", type=int, default=1_000_000)
    parser.add_argument("--density", type=float, default=1e-5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    X, y = make_problem(args.n, args.p, args.density, args.seed)
    x_bytes, dense_bytes = nbytes(X), 8 * args.n * args.p
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "X.npz")
        sparse.save_npz(path, X, compressed=False)
        np.save(path + ".y.npy", y)
        del X, y
        out = subprocess.run([sys.executable, "-c", CHILD, path, str(args.seed)],
                             check=True, capture_output=True, text=True)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    mib = 1024 * 1024
    print(f"Machine: {_cpu_name()}, {os.cpu_count()} cores, {platform.system()}\n")
    print(f"X: {args.n} x {args.p} CSC, density {args.density:g}, "
          f"nnz {int(round(args.density * args.n * args.p))} (before duplicates "
          f"merge); dense float64 form: {dense_bytes / 1e12:.2f} TB\n")
    print("| quantity | value |")
    print("|---|---|")
    print(f"| X size (data + indices + indptr) | {x_bytes / mib:.1f} MiB |")
    print(f"| peak RSS after loading X | {r['peak_before_fit_mib']:.1f} MiB |")
    print(f"| peak RSS after the fit | {r['peak_after_fit_mib']:.1f} MiB |")
    growth = r["peak_after_fit_mib"] - r["peak_before_fit_mib"]
    print(f"| growth of the peak during the fit | {growth:.1f} MiB "
          f"({growth * mib / x_bytes:.2f}x X) |")
    print(f"| fit time | {r['seconds']:.1f} s |")
    print(f"| alpha (alpha_max / 10) | {r['alpha']:.4g} |")
    print(f"| epochs, duality gap | {r['n_iter']}, {r['dual_gap']:.3g} |")
    print(f"| nonzero coefficients | {r['nnz_coef']} |")
    if not r["finite"]:
        raise SystemExit("the fit returned non-finite coefficients")


if __name__ == "__main__":
    main()
