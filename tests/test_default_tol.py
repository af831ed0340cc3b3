"""Accuracy at the default ``tol``: the stopping gap is scikit-learn's.

A tighter dual point certifies ``tol`` several epochs earlier than scikit-learn's on
an elastic-net path (at warm starts, often before a single epoch), at coefficients
100-1000 times farther from the solution. These tests measure default-``tol`` paths
and cross-validation against an exact reference (scikit-learn at ``tol=1e-14``) and
against scikit-learn at its defaults, on every route: dense, sparse, Gram matrix,
working sets, the CV estimators' fold paths.
"""

import warnings

import numpy as np
import pytest
from scipy import sparse
from sklearn import linear_model as sk
from sklearn.datasets import load_breast_cancer, load_diabetes, make_regression
from sklearn.exceptions import ConvergenceWarning

import sparsereg as sr
from sparsereg._solvers.objective import duality_gap


def _diabetes():
    return load_diabetes(return_X_y=True)


def _cancer():
    B = load_breast_cancer().data  # its first column (mean radius) as the target
    X = np.delete(B, 0, axis=1)
    return (X - X.mean(0)) / X.std(0), B[:, 0]


def _mr(n, p, rank=None, seed=0):
    X, y = make_regression(n, p, n_informative=8, noise=20, effective_rank=rank,
                           random_state=seed)
    return X, y


DATASETS = {
    "diabetes": _diabetes,
    "cancer": _cancer,
    "n>p": lambda: _mr(150, 40, seed=0),
    "n>p_rank": lambda: _mr(150, 60, rank=15, seed=3),
    "p>n": lambda: _mr(60, 150, seed=1),
    "p>n_rank": lambda: _mr(60, 150, rank=10, seed=2),
    "p>n_ws": lambda: _mr(60, 520, rank=20, seed=4),  # working sets (> 500 features)
}


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fn(*args, **kwargs)


def _path_error(coefs, exact):
    """max over alphas and coefficients of |w - w*| / max |w*|."""
    return np.abs(coefs - exact).max() / np.abs(exact).max()


@pytest.mark.parametrize("name", list(DATASETS))
@pytest.mark.parametrize("l1_ratio", [0.1, 0.5, 0.9, 1.0])
def test_default_tol_path_error_at_most_twice_sklearns(name, l1_ratio):
    X, y = DATASETS[name]()
    X, y = np.asfortranarray(X - X.mean(0)), y - y.mean()
    alphas, exact, _ = _quiet(sk.enet_path, X, y, l1_ratio=l1_ratio, alphas=30,
                              tol=1e-14, max_iter=200_000)
    _, c_sk, _ = _quiet(sk.enet_path, X, y, l1_ratio=l1_ratio, alphas=alphas)
    bound = 2 * _path_error(c_sk, exact) + 1e-12
    routes = {"dense": (X, {}), "sparse": (sparse.csc_matrix(X), {})}
    if X.shape[0] > X.shape[1]:
        routes["gram"] = (X, {"precompute": True})
    for route, (Xr, kw) in routes.items():
        _, c_us, _ = _quiet(sr.enet_path, Xr, y, l1_ratio=l1_ratio, alphas=alphas,
                            **kw)
        err = _path_error(c_us, exact)
        assert err <= bound, (route, err, bound / 2)


@pytest.mark.parametrize("precompute", [False, True])
@pytest.mark.parametrize("fmt", ["dense", "csc"])
def test_warm_starts_run_sklearns_epochs(fmt, precompute):
    """From a warm start, the path takes the epochs scikit-learn takes (it accepted
    the previous alpha's coefficients without one before)."""
    if fmt == "csc" and precompute:
        pytest.skip("scikit-learn's Gram route takes dense X")
    X, y = _diabetes()
    X, y = np.asfortranarray(X - X.mean(0)), y - y.mean()
    Xf = sparse.csc_matrix(X) if fmt == "csc" else X
    for l1_ratio in (0.1, 0.5):
        kw = dict(l1_ratio=l1_ratio, alphas=20, return_n_iter=True,
                  precompute=precompute)
        *_, n_sk = _quiet(sk.enet_path, Xf, y, **kw)
        *_, n_us = _quiet(sr.enet_path, Xf, y, **kw)
        assert np.all(np.asarray(n_sk)[1:] > 0)
        np.testing.assert_array_equal(n_us, n_sk)


