"""Bad input gets a clear error; user arrays are never modified; compiled kernels
are cached on disk and float32 is never upcast."""

import json
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from _helpers import make_data, to_format
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning, NotFittedError

import sparsereg as sr
from sparsereg._kernels.epochs import epochs as epoch_loop

ALL = [sr.Lasso, sr.ElasticNet, sr.Ridge]


@pytest.fixture
def data():
    return make_data(20, 5, seed=0)


@pytest.mark.parametrize("Est", ALL)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_input_is_rejected(Est, bad, data):
    X, y = data
    Xb = X.copy()
    Xb[3, 2] = bad
    with pytest.raises(ValueError, match="(?i)nan|inf"):
        Est().fit(Xb, y)
    yb = y.copy()
    yb[1] = bad
    with pytest.raises(ValueError, match="(?i)nan|inf"):
        Est().fit(X, yb)
    with pytest.raises(ValueError, match="(?i)nan|inf"):
        Est().fit(sparse.csr_matrix(Xb), y)


@pytest.mark.parametrize("Est", ALL)
def test_shape_errors(Est, data):
    X, y = data
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        Est().fit(X, y[:-1])
    with pytest.raises(ValueError, match="2D array"):
        Est().fit(X[:, 0], y)
    with pytest.raises(ValueError, match="(?i)0 sample"):
        Est().fit(X[:0], y[:0])
    est = Est().fit(X, y)
    with pytest.raises(ValueError, match="5 features"):
        est.predict(X[:, :3])
    with pytest.raises(NotFittedError):
        Est().predict(X)


@pytest.mark.parametrize("params,match", [
    (dict(alpha=-1.0), "alpha"),
    (dict(l1_ratio=1.5), "l1_ratio"),
    (dict(l1_ratio=-0.1), "l1_ratio"),
    (dict(tol=-1e-3), "tol"),
    (dict(max_iter=0), "max_iter"),
    (dict(selection="best"), "selection"),
    (dict(solver="sgd"), "solver"),
    (dict(precompute="yes"), "precompute"),
])
def test_bad_enet_parameters(params, match, data):
    X, y = data
    with pytest.raises(ValueError, match=match):
        sr.ElasticNet(**params).fit(X, y)


@pytest.mark.parametrize("params,match", [
    (dict(alpha=-1.0), "alpha"),
    (dict(alpha=[1.0, 2.0]), "alpha"),  # 2 values, 1 target
    (dict(alpha=[1.0, np.nan]), "alpha"),
    (dict(solver="sgd"), "solver"),
    (dict(solver="cholesky", positive=True), "positive"),
])
def test_bad_ridge_parameters(params, match, data):
    X, y = data
    with pytest.raises(ValueError, match=match):
        sr.Ridge(**params).fit(X, y)


def test_ridge_svd_rejects_sparse(data):
    X, y = data
    with pytest.raises(ValueError, match="svd"):
        sr.Ridge(solver="svd").fit(sparse.csr_matrix(X), y)


@pytest.mark.parametrize("Est", ALL)
@pytest.mark.parametrize("sw,match", [
    (-np.ones(20), "non-negative"),
    (np.ones(19), "sample_weight"),
    (np.zeros(20), "sums to zero"),
    (np.r_[np.nan, np.ones(19)], "NaN"),
    (np.ones((20, 2)), "1D array or scalar"),
    (-1.0, "scalar sample_weight"),
])
def test_bad_sample_weight(Est, sw, match, data):
    X, y = data
    with pytest.raises(ValueError, match=match):
        Est().fit(X, y, sample_weight=sw)


def test_bad_precomputed_gram(data):
    X, y = data
    with pytest.raises(ValueError, match="precompute"):
        sr.Lasso(precompute=np.eye(3), fit_intercept=False).fit(X, y)
    with pytest.raises(ValueError, match="precompute"):
        sr.Lasso(precompute=np.eye(5), fit_intercept=False).fit(X, y)
    with pytest.warns(UserWarning, match="recomputing Gram"):
        sr.Lasso(precompute=X.T @ X).fit(X, y)


