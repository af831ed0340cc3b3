"""The outcome of every conformance test, and the pass rate of the applicable ones.

A test is *applicable* when it used a bound name: it constructed a bound class or
called a bound path function (recorded at run time), or it was parametrized with
one (an estimator built when the test module was imported counts). A failing test
that never reached sparsereg but whose code names a bound estimator counts as
applicable too (it fails for us, say, in an input sparsereg rejects). A test that
exercises only scikit-learn's private helpers is not applicable: it neither counts
nor inflates the rate. Skipped tests are counted apart.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ._expected import category

#: The pass rate (of the applicable tests) below which a run with a scikit-learn
#: version absent from the list fails.
TARGET = 0.98

#: The tallied failures the summary shows (with their error messages).
MAX_SHOWN = 40

PASSED, FAILED, EXPECTED, XPASS, SKIPPED, SK_XFAIL = (
    "passed", "failed", "expected failure", "unexpected pass", "skipped",
    "xfailed by scikit-learn")


def outcome_of(reports, tolerated, listed_reason):
    """One test's outcome from its setup, call and teardown reports.

    Parameters
    ----------
    reports : list of TestReport
        The test's reports.
    tolerated : str
        The ``wasxfail`` of a failure that the plugin let pass (unlisted
        version): a failure.
    listed_reason : str or None
        The test's reason in the list of expected failures, whose xfail marker
        it carries: an xfail with this reason is an expected failure; any other
        is scikit-learn's own ``pytest.xfail`` (a case it does not claim).
    """
    if any(r.failed and str(r.longrepr).startswith("[XPASS(strict)]")
           for r in reports):
        return XPASS
    if any(r.failed for r in reports):
        return FAILED
    why = next((r.wasxfail for r in reports
                if getattr(r, "wasxfail", None) is not None), None)
    if why is not None:
        return (FAILED if why == tolerated else
                EXPECTED if why == listed_reason else SK_XFAIL)
    if any(r.when == "call" and r.passed for r in reports):
        return PASSED
    return SKIPPED


@dataclass
class Result:
    """One conformance test: its id, file, outcome, the bound names it used, its
    reason if it is listed, and its error message if its failure was tallied."""

    test_id: str
    file: str
    outcome: str
    names: frozenset
    reason: str = ""
    message: str = ""

    @property
    def applicable(self):
        return bool(self.names) and self.outcome not in (SKIPPED, SK_XFAIL)

    @property
    def passed(self):
        return self.outcome in (PASSED, XPASS)


@dataclass
class Tally:
    """All conformance results of a run, and its summary."""

    version: str
    listed: bool
    results: list = field(default_factory=list)
    stale: list = field(default_factory=list)
    unreachable: int = 0

    def applicable(self):
        return [r for r in self.results if r.applicable]

    def rate(self):
        """The pass rate of the applicable tests (None without any)."""
        app = self.applicable()
        return sum(r.passed for r in app) / len(app) if app else None

    def failing_the_run(self):
        """Why this run fails (empty if it does not). With a listed version,
        the xfail markers already failed new failures and unexpected passes;
        stale entries fail here. Without, the rate must reach TARGET."""
        if self.listed:
            return ([f"{len(self.stale)} listed tests no longer exist: regenerate "
                     "the list (python -m tests.conformance --update)"]
                    if self.stale else [])
        rate = self.rate()
        if rate is not None and rate < TARGET:
            return [f"pass rate {rate:.1%} below the target {TARGET:.0%} "
                    f"(scikit-learn {self.version} is not listed)"]
        return []

    def summary(self):
        """The lines printed at the end of the run."""
        app = self.applicable()
        counts = Counter(r.outcome for r in app)
        skipped = Counter(r.outcome for r in self.results
                          if r.outcome in (SKIPPED, SK_XFAIL))
        rate = self.rate()
        mode = "listed" if self.listed else f"not listed, target {TARGET:.0%}"
        lines = [
            f"sklearn conformance (scikit-learn {self.version}, {mode}): "
            f"{len(app)} applicable, {counts[PASSED] + counts[XPASS]} passed "
            f"({'n/a' if rate is None else f'{rate:.1%}'}), "
            f"{counts[EXPECTED]} expected failures, {counts[FAILED]} failures "
            f"not listed, {counts[XPASS]} unexpected passes; not applicable: "
            f"{self.unreachable} deselected (never reach a bound name), "
            f"{len(self.results) - len(app) - skipped.total()} ran without using "
            f"one; {skipped[SKIPPED]} skipped, {skipped[SK_XFAIL]} xfailed by "
            "scikit-learn itself"
        ]
        lines.append("  per file: " + _rates(app, lambda r: [r.file.split("/")[-1]]))
        lines.append("  per estimator: " + _rates(app, lambda r: sorted(r.names)))
        by_reason = Counter(category(r.reason) for r in app if r.outcome == EXPECTED)
        if by_reason:
            lines.append("  expected failures: " + ", ".join(
                f"{reason} {n}" for reason, n in sorted(by_reason.items())))
        lines += [f"  stale entry: {t}" for t in self.stale[:20]]
        tallied = [r for r in app if r.outcome == FAILED and r.message]
        lines += [f"  failed: {r.test_id}: {_one_line(r.message)}"
                  for r in tallied[:MAX_SHOWN]]
        if len(tallied) > MAX_SHOWN:
            lines.append(f"  ... and {len(tallied) - MAX_SHOWN} more failures "
                         "(--conformance-report=PATH lists them all)")
        return lines


def _rates(results, keys):
    """``key passed/applicable (rate)`` for every key of the results."""
    passed, total = defaultdict(int), defaultdict(int)
    for r in results:
        for key in keys(r):
            total[key] += 1
            passed[key] += r.passed
    return ", ".join(f"{k} {passed[k]}/{total[k]} ({passed[k] / total[k]:.1%})"
                     for k in sorted(total))


def _one_line(message, width=160):
    """An error message on one line, cut to ``width`` characters."""
    return " ".join(message.split())[:width]
