"""scikit-learn's estimator checks for every estimator and solver variant."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sparsereg import (
    ElasticNet,
    ElasticNetCV,
    Lasso,
    LassoCV,
    PoissonRegressor,
    RelaxedLasso,
    RelaxedLassoCV,
    Ridge,
    RidgeCV,
)
from sparsereg.neural_network import MLPClassifier, MLPRegressor

ESTIMATORS = [
    Lasso(),
    Lasso(selection="random", random_state=0),
    Lasso(precompute=True),
    Lasso(anderson=True),
    ElasticNet(anderson=True, precompute=True),
    ElasticNet(),
    ElasticNet(positive=True),
    ElasticNet(lower_bounds=-1.0, upper_bounds=2.0),
    Lasso(solver="fista", lower_bounds=0.0, upper_bounds=5.0),
    Ridge(),
    Ridge(solver="cd"),
    Ridge(solver="svd"),
    Ridge(solver="cholesky"),
    Ridge(solver="lsqr"),
    Ridge(solver="sparse_cg"),
    Ridge(solver="lbfgs"),
    Ridge(solver="lbfgs", positive=True),
    Ridge(solver="cd", positive=True),
    Lasso(solver="ista"),
    Lasso(solver="fista"),
    ElasticNet(solver="ista"),
    ElasticNet(solver="fista", positive=True),
    Ridge(solver="ista"),
    Ridge(solver="fista"),
    Ridge(solver="fista", positive=True),
    # SAG draws rows at random: a weighted fit and its repeated-rows twin agree to
    # rounding (check_sample_weight_equivalence) only once converged, hence the
    # tight tol (scikit-learn leaves its sag/saga out of that check)
    Ridge(solver="sag", tol=1e-10),
    Ridge(solver="saga", tol=1e-10),
    Lasso(solver="saga"),
    LassoCV(cv=3),
    LassoCV(cv=3, solver="fista", alpha_rule="1se"),
    ElasticNetCV(cv=3, l1_ratio=[0.5, 1.0]),
    LassoCV(cv=3, anderson=True),
    RidgeCV(),
    RidgeCV(cv=3),
    RidgeCV(gcv_mode="eigen"),
    RelaxedLasso(),
    RelaxedLasso(gamma=0.0, positive=True),
    RelaxedLassoCV(cv=3),
    MLPClassifier(),
    MLPRegressor(),
    MLPClassifier(solver="sgd", l1=1e-3),
    MLPRegressor(l1=1e-3),
    MLPClassifier(dropout=0.2, l1=1e-4),
    MLPRegressor(solver="sgd", dropout=[0.1], dtype="float32"),
    # At alpha=1e-4, L-BFGS-B fits the separable multilabel data of
    # check_classifiers_multilabel_output_format_predict_proba until logistic outputs
    # round to exactly 1.0, which that check refuses (scikit-learn's own
    # MLPClassifier(solver="lbfgs") fails it too); alpha=0.1 keeps them below 1.
    MLPClassifier(solver="lbfgs", alpha=0.1),
    MLPRegressor(solver="lbfgs"),
    PoissonRegressor(),
    PoissonRegressor(alpha=0.1, l1_ratio=0.5),
    PoissonRegressor(solver="lbfgs"),
    PoissonRegressor(solver="newton-cholesky"),
]

# What scikit-learn itself declares for its Ridge (instance_generator.py): n_iter_ is
# None for the direct solvers.
EXPECTED_FAILED = {
    "check_non_transformer_estimators_n_iter": "n_iter_ is None for direct solvers",
}


# With extrapolation the iterates of a weighted fit and of its repeated-rows twin
# agree only to within tol, not to rounding. This check's final LassoCV fit (alpha
# near 1e-4, 30 features, 15 distinct rows) is still far from its tol at max_iter=1000,
# where plain CD's iterates of both fits still agree to rounding but extrapolated ones
# do not (tests/test_anderson.py checks the solutions at a tol they reach).
ANDERSON_CV_FAILED = {
    f"check_sample_weight_equivalence_on_{kind}_data":
        "extrapolated iterates of equivalent fits agree to tol, not to rounding"
    for kind in ("dense", "sparse")
}


# Dropout masks are drawn per row: a row repeated k times gets k masks, a row of
# weight k one, so the two fits differ (in distribution they agree).
DROPOUT_FAILED = {
    "check_sample_weight_equivalence_on_dense_data":
        "dropout draws one mask per row, repeated rows get several",
    "check_sample_weight_equivalence_on_sparse_data":
        "dropout draws one mask per row, repeated rows get several",
}


def _expected_failed_checks(estimator):
    if isinstance(estimator, MLPClassifier | MLPRegressor):
        return DROPOUT_FAILED if estimator.dropout else {}
    if isinstance(estimator, Ridge) and estimator.solver in ("auto", "svd", "cholesky"):
        return EXPECTED_FAILED
    if isinstance(estimator, LassoCV) and estimator.anderson is True:
        return ANDERSON_CV_FAILED
    return {}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible(estimator, check):
    check(estimator)
