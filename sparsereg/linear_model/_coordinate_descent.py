"""Lasso and ElasticNet: public parameters and their mapping to (l1, l2).

Each class only documents its objective, stores its parameters and maps them to the
shared problem of ``_solvers/objective.py``; fitting lives in ``_base.py``.
"""

from numbers import Integral, Real

from sklearn.utils import metadata_routing
from sklearn.utils._param_validation import Interval, StrOptions

from .._solvers.objective import penalty_weights
from ._base import LinearBase, fit_problem, scaled_problem, validate_Xy

_STOPPING_NOTES = """
    **Stopping rule** (scikit-learn's). Coordinate descent stops when the duality
    gap of the objective above is at most ``tol * ||y - mean(y)||^2 / n_samples``
    (weighted norms with sample weights; ``y`` itself without an intercept) right
    after an epoch whose largest coefficient change was at most ``tol`` times the
    largest coefficient, or before the first epoch if the starting point (a warm
    start) already has such a gap. When the l1 term is active, features that the
    gap safe rule proves to be zero are dropped, and with more than 500 features
    CD runs on working sets (the nonzeros plus the features nearest to entering,
    ``max(2 * nnz, 100)`` or more), each solved to a fraction of the full gap;
    ``n_iter_`` counts epochs over these sets like full passes. SAGA
    (``solver="saga"``) stops on the same gap, computed from the exact residual
    after every epoch (``n_samples`` rows drawn at random); ``n_iter_`` counts
    these epochs.
"""


