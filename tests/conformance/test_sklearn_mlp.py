"""scikit-learn's ``neural_network/tests/test_mlp.py`` on sparsereg's MLPRegressor
and MLPClassifier."""

from ._loader import load_into

load_into(globals(), "neural_network/tests/test_mlp.py")
