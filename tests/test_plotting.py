"""sparsereg.plotting: what each plot draws (data, lines, labels, axes), its errors."""

import importlib
import sys

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from numpy.testing import assert_allclose, assert_array_equal  # noqa: E402
from sklearn.datasets import make_regression  # noqa: E402
from sklearn.exceptions import ConvergenceWarning, NotFittedError  # noqa: E402
from sklearn.neighbors import KNeighborsRegressor  # noqa: E402
from sklearn.neural_network import MLPRegressor as SkMLPRegressor  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import sparsereg  # noqa: E402
from sparsereg.neural_network import MLPClassifier, MLPRegressor  # noqa: E402
from sparsereg.plotting import (  # noqa: E402
    plot_coef_comparison,
    plot_coef_path,
    plot_cv_curve,
    plot_learning_curves,
)

pytestmark = pytest.mark.filterwarnings(
    "ignore::sparsereg.AlphaGridEdgeWarning",
    "ignore::sklearn.exceptions.ConvergenceWarning",
)

N_FEATURES = 8


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data():
    X, y = make_regression(n_samples=60, n_features=N_FEATURES, n_informative=4,
                           noise=5.0, random_state=0)
    return X, y


@pytest.fixture(scope="module")
def lasso_cv(data):
    return sparsereg.LassoCV(cv=3).fit(*data)


@pytest.fixture(scope="module")
def enet_cv(data):
    return sparsereg.ElasticNetCV(l1_ratio=[0.5, 1.0], cv=3).fit(*data)


@pytest.fixture(scope="module")
def ridge_cv(data):
    return sparsereg.RidgeCV(alphas=[10.0, 0.1, 1.0, 100.0]).fit(*data)


def vertical_lines(ax):
    """The axvline's of ax: two points at one x, spanning the axes (y 0 to 1)."""
    return [line for line in ax.lines
            if len(line.get_xdata()) == 2
            and line.get_xdata()[0] == line.get_xdata()[1]
            and list(line.get_ydata()) == [0, 1]]


def rows_of(model, l1_ratio):
    results = model.cv_results_
    return np.isclose(results["param_l1_ratio"], l1_ratio)


# ------------------------------------------------------------------ plot_cv_curve


def test_cv_curve_draws_mean_sem_and_selected_alphas(lasso_cv):
    ax, ax_top = plot_cv_curve(lasso_cv)
    results = lasso_cv.cv_results_
    data_line, _, (bars,) = ax.containers[0].lines
    # the grid is decreasing already: rows in cv_results_ order
    assert_allclose(data_line.get_xdata(), results["param_alpha"])
    assert_allclose(data_line.get_ydata(), results["mean_test_error"])
    segments = np.array(bars.get_segments())  # (n_alphas, 2 ends, (x, y))
    assert_allclose(segments[:, 0, 1], results["mean_test_error"]
                    - results["sem_test_error"])
    assert_allclose(segments[:, 1, 1], results["mean_test_error"]
                    + results["sem_test_error"])
    vlines = vertical_lines(ax)
    assert [line.get_label() for line in vlines] == ["alpha_min", "alpha_1se"]
    assert_allclose([line.get_xdata()[0] for line in vlines],
                    [lasso_cv.alpha_min_, lasso_cv.alpha_1se_])
    assert ax.get_xscale() == "log" and ax.xaxis_inverted()
    assert ax.get_xlabel() == "alpha" and "CV error" in ax.get_ylabel()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["alpha_min", "alpha_1se", "mean CV error"]


def test_cv_curve_top_axis_counts_nonzeros(lasso_cv):
    ax, ax_top = plot_cv_curve(lasso_cv)
    results = lasso_cv.cv_results_
    assert ax_top.get_xscale() == "log"
    assert ax_top.get_xlim() == ax.get_xlim() and ax_top.xaxis_inverted()
    ticks = ax_top.get_xticks()
    assert 2 <= len(ticks) <= 8
    rows = [int(np.flatnonzero(np.isclose(results["param_alpha"], t))[0])
            for t in ticks]
    labels = [t.get_text() for t in ax_top.get_xticklabels()]
    assert labels == [str(results["n_nonzero"][r]) for r in rows]
    assert rows[0] == 0 and rows[-1] == len(results["param_alpha"]) - 1  # grid ends
    ax.set_xlim(1.0, 0.01)  # the top axis follows later changes of the limits
    assert ax_top.get_xlim() == (1.0, 0.01)


