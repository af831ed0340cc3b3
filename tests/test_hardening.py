"""Every public estimator against bad input, extreme but valid data and data
ownership: one table of estimator factories (solver variants included) crossed with
tables of cases, each asserting the exception type and a fragment of its message.

tests/test_validation.py holds the first, per-estimator checks; this module runs
the same kinds of cases (and many more) against every estimator in one sweep.
"""

import inspect
import warnings

import numpy as np
import pandas as pd
import pytest
from numba.core.errors import NumbaError
from scipy import sparse
from sklearn.base import BaseEstimator, is_classifier
from sklearn.exceptions import ConvergenceWarning, NotFittedError

import sparsereg as sr
from sparsereg.neural_network import MLPClassifier, MLPRegressor

# --------------------------------------------------------------------- the estimators

FACTORIES = {
    "Lasso-cd": lambda: sr.Lasso(alpha=0.1),
    "Lasso-cd-random": lambda: sr.Lasso(alpha=0.1, selection="random",
                                        random_state=0),
    "Lasso-gram": lambda: sr.Lasso(alpha=0.1, precompute=True),
    "Lasso-anderson": lambda: sr.Lasso(alpha=0.1, anderson=True),
    "Lasso-ista": lambda: sr.Lasso(alpha=0.1, solver="ista"),
    "Lasso-fista": lambda: sr.Lasso(alpha=0.1, solver="fista"),
    "ElasticNet-cd": lambda: sr.ElasticNet(alpha=0.1),
    "ElasticNet-ista": lambda: sr.ElasticNet(alpha=0.1, solver="ista"),
    "ElasticNet-fista": lambda: sr.ElasticNet(alpha=0.1, solver="fista"),
    **{f"Ridge-{s}": (lambda s=s: sr.Ridge(alpha=1.0, solver=s))
       for s in ("auto", "svd", "cholesky", "lsqr", "sparse_cg", "lbfgs", "cd",
                 "ista", "fista")},
    "RidgeCV-loo": lambda: sr.RidgeCV(),
    "RidgeCV-eigen": lambda: sr.RidgeCV(gcv_mode="eigen"),
    "RidgeCV-cv3": lambda: sr.RidgeCV(cv=3),
    "LassoCV-cd": lambda: sr.LassoCV(cv=3, alphas=5),
    "LassoCV-fista": lambda: sr.LassoCV(cv=3, alphas=5, solver="fista"),
    "ElasticNetCV": lambda: sr.ElasticNetCV(cv=3, alphas=5, l1_ratio=[0.5, 1.0]),
    "RelaxedLasso": lambda: sr.RelaxedLasso(alpha=0.1),
    "RelaxedLassoCV": lambda: sr.RelaxedLassoCV(cv=3, alphas=5),
    "MLPRegressor": lambda: MLPRegressor(hidden_layer_sizes=(5,), max_iter=20,
                                         random_state=0),
    "MLPClassifier": lambda: MLPClassifier(hidden_layer_sizes=(5,), max_iter=20,
                                           random_state=0),
}
NAMES = list(FACTORIES)
REGRESSORS = [n for n in NAMES if n != "MLPClassifier"]
LINEAR = [n for n in NAMES if not n.startswith("MLP")]
CV = [n for n in NAMES if "CV" in n]


class PathFunction(BaseEstimator):
    """lasso_path / enet_path behind a ``fit``, so the data table covers them."""

    def __init__(self, l1_ratio):
        self.l1_ratio = l1_ratio

    def fit(self, X, y, sample_weight=None):
        self.coefs_ = sr.enet_path(X, y, l1_ratio=self.l1_ratio, alphas=5,
                                   sample_weight=sample_weight)[1]
        return self


PATHS = {"lasso_path": lambda: PathFunction(1.0),
         "enet_path": lambda: PathFunction(0.5)}

pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning",
    "ignore::sparsereg.AlphaGridEdgeWarning",
)

RNG = np.random.default_rng(0)
X0 = RNG.standard_normal((20, 4))
Y0 = X0 @ np.array([1.0, -2.0, 0.0, 0.5]) + 0.1 * RNG.standard_normal(20) + 1.0


def make(name):
    return {**FACTORIES, **PATHS}[name]()


def target(est, y=Y0):
    """Regression target, or class labels for the classifier."""
    return (y > np.median(y)).astype(int) if is_classifier(est) else y


def takes_sample_weight(est):
    return "sample_weight" in inspect.signature(est.fit).parameters


# ------------------------------------------------------------- bad data at fit time


def _with(A, i, j, value):
    A = np.array(A, dtype=np.result_type(A, type(value)))
    A[(i, j) if A.ndim == 2 else i] = value
    return A


