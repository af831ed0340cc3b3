"""Agreement with scikit-learn's Lasso, ElasticNet and Ridge at tight tolerance.

Both libraries are fitted at ``tol=1e-12`` over a grid of designs and options; the
coefficients must agree to 1e-6 (relative to the largest coefficient) and our
objective may not be worse than scikit-learn's by more than 1e-9 relative.
float32 input is compared with scikit-learn's float64 fit of the same numbers (our
kernels read X in float32 but keep w, the residual and every sum in float64), at the
same 1e-6 tolerance: tighter than scikit-learn's own float32 fit achieves.
"""

import itertools
import warnings

import numpy as np
import pytest
from _helpers import enet_objective, make_data, ridge_objective, to_format
from sklearn import linear_model as sk
from sklearn.exceptions import ConvergenceWarning

import sparsereg as sr

SHAPES = {"n>p": (60, 20), "p>n": (25, 60)}
FORMATS = ["dense", "csc", "csr"]


def _data(shape, fmt, n_targets, seed=0):
    n, p = SHAPES[shape]
    if fmt == "dense":
        return make_data(n, p, rho=0.7, n_targets=n_targets, seed=seed)
    return make_data(n, p, n_targets=n_targets, density=0.3, seed=seed)


def _weights(n, with_weights):
    if not with_weights:
        return None
    return np.random.default_rng(42).uniform(0.2, 3.0, n)


def _sk_fit(est, X, y, sw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y, sample_weight=sw)


def _assert_coef_close(ours, ref, rtol):
    ours, ref = np.atleast_2d(ours), np.atleast_2d(ref)
    scale = max(np.abs(ref).max(), 1e-12)
    assert np.abs(ours - ref).max() <= rtol * scale, (
        f"max |diff| {np.abs(ours - ref).max():.3e} > {rtol} * {scale:.3e}"
    )


SOLVERS = ["cd", "cd+anderson", "ista", "fista"]


def _solver(label):
    """Estimator keywords of a solver label ("cd+anderson": CD with extrapolation)."""
    if label == "cd+anderson":
        return dict(solver="cd", anderson=True)
    return dict(solver=label)
GRID = list(itertools.product(
    ["lasso", "enet"], SHAPES, FORMATS, [True, False], [False, True], [False, True],
))


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("model,shape,fmt,fit_intercept,weighted,positive", GRID)
def test_enet_matches_sklearn(model, shape, fmt, fit_intercept, weighted, positive,
                              solver):
    X, y = _data(shape, fmt, None)
    X = to_format(X, fmt)
    n, p = X.shape
    sw = _weights(n, weighted)
    l1_ratio = 1.0 if model == "lasso" else 0.6
    Xd = to_format(X, "dense")
    alpha_max = np.abs((Xd - Xd.mean(0)).T @ (y - y.mean())).max() / (n * l1_ratio)
    alpha = alpha_max / 20
    params = dict(alpha=alpha, fit_intercept=fit_intercept, positive=positive,
                  tol=1e-12, max_iter=100_000)
    if model == "lasso":
        ours = sr.Lasso(**_solver(solver), **params).fit(X, y, sample_weight=sw)
        ref = _sk_fit(sk.Lasso(**params), X, y, sw)
    else:
        ours = sr.ElasticNet(l1_ratio=l1_ratio, **_solver(solver), **params).fit(
            X, y, sample_weight=sw)
        ref = _sk_fit(sk.ElasticNet(l1_ratio=l1_ratio, **params), X, y, sw)
    _assert_coef_close(ours.coef_, ref.coef_, 1e-6)
    assert abs(ours.intercept_ - ref.intercept_) <= 1e-6 * max(1.0, abs(ref.intercept_))
    p_ours = enet_objective(X, y, ours.coef_, ours.intercept_, alpha, l1_ratio, sw)
    p_ref = enet_objective(X, y, ref.coef_, ref.intercept_, alpha, l1_ratio, sw)
    assert p_ours <= p_ref + 1e-9 * abs(p_ref)
    assert 0 <= ours.dual_gap_ <= 1e-12 * np.var(y) * 10


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("model", ["lasso", "enet"])
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("shape", SHAPES)
def test_multi_output_matches_sklearn(model, fmt, shape, solver):
    X, Y = _data(shape, fmt, n_targets=3)
    X = to_format(X, fmt)
    Est, Ref = (sr.Lasso, sk.Lasso) if model == "lasso" else (sr.ElasticNet,
                                                               sk.ElasticNet)
    ours = Est(alpha=0.05, tol=1e-12, max_iter=100_000, **_solver(solver)).fit(
        X, Y)
    ref = _sk_fit(Ref(alpha=0.05, tol=1e-12, max_iter=100_000), X, Y, None)
    assert ours.coef_.shape == ref.coef_.shape == (3, X.shape[1])
    assert ours.intercept_.shape == (3,)
    assert len(ours.n_iter_) == 3 and ours.dual_gap_.shape == (3,)
    _assert_coef_close(ours.coef_, ref.coef_, 1e-6)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("model", ["lasso", "enet"])
