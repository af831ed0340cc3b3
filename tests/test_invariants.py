"""Checks independent of scikit-learn: optimality, identities between estimators,
duality-gap validity, dense/sparse twins and the exact Lasso path of LARS."""

import warnings

import numpy as np
import pytest
from _helpers import kkt_violation, make_data, to_format
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import lars_path

import sparsereg as sr
from sparsereg._solvers.cd import cd_solve
from sparsereg._solvers.objective import duality_gap
from sparsereg._solvers.problem import Problem

FORMATS = ["dense", "csc"]  # the two kernels (csr is converted to csc once)


def _fit_tight(est, X, y, sw=None):
    return est.set_params(tol=1e-12, max_iter=100_000).fit(X, y, sample_weight=sw)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.1])
@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_kkt_conditions(fmt, l1_ratio, positive, weighted):
    X, y = make_data(40, 80, seed=1) if fmt == "dense" else make_data(
        40, 80, density=0.2, seed=1)
    X = to_format(X, fmt)
    sw = np.random.default_rng(0).uniform(0.5, 2, 40) if weighted else None
    alpha = 0.1
    est = _fit_tight(sr.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, positive=positive),
                     X, y, sw)
    assert np.count_nonzero(est.coef_) > 0
    viol = kkt_violation(X, y, est.coef_, est.intercept_, alpha * l1_ratio,
                         alpha * (1 - l1_ratio), sw, positive)
    assert viol < 1e-6
    if positive:
        assert np.all(est.coef_ >= 0)
    # with an intercept the weighted residuals sum to zero: mean prediction = mean y
    s = np.ones(40) if sw is None else sw
    assert np.isclose(np.average(est.predict(X), weights=s), np.average(y, weights=s))


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), l1=st.floats(0.0, 1.0), l2=st.floats(0.0, 1.0),
       positive=st.booleans(), scale=st.floats(0.0, 2.0))
# a tiny l2: the conjugate's textbook form overflowed into a negative value there and
# certified a zero gap at a suboptimal point
@example(seed=384, l1=0.875, l2=7.317237844469028e-305, positive=False, scale=1.09375)
def test_duality_gap_bounds_suboptimality(seed, l1, l2, positive, scale):
    """For any w, gap(w) >= P(w) - P(w*) >= 0, for every (l1, l2) incl. l1 = 0."""

    def primal(R_norm2, w, l1, l2, n):  # P(w), written out
        return 0.5 * R_norm2 / n + l1 * np.abs(w).sum() + 0.5 * l2 * (w @ w)

    if l1 == 0.0 and l2 == 0.0:
        l2 = 0.1
    X, y = make_data(30, 12, seed=seed)
    n = X.shape[0]
    Xc, yc = X - X.mean(0), y - y.mean()
    prob = Problem(X, y[:, None], None, True, True)
    design = prob.design()
    w_star = cd_solve(design, yc, l1, l2, np.zeros(12), positive=positive, tol=1e-14,
                      max_iter=100_000).coef
    R_star = yc - Xc @ w_star
    p_star = primal(R_star @ R_star, w_star, l1, l2, n)
    rng = np.random.default_rng(seed)
    w = scale * rng.standard_normal(12)
    if positive:
        w = np.abs(w)
    R = yc - Xc @ w
    dual = duality_gap(Xc.T @ R, R @ R, R @ yc, w, l1, l2, n, positive)
    subopt = primal(R @ R, w, l1, l2, n) - p_star
    assert dual.gap >= subopt - 1e-9 * max(1.0, abs(p_star))
    assert subopt >= -1e-9 * max(1.0, abs(p_star))


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.0])
def test_gap_is_nonnegative_and_reaches_tol(l1_ratio):
    X, y = make_data(50, 30, seed=3)
    yc = y - y.mean()
    prob = Problem(X, y[:, None], None, True, True)
    alpha = 0.05
    l1, l2 = alpha * l1_ratio, alpha * (1 - l1_ratio)
    res = cd_solve(prob.design(), yc, l1, l2, np.zeros(30), tol=1e-10, max_iter=10_000)
    gaps = np.array([g for _, _, g in res.history])
    assert res.converged and np.all(gaps >= 0)
    assert gaps[-1] <= 1e-10 * (yc @ yc) / 50
    assert gaps[-1] < gaps[0]
    # CD on pure ridge (l1 = 0) stops well before max_iter thanks to the enet dual
    assert res.n_iter < 1000