# name -> (fit kwargs from (X, y), exception, message fragment; per family
# overrides as {"mlp": (exception, fragment)})
BAD_DATA = {
    "X-nan": (lambda X, y: dict(X=_with(X, 3, 1, np.nan), y=y), ValueError,
              "Input X contains NaN"),
    "X-inf": (lambda X, y: dict(X=_with(X, 3, 1, np.inf), y=y), ValueError,
              "Input X contains infinity"),
    "X--inf": (lambda X, y: dict(X=_with(X, 0, 0, -np.inf), y=y), ValueError,
               "Input X contains infinity"),
    "X-sparse-nan": (lambda X, y: dict(X=sparse.csr_matrix(_with(X, 2, 2, np.nan)),
                                       y=y), ValueError, "Input X contains NaN"),
    "X-None": (lambda X, y: dict(X=_with(X.astype(object), 1, 1, None), y=y),
               ValueError, "Input X contains NaN"),
    "y-nan": (lambda X, y: dict(X=X, y=_with(y, 5, None, np.nan)), ValueError,
              "Input y contains NaN"),
    "y-inf": (lambda X, y: dict(X=X, y=_with(y, 5, None, np.inf)), ValueError,
              "Input y contains infinity"),
    "sw-nan": (lambda X, y: dict(X=X, y=y, sample_weight=_with(np.ones(20), 4, None,
                                                              np.nan)),
               ValueError, "sample_weight contains NaN"),
    "sw-inf": (lambda X, y: dict(X=X, y=y, sample_weight=_with(np.ones(20), 4, None,
                                                              np.inf)),
               ValueError, "sample_weight contains (NaN or )?inf"),
    "0-samples": (lambda X, y: dict(X=X[:0], y=y[:0]), ValueError,
                  r"0 sample\(s\) \(shape=\(0, 4\)\)"),
    "0-samples-sparse": (lambda X, y: dict(X=sparse.csc_matrix(X[:0]), y=y[:0]),
                         ValueError, r"0 sample\(s\)"),
    "0-features": (lambda X, y: dict(X=X[:, :0], y=y), ValueError,
                   r"0 feature\(s\) \(shape=\(20, 0\)\)"),
    "length-mismatch": (lambda X, y: dict(X=X, y=y[:-1]), ValueError,
                        r"inconsistent numbers of samples: \[20, 19\]"),
    "X-3d": (lambda X, y: dict(X=X.reshape(20, 2, 2), y=y), ValueError,
             "Found array with dim 3"),
    "X-1d": (lambda X, y: dict(X=X[:, 0], y=y), ValueError,
             "Expected 2D array, got 1D array"),
    "X-strings": (lambda X, y: dict(X=np.where(X > 0, "a", "b"), y=y), ValueError,
                  "could not convert string to float"),
    "X-complex": (lambda X, y: dict(X=X + 1j, y=y), ValueError,
                  "Complex data not supported"),
    "y-complex": (lambda X, y: dict(X=X, y=y + 1j), ValueError,
                  "Complex data not supported"),
    "y-0-columns": (lambda X, y: dict(X=X, y=np.zeros((20, 0))), ValueError,
                    r"0 feature\(s\) \(shape=\(20, 0\)\)"),
    "sw-negative": (lambda X, y: dict(X=X, y=y, sample_weight=-np.ones(20)),
                    ValueError, "(?i)negative"),
    "sw-one-negative": (lambda X, y: dict(X=X, y=y, sample_weight=_with(
        np.ones(20), 7, None, -0.5)), ValueError, "(?i)negative"),
    "sw-all-zero": (lambda X, y: dict(X=X, y=y, sample_weight=np.zeros(20)),
                    ValueError, "sums to zero|at least one non-zero"),
    "sw-length": (lambda X, y: dict(X=X, y=y, sample_weight=np.ones(19)),
                  ValueError, r"sample_weight\.shape == \(19,\), expected \(20,\)"),
    "sw-2d": (lambda X, y: dict(X=X, y=y, sample_weight=np.ones((20, 2))),
              ValueError, "1D array or scalar"),
    "sw-complex": (lambda X, y: dict(X=X, y=y, sample_weight=np.ones(20) + 1j),
                   TypeError, "sample_weight must be numeric, got an array of dtype "
                   "complex128", {"mlp": (ValueError, "Complex data not supported")}),
    "sw-strings": (lambda X, y: dict(X=X, y=y, sample_weight=np.array(["a"] * 20)),
                   TypeError, "sample_weight must be numeric",
                   {"mlp": (ValueError, "could not convert string to float")}),
}


def _expected(case, name):
    _, exc, match, *over = BAD_DATA[case]
    family = "mlp" if name.startswith("MLP") else "default"
    exc, match = over[0].get(family, (exc, match)) if over else (exc, match)
    return exc, match


@pytest.mark.parametrize("case", list(BAD_DATA))
@pytest.mark.parametrize("name", NAMES + list(PATHS))
def test_bad_data_is_a_clear_error(name, case):
    est = make(name)
    kwargs = BAD_DATA[case][0](X0, target(est))
    if "sample_weight" in kwargs and not takes_sample_weight(est):
        pytest.skip(f"{name}.fit takes no sample_weight")
    exc, match = _expected(case, name)
    with pytest.raises(exc, match=match):
        est.fit(**kwargs)


