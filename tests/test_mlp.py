"""MLPRegressor / MLPClassifier: scikit-learn's training reproduced, gradients,
dropout, early stopping, L1, seeds and errors."""

import warnings

import numpy as np
import pytest
from scipy import sparse
from sklearn import neural_network as sk
from sklearn.datasets import load_digits, make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split
from sklearn.utils.class_weight import compute_sample_weight

from sparsereg.neural_network import DivergenceError, MLPClassifier, MLPRegressor
from sparsereg.neural_network._network import Network, data_loss


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def _max_diff(a, b):
    return max(float(np.abs(x - y).max()) for x, y in zip(a, b, strict=True))


def _params(model):
    return model.coefs_ + model.intercepts_


# ------------------------------------------------- scikit-learn's training, reproduced


def _classification(kind, n=120, seed=0):
    X, y = make_classification(n_samples=n, n_features=8, n_informative=5,
                               n_classes=3 if kind == "multiclass" else 2,
                               random_state=seed)
    if kind == "multilabel":
        y = np.column_stack([y, (X[:, 0] > 0).astype(int), (X[:, 1] > 0.5)])
    return X, y


@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel"])
@pytest.mark.parametrize("params", [
    dict(),
    dict(solver="sgd", learning_rate_init=0.05),
    dict(solver="sgd", nesterovs_momentum=False, learning_rate="invscaling",
         learning_rate_init=0.05),
    dict(solver="sgd", learning_rate="adaptive", n_iter_no_change=2, tol=0.5),
    dict(activation="tanh", batch_size=32),
    dict(activation="logistic", alpha=0.1, shuffle=False),
    dict(activation="identity", hidden_layer_sizes=(7, 5)),
    dict(early_stopping=True, validation_fraction=0.2, n_iter_no_change=3),
])
def test_classifier_trains_exactly_as_sklearn(kind, params):
    X, y = _classification(kind)
    sw = (np.random.default_rng(0).uniform(0.5, 2.0, len(X)) if kind == "binary"
          else None)
    kw = {"hidden_layer_sizes": (10,), "max_iter": 15, "random_state": 3, **params}
    ours = MLPClassifier(**kw).fit(X, y, sample_weight=sw)
    ref = sk.MLPClassifier(**kw).fit(X, y, sample_weight=sw)
    assert _max_diff(_params(ours), _params(ref)) < 1e-10
    np.testing.assert_allclose(ours.loss_curve_, ref.loss_curve_, rtol=1e-10)
    assert ours.n_iter_ == ref.n_iter_ and ours.t_ == ref.t_
    assert ours.out_activation_ == ref.out_activation_
    if ref.validation_scores_ is not None:
        np.testing.assert_allclose(ours.validation_scores_, ref.validation_scores_)
        assert ours.best_validation_score_ == ref.best_validation_score_
    else:
        assert ours.best_loss_ == pytest.approx(ref.best_loss_, rel=1e-12)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-10)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))


@pytest.mark.parametrize("params", [
    dict(),
    dict(solver="sgd", learning_rate_init=1e-3),
    dict(loss="poisson"),
    dict(early_stopping=True, hidden_layer_sizes=(6, 4)),
])
@pytest.mark.parametrize("fmt", ["dense", "csr"])
def test_regressor_trains_exactly_as_sklearn(params, fmt):
    X, y = make_regression(n_samples=150, n_features=6, noise=1.0, random_state=0)
    y = y / y.std()
    if params.get("loss") == "poisson":
        y = np.exp(y / 2)
    if fmt == "csr":
        X = sparse.csr_matrix(np.where(np.abs(X) > 0.5, X, 0.0))
    kw = {"hidden_layer_sizes": (12,), "max_iter": 20, "random_state": 1, **params}
    ours = MLPRegressor(**kw).fit(X, y)
    ref = sk.MLPRegressor(**kw).fit(X, y)
    assert _max_diff(_params(ours), _params(ref)) < 1e-10
    np.testing.assert_allclose(ours.loss_curve_, ref.loss_curve_, rtol=1e-10)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), atol=1e-9)


def test_partial_fit_and_warm_start_as_sklearn():
    X, y = _classification("multiclass")
    kw = dict(hidden_layer_sizes=(10,), random_state=0)
    ours, ref = MLPClassifier(**kw), sk.MLPClassifier(**kw)
    for _ in range(3):
        ours.partial_fit(X, y, classes=np.unique(y))
        ref.partial_fit(X, y, classes=np.unique(y))
    assert _max_diff(ours.coefs_, ref.coefs_) < 1e-10
    ours = MLPRegressor(max_iter=5, warm_start=True, **kw).fit(X, y.astype(float))
    ref = sk.MLPRegressor(max_iter=5, warm_start=True, **kw).fit(X, y.astype(float))
    ours.fit(X, y.astype(float))
    ref.fit(X, y.astype(float))
    assert _max_diff(ours.coefs_, ref.coefs_) < 1e-10 and ours.n_iter_ == ref.n_iter_


