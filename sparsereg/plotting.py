"""Plots of fitted models: CV curves, coefficient paths, comparisons, learning curves.

Six functions, each drawing on a given matplotlib ``ax`` (or on a new figure when
``ax=None``) and returning what it drew on:

- :func:`plot_cv_curve`: the cross-validation error of :class:`~sparsereg.LassoCV`,
  :class:`~sparsereg.ElasticNetCV` or :class:`~sparsereg.RidgeCV` against alpha, with
  standard-error bars, the chosen alphas and the number of nonzero coefficients on a
  top axis (glmnet's ``plot.cv.glmnet``);
- :func:`plot_coef_path`: the coefficients along the regularization path of a CV
  model or of :func:`~sparsereg.lasso_path` (glmnet's ``plot.glmnet``);
- :func:`plot_coef_comparison`: the coefficients of several fitted linear models
  side by side, their zeros marked;
- :func:`plot_learning_curves`: the training and validation losses of a
  :class:`~sparsereg.neural_network.MLPRegressor` or ``MLPClassifier`` per epoch;
- :func:`plot_stability_path`: the selection probabilities of
  :func:`~sparsereg.sparsity.stability_path` against alpha (Meinshausen and
  Buhlmann's stability path);
- :func:`plot_nonzero_paths`: the nonzero counts of
  :func:`~sparsereg.sparsity.compare_paths` against alpha, one line per penalty.

As in glmnet, alpha axes are logarithmic and decrease to the right (from the empty
model to the least regularized one). matplotlib is optional: it is imported when a
function is called (``pip install 'sparsereg[plot]'``), and nothing is shown
(``plt.show()`` is the caller's).
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .model_selection._common import argmin_tied
from .sparsity import (
    extract_coef,
    feature_names_of,
    final_step,
    zero_threshold_of,
)

__all__ = [
    "plot_coef_comparison",
    "plot_coef_path",
    "plot_cv_curve",
    "plot_learning_curves",
    "plot_nonzero_paths",
    "plot_stability_path",
]

_N_TOP_TICKS = 8  # nonzero counts shown on the top axis of the CV curve
_CV_KEYS = ("param_alpha", "mean_test_error", "sem_test_error", "n_nonzero")


def _pyplot():
    """``matplotlib.pyplot``, or an ImportError that says how to install it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "sparsereg.plotting needs matplotlib: pip install 'sparsereg[plot]' "
            "(or pip install matplotlib)"
        ) from exc
    return plt


def _axes(ax):
    """The given axes, or those of a new figure with constrained layout (which
    makes room for the labels outside the axes: path names, rotated ticks)."""
    if ax is None:
        _, ax = _pyplot().subplots(layout="constrained")
    return ax


def _l1_ratio_rows(l1_column, l1_ratio, default):
    """Index (in order of appearance) of the l1_ratio to plot and its row mask.

    ``l1_column`` is ``cv_results_["param_l1_ratio"]`` (one entry per row, the
    l1_ratios in the order of the model's ``coef_path_``)."""
    l1_column = np.asarray(l1_column, dtype=float)
    _, first = np.unique(l1_column, return_index=True)
    ratios = l1_column[np.sort(first)]
    wanted = default if l1_ratio is None else l1_ratio
    match = np.flatnonzero(np.isclose(ratios, wanted, rtol=1e-12, atol=1e-12))
    if match.size == 0:
        raise ValueError(
            f"l1_ratio={l1_ratio!r} is not one of the model's l1_ratios: "
            f"{[float(r) for r in ratios]}"
        )
    i = int(match[0])
    return i, np.isclose(l1_column, ratios[i], rtol=1e-12, atol=1e-12)


