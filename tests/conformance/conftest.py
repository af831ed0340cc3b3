"""pytest plugin of the conformance run: scikit-learn's tests on sparsereg's models.

The ``test_sklearn_*.py`` modules here run scikit-learn's own test files with its
estimators rebound to sparsereg's (see ``_loader.py``). This plugin

* provides scikit-learn's conftest fixtures (``global_random_seed``,
  ``global_dtype``, ...) to those tests;
* records which tests are applicable (``_tally.py``) and prints the pass rate per
  file and per estimator at the end of the run;
* with a scikit-learn version listed in ``expected_failures.json``, marks the
  listed tests ``xfail(strict=True)``: a new failure or an unexpected pass fails
  the run, as does a listed test that no longer exists;
* with an unlisted version, lets failures pass and fails the run only if the pass
  rate of the applicable tests is below ``_tally.TARGET``;
* with ``--conformance-update`` (see ``python -m tests.conformance --help``),
  rewrites the current version's section of the list from the failures of the
  run, keeping the reasons already written.
"""

import json

import pytest
import sklearn
import sklearn.conftest as _sk_conftest

from . import _expected
from ._loader import RECORDER, bound_names_of, referenced_names
from ._tally import EXPECTED, FAILED, Result, Tally, outcome_of

# scikit-learn's conftest fixtures, and its parametrization of global_random_seed
globals().update({
    name: value for name, value in vars(_sk_conftest).items()
    if type(value).__name__ == "FixtureFunctionDefinition"
    or hasattr(value, "_pytestfixturefunction")
})
pytest_generate_tests = _sk_conftest.pytest_generate_tests

_TOLERATED = "conformance: failure tallied, not fatal (version not listed, or update)"
_STATE = pytest.StashKey()


def pytest_addoption(parser):
    """The options of the run (given when tests/conformance is on the command
    line, as ``python -m tests.conformance`` puts it)."""
    parser.getgroup("sparsereg conformance").addoption(
        "--conformance-update", action="store_true", default=False,
        help="rewrite this scikit-learn version's section of "
             "tests/conformance/expected_failures.json from the run's failures",
    )
    parser.getgroup("sparsereg conformance").addoption(
        "--conformance-report", metavar="PATH", default=None,
        help="write every conformance test's outcome and bound names as JSON",
    )
    parser.getgroup("sparsereg conformance").addoption(
        "--conformance-expected", metavar="PATH", default=None,
        help="the list of expected failures to use (and to update) instead of "
             "tests/conformance/expected_failures.json",
    )


class _State:
    """The run's mode, expected failures, pending reports and results."""

    def __init__(self, config):
        self.update = bool(config.getoption("conformance_update", default=False))
        self.report = config.getoption("conformance_report", default=None)
        self.path = (config.getoption("conformance_expected", default=None)
                     or _expected.EXPECTED_PATH)
        self.expected_all = _expected.load(self.path)
        version = sklearn.__version__
        listed = version in self.expected_all and not self.update
        self.expected = _expected.reasons_by_test(self.expected_all.get(version, {}))
        self.tally = Tally(version, listed)
        self.collected = {}  # test file -> ids of its collected tests
        self.reports = {}  # nodeid -> reports of the running test
        self.static = {}  # nodeid -> bound names its code and parameters reach
        self.messages = {}  # nodeid -> error message of a tallied failure


def _state(config):
    """The run's :class:`_State`, made on first use."""
    if _STATE not in config.stash:
        config.stash[_STATE] = _State(config)
    return config.stash[_STATE]


def _test_id(item):
    """``file::name[params]`` of a conformance item, None for any other item."""
    module = getattr(item, "module", None)
    relative = getattr(module, "SKLEARN_TEST_FILE", None)
    if relative is None or not isinstance(item, pytest.Function):
        return None
    return f"{relative}::{item.nodeid.split('::', 1)[1]}"


