"""Linear models: the estimators, their paths, and (imported on first use) the
cross-validated estimators, so that ``from sklearn.linear_model import X`` becomes
``from sparsereg.linear_model import X``."""

from ._coordinate_descent import ElasticNet, Lasso
from ._glm import PoissonRegressor, poisson_path
from ._path import enet_path, lasso_path
from ._ridge import Ridge

# The CV and relaxed estimators are imported on first use (PEP 562): they pull in
# scikit-learn's model_selection and metrics (~0.1 s), which a fit of Lasso,
# ElasticNet or Ridge does not need.
_LAZY = {
    "AlphaGridEdgeWarning": "sparsereg.model_selection",
    "ElasticNetCV": "sparsereg.model_selection",
    "LassoCV": "sparsereg.model_selection",
    "RidgeCV": "sparsereg.model_selection",
    "RelaxedLassoCV": "sparsereg.model_selection",
    "RelaxedLasso": "sparsereg.linear_model._relaxed",
}


def _lazy_exports(module, namespace):
    """The PEP 562 ``__getattr__`` and ``__dir__`` of a package (``namespace``: its
    ``globals()``) exporting the names of ``_LAZY``: a name's module is imported on
    first use, and the name kept in ``namespace``."""
    def getattr_(name):
        if name not in _LAZY:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        namespace[name] = value
        return value

    def dir_():
        return sorted(set(namespace) | set(_LAZY))

    return getattr_, dir_


__getattr__, __dir__ = _lazy_exports(__name__, globals())


__all__ = [
    "AlphaGridEdgeWarning",
    "ElasticNet",
    "ElasticNetCV",
    "Lasso",
    "LassoCV",
    "PoissonRegressor",
    "RelaxedLasso",
    "RelaxedLassoCV",
    "Ridge",
    "RidgeCV",
    "enet_path",
    "lasso_path",
    "poisson_path",
]
