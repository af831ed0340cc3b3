"""Newton steps on the support, between coordinate-descent epochs.

Coordinate descent converges linearly, and slowly where the features of the
support are strongly correlated: near the end of a regularization path with
p > n, a working set of about n features can take hundreds of epochs per alpha.
Once the support ``S`` and its signs ``s`` are those of the solution, the rest is
a linear system: on the orthant of ``s`` the objective (sum scaling, see
``_kernels/common.py``) is the quadratic

    f(w) = 1/2 ||y - X_S w_S||^2 + a s'w_S + b/2 ||w_S||^2,

whose minimizer is ``w_S + d`` with ``H d = X_S'R - a s - b w_S``,
``H = X_S'X_S + b I`` (Newton's step; ``X_S'R`` at the current residual). Along
``d`` the quadratic decreases up to the full step, so the step is cut where a
coefficient would change sign (that coefficient becomes 0) and then lowers ``P``
in exact arithmetic, and a step on the support left follows; every move is kept
only if it lowers ``P`` as computed, so rounding in an ill-conditioned ``H`` cannot
make things worse. Without l2, a support beyond the rank of ``X_S`` (p > n) makes
``H`` singular: its extra coefficients are first shed along the null space of
``X_S`` (see :meth:`SupportNewton._shed`). CD then goes on from there: if the
support was right, its next epoch finds nothing to change.

A step costs about ``n |S|^2 / 2 + |S|^3 / 3`` multiply-adds (``X_S'X_S`` and the
solve, by numpy: mixing scipy's BLAS, a second thread pool, with numpy's between
numba epochs made each step take milliseconds) plus a fixed Python cost; it is
tried after that much work of epochs has failed to converge, and each failed step
doubles the epochs before the next one.
"""

import numpy as np

# The fixed cost of a step (Python, the LAPACK call, the full gap check after it),
# in multiply-adds of epochs: about 0.1 ms at the ~10 multiply-adds per ns of
# epochs on this project's machine. (A third of it made well-conditioned paths,
# whose alphas converge in tens of epochs, 20-40% slower.)
_OVERHEAD = 1_000_000
# Epochs between tries at least (most warm-started alphas converge within them).
_MIN_EPOCHS = 10
_EPS = np.finfo(np.float64).eps
# Steps in one try while each one is cut by a coefficient reaching 0.
_CUTS = 8
# Epochs of a solve before a support beyond the rank is shed: earlier, the
# support is far from settled and the SVD is wasted (200 x 10000 at
# alpha_max/100: 25 ms instead of 47 ms with shedding from epoch 36; at
# alpha_max/1000, 0.12 s instead of 0.17 s).
_SHED_AFTER = 200


