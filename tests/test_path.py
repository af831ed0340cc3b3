"""lasso_path / enet_path against scikit-learn's, and their own invariants."""

import warnings

import numpy as np
import pytest
from _helpers import make_data, to_format
from sklearn import linear_model as sk
from sklearn.exceptions import ConvergenceWarning

import sparsereg as sr


def _sk_path(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fn(*args, **kwargs)


@pytest.mark.parametrize("fmt", ["dense", "csc", "csr"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.1])
@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("solver", ["cd", "fista"])
def test_path_matches_sklearn(fmt, l1_ratio, positive, solver):
    X, y = make_data(50, 30, rho=0.6, seed=0) if fmt == "dense" else make_data(
        50, 30, density=0.3, seed=0)
    X = to_format(X, fmt)
    kw = dict(l1_ratio=l1_ratio, alphas=15, eps=1e-2, positive=positive, tol=1e-12,
              max_iter=100_000)
    a1, c1, g1 = sr.enet_path(X, y, solver=solver, **kw)
    a2, c2, g2 = _sk_path(sk.enet_path, X, y, **kw)
    np.testing.assert_allclose(a1, a2, rtol=1e-12)
    assert c1.shape == c2.shape == (30, 15) and g1.shape == (15,)
    assert np.abs(c1 - c2).max() <= 1e-6 * np.abs(c2).max()
    assert np.all(g1 >= 0)


def test_lasso_path_explicit_alphas_and_n_iter():
    X, y = make_data(40, 20, seed=1)
    alphas = [0.01, 1.0, 0.1]  # solved from the largest down, returned sorted
    a, coefs, gaps, n_iter = sr.lasso_path(X, y, alphas=alphas, return_n_iter=True,
                                           tol=1e-12, max_iter=100_000)
    np.testing.assert_array_equal(a, [1.0, 0.1, 0.01])
    assert n_iter.shape == (3,) and n_iter.dtype.kind == "i"
    for k, alpha in enumerate(a):
        single = sr.Lasso(alpha=alpha, fit_intercept=False, tol=1e-12,
                          max_iter=100_000).fit(X, y)
        np.testing.assert_allclose(coefs[:, k], single.coef_, rtol=1e-7, atol=1e-10)


def test_grid_starts_exactly_at_alpha_max():
    X, y = make_data(40, 20, seed=2)
    a, coefs, _ = sr.lasso_path(X, y, alphas=3, eps=0.999, tol=1e-12)
    assert np.all(coefs[:, 0] == 0)  # w = 0 is optimal at alpha_max ...
    assert np.count_nonzero(coefs[:, 1]) > 0  # ... and not just below it
    assert a[0] == pytest.approx(np.abs(X.T @ y).max() / 40)


def test_two_dimensional_y_is_solved_column_by_column():
    X, Y = make_data(40, 15, n_targets=3, seed=3)
    a, coefs, gaps = sr.enet_path(X, Y, alphas=np.array([0.5, 0.1]), tol=1e-12)
    assert coefs.shape == (3, 15, 2) and gaps.shape == (3, 2)
    for k in range(3):
        _, ck, _ = sr.enet_path(X, Y[:, k], alphas=np.array([0.5, 0.1]), tol=1e-12)
        np.testing.assert_allclose(coefs[k], ck, rtol=1e-10, atol=1e-12)


def test_warm_started_path_equals_cold_fits_and_saves_epochs():
    X, y = make_data(60, 40, rho=0.8, seed=4)
    a, coefs, _, n_iter = sr.lasso_path(X, y, alphas=20, eps=1e-3, tol=1e-10,
                                        max_iter=100_000, return_n_iter=True)
    cold_iters = 0
    for k in (5, 10, 19):
        cold = sr.Lasso(alpha=a[k], fit_intercept=False, tol=1e-10,
                        max_iter=100_000).fit(X, y)
        np.testing.assert_allclose(coefs[:, k], cold.coef_, rtol=1e-5,
                                   atol=1e-7 * np.abs(cold.coef_).max())
        cold_iters += cold.n_iter_
    assert n_iter[[5, 10, 19]].sum() < cold_iters


@pytest.mark.parametrize("kwargs,exc,match", [
    (dict(l1_ratio=0.0, alphas=10), ValueError, "l1_ratio=0"),
    (dict(alphas=[0.1, -1.0]), ValueError, "alphas"),
    (dict(alphas=[0.1, np.nan]), ValueError, "alphas"),
    (dict(alphas=0), ValueError, "alphas"),
    (dict(foo=1), ValueError, "Unexpected parameters"),
    (dict(solver="lbfgs"), ValueError, "solver"),
])
def test_bad_path_arguments(kwargs, exc, match):
    X, y = make_data(20, 5, seed=5)
    with pytest.raises(exc, match=match):
        sr.enet_path(X, y, **kwargs)


def test_l1_ratio_zero_with_explicit_alphas_is_a_ridge_path():
    X, y = make_data(30, 8, seed=6)
    a, coefs, _ = sr.enet_path(X, y, l1_ratio=0.0, alphas=[1.0, 0.1], tol=1e-12,
                               max_iter=100_000)
    for k, alpha in enumerate(a):
        ridge = sr.Ridge(alpha=alpha * 30, fit_intercept=False).fit(X, y)
        np.testing.assert_allclose(coefs[:, k], ridge.coef_, rtol=1e-7)


@pytest.mark.parametrize("path", [sr.lasso_path, sr.enet_path])
def test_deprecated_n_alphas_and_alphas_none_as_sklearn(path):
    X, y = make_data(20, 6, seed=1)
    with pytest.warns(FutureWarning, match="'n_alphas' was deprecated in 1.9"):
        a, _, _ = path(X, y, n_alphas=7)
    assert len(a) == 7
    with pytest.warns(FutureWarning, match="'alphas=None' is deprecated"):
        a, _, _ = path(X, y, alphas=None)
    assert len(a) == 100
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a, _, _ = path(X, y)
        b, _, _ = path(X, y, alphas=100)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("solver", ["cd", "ista", "fista"])
def test_path_on_data_near_1e150(solver):
    """The paths solve data near 1e150 on a power-of-two rescaled copy: with the
    alphas scaled by s^2 the coefficients are those of the unscaled path exactly,
    and the alphas and gaps come back in the user's units."""
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((20, 5)), rng.standard_normal(20)
    s = 2.0**498
    a_big, c_big, g_big = sr.lasso_path(X * s, y * s, alphas=[0.1 * s**2, 0.01 * s**2],
                                        solver=solver)
    a, c, g = sr.lasso_path(X, y, alphas=[0.1, 0.01], solver=solver)
    np.testing.assert_array_equal(c_big, c)
    np.testing.assert_array_equal(a_big, a * s**2)
    np.testing.assert_allclose(g_big, g * s**2, rtol=1e-12, atol=1e-14 * s**2)
    a_big, c_big, _ = sr.enet_path(X * s, y * s, alphas=4, solver=solver)
    a, c, _ = sr.enet_path(X, y, alphas=4, solver=solver)
    np.testing.assert_allclose(a_big, a * s**2, rtol=1e-13)
    np.testing.assert_allclose(c_big, c, rtol=1e-7, atol=1e-9)
    assert np.all(np.isfinite(c_big))


_GRAM_PATH_CASES = {
    "lasso": dict(l1_ratio=1.0),
    "enet": dict(l1_ratio=0.5),
    "positive": dict(l1_ratio=0.8, positive=True),
    "factors and bounds": dict(l1_ratio=0.9, penalty_factor=np.r_[2.0, 0.5, [1.0] * 28],
                               lower_bounds=-0.5, upper_bounds=np.r_[[0.3] * 30]),
    "no anderson": dict(l1_ratio=1.0, anderson=False),
    "max_iter 3": dict(l1_ratio=1.0, max_iter=3),
    "two targets": dict(l1_ratio=0.7),
    "ridge end": dict(l1_ratio=0.0),
    # on a problem where plain CD creeps (more than CREEP_EPOCHS epochs)
    "anderson": dict(l1_ratio=1.0, anderson=True),
    "auto creeping": dict(l1_ratio=1.0),
}


@pytest.mark.parametrize("case", list(_GRAM_PATH_CASES))
def test_gram_path_in_one_call_equals_the_per_alpha_driver(case, monkeypatch):
    """With a Gram matrix a whole path runs in one jitted call (_gram_path); it
    must reproduce the per-alpha driver (cd_solve) -- screening, bounds,
    non-convergence -- to rounding, with the same epochs; and where extrapolation
    runs ("auto" switching it on mid-path, kept for the next alphas), the same
    solutions in about as many epochs (an extrapolation accepted or not on a
    rounding difference changes the iterates)."""
    from sparsereg._solvers import gram_path as _gram_path
    from sparsereg._solvers.cd import CREEP_EPOCHS, CREEP_WORK
    from sparsereg._solvers.dispatch import SolverOptions
    from sparsereg._solvers.problem import Problem
    from sparsereg.linear_model._path import compute_path

    params = dict(_GRAM_PATH_CASES[case])
    l1_ratio = params.pop("l1_ratio")
    creeps = case in ("anderson", "auto creeping")
    n = 2000 if creeps else 200
    assert CREEP_WORK < n * 30 * CREEP_EPOCHS or not creeps  # creep: CREEP_EPOCHS
    X, y = make_data(n, 30, rho=0.98 if creeps else 0.95, seed=7, n_informative=20)
    X[:, 5] = 1.0  # a constant column: zero once centered
    Y = np.c_[y, X[:, :3] @ [1.0, -2.0, 0.5]] if case == "two targets" else y[:, None]
    sw = np.random.default_rng(2).uniform(0.5, 2.0, n)
    opts = SolverOptions.of(sr.ElasticNet(
        precompute=True, tol=1e-7, max_iter=params.pop("max_iter", 20000), **params))
    problem = Problem(X, Y, sw, True, True)
    top = np.abs(problem.Xty()).max() / n / max(l1_ratio, 0.5)
    alphas = np.geomspace(top, top * 1e-4, 40)
    coef_init = np.full((Y.shape[1], 30), 0.01)
    with warnings.catch_warnings(record=True) as fast_warnings:
        warnings.simplefilter("always")
        fast = compute_path(opts, problem, alphas, l1_ratio, coef_init=coef_init)
    monkeypatch.setattr(_gram_path, "path_solver", lambda *args: None)
    with warnings.catch_warnings(record=True) as slow_warnings:
        warnings.simplefilter("always")
        slow = compute_path(opts, problem, alphas, l1_ratio, coef_init=coef_init)
    coefs, gaps, n_iters = fast
    if creeps:
        np.testing.assert_allclose(coefs, slow[0], atol=1e-4 * np.abs(coefs).max())
        assert abs(n_iters.sum() - slow[2].sum()) < 0.1 * slow[2].sum()
        assert n_iters.max() > CREEP_EPOCHS
    else:
        np.testing.assert_allclose(coefs, slow[0], rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(gaps, slow[1], rtol=1e-3, atol=1e-10 * np.mean(Y**2))
        np.testing.assert_array_equal(n_iters, slow[2])
    assert [str(w.message) for w in fast_warnings] == [
        str(w.message) for w in slow_warnings]
    assert np.count_nonzero(coefs[..., -1]) > 5
    if case == "max_iter 3":
        assert fast_warnings and n_iters.max() == 3