def _sklearn_gap(X, y, w, alpha, beta, positive=False):
    """scikit-learn's gap_enet (its cd_fast.pyx), sum scaling, in numpy."""
    R = y - X @ w
    if alpha == 0:
        XtR = X.T @ R
        return R @ R + 0.5 * beta * w @ w - R @ y + XtR @ XtR / (2 * beta)
    XtA = X.T @ R - beta * w
    dual_norm = XtA.max() if positive else np.abs(XtA).max()
    const = alpha / dual_norm if dual_norm > alpha else 1.0
    gap = 0.5 * (R @ R) * (1 + const**2)
    return (gap + alpha * np.abs(w).sum() - const * R @ y
            + 0.5 * beta * (1 + const**2) * w @ w)


@pytest.mark.parametrize("l1, l2, positive", [
    (0.3, 0.0, False), (0.3, 0.7, False), (0.01, 2.0, False), (0.0, 0.5, False),
    (0.3, 0.0, True), (0.3, 0.7, True), (0.01, 2.0, True),
    # (pure ridge with positive=True: scikit-learn's formula ignores the bound and
    # is no duality gap there; ours takes the bounded conjugate)
])
def test_stopping_gap_is_sklearns(l1, l2, positive):
    rng = np.random.default_rng(0)
    n, p = 40, 12
    X = rng.standard_normal((n, p))
    y = X[:, :3] @ [1.0, -2.0, 0.5] + rng.standard_normal(n)
    for _ in range(5):
        w = rng.standard_normal(p) * (rng.random(p) < 0.5)
        if positive:
            w = np.abs(w)
        R = y - X @ w
        dual = duality_gap(X.T @ R, R @ R, R @ y, w, l1, l2, n, positive=positive)
        expected = _sklearn_gap(X, y, w, n * l1, n * l2, positive) / n
        np.testing.assert_allclose(dual.gap, expected, rtol=1e-10, atol=1e-12)
        # the better dual point (screening's) is never worse than the stopping one
        assert dual.primal - dual.dual <= dual.gap * (1 + 1e-12) + 1e-12


def test_issue_example_elasticnetcv_alpha():
    """make_regression(150, 60, effective_rank=15): the exact path's alpha_."""
    X, y = _mr(150, 60, rank=15, seed=3)
    cv = sr.ElasticNetCV(l1_ratio=0.2, cv=5).fit(X, y)
    exact = _quiet(sk.ElasticNetCV(l1_ratio=0.2, cv=5, tol=1e-12, max_iter=100_000)
                   .fit, X, y)
    assert cv.alpha_ == pytest.approx(exact.alpha_, rel=1e-9)
    assert cv.alpha_ == pytest.approx(0.418, rel=1e-3)
    assert np.count_nonzero(cv.coef_) == np.count_nonzero(exact.coef_)


@pytest.mark.parametrize("name, fmt, weighted, fit_intercept", [
    ("diabetes", "dense", False, True),
    ("diabetes", "csc", True, True),
    ("cancer", "dense", True, False),
    ("cancer", "csc", False, True),
    ("n>p", "dense", True, True),
    ("n>p_rank", "csc", False, False),
    ("n>p_rank", "dense", False, True),
    ("p>n", "dense", False, True),
    ("p>n_rank", "csc", True, True),
    ("p>n_ws", "dense", True, True),
])
def test_cv_at_defaults_matches_exact_and_sklearn(name, fmt, weighted, fit_intercept):
    """ElasticNetCV / LassoCV at default tol: mse_path_ as close to the exact one
    as scikit-learn's at its defaults, and the same alpha_ as scikit-learn's (the
    exact one wherever scikit-learn's is)."""
    X, y = DATASETS[name]()
    X = sparse.csc_matrix(X) if fmt == "csc" else X
    sw = np.random.default_rng(1).uniform(0.5, 2.0, y.shape[0]) if weighted else None
    kw = dict(l1_ratio=[0.2, 1.0], cv=4, alphas=30, fit_intercept=fit_intercept)
    exact = _quiet(sk.ElasticNetCV(tol=1e-12, max_iter=100_000, **kw).fit, X, y,
                   sample_weight=sw)
    ref = _quiet(sk.ElasticNetCV(**kw).fit, X, y, sample_weight=sw)
    ours = _quiet(sr.ElasticNetCV(**kw).fit, X, y, sample_weight=sw)
    scale = np.abs(exact.mse_path_).max()
    err_ref = np.abs(ref.mse_path_ - exact.mse_path_).max() / scale
    err_us = np.abs(ours.mse_path_ - exact.mse_path_).max() / scale
    assert err_us <= 2 * err_ref + 1e-9, (err_us, err_ref)
    assert ours.alpha_ == pytest.approx(ref.alpha_, rel=1e-9)
    assert ours.l1_ratio_ == ref.l1_ratio_