@pytest.mark.parametrize("l1_ratio", [None, 0.5, 1.0])
def test_cv_curve_of_one_l1_ratio(enet_cv, l1_ratio):
    ax, _ = plot_cv_curve(enet_cv, l1_ratio=l1_ratio)
    rows = rows_of(enet_cv, enet_cv.l1_ratio_ if l1_ratio is None else l1_ratio)
    data_line = ax.containers[0].lines[0]
    assert_allclose(data_line.get_xdata(), enet_cv.cv_results_["param_alpha"][rows])
    assert_allclose(data_line.get_ydata(),
                    enet_cv.cv_results_["mean_test_error"][rows])


def test_cv_curve_on_given_axes(lasso_cv):
    _, given = plt.subplots()
    ax, ax_top = plot_cv_curve(lasso_cv, ax=given)
    assert ax is given and ax_top is not given
    assert len(given.figure.axes) == 2


def test_cv_curve_ridge_one_line_at_alpha_(ridge_cv):
    ax, ax_top = plot_cv_curve(ridge_cv)
    results = ridge_cv.cv_table_
    order = np.argsort(-results["param_alpha"])  # drawn by decreasing alpha
    data_line, _, (bars,) = ax.containers[0].lines
    assert_allclose(data_line.get_xdata(), [100.0, 10.0, 1.0, 0.1])
    assert_allclose(data_line.get_ydata(), results["mean_test_error"][order])
    lengths = np.diff(np.array(bars.get_segments())[:, :, 1], axis=1).ravel()
    assert_allclose(lengths, 2 * results["sem_test_error"][order])
    (vline,) = vertical_lines(ax)
    assert vline.get_label() == "alpha_"
    assert vline.get_xdata()[0] == ridge_cv.alpha_
    assert [t.get_text() for t in ax_top.get_xticklabels()] == [str(N_FEATURES)] * 4


def test_cv_curve_ridge_with_stored_loo_errors(data, ridge_cv):
    """RidgeCV keeps its table in cv_table_, so that cv_results_ is scikit-learn's
    (absent, or the per-sample array of store_cv_results=True): the curve is the
    same either way."""
    stored = sparsereg.RidgeCV(alphas=ridge_cv.alphas, store_cv_results=True)
    stored.fit(*data)
    assert stored.cv_results_.shape == (len(data[1]), 4)
    assert not hasattr(ridge_cv, "cv_results_")
    lines = [plot_cv_curve(m)[0].containers[0].lines[0] for m in (stored, ridge_cv)]
    assert_allclose(lines[0].get_ydata(), lines[1].get_ydata(), rtol=1e-12)


def test_cv_curve_errors(data, enet_cv, ridge_cv):
    with pytest.raises(ValueError, match=r"l1_ratio=0.7 .*\[0.5, 1.0\]"):
        plot_cv_curve(enet_cv, l1_ratio=0.7)
    with pytest.raises(ValueError, match="RidgeCV has no l1_ratio"):
        plot_cv_curve(ridge_cv, l1_ratio=0.5)
    with pytest.raises(TypeError, match="Lasso has no cv_results_"):
        plot_cv_curve(sparsereg.Lasso().fit(*data))
    with pytest.raises(NotFittedError):
        plot_cv_curve(sparsereg.LassoCV())


# ----------------------------------------------------------------- plot_coef_path


