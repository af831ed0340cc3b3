"""Run the conformance tests alone, or refresh the list of expected failures.

From the repository root::

    python -m tests.conformance                 # the run CI makes, alone
    python -m tests.conformance --update        # rewrite this version's list
    python -m tests.conformance --report r.json -k test_ridge

``--update`` runs every conformance test without the list's xfail markers and
rewrites the installed scikit-learn version's section of
``tests/conformance/expected_failures.json``: tests that now pass leave it, tests
that now fail enter it (a reason already written for the same test, under this or
another version, is kept; otherwise the entry gets ``"TODO reason"``, which
``test_conformance_tools.py`` refuses, so a person must write the reason before
the list ships). Any other argument goes to pytest.
"""

import argparse
import sys
from pathlib import Path

import pytest


def main(argv=None):
    """Parse the arguments and run pytest on ``tests/conformance``."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.conformance",
        description="scikit-learn's own tests on sparsereg's estimators.",
        epilog="Other arguments are passed to pytest.")
    parser.add_argument("--update", action="store_true",
                        help="rewrite this scikit-learn version's section of "
                             "expected_failures.json from the run's failures")
    parser.add_argument("--report", metavar="PATH",
                        help="write every test's outcome and bound names as JSON")
    args, rest = parser.parse_known_args(argv)
    here = Path(__file__).resolve().parent
    command = [str(here), "-q", "-p", "no:randomly", *rest]
    if args.update:
        command.append("--conformance-update")
    if args.report:
        command.append(f"--conformance-report={args.report}")
    return int(pytest.main(command))


if __name__ == "__main__":
    sys.exit(main())