@pytest.mark.parametrize("name", REGRESSORS + list(PATHS))
def test_string_target_is_refused_by_regressors(name):
    """(The classifier takes string labels: that is its job.)"""
    with pytest.raises(ValueError, match="could not convert string to float"):
        make(name).fit(X0, np.where(Y0 > 0, "big", "small"))


def test_classifier_takes_string_labels_but_not_a_single_class():
    clf = make("MLPClassifier").fit(X0, np.where(Y0 > 1, "big", "small"))
    assert set(clf.predict(X0)) <= {"big", "small"}
    with pytest.raises(ValueError, match="contains only one class"):
        make("MLPClassifier").fit(X0, np.zeros(20))
    with pytest.raises(ValueError, match="contains only one class"):
        make("MLPClassifier").fit(X0, ["a"] * 20)


@pytest.mark.parametrize("name", CV)
def test_a_fold_whose_training_weights_are_zero_is_a_clear_error(name):
    """Only one sample weighs anything: some fold trains on zero total weight
    (was a ZeroDivisionError)."""
    sw = np.zeros(20)
    sw[0] = 1.0
    est = make(name)
    if name == "RidgeCV-loo" or name == "RidgeCV-eigen":
        # leave-one-out needs no training part of positive weight: it fits
        est.fit(X0, Y0, sample_weight=sw)
        assert np.all(np.isfinite(est.coef_))
        return
    with pytest.raises(ValueError, match="sums to zero"):
        est.fit(X0, Y0, sample_weight=sw)


# ----------------------------------------------------------- bad hyper-parameters


def _param_cases():
    cases = []
    for name in NAMES:
        params = make(name).get_params()

        def add(p, exc, match, name=name):
            cases.append(pytest.param(name, p, exc, match,
                                      id=f"{name}-{'-'.join(map(str, p.items()))}"))

        if "alpha" in params and np.isscalar(params["alpha"]):
            add(dict(alpha=-1.0), ValueError, "'alpha' parameter")
            add(dict(alpha=np.nan), ValueError, "'alpha' parameter")
        if name.startswith("Ridge-"):
            add(dict(alpha=[-1.0]), ValueError, "alpha must be finite and >= 0")
        if name.startswith(("LassoCV", "ElasticNetCV", "RelaxedLassoCV")):
            add(dict(alphas=[1.0, -1.0]), ValueError, r"alphas\[\d\] == -1.0, must be")
            add(dict(alphas=[np.nan]), ValueError, "must be finite")
            add(dict(alphas=0), ValueError, "'alphas' parameter")
            add(dict(eps=0.0), ValueError, "'eps' parameter")
            add(dict(cv=1), ValueError, "'cv' parameter")
        if name.startswith("RidgeCV"):  # scikit-learn's messages
            add(dict(alphas=[1.0, -1.0]), ValueError, r"alphas\[1\] == -1.0, must be")
            add(dict(alphas=[1.0, "a"]), TypeError, r"alphas\[1\] must be an instance")
            add(dict(alphas=[np.inf]), ValueError, "alphas == inf, must be finite")
            add(dict(alphas=[]), ValueError, "alphas is empty")
            if name != "RidgeCV-cv3":  # leave-one-out needs alpha > 0
                add(dict(alphas=[0.0]), ValueError, r"alphas == 0.0, must be > 0.0")
        if name.startswith("ElasticNet-"):
            for bad in (1.5, -0.1, np.nan):
                add(dict(l1_ratio=bad), ValueError, "'l1_ratio' parameter")
        if name == "ElasticNetCV":
            add(dict(l1_ratio=1.5), ValueError, "'l1_ratio' parameter")
            add(dict(l1_ratio=[0.5, 1.5]), ValueError, r"l1_ratio must be in \[0, 1\]")
            add(dict(l1_ratio=[np.nan]), ValueError, r"l1_ratio must be in \[0, 1\]")
            add(dict(l1_ratio=[]), ValueError, "non-empty 1-D list")
            add(dict(l1_ratio=[[0.5]]), ValueError, "non-empty 1-D list")
        if "max_iter" in params:
            add(dict(max_iter=0), ValueError, "'max_iter' parameter")
            add(dict(max_iter=1.5), ValueError, "'max_iter' parameter")
        if "tol" in params:
            add(dict(tol=-1e-3), ValueError, "'tol' parameter")
            add(dict(tol=np.nan), ValueError, "'tol' parameter")
        if "selection" in params:
            add(dict(selection="best"), ValueError, "'selection' parameter")
        if name == "RelaxedLasso":
            add(dict(gamma=1.5), ValueError, "'gamma' parameter")
        if name == "RelaxedLassoCV":
            add(dict(gammas=[0.5, np.nan]), ValueError, r"gammas must be values in")
            add(dict(gammas=[2.0]), ValueError, r"gammas must be values in")
        if name.startswith("MLP"):
            add(dict(dropout=1.0), ValueError, "'dropout' parameter")
            add(dict(dropout=-0.1), ValueError, "'dropout' parameter")
            add(dict(dropout=[0.1, 1.0], hidden_layer_sizes=(3, 3)), ValueError,
                r"dropout\[1\] = 1.0")
            add(dict(dropout=[0.1, 0.2]), ValueError, "dropout has 2 rates for 1")
            add(dict(hidden_layer_sizes=(5, 0)), ValueError,
                "hidden_layer_sizes must be > 0")
            add(dict(hidden_layer_sizes=[-1]), ValueError,
                "hidden_layer_sizes must be > 0")
            add(dict(hidden_layer_sizes=0), ValueError, "'hidden_layer_sizes' param")
            add(dict(learning_rate_init=0.0), ValueError, "'learning_rate_init'")
            add(dict(l1=-1.0), ValueError, "'l1' parameter")
    return cases