def test_coef_path_of_lasso_cv(lasso_cv):
    ax = plot_coef_path(lasso_cv, label_top=3)
    path, alphas = lasso_cv.coef_path_, lasso_cv.alphas_
    assert len(ax.lines) == N_FEATURES + 1
    for j in range(N_FEATURES):
        assert ax.lines[j].get_label() == f"x{j}"
        assert_allclose(ax.lines[j].get_xdata(), alphas)
        assert_allclose(ax.lines[j].get_ydata(), path[j])
    (vline,) = vertical_lines(ax)
    assert vline.get_xdata()[0] == lasso_cv.alpha_ and vline.get_linestyle() == "--"
    top3 = np.argsort(-np.abs(path[:, -1]))[:3]  # alphas_ decrease: -1 is the end
    assert [t.get_text() for t in ax.texts] == [f"x{j}" for j in top3]
    assert [t.xy for t in ax.texts] == [(alphas[-1], path[j, -1]) for j in top3]
    assert ax.get_xscale() == "log" and ax.xaxis_inverted()
    assert ax.get_ylabel() == "coefficient"


@pytest.mark.parametrize("l1_ratio, index", [(0.5, 0), (1.0, 1), (None, None)])
def test_coef_path_of_one_l1_ratio(enet_cv, l1_ratio, index):
    if index is None:
        index = [0.5, 1.0].index(enet_cv.l1_ratio_)
    ax = plot_coef_path(enet_cv, l1_ratio=l1_ratio)
    for j in range(N_FEATURES):
        assert_allclose(ax.lines[j].get_xdata(), enet_cv.alphas_[index])
        assert_allclose(ax.lines[j].get_ydata(), enet_cv.coef_path_[index, j])


def test_coef_path_with_explicit_alphas(data):
    grid = np.geomspace(10.0, 0.01, 12)
    model = sparsereg.ElasticNetCV(l1_ratio=[0.5, 1.0], alphas=grid, cv=3).fit(*data)
    assert model.alphas_.shape == (12,) and model.coef_path_.ndim == 3
    ax = plot_coef_path(model, l1_ratio=0.5)
    assert_allclose(ax.lines[0].get_xdata(), grid)
    assert_allclose(ax.lines[3].get_ydata(), model.coef_path_[0, 3])


def test_coef_path_of_lasso_path_tuple(data):
    alphas, coefs, _ = sparsereg.lasso_path(*data)
    names = [f"feature {j}" for j in range(N_FEATURES)]
    ax = plot_coef_path((alphas, coefs), feature_names=names, label_top=None)
    assert len(ax.lines) == N_FEATURES and not vertical_lines(ax)  # no alpha_
    assert [line.get_label() for line in ax.lines] == names
    end = np.argmin(alphas)
    labelled = [names[j] for j in np.argsort(-np.abs(coefs[:, end]))
                if coefs[j, end] != 0]
    assert [t.get_text() for t in ax.texts] == labelled
    assert plot_coef_path((alphas, coefs), label_top=0).texts[:] == []


def test_coef_path_names_from_dataframe(data):
    pd = pytest.importorskip("pandas")
    X, y = data
    frame = pd.DataFrame(X, columns=[f"col{j}" for j in range(N_FEATURES)])
    model = sparsereg.LassoCV(cv=3).fit(frame, y)
    ax = plot_coef_path(model)
    assert [line.get_label() for line in ax.lines[:N_FEATURES]] == list(frame.columns)


def test_coef_path_errors(data, lasso_cv, enet_cv):
    with pytest.raises(ValueError, match="feature_names has 3 names for 8"):
        plot_coef_path(lasso_cv, feature_names=["a", "b", "c"])
    with pytest.raises(ValueError, match=r"not one of the model's l1_ratios"):
        plot_coef_path(enet_cv, l1_ratio=0.2)
    with pytest.raises(TypeError, match="needs a fitted LassoCV or ElasticNetCV"):
        plot_coef_path(sparsereg.Lasso().fit(*data))
    with pytest.raises(NotFittedError):
        plot_coef_path(sparsereg.ElasticNetCV())
    with pytest.raises(ValueError, match="shape"):
        plot_coef_path((np.ones(3), np.ones((4, 5))))
    with pytest.raises(ValueError, match="label_top"):
        plot_coef_path(lasso_cv, label_top=-1)


# ----------------------------------------------------------- plot_coef_comparison