def pytest_collectreport(report):
    """The ids of every test of a collected shim module (before deselection)."""
    for node in report.result or ():
        test_id = _test_id(node)
        if test_id is not None:
            state = _state(node.config)
            state.collected.setdefault(test_id.split("::")[0], set()).add(test_id)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Deselect the tests that cannot reach a bound name (they test scikit-learn
    alone); listed version: the listed tests xfail, strictly."""
    state = _state(config)
    kept, unreachable = [], []
    for item in items:
        test_id = _test_id(item)
        if test_id is None:
            kept.append(item)
            continue
        state.static[item.nodeid] = _static_names(item)
        if not state.static[item.nodeid]:
            unreachable.append(item)
            continue
        kept.append(item)
        reason = state.expected.get(test_id)
        if reason is not None and state.tally.listed:
            item.add_marker(pytest.mark.xfail(strict=True, reason=reason))
        item.add_marker(pytest.mark.filterwarnings(
            "ignore::sparsereg.AlphaGridEdgeWarning"))  # sparsereg's own hint
    if unreachable:
        config.hook.pytest_deselected(items=unreachable)
        items[:] = kept
    state.tally.unreachable += len(unreachable)
    if state.tally.listed:
        unreached = {_test_id(item) for item in unreachable}
        state.tally.stale = sorted(
            t for t in state.expected
            if t in unreached or (t.split("::")[0] in state.collected
                                  and t not in state.collected[t.split("::")[0]]))


def _static_names(item):
    """The bound names a test can reach: its parameters, and its code's (with
    its fixtures' and that of the module's functions it is parametrized with)."""
    callspec = getattr(item, "callspec", None)
    params = list(callspec.params.values()) if callspec else []
    names = set().union(*map(bound_names_of, params))
    namespace = vars(item.module)
    fixtures = [namespace[n] for n in item.fixturenames if n in namespace]
    return names | referenced_names([item.function, *fixtures, *params], namespace)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Record the bound names the test uses; tally its outcome."""
    test_id = _test_id(item)
    if test_id is None:
        return (yield)
    state = _state(item.config)
    state.reports[item.nodeid] = []
    RECORDER.start()
    try:
        return (yield)
    finally:
        names = RECORDER.stop()
        reports = state.reports.pop(item.nodeid)
        _add_result(state, item, test_id, names, reports)


def _add_result(state, item, test_id, names, reports):
    """Tally a test: applicable if it used a bound name (a parameter counts);
    a failing test that never did, by the names its code reaches."""
    reason = state.expected.get(test_id) if state.tally.listed else None
    outcome = outcome_of(reports, _TOLERATED, reason)
    callspec = getattr(item, "callspec", None)
    for value in (callspec.params.values() if callspec else ()):
        names |= bound_names_of(value)
    if outcome == FAILED and not names:
        names = state.static[item.nodeid]
    state.tally.results.append(Result(
        test_id, test_id.split("::")[0], outcome, frozenset(names),
        reason if outcome == EXPECTED else "", state.messages.pop(item.nodeid, "")))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep the test's reports; unlisted version or update: a failure is
    tallied, not fatal."""
    report = yield
    state = _state(item.config)
    if item.nodeid not in state.reports:
        return report
    if (report.failed and not state.tally.listed
            and not str(report.longrepr).startswith("[XPASS(strict)]")):
        state.messages[item.nodeid] = _error_message(report)
        report.outcome = "skipped"
        report.wasxfail = _TOLERATED
    state.reports[item.nodeid].append(report)
    return report


def _error_message(report):
    """The ``E`` lines of a failure's traceback (its error and explanation)."""
    text = report.longreprtext
    lines = [line[1:].strip() for line in text.splitlines() if line.startswith("E ")]
    return "\n".join(lines) or (text.splitlines() or [""])[-1]


def pytest_sessionfinish(session):
    """Write the report and, on update, the list; below the target (unlisted
    version) or with stale entries (listed), fail the run."""
    state = _state(session.config)
    tally = state.tally
    if not tally.results:
        return
    if state.report:
        with open(state.report, "w", encoding="utf-8") as f:
            json.dump([{**vars(r), "names": sorted(r.names)} for r in tally.results],
                      f, indent=1)
    if state.update:
        ran = {r.test_id for r in tally.results}
        failed = {r.test_id for r in tally.results if r.outcome == FAILED}
        _expected.save(_expected.updated(state.expected_all, tally.version, ran,
                                         failed, state.collected), state.path)
        return
    if tally.failing_the_run():
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, config):
    """The summary lines: applicable tests, pass rate per file and estimator."""
    state = _state(config)
    if not state.tally.results:
        return
    for line in state.tally.summary():
        terminalreporter.write_line(line)
    for why in state.tally.failing_the_run():
        terminalreporter.write_line(f"sklearn conformance FAILS: {why}", red=True)
    if state.update:
        todo = len(_expected.load(state.path).get(state.tally.version, {}).get(
            _expected.TODO_REASON, []))
        terminalreporter.write_line(
            f"sklearn conformance: wrote {state.path}"
            + (f"; {todo} new entries: replace {_expected.TODO_REASON!r} with "
               "their reasons" if todo else ""))