# ------------------------------------------------------------------ gradients


class _FixedUniform:
    """Stands in for the dropout generator: the same draws at every call."""

    def __init__(self, seed):
        self.draws = {}
        self.rng = np.random.default_rng(seed)

    def random(self, out, dtype):
        key = out.shape
        if key not in self.draws:
            self.draws[key] = self.rng.random(out.shape)
        out[...] = self.draws[key]


def _net(activation, loss, out_activation, n_out, dropout, seed=0):
    rng = np.random.default_rng(seed)
    units = [4, 6, 5, n_out]
    coefs = [rng.normal(0, 0.6, (a, b)) for a, b in zip(units[:-1], units[1:],
                                                          strict=True)]
    intercepts = [rng.normal(0, 0.3, b) for b in units[1:]]
    return Network(coefs, intercepts, activation, out_activation, loss, dropout, 9,
                   np.float64, _FixedUniform(seed))


LOSSES = [  # (loss kind, output activation, outputs)
    ("squared_error", "identity", 1),
    ("poisson", "exp", 2),
    ("log_loss", "softmax", 3),
    ("binary_log_loss", "logistic", 2),
]


@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic", "identity"])
@pytest.mark.parametrize("loss,out_activation,n_out", LOSSES)
@pytest.mark.parametrize("dropout", [(0.0, 0.0), (0.3, 0.5)])
def test_backprop_equals_central_differences(activation, loss, out_activation, n_out,
                                             dropout):
    rng = np.random.default_rng(1)
    n, alpha = 9, 0.3
    X = rng.normal(size=(n, 4))
    if loss == "squared_error":
        Y = rng.normal(size=(n, n_out))
    elif loss == "poisson":
        Y = rng.poisson(2.0, size=(n, n_out)).astype(float)
    elif loss == "log_loss":
        Y = np.eye(n_out)[rng.integers(0, n_out, n)]
    else:
        Y = rng.integers(0, 2, (n, n_out)).astype(float)
    sw = rng.uniform(0.5, 2.0, n)
    net = _net(activation, loss, out_activation, n_out, dropout)

    def objective():  # the loss the gradient is of: data loss + L2 term
        out = net.forward(X, n, train=True)
        value = data_loss(loss, out, Y, sw, sw.sum(), np.empty_like(out))
        # scikit-learn's squared error averages over outputs, its gradient sums
        value *= n_out if loss == "squared_error" else 1
        l2 = sum(float((W * W).sum()) for W in net.coefs)
        return value + 0.5 * alpha * l2 / sw.sum()

    net.forward(X, n, train=True)
    net.backward(X, Y, sw, n, alpha, train=True)
    grads = [g.copy() for g in net.coef_grads + net.intercept_grads]
    h = 1e-6
    for param, grad in zip(net.coefs + net.intercepts, grads, strict=True):
        flat, gflat = param.reshape(-1), grad.reshape(-1)
        for k in range(flat.size):
            old = flat[k]
            flat[k] = old + h
            up = objective()
            flat[k] = old - h
            down = objective()
            flat[k] = old
            fd = (up - down) / (2 * h)
            assert abs(fd - gflat[k]) <= 1e-6 * max(1.0, abs(fd)), (k, fd, gflat[k])


def test_reported_batch_loss_is_sklearns():
    X, y = _classification("multiclass")
    ours = MLPClassifier(hidden_layer_sizes=(5,), max_iter=1, batch_size=len(X),
                         shuffle=False, alpha=0.5, random_state=0)
    ref = sk.MLPClassifier(hidden_layer_sizes=(5,), max_iter=1, batch_size=len(X),
                           shuffle=False, alpha=0.5, random_state=0)
    assert ours.fit(X, y).loss_ == pytest.approx(ref.fit(X, y).loss_, rel=1e-13)


# -------------------------------------------------------------------- dropout