@pytest.fixture(scope="module")
def fitted_models(data):
    X, y = data
    return {
        "Lasso": sparsereg.Lasso(alpha=5.0).fit(X, y),
        "Ridge": sparsereg.Ridge(alpha=1.0).fit(X, y),
        "ElasticNet": sparsereg.ElasticNet(alpha=1.0, l1_ratio=0.9).fit(X, y),
        "pipeline": make_pipeline(StandardScaler(), sparsereg.Lasso(alpha=10.0)).fit(
            X, y),
    }


def test_coef_comparison_bars_counts_and_zero_marks(fitted_models):
    ax = plot_coef_comparison(fitted_models)
    coefs = [np.asarray(m.coef_ if hasattr(m, "coef_") else m[-1].coef_)
             for m in fitted_models.values()]
    assert any((c == 0).any() for c in coefs) and (coefs[1] != 0).all()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [f"{name} ({np.count_nonzero(c)} nonzero)"
                      for name, c in zip(fitted_models, coefs, strict=True)]
    markers = [line for line in ax.lines if line.get_marker() == "x"]
    assert len(ax.containers) == len(markers) == 4
    for m, (bars, marks, coef) in enumerate(zip(ax.containers, markers, coefs,
                                                strict=True)):
        assert_allclose([p.get_height() for p in bars.patches], coef)
        centres = np.array([p.get_x() + p.get_width() / 2 for p in bars.patches])
        assert_allclose(centres, np.arange(N_FEATURES) + (m - 1.5) * 0.2)
        assert_allclose(marks.get_xdata(), centres[coef == 0])
        assert_array_equal(marks.get_ydata(), 0.0)
        colour = matplotlib.colors.to_rgba(f"C{m}")
        assert bars.patches[0].get_facecolor() == colour
        assert matplotlib.colors.to_rgba(marks.get_color()) == colour
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == [f"x{j}" for j in range(N_FEATURES)]


def test_coef_comparison_list_names_and_tol(fitted_models):
    ridge = fitted_models["Ridge"]
    tol = float(np.sort(np.abs(ridge.coef_))[2])  # the 3 smallest count as zero
    ax = plot_coef_comparison([ridge], feature_names=list("abcdefgh"),
                              zero_threshold=tol)
    (legend,) = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == f"model 0 ({N_FEATURES - 3} nonzero)"
    (marks,) = [line for line in ax.lines if line.get_marker() == "x"]
    assert_allclose(marks.get_xdata(), np.flatnonzero(np.abs(ridge.coef_) <= tol))
    assert [t.get_text() for t in ax.get_xticklabels()] == list("abcdefgh")


def test_coef_comparison_errors(data, fitted_models):
    X, y = data
    lasso = fitted_models["Lasso"]
    with pytest.raises(TypeError, match="KNeighborsRegressor has no coef_"):
        plot_coef_comparison({"knn": KNeighborsRegressor().fit(X, y)})
    two_targets = sparsereg.Lasso().fit(X, np.column_stack([y, -y]))
    with pytest.raises(ValueError, match=r"only models of one target"):
        plot_coef_comparison({"Lasso": lasso, "2 targets": two_targets})
    fewer = sparsereg.Lasso().fit(X[:, :5], y)
    with pytest.raises(ValueError, match="different numbers of coefficients"):
        plot_coef_comparison([lasso, fewer])
    with pytest.raises(ValueError, match="feature_names has 2 names"):
        plot_coef_comparison([lasso], feature_names=["a", "b"])
    with pytest.raises(NotFittedError):
        plot_coef_comparison([lasso, sparsereg.Ridge()])
    with pytest.raises(ValueError, match="models is empty"):
        plot_coef_comparison({})
    with pytest.raises(ValueError, match="zero_threshold must be a finite number"):
        plot_coef_comparison([lasso], zero_threshold=-1.0)


# ----------------------------------------------------------- plot_learning_curves


