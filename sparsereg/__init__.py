"""sparsereg: sparse and regularized linear models, a drop-in for scikit-learn."""

from ._path import enet_path, lasso_path
from .linear_model import ElasticNet, Lasso, Ridge
from .model_selection import AlphaGridEdgeWarning, ElasticNetCV, LassoCV, RidgeCV
from .relaxed import RelaxedLasso, RelaxedLassoCV

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
