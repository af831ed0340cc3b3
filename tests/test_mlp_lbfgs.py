"""MLPRegressor / MLPClassifier with solver="lbfgs": scikit-learn's L-BFGS-B run
reproduced, the objective and its gradient, max_fun, the extras it refuses, and the
attributes it sets."""

import re
import warnings

import numpy as np
import pytest
from scipy import sparse
from sklearn import neural_network as sk
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss
from sklearn.utils.class_weight import compute_sample_weight

from sparsereg.neural_network import DivergenceError, MLPClassifier, MLPRegressor, _base


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


@pytest.fixture
def lbfgs_runs(monkeypatch):
    """The objective and result of every L-BFGS-B run, as the estimators ran them."""
    runs = []
    real = _base.minimize_lbfgs

    def recording(objective, options):
        result = real(objective, options)
        runs.append((objective, result))
        return result

    monkeypatch.setattr(_base, "minimize_lbfgs", recording)
    return runs


def _max_diff(a, b):
    return max(float(np.abs(x - y).max()) for x, y in zip(a, b, strict=True))


def _params(model):
    return model.coefs_ + model.intercepts_


def _regression(n_outputs=1, seed=0):
    X, y = make_regression(n_samples=80, n_features=5, n_targets=n_outputs, noise=1.0,
                           random_state=seed)
    return X, y / y.std()


def _classification(kind, seed=0):
    X, y = make_classification(n_samples=120, n_features=8, n_informative=5,
                               n_classes=3 if kind == "multiclass" else 2,
                               random_state=seed)
    if kind == "multilabel":
        y = np.column_stack([y, (X[:, 0] > 0).astype(int), (X[:, 1] > 0.5)])
    return X, y


# ------------------------------------------------- scikit-learn's run, reproduced


_DENSE_AND_CSR = [
    dict(),
    dict(tol=1e-8, max_iter=1000),
    dict(loss="poisson", n_outputs=2, activation="identity"),
]
_DENSE = [
    dict(activation="tanh", tol=1e-10, max_iter=2000),
    dict(activation="logistic", hidden_layer_sizes=(6, 4), max_iter=50),
    dict(loss="poisson", tol=1e-10, max_iter=2000),
    dict(sample_weight=True, tol=1e-8, max_iter=1000),
]


@pytest.mark.parametrize("fmt,params", [("dense", p) for p in _DENSE_AND_CSR + _DENSE]
                         + [("csr", p) for p in _DENSE_AND_CSR])
def test_regressor_lbfgs_is_sklearns(params, fmt):
    """Same initial weights (the same draws from random_state), same objective,
    same L-BFGS-B options: the same iterates, to rounding, up to convergence.
    (With sample weights or the Poisson loss, our sums and scikit-learn's differ in
    the last bit; on sparse X, whose runs take hundreds of iterations, the line
    searches amplify that: see the next test.)"""
    params = dict(params)
    X, y = _regression(params.pop("n_outputs", 1))
    if params.get("loss") == "poisson":
        y = np.exp(y / 2 - y.max() / 2)
    sw = (np.random.default_rng(0).uniform(0.5, 2.0, len(X))
          if params.pop("sample_weight", False) else None)
    if fmt == "csr":
        X = sparse.csr_matrix(np.where(np.abs(X) > 0.5, X, 0.0))
    kw = {"hidden_layer_sizes": (8,), "solver": "lbfgs", "random_state": 1, **params}
    ours = MLPRegressor(**kw).fit(X, y, sample_weight=sw)
    ref = sk.MLPRegressor(**kw).fit(X, y, sample_weight=sw)
    assert _max_diff(_params(ours), _params(ref)) < 1e-8
    assert ours.n_iter_ == ref.n_iter_
    assert ours.loss_ == pytest.approx(ref.loss_, rel=1e-10)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-8, atol=1e-8)


