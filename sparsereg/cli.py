"""The ``sparsereg`` command: ``sparsereg compare`` tunes L1, L2, elastic-net (and
MLP) models by cross-validation on a CSV file, or on the bundled prostate data, and
compares their accuracy and sparsity.

Every failure the user can fix (a missing file or column, non-numeric or missing
values, too few rows, a bad option) is one line on stderr and exit code 2.
"""

import argparse
import json
import math
import os
import sys
import time
import warnings
from contextlib import nullcontext

import numpy as np

from ._cli_data import UsageError, read_csv, select_columns
from .model_selection._common import AlphaGridEdgeWarning

MODELS = ("lasso", "enet", "ridge", "mlp")
ENET_L1_RATIOS = (0.1, 0.5, 0.7, 0.9, 0.95, 1.0)
RIDGE_ALPHAS = np.geomspace(1e4, 1e-3, 60)  # decreasing, as the Lasso grids
MLP_ALPHAS = (0.1, 1.0, 10.0)

# --------------------------------------------------------------------------- data


def load_data(args):
    if args.csv is None:
        from .datasets import load_prostate

        if args.target not in (None, "lpsa"):
            raise UsageError("--target needs --csv (the bundled prostate data "
                             "predicts lpsa)")
        data = load_prostate()
        X, y, names = data.data, data.target, list(data.feature_names)
        description = "prostate cancer data (Stamey et al.; ESL Table 3.3), target lpsa"
        text = []
    else:
        X, y, names, text = read_csv(args.csv, args.target, args.categorical)
        description = f"{args.csv}, target {args.target}"
    X, names = select_columns(X, names, args.features, args.drop)
    return X, y, names, description, [c for c in text if c in names]


# ------------------------------------------------------------------------- models


def preprocessor(encode):
    """Standardize the features; text columns (indices ``encode``) are one-hot
    encoded first (a column per category seen in training; an unseen one in the
    test rows gets zeros), then standardized like the others."""
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    if not encode:
        return StandardScaler()
    onehot = ColumnTransformer(
        [("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False),
          encode)], remainder="passthrough", verbose_feature_names_out=False)
    return make_pipeline(onehot, StandardScaler())


def feature_names_after(fitted, columns):
    """The names of the model's inputs: ``columns``, or after one-hot encoding
    ``<column>_<category>`` for the text columns (first, as the transformer puts
    them) and the numeric columns' own names."""
    if not hasattr(fitted, "steps"):
        return list(columns)
    onehot = fitted.steps[0][1]
    return [str(n) for n in onehot.get_feature_names_out(np.asarray(columns,
                                                                    dtype=object))]


def make_model(name, cv, rule, seed, classify=False, encode=()):
    from sklearn.base import clone
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline

    from . import ElasticNetCV, LassoCV, RidgeCV
    from .neural_network import MLPRegressor

    if classify:
        from .neural_network import MLPClassifier

        mlp = MLPClassifier(hidden_layer_sizes=(16,), activation="tanh",
                            learning_rate_init=0.01, max_iter=2000,
                            random_state=seed)
        est = GridSearchCV(mlp, {"alpha": list(MLP_ALPHAS)}, cv=cv,
                           scoring="accuracy")
    elif name == "lasso":
        est = LassoCV(cv=cv, alpha_rule=rule, random_state=seed)
    elif name == "enet":
        est = ElasticNetCV(l1_ratio=list(ENET_L1_RATIOS), cv=cv, alpha_rule=rule,
                           random_state=seed)
    elif name == "ridge":
        est = RidgeCV(alphas=RIDGE_ALPHAS, cv=cv, scoring="neg_mean_squared_error")
    else:
        # small tabular data: a small tanh network, its L2 penalty tuned by CV
        mlp = MLPRegressor(hidden_layer_sizes=(16,), activation="tanh",
                           learning_rate_init=0.01, max_iter=2000, random_state=seed)
        est = GridSearchCV(mlp, {"alpha": list(MLP_ALPHAS)}, cv=cv,
                           scoring="neg_mean_squared_error")
    return make_pipeline(clone(preprocessor(list(encode))), est)