def test_dropout_is_unbiased_and_scaled():
    rng = np.random.default_rng(0)
    p, draws = 0.4, 4000
    coefs = [rng.normal(size=(3, 50)), rng.normal(size=(50, 1))]
    intercepts = [np.zeros(50), np.zeros(1)]
    X = rng.normal(size=(1, 3))
    net = Network(coefs, intercepts, "relu", "identity", "squared_error", [p], 1,
                  np.float64, np.random.default_rng(1))
    H = np.maximum(X @ coefs[0], 0)[0]
    total = np.zeros(50)
    kept = 0
    for _ in range(draws):
        net.forward(X, 1, train=True)
        A = net.A[1][0]
        total += A
        nz = A[H > 0] != 0
        kept += nz.sum()
        # kept units are exactly H / (1 - p)
        np.testing.assert_allclose(A[H > 0][nz], H[H > 0][nz] / (1 - p), rtol=1e-12)
    mean = total / draws
    se = H * np.sqrt(p / (1 - p) / draws)
    z = np.abs(mean - H)[H > 0] / se[H > 0]
    assert z.max() < 5.0  # unbiased: E[A] = H (50 units, 5 standard errors)
    frac_kept = kept / (draws * np.count_nonzero(H))
    assert abs(frac_kept - (1 - p)) < 0.01


def test_dropout_zero_is_no_dropout_and_prediction_is_deterministic():
    X, y = _classification("multiclass")
    kw = dict(hidden_layer_sizes=(10, 8), max_iter=10, random_state=0)
    base = MLPClassifier(**kw).fit(X, y)
    for d in (0.0, [0.0, 0.0]):
        other = MLPClassifier(dropout=d, **kw).fit(X, y)
        assert _max_diff(base.coefs_, other.coefs_) == 0.0
    drop = MLPClassifier(dropout=[0.5, 0.2], **kw).fit(X, y)
    assert _max_diff(base.coefs_, drop.coefs_) > 1e-3
    np.testing.assert_array_equal(drop.predict_proba(X), drop.predict_proba(X))


# ------------------------------------------------------------- early stopping


def _overfit_problem(seed):
    X, y = make_classification(n_samples=400, n_features=100, n_informative=8,
                               n_redundant=0, flip_y=0.05, random_state=seed)
    return train_test_split(X, y, train_size=80, random_state=seed, stratify=y)


@pytest.mark.parametrize("monitor", ["val_score", "val_loss"])
def test_early_stopping_restores_the_best_epoch(monitor):
    X_tr, X_te, y_tr, y_te = _overfit_problem(0)
    X_fit, X_val, y_fit, y_val = train_test_split(X_tr, y_tr, test_size=20,
                                                  random_state=0, stratify=y_tr)
    clf = MLPClassifier(hidden_layer_sizes=(256,), max_iter=300, early_stopping=True,
                        monitor=monitor, random_state=0).fit(
        X_fit, y_fit, X_val=X_val, y_val=y_val)
    assert clf.n_iter_ < 300
    h = clf.history_
    assert len(h["train_loss"]) == len(h["val_loss"]) == len(h["val_score"])
    assert len(h["val_score"]) == clf.n_iter_
    if monitor == "val_score":
        assert clf.best_epoch_ == int(np.argmax(h["val_score"])) + 1
    else:
        assert clf.best_epoch_ == int(np.argmin(h["val_loss"])) + 1
    # the restored weights are those of the best epoch
    assert clf.score(X_val, y_val) == clf.best_validation_score_
    assert log_loss(y_val, clf.predict_proba(X_val)) == pytest.approx(
        clf.best_validation_loss_, rel=1e-12)
    assert clf.best_validation_loss_ == h["val_loss"][clf.best_epoch_ - 1]
    last = MLPClassifier(hidden_layer_sizes=(256,), max_iter=300, early_stopping=True,
                         monitor=monitor, restore_best_weights=False,
                         random_state=0).fit(X_fit, y_fit, X_val=X_val, y_val=y_val)
    assert last.n_iter_ == clf.n_iter_
    assert last.score(X_val, y_val) == h["val_score"][-1]


def test_internal_split_is_the_documented_one():
    """validation_fraction holds out exactly what train_test_split gives after the
    weight initialization consumed its draws (scikit-learn's order)."""
    X, y = _classification("binary", n=200)
    clf = MLPClassifier(hidden_layer_sizes=(10,), early_stopping=True, max_iter=40,
                        validation_fraction=0.2, random_state=7).fit(X, y)
    rs = np.random.RandomState(7)
    for a, b in ((8, 10), (10, 1)):
        rs.uniform(size=(a, b))
        rs.uniform(size=b)
    _, X_val, _, y_val = train_test_split(X, y, test_size=0.2, random_state=rs,
                                          stratify=y)
    assert clf.score(X_val, y_val) == clf.best_validation_score_
    np.testing.assert_allclose(clf.history_["val_score"], clf.validation_scores_)


