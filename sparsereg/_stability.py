"""Selection stability: which features a sparse model keeps across resamples.

:func:`stability_selection` refits one estimator on random subsamples (or bootstrap
samples); :func:`stability_path` does the same along a whole elastic-net path
(Meinshausen & Buhlmann, 2010). Re-exported by :mod:`sparsereg.sparsity`.
"""

from numbers import Integral

import numpy as np
from joblib import Parallel, delayed
from scipy import sparse
from sklearn.base import clone
from sklearn.utils import check_random_state

from .sparsity import extract_coef, feature_names_of, zero_threshold_of


class StabilitySelection:
    """Result of :func:`stability_selection`.

    Attributes
    ----------
    frequency : ndarray of shape (n_features,)
        Fraction of the resampled fits in which each feature was nonzero.
    selected : ndarray of bool, shape (n_features,)
        ``frequency >= threshold``.
    feature_names : list of str
    threshold : float
    n_resamples : int
    """

    def __init__(self, frequency, threshold, feature_names, n_resamples):
        self.frequency = frequency
        self.threshold = threshold
        self.selected = frequency >= threshold
        self.feature_names = feature_names
        self.n_resamples = n_resamples

    @property
    def selected_names(self):
        """Names of the selected features, most stable first."""
        order = np.argsort(-self.frequency, kind="stable")
        return [self.feature_names[j] for j in order if self.selected[j]]

    def __repr__(self):
        return (f"StabilitySelection(selected={self.selected_names}, "
                f"threshold={self.threshold}, n_resamples={self.n_resamples})")


def stability_selection(estimator, X, y, n_resamples=100, sample_fraction=0.5,
                        method="subsample", threshold=0.6, zero_threshold=0.0,
                        feature_names=None, random_state=None, n_jobs=None, *,
                        tol="deprecated"):
    """Which features a sparse model selects robustly (Meinshausen & Buhlmann, 2010).

    ``estimator`` (unfitted; cloned) is fitted on ``n_resamples`` random subsamples
    of ``sample_fraction * n_samples`` rows drawn without replacement
    (``method="subsample"``, the original proposal) or on bootstrap samples of
    ``n_samples`` rows (``method="bootstrap"``); a feature's selection frequency is
    the fraction of fits in which its coefficient is nonzero
    (``|coef| > zero_threshold``).

    Parameters
    ----------
    estimator : estimator
        A linear model with a fixed penalty (e.g. ``Lasso(alpha=...)``) or a
        Pipeline ending in one. A CV estimator works too (each fit then chooses its
        own alpha), at the cost of a CV per resample.
    X, y : array-like
        Training data and target.
    n_resamples : int, default=100
        Number of fits.
    sample_fraction : float, default=0.5
        Rows per subsample, as a fraction (``method="subsample"`` only).
    method : {"subsample", "bootstrap"}, default="subsample"
        How the rows are drawn.
    threshold : float, default=0.6
        Frequency from which a feature counts as selected.
    zero_threshold : float, default=0.0
        Coefficients with ``|coef| <= zero_threshold`` count as zero.
    feature_names : list of str, default=None
        Names of the features (default: the fitted model's, else ``x0, ...``).
    random_state : int, RandomState instance or None, default=None
        Seeds the resampling. The rows are drawn before any fit, so the result does
        not depend on ``n_jobs``.
    n_jobs : int, default=None
        Fits run in parallel through joblib (None: 1 unless in a
        :func:`joblib.parallel_backend` context; -1: all processors).
    tol : float
        Deprecated alias of ``zero_threshold`` (a FutureWarning).

    Returns
    -------
    result : StabilitySelection
        ``frequency``, ``selected``, ``selected_names``.
    """
    zero = zero_threshold_of(zero_threshold, tol, "stability_selection")
    if method not in ("subsample", "bootstrap"):
        raise ValueError(f"method must be 'subsample' or 'bootstrap', got {method!r}")
    if not 0.0 < sample_fraction <= 1.0:
        raise ValueError(f"sample_fraction must be in (0, 1], got {sample_fraction}")
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must be in [0, 1], got {threshold}")
    if int(n_resamples) < 1:
        raise ValueError(f"n_resamples must be >= 1, got {n_resamples}")
    rng = check_random_state(random_state)
    n = X.shape[0]
    size = n if method == "bootstrap" else max(2, int(round(sample_fraction * n)))
    draws = [rng.randint(0, n, size) if method == "bootstrap"
             else rng.choice(n, size, replace=False) for _ in range(int(n_resamples))]
    fits = Parallel(n_jobs=n_jobs)(
        delayed(_support_of_fit)(estimator, X, y, rows, zero, keep=k == 0)
        for k, rows in enumerate(draws))
    counts = np.sum([hit for hit, _ in fits], axis=0, dtype=np.int64)
    names = feature_names_of(fits[0][1], counts.size, feature_names)
    return StabilitySelection(counts / int(n_resamples), threshold, names,
                              int(n_resamples))


def _support_of_fit(estimator, X, y, rows, zero, keep):
    """The support of a clone of ``estimator`` fitted on ``rows`` (and the fitted
    model itself when ``keep``, for the feature names)."""
    model = clone(estimator).fit(_rows(X, rows), _rows(y, rows))
    coef = extract_coef(model)
    if coef.ndim != 1:
        raise ValueError("stability_selection needs single-target models")
    return np.abs(coef) > zero, model if keep else None


