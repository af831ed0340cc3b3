"""coef_at / predict_at of the CV estimators: glmnet's predict(s=) on the path."""

import numpy as np
import pytest
from _helpers import make_data
from scipy import sparse

import sparsereg as sr

TIGHT = dict(tol=1e-12, max_iter=100_000)


@pytest.mark.parametrize("fmt", ["dense", "csc"])
@pytest.mark.parametrize("weighted", [False, True])
def test_at_grid_alphas_the_path_and_its_intercepts(fmt, weighted):
    """At an alpha of the grid: the path's coefficients, and the intercept of the
    ElasticNet fitted there (the weighted means); predict_at = X w + b."""
    X, y = make_data(60, 8, seed=1)
    X = sparse.csc_matrix(X) if fmt == "csc" else X
    sw = np.random.default_rng(2).uniform(0.5, 2.0, 60) if weighted else None
    cv = sr.ElasticNetCV(l1_ratio=0.7, cv=3, alphas=12, **TIGHT).fit(
        X, y, sample_weight=sw)
    for j in (0, 5, 11):
        alpha = cv.alphas_[j]
        coef, intercept = cv.coef_at(alpha)
        np.testing.assert_allclose(coef, cv.coef_path_[:, j], rtol=0, atol=1e-12)
        ref = sr.ElasticNet(alpha=alpha, l1_ratio=0.7, **TIGHT).fit(
            X, y, sample_weight=sw)
        np.testing.assert_allclose(coef, ref.coef_, atol=1e-7)
        assert intercept == pytest.approx(ref.intercept_, abs=1e-7)
        np.testing.assert_allclose(cv.predict_at(X, alpha), ref.predict(X), atol=1e-6)


def test_between_two_knots_the_lasso_path_is_exact():
    """Along a Lasso path the coefficients are linear in alpha while the support
    and signs stay: interpolating between two grid alphas with the same support
    is the exact solution there (glmnet's reason for interpolating in lambda)."""
    X, y = make_data(80, 10, seed=4)
    cv = sr.LassoCV(cv=3, alphas=40, **TIGHT).fit(X, y)
    sign = np.sign(cv.coef_path_)
    same = [j for j in range(39) if np.array_equal(sign[:, j], sign[:, j + 1])
            and sign[:, j].any()]
    assert same
    for j in same[:: max(1, len(same) // 4)]:
        mid = 0.3 * cv.alphas_[j] + 0.7 * cv.alphas_[j + 1]
        coef, intercept = cv.coef_at(mid)
        exact = sr.Lasso(alpha=mid, **TIGHT).fit(X, y)
        np.testing.assert_allclose(coef, exact.coef_, atol=1e-8)
        assert intercept == pytest.approx(exact.intercept_, abs=1e-8)


def test_several_l1_ratios_and_the_errors():
    X, y = make_data(50, 6, seed=3)
    cv = sr.ElasticNetCV(l1_ratio=[0.2, 1.0], cv=3, alphas=10).fit(X, y)
    k = 0  # l1_ratio 0.2: its own grid, its own path
    coef, _ = cv.coef_at(cv.alphas_[k][3], l1_ratio=0.2)
    np.testing.assert_allclose(coef, cv.coef_path_[k][:, 3])
    assert cv.intercept_path_.shape == (2, 10)
    with pytest.raises(ValueError, match="outside the path"):
        cv.coef_at(cv.alphas_[k].max() * 1.01, l1_ratio=0.2)
    with pytest.raises(ValueError, match="outside the path"):
        cv.predict_at(X, cv.alphas_[1].min() / 2)
    with pytest.raises(TypeError, match="alpha must be a number"):
        cv.coef_at("large")
    with pytest.raises(ValueError, match="outside the path"):
        cv.coef_at(float("nan"))
    with pytest.raises(ValueError, match="was not cross-validated"):
        cv.coef_at(cv.alpha_, l1_ratio=0.5)
    with pytest.raises(ValueError, match="features"):
        cv.predict_at(X[:, :3], cv.alpha_)
    no_intercept = sr.LassoCV(cv=3, fit_intercept=False).fit(X, y)
    assert not no_intercept.intercept_path_.any()
    assert no_intercept.coef_at(no_intercept.alpha_)[1] == 0.0