def summarize(name, cv_est, final, X_test, y_test, names):
    """One result row: chosen penalty, CV error and its s.e., test R^2, support.

    ``cv_est`` is the tuned CV estimator (for its CV results), ``final`` the fitted
    pipeline that predicts (for ``--rule 1se`` with ridge, a refit at that alpha).
    """
    classify = y_test.dtype == object
    row = {"model": name, "alpha": None, "l1_ratio": None,
           "cv_metric": "misclassification rate" if classify else "mse",
           "test_metric": "accuracy" if classify else "r2"}
    if name == "mlp":
        best = cv_est.best_index_
        scores = np.array([cv_est.cv_results_[f"split{k}_test_score"][best]
                           for k in range(cv_est.n_splits_)])
        folds = 1.0 - scores if classify else -scores  # accuracy or -MSE
        row["alpha"] = float(cv_est.best_params_["alpha"])
        row.update(cv_error=float(folds.mean()),
                   cv_se=float(folds.std(ddof=1) / math.sqrt(folds.size)),
                   n_nonzero=None, selected=None, coef=None,
                   cv_curve=_mlp_curve(cv_est, classify))
    else:
        # RidgeCV keeps the table in cv_table_ (cv_results_ is scikit-learn's)
        res = (cv_est.cv_table_ if hasattr(cv_est, "cv_table_")
               else cv_est.cv_results_)
        est = final[-1]
        alpha = float(getattr(est, "alpha_", getattr(est, "alpha", None)))
        match = np.isclose(res["param_alpha"], alpha, rtol=1e-12)
        if "param_l1_ratio" in res and hasattr(est, "l1_ratio_"):
            match &= np.isclose(res["param_l1_ratio"], est.l1_ratio_)
            row["l1_ratio"] = float(est.l1_ratio_)
        k = int(np.flatnonzero(match)[0])
        coef = np.asarray(est.coef_).ravel()
        row.update(alpha=alpha, cv_error=float(res["mean_test_error"][k]),
                   cv_se=float(res["sem_test_error"][k]),
                   n_nonzero=int(np.count_nonzero(coef)),
                   selected=[names[j] for j in np.flatnonzero(coef)],
                   coef=dict(zip(names, map(float, coef), strict=True)),
                   cv_curve=_linear_curve(res))
    from sklearn.metrics import accuracy_score, r2_score

    # not final.score: a GridSearchCV's score is its scoring (here -MSE)
    metric = accuracy_score if classify else r2_score
    row.update(n_features=len(names),
               test_score=float(metric(y_test, final.predict(X_test))))
    return row


def _linear_curve(res):
    """The CV curve of a linear model: one point per (l1_ratio, alpha) tried."""
    l1 = res.get("param_l1_ratio")
    return [{"alpha": float(a), "l1_ratio": None if l1 is None else float(l1[i]),
             "cv_error": float(res["mean_test_error"][i]),
             "cv_se": float(res["sem_test_error"][i])}
            for i, a in enumerate(res["param_alpha"])]


def _mlp_curve(search, classify):
    """The CV curve of the MLP's grid search: one point per alpha tried."""
    res, n = search.cv_results_, search.n_splits_
    curve = []
    for i, a in enumerate(res["param_alpha"]):
        scores = np.array([res[f"split{k}_test_score"][i] for k in range(n)])
        folds = 1.0 - scores if classify else -scores
        curve.append({"alpha": float(a), "l1_ratio": None,
                      "cv_error": float(folds.mean()),
                      "cv_se": float(folds.std(ddof=1) / math.sqrt(n))})
    return curve


