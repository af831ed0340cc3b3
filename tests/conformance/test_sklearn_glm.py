"""scikit-learn's ``linear_model/_glm/tests/test_glm.py`` on sparsereg's
PoissonRegressor (its other GLMs stay scikit-learn's)."""

from ._loader import load_into

load_into(globals(), "linear_model/_glm/tests/test_glm.py")
