"""LassoCV, ElasticNetCV and RidgeCV: the regularization strength chosen by CV.

For every l1_ratio and fold, a warm-started path is fitted on the training part and
scored on the held-out part; the alpha (and l1_ratio) is then chosen by a rule --
scikit-learn's minimum mean error, glmnet's one-standard-error rule, a sparsity cap,
or a callable -- and the model is refitted on all the data along the same grid.
"""

from contextlib import nullcontext
from numbers import Integral, Real

import numpy as np
from joblib import Parallel, delayed
from sklearn.metrics import check_scoring
from sklearn.model_selection import check_cv
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import validate_data

from .._solvers.dispatch import SolverOptions
from .._solvers.problem import Problem
from .._threads import blas_on_one_thread, in_threads
from ..linear_model._base import (
    FLOAT_DTYPES,
    LinearBase,
    check_sample_weight,
    fit_problem,
)
from ..linear_model._path import resolve_alphas, solve_path, warn_unconverged
from ..linear_model._path_predict import PathPredictMixin, intercept_path
from ..linear_model._scale import DataScale
from ._common import (
    AlphaGridEdgeWarning,
    argmin_tied,
    cv_results_table,
    is_grid_given,
    joblib_alone,
    one_se_index,
    split_params,
    splitter_router,
    warn_if_on_edge,
)
from ._folds import FoldGrams, fold_errors
from ._ridge_cv import RidgeCV