@pytest.mark.parametrize("fmt", ["dense", "csc", "csr", "coo"])
@pytest.mark.parametrize("Est", ALL)
@pytest.mark.parametrize("weighted", [False, True])
def test_user_arrays_are_not_modified(fmt, Est, weighted, data):
    X, y = data
    X = to_format(X, fmt)
    if fmt == "dense":
        X = np.asfortranarray(X)  # the layout the kernel could use in place
    sw = np.linspace(0.5, 2, 20) if weighted else None
    snap = [to_format(X, "dense").copy(), y.copy(), None if sw is None else sw.copy()]
    Est(alpha=0.01).fit(X, y, sample_weight=sw)
    np.testing.assert_array_equal(to_format(X, "dense"), snap[0])
    np.testing.assert_array_equal(y, snap[1])
    if weighted:
        np.testing.assert_array_equal(sw, snap[2])


def test_copy_X_false_may_center_in_place(data):
    X, y = data
    Xf = np.asfortranarray(X)
    ref = sr.Lasso(alpha=0.01).fit(X, y)
    est = sr.Lasso(alpha=0.01, copy_X=False).fit(Xf, y)
    np.testing.assert_allclose(est.coef_, ref.coef_)
    np.testing.assert_allclose(Xf.mean(0), 0, atol=1e-12)  # scikit-learn's contract


def test_non_convergence_warns_and_returns_iterate(data):
    X, y = data
    with pytest.warns(ConvergenceWarning, match="max_iter=1"):
        est = sr.Lasso(alpha=1e-4, max_iter=1, tol=1e-12).fit(X, y)
    assert est.n_iter_ == 1 and np.all(np.isfinite(est.coef_))
    assert est.dual_gap_ > 0


def test_alpha_zero_warns(data):
    X, y = data
    with pytest.warns(UserWarning, match="alpha=0"):
        with pytest.warns(ConvergenceWarning):
            sr.Lasso(alpha=0.0, max_iter=5).fit(X, y)


def test_float32_is_not_upcast():
    X, y = make_data(30, 8, seed=1)
    X32 = np.asfortranarray(X, dtype=np.float32)
    est = sr.Lasso(alpha=0.01).fit(X32, y)
    assert est.coef_.dtype == np.float32
    signatures = [str(sig) for sig in epoch_loop.signatures]
    assert any("DenseData(array(float32" in sig for sig in signatures), signatures
    Xs = sparse.csc_matrix(X32)
    sr.Lasso(alpha=0.01).fit(Xs, y)
    signatures = [str(sig) for sig in epoch_loop.signatures]
    assert any("SparseData(array(float32" in sig for sig in signatures), signatures


def test_epoch_loops_compile_one_signature_per_kind_of_call():
    """In a fresh process, dense float64 fits with and without extrapolation give
    the epoch loop two signatures (no history / Anderson history) and every other
    compiled function of ``_kernels/epochs.py`` at most one: a
    constant typed as a literal (as the history slot once was) would compile its
    callees a second time."""
    script = textwrap.dedent("""
        import json
        import numpy as np
        from numba.core.registry import CPUDispatcher
        import sparsereg as sr
        from sparsereg._kernels import epochs as E
        rng = np.random.default_rng(0)
        X = rng.standard_normal((40, 600))  # p > 500: working sets, extrapolation
        y = X[:, :3].sum(axis=1) + 0.1 * rng.standard_normal(40)
        sr.Lasso(alpha=0.01).fit(X, y)
        sr.Lasso(alpha=0.01, anderson=False).fit(X, y)
        sr.Lasso(alpha=0.01, anderson=True).fit(X[:, :50], y)
        print(json.dumps({name: [str(s) for s in f.signatures]
                          for m in (E,) for name, f in vars(m).items()
                          if isinstance(f, CPUDispatcher)}))
    """)
    out = subprocess.run([sys.executable, "-c", script], check=True,
                         capture_output=True, text=True).stdout
    sigs = json.loads(out.strip().splitlines()[-1])
    assert len(sigs["epochs"]) == 2, sigs["epochs"]
    assert all(len(s) <= 1 for name, s in sigs.items() if name != "epochs"), sigs
    assert not any("Literal" in s for ss in sigs.values() for s in ss), sigs


