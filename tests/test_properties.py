"""Property-based tests: random elastic-net problems (shapes, densities, correlated
and rescaled columns, sample weights with zeros, intercept or not, positivity,
alphas on both sides of alpha_max, l1_ratios from 0 to 1) solved by every solver
(cd, ista, fista), checked against bounds that hold for *any* point w:

* the smooth part of P is a quadratic in ``X_c w``, so for any w,
  ``P(w) - P* >= ||X_c (w - w*)||^2_s / (2n) + l2/2 ||w - w*||^2``: the predictions
  (and, where P is strongly convex, the coefficients) of two near-optimal points
  agree to within what their suboptimalities allow;
* the reported duality gap bounds the suboptimality from above, converged or not;
* a converged fit meets the stopping rule (gap <= tol * ||y_c||^2_s / n), and the
  optimality (KKT) conditions of its zero coefficients hold up to the same bound;
* scikit-learn's ElasticNet at tol=1e-12 (or the closed-form ridge solution when
  l1_ratio=0) is the oracle for P*.

Example counts are bounded by hypothesis profiles: "ci" (the default) keeps this
module well under a minute; ``HYPOTHESIS_PROFILE=nightly`` runs many more.
tests/test_invariants.py checks the gap function itself on random points; this
module checks the estimators end to end.
"""

import os
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ElasticNet as SkElasticNet

import sparsereg as sr