def test_float32_matches_sklearn_float64(model, fmt, solver):
    X, y = _data("n>p", fmt, None)
    X32 = to_format(X, fmt).astype(np.float32)
    y32 = y.astype(np.float32)
    Est, Ref = (sr.Lasso, sk.Lasso) if model == "lasso" else (sr.ElasticNet,
                                                               sk.ElasticNet)
    ours = Est(alpha=0.05, tol=1e-10, max_iter=100_000, **_solver(solver)).fit(
        X32, y32)
    ref = _sk_fit(Ref(alpha=0.05, tol=1e-12, max_iter=100_000),
                  X32.astype(np.float64), y32.astype(np.float64), None)
    assert ours.coef_.dtype == np.float32
    _assert_coef_close(ours.coef_, ref.coef_, 1e-6)


RIDGE_SOLVERS = ["auto", "cholesky", "svd", "lsqr", "sparse_cg", "lbfgs", "cd", "ista",
                 "fista"]


@pytest.mark.parametrize("solver", RIDGE_SOLVERS)
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("fit_intercept,weighted", [(True, False), (True, True),
                                                    (False, True)])
def test_ridge_matches_sklearn(solver, fmt, shape, fit_intercept, weighted):
    if solver == "svd" and fmt != "dense":
        pytest.skip("svd is dense-only (as in scikit-learn)")
    X, y = _data(shape, fmt, None)
    X = to_format(X, fmt)
    sw = _weights(X.shape[0], weighted)
    ours = sr.Ridge(alpha=2.5, solver=solver, fit_intercept=fit_intercept, tol=1e-12,
                    max_iter=100_000).fit(X, y, sample_weight=sw)
    Xd = to_format(X, "dense")
    ref = sk.Ridge(alpha=2.5, solver="svd", fit_intercept=fit_intercept).fit(
        Xd, y, sample_weight=sw)
    _assert_coef_close(ours.coef_, ref.coef_, 1e-6)
    assert abs(ours.intercept_ - ref.intercept_) <= 1e-6 * max(1.0, abs(ref.intercept_))
    p_ours = ridge_objective(X, y, ours.coef_, ours.intercept_, 2.5, sw)
    p_ref = ridge_objective(X, y, ref.coef_, ref.intercept_, 2.5, sw)
    assert p_ours <= p_ref + 1e-9 * abs(p_ref)


@pytest.mark.parametrize("solver", ["auto", "cholesky", "svd", "cd", "lsqr", "fista"])
def test_ridge_multi_target_alpha_array(solver):
    X, Y = _data("n>p", "dense", n_targets=3)
    alphas = np.array([0.1, 1.0, 10.0])
    ours = sr.Ridge(alpha=alphas, solver=solver, tol=1e-12, max_iter=100_000).fit(X, Y)
    ref = sk.Ridge(alpha=alphas, solver="svd").fit(X, Y)
    assert ours.coef_.shape == (3, X.shape[1]) and ours.intercept_.shape == (3,)
    _assert_coef_close(ours.coef_, ref.coef_, 1e-6)