@pytest.mark.parametrize("restore, suffix", [(True, " (restored)"), (False, "")])
def test_learning_curves_with_early_stopping(data, restore, suffix):
    X, y = data
    model = MLPClassifier(hidden_layer_sizes=(8,), max_iter=30, early_stopping=True,
                          restore_best_weights=restore, random_state=0)
    model.fit(X, y > np.median(y))
    history = model.history_
    assert history["val_loss"] and model.best_epoch_ is not None
    ax = plot_learning_curves(model)
    train, val = ax.lines[0], ax.lines[1]
    epochs = np.arange(1, len(history["train_loss"]) + 1)
    assert_array_equal(train.get_xdata(), epochs)
    assert_allclose(train.get_ydata(), history["train_loss"])
    assert_array_equal(val.get_xdata(), epochs)
    assert_allclose(val.get_ydata(), history["val_loss"])
    (vline,) = vertical_lines(ax)
    assert vline.get_xdata()[0] == model.best_epoch_
    assert vline.get_label() == f"best epoch {model.best_epoch_}{suffix}"
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "loss"
    assert [t.get_text() for t in ax.get_legend().get_texts()][:2] == [
        "training loss", "validation loss"]


def test_learning_curves_without_validation(data):
    model = MLPRegressor(hidden_layer_sizes=(8,), max_iter=20, random_state=0).fit(
        *data)
    ax = plot_learning_curves(model)
    assert len(ax.lines) == 2  # training loss and the best epoch
    assert_allclose(ax.lines[0].get_ydata(), model.history_["train_loss"])
    (vline,) = vertical_lines(ax)
    assert vline.get_label() == f"best epoch {model.best_epoch_}"


def test_learning_curves_of_scikit_learn_mlp(data):
    model = SkMLPRegressor(hidden_layer_sizes=(8,), max_iter=15, random_state=0)
    with pytest.warns(ConvergenceWarning):
        model.fit(*data)
    ax = plot_learning_curves(model)
    (line,) = ax.lines
    assert_allclose(line.get_ydata(), model.loss_curve_)


def test_learning_curves_errors(data):
    with pytest.raises(TypeError, match="Lasso has neither"):
        plot_learning_curves(sparsereg.Lasso().fit(*data))
    with pytest.raises(NotFittedError):
        plot_learning_curves(MLPRegressor())


# --------------------------------------------------------------- without matplotlib


def test_import_error_without_matplotlib(monkeypatch, data):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    monkeypatch.setattr(sparsereg, "plotting", sys.modules["sparsereg.plotting"])
    monkeypatch.delitem(sys.modules, "sparsereg.plotting")
    fresh = importlib.import_module("sparsereg.plotting")  # importing needs none
    path = sparsereg.lasso_path(*data)[:2]
    with pytest.raises(ImportError, match=r"needs matplotlib: pip install "
                                          r"'sparsereg\[plot\]'") as info:
        fresh.plot_coef_path(path)
    assert isinstance(info.value.__cause__, ImportError)


def _vlines(ax):
    return {line.get_label(): float(line.get_xdata()[0]) for line in ax.lines
            if line.get_linestyle() in ("--", ":") and line.get_label() in (
                "alpha_min", "alpha_1se")}


def test_cv_curve_of_another_l1_ratio_marks_its_own_alphas_and_says_which():
    """For an l1_ratio that was not chosen, the lines are that curve's own minimum
    and 1-SE alpha (by the estimator's rule), and the title names the l1_ratio;
    for the chosen one they are alpha_min_ / alpha_1se_. A Pipeline works too."""
    X, y = make_regression(80, 12, n_informative=4, noise=5.0, random_state=0)
    pipe = make_pipeline(StandardScaler(), sparsereg.ElasticNetCV(
        l1_ratio=[0.2, 1.0], cv=4, alphas=30)).fit(X, y)
    cv = pipe[-1]
    other = 0.2 if cv.l1_ratio_ == 1.0 else 1.0
    res = cv.cv_results_
    rows = np.isclose(res["param_l1_ratio"], other)
    alphas, mean = res["param_alpha"][rows], res["mean_test_error"][rows]
    sem = res["sem_test_error"][rows]
    best = int(np.argmin(mean))
    one_se = alphas[np.flatnonzero(mean <= mean[best] + sem[best]).min()]
    ax, _ = plot_cv_curve(pipe, l1_ratio=other)
    assert _vlines(ax) == pytest.approx({"alpha_min": alphas[best],
                                         "alpha_1se": one_se})
    assert ax.get_title() == f"l1_ratio = {other:g}"
    ax, _ = plot_cv_curve(pipe)
    assert _vlines(ax) == pytest.approx({"alpha_min": cv.alpha_min_,
                                         "alpha_1se": cv.alpha_1se_})
    assert ax.get_title() == f"l1_ratio = {cv.l1_ratio_:g}"
    path_ax = plot_coef_path(pipe, l1_ratio=other)
    assert path_ax.get_title() == f"l1_ratio = {other:g}"
    (mark,) = [line for line in path_ax.lines if line.get_linestyle() == "--"]
    assert float(mark.get_xdata()[0]) == pytest.approx(alphas[best])


