"""The bundled prostate data against ESL's Table 3.3, and the synthetic maker."""

import numpy as np
import pytest
from scipy.optimize import brentq

from sparsereg import Ridge
from sparsereg.datasets import load_prostate, make_sparse_regression

# Hastie, Tibshirani & Friedman, ESL (2nd ed.), Table 3.3: intercept and the 8
# coefficients of least squares and of ridge regression, standardized predictors,
# fitted on the 67 training rows; test error of least squares on the other 30
ESL_LS = [2.465, 0.680, 0.263, -0.141, 0.210, 0.305, -0.288, -0.021, 0.267]
ESL_LS_TEST_ERROR = 0.521
ESL_RIDGE = [0.420, 0.238, -0.046, 0.162, 0.227, 0.000, 0.040, 0.133]


def _standardized():
    data = load_prostate()
    X = data.data
    Xs = (X - X.mean(axis=0)) / X.std(axis=0, ddof=1)  # ESL: all 97 rows
    return Xs, data.target, data.train


def test_prostate_layout():
    data = load_prostate()
    assert data.data.shape == (97, 8) and data.target.shape == (97,)
    assert data.feature_names == ["lcavol", "lweight", "age", "lbph", "svi", "lcp",
                                  "gleason", "pgg45"]
    assert data.target_names == ["lpsa"]
    assert data.train.dtype == bool and data.train.sum() == 67
    assert "Stamey" in data.DESCR
    X, y = load_prostate(return_X_y=True)
    np.testing.assert_array_equal(X, data.data)
    pd = pytest.importorskip("pandas")
    Xf, yf = load_prostate(return_X_y=True, as_frame=True)
    assert isinstance(Xf, pd.DataFrame) and list(Xf.columns) == data.feature_names
    np.testing.assert_array_equal(yf.to_numpy(), data.target)


def test_least_squares_column_of_esl_table_3_3():
    Xs, y, train = _standardized()
    A = np.column_stack([np.ones(train.sum()), Xs[train]])
    coef = np.linalg.lstsq(A, y[train], rcond=None)[0]
    np.testing.assert_allclose(coef, ESL_LS, atol=5e-4)
    A_test = np.column_stack([np.ones((~train).sum()), Xs[~train]])
    test_error = np.mean((y[~train] - A_test @ coef) ** 2)
    assert test_error == pytest.approx(ESL_LS_TEST_ERROR, abs=5e-4)
    # sparsereg's Ridge with a negligible penalty is the same least-squares fit
    ridge = Ridge(alpha=1e-10).fit(Xs[train], y[train])
    np.testing.assert_allclose(ridge.coef_, coef[1:], atol=1e-8)


def test_ridge_column_of_esl_table_3_3():
    """ESL's ridge fit has 5 effective degrees of freedom (its Figure 3.7)."""
    Xs, y, train = _standardized()
    Xt = Xs[train] - Xs[train].mean(axis=0)
    s2 = np.linalg.svd(Xt, compute_uv=False) ** 2
    lam = brentq(lambda a: np.sum(s2 / (s2 + a)) - 5.0, 1e-6, 1e4)
    ridge = Ridge(alpha=lam).fit(Xs[train], y[train])
    np.testing.assert_allclose(ridge.coef_, ESL_RIDGE, atol=3e-3)


def test_make_sparse_regression():
    X, y, coef = make_sparse_regression(2000, 30, 4, rho=0.5, noise=0.1,
                                        random_state=0)
    assert X.shape == (2000, 30) and np.count_nonzero(coef) == 4
    assert np.all((np.abs(coef[coef != 0]) >= 1) & (np.abs(coef[coef != 0]) <= 3))
    corr = np.corrcoef(X[:, 0], X[:, 1])[0, 1]
    assert corr == pytest.approx(0.5, abs=0.05)
    assert np.std(y - X @ coef) == pytest.approx(0.1, rel=0.1)
    X2, y2, coef2 = make_sparse_regression(2000, 30, 4, rho=0.5, noise=0.1,
                                           random_state=0)
    np.testing.assert_array_equal(y, y2)
    with pytest.raises(ValueError, match="n_informative"):
        make_sparse_regression(10, 5, 6)
    with pytest.raises(ValueError, match="rho"):
        make_sparse_regression(10, 5, 2, rho=1.0)