@pytest.mark.parametrize("solver", ["auto", "lbfgs", "ista", "fista"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_ridge_positive_matches_sklearn_lbfgs(solver, fmt):
    X, y = _data("n>p", fmt, None)
    X = to_format(X, fmt)
    ours = sr.Ridge(alpha=1.0, positive=True, solver=solver, tol=1e-12,
                    max_iter=100_000).fit(X, y)
    assert ours.solver_ == ("cd" if solver == "auto" else solver)
    ref = sk.Ridge(alpha=1.0, positive=True, solver="lbfgs", tol=1e-14,
                   max_iter=100_000).fit(to_format(X, "dense"), y)
    assert np.all(ours.coef_ >= 0)
    p_ours = ridge_objective(X, y, ours.coef_, ours.intercept_, 1.0)
    p_ref = ridge_objective(X, y, ref.coef_, ref.intercept_, 1.0)
    assert p_ours <= p_ref + 1e-9 * abs(p_ref)
    _assert_coef_close(ours.coef_, ref.coef_, 1e-4)  # L-BFGS-B itself is less exact


@pytest.mark.parametrize("precompute", [True, "auto"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_gram_cd_matches_sklearn(precompute, fmt):
    X, y = _data("n>p", fmt, None)
    X = to_format(X, fmt)
    sw = _weights(X.shape[0], True)
    ours = sr.ElasticNet(alpha=0.02, l1_ratio=0.7, precompute=precompute, tol=1e-12,
                         max_iter=100_000).fit(X, y, sample_weight=sw)
    ref = _sk_fit(sk.ElasticNet(alpha=0.02, l1_ratio=0.7, tol=1e-12,
                                max_iter=100_000), to_format(X, "dense"), y, sw)
    _assert_coef_close(ours.coef_, ref.coef_, 1e-6)


def test_user_gram_without_intercept():
    X, y = _data("n>p", "dense", None)
    G = X.T @ X
    ours = sr.Lasso(alpha=0.05, fit_intercept=False, precompute=G, tol=1e-12,
                    max_iter=100_000).fit(X, y)
    ref = _sk_fit(sk.Lasso(alpha=0.05, fit_intercept=False, tol=1e-12,
                           max_iter=100_000), X, y, None)
    _assert_coef_close(ours.coef_, ref.coef_, 1e-6)


@pytest.mark.parametrize("solver", ["cd", "fista"])
@pytest.mark.parametrize("model", ["lasso", "enet"])
@pytest.mark.parametrize("fmt", ["dense", "csc"])
@pytest.mark.parametrize("positive", [False, True])
def test_working_set_regime_matches_sklearn(model, fmt, positive, solver):
    """p > 500: our CD uses screening and working sets; the answer must not move."""
    if fmt == "dense":
        X, y = make_data(100, 1500, rho=0.6, seed=3, n_informative=20)
    else:
        X, y = make_data(100, 1500, density=0.05, seed=3, n_informative=20)
    l1_ratio = 1.0 if model == "lasso" else 0.7
    params = dict(alpha=0.05, positive=positive, tol=1e-12, max_iter=100_000)
    Est, Ref = (sr.ElasticNet, sk.ElasticNet)
    ours = Est(l1_ratio=l1_ratio, solver=solver, **params).fit(X, y)
    ref = _sk_fit(Ref(l1_ratio=l1_ratio, **params), X, y, None)
    assert np.count_nonzero(ref.coef_) > 5
    _assert_coef_close(ours.coef_, ref.coef_, 1e-6)
    p_ours = enet_objective(X, y, ours.coef_, ours.intercept_, 0.05, l1_ratio)
    p_ref = enet_objective(X, y, ref.coef_, ref.intercept_, 0.05, l1_ratio)
    assert p_ours <= p_ref + 1e-9 * abs(p_ref)


@pytest.mark.parametrize("model", ["lasso", "enet"])
@pytest.mark.parametrize("fmt", ["dense", "csc"])
@pytest.mark.parametrize("weighted", [False, True])
def test_tall_working_set_regime_matches_sklearn(model, fmt, weighted):
    """n x p beyond 2**20 with n >= 2p: CD runs on working sets of the support
    (see _cd._TALL_WORK); the answer must not move."""
    from sparsereg._solvers import cd as _cd

    n, p = 20000, 60
    assert n * p >= _cd._TALL_WORK
    X, y = make_data(n, p, rho=0.7, seed=4, n_informative=10)
    X = to_format(X, fmt)
    sw = np.random.default_rng(1).uniform(0.5, 2.0, n) if weighted else None
    l1_ratio = 1.0 if model == "lasso" else 0.6
    params = dict(alpha=0.05, l1_ratio=l1_ratio, tol=1e-10, max_iter=100_000)
    ours = sr.ElasticNet(**params).fit(X, y, sample_weight=sw)
    ref = _sk_fit(sk.ElasticNet(**params), X, y, sw)
    assert 5 < np.count_nonzero(ref.coef_) < p
    _assert_coef_close(ours.coef_, ref.coef_, 1e-6)
    assert ours.intercept_ == pytest.approx(ref.intercept_, rel=1e-8, abs=1e-8)


def test_pipeline_grid_search_matches_sklearn():
    """Inside Pipeline + GridSearchCV our estimators pick what scikit-learn picks."""
    from sklearn.datasets import load_diabetes
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = load_diabetes(return_X_y=True)
    grid = {"enet__alpha": [0.01, 0.1, 1.0], "enet__l1_ratio": [0.2, 0.8]}
    ours, ref = (
        GridSearchCV(Pipeline([("scale", StandardScaler()),
                               ("enet", Est(tol=1e-10, max_iter=100_000))]),
                     grid, cv=5).fit(X, y)
        for Est in (sr.ElasticNet, sk.ElasticNet)
    )
    assert ours.best_params_ == ref.best_params_
    np.testing.assert_allclose(ours.cv_results_["mean_test_score"],
                               ref.cv_results_["mean_test_score"], rtol=1e-8)


@pytest.mark.parametrize("fmt,precompute", [("dense", False), ("csc", False),
                                            ("dense", True)])
@pytest.mark.parametrize("divisor,tol", [(10, 1e-4), (100, 1e-6), (1000, 1e-8)])
def test_plain_cd_stops_at_scikit_learns_epoch(fmt, precompute, divisor, tol):
    """Plain cyclic CD (anderson=False; the default's iterates up to its plain
    budget) looks at the gap inside the jitted loop after every small-step epoch:
    it must stop at the very epoch scikit-learn stops at, with its coefficients to
    rounding, for the residual (dense, sparse) and Gram kernels alike."""
    X, y = make_data(120, 40, rho=0.9, seed=8, n_informative=15)
    Xd = X - X.mean(0)
    alpha = np.abs(Xd.T @ (y - y.mean())).max() / len(y) / divisor
    X = to_format(X, fmt)
    params = dict(alpha=alpha, tol=tol, max_iter=100_000, precompute=precompute)
    ours = sr.Lasso(anderson=False, **params).fit(X, y)
    ref = _sk_fit(sk.Lasso(**params), X, y, None)
    assert ours.n_iter_ == ref.n_iter_ > 1
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-9, atol=1e-12)
