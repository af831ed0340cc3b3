"""sparsity_report, compare_paths and stability_selection against hand counts."""

import sys

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import sparsereg as sr
from sparsereg.datasets import make_sparse_regression
from sparsereg.sparsity import compare_paths, sparsity_report, stability_selection


@pytest.fixture(scope="module")
def problem():
    return make_sparse_regression(120, 12, 3, rho=0.3, noise=0.5, random_state=1)


def test_report_matches_hand_counts(problem):
    X, y, coef = problem
    lasso = sr.Lasso(alpha=0.3).fit(X, y)
    enet = sr.ElasticNet(alpha=0.3, l1_ratio=0.5).fit(X, y)
    ridge = make_pipeline(StandardScaler(), sr.Ridge(alpha=1.0)).fit(X, y)
    cv = sr.LassoCV(cv=3).fit(X, y)
    models = {"lasso": lasso, "enet": enet, "ridge": ridge, "cv": cv}
    report = sparsity_report(models, true_coef=coef)
    coefs = [lasso.coef_, enet.coef_, ridge[-1].coef_, cv.coef_]
    supports = [c != 0 for c in coefs]
    assert list(report.index) == list(models)
    assert report["n_nonzero"].tolist() == [int(s.sum()) for s in supports]
    np.testing.assert_allclose(report["frac_zero"], [1 - s.mean() for s in supports])
    np.testing.assert_allclose(report["l1_norm"], [np.abs(c).sum() for c in coefs])
    np.testing.assert_allclose(report["l2_norm"], [np.linalg.norm(c) for c in coefs])
    assert report.loc["lasso", "support"] == [f"x{j}" for j in np.flatnonzero(
        supports[0])]
    assert report.loc["ridge", "n_nonzero"] == 12
    inter = np.sum(supports[0] & supports[1])
    union = np.sum(supports[0] | supports[1])
    assert report.loc["lasso", "jaccard[enet]"] == pytest.approx(inter / union)
    assert report.loc["enet", "jaccard[lasso]"] == pytest.approx(inter / union)
    assert report.loc["ridge", "jaccard[ridge]"] == 1.0
    truth = coef != 0
    tp = np.sum(supports[0] & truth)
    assert report.loc["lasso", "precision"] == pytest.approx(tp / supports[0].sum())
    assert report.loc["lasso", "recall"] == pytest.approx(tp / truth.sum())
    assert report.loc["ridge", "precision"] == pytest.approx(3 / 12)
    p, r = report.loc["ridge", "precision"], report.loc["ridge", "recall"]
    assert report.loc["ridge", "f1"] == pytest.approx(2 * p * r / (p + r))
    assert set(report["zero_threshold"]) == {0.0}


def test_zero_threshold_names_lists_and_no_pandas(problem, monkeypatch):
    X, y, _ = problem
    ridge = sr.Ridge(alpha=1.0).fit(X, y)
    tol = float(np.sort(np.abs(ridge.coef_))[4])  # the 5 smallest count as zero
    names = [f"f{j}" for j in range(12)]
    report = sparsity_report([ridge], feature_names=names, zero_threshold=tol)
    assert report.index.tolist() == ["model 0"]
    assert report.loc["model 0", "n_nonzero"] == 7
    assert report.loc["model 0", "zero_threshold"] == tol
    assert len(report.loc["model 0", "support"]) == 7
    assert set(report.loc["model 0", "support"]) <= set(names)
    monkeypatch.setitem(sys.modules, "pandas", None)
    plain = sparsity_report({"ridge": ridge}, zero_threshold=tol)
    assert isinstance(plain, dict) and plain["model"] == ["ridge"]
    assert plain["n_nonzero"] == [7]


def test_report_errors(problem):
    X, y, _ = problem
    lasso = sr.Lasso(alpha=0.3).fit(X, y)
    with pytest.raises(TypeError, match="no coef_"):
        sparsity_report({"knn": KNeighborsRegressor().fit(X, y)})
    with pytest.raises(ValueError, match="single-target"):
        sparsity_report({"multi": sr.Lasso(alpha=0.3).fit(X, np.c_[y, y])})
    with pytest.raises(ValueError, match="different numbers"):
        sparsity_report([lasso, sr.Lasso(alpha=0.3).fit(X[:, :5], y)])
    with pytest.raises(ValueError, match="feature_names"):
        sparsity_report([lasso], feature_names=["a", "b"])
    with pytest.raises(ValueError, match="true_coef"):
        sparsity_report([lasso], true_coef=[1.0, 0.0])
    with pytest.raises(ValueError, match="zero_threshold must be a finite number"):
        sparsity_report([lasso], zero_threshold=-1.0)
    with pytest.raises(ValueError, match="empty"):
        sparsity_report({})