class SupportNewton:
    """Newton steps for one :func:`cd.cd_solve` call: on the dense design ``X``
    (centered and weighted, Fortran-ordered) or on the Gram matrix ``G`` with
    ``q = X'y`` (then the "residual" is ``G w``), ``n`` rows, ``b`` the l2 weight
    (sum scaling)."""

    def __init__(self, n, b, X=None, G=None, q=None):
        self.n, self.b, self.X, self.G, self.q = n, b, X, G, q
        self.wait = 1.0  # epochs before the next try, in units of a step's cost
        self.since = 0  # epochs run since the last try
        self.epochs = 0  # epochs run in all

    def epochs_left(self, n_support, n_set):
        """Epochs still to run before the next try (at least 1)."""
        return max(1, self.epochs_before_try(n_support, n_set) - self.since)

    def ran(self, n_epochs, left):
        """Count ``n_epochs`` just run; is a step due (``left`` were left)?"""
        self.since += n_epochs
        self.epochs += n_epochs
        return n_epochs >= left

    def epochs_before_try(self, n_support, n_set):
        """How many epochs on ``n_set`` features cost as much as a step on a
        support of ``n_support`` (times the back-off factor)."""
        m = n_support
        if self.G is None:  # X_S'X_S, and epochs of two passes over n rows
            step, epoch = self.n * m * m / 2, 2.0 * self.n * max(n_set, 1)
            if self._may_be_singular(m):  # the SVD of X_S first
                step += 4.0 * self.n * m * m + 2.0 * m**3
        else:  # G[S, S], and epochs updating G w (p) per coordinate
            step, epoch = m * m, 2.0 * self.G.shape[0] * max(n_set, 1)
        step += m**3 / 3 + _OVERHEAD
        return max(_MIN_EPOCHS, int(self.wait * step / epoch))

    def _may_be_singular(self, m):
        """Can ``X_S'X_S + b I`` be singular for a support of ``m`` features: no
        l2 and at least ``n - 1`` of them (centered X has rank ``n - 1``)?"""
        return self.b == 0.0 and m >= max(self.n - 1, 1)

    def step(self, R, w, a, positive):
        """Take the step from ``w`` (and its residual ``R``, updated in place; for
        a Gram design ``R = G w``); returns whether ``P``
        decreased. A step cut where a coefficient reached 0 is followed by a step
        on the support left (up to ``_CUTS`` times): an active-set descent."""
        self.since = 0
        moved = False
        if self._may_be_singular(np.count_nonzero(w)):
            # shed only once CD has had _SHED_AFTER epochs to settle the support
            ready = self.G is None and self.epochs >= _SHED_AFTER
            moved, full_rank = self._shed(R, w, a) if ready else (False, False)
            if not full_rank:  # singular: no Newton step, wait longer
                self.wait *= 2.0
                return moved
        q = self.q
        S = np.flatnonzero(w)
        if S.size == 0:
            return moved
        if q is None:
            XS = np.asarray(self.X[:, S], dtype=np.float64, order="F")
            H, g = XS.T @ XS, XS.T @ R
        else:  # R is G w
            XS = None
            H, g = self.G[np.ix_(S, S)], q[S] - R[S]
        new, full = _descend(H, g, w[S], a, self.b, positive)
        if new is None:
            self.wait *= 2.0
            return moved
        wS = w[S]
        d = new - wS
        before = _objective(R, q, w, a, self.b, S)
        self._apply(R, S, d, XS)
        w[S] = new
        if not _objective(R, q, w, a, self.b, S) < before:  # rounding: undo
            self._apply(R, S, -d, XS)
            w[S] = wS
            self.wait *= 2.0
            return moved
        if not full:
            self.wait *= 2.0
        return True

    def _shed(self, R, w, a):
        """Where the support has more features than ``X_S`` has rank (the Lasso
        with p > n, whose solutions have at most n - 1 nonzeros once centered),
        ``X_S w_S`` stays the same along the null space of ``X_S``, and moving
        along ``-v``, ``v`` the projection of the signs on it, lowers the l1 norm
        until a coefficient reaches 0; repeated in the null space of the columns
        left. Coordinate descent takes thousands of epochs to shed them.

        One SVD of ``X_S``; returns (whether ``w`` changed, whether ``X_S`` now has
        full column rank, so that Newton's system is regular)."""
        S = np.flatnonzero(w)
        XS = np.asarray(self.X[:, S], dtype=np.float64, order="F")
        _, sigma, Vt = np.linalg.svd(XS, full_matrices=True)
        rank = int(np.count_nonzero(sigma > sigma[0] * max(XS.shape) * _EPS))
        wS = _walk_null_space(w[S], Vt[rank:].T)
        if wS is None:
            return False, rank == S.size
        before = _objective(R, None, w, a, 0.0, S)
        d = wS - w[S]
        R -= XS @ d
        old, w[S] = w[S].copy(), wS
        if not _objective(R, None, w, a, 0.0, S) < before:  # rounding: undo
            R += XS @ d
            w[S] = old
            return False, False
        return True, rank >= np.count_nonzero(wS)

    def _apply(self, R, S, d, XS):
        """Update the residual (dense) or ``G w`` (Gram) for ``w[S] += d``."""
        if XS is not None:
            R -= XS @ d
        else:
            R += self.G[:, S] @ d


