"""Determinism, threads, pickling, cloning, and a compiled-code cache that never
breaks a user (read-only, missing or corrupt)."""

import importlib
import os
import pickle
import pkgutil
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from joblib import Parallel, delayed
from numba.core.dispatcher import Dispatcher
from scipy import sparse
from sklearn.base import clone, is_classifier

import sparsereg as sr
import sparsereg._kernels
from sparsereg.neural_network import MLPClassifier, MLPRegressor

FACTORIES = {
    "Lasso-cd": lambda: sr.Lasso(alpha=0.05),
    "Lasso-random": lambda: sr.Lasso(alpha=0.05, selection="random", random_state=3),
    "Lasso-anderson": lambda: sr.Lasso(alpha=0.05, anderson=True),
    "Lasso-gram": lambda: sr.Lasso(alpha=0.05, precompute=True),
    "Lasso-ista": lambda: sr.Lasso(alpha=0.05, solver="ista"),
    "Lasso-fista": lambda: sr.Lasso(alpha=0.05, solver="fista"),
    "ElasticNet-random": lambda: sr.ElasticNet(alpha=0.05, selection="random",
                                               random_state=5),
    "ElasticNet-fista": lambda: sr.ElasticNet(alpha=0.05, solver="fista"),
    "Ridge-auto": lambda: sr.Ridge(alpha=1.0),
    "Ridge-lsqr": lambda: sr.Ridge(alpha=1.0, solver="lsqr"),
    "Ridge-sparse_cg": lambda: sr.Ridge(alpha=1.0, solver="sparse_cg"),
    "Ridge-lbfgs": lambda: sr.Ridge(alpha=1.0, solver="lbfgs"),
    "Ridge-cd": lambda: sr.Ridge(alpha=1.0, solver="cd"),
    "RidgeCV": lambda: sr.RidgeCV(alphas=[0.1, 1.0, 10.0]),
    "RidgeCV-cv3": lambda: sr.RidgeCV(cv=3),
    "LassoCV": lambda: sr.LassoCV(cv=3, alphas=8, random_state=0),
    "LassoCV-random": lambda: sr.LassoCV(cv=3, alphas=8, selection="random",
                                         random_state=1),
    "ElasticNetCV": lambda: sr.ElasticNetCV(cv=3, alphas=8, l1_ratio=[0.3, 0.9]),
    "RelaxedLasso": lambda: sr.RelaxedLasso(alpha=0.05),
    "RelaxedLassoCV": lambda: sr.RelaxedLassoCV(cv=3, alphas=8),
    "MLPRegressor": lambda: MLPRegressor(hidden_layer_sizes=(8,), max_iter=30,
                                         random_state=0),
    "MLPRegressor-dropout": lambda: MLPRegressor(hidden_layer_sizes=(8, 4),
                                                 dropout=[0.3, 0.1], max_iter=30,
                                                 random_state=7),
    "MLPClassifier": lambda: MLPClassifier(hidden_layer_sizes=(8,), max_iter=30,
                                           early_stopping=True, random_state=0),
    "MLPClassifier-sgd-l1": lambda: MLPClassifier(hidden_layer_sizes=(8,), l1=1e-3,
                                                  solver="sgd", dropout=0.2,
                                                  max_iter=30, random_state=2),
}
NAMES = list(FACTORIES)

pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning",
    "ignore::sparsereg.AlphaGridEdgeWarning",
)


def make_data(seed, n=40, p=12):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    X[:, 1] += 0.8 * X[:, 0]  # correlated: the coordinate order matters
    w = np.zeros(p)
    w[:4] = [2.0, -1.5, 1.0, 0.5]
    y = X @ w + 0.3 * rng.standard_normal(n) + 1.0
    return X, y


def target(est, y):
    return (y > np.median(y)).astype(int) if is_classifier(est) else y