@pytest.mark.parametrize("name,params,exc,match", _param_cases())
def test_bad_hyper_parameter_is_a_clear_error(name, params, exc, match):
    est = make(name).set_params(**params)
    with pytest.raises(exc, match=match):
        est.fit(X0, target(est))


def test_every_estimator_has_hyper_parameter_cases():
    covered = {p.values[0] for p in _param_cases()}
    assert covered == set(NAMES)


def test_mlp_negative_validation_weights_are_refused():
    X_val, y_val = X0[:6], Y0[:6]
    with pytest.raises(ValueError, match="Negative values in data passed to"):
        make("MLPRegressor").fit(X0, Y0, X_val=X_val, y_val=y_val,
                                 sample_weight_val=-np.ones(6))


# ---------------------------------------------------------------- predict time


@pytest.fixture(scope="module")
def fitted():
    """Every estimator fitted once on ndarray data and once on a DataFrame."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = pd.DataFrame(X0, columns=["a", "b", "c", "d"])
        return {name: (make(name).fit(X0, target(make(name))),
                       make(name).fit(frame, target(make(name)))) for name in NAMES}


@pytest.mark.parametrize("name", NAMES)
def test_predict_errors(name, fitted):
    est, est_df = fitted[name]
    cls = type(est).__name__
    with pytest.raises(NotFittedError, match=f"This {cls} instance is not fitted"):
        make(name).predict(X0)
    with pytest.raises(ValueError, match=f"X has 3 features, but {cls} is expecting "
                                         "4 features"):
        est.predict(X0[:, :3])
    with pytest.raises(ValueError, match="Input X contains NaN"):
        est.predict(_with(X0, 0, 0, np.nan))
    with pytest.raises(ValueError, match="Found array with dim 3"):
        est.predict(X0.reshape(20, 2, 2))
    with pytest.raises(ValueError, match="Expected 2D array"):
        est.predict(X0[0])
    frame = pd.DataFrame(X0, columns=["a", "b", "c", "d"])
    renamed = frame.rename(columns={"b": "z"})
    with pytest.raises(ValueError, match="(?s)The feature names should match those "
                                         "that were passed during fit.*unseen at fit "
                                         "time:\n- z"):
        est_df.predict(renamed)
    with pytest.raises(ValueError, match="(?s)feature names should match.*must be in "
                                         "the same order as they were in fit"):
        est_df.predict(frame[["b", "a", "c", "d"]])
    with pytest.warns(UserWarning, match=f"X does not have valid feature names, but "
                                         f"{cls} was fitted with feature names"):
        est_df.predict(X0)
    with pytest.warns(UserWarning, match=f"X has feature names, but {cls} was "
                                         "fitted without feature names"):
        est.predict(frame)
    pred = est.predict(X0)
    if is_classifier(est):
        np.testing.assert_array_equal(est_df.predict(frame), pred)
    else:
        np.testing.assert_allclose(est_df.predict(frame), pred, rtol=1e-10,
                                   atol=1e-12 * np.abs(pred).max())
    np.testing.assert_array_equal(est_df.feature_names_in_, ["a", "b", "c", "d"])


# --------------------------------------- odd but valid input; never a crash inside


def _odd_inputs():
    ro = X0.copy()
    ro.flags.writeable = False
    Xs = sparse.csc_matrix(X0)
    return {
        "big-endian": dict(X=X0.astype(">f8"), y=Y0.astype(">f8")),
        "read-only": dict(X=ro, y=Y0),
        "non-contiguous": dict(X=np.repeat(X0, 2, axis=1)[:, ::2], y=Y0),
        "float16": dict(X=X0.astype(np.float16), y=Y0),
        "float32": dict(X=X0.astype(np.float32), y=Y0),
        "int": dict(X=np.round(10 * X0).astype(np.int64), y=Y0),
        "bool": dict(X=X0 > 0, y=Y0),
        "lists": dict(X=X0.tolist(), y=Y0.tolist()),
        "object-numbers": dict(X=X0.astype(object), y=Y0),
        "pandas-nullable": dict(X=pd.DataFrame(X0).astype("Float64"), y=Y0),
        "sparse-int64-indices": dict(X=sparse.csc_matrix(
            (Xs.data, Xs.indices.astype(np.int64), Xs.indptr.astype(np.int64)),
            shape=Xs.shape), y=Y0),
        "sparse-empty": dict(X=sparse.csc_matrix((20, 4)), y=Y0),
        "coo": dict(X=sparse.coo_matrix(X0), y=Y0),
        "dok": dict(X=sparse.dok_matrix(X0), y=Y0),
        "lil-1e150": dict(X=sparse.lil_matrix(X0 * 1e150), y=Y0 * 1e150),
        "one-feature": dict(X=X0[:, :1], y=Y0),
        "y-column": dict(X=X0, y=Y0[:, None]),
        "int-weights": dict(X=X0, y=Y0, sample_weight=np.arange(20)),
        "one-positive-weight": dict(X=X0, y=Y0, sample_weight=_with(np.zeros(20), 0,
                                                                     None, 1.0)),
        "huge-weights": dict(X=X0, y=Y0, sample_weight=np.full(20, 1e300)),
        "tiny-weights": dict(X=X0, y=Y0, sample_weight=np.full(20, 1e-300)),
    }


@pytest.mark.parametrize("case", list(_odd_inputs()))
@pytest.mark.parametrize("name", NAMES)
def test_odd_input_fits_or_fails_clearly(name, case):
    """Either a finite fit, or a ValueError / TypeError raised by validation --
    never an IndexError, ZeroDivisionError or numba error from inside a solver."""
    est = make(name)
    kwargs = dict(_odd_inputs()[case])
    if is_classifier(est):
        kwargs["y"] = target(est, np.ravel(np.asarray(kwargs["y"], dtype=float)))
    expected = None
    if case == "one-positive-weight" and name in CV and "loo" not in name and (
            "eigen" not in name):
        expected = "sums to zero"  # a fold trains on zero weight
    sparse_cases = ("sparse-int64-indices", "sparse-empty", "coo", "dok", "lil-1e150")
    if case in sparse_cases and name == "Ridge-svd":  # (scikit-learn's message)
        expected = "solver='svd' does not support fitting the intercept on sparse"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.fit(**kwargs)
    except Exception as exc:  # classified below
        assert isinstance(exc, ValueError | TypeError), repr(exc)
        assert not isinstance(exc, NumbaError), repr(exc)
        assert expected is not None and expected in str(exc), repr(exc)
        return
    assert expected is None, f"expected an error ({expected})"
    X_new = X0[:, :1] if case == "one-feature" else X0
    if "1e150" in case:
        X_new = X0 * 1e150
    pred = est.predict(X_new)
    assert np.all(np.isfinite(pred)) if not is_classifier(est) else len(pred) == 20


# -------------------------------------------------------- extreme but valid data


def _extreme(kind):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((30, 5))
    y = X @ np.array([1.0, -2.0, 0.0, 0.0, 3.0]) + 0.1 * rng.standard_normal(30) + 2
    if kind == "1e150":
        return X * 1e150, y * 1e150
    if kind == "1e-150":
        return X * 1e-150, y * 1e-150
    if kind == "X-1e150":
        return X * 1e150, y
    if kind == "y-1e150":
        return X, y * 1e150
    if kind == "scales-1e12":
        return X * np.array([1e-6, 1.0, 1e6, 1.0, 1.0]), y
    if kind == "constant-column":
        X[:, 2] = 7.0
        return X, y
    if kind == "duplicated-columns":
        X[:, 3] = X[:, 0]
        return X, y
    if kind == "zero-X":
        return np.zeros_like(X), y
    if kind == "constant-y":
        return X, np.full(30, 3.0)
    raise ValueError(kind)


EXTREME = ["1e150", "1e-150", "X-1e150", "y-1e150", "scales-1e12", "constant-column",
           "duplicated-columns", "zero-X", "constant-y"]


@pytest.mark.parametrize("kind", EXTREME)
@pytest.mark.parametrize("name", NAMES)
def test_extreme_data_gives_finite_output(name, kind):
    X, y = _extreme(kind)
    est = make(name)
    if is_classifier(est) and kind == "constant-y":
        pytest.skip("one class: the classifier's error (tested above)")
    est.fit(X, target(est, y))
    pred = est.predict(X)
    if is_classifier(est):
        assert set(pred) <= {0, 1}
        return
    assert np.all(np.isfinite(pred)) and np.all(np.isfinite(est.intercept_) if hasattr(
        est, "intercept_") and not name.startswith("MLP") else True)
    if name.startswith("MLP"):
        return
    coef = np.asarray(est.coef_)
    assert np.all(np.isfinite(coef))
    if kind == "constant-column" and est.fit_intercept:
        assert coef[2] == pytest.approx(0.0, abs=1e-8 * np.abs(coef).max())
    if kind == "zero-X":
        np.testing.assert_array_equal(coef, 0.0)
        assert est.intercept_ == pytest.approx(y.mean(), rel=1e-12)
    if kind == "constant-y":
        np.testing.assert_allclose(coef, 0.0, atol=1e-12)
        assert est.intercept_ == pytest.approx(3.0, rel=1e-12)
        np.testing.assert_allclose(pred, 3.0, rtol=1e-12)


SCALED = LINEAR


@pytest.mark.parametrize("name", SCALED)
@pytest.mark.parametrize("exponent", [500, -500])
def test_data_near_1e150_give_the_rescaled_answer(name, exponent):
    """X and y times s = 2**500 (about 1e150) with alpha times s^2: the same
    problem, so the same coefficients and s times the intercept (to rounding;
    exactly for the single fits, which rescale by a power of two)."""
    X, y = _extreme("constant-column")
    s = 2.0 ** exponent
    ref, est = make(name), make(name)
    if name == "Ridge-lbfgs":  # L-BFGS-B's gradient test is absolute: stop late
        ref.set_params(tol=1e-13)
        est.set_params(tol=1e-13)
    ref.fit(X, y)
    params = est.get_params()
    if "alpha" in params:
        est.set_params(alpha=params["alpha"] * s * s)
    if "alphas" in params and name.startswith("RidgeCV"):
        est.set_params(alphas=np.asarray(params["alphas"]) * s * s)
    est.fit(X * s, y * s)
    # LAPACK (the relaxed refit) and L-BFGS-B's absolute gradient test are not
    # exactly scale-equivariant; the CV grids (geomspace) agree to rounding
    rtol = 1e-9 if "CV" in name or name in ("Ridge-lbfgs", "RelaxedLasso") else 0
    if name.startswith("RidgeCV"):  # LAPACK's SVD / eigh: to rounding
        rtol = 1e-9
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=rtol,
                               atol=1e-9 * np.abs(ref.coef_).max() if rtol else 0)
    np.testing.assert_allclose(est.intercept_, ref.intercept_ * s, rtol=max(rtol,
                                                                           1e-15))
    if hasattr(ref, "dual_gap_"):
        np.testing.assert_allclose(est.dual_gap_, ref.dual_gap_ * s * s,
                                   rtol=max(rtol, 1e-15) if "CV" not in name else 1e-3,
                                   atol=1e-12 * s * s * np.var(y))
    if hasattr(ref, "alpha_"):
        assert est.alpha_ == pytest.approx(ref.alpha_ * s * s, rel=1e-12)


@pytest.mark.parametrize("name", ["LassoCV-cd", "LassoCV-fista", "ElasticNetCV",
                                  "RelaxedLassoCV"])
def test_cv_on_data_near_1e150_reports_in_user_units(name):
    X, y = _extreme("constant-column")
    s = 2.0 ** 500
    ref, est = make(name).fit(X, y), make(name).fit(X * s, y * s)
    np.testing.assert_allclose(est.alphas_, ref.alphas_ * s * s, rtol=1e-12)
    np.testing.assert_allclose(est.mse_path_, ref.mse_path_ * s * s, rtol=1e-9)
    assert est.alpha_ == pytest.approx(ref.alpha_ * s * s, rel=1e-12)
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=1e-9, atol=1e-12)


def test_cv_scorer_sees_user_units_on_scaled_data():
    X, y = _extreme("1e150")
    s = 2.0 ** -498  # a power of two near 1e-150: back to ordinary numbers
    kw = dict(cv=3, alphas=5, scoring="neg_mean_absolute_error")
    ref = sr.LassoCV(**kw).fit(X * s, y * s)
    est = sr.LassoCV(**kw).fit(X, y)
    np.testing.assert_allclose(est.mse_path_ * s, ref.mse_path_, rtol=1e-9)


@pytest.mark.parametrize("accelerated", [False, True])
def test_prox_grad_on_unscaled_overflowing_data_is_still_a_clear_error(accelerated):
    """The estimators rescale data near 1e150 (above); handed such data raw,
    ISTA/FISTA still stop with a clear error instead of backtracking forever."""
    from scipy.sparse.linalg import aslinearoperator

    from sparsereg._solvers.prox_grad import prox_grad_solve

    rng = np.random.default_rng(0)
    A = aslinearoperator(rng.standard_normal((20, 5)) * 1e150)
    B = rng.standard_normal((20, 1)) * 1e150
    with np.errstate(all="ignore"), pytest.raises(ValueError, match="overflowed"):
        prox_grad_solve(A, B, np.array([0.1]), np.array([0.0]), np.zeros((5, 1)),
                        accelerated=accelerated)


@pytest.mark.parametrize("name", ["LassoCV-cd", "RelaxedLassoCV"])
def test_cv_errors_beyond_float64_are_a_clear_error(name):
    """Squared errors of data near 1e300 cannot be reported in the user's units."""
    X, y = _extreme("constant-column")
    with pytest.raises(ValueError, match="overflow float64 in the units of X and y"):
        make(name).fit(X * 1e300, y * 1e300)


