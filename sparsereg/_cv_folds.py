"""The held-out errors of one fold's path, and the folds of a dense n > p problem
from Gram matrices, without fold copies.

scikit-learn's LassoCV copies and centers the training rows of every fold, forms
their Gram matrix (5 folds: 4 Gram matrices of the whole data) and predicts the
held-out rows for every alpha. Here the full problem's centered copy of X serves
every fold: the Gram matrices of the folds' test rows (one Gram matrix of the data
over all folds) add up to the full one (the full path and the refit use it), a
fold's training terms are the full ones minus those of its test rows, recentered
at the fold's own mean by a rank-one correction (small: the data are centered at
the full mean already), and the held-out squared error of every alpha follows
from the test rows' terms in O(p^2) per alpha.

With weights ``s`` (the full problem's, summing to n), ``z_i`` the centered rows and
``u_i`` the centered targets, the full problem holds ``sqrt(s_i) z_i`` and
``sqrt(s_i) u_i``; every fold sum below is a sum over those rows, so the weights
need no special case.
"""

import threading
import warnings

import numpy as np

from ._base import Problem, _gram_memory_limit, estimator_penalty
from ._cv_common import FixedLinear
from ._path import compute_path
from ._scale import DataScale

# A held-out error this far below the error of the training mean is recomputed
# from the test rows: the expansion in Gram terms loses ~eps * h / SSE relative
# accuracy to cancellation.
_DIRECT_BELOW = 1e-6


def fold_errors(est, X, y, sw, fold, alphas, l1_ratio, scorer, scale=None,
                gram_fold=None):
    """Held-out error of every alpha of one fold's path (MSE, or -score), and the
    support (nonzero mask, shape (n_features, n_alphas)) of that path.

    ``X``, ``y`` and ``alphas`` are those of the problem scaled by ``scale`` (see
    ``_base.DataScale``); a scorer sees the test data in the user's units.
    ``gram_fold = (FoldGrams, k)``: the fold's terms come from there, X and y are
    only read by a scorer.
    """
    scale = DataScale() if scale is None else scale
    train, test = fold
    if gram_fold is None:
        sw_train = None if sw is None else sw[train]
        prob = Problem(X[train], y[train, None], sw_train, est.fit_intercept, True)
        x_offset, y_offset, held_out = prob.X_offset, prob.y_offset[0], None
    else:
        grams, k = gram_fold
        prob, zbar, ubar, held_out = grams.fold(k)
        x_offset = grams.full.X_offset + zbar
        y_offset = grams.full.y_offset[0] + ubar
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        coefs, _, _ = compute_path(est, prob, alphas, l1_ratio)
    W = coefs[0]  # (p, n_alphas)
    if scorer is None and held_out is not None:
        return held_out(W), W != 0
    intercepts = y_offset - x_offset @ W
    if scorer is None:
        pred = np.asarray(X[test] @ W) + intercepts
        res2 = (y[test, None] - pred) ** 2
        weights = None if sw is None else sw[test]
        return np.average(res2, axis=0, weights=weights), W != 0
    model = FixedLinear()
    out = np.empty(len(alphas))
    X_test, y_test = scale.up(X[test]), scale.up(y[test])
    for a in range(len(alphas)):
        model.coef_, model.intercept_ = W[:, a], scale.up(intercepts[a])
        kwargs = {} if sw is None else {"sample_weight": sw[test]}
        out[a] = -scorer(model, X_test, y_test, **kwargs)
    return out, W != 0


class GramProblem:
    """A centered, weighted least-squares problem given by its Gram terms (the
    interface of ``_base.Problem`` that coordinate descent on a Gram matrix
    uses); one target."""

    is_sparse = False
    n_targets = 1

    def __init__(self, G, q, yty, n):
        self.G, self.q, self._yty, self.n = G, q, yty, n

    @property
    def n_features(self):
        return self.G.shape[0]

    def gram(self):
        return self.G

    def Xty(self):
        return self.q[:, None]

    def yty(self):
        return np.array([self._yty])


class _Sums:
    """``sum s z z'``, ``sum s z``, ``sum s z u``, ``sum s u``, ``sum s u^2``,
    ``sum s`` over some rows."""

    def __init__(self, ZZ, z, zu, u, uu, s):
        self.ZZ, self.z, self.zu, self.u, self.uu, self.s = ZZ, z, zu, u, uu, s

    def minus(self, part):
        """The sums over these rows but ``part``'s."""
        return _Sums(self.ZZ - part.ZZ, self.z - part.z, self.zu - part.zu,
                     self.u - part.u, self.uu - part.uu, self.s - part.s)