def fitted_state(est):
    """Every fitted attribute that holds numbers, for exact comparisons."""
    out = {}
    for key, value in vars(est).items():
        if not key.endswith("_") or key.startswith("_"):
            continue
        if isinstance(value, list) and value and isinstance(value[0], np.ndarray):
            for i, v in enumerate(value):
                out[f"{key}[{i}]"] = np.asarray(v)
        elif isinstance(value, dict):
            for k, v in value.items():
                out[f"{key}[{k}]"] = np.asarray(v)
        elif isinstance(value, np.ndarray | float | int | np.floating | np.integer):
            out[key] = np.asarray(value)
        elif isinstance(value, list) and all(isinstance(v, float | int) for v in value):
            out[key] = np.asarray(value)
    return out


def assert_same_fit(a, b):
    sa, sb = fitted_state(a), fitted_state(b)
    assert sa.keys() == sb.keys()
    assert "coef_" in sa or "coefs_[0]" in sa
    for key in sa:
        np.testing.assert_array_equal(sa[key], sb[key], err_msg=key)


def fit(name, seed, fmt="dense"):
    X, y = make_data(seed)
    if fmt == "csc":
        X = sparse.csc_matrix(np.where(np.abs(X) > 0.7, X, 0.0))
    est = FACTORIES[name]()
    return est.fit(X, target(est, y))


# ---------------------------------------------------------------- determinism


@pytest.mark.parametrize("fmt", ["dense", "csc"])
@pytest.mark.parametrize("name", NAMES)
def test_same_inputs_and_seed_give_bit_identical_results(name, fmt):
    a, b = fit(name, 0, fmt), fit(name, 0, fmt)
    assert_same_fit(a, b)
    X, _ = make_data(1)
    if fmt == "csc":
        X = sparse.csc_matrix(X)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))


@pytest.mark.parametrize("name", ["Lasso-random", "ElasticNet-random", "LassoCV-random",
                                  "MLPRegressor", "MLPRegressor-dropout",
                                  "MLPClassifier-sgd-l1"])
def test_the_seed_matters(name):
    """The randomized estimators do use random_state: another seed, another
    iterate (with few iterations, before convergence hides the difference)."""
    X, y = make_data(0)
    params = dict(max_iter=2) if "MLP" not in name else {}
    if "MLP" not in name:
        params["tol"] = 0.0
    a = FACTORIES[name]().set_params(**params)
    b = clone(a).set_params(random_state=a.random_state + 100)
    a.fit(X, target(a, y))
    b.fit(X, target(b, y))
    coef = (lambda e: e.coefs_[0]) if "MLP" in name else (lambda e: e.coef_)
    assert not np.array_equal(coef(a), coef(b))


@pytest.mark.parametrize("name", ["Lasso-random", "MLPRegressor-dropout"])
def test_a_random_state_instance_gives_reproducible_results(name):
    X, y = make_data(0)
    a = FACTORIES[name]().set_params(random_state=np.random.RandomState(42)).fit(X, y)
    b = FACTORIES[name]().set_params(random_state=np.random.RandomState(42)).fit(X, y)
    assert_same_fit(a, b)


def test_cv_folds_in_threads_equal_sequential_folds():
    X, y = make_data(2)
    seq = sr.LassoCV(cv=4, alphas=10, n_jobs=1).fit(X, y)
    par = sr.LassoCV(cv=4, alphas=10, n_jobs=4).fit(X, y)
    assert_same_fit(seq, par)
    seq = sr.RelaxedLassoCV(cv=4, alphas=10, n_jobs=1).fit(X, y)
    par = sr.RelaxedLassoCV(cv=4, alphas=10, n_jobs=4).fit(X, y)
    assert_same_fit(seq, par)


# ---------------------------------------------------------------------- threads


