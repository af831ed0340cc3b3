"""How sparse are fitted models: a report, paths of nonzeros, selection stability.

All functions take fitted scikit-learn-style estimators: any model with a ``coef_``
(sparsereg's or scikit-learn's), a :class:`~sklearn.pipeline.Pipeline` ending in one
(its coefficients are those of the final step, on the features that step sees), and
the CV estimators, which count at their chosen alpha (their ``coef_``).
"""

import warnings

import numpy as np
from sklearn.utils.validation import check_is_fitted


def final_step(model):
    """The estimator of ``model``, or the last step of a Pipeline."""
    return model.steps[-1][1] if hasattr(model, "steps") else model


def extract_coef(model):
    """The fitted coefficients of ``model`` as a float array.

    Parameters
    ----------
    model : estimator
        A fitted linear model (``coef_``), a multi-layer perceptron (``coefs_``,
        e.g. one fitted with an ``l1`` penalty), or a Pipeline whose last step is
        one of those.

    Returns
    -------
    coef : ndarray of shape (n_features,) or (n_targets, n_features)
        ``coef_`` as given by the model (scikit-learn's shapes), in float64. For a
        perceptron, the Euclidean norm of each input's first-layer weights: zero
        exactly when the network does not use the feature.

    Raises
    ------
    NotFittedError
        If the model (or the last step of the pipeline) is not fitted.
    TypeError
        If it is fitted but has no ``coef_``.
    """
    final = final_step(model)
    check_is_fitted(final)
    layers = getattr(final, "coefs_", None)
    if getattr(final, "coef_", None) is None and layers is not None:
        return np.linalg.norm(np.asarray(layers[0], dtype=np.float64), axis=1)
    coef = getattr(final, "coef_", None)
    if coef is None:
        raise TypeError(
            f"{type(final).__name__} has no coef_: pass fitted linear models (Lasso, "
            "ElasticNet, Ridge, their CV versions, or a Pipeline ending in one)"
        )
    return np.asarray(coef, dtype=np.float64)


def feature_names_of(model, n_features, feature_names=None):
    """Names of the coefficients: given ones, else those the model saw, else x0..."""
    if feature_names is not None:
        names = [str(f) for f in feature_names]
        if len(names) != n_features:
            raise ValueError(
                f"feature_names has {len(names)} names for {n_features} coefficients"
            )
        return names
    final = final_step(model)
    for candidate in (final, model):
        names = getattr(candidate, "feature_names_in_", None)
        if names is not None and len(names) == n_features:
            return [str(f) for f in names]
    return [f"x{j}" for j in range(n_features)]


def _as_named(models):
    if isinstance(models, dict):
        named = list(models.items())
    else:
        named = [(f"model {k}", m) for k, m in enumerate(models)]
    if not named:
        raise ValueError("models is empty: pass a dict name -> fitted estimator")
    return named


def _table(columns):
    """A pandas DataFrame when pandas is installed, else the dict of columns."""
    try:
        import pandas as pd
    except ImportError:
        return columns
    return pd.DataFrame(columns).set_index("model")