settings.register_profile(
    "ci", max_examples=60, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile(
    "nightly", max_examples=400, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
PROFILE = settings.get_profile(_PROFILE if _PROFILE in ("ci", "nightly") else "ci")

SOLVERS = ["cd", "ista", "fista"]
# ISTA's hardest draws need ~20000 steps: the ci profile caps them lower (those
# examples then check the certificate only) to bound the module's time
_STEPS = 20_000 if _PROFILE == "nightly" else 4_000
MAX_ITER = {"cd": 100_000, "ista": _STEPS, "fista": _STEPS}
TOL = 1e-8


class Problem:
    """One random problem, with everything the bounds need."""

    def __init__(self, X, y, sw, alpha, l1_ratio, positive, fit_intercept, frac):
        self.X, self.y, self.sw = X, y, sw
        self.alpha, self.l1_ratio, self.frac = alpha, l1_ratio, frac
        self.positive, self.fit_intercept = positive, fit_intercept
        self.l1, self.l2 = alpha * l1_ratio, alpha * (1 - l1_ratio)
        Xd = X.toarray() if sparse.issparse(X) else X
        n = Xd.shape[0]
        self.s = np.ones(n) if sw is None else sw * n / sw.sum()
        if fit_intercept:
            self.Xc = Xd - self.s @ Xd / n
            self.yc = y - self.s @ y / n
        else:
            self.Xc, self.yc = Xd, y
        self.n = n
        self.scale = float(self.s @ self.yc**2 / n)  # ||y_c||^2_s / n
        self.slack = 1e-9 * self.scale + 1e-12 * alpha * np.abs(self.yc).max(
            initial=0.0) + 1e-300

    def objective(self, w):
        """P at w with the optimal intercept (centered data)."""
        r = self.yc - self.Xc @ w
        return (0.5 * self.s @ r**2 / self.n + self.l1 * np.abs(w).sum()
                + 0.5 * self.l2 * w @ w)

    def optimum(self):
        """(w*, P*) from scikit-learn at tol=1e-12, or ridge's normal equations."""
        if self.l1_ratio == 0.0:
            G = self.Xc.T @ (self.s[:, None] * self.Xc) / self.n
            w = np.linalg.solve(G + self.l2 * np.eye(G.shape[0]),
                                self.Xc.T @ (self.s * self.yc) / self.n)
            return w, self.objective(w)
        sk = SkElasticNet(alpha=self.alpha, l1_ratio=self.l1_ratio, tol=1e-12,
                          max_iter=1_000_000, positive=self.positive,
                          fit_intercept=self.fit_intercept)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            X = self.X.toarray() if sparse.issparse(self.X) else self.X
            sk.fit(X, self.y, sample_weight=self.sw)
        return sk.coef_, self.objective(sk.coef_)

    def strong_convexity(self):
        G = self.Xc.T @ (self.s[:, None] * self.Xc) / self.n
        return self.l2 + max(float(np.linalg.eigvalsh(G)[0]), 0.0)

    def col_norms(self):
        return np.sqrt(self.s @ self.Xc**2)


@st.composite
def problems(draw, l1_ratio=None, frac_range=(-3.0, 0.2)):
    n = draw(st.integers(4, 40))
    p = draw(st.integers(1, 25))
    seed = draw(st.integers(0, 2**32 - 1))
    rho = draw(st.floats(0.0, 0.95))
    spread = draw(st.floats(0.0, 1.5))  # column scales 10**U(-spread, spread)
    density = draw(st.sampled_from([None, None, 0.15, 0.4, 0.8]))
    weights = draw(st.sampled_from(["none", "uniform", "with-zeros", "integers"]))
    if l1_ratio is None:
        l1_ratio = draw(st.one_of(st.just(0.0), st.just(1.0), st.floats(0.01, 1.0)))
    positive = draw(st.booleans()) if l1_ratio > 0 else False
    fit_intercept = draw(st.booleans())
    frac = 10 ** draw(st.floats(*frac_range))
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n, p))
    X = np.empty((n, p))
    X[:, 0] = Z[:, 0]
    for j in range(1, p):  # AR(1) over the columns: correlation rho^|i-j|
        X[:, j] = rho * X[:, j - 1] + np.sqrt(1 - rho**2) * Z[:, j]
    X = X * 10 ** rng.uniform(-spread, spread, p) + rng.normal(0, 2, p)
    if density is not None:
        X = sparse.csc_matrix(X * (rng.random((n, p)) < density))
    w = np.where(rng.random(p) < 0.3, rng.normal(0, 2, p), 0.0)
    y = np.asarray(X @ w).ravel() + rng.normal(0, 1) + 0.5 * rng.standard_normal(n)
    sw = {"none": None,
          "uniform": rng.uniform(0.1, 5.0, n),
          "with-zeros": np.where(rng.random(n) < 0.3, 0.0, rng.uniform(0.5, 2.0, n)),
          "integers": rng.integers(0, 4, n).astype(float)}[weights]
    if sw is not None and np.count_nonzero(sw) < 2:
        sw[:2] = 1.0
    prob = Problem(X, y, sw, 1.0, l1_ratio, positive, fit_intercept, frac)
    c = prob.Xc.T @ (prob.s * prob.yc) / n
    if l1_ratio > 0:
        top = (np.maximum(c, 0.0) if positive else np.abs(c)).max(initial=0.0)
        alpha_max = top / l1_ratio
    else:  # no alpha_max: scale with the data instead
        alpha_max = float(np.mean(prob.s @ prob.Xc**2) / n) or 1.0
    alpha = frac * alpha_max if alpha_max > 0 else frac
    note(f"n={n} p={p} seed={seed} rho={rho:.2f} spread={spread:.2f} "
         f"density={density} weights={weights} l1_ratio={l1_ratio} "
         f"positive={positive} intercept={fit_intercept} alpha/alpha_max={frac:.3g}")
    return Problem(X, y, sw, alpha, l1_ratio, positive, fit_intercept, frac)


def fit(prob, solver, **params):
    est = sr.ElasticNet(alpha=prob.alpha, l1_ratio=prob.l1_ratio, solver=solver,
                        positive=prob.positive, fit_intercept=prob.fit_intercept,
                        tol=params.pop("tol", TOL),
                        max_iter=params.pop("max_iter", MAX_ITER[solver]), **params)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(prob.X, prob.y, sample_weight=prob.sw)
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    return est, converged