def test_the_cv_estimators_are_imported_on_first_use():
    """``from sparsereg import Lasso`` does not import the CV estimators (nor
    scikit-learn's model_selection and metrics); they load when named."""
    script = textwrap.dedent("""
        import sys
        import sparsereg
        from sparsereg import Lasso
        before = [m in sys.modules for m in ("sparsereg.model_selection",
                  "sparsereg.linear_model._relaxed", "sklearn.model_selection")]
        from sparsereg import LassoCV, RelaxedLasso
        from sparsereg.model_selection import LassoCV as direct
        from sparsereg.linear_model import LassoCV as from_linear_model
        from sparsereg.linear_model import RelaxedLasso as relaxed
        assert LassoCV is direct is from_linear_model and RelaxedLasso is relaxed
        assert {"LassoCV", "RidgeCV", "RelaxedLassoCV"} <= set(dir(sparsereg))
        try:
            sparsereg.NoSuchEstimator
        except AttributeError as exc:
            assert "NoSuchEstimator" in str(exc)
        else:
            raise AssertionError("no AttributeError")
        print(sum(before))
    """)
    out = subprocess.run([sys.executable, "-c", script], check=True,
                         capture_output=True, text=True).stdout
    assert out.split() == ["0"]


def test_numba_is_imported_by_the_first_solver_that_needs_it():
    """``import sparsereg`` and the fits that use no compiled kernel (Ridge's direct
    solvers, RidgeCV, the neural networks) leave numba unimported (~0.2 s); the
    first coordinate-descent fit imports it, with every kernel module's cache
    guarded (including the Gram path's)."""
    script = textwrap.dedent("""
        import sys
        import warnings
        import numpy as np
        import sparsereg as sr
        from sparsereg.neural_network import MLPRegressor
        warnings.simplefilter("ignore")
        rng = np.random.default_rng(0)
        X, y = rng.standard_normal((40, 5)), rng.standard_normal(40)
        sr.Ridge().fit(X, y)
        sr.RidgeCV().fit(X, y)
        MLPRegressor(max_iter=3).fit(X, y)
        print("numba" in sys.modules)
        sr.Lasso(alpha=0.01).fit(X, y)
        import importlib, pkgutil
        import sparsereg._kernels
        from sparsereg._solvers import gram_path as _gram_path
        from sparsereg import _jit
        modules = [importlib.import_module(f"sparsereg._kernels.{m.name}")
                   for m in pkgutil.iter_modules(sparsereg._kernels.__path__)]
        kernels = [k for m in (*modules, _gram_path) for k in vars(m).values()
                   if hasattr(k, "_cache")]
        print("numba" in sys.modules, len(kernels) > 10,
              all(isinstance(k._cache, _jit._SafeCache) for k in kernels))
    """)
    out = subprocess.run([sys.executable, "-c", script], check=True,
                         capture_output=True, text=True).stdout
    assert out.split() == ["False", "True", "True", "True"]


