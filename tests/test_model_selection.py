"""LassoCV / ElasticNetCV: agreement with scikit-learn, selection rules, results."""

import pickle
import sys
import threading
import time
import warnings

import numpy as np
import pytest
from _helpers import make_data, to_format
from sklearn import config_context
from sklearn import linear_model as sk
from sklearn.base import clone
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import (
    GridSearchCV,
    GroupKFold,
    KFold,
    cross_val_score,
    cross_validate,
)
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

import sparsereg as sr

TIGHT = dict(tol=1e-10, max_iter=100_000)


def _sk_fit(est, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(*args, **kwargs)


@pytest.fixture(scope="module")
def diabetes():
    return load_diabetes(return_X_y=True)


@pytest.mark.parametrize("fmt", ["dense", "csc"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_lasso_cv_matches_sklearn(fmt, weighted, fit_intercept):
    X, y = make_data(80, 40, rho=0.6, seed=0) if fmt == "dense" else make_data(
        80, 40, density=0.3, seed=0)
    X = to_format(X, fmt)
    sw = np.random.default_rng(1).uniform(0.5, 2, 80) if weighted else None
    cv = KFold(4, shuffle=True, random_state=0)
    kw = dict(cv=cv, alphas=30, fit_intercept=fit_intercept, **TIGHT)
    ours = sr.LassoCV(**kw).fit(X, y, sample_weight=sw)
    ref = _sk_fit(sk.LassoCV(**kw), X, y, sample_weight=sw)
    np.testing.assert_allclose(ours.alphas_, ref.alphas_, rtol=1e-12)
    assert list(ours.alphas_).index(ours.alpha_) == list(ref.alphas_).index(ref.alpha_)
    np.testing.assert_allclose(ours.mse_path_, ref.mse_path_, rtol=1e-6)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-6,
                               atol=1e-6 * np.abs(ref.coef_).max())
    assert ours.intercept_ == pytest.approx(ref.intercept_, rel=1e-6, abs=1e-9)


def test_elastic_net_cv_matches_sklearn(diabetes):
    X, y = diabetes
    cv = KFold(5)
    kw = dict(l1_ratio=[0.1, 0.5, 0.9, 1.0], cv=cv, alphas=40, **TIGHT)
    ours = sr.ElasticNetCV(**kw).fit(X, y)
    ref = _sk_fit(sk.ElasticNetCV(**kw), X, y)
    assert ours.l1_ratio_ == ref.l1_ratio_
    assert ours.alpha_ == pytest.approx(ref.alpha_, rel=1e-12)
    assert ours.mse_path_.shape == ref.mse_path_.shape == (4, 40, 5)
    np.testing.assert_allclose(ours.alphas_, ref.alphas_, rtol=1e-12)
    np.testing.assert_allclose(ours.mse_path_, ref.mse_path_, rtol=1e-6)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-6, atol=1e-6)


def test_one_standard_error_rule_by_hand(diabetes):
    X, y = diabetes
    est = sr.LassoCV(cv=KFold(5), alpha_rule="1se", **TIGHT).fit(X, y)
    mse = est.mse_path_
    mean = mse.mean(axis=1)
    best = np.argmin(mean)
    se = mse[best].std(ddof=1) / np.sqrt(mse.shape[1])
    expected = est.alphas_[np.flatnonzero(mean <= mean[best] + se)].max()
    assert est.alpha_ == est.alpha_1se_ == expected
    assert est.alpha_min_ == est.alphas_[best] < est.alpha_1se_
    at_min = sr.Lasso(alpha=est.alpha_min_, **TIGHT).fit(X, y)
    assert np.count_nonzero(est.coef_) <= np.count_nonzero(at_min.coef_)
    # the default rule keeps scikit-learn's choice and still reports the 1se alpha
    default = sr.LassoCV(cv=KFold(5), **TIGHT).fit(X, y)
    assert default.alpha_ == default.alpha_min_ and default.alpha_1se_ == expected


def test_callable_rule_and_max_nonzero(diabetes):
    X, y = diabetes

    def sparsest_within_5_percent(results):
        mean = results["mean_test_error"]
        ok = np.flatnonzero(mean <= 1.05 * mean.min())
        return ok[np.argmin(results["n_nonzero"][ok])]

    est = sr.LassoCV(cv=KFold(5), alpha_rule=sparsest_within_5_percent, **TIGHT)
    est.fit(X, y)
    res = est.cv_results_
    k = sparsest_within_5_percent(res)
    assert est.alpha_ == res["param_alpha"][k]
    assert np.count_nonzero(est.coef_) == res["n_nonzero"][k]

    capped = sr.LassoCV(cv=KFold(5), max_nonzero=3, **TIGHT).fit(X, y)
    assert np.count_nonzero(capped.coef_) <= 3
    eligible = res["n_nonzero"] <= 3
    best = np.argmin(np.where(eligible, res["mean_test_error"], np.inf))
    assert capped.alpha_ == res["param_alpha"][best]
    with pytest.raises(ValueError, match="max_nonzero"):
        sr.LassoCV(cv=3, max_nonzero=0, alphas=[0.01, 0.001]).fit(X, y)
    with pytest.raises(ValueError, match="callable"):
        sr.LassoCV(cv=3, alphas=5, max_nonzero=3,
                   alpha_rule=sparsest_within_5_percent).fit(X, y)


def test_cv_results_layout_and_selection_frequency(diabetes):
    X, y = diabetes
    folds = list(KFold(4).split(X))
    est = sr.ElasticNetCV(l1_ratio=[0.5, 1.0], cv=folds, alphas=10, **TIGHT).fit(X, y)
    res = est.cv_results_
    assert len(res["param_alpha"]) == 20
    np.testing.assert_allclose(res["mean_test_error"],
                               est.mse_path_.reshape(20, 4).mean(axis=1))
    folds_err = est.mse_path_.reshape(20, 4)
    np.testing.assert_allclose(res["std_test_error"], folds_err.std(axis=1))
    np.testing.assert_allclose(res["sem_test_error"], folds_err.std(axis=1, ddof=1) / 2)
    assert est.coef_path_.shape == (2, 10, 10)
    np.testing.assert_array_equal(res["n_nonzero"],
                                  np.count_nonzero(est.coef_path_, axis=1).ravel())
    # selection frequency recomputed from independent per-fold fits
    freq = np.zeros(X.shape[1])
    for train, _ in folds:
        m = sr.ElasticNet(alpha=est.alpha_, l1_ratio=est.l1_ratio_, **TIGHT)
        freq += m.fit(X[train], y[train]).coef_ != 0
    np.testing.assert_allclose(est.selection_frequency_, freq / 4)


def test_grid_search_selects_the_same_alpha(diabetes):
    X, y = diabetes
    Xs = StandardScaler().fit_transform(X)
    folds = list(KFold(5).split(X))
    cv_est = sr.LassoCV(cv=folds, alphas=25, **TIGHT).fit(Xs, y)
    pipe = Pipeline([("scale", StandardScaler()), ("lasso", sr.Lasso(**TIGHT))])
    search = GridSearchCV(pipe, {"lasso__alpha": cv_est.alphas_}, cv=folds,
                          scoring="neg_mean_squared_error").fit(Xs, y)
    assert search.best_params_["lasso__alpha"] == cv_est.alpha_
    plain = GridSearchCV(sr.Lasso(**TIGHT), {"alpha": cv_est.alphas_}, cv=folds,
                         scoring="neg_mean_squared_error").fit(Xs, y)
    np.testing.assert_allclose(-plain.cv_results_["mean_test_score"],
                               cv_est.mse_path_.mean(axis=1), rtol=1e-7)


def test_scoring_matches_grid_search_with_the_same_scorer(diabetes):
    X, y = diabetes
    folds = list(KFold(5).split(X))
    est = sr.LassoCV(cv=folds, alphas=15, scoring="neg_mean_absolute_error",
                     **TIGHT).fit(X, y)
    search = GridSearchCV(sr.Lasso(**TIGHT), {"alpha": est.alphas_}, cv=folds,
                          scoring="neg_mean_absolute_error").fit(X, y)
    assert est.alpha_ == search.best_params_["alpha"]
    np.testing.assert_allclose(est.cv_results_["mean_test_error"],
                               -search.cv_results_["mean_test_score"], rtol=1e-7)


def test_sklearn_tooling_clone_pickle_groups_and_parallel(diabetes):
    X, y = diabetes
    est = sr.LassoCV(cv=3, alphas=10)
    scores = cross_val_score(est, X, y, cv=3)
    assert scores.shape == (3,) and np.all(scores > 0.3)
    out = cross_validate(clone(est), X, y, cv=3, return_estimator=True)
    assert all(hasattr(e, "alpha_") for e in out["estimator"])
    fitted = est.fit(X, y)
    again = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(again.predict(X), fitted.predict(X))
    groups = np.arange(len(y)) % 7
    with config_context(enable_metadata_routing=True):  # groups go to the splitter
        g = sr.LassoCV(cv=GroupKFold(7), alphas=10).fit(X, y, groups=groups)
    assert g.mse_path_.shape == (10, 7)
    seq = sr.ElasticNetCV(l1_ratio=[0.3, 1.0], cv=4, alphas=10, n_jobs=1).fit(X, y)
    par = sr.ElasticNetCV(l1_ratio=[0.3, 1.0], cv=4, alphas=10, n_jobs=2).fit(X, y)
    np.testing.assert_array_equal(seq.mse_path_, par.mse_path_)
    assert seq.alpha_ == par.alpha_


def test_edge_of_grid_warning(diabetes):
    X, y = diabetes
    with pytest.warns(sr.AlphaGridEdgeWarning, match="smallest"):
        sr.LassoCV(cv=3, alphas=[10.0, 5.0, 2.0]).fit(X, y)  # still improving
    rng = np.random.default_rng(0)
    Xn, noise = rng.standard_normal((60, 10)), rng.standard_normal(60)
    top = np.abs((Xn - Xn.mean(0)).T @ (noise - noise.mean())).max() / 60
    with pytest.warns(sr.AlphaGridEdgeWarning, match="largest"):
        # pure noise: the more shrinkage the better, and the top model is not empty
        sr.LassoCV(cv=3, alphas=[0.5 * top, 0.2 * top, 0.1 * top]).fit(Xn, noise)
    with warnings.catch_warnings():  # an empty model on top: nothing to widen
        warnings.simplefilter("error", sr.AlphaGridEdgeWarning)
        est = sr.LassoCV(cv=3, alphas=[3 * top, 2 * top]).fit(Xn, noise)
        assert est.alpha_ == 3 * top and not est.coef_.any()
    with warnings.catch_warnings():  # a flat, effectively unpenalized small end
        warnings.simplefilter("error", sr.AlphaGridEdgeWarning)
        sr.LassoCV(cv=3, alphas=[1.0, 0.1, 1e-9, 1e-10]).fit(X, y)


def test_bad_input():
    X, y = make_data(30, 5, seed=2)
    with pytest.raises(ValueError, match="y should be a 1d array"):
        sr.LassoCV(cv=3).fit(X, np.c_[y, y])
    with pytest.raises(ValueError, match="l1_ratio=0"):
        sr.ElasticNetCV(cv=3, l1_ratio=[0.0, 0.5]).fit(X, y)
    with pytest.raises(ValueError, match="alpha_rule"):
        sr.LassoCV(alpha_rule="max").fit(X, y)


@pytest.mark.parametrize("fmt", ["dense", "csr"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("gcv_mode", [None, "eigen", "svd"])
def test_ridge_cv_leave_one_out_matches_sklearn(fmt, fit_intercept, weighted,
                                                gcv_mode):
    if fmt != "dense" and gcv_mode == "svd":
        pytest.skip("svd needs dense X")
    X, y = make_data(40, 12, rho=0.5, seed=3)
    X = to_format(X, fmt)
    sw = np.random.default_rng(3).uniform(0.5, 2, 40) if weighted else None
    kw = dict(alphas=np.logspace(-3, 3, 13), fit_intercept=fit_intercept,
              gcv_mode=gcv_mode, store_cv_results=True)
    ours = sr.RidgeCV(**kw).fit(X, y, sample_weight=sw)
    ref = sk.RidgeCV(**kw).fit(X, y, sample_weight=sw)
    assert ours.alpha_ == ref.alpha_
    assert ours.best_score_ == pytest.approx(ref.best_score_, rel=1e-8)
    np.testing.assert_allclose(ours.cv_results_, ref.cv_results_, rtol=1e-7,
                               atol=1e-10 * np.abs(ref.cv_results_).max())
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-7, atol=1e-10)


@pytest.mark.parametrize("weighted", [False, True])
def test_ridge_loo_gram_decomposition_and_its_fallback(weighted):
    """n >= p, dense: "auto" decomposes the p x p Gram matrix (cheaper than an SVD
    of X) when its eigenvalues are accurate enough for the alphas, and agrees with
    the SVD to ~1e-9; on a nearly collinear X with a tiny alpha it falls back to
    the SVD, and the answer still matches scikit-learn's."""
    from sparsereg._solvers.problem import Problem
    from sparsereg.model_selection._ridge_cv import _decomposition

    rng = np.random.default_rng(8)
    X, y = make_data(200, 30, rho=0.6, seed=8)
    sw = rng.uniform(0.5, 2, 200) if weighted else None
    prob = Problem(X, y[:, None], sw, True, True)
    alphas = np.logspace(-3, 3, 20)
    gram = _decomposition(prob, "auto", alphas)
    svd = _decomposition(prob, "svd", alphas)
    assert gram.mode == "gram" and svd.mode == "svd"
    e_gram, e_svd = gram.errors_all(alphas), svd.errors_all(alphas)
    np.testing.assert_allclose(e_gram, e_svd, rtol=1e-9,
                               atol=1e-12 * np.abs(e_svd).max())
    np.testing.assert_allclose(gram.coefs(alphas), svd.coefs(alphas), rtol=1e-9,
                               atol=1e-12)
    # one alpha at a time equals all at once
    np.testing.assert_allclose(gram.errors(alphas[3]), e_gram[3], rtol=1e-12)

    Xc = X.copy()
    Xc[:, 1] = Xc[:, 0] + 1e-7 * rng.standard_normal(200)  # eigenvalue ~1e-12 lam_max
    prob = Problem(Xc, y[:, None], sw, True, True)
    tiny = np.array([1e-10, 1e-3, 1.0])
    assert _decomposition(prob, "auto", tiny).mode == "svd"
    assert _decomposition(prob, "auto", np.array([1e-3, 1.0])).mode == "gram"
    # the answer there is the actual leave-one-out error (refits by least squares on
    # the augmented system); scikit-learn's 1/alpha formula is 0.7% off at 1e-10
    ours = sr.RidgeCV(alphas=tiny, store_cv_results=True).fit(Xc, y)
    exact = []
    for i in range(200):
        keep = np.arange(200) != i
        xm, ym = Xc[keep].mean(0), y[keep].mean()
        A = np.vstack([Xc[keep] - xm, np.sqrt(1e-10) * np.eye(30)])
        w = np.linalg.lstsq(A, np.r_[y[keep] - ym, np.zeros(30)], rcond=None)[0]
        exact.append((y[i] - (Xc[i] - xm) @ w - ym) ** 2)
    np.testing.assert_allclose(ours.cv_results_[:, 0], exact, rtol=1e-7)


def test_ridge_cv_leave_one_out_is_an_actual_leave_one_out(diabetes):
    """The closed form equals n refits, each without one sample."""
    X, y = diabetes
    X, y = X[:60], y[:60]
    est = sr.RidgeCV(alphas=[0.01, 0.1], store_cv_results=True).fit(X, y)
    for a, alpha in enumerate([0.01, 0.1]):
        errs = []
        for i in range(60):
            keep = np.arange(60) != i
            m = sr.Ridge(alpha=alpha).fit(X[keep], y[keep])
            errs.append((y[i] - m.predict(X[i:i + 1])[0]) ** 2)
        np.testing.assert_allclose(est.cv_results_[:, a], errs, rtol=1e-8)


def test_ridge_cv_k_fold_scoring_and_per_target(diabetes):
    X, y = diabetes
    al = np.logspace(-4, 1, 11)
    ours = sr.RidgeCV(alphas=al, cv=5).fit(X, y)
    ref = sk.RidgeCV(alphas=al, cv=5).fit(X, y)
    assert ours.alpha_ == ref.alpha_
    assert ours.best_score_ == pytest.approx(ref.best_score_, rel=1e-10)
    res = ours.cv_table_
    assert "split4_test_error" in res and len(res["param_alpha"]) == 11
    assert np.all(res["n_nonzero"] == X.shape[1])
    Y = np.c_[y, np.sqrt(y)]
    for kw in (dict(alpha_per_target=True), dict(scoring="neg_mean_absolute_error"),
               dict(scoring="r2", cv=4)):
        o = sr.RidgeCV(alphas=al, **kw).fit(X, Y)
        r = sk.RidgeCV(alphas=al, **kw).fit(X, Y)
        np.testing.assert_array_equal(o.alpha_, r.alpha_)
        np.testing.assert_allclose(o.best_score_, r.best_score_, rtol=1e-8)
    with pytest.raises(ValueError, match="incompatible"):
        sr.RidgeCV(cv=3, store_cv_results=True).fit(X, y)
    with pytest.raises(ValueError, match="alphas"):
        sr.RidgeCV(alphas=[1.0, 0.0]).fit(X, y)


def test_verbose_reports_folds_and_the_alpha_grid(capsys):
    X, y = make_data(40, 8, seed=4)
    sr.LassoCV(cv=3, alphas=5, verbose=1).fit(X, y)
    out = capsys.readouterr()
    text = out.out + out.err
    assert "Parallel" in text  # joblib's per-fold progress
    assert text.count("[path] alpha") == 5  # the full-data path, one line per alpha
    sr.LassoCV(cv=3, alphas=5).fit(X, y)
    out = capsys.readouterr()
    assert "[path]" not in out.out + out.err


def test_rounding_level_ties_go_to_the_largest_alpha():
    from sparsereg.model_selection._common import argmin_tied
    mean = np.array([3.0, 2.0, 1.0 + 4e-16, 1.0, 1.0 + 1e-9])
    assert argmin_tied(mean) == 2  # 4e-16 above the minimum: a tie
    assert np.argmin(mean) == 3
    assert argmin_tied(np.array([2.0, 1.0, 1.0])) == 1  # exact ties: np.argmin's
    assert argmin_tied(np.array([[5.0, 1.0], [1.0 + 1e-15, 0.5]])) == 3


def test_folds_in_threads_equal_the_sequential_fit():
    from sparsereg._kernels.epochs import epochs, gap_terms
    from sparsereg._kernels.gap import enet_dual
    from sparsereg._solvers.gram_path import path, solve_plain

    assert all(f.targetoptions.get("nogil") for f in (
        epochs, gap_terms, enet_dual, path, solve_plain))
    X, y = make_data(60, 120, rho=0.6, seed=11)
    seq = sr.ElasticNetCV(l1_ratio=[0.5, 1.0], cv=4, tol=1e-8).fit(X, y)
    par = sr.ElasticNetCV(l1_ratio=[0.5, 1.0], cv=4, tol=1e-8, n_jobs=2).fit(X, y)
    np.testing.assert_array_equal(par.mse_path_, seq.mse_path_)
    np.testing.assert_array_equal(par.coef_, seq.coef_)
    assert (par.alpha_, par.l1_ratio_) == (seq.alpha_, seq.l1_ratio_)


# ---------------------------------------------- n > p folds from Gram matrices


def _fold_copies(monkeypatch):
    """Force the per-fold copies (the route scikit-learn takes) for a reference."""
    from sparsereg.model_selection import _folds as _cv_folds

    monkeypatch.setattr(_cv_folds.FoldGrams, "applies",
                        staticmethod(lambda *args: False))


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_gram_folds_equal_the_fold_copies(monkeypatch, weighted, fit_intercept,
                                          dtype):
    X, y = make_data(300, 12, rho=0.8, seed=3)
    X = (X * [1e3] + 50.0 * np.arange(12)).astype(dtype)  # far from centered
    sw = np.random.default_rng(2).uniform(0.2, 3, 300) if weighted else None
    kw = dict(l1_ratio=[0.3, 1.0], cv=KFold(5, shuffle=True, random_state=1),
              alphas=25, fit_intercept=fit_intercept, **TIGHT)
    from sparsereg.model_selection._folds import FoldGrams

    built = []
    monkeypatch.setattr(FoldGrams, "__init__", _recording(FoldGrams.__init__, built))
    fast = sr.ElasticNetCV(**kw).fit(X, y, sample_weight=sw)
    assert built, "the Gram route was not taken"
    _fold_copies(monkeypatch)
    ref = sr.ElasticNetCV(**kw).fit(X, y, sample_weight=sw)
    rtol = 1e-5 if dtype == np.float32 else 1e-9
    np.testing.assert_allclose(fast.mse_path_, ref.mse_path_, rtol=rtol)
    # the same grid point (X'y summed over the folds: alpha_max differs by
    # rounding; float32 X: the Gram route centers in float64, the fold copies in
    # float32, so it differs in the 8th digit)
    np.testing.assert_allclose(fast.alphas_, ref.alphas_,
                               rtol=1e-6 if dtype == np.float32 else 1e-14)
    assert fast.l1_ratio_ == ref.l1_ratio_
    i = np.flatnonzero(np.asarray(fast.l1_ratio) == fast.l1_ratio_)[0]
    assert (np.argmin(abs(fast.alphas_[i] - fast.alpha_))
            == np.argmin(abs(ref.alphas_[i] - ref.alpha_)))
    np.testing.assert_allclose(fast.coef_, ref.coef_, rtol=rtol, atol=1e-12)
    np.testing.assert_array_equal(fast.selection_frequency_ > 0,
                                  ref.selection_frequency_ > 0)


def _recording(init, calls):
    def wrapped(self, *args, **kwargs):
        calls.append(1)
        init(self, *args, **kwargs)
    return wrapped


def test_gram_folds_scorer_and_noise_free_errors(monkeypatch):
    X, y = make_data(200, 8, seed=4)
    y_exact = X[:, :3] @ np.array([1.0, -2.0, 0.5]) + 3.0  # held-out MSE -> 0
    kw = dict(cv=4, alphas=np.geomspace(1e-9, 1.0, 20), **TIGHT)
    fast = [sr.LassoCV(**kw).fit(X, y_exact),
            sr.LassoCV(scoring="neg_mean_absolute_error", **kw).fit(X, y)]
    _fold_copies(monkeypatch)
    ref = [sr.LassoCV(**kw).fit(X, y_exact),
           sr.LassoCV(scoring="neg_mean_absolute_error", **kw).fit(X, y)]
    # the smallest errors are < 1e-10 of y's variance, where the Gram expansion
    # would cancel to ~1e-6 relative accuracy: they are recomputed from the rows
    assert ref[0].mse_path_.min() < 1e-10 * y_exact.var()
    for f, r in zip(fast, ref, strict=True):
        np.testing.assert_allclose(f.mse_path_, r.mse_path_, rtol=1e-6)
        assert f.alpha_ == r.alpha_


@pytest.mark.parametrize("case", ["shuffle_split", "overlapping_tests", "p_ge_n_train",
                                  "precompute_false", "unpenalized", "sparse",
                                  "prox_grad"])
def test_gram_folds_only_where_they_apply(case):
    from scipy import sparse as sp
    from sklearn.model_selection import ShuffleSplit

    from sparsereg._solvers.dispatch import SolverOptions
    from sparsereg.model_selection._folds import FoldGrams

    X, y = make_data(100, 10, seed=5)
    est = sr.LassoCV()
    folds = list(KFold(5).split(X))
    assert FoldGrams.applies(SolverOptions.of(est), X, None, folds)
    if case == "shuffle_split":  # training + test rows are not all the rows
        folds = list(ShuffleSplit(3, train_size=0.5, test_size=0.2,
                                  random_state=0).split(X))
    elif case == "overlapping_tests":  # each fold partitions, the test sets do not
        folds = list(ShuffleSplit(5, test_size=0.1, random_state=0).split(X))
        assert all(len(tr) + len(te) == 100 for tr, te in folds)
    elif case == "p_ge_n_train":
        X = np.hstack([X] * 9)  # 90 features, 80 training rows
    elif case == "precompute_false":
        est.set_params(precompute=False)
    elif case == "unpenalized":
        est.set_params(penalty_factor=np.r_[0.0, np.ones(9)])
    elif case == "sparse":
        X = sp.csc_matrix(X)
    else:
        est.set_params(solver="fista")
    assert not FoldGrams.applies(SolverOptions.of(est), X, None, folds)


@pytest.mark.parametrize("splitter", ["shuffle", "repeated", "loo", "groups",
                                      "time", "predefined"])
def test_any_splitter_gives_the_errors_of_the_fold_copies(monkeypatch, splitter):
    """Splitters whose test sets overlap or miss rows (ShuffleSplit with the default
    train size, as in scikit-learn's own LassoCV-in-a-pipeline test; repeated
    k-fold; a time series; a predefined split leaving rows out) and those that
    partition (leave-one-out, group k-fold): the errors are those of the fold
    copies. (Overlapping test sets were once summed into the full Gram terms:
    wrong errors, and a crash once the gather trusted them.)"""
    from sklearn.model_selection import (
        GroupKFold,
        LeaveOneOut,
        PredefinedSplit,
        RepeatedKFold,
        ShuffleSplit,
        TimeSeriesSplit,
    )

    n = 40 if splitter == "loo" else 120
    X, y = make_data(n, 8, seed=9)
    cv = {"shuffle": ShuffleSplit(6, test_size=0.1, random_state=0),
          "repeated": RepeatedKFold(n_splits=3, n_repeats=2, random_state=0),
          "loo": LeaveOneOut(), "groups": GroupKFold(4), "time": TimeSeriesSplit(4),
          "predefined": PredefinedSplit(np.arange(n) % 4 - 1)}[splitter]
    # groups reach GroupKFold's split by metadata routing (the other splitters
    # take none: scikit-learn's routing refuses them groups)
    fit_params = {"groups": np.arange(n) % 7} if splitter == "groups" else {}
    kw = dict(cv=cv, alphas=20, **TIGHT)
    with config_context(enable_metadata_routing=True):
        fast = sr.LassoCV(**kw).fit(X, y, **fit_params)
        _fold_copies(monkeypatch)
        ref = sr.LassoCV(**kw).fit(X, y, **fit_params)
    np.testing.assert_allclose(fast.mse_path_, ref.mse_path_, rtol=1e-9)
    assert fast.alpha_ == ref.alpha_


def test_fold_sums_refuse_test_rows_that_do_not_partition():
    from sparsereg.model_selection._folds import _fold_sums

    X = np.asfortranarray(np.random.default_rng(0).standard_normal((50, 4)))
    r, u = np.ones(50), np.zeros(50)
    for tests in ([np.arange(30), np.arange(20, 50)],  # overlap
                  [np.arange(25), np.arange(26, 50)],  # a row missing
                  [np.arange(25), np.arange(25, 51)]):  # beyond the rows
        with pytest.raises(ValueError, match="every row exactly once"):
            _fold_sums(X, tests, np.zeros(4), r, u, 1)


@pytest.mark.parametrize("layout", ["F", "C", "strided"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("workers", [1, 2])
def test_fold_sums_equal_the_sums_over_each_folds_rows(monkeypatch, layout, dtype,
                                                        workers):
    from sparsereg.model_selection import _folds as _cv_folds

    rng = np.random.default_rng(7)
    n, p = 1003, 7
    base = rng.standard_normal((n, 2 * p)) * 10.0 + 3.0
    X = {"F": np.asfortranarray(base[:, :p]), "C": np.ascontiguousarray(base[:, :p]),
         "strided": base[:, ::2]}[layout].astype(dtype)
    tests = np.array_split(rng.permutation(n), 4)
    tests[2] = np.sort(tests[2])
    x_offset = rng.standard_normal(p)
    r, u = rng.uniform(0.5, 2.0, n), rng.standard_normal(n)
    # chunks of 256 rows: 4 chunks, the last one short, folds uneven per chunk
    monkeypatch.setattr(_cv_folds, "_CHUNK_BYTES", 8 * (p + 2) * 200)
    S = _cv_folds._fold_sums(X, tests, x_offset, r, u, workers)
    for k, t in enumerate(tests):
        V = np.column_stack([(X[t].astype(np.float64) - x_offset) * r[t, None],
                             r[t], u[t]])
        np.testing.assert_allclose(S[k], V.T @ V, rtol=1e-12, atol=1e-12)
    assert S.shape == (4, p + 2, p + 2)
    np.testing.assert_array_equal(S, S.transpose(0, 2, 1))


def test_blas_limit_is_lifted_by_the_last_of_concurrent_users():
    from sparsereg._threads import blas_on_one_thread

    with blas_on_one_thread():  # (the BLAS libraries loaded then: numpy's at least)
        pass

    def blas_threads():  # (read in the thread that set them)
        return [lib.num_threads for lib in blas_on_one_thread._blas.lib_controllers]

    before = blas_threads()
    first, second = blas_on_one_thread(), blas_on_one_thread()
    # two fits in threads of a grid search: entered and left in crossed order
    assert first.__enter__() == max(before)
    assert second.__enter__() == max(before)  # what BLAS had, not the limit
    assert set(blas_threads()) == {1}
    first.__exit__(None, None, None)
    assert set(blas_threads()) == {1}  # the second is still inside
    second.__exit__(None, None, None)
    assert blas_threads() == before


def test_gram_folds_take_any_memory_layout():
    X, y = make_data(400, 9, rho=0.5, seed=8)
    kw = dict(cv=KFold(5, shuffle=True, random_state=0), alphas=20, **TIGHT)
    ref = sr.LassoCV(**kw).fit(np.asfortranarray(X), y)
    for Xl in (np.ascontiguousarray(X), np.hstack([X, X])[:, :9]):
        other = sr.LassoCV(**kw).fit(Xl, y)
        np.testing.assert_allclose(other.mse_path_, ref.mse_path_, rtol=1e-10)
        np.testing.assert_allclose(other.coef_, ref.coef_, rtol=1e-10, atol=1e-14)


def test_gram_folds_in_processes_equal_the_sequential_fit():
    import joblib

    X, y = make_data(150, 10, seed=6)
    seq = sr.ElasticNetCV(l1_ratio=[0.5, 1.0], cv=3, tol=1e-8).fit(X, y)
    with joblib.parallel_backend("loky"):  # the jobs' arguments are pickled
        par = sr.ElasticNetCV(l1_ratio=[0.5, 1.0], cv=3, tol=1e-8,
                              n_jobs=2).fit(X, y)
    np.testing.assert_array_equal(par.mse_path_, seq.mse_path_)
    assert (par.alpha_, par.l1_ratio_) == (seq.alpha_, seq.l1_ratio_)


def test_gram_route_runs_its_paths_in_threads_as_joblib_would(monkeypatch):
    from sparsereg import _threads
    from sparsereg.model_selection import _enet_cv

    calls = []

    def recording(workers, func, items):
        calls.append((workers, len(items)))
        return _threads.in_threads(2, func, items)  # two threads on any machine

    monkeypatch.setattr(_enet_cv, "in_threads", recording)
    X, y = make_data(200, 15, rho=0.7, seed=12)
    kw = dict(l1_ratio=[0.2, 0.7, 1.0], cv=KFold(4, shuffle=True, random_state=3),
              alphas=30, tol=1e-9)
    threads = sr.ElasticNetCV(**kw).fit(X, y)
    assert [n for _, n in calls] == [3 + 3 * 4]  # full paths + (l1_ratio, fold) jobs
    joblib_ = sr.ElasticNetCV(n_jobs=1, **kw).fit(X, y)  # joblib, full paths after
    assert len(calls) == 1
    import joblib

    with joblib.parallel_backend("threading", n_jobs=2):  # the context's n_jobs
        in_context = sr.ElasticNetCV(**kw).fit(X, y)
    assert len(calls) == 1
    np.testing.assert_array_equal(in_context.mse_path_, joblib_.mse_path_)
    for name in ("mse_path_", "coef_path_", "alphas_", "coef_", "intercept_"):
        np.testing.assert_array_equal(getattr(threads, name), getattr(joblib_, name))
    assert (threads.alpha_, threads.l1_ratio_) == (joblib_.alpha_, joblib_.l1_ratio_)


@pytest.mark.filterwarnings("ignore::sparsereg.AlphaGridEdgeWarning")
def test_gram_route_warns_for_the_full_path_only_and_leaves_filters_alone():
    X, y = make_data(300, 20, rho=0.9, seed=13)
    filters = list(warnings.filters)
    with pytest.warns(ConvergenceWarning) as record:
        sr.LassoCV(cv=5, alphas=10, max_iter=2, tol=1e-12).fit(X, y)
    paths = [w for w in record if "alphas of the path" in str(w.message)]
    assert len(paths) == 1  # the full-data path's; the five folds' are silenced
    assert paths[0].filename == __file__  # attributed to the caller of fit
    assert warnings.filters == filters


def test_in_threads_keeps_order_raises_and_nests_without_deadlock():
    from sparsereg._threads import in_threads

    seen = set()

    def square(x):
        seen.add(threading.current_thread().name)
        time.sleep(0.002)
        return x * x

    assert in_threads(2, square, list(range(20))) == [x * x for x in range(20)]
    assert len(seen) == 2  # the caller and a pool thread
    with pytest.raises(ZeroDivisionError):
        in_threads(2, lambda x: 1 / x, [3, 2, 1, 0, 5])

    # every pool thread busy with a call that itself runs items in threads
    def outer(x):
        return sum(in_threads(2, square, [x, x + 1, x + 2]))

    assert in_threads(4, outer, [0, 10, 20, 30]) == [
        sum((x + i) ** 2 for i in range(3)) for x in (0, 10, 20, 30)]


def _thread_names_in_threads(_):
    from sparsereg._threads import in_threads

    def name(_):
        time.sleep(0.002)
        return threading.current_thread().name

    return len(set(in_threads(2, name, list(range(20)))))


@pytest.mark.skipif(sys.platform == "win32", reason="no fork")
def test_in_threads_pool_is_made_again_in_a_forked_child():
    import multiprocessing

    assert _thread_names_in_threads(None) == 2  # the parent's pool exists now
    with multiprocessing.get_context("fork").Pool(1) as pool:
        assert pool.map(_thread_names_in_threads, [0]) == [2]  # not a dead thread
