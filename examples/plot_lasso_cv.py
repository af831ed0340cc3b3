"""
Choosing alpha: the minimum CV error or glmnet's one-standard-error rule
========================================================================

:class:`~sparsereg.LassoCV` fits, on each of the K cross-validation folds, the whole
lasso path (a geometric grid of 100 alphas from ``alpha_max``, where every
coefficient is zero, down to ``alpha_max / 1000``) and scores every alpha on the
held-out part. The mean of the K fold errors is the CV curve (left panel, with
error bars of one standard error, ``std / sqrt(K)``). Two rules pick an alpha on it:

* ``alpha_rule="min"`` (scikit-learn's rule): ``alpha_min_``, the alpha of the
  smallest mean CV error;
* ``alpha_rule="1se"`` (glmnet's ``lambda.1se``): ``alpha_1se_``, the *largest*
  alpha whose mean CV error is within one standard error of that minimum. The CV
  curve is flat near its minimum and its estimate noisy; among the models the CV
  cannot tell apart from the best one, the rule takes the most regularized, i.e.
  the sparsest. It is nearly as accurate, and simpler to read.

Both attributes are computed whatever the rule; ``alpha_`` (and ``coef_``, the
final fit on all the training data) follows the rule. ``selection_frequency_`` is,
for each feature, the fraction of the K fold fits in which its coefficient is
nonzero at the chosen alpha: a feature selected in every fold is a stable choice,
one selected in a few folds is not.

The data are scikit-learn's diabetes data (442 patients, 10 features,
standardized on the training part), split into 309 training and 133 test rows;
10-fold CV on the training rows. Measured: ``alpha_min_ = 1.13`` keeps 8 features
(test R^2 0.389), ``alpha_1se_ = 8.55`` keeps 4 (bmi, bp, s3, s5; test R^2 0.365),
each of them selected in all 10 folds. Between the two alphas (right panel, the
coefficient path) sex, s1, age and s6 enter the model (s2 enters and leaves
again); at ``alpha_min_`` age and s6 are selected in only 7 and 6 of the 10
folds (``selection_frequency_`` 0.7 and 0.6), and s2, zero in the final fit, in 3.
"""

import sys

import matplotlib

if __name__ == "__main__":
    matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.model_selection import KFold, train_test_split
from sklearn.preprocessing import StandardScaler

from sparsereg import LassoCV
from sparsereg.plotting import plot_coef_path, plot_cv_curve

# %%
# Data: diabetes, standardized on the training rows
# -------------------------------------------------
data = load_diabetes()
names = data.feature_names
X_train, X_test, y_train, y_test = train_test_split(
    data.data, data.target, test_size=0.3, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

# %%
# The same CV, two rules
# ----------------------
# The folds are fixed by a shuffled KFold, so that both models see the same
# CV curve and differ only in the rule.
cv = KFold(n_splits=10, shuffle=True, random_state=0)
models = {rule: LassoCV(cv=cv, alpha_rule=rule).fit(X_train, y_train)
          for rule in ("min", "1se")}
for rule, model in models.items():
    mse = np.mean((y_test - model.predict(X_test)) ** 2)
    chosen = model.alpha_min_ if rule == "min" else model.alpha_1se_
    print(f"alpha_{rule}_ = {chosen:.4f} ({np.count_nonzero(model.coef_)} nonzero, "
          f"test R^2 = {model.score(X_test, y_test):.3f}, test MSE = {mse:.1f})")

print(f"\n{'feature':>8} {'coef min':>9} {'coef 1se':>9} {'freq min':>9} "
      f"{'freq 1se':>9}")
for j, name in enumerate(names):
    print(f"{name:>8}" + "".join(f" {m.coef_[j]:9.2f}" for m in models.values())
          + "".join(f" {m.selection_frequency_[j]:9.1f}" for m in models.values()))

# %%
# CV curve and coefficient path
# -----------------------------
# ``plot_cv_curve`` marks both alphas; ``plot_coef_path`` marks the model's
# ``alpha_`` (here ``alpha_1se_``), and we add ``alpha_min_``.
one_se = models["1se"]
fig, (ax_cv, ax_path) = plt.subplots(1, 2, figsize=(12, 5))
ax_cv, ax_top = plot_cv_curve(one_se, ax=ax_cv)
ax_cv.set_ylabel("mean CV squared error (± 1 s.e.)")
ax_cv.set_title("10-fold CV error of the lasso path")
plot_coef_path(one_se, feature_names=names, ax=ax_path)
ax_path.lines[-1].set(color="C2", linestyle=":", linewidth=1.5,  # alpha_'s line
                      label=f"alpha_1se_ = {one_se.alpha_1se_:.3g}")
ax_path.axvline(one_se.alpha_min_, color="C1", linestyle="--", linewidth=1.5,
                label=f"alpha_min_ = {one_se.alpha_min_:.3g}")
ax_path.legend(handles=ax_path.lines[-2:], loc="upper left")
ax_path.set_title("lasso path (standardized diabetes features)")
fig.tight_layout()

output = sys.argv[1] if len(sys.argv) > 1 else "lasso_cv.png"
fig.savefig(output, dpi=110)
print(f"saved {output}")