def sparsity_report(models, feature_names=None, zero_threshold=0.0, true_coef=None,
                    *, tol="deprecated"):
    """Compare the sparsity of fitted linear models.

    Parameters
    ----------
    models : dict of str -> estimator, or list of estimators
        Fitted models with 1-D ``coef_``, or perceptrons (see
        :func:`extract_coef`); CV estimators count at their chosen alpha, pipelines
        by their last step.
    feature_names : list of str, default=None
        Names of the coefficients (default: the names the models saw, else
        ``x0, x1, ...``).
    zero_threshold : float, default=0.0
        A coefficient counts as zero when ``|coef| <= zero_threshold``; the value is
        repeated in the ``zero_threshold`` column.
    true_coef : array-like of shape (n_features,), default=None
        The true coefficients, when known: their nonzeros are the true support.
    tol : float
        Deprecated alias of ``zero_threshold`` (a FutureWarning; ``tol`` is the
        solver's tolerance everywhere else).

    Returns
    -------
    report : pandas.DataFrame or dict of lists
        One row per model (a DataFrame indexed by ``model`` when pandas is
        installed, else a dict of columns): ``n_features``, ``n_nonzero``,
        ``frac_zero``, ``l1_norm``, ``l2_norm``, ``support`` (the names of the
        nonzero features), ``zero_threshold``, ``alpha`` (a CV estimator's chosen
        one, else the model's ``alpha``; nan without one), ``cv_error`` (the mean CV
        error at that alpha for sparsereg's CV estimators, else nan), one
        ``jaccard[<name>]`` column per model (the Jaccard overlap
        ``|A & B| / |A | B|`` of the two supports; 1.0 for two empty ones) and,
        with ``true_coef``, ``precision``, ``recall`` and ``f1`` of the support
        against the true one.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sparsereg import Lasso, Ridge
    >>> from sparsereg.sparsity import sparsity_report
    >>> X, y = load_diabetes(return_X_y=True)
    >>> report = sparsity_report({"lasso": Lasso(alpha=0.5).fit(X, y),
    ...                           "ridge": Ridge(alpha=1.0).fit(X, y)})
    >>> report["n_nonzero"].tolist()
    [4, 10]
    """
    threshold = zero_threshold_of(zero_threshold, tol, "sparsity_report")
    named = _as_named(models)
    coefs = []
    for name, model in named:
        coef = extract_coef(model)
        if coef.ndim != 1:
            raise ValueError(
                f"model {name!r} has coef_ of shape {coef.shape}: the report compares "
                "single-target models (fit one model per target)"
            )
        coefs.append(coef)
    p = coefs[0].size
    if any(c.size != p for c in coefs):
        raise ValueError("the models have different numbers of coefficients: "
                         f"{[c.size for c in coefs]}")
    names = feature_names_of(named[0][1], p, feature_names)
    supports = [np.abs(c) > threshold for c in coefs]
    columns = {
        "model": [name for name, _ in named],
        "n_features": [p] * len(named),
        "n_nonzero": [int(s.sum()) for s in supports],
        "frac_zero": [float(1.0 - s.mean()) if p else 0.0 for s in supports],
        "l1_norm": [float(np.abs(c).sum()) for c in coefs],
        "l2_norm": [float(np.sqrt(c @ c)) for c in coefs],
        "support": [[names[j] for j in np.flatnonzero(s)] for s in supports],
        "zero_threshold": [threshold] * len(named),
        "alpha": [_alpha_of(model) for _, model in named],
        "cv_error": [_cv_error_of(model) for _, model in named],
    }
    for (other, _), s_other in zip(named, supports, strict=True):
        columns[f"jaccard[{other}]"] = [_jaccard(s, s_other) for s in supports]
    if true_coef is not None:
        truth = np.asarray(true_coef, dtype=np.float64).ravel() != 0
        if truth.size != p:
            raise ValueError(f"true_coef has {truth.size} entries for {p} features")
        scores = [_support_scores(s, truth) for s in supports]
        for k, key in enumerate(("precision", "recall", "f1")):
            columns[key] = [sc[k] for sc in scores]
    return _table(columns)


def _alpha_of(model):
    """The model's penalty: a CV estimator's chosen ``alpha_``, else its
    ``alpha`` parameter; nan when it has none (or one per target)."""
    final = final_step(model)
    alpha = getattr(final, "alpha_", getattr(final, "alpha", None))
    alpha = np.asarray(alpha if alpha is not None else np.nan, dtype=float)
    return float(alpha) if alpha.size == 1 else float("nan")


def _cv_error_of(model):
    """The mean CV error at the chosen alpha (and l1_ratio) of a sparsereg CV
    estimator (``cv_results_`` / RidgeCV's ``cv_table_``); nan for other models."""
    final = final_step(model)
    table = getattr(final, "cv_table_", None) or getattr(final, "cv_results_", None)
    if not isinstance(table, dict) or "mean_test_error" not in table:
        return float("nan")
    match = np.isclose(table["param_alpha"], _alpha_of(model), rtol=1e-12)
    if "param_l1_ratio" in table and hasattr(final, "l1_ratio_"):
        match &= np.isclose(table["param_l1_ratio"], final.l1_ratio_, rtol=1e-12)
    rows = np.flatnonzero(match)
    return float(table["mean_test_error"][rows[0]]) if rows.size else float("nan")


def _jaccard(a, b):
    union = np.count_nonzero(a | b)
    return 1.0 if union == 0 else np.count_nonzero(a & b) / union


def _support_scores(found, truth):
    """Precision, recall and F1 of a found support against the true one (a
    precision with nothing found, or a recall with nothing to find, is 1.0)."""
    tp = np.count_nonzero(found & truth)
    precision = tp / found.sum() if found.any() else 1.0
    recall = tp / truth.sum() if truth.any() else 1.0
    f1 = (2 * precision * recall / (precision + recall)
          if precision + recall > 0 else 0.0)
    return float(precision), float(recall), float(f1)