@pytest.mark.parametrize("fmt", FORMATS)
def test_enet_l1_ratio_one_is_lasso(fmt):
    X, y = make_data(50, 30, seed=4)
    X = to_format(X, fmt)
    a = _fit_tight(sr.ElasticNet(alpha=0.1, l1_ratio=1.0), X, y)
    b = _fit_tight(sr.Lasso(alpha=0.1), X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    assert a.intercept_ == b.intercept_


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("weighted", [False, True])
def test_ridge_is_enet_with_rescaled_alpha(fmt, weighted):
    X, y = make_data(50, 30, seed=5)
    X = to_format(X, fmt)
    sw = np.random.default_rng(1).uniform(0.5, 2, 50) if weighted else None
    a = 3.0
    n_eff = 50 if sw is None else sw.sum()
    ridge = _fit_tight(sr.Ridge(alpha=a), X, y, sw)
    enet = _fit_tight(sr.ElasticNet(alpha=a / n_eff, l1_ratio=0.0), X, y, sw)
    np.testing.assert_allclose(enet.coef_, ridge.coef_, rtol=1e-7, atol=1e-9)
    ridge_cd = _fit_tight(sr.Ridge(alpha=a, solver="cd"), X, y, sw)
    np.testing.assert_allclose(ridge_cd.coef_, ridge.coef_, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("Est", [sr.Lasso, sr.ElasticNet, sr.Ridge])
def test_integer_weights_equal_repeated_rows(fmt, Est):
    X, y = make_data(30, 10, seed=6)
    X = to_format(X, fmt)
    reps = np.random.default_rng(2).integers(0, 4, 30)
    reps[0] = 1
    X_rep = to_format(to_format(X, "dense").repeat(reps, axis=0), fmt)
    y_rep = y.repeat(reps)
    est = Est(alpha=0.05)
    a = _fit_tight(est, X, y, reps.astype(float))
    b = _fit_tight(est, X_rep, y_rep)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(a.intercept_, b.intercept_, rtol=1e-8)


@pytest.mark.parametrize("Est", [sr.Lasso, sr.ElasticNet])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("positive", [False, True])
def test_dense_and_sparse_kernels_agree(Est, fit_intercept, weighted, positive):
    X, y = make_data(60, 100, density=0.1, seed=7)
    sw = np.random.default_rng(3).uniform(0.5, 2, 60) if weighted else None
    est = Est(alpha=0.01, fit_intercept=fit_intercept, positive=positive)
    dense = _fit_tight(est, X.toarray(), y, sw)
    sp = _fit_tight(est, X, y, sw)
    np.testing.assert_allclose(sp.coef_, dense.coef_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(sp.intercept_, dense.intercept_, rtol=1e-8)
    assert np.count_nonzero(dense.coef_) > 0


@pytest.mark.parametrize("solver", ["cd", "ista", "fista"])
def test_reproduces_lars_lasso_path_on_diabetes(solver):
    """The exact Lasso path (LARS) on diabetes: at its breakpoints, and between them
    where the path is linear in alpha and the support is unambiguous."""
    X, y = load_diabetes(return_X_y=True)
    alphas, _, coefs = lars_path(X - X.mean(0), y - y.mean(), method="lasso")
    assert len(alphas) > 8
    for k, alpha in enumerate(alphas[:-1]):  # the last breakpoint is alpha = 0
        est = _fit_tight(sr.Lasso(alpha=alpha, solver=solver), X, y)
        atol = 1e-6 * np.abs(coefs[:, k]).max(initial=1.0)
        np.testing.assert_allclose(est.coef_, coefs[:, k], rtol=1e-6, atol=atol)
        mid = 0.5 * (alpha + alphas[k + 1])
        expected = 0.5 * (coefs[:, k] + coefs[:, k + 1])
        est = _fit_tight(sr.Lasso(alpha=mid, solver=solver), X, y)
        np.testing.assert_allclose(est.coef_, expected, rtol=1e-6,
                                   atol=1e-6 * np.abs(expected).max(initial=1.0))
        assert np.array_equal(est.coef_ != 0, expected != 0)


def test_random_selection_is_seeded_and_converges_to_same_solution():
    X, y = make_data(50, 40, seed=8)
    a = _fit_tight(sr.Lasso(alpha=0.05, selection="random", random_state=0), X, y)
    b = _fit_tight(sr.Lasso(alpha=0.05, selection="random", random_state=0), X, y)
    c = _fit_tight(sr.Lasso(alpha=0.05, selection="cyclic"), X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    assert a.n_iter_ == b.n_iter_
    np.testing.assert_allclose(a.coef_, c.coef_, rtol=1e-6, atol=1e-8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        lo = sr.Lasso(alpha=0.05, selection="random", random_state=0, max_iter=2,
                      tol=0).fit(X, y)
        hi = sr.Lasso(alpha=0.05, selection="random", random_state=1, max_iter=2,
                      tol=0).fit(X, y)
    assert not np.array_equal(lo.coef_, hi.coef_)  # the seed changes the order


def test_warm_start_resumes_from_previous_solution():
    X, y = make_data(50, 40, seed=9)
    est = _fit_tight(sr.Lasso(alpha=0.05, warm_start=True), X, y)
    first = est.coef_.copy()
    est.fit(X, y)
    assert est.n_iter_ == 0  # already optimal: the initial gap check stops it
    np.testing.assert_array_equal(est.coef_, first)
    # after the same (small) number of epochs, the warm start is far closer
    warm = sr.Lasso(alpha=0.045, warm_start=True, max_iter=100_000, tol=1e-12)
    warm.coef_ = first.copy()
    with pytest.warns(ConvergenceWarning):
        warm.set_params(max_iter=2).fit(X, y)
    with pytest.warns(ConvergenceWarning):
        cold = sr.Lasso(alpha=0.045, max_iter=2, tol=1e-12).fit(X, y)
    assert warm.dual_gap_ < 0.1 * cold.dual_gap_
    done = sr.Lasso(alpha=0.045, tol=1e-12, max_iter=100_000).fit(X, y)
    warm.set_params(max_iter=100_000).fit(X, y)
    np.testing.assert_allclose(warm.coef_, done.coef_, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("solver", ["cd", "fista"])
@pytest.mark.parametrize("Est", [sr.Lasso, sr.ElasticNet, sr.Ridge])
def test_multi_output_equals_per_column_fits(Est, solver):
    """CD solves the columns one by one; FISTA solves them together (one step size,
    one restart test), so its columns agree to the solver tolerance only."""
    X, Y = make_data(40, 15, n_targets=3, seed=10)
    multi = _fit_tight(Est(alpha=0.1, solver=solver), X, Y)
    rtol = 1e-10 if solver == "cd" else 1e-6
    for k in range(3):
        single = _fit_tight(Est(alpha=0.1, solver=solver), X, Y[:, k])
        np.testing.assert_allclose(multi.coef_[k], single.coef_, rtol=rtol,
                                   atol=rtol * 1e-2)
        np.testing.assert_allclose(multi.intercept_[k], single.intercept_)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("l2", [0.0, 0.05])
def test_screening_and_working_sets_keep_the_solution(fmt, positive, l2):
    """CD with gap safe screening and working sets (p > 500) equals plain CD."""
    if fmt == "dense":
        X, y = make_data(80, 1200, seed=11)
    else:
        X, y = make_data(80, 1200, density=0.05, seed=11)
    sw = np.random.default_rng(4).uniform(0.5, 2, 80)
    prob = Problem(X, y[:, None], sw, True, True)
    yc = np.ascontiguousarray(prob.Y[:, 0])
    l1 = 0.1
    a = cd_solve(prob.design(), yc, l1, l2, np.zeros(1200), tol=1e-12,
                 max_iter=100_000, positive=positive, screen=True)
    b = cd_solve(prob.design(), yc, l1, l2, np.zeros(1200), tol=1e-12,
                 max_iter=100_000, positive=positive, screen=False)
    assert a.converged and b.converged
    assert 0 < np.count_nonzero(a.coef) < 100
    np.testing.assert_allclose(a.coef, b.coef, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("positive", [False, True])
def test_warm_started_working_sets_keep_the_solution(fmt, positive):
    """From a warm start (a path's previous alpha) the working sets hold the
    support and at most as many violating features: along a warm-started path
    they must stay below 2 nnz at some alpha and give plain CD's solutions."""
    if fmt == "dense":
        X, y = make_data(80, 1200, rho=0.6, seed=13, n_informative=30)
    else:
        X, y = make_data(80, 1200, density=0.05, seed=13, n_informative=30)
    prob = Problem(X, y[:, None], None, True, True)
    yc = np.ascontiguousarray(prob.Y[:, 0])
    top = np.abs(prob.Xty()).max() / 80
    design = prob.design()
    epochs, sizes = design.epochs, []

    def recording(R, state, y, w, active, *args):
        sizes.append((active.size, np.count_nonzero(w)))
        return epochs(R, state, y, w, active, *args)

    design.epochs = recording
    w_ws, w_plain = np.zeros(1200), np.zeros(1200)
    tight = False
    for l1 in np.geomspace(top / 2, top / 100, 8):
        sizes.clear()
        a = cd_solve(design, yc, l1, 0.0, w_ws, tol=1e-12, max_iter=100_000,
                     positive=positive)
        tight |= any(100 <= size < 2 * nnz for size, nnz in sizes)
        b = cd_solve(prob.design(), yc, l1, 0.0, w_plain, tol=1e-12,
                     max_iter=100_000, positive=positive, screen=False)
        assert a.converged and b.converged
        np.testing.assert_allclose(a.coef, b.coef, rtol=1e-6, atol=1e-8)
        w_ws, w_plain = a.coef, b.coef
    assert tight and np.count_nonzero(w_ws) > 60


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("l2", [0.0, 0.05])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_tall_working_sets_keep_the_solution(fmt, positive, l2, dtype, monkeypatch):
    """On tall data (n >= 2p) beyond _TALL_WORK multiply-adds per epoch, CD runs on
    working sets of max(16, 2 nnz) features: forced here on a small problem, it
    must run epochs on sets smaller than the features and equal plain CD."""
    import sparsereg._solvers.cd as C

    X, y = make_data(600, 60, rho=0.7, seed=12, n_informative=8)
    X = to_format(X.astype(dtype), fmt)
    sw = np.random.default_rng(5).uniform(0.5, 2, 600)
    prob = Problem(X, y[:, None], sw, True, True)
    yc = np.ascontiguousarray(prob.Y[:, 0])
    l1 = 0.05
    sizes = []
    design = prob.design()
    epochs = design.epochs

    def recording(R, state, y, w, active, *args):
        sizes.append(active.size)
        return epochs(R, state, y, w, active, *args)

    design.epochs = recording
    monkeypatch.setattr(C, "_TALL_WORK", 600 * 60)
    a = cd_solve(design, yc, l1, l2, np.zeros(60), tol=1e-12, max_iter=100_000,
                 positive=positive)
    assert min(sizes) < 60 and a.converged
    monkeypatch.setattr(C, "_TALL_WORK", 600 * 60 + 1)  # one more: plain CD
    sizes.clear()
    b = cd_solve(design, yc, l1, l2, np.zeros(60), tol=1e-12, max_iter=100_000,
                 positive=positive)
    assert b.converged and len(sizes) >= 1 and min(sizes) > 16
    assert 0 < np.count_nonzero(a.coef) < 50
    np.testing.assert_allclose(a.coef, b.coef, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("fmt", FORMATS)
def test_reported_gap_is_the_current_iterates_and_valid(fmt):
    """Every gap CD records is the stopping gap of the iterate it was computed at
    (scikit-learn's, never P(w) minus a better dual value seen earlier, which
    would let tol accept a less accurate solution): it bounds the suboptimality
    (P(w) - P* <= gap), and the reported one is the last, below the tolerance;
    here on a correlated p >> n problem solved with screening and working sets."""
    rng = np.random.default_rng(5)
    X = rng.standard_normal((60, 1500))
    X[:, 1:] += 0.9 * X[:, :-1]  # correlated neighbours: a lagging dual point
    if fmt != "dense":
        X = to_format(np.where(rng.random(X.shape) < 0.1, X, 0.0), fmt)
    y = np.asarray(X[:, :5] @ np.arange(1.0, 6.0)).ravel() + rng.standard_normal(60)
    prob = Problem(X, y[:, None], None, True, True)
    yc = np.ascontiguousarray(prob.Y[:, 0])
    l1 = 0.0005 * np.max(np.abs(prob.Xty())) / 60
    star = cd_solve(prob.design(), yc, l1, 0.0, np.zeros(1500), tol=1e-15,
                    max_iter=200_000)
    p_star = min(p for _, p, _ in star.history)
    res = cd_solve(prob.design(), yc, l1, 0.0, np.zeros(1500), tol=1e-8,
                   max_iter=200_000)
    primals = np.array([p for _, p, _ in res.history])
    gaps = np.array([g for _, _, g in res.history])
    assert res.converged and len(gaps) > 3
    assert np.all(primals - p_star <= gaps + 1e-12 * primals[0])
    assert res.dual_gap == gaps[-1] <= 1e-8 * (yc @ yc) / 60
    # the final gap is the one of the returned coefficients
    Xd = X.toarray() if hasattr(X, "toarray") else X
    Xc = Xd - Xd.mean(axis=0)
    R = yc - Xc @ res.coef
    dual = duality_gap(Xc.T @ R, R @ R, R @ yc, res.coef, l1, 0.0, 60)
    assert res.dual_gap == pytest.approx(dual.gap, rel=1e-6, abs=1e-12)


@pytest.mark.parametrize("positive", [False, True])
def test_screening_in_numpy_equals_the_kernel(positive, monkeypatch):
    """Below _SCREEN_IN_NUMPY features the driver screens in numpy (no kernel to
    compile on a first small fit): the same features kept and removed as by the
    kernel, and no feature nonzero at the optimum removed."""
    import sparsereg._solvers.objective as O

    X, y = make_data(50, 200, rho=0.5, seed=21, n_informative=10)
    prob = Problem(X, y[:, None], None, True, True)
    yc = np.ascontiguousarray(prob.Y[:, 0])
    design = prob.design()
    l1 = 0.05
    exact = cd_solve(prob.design(), yc, l1, 0.0, np.zeros(200), tol=1e-12,
                     max_iter=100_000, screen=False, positive=positive).coef
    rng = np.random.default_rng(3)
    near = exact + 1e-4 * rng.standard_normal(200) * (exact != 0)
    for w in (np.zeros(200), near, exact):
        R = yc - np.asarray(prob.X @ w)
        XtR = np.asarray(prob.X.T @ R)
        dual = duality_gap(XtR, R @ R, R @ yc, w, l1, 0.0, 50, positive=positive)
        idx = np.arange(200)
        monkeypatch.setattr(O, "_SCREEN_IN_NUMPY", 10_000)
        kept, removed = O.screen_keep(XtR, design.col_norms, idx, dual, 50, l1,
                                      positive)
        monkeypatch.setattr(O, "_SCREEN_IN_NUMPY", 0)
        k_kept, k_removed = O.screen_keep(XtR, design.col_norms, idx, dual, 50, l1,
                                          positive)
        np.testing.assert_array_equal(kept, k_kept)
        np.testing.assert_array_equal(removed, k_removed)
        assert not np.any(exact[removed])
    assert removed.size > 100  # near the optimum most features are screened