def test_compare_paths(problem):
    X, y, _ = problem
    paths = compare_paths(X, y, l1_ratios=(1.0, 0.5, 0.0), n_alphas=20, eps=1e-2)
    assert len(paths) == 60
    for r in (1.0, 0.5):
        rows = paths[paths["l1_ratio"] == r]
        nnz = rows["n_nonzero"].to_numpy()
        assert nnz[0] == 0 and nnz[-1] > 3  # all zero at alpha_max, dense later
        # the same counts as the path function on the centered data
        Xc, yc = X - X.mean(0), y - y.mean()
        _, coefs, _ = sr.enet_path(Xc, yc, l1_ratio=r, alphas=rows["alpha"].to_numpy())
        np.testing.assert_array_equal(nnz, np.count_nonzero(coefs, axis=0))
    ridge = paths[paths["l1_ratio"] == 0.0]
    assert (ridge["n_nonzero"] == 12).all()  # ridge stays dense
    lasso_alphas = paths[paths["l1_ratio"] == 1.0]["alpha"].to_numpy()
    np.testing.assert_allclose(ridge["alpha"], lasso_alphas)
    with pytest.raises(ValueError, match="l1_ratios"):
        compare_paths(X, y, l1_ratios=(1.5,))


def test_stability_selection_finds_the_true_support():
    X, y, coef = make_sparse_regression(200, 30, 4, noise=0.5, random_state=3)
    alpha = 0.1
    result = stability_selection(sr.Lasso(alpha=alpha), X, y, n_resamples=40,
                                 random_state=0)
    assert result.frequency.shape == (30,)
    assert np.all((result.frequency >= 0) & (result.frequency <= 1))
    np.testing.assert_array_equal(result.selected, coef != 0)
    assert set(result.selected_names) == {f"x{j}" for j in np.flatnonzero(coef)}
    again = stability_selection(sr.Lasso(alpha=alpha), X, y, n_resamples=40,
                                random_state=0)
    np.testing.assert_array_equal(result.frequency, again.frequency)
    boot = stability_selection(sr.Lasso(alpha=alpha), X, y, n_resamples=20,
                               method="bootstrap", random_state=0)
    assert boot.n_resamples == 20 and boot.selected[coef != 0].all()
    # frequencies are multiples of 1 / n_resamples
    np.testing.assert_allclose(result.frequency * 40, np.round(result.frequency * 40))


@pytest.mark.parametrize("kwargs,match", [
    (dict(method="jackknife"), "method"),
    (dict(sample_fraction=0.0), "sample_fraction"),
    (dict(threshold=1.5), "threshold"),
    (dict(n_resamples=0), "n_resamples"),
])
def test_stability_selection_errors(problem, kwargs, match):
    X, y, _ = problem
    with pytest.raises(ValueError, match=match):
        stability_selection(sr.Lasso(alpha=0.1), X, y, **kwargs)


def test_unfitted_models_raise_not_fitted_error():
    """An unfitted model is NotFittedError (a fitted one without coef_ stays a
    TypeError), directly and as a Pipeline's last step."""
    for model in (sr.Lasso(), make_pipeline(StandardScaler(), sr.Lasso())):
        with pytest.raises(NotFittedError):
            sparsity_report({"lasso": model})
    X, y, _ = make_sparse_regression(40, 5, 2, random_state=0)
    with pytest.raises(TypeError, match="has no coef_"):
        sparsity_report({"knn": KNeighborsRegressor(3).fit(X, y)})


def test_tol_is_a_deprecated_alias_of_zero_threshold(problem):
    """In the four sparsity functions, tol (the solver's tolerance everywhere else)
    still works as the zero threshold, with a FutureWarning, for one release."""
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    from sparsereg.plotting import plot_coef_comparison

    X, y, _ = problem
    ridge = sr.Ridge(alpha=1.0).fit(X, y)
    tol = float(np.sort(np.abs(ridge.coef_))[4])
    with pytest.warns(FutureWarning, match="zero_threshold"):
        old = sparsity_report([ridge], tol=tol)
    new = sparsity_report([ridge], zero_threshold=tol)
    assert old["n_nonzero"].tolist() == new["n_nonzero"].tolist() == [7]
    with pytest.warns(FutureWarning, match="zero_threshold"):
        paths = compare_paths(X, y, l1_ratios=(1.0,), n_alphas=5, tol=0.5)
    same = compare_paths(X, y, l1_ratios=(1.0,), n_alphas=5, zero_threshold=0.5)
    assert paths["n_nonzero"].tolist() == same["n_nonzero"].tolist()
    with pytest.warns(FutureWarning, match="zero_threshold"):
        stab = stability_selection(sr.Lasso(alpha=0.1), X, y, n_resamples=3,
                                   tol=0.05, random_state=0)
    assert stab.frequency.shape == (12,)
    with pytest.warns(FutureWarning, match="zero_threshold"):
        plot_coef_comparison([ridge], tol=tol)
    with pytest.raises(TypeError, match="both"), pytest.warns(FutureWarning):
        sparsity_report([ridge], zero_threshold=0.1, tol=0.2)