def compare_paths(X, y, l1_ratios=(1.0, 0.5, 0.0), n_alphas=50, eps=1e-3,
                  fit_intercept=True, zero_threshold=0.0, *, tol="deprecated",
                  **path_params):
    """Number of nonzero coefficients against alpha, for several penalties.

    For each ``l1_ratio`` (1: Lasso, in between: elastic net, 0: ridge) the
    regularization path of :func:`~sparsereg.enet_path` is computed on the same
    data (centered when ``fit_intercept``), each on its own grid: ``n_alphas``
    alphas from ``alpha_max / l1_ratio`` (where every coefficient is zero) down to
    ``eps`` times that. The ridge penalty has no such alpha_max: it gets the grid of
    the largest l1_ratio given, and stays dense along all of it: that is the point.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training data.
    y : array-like of shape (n_samples,)
        Target.
    l1_ratios : sequence of float, default=(1.0, 0.5, 0.0)
        Penalties to compare.
    n_alphas : int, default=50
        Alphas per path.
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of each grid.
    fit_intercept : bool, default=True
        Center X and y first (for sparse X, only y).
    zero_threshold : float, default=0.0
        Coefficients with ``|coef| <= zero_threshold`` count as zero.
    tol : float
        Deprecated alias of ``zero_threshold`` (a FutureWarning).
    **path_params
        Solver options passed to :func:`~sparsereg.enet_path` (``max_iter``,
        ``solver``, ``anderson``, ...), and ``path_tol``, the solver's ``tol``
        (default 1e-4).

    Returns
    -------
    paths : pandas.DataFrame or dict of arrays
        Long format, one row per (l1_ratio, alpha): ``l1_ratio``, ``alpha``,
        ``n_nonzero``.
    """
    from scipy import sparse as sp
    from sklearn.utils.validation import check_array

    from .linear_model._path import enet_path

    threshold = zero_threshold_of(zero_threshold, tol, "compare_paths")
    ratios = [float(r) for r in np.atleast_1d(l1_ratios)]
    if not ratios or any(not 0.0 <= r <= 1.0 for r in ratios):
        raise ValueError(f"l1_ratios must be in [0, 1], got {l1_ratios!r}")
    X = check_array(X, accept_sparse="csc", dtype=(np.float64, np.float32))
    y = np.asarray(y, dtype=np.float64).ravel()
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"X has {X.shape[0]} samples but y has {y.shape[0]}")
    if fit_intercept:
        y = y - y.mean()
        if not sp.issparse(X):
            X = X - X.mean(axis=0)
    path_tol = path_params.pop("path_tol", 1e-4)
    n = X.shape[0]
    corr = np.abs(np.asarray(X.T @ y)).max() / n
    largest = max((r for r in ratios if r > 0), default=1.0)
    rows = {"l1_ratio": [], "alpha": [], "n_nonzero": []}
    for r in ratios:
        top = corr / (r if r > 0 else largest)
        alphas = np.geomspace(top, top * eps, n_alphas)
        _, coefs, _ = enet_path(X, y, l1_ratio=r, alphas=alphas, tol=path_tol,
                                **path_params)
        rows["l1_ratio"] += [r] * n_alphas
        rows["alpha"] += list(alphas)
        rows["n_nonzero"] += list(np.count_nonzero(np.abs(coefs) > threshold,
                                                   axis=0))
    try:
        import pandas as pd
    except ImportError:
        return {k: np.asarray(v) for k, v in rows.items()}
    return pd.DataFrame(rows)


def zero_threshold_of(zero_threshold, tol, func):
    """The zero threshold of ``func``: ``zero_threshold``, or the value of its
    deprecated alias ``tol`` with a FutureWarning; ValueError unless finite and
    >= 0."""
    if not (isinstance(tol, str) and tol == "deprecated"):
        warnings.warn(
            f"{func}(tol=...) is deprecated: the zero threshold is now called "
            "zero_threshold (tol is the solver's tolerance everywhere else in "
            "sparsereg); tol will be removed in sparsereg 0.3.",
            FutureWarning, stacklevel=3)
        if zero_threshold != 0.0:
            raise TypeError(f"{func}() got both zero_threshold and its deprecated "
                            "alias tol: pass zero_threshold only")
        zero_threshold = tol
    try:
        value = float(zero_threshold)
    except (TypeError, ValueError):
        raise TypeError("zero_threshold must be a number, got "
                        f"{zero_threshold!r}") from None
    if not (np.isfinite(value) and value >= 0.0):
        raise ValueError(f"zero_threshold must be a finite number >= 0, got {value}")
    return value





_STABILITY = ("StabilityPath", "StabilitySelection", "stability_path",
              "stability_selection")


def __getattr__(name):
    """The stability tools live in ``_stability`` (which uses the helpers above; a
    lazy re-export keeps the two modules free of an import cycle)."""
    if name in _STABILITY:
        from . import _stability

        return getattr(_stability, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["compare_paths", "extract_coef", "sparsity_report", *_STABILITY]
