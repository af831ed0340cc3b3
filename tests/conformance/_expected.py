"""The checked-in list of the scikit-learn tests expected to fail, per version.

``expected_failures.json`` maps a scikit-learn version (``sklearn.__version__``) to
``{reason: [test id, ...]}``; a test id is the test file's path inside the
scikit-learn package and the test's name with its parameters, e.g.
``"linear_model/tests/test_ridge.py::test_ridge_gcv_sample_weights[...]"``. A
reason's text before its first colon is its category (e.g. "solver not yet
offered"), which the summary counts separately.
"""

import json
from pathlib import Path

#: The checked-in list.
EXPECTED_PATH = Path(__file__).with_name("expected_failures.json")

#: The reason the update writes for a new failure; a test refuses a list holding it.
TODO_REASON = "TODO reason"


def load(path=EXPECTED_PATH):
    """The list: ``{version: {reason: [test id, ...]}}``."""
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def reasons_by_test(section):
    """``{test id: reason}`` of one version's section ``{reason: [test ids]}``.

    Raises
    ------
    ValueError
        If a test is listed under two reasons.
    """
    out = {}
    for reason, tests in section.items():
        for test in tests:
            if test in out:
                raise ValueError(f"{test} is listed twice: {out[test]!r}, {reason!r}")
            out[test] = reason
    return out


def category(reason):
    """The category of a reason: its text before the first colon."""
    return reason.split(":", 1)[0].strip()


def updated(expected, version, ran, failed, collected):
    """The list with ``version``'s section brought up to date with a run.

    Parameters
    ----------
    expected : dict
        The current list.
    version : str
        The scikit-learn version that ran.
    ran : set of str
        The ids of the tests that ran.
    failed : set of str
        Those that failed (a subset of ``ran``).
    collected : dict
        ``{test file: set of test ids}`` of the files collected: an entry of one
        of these files naming a test it no longer has is dropped; an entry of a
        test that exists but did not run (deselected) is kept.

    Returns
    -------
    dict
        The new list. A kept entry keeps its reason; a new failure takes the
        reason the same test has under another version, else :data:`TODO_REASON`.
    """
    current = reasons_by_test(expected.get(version, {}))
    known = {}
    for other, section in expected.items():
        if other != version:
            known.update(reasons_by_test(section))
    known.update(current)
    keep = {t: r for t, r in current.items()
            if t not in ran and t in collected.get(t.split("::")[0], {t})}
    keep.update({t: known.get(t, TODO_REASON) for t in failed})
    section = {}
    for test, reason in sorted(keep.items()):
        section.setdefault(reason, []).append(test)
    return {**expected, version: dict(sorted(section.items()))}


def save(expected, path=EXPECTED_PATH):
    """Write the list, sorted, one test id a line."""
    text = json.dumps(dict(sorted(expected.items())), indent=1, sort_keys=False)
    Path(path).write_text(text + "\n", encoding="utf-8")