def _cv_table(model):
    """The table of CV errors of a fitted CV model (LassoCV's and ElasticNetCV's
    ``cv_results_``, RidgeCV's ``cv_table_``), checked."""
    check_is_fitted(model)
    results = getattr(model, "cv_table_", None)
    if results is None:
        results = getattr(model, "cv_results_", None)
    if not isinstance(results, dict):
        raise TypeError(
            f"plot_cv_curve needs a fitted LassoCV, ElasticNetCV or RidgeCV (a "
            f"cv_results_ or cv_table_ dict); {type(model).__name__} has no "
            "cv_results_ dict"
        )
    missing = [key for key in _CV_KEYS if key not in results]
    if missing:
        raise TypeError(
            f"the cv_results_ of {type(model).__name__} lacks {missing}: pass a "
            "fitted sparsereg LassoCV, ElasticNetCV or RidgeCV"
        )
    return results


def _selected_alphas(model, alphas, mean, sem):
    """(alpha, label) pairs of the vertical lines: glmnet's two, of the curve drawn
    (``alphas`` decreasing; for a non-chosen l1_ratio its own minimum and 1-SE
    alpha, by the estimator's rule), or RidgeCV's chosen alpha."""
    if hasattr(model, "alpha_min_") and hasattr(model, "alpha_1se_"):
        best = argmin_tied(mean)
        j_1se = int(np.flatnonzero(mean <= mean[best] + sem[best]).min())
        return [(float(alphas[best]), "alpha_min"), (float(alphas[j_1se]),
                                                       "alpha_1se")]
    chosen = np.unique(np.atleast_1d(model.alpha_))  # one per target at most
    return [(float(a), "alpha_" if k == 0 else "_nolegend_")
            for k, a in enumerate(chosen)]


def plot_cv_curve(model, ax=None, l1_ratio=None):
    """Plot the mean cross-validation error against alpha, as glmnet does.

    The mean error over the folds is drawn with error bars of plus or minus one
    standard error (``sem_test_error``), on a logarithmic alpha axis decreasing to
    the right, with vertical lines at ``alpha_min_`` and ``alpha_1se_`` (at
    ``alpha_`` for RidgeCV). A top axis gives the number of nonzero coefficients of
    the full-data model at up to 8 alphas of the grid.

    Parameters
    ----------
    model : LassoCV, ElasticNetCV or RidgeCV
        A fitted sparsereg CV estimator (its ``cv_results_``, RidgeCV's
        ``cv_table_``).
    ax : matplotlib.axes.Axes, default=None
        Where to draw; None creates a new figure.
    l1_ratio : float, default=None
        Which l1_ratio's curve to draw: one of ``cv_results_["param_l1_ratio"]``.
        None: the chosen one, ``l1_ratio_``. Not used for RidgeCV.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The axes of the curve.
    ax_top : matplotlib.axes.Axes
        Its twin top axis of nonzero counts (same scale and limits as ``ax``).

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If the model is not fitted.
    TypeError
        If the model has no ``cv_results_`` (or ``cv_table_``) dict of sparsereg's
        layout.
    ValueError
        If ``l1_ratio`` is not one of the model's.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_diabetes
    >>> from sparsereg import LassoCV
    >>> from sparsereg.plotting import plot_cv_curve
    >>> X, y = load_diabetes(return_X_y=True)
    >>> ax, ax_top = plot_cv_curve(LassoCV(cv=3).fit(X, y))
    >>> ax.get_xscale(), bool(ax.xaxis_inverted())
    ('log', True)
    """
    model = final_step(model)
    results = _cv_table(model)
    rows = np.ones(len(results["param_alpha"]), dtype=bool)
    title = None
    if "param_l1_ratio" in results:
        _, rows = _l1_ratio_rows(results["param_l1_ratio"], l1_ratio,
                                 getattr(model, "l1_ratio_", 1.0))
        if np.unique(results["param_l1_ratio"]).size > 1:
            title = f"l1_ratio = {np.asarray(results['param_l1_ratio'])[rows][0]:g}"
    elif l1_ratio is not None:
        raise ValueError(f"{type(model).__name__} has no l1_ratio; pass l1_ratio=None")
    order = np.argsort(-np.asarray(results["param_alpha"])[rows], kind="stable")
    alphas, mean, sem, n_nonzero = (np.asarray(results[key])[rows][order]
                                    for key in _CV_KEYS)
    ax = _axes(ax)
    ax.errorbar(alphas, mean, yerr=sem, fmt="o-", markersize=3, label="mean CV error")
    for k, (alpha, label) in enumerate(_selected_alphas(model, alphas, mean, sem)):
        ax.axvline(alpha, linestyle=":" if k == 1 else "--",
                   color="C2" if k == 1 else "C1", label=label)
    ax.set_xscale("log")
    ax.invert_xaxis()
    ax.set_xlabel("alpha")
    ax.set_ylabel("mean CV error (± s.e.)")
    if title is not None:
        ax.set_title(title)
    ax.legend()
    return ax, _nonzero_axis(ax, alphas, n_nonzero)


