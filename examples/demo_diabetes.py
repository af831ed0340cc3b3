"""Fit Lasso, ElasticNet and Ridge on the diabetes data and compare their sparsity.

Run with ``python examples/demo_diabetes.py``. The features are standardized so that
the penalties treat them alike; each model is printed with its coefficients, the number
of nonzero coefficients and the held-out R^2.
"""

import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sparsereg import ElasticNet, Lasso, Ridge


def main():
    data = load_diabetes()
    X_train, X_test, y_train, y_test = train_test_split(
        data.data, data.target, test_size=0.25, random_state=0
    )
    models = {
        "Lasso(alpha=1)": Lasso(alpha=1.0),
        "ElasticNet(alpha=1, l1_ratio=0.7)": ElasticNet(alpha=1.0, l1_ratio=0.7),
        "Ridge(alpha=10)": Ridge(alpha=10.0),
    }
    names = data.feature_names
    print("coefficients on standardized features (diabetes, n=442, p=10)\n")
    print(f"{'feature':>8} " + " ".join(f"{name:>34}" for name in models))
    fitted = {}
    for name, model in models.items():
        fitted[name] = make_pipeline(StandardScaler(), model).fit(X_train, y_train)
    coefs = np.array([f[-1].coef_ for f in fitted.values()])
    for j, feature in enumerate(names):
        print(f"{feature:>8} " + " ".join(f"{c:>34.3f}" for c in coefs[:, j]))
    print()
    for (name, pipe), coef in zip(fitted.items(), coefs, strict=True):
        nnz = int(np.count_nonzero(coef))
        r2 = pipe.score(X_test, y_test)
        print(f"{name:>34}: {nnz:2d}/{len(coef)} nonzero, "
              f"{len(coef) - nnz} exactly zero, test R^2 = {r2:.3f}")


if __name__ == "__main__":
    main()
