"""The conformance machinery itself: the rebinding, the applicability record, the
tally, the list of expected failures and, end to end, the pytest plugin."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import sklearn
import sklearn.linear_model
import sklearn.neural_network

import sparsereg

from . import _expected
from ._loader import BOUND, RECORDER, referenced_names, rewrite
from ._tally import (
    EXPECTED,
    FAILED,
    PASSED,
    SK_XFAIL,
    TARGET,
    Result,
    Tally,
    outcome_of,
)

HERE = Path(__file__).resolve().parent
SHIMS = {"linear_model/tests/test_coordinate_descent.py",
         "linear_model/tests/test_sparse_coordinate_descent.py",
         "linear_model/tests/test_ridge.py", "neural_network/tests/test_mlp.py"}


def run_module(source):
    """Run ``source`` rewritten as a conformance module; its namespace."""
    code, rebound = rewrite(textwrap.dedent(source), "<test>")
    namespace = {"__name__": "conformance_probe",
                 "__conformance_bound__": SimpleNamespace(**BOUND)}
    exec(code, namespace)
    return namespace, rebound


def test_the_list_names_real_tests_and_every_reason_is_written():
    expected = _expected.load()
    for version, section in expected.items():
        tests = _expected.reasons_by_test(section)  # raises on a test listed twice
        for test, reason in tests.items():
            assert test.split("::")[0] in SHIMS, (version, test)
            assert reason.strip() and reason != _expected.TODO_REASON, (
                f"{test} (scikit-learn {version}) needs its reason written")
            assert ":" in reason, f"{reason!r} has no category: 'category: details'"


def test_imports_everywhere_are_rebound_and_the_rest_kept():
    namespace, rebound = run_module("""
        import pytest
        from sklearn.linear_model import Lasso, LinearRegression, enet_path as ep
        from sklearn import linear_model
        from sklearn.neural_network import MLPRegressor

        @pytest.mark.parametrize("est", [Lasso, linear_model.RidgeCV])
        def test_probe(est):
            from sklearn.linear_model import ElasticNetCV, Ridge
            return ElasticNetCV, Ridge, linear_model.ElasticNet
        """)
    assert namespace["Lasso"] is sparsereg.Lasso
    assert namespace["MLPRegressor"] is sparsereg.neural_network.MLPRegressor
    assert namespace["ep"] is BOUND["enet_path"]
    assert namespace["ep"].__wrapped__ is sparsereg.enet_path
    assert namespace["LinearRegression"] is sklearn.linear_model.LinearRegression
    (mark,) = namespace["test_probe"].pytestmark  # built at import time
    assert mark.args[1] == [sparsereg.Lasso, sparsereg.RidgeCV]
    assert namespace["test_probe"](None) == (sparsereg.ElasticNetCV, sparsereg.Ridge,
                                             sparsereg.ElasticNet)
    assert rebound == {"Lasso", "enet_path", "MLPRegressor", "RidgeCV",
                       "ElasticNetCV", "Ridge", "ElasticNet"}


def test_static_reach_follows_module_helpers_and_globals():
    namespace, _ = run_module("""
        from sklearn.linear_model import Lasso, LinearRegression
        ESTIMATORS = [(Lasso, {})]

        def helper():
            return Lasso()

        def test_via_helper():
            return helper()

        def test_via_global():
            return [e() for e, _ in ESTIMATORS]

        def test_sklearn_only():
            return LinearRegression()

        def test_by_parameter(func):  # parametrized with helper: followed too
            return func()
        """)
    assert referenced_names([namespace["test_via_helper"]], namespace) == {"Lasso"}
    by_param = [namespace["test_by_parameter"], namespace["helper"]]
    assert referenced_names(by_param, namespace) == {"Lasso"}
    assert referenced_names(by_param[:1], namespace) == set()
    assert referenced_names([namespace["test_via_global"]], namespace) == {"Lasso"}
    assert referenced_names([namespace["test_sklearn_only"]], namespace) == set()


def test_recorder_notes_what_a_test_builds_not_what_sparsereg_builds_inside():
    X, y = np.random.default_rng(0).standard_normal((30, 3)), np.arange(30.0)
    init_before = sparsereg.Lasso.__init__
    RECORDER.start()
    try:
        sparsereg.LassoCV(cv=2, alphas=[1.0, 0.1]).fit(X, y)  # refits an ElasticNet
        BOUND["lasso_path"](X, y, alphas=2)

        class Mock(sparsereg.Ridge):
            pass

        Mock()
    finally:
        names = RECORDER.stop()
    assert names == {"LassoCV", "lasso_path", "Ridge"}
    assert RECORDER.names is None
    # after the test the classes are as before: they construct with arguments
    # (a __new__ set and deleted again would make object.__new__ refuse them) and
    # show their own __init__ (a hook left in place would hide its signature)
    for _ in range(2):
        RECORDER.start()
        RECORDER.stop()
    assert "__new__" not in vars(sparsereg.Lasso)
    assert sparsereg.Lasso.__init__ is init_before
    assert sparsereg.Lasso(alpha=0.5).alpha == 0.5
    assert sparsereg.Ridge(1.0).fit(X, y).coef_.shape == (3,)


def report(when, outcome, wasxfail=None, longrepr=None):
    rep = SimpleNamespace(when=when, outcome=outcome, longrepr=longrepr,
                          passed=outcome == "passed", failed=outcome == "failed")
    if wasxfail is not None:
        rep.wasxfail = wasxfail
    return rep


def test_outcomes_rate_and_the_run_verdict():
    ok = [report("setup", "passed"), report("call", "passed")]
    assert outcome_of(ok, "T", None) == PASSED
    assert outcome_of([report("call", "skipped", "T")], "T", None) == FAILED
    assert outcome_of([report("call", "skipped", "why")], "T", "why") == EXPECTED
    assert outcome_of([report("call", "skipped", "sk's own")], "T", "why") == SK_XFAIL
    xpass = [report("call", "failed", longrepr="[XPASS(strict)] why")]
    assert outcome_of(xpass, "T", "why") == "unexpected pass"
    results = [Result(f"f.py::t{i}", "f.py", PASSED, frozenset({"Lasso"}))
               for i in range(97)]
    results += [Result(f"f.py::u{i}", "f.py", FAILED, frozenset({"Ridge"}))
                for i in range(3)]
    results.append(Result("f.py::private", "f.py", FAILED, frozenset()))
    tally = Tally("9.9", listed=False, results=results)
    assert len(tally.applicable()) == 100 and tally.rate() == 0.97 < TARGET
    assert tally.failing_the_run()
    assert "100 applicable, 97 passed (97.0%)" in tally.summary()[0]
    assert "Lasso 97/97 (100.0%), Ridge 0/3 (0.0%)" in tally.summary()[2]
    assert Tally("9.9", True, results[:99]).failing_the_run() == []
    assert Tally("9.9", True, results, stale=["f.py::gone"]).failing_the_run()


def test_update_keeps_reasons_adds_todo_and_drops_what_is_gone():
    old = {"1.0": {"solver not yet offered: sag": ["a.py::t1", "a.py::t2"]},
           "0.9": {"private attribute: x": ["a.py::t3"]}}
    new = _expected.updated(old, "1.0", ran={"a.py::t1", "a.py::t3", "a.py::t4"},
                            failed={"a.py::t3", "a.py::t4"},
                            collected={"a.py": {"a.py::t1", "a.py::t3", "a.py::t4"}})
    assert new["1.0"] == {"TODO reason": ["a.py::t4"],
                          "private attribute: x": ["a.py::t3"]}
    assert new["0.9"] == old["0.9"]  # t1 passes now, t2 is gone from a.py
    kept = _expected.updated(old, "1.0", ran=set(), failed=set(),
                             collected={"a.py": {"a.py::t1", "a.py::t2"}})
    assert kept["1.0"] == old["1.0"]  # deselected tests keep their entries


def run_plugin(tmp_path, expected, *args):
    """pytest on one scikit-learn test, with ``expected`` as the list."""
    path = tmp_path / "expected.json"
    path.write_text(json.dumps(expected))
    out = tmp_path / "report.json"
    cmd = [sys.executable, "-m", "pytest", str(HERE / "test_sklearn_ridge.py"), "-q",
           "-p", "no:randomly", "-p", "no:cacheprovider",
           f"--conformance-expected={path}", f"--conformance-report={out}",
           "-k", "test_ridgecv_alphas_scalar", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=HERE.parents[1])
    return done, json.loads(out.read_text()), json.loads(path.read_text())


def test_plugin_end_to_end(tmp_path):
    """The plugin runs scikit-learn's test on sparsereg's RidgeCV (applicable),
    counts RidgeClassifierCV's as not applicable, fails the run on a listed test
    that passes, and writes the list on update."""
    test_id = ("linear_model/tests/test_ridge.py::"
               "test_ridgecv_alphas_scalar[RidgeCV]")
    done, results, _ = run_plugin(tmp_path, {})
    assert done.returncode == 0, done.stdout[-3000:]
    by_id = {r["test_id"]: r for r in results}
    assert by_id[test_id]["outcome"] == PASSED
    assert by_id[test_id]["names"] == ["RidgeCV"]
    assert by_id[test_id.replace("[RidgeCV]", "[RidgeClassifierCV]")]["names"] == []
    assert "1 applicable, 1 passed (100.0%)" in done.stdout
    listed = {sklearn.__version__: {"wrongly listed: probe": [test_id]}}
    done, results, _ = run_plugin(tmp_path, listed)
    assert done.returncode == 1 and "XPASS(strict)" in done.stdout
    assert {r["test_id"]: r for r in results}[test_id]["outcome"] == "unexpected pass"
    done, _, written = run_plugin(tmp_path, listed, "--conformance-update")
    assert done.returncode == 0 and written == {sklearn.__version__: {}}


@pytest.mark.parametrize("name", sorted(BOUND))
def test_every_bound_name_is_a_public_sklearn_name(name):
    module = sklearn.neural_network if name.startswith("MLP") else sklearn.linear_model
    assert hasattr(module, name)
