"""Plots of variable selection: stability paths and nonzero counts along paths.

Re-exported by :mod:`sparsereg.plotting`; the conventions are its own (a given
``ax`` or a new figure, alpha axes logarithmic and decreasing to the right).
"""

import numpy as np


def plot_stability_path(result, ax=None, label_top=10):
    """Plot selection probabilities against alpha: the stability path.

    Meinshausen & Buhlmann's picture: one line per feature, its selection
    probability over the subsamples of :func:`~sparsereg.sparsity.stability_path`
    against alpha, the stable features (whose largest probability reaches the
    threshold) in colour and named, the others in grey, and the threshold as a
    horizontal line.

    Parameters
    ----------
    result : StabilityPath
        The result of :func:`~sparsereg.sparsity.stability_path`.
    ax : matplotlib.axes.Axes, default=None
        Where to draw; None creates a new figure.
    label_top : int or None, default=10
        How many stable features to name (the most stable first); None: all.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_diabetes
    >>> from sparsereg.plotting import plot_stability_path
    >>> from sparsereg.sparsity import stability_path
    >>> X, y = load_diabetes(return_X_y=True)
    >>> result = stability_path(X, y, n_resamples=20, random_state=0)
    >>> ax = plot_stability_path(result)
    >>> ax.get_ylabel()
    'selection probability'
    """
    from .plotting import _axes, _label_ends

    if not hasattr(result, "frequency") or np.ndim(result.frequency) != 2:
        raise TypeError("plot_stability_path takes the result of "
                        "sparsity.stability_path")
    ax = _axes(ax)
    alphas, freq = result.alphas, result.frequency
    stable = result.selected
    lines = []
    colour = 0
    for j, name in enumerate(result.feature_names):
        if stable[j]:
            style = {"color": f"C{colour % 10}", "linewidth": 1.6}
            colour += 1
        else:
            style = {"color": "0.75", "linewidth": 0.8}
        lines.append(ax.plot(alphas, freq[j], label=name, **style)[0])
    ax.axhline(result.threshold, linestyle="--", color="k", linewidth=1,
               label=f"threshold {result.threshold:g}")
    ax.set_xscale("log")
    _readable_log_ticks(ax)
    ax.invert_xaxis()
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("alpha")
    ax.set_ylabel("selection probability")
    ax.set_title(f"stability path ({result.n_resamples} subsamples, "
                 f"{int(stable.sum())} stable)")
    # name the stable features by their probability at the smallest alpha
    named = np.where(stable[:, None], freq, 0.0)
    _label_ends(ax, alphas, named, lines, label_top)
    return ax


def _readable_log_ticks(ax):
    """Ticks at 1, 2 and 5 times the powers of ten, labelled as plain numbers: a
    stability path spans one or two decades, where matplotlib's default labels
    the minor ticks as overlapping "4 x 10^1" strings."""
    from matplotlib.ticker import FormatStrFormatter, LogLocator, NullFormatter

    ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FormatStrFormatter("%g"))
    ax.xaxis.set_minor_formatter(NullFormatter())


def plot_nonzero_paths(paths, ax=None):
    """Plot the number of nonzero coefficients against alpha for each penalty.

    Parameters
    ----------
    paths : pandas.DataFrame or dict of arrays
        The result of :func:`~sparsereg.sparsity.compare_paths` (columns
        ``l1_ratio``, ``alpha``, ``n_nonzero``).
    ax : matplotlib.axes.Axes, default=None
        Where to draw; None creates a new figure.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The axes drawn on: one step line per l1_ratio ("lasso" for 1, "ridge" for
        0).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_diabetes
    >>> from sparsereg.plotting import plot_nonzero_paths
    >>> from sparsereg.sparsity import compare_paths
    >>> X, y = load_diabetes(return_X_y=True)
    >>> ax = plot_nonzero_paths(compare_paths(X, y, n_alphas=20))
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['lasso (l1_ratio=1)', 'elastic net (l1_ratio=0.5)', 'ridge (l1_ratio=0)']
    """
    from .plotting import _axes

    try:
        ratio, alpha, count = (np.asarray(paths[k]) for k in
                               ("l1_ratio", "alpha", "n_nonzero"))
    except (KeyError, TypeError, IndexError):
        raise TypeError("plot_nonzero_paths takes the result of "
                        "sparsity.compare_paths") from None
    ax = _axes(ax)
    _, first = np.unique(ratio, return_index=True)
    for r in ratio[np.sort(first)]:
        rows = ratio == r
        kind = "lasso" if r == 1 else "ridge" if r == 0 else "elastic net"
        ax.step(alpha[rows], count[rows], where="mid", label=f"{kind} (l1_ratio={r:g})")
    ax.set_xscale("log")
    ax.invert_xaxis()
    ax.set_xlabel("alpha")
    ax.set_ylabel("nonzero coefficients")
    ax.legend()
    return ax
