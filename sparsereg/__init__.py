"""sparsereg: sparse and regularized linear models, a drop-in for scikit-learn."""

from . import linear_model as _linear_model
from .linear_model import (  # noqa: F401
    ElasticNet,
    Lasso,
    PoissonRegressor,
    Ridge,
    enet_path,
    lasso_path,
    poisson_path,
)

# the CV and relaxed estimators: imported on first use, as in sparsereg.linear_model
__getattr__, __dir__ = _linear_model._lazy_exports(__name__, globals())

__version__ = "0.1.0.dev0"

__all__ = [*_linear_model.__all__, "__version__"]