def _nonzero_axis(ax, alphas, n_nonzero):
    """A twin top axis of ``ax`` labelled with the nonzero counts at some alphas."""
    ax_top = ax.twiny()
    ax_top.set_xscale("log")
    ax_top.set_xlim(ax.get_xlim())  # inverted as ax is
    # keep the two axes aligned if ax's limits change later
    ax.callbacks.connect("xlim_changed", lambda a: ax_top.set_xlim(a.get_xlim()))
    picks = np.unique(np.linspace(0, len(alphas) - 1,
                                  min(_N_TOP_TICKS, len(alphas))).round().astype(int))
    ax_top.set_xticks(alphas[picks], labels=[str(int(k)) for k in n_nonzero[picks]])
    ax_top.set_xticks([], minor=True)
    ax_top.set_xlabel("nonzero coefficients")
    return ax_top


def _path_data(model, l1_ratio):
    """(alphas, coefs of shape (n_features, n_alphas), the alpha to mark or None,
    its label, a title naming the l1_ratio drawn or None)."""
    if isinstance(model, tuple):
        if l1_ratio is not None:
            raise ValueError("l1_ratio selects the path of a CV model; an (alphas, "
                             "coefs) tuple has a single path")
        alphas, coefs = (np.asarray(a, dtype=float) for a in model)
        if coefs.ndim != 2 or alphas.shape != (coefs.shape[1],):
            raise ValueError(
                "pass (alphas, coefs) as lasso_path returns them: alphas of shape "
                f"(n_alphas,), coefs of shape (n_features, n_alphas); got "
                f"{alphas.shape} and {coefs.shape}"
            )
        return alphas, coefs, None, None, None
    model = final_step(model)
    check_is_fitted(model)
    if not hasattr(model, "coef_path_"):
        raise TypeError(
            "plot_coef_path needs a fitted LassoCV or ElasticNetCV (or a Pipeline "
            "ending in one), or an (alphas, coefs) tuple from lasso_path / "
            f"enet_path; got {type(model).__name__}"
        )
    alphas, coefs = np.asarray(model.alphas_), np.asarray(model.coef_path_)
    l1_column = model.cv_results_["param_l1_ratio"]
    i, rows = _l1_ratio_rows(l1_column, l1_ratio, model.l1_ratio_)
    coefs = coefs[i] if coefs.ndim == 3 else coefs
    alphas = alphas[i] if alphas.ndim == 2 else alphas
    drawn = float(np.asarray(l1_column)[rows][0])
    title = (f"l1_ratio = {drawn:g}" if np.unique(l1_column).size > 1 else None)
    if np.isclose(drawn, model.l1_ratio_, rtol=1e-12):
        return alphas, coefs, float(model.alpha_), f"alpha_ = {model.alpha_:.3g}", title
    # another l1_ratio's path: its own minimum of the mean CV error
    mean = np.asarray(model.cv_results_["mean_test_error"])[rows]
    best = float(np.asarray(model.cv_results_["param_alpha"])[rows][argmin_tied(mean)])
    return alphas, coefs, best, f"its CV minimum, {best:.3g}", title