def test_dropout_and_early_stopping_narrow_the_generalization_gap():
    """Few samples, many features, a wide network: averaged over 5 seeds, the
    train-test accuracy gap is 0.311 without either, 0.269 with dropout=0.8 and
    0.186 with early stopping (measured); required: at least 0.02 and 0.05 less."""
    gaps = {"none": [], "dropout": [], "early": []}
    for seed in range(5):
        X_tr, X_te, y_tr, y_te = _overfit_problem(seed)
        for name, kw in [("none", {}), ("dropout", dict(dropout=0.8)),
                         ("early", dict(early_stopping=True,
                                        validation_fraction=0.25))]:
            m = MLPClassifier(hidden_layer_sizes=(256,), max_iter=200, alpha=0.0,
                              random_state=seed, **kw).fit(X_tr, y_tr)
            gaps[name].append(m.score(X_tr, y_tr) - m.score(X_te, y_te))
    mean = {k: float(np.mean(v)) for k, v in gaps.items()}
    assert mean["dropout"] <= mean["none"] - 0.02, mean
    assert mean["early"] <= mean["none"] - 0.05, mean


def test_digits_accuracy_with_dropout_and_early_stopping():
    X, y = load_digits(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X / 16.0, y, test_size=0.25,
                                              random_state=0, stratify=y)
    clf = MLPClassifier(hidden_layer_sizes=(256,), dropout=0.3, early_stopping=True,
                        n_iter_no_change=20, max_iter=400, learning_rate_init=3e-3,
                        random_state=0).fit(X_tr, y_tr)
    assert clf.score(X_te, y_te) >= 0.96


# -------------------------------------------------------------------- penalties


def test_l1_zeroes_weights_of_irrelevant_inputs_first():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((400, 25))
    f = lambda Z: np.sin(Z[:, 0]) + Z[:, 1] * Z[:, 2] + Z[:, 3] - 0.5 * Z[:, 4]  # noqa: E731
    y = f(X) + 0.1 * rng.standard_normal(400)
    X_te = rng.standard_normal((2000, 25))
    kw = dict(hidden_layer_sizes=(32,), max_iter=500, random_state=0)
    plain = MLPRegressor(**kw).fit(X, y)
    sparse_net = MLPRegressor(l1=1.0, **kw).fit(X, y)
    W = sparse_net.coefs_[0]
    assert (plain.coefs_[0] == 0).sum() == 0
    # measured: 84% of the 20 noise inputs' first-layer weights exactly 0, 34-59%
    # of the 5 relevant inputs' ones; the test R^2 rises from 0.81 to 0.92
    assert (W[5:] == 0).mean() >= 0.75
    assert (W[:5] == 0).mean() <= 0.65
    assert sparse_net.score(X_te, f(X_te)) >= plain.score(X_te, f(X_te)) + 0.05