@pytest.mark.parametrize("solver", SOLVERS)
@settings(PROFILE)
@given(prob=problems())
def test_solver_reaches_the_optimum(prob, solver):
    est, converged = fit(prob, solver)
    w = np.asarray(est.coef_, dtype=np.float64)
    assert np.all(np.isfinite(w)) and np.isfinite(est.intercept_)
    if prob.positive:
        assert np.all(w >= 0)
    w_star, p_star = prob.optimum()
    subopt = prob.objective(w) - p_star
    event(f"{solver}: {'converged' if converged else 'max_iter reached'}")
    # the reported gap is a certificate: it bounds the suboptimality
    assert est.dual_gap_ >= subopt - prob.slack
    assert subopt >= -prob.slack  # (and the oracle is optimal)
    if solver == "cd":
        assert converged, "coordinate descent must converge on these small problems"
    if not converged:
        return
    # the stopping rule, in the public scaling
    assert est.dual_gap_ <= TOL * prob.scale * (1 + 1e-9) + 1e-300
    bound = max(subopt, 0.0) + 2 * prob.slack
    # predictions agree with the oracle's: ||X_c (w - w*)||^2_s / (2n) <= P(w) - P*
    d = prob.Xc @ (w - w_star)
    assert 0.5 * prob.s @ d**2 / prob.n <= 2 * bound
    # coefficients too, where P is strongly convex (mu > 0)
    mu = prob.strong_convexity()
    if mu > 1e-8 * max(prob.scale, 1.0):
        assert np.abs(w - w_star).max() <= np.sqrt(4 * bound / mu) * 1.001 + 1e-12
    # KKT of the zero coefficients, up to what the suboptimality allows
    g = prob.Xc.T @ (prob.s * (prob.yc - prob.Xc @ w)) / prob.n
    zero = w == 0
    viol = np.maximum((g if prob.positive else np.abs(g)) - prob.l1, 0.0)[zero]
    allowed = (prob.col_norms()[zero] / np.sqrt(prob.n) + np.sqrt(prob.l2)) * np.sqrt(
        2 * bound)
    assert np.all(viol <= allowed * 1.001 + 1e-12 * max(prob.scale, 1.0))
    # the intercept is the optimal one for w
    if prob.fit_intercept:
        Xd = prob.X.toarray() if sparse.issparse(prob.X) else prob.X
        b = prob.s @ (prob.y - Xd @ w) / prob.n
        assert est.intercept_ == pytest.approx(b, rel=1e-9,
                                               abs=1e-9 * np.sqrt(prob.scale))


@pytest.mark.parametrize("solver", SOLVERS)
@settings(PROFILE)
@given(prob=problems(), max_iter=st.integers(1, 4))
def test_gap_bounds_the_suboptimality_before_convergence(prob, solver, max_iter):
    """After 1-4 epochs / steps (tol=0: never stops early) the reported gap is
    still a valid bound: P(w) - P* <= dual_gap_."""
    est, _ = fit(prob, solver, tol=0.0, max_iter=max_iter)
    w = np.asarray(est.coef_, dtype=np.float64)
    _, p_star = prob.optimum()
    assert np.isfinite(est.dual_gap_)
    assert est.dual_gap_ >= prob.objective(w) - p_star - prob.slack


@pytest.mark.parametrize("solver", SOLVERS)
@settings(PROFILE)
@given(prob=problems(l1_ratio=1.0, frac_range=(0.005, 1.0)))
def test_alpha_above_alpha_max_gives_zero_without_iterating(prob, solver):
    est, converged = fit(prob, solver)
    assert converged
    np.testing.assert_array_equal(est.coef_, 0.0)
    assert est.n_iter_ == 0
    if prob.fit_intercept:
        assert est.intercept_ == pytest.approx(prob.s @ prob.y / prob.n, rel=1e-10,
                                               abs=1e-12)