def test_stability_selection_in_parallel_equals_sequential(problem):
    """The rows are drawn before the fits: n_jobs does not change the result."""
    X, y, _ = problem
    kw = dict(n_resamples=12, random_state=3)
    one = stability_selection(sr.Lasso(alpha=0.2), X, y, n_jobs=1, **kw)
    two = stability_selection(sr.Lasso(alpha=0.2), X, y, n_jobs=2, **kw)
    np.testing.assert_array_equal(one.frequency, two.frequency)
    assert one.selected_names == two.selected_names


def test_stability_path_recovers_a_strong_support_and_is_the_mean_of_its_paths():
    """The probabilities are the fraction of subsample paths with a nonzero, on
    one grid from the full data's alpha_max (recomputed here from the same rows);
    with a strong signal the stable set is the true support."""
    from sparsereg.sparsity import stability_path

    X, y, coef = make_sparse_regression(200, 15, 4, noise=0.5, random_state=3)
    res = stability_path(X, y, n_alphas=12, n_resamples=6, random_state=0)
    assert res.frequency.shape == (15, 12) and res.alphas.shape == (12,)
    assert np.all(np.diff(res.alphas) < 0)
    rng = np.random.RandomState(0)
    hits = np.zeros((15, 12))
    for _ in range(6):
        rows = rng.choice(200, 100, replace=False)
        Xs, ys = X[rows] - X[rows].mean(0), y[rows] - y[rows].mean()
        _, c, _ = sr.enet_path(Xs, ys, l1_ratio=1.0, alphas=res.alphas)
        hits += c != 0
    np.testing.assert_allclose(res.frequency, hits / 6)
    assert set(np.flatnonzero(res.selected)) == set(np.flatnonzero(coef))
    par = stability_path(X, y, n_alphas=12, n_resamples=6, random_state=0, n_jobs=2)
    np.testing.assert_array_equal(par.frequency, res.frequency)
    with pytest.raises(ValueError, match="l1_ratio"):
        stability_path(X, y, l1_ratio=0.0)
    with pytest.raises(ValueError, match="n_alphas must be an integer"):
        stability_path(X, y, n_alphas="many")
    with pytest.raises(ValueError, match="y holds NaN"):
        stability_path(X, np.where(np.arange(200) == 0, np.nan, y))


def test_report_on_an_l1_perceptron_and_the_alpha_and_cv_error_columns():
    """An MLP fitted with l1 counts an input as selected when its first-layer
    weights are not all zero; CV estimators report their alpha and CV error."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    from sparsereg.neural_network import MLPRegressor

    X, y, coef = make_sparse_regression(300, 10, 3, noise=0.1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp = MLPRegressor(hidden_layer_sizes=(8,), l1=5.0, max_iter=300,
                           learning_rate_init=0.01, random_state=0).fit(X, y)
    lcv = sr.LassoCV(cv=3, alphas=20).fit(X, y)
    rcv = sr.RidgeCV(alphas=[0.1, 1.0, 10.0]).fit(X, y)
    report = sparsity_report({"mlp": mlp, "lasso_cv": lcv, "ridge_cv": rcv,
                              "lasso": sr.Lasso(alpha=0.3).fit(X, y)},
                             true_coef=coef)
    used = np.flatnonzero(np.abs(mlp.coefs_[0]).sum(axis=1))
    assert report.loc["mlp", "support"] == [f"x{j}" for j in used]
    assert set(used) == set(np.flatnonzero(coef))  # this penalty finds the truth
    assert report.loc["mlp", "alpha"] == mlp.alpha
    assert np.isnan(report.loc["mlp", "cv_error"])
    assert report.loc["lasso_cv", "alpha"] == lcv.alpha_
    j = int(np.flatnonzero(np.isclose(lcv.alphas_, lcv.alpha_))[0])
    assert report.loc["lasso_cv", "cv_error"] == pytest.approx(
        lcv.mse_path_[j].mean())
    k = int(np.flatnonzero(np.isclose(rcv.cv_table_["param_alpha"], rcv.alpha_))[0])
    assert report.loc["ridge_cv", "cv_error"] == rcv.cv_table_["mean_test_error"][k]
    assert report.loc["lasso", "alpha"] == 0.3
    assert np.isnan(report.loc["lasso", "cv_error"])