def test_l1_network_drops_unused_inputs():
    """With enough data the inputs the target does not depend on lose every
    first-layer weight (measured: 15 of 20, and 99.4% of their weights; all 5
    relevant inputs keep theirs)."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2000, 25))
    y = (np.sin(X[:, 0]) + X[:, 1] * X[:, 2] + X[:, 3] - 0.5 * X[:, 4]
         + 0.1 * rng.standard_normal(2000))
    net = MLPRegressor(hidden_layer_sizes=(32,), l1=3.0, max_iter=300,
                       random_state=0).fit(X, y)
    W = net.coefs_[0]
    dropped = np.all(W == 0, axis=1)
    assert not dropped[:5].any()
    assert dropped[5:].sum() >= 12
    assert (W[5:] == 0).mean() >= 0.98
    assert net.score(X, y) >= 0.9


def test_class_weight_is_sample_weight():
    X, y = _classification("multiclass")
    cw = {0: 1.0, 1: 3.0, 2: 0.5}
    kw = dict(hidden_layer_sizes=(8,), max_iter=10, random_state=0)
    a = MLPClassifier(class_weight=cw, **kw).fit(X, y)
    b = MLPClassifier(**kw).fit(X, y, sample_weight=compute_sample_weight(cw, y))
    assert _max_diff(a.coefs_, b.coefs_) == 0.0
    bal = MLPClassifier(class_weight="balanced", **kw).fit(X, y)
    c = MLPClassifier(**kw).fit(X, y, sample_weight=compute_sample_weight("balanced",
                                                                          y))
    assert _max_diff(bal.coefs_, c.coefs_) == 0.0


# ------------------------------------------------------------ seeds and dtypes


def test_same_seed_same_bits_different_seed_differs():
    X, y = _classification("multiclass", n=200)
    kw = dict(hidden_layer_sizes=(16, 8), dropout=[0.3, 0.1], l1=0.01,
              early_stopping=True, max_iter=30)
    a = MLPClassifier(random_state=5, **kw).fit(X, y)
    b = MLPClassifier(random_state=5, **kw).fit(X, y)
    c = MLPClassifier(random_state=6, **kw).fit(X, y)
    assert all(np.array_equal(u, v) for u, v in zip(a.coefs_, b.coefs_, strict=True))
    assert a.history_ == b.history_
    assert _max_diff(a.coefs_, c.coefs_) > 1e-3


def test_float32_trains_in_float32_close_to_float64():
    X, y = make_regression(n_samples=200, n_features=5, noise=1, random_state=0)
    y = y / y.std()
    kw = dict(hidden_layer_sizes=(16,), max_iter=20, random_state=0)
    m64 = MLPRegressor(**kw).fit(X, y)
    m32 = MLPRegressor(dtype="float32", **kw).fit(X, y)
    assert all(W.dtype == np.float32 for W in m32.coefs_ + m32.intercepts_)
    assert m32.predict(X).dtype == np.float32
    np.testing.assert_allclose(m32.predict(X), m64.predict(X), rtol=1e-3, atol=1e-3)
    # float32 input stays float32 by default, as in scikit-learn
    assert MLPRegressor(**kw).fit(X.astype(np.float32), y).coefs_[0].dtype == np.float32


# ---------------------------------------------------------------------- errors


@pytest.mark.parametrize("params,exc,match", [
    (dict(dropout=1.0), ValueError, "dropout"),
    (dict(dropout=-0.1), ValueError, "dropout"),
    (dict(dropout=[0.1, 0.2]), ValueError, "one rate per hidden layer"),
    (dict(dropout=[1.5]), ValueError, r"dropout\[0\]"),
    (dict(dropout=["a"]), TypeError, r"dropout\[0\]"),
    (dict(hidden_layer_sizes=(10, 0)), ValueError, "hidden_layer_sizes"),
    (dict(monitor="val_acc"), ValueError, "monitor"),
    (dict(dtype="float16"), ValueError, "dtype"),
    (dict(solver="newton"), ValueError, "solver"),
    (dict(solver="lbfgs", max_fun=0), ValueError, "max_fun"),
    (dict(l1=-1.0), ValueError, "l1"),
])
def test_bad_parameters(params, exc, match):
    X, y = _classification("binary")
    with pytest.raises(exc, match=match):
        MLPClassifier(**params).fit(X, y)


def test_bad_validation_set_and_single_class():
    X, y = _classification("binary")
    with pytest.raises(ValueError, match="X_val and y_val"):
        MLPClassifier().fit(X, y, X_val=X)
    with pytest.raises(ValueError, match="classes not seen"):
        MLPClassifier(max_iter=2).fit(X, y, X_val=X[:5], y_val=np.full(5, 7))
    with pytest.raises(ValueError, match="features"):
        MLPClassifier(max_iter=2).fit(X, y, X_val=X[:5, :3], y_val=y[:5])
    with pytest.raises(ValueError, match="only one class"):
        MLPClassifier().fit(X, np.zeros(len(X)))


def test_divergence_is_a_clear_error():
    X, y = make_regression(n_samples=100, n_features=5, random_state=0)
    with np.errstate(all="ignore"), pytest.raises(DivergenceError,
                                                   match="learning_rate_init"):
        MLPRegressor(solver="sgd", learning_rate_init=10.0, max_iter=50,
                     random_state=0).fit(X * 1e3, y * 1e3)


def test_divergence_seen_on_the_validation_set_is_the_same_error():
    X, y = load_digits(return_X_y=True)
    with np.errstate(all="ignore"), pytest.raises(DivergenceError,
                                                   match="learning_rate_init=1"):
        MLPRegressor(activation="identity", solver="sgd", learning_rate_init=1,
                     early_stopping=True, max_iter=20, random_state=0).fit(X, y)


def test_partial_fit_classes_and_infinite_patience():
    X, y = _classification("binary")
    with pytest.raises(ValueError, match="not in `classes"):
        MLPClassifier(solver="sgd").partial_fit(X, y, classes=[2])
    with pytest.raises(ValueError, match="classes must be passed"):
        MLPClassifier().partial_fit(X, y)
    with pytest.warns(ConvergenceWarning):
        model = MLPClassifier(max_iter=7, n_iter_no_change=np.inf, tol=1e9,
                              random_state=0).fit(X, y)
    assert model.n_iter_ == 7
