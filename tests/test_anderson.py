"""Anderson extrapolation of coordinate descent (``anderson=True`` / ``"auto"``).

It must reach the same solution under the same stopping rule (checked against plain
CD, scikit-learn and the optimality conditions) in fewer epochs on the problems it is
meant for: correlated features and a tight ``tol``.
"""

import warnings

import numpy as np
import pytest
from _helpers import kkt_violation, make_data, to_format
from sklearn import linear_model as sk
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold
from sklearn.utils._param_validation import InvalidParameterError

import sparsereg as sr
from sparsereg._solvers.cd import CREEP_EPOCHS, CREEP_WORK


def _alpha_max(X, y):
    Xd = to_format(X, "dense")
    return np.abs((Xd - Xd.mean(0)).T @ (y - y.mean())).max() / Xd.shape[0]


# (format, precompute, n, p): the dense, sparse and Gram kernels; p > 500 runs the
# working-set driver
DESIGNS = [
    ("dense", False, 100, 300),
    ("csc", False, 100, 300),
    ("dense", True, 300, 100),
    ("dense", False, 80, 1000),
    ("csc", False, 80, 1000),
]


@pytest.mark.parametrize("fmt,precompute,n,p", DESIGNS)
@pytest.mark.parametrize("l1_ratio", [1.0, 0.7])
def test_same_solution_in_fewer_epochs(fmt, precompute, n, p, l1_ratio):
    if fmt == "dense":
        X, y = make_data(n, p, rho=0.9, seed=1, n_informative=20)
    else:
        X, y = make_data(n, p, density=0.1, seed=1, n_informative=20)
    alpha = _alpha_max(X, y) / 100
    params = dict(alpha=alpha, l1_ratio=l1_ratio, precompute=precompute, tol=1e-10,
                  max_iter=100_000)
    plain = sr.ElasticNet(anderson=False, **params).fit(X, y)
    fast = sr.ElasticNet(anderson=True, **params).fit(X, y)
    scale = np.abs(plain.coef_).max()
    assert np.abs(fast.coef_ - plain.coef_).max() <= 1e-6 * scale
    assert fast.dual_gap_ <= 1e-10 * np.var(y)
    l1, l2 = alpha * l1_ratio, alpha * (1 - l1_ratio)
    assert kkt_violation(X, y, fast.coef_, fast.intercept_, l1, l2) <= 1e-5 * l1
    # measured: 0.14-0.57 of plain CD's epochs; 0.74 for the Gram elastic net
    assert fast.n_iter_ <= 0.8 * plain.n_iter_, (fast.n_iter_, plain.n_iter_)


