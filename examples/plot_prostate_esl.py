"""
The prostate cancer data: least squares, ridge and lasso columns of ESL Table 3.3
=================================================================================

Hastie, Tibshirani and Friedman (*The Elements of Statistical Learning*, 2nd ed.,
section 3.4) fit the prostate data of :func:`~sparsereg.datasets.load_prostate`
(``lpsa`` on 8 predictors, 67 training and 30 test men) with least squares, ridge
and the lasso. The predictors are standardized with the mean and sample standard
deviation of all 97 rows; every model is fitted on the 67 training rows with an
unpenalized intercept, and its test error is the mean squared error on the other 30.

* **Least squares** is :class:`~sparsereg.Ridge` with a negligible ``alpha=1e-10``:
  it reproduces ESL's coefficients and test error 0.521 to 3 decimals.
* **Ridge**: ESL picks the fit with 5 effective degrees of freedom,
  ``df(alpha) = sum_j s_j^2 / (s_j^2 + alpha)`` (``s_j``: singular values of the
  centered training X), i.e. ``alpha = 24.0`` in :class:`~sparsereg.Ridge`'s
  scaling. The coefficients agree with ESL's to 0.002 and the test error is 0.490
  (ESL: 0.492); our intercept is 2.464 where ESL prints 2.452.
* **Lasso**: ESL's choice is the shrinkage factor
  ``s = ||w_lasso||_1 / ||w_LS||_1 = 0.36``. ``||w_lasso||_1`` decreases with
  ``alpha``, so bisection on ``s(alpha) - 0.36`` finds ``alpha = 0.228``
  (:class:`~sparsereg.Lasso`'s scaling). That fit keeps lcavol, lweight and svi
  with lcavol 0.533 as in ESL, but lweight 0.176 (ESL 0.169), svi 0.074 (ESL
  0.094), lbph 0 (ESL 0.002), and a test error of 0.490 (ESL 0.479). ESL's
  column does not lie on this lasso path: where lbph enters (s = 0.384), lcavol
  is already 0.540, lweight 0.194 and pgg45 0.011 (ESL: 0.533, 0.169, 0). The
  closest point of the path, at s = 0.367, is [0.537, 0.181, 0, 0, 0.080, 0, 0,
  0], 0.019 away in Euclidean norm.

The figure redraws ESL's Figures 3.8 and 3.10: the ridge coefficients against
their effective degrees of freedom (the df = 5 fit dashed) and the lasso path
against ``s`` (s = 0.36 dashed). Ridge shrinks all coefficients smoothly and sets
none to zero; the lasso drops the predictors one after the other.
"""

import sys

import matplotlib

if __name__ == "__main__":
    matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from scipy.optimize import bisect, brentq, minimize_scalar

from sparsereg import Lasso, Ridge, lasso_path
from sparsereg.datasets import load_prostate

# %%
# Data: ESL's standardization and training/test split
# ---------------------------------------------------
data = load_prostate()
names = data.feature_names
X = (data.data - data.data.mean(axis=0)) / data.data.std(axis=0, ddof=1)
X_train, y_train = X[data.train], data.target[data.train]
X_test, y_test = X[~data.train], data.target[~data.train]
Xc, yc = X_train - X_train.mean(axis=0), y_train - y_train.mean()  # centered

ESL = {  # Table 3.3: intercept, 8 coefficients, test error
    "LS": [2.465, 0.680, 0.263, -0.141, 0.210, 0.305, -0.288, -0.021, 0.267, 0.521],
    "ridge": [2.452, 0.420, 0.238, -0.046, 0.162, 0.227, 0.000, 0.040, 0.133, 0.492],
    "lasso": [2.468, 0.533, 0.169, 0, 0.002, 0.094, 0, 0, 0, 0.479],
}

# %%
# Least squares, ridge with 5 degrees of freedom, lasso with s = 0.36
# --------------------------------------------------------------------
s2 = np.linalg.svd(Xc, compute_uv=False) ** 2


def ridge_df(alpha):  # effective degrees of freedom: trace of the hat matrix
    return np.sum(s2 / (s2 + alpha))


least_squares = Ridge(alpha=1e-10).fit(X_train, y_train)  # no penalty to speak of
alpha_ridge = brentq(lambda a: ridge_df(a) - 5.0, 1e-6, 1e4, xtol=1e-12)
ridge = Ridge(alpha=alpha_ridge).fit(X_train, y_train)
l1_ls = np.abs(least_squares.coef_).sum()


def lasso(alpha):
    return Lasso(alpha=alpha, tol=1e-12, max_iter=100_000).fit(X_train, y_train)