@pytest.mark.parametrize("fmt", ["dense", "csc"])
@pytest.mark.parametrize("name", NAMES)
def test_four_threads_at_once_equal_sequential_fits(name, fmt):
    """Four fits of one estimator class at the same time (joblib's threading
    backend; the compiled kernels release the GIL), on four data sets, each
    bit-identical to the same fit run alone."""
    seeds = [10, 11, 12, 13]
    sequential = [fit(name, s, fmt) for s in seeds]
    threaded = Parallel(n_jobs=4, backend="threading")(
        delayed(fit)(name, s, fmt) for s in seeds)
    for a, b in zip(sequential, threaded, strict=True):
        assert_same_fit(a, b)
    # and the four data sets do give four different models
    first = [fitted_state(a).get("coef_", fitted_state(a).get("coefs_[0]"))
             for a in sequential]
    assert len({w.tobytes() for w in first}) == 4


def test_one_shared_estimator_instance_cloned_in_threads():
    """The GridSearchCV pattern: clones of one instance fitted concurrently."""
    base = sr.Lasso(alpha=0.05, selection="random", random_state=0)
    X, y = make_data(3)
    models = Parallel(n_jobs=4, backend="threading")(
        delayed(lambda e: e.fit(X, y))(clone(base)) for _ in range(8))
    for m in models[1:]:
        assert_same_fit(models[0], m)
    assert not hasattr(base, "coef_")


@pytest.mark.slow
def test_grid_search_in_worker_processes_equals_sequential():
    """GridSearchCV with worker processes (loky): each worker imports sparsereg
    and loads the compiled kernels; the scores equal the sequential search's."""
    from sklearn.model_selection import GridSearchCV

    X, y = make_data(7, n=60)
    grid = {"alpha": [0.01, 0.05, 0.2], "solver": ["cd", "fista"]}
    seq = GridSearchCV(sr.Lasso(), grid, cv=3, n_jobs=1).fit(X, y)
    par = GridSearchCV(sr.Lasso(), grid, cv=3, n_jobs=2).fit(X, y)
    np.testing.assert_array_equal(par.cv_results_["mean_test_score"],
                                  seq.cv_results_["mean_test_score"])
    assert par.best_params_ == seq.best_params_
    assert_same_fit(par.best_estimator_, seq.best_estimator_)


def test_every_kernel_releases_the_gil_and_caches():
    modules = [importlib.import_module(f"sparsereg._kernels.{m.name}")
               for m in pkgutil.iter_modules(sparsereg._kernels.__path__)]
    kernels = {k for m in modules for k in vars(m).values()
               if isinstance(k, Dispatcher)}
    assert len(kernels) >= 20
    for k in kernels:
        assert k.targetoptions.get("nogil") is True, k.__name__
        assert k._cache is not None and hasattr(k._cache, "load_overload"), k.__name__


# ---------------------------------------------------------------- pickle, clone


@pytest.mark.parametrize("name", NAMES)
def test_pickle_round_trip_gives_identical_predictions(name):
    est = fit(name, 4)
    X, _ = make_data(5)
    again = pickle.loads(pickle.dumps(est, protocol=pickle.HIGHEST_PROTOCOL))
    assert type(again) is type(est)
    assert_same_fit(est, again)
    np.testing.assert_array_equal(again.predict(X), est.predict(X))
    if hasattr(est, "predict_proba"):
        np.testing.assert_array_equal(again.predict_proba(X), est.predict_proba(X))
    # an unfitted estimator round-trips to the same parameters, and fits alike
    fresh = pickle.loads(pickle.dumps(FACTORIES[name]()))
    assert_same_fit(fresh.fit(*_xy(fresh, 4)), est)


def _xy(est, seed):
    X, y = make_data(seed)
    return X, target(est, y)


@pytest.mark.parametrize("name", NAMES)
def test_clone_works_for_every_estimator(name):
    est = fit(name, 6)
    twin = clone(est)
    assert type(twin) is type(est)
    assert not any(k.endswith("_") and not k.startswith("__") for k in vars(twin))
    params, twin_params = est.get_params(), twin.get_params()
    assert params.keys() == twin_params.keys()
    for key, value in params.items():
        if isinstance(value, np.random.RandomState):
            continue
        assert repr(twin_params[key]) == repr(value), key
    assert_same_fit(twin.fit(*_xy(twin, 6)), est)


