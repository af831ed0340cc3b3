"""The cross-validated estimators: LassoCV, ElasticNetCV, RidgeCV, RelaxedLassoCV."""

from ._common import AlphaGridEdgeWarning
from ._enet_cv import ElasticNetCV, LassoCV
from ._relaxed_cv import RelaxedLassoCV
from ._ridge_cv import RidgeCV

__all__ = ["AlphaGridEdgeWarning", "ElasticNetCV", "LassoCV", "RelaxedLassoCV",
           "RidgeCV"]
