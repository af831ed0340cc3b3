"""sparsereg: sparse and regularized linear models, a drop-in for scikit-learn."""

from .linear_model import (
    _LAZY,
    ElasticNet,
    Lasso,
    Ridge,
    _lazy_attribute,
    enet_path,
    lasso_path,
)


def __getattr__(name):
    value = _lazy_attribute(__name__, name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


__version__ = "0.1.0.dev0"

__all__ = [
    "AlphaGridEdgeWarning",
    "ElasticNet",
    "ElasticNetCV",
    "Lasso",
    "LassoCV",
    "RelaxedLasso",
    "RelaxedLassoCV",
    "Ridge",
    "RidgeCV",
    "enet_path",
    "lasso_path",
    "__version__",
]
