"""RidgeCV: Ridge's alpha by closed-form leave-one-out or k-fold CV.

Re-exported by :mod:`sparsereg.model_selection`, next to LassoCV and ElasticNetCV
(whose ``cv_results_`` layout its ``cv_table_`` shares).
"""

import warnings
from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.metrics import check_scoring
from sklearn.model_selection import check_cv
from sklearn.utils import check_scalar
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import validate_data

from .._solvers.problem import Problem
from ..linear_model._base import (
    FLOAT_DTYPES,
    LinearBase,
    _set_fitted,
    check_sample_weight,
)
from ..linear_model._ridge import kernel_matrix, require_finite
from ..linear_model._scale import DataScale
from ._common import FixedLinear, cv_results_table, split_params, splitter_router


class RidgeCV(LinearBase):
    """Ridge regression with alpha chosen by (by default leave-one-out) CV.

    Minimizes, for the chosen ``alpha``, the objective of :class:`~sparsereg.Ridge`::

        ||y - Xw - b||^2_2 + alpha * ||w||^2_2

    scikit-learn's :class:`~sklearn.linear_model.RidgeCV`: with ``cv=None`` the
    data are decomposed once (SVD of X, or eigendecomposition of ``X X'``) and the
    leave-one-out error of every alpha follows in closed form, without refitting.
    With ``cv`` an int or splitter, each fold is decomposed once and all alphas are
    scored from it.

    Parameters
    ----------
    alphas : array-like of shape (n_alphas,), default=(0.1, 1.0, 10.0)
        Penalties to try: each > 0 for leave-one-out (``cv=None``), >= 0 with a
        ``cv``; checked with scikit-learn's messages.
    fit_intercept : bool, default=True
        Whether to fit an (unpenalized) intercept.
    scoring : str or callable, default=None
        A scikit-learn scorer. None: the mean squared LOO error with ``cv=None``,
        the estimator's R^2 with ``cv`` given (as scikit-learn). With ``cv=None``
        it scores the LOO predictions of all targets at once (a multi-output
        scorer sees them together), or each target alone with
        ``alpha_per_target``.
    cv : int, cross-validation generator or iterable, default=None
        None: efficient leave-one-out.
    gcv_mode : {"auto", "svd", "eigen"}, default=None
        Decomposition for ``cv=None``: "svd" of X or "eigen" of the
        ``n_samples x n_samples`` matrix ``X X'``; None/"auto": "eigen" if X is
        sparse or has more features than samples, else the eigendecomposition of
        the ``n_features x n_features`` matrix ``X'X`` (a fraction of the cost of
        an SVD) when its eigenvalues are accurate enough for the alphas
        (``lam_min + alpha >= 1e-7 lam_max``), "svd" otherwise. The errors of all
        alphas come from two matrix products, in float64 whatever X's dtype. "svd"
        on sparse X falls back to "eigen" with scikit-learn's FutureWarning.
    store_cv_results : bool, default=False
        Keep scikit-learn's per-sample LOO array in ``cv_results_`` (``cv=None``).
    alpha_per_target : bool, default=False
        Choose one alpha per target (``cv=None`` only).

    Attributes
    ----------
    alpha_ : float or ndarray of shape (n_targets,)
        The chosen alpha.
    best_score_ : float or ndarray of shape (n_targets,)
        Its score (minus the mean squared LOO error by default).
    cv_results_ : ndarray of shape (n_samples, n_alphas) or \
            (n_samples, n_targets, n_alphas)
        Only with ``store_cv_results=True``, as in scikit-learn: the squared LOO
        errors, or the LOO predictions if ``scoring`` is given.
    cv_table_ : dict of ndarrays
        The CV errors in the layout of :class:`LassoCV`'s ``cv_results_``: one
        row per alpha with ``param_alpha``, ``split{k}_test_error`` (one "split"
        per sample for leave-one-out; with a ``scoring``, leave-one-out gives one
        score per alpha, repeated in every split, so std and sem are 0),
        ``mean_test_error``, ``std_test_error``, ``sem_test_error`` and
        ``n_nonzero`` (summed over the targets). This is what
        :func:`~sparsereg.plotting.plot_cv_curve` draws.
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients at ``alpha_``.
    intercept_ : float or ndarray of shape (n_targets,)
        Intercept.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when X has string column names.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sparsereg import RidgeCV
    >>> X, y = load_diabetes(return_X_y=True)
    >>> RidgeCV(alphas=[1e-3, 1e-2, 1e-1, 1.0]).fit(X, y).alpha_
    0.01
    """

    _parameter_constraints: dict = {
        "alphas": ["array-like", Interval(Real, 0, None, closed="neither")],
        "fit_intercept": ["boolean"],
        "scoring": [str, callable, None],
        "cv": ["cv_object"],
        "gcv_mode": [StrOptions({"auto", "svd", "eigen"}), None],
        "store_cv_results": ["boolean"],
        "alpha_per_target": ["boolean"],
    }

    def __init__(self, alphas=(0.1, 1.0, 10.0), *, fit_intercept=True, scoring=None,
                 cv=None, gcv_mode=None, store_cv_results=False,
                 alpha_per_target=False):
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.scoring = scoring
        self.cv = cv
        self.gcv_mode = gcv_mode
        self.store_cv_results = store_cv_results
        self.alpha_per_target = alpha_per_target

    def fit(self, X, y, sample_weight=None, **params):
        """Choose alpha by cross-validation and fit Ridge with it.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Targets.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Weights of the squared errors.
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
        alphas = self._checked_alphas()
        if self.cv is not None and self.store_cv_results:
            raise ValueError("cv!=None and store_cv_results=True are incompatible")
        if self.cv is not None and self.alpha_per_target:
            raise ValueError("cv!=None and alpha_per_target=True are incompatible")
        X, y = validate_data(self, X, y, accept_sparse="csc", dtype=FLOAT_DTYPES,
                             y_numeric=True, multi_output=True)
        dtype = X.dtype  # of coef_ and intercept_; the CV itself runs in float64,
        X = X.astype(np.float64, copy=False)  # as scikit-learn's
        y = np.asarray(y, dtype=np.float64)
        sw = check_sample_weight(sample_weight, X.shape[0])
        Y = y[:, None] if y.ndim == 1 else y
        # data near 1e+-150 are decomposed as X / s, y / s (alphas / s^2), exactly
        data = DataScale.of(X, y)
        full = Problem(data.down(X), data.down(Y), sw, self.fit_intercept, True)
        scale = full.sum_sw / full.n  # alpha_n = alpha * n / sum(s), see Ridge
        alphas_n = data.penalty(alphas) / scale  # of the scaled data
        loo = _decomposition(full, self._gcv_mode(full), alphas_n)
        if self.cv is None:
            err, scores = self._leave_one_out(y, Y, sw, alphas_n, full, loo, data)
        else:
            err, scores = self._k_fold(X, y, sw, alphas, split, data)
        self._select(alphas, scores, Y.shape[1])
        n_nonzero = np.count_nonzero(loo.coefs(alphas_n), axis=(1, 2))[None]
        self.cv_table_ = cv_results_table(err[None], alphas[None], np.ones(1),
                                          n_nonzero)
        del self.cv_table_["param_l1_ratio"]
        # the final model from the same decomposition (no refit), per target alpha
        chosen = np.broadcast_to(self.alpha_, (Y.shape[1],))
        coef = np.array([loo.coef(data.penalty(a) / scale)[k]
                         for k, a in enumerate(chosen)])
        _set_fitted(self, full, coef, None, None, dtype, y.ndim)
        data.unscale_fitted(self, gaps=())
        del self.n_iter_  # scikit-learn's RidgeCV has none
        return self

    def _checked_alphas(self):
        """``alphas`` as a float array, checked with scikit-learn's messages:
        each > 0, or >= 0 with a ``cv`` (Ridge at alpha 0 is least squares; the
        closed-form leave-one-out needs alpha > 0), and finite."""
        values = self.alphas
        if isinstance(values, (np.ndarray, list, tuple)) and np.ndim(values) > 0:
            values = list(np.ravel(np.asarray(values, dtype=object)))
            names = ([f"alphas[{i}]" for i in range(len(values))] if len(values) != 1
                     else ["alphas"])
            for name, alpha in zip(names, values, strict=True):
                check_scalar(alpha, name, target_type=Real, min_val=0.0,
                             include_boundaries="neither" if self.cv is None
                             else "left")
                if not np.isfinite(alpha):
                    raise ValueError(f"{name} == {alpha}, must be finite.")
        alphas = np.atleast_1d(np.asarray(values, dtype=np.float64)).ravel()
        if alphas.size == 0:
            raise ValueError("alphas is empty: pass at least one alpha")
        return alphas

    def _gcv_mode(self, problem):
        """The decomposition asked for: ``gcv_mode`` (leave-one-out) or "auto".
        "svd" on sparse X falls back to "eigen", with scikit-learn's FutureWarning
        (it will raise from scikit-learn 1.11)."""
        if self.cv is not None:
            return "auto"
        if self.gcv_mode == "svd" and problem.is_sparse:
            warnings.warn(
                "The 'svd' mode is not supported for sparse X, we fallback to "
                "`gcv_mode='eigen'`. Passing `gcv_mode='svd'` on sparse X will raise "
                "an error in 1.11, use the default or pass `gcv_mode='eigen'` to "
                "suppress this warning.", FutureWarning, stacklevel=3)
            return "eigen"
        return self.gcv_mode or "auto"

    def _leave_one_out(self, y, Y, sw, alphas_n, problem, loo, data):
        """LOO errors (per sample) and scores in the user's units: ``loo`` and
        ``alphas_n`` are of the data scaled by ``data``, ``y`` and ``Y`` are not.

        With a ``scoring``, the LOO predictions of all targets are scored at once
        (a multi-output scorer sees them together), or one target at a time with
        ``alpha_per_target``, as scikit-learn does."""
        scale = problem.sum_sw / problem.n  # back to scikit-learn's raw weights
        scorer = None if self.scoring is None else check_scoring(self, self.scoring)
        sqrt_sw = np.sqrt(problem.sw)[:, None]
        kwargs = {} if sw is None else {"sample_weight": sw}
        per_target = self.alpha_per_target and Y.shape[1] > 1
        per_sample, scores = [], []
        # residuals for every alpha at once, back in the user's units
        for e in data.up(loo.errors_all(alphas_n)):
            if scorer is None:
                sq = scale * e**2
                per_sample.append(sq)
                scores.append(-sq.mean(axis=0))
            else:
                pred = Y - e / np.where(sqrt_sw > 0, sqrt_sw, 1.0)
                per_sample.append(pred)
                if per_target:
                    scores.append([scorer(_Identity(), pred[:, k], Y[:, k], **kwargs)
                                   for k in range(Y.shape[1])])
                else:
                    scores.append(scorer(_Identity(), pred.reshape(y.shape), y,
                                         **kwargs))
        per_sample = np.array(per_sample)  # (n_alphas, n_samples, n_targets)
        if self.store_cv_results:
            arr = np.moveaxis(per_sample, 0, -1)
            self.cv_results_ = arr[:, 0, :] if y.ndim == 1 else arr
        scores = np.asarray(scores, dtype=np.float64)
        err = per_sample.mean(axis=2) if scorer is None else -np.broadcast_to(
            np.reshape(scores, (len(scores), -1)).mean(axis=1)[:, None],
            per_sample.shape[:2])
        return err, scores  # err: (n_alphas, n_splits)

    def _k_fold(self, X, y, sw, alphas, split, data):
        folds = list(check_cv(self.cv).split(X, y, **split))
        from ..linear_model._ridge import Ridge

        scorer = check_scoring(Ridge(), self.scoring)
        err = np.empty((len(alphas), len(folds)))
        model = FixedLinear()
        for k, (train, test) in enumerate(folds):
            Yt = y[train] if y.ndim == 2 else y[train, None]
            prob = Problem(data.down(X[train]), data.down(Yt),
                           None if sw is None else sw[train], self.fit_intercept, True)
            scale = prob.sum_sw / prob.n
            loo = _decomposition(prob, "auto", data.penalty(alphas) / scale)
            for a, alpha in enumerate(alphas):
                W = loo.coef(data.penalty(alpha) / scale)
                model.coef_ = W[0] if y.ndim == 1 else W
                model.intercept_ = data.up(prob.y_offset - W @ prob.X_offset)
                if y.ndim == 1:
                    model.intercept_ = model.intercept_[0]
                kwargs = {} if sw is None else {"sample_weight": sw[test]}
                err[a, k] = -scorer(model, X[test], y[test], **kwargs)
        return err, -err.mean(axis=1)

    def _select(self, alphas, scores, n_targets):
        scores = np.asarray(scores)
        if self.alpha_per_target and n_targets > 1:
            best = np.argmax(scores, axis=0)  # first maximum, as scikit-learn
            self.alpha_ = alphas[best]
            self.best_score_ = scores[best, np.arange(n_targets)]
        else:
            total = scores.mean(axis=1) if scores.ndim == 2 else scores
            best = int(np.argmax(total))
            self.alpha_ = float(alphas[best])
            self.best_score_ = float(total[best])


    def get_metadata_routing(self):
        """The metadata routing: ``fit``'s extra arguments go to ``cv.split``
        (none with ``cv=None``).

        Returns
        -------
        routing : MetadataRouter
            See :func:`sklearn.utils.metadata_routing.get_routing_for_object`.
        """
        return splitter_router(self, None if self.cv is None else check_cv(self.cv))


class _Identity(RegressorMixin, BaseEstimator):
    """Scorer adapter: 'predicts' the LOO predictions it is given."""

    def predict(self, X):
        return X


def _decomposition(problem, mode, alphas_n):
    """The :class:`LeaveOneOut` decomposition of ``mode`` ("svd", "eigen", or
    "auto": "eigen" for sparse X or p > n, else the cheaper "gram" when it is
    accurate for these (scaled) alphas, "svd" when it is not)."""
    if mode != "auto":
        return LeaveOneOut(problem, mode)
    n, p = problem.X.shape
    if problem.is_sparse or p > n:
        return LeaveOneOut(problem, "eigen")
    loo = LeaveOneOut(problem, "gram")
    return loo if loo.gram_suits(alphas_n) else LeaveOneOut(problem, "svd")


class LeaveOneOut:
    """Closed-form leave-one-out errors of Ridge for any alpha, from one
    decomposition of the centered, weighted data ``A = S^1/2 X_c``.

    With ``H(alpha) = 1 w'/sum(w) + A (A'A + alpha I)^-1 A'`` the hat matrix of the
    weighted problem (the first term is the unpenalized intercept), the LOO residual
    of sample i is ``r_i / (1 - H_ii)`` with ``r = b - A w(alpha)``: no refit. Every
    mode writes ``A (A'A + alpha I)^-1 A' = Z diag(d(alpha)) Z'`` and
    ``w(alpha) = V diag(e(alpha)) Z'b``:

    * "svd" of ``A = U diag(s) V'``: ``Z = U``, ``d = s^2 / (s^2 + alpha)``;
    * "eigen" of the n x n ``A A' = U diag(s^2) U'`` (p > n, or sparse X):
      ``Z = U``, the same ``d``, and ``w = A' U diag(1 / (s^2 + alpha)) U'b``;
    * "gram", the eigendecomposition of the p x p ``A'A = V diag(lam) V'`` (n >= p):
      ``Z = A V`` (not normalized) and ``d = 1 / (lam + alpha)``. Forming A'A, a
      p x p ``eigh`` and ``A V`` cost a fraction of an SVD of A, and all in BLAS
      3; but the eigenvalues are exact only to about ``eps * lam_max``, so the
      mode is used only when ``lam_min + alpha >= 1e-7 * lam_max`` for every alpha
      (each term ``Z_ij^2 / (lam_j + alpha)`` of the hat diagonal is then exact to
      about ``1e7 eps``, 2e-9 relative); :meth:`gram_suits` tells.

    The errors for all alphas come from two matrix products (:meth:`errors_all`).
    Everything goes through numpy (``np.linalg`` and ``@``), none of it through
    scipy: numpy's and scipy's wheels each bundle an OpenBLAS with its own thread
    pool, and handing work from one to the other while the first one's threads still
    spin costs more than these products on a 2-core machine (measured: numpy's
    ``X.T @ X`` right before scipy's SVD of a 2000 x 200 matrix makes the pair 3x
    slower).
    """

    GRAM_MIN_ALPHA = 1e-7  # lam_min + alpha, relative to the largest eigenvalue

    def __init__(self, problem, mode):
        A = problem.operator()
        self.b = problem.weighted_targets()
        self.mode = mode
        self.A = None
        if mode == "svd":
            X = problem.X.astype(np.float64, copy=False)
            require_finite(X, "svd")
            self.Z, s, Vt = np.linalg.svd(X, full_matrices=False)
            self.s2, self.V_s = s**2, Vt.T * s  # w = V diag(s / (s^2 + a)) U'b
        elif mode == "gram":
            G = problem.gram()
            require_finite(G, "gram")
            lam, V = np.linalg.eigh(G)
            self.s2 = np.maximum(lam, 0.0)
            self.V_s = V  # w = V diag(1 / (lam + a)) Z'b
            X = problem.X.astype(np.float64, copy=False)
            self.Z = X @ V
        else:
            K = kernel_matrix(problem)
            require_finite(K, "eigen")
            lam, self.Z = np.linalg.eigh(K)
            # eigenvalues at rounding level are those of the null space of A' (a
            # rank-deficient K, e.g. n > p): zero, not noise divided by alpha
            cutoff = lam.max(initial=0.0) * K.shape[0] * np.finfo(np.float64).eps
            self.s2, self.V_s = np.where(lam > cutoff, lam, 0.0), None
            self.A = A
        self.Zb = self.Z.T @ self.b
        self.Z2 = self.Z**2
        sw = problem.sw
        self.h_intercept = sw / sw.sum() if problem.fit_intercept else 0.0

    def gram_suits(self, alphas):
        """Whether the "gram" decomposition is accurate enough for ``alphas``."""
        if self.s2.size == 0:
            return True
        floor = self.s2.min() + np.min(alphas)
        return bool(floor >= self.GRAM_MIN_ALPHA * self.s2.max())

    def _d(self, alphas):
        """``d(alpha)`` for every alpha, shape (rank, n_alphas)."""
        denom = self.s2[:, None] + np.asarray(alphas, dtype=np.float64)[None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.mode == "gram":
                return 1.0 / denom
            return np.where(denom > 0, self.s2[:, None] / denom, 0.0)

    def errors(self, alpha):
        """LOO residuals (weighted scale), shape (n_samples, n_targets)."""
        return self.errors_all(np.array([alpha]))[0]

    def errors_all(self, alphas):
        """LOO residuals for every alpha, shape (n_alphas, n_samples, n_targets):
        two matrix products over all alphas instead of two per alpha."""
        d = self._d(alphas)  # (r, m)
        m, k = d.shape[1], self.b.shape[1]
        fitted = self.Z @ (d[:, :, None] * self.Zb[:, None, :]).reshape(-1, m * k)
        # the intercept's term is (n,) or the scalar 0: a column either way
        h = np.reshape(self.h_intercept, (-1, 1)) + self.Z2 @ d  # (n, m)
        with np.errstate(divide="ignore", invalid="ignore"):
            e = (self.b[:, None, :] - fitted.reshape(-1, m, k)) / (1.0 - h)[:, :, None]
        return np.moveaxis(e, 1, 0)

    def coef(self, alpha):
        """Ridge coefficients at ``alpha``, shape (n_targets, n_features)."""
        return self.coefs(np.array([alpha]))[0]

    def coefs(self, alphas):
        """Coefficients for every alpha at once (one matrix product), shape
        (n_alphas, n_targets, n_features)."""
        alphas = np.asarray(alphas, dtype=np.float64)
        k = self.Zb.shape[1]
        # scaled[:, a * k + t] = Zb[:, t] / (s2 + alphas[a])
        denom = self.s2[:, None] + alphas[None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            scaled = self.Zb[:, None, :] / denom[:, :, None]
        if self.mode == "eigen":  # A'u = 0 for an eigenvector u of eigenvalue 0
            scaled[self.s2 == 0] = 0.0
        scaled = scaled.reshape(len(self.s2), len(alphas) * k)
        if self.V_s is not None:
            W = self.V_s @ scaled
        else:
            W = self.A.rmatmat(self.Z @ scaled)
        return W.T.reshape(len(alphas), k, -1)