def shrinkage(alpha):  # ESL's shrinkage factor s of the lasso fit at alpha
    return np.abs(lasso(alpha).coef_).sum() / l1_ls


alpha_max = np.max(np.abs(Xc.T @ yc)) / len(yc)  # smallest alpha giving w = 0
alpha_lasso = bisect(lambda a: shrinkage(a) - 0.36, 1e-6 * alpha_max, alpha_max,
                     xtol=1e-12)
lasso_036 = lasso(alpha_lasso)
nearest = minimize_scalar(lambda a: np.linalg.norm(lasso(a).coef_ - ESL["lasso"][1:9]),
                          bounds=(0.05 * alpha_max, alpha_max), method="bounded",
                          options={"xatol": 1e-10})
print(f"ridge alpha for df = 5: {alpha_ridge:.4f}; lasso alpha for s = 0.36: "
      f"{alpha_lasso:.4f} (s = {shrinkage(alpha_lasso):.6f})")

fits = {"LS": least_squares, "ridge": ridge, "lasso": lasso_036}
print(f"\n{'term':>10}" + "".join(f"{k:>8}{'ESL':>7}" for k in fits))
ours = {key: np.r_[m.intercept_, m.coef_, np.mean((y_test - m.predict(X_test)) ** 2)]
        for key, m in fits.items()}
for row, term in enumerate(["intercept", *names, "test error"]):
    print(f"{term:>10}"
          + "".join(f"{ours[k][row]:8.3f}{ESL[k][row]:7.3f}" for k in fits))
closest = lasso(nearest.x)
print(f"\nlasso path point closest to ESL's column: alpha = {nearest.x:.4f}, "
      f"s = {shrinkage(nearest.x):.3f}, distance {nearest.fun:.3f}, coef "
      + " ".join(f"{c:.3f}" for c in closest.coef_))

# %%
# ESL Figures 3.8 and 3.10: ridge against df, lasso against s
# -----------------------------------------------------------
# Each path ends at the least-squares fit (df = 8, s = 1).
ridge_alphas = np.geomspace(1e5, 1e-3, 120)
ridge_coefs = np.c_[np.array([Ridge(alpha=a).fit(X_train, y_train).coef_
                              for a in ridge_alphas]).T, least_squares.coef_]
dfs = np.r_[[ridge_df(a) for a in ridge_alphas], 8.0]
_, lasso_coefs, _ = lasso_path(Xc, yc, alphas=np.geomspace(alpha_max, 1e-5 * alpha_max,
                                                           200), tol=1e-10)
lasso_coefs = np.c_[lasso_coefs, least_squares.coef_]
s_path = np.abs(lasso_coefs).sum(axis=0) / l1_ls

fig, axes = plt.subplots(1, 2, figsize=(12, 5), sharey=True)
panels = [(dfs, ridge_coefs, 5.0, f"df = 5 (alpha = {alpha_ridge:.1f})",
           "effective degrees of freedom df(alpha)", "ridge (ESL Figure 3.8)"),
          (s_path, lasso_coefs, 0.36, f"s = 0.36 (alpha = {alpha_lasso:.3f})",
           "shrinkage factor s = ||w||_1 / ||w_LS||_1", "lasso (ESL Figure 3.10)")]
for ax, (x, coefs, mark, label, xlabel, title) in zip(axes, panels, strict=True):
    for j in range(len(names)):
        ax.plot(x, coefs[j], color=f"C{j}", marker="o", markersize=2, linewidth=1)
    order = np.argsort(coefs[:, -1])  # name the profiles at their right end,
    y_text = np.maximum.accumulate(coefs[order, -1] - 0.03 * np.arange(8))
    for k, j in enumerate(order):  # the labels at least 0.03 apart
        ax.annotate(names[j], xy=(x[-1], y_text[k] + 0.03 * k), xytext=(4, 0),
                    textcoords="offset points", va="center", fontsize=8,
                    color=f"C{j}")
    ax.axvline(mark, color="r", linestyle="--", linewidth=1, label=label)
    ax.axhline(0.0, color="k", linewidth=0.6)
    ax.set(xlabel=xlabel, title=f"{title}: coefficient profiles")
    ax.legend(loc="upper left")
    ax.grid(True, alpha=0.3)
    ax.set_xlim(-0.02 * x[-1], 1.12 * x[-1])
axes[0].set_ylabel("coefficient (standardized predictors)")
fig.tight_layout()

output = sys.argv[1] if len(sys.argv) > 1 else "prostate_esl.png"
fig.savefig(output, dpi=110)
print(f"saved {output}")