@pytest.mark.parametrize("fmt", ["dense", "csc"])
def test_positive_and_weights(fmt):
    X, y = make_data(60, 150, rho=0.8, seed=2, n_informative=10)
    X = to_format(X, fmt)
    sw = np.random.default_rng(0).uniform(0.1, 3.0, X.shape[0])
    alpha = _alpha_max(X, y) / 50
    params = dict(alpha=alpha, positive=True, tol=1e-12, max_iter=100_000)
    ours = sr.Lasso(anderson=True, **params).fit(X, y, sample_weight=sw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref = sk.Lasso(**params).fit(X, y, sample_weight=sw)
    assert ours.coef_.min() >= 0.0
    assert np.abs(ours.coef_ - ref.coef_).max() <= 1e-6 * np.abs(ref.coef_).max()


def test_float32_keeps_dtype_and_solution():
    X, y = make_data(80, 200, rho=0.8, seed=3)
    alpha = _alpha_max(X, y) / 30
    ref = sr.Lasso(alpha=alpha, tol=1e-12, max_iter=100_000).fit(X, y)
    ours = sr.Lasso(alpha=alpha, tol=1e-10, max_iter=100_000, anderson=True).fit(
        X.astype(np.float32), y.astype(np.float32))
    assert ours.coef_.dtype == np.float32
    assert np.abs(ours.coef_ - ref.coef_).max() <= 1e-5 * np.abs(ref.coef_).max()


def test_path_matches_and_saves_epochs():
    X, y = make_data(100, 400, rho=0.9, seed=4, n_informative=30)
    X, y = X - X.mean(0), y - y.mean()
    kw = dict(alphas=30, eps=1e-2, tol=1e-9, max_iter=100_000, return_n_iter=True)
    a1, c1, _, it1 = sr.lasso_path(X, y, anderson=False, **kw)
    a2, c2, g2, it2 = sr.lasso_path(X, y, anderson=True, **kw)
    np.testing.assert_array_equal(a1, a2)
    assert np.abs(c2 - c1).max() <= 1e-6 * np.abs(c1).max()
    assert np.all(g2 <= 1e-9 * (y @ y) / len(y))
    assert it2.sum() <= 0.6 * it1.sum(), (it2.sum(), it1.sum())


def test_lassocv_matches_sklearn():
    X, y = make_data(80, 200, rho=0.8, seed=5, n_informative=10)
    cv = KFold(4, shuffle=True, random_state=0)
    alphas = np.geomspace(_alpha_max(X, y), _alpha_max(X, y) / 1000, 40)
    ours = sr.LassoCV(alphas=alphas, cv=cv, tol=1e-10, max_iter=100_000,
                      anderson=True).fit(X, y)
    ref = sk.LassoCV(alphas=alphas, cv=cv, tol=1e-12, max_iter=100_000).fit(X, y)
    assert ours.alpha_ == ref.alpha_
    np.testing.assert_allclose(ours.mse_path_, ref.mse_path_, rtol=1e-6)
    assert np.abs(ours.coef_ - ref.coef_).max() <= 1e-6 * np.abs(ref.coef_).max()


@pytest.mark.parametrize("kwargs,match", [
    (dict(selection="random"), "selection='random'"),
    (dict(solver="fista"), "solver='fista'"),
    (dict(solver="ista"), "solver='ista'"),
])
def test_refused_where_it_cannot_act(kwargs, match):
    X, y = make_data(30, 10, seed=0)
    with pytest.raises(ValueError, match=match):
        sr.Lasso(alpha=0.1, anderson=True, **kwargs).fit(X, y)
    with pytest.raises(ValueError, match=match):
        sr.LassoCV(cv=3, anderson=True, **kwargs).fit(X, y)


@pytest.mark.parametrize("fmt", ["dense", "csc"])
def test_auto_is_plain_cd_without_working_sets(fmt):
    """anderson="auto" (the default) runs scikit-learn's iterates when CD runs on all
    features (at most 500, or screening shrinking them) and converges within its
    plain budget: bit-identical to False, while True differs (to within tol)."""
    X, y = make_data(60, 300, rho=0.9, seed=3, n_informative=15)
    X = to_format(X, fmt)
    params = dict(alpha=_alpha_max(X, y) / 50, tol=1e-6, max_iter=100_000)
    auto = sr.Lasso(**params).fit(X, y)
    assert auto.anderson == "auto"
    off = sr.Lasso(anderson=False, **params).fit(X, y)
    on = sr.Lasso(anderson=True, **params).fit(X, y)
    assert off.n_iter_ < max(CREEP_EPOCHS, CREEP_WORK / (60 * 300))
    np.testing.assert_array_equal(auto.coef_, off.coef_)
    assert auto.n_iter_ == off.n_iter_ != on.n_iter_
    # and it is what scikit-learn computes, to rounding
    ref = sk.Lasso(**params).fit(X, y)
    np.testing.assert_allclose(auto.coef_, ref.coef_, rtol=1e-9, atol=1e-12)


# (format, precompute): with n x p = 600 x 80, "auto" switches after 209 epochs
@pytest.mark.parametrize("fmt,precompute", [("dense", False), ("csc", False),
                                            ("dense", True)])
def test_auto_extrapolates_once_plain_cd_creeps(fmt, precompute):
    """Without working sets, "auto" is plain CD for max(CREEP_EPOCHS, CREEP_WORK /
    (n p)) epochs -- the same iterates as anderson=False, for every design -- and
    extrapolates after that: the same solution in fewer epochs."""
    X, y = make_data(600, 80, rho=0.95, seed=6, n_informative=40)
    X = to_format(X, fmt)
    creep = max(CREEP_EPOCHS, -(-CREEP_WORK // (600 * 80)))
    params = dict(alpha=_alpha_max(X, y) / 300, tol=1e-10, precompute=precompute)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for max_iter in (creep - 1, creep):  # the plain epochs, stopped early
            auto = sr.Lasso(max_iter=max_iter, **params).fit(X, y)
            off = sr.Lasso(max_iter=max_iter, anderson=False, **params).fit(X, y)
            np.testing.assert_array_equal(auto.coef_, off.coef_)
    auto = sr.Lasso(max_iter=100_000, **params).fit(X, y)
    off = sr.Lasso(max_iter=100_000, anderson=False, **params).fit(X, y)
    assert off.n_iter_ > 2 * creep
    assert auto.n_iter_ < 0.7 * off.n_iter_, (auto.n_iter_, off.n_iter_)
    assert auto.dual_gap_ <= 1e-10 * np.var(y)
    assert np.abs(auto.coef_ - off.coef_).max() <= 1e-5 * np.abs(off.coef_).max()


def test_auto_path_extrapolates_after_an_alpha_crept():
    """Along a path, once plain CD crept past its budget at one alpha, the next
    alphas extrapolate from their first epoch: on a correlated n > p problem (Gram
    CD) the path takes far fewer epochs than plain CD, to the same tolerance."""
    X, y = make_data(1000, 100, rho=0.99, seed=7, n_informative=60)
    X, y = X - X.mean(0), y - y.mean()
    kw = dict(alphas=50, eps=1e-4, tol=1e-6, max_iter=100_000, return_n_iter=True)
    a1, c1, g1, it1 = sr.lasso_path(X, y, anderson=False, **kw)
    a2, c2, g2, it2 = sr.lasso_path(X, y, **kw)
    np.testing.assert_array_equal(a1, a2)
    tol_gap = 1e-6 * (y @ y) / len(y)  # (measured: 22672 epochs against 6854)
    assert np.all(g1 <= tol_gap) and np.all(g2 <= tol_gap)
    # identical until the first alpha that needs more than the plain budget
    first = int(np.argmax(it1 >= CREEP_EPOCHS))
    assert it1[first] >= CREEP_EPOCHS
    np.testing.assert_array_equal(c1[:, :first], c2[:, :first])
    assert it2.sum() <= 0.5 * it1.sum(), (it2.sum(), it1.sum())
    # the same objective to within the certified gaps
    n = len(y)
    P = [0.5 * np.sum((y - X @ c[:, k]) ** 2) / n + a1[k] * np.abs(c[:, k]).sum()
         for c in (c1, c2) for k in range(len(a1))]
    P1, P2 = np.array(P[:len(a1)]), np.array(P[len(a1):])
    assert np.all(np.abs(P1 - P2) <= g1 + g2 + 1e-12)


@pytest.mark.parametrize("fmt", ["dense", "csc"])
def test_auto_extrapolates_on_working_sets(fmt):
    """With working sets (p > 500), "auto" extrapolates there: fewer epochs than
    plain CD, and the same solution to within tol."""
    if fmt == "dense":
        X, y = make_data(80, 1500, rho=0.9, seed=4, n_informative=20)
    else:
        X, y = make_data(80, 1500, density=0.1, seed=4, n_informative=20)
    params = dict(alpha=_alpha_max(X, y) / 200, tol=1e-9, max_iter=100_000)
    auto = sr.Lasso(**params).fit(X, y)
    off = sr.Lasso(anderson=False, **params).fit(X, y)
    on = sr.Lasso(anderson=True, **params).fit(X, y)
    assert auto.n_iter_ < 0.8 * off.n_iter_, (auto.n_iter_, off.n_iter_)
    assert auto.dual_gap_ <= 1e-9 * np.var(y)
    scale = np.abs(off.coef_).max()
    assert np.abs(auto.coef_ - off.coef_).max() <= 1e-4 * scale
    assert np.abs(auto.coef_ - on.coef_).max() <= 1e-4 * scale


def test_auto_is_off_where_it_cannot_act():
    """"auto" with selection="random" or ISTA/FISTA is plain (no error)."""
    X, y = make_data(40, 20, seed=0)
    a = sr.Lasso(alpha=0.05, selection="random", random_state=0).fit(X, y)
    b = sr.Lasso(alpha=0.05, selection="random", random_state=0,
                 anderson=False).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    c = sr.Lasso(alpha=0.05, solver="fista").fit(X, y)
    d = sr.Lasso(alpha=0.05, solver="fista", anderson=False).fit(X, y)
    np.testing.assert_array_equal(c.coef_, d.coef_)


def test_must_be_boolean_or_auto():
    X, y = make_data(30, 10, seed=0)
    with pytest.raises(InvalidParameterError, match="anderson"):
        sr.ElasticNet(anderson="yes").fit(X, y)
    with pytest.raises(ValueError, match="anderson"):
        sr.lasso_path(X, y, anderson="yes")