def test_path_labels_do_not_overlap_and_fit_in_the_figure():
    """30 features, 20 named: the labels are at least a line apart and inside
    the figure (constrained layout makes room for them)."""
    X, y = make_regression(100, 30, n_informative=25, noise=1.0, random_state=1)
    cv = sparsereg.LassoCV(cv=3, alphas=20).fit(X, y)
    ax = plot_coef_path(cv, label_top=20)
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.texts]
    assert len(boxes) == 20
    figbox = fig.bbox
    for b in boxes:
        assert figbox.x0 <= b.x0 and b.x1 <= figbox.x1 + 0.5
        assert figbox.y0 - 0.5 <= b.y0 and b.y1 <= figbox.y1 + 0.5
    ys = sorted((b.y0 + b.y1) / 2 for b in boxes)
    heights = min(b.height for b in boxes)
    assert min(np.diff(ys)) >= 0.7 * heights


def test_stability_path_and_nonzero_paths_plots():
    from sparsereg.plotting import plot_nonzero_paths, plot_stability_path
    from sparsereg.sparsity import compare_paths, stability_path

    X, y = make_regression(120, 8, n_informative=3, noise=1.0, random_state=0)
    res = stability_path(X, y, n_alphas=10, n_resamples=8, random_state=0)
    ax = plot_stability_path(res)
    feature_lines = [line for line in ax.lines if line.get_label().startswith("x")]
    assert len(feature_lines) == 8
    grey = [line for line in feature_lines if line.get_color() == "0.75"]
    assert len(grey) == 8 - int(res.selected.sum())
    assert {t.get_text() for t in ax.texts} == set(res.selected_names)
    (thr,) = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert thr.get_ydata()[0] == res.threshold
    paths = compare_paths(X, y, n_alphas=10)
    ax = plot_nonzero_paths(paths)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "lasso (l1_ratio=1)", "elastic net (l1_ratio=0.5)", "ridge (l1_ratio=0)"]
    with pytest.raises(TypeError, match="compare_paths"):
        plot_nonzero_paths({"alpha": [1.0]})
    with pytest.raises(TypeError, match="stability_path"):
        plot_stability_path(object())


def test_comparison_tick_labels_slant_when_they_would_merge():
    """The prostate names side by side merged ("gleasonpgg45"): long labels slant,
    short ones stay level, and level labels do not overlap once drawn."""
    from sparsereg.datasets import load_prostate

    data = load_prostate()
    lasso = sparsereg.Lasso(alpha=0.05).fit(data.data, data.target)
    ax = plot_coef_comparison([lasso], feature_names=data.feature_names)
    assert {t.get_rotation() for t in ax.get_xticklabels()} == {45.0}
    short = sparsereg.Lasso(alpha=0.05).fit(data.data[:, :5], data.target)
    ax = plot_coef_comparison([short], feature_names=list("abcde"))
    assert {t.get_rotation() for t in ax.get_xticklabels()} == {0.0}
    ax.figure.canvas.draw()
    boxes = sorted((t.get_window_extent() for t in ax.get_xticklabels()),
                   key=lambda b: b.x0)
    assert all(a.x1 <= b.x0 for a, b in zip(boxes[:-1], boxes[1:], strict=True))
