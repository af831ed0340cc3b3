"""sparsereg: sparse and regularized linear models, a drop-in for scikit-learn."""

from .linear_model import ElasticNet, Lasso, Ridge

__version__ = "0.1.0.dev0"

__all__ = ["ElasticNet", "Lasso", "Ridge", "__version__"]
