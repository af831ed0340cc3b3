"""The GLM solver (proximal Newton over the weighted elastic net) against
independent references: scipy's L-BFGS-B on the smooth split form of the same
objective, scikit-learn's LogisticRegression and PoissonRegressor at tight
tolerance, the KKT conditions and the duality gap."""

import numpy as np
import pytest
from scipy import optimize, sparse
from sklearn.linear_model import LogisticRegression, PoissonRegressor

from sparsereg._solvers.glm import Binomial, Poisson, duality_gap, glm_solve
from sparsereg._solvers.objective import feature_penalty


def _data(family, n=120, p=15, seed=0, rho=0.5):
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n, p))
    X = Z.copy()
    for j in range(1, p):
        X[:, j] = rho * X[:, j - 1] + np.sqrt(1 - rho**2) * Z[:, j]
    w = np.zeros(p)
    w[:4] = [1.0, -0.8, 0.5, 0.3]
    eta = X @ w + 0.3
    if family is Binomial:
        y = (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(float)
    else:
        y = rng.poisson(np.exp(0.5 * eta)).astype(float)
    return X, y


def _objective(family, X, y, s, w, b, l1, l2):
    eta = X @ w + b
    return s @ family.loss(y, eta) + l1 * np.abs(w).sum() + 0.5 * l2 * w @ w


def _reference(family, X, y, s, l1, l2, fit_intercept):
    """The objective over (w+, w-, b), w = w+ - w-, w+- >= 0: smooth, by
    L-BFGS-B to its tightest tolerance."""
    p = X.shape[1]

    def fun(v):
        wp, wm, b = v[:p], v[p:2 * p], v[-1] if fit_intercept else 0.0
        w = wp - wm
        eta = X @ w + b
        mu = family.mean(eta)
        value = s @ family.loss(y, eta) + l1 * (wp + wm).sum() + 0.5 * l2 * w @ w
        g_eta = s * (mu - y)
        g_w = X.T @ g_eta + l2 * w
        grad = np.r_[g_w + l1, -g_w + l1, g_eta.sum()]
        return value, grad if fit_intercept else grad[:-1]

    size = 2 * p + fit_intercept
    bounds = [(0, None)] * (2 * p) + [(None, None)] * fit_intercept
    res = optimize.minimize(fun, np.zeros(size), jac=True, method="L-BFGS-B",
                            bounds=bounds,
                            options=dict(maxiter=100000, ftol=0, gtol=1e-13,
                                         maxcor=50))
    v = res.x
    return v[:p] - v[p:2 * p], (v[-1] if fit_intercept else 0.0), res.fun


def _kkt_violation(family, X, y, s, w, b, l1, l2):
    """max_j of the distance of -grad_j from the subdifferential of the penalty."""
    theta = s * (y - family.mean(X @ w + b))
    g = X.T @ theta - l2 * w  # must lie in l1 * sign(w_j) (or [-l1, l1] at 0)
    viol = np.where(w != 0, np.abs(g - l1 * np.sign(w)), np.maximum(np.abs(g) - l1, 0))
    return viol.max(), abs(theta.sum())


@pytest.mark.parametrize("family", [Binomial, Poisson])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_glm_solve_reaches_the_reference_optimum(family, l1_ratio, fit_intercept,
                                                 weighted):
    X, y = _data(family, seed=1)
    n, p = X.shape
    sw = np.random.default_rng(2).uniform(0.3, 3, n) if weighted else None
    s = (np.ones(n) if sw is None else sw) / (n if sw is None else sw.sum())
    alpha = 0.02
    l1, l2 = alpha * l1_ratio, alpha * (1 - l1_ratio)
    res = glm_solve(family, X, y, sw, fit_intercept, l1, l2, feature_penalty(p),
                    np.zeros(p), tol=1e-10)
    assert res.converged
    w_ref, b_ref, f_ref = _reference(family, X, y, s, l1, l2, fit_intercept)
    f = _objective(family, X, y, s, res.coef, res.intercept, l1, l2)
    assert f <= f_ref + 1e-12 * abs(f_ref)  # at least as low as L-BFGS-B's
    assert f - f_ref <= res.dual_gap + 1e-14  # the gap bounds the suboptimality
    np.testing.assert_allclose(res.coef, w_ref, atol=1e-5)
    kkt, intercept_grad = _kkt_violation(family, X, y, s, res.coef, res.intercept,
                                         l1, l2)
    assert kkt <= 1e-6  # (a gap of 1e-10 certifies about that much)
    if fit_intercept:
        assert intercept_grad <= 1e-12
    if l1_ratio == 1.0:
        assert 0 < np.count_nonzero(res.coef) < p  # a sparse solution was tested


def test_sparse_x_gives_the_dense_solution():
    X, y = _data(Binomial, seed=3)
    X[np.abs(X) < 0.8] = 0.0
    p = X.shape[1]
    kw = dict(l1=0.01, l2=0.005, pen=feature_penalty(p), coef0=np.zeros(p),
              tol=1e-12)
    dense = glm_solve(Binomial, X, y, None, True, **kw)
    csc = glm_solve(Binomial, sparse.csc_matrix(X), y, None, True, **kw)
    np.testing.assert_allclose(csc.coef, dense.coef, atol=1e-9)
    assert csc.intercept == pytest.approx(dense.intercept, abs=1e-9)


def test_binomial_matches_scikit_learns_logistic_regression():
    """scikit-learn's objective C sum_i s_i loss_i + l1_ratio ||w||_1 +
    (1 - l1_ratio)/2 ||w||^2 is ours times C sum(s) with l1 = l1_ratio / (C sum s),
    l2 = (1 - l1_ratio) / (C sum s)."""
    X, y = _data(Binomial, n=200, p=8, seed=4, rho=0.2)
    sw = np.random.default_rng(5).uniform(0.5, 2, X.shape[0])
    C, l1_ratio = 0.5, 0.7
    ref = LogisticRegression(C=C, l1_ratio=l1_ratio, solver="saga", tol=1e-12,
                             max_iter=200000).fit(X, y, sample_weight=sw)
    scale = C * sw.sum()
    res = glm_solve(Binomial, X, y, sw, True, l1_ratio / scale,
                    (1 - l1_ratio) / scale, feature_penalty(8), np.zeros(8),
                    tol=1e-13)
    np.testing.assert_allclose(res.coef, ref.coef_[0], atol=1e-6)
    assert res.intercept == pytest.approx(ref.intercept_[0], abs=1e-6)
    s = sw / sw.sum()
    ours = _objective(Binomial, X, y, s, res.coef, res.intercept, l1_ratio / scale,
                      (1 - l1_ratio) / scale)
    theirs = _objective(Binomial, X, y, s, ref.coef_[0], ref.intercept_[0],
                        l1_ratio / scale, (1 - l1_ratio) / scale)
    assert ours <= theirs * (1 + 1e-10)


def test_poisson_ridge_matches_scikit_learns_poisson_regressor():
    """PoissonRegressor: mean half deviance + alpha/2 ||w||^2, i.e. l1 = 0,
    l2 = alpha (the deviance differs from our loss by a constant)."""
    X, y = _data(Poisson, n=150, p=6, seed=6)
    sw = np.random.default_rng(7).uniform(0.5, 2, X.shape[0])
    ref = PoissonRegressor(alpha=0.05, tol=1e-12, max_iter=10000).fit(
        X, y, sample_weight=sw)
    res = glm_solve(Poisson, X, y, sw, True, 0.0, 0.05, feature_penalty(6),
                    np.zeros(6), tol=1e-13)
    # the objective agrees to rounding; the coefficients of a flat optimum to
    # about the square root of that
    s = sw / sw.sum()
    ours = _objective(Poisson, X, y, s, res.coef, res.intercept, 0.0, 0.05)
    theirs = _objective(Poisson, X, y, s, ref.coef_, ref.intercept_, 0.0, 0.05)
    assert ours == pytest.approx(theirs, rel=1e-13)
    np.testing.assert_allclose(res.coef, ref.coef_, rtol=1e-6, atol=1e-8)
    assert res.intercept == pytest.approx(ref.intercept_, rel=1e-6)


def test_the_gap_is_zero_only_at_the_optimum_and_bounds_suboptimality():
    X, y = _data(Binomial, seed=8)
    n, p = X.shape
    s = np.full(n, 1 / n)
    pen = feature_penalty(p)
    l1, l2 = 0.03, 0.0
    opt = glm_solve(Binomial, X, y, None, True, l1, l2, pen, np.zeros(p), tol=1e-13)
    f_opt = _objective(Binomial, X, y, s, opt.coef, opt.intercept, l1, l2)
    rng = np.random.default_rng(9)
    for scale in (1e-3, 1e-1, 1.0):
        w = opt.coef + scale * rng.standard_normal(p)
        eta = X @ w
        eta += Binomial.intercept_shift(y, s, eta)
        gap, primal = duality_gap(Binomial, X, y, s, eta, w, l1, l2, pen)
        assert primal - f_opt <= gap * (1 + 1e-9) + 1e-15
        assert gap > 0


def test_separable_data_stay_finite():
    """Perfectly separable classes: the penalty bounds the solution."""
    X, _ = _data(Binomial, n=60, p=5, seed=10)
    y = (X[:, 0] > 0).astype(float)
    res = glm_solve(Binomial, X, y, None, True, 1e-3, 0.0, feature_penalty(5),
                    np.zeros(5), tol=1e-10)
    assert res.converged and np.all(np.isfinite(res.coef))
    assert np.isfinite(res.intercept) and res.coef[0] > 0


# ------------------------------------------------------------------ PoissonRegressor


@pytest.mark.parametrize("solver", ["cd", "lbfgs", "newton-cholesky"])
@pytest.mark.parametrize("sparse_X", [False, True])
def test_poisson_regressor_equals_scikit_learns_at_tight_tol(solver, sparse_X):
    from sparsereg import PoissonRegressor as Ours

    X, y = _data(Poisson, n=150, p=6, seed=11)
    sw = np.random.default_rng(12).uniform(0.5, 2, X.shape[0])
    Xf = sparse.csr_matrix(X) if sparse_X else X
    ref = PoissonRegressor(alpha=0.1, solver="newton-cholesky", tol=1e-12,
                           max_iter=10000).fit(X, y, sample_weight=sw)
    ours = Ours(alpha=0.1, solver=solver, tol=1e-12, max_iter=10000).fit(
        Xf, y, sample_weight=sw)
    s = sw / sw.sum()
    assert _objective(Poisson, X, y, s, ours.coef_, ours.intercept_, 0.0, 0.1) == (
        pytest.approx(_objective(Poisson, X, y, s, ref.coef_, ref.intercept_, 0.0,
                                 0.1), rel=1e-13))
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-6, atol=1e-8)
    assert ours.intercept_ == pytest.approx(ref.intercept_, rel=1e-6)
    np.testing.assert_allclose(ours.predict(Xf), ref.predict(X), rtol=1e-6)
    assert ours.score(Xf, y, sw) == pytest.approx(ref.score(X, y, sw), rel=1e-7)