def test_clone_does_not_share_mutable_parameters():
    est = MLPRegressor(hidden_layer_sizes=[8, 4], dropout=[0.2, 0.1])
    twin = clone(est)
    twin.hidden_layer_sizes.append(2)
    assert est.hidden_layer_sizes == [8, 4]
    lasso = sr.Lasso(penalty_factor=np.ones(12))
    twin = clone(lasso)
    twin.penalty_factor[0] = 5.0
    assert lasso.penalty_factor[0] == 1.0


# ------------------------------------------------- the numba cache, in subprocesses

FIT_SCRIPT = textwrap.dedent("""
    import numpy as np
    import sparsereg as sr
    from numba.core import config
    from sparsereg._kernels import epochs as E
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 6))
    y = X @ np.arange(6.0) + 0.1 * rng.standard_normal(30)
    coef = sr.Lasso(alpha=0.01).fit(X, y).coef_
    hits = sum(sum(k.stats.cache_hits.values()) for k in (E.epochs, E.gap_terms))
    print(sr.__file__)
    print(config.CACHE_DIR or "-")
    print(hits)
    print(" ".join(repr(float(c)) for c in coef))
""")


def _expected_coef():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 6))
    y = X @ np.arange(6.0) + 0.1 * rng.standard_normal(30)
    return sr.Lasso(alpha=0.01).fit(X, y).coef_


def _run(env, cwd):
    out = subprocess.run([sys.executable, "-c", FIT_SCRIPT], env=env, cwd=cwd,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    lines = out.stdout.strip().splitlines()
    path, cache_dir, hits, coef = lines[-4:]
    return path, cache_dir, int(hits), np.array([float(c) for c in coef.split()])


def _clean_env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("NUMBA_", "PYTHONPATH"))}
    tmp = tmp_path / "tmp"
    tmp.mkdir(exist_ok=True)
    env["TMPDIR"] = str(tmp)
    env.update({k: str(v) for k, v in extra.items()})
    return env


def _copy_package(tmp_path):
    """A copy of the package, importable first, without its __pycache__."""
    site = tmp_path / "site"
    src = Path(sr.__file__).parent
    shutil.copytree(src, site / "sparsereg",
                    ignore=shutil.ignore_patterns("__pycache__", "*.nbi", "*.nbc"))
    return site


