"""scikit-learn's ``linear_model/tests/test_sparse_coordinate_descent.py`` on
sparsereg's Lasso, ElasticNet, LassoCV and ElasticNetCV."""

from ._loader import load_into

load_into(globals(), "linear_model/tests/test_sparse_coordinate_descent.py")
