"""The solver layer's data objects: options read once from an estimator, the
penalty as named arrays, and the short way from ``fit`` to the compiled epochs."""

import dataclasses
import sys

import numpy as np
import pytest
from _helpers import make_data

import sparsereg as sr
from sparsereg._solvers.cd import DenseDesign
from sparsereg._solvers.dispatch import SolverOptions
from sparsereg._solvers.objective import feature_penalty
from sparsereg.linear_model._scale import DataScale


def test_options_are_the_estimators_parameters_with_the_solvers_defaults():
    est = sr.ElasticNet(tol=1e-6, max_iter=50, selection="random", random_state=3,
                        positive=True, penalty_factor=[1.0, 2.0])
    opts = SolverOptions.of(est)
    assert (opts.tol, opts.max_iter, opts.selection, opts.random_state) == (
        1e-6, 50, "random", 3)
    assert opts.positive and opts.penalty_factor == [1.0, 2.0]
    assert opts.anderson == est.anderson == "auto"
    assert opts.precompute is False
    # Ridge has neither a Gram option nor anderson nor selection; max_iter=None is
    # the solvers' 1000, as in scikit-learn
    ridge = SolverOptions.of(sr.Ridge(solver="cd"))
    assert ridge.precompute is None and ridge.anderson is False
    assert ridge.selection == "cyclic" and ridge.max_iter == 1000
    assert SolverOptions.of(sr.Lasso(), tol=1e-9).tol == 1e-9  # changes


def test_options_are_frozen_and_independent_of_the_estimator():
    est = sr.Lasso(tol=1e-3)
    opts = SolverOptions.of(est)
    est.set_params(tol=1e-8)
    assert opts.tol == 1e-3
    with pytest.raises(dataclasses.FrozenInstanceError):
        opts.tol = 1.0


def test_scaled_options_divide_a_user_gram_matrix_like_the_penalties():
    G = np.array([[4.0, 1.0], [1.0, 3.0]])
    opts = SolverOptions.of(sr.Lasso(precompute=G))
    scale = DataScale(150)  # X / 2**150: a Gram matrix / 2**300
    scaled = opts.scaled(scale)
    np.testing.assert_array_equal(scaled.precompute, np.ldexp(G, -300))
    assert opts.precompute is G  # the original is untouched
    for pre in ("auto", True, False):
        same = SolverOptions.of(sr.Lasso(precompute=pre))
        assert same.scaled(scale) is same
    assert opts.scaled(DataScale()) is opts  # no scaling


def test_feature_penalty_is_named_arrays():
    pen = feature_penalty(3, positive=True, penalty_factor=[1.0, 0.0, 2.0],
                          upper=[1.0, np.inf, 5.0])
    np.testing.assert_array_equal(pen.factor, [1.0, 0.0, 2.0])
    np.testing.assert_array_equal(pen.lower, [0.0, 0.0, 0.0])  # positive
    np.testing.assert_array_equal(pen.upper, [1.0, np.inf, 5.0])
    plain = feature_penalty(2)
    assert plain.lower.tolist() == [-np.inf, -np.inf]
    assert all(a.dtype == np.float64 for a in plain)


def test_lasso_fit_reaches_its_compiled_epochs_in_six_frames(monkeypatch):
    """fit > fit_problem > solve > cd_solve > design.epochs > the compiled loop:
    no wrapper between the estimator and the driver."""
    X, y = make_data(60, 8, seed=1)
    depths = []
    real = DenseDesign.epochs

    def recording(self, *args):
        frame, depth = sys._getframe(1), 1  # this call is the design's epochs
        while frame is not None:
            depth += "sparsereg" in frame.f_code.co_filename
            frame = frame.f_back
        depths.append(depth)
        return real(self, *args)

    monkeypatch.setattr(DenseDesign, "epochs", recording)
    sr.Lasso(alpha=0.1).fit(X, y)
    assert depths and max(depths) + 1 <= 6  # + the compiled loop of epochs
