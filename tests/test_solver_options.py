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


def test_every_layout_runs_the_one_compiled_loop_of_epochs():
    """Dense X, sparse X and a Gram matrix (single fits and the compiled path)
    reach the same compiled ``epochs``, one signature per layout's NamedTuple."""
    from scipy import sparse

    from sparsereg._kernels.epochs import epochs

    X, y = make_data(60, 8, seed=2)
    sr.Lasso(alpha=0.1).fit(X, y)
    sr.Lasso(alpha=0.1).fit(sparse.csc_matrix(X), y)
    sr.Lasso(alpha=0.1, precompute=True).fit(X, y)
    sr.LassoCV(cv=3, alphas=5).fit(X, y)  # n > p: the folds' Gram path
    layouts = {str(sig[0]).split("(")[0] for sig in epochs.signatures}
    assert {"DenseData", "SparseData", "GramData"} <= layouts, layouts


def test_the_compiled_path_applies_the_drivers_rules():
    """The Gram path's compiled loop stops, screens and switches extrapolation on
    by the driver's own functions, compiled from their source: one rule each."""
    from sparsereg._solvers import cd, gram_path, objective

    assert gram_path._stopped.py_func is cd.stopped
    assert gram_path._extrapolation_step.py_func is cd.extrapolation_step
    assert gram_path._screen_radius.py_func is objective.screen_radius
    # and the rules say what the driver's docstrings say
    assert cd.stopped(1.0, 1.0, False, True) and not cd.stopped(1.0, 1.0, True, False)
    assert cd.stopped(2.0, 1.0, True, True) and not cd.stopped(2.0, 1.0, False, True)
    assert cd.extrapolation_step(True, False, 200, 0, 50) == (True, 50)
    assert cd.extrapolation_step(False, True, 200, 180, 50) == (False, 20)
    assert cd.extrapolation_step(False, True, 200, 200, 50) == (True, 50)
    radius = objective.screen_radius(10.0, 8.0)
    assert radius == pytest.approx(np.sqrt(2 * (2.0 + objective.SCREEN_SLACK * 10)))
    assert objective.screen_radius(1.0, 3.0) == pytest.approx(
        np.sqrt(2 * objective.SCREEN_SLACK))  # a dual above the primal: rounding


def test_lassocv_fold_paths_reach_the_compiled_epochs_in_eight_frames(monkeypatch):
    """fit > _paths > fold_errors > solve_path > solve > the compiled path >
    solve_plain > the loop of epochs, for a dense n > p LassoCV (its folds' Gram
    path); the thread plumbing (``_threads.in_threads`` and the task's lambda) is
    not counted."""
    from sparsereg._solvers import gram_path

    X, y = make_data(200, 10, seed=3)
    depths = []
    real = gram_path.path

    def recording(*args):
        frame, depth = sys._getframe(1), 0
        while frame is not None:
            code = frame.f_code
            depth += ("sparsereg" in code.co_filename and code.co_name != "<lambda>"
                      and not code.co_filename.endswith("_threads.py"))
            frame = frame.f_back
        depths.append(depth)
        return real(*args)

    monkeypatch.setattr(gram_path, "path", recording)
    sr.LassoCV(cv=3, alphas=10).fit(X, y)
    assert depths and max(depths) + 3 <= 8  # + path, solve_plain, epochs