def plot_coef_path(model, feature_names=None, ax=None, l1_ratio=None, label_top=10):
    """Plot every coefficient along the regularization path, as glmnet does.

    One line per feature, coefficient against alpha on a logarithmic axis
    decreasing to the right; a dashed vertical line at the chosen ``alpha_`` of a
    CV model. The ``label_top`` features with the largest absolute coefficient at
    the smallest alpha (the right end) are named there.

    Parameters
    ----------
    model : LassoCV, ElasticNetCV or tuple of (alphas, coefs)
        A fitted CV estimator (its ``alphas_`` and ``coef_path_``), or the first
        two outputs of :func:`~sparsereg.lasso_path` / :func:`~sparsereg.enet_path`:
        alphas of shape (n_alphas,) and coefs of shape (n_features, n_alphas).
    feature_names : array-like of str of shape (n_features,), default=None
        Names of the features; None: the model's ``feature_names_in_`` if any,
        else "x0", "x1", ...
    ax : matplotlib.axes.Axes, default=None
        Where to draw; None creates a new figure.
    l1_ratio : float, default=None
        Which path of an ElasticNetCV fitted with several l1_ratios; None: the
        chosen ``l1_ratio_``.
    label_top : int or None, default=10
        How many lines to name (those with a nonzero final coefficient only);
        None names them all, 0 none.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If the model is not fitted.
    TypeError
        If the model has no coefficient path.
    ValueError
        For a wrong number of feature names, an ``l1_ratio`` not among the
        model's, or a tuple of the wrong shapes.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_diabetes
    >>> from sparsereg import lasso_path
    >>> from sparsereg.plotting import plot_coef_path
    >>> X, y = load_diabetes(return_X_y=True)
    >>> ax = plot_coef_path(lasso_path(X, y)[:2], label_top=3)
    >>> len(ax.lines), len(ax.texts)
    (10, 3)
    """
    if label_top is not None and (not isinstance(label_top, int | np.integer)
                                  or label_top < 0):
        raise ValueError(f"label_top must be a non-negative int or None, got "
                         f"{label_top!r}")
    alphas, coefs, mark, mark_label, title = _path_data(model, l1_ratio)
    names = feature_names_of(model, coefs.shape[0], feature_names)
    ax = _axes(ax)
    lines = [ax.plot(alphas, coefs[j], linewidth=1.2, label=name)[0]
             for j, name in enumerate(names)]
    if mark is not None:
        ax.axvline(mark, linestyle="--", color="k", linewidth=1, label=mark_label)
    ax.set_xscale("log")
    ax.invert_xaxis()
    ax.set_xlabel("alpha")
    ax.set_ylabel("coefficient")
    if title is not None:
        ax.set_title(title)
    _label_ends(ax, alphas, coefs, lines, label_top)
    return ax


# Smallest vertical distance between two path labels, as a fraction of the axes
# height (about one line of small text on a 4.8-inch axes).
_LABEL_GAP = 0.045


def _label_ends(ax, alphas, coefs, lines, label_top):
    """Name the ``label_top`` lines largest in absolute value at the smallest alpha,
    just right of the axes, each at its line's end height but spread to at least
    ``_LABEL_GAP`` apart (a thin leader joins label and line end), so that many
    labels stay legible."""
    end = int(np.argmin(alphas))
    final = np.abs(coefs[:, end])
    ranked = [j for j in np.argsort(-final, kind="stable") if final[j] > 0]
    chosen = ranked[:label_top]
    if not chosen:
        return
    lo, hi = ax.get_ylim()
    frac = (coefs[chosen, end] - lo) / ((hi - lo) or 1.0)
    for j, y in zip(chosen, _spread(frac, _LABEL_GAP), strict=True):
        ax.annotate(lines[j].get_label(), xy=(alphas[end], coefs[j, end]),
                    xytext=(1.02, y), textcoords="axes fraction", va="center",
                    fontsize="small", color=lines[j].get_color(),
                    arrowprops={"arrowstyle": "-", "color": lines[j].get_color(),
                                "linewidth": 0.5, "shrinkA": 0, "shrinkB": 0})