def test_second_process_loads_kernels_from_disk_cache():
    """The numba kernels are compiled once: a fresh process finds them on disk."""
    script = textwrap.dedent("""
        import numpy as np
        from scipy import sparse
        import sparsereg as sr
        from sparsereg._kernels import epochs as E
        rng = np.random.default_rng(0)
        X, y = rng.standard_normal((30, 6)), rng.standard_normal(30)
        for Xi in (X, X.astype(np.float32), sparse.csc_matrix(X)):
            sr.Lasso(alpha=0.01).fit(Xi, y)
        sr.Lasso(alpha=0.01, precompute=True).fit(X, y)
        misses = sum(sum(f.stats.cache_misses.values()) for f in
                     (E.epochs, E.gap_terms, E.zero_out))
        hits = sum(sum(f.stats.cache_hits.values()) for f in
                   (E.epochs, E.gap_terms))
        print(misses, hits)
    """)
    run = [sys.executable, "-c", script]
    subprocess.run(run, check=True, capture_output=True)  # warms the cache
    out = subprocess.run(run, check=True, capture_output=True, text=True).stdout
    misses, hits = map(int, out.split())
    assert misses == 0 and hits >= 4


@pytest.mark.parametrize("Est", ALL)
def test_overflowing_data_raises_instead_of_returning_nan(Est):
    rng = np.random.RandomState(0)
    X = np.finfo(np.float64).max * rng.uniform(size=(10, 2))
    y = rng.randint(0, 2, size=10).astype(float)
    with pytest.raises(ValueError, match="non-finite parameter values"):
        with np.errstate(all="ignore"):
            Est(alpha=0.1).fit(X, y)


def test_float32_fit_never_allocates_a_float64_copy_of_X():
    """Peak memory of a float32 fit: one float32 centered copy, never a float64 X."""
    import tracemalloc

    rng = np.random.default_rng(0)
    X = np.asfortranarray(rng.random((4000, 300), dtype=np.float32))
    y = rng.random(4000)
    sr.Lasso(alpha=0.01).fit(X[:50], y[:50])  # kernels loaded before measuring
    tracemalloc.start()
    try:
        sr.ElasticNet(alpha=0.01).fit(X, y)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1.5 * X.nbytes  # a float64 copy alone would be 2 * X.nbytes


def test_precompute_true_refuses_a_gram_matrix_beyond_memory():
    """Sparse 50 x 100000 with precompute=True: a clear error, not a MemoryError
    (or the machine swapping) while allocating a 74.5 GiB Gram matrix."""
    X = sparse.random(50, 100_000, density=0.01, format="csc", random_state=0)
    y = np.arange(50.0)
    with pytest.raises(ValueError, match=r"precompute=True would form a 100000 x "
                                         r"100000 Gram matrix \(74.5 GiB\)"):
        sr.Lasso(alpha=0.1, precompute=True).fit(X, y)
    # a small one is still formed and used
    small = sr.Lasso(alpha=0.1, precompute=True, tol=1e-10).fit(X[:, :40], y)
    plain = sr.Lasso(alpha=0.1, tol=1e-10).fit(X[:, :40], y)
    np.testing.assert_allclose(small.coef_, plain.coef_, rtol=1e-6, atol=1e-8)


def test_convergence_warning_gives_the_gap_and_the_number_it_was_compared_with():
    """As scikit-learn's: "Duality gap: G, tolerance: T", T = tol ||y - mean||^2/n
    (not only the tol factor), and which target when there are several."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 30))
    Y = X[:, :3] @ rng.standard_normal((3, 2)) + rng.standard_normal((50, 2))
    Y[:, 1] *= 10.0
    for y, which in ((Y[:, 1], ""), (Y, " for target 0 of 2")):
        with pytest.warns(ConvergenceWarning) as record:
            sr.Lasso(alpha=1e-4, max_iter=1, tol=1e-8).fit(X, y)
        msg = str(record[0].message)
        m = re.search(r"Duality gap: (\S+), tolerance: (\S+?)(,| for| \()", msg)
        assert m is not None, msg
        yc = np.atleast_2d(y.T).T[:, 0]
        yc = yc - yc.mean()
        assert float(m.group(2)) == pytest.approx(1e-8 * (yc @ yc) / 50, rel=1e-3)
        assert float(m.group(1)) > float(m.group(2))
        assert which in msg