def test_poisson_regressor_at_defaults_is_at_least_as_accurate_as_scikit_learns():
    from sparsereg import PoissonRegressor as Ours

    for seed in range(4):
        X, y = _data(Poisson, n=300, p=20, seed=seed, rho=0.8)
        exact = PoissonRegressor(tol=1e-14, max_iter=100000).fit(X, y)
        err_ref = np.abs(PoissonRegressor().fit(X, y).coef_ - exact.coef_).max()
        err = np.abs(Ours().fit(X, y).coef_ - exact.coef_).max()
        assert err <= max(2 * err_ref, 1e-10), (seed, err, err_ref)


def test_poisson_regressor_l1_is_sparse_and_optimal():
    from sparsereg import PoissonRegressor as Ours

    X, y = _data(Poisson, n=200, p=15, seed=13)
    model = Ours(alpha=0.02, l1_ratio=1.0, tol=1e-10).fit(X, y)
    s = np.full(X.shape[0], 1 / X.shape[0])
    kkt, grad_b = _kkt_violation(Poisson, X, y, s, model.coef_, model.intercept_,
                                 0.02, 0.0)
    assert kkt <= 1e-6 and grad_b <= 1e-12
    assert 0 < np.count_nonzero(model.coef_) < 15
    null = np.mean(Poisson.loss(y, np.full_like(y, np.log(y.mean())))
                   + Poisson.conjugate(y))  # the null model's half deviance
    assert model.dual_gap_ <= 1e-10 * null