@pytest.mark.parametrize("name", NAMES)
def test_p_much_larger_than_n_sparse(name):
    """50 x 100000 sparse: finite, and nothing of size n_features^2 (the Gram
    matrix of precompute=True would be 75 GB: that variant is skipped)."""
    if name == "Lasso-gram":
        pytest.skip("precompute=True asks for the 100000 x 100000 Gram matrix")
    X = sparse.random(50, 100_000, density=1e-3, format="csc", random_state=0)
    rng = np.random.default_rng(0)
    y = np.asarray(X[:, :10].sum(axis=1)).ravel() + 0.1 * rng.standard_normal(50)
    est = make(name)
    if name == "LassoCV-fista":  # FISTA's 1000 steps at 15 small alphas: minutes
        est.set_params(max_iter=100)
    if name == "Ridge-svd":
        with pytest.raises(ValueError, match="solver='svd' does not support fitting"):
            est.fit(X, y)
        return
    est.fit(X, target(est, y))
    pred = est.predict(X)
    if not is_classifier(est):
        assert np.all(np.isfinite(pred))
    if name in LINEAR:
        assert np.all(np.isfinite(est.coef_))
        assert est.coef_.shape == (100_000,)


L1_FITS = [n for n in LINEAR if n.startswith(("Lasso-", "ElasticNet-", "RelaxedLasso"))
           and "CV" not in n]


