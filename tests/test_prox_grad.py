"""ISTA and FISTA: step size, monotonicity, acceleration, restart, stopping rule."""

import warnings

import numpy as np
import pytest
from _helpers import kkt_violation, make_data, to_format
from sklearn.exceptions import ConvergenceWarning

import sparsereg as sr
from sparsereg._solvers import prox_grad as _prox_grad
from sparsereg._solvers.problem import Problem
from sparsereg._solvers.prox_grad import lipschitz_constant, prox_grad_solve

FORMATS = ["dense", "csc"]


def _problem(fmt, n=60, p=30, rho=0.5, seed=0, weighted=False):
    if fmt == "dense":
        X, y = make_data(n, p, rho=rho, seed=seed)
    else:
        X, y = make_data(n, p, density=0.3, seed=seed)
    sw = np.random.default_rng(seed).uniform(0.5, 2, n) if weighted else None
    return X, y, Problem(X, y[:, None], sw, True, True)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("weighted", [False, True])
def test_lipschitz_constant_is_the_squared_spectral_norm(fmt, weighted):
    X, y, prob = _problem(fmt, weighted=weighted)
    A = prob.operator()
    dense_A = A.matmat(np.eye(A.shape[1]))
    exact = np.linalg.norm(dense_A, 2) ** 2 / prob.n
    # within a few percent, and (thanks to the margin) not below the true value
    assert exact <= lipschitz_constant(A, prob.n) <= 1.03 * exact


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("l1,l2,positive", [(0.1, 0.0, False), (0.05, 0.1, False),
                                            (0.05, 0.0, True), (0.0, 0.3, False)])
@pytest.mark.parametrize("underestimate", [1.0, 1e-3])
def test_ista_objective_never_increases(fmt, l1, l2, positive, underestimate,
                                        monkeypatch):
    """Also with a far too small Lipschitz estimate: back-tracking must repair it."""
    X, y, prob = _problem(fmt, rho=0.9)
    true_L = lipschitz_constant
    monkeypatch.setattr(_prox_grad, "lipschitz_constant",
                        lambda A, n: underestimate * true_L(A, n))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        (res,) = prox_grad_solve(prob.operator(), prob.weighted_targets(), l1, l2,
                                 np.zeros((30, 1)), accelerated=False,
                                 positive=positive, max_iter=300, tol=1e-14)
    primal = np.array([p for _, p, _ in res.history])
    assert len(primal) > 50
    assert np.all(np.diff(primal) <= 1e-12 * primal[0])
    assert primal[-1] < primal[0]


def _iterations_to_gap(solver, X, y, alpha, l1_ratio, tol):
    est = sr.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, solver=solver, tol=tol,
                        max_iter=200_000).fit(X, y)
    return est.n_iter_


@pytest.mark.parametrize("fmt", FORMATS)
def test_fista_beats_ista_on_an_ill_conditioned_problem(fmt):
    if fmt == "dense":
        X, y = make_data(200, 50, rho=0.95, seed=1)
    else:
        X, y = make_data(200, 50, density=0.3, seed=1)
        X = X @ np.triu(np.ones((50, 50)))  # nested sums of columns: ill-conditioned
        X = to_format(X, "csc")
    Xd = to_format(X, "dense")
    s = np.linalg.svd(Xd - Xd.mean(0), compute_uv=False)
    assert s[0] / s[-1] > 30
    n_ista = _iterations_to_gap("ista", X, y, 0.01, 1.0, 1e-10)
    n_fista = _iterations_to_gap("fista", X, y, 0.01, 1.0, 1e-10)
    assert n_fista < n_ista / 3


@pytest.mark.parametrize("rho", [0.0, 0.3, 0.6, 0.9])
@pytest.mark.parametrize("alpha", [0.1, 10.0, 1000.0])
def test_restart_keeps_fista_no_slower_than_ista_on_ridge(rho, alpha):
    """Strongly convex problems, from well to badly conditioned."""
    X, y = make_data(100, 20, rho=rho, seed=2)
    its = {}
    for solver in ("ista", "fista"):
        its[solver] = sr.Ridge(alpha=alpha, solver=solver, tol=1e-10,
                               max_iter=200_000).fit(X, y).n_iter_[0]
    assert its["fista"] <= its["ista"]


@pytest.mark.parametrize("solver", ["ista", "fista"])
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("positive", [False, True])
def test_kkt_and_agreement_with_cd(solver, fmt, positive):
    X, y, _ = _problem(fmt, n=40, p=80, seed=3)
    sw = np.random.default_rng(0).uniform(0.5, 2, 40)
    params = dict(alpha=0.05, l1_ratio=0.7, positive=positive, tol=1e-12,
                  max_iter=200_000)
    pg = sr.ElasticNet(solver=solver, **params).fit(X, y, sample_weight=sw)
    cd = sr.ElasticNet(solver="cd", **params).fit(X, y, sample_weight=sw)
    assert kkt_violation(X, y, pg.coef_, pg.intercept_, 0.035, 0.015, sw,
                         positive) < 1e-6
    np.testing.assert_allclose(pg.coef_, cd.coef_, rtol=1e-6,
                               atol=1e-6 * np.abs(cd.coef_).max())
    assert np.isclose(pg.intercept_, cd.intercept_, rtol=1e-6)