def test_poisson_regressor_warm_start_and_bounds():
    from sparsereg import PoissonRegressor as Ours

    X, y = _data(Poisson, n=200, p=6, seed=14)
    cold = Ours(alpha=0.01, tol=1e-10).fit(X, y)
    warm = Ours(alpha=0.01, tol=1e-10, warm_start=True)
    warm.fit(X, y)
    n_first = warm.n_iter_
    warm.fit(X, y)
    assert warm.n_iter_ < n_first
    np.testing.assert_allclose(warm.coef_, cold.coef_, atol=1e-8)
    for solver in ("cd", "lbfgs"):
        boxed = Ours(alpha=0.01, lower_bounds=-0.1, upper_bounds=0.2, solver=solver,
                     tol=1e-10).fit(X, y)
        assert boxed.coef_.min() >= -0.1 and boxed.coef_.max() <= 0.2
        assert np.isclose(boxed.coef_, 0.2).any() or np.isclose(boxed.coef_,
                                                                -0.1).any()


@pytest.mark.parametrize("kwargs, y_change, match", [
    ({}, "negative", "non-negative"),
    ({}, "zeros", "intercept would be -inf"),
    ({"solver": "lbfgs", "l1_ratio": 0.5}, None, "solver='cd'"),
    ({"solver": "newton-cholesky", "upper_bounds": 1.0}, None, "bounds"),
    ({"penalty_factor": [0.0, 1, 1, 1]}, None, "penalty_factor"),
    ({"alpha": -1.0}, None, "alpha"),
    ({"l1_ratio": 2.0}, None, "l1_ratio"),
    ({"solver": "sag"}, None, "solver"),
])
def test_poisson_regressor_refuses_bad_input(kwargs, y_change, match):
    from sparsereg import PoissonRegressor as Ours

    X, y = _data(Poisson, n=50, p=4, seed=15)
    y = y.copy()
    if y_change == "negative":
        y[3] = -1.0
    elif y_change == "zeros":
        y[:] = 0.0
    with pytest.raises(ValueError, match=match):
        Ours(**kwargs).fit(X, y)