class StabilityPath:
    """Result of :func:`stability_path`.

    Attributes
    ----------
    alphas : ndarray of shape (n_alphas,)
        The grid, decreasing.
    frequency : ndarray of shape (n_features, n_alphas)
        Fraction of the resampled paths in which each feature is nonzero at each
        alpha (the selection probabilities).
    feature_names : list of str
    threshold : float
    n_resamples : int
    """

    def __init__(self, alphas, frequency, threshold, feature_names, n_resamples):
        self.alphas, self.frequency = alphas, frequency
        self.threshold = threshold
        self.feature_names = feature_names
        self.n_resamples = n_resamples

    @property
    def selected(self):
        """``max over alpha of frequency >= threshold`` (Meinshausen & Buhlmann's
        stable set), shape (n_features,)."""
        return self.frequency.max(axis=1) >= self.threshold

    @property
    def selected_names(self):
        """Names of the stable features, most stable first."""
        top = self.frequency.max(axis=1)
        return [self.feature_names[j] for j in np.argsort(-top, kind="stable")
                if self.selected[j]]


def stability_path(X, y, l1_ratio=1.0, n_alphas=30, eps=0.05, n_resamples=100,
                   sample_fraction=0.5, threshold=0.6, zero_threshold=0.0,
                   fit_intercept=True, feature_names=None, random_state=None,
                   n_jobs=None):
    """Selection probability of every feature along the regularization path.

    Meinshausen & Buhlmann's stability path (2010): on ``n_resamples`` random
    subsamples of ``sample_fraction * n_samples`` rows (without replacement), the
    elastic-net path of :func:`~sparsereg.enet_path` is computed on one grid of
    ``n_alphas`` alphas, from the full data's ``alpha_max`` down to ``eps`` times
    it; a feature's selection probability at an alpha is the fraction of the paths
    in which its coefficient is nonzero there. Its stable set holds the features
    whose largest probability over the grid reaches ``threshold``.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training data (standardize features of different scales first).
    y : array-like of shape (n_samples,)
        Target.
    l1_ratio : float, default=1.0
        The penalty, in (0, 1] (1: the Lasso).
    n_alphas : int, default=30
        Alphas of the grid.
    eps : float, default=0.05
        ``alpha_min / alpha_max`` (the small alphas select nearly everything).
    n_resamples : int, default=100
        Subsamples.
    sample_fraction : float, default=0.5
        Rows per subsample, as a fraction.
    threshold : float, default=0.6
        Probability from which a feature is stable.
    zero_threshold : float, default=0.0
        Coefficients with ``|coef| <= zero_threshold`` count as zero.
    fit_intercept : bool, default=True
        Center each subsample (X only when dense).
    feature_names : list of str, default=None
        Names of the features (default: the columns of a DataFrame, else
        ``x0, ...``).
    random_state : int, RandomState instance or None, default=None
        Seeds the subsamples (drawn before any path: ``n_jobs`` does not change the
        result).
    n_jobs : int, default=None
        Paths computed in parallel through joblib.

    Returns
    -------
    result : StabilityPath
        ``alphas``, ``frequency``, ``selected``, ``selected_names``.
    """
    from sklearn.utils.validation import check_array

    from ._solvers.objective import alpha_max

    zero = zero_threshold_of(zero_threshold, "deprecated", "stability_path")
    if not 0.0 < l1_ratio <= 1.0:
        raise ValueError(f"l1_ratio must be in (0, 1], got {l1_ratio}")
    if not 0.0 < sample_fraction <= 1.0:
        raise ValueError(f"sample_fraction must be in (0, 1], got {sample_fraction}")
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must be in [0, 1], got {threshold}")
    for name, value in (("n_resamples", n_resamples), ("n_alphas", n_alphas)):
        if not isinstance(value, Integral) or value < 1:
            raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    if not 0.0 < eps < 1.0:
        raise ValueError(f"eps must be in (0, 1), got {eps!r}")
    names = feature_names
    if names is None and hasattr(X, "columns"):
        names = [str(c) for c in X.columns]
    X = check_array(X, accept_sparse="csc", dtype=(np.float64, np.float32))
    y = np.asarray(y, dtype=np.float64).ravel()
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"X has {X.shape[0]} samples but y has {y.shape[0]}")
    if not np.all(np.isfinite(y)):
        raise ValueError("y holds NaN or infinite values; drop or impute them first")
    n, p = X.shape
    yc = y - y.mean() if fit_intercept else y
    # (for sparse X, X'(y - mean y) is already the centered correlation)
    Xty = np.asarray(X.T @ yc).ravel()
    if fit_intercept and not sparse.issparse(X):
        Xty = (X - X.mean(axis=0)).T @ yc
    top = alpha_max(Xty, n, l1_ratio)
    if top == 0.0:
        raise ValueError("every feature is uncorrelated with y: the path is empty")
    alphas = np.geomspace(top, top * eps, int(n_alphas))
    rng = check_random_state(random_state)
    size = max(2, int(round(sample_fraction * n)))
    draws = [rng.choice(n, size, replace=False) for _ in range(int(n_resamples))]
    hits = Parallel(n_jobs=n_jobs)(
        delayed(_path_support)(X, y, rows, alphas, l1_ratio, fit_intercept, zero)
        for rows in draws)
    frequency = np.mean(hits, axis=0)
    names = feature_names_of(None, p, names)
    return StabilityPath(alphas, frequency, threshold, names, int(n_resamples))


def _path_support(X, y, rows, alphas, l1_ratio, fit_intercept, zero):
    """Nonzero pattern (n_features, n_alphas) of the path on ``rows``."""
    from .linear_model._path import enet_path

    Xs, ys = X[rows], y[rows]
    if fit_intercept:
        ys = ys - ys.mean()
        if not sparse.issparse(Xs):
            Xs = Xs - Xs.mean(axis=0)
    _, coefs, _ = enet_path(Xs, ys, l1_ratio=l1_ratio, alphas=alphas)
    return np.abs(coefs) > zero


def _rows(a, rows):
    if hasattr(a, "iloc"):
        return a.iloc[rows]
    return a[rows]
