"""scikit-learn's own tests of Lasso, ElasticNet, their CV and path functions,
Ridge, RidgeCV and the MLPs, run on sparsereg's (see conftest.py and
``python -m tests.conformance --help``)."""