class ElasticNet(LinearBase):
    """Linear regression with combined L1 and L2 priors (the elastic net).

    Minimizes, over ``w`` and the intercept ``b``::

        1 / (2 * n_samples) * ||y - Xw - b||^2_2
        + alpha * l1_ratio * ||w||_1
        + 0.5 * alpha * (1 - l1_ratio) * ||w||^2_2

    exactly scikit-learn's :class:`~sklearn.linear_model.ElasticNet` objective. With
    ``sample_weight`` the squared error of sample ``i`` is weighted by ``s_i``, the
    weights being rescaled to sum to ``n_samples``.

    Parameters
    ----------
    alpha : float, default=1.0
        Constant multiplying the penalty terms; ``alpha >= 0``.
    l1_ratio : float, default=0.5
        Mixing parameter in ``[0, 1]``: 1 is the Lasso, 0 a ridge penalty.
    fit_intercept : bool, default=True
        Whether to fit an intercept (by centering X and y, never penalized).
    precompute : bool, "auto" or array-like of shape (n_features, n_features), \
            default=False
        Use a Gram matrix ``X.T @ X`` (computed when True, or when "auto" and
        ``n_samples > n_features``): coordinate descent then costs
        ``O(n_features)`` per coordinate instead of ``O(n_samples)``. A given
        matrix must be that of the centered data weighted by the normalized sample
        weights (one entry is checked); if X is not centered and an intercept is
        fitted, it is recomputed with a warning, as in scikit-learn.
    max_iter : int, default=1000
        Maximum number of epochs (passes over the features).
    copy_X : bool, default=True
        If False, a dense X may be centered in place (scikit-learn's contract).
    tol : float, default=1e-4
        Stop when the duality gap is below ``tol * ||y - mean(y)||^2 / n_samples``
        after a small-step epoch (see Notes of :class:`ElasticNet`).
    warm_start : bool, default=False
        Start from the previous ``coef_`` when refitting.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    random_state : int, RandomState instance or None, default=None
        Seed of the coordinate order when ``selection="random"``, and of the rows
        drawn by ``solver="saga"``.
    selection : {"cyclic", "random"}, default="cyclic"
        Visit the features in order, or draw one at random at each step
        (coordinate descent only).
    solver : {"cd", "ista", "fista", "saga"}, default="cd"
        Coordinate descent, proximal gradient (ISTA, or FISTA with adaptive
        restart; Beck & Teboulle 2009, O'Donoghue & Candes 2015), or SAGA
        (Defazio, Bach & Lacoste-Julien 2014), a stochastic solver for very tall
        data: each step reads one sample drawn at random, then applies the
        proximal operator of the penalty, with scikit-learn's step size
        ``1 / (2 L + min(2 n l2, L))``, ``L = max_i ||x_i - mean(x)||^2 + l2``
        (weighted by ``sample_weight``); a step costs ``n_features`` operations,
        on sparse X too (the prox moves every coefficient). All minimize the
        same objective and stop by the same rule; ``n_iter_`` counts epochs (CD,
        SAGA: ``n_samples`` steps) or gradient steps (ISTA/FISTA), each of which
        reads X about twice. FISTA solves all targets of a 2-D y at once with
        matrix products.
    anderson : bool or "auto", default="auto"
        Acceleration of the coordinate-descent iterates (``solver="cd"``, cyclic
        selection): Anderson extrapolation (every 6 epochs the last iterates are
        combined into a better one, kept only if it lowers the objective) and,
        where CD is slow, Newton steps on the current support (kept only if they
        lower the objective; l1 > 0, dense X or a Gram matrix, no penalty factors
        or bounds but ``positive``). Same objective and stopping rule, often 3-5x
        fewer epochs on correlated features and tight ``tol``. "auto" accelerates
        on the problems CD solves with working sets (more than 500 features, no
        penalty factors or bounds), whose iterates differ from scikit-learn's
        anyway; on the others CD runs scikit-learn's iterates for at least 200
        epochs and 1e7 multiply-adds (n x features per epoch), so that a fit that
        ends by then (every small problem) has scikit-learn's ``coef_`` at any
        ``tol`` (to rounding), and accelerates after that. True: everywhere
        (``coef_`` then agrees with scikit-learn's to within ``tol`` only); False:
        never. See the user guide.
    penalty_factor : array-like of shape (n_features,), default=None
        Non-negative multipliers of each feature's penalty, l1 and l2 terms alike
        (glmnet's ``penalty.factor``): feature j is penalized by
        ``alpha * pf_j * (l1_ratio |w_j| + (1 - l1_ratio) / 2 w_j^2)``; 0 leaves it
        unpenalized (in every model of a path). None means all ones, scikit-learn's
        objective. The factors are used as given, not rescaled: glmnet rescales them
        to sum to n_features, so its alpha equals ours times ``n_features /
        sum(pf)``.
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), \
            default=None
        Bounds of each coefficient (``-inf`` / ``inf`` allowed; None: unbounded).
        ``positive=True`` is ``lower_bounds=0`` (the two combine by taking the
        larger lower bound). Exact in every solver: coordinate descent clips each
        1-D minimizer, ISTA/FISTA project in their proximal step, and the duality
        gap of the constrained problem stays the stopping rule.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients ``w``.
    intercept_ : float or ndarray of shape (n_targets,)
        Intercept ``b``.
    n_iter_ : int or list of int
        Epochs run (one per target for 2-D y); 0 if the starting point was optimal.
    dual_gap_ : float or ndarray of shape (n_targets,)
        Duality gap of the returned ``coef_``, in the scaling of the objective above.
    sparse_coef_ : sparse matrix of shape (n_targets, n_features)
        ``coef_`` as a CSR matrix.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when X has string column names.

    Notes
    -----
    A 2-D ``y`` is fitted as independent problems, one per column.
    {stopping}
    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sparsereg import ElasticNet
    >>> X, y = load_diabetes(return_X_y=True)
    >>> enet = ElasticNet(alpha=0.01, l1_ratio=0.9).fit(X, y)
    >>> enet.coef_[:4].round(0), bool(enet.dual_gap_ <= 1e-4 * y.var())
    (array([  16., -135.,  394.,  249.]), True)
    """

    # check_input is a switch for callers, not metadata to route in a pipeline
    __metadata_request__fit = {"check_input": metadata_routing.UNUSED}

    _parameter_constraints: dict = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "fit_intercept": ["boolean"],
        "precompute": ["boolean", StrOptions({"auto"}), "array-like"],
        "max_iter": [Interval(Integral, 1, None, closed="left"), None],
        "copy_X": ["boolean"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "warm_start": ["boolean"],
        "positive": ["boolean"],
        "random_state": ["random_state"],
        "selection": [StrOptions({"cyclic", "random"})],
        "solver": [StrOptions({"cd", "ista", "fista", "saga"})],
        "anderson": ["boolean", StrOptions({"auto"})],
        "penalty_factor": ["array-like", None],
        "lower_bounds": [Real, "array-like", None],
        "upper_bounds": [Real, "array-like", None],
    }

    def __init__(self, alpha=1.0, *, l1_ratio=0.5, fit_intercept=True,
                 precompute=False, max_iter=1000, copy_X=True, tol=1e-4,
                 warm_start=False, positive=False, random_state=None,
                 selection="cyclic", solver="cd", anderson="auto", penalty_factor=None,
                 lower_bounds=None, upper_bounds=None):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.copy_X = copy_X
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.solver = solver
        self.anderson = anderson
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds

    def _penalty(self):
        return penalty_weights("enet", self.alpha, self.l1_ratio)

    def fit(self, X, y, sample_weight=None, check_input=True):
        """Fit the model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; sparse input is converted to CSC once, never densified.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Targets.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Non-negative weights of the samples.
        check_input : bool, default=True
            If False, skip the validation of X and y (X must then be a
            Fortran-ordered float ndarray or a CSC matrix, without NaN or inf).
            For callers that have validated the data already.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._validate_params()
        X, y, sw = validate_Xy(self, X, y, sample_weight, check_input)
        problem, scale = scaled_problem(self, X, y, sw)
        return fit_problem(self, problem, scale, X.dtype, y.ndim)


ElasticNet.__doc__ = ElasticNet.__doc__.replace("{stopping}", _STOPPING_NOTES)


class Lasso(ElasticNet):
    """Linear regression with an L1 prior (the Lasso).

    Minimizes, over ``w`` and the intercept ``b``::

        1 / (2 * n_samples) * ||y - Xw - b||^2_2 + alpha * ||w||_1

    exactly scikit-learn's :class:`~sklearn.linear_model.Lasso` objective; this is
    :class:`ElasticNet` with ``l1_ratio=1``. Parameters, attributes and the stopping
    rule are those of :class:`ElasticNet` (without ``l1_ratio``).

    Parameters
    ----------
    alpha : float, default=1.0
        Constant multiplying the L1 term; ``alpha >= 0``.
    fit_intercept : bool, default=True
        Whether to fit an intercept.
    precompute : bool, "auto" or array-like, default=False
        Use a (pre)computed Gram matrix, see :class:`ElasticNet`.
    copy_X : bool, default=True
        If False, a dense X may be centered in place.
    max_iter : int, default=1000
        Maximum number of epochs.
    tol : float, default=1e-4
        Stop when the duality gap is below ``tol * ||y - mean(y)||^2 / n_samples``
        after a small-step epoch (see Notes of :class:`ElasticNet`).
    warm_start : bool, default=False
        Start from the previous ``coef_``.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    random_state : int, RandomState instance or None, default=None
        Seed of the coordinate order when ``selection="random"``, and of the rows
        drawn by ``solver="saga"``.
    selection : {"cyclic", "random"}, default="cyclic"
        Coordinate order (coordinate descent only).
    solver : {"cd", "ista", "fista", "saga"}, default="cd"
        Coordinate descent, proximal gradient, or SAGA (see :class:`ElasticNet`).
    anderson : bool or "auto", default="auto"
        Acceleration of coordinate descent: Anderson extrapolation and Newton
        steps on the support (see :class:`ElasticNet`).
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature multipliers of ``alpha`` (0: unpenalized), see
        :class:`ElasticNet`.
    lower_bounds, upper_bounds : float or array-like, default=None
        Bounds of the coefficients, see :class:`ElasticNet`.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients ``w``.
    intercept_ : float or ndarray of shape (n_targets,)
        Intercept ``b`` (0.0 without ``fit_intercept``).
    n_iter_ : int or list of int
        Epochs run, one per target for 2-D y.
    dual_gap_ : float or ndarray of shape (n_targets,)
        Duality gap of ``coef_``, in the scaling of the objective above.
    sparse_coef_ : sparse matrix of shape (n_targets, n_features)
        ``coef_`` as a CSR matrix.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when X has string column names.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sparsereg import Lasso
    >>> X, y = load_diabetes(return_X_y=True)
    >>> Lasso(alpha=0.5).fit(X, y).coef_.round(0)  # six coefficients exactly 0
    array([  0.,   0., 471., 137.,   0.,   0., -58.,   0., 408.,   0.])
    """

    _parameter_constraints: dict = {
        k: v for k, v in ElasticNet._parameter_constraints.items() if k != "l1_ratio"
    }

    def __init__(self, alpha=1.0, *, fit_intercept=True, precompute=False,
                 copy_X=True, max_iter=1000, tol=1e-4, warm_start=False,
                 positive=False, random_state=None, selection="cyclic", solver="cd",
                 anderson="auto", penalty_factor=None, lower_bounds=None,
                 upper_bounds=None):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.solver = solver
        self.anderson = anderson
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds

    def _penalty(self):
        return penalty_weights("lasso", self.alpha)
