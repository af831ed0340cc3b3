"""scikit-learn's ``linear_model/tests/test_ridge.py`` on sparsereg's Ridge and
RidgeCV."""

from ._loader import load_into

load_into(globals(), "linear_model/tests/test_ridge.py")
