"""Per-feature penalty factors and coefficient bounds (glmnet's penalty.factor,
lower.limits and upper.limits), in coordinate descent and FISTA."""

import warnings

import numpy as np
import pytest
from _helpers import make_data, to_format
from sklearn.exceptions import ConvergenceWarning

import sparsereg as sr
from sparsereg._solvers.objective import duality_gap, feature_penalty
from sparsereg.datasets import make_sparse_regression

TIGHT = dict(tol=1e-12, max_iter=200_000)


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def _data(seed=0, n=80, p=25):
    X, y, _ = make_sparse_regression(n, p, 5, rho=0.4, noise=0.5, random_state=seed)
    return X + 1.0, y + 3.0


def _objective(X, y, coef, intercept, alpha, l1_ratio, pf, sw=None):
    n = X.shape[0]
    s = np.ones(n) if sw is None else sw * n / sw.sum()
    r = y - to_format(X, "dense") @ coef - intercept
    return (0.5 * np.sum(s * r * r) / n
            + alpha * np.sum(pf * (l1_ratio * np.abs(coef)
                                   + 0.5 * (1 - l1_ratio) * coef**2)))


def _fixed_point_residual(X, y, coef, intercept, l1, l2, pen):
    """max_j |w_j - T_j(w)| with T_j the exact coordinate minimization (KKT of the
    box-constrained problem: the solution is a fixed point of every T_j)."""
    X = to_format(X, "dense")
    Xc = X - X.mean(axis=0)
    n = X.shape[0]
    r = (y - y.mean()) - Xc @ coef
    worst = 0.0
    for j in range(X.shape[1]):
        nj = Xc[:, j] @ Xc[:, j] / n
        z = Xc[:, j] @ r / n + nj * coef[j]
        a, b = l1 * pen.factor[j], l2 * pen.factor[j]
        w = np.sign(z) * max(abs(z) - a, 0.0) / (nj + b)
        w = min(max(w, pen.lower[j]), pen.upper[j])
        worst = max(worst, abs(w - coef[j]))
    return worst


@pytest.mark.parametrize("solver", ["cd", "fista"])
@pytest.mark.parametrize("fmt", ["dense", "csc"])
def test_factors_of_one_are_the_plain_estimator(solver, fmt):
    X, y = _data()
    X = to_format(X, fmt)
    kw = dict(alpha=0.05, l1_ratio=0.7, solver=solver, **TIGHT)
    plain = sr.ElasticNet(**kw).fit(X, y)
    ones = sr.ElasticNet(penalty_factor=np.ones(X.shape[1]), lower_bounds=-np.inf,
                         upper_bounds=np.inf, **kw).fit(X, y)
    np.testing.assert_array_equal(ones.coef_, plain.coef_)
    assert ones.intercept_ == plain.intercept_


@pytest.mark.parametrize("fmt", ["dense", "csc"])
@pytest.mark.parametrize("weighted", [False, True])
def test_lasso_factors_are_a_column_rescaling(fmt, weighted):
    """Lasso with factors d on X = Lasso on X / d, coefficients divided by d."""
    X, y = _data(1)
    d = np.random.default_rng(0).uniform(0.3, 3.0, X.shape[1])
    sw = np.random.default_rng(1).uniform(0.5, 2.0, len(y)) if weighted else None
    fac = sr.Lasso(alpha=0.05, penalty_factor=d, **TIGHT).fit(
        to_format(X, fmt), y, sample_weight=sw)
    resc = sr.Lasso(alpha=0.05, **TIGHT).fit(to_format(X / d, fmt), y,
                                             sample_weight=sw)
    scale = np.abs(resc.coef_ / d).max()
    assert np.abs(fac.coef_ - resc.coef_ / d).max() <= 1e-8 * scale
    assert fac.intercept_ == pytest.approx(resc.intercept_, abs=1e-8)