def _spread(y, gap):
    """``y`` (axes fractions) moved so that sorted neighbours are at least ``gap``
    apart, centred on the originals and kept within [0, 1] when they fit there
    (returned in the input order)."""
    y = np.asarray(y, dtype=float)
    order = np.argsort(y, kind="stable")
    out = y[order].copy()
    for k in range(1, out.size):  # push up
        out[k] = max(out[k], out[k - 1] + gap)
    out -= (out - y[order]).mean()  # re-centre the block
    for k in range(1, out.size):  # and keep the gaps after re-centring
        out[k] = max(out[k], out[k - 1] + gap)
    # within the axes height where the labels fit in it
    out -= max(out[-1] - 1.0, 0.0)
    out += max(-out[0], 0.0) if out[-1] - out[0] <= 1.0 else 0.0
    result = np.empty_like(out)
    result[order] = out
    return result


def _comparison_coefs(models):
    """(model names, estimators, coefficient matrix of shape (n_models, n_features))."""
    if isinstance(models, dict):
        labels, estimators = list(models), list(models.values())
    else:
        estimators = list(models)
        labels = [f"model {m}" for m in range(len(estimators))]
    if not estimators:
        raise ValueError("models is empty: pass fitted linear models to compare")
    coefs = []
    for label, est in zip(labels, estimators, strict=True):
        check_is_fitted(est)
        coef = extract_coef(est)
        if coef.ndim == 2 and coef.shape[0] == 1:
            coef = coef[0]
        if coef.ndim != 1:
            raise ValueError(f"{label}: coef_ of shape {coef.shape}; only models of "
                             "one target (1-D coef_) can be compared")
        coefs.append(coef)
    sizes = {len(c) for c in coefs}
    if len(sizes) > 1:
        counts = {label: len(c) for label, c in zip(labels, coefs, strict=True)}
        raise ValueError(f"the models have different numbers of coefficients: {counts}")
    return labels, estimators, np.array(coefs)


def plot_coef_comparison(models, feature_names=None, ax=None, zero_threshold=0.0,
                         *, tol="deprecated"):
    """Plot the coefficients of several fitted models as grouped bars.

    For each feature, one bar per model, side by side, in the models' colours.
    Coefficients with ``|coef| <= zero_threshold`` are marked with an "x" at zero,
    and each
    model's legend entry gives its number of nonzero coefficients.

    Parameters
    ----------
    models : dict of str to estimator, or list of estimators
        Fitted linear models of one target (``coef_`` of shape (n_features,)),
        Pipelines ending in one, or CV estimators; all with the same number of
        coefficients. A list is named "model 0", "model 1", ...
    feature_names : array-like of str of shape (n_features,), default=None
        Tick labels; None: the first model's ``feature_names_in_`` if any, else
        "x0", "x1", ...
    ax : matplotlib.axes.Axes, default=None
        Where to draw; None creates a new figure.
    zero_threshold : float, default=0.0
        Coefficients with ``|coef| <= zero_threshold`` count as zero.
    tol : float
        Deprecated alias of ``zero_threshold`` (a FutureWarning).

    Returns
    -------
    ax : matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If a model is not fitted.
    TypeError
        If a model has no ``coef_``.
    ValueError
        For 2-D coefficients, models of different numbers of coefficients, no
        models, a negative ``zero_threshold`` or a wrong number of feature names.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_diabetes
    >>> from sparsereg import Lasso, Ridge
    >>> from sparsereg.plotting import plot_coef_comparison
    >>> X, y = load_diabetes(return_X_y=True)
    >>> models = {"Lasso": Lasso(alpha=1.0).fit(X, y), "Ridge": Ridge().fit(X, y)}
    >>> ax = plot_coef_comparison(models)
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['Lasso (3 nonzero)', 'Ridge (10 nonzero)']
    """
    threshold = zero_threshold_of(zero_threshold, tol, "plot_coef_comparison")
    labels, estimators, coefs = _comparison_coefs(models)
    n_models, n_features = coefs.shape
    names = feature_names_of(estimators[0], n_features, feature_names)
    ax = _axes(ax)
    x = np.arange(n_features)
    width = 0.8 / n_models
    for m, (label, coef) in enumerate(zip(labels, coefs, strict=True)):
        pos = x + (m - (n_models - 1) / 2) * width
        zero = np.abs(coef) <= threshold
        colour = f"C{m % 10}"
        ax.bar(pos, coef, width, color=colour,
               label=f"{label} ({int(np.sum(~zero))} nonzero)")
        ax.plot(pos[zero], np.zeros(int(zero.sum())), linestyle="none", marker="x",
                color=colour)
    ax.axhline(0.0, color="k", linewidth=0.8)
    # level labels only while they fit side by side (about 40 characters along the
    # axis), slanted up to 20 features, upright beyond
    width = n_features * max((len(n) for n in names), default=0)
    rotation = 0 if width <= 40 else 45 if n_features <= 20 else 90
    ax.set_xticks(x, labels=names, rotation=rotation,
                  ha="right" if rotation == 45 else "center",
                  fontsize="small" if n_features > 20 else None)
    ax.set_ylabel("coefficient")
    ax.legend()
    return ax


