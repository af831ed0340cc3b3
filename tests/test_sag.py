"""SAG and SAGA: Ridge against the exact solution and scikit-learn, the elastic net
against coordinate descent, dense and sparse twins, seeds, weights, errors."""

import warnings

import numpy as np
import pytest
from _helpers import make_data, to_format
from scipy import sparse
from sklearn import linear_model as sk
from sklearn.exceptions import ConvergenceWarning

import sparsereg as sr
from sparsereg._solvers import sag as _sag
from sparsereg._solvers.problem import Problem

FORMATS = ["dense", "csr"]
TIGHT = dict(tol=1e-10, max_iter=100_000, random_state=0)


def _data(seed=0, n=120, p=12, n_targets=None, offset=3.0):
    """Dense data with nonzero column means, and a sparse twin of it."""
    X, y = make_data(n, p, density=0.4, seed=seed, n_targets=n_targets)
    X = X.toarray()
    X[X != 0] += offset  # far from centered: the intercept matters
    return X, y


def _weights(n, seed=0):
    return np.random.default_rng(seed).uniform(0.2, 3.0, n)


def _rel(a, b):
    return np.abs(np.asarray(a) - b).max() / max(np.abs(b).max(), 1e-300)


# ---------------------------------------------------------------------------- Ridge


@pytest.mark.parametrize("solver", ["sag", "saga"])
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("alpha", [1e-2, 3.0, 1e4])
def test_ridge_sag_matches_cholesky(solver, fmt, fit_intercept, weighted, alpha):
    """Also alpha=1e4: the decay of the sparse kernel's weight scale then falls
    below 1e-9 within an epoch, and its lagged updates are flushed and reset."""
    X, y = _data()
    sw = _weights(len(y)) if weighted else None
    ours = sr.Ridge(alpha=alpha, solver=solver, fit_intercept=fit_intercept,
                    **TIGHT).fit(to_format(X, fmt), y, sample_weight=sw)
    ref = sr.Ridge(alpha=alpha, solver="cholesky", fit_intercept=fit_intercept).fit(
        X, y, sample_weight=sw)
    assert ours.solver_ == solver
    assert _rel(ours.coef_, ref.coef_) <= 1e-6
    assert abs(ours.intercept_ - ref.intercept_) <= 1e-6 * max(1, abs(ref.intercept_))