@pytest.mark.parametrize("solver", ["ista", "fista"])
def test_identities_hold_for_prox_grad(solver):
    X, y = make_data(50, 30, seed=4)
    tight = dict(tol=1e-12, max_iter=200_000, solver=solver)
    a = sr.ElasticNet(alpha=0.1, l1_ratio=1.0, **tight).fit(X, y)
    b = sr.Lasso(alpha=0.1, **tight).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    ridge = sr.Ridge(alpha=3.0, **tight).fit(X, y)
    enet = sr.ElasticNet(alpha=3.0 / 50, l1_ratio=0.0, **tight).fit(X, y)
    np.testing.assert_allclose(ridge.coef_, enet.coef_, rtol=1e-7, atol=1e-9)
    reps = np.random.default_rng(2).integers(0, 4, 50)
    reps[0] = 1
    w = sr.Lasso(alpha=0.05, **tight).fit(X, y, sample_weight=reps.astype(float))
    r = sr.Lasso(alpha=0.05, **tight).fit(X.repeat(reps, axis=0), y.repeat(reps))
    np.testing.assert_allclose(w.coef_, r.coef_, rtol=1e-6, atol=1e-8)
    sp = sr.Lasso(alpha=0.05, **tight).fit(to_format(X, "csc"), y)
    dense = sr.Lasso(alpha=0.05, **tight).fit(X, y)
    np.testing.assert_allclose(sp.coef_, dense.coef_, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("solver", ["ista", "fista"])
def test_non_convergence_warns_and_returns_the_best_certified_iterate(solver):
    X, y = make_data(60, 30, rho=0.9, seed=5)
    with pytest.warns(ConvergenceWarning, match=solver):
        est = sr.Lasso(alpha=0.01, solver=solver, max_iter=5, tol=1e-12).fit(X, y)
    assert np.all(np.isfinite(est.coef_)) and est.dual_gap_ > 0
    prob = Problem(X, y[:, None], None, True, True)
    (res,) = prox_grad_solve(prob.operator(), prob.weighted_targets(), 0.01, 0.0,
                             np.zeros((30, 1)), accelerated=solver == "fista",
                             max_iter=5, tol=1e-12)
    assert res.dual_gap == min(g for _, _, g in res.history)
    assert est.dual_gap_ == pytest.approx(res.dual_gap)


@pytest.mark.parametrize("solver", ["ista", "fista"])
def test_warm_start_from_the_solution_stops_at_once(solver):
    X, y = make_data(50, 20, seed=6)
    est = sr.Lasso(alpha=0.05, solver=solver, tol=1e-8, warm_start=True,
                   max_iter=100_000).fit(X, y)
    assert est.n_iter_ > 5
    first = est.coef_.copy()
    est.fit(X, y)
    assert est.n_iter_ == 0
    np.testing.assert_array_equal(est.coef_, first)


@pytest.mark.parametrize("solver", ["ista", "fista"])
def test_cd_only_options_are_rejected(solver):
    X, y = make_data(20, 5, seed=7)
    with pytest.raises(ValueError, match="selection"):
        sr.Lasso(solver=solver, selection="random").fit(X, y)
    with pytest.raises(ValueError, match="precompute"):
        sr.Lasso(solver=solver, precompute=True).fit(X, y)


@pytest.mark.parametrize("solver", ["ista", "fista"])
def test_data_near_1e150_fit_and_overflow_is_a_clear_error(solver):
    """The estimators solve data near 1e150 on a rescaled copy (same coef_, the
    intercept scaled back); the solver itself, handed such data unscaled, stops with
    a clear error instead of backtracking forever (NaN never passes the step test)."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20, 5))
    y = rng.standard_normal(20)
    big = sr.Lasso(alpha=0.1 * 2.0**996, solver=solver, tol=1e-10).fit(
        X * 2.0**498, y * 2.0**498)
    ref = sr.Lasso(alpha=0.1, solver=solver, tol=1e-10).fit(X, y)
    np.testing.assert_array_equal(big.coef_, ref.coef_)
    assert big.intercept_ == ref.intercept_ * 2.0**498
    prob = Problem(X * 1e150, y[:, None] * 1e150, None, True, True)
    with np.errstate(all="ignore"), pytest.raises(ValueError, match="overflowed"):
        prox_grad_solve(prob.operator(), prob.weighted_targets(), 0.1, 0.0,
                        np.zeros((5, 1)), accelerated=solver == "fista",
                        max_iter=100, tol=1e-4)