def test_poisson_regressor_input_hardening():
    """NaN / inf refused by name, user arrays untouched, float32 kept, badly scaled
    features give a finite model (the line search never steps into overflow)."""
    from sparsereg import PoissonRegressor as Ours

    X, y = _data(Poisson, n=80, p=5, seed=16)
    sw = np.random.default_rng(17).uniform(0.5, 2, 80)
    copies = X.copy(), y.copy(), sw.copy()
    Ours(alpha=0.01, l1_ratio=0.5).fit(X, y, sample_weight=sw)
    for before, after in zip(copies, (X, y, sw), strict=True):
        np.testing.assert_array_equal(before, after)
    for bad_X, bad_y in ((np.where(X > 1, np.nan, X), y),
                         (X, np.where(y > 2, np.inf, y))):
        with pytest.raises(ValueError, match="NaN|infinity|inf"):
            Ours().fit(bad_X, bad_y)
    model = Ours(alpha=0.01).fit(X.astype(np.float32), y)
    assert model.coef_.dtype == np.float32
    big = Ours(alpha=1e-4, l1_ratio=1.0).fit(X * 1e3, y)
    assert np.all(np.isfinite(big.coef_)) and np.isfinite(big.intercept_)
    np.testing.assert_allclose(big.predict(X * 1e3), Ours(
        alpha=1e-4, l1_ratio=1.0, penalty_factor=np.full(5, 1e-3)).fit(X, y).predict(X),
        rtol=1e-3)


# ----------------------------------------------------------------------- multinomial


def _multiclass(n=150, p=8, K=3, seed=20):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    W = np.zeros((K, p))
    W[:, :3] = rng.standard_normal((K, 3))
    P = softmax_rows(X @ W.T)
    labels = np.array([rng.choice(K, p=row) for row in P])
    return X, labels, np.eye(K)[labels]


def softmax_rows(E):
    E = E - E.max(axis=1, keepdims=True)
    P = np.exp(E)
    return P / P.sum(axis=1, keepdims=True)


def _multinomial_objective(X, Y, s, W, b, l1, l2):
    from scipy.special import logsumexp

    E = X @ W.T + b
    loss = s @ (logsumexp(E, axis=1) - (Y * E).sum(1))
    return loss + l1 * np.abs(W).sum() + 0.5 * l2 * (W * W).sum()