def ridge_at_one_se(pipeline, X, y):
    """glmnet's 1-SE rule for RidgeCV (which selects the minimum): the same
    preprocessing and a Ridge at the largest alpha whose mean CV error is within
    one standard error of the best, fitted on the same training data."""
    from sklearn.base import clone
    from sklearn.pipeline import make_pipeline

    from . import Ridge

    res = pipeline[-1].cv_table_
    mean, sem = res["mean_test_error"], res["sem_test_error"]
    best = int(np.argmin(mean))
    k = int(np.flatnonzero(mean <= mean[best] + sem[best])[0])  # alphas decrease
    steps = [step for _, step in clone(pipeline[:-1]).steps]
    return make_pipeline(*steps, Ridge(alpha=float(res["param_alpha"][k]))).fit(X, y)


# ------------------------------------------------------------------------- output


def grid_edge_notes(name, alpha, caught):
    """The grid-edge notes of one model: the AlphaGridEdgeWarning its CV raised
    (Lasso, elastic net), or, for ridge and the MLP, whose searches do not warn,
    whether the chosen alpha is an end of the grid tried."""
    notes = [str(w.message) for w in caught
             if issubclass(w.category, AlphaGridEdgeWarning)]
    grid = {"ridge": RIDGE_ALPHAS, "mlp": MLP_ALPHAS}.get(name)
    if grid is not None:
        lo, hi = float(np.min(grid)), float(np.max(grid))
        for end, word, other in ((hi, "largest", "larger"), (lo, "smallest",
                                                                "smaller")):
            if np.isclose(alpha, end, rtol=1e-12):
                notes.append(f"The chosen alpha ({alpha:.4g}) is the {word} of the "
                             f"grid tried ({lo:.4g} to {hi:.4g}): a {other} one may "
                             "be better.")
    return notes


def format_table(rows, description, n_train, n_test, cv, rule):
    lines = [f"sparsereg compare: {description}",
             f"{n_train} training / {n_test} test samples, {cv}-fold CV, "
             f"rule {rule}, features standardized", ""]
    classify = rows[0]["test_metric"] == "accuracy"
    cv_head, test_head = ("CV error ± SE", "test acc") if classify else (
        "CV MSE ± SE", "test R2")
    head = (f"{'model':6s} {'alpha':>10s} {'l1_ratio':>8s} {cv_head:>17s} "
            f"{test_head:>8s} {'nonzero':>8s}  selected features")
    lines += [head, "-" * len(head)]
    for r in rows:
        nz = "-" if r["n_nonzero"] is None else f"{r['n_nonzero']}/{r['n_features']}"
        sel = "-" if r["selected"] is None else (", ".join(r["selected"]) or "(none)")
        l1 = "-" if r["l1_ratio"] is None else f"{r['l1_ratio']:.2f}"
        cv_text = f"{r['cv_error']:.4g} ± {r['cv_se']:.2g}"
        lines.append(f"{r['model']:6s} {r['alpha']:>10.4g} {l1:>8s} {cv_text:>17s} "
                     f"{r['test_score']:>8.3f} {nz:>8s}  {sel}")
    notes = [f"  {r['model']}: {note}" for r in rows for note in r.get("notes", ())]
    if notes:
        lines += ["", "Notes:"] + notes
    return "\n".join(lines)