def test_enet_factors_weight_both_terms_unlike_a_rescaling():
    """For the elastic net, factor d_j multiplies the l1 and the l2 term; the column
    rescaling X_j / d_j would instead give the l2 term d_j**2 (documented)."""
    X, y = _data(2)
    p = X.shape[1]
    d = np.random.default_rng(0).uniform(0.3, 3.0, p)
    alpha, rho = 0.1, 0.5
    l1, l2 = alpha * rho, alpha * (1 - rho)
    fac = sr.ElasticNet(alpha=alpha, l1_ratio=rho, penalty_factor=d, **TIGHT).fit(X, y)
    resc = sr.ElasticNet(alpha=alpha, l1_ratio=rho, **TIGHT).fit(X / d, y)
    pen = feature_penalty(p, penalty_factor=d)
    assert _fixed_point_residual(X, y, fac.coef_, fac.intercept_, l1, l2, pen) < 1e-9
    # the rescaled fit solves the problem with l2 weights d**2 (l1 weights d) ...
    w_resc = resc.coef_ / d
    pen2 = feature_penalty(p, penalty_factor=d)

    def residual_with_l2_weights(weights):
        Xc = X - X.mean(0)
        r = (y - y.mean()) - Xc @ w_resc
        n = len(y)
        worst = 0.0
        for j in range(p):
            nj = Xc[:, j] @ Xc[:, j] / n
            z = Xc[:, j] @ r / n + nj * w_resc[j]
            shrunk = max(abs(z) - l1 * pen2.factor[j], 0)
            w = np.sign(z) * shrunk / (nj + l2 * weights[j])
            worst = max(worst, abs(w - w_resc[j]))
        return worst

    assert residual_with_l2_weights(d**2) < 1e-9
    # ... so it is not the factor solution
    assert np.abs(w_resc - fac.coef_).max() > 1e-3


@pytest.mark.parametrize("solver", ["cd", "fista"])
def test_zero_factor_is_in_every_model_of_the_path(solver):
    X, y = _data(3)
    Xc, yc = X - X.mean(0), y - y.mean()
    pf = np.ones(X.shape[1])
    pf[[2, 9]] = 0.0
    alphas, coefs, gaps = sr.lasso_path(Xc, yc, alphas=30, penalty_factor=pf,
                                        solver=solver, tol=1e-10, max_iter=100_000)
    assert np.all(coefs[[2, 9]] != 0)
    # alpha_max ignores them: at the top of the grid only they are nonzero (FISTA,
    # whose iterates approach the threshold from both sides, to 1e-8)
    top = np.abs(coefs[:, 0])
    assert top[pf > 0].max() <= 1e-8 * top.max()
    # and it is the smallest such alpha: just below, a penalized feature enters
    below = sr.Lasso(alpha=alphas[0] * 0.98, penalty_factor=pf, fit_intercept=False,
                     **TIGHT).fit(Xc, yc)
    assert np.count_nonzero(below.coef_) > 2
    # the unpenalized part of the top model is least squares on those two columns
    ls = np.linalg.lstsq(Xc[:, [2, 9]], yc, rcond=None)[0]
    np.testing.assert_allclose(coefs[[2, 9], 0], ls, rtol=1e-6)
    assert np.all(gaps <= 1e-10 * (yc @ yc) / len(yc) * 10)


def test_zero_factor_in_lassocv():
    X, y = _data(4)
    pf = np.ones(X.shape[1])
    pf[5] = 0.0
    cv = sr.LassoCV(cv=3, penalty_factor=pf).fit(X, y)
    assert np.all(cv.coef_path_[5] != 0) and cv.coef_[5] != 0
    assert np.flatnonzero(cv.coef_path_[:, 0]).tolist() == [5]


@pytest.mark.parametrize("solver", ["cd", "fista"])
@pytest.mark.parametrize("fmt", ["dense", "csc"])
def test_bounds_hold_and_are_optimal(solver, fmt):
    X, y = _data(5)
    p = X.shape[1]
    lower = np.where(np.arange(p) % 3 == 0, 0.1, -0.4)
    upper = np.full(p, 0.6)
    upper[4] = np.inf
    kw = dict(alpha=0.02, l1_ratio=0.8, lower_bounds=lower, upper_bounds=upper,
              solver=solver, **TIGHT)
    model = sr.ElasticNet(**kw).fit(to_format(X, fmt), y)
    assert np.all(model.coef_ >= lower) and np.all(model.coef_ <= upper)
    assert np.any(model.coef_ == lower) and np.any(model.coef_ == 0.6)
    pen = feature_penalty(p, lower=lower, upper=upper)
    kkt = _fixed_point_residual(X, y, model.coef_, model.intercept_, 0.016, 0.004,
                                pen)
    assert kkt < 1e-7
    assert 0 <= model.dual_gap_ <= 1e-11 * np.var(y)


def test_cd_and_fista_agree_with_factors_bounds_and_weights():
    X, y = _data(6)
    p = X.shape[1]
    sw = np.random.default_rng(2).uniform(0.5, 2.0, len(y))
    pf = np.random.default_rng(3).uniform(0.0, 2.0, p)
    pf[0] = 0.0
    kw = dict(alpha=0.05, l1_ratio=0.6, penalty_factor=pf, lower_bounds=-0.3,
              upper_bounds=np.full(p, 1.5), **TIGHT)
    cd = sr.ElasticNet(**kw).fit(X, y, sample_weight=sw)
    fista = sr.ElasticNet(solver="fista", **kw).fit(X, y, sample_weight=sw)
    assert np.abs(cd.coef_ - fista.coef_).max() <= 1e-6 * np.abs(cd.coef_).max()
    p_cd = _objective(X, y, cd.coef_, cd.intercept_, 0.05, 0.6, pf, sw)
    p_fista = _objective(X, y, fista.coef_, fista.intercept_, 0.05, 0.6, pf, sw)
    assert abs(p_cd - p_fista) <= 1e-10 * p_cd


