"""Newton steps on the support between coordinate-descent epochs
(``_solvers/newton.py``).

A step from a point with the solution's support and signs must land on the
solution (checked against scikit-learn at a tight tol and the optimality
conditions); a step whose target leaves the orthant stops at the first zero and
still lowers P; a step that would not lower P is undone. End to end, the
accelerated solver reaches the same solutions in fewer epochs, and the rounding
margin of screening keeps the support of an exact solution.
"""

import numpy as np
import pytest
from _helpers import enet_objective, kkt_violation, make_data
from sklearn import linear_model as sk

import sparsereg as sr
from sparsereg._solvers import cd as _cd
from sparsereg._solvers import newton as _newton
from sparsereg._solvers.objective import DualPoint, screen_keep


def _centered(X, y):
    Xc = np.asfortranarray(X - X.mean(0))
    return Xc, y - y.mean()


def _reference(X, y, alpha, l1_ratio, positive=False):
    return sk.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-15, max_iter=10**6,
                         positive=positive).fit(X, y).coef_


def _sum_objective(Xc, yc, w, a, b):
    R = yc - Xc @ w
    return 0.5 * R @ R + a * np.abs(w).sum() + 0.5 * b * w @ w


@pytest.mark.parametrize("gram", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.6])
@pytest.mark.parametrize("positive", [False, True])
def test_a_step_from_the_right_signs_lands_on_the_solution(gram, l1_ratio, positive):
    X, y = make_data(60, 40, rho=0.9, seed=2, n_informative=8)
    n = X.shape[0]
    alpha = 0.02
    coef = _reference(X, y, alpha, l1_ratio, positive)
    S = np.flatnonzero(coef)
    assert 5 <= S.size < n
    Xc, yc = _centered(X, y)
    a, b = n * alpha * l1_ratio, n * alpha * (1 - l1_ratio)
    w = coef.copy()
    w[S] *= np.random.default_rng(0).uniform(0.5, 1.5, S.size)  # same signs
    if gram:
        G, q = Xc.T @ Xc, Xc.T @ yc
        newton, R = _newton.SupportNewton(n, b, G=G, q=q), G @ w
    else:
        newton, R = _newton.SupportNewton(n, b, X=Xc), yc - Xc @ w
    assert newton.step(R, w, a, positive)
    np.testing.assert_allclose(w, coef, rtol=1e-9, atol=1e-12)
    expected = G @ w if gram else yc - Xc @ w
    np.testing.assert_allclose(R, expected, rtol=1e-10, atol=1e-10)
    assert kkt_violation(X, y, w, y.mean() - X.mean(0) @ w, alpha * l1_ratio,
                         alpha * (1 - l1_ratio), positive=positive) < 1e-9


def test_a_step_leaving_the_orthant_stops_at_the_first_zero(monkeypatch):
    """The wrong-signed coefficient's Newton target flips it: the step stops where
    it reaches 0, and the next steps, on the support left, go on (an active-set
    descent) until one lands on the minimizer of that support's orthant."""
    X, y = make_data(60, 40, rho=0.9, seed=3, n_informative=8)
    n, alpha = X.shape[0], 0.02
    Xc, yc = _centered(X, y)
    a = n * alpha
    coef = _reference(X, y, alpha, 1.0)
    S = np.flatnonzero(coef)
    w = coef.copy()
    # a feature of the support with the wrong sign: its Newton target flips it
    w[S[0]] = -0.5 * coef[S[0]]
    signs = np.sign(w)
    before = _sum_objective(Xc, yc, w, a, 0.0)
    R = yc - Xc @ w
    newton = _newton.SupportNewton(n, 0.0, X=Xc)
    steps = []
    real = _newton._descend
    monkeypatch.setattr(_newton, "_descend",
                        lambda *args: steps.append(real(*args)) or steps[-1])
    assert newton.step(R, w, a, False)
    assert steps[0][1]  # the descent ended on a full step, after the cut
    assert newton.wait == 1.0
    assert _sum_objective(Xc, yc, w, a, 0.0) < before
    np.testing.assert_allclose(R, yc - Xc @ w, atol=1e-10)
    assert w[S[0]] == 0.0  # stopped at 0, and kept there
    assert np.all(w * signs >= 0)  # no coefficient changed sign
    T = np.flatnonzero(w)  # stationary on the orthant of the support left
    np.testing.assert_allclose(Xc[:, T].T @ R, a * np.sign(w[T]), atol=1e-8 * a)


