"""
Comparing coefficient sparsity in a few lines: report, CV curves, paths, stability
===================================================================================

The whole workflow of :mod:`sparsereg.sparsity` and :mod:`sparsereg.plotting` on a
real data set, scikit-learn's diabetes data (442 patients, 10 standardized
features): which features do a lasso, an elastic net and a ridge regression keep,
how sure are we of the choice, and what does it cost in cross-validated error?

1. Fit :class:`~sparsereg.LassoCV`, :class:`~sparsereg.ElasticNetCV` and
   :class:`~sparsereg.RidgeCV` in pipelines and compare them with
   :func:`~sparsereg.sparsity.sparsity_report`: the number of nonzero coefficients,
   the chosen alpha and its CV error, and how much their supports overlap.
2. Draw the elastic net's CV curve (:func:`~sparsereg.plotting.plot_cv_curve`, with
   glmnet's minimum and one-standard-error alphas) and its coefficient path
   (:func:`~sparsereg.plotting.plot_coef_path`).
3. Count the nonzeros along the lasso, elastic-net and ridge paths
   (:func:`~sparsereg.sparsity.compare_paths`,
   :func:`~sparsereg.plotting.plot_nonzero_paths`): the ridge keeps every feature
   at every alpha.
4. Ask how stable the lasso's selection is: the stability path of Meinshausen and
   Buhlmann (:func:`~sparsereg.sparsity.stability_path`,
   :func:`~sparsereg.plotting.plot_stability_path`), the selection probability of
   each feature over 100 half-samples along the path; the features whose
   probability reaches 0.6 somewhere on the path are the stable set.

The script prints the report and the stable set.
"""

import sys

import matplotlib

if __name__ == "__main__":
    matplotlib.use("Agg")

import matplotlib.pyplot as plt
from sklearn.datasets import load_diabetes
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sparsereg import ElasticNetCV, LassoCV, RidgeCV
from sparsereg.plotting import (
    plot_coef_path,
    plot_cv_curve,
    plot_nonzero_paths,
    plot_stability_path,
)
from sparsereg.sparsity import compare_paths, sparsity_report, stability_path

# %%
# Fit and report
# --------------
data = load_diabetes(as_frame=True)
X, y = data.data, data.target
models = {
    "lasso": make_pipeline(StandardScaler(), LassoCV(cv=10, random_state=0)),
    "enet": make_pipeline(StandardScaler(),
                          ElasticNetCV(l1_ratio=[0.2, 0.5, 0.8], cv=10)),
    "ridge": make_pipeline(StandardScaler(), RidgeCV(alphas=(0.1, 1, 10, 100))),
}
for model in models.values():
    model.fit(X, y)
report = sparsity_report(models)
print(report[["n_nonzero", "alpha", "cv_error", "jaccard[lasso]"]]
      .to_string(float_format="%.3f"))

# %%
# CV curve, paths, stability
# --------------------------
Xs = StandardScaler().fit_transform(X)
stable = stability_path(Xs, y, n_resamples=100, feature_names=list(X.columns),
                        random_state=0)
print("stable set (lasso, threshold 0.6):", ", ".join(stable.selected_names))

fig, axes = plt.subplot_mosaic([["cv", "path"], ["nonzero", "stability"]],
                               figsize=(13, 9), layout="constrained")
plot_cv_curve(models["enet"], ax=axes["cv"])
axes["cv"].set_title(f"elastic net: CV error (l1_ratio "
                     f"{models['enet'][-1].l1_ratio_:g})")
plot_coef_path(models["enet"], ax=axes["path"])
axes["path"].set_title("elastic net: coefficient path")
plot_nonzero_paths(compare_paths(Xs, y), ax=axes["nonzero"])
axes["nonzero"].set_title("nonzero coefficients along each penalty's path")
plot_stability_path(stable, ax=axes["stability"])

output = sys.argv[1] if len(sys.argv) > 1 else "sparsity_workflow.png"
fig.savefig(output, dpi=100)
print(f"saved {output}")