def _loss_history(model):
    """(train losses, validation losses) per epoch of a fitted MLP."""
    check_is_fitted(model)
    history = getattr(model, "history_", None)
    if history is not None:
        return list(history["train_loss"]), list(history.get("val_loss", []))
    curve = getattr(model, "loss_curve_", None)
    if curve is None:
        raise TypeError(
            "plot_learning_curves needs a fitted MLPRegressor or MLPClassifier "
            f"(history_ or loss_curve_); {type(model).__name__} has neither"
        )
    return list(curve), []


def plot_learning_curves(model, ax=None):
    """Plot the training (and validation) loss of a neural network per epoch.

    The training loss includes the penalties (L2, L1); the validation loss, drawn
    when the model had a validation set (early stopping or ``X_val``), is the data
    loss alone. A vertical line marks ``best_epoch_``, "(restored)" when early
    stopping restored its weights.

    Parameters
    ----------
    model : MLPRegressor or MLPClassifier
        A fitted :mod:`sparsereg.neural_network` model (``history_``); a model
        with only ``loss_curve_`` (scikit-learn's) gives its training loss.
    ax : matplotlib.axes.Axes, default=None
        Where to draw; None creates a new figure.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If the model is not fitted.
    TypeError
        If the model has neither ``history_`` nor ``loss_curve_``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import make_regression
    >>> from sparsereg.neural_network import MLPRegressor
    >>> from sparsereg.plotting import plot_learning_curves
    >>> X, y = make_regression(n_samples=100, n_features=4, noise=10, random_state=0)
    >>> model = MLPRegressor(hidden_layer_sizes=(16,), learning_rate_init=0.05,
    ...                      early_stopping=True, random_state=0).fit(X, y)
    >>> ax = plot_learning_curves(model)
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['training loss', 'validation loss', 'best epoch 62 (restored)']
    """
    train, val = _loss_history(model)
    ax = _axes(ax)
    ax.plot(np.arange(1, len(train) + 1), train, label="training loss")
    if val:
        ax.plot(np.arange(1, len(val) + 1), val, label="validation loss")
    best = getattr(model, "best_epoch_", None)
    if best is not None:
        restored = (getattr(model, "validation_scores_", None) is not None
                    and getattr(model, "restore_best_weights", True))
        ax.axvline(best, linestyle="--", color="k", linewidth=1,
                   label=f"best epoch {best}" + (" (restored)" if restored else ""))
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.legend()
    return ax


from ._plot_selection import plot_nonzero_paths, plot_stability_path  # noqa: E402