def _multinomial_reference(X, Y, s, l1, l2):
    """L-BFGS-B on (W+, W-, b), W = W+ - W-, W+- >= 0."""
    from scipy.special import logsumexp

    n, p = X.shape
    K = Y.shape[1]
    m = K * p

    def fun(v):
        W = (v[:m] - v[m:2 * m]).reshape(K, p)
        b = v[2 * m:]
        E = X @ W.T + b
        P = softmax_rows(E)
        value = (s @ (logsumexp(E, axis=1) - (Y * E).sum(1))
                 + l1 * v[:2 * m].sum() + 0.5 * l2 * (W * W).sum())
        G = s[:, None] * (P - Y)
        gW = (G.T @ X + l2 * W).ravel()
        return value, np.r_[gW + l1, -gW + l1, G.sum(0)]

    res = optimize.minimize(fun, np.zeros(2 * m + K), jac=True, method="L-BFGS-B",
                            bounds=[(0, None)] * (2 * m) + [(None, None)] * K,
                            options=dict(maxiter=100000, ftol=0, gtol=1e-13,
                                         maxcor=50))
    return res.fun


@pytest.mark.parametrize("l1_ratio", [1.0, 0.4, 0.0])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("sparse_X", [False, True])
def test_multinomial_reaches_the_reference_optimum(l1_ratio, weighted, sparse_X):
    from sparsereg._solvers.glm import multinomial_gap, multinomial_solve

    X, labels, Y = _multiclass(seed=21)
    n, p = X.shape
    sw = np.random.default_rng(22).uniform(0.3, 3, n) if weighted else None
    s = (np.ones(n) if sw is None else sw) / (n if sw is None else sw.sum())
    alpha = 0.03
    l1, l2 = alpha * l1_ratio, alpha * (1 - l1_ratio)
    Xf = sparse.csc_matrix(X) if sparse_X else X
    # (the gap certifies about 1e-9 of a multinomial lasso in double precision)
    res = multinomial_solve(Xf, Y, sw, True, l1, l2, feature_penalty(p),
                            np.zeros((3, p)), tol=1e-8)
    assert res.converged
    f = _multinomial_objective(X, Y, s, res.coef, res.intercept, l1, l2)
    f_ref = _multinomial_reference(X, Y, s, l1, l2)
    assert f - f_ref <= res.dual_gap + 1e-14  # within what the gap certifies
    # the intercepts are exact: the dual point sums to 0 per class
    P = softmax_rows(X @ res.coef.T + res.intercept)
    assert np.abs(s @ (Y - P)).max() <= 1e-13
    gap, _ = multinomial_gap(X, Y, s, X @ res.coef.T + res.intercept, res.coef,
                             l1, l2, feature_penalty(p))
    assert gap == pytest.approx(res.dual_gap, rel=1e-6, abs=1e-15)
    if l1_ratio == 1.0:
        assert 0 < np.count_nonzero(res.coef) < res.coef.size


def test_multinomial_matches_scikit_learns_logistic_regression():
    """scikit-learn's multinomial objective C sum_i s_i loss_i + the elastic net on
    every entry of W, divided by C sum(s)."""
    X, labels, Y = _multiclass(n=200, p=5, K=4, seed=23)
    C = 0.3
    ref = LogisticRegression(C=C, tol=1e-12, max_iter=100000).fit(X, labels)
    from sparsereg._solvers.glm import multinomial_solve

    res = multinomial_solve(X, Y, None, True, 0.0, 1.0 / (C * 200),
                            feature_penalty(5), np.zeros((4, 5)), tol=1e-12)
    s = np.full(200, 1 / 200)
    ours = _multinomial_objective(X, Y, s, res.coef, res.intercept, 0, 1 / (C * 200))
    theirs = _multinomial_objective(X, Y, s, ref.coef_, ref.intercept_, 0,
                                    1 / (C * 200))
    assert ours <= theirs * (1 + 1e-12)
    # a gap of 1e-12 bounds the distance to the optimum by sqrt(2 gap / l2)
    np.testing.assert_allclose(res.coef, ref.coef_, atol=2e-5)
    np.testing.assert_allclose(softmax_rows(X @ res.coef.T + res.intercept),
                               ref.predict_proba(X), atol=1e-6)


@pytest.mark.parametrize("solver", ["cd", "lbfgs", "newton-cholesky"])
def test_poisson_regressor_without_penalty(solver):
    """alpha=0: no finite dual point away from the optimum, so "cd" stops on the
    Newton decrement; every solver reaches scikit-learn's unpenalized fit."""
    from sparsereg import PoissonRegressor as Ours

    X, y = _data(Poisson, n=120, p=4, seed=18)
    ref = PoissonRegressor(alpha=0.0, solver="newton-cholesky", tol=1e-12).fit(X, y)
    ours = Ours(alpha=0.0, solver=solver, tol=1e-10).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-5)
    assert ours.intercept_ == pytest.approx(ref.intercept_, rel=1e-5)