@pytest.mark.parametrize("name", L1_FITS)
@pytest.mark.parametrize("fmt", ["dense", "csc"])
def test_alpha_above_alpha_max_is_zero_with_no_iteration(name, fmt):
    X, y = _extreme("constant-column")
    n = len(y)
    Xc = X - X.mean(0)
    est = make(name)
    l1_ratio = est.get_params().get("l1_ratio", 1.0)
    alpha_max = np.abs(Xc.T @ (y - y.mean())).max() / (n * l1_ratio)
    est.set_params(alpha=1.01 * alpha_max)
    est.fit(X if fmt == "dense" else sparse.csc_matrix(X), y)
    np.testing.assert_array_equal(est.coef_, 0.0)
    assert est.n_iter_ == 0
    assert est.intercept_ == pytest.approx(y.mean(), rel=1e-12)


@pytest.mark.parametrize("name", L1_FITS)
def test_alpha_zero_warns_and_gives_least_squares(name):
    X, y = _extreme("scales-1e12")
    X = X[:, [1, 3, 4]]  # well conditioned, n > p: least squares is unique
    est = make(name).set_params(alpha=0.0, tol=1e-12, max_iter=100_000)
    with pytest.warns(UserWarning, match="alpha=0"):
        est.fit(X, y)
    ls = np.linalg.lstsq(np.c_[X, np.ones(len(y))], y, rcond=None)[0]
    np.testing.assert_allclose(est.coef_, ls[:-1], rtol=1e-8, atol=1e-10)
    assert est.intercept_ == pytest.approx(ls[-1], rel=1e-8)