def test_lower_bound_zero_is_positive():
    X, y = _data(7)
    pos = sr.Lasso(alpha=0.05, positive=True, **TIGHT).fit(X, y)
    low = sr.Lasso(alpha=0.05, lower_bounds=0.0, **TIGHT).fit(X, y)
    np.testing.assert_array_equal(pos.coef_, low.coef_)
    both = sr.Lasso(alpha=0.05, positive=True, lower_bounds=-1.0, **TIGHT).fit(X, y)
    np.testing.assert_array_equal(both.coef_, pos.coef_)  # the larger lower bound


def test_duality_gap_bounds_the_suboptimality_of_feasible_points():
    """The gap of the constrained, weighted problem at random feasible points is at
    least their distance to the optimum in objective (weak duality)."""
    X, y = _data(8)
    Xc, yc = X - X.mean(0), y - y.mean()
    n, p = Xc.shape
    rng = np.random.default_rng(4)
    pf = rng.uniform(0.0, 2.0, p)
    pf[[1, 3]] = 0.0
    lower, upper = np.full(p, -0.5), np.full(p, 0.7)
    upper[2] = np.inf
    pen = feature_penalty(p, penalty_factor=pf, lower=lower, upper=upper)
    l1, l2 = 0.03, 0.01
    opt = sr.ElasticNet(alpha=l1 + l2, l1_ratio=l1 / (l1 + l2), fit_intercept=False,
                        penalty_factor=pf, lower_bounds=lower, upper_bounds=upper,
                        **TIGHT).fit(Xc, yc)

    def P(w):
        r = yc - Xc @ w
        return 0.5 * r @ r / n + np.sum(pf * (l1 * np.abs(w) + 0.5 * l2 * w * w))

    from scipy.sparse.linalg import aslinearoperator

    from sparsereg._solvers.dispatch import Unpenalized

    unpen = Unpenalized(aslinearoperator(Xc), yc[:, None], np.array([1, 3]))
    for _ in range(20):
        w = np.clip(opt.coef_ + rng.normal(0, 0.2, p), lower, upper)
        r = yc - Xc @ w
        XtR = Xc.T @ r
        proj = unpen(0, XtR, w, r @ r, r @ yc)
        dual = duality_gap(XtR, r @ r, r @ yc, w, l1, l2, n, pen=pen, projected=proj)
        assert dual.gap >= P(w) - P(opt.coef_) - 1e-12
        assert dual.primal == pytest.approx(P(w), rel=1e-12)


@pytest.mark.parametrize("kwargs,match", [
    (dict(penalty_factor=[1.0, 2.0]), "penalty_factor has shape"),
    (dict(penalty_factor=-np.ones(25)), "non-negative"),
    (dict(penalty_factor=np.full(25, np.nan)), "non-negative"),
    (dict(lower_bounds=1.0, upper_bounds=0.5), r"lower_bounds\[0\] = 1.0 > "),
    (dict(lower_bounds=np.zeros(3)), "lower_bounds has shape"),
    (dict(upper_bounds=np.nan), "NaN"),
    (dict(lower_bounds=np.inf), "feasible"),
    (dict(positive=True, upper_bounds=-1.0), "positive=True"),
])
def test_bad_factors_and_bounds(kwargs, match):
    X, y = _data()
    with pytest.raises(ValueError, match=match):
        sr.Lasso(alpha=0.1, **kwargs).fit(X, y)


def test_crossed_bounds_error_names_what_set_them():
    """The error names positive=True only when it made the lower bound."""
    X, y = make_data(30, 3, seed=2, n_informative=2)
    with pytest.raises(ValueError, match=r"lower_bounds\[1\] = 2.0 > upper_bounds\[1\]"
                       r" = 1.0: no coefficient can satisfy both; raise that upper "
                       r"bound$"):
        sr.Lasso(lower_bounds=[0.0, 2.0, 0.0], upper_bounds=1.0).fit(X, y)
    with pytest.raises(ValueError, match=r"positive=True makes the lower bound of "
                       r"coefficient 0 0 > upper_bounds\[0\] = -1.0.*drop "
                       r"positive=True"):
        sr.Lasso(positive=True, upper_bounds=[-1.0, 1.0, 1.0]).fit(X, y)
