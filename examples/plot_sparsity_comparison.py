"""
L1, L2 and the elastic net on a problem with a sparse truth
===========================================================

The three penalties shrink the coefficients in different ways:

* **L1** (:class:`~sparsereg.Lasso`, ``alpha * ||w||_1``) subtracts a constant from
  every coefficient's magnitude (soft thresholding), so that small ones become
  *exactly* zero: the lasso selects features. The price is a bias: the selected
  coefficients are shrunk towards zero too.
* **L2** (:class:`~sparsereg.Ridge`, ``alpha * ||w||_2^2``) divides the
  coefficients (in the directions of the singular vectors of X) by
  ``1 + alpha / s_j^2``: all of them shrink, none reaches zero.
* **The elastic net** (:class:`~sparsereg.ElasticNet`, a mix with weight
  ``l1_ratio`` on the L1 term) selects as the lasso does but also shrinks like
  ridge; among correlated features it spreads the weight over the group instead
  of picking one, and it keeps more features than the lasso at the same fit.

The data come from :func:`~sparsereg.datasets.make_sparse_regression`: 100 samples,
50 features whose neighbours are correlated (``rho**|j - k|``, rho = 0.5), 5 true
nonzeros of magnitude 1 to 3, noise of standard deviation 1. The features have unit
variance by construction, so the models are fitted on X as it is (on real data,
standardize first: the penalties are not invariant to the scale of a feature).
:class:`~sparsereg.LassoCV` and :class:`~sparsereg.ElasticNetCV` (l1_ratio in
0.1 ... 1) use the same 5 folds; :class:`~sparsereg.RidgeCV` its closed-form
leave-one-out error. The elastic net at l1_ratio 0.5 is also fitted, at the alpha
that ElasticNetCV found best for that l1_ratio.

Measured: every model finds the 5 true features (recall 1). The lasso keeps 10
(precision 0.5). ElasticNetCV chooses l1_ratio = 1, i.e. the same lasso: with a
sparse truth and moderate correlation the L1 penalty wins the CV, whose best error
grows steadily as l1_ratio decreases (1.23 at l1_ratio 1, 1.70 at 0.5, 2.33 at
0.1; top right panel). The elastic net at l1_ratio 0.5 keeps 27 features and ridge
all 50; the distance ``||w - w_true||_2`` grows from 0.63 (lasso) to 0.77 (elastic
net) and 1.10 (ridge). The top left panel shows the mechanism: along the path,
the number of nonzeros of the lasso and of the elastic net grows from 0 as alpha
decreases, that of ridge stays at 50. The bottom panel compares the coefficients
with the truth (black diamonds): the lasso's 5 false positives are small (at most
0.10 in magnitude), and ridge spreads small nonzero values over every feature.
"""

import sys

import matplotlib

if __name__ == "__main__":
    matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.model_selection import KFold

from sparsereg import ElasticNet, ElasticNetCV, LassoCV, RidgeCV
from sparsereg.datasets import make_sparse_regression
from sparsereg.plotting import plot_coef_comparison, plot_nonzero_paths
from sparsereg.sparsity import compare_paths, sparsity_report

# %%
# A sparse truth: 5 of 50 coefficients
# ------------------------------------
X, y, coef = make_sparse_regression(100, 50, 5, rho=0.5, noise=1.0, random_state=0)
print(f"true support: {np.flatnonzero(coef).tolist()}")

# %%
# Three cross-validated models, and the elastic net at l1_ratio 0.5
# -----------------------------------------------------------------
cv = KFold(n_splits=5, shuffle=True, random_state=0)
lasso = LassoCV(cv=cv).fit(X, y)
enet_cv = ElasticNetCV(l1_ratio=[0.1, 0.5, 0.7, 0.9, 0.95, 1.0], cv=cv).fit(X, y)
ridge = RidgeCV(alphas=np.geomspace(1e-2, 1e3, 50)).fit(X, y)
table = pd.DataFrame({k: enet_cv.cv_results_[k] for k in
                      ("param_l1_ratio", "param_alpha", "mean_test_error")})
best_per_ratio = table.loc[table.groupby("param_l1_ratio").mean_test_error.idxmin()]
print("ElasticNetCV, best alpha and mean CV error per l1_ratio:")
print(best_per_ratio.to_string(index=False, float_format="%.4f"))
alpha_05 = best_per_ratio.set_index("param_l1_ratio").param_alpha[0.5]
enet_05 = ElasticNet(alpha=alpha_05, l1_ratio=0.5).fit(X, y)
print(f"chosen: l1_ratio_ = {enet_cv.l1_ratio_}, alpha_ = {enet_cv.alpha_:.4f}\n")

models = {"LassoCV": lasso, f"ElasticNetCV (l1_ratio_={enet_cv.l1_ratio_:g})": enet_cv,
          "ElasticNet (l1_ratio=0.5)": enet_05, "RidgeCV": ridge}
report = sparsity_report(models, true_coef=coef)
report["coef_error"] = [np.linalg.norm(m.coef_ - coef) for m in models.values()]
false = np.abs(lasso.coef_[coef == 0]).max()
print(f"largest false positive of the lasso: {false:.3f}")
print(report[["n_nonzero", "l1_norm", "precision", "recall", "f1", "coef_error"]]
      .to_string(float_format="%.3f"))

# %%
# Nonzeros along the paths, and the fitted coefficients against the truth
# -----------------------------------------------------------------------
paths = compare_paths(X, y, l1_ratios=(1.0, 0.5, 0.0), n_alphas=50)
fig, axes = plt.subplot_mosaic([["paths", "cv"], ["coef", "coef"]],
                               figsize=(14, 9), height_ratios=[1, 1.1])
plot_nonzero_paths(paths, ax=axes["paths"])
axes["paths"].axhline(5, color="k", linestyle=":", label="true support (5)")
axes["paths"].set_title("number of nonzeros along the path (compare_paths)")
axes["paths"].legend()

for ratio, rows in table.groupby("param_l1_ratio"):
    axes["cv"].plot(rows.param_alpha, rows.mean_test_error, label=f"{ratio:g}")
axes["cv"].axvline(enet_cv.alpha_, color="k", linestyle="--", linewidth=1)
axes["cv"].set(xscale="log", yscale="log", xlabel="alpha",
               ylabel="mean 5-fold CV MSE (log scale)",
               title="ElasticNetCV: CV error per l1_ratio (dashed: chosen alpha)")
axes["cv"].invert_xaxis()
axes["cv"].set_yticks([1.5, 2, 3, 5, 10, 20], labels=["1.5", "2", "3", "5", "10", "20"])
axes["cv"].set_yticks([], minor=True)
axes["cv"].legend(title="l1_ratio", ncols=2)

ax = plot_coef_comparison(models, ax=axes["coef"])
support = np.flatnonzero(coef)
ax.plot(support, coef[support], "D", color="k", markeredgecolor="w", markersize=7,
        zorder=3, label="truth (5 nonzero)")
ax.legend(ncols=5, loc="upper center", fontsize=9)
ax.set_xticks(np.arange(0, len(coef), 2), labels=np.arange(0, len(coef), 2))
ax.set(xlabel="feature", xlim=(-1, len(coef)), ylim=(coef.min() - 0.3, coef.max() + 1),
       title="fitted coefficients (x: exact zero) and the true ones")
fig.tight_layout()

output = sys.argv[1] if len(sys.argv) > 1 else "sparsity_comparison.png"
fig.savefig(output, dpi=110)
print(f"saved {output}")