def _make_unwritable(path):
    """chmod 555, and when that does not stop us (root), the immutable flag.
    Returns an undo function, or None if the directory stays writable."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o555)
    undo = [lambda: path.chmod(0o755)]
    if _writable(path) and shutil.which("chattr"):
        done = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
        if done.returncode == 0:
            undo.insert(0, lambda: subprocess.run(["chattr", "-i", str(path)]))
    if _writable(path):
        for u in undo:
            u()
        return None
    return lambda: [u() for u in undo]


def _writable(path):
    try:
        (path / ".probe").touch()
        (path / ".probe").unlink()
        return True
    except OSError:
        return False


@pytest.mark.slow
def test_no_writable_cache_location_falls_back_to_a_temporary_directory(tmp_path):
    """Every numba cache location a regular file can block (NUMBA_CACHE_DIR, the
    package's __pycache__, the home and XDG cache directories) is unusable, even for
    root: numba alone would raise RuntimeError at import. The kernels then cache
    under TMPDIR."""
    site = _copy_package(tmp_path)
    for package in ("", "_kernels", "_solvers"):  # where compiled modules live
        (site / "sparsereg" / package / "__pycache__").write_text("not a directory")
    blocker = tmp_path / "blocker"
    blocker.write_text("a file")
    env = _clean_env(tmp_path, PYTHONPATH=site, NUMBA_CACHE_DIR=blocker / "numba",
                     HOME=blocker / "home", XDG_CACHE_HOME=blocker / "cache")
    path, cache_dir, hits, coef = _run(env, tmp_path)
    assert path == str(site / "sparsereg" / "__init__.py")
    assert cache_dir.startswith(str(tmp_path / "tmp" / "sparsereg-numba-cache-"))
    np.testing.assert_allclose(coef, _expected_coef(), rtol=1e-12)
    assert any(Path(cache_dir).rglob("*.nbi"))  # it did cache there
    # a second process loads the kernels from that directory
    assert _run(env, tmp_path)[2] > 0


@pytest.mark.slow
def test_read_only_install_and_cache_directories(tmp_path):
    """NUMBA_CACHE_DIR, the installed package and the user cache directory all
    read-only (chmod, or chattr +i for root): the fit works."""
    site = _copy_package(tmp_path)
    package = site / "sparsereg"
    dirs = [tmp_path / "ro-cache", tmp_path / "ro-home", package,
            package / "_kernels", package / "_solvers"]
    undos = []
    try:
        for d in dirs:
            undo = _make_unwritable(d)
            if undo is None:
                pytest.skip(f"cannot make {d} read-only here")
            undos.append(undo)
        env = _clean_env(tmp_path, PYTHONPATH=site, NUMBA_CACHE_DIR=dirs[0],
                         HOME=dirs[1], XDG_CACHE_HOME=dirs[1] / ".cache")
        path, cache_dir, hits, coef = _run(env, tmp_path)
        assert path == str(site / "sparsereg" / "__init__.py")
        np.testing.assert_allclose(coef, _expected_coef(), rtol=1e-12)
        assert not any(any(d.rglob("*.nbi")) for d in dirs)
        assert cache_dir.startswith(str(tmp_path / "tmp"))
    finally:
        for undo in reversed(undos):
            undo()


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory):
    """A numba cache directory filled by one fresh process."""
    root = tmp_path_factory.mktemp("warm")
    _run(_clean_env(root, NUMBA_CACHE_DIR=root / "cache"), root)
    return root / "cache"


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["garbage-index", "empty-index", "garbage-data",
                                    "stray-files"])
def test_corrupt_cache_recompiles_and_repairs(tmp_path, warm_cache, damage):
    """numba itself raises on a garbage index (ValueError / EOFError) or data file
    (UnpicklingError) from the first call; sparsereg recompiles instead, and the
    next process loads from the repaired cache."""
    cache = tmp_path / "cache"
    shutil.copytree(warm_cache, cache)
    env = _clean_env(tmp_path, NUMBA_CACHE_DIR=cache)
    ours = ("dense.", "gap.", "epochs.")  # modules of sparsereg/_kernels/
    index = sorted(f for f in cache.rglob("_kernels*/*.nbi") if f.name.startswith(ours))
    data = sorted(f for f in cache.rglob("_kernels*/*.nbc") if f.name.startswith(ours))
    assert index and data
    if damage == "garbage-index":
        for f in index:
            f.write_bytes(b"garbage\n" * 10)
    elif damage == "empty-index":
        for f in index:
            f.write_bytes(b"")
    elif damage == "garbage-data":
        for f in data:
            f.write_bytes(os.urandom(64))
    else:
        for f in index[:3]:
            (f.parent / ("zz_" + f.name)).write_bytes(b"\x00\x01")
        (index[0].parent / "random.tmp").write_text("junk")
    path, _, hits, coef = _run(env, tmp_path)
    np.testing.assert_allclose(coef, _expected_coef(), rtol=1e-12)
    if damage == "stray-files":
        assert hits > 0  # ignored: the cache still loads
        return
    assert hits == 0  # compiled afresh
    assert _run(env, tmp_path)[2] > 0  # and saved again: the next process loads