def test_multinomial_without_penalty_matches_scikit_learn():
    """C = inf: no finite dual point away from the optimum, so the stopping measure
    is the Newton decrement; the fit reaches scikit-learn's unpenalized one."""
    from sparsereg._solvers.glm import multinomial_solve

    X, labels, Y = _multiclass(n=300, p=3, K=3, seed=24)
    ref = LogisticRegression(C=np.inf, tol=1e-12, max_iter=100000).fit(X, labels)
    res = multinomial_solve(X, Y, None, True, 0.0, 0.0, feature_penalty(3),
                            np.zeros((3, 3)), tol=1e-10)
    assert res.converged and res.n_iter > 0
    s = np.full(300, 1 / 300)
    ours = _multinomial_objective(X, Y, s, res.coef, res.intercept, 0.0, 0.0)
    theirs = _multinomial_objective(X, Y, s, ref.coef_, ref.intercept_, 0.0, 0.0)
    # the decrement estimates F - F* (the quadratic model's value), not a bound
    assert 0.0 <= ours - theirs <= 2 * res.dual_gap
    assert res.dual_gap <= 1e-10 * 1.1  # tol times the null deviance (< log 3)
    # F - F* = 1e-10 leaves the probabilities about 1e-5 from the optimum's
    np.testing.assert_allclose(softmax_rows(X @ res.coef.T + res.intercept),
                               ref.predict_proba(X), atol=3e-5)


# ---------------------------------------------------------------------- poisson_path


def test_poisson_path_is_the_estimator_at_each_alpha():
    """alpha_max is exact (all zeros there, not just below), and each point of the
    warm-started path is the PoissonRegressor fit at that alpha."""
    from sparsereg import PoissonRegressor as Ours
    from sparsereg import poisson_path

    X, y = _data(Poisson, n=150, p=8, seed=25)
    sw = np.random.default_rng(26).uniform(0.5, 2, 150)
    alphas, coefs, intercepts, gaps = poisson_path(
        X, y, l1_ratio=0.8, n_alphas=12, sample_weight=sw, tol=1e-10)
    assert alphas.shape == (12,) and coefs.shape == (8, 12)
    assert np.all(np.diff(alphas) < 0)
    assert not coefs[:, 0].any()
    below = Ours(alpha=alphas[0] * 0.99, l1_ratio=0.8, tol=1e-10).fit(
        X, y, sample_weight=sw)
    assert np.count_nonzero(below.coef_) >= 1  # alpha_max is the threshold
    for i in (1, 5, 11):
        single = Ours(alpha=alphas[i], l1_ratio=0.8, tol=1e-12).fit(
            X, y, sample_weight=sw)
        np.testing.assert_allclose(coefs[:, i], single.coef_, atol=1e-5)
        assert intercepts[i] == pytest.approx(single.intercept_, abs=1e-5)
    null = np.average(Poisson.loss(y, np.full_like(y, np.log(np.average(
        y, weights=sw)))) + Poisson.conjugate(y), weights=sw)
    assert np.all(gaps <= 1e-10 * null)


def test_poisson_path_refuses_bad_grids():
    from sparsereg import poisson_path

    X, y = _data(Poisson, n=40, p=5, seed=27)
    with pytest.raises(ValueError, match="pass alphas"):
        poisson_path(X, y, l1_ratio=0.0)
    with pytest.raises(ValueError, match="eps"):
        poisson_path(X, y, eps=2.0)
    with pytest.raises(ValueError, match="alphas"):
        poisson_path(X, y, alphas=[1.0, -1.0])
    _, coefs, _, _ = poisson_path(X, y, l1_ratio=0.0, alphas=[1.0, 0.1])
    assert np.all(coefs != 0)  # the ridge path: dense


@pytest.mark.parametrize("solver", ["cd", "lbfgs", "newton-cholesky"])
def test_poisson_regressor_verbose_reports_each_iteration(solver, capsys):
    from sparsereg import PoissonRegressor as Ours

    X, y = _data(Poisson, n=80, p=4, seed=28)
    model = Ours(alpha=0.01, solver=solver, verbose=1, tol=1e-8).fit(X, y)
    lines = [line for line in capsys.readouterr().out.splitlines()
             if line.startswith("iteration ")]
    assert len(lines) == model.n_iter_ >= 1
    assert "stopping measure" in lines[-1]
    Ours(alpha=0.01, solver=solver).fit(X, y)
    assert capsys.readouterr().out == ""
