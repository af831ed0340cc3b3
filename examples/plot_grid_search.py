"""
Tuning inside a Pipeline with GridSearchCV
==========================================

sparsereg's estimators are scikit-learn estimators: they go into a
:class:`~sklearn.pipeline.Pipeline` and their parameters are tuned by
:class:`~sklearn.model_selection.GridSearchCV` with the ``step__param`` syntax. Here
a ``StandardScaler`` followed by :class:`~sparsereg.ElasticNet` is tuned over a
geometric grid of 25 alphas (10 down to 0.001) and 6 l1_ratios (0.1 to 1) on
scikit-learn's diabetes data (442 rows, 10 features), with a shuffled 5-fold
``KFold`` and the ``"neg_mean_squared_error"`` scoring: 150 candidates, 750 fits.
Inside the pipeline the scaler is refitted on the training part of every fold, so
that no information from the held-out part leaks into the scaling. The left panel
shows, for every cell of the grid, how much its mean CV error exceeds the best
one (starred). Measured: the best is ``alpha = 0.681``, ``l1_ratio = 1`` (the
lasso), with a mean CV MSE of 2972.0; the best alpha decreases with l1_ratio
(0.0068 at l1_ratio 0.1), and with 442 rows for 10 features the surface is flat:
every model with alpha <= 0.1 is within 0.3% of the best.

**GridSearchCV and LassoCV agree.** :class:`~sparsereg.LassoCV` runs the same
search for the lasso, faster: it fits one warm-started path per fold instead of
one cold fit per (alpha, fold). Given the same data, the same folds (the same
``KFold`` object), the same explicit ``alphas`` and the same error (the mean over
the folds of each fold's mean squared error), the two select the same alpha. The
comparison is made on data standardized once, beforehand: a pipeline would rescale
within each fold, which LassoCV (one estimator, no pipeline) does not. The right
panel overlays the two CV curves: they differ by at most 2e-6 relative (each fit
stops at ``tol=1e-4``), and both choose ``alpha = 0.681``.
"""

import sys

import matplotlib

if __name__ == "__main__":
    matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm
from sklearn.datasets import load_diabetes
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sparsereg import ElasticNet, Lasso, LassoCV

# %%
# A pipeline tuned over alpha and l1_ratio
# ----------------------------------------
X, y = load_diabetes(return_X_y=True)
cv = KFold(n_splits=5, shuffle=True, random_state=0)
alphas = np.geomspace(10, 1e-3, 25)
l1_ratios = [0.1, 0.3, 0.5, 0.7, 0.9, 1.0]
pipe = Pipeline([("scale", StandardScaler()), ("model", ElasticNet())])
search = GridSearchCV(pipe, {"model__alpha": alphas, "model__l1_ratio": l1_ratios},
                      cv=cv, scoring="neg_mean_squared_error").fit(X, y)
best = search.best_params_
print(f"Pipeline + GridSearchCV: alpha = {best['model__alpha']:.4g}, l1_ratio = "
      f"{best['model__l1_ratio']}, mean CV MSE = {-search.best_score_:.1f}")

# %%
# GridSearchCV over a Lasso against LassoCV, on the same standardized data
# ------------------------------------------------------------------------
X_std = StandardScaler().fit_transform(X)
grid = GridSearchCV(Lasso(), {"alpha": alphas}, cv=cv,
                    scoring="neg_mean_squared_error").fit(X_std, y)
lasso_cv = LassoCV(alphas=alphas, cv=cv).fit(X_std, y)
grid_alphas = np.asarray(grid.cv_results_["param_alpha"], dtype=float)
order = np.argsort(-grid_alphas)  # LassoCV sorts its grid by decreasing alpha
grid_mse = -grid.cv_results_["mean_test_score"][order]
path_mse = lasso_cv.mse_path_.mean(axis=1)
gap = np.max(np.abs(grid_mse - path_mse) / path_mse)
print(f"GridSearchCV(Lasso) alpha = {grid.best_params_['alpha']:.6f}")
print(f"LassoCV alpha_ = {lasso_cv.alpha_:.6f}")
print(f"same alpha: {grid.best_params_['alpha'] == lasso_cv.alpha_}; largest "
      f"relative difference of the CV curves: {gap:.1e}")

# %%
# The grid as a heatmap, and the two lasso CV curves
# --------------------------------------------------
results = search.cv_results_
mse = np.empty((len(l1_ratios), len(alphas)))
for a, r, score in zip(results["param_model__alpha"], results["param_model__l1_ratio"],
                       results["mean_test_score"], strict=True):
    mse[l1_ratios.index(r), np.flatnonzero(alphas == a)[0]] = -score
excess = 100 * (mse / mse.min() - 1)  # in %, 0 at the best cell

fig, (ax_map, ax_cv) = plt.subplots(1, 2, figsize=(13, 4.8),
                                    gridspec_kw={"width_ratios": [1.5, 1]})
image = ax_map.imshow(np.maximum(excess, 0.01), aspect="auto", cmap="viridis_r",
                      origin="lower", norm=LogNorm(vmin=0.01, vmax=100))
ticks = np.arange(0, len(alphas), 4)
ax_map.set_xticks(ticks, labels=[f"{a:.2g}" for a in alphas[ticks]])
ax_map.set_yticks(range(len(l1_ratios)), labels=[str(r) for r in l1_ratios])
ax_map.plot(np.flatnonzero(alphas == best["model__alpha"])[0],
            l1_ratios.index(best["model__l1_ratio"]), marker="*", markersize=18,
            color="red", markeredgecolor="white", linestyle="none",
            label=f"best: alpha = {best['model__alpha']:.3g}, "
                  f"l1_ratio = {best['model__l1_ratio']}")
ax_map.set(xlabel="model__alpha", ylabel="model__l1_ratio",
           title="StandardScaler + ElasticNet: 5-fold CV MSE above the best")
ax_map.legend(loc="lower right", fontsize=9)
fig.colorbar(image, ax=ax_map, label="mean CV MSE above the best [%]")

ax_cv.plot(lasso_cv.alphas_, path_mse, color="C0", linewidth=2,
           label="LassoCV (warm-started path per fold)")
ax_cv.plot(grid_alphas[order], grid_mse, "o", color="C1", markersize=5,
           label="GridSearchCV(Lasso) (one fit per alpha and fold)")
ax_cv.axvline(lasso_cv.alpha_, color="k", linestyle="--", linewidth=1,
              label=f"both choose alpha = {lasso_cv.alpha_:.3g}")
ax_cv.set_xscale("log")
ax_cv.invert_xaxis()
ax_cv.set(xlabel="alpha", ylabel="mean CV MSE",
          title="Lasso on data standardized beforehand")
ax_cv.legend()
fig.tight_layout()

output = sys.argv[1] if len(sys.argv) > 1 else "grid_search.png"
fig.savefig(output, dpi=110)
print(f"saved {output}")
