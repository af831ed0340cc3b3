"""RelaxedLasso and RelaxedLassoCV: the two ends of gamma, the blend, the CV."""

import warnings

import numpy as np
import pytest
from _helpers import to_format
from scipy.optimize import nnls
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.utils._param_validation import InvalidParameterError

import sparsereg as sr
from sparsereg.datasets import make_sparse_regression


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def _data(seed=0, n=80, p=30):
    return make_sparse_regression(n, p, 4, rho=0.4, noise=0.5, random_state=seed)


@pytest.mark.parametrize("fmt", ["dense", "csc"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_gamma_one_is_the_lasso_and_zero_the_refit(fmt, fit_intercept, weighted):
    X, y, _ = _data()
    X = to_format(X + 1.0, fmt)
    sw = np.random.default_rng(0).uniform(0.5, 2.0, len(y)) if weighted else None
    kw = dict(alpha=0.1, fit_intercept=fit_intercept, tol=1e-10, max_iter=10_000)
    lasso = sr.Lasso(**kw).fit(X, y, sample_weight=sw)
    one = sr.RelaxedLasso(gamma=1.0, **kw).fit(X, y, sample_weight=sw)
    np.testing.assert_array_equal(one.coef_, lasso.coef_)
    assert one.intercept_ == pytest.approx(lasso.intercept_, abs=1e-12)
    zero = sr.RelaxedLasso(gamma=0.0, **kw).fit(X, y, sample_weight=sw)
    support = lasso.coef_ != 0
    ref = LinearRegression(fit_intercept=fit_intercept).fit(
        to_format(X, "dense")[:, support], y, sample_weight=sw)
    np.testing.assert_allclose(zero.coef_[support], ref.coef_, rtol=1e-9, atol=1e-10)
    assert np.all(zero.coef_[~support] == 0)
    assert zero.intercept_ == pytest.approx(ref.intercept_, abs=1e-9)
    np.testing.assert_array_equal(zero.refit_coef_, zero.coef_)


def test_blend_is_linear_in_gamma():
    X, y, _ = _data(1)
    fits = {g: sr.RelaxedLasso(alpha=0.1, gamma=g).fit(X, y) for g in (0.0, 0.3, 1.0)}
    expected = 0.3 * fits[1.0].coef_ + 0.7 * fits[0.0].coef_
    np.testing.assert_allclose(fits[0.3].coef_, expected, rtol=1e-12, atol=1e-14)
    b = 0.3 * fits[1.0].intercept_ + 0.7 * fits[0.0].intercept_
    assert fits[0.3].intercept_ == pytest.approx(b, abs=1e-12)
    np.testing.assert_array_equal(fits[0.3].lasso_coef_, fits[1.0].coef_)


def test_positive_refit_is_nonnegative_least_squares():
    X, y, _ = _data(2)
    model = sr.RelaxedLasso(alpha=0.05, gamma=0.0, positive=True,
                            fit_intercept=False).fit(X, y)
    support = model.lasso_coef_ != 0
    ref = nnls(X[:, support], y)[0]
    np.testing.assert_allclose(model.coef_[support], ref, rtol=1e-9, atol=1e-12)
    assert model.coef_.min() >= 0


def test_multi_target_refits_each_support():
    X, y, _ = _data(3)
    Y = np.c_[y, -2 * y + X[:, 0]]
    both = sr.RelaxedLasso(alpha=0.1, gamma=0.25).fit(X, Y)
    for k in range(2):
        one = sr.RelaxedLasso(alpha=0.1, gamma=0.25).fit(X, Y[:, k])
        np.testing.assert_allclose(both.coef_[k], one.coef_, rtol=1e-8, atol=1e-10)
        assert both.intercept_[k] == pytest.approx(one.intercept_, abs=1e-8)


def test_cv_with_gamma_one_is_lassocv():
    X, y, _ = _data(4)
    cv = KFold(4, shuffle=True, random_state=0)
    alphas = np.geomspace(1.0, 1e-3, 30)
    relaxed = sr.RelaxedLassoCV(alphas=alphas, gammas=[1.0], cv=cv, tol=1e-10).fit(
        X, y)
    lasso = sr.LassoCV(alphas=alphas, cv=cv, tol=1e-10).fit(X, y)
    assert relaxed.alpha_ == lasso.alpha_ and relaxed.gamma_ == 1.0
    np.testing.assert_allclose(relaxed.mse_path_[0], lasso.mse_path_, rtol=1e-9)
    np.testing.assert_allclose(relaxed.coef_, lasso.coef_, rtol=1e-8, atol=1e-12)


def test_cv_errors_and_rules():
    X, y, _ = _data(5)
    cv = KFold(3, shuffle=True, random_state=1)
    model = sr.RelaxedLassoCV(alphas=20, cv=cv).fit(X, y)
    assert model.mse_path_.shape == (5, 20, 3)
    assert len(model.cv_results_["param_gamma"]) == 100
    # one cell by hand: gamma = 0 at the chosen alpha, first fold
    train, test = next(cv.split(X))
    lasso = sr.Lasso(alpha=model.alphas_[7]).fit(X[train], y[train])
    refit = sr.RelaxedLasso(alpha=model.alphas_[7], gamma=0.0).fit(X[train], y[train])
    assert np.array_equal(refit.lasso_coef_ != 0, lasso.coef_ != 0)
    err = np.mean((y[test] - refit.predict(X[test])) ** 2)
    assert model.mse_path_[0, 7, 0] == pytest.approx(err, rel=1e-4)
    mean = model.mse_path_.mean(axis=2)
    assert mean[list(model.gammas_).index(model.gamma_),
                list(model.alphas_).index(model.alpha_)] == mean.min()
    one_se = sr.RelaxedLassoCV(alphas=20, cv=cv, alpha_rule="1se").fit(X, y)
    i = list(one_se.gammas_).index(one_se.gamma_)
    j = list(one_se.alphas_).index(one_se.alpha_)
    best = np.unravel_index(np.argmin(mean), mean.shape)
    se = model.mse_path_[best].std(ddof=1) / np.sqrt(3)
    assert mean[i, j] <= mean.min() + se and one_se.alpha_ >= model.alpha_


def test_relaxed_cv_beats_lassocv_on_a_strong_sparse_signal():
    """5 strong true coefficients among 200 features, 100 training rows: over 6
    seeds the test MSE is 1.378 for LassoCV and 1.048 for RelaxedLassoCV (noise
    variance 1.0), lower on every seed (measured); required: lower on every seed
    and 15% lower on average."""
    lasso_err, relaxed_err = [], []
    for seed in range(6):
        X, y, _ = make_sparse_regression(300, 200, 5, rho=0.3, noise=1.0,
                                         coef_scale=(2, 4), random_state=seed)
        X_tr, y_tr, X_te, y_te = X[:100], y[:100], X[100:], y[100:]
        lasso = sr.LassoCV(cv=5).fit(X_tr, y_tr)
        relaxed = sr.RelaxedLassoCV(cv=5).fit(X_tr, y_tr)
        lasso_err.append(np.mean((y_te - lasso.predict(X_te)) ** 2))
        relaxed_err.append(np.mean((y_te - relaxed.predict(X_te)) ** 2))
    assert np.all(np.array(relaxed_err) < np.array(lasso_err))
    assert np.mean(relaxed_err) <= 0.85 * np.mean(lasso_err)


def test_grid_search_tunes_gamma_and_alpha():
    X, y, _ = _data(6)
    search = GridSearchCV(sr.RelaxedLasso(), {"alpha": [0.01, 0.1, 1.0],
                                              "gamma": [0.0, 0.5, 1.0]}, cv=3)
    search.fit(X, y)
    assert set(search.best_params_) == {"alpha", "gamma"}


def test_bad_parameters():
    X, y, _ = _data()
    with pytest.raises(InvalidParameterError, match="gamma"):
        sr.RelaxedLasso(gamma=1.5).fit(X, y)
    with pytest.raises(ValueError, match="gammas"):
        sr.RelaxedLassoCV(gammas=[0.5, 2.0]).fit(X, y)
    with pytest.raises(ValueError, match="gammas"):
        sr.RelaxedLassoCV(gammas=[]).fit(X, y)
