"""Synthetic regression problems whose true support is known."""

import numpy as np
from sklearn.utils import check_random_state


def make_sparse_regression(n_samples=100, n_features=50, n_informative=5, *,
                           rho=0.0, noise=1.0, coef_scale=(1.0, 3.0),
                           random_state=None):
    """Gaussian design with Toeplitz correlation and a sparse true coefficient.

    ``X`` has rows drawn from N(0, S) with ``S_jk = rho ** |j - k|``; the true
    ``coef`` has ``n_informative`` nonzeros at random positions, with random signs
    and magnitudes uniform in ``coef_scale``; ``y = X @ coef + noise * e`` with
    standard Gaussian ``e``.

    Parameters
    ----------
    n_samples, n_features, n_informative : int
        Sizes (``n_informative <= n_features``).
    rho : float, default=0.0
        Correlation of neighbouring features, in [0, 1).
    noise : float, default=1.0
        Standard deviation of the noise.
    coef_scale : (float, float), default=(1.0, 3.0)
        Range of the nonzero magnitudes.
    random_state : int, RandomState instance or None
        Seed.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    coef : ndarray of shape (n_features,)
        The true coefficients (zero outside the support).

    Examples
    --------
    >>> from sparsereg.datasets import make_sparse_regression
    >>> X, y, coef = make_sparse_regression(50, 20, 3, random_state=0)
    >>> X.shape, int((coef != 0).sum())
    ((50, 20), 3)
    """
    if not 0 <= n_informative <= n_features:
        raise ValueError(f"n_informative={n_informative} must be in [0, n_features]")
    if not 0.0 <= rho < 1.0:
        raise ValueError(f"rho must be in [0, 1), got {rho}")
    rng = check_random_state(random_state)
    X = np.empty((n_samples, n_features))
    X[:, 0] = rng.standard_normal(n_samples)
    scale = np.sqrt(1.0 - rho**2)
    for j in range(1, n_features):  # AR(1) columns: correlation rho ** |j - k|
        X[:, j] = rho * X[:, j - 1] + scale * rng.standard_normal(n_samples)
    coef = np.zeros(n_features)
    support = rng.choice(n_features, n_informative, replace=False)
    low, high = coef_scale
    coef[support] = rng.uniform(low, high, n_informative) * rng.choice(
        [-1.0, 1.0], n_informative)
    y = X @ coef + noise * rng.standard_normal(n_samples)
    return X, y, coef
