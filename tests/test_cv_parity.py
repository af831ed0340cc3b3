"""RidgeCV, LassoCV, ElasticNetCV and the path functions behave as scikit-learn's
where its own tests (tests/conformance) found them apart: RidgeCV's alphas, modes,
dtypes, scorers and cv_results_, fit metadata without routing, and
``enet_path(positive=True)`` with several targets."""

import numpy as np
import pytest
from scipy import sparse
from sklearn import config_context
from sklearn import linear_model as sk
from sklearn.model_selection import GroupKFold, LeaveOneOut

import sparsereg as sr


def offset_data(n=11, p=8, n_targets=1, seed=0):
    """A regression whose features have means far from 0 (centering matters)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + 10 * rng.uniform(1, 2, p)
    y = X @ rng.uniform(-3, 3, (p, n_targets)) + rng.standard_normal((n, n_targets))
    return X, (y[:, 0] if n_targets == 1 else y)


def test_ridge_cv_svd_mode_on_sparse_x_warns_and_uses_eigen():
    X, y = offset_data(30, 6)
    Xs = sparse.csr_matrix(X)
    with pytest.warns(FutureWarning, match="The 'svd' mode is not supported for "
                                           "sparse X, we fallback to"):
        svd = sr.RidgeCV(gcv_mode="svd").fit(Xs, y)
    eigen = sr.RidgeCV(gcv_mode="eigen").fit(Xs, y)
    assert svd.alpha_ == eigen.alpha_
    np.testing.assert_array_equal(svd.coef_, eigen.coef_)
    with pytest.warns(FutureWarning, match="The 'svd' mode is not supported"):
        ref = sk.RidgeCV(gcv_mode="svd").fit(Xs, y)
    np.testing.assert_allclose(svd.coef_, ref.coef_, rtol=1e-8)


@pytest.mark.parametrize("fmt", ["dense", "csr"])
@pytest.mark.parametrize("gcv_mode", ["eigen", "svd", None])
def test_ridge_cv_computes_in_float64_for_float32_x(fmt, gcv_mode):
    """float32 X is decomposed in float64, as scikit-learn does (in float32 the
    rank-one centering of sparse X lost 1e-4 of the coefficients); coef_ and
    intercept_ come back in float32."""
    X, y = offset_data()
    X32 = X.astype(np.float32)
    X64 = X32.astype(np.float64)
    if fmt == "csr":
        X32, X64 = sparse.csr_matrix(X32), sparse.csr_matrix(X64)
    kw = dict(alphas=[1e-3, 0.1, 1.0, 10.0, 1e3])
    if not (fmt == "csr" and gcv_mode == "svd"):
        kw["gcv_mode"] = gcv_mode
    low = sr.RidgeCV(**kw).fit(X32, y.astype(np.float32))
    high = sr.RidgeCV(**kw).fit(X64, y.astype(np.float32).astype(np.float64))
    assert low.coef_.dtype == np.float32 and low.intercept_.dtype == np.float32
    assert low.alpha_ == high.alpha_
    np.testing.assert_allclose(low.coef_, high.coef_, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(low.intercept_, high.intercept_, rtol=1e-6)


@pytest.mark.parametrize("fmt", ["dense", "csr"])
@pytest.mark.parametrize("shape", [(100, 50), (50, 100)], ids=["tall", "wide"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_ridge_cv_regularization_limits_in_float32(fmt, shape, fit_intercept):
    """alpha -> 0 gives least squares (the minimum-norm solution for p > n) and
    alpha -> inf zero coefficients, to scikit-learn's float32 tolerance."""
    rng = np.random.default_rng(42)
    X = rng.standard_normal(shape)
    y = X @ rng.uniform(-50, 50, shape[1]) + 10.0
    X32 = X.astype(np.float32)
    X32 = sparse.csr_matrix(X32) if fmt == "csr" else X32
    y32 = y.astype(np.float32)
    ols = sk.LinearRegression(fit_intercept=fit_intercept).fit(X, y)
    tiny = sr.RidgeCV(alphas=[1e-16], fit_intercept=fit_intercept).fit(X32, y32)
    np.testing.assert_allclose(tiny.coef_, ols.coef_, atol=1e-5, rtol=1e-5)
    np.testing.assert_allclose(tiny.intercept_, ols.intercept_, atol=1e-5, rtol=1e-6)
    huge = sr.RidgeCV(alphas=[1e16], fit_intercept=fit_intercept).fit(X32, y32)
    np.testing.assert_allclose(huge.coef_, 0.0, atol=1e-5)
    np.testing.assert_allclose(huge.intercept_, y.mean() if fit_intercept else 0.0,
                               rtol=1e-6)


@pytest.mark.parametrize("alphas, exc, match", [
    ((1, -1, -100), ValueError, r"alphas\[1\] == -1, must be > 0.0"),
    ((-0.1, -1.0, -10.0), ValueError, r"alphas\[0\] == -0.1, must be > 0.0"),
    ((1, 1.0, "1"), TypeError, r"alphas\[2\] must be an instance of float, not str"),
    ((0.0, 1.0, 10.0), ValueError, r"alphas\[0\] == 0.0, must be > 0.0"),
    ([0.0], ValueError, r"alphas == 0.0, must be > 0.0"),
])
def test_ridge_cv_alphas_checked_with_sklearn_messages(alphas, exc, match):
    X, y = offset_data()
    with pytest.raises(exc, match=match):
        sr.RidgeCV(alphas=alphas).fit(X, y)
    with pytest.raises(exc, match=match):
        sk.RidgeCV(alphas=alphas).fit(X, y)