def _descend(XtX, XtR, wS, a, b, positive):
    """Newton steps from ``wS`` on the quadratic of its orthant, with ``XtX =
    X_S'X_S`` and ``XtR = X_S'R`` at ``wS``: a step stopped where a coefficient
    reaches 0 is followed by one on the features left, up to ``_CUTS`` steps,
    without touching X again: the inverse of ``XtX + b I`` loses that row and
    column by a rank-one update (O(|S|^2) a step after the first), and ``X_S'R``
    moves by ``-X_S'X_S d``. Returns (the new coefficients, whether the last step
    was full), or (None, False) if the system is singular."""
    try:  # (numpy's LAPACK: the same thread pool as its products)
        inverse = np.linalg.inv(XtX + b * np.eye(wS.size))
    except np.linalg.LinAlgError:
        return None, False
    if not np.all(np.isfinite(inverse)):
        return None, False
    new, keep = wS.copy(), np.arange(wS.size)
    for _ in range(_CUTS):
        w_k, s = new[keep], np.sign(new[keep])
        d = inverse @ (XtR - a * s - b * w_k)
        crossing = (w_k + d) * s < 0.0
        if not crossing.any():
            new[keep] = w_k + d
            return _clip(new, positive), True
        stops = -w_k[crossing] / d[crossing]  # stop where the first one reaches 0
        d *= float(stops.min())
        j = np.flatnonzero(crossing)[np.argmin(stops)]
        new[keep] = w_k + d
        new[keep[j]] = 0.0
        XtR = np.delete(XtR - XtX @ d, j)
        # inverse of the system without row and column j (a Schur complement)
        inverse = np.delete(np.delete(
            inverse - np.outer(inverse[:, j], inverse[j]) / inverse[j, j], j, 0), j, 1)
        XtX = np.delete(np.delete(XtX, j, 0), j, 1)
        keep = np.delete(keep, j)
        if keep.size == 0:
            break
    return _clip(new, positive), False


def _clip(w, positive):
    return np.maximum(w, 0.0, out=w) if positive else w


def _walk_null_space(wS, N):
    """Coefficients ``wS`` moved within the null space spanned by the columns of
    ``N`` (of the support's columns) to zero as many as the l1 norm lets go, one at
    a time; None if none moved. Each move is along ``-v``, ``v = N N's``
    (``s`` the signs), so ``s'v = |N's|^2 > 0``: the l1 norm falls while the fit
    is unchanged, until the first coefficient moving towards 0 reaches it; then
    the basis is restricted to vectors that keep it at 0 (its row eliminated)."""
    wS, N = wS.copy(), N.copy()
    s = np.sign(wS)
    moved = False
    while N.shape[1] and s @ (v := N @ (N.T @ s)) > _EPS * np.abs(v).max() * s.size:
        towards = wS * v > 0.0
        if not towards.any():
            break
        stops = np.where(towards, wS / np.where(towards, v, 1.0), np.inf)
        j = int(np.argmin(stops))
        wS -= stops[j] * v
        wS[j], s[j] = 0.0, 0.0
        wS[s == 0.0] = 0.0
        moved = True
        c = int(np.argmax(np.abs(N[j])))  # N[j] = 0 from here on
        if N[j, c] == 0.0:
            break
        N = np.delete(N - np.outer(N[:, c], N[j] / N[j, c]), c, axis=1)
    return wS if moved else None


def _objective(R, q, w, a, b, S):
    """``P`` in the sum scaling (``w`` zero outside ``S``); with a Gram design
    (``R = G w``) up to the constant ``yty / 2``."""
    wS = w[S]
    penalty = a * np.abs(wS).sum() + 0.5 * b * (wS @ wS)
    if q is None:
        return 0.5 * (R @ R) + penalty
    # 1/2 ||y - Xw||^2 = 1/2 yty - w'q + 1/2 w'Gw
    return -(wS @ q[S]) + 0.5 * (wS @ R[S]) + penalty
