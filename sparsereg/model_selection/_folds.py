"""The held-out errors of one fold's path, and the folds of a dense n > p problem
from Gram matrices, without fold copies.

scikit-learn's LassoCV copies and centers the training rows of every fold, forms
their Gram matrix (5 folds: 4 Gram matrices of the whole data) and predicts the
held-out rows for every alpha. Here each fold's test rows are gathered once,
centered at the full mean: the Gram matrices of the folds' test rows (one Gram
matrix of the data over all folds) add up to the full one (the full path and the
refit use it, without a centered copy of X), a
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
from contextlib import nullcontext

import numpy as np
from scipy import sparse

from .._solvers.dispatch import _gram_memory_limit
from .._solvers.problem import Problem, xt_dot
from .._threads import in_threads
from ..linear_model._path import solve_path
from ..linear_model._scale import DataScale
from ._common import FixedLinear

# A held-out error this far below the error of the training mean is recomputed
# from the test rows: the expansion in Gram terms loses ~eps * h / SSE relative
# accuracy to cancellation.
_DIRECT_BELOW = 1e-6


def fold_errors(opts, fit_intercept, X, y, sw, fold, alphas, l1_ratio, scorer,
                scale=None, gram_fold=None):
    """Held-out error of every alpha of one fold's path (MSE, or -score), and the
    support (nonzero mask, shape (n_features, n_alphas)) of that path.

    ``X``, ``y`` and ``alphas`` are those of the problem scaled by ``scale`` (see
    ``_scale.DataScale``); a scorer sees the test data in the user's units.
    ``gram_fold = (FoldGrams, k)``: the fold's terms come from there, X and y are
    only read by a scorer.
    """
    scale = DataScale() if scale is None else scale
    train, test = fold
    if gram_fold is None:
        sw_train = None if sw is None else sw[train]
        prob = Problem(X[train], y[train, None], sw_train, fit_intercept, True)
        x_offset, y_offset, held_out = prob.X_offset, prob.y_offset[0], None
    else:
        grams, k = gram_fold
        prob, zbar, ubar, held_out = grams.fold(k)
        x_offset = grams.full.X_offset + zbar
        y_offset = grams.full.y_offset[0] + ubar
    # the jobs' warnings are silenced: solve_path's by itself; a user Gram matrix
    # recomputed for the training part warns in make_solver (not on the Gram route)
    with warnings.catch_warnings() if gram_fold is None else nullcontext():
        if gram_fold is None:
            warnings.simplefilter("ignore", UserWarning)
        coefs, _, _, _ = solve_path(opts, prob, alphas, l1_ratio)
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
    interface of ``problem.Problem`` that coordinate descent on a Gram matrix uses,
    and that a refit's attributes use); one target.

    ``X_offset`` and ``y_offset`` (shape (1,)) are the weighted means the data were
    centered at, ``sum_sw`` the sum of the raw weights."""

    is_sparse = False
    n_targets = 1

    def __init__(self, G, q, yty, n, X_offset=None, y_offset=None, sum_sw=None):
        self.G, self.q, self._yty, self.n = G, q, yty, n
        self.X_offset = np.zeros(len(q)) if X_offset is None else X_offset
        self.y_offset = np.zeros(1) if y_offset is None else y_offset
        self.sum_sw = float(n) if sum_sw is None else sum_sw

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
    fold (shared by the l1_ratios) and on demand (the folds run in threads), and
    the full problem as a :class:`GramProblem` (their sum).

    ``fold(k)`` returns ``(GramProblem of the training part, its X and y offsets
    relative to the full problem's, held-out error function)``.
    """

    @staticmethod
    def applies(opts, X, sw, folds):
        """Would coordinate descent use a Gram matrix on every fold's training part
        of ``X`` (raw weights ``sw`` or None), and do the terms fit in memory?"""
        n, p = X.shape
        if sparse.issparse(X) or opts.solver != "cd":
            return False
        pre = opts.precompute
        if isinstance(pre, str):
            if not all(len(train) > p for train, _ in folds):
                return False
        elif pre is not True:  # False, or a user matrix (of the full data)
            return False
        if np.any(opts.penalty(p)[0] == 0.0):
            return False  # unpenalized features: the solver needs X itself
        if (2 * len(folds) + 2) * 8.0 * p * p > _gram_memory_limit():
            return False
        # the full terms are the sum of the test rows' (the test sets partition the
        # rows: not so for a ShuffleSplit), a fold's training terms the full minus
        # its test rows' (train and test partition the rows)
        if not _partition([test for _, test in folds], n):
            return False
        for train, test in folds:
            if not _partition([train, test], n):
                return False
            if sw is not None and not sw[train].sum() > 0:  # Problem's error
                return False
        return True

    def __init__(self, X, y, sw, fit_intercept, folds, workers=1):
        """``X``, ``y`` (1-D), the raw weights ``sw`` (or None); ``workers``:
        threads for the Gram matrices (see :func:`_fold_sums`)."""
        self.folds, self.fit_intercept = folds, fit_intercept
        n = X.shape[0]
        # problem.Problem's centering and weighting, applied to the folds' test rows
        # as they are gathered (no centered copy of X)
        s = np.ones(n) if sw is None else sw * (n / sw.sum())
        if fit_intercept:
            x_offset, y_offset = xt_dot(X, s) / n, np.array([s @ y / n])
        else:
            x_offset, y_offset = np.zeros(X.shape[1]), np.zeros(1)
        r = np.sqrt(s)
        u = (y - y_offset[0]) * r
        tests = [test for _, test in folds]
        sums = _fold_sums(X, tests, x_offset, r, u, workers)
        self._rows = X, x_offset  # the held-out errors near 0 read the test rows
        p = X.shape[1]
        self._test = [
            (t, u[t], r[t], _Sums(S[:p, :p], S[:p, p], S[:p, p + 1], S[p, p + 1],
                                  S[p + 1, p + 1], S[p, p]))
            for t, S in zip(tests, sums, strict=True)]
        # the folds' test rows partition the data: their sums make the full ones
        # (so the full Gram matrix costs no pass of its own)
        parts = [held for *_, held in self._test]
        self.total = _Sums(*(sum(getattr(h, f) for h in parts)
                             for f in ("ZZ", "z", "zu", "u", "uu", "s")))
        sum_sw = float(n if sw is None else sw.sum())
        self.full = GramProblem(self.total.ZZ, self.total.zu, self.total.uu, n,
                                x_offset, y_offset, sum_sw)
        self._cache = {}
        self._locks = [threading.Lock() for _ in folds]

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
        train, _ = self.folds[k]
        test, yt, rt, held = self._test[k]
        tr = self.total.minus(held)
        n_train = len(train)
        if self.fit_intercept:  # the fold's own means, relative to the full ones
            zbar, ubar = tr.z / tr.s, tr.u / tr.s
        else:
            zbar, ubar = np.zeros(len(tr.z)), 0.0
        f = n_train / tr.s  # the fold's weights rescaled to sum to n_train
        G = tr.ZZ  # a new array: recentered and rescaled in place, kept symmetric
        G -= tr.s * np.outer(zbar, zbar)
        G *= f
        problem = GramProblem(G, f * (tr.zu - ubar * tr.z), f * (tr.uu - ubar * tr.u),
                              n_train)
        errors = _HeldOut(self._rows, test, yt, rt, held, zbar, ubar)
        return problem, zbar, ubar, errors


# rows of X gathered per chunk: about this many bytes (the chunk stays in the L3
# cache while the folds' Gram matrices take its rows; 2 MiB measured 5% faster than
# 1 MiB on 20000 x 100, fewer BLAS calls), at least _MIN_ROWS rows per fold
_CHUNK_BYTES = 2**21
_MIN_ROWS = 64
# threads keep a Gram matrix per fold each: a second thread only below this size
_THREAD_BYTES = 2**28


def _fold_sums(X, tests, x_offset, r, u, workers):
    """Per fold (the rows ``tests[k]``) the sums ``sum b b'`` over its rows ``b =
    ((x - x_offset) * r, r, u)``: shape (n_folds, p + 2, p + 2); they hold
    ``sum s z z'``, ``sum s z``, ``sum s z u``, ``sum s``, ``sum s u`` and
    ``sum s u^2`` of the module's notation (``r = sqrt(s)``, ``u`` already
    times ``r``).

    One pass over X by chunks of rows: a chunk's rows are gathered fold by fold
    (``_kernels.folds.gather_folds``, in float64) into a buffer that stays in cache,
    and each fold's part is added to its sums by BLAS. The chunks are split
    between ``workers`` threads (call it inside :class:`blas_on_one_thread`).
    """
    from .._kernels.folds import gather_folds

    n, p = X.shape
    q = p + 2
    n_folds = len(tests)
    if not _partition(tests, n):  # the gather kernel writes where the keys say
        raise ValueError("the folds' test rows must hold every row exactly once")
    if not (X.flags.f_contiguous or X.flags.c_contiguous):
        X = np.asfortranarray(X)
    rows = max(_CHUNK_BYTES // (8 * q), _MIN_ROWS * n_folds)
    n_chunks = -(-n // rows)
    # numpy sorts 16-bit keys by radix (5x faster than int64 keys here)
    key_type = np.int16 if n_chunks * n_folds <= np.iinfo(np.int16).max else np.int64
    key = (np.arange(n) // rows * n_folds).astype(key_type)
    for k, test in enumerate(tests):
        key[test] += k
    order = np.argsort(key, kind="stable")  # by chunk, then fold, then row
    bounds = np.searchsorted(key[order], np.arange(n_chunks * n_folds + 1))

    def work(chunks):
        S = np.zeros((n_folds, q, q))
        buf, part = np.empty(rows * q), np.empty((q, q))
        for c in chunks:
            starts = bounds[c * n_folds:(c + 1) * n_folds + 1]
            gather_folds(X, order[starts[0]:starts[-1]], starts - starts[0],
                           x_offset, r, u, buf)
            for k in range(n_folds):
                a, b = starts[k] - starts[0], starts[k + 1] - starts[0]
                B = buf[a * q:b * q].reshape((b - a, q), order="F")
                S[k] += np.matmul(B.T, B, out=part)
        return S

    if n_folds * 8.0 * q * q > _THREAD_BYTES:
        workers = 1
    parts = in_threads(workers, work, np.array_split(
        np.arange(n_chunks), max(1, min(workers, n_chunks))))
    return sum(parts)


def _partition(parts, n):
    """Do the index arrays ``parts`` hold every row of ``range(n)`` exactly once?"""
    rows = np.concatenate(parts) if len(parts) else np.empty(0, dtype=np.intp)
    if rows.shape[0] != n or (n and (rows.min() < 0 or rows.max() >= n)):
        return False
    return bool(np.all(np.bincount(rows, minlength=n) == 1))


class _HeldOut:
    """Weighted mean squared error on a fold's test rows of the models
    ``(intercept, W)`` fitted on its training part, from the test rows' Gram terms:
    with ``t = z - zbar`` and ``v = u - ubar`` (centered at the training means),
    ``SSE(w) = sum s v^2 - 2 w' sum s t v + w' (sum s t t') w``."""

    def __init__(self, rows, test, yt, rt, held, zbar, ubar):
        self.rows, self.test = rows, test
        self.yt, self.rt, self.zbar, self.ubar = yt, rt, zbar, ubar
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
            X, x_offset = self.rows
            Xt = (np.asarray(X[self.test], dtype=np.float64) - x_offset) * self.rt[
                :, None]
            res = (self.yt - self.rt * self.ubar)[:, None] - (
                Xt @ Wd - np.outer(self.rt, self.zbar @ Wd))
            sse[direct] = np.einsum("ia,ia->a", res, res)
        return sse / self.s

