"""What a data layout supplies to the compiled loops of ``epochs.py``.

A layout is a NamedTuple of arrays, one per way of storing the design
(``dense.DenseData``, ``sparse.SparseData``, ``gram.GramData``), holding the design,
the target and the squared column norms ``norms2``. The loops keep the residual in
``R`` (dense and sparse: ``y - X_c w``, up to the sparse offset; Gram: ``G w``) and
two scalars in ``state`` (sparse: ``[x_mean . w, sum_i s_i Rt_i]``, see
``common.py``; unused by the others). Each layout module registers, for its
NamedTuple, the five operations below; the loops call them by name, and numba, when
it compiles a loop for one layout's type, inlines that layout's operations (no
indirect call, one compiled loop per layout as if written for it).
"""

from numba.core import types
from numba.extending import overload

_registry = {}


def implements(operation, layout):
    """Register the decorated function as ``operation`` for ``layout``."""
    def register(func):
        _registry[operation.__name__, layout] = func
        return func
    return register


def overload_layout(operation):
    """Make ``operation`` callable in compiled code: it runs the implementation
    registered for the type of its first argument."""
    def typer(data, *args):
        if isinstance(data, types.BaseNamedTuple):
            return _registry.get((operation.__name__, data.instance_class))
        return None

    overload(operation, inline="always", strict=False)(typer)
    return operation


@overload_layout
def col_dot(data, R, state, j):
    """``x_j . R``: column ``j`` of the centered, weighted design times the residual
    (for a Gram matrix, ``q_j - (G w)_j``)."""


@overload_layout
def col_move(data, R, state, j, d):
    """Keep ``R`` and ``state`` those of ``w`` when ``w_j`` grows by ``d``."""


@overload_layout
def reset(data, R, state):
    """``R`` and ``state`` of ``w = 0``."""


@overload_layout
def sums(data, R, state, w):
    """``(||R||^2, R . y)`` (weighted, centered; from ``w`` for a Gram matrix)."""


@overload_layout
def anderson_losses(data, R, state, w, w_acc, active, H, S, c):
    """``1/2 ||R||^2`` at ``w`` and at the extrapolated point (``w_acc`` on
    ``active``, the rest of ``w`` kept), up to a constant common to both; the
    latter's residual is ``sum_k c_k H_{k+1}`` (``S``: the stored ``state[0]``)."""