def test_ridge_cv_alpha_zero_is_allowed_with_a_cv():
    """With a cv, alpha = 0 is ordinary least squares (scikit-learn allows it)."""
    X, y = offset_data(40, 5)
    with pytest.raises(ValueError, match=r"alphas\[0\] == -1.0, must be >= 0.0"):
        sr.RidgeCV(alphas=(-1.0, 1.0), cv=3).fit(X, y)
    ours = sr.RidgeCV(alphas=[0.0], cv=3).fit(X, y)
    ols = sk.LinearRegression().fit(X, y)
    assert ours.alpha_ == 0.0
    np.testing.assert_allclose(ours.coef_, ols.coef_, rtol=1e-9)
    ref = sk.RidgeCV(alphas=(0.0, 1.0, 10.0), cv=3).fit(X, y)
    both = sr.RidgeCV(alphas=(0.0, 1.0, 10.0), cv=3).fit(X, y)
    assert both.alpha_ == ref.alpha_
    assert both.best_score_ == pytest.approx(ref.best_score_, rel=1e-9)


def test_ridge_cv_incompatible_options_messages():
    X, y = offset_data()
    with pytest.raises(ValueError, match="cv!=None and store_cv_results=True are "
                                         "incompatible"):
        sr.RidgeCV(cv=3, store_cv_results=True).fit(X, y)
    with pytest.raises(ValueError, match="cv!=None and alpha_per_target=True are "
                                         "incompatible"):
        sr.RidgeCV(cv=3, alpha_per_target=True).fit(X, y)


@pytest.mark.parametrize("shape", [(50, 10), (10, 50)], ids=["tall", "wide"])
def test_ridge_cv_multioutput_scorer_sees_all_targets(shape):
    """A custom scorer scores the 2-D LOO predictions at once (here weighting the
    targets 2:1), as scikit-learn does, not target by target."""
    X, Y = offset_data(*shape, n_targets=2)

    def error(y_true, y_pred):
        return np.average(np.mean((y_true - y_pred) ** 2, axis=0), weights=[2, 1])

    def scorer(estimator, X, y):
        return -error(y, estimator.predict(X))

    ours = sr.RidgeCV(scoring=scorer).fit(X, Y)
    loo = np.squeeze([sr.Ridge(alpha=ours.alpha_).fit(X[tr], Y[tr]).predict(X[te])
                      for tr, te in LeaveOneOut().split(X)])
    assert ours.best_score_ == pytest.approx(-error(Y, loo), rel=1e-7)
    ref = sk.RidgeCV(scoring=scorer).fit(X, Y)
    assert ours.alpha_ == ref.alpha_
    assert ours.best_score_ == pytest.approx(ref.best_score_, rel=1e-7)


def test_ridge_cv_keeps_cv_results_only_when_asked():
    X, y = offset_data(20, 4)
    default = sr.RidgeCV().fit(X, y)
    assert not hasattr(default, "cv_results_")
    assert sorted(default.cv_table_["param_alpha"]) == [0.1, 1.0, 10.0]
    stored = sr.RidgeCV(store_cv_results=True).fit(X, y)
    assert stored.cv_results_.shape == (20, 3)
    np.testing.assert_allclose(stored.cv_results_.mean(axis=0),
                               stored.cv_table_["mean_test_error"], rtol=1e-12)
    assert not hasattr(sr.RidgeCV(cv=3).fit(X, y), "cv_results_")


@pytest.mark.parametrize("make", [
    lambda: sr.LassoCV(cv=GroupKFold(3), alphas=5),
    lambda: sr.ElasticNetCV(cv=GroupKFold(3), alphas=5),
    lambda: sr.RidgeCV(cv=GroupKFold(3)),
], ids=["LassoCV", "ElasticNetCV", "RidgeCV"])
def test_fit_metadata_needs_routing_and_goes_to_the_splitter(make):
    """groups (any metadata for the splitter) is refused without metadata routing,
    with scikit-learn's message; with it, it reaches cv.split."""
    X, y = offset_data(30, 5)
    groups = np.arange(30) % 6
    with pytest.raises(ValueError, match="is only supported if "
                                         "enable_metadata_routing=True"):
        make().fit(X, y, groups=groups)
    with config_context(enable_metadata_routing=True):
        routed = make().fit(X, y, groups=groups)
    folds = list(GroupKFold(3).split(X, y, groups))
    given = make().set_params(cv=folds).fit(X, y)
    assert routed.alpha_ == given.alpha_
    np.testing.assert_array_equal(routed.coef_, given.coef_)


@pytest.mark.parametrize("path", [sr.enet_path, sr.lasso_path])
def test_path_positive_needs_a_single_target(path):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 6))
    Y = X @ rng.standard_normal((6, 2))
    with pytest.raises(ValueError, match="positive=True is not allowed for "
                                         "multi-output"):
        path(X, Y, positive=True, alphas=3)
    with pytest.raises(ValueError, match="positive=True is not allowed"):
        getattr(sk, path.__name__)(X, Y, positive=True, alphas=3)
    _, coefs, _ = path(X, Y[:, 0], positive=True, alphas=3)
    assert np.all(coefs >= 0)
    assert path(X, Y, alphas=3)[1].shape == (2, 6, 3)