def check_plot(path, models):
    """Refuse a ``--plot`` that cannot be written, before any fitting: matplotlib
    missing, no linear model to draw, a folder that does not exist or a file type
    matplotlib cannot write."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib.backend_bases import FigureCanvasBase
    except ImportError:
        raise UsageError("--plot needs matplotlib: pip install "
                         "'sparsereg[plot]'") from None
    if not any(name != "mlp" for name in models):
        raise UsageError("--plot draws the linear models: add lasso, enet or ridge "
                         "to --models")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise UsageError(f"cannot write --plot {path}: no folder {folder}")
    if not os.access(folder, os.W_OK):
        raise UsageError(f"cannot write --plot {path}: {folder} is not writable")
    kinds = FigureCanvasBase.get_supported_filetypes()
    suffix = os.path.splitext(path)[1].lstrip(".").lower()
    if suffix not in kinds:
        raise UsageError(f"--plot {path}: unknown file type {suffix!r}; use one of "
                         f"{', '.join(sorted(kinds))}")


def write_plot(path, fitted, names):
    """The CV curves of the linear models and their coefficients, in one figure
    (``check_plot`` has accepted ``path``)."""
    import matplotlib.pyplot as plt

    from .plotting import plot_coef_comparison, plot_cv_curve

    linear = {k: m for k, m in fitted.items() if k != "mlp"}
    fig, axes = plt.subplots(1, len(linear) + 1, figsize=(5 * (len(linear) + 1), 4.5))
    for ax, (name, (cv_est, final)) in zip(axes, linear.items(), strict=False):
        plot_cv_curve(cv_est, ax=ax)
        chosen = float(getattr(final, "alpha_", getattr(final, "alpha", np.nan)))
        if not np.isclose(chosen, np.max(cv_est.alpha_), rtol=1e-12):
            # ridge with --rule 1se: the table reports the refit, so does the plot
            ax.axvline(chosen, color="C3", linestyle="-.",
                       label=f"1-SE refit ({chosen:.3g})")
            ax.legend()
        ratio = (f", l1_ratio {cv_est.l1_ratio_:g}" if name == "enet" else "")
        ax.set_title(f"{name}: CV error{ratio}")
    plot_coef_comparison({k: final for k, (_, final) in linear.items()},
                         feature_names=names, ax=axes[-1])
    axes[-1].set_title("standardized coefficients")
    fig.tight_layout()
    try:
        fig.savefig(path, dpi=110)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc}") from None
    plt.close(fig)


# ---------------------------------------------------------------------------- main


def compare(args):
    from sklearn.model_selection import KFold, StratifiedKFold, train_test_split

    if args.cv < 2:
        raise UsageError(f"--cv must be at least 2, got {args.cv}")
    if not 0.0 < args.test_size < 1.0:
        raise UsageError(f"--test-size must be in (0, 1), got {args.test_size}")
    X, y, columns, description, text = load_data(args)
    classify = y.dtype == object
    models = _models(args.models, classify)
    if args.plot:
        check_plot(args.plot, models)
    try:
        X_tr, X_te, y_tr, y_te = train_test_split(
            X, y, test_size=args.test_size, random_state=args.seed,
            stratify=y if classify else None)
    except ValueError as exc:  # e.g. a class with a single row
        raise UsageError(f"cannot split the rows into training and test: "
                         f"{exc}") from None
    if len(y_tr) < 2 * args.cv:
        raise UsageError(f"{len(y_tr)} training rows are too few for {args.cv}-fold CV")
    splitter = StratifiedKFold if classify else KFold
    cv = splitter(args.cv, shuffle=True, random_state=args.seed)
    encode = [columns.index(c) for c in text]  # text columns, one-hot encoded
    names = feature_names_after(preprocessor(encode).fit(X_tr), columns)
    with _compilation_notice(models, args):
        rows, fitted = _fit_models(models, cv, args, (X_tr, X_te, y_tr, y_te),
                                   names, classify, encode)
    if args.json:
        print(json.dumps({"data": description, "n_train": len(y_tr),
                          "n_test": len(y_te), "cv": args.cv, "rule": args.rule,
                          "seed": args.seed, "features": names, "models": rows},
                         indent=2), flush=True)
    else:
        print(format_table(rows, description, len(y_tr), len(y_te), args.cv,
                           args.rule), flush=True)
    if args.plot:  # after the results, so that a failing write loses none of them
        write_plot(args.plot, fitted, names)
        _progress(f"plot written to {args.plot}", args)
    return 0


def _compilation_notice(models, args):
    """A line on stderr before the linear models' kernels compile (the first run
    after installing), or nothing to do."""
    if all(name == "mlp" for name in models):  # no numba kernels
        return nullcontext()
    from ._jit import announce_compilation

    return announce_compilation(lambda: _progress(
        "compiling the solvers (once after installing: 10-30 s; later runs load "
        "them from numba's cache) ...", args))


def _fit_models(models, cv, args, split, names, classify, encode):
    """Tune and fit every model on the training rows: (result rows, fitted pairs
    of the CV estimator and the final one); ``encode``: the text columns."""
    X_tr, X_te, y_tr, y_te = split
    rows, fitted = [], {}
    for k, name in enumerate(models, start=1):
        start = time.perf_counter()
        _progress(f"[{k}/{len(models)}] {name}: {args.cv}-fold CV ...", args)
        model = make_model(name, cv, args.rule, args.seed, classify, encode)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("ignore")  # convergence notes
            warnings.simplefilter("always", AlphaGridEdgeWarning)
            model.fit(X_tr, y_tr)
            final = model
            if name == "ridge" and args.rule == "1se":
                final = ridge_at_one_se(model, X_tr, y_tr)
        row = summarize(name, model[-1], final, X_te, y_te, names)
        row["notes"] = grid_edge_notes(name, row["alpha"], caught)
        rows.append(row)
        fitted[name] = (model[-1], final[-1])
        _progress(f"[{k}/{len(models)}] {name}: done in "
                  f"{time.perf_counter() - start:.1f} s", args)
    return rows, fitted


def _models(spec, classify):
    """The models to run: ``--models``, or the default of the task."""
    if spec is None:
        return ["mlp"] if classify else ["lasso", "enet", "ridge"]
    models = [m.strip() for m in spec.split(",") if m.strip()]
    unknown = sorted(set(models) - set(MODELS))
    if unknown or not models:
        raise UsageError(f"--models: unknown {unknown or 'empty list'}; choose among "
                         f"{', '.join(MODELS)}")
    linear = [m for m in models if m != "mlp"]
    if classify and linear:
        raise UsageError(
            f"the target holds class labels, and {', '.join(linear)} are regression "
            "models: use --models mlp (a classifier) or a numeric target")
    return models


def _progress(msg, args):
    print(msg, file=sys.stderr, flush=True)


def build_parser():
    parser = argparse.ArgumentParser(
        prog="sparsereg",
        description="Sparse and regularized models, a drop-in for scikit-learn.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser(
        "compare", help="tune L1 / L2 / elastic-net (and MLP) models by CV and "
        "compare their accuracy and sparsity",
        description="Standardize the features, tune each model by K-fold CV on a "
        "training split, and print the chosen penalty, the CV error with its "
        "standard error, the held-out R^2 (accuracy for a target of class labels), "
        "and the selected features. Without --csv, the bundled prostate cancer data "
        "(ESL Table 3.3) is used.")
    p.add_argument("--csv", help="CSV file with a header line; numeric features, "
                   "the target numeric (regression) or class labels")
    p.add_argument("--target", help="name of the target column (with --csv)")
    p.add_argument("--features", metavar="COL[,COL...]",
                   help="use only these feature columns")
    p.add_argument("--drop", metavar="COL[,COL...]",
                   help="leave these feature columns out")
    p.add_argument("--categorical", choices=("error", "auto"), default="error",
                   help="text columns: an error (default), or one-hot encoded "
                   "(auto: every column holding a non-numeric value)")
    p.add_argument("--models", default=None,
                   help="comma-separated, among lasso,enet,ridge,mlp (default: "
                   "lasso,enet,ridge; mlp, a classifier, when the target holds "
                   "class labels)")
    p.add_argument("--cv", type=int, default=5, help="CV folds (default 5)")
    p.add_argument("--rule", choices=("min", "1se"), default="min",
                   help="alpha of the minimum CV error, or glmnet's one-standard-"
                   "error rule (default min)")
    p.add_argument("--test-size", type=float, default=0.25,
                   help="fraction held out for the test R^2 (default 0.25)")
    p.add_argument("--plot", metavar="OUT.png",
                   help="write CV curves and a coefficient comparison")
    p.add_argument("--json", action="store_true", help="print JSON, not a table")
    p.add_argument("--seed", type=int, default=0,
                   help="seed of the split, the folds and the MLP (default 0)")
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        return compare(args)
    except UsageError as exc:
        print(f"sparsereg {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
