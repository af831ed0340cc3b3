"""sparsereg: sparse and regularized linear models, a drop-in for scikit-learn."""

from ._path import enet_path, lasso_path
from .linear_model import ElasticNet, Lasso, Ridge

# The CV and relaxed estimators are imported on first use (PEP 562): they pull in
# scikit-learn's model_selection and metrics (~0.1 s), which a fit of Lasso,
# ElasticNet or Ridge does not need.
_LAZY = {
    "AlphaGridEdgeWarning": "model_selection",
    "ElasticNetCV": "model_selection",
    "LassoCV": "model_selection",
    "RidgeCV": "model_selection",
    "RelaxedLasso": "relaxed",
    "RelaxedLassoCV": "relaxed",
}


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
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