@pytest.mark.parametrize("solver", ["sag", "saga"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_ridge_sag_dense_and_sparse_follow_the_same_iterates(solver, fit_intercept):
    """Sparse X is centered implicitly: the same draws give the same iterates."""
    X, y = _data(seed=1)
    sw = _weights(len(y), seed=1)
    for alpha in (0.1, 1e4):
        params = dict(alpha=alpha, solver=solver, fit_intercept=fit_intercept,
                      random_state=3)
        dense = sr.Ridge(**params).fit(X, y, sample_weight=sw)
        csr = sr.Ridge(**params).fit(sparse.csr_matrix(X), y, sample_weight=sw)
        np.testing.assert_array_equal(dense.n_iter_, csr.n_iter_)
        np.testing.assert_allclose(csr.coef_, dense.coef_, rtol=1e-9, atol=1e-12)
        assert csr.intercept_ == pytest.approx(dense.intercept_, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("solver", ["sag", "saga"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_ridge_sag_multi_target_with_one_alpha_per_target(solver, fmt):
    X, Y = _data(n_targets=3)
    alphas = np.array([0.1, 1.0, 10.0])
    ours = sr.Ridge(alpha=alphas, solver=solver, **TIGHT).fit(to_format(X, fmt), Y)
    ref = sr.Ridge(alpha=alphas, solver="cholesky").fit(X, Y)
    assert ours.coef_.shape == (3, X.shape[1]) and ours.n_iter_.shape == (3,)
    assert _rel(ours.coef_, ref.coef_) <= 1e-6
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-6)


@pytest.mark.parametrize("solver", ["sag", "saga"])
@pytest.mark.parametrize("shape", [(400, 20), (30, 60)])
@pytest.mark.parametrize("fmt,fit_intercept", [("dense", True), ("dense", False),
                                               ("csr", False)])
def test_ridge_sag_as_accurate_as_scikit_learn_at_defaults(solver, shape, fmt,
                                                           fit_intercept):
    """At the default tol, our coefficients are about as far from the exact
    solution as scikit-learn's (same step, same stopping rule; other draws).
    (scikit-learn's Ridge runs sparse_cg, not sag, on sparse X with an intercept.)"""
    n, p = shape
    X, y = make_data(n, p, seed=4)
    X = X * np.linspace(0.5, 2.0, p)  # features of different scales: SAG is slow
    exact = sr.Ridge(alpha=1.0, solver="cholesky", fit_intercept=fit_intercept).fit(
        X, y)
    errs = {"ours": [], "sklearn": []}
    for seed in range(3):
        params = dict(alpha=1.0, solver=solver, fit_intercept=fit_intercept,
                      random_state=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            ours = sr.Ridge(**params).fit(to_format(X, fmt), y)
            ref = sk.Ridge(**params).fit(to_format(X, fmt), y)
        errs["ours"].append(_rel(ours.coef_, exact.coef_))
        errs["sklearn"].append(_rel(ref.coef_, exact.coef_))
    assert max(errs["ours"]) <= 3 * max(errs["sklearn"]) + 1e-12, errs


@pytest.mark.parametrize("solver", ["sag", "saga"])
def test_ridge_sag_n_iter_and_convergence_warning(solver):
    X, y = _data()
    Y = np.c_[y, -y]
    for max_iter in (1, 2, 3):
        with pytest.warns(ConvergenceWarning, match=r"max_iter=\d+ epochs.*tol=1e-12"):
            est = sr.Ridge(solver=solver, max_iter=max_iter, tol=1e-12).fit(X, Y)
        np.testing.assert_array_equal(est.n_iter_, [max_iter, max_iter])
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = sr.Ridge(solver=solver, tol=1e-3, random_state=0).fit(X, y)
    assert 1 <= est.n_iter_[0] < 1000


@pytest.mark.parametrize("solver", ["sag", "saga"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_ridge_sag_random_state(solver, fmt):
    X, y = _data()
    X = to_format(X, fmt)
    a = sr.Ridge(solver=solver, tol=1e-3, random_state=7).fit(X, y)
    b = sr.Ridge(solver=solver, tol=1e-3, random_state=7).fit(X, y)
    c = sr.Ridge(solver=solver, tol=1e-3,
                 random_state=np.random.RandomState(7)).fit(X, y)
    d = sr.Ridge(solver=solver, tol=1e-3, random_state=8).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    np.testing.assert_array_equal(a.coef_, c.coef_)  # the same first seed
    assert not np.array_equal(a.coef_, d.coef_)  # other draws, a close answer
    assert _rel(a.coef_, d.coef_) < 1e-2


@pytest.mark.parametrize("solver", ["sag", "saga"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_ridge_sag_weights_equal_repeated_rows(solver, fmt):
    X, y = _data(n=60)
    reps = np.random.default_rng(0).integers(0, 4, len(y))  # 0: row left out
    weighted = sr.Ridge(alpha=2.0, solver=solver, **TIGHT).fit(
        to_format(X, fmt), y, sample_weight=reps.astype(float))
    idx = np.repeat(np.arange(len(y)), reps)
    repeated = sr.Ridge(alpha=2.0, solver=solver, **TIGHT).fit(
        to_format(X[idx], fmt), y[idx])
    assert _rel(weighted.coef_, repeated.coef_) <= 1e-6
    assert weighted.intercept_ == pytest.approx(repeated.intercept_, rel=1e-6)


def test_ridge_sag_float32_and_constant_data():
    X, y = _data()
    est = sr.Ridge(solver="sag", **TIGHT).fit(X.astype(np.float32), y)
    assert est.coef_.dtype == np.float32
    ref = sr.Ridge(solver="cholesky").fit(X, y)
    assert _rel(est.coef_, ref.coef_) <= 1e-5
    # every centered row is zero: coef_ = 0, the intercept is the mean of y
    const = sr.Ridge(solver="saga").fit(np.ones((10, 3)), np.arange(10.0))
    np.testing.assert_array_equal(const.coef_, 0.0)
    assert const.intercept_ == pytest.approx(4.5)


@pytest.mark.parametrize("solver", ["sag", "saga"])
def test_ridge_sag_refuses_positive(solver):
    X, y = _data()
    with pytest.raises(ValueError, match="does not support positive"):
        sr.Ridge(solver=solver, positive=True).fit(X, y)


def test_ridge_sparse_svd_errors_are_scikit_learns():
    X, y = _data()
    with pytest.raises(ValueError, match="solver='svd' does not support fitting the"):
        sr.Ridge(solver="svd").fit(sparse.csr_matrix(X), y)
    with pytest.raises(TypeError, match="SVD solver does not support sparse"):
        sr.Ridge(solver="svd", fit_intercept=False).fit(sparse.csr_matrix(X), y)


def test_step_size_is_scikit_learns_and_must_be_finite():
    from sklearn.linear_model._sag import get_auto_step_size

    for saga in (False, True):
        ours = _sag.step_size(7.0, 0.01, 50, saga)
        ref = get_auto_step_size(7.0, 0.01, "squared", False, n_samples=50,
                                 is_saga=saga)
        assert ours == pytest.approx(ref, rel=1e-15)
        for bad in (np.inf, np.nan):
            with pytest.raises(ValueError, match="not a finite positive"):
                _sag.step_size(bad, 0.01, 50, saga)
        with pytest.raises(ValueError, match="not a finite positive"):
            _sag.step_size(0.0, 0.0, 50, saga)


@pytest.mark.parametrize("fmt", FORMATS)
def test_divergence_is_reported_as_overflow(fmt):
    """Steps far beyond 1 / L blow up: ValueError, not NaN coefficients."""
    X, y = _data()
    problem = Problem(to_format(X, fmt), y[:, None], None, True, True)
    data = _sag.SagData.of(problem)
    w = np.zeros(X.shape[1])
    step = 1e3 / data.max_squared_sum
    with pytest.raises(ValueError, match="overflow occurred at epoch"):
        _sag._ridge_epochs(data, 0, w, step, 0.0, False, 1e-12, 1000,
                           _sag._rng_state(0))


# ---------------------------------------------------------------------- elastic net


ENET_CASES = [
    (sr.Lasso, dict(alpha=0.05)),
    (sr.ElasticNet, dict(alpha=0.05, l1_ratio=0.3)),
    (sr.Lasso, dict(alpha=0.02, positive=True)),
    (sr.ElasticNet, dict(alpha=0.1, l1_ratio=0.7, lower_bounds=-0.3, upper_bounds=2.0,
                         penalty_factor=np.r_[0.0, 2.0, np.ones(10)])),
]


@pytest.mark.parametrize("case", range(len(ENET_CASES)))
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_enet_saga_matches_cd(case, fmt, fit_intercept, weighted):
    Est, params = ENET_CASES[case]
    X, y = _data()
    sw = _weights(len(y)) if weighted else None
    tol = 1e-10
    ours = Est(solver="saga", tol=tol, max_iter=10_000, random_state=0,
               fit_intercept=fit_intercept, **params).fit(to_format(X, fmt), y,
                                                           sample_weight=sw)
    ref = Est(tol=1e-12, max_iter=100_000, fit_intercept=fit_intercept,
              **params).fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-5, atol=1e-7)
    assert ours.intercept_ == pytest.approx(ref.intercept_, rel=1e-5, abs=1e-7)
    # the stopping rule holds for the returned coefficients
    s = np.ones(len(y)) if sw is None else sw / sw.mean()
    yc = y - (np.average(y, weights=s) if fit_intercept else 0.0)
    assert 0.0 <= ours.dual_gap_ <= tol * np.sum(s * yc**2) / len(y)


@pytest.mark.parametrize("fmt", FORMATS)
def test_enet_saga_dense_and_sparse_follow_the_same_iterates(fmt):
    X, y = _data(seed=2)
    sw = _weights(len(y), seed=2)
    params = dict(alpha=0.05, l1_ratio=0.5, solver="saga", tol=1e-8, random_state=5)
    dense = sr.ElasticNet(**params).fit(X, y, sample_weight=sw)
    other = sr.ElasticNet(**params).fit(to_format(X, fmt), y, sample_weight=sw)
    assert other.n_iter_ == dense.n_iter_
    np.testing.assert_allclose(other.coef_, dense.coef_, rtol=1e-9, atol=1e-12)


def test_enet_saga_multi_target_path_and_warm_start():
    X, Y = _data(n_targets=2)
    ours = sr.Lasso(alpha=0.05, solver="saga", **TIGHT).fit(X, Y)
    ref = sr.Lasso(alpha=0.05, tol=1e-12, max_iter=100_000).fit(X, Y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-5, atol=1e-7)
    assert ours.dual_gap_.shape == (2,)
    # a path warm-starts each alpha from the previous solution
    Xc, yc = X - X.mean(0), Y[:, 0] - Y[:, 0].mean()
    alphas, coefs, gaps = sr.lasso_path(Xc, yc, alphas=[0.5, 0.1, 0.02],
                                        solver="saga", tol=1e-10, random_state=0)
    _, coefs_cd, _ = sr.lasso_path(Xc, yc, alphas=[0.5, 0.1, 0.02], tol=1e-12)
    np.testing.assert_allclose(coefs, coefs_cd, rtol=1e-5, atol=1e-7)
    # refitting from the solution: the starting point already meets the rule
    est = sr.Lasso(alpha=0.05, solver="saga", warm_start=True, **TIGHT).fit(X, Y)
    est.fit(X, Y)
    assert est.n_iter_ == [0, 0]


def test_enet_saga_random_state_and_repeated_rows():
    X, y = _data(n=60)
    params = dict(alpha=0.03, l1_ratio=0.8, solver="saga")
    a = sr.ElasticNet(random_state=1, tol=1e-3, **params).fit(X, y)
    b = sr.ElasticNet(random_state=1, tol=1e-3, **params).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    reps = np.random.default_rng(1).integers(0, 4, len(y))
    idx = np.repeat(np.arange(len(y)), reps)
    w = sr.ElasticNet(**TIGHT, **params).fit(X, y, sample_weight=reps.astype(float))
    r = sr.ElasticNet(**TIGHT, **params).fit(X[idx], y[idx])
    np.testing.assert_allclose(w.coef_, r.coef_, rtol=1e-5, atol=1e-7)


def test_enet_saga_convergence_warning_and_options():
    X, y = _data()
    with pytest.warns(ConvergenceWarning, match="solver='saga'"):
        est = sr.Lasso(alpha=1e-3, solver="saga", max_iter=1, tol=1e-14).fit(X, y)
    assert est.n_iter_ == 1 and est.dual_gap_ > 0
    with pytest.raises(ValueError, match="selection"):
        sr.Lasso(solver="saga", selection="random").fit(X, y)
    with pytest.raises(ValueError, match="anderson"):
        sr.Lasso(solver="saga", anderson=True).fit(X, y)
    with pytest.raises(ValueError, match="precompute"):
        sr.Lasso(solver="saga", precompute=True).fit(X, y)


def test_enet_saga_ridge_limit_and_constant_data():
    """ElasticNet(alpha / n, l1_ratio=0) is Ridge(alpha); with every centered row
    zero, the minimizer of the penalty within the bounds."""
    X, y = _data()
    n = len(y)
    enet = sr.ElasticNet(alpha=2.0 / n, l1_ratio=0.0, solver="saga", **TIGHT).fit(
        sparse.csr_matrix(X), y)
    ridge = sr.Ridge(alpha=2.0, solver="cholesky").fit(X, y)
    assert _rel(enet.coef_, ridge.coef_) <= 1e-6
    const = sr.Lasso(alpha=0.1, solver="saga", lower_bounds=[-1.0, 0.5]).fit(
        np.ones((10, 2)), np.arange(10.0))
    np.testing.assert_array_equal(const.coef_, [0.0, 0.5])
    assert const.intercept_ == pytest.approx(4.5 - 0.5)


@pytest.mark.parametrize("est", [sr.Ridge(solver="sag"), sr.Ridge(solver="saga"),
                                 sr.Lasso(alpha=0.1, solver="saga")])
@pytest.mark.parametrize("fmt", ["C", "F", "csr", "csc"])
def test_user_data_are_not_modified(est, fmt):
    X, y = _data()
    X = sparse.csr_matrix(X).asformat(fmt) if fmt in ("csr", "csc") else (
        np.asarray(X, order=fmt))
    sw = _weights(len(y))
    snapshot = (X.copy(), y.copy(), sw.copy())
    est.set_params(copy_X=True).fit(X, y, sample_weight=sw)
    for before, after in zip(snapshot, (X, y, sw), strict=True):
        before = before.toarray() if sparse.issparse(before) else before
        after = after.toarray() if sparse.issparse(after) else after
        np.testing.assert_array_equal(before, after)


@pytest.mark.parametrize("cv_cls, kw", [(sr.LassoCV, {}),
                                        (sr.ElasticNetCV, {"l1_ratio": [0.3, 0.9]})])
def test_cv_estimators_with_saga_choose_cds_alpha(cv_cls, kw):
    """LassoCV / ElasticNetCV(solver="saga"): the fold paths stop on the same gap
    as coordinate descent's, so at a tight tol the CV errors and the choice agree."""
    X, y = _data()
    common = dict(cv=3, alphas=15, tol=1e-9, max_iter=100_000, **kw)
    cd = cv_cls(solver="cd", **common).fit(X, y)
    saga = cv_cls(solver="saga", random_state=0, **common).fit(X, y)
    assert saga.alpha_ == cd.alpha_
    assert _rel(saga.mse_path_, cd.mse_path_) <= 1e-5
    assert _rel(saga.coef_, cd.coef_) <= 1e-5