class FoldGrams:
    """The Gram terms of every fold of a CV of one dense problem, computed once per
    fold (shared by the l1_ratios) and on demand (the folds run in threads).

    ``fold(k)`` returns ``(GramProblem of the training part, its X and y offsets
    relative to the full problem's, held-out error function)``.
    """

    @classmethod
    def build(cls, est, full, folds):
        """A FoldGrams if coordinate descent would use a Gram matrix on every
        fold's training part and the terms fit in memory, else None."""
        n, p = full.n, full.n_features
        if (full.is_sparse or full.n_targets != 1
                or getattr(est, "solver", "cd") != "cd"):
            return None
        pre = est.precompute
        if isinstance(pre, str):
            if not all(len(train) > p for train, _ in folds):
                return None
        elif pre is not True:  # False, or a user matrix (of the full data)
            return None
        if np.any(estimator_penalty(est, p)[0] == 0.0):
            return None  # unpenalized features: the solver needs X itself
        if (2 * len(folds) + 2) * 8.0 * p * p > _gram_memory_limit():
            return None
        for train, test in folds:  # the training terms are the full minus the test
            count = np.bincount(np.concatenate([train, test]), minlength=n)
            if count.shape[0] != n or np.any(count != 1):
                return None
            if not full.sw[train].sum() > 0:  # Problem's error on the fold copy
                return None
        return cls(full, folds)

    def __init__(self, full, folds):
        self.full, self.folds = full, folds
        # the folds' test rows partition the data: their sums make the full ones
        # (so the full Gram matrix costs no pass of its own)
        rows = np.ascontiguousarray(full.X)  # (C order: gathering rows is 4x faster)
        self._test = [self._test_terms(rows, test) for _, test in folds]
        parts = [held for *_, held in self._test]
        self.total = _Sums(*(sum(getattr(h, f) for h in parts)
                             for f in ("ZZ", "z", "zu", "u", "uu", "s")))
        full.use_gram(self.total.ZZ)
        self._cache = {}
        self._locks = [threading.Lock() for _ in folds]

    def _test_terms(self, rows, test):
        full = self.full
        Xt = np.asarray(rows[test], dtype=np.float64)
        yt, rt = full.Y[test, 0], np.sqrt(full.sw[test])
        held = _Sums(Xt.T @ Xt, Xt.T @ rt, Xt.T @ yt, float(rt @ yt),
                     float(yt @ yt), float(full.sw[test].sum()))
        return Xt, yt, rt, held

    def __getstate__(self):  # process backends (loky) pickle the jobs' arguments
        state = self.__dict__.copy()
        del state["_locks"], state["_cache"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._cache = {}
        self._locks = [threading.Lock() for _ in self.folds]

    def fold(self, k):
        with self._locks[k]:
            if k not in self._cache:
                self._cache[k] = self._compute(k)
            return self._cache[k]

    def _compute(self, k):
        full = self.full
        train, _ = self.folds[k]
        Xt, yt, rt, held = self._test[k]
        tr = self.total.minus(held)
        n_train = len(train)
        if full.fit_intercept:  # the fold's own means, relative to the full ones
            zbar, ubar = tr.z / tr.s, tr.u / tr.s
        else:
            zbar, ubar = np.zeros(full.n_features), 0.0
        f = n_train / tr.s  # the fold's weights rescaled to sum to n_train
        G = tr.ZZ  # a new array: recentered and rescaled in place, kept symmetric
        G -= tr.s * np.outer(zbar, zbar)
        G *= f
        problem = GramProblem(G, f * (tr.zu - ubar * tr.z), f * (tr.uu - ubar * tr.u),
                              n_train)
        errors = _HeldOut(Xt, yt, rt, held, zbar, ubar)
        return problem, zbar, ubar, errors


class _HeldOut:
    """Weighted mean squared error on a fold's test rows of the models
    ``(intercept, W)`` fitted on its training part, from the test rows' Gram terms:
    with ``t = z - zbar`` and ``v = u - ubar`` (centered at the training means),
    ``SSE(w) = sum s v^2 - 2 w' sum s t v + w' (sum s t t') w``."""

    def __init__(self, Xt, yt, rt, held, zbar, ubar):
        self.Xt, self.yt, self.rt, self.zbar, self.ubar = Xt, yt, rt, zbar, ubar
        h = held
        self.M = h.ZZ - np.outer(h.z, zbar) - np.outer(zbar, h.z) + h.s * np.outer(
            zbar, zbar)
        self.g = h.zu - ubar * h.z - h.u * zbar + h.s * ubar * zbar
        self.h = h.uu - 2.0 * ubar * h.u + h.s * ubar * ubar
        self.s = h.s

    def __call__(self, W):
        sse = self.h - 2.0 * (self.g @ W) + np.einsum("ja,ja->a", W, self.M @ W)
        direct = np.flatnonzero(sse <= _DIRECT_BELOW * self.h)
        if direct.size:
            Wd = W[:, direct]
            res = (self.yt - self.rt * self.ubar)[:, None] - (
                self.Xt @ Wd - np.outer(self.rt, self.zbar @ Wd))
            sse[direct] = np.einsum("ia,ia->a", res, res)
        return sse / self.s