@pytest.mark.parametrize("solver", ["auto", "svd", "cholesky", "lsqr", "sparse_cg",
                                    "lbfgs", "cd", "ista", "fista"])
def test_ridge_alpha_zero_is_least_squares(solver):
    X, y = _extreme("scales-1e12")
    X = X[:, [1, 3, 4]]
    est = sr.Ridge(alpha=0.0, solver=solver, tol=1e-12, max_iter=100_000).fit(X, y)
    ls = np.linalg.lstsq(np.c_[X, np.ones(len(y))], y, rcond=None)[0]
    np.testing.assert_allclose(est.coef_, ls[:-1], rtol=1e-7, atol=1e-9)


MAX_ITER_ONE = [n for n in NAMES if "max_iter" in make(n).get_params()
                and n not in ("Ridge-auto", "Ridge-svd", "Ridge-cholesky")]


@pytest.mark.parametrize("name", MAX_ITER_ONE)
def test_max_iter_one_warns_and_returns_finite_coefficients(name):
    X, y = _extreme("duplicated-columns")
    est = make(name).set_params(max_iter=1)
    if not name.startswith("MLP"):
        est.set_params(tol=1e-12)
    with pytest.warns(ConvergenceWarning):
        est.fit(X, target(est, y))
    weights = est.coefs_ if name.startswith("MLP") else [est.coef_]
    assert all(np.all(np.isfinite(w)) for w in weights)
    if name.startswith(("Lasso-", "ElasticNet-")):
        assert est.n_iter_ == 1 and est.dual_gap_ > 0


@pytest.mark.parametrize("name", ["Ridge-auto", "Ridge-svd", "Ridge-cholesky"])
def test_direct_ridge_solvers_ignore_max_iter(name):
    X, y = _extreme("duplicated-columns")
    a = make(name).set_params(max_iter=1).fit(X, y)
    b = make(name).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    assert a.n_iter_ is None


# --------------------------------------------------- user data are never modified