def test_a_step_that_does_not_lower_the_objective_is_undone(monkeypatch):
    X, y = make_data(50, 30, rho=0.5, seed=4)
    n, alpha = X.shape[0], 0.05
    Xc, yc = _centered(X, y)
    w = _reference(X, y, alpha, 1.0) * 0.9
    R = yc - Xc @ w
    w0, R0 = w.copy(), R.copy()
    real = np.linalg.inv
    monkeypatch.setattr(np.linalg, "inv", lambda H: -10.0 * real(H))
    newton = _newton.SupportNewton(n, 0.0, X=Xc)
    assert not newton.step(R, w, n * alpha, False)
    np.testing.assert_array_equal(w, w0)
    np.testing.assert_allclose(R, R0, rtol=0, atol=1e-12)
    assert newton.wait == 2.0


def test_a_support_beyond_the_rank_sheds_along_the_null_space():
    """21 features on 20 centered rows (rank 19), no l2: X_S'X_S is singular. The
    step first moves in the null space of X_S, which keeps the fit and lowers
    the l1 norm, until the support has full rank (19 features left), then takes
    Newton's step on it."""
    X, y = make_data(20, 60, rho=0.5, seed=5)
    Xc, yc = _centered(X, y)
    w = np.zeros(60)
    w[:21] = np.random.default_rng(1).uniform(0.5, 1.5, 21)
    a = 1.0
    R = yc - Xc @ w
    before = _sum_objective(Xc, yc, w, a, 0.0)
    newton = _newton.SupportNewton(20, 0.0, X=Xc)
    w0 = w.copy()
    assert not newton.step(R, w, a, False)  # a young solve: not yet
    np.testing.assert_array_equal(w, w0)
    newton.epochs = _newton._SHED_AFTER
    assert newton.step(R, w, a, False)
    assert np.count_nonzero(w) <= 19
    assert np.all(w[21:] == 0.0) and np.all(w >= 0.0)  # no sign changed
    assert _sum_objective(Xc, yc, w, a, 0.0) < before
    np.testing.assert_allclose(R, yc - Xc @ w, atol=1e-10)


def test_the_null_space_walk_keeps_the_fit_and_lowers_the_l1_norm():
    rng = np.random.default_rng(2)
    XS = rng.standard_normal((10, 16))
    wS = rng.standard_normal(16)
    _, _, Vt = np.linalg.svd(XS, full_matrices=True)
    moved = _newton._walk_null_space(wS, Vt[10:].T)  # a 6-dimensional null space
    assert np.count_nonzero(moved) == 10  # one coefficient to 0 per dimension
    np.testing.assert_allclose(XS @ moved, XS @ wS, atol=1e-10)
    assert np.abs(moved).sum() < np.abs(wS).sum()
    assert np.all(moved * wS >= 0)  # towards 0, never across
    assert _newton._walk_null_space(wS[:10], np.zeros((10, 0))) is None


