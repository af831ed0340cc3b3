"""Shared data makers and reference formulas for the tests (no sparsereg imports)."""

import numpy as np
from scipy import sparse
from scipy.linalg import toeplitz


def make_data(n, p, rho=0.5, n_targets=None, density=None, seed=0, n_informative=5):
    """Correlated Gaussian design (Toeplitz rho^|i-j|) with a sparse true w.

    With ``density``, a random sparse design in CSC format instead.
    """
    rng = np.random.default_rng(seed)
    if density is None:
        L = np.linalg.cholesky(toeplitz(rho ** np.arange(p)))
        X = rng.standard_normal((n, p)) @ L.T + 0.3
    else:
        X = sparse.random(n, p, density=density, format="csc", random_state=seed,
                          data_rvs=lambda k: rng.uniform(0.5, 2.0, k))
    k = n_targets or 1
    W = np.zeros((p, k))
    for t in range(k):
        support = rng.choice(p, n_informative, replace=False)
        W[support, t] = rng.uniform(1, 3, n_informative)
    Y = X @ W + 0.5 * rng.standard_normal((n, k)) + 2.0
    y = Y[:, 0] if n_targets is None else Y
    return X, y


def to_format(X, fmt):
    if fmt == "dense":
        return X.toarray() if sparse.issparse(X) else np.asarray(X)
    Xs = sparse.csr_matrix(X) if not sparse.issparse(X) else X
    return Xs.asformat(fmt)


def enet_objective(X, y, coef, intercept, alpha, l1_ratio, sample_weight=None):
    """scikit-learn's ElasticNet objective, weights normalized to sum to n."""
    X = X.toarray() if sparse.issparse(X) else np.asarray(X, dtype=np.float64)
    n = X.shape[0]
    s = np.ones(n) if sample_weight is None else sample_weight * n / sample_weight.sum()
    R = y - X @ coef - intercept
    return (0.5 * np.sum(s * R**2) / n + alpha * l1_ratio * np.abs(coef).sum()
            + 0.5 * alpha * (1 - l1_ratio) * coef @ coef)


def ridge_objective(X, y, coef, intercept, alpha, sample_weight=None):
    X = X.toarray() if sparse.issparse(X) else np.asarray(X, dtype=np.float64)
    s = np.ones(X.shape[0]) if sample_weight is None else sample_weight
    R = y - X @ coef - intercept
    return np.sum(s * R**2) + alpha * coef @ coef


def kkt_violation(X, y, coef, intercept, l1, l2, sample_weight=None, positive=False):
    """Largest violation of the optimality conditions of P (public 1/n scaling)."""
    X = X.toarray() if sparse.issparse(X) else np.asarray(X, dtype=np.float64)
    n = X.shape[0]
    s = np.ones(n) if sample_weight is None else sample_weight * n / sample_weight.sum()
    R = y - X @ coef - intercept
    grad = X.T @ (s * R) / n - l2 * coef  # minus the gradient of the smooth part
    nz = coef != 0
    viol = np.zeros_like(coef)
    viol[nz] = np.abs(grad[nz] - l1 * np.sign(coef[nz]))
    if positive:
        viol[~nz] = np.maximum(grad[~nz] - l1, 0.0)
    else:
        viol[~nz] = np.maximum(np.abs(grad[~nz]) - l1, 0.0)
    return viol.max(initial=0.0)