@pytest.mark.parametrize("fmt", ["C", "F", "csr", "csc"])
@pytest.mark.parametrize("name", NAMES)
def test_user_data_are_never_modified(name, fmt):
    X, y = _extreme("constant-column")
    if fmt in ("C", "F"):
        X = np.asarray(X, order=fmt)
    else:
        X = sparse.csr_matrix(X) if fmt == "csr" else sparse.csc_matrix(X)
    est = make(name)
    y = target(est, y)
    sw = np.linspace(0.5, 2.0, 30)
    snapshot = (X.copy(), y.copy(), sw.copy())
    if name == "Ridge-svd" and sparse.issparse(X):
        pytest.skip("solver='svd' refuses sparse X (tested above)")
    flags = None if sparse.issparse(X) else (X.flags.c_contiguous,
                                             X.flags.f_contiguous)
    est.fit(X, y, sample_weight=sw)
    for a, b in zip((X, y, sw), snapshot, strict=True):
        if sparse.issparse(a):
            assert a.format == b.format
            for part in ("data", "indices", "indptr"):
                np.testing.assert_array_equal(getattr(a, part), getattr(b, part))
        else:
            np.testing.assert_array_equal(a, b)
    if flags is not None:
        assert (X.flags.c_contiguous, X.flags.f_contiguous) == flags


@pytest.mark.parametrize("fmt", ["C", "F", "csc"])
@pytest.mark.parametrize("name", [n for n in NAMES if "copy_X" in make(n).get_params()])
def test_copy_X_false_keeps_y_weights_and_sparse_X_and_gives_the_same_fit(name, fmt):
    """copy_X=False lets a dense X be overwritten (scikit-learn's contract), never
    y, the weights or a sparse X; the fit is the same either way."""
    if name == "Ridge-svd" and fmt == "csc":
        pytest.skip("solver='svd' refuses sparse X")
    X, y = _extreme("constant-column")
    X = sparse.csc_matrix(X) if fmt == "csc" else np.asarray(X, order=fmt)
    sw = np.linspace(0.5, 2.0, 30)
    ref = make(name).fit(X.copy(), y, sample_weight=sw)
    y_snap, sw_snap, X_snap = y.copy(), sw.copy(), X.copy()
    est = make(name).set_params(copy_X=False).fit(X, y, sample_weight=sw)
    np.testing.assert_array_equal(y, y_snap)
    np.testing.assert_array_equal(sw, sw_snap)
    if fmt == "csc":
        np.testing.assert_array_equal(X.toarray(), X_snap.toarray())
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", [n for n in NAMES if n != "Ridge-svd"])
def test_sparse_X_is_never_densified(name, monkeypatch):
    """Any toarray / todense of a matrix as large as X fails the test."""
    rng = np.random.default_rng(2)
    X = sparse.random(60, 3000, density=0.01, format="csc", random_state=2)
    y = np.asarray(X[:, :5].sum(axis=1)).ravel() + 0.1 * rng.standard_normal(60)
    limit = X.shape[0] * X.shape[1] // 4
    classes = {type(sparse.csc_matrix((1, 1))), type(sparse.csr_matrix((1, 1))),
               type(sparse.coo_matrix((1, 1))), sparse.csc_array, sparse.csr_array,
               sparse.coo_array}
    for cls in classes:
        original = cls.toarray

        def guarded(self, *args, _original=original, **kwargs):
            assert np.prod(self.shape) < limit, f"densified a {self.shape} matrix"
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(cls, "toarray", guarded)
    if name == "Lasso-gram":
        pytest.skip("precompute=True asks for the (dense) p x p Gram matrix")
    est = make(name)
    est.fit(X, target(est, y))
    assert est.predict(X).shape == (60,)
    with pytest.raises(AssertionError, match="densified"):
        X.toarray()  # the guard itself works


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_quick_scale_check_never_passes_data_that_need_a_scale(dtype):
    """DataScale's one-pass sum-of-squares test may only skip the exact max/min
    scan when the exact exponent of max|A| is within the safe range; checked
    for magnitudes swept across both edges, dense (C, F, strided) and sparse."""
    from sparsereg.linear_model._scale import DataScale, _max_exponent, _surely_safe

    rng = np.random.default_rng(0)
    limit = DataScale.SAFE_EXPONENT
    finfo = np.finfo(dtype)
    exponents = [e for e in range(-limit - 12, limit + 13)
                 if finfo.minexp + 24 < e < finfo.maxexp - 24]
    base = rng.standard_normal((300, 40))
    passed = 0
    for e in exponents:
        for A in (base * 2.0**e, np.asfortranarray(base) * 2.0**e,
                  (base * 2.0**e)[:, ::2], sparse.random(300, 40, density=0.05,
                                                         random_state=e + 200)
                  * 2.0**e):
            A = A.astype(dtype)
            exact = _max_exponent(A)
            if _surely_safe(A):
                passed += 1
                assert abs(exact) <= limit, (e, exact)
    assert passed > 0.5 * 3 * len(exponents)  # dense cases within range are taken
    for fmt in ("bsr", "dia", "lil", "dok", "csr", "coo"):  # every sparse layout
        A = sparse.random(30, 20, density=0.3, random_state=1, format=fmt) * 2.0**120
        assert not _surely_safe(A) and _max_exponent(A) > limit
        assert _surely_safe(A * 2.0**-120)
    assert not _surely_safe(np.zeros((3, 2)))
    assert not _surely_safe(np.array([[np.inf, 1.0]]))