@pytest.mark.parametrize("rho,l1_ratio", [(0.9, 1.0), (0.95, 1.0), (0.95, 0.8)])
def test_paths_on_correlated_wide_data_agree_in_fewer_epochs(monkeypatch, rho,
                                                             l1_ratio):
    X, y = make_data(80, 800, rho=rho, seed=6, n_informative=10)
    kw = dict(l1_ratio=l1_ratio, eps=1e-3, n_alphas=None, alphas=40, tol=1e-10,
              max_iter=10**6)
    kw.pop("n_alphas")
    alphas, coefs, gaps, n_iters = sr.enet_path(X - X.mean(0), y - y.mean(),
                                                return_n_iter=True, **kw)
    ref_alphas, ref_coefs, _ = sk.enet_path(X - X.mean(0), y - y.mean(),
                                            alphas=alphas, l1_ratio=l1_ratio,
                                            tol=1e-14, max_iter=10**6)
    scale = np.abs(ref_coefs).max()
    assert np.abs(coefs - ref_coefs).max() <= 1e-5 * scale
    monkeypatch.setattr(_cd, "SupportNewton", lambda *args, **kwargs: None)
    *_, n_iters_without = sr.enet_path(X - X.mean(0), y - y.mean(),
                                       return_n_iter=True, **kw)
    # measured: 0.29, 0.39 and 0.44 of the epochs without the steps
    assert n_iters.sum() <= 0.7 * n_iters_without.sum()


@pytest.mark.parametrize("anderson", [False, True])
def test_lasso_on_a_near_square_support_matches_sklearn(anderson):
    X, y = make_data(60, 600, rho=0.95, seed=7, n_informative=20)
    alpha = np.abs((X - X.mean(0)).T @ (y - y.mean())).max() / 60 / 300
    ours = sr.Lasso(alpha=alpha, tol=1e-10, max_iter=10**6,
                    anderson=anderson).fit(X, y)
    ref = sk.Lasso(alpha=alpha, tol=1e-14, max_iter=10**7).fit(X, y)
    P = enet_objective(X, y, ours.coef_, ours.intercept_, alpha, 1.0)
    P_ref = enet_objective(X, y, ref.coef_, ref.intercept_, alpha, 1.0)
    assert P <= P_ref * (1 + 1e-9)
    assert kkt_violation(X, y, ours.coef_, ours.intercept_, alpha, 0.0) <= 1e-6 * alpha


@pytest.mark.parametrize("positive", [False, True])
def test_screening_keeps_the_support_of_an_exact_solution(positive):
    # at an exact solution the computed gap is 0 and the support's correlations
    # with the dual point are n l1 up to rounding, on either side
    n, l1 = 50, 0.1
    ulp = np.finfo(float).eps
    XtR = n * l1 * np.array([1 - 4 * ulp, 1 + 2 * ulp, 1 - ulp, 0.5, 0.999])
    if not positive:
        XtR[1] *= -1
    idx = np.arange(5, dtype=np.int64)
    dual = DualPoint(gap=0.0, primal=3.0, dual=3.0, scale=1.0)
    kept, removed = screen_keep(XtR, np.ones(5) * 7.0, idx, dual, n, l1, positive)
    assert set(kept) == {0, 1, 2} and set(removed) == {3, 4}


def test_no_shedding_on_an_empty_support_of_one_row():
    newton = _newton.SupportNewton(1, 0.0, X=np.zeros((1, 3)))
    newton.epochs = _newton._SHED_AFTER
    w, R = np.zeros(3), np.zeros(1)
    assert not newton.step(R, w, 1.0, False)
    assert not w.any()


@pytest.mark.parametrize("n", [3, 6])
def test_few_rows_many_features_end_with_at_most_n_minus_1_nonzeros(n):
    """p = 700 >> n: working sets, extrapolation, Newton steps and shedding all
    act; the solution has at most n - 1 nonzeros (centered) and scikit-learn's
    objective."""
    rng = np.random.default_rng(n)
    X, y = rng.standard_normal((n, 700)), rng.standard_normal(n)
    alpha = 1e-3 * np.abs((X - X.mean(0)).T @ (y - y.mean())).max() / n
    ours = sr.Lasso(alpha=alpha, tol=1e-12, max_iter=10**5).fit(X, y)
    ref = sk.Lasso(alpha=alpha, tol=1e-14, max_iter=10**6).fit(X, y)
    assert np.count_nonzero(ours.coef_) <= n - 1
    P = [enet_objective(X, y, m.coef_, m.intercept_, alpha, 1.0) for m in (ours, ref)]
    assert P[0] <= P[1] * (1 + 1e-9)
