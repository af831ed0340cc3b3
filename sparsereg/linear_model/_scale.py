"""Power-of-two rescaling of data whose squares would overflow (or underflow).

Every estimator and path function solves data near 1e+-150 as ``X / s``, ``y / s``
with ``s = 2**e``: see :class:`DataScale`.
"""

import numpy as np
from scipy import sparse


class DataScale:
    """A common power-of-two scale ``s = 2**e`` of X and y that keeps the solvers'
    arithmetic in range.

    Squared norms, Gram entries and Lipschitz constants of data near 1e150 overflow
    float64 (near 1e-150 they underflow). The solvers therefore see ``X / s`` and
    ``y / s``: the objective of every estimator then equals ``1/s^2`` times the
    original one at the *same* coefficients once each penalty (alpha, l1, l2, a Gram
    matrix) is divided by ``s^2``, so ``coef_`` is unchanged, the intercept is
    multiplied back by ``s`` and the duality gap by ``s^2``. Powers of two make all of
    this exact. ``e`` is the mean of the binary exponents of ``max|X|`` and ``max|y|``
    (their geometric mean becomes about 1), and is 0 -- nothing copied, nothing
    changed -- when both lie within ``2**-100 .. 2**100``, or when X and y are so
    far apart in magnitude (beyond ``2**900``) that no common scale helps.
    """

    SAFE_EXPONENT = 100
    MAX_SPREAD = 450

    def __init__(self, exponent=0):
        self.e = int(exponent)

    @classmethod
    def of(cls, X, y):
        if _surely_safe(X) and _surely_safe(y):
            return cls(0)
        exps = [e for e in (_max_exponent(X), _max_exponent(y)) if e is not None]
        if all(abs(e) <= cls.SAFE_EXPONENT for e in exps):
            return cls(0)
        e = round(sum(exps) / len(exps))
        if any(abs(x - e) > cls.MAX_SPREAD for x in exps):
            # X and y too far apart (max|X| / max|y| beyond 2**900) for one scale
            # to keep both squares in range: left as is, the solvers then report
            # the overflow (scikit-learn's error for such data)
            return cls(0)
        return cls(e)

    def __bool__(self):
        return self.e != 0

    def down(self, A):
        """``A / s`` (a new array or sparse matrix; A itself when s = 1)."""
        if not self.e:
            return A
        if sparse.issparse(A):
            A = A.tocsc(copy=True) if A.format not in ("csr", "csc") else A.copy()
            A.data = np.ldexp(A.data, -self.e)
            return A
        return np.ldexp(A, -self.e)

    def up(self, A):
        """``A * s``, exactly (``A`` a scalar or an array)."""
        if not self.e:
            return A
        if sparse.issparse(A):
            A = A.copy()
            A.data = np.ldexp(A.data, self.e)
            return A
        out = np.ldexp(A, self.e)
        return out if isinstance(A, np.ndarray) else type(A)(out)

    def penalty(self, value):
        """A penalty (alpha, l1, l2, Gram matrix) of the scaled problem: ``/ s^2``."""
        if not self.e:
            return value
        out = np.ldexp(np.asarray(value, dtype=np.float64), -2 * self.e)
        return float(out) if np.ndim(out) == 0 else out

    def objective(self, value):
        """A value in the units of the objective (gap, squared error): ``* s^2``."""
        if not self.e:
            return value
        out = np.ldexp(np.asarray(value, dtype=np.float64), 2 * self.e)
        return float(out) if np.ndim(out) == 0 else out

    def user_units(self, value, what):
        """:meth:`objective`, refusing values that overflow in the user's units
        (squared errors of data near 1e300) instead of returning inf."""
        out = self.objective(value)
        if not np.all(np.isfinite(out)) and np.all(np.isfinite(value)):
            raise ValueError(
                f"{what} overflow float64 in the units of X and y (values near "
                f"2**{self.e}): rescale X and y (e.g. with StandardScaler)"
            )
        return out

    def unscale_fitted(self, est, names=("intercept_",), gaps=("dual_gap_",)):
        """Back to the user's units: intercepts times ``s``, gaps times ``s^2``."""
        if not self.e:
            return
        for name in names:
            value = getattr(est, name, None)
            if value is not None and not (isinstance(value, float) and value == 0.0):
                setattr(est, name, self.up(value))
        for name in gaps:
            if getattr(est, name, None) is not None:
                setattr(est, name, self.objective(getattr(est, name)))


def _values(A):
    """The stored values of a dense array or sparse matrix, flat, without a copy
    where possible (DOK, LIL and DIA store them otherwise)."""
    if sparse.issparse(A):  # (BSR stores blocks: a 3-d array)
        data = A.data if A.format in ("csr", "csc", "coo", "bsr") else A.tocoo().data
        return data.reshape(-1)
    return A.reshape(-1, order="F" if A.flags.f_contiguous else "C")


def _surely_safe(A):
    """Is ``max|A|`` certainly within ``2**-100 .. 2**100``? Decided from the sum of
    squares ``S`` (one BLAS pass, no copy): ``max^2 <= S <= size * max^2``, with a
    factor 2**10 to spare for rounding (float32 sums). False when in doubt (then
    :func:`_max_exponent` decides)."""
    contiguous = sparse.issparse(A) or A.flags.c_contiguous or A.flags.f_contiguous
    if not contiguous or A.size == 0 or A.dtype.kind != "f":
        return False
    data = _values(A)
    squares = float(np.dot(data, data))
    safe = 2.0 ** (2 * DataScale.SAFE_EXPONENT - 10)
    return data.size / safe <= squares <= safe


def _max_exponent(A):
    """Binary exponent of ``max|A|`` (None if A is all zeros), without a copy of A."""
    data = _values(A) if sparse.issparse(A) else A
    if data.size == 0:
        return None
    top = max(float(np.max(data)), -float(np.min(data)))
    return int(np.frexp(top)[1]) if top > 0 else None
