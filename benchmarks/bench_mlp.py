"""Time MLP training per epoch: sparsereg's MLPClassifier against scikit-learn's.

Usage::

    python benchmarks/bench_mlp.py [--quick] [--repeats N] [--epochs E]

Both libraries train the same architecture with the same solver, batch size, seed
and data; a timed sample is one ``fit`` of ``--epochs`` epochs (``tol=0`` and a
patience larger than the epochs, so that every fit runs them all) divided by the
epochs. Samples are taken round-robin over the libraries (the starting library
rotating each round) after one untimed warm-up fit each; the table gives medians
and ratios. Libraries:

* ``sklearn``: :class:`sklearn.neural_network.MLPClassifier` on float64 X;
* ``sklearn-f32``: the same on float32 X (scikit-learn then computes in float32);
* ``sparsereg``: :class:`sparsereg.neural_network.MLPClassifier`, float64;
* ``sparsereg-f32``: the same with ``dtype="float32"``;
* ``sparsereg+dropout``: float64 with ``dropout=0.2`` (what the feature costs).

Equal accuracy: after the timing, each library trains ``--acc-epochs`` epochs and
its held-out accuracy is reported (float64 sparsereg follows scikit-learn's
training exactly, so their accuracies are equal; float32 differs by rounding).
Markdown on stdout, progress on stderr.
"""

import argparse
import gc
import sys
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from bench_cd import machine_info  # noqa: E402


@dataclass
class Problem:
    name: str
    description: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    params: dict  # architecture and optimizer, the same for every library


@dataclass
class Row:
    problem: str
    library: str
    times: list = field(default_factory=list)
    accuracy: float | None = None

    @property
    def median(self):
        return float(np.median(self.times)) if self.times else None


def make_problems(quick, seed):
    n, p = (4000, 100) if quick else (20000, 200)
    X, y = make_classification(n_samples=n + 5000, n_features=p,
                               n_informative=p // 4, n_classes=10,
                               n_clusters_per_class=1, class_sep=1.5,
                               random_state=seed)
    X = (X - X.mean(0)) / X.std(0)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, train_size=n, random_state=seed,
                                              stratify=y)
    data = f"make_classification: {n} training samples, {p} features, 10 classes"
    specs = [
        ("adam 1x256", dict(hidden_layer_sizes=(256,), solver="adam",
                            batch_size=200)),
        ("sgd 1x256", dict(hidden_layer_sizes=(256,), solver="sgd",
                           learning_rate_init=0.01, batch_size=200)),
        ("adam 256-128 tanh", dict(hidden_layer_sizes=(256, 128),
                                   activation="tanh", solver="adam",
                                   batch_size=100)),
    ]
    out = []
    for name, params in specs:
        desc = (f"{data}; hidden {params['hidden_layer_sizes']}, "
                f"{params.get('activation', 'relu')}, {params['solver']}, "
                f"batch_size={params['batch_size']}")
        out.append(Problem(name, desc, X_tr, y_tr, X_te, y_te, params))
    return out


def libraries():
    from sklearn.neural_network import MLPClassifier as SK

    from sparsereg.neural_network import MLPClassifier as SR

    return [  # (name, class, extra params, X dtype)
        ("sklearn", SK, {}, np.float64),
        ("sklearn-f32", SK, {}, np.float32),
        ("sparsereg", SR, {}, np.float64),
        ("sparsereg-f32", SR, {"dtype": "float32"}, np.float64),
        ("sparsereg+dropout", SR, {"dropout": 0.2}, np.float64),
    ]


def fit(lib, problem, epochs, seed):
    name, cls, extra, dtype = lib
    est = cls(max_iter=epochs, tol=0.0, n_iter_no_change=epochs + 1,
              random_state=seed, **problem.params, **extra)
    X = problem.X_train.astype(dtype, copy=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        est.fit(X, problem.y_train)
        seconds = time.perf_counter() - start
    return est, seconds


def run_problem(problem, libs, repeats, epochs, acc_epochs, seed, log):
    log(problem.name)
    rows = {lib[0]: Row(problem.name, lib[0]) for lib in libs}
    for lib in libs:
        fit(lib, problem, 1, seed)  # warm-up (imports, page faults)
    for r in range(repeats):
        k = r % len(libs)
        for lib in libs[k:] + libs[:k]:
            gc.collect()
            _, seconds = fit(lib, problem, epochs, seed)
            rows[lib[0]].times.append(seconds / epochs)
    for lib in libs:
        est, _ = fit(lib, problem, acc_epochs, seed)
        X_te = problem.X_test.astype(lib[3], copy=False)
        rows[lib[0]].accuracy = float(est.score(X_te, problem.y_test))
        log(f"  {lib[0]:18s} median {rows[lib[0]].median * 1e3:8.1f} ms/epoch, "
            f"accuracy after {acc_epochs} epochs {rows[lib[0]].accuracy:.4f}")
    return list(rows.values())


def markdown_table(rows):
    out = ["| problem | library | median per epoch [ms] | min-max [ms] | "
           "time / sklearn | time / sklearn-f32 | test accuracy |",
           "|---|---|---|---|---|---|---|"]
    by_problem = {}
    for r in rows:
        by_problem.setdefault(r.problem, []).append(r)
    for problem, group in by_problem.items():
        med = {r.library: r.median for r in group}
        for r in group:
            out.append(
                f"| {problem} | {r.library} | {r.median * 1e3:.1f} | "
                f"{min(r.times) * 1e3:.1f}-{max(r.times) * 1e3:.1f} | "
                f"{r.median / med['sklearn']:.2f} | "
                f"{r.median / med['sklearn-f32']:.2f} | {r.accuracy:.4f} |")
    return "\n".join(out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="4000 samples, 100 features, 3 repeats")
    parser.add_argument("--repeats", type=int, default=None,
                        help="timed samples per library (default 5, 3 with --quick)")
    parser.add_argument("--epochs", type=int, default=None,
                        help="epochs per timed fit (default 3, 2 with --quick)")
    parser.add_argument("--acc-epochs", type=int, default=20,
                        help="epochs of the accuracy fit")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    repeats = args.repeats or (3 if args.quick else 5)
    epochs = args.epochs or (2 if args.quick else 3)

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    start = time.perf_counter()
    libs = libraries()
    rows, problems = [], make_problems(args.quick, args.seed)
    for problem in problems:
        rows += run_problem(problem, libs, repeats, epochs, args.acc_epochs,
                            args.seed, log)
    print("## MLPClassifier training time per epoch\n")
    print(f"Median of {repeats} interleaved samples (one fit of {epochs} epochs each, "
          f"divided by {epochs}); test accuracy after {args.acc_epochs} epochs with "
          "the same seed.\n")
    print(markdown_table(rows))
    print("\nProblems:\n")
    for p in problems:
        print(f"- **{p.name}**: {p.description}")
    print("\n## Machine\n")
    print("\n".join(machine_info()))
    print(f"\nTotal benchmark time: {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