class _CVBase(PathPredictMixin, LinearBase):
    """Shared fit of LassoCV and ElasticNetCV (a facade only lists its params)."""

    _parameter_constraints: dict = {
        "eps": [Interval(Real, 0, None, closed="neither")],
        "alphas": [Interval(Integral, 1, None, closed="left"), "array-like", None],
        "fit_intercept": ["boolean"],
        "precompute": [StrOptions({"auto"}), "boolean", "array-like"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "copy_X": ["boolean"],
        "cv": ["cv_object"],
        "verbose": ["verbose"],
        "n_jobs": [Integral, None],
        "positive": ["boolean"],
        "random_state": ["random_state"],
        "selection": [StrOptions({"cyclic", "random"})],
        "solver": [StrOptions({"cd", "ista", "fista", "saga"})],
        "anderson": ["boolean", StrOptions({"auto"})],
        "penalty_factor": ["array-like", None],
        "lower_bounds": [Real, "array-like", None],
        "upper_bounds": [Real, "array-like", None],
        "alpha_rule": [StrOptions({"min", "1se"}), callable],
        "max_nonzero": [Interval(Integral, 0, None, closed="left"), None],
        "scoring": [str, callable, None],
    }

    def _l1_ratios(self):
        """The l1_ratios to cross-validate, as a non-empty 1-D float array."""
        value = getattr(self, "l1_ratio", 1.0)
        try:
            ratios = np.atleast_1d(np.asarray(value, dtype=float))
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"l1_ratio must be a float or a 1-D list of floats, got {value!r}"
            ) from exc
        if ratios.ndim != 1 or ratios.size == 0:
            raise ValueError(
                f"l1_ratio must be a float or a non-empty 1-D list of floats, got "
                f"{value!r}"
            )
        if not np.all((ratios >= 0) & (ratios <= 1)):  # also rejects NaN
            raise ValueError(f"l1_ratio must be in [0, 1], got {ratios}")
        return ratios

    def fit(self, X, y, sample_weight=None, **params):
        """Choose alpha (and l1_ratio) by cross-validation, then fit on all data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Target.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Weights of the samples, used in the fits and in the held-out errors.
        **params : dict
            Metadata for the ``cv`` splitter's ``split``, e.g. ``groups`` for a
            :class:`~sklearn.model_selection.GroupKFold`. As in scikit-learn, only
            with metadata routing enabled
            (``sklearn.set_config(enable_metadata_routing=True)``); otherwise
            passing any raises a ValueError.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._validate_params()
        split = split_params(self, params)
        X, y = validate_data(self, X, y, accept_sparse="csc", dtype=FLOAT_DTYPES,
                             y_numeric=True)  # one target: (n, 1) is raveled, warned
        y = np.asarray(y, dtype=np.float64)
        sw = check_sample_weight(sample_weight, X.shape[0])
        l1_ratios = self._l1_ratios()
        folds = list(check_cv(self.cv).split(X, y, **split))
        # n > p: the folds' Gram terms, and from their sum the full problem's
        opts = SolverOptions.of(self)
        gram_folds = FoldGrams.applies(opts, X, sw, folds)
        with blas_on_one_thread() if gram_folds else nullcontext(1) as workers:
            # data near 1e+-150: the CV runs on X / s, y / s, alphas / s^2 (exact)
            scale = DataScale.of(X, y)
            Xs, ys = scale.down(X), scale.down(y)
            grams = (FoldGrams(Xs, ys, sw, self.fit_intercept, folds, workers)
                     if gram_folds else None)
            full = (Problem(Xs, ys[:, None], sw, self.fit_intercept, True)
                    if grams is None else grams.full)
            pen = opts.penalty(X.shape[1])
            grids = np.array([resolve_alphas(self.alphas, full, r, self.eps,
                                             self.positive, pen) for r in l1_ratios])
            if is_grid_given(self.alphas):
                grids = scale.penalty(grids)
            scorer = (None if self.scoring is None
                      else check_scoring(self, self.scoring))
            err, support, paths = self._paths(opts, (Xs, ys, sw), folds, grids,
                                              l1_ratios, scorer, scale, (grams, full),
                                              workers)
        if scorer is None:  # mean squared errors in the user's units
            err = scale.user_units(err, "The cross-validation errors")
        if not np.all(np.isfinite(err)):
            raise ValueError(
                f"The cross-validation errors are not all finite (scoring="
                f"{self.scoring!r}); with data near the float64 limits, rescale X "
                "and y (e.g. with StandardScaler)"
            )
        grids = scale.user_units(grids, "The alphas of the grid")
        self._store(err, support, grids, l1_ratios, paths)
        self.intercept_path_ = intercept_path(X, y, sw, self.coef_path_,
                                              self.fit_intercept)
        self._refit(X, y, sw, None if grams is None else (full, scale))
        return self

    def _paths(self, opts, data, folds, grids, l1_ratios, scorer, scale, problems,
               workers):
        """The held-out errors (shape (n_l1_ratios, n_alphas, n_folds)) and supports
        of every (l1_ratio, fold) job, and the full-data paths; ``data = (Xs, ys,
        sw)``, ``problems = (FoldGrams or None, the full problem)``, ``opts`` the
        :class:`SolverOptions` every path is solved with.

        The jobs run under ``n_jobs`` with joblib, the full-data paths after them.
        On the Gram route (``grams``) with ``n_jobs=None`` and no joblib context
        asking for more (and no ``verbose`` progress to print), a job is a Gram-CD
        path of milliseconds: jobs and full-data paths run together in ``workers``
        threads, the threads BLAS had (it is on one thread meanwhile), as BLAS
        would run its products; threadpoolctl limits both."""
        (Xs, ys, sw), (grams, full) = data, problems
        jobs = [(i, k) for i in range(len(l1_ratios)) for k in range(len(folds))]
        fold_args = [(opts, self.fit_intercept, Xs, ys, sw, folds[k], grids[i],
                      l1_ratios[i], scorer, scale,
                      None if grams is None else (grams, k)) for i, k in jobs]
        full_args = [(opts, full, grids[i], l1_ratios[i], None, self.verbose)
                     for i in range(len(l1_ratios))]
        if grams is not None and not self.verbose and joblib_alone(self.n_jobs):
            out = in_threads(workers, lambda task: task[0](*task[1]),
                             [(solve_path, a) for a in full_args]
                             + [(fold_errors, a) for a in fold_args])
            paths, errors = out[:len(full_args)], out[len(full_args):]
        else:
            errors = Parallel(n_jobs=self.n_jobs, verbose=self.verbose,
                              prefer="threads")(
                delayed(fold_errors)(*args) for args in fold_args)
            paths = [solve_path(*args) for args in full_args]
        for *_, failed in paths:  # the full paths' warnings, from this thread
            warn_unconverged(failed, grids.shape[1], stacklevel=4)
        err = np.empty((len(l1_ratios), grids.shape[1], len(folds)))
        support = np.empty((len(l1_ratios), len(folds), Xs.shape[1], grids.shape[1]),
                           dtype=bool)
        for (i, k), (e, s) in zip(jobs, errors, strict=True):
            err[i, :, k], support[i, k] = e, s
        return err, support, paths

    def _store(self, err, support, grids, l1_ratios, paths):
        coef_path = np.array([c[0] for c, *_ in paths])  # (n_l1, p, n_alphas)
        n_nonzero = np.count_nonzero(coef_path, axis=1)  # (n_l1, n_alphas)
        self.cv_results_ = cv_results_table(err, grids, l1_ratios, n_nonzero)
        i_min, j_min = np.unravel_index(argmin_tied(err.mean(axis=2)),
                                        err.shape[:2])
        j_1se = one_se_index(err[i_min], grids[i_min])
        self.alpha_min_, self.alpha_1se_ = grids[i_min, j_min], grids[i_min, j_1se]
        i, j = self._choose(err, n_nonzero, i_min, j_min, j_1se)
        self.alpha_, self.l1_ratio_ = float(grids[i, j]), float(l1_ratios[i])
        warn_if_on_edge(err[i].mean(axis=1), n_nonzero[i], j, self.alpha_)
        squeeze = len(l1_ratios) == 1
        # as scikit-learn: one row per l1_ratio for a generated grid, else the grid
        generated = self.alphas is None or isinstance(self.alphas, Integral)
        self.alphas_ = grids[0] if squeeze or not generated else grids
        self.mse_path_ = err[0] if squeeze else err
        self.coef_path_ = coef_path[0] if squeeze else coef_path
        self.selection_frequency_ = support[i, :, :, j].mean(axis=0)

    def _refit(self, X, y, sw, gram_problem=None):
        """The final model: a cold fit at (alpha_, l1_ratio_), as scikit-learn does
        (so that, when CD follows scikit-learn's iterates, coef_ matches its
        LassoCV/ElasticNetCV at any tol). ``gram_problem = (full problem, its
        DataScale)`` when the folds were solved on Gram matrices: the refit runs
        on its Gram matrix too (CD on G and on X take the same steps, in exact
        arithmetic; a copy of X and its epochs saved)."""
        from ..linear_model._coordinate_descent import ElasticNet

        precompute = False if isinstance(self.precompute, str) else self.precompute
        if gram_problem is not None:
            precompute = True
        model = ElasticNet(
            alpha=self.alpha_, l1_ratio=self.l1_ratio_,
            fit_intercept=self.fit_intercept, precompute=precompute,
            max_iter=self.max_iter, tol=self.tol, positive=self.positive,
            random_state=self.random_state, selection=self.selection,
            solver=self.solver, anderson=self.anderson,
            penalty_factor=self.penalty_factor, lower_bounds=self.lower_bounds,
            upper_bounds=self.upper_bounds,
        )
        if gram_problem is None:
            model.fit(X, y, sample_weight=sw)
        else:
            full, scale = gram_problem
            fit_problem(model, full, scale, X.dtype, 1)
        for name in ("coef_", "intercept_", "dual_gap_", "n_iter_"):
            setattr(self, name, getattr(model, name))

    def _choose(self, err, n_nonzero, i_min, j_min, j_1se):
        """(l1_ratio index, alpha index) of the model the rule selects."""
        if callable(self.alpha_rule) and self.max_nonzero is not None:
            raise ValueError(
                "max_nonzero cannot be combined with a callable alpha_rule: filter on "
                "cv_results_['n_nonzero'] inside the callable"
            )
        if callable(self.alpha_rule):
            flat = int(self.alpha_rule(self.cv_results_))
            return np.unravel_index(flat, err.shape[:2])
        mean = err.mean(axis=2)
        if self.max_nonzero is not None:
            allowed = n_nonzero <= self.max_nonzero
            if not allowed.any():
                raise ValueError(
                    f"max_nonzero={self.max_nonzero}: no model of the grid has so few "
                    "nonzero coefficients; lower eps or pass larger alphas"
                )
            mean = np.where(allowed, mean, np.inf)
            i_min, j_min = np.unravel_index(argmin_tied(mean), mean.shape)
            if self.alpha_rule == "1se":
                masked = np.where(allowed[i_min][:, None], err[i_min], np.inf)
                return i_min, one_se_index(masked, None)
            return i_min, j_min
        return (i_min, j_1se) if self.alpha_rule == "1se" else (i_min, j_min)

    def get_metadata_routing(self):
        """The metadata routing: ``fit``'s extra arguments go to ``cv.split``.

        Returns
        -------
        routing : MetadataRouter
            See :func:`sklearn.utils.metadata_routing.get_routing_for_object`.
        """
        return splitter_router(self, check_cv(self.cv))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = False
        return tags


_CV_DOC = """
    Parameters
    ----------
{l1_ratio}    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the generated grid.
    alphas : int, array-like or None, default=100
        Number of alphas of a geometric grid from ``alpha_max`` (computed on all the
        data) down to ``eps * alpha_max`` (None: 100), or the alphas themselves.
    fit_intercept : bool, default=True
        Whether to fit an intercept (each fold is centered on its training part).
    precompute : "auto", bool or array-like, default="auto"
        Gram matrix use by coordinate descent (see :class:`~sparsereg.ElasticNet`).
    max_iter : int, default=1000
        Maximum epochs (CD) or gradient steps (ISTA/FISTA) per alpha.
    tol : float, default=1e-4
        Stopping tolerance of each solve (see :class:`~sparsereg.ElasticNet`).
    copy_X : bool, default=True
        Kept for compatibility: X is never modified.
    cv : int, cross-validation generator or iterable, default=None
        As in scikit-learn: None is 5-fold :class:`~sklearn.model_selection.KFold`.
    verbose : bool or int, default=False
        Progress of the folds (joblib) and of the full-data paths.
    n_jobs : int, default=None
        Folds (and l1_ratios) run in parallel through joblib, in threads by default
        (the compiled kernels release the GIL); under
        ``joblib.parallel_backend("dask")`` they run on a dask cluster. With None,
        dense n > p folds solved from Gram matrices (see the user guide) run in
        as many threads as BLAS has, as BLAS's own products would
        (``threadpoolctl`` limits them).
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    random_state : int, RandomState instance or None, default=None
        Seed of ``selection="random"``.
    selection : {{"cyclic", "random"}}, default="cyclic"
        Coordinate order of coordinate descent.
    solver : {{"cd", "ista", "fista", "saga"}}, default="cd"
        The path solver (see :class:`~sparsereg.ElasticNet`).
    anderson : bool or "auto", default="auto"
        Acceleration of coordinate descent, Anderson extrapolation and Newton
        steps on the support (see :class:`~sparsereg.ElasticNet`), for every
        solve: folds, full-data path and final fit. "auto": on problems with
        working sets (more than 500 features), and elsewhere once plain CD creeps
        (see :class:`~sparsereg.ElasticNet`), from then on for the rest of the
        path.
    alpha_rule : {{"min", "1se"}} or callable, default="min"
        "min": the alpha of the smallest mean CV error (scikit-learn). "1se":
        glmnet's ``lambda.1se``, the largest alpha whose mean error is within one
        standard error (sample standard deviation of the fold errors /
        sqrt(n_folds); glmnet also weights the folds by size) of the minimum. A
        callable receives ``cv_results_`` and returns the index of a row.
    max_nonzero : int, default=None
        Only models of the full-data path with at most this many nonzero
        coefficients are eligible; "min" or "1se" picks among them (with a callable
        rule, filter on ``cv_results_["n_nonzero"]`` inside it instead).
    scoring : str or callable, default=None
        A scikit-learn scorer; the CV error is minus its score. None: the mean
        squared error (weighted by ``sample_weight``), as scikit-learn.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature multipliers of alpha (0: unpenalized; the grid's alpha_max is
        then glmnet's, see :class:`~sparsereg.ElasticNet`).
    lower_bounds, upper_bounds : float or array-like, default=None
        Bounds of the coefficients, in every fit (see :class:`~sparsereg.ElasticNet`).

    Attributes
    ----------
    alpha_ : float
        The chosen alpha.
    l1_ratio_ : float
        The chosen l1_ratio.
    alpha_min_ : float
        The alpha of the smallest mean CV error.
    alpha_1se_ : float
        The largest alpha within one standard error of that minimum.
    alphas_ : ndarray of shape (n_alphas,){alphas_shape}
        The grid.
    mse_path_ : ndarray of shape (n_alphas, n_folds){mse_shape}
        CV error per alpha and fold (MSE unless ``scoring`` is given).
    cv_results_ : dict of ndarrays
        One row per (l1_ratio, alpha): ``param_l1_ratio``, ``param_alpha``,
        ``split{{k}}_test_error``, ``mean_test_error``, ``std_test_error``,
        ``sem_test_error`` (standard error) and ``n_nonzero`` (full-data model).
    coef_path_ : ndarray of shape (n_features, n_alphas){coef_shape}
        The full-data coefficient path (:meth:`coef_at` and :meth:`predict_at`
        interpolate it at any alpha of its range, as glmnet's ``predict(s=)``).
    intercept_path_ : ndarray of shape (n_alphas,){intercept_shape}
        The intercepts of that path.
    selection_frequency_ : ndarray of shape (n_features,)
        Fraction of the folds whose model at the chosen alpha keeps each feature.
    coef_ : ndarray of shape (n_features,)
        Coefficients of the full-data model at ``alpha_``.
    intercept_ : float
        Its intercept.
    dual_gap_ : float
        Its duality gap.
    n_iter_ : int
        Iterations of that final fit (cold, from zeros, as scikit-learn).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when X has string column names.
"""


class ElasticNetCV(_CVBase):
    """Elastic net with alpha and l1_ratio chosen by cross-validation.

    Minimizes, for the chosen ``alpha`` and ``l1_ratio``, the objective of
    :class:`~sparsereg.ElasticNet`::

        1 / (2 * n_samples) * ||y - Xw - b||^2_2
        + alpha * l1_ratio * ||w||_1 + 0.5 * alpha * (1 - l1_ratio) * ||w||^2_2

    The parameters and attributes of scikit-learn's
    :class:`~sklearn.linear_model.ElasticNetCV`, plus the selection rule
    (``alpha_rule``, ``max_nonzero``), ``scoring``, ``solver``, and what the CV
    computed (``cv_results_``, ``coef_path_``, ``selection_frequency_``,
    ``alpha_min_``, ``alpha_1se_``). A chosen alpha on the edge of the grid emits
    :class:`AlphaGridEdgeWarning`.
{doc}
    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sparsereg import ElasticNetCV
    >>> X, y = load_diabetes(return_X_y=True)
    >>> cv = ElasticNetCV(l1_ratio=[0.5, 1.0], eps=1e-4).fit(X, y)
    >>> bool(cv.alpha_1se_ >= cv.alpha_min_)
    True
    """

    _parameter_constraints: dict = {
        **_CVBase._parameter_constraints,
        "l1_ratio": [Interval(Real, 0, 1, closed="both"), "array-like"],
    }

    def __init__(self, *, l1_ratio=0.5, eps=1e-3, alphas=100, fit_intercept=True,
                 precompute="auto", max_iter=1000, tol=1e-4, cv=None, copy_X=True,
                 verbose=0, n_jobs=None, positive=False, random_state=None,
                 selection="cyclic", solver="cd", anderson="auto", alpha_rule="min",
                 max_nonzero=None, scoring=None, penalty_factor=None,
                 lower_bounds=None, upper_bounds=None):
        self.l1_ratio = l1_ratio
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.cv = cv
        self.copy_X = copy_X
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.solver = solver
        self.anderson = anderson
        self.alpha_rule = alpha_rule
        self.max_nonzero = max_nonzero
        self.scoring = scoring
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds


class LassoCV(_CVBase):
    """Lasso with alpha chosen by cross-validation.

    Minimizes, for the chosen ``alpha``, the objective of :class:`~sparsereg.Lasso`::

        1 / (2 * n_samples) * ||y - Xw - b||^2_2 + alpha * ||w||_1

    The parameters and attributes of scikit-learn's
    :class:`~sklearn.linear_model.LassoCV`, plus the selection rule (``alpha_rule``,
    ``max_nonzero``), ``scoring``, ``solver`` and what the CV computed (see
    :class:`ElasticNetCV`).
{doc}
    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sparsereg import LassoCV
    >>> X, y = load_diabetes(return_X_y=True)
    >>> cv = LassoCV(alpha_rule="1se").fit(X, y)
    >>> bool(cv.alpha_ == cv.alpha_1se_ >= cv.alpha_min_)
    True
    """

    def __init__(self, *, eps=1e-3, alphas=100, fit_intercept=True, precompute="auto",
                 max_iter=1000, tol=1e-4, copy_X=True, cv=None, verbose=False,
                 n_jobs=None, positive=False, random_state=None, selection="cyclic",
                 solver="cd", anderson="auto", alpha_rule="min", max_nonzero=None,
                 scoring=None, penalty_factor=None, lower_bounds=None,
                 upper_bounds=None):
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.copy_X = copy_X
        self.cv = cv
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.solver = solver
        self.anderson = anderson
        self.alpha_rule = alpha_rule
        self.max_nonzero = max_nonzero
        self.scoring = scoring
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds


ElasticNetCV.__doc__ = ElasticNetCV.__doc__.format(doc=_CV_DOC.format(
    l1_ratio="""    l1_ratio : float or list of float, default=0.5
        Mixing parameter(s) in [0, 1] to cross-validate (0 needs explicit alphas).
""", alphas_shape=" or (n_l1_ratio, n_alphas)",
    mse_shape=" or (n_l1_ratio, n_alphas, n_folds)",
    coef_shape=" or (n_l1_ratio, n_features, n_alphas)",
    intercept_shape=" or (n_l1_ratio, n_alphas)"))
LassoCV.__doc__ = LassoCV.__doc__.format(doc=_CV_DOC.format(
    l1_ratio="", alphas_shape="", mse_shape="", coef_shape="", intercept_shape=""))

__all__ = ["AlphaGridEdgeWarning", "ElasticNetCV", "LassoCV", "RidgeCV"]