@pytest.mark.parametrize("params", [dict(loss="poisson"), dict(sample_weight=True)])
def test_long_runs_reach_sklearns_loss(params):
    """Sparse X, sample weights or Poisson: 200 iterations, the loss within 1e-6."""
    params = dict(params)
    X, y = _regression()
    sw = (np.random.default_rng(0).uniform(0.5, 2.0, len(X))
          if params.pop("sample_weight", False) else None)
    X = sparse.csr_matrix(np.where(np.abs(X) > 0.5, X, 0.0))
    if "loss" in params:
        y = np.exp(y / 2 - y.max() / 2)
    kw = {"hidden_layer_sizes": (8,), "solver": "lbfgs", "random_state": 1, **params}
    ours = MLPRegressor(**kw).fit(X, y, sample_weight=sw)
    ref = sk.MLPRegressor(**kw).fit(X, y, sample_weight=sw)
    assert ours.n_iter_ == ref.n_iter_ == 200
    assert ours.loss_ == pytest.approx(ref.loss_, rel=1e-6)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), atol=1e-3)


@pytest.mark.parametrize("kind,params", [
    ("binary", dict()),
    ("binary", dict(activation="tanh", sample_weight=True)),
    ("multiclass", dict(alpha=1.0)),
    ("multiclass", dict(activation="relu", max_iter=30)),
    ("multilabel", dict(activation="tanh", alpha=0.1)),
])
def test_classifier_lbfgs_is_sklearns(kind, params):
    """As for the regressor. (Weakly regularized runs on separable labels, such as
    the second and third multilabel columns, drive the loss toward 0, where the
    last-bit differences between our loss sums and scikit-learn's change the line
    searches and the runs part after some 60 iterations: they are left out.)"""
    params = dict(params)
    X, y = _classification(kind)
    sw = (np.random.default_rng(0).uniform(0.5, 2.0, len(X))
          if params.pop("sample_weight", False) else None)
    kw = {"hidden_layer_sizes": (10,), "solver": "lbfgs", "random_state": 3, **params}
    ours = MLPClassifier(**kw).fit(X, y, sample_weight=sw)
    ref = sk.MLPClassifier(**kw).fit(X, y, sample_weight=sw)
    assert _max_diff(_params(ours), _params(ref)) < 1e-8
    assert ours.n_iter_ == ref.n_iter_
    assert ours.loss_ == pytest.approx(ref.loss_, rel=1e-9)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X),
                               atol=1e-8)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))


