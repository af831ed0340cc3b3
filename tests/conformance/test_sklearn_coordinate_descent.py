"""scikit-learn's ``linear_model/tests/test_coordinate_descent.py`` on sparsereg's
Lasso, ElasticNet, LassoCV, ElasticNetCV, lasso_path and enet_path."""

from ._loader import load_into

load_into(globals(), "linear_model/tests/test_coordinate_descent.py")