def test_warm_start_continues_from_the_weights_as_sklearn():
    X, y = _regression()
    kw = dict(hidden_layer_sizes=(8,), solver="lbfgs", warm_start=True, max_iter=15,
              random_state=0)
    ours, ref = MLPRegressor(**kw), sk.MLPRegressor(**kw)
    for _ in range(3):
        ours.fit(X, y)
        ref.fit(X, y)
        assert ours.n_iter_ == ref.n_iter_ == 15
    assert _max_diff(_params(ours), _params(ref)) < 1e-8
    # continuing from the weights of 5 epochs of adam
    kw = dict(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
    ours, ref = MLPRegressor(**kw).fit(X, y), sk.MLPRegressor(**kw).fit(X, y)
    for model in (ours, ref):
        model.set_params(solver="lbfgs", warm_start=True, max_iter=10).fit(X, y)
    assert _max_diff(_params(ours), _params(ref)) < 1e-8


# ------------------------------------------------------- the objective and gradient


@pytest.mark.parametrize("estimator,data", [
    (MLPRegressor(activation="tanh", alpha=0.3), "regression"),
    (MLPRegressor(loss="poisson", activation="logistic", alpha=0.3), "poisson"),
    (MLPClassifier(activation="relu", alpha=0.3), "multiclass"),
    (MLPClassifier(activation="logistic", alpha=0.3), "multilabel"),
])
def test_the_optimizer_sees_the_gradient_of_its_loss(estimator, data, lbfgs_runs):
    """Central differences of the very function L-BFGS-B is given, at a random
    point, against the gradient it returns (weighted samples, L2 term; the
    regressor's two squared-error outputs)."""
    if data in ("regression", "poisson"):
        X, y = _regression(n_outputs=2)
        y = np.exp(y / 2) if data == "poisson" else y
    else:
        X, y = _classification(data)
    X, y = X[:30], y[:30]
    sw = np.random.default_rng(1).uniform(0.5, 2.0, len(X))
    estimator.set_params(hidden_layer_sizes=(4, 3), solver="lbfgs", max_iter=3,
                         random_state=0)
    estimator.fit(X, y, sample_weight=sw)
    objective, _ = lbfgs_runs[-1]
    rng = np.random.default_rng(2)
    x = rng.normal(0.0, 0.5, objective.theta.size)
    value, grad = objective(x.copy())
    h = 1e-6
    for k in range(x.size):
        up, down = x.copy(), x.copy()
        up[k] += h
        down[k] -= h
        fd = (objective(up)[0] - objective(down)[0]) / (2 * h)
        assert abs(fd - grad[k]) <= 1e-6 * max(1.0, abs(fd)), (k, fd, grad[k])
    assert objective(x.copy())[0] == value  # evaluations have no side effect


def test_loss_is_the_documented_objective():
    """loss_ = mean data loss + alpha / 2 ||W||^2 / sum(s) at the solution."""
    X, y = _classification("multiclass")
    sw = np.random.default_rng(0).uniform(0.5, 2.0, len(X))
    clf = MLPClassifier(hidden_layer_sizes=(6,), solver="lbfgs", alpha=0.7,
                        random_state=0).fit(X, y, sample_weight=sw)
    l2 = sum(float((W * W).sum()) for W in clf.coefs_)
    expected = (log_loss(y, clf.predict_proba(X), sample_weight=sw)
                + 0.5 * clf.alpha * l2 / sw.sum())
    assert clf.loss_ == pytest.approx(expected, rel=1e-12)
    X, y = _regression()
    reg = MLPRegressor(hidden_layer_sizes=(6,), solver="lbfgs", alpha=0.7,
                       random_state=0).fit(X, y)
    l2 = sum(float((W * W).sum()) for W in reg.coefs_)
    expected = 0.5 * np.mean((reg.predict(X) - y) ** 2) + 0.5 * 0.7 * l2 / len(X)
    assert reg.loss_ == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("seed", [0, 1])
def test_multioutput_squared_error_gives_lbfgs_a_consistent_pair(seed, lbfgs_runs):
    """The squared error averages over the k outputs, its gradient (every solver's,
    scikit-learn's too) sums over them. L-BFGS-B gets k times the data term with
    that gradient, the function it is the gradient of; scikit-learn passes the
    average, and (measured, both seeds) its line search fails (ABNORMAL) at a
    higher value of that function. loss_ still reports the average."""
    X, y = make_regression(n_samples=100, n_features=5, n_targets=10, noise=5.0,
                           random_state=seed)
    y = y / y.std()
    kw = dict(hidden_layer_sizes=(8,), solver="lbfgs", alpha=10.0, max_iter=2000,
              random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        ours = MLPRegressor(**kw).fit(X, y)
    ref = sk.MLPRegressor(**kw).fit(X, y)
    objective, _ = lbfgs_runs[-1]
    at_ours = objective(np.concatenate([p.ravel() for p in _params(ours)]))[0]
    at_ref = objective(np.concatenate([p.ravel() for p in _params(ref)]))[0]
    assert at_ours < at_ref
    l2 = 0.5 * 10.0 * sum(float((W * W).sum()) for W in ours.coefs_) / len(X)
    mean = 0.5 * np.mean((ours.predict(X) - y) ** 2)
    assert ours.loss_ == pytest.approx(mean + l2, rel=1e-12)
    assert at_ours == pytest.approx(10 * mean + l2, rel=1e-12)


# --------------------------------------------------------------------- max_fun


def test_max_fun_limits_the_evaluations_as_sklearn(lbfgs_runs, monkeypatch):
    """L-BFGS-B stops after the iteration in which the evaluations reach max_fun
    (the last line search may overshoot it), with scikit-learn's warning."""
    import scipy.optimize

    X, y = make_regression(n_samples=100, n_features=5, random_state=0)
    ref_nfev = []
    real_minimize = scipy.optimize.minimize

    def minimize(*args, **kwargs):
        res = real_minimize(*args, **kwargs)
        ref_nfev.append(res.nfev)
        return res

    monkeypatch.setattr(scipy.optimize, "minimize", minimize)
    unlimited = MLPRegressor(solver="lbfgs", max_iter=1000,
                             random_state=0).fit(X, y).n_iter_
    for max_fun in (1, 10, 17, 50):
        kw = dict(solver="lbfgs", max_fun=max_fun, max_iter=1000, random_state=0)
        with pytest.warns(ConvergenceWarning) as ours_warned:
            ours = MLPRegressor(**kw).fit(X, y)
        with pytest.warns(ConvergenceWarning) as ref_warned:
            ref = sk.MLPRegressor(**kw).fit(X, y)
        message = str(ours_warned[-1].message)
        assert message == str(ref_warned[-1].message)
        assert "F,G EVALUATIONS EXCEEDS LIMIT" in message
        _, result = lbfgs_runs[-1]
        assert result.n_evaluations == ref_nfev[-1] >= max_fun
        assert ours.n_iter_ == ref.n_iter_ < unlimited
        assert ours.loss_ == pytest.approx(ref.loss_, rel=1e-10)


def test_max_iter_warns_as_sklearn():
    X, y = _classification("binary")
    kw = dict(solver="lbfgs", max_iter=3, random_state=0)
    with pytest.warns(ConvergenceWarning) as ours:
        MLPClassifier(**kw).fit(X, y)
    with pytest.warns(ConvergenceWarning) as ref:
        sk.MLPClassifier(**kw).fit(X, y)
    assert str(ours[-1].message) == str(ref[-1].message)
    assert "max_iter=3" in str(ours[-1].message)


# ------------------------------------------------------------ what lbfgs refuses


@pytest.mark.parametrize("Estimator", [MLPRegressor, MLPClassifier])
@pytest.mark.parametrize("params,validation,match", [
    (dict(dropout=0.1), None, r"dropout > 0 \(rates \[0.1\]\).*dropout=0.0"),
    (dict(dropout=[0.0, 0.2], hidden_layer_sizes=(4, 4)), None,
     r"rates \[0.0, 0.2\]"),
    (dict(l1=1e-3), None, r"l1=0.001.*l1=0.0"),
    (dict(monitor="val_loss"), None, "monitor='val_loss'"),
    (dict(restore_best_weights=False), None, "restore_best_weights=False"),
    (dict(), ("X_val", "y_val"), "X_val"),
    (dict(), ("X_val", "y_val", "sample_weight_val"), "sample_weight_val"),
])
def test_extras_lbfgs_cannot_honour_are_refused(Estimator, params, validation,
                                                match):
    X, y = _classification("binary")
    given = {"X_val": X[:20], "y_val": y[:20], "sample_weight_val": np.ones(20)}
    fit_kw = {name: given[name] for name in validation or ()}
    model = Estimator(solver="lbfgs", **params)
    with pytest.raises(ValueError, match=match) as info:
        model.fit(X, y, **fit_kw)
    assert "solver='adam' or 'sgd'" in str(info.value)
    assert not hasattr(model, "coefs_")  # refused before any training
    # the same settings train with a stochastic solver
    Estimator(solver="sgd", max_iter=2, **params).fit(X, y, **fit_kw)


def test_what_lbfgs_keeps():
    """class_weight is a sample weighting and dtype the precision; scikit-learn's
    stochastic-only parameters are not used, as in scikit-learn."""
    X, y = _classification("multiclass")
    kw = dict(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=50, random_state=0)
    cw = {0: 1.0, 1: 3.0, 2: 0.5}
    a = MLPClassifier(class_weight=cw, **kw).fit(X, y)
    b = MLPClassifier(**kw).fit(X, y, sample_weight=compute_sample_weight(cw, y))
    assert _max_diff(_params(a), _params(b)) == 0.0
    base = MLPClassifier(**kw).fit(X, y)
    unused = MLPClassifier(batch_size=7, learning_rate="adaptive", shuffle=False,
                           learning_rate_init=0.5, momentum=0.1, early_stopping=True,
                           validation_fraction=0.3, n_iter_no_change=1, beta_1=0.5,
                           **kw).fit(X, y)
    assert _max_diff(_params(base), _params(unused)) == 0.0
    kw["alpha"] = 1.0  # a well-conditioned problem, for float32 vs float64
    m64 = MLPClassifier(**kw).fit(X, y)
    m32 = MLPClassifier(dtype="float32", **kw).fit(X, y)
    assert all(p.dtype == np.float32 for p in _params(m32))
    assert m32.predict_proba(X).dtype == np.float32
    np.testing.assert_allclose(m32.predict_proba(X), m64.predict_proba(X),
                               atol=1e-3)
    assert m32.loss_ == pytest.approx(m64.loss_, rel=1e-4)


# ------------------------------------------------------------ partial_fit, records


@pytest.mark.parametrize("Estimator", [MLPRegressor, MLPClassifier])
def test_partial_fit_is_only_for_stochastic_solvers(Estimator):
    """scikit-learn's MLPClassifier hides partial_fit under lbfgs; so do both of
    ours (scikit-learn's MLPRegressor keeps it and runs a full L-BFGS fit)."""
    model = Estimator(solver="lbfgs")
    assert not hasattr(model, "partial_fit")
    with pytest.raises(AttributeError, match="has no attribute 'partial_fit'") as info:
        model.partial_fit  # noqa: B018
    assert str(info.value.__cause__) == ("partial_fit is only available for "
                                         "stochastic optimizers. lbfgs is not "
                                         "stochastic.")
    assert hasattr(model.set_params(solver="sgd"), "partial_fit")


def test_lbfgs_sets_sklearns_attributes_and_no_epoch_records():
    X, y = _classification("multiclass")
    kw = dict(hidden_layer_sizes=(6,), solver="lbfgs", max_iter=20, random_state=0)
    ours, ref = MLPClassifier(**kw).fit(X, y), sk.MLPClassifier(**kw).fit(X, y)
    public = {a for a in vars(ours) if a.endswith("_") and not a.startswith("_")}
    assert public == {a for a in vars(ref) if a.endswith("_") and not
                      a.startswith("_")}
    for name in ("loss_curve_", "best_loss_", "validation_scores_", "history_",
                 "best_epoch_"):
        assert not hasattr(ours, name)
    assert ours.t_ == ref.t_ == 0
    # a fresh lbfgs fit drops the records of an earlier stochastic fit
    model = MLPClassifier(hidden_layer_sizes=(6,), max_iter=3).fit(X, y)
    assert len(model.loss_curve_) == 3
    model.set_params(solver="lbfgs").fit(X, y)
    assert not hasattr(model, "loss_curve_") and not hasattr(model, "history_")
    # and stochastic epochs continuing an lbfgs fit start their records
    model.set_params(solver="sgd", warm_start=True).fit(X, y)
    assert len(model.loss_curve_) == len(model.history_["train_loss"]) == 3
    model.partial_fit(X, y)
    assert len(model.loss_curve_) == 4


def test_feature_names_are_kept():
    pd = pytest.importorskip("pandas")
    X, y = _classification("binary")
    frame = pd.DataFrame(X, columns=[f"x{k}" for k in range(X.shape[1])])
    for model in (MLPClassifier(solver="lbfgs", max_iter=20),
                  MLPRegressor(solver="lbfgs", max_iter=20)):
        with warnings.catch_warnings():
            warnings.simplefilter("error", UserWarning)
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(frame, y)
            model.predict(frame)
            model.score(frame, y)
        np.testing.assert_array_equal(model.feature_names_in_, frame.columns)
        with pytest.warns(UserWarning, match="does not have valid feature names"):
            model.predict(X)


# ---------------------------------------------------------- divergence, verbose


def test_divergence_is_a_clear_error():
    """scikit-learn's L-BFGS run on such data returns loss_ = nan (with a
    ConvergenceWarning); ours raises the DivergenceError of the other solvers."""
    rng = np.random.RandomState(0)
    X = np.finfo(np.float64).max * rng.uniform(size=(10, 2))
    y = rng.standard_normal(10)
    with np.errstate(all="ignore"), pytest.raises(
            DivergenceError, match=re.escape("Solver produced non-finite parameter "
                                             "weights")) as info:
        MLPRegressor(solver="lbfgs").fit(X, y)
    assert "standardize" in str(info.value)
    assert "learning_rate_init" not in str(info.value)


def test_verbose_prints_every_iteration(capsys):
    X, y = _regression()
    reg = MLPRegressor(hidden_layer_sizes=(6,), solver="lbfgs", max_iter=25,
                       verbose=True, random_state=0).fit(X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == reg.n_iter_ == 25
    assert lines[0].startswith("Iteration 1, loss = ")
    assert lines[-1] == f"Iteration 25, loss = {reg.loss_:.8f}"
