"""The gallery: every example script runs on its own, writes its figure, and prints
the numbers its docstring quotes.

Each ``examples/plot_*.py`` (and ``demo_*.py``) runs once, in a subprocess, with
the figure path as its argument; the key numbers of the ESL, CV and grid-search
examples are then parsed from their output.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SCRIPTS = sorted([*EXAMPLES.glob("plot_*.py"), *EXAMPLES.glob("demo_*.py")])
TIMEOUT = 300  # seconds per script
MIN_PNG_BYTES = 10_000

NUMBER = r"-?\d+\.\d+"
ESL_LS = [2.465, 0.680, 0.263, -0.141, 0.210, 0.305, -0.288, -0.021, 0.267]
ESL_RIDGE = [0.420, 0.238, -0.046, 0.162, 0.227, 0.000, 0.040, 0.133]
PROSTATE_TERMS = ["intercept", "lcavol", "lweight", "age", "lbph", "svi", "lcp",
                  "gleason", "pgg45", "test error"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """``run(name)``: (stdout, figure path) of ``examples/<name>``, run once."""
    cache = {}

    def _run(name):
        if name not in cache:
            script = EXAMPLES / name
            assert script.is_file(), f"{script} is missing"
            workdir = tmp_path_factory.mktemp(script.stem)
            output = workdir / f"{script.stem}.png"
            # this checkout's sparsereg first, the figure written to a tmp dir
            path = os.pathsep.join(filter(None, [str(ROOT),
                                                 os.environ.get("PYTHONPATH")]))
            proc = subprocess.run(
                [sys.executable, str(script), str(output)], cwd=workdir,
                env={**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": path},
                capture_output=True, text=True, timeout=TIMEOUT,
            )
            assert proc.returncode == 0, (
                f"{name} exited with {proc.returncode}\n--- stdout\n{proc.stdout}\n"
                f"--- stderr\n{proc.stderr}"
            )
            cache[name] = proc.stdout, output
        return cache[name]

    return _run


def test_examples_are_found():
    names = {script.name for script in SCRIPTS}
    assert {"plot_solvers.py", "plot_prostate_esl.py", "plot_lasso_cv.py"} <= names


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.name for s in SCRIPTS])
def test_example_runs(run, script):
    stdout, output = run(script.name)
    assert stdout.strip(), f"{script.name} printed nothing"
    if script.name.startswith("plot_"):  # demo_ scripts only print
        assert output.is_file(), f"{script.name} did not write {output}"
        assert output.stat().st_size > MIN_PNG_BYTES
        assert output.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _floats(text):
    return [float(x) for x in re.findall(NUMBER, text)]


def test_prostate_reproduces_esl_table_3_3(run):
    stdout, _ = run("plot_prostate_esl.py")
    # rows "<term>  LS ESL  ridge ESL  lasso ESL", every number with 3 decimals
    table = {}
    for line in stdout.splitlines():
        match = re.fullmatch(rf"\s*([a-z0-9 ]+?)((?:\s+{NUMBER}){{6}})\s*", line)
        if match and match.group(1) in PROSTATE_TERMS:
            table[match.group(1)] = _floats(match.group(2))
    assert list(table) == PROSTATE_TERMS, stdout
    ls = [table[term][0] for term in PROSTATE_TERMS]
    ridge = [table[term][2] for term in PROSTATE_TERMS]
    lasso = [table[term][4] for term in PROSTATE_TERMS]
    assert ls[:9] == pytest.approx(ESL_LS, abs=1e-9)  # to 3 decimals, as printed
    assert ls[9] == pytest.approx(0.521, abs=1e-9)
    assert ridge[1:9] == pytest.approx(ESL_RIDGE, abs=3e-3)
    assert ridge[9] == pytest.approx(0.492, abs=3e-3)
    assert lasso[1] == pytest.approx(0.533, abs=3e-3)  # lcavol, ESL's value
    assert [name for name, c in zip(PROSTATE_TERMS[1:9], lasso[1:9], strict=True)
            if c != 0] == ["lcavol", "lweight", "svi"]
    s = re.search(rf"s = ({NUMBER})\)", stdout)
    assert s and float(s.group(1)) == pytest.approx(0.36, abs=1e-4)


def test_lasso_cv_one_standard_error_rule(run):
    stdout, _ = run("plot_lasso_cv.py")
    found = {rule: (float(a), int(n), float(r2)) for rule, a, n, r2 in re.findall(
        rf"alpha_(min|1se)_ = ({NUMBER}) \((\d+) nonzero, test R\^2 = ({NUMBER})",
        stdout)}
    assert set(found) == {"min", "1se"}, stdout
    (alpha_min, n_min, r2_min), (alpha_1se, n_1se, r2_1se) = found["min"], found["1se"]
    assert alpha_1se > alpha_min and n_1se < n_min  # larger alpha, sparser
    assert r2_min > 0.3 and r2_1se > r2_min - 0.05  # and nearly as accurate


def test_grid_search_agrees_with_lasso_cv(run):
    stdout, _ = run("plot_grid_search.py")
    grid = re.search(rf"GridSearchCV\(Lasso\) alpha = ({NUMBER})", stdout)
    path = re.search(rf"LassoCV alpha_ = ({NUMBER})", stdout)
    assert grid and path, stdout
    assert float(grid.group(1)) == float(path.group(1))
    assert "same alpha: True" in stdout


def test_sparsity_comparison_support_recovery(run):
    stdout, _ = run("plot_sparsity_comparison.py")
    # report rows: n_nonzero, l1_norm, precision, recall, f1, coef_error
    rows = {line.split()[0]: line.split()[-6:] for line in stdout.splitlines()
            if line.startswith(("LassoCV ", "RidgeCV "))}
    assert set(rows) == {"LassoCV", "RidgeCV"}, stdout
    lasso, ridge = rows["LassoCV"], rows["RidgeCV"]
    assert float(lasso[3]) == 1.0 and int(ridge[0]) == 50  # recall; ridge is dense
    assert int(lasso[0]) < int(ridge[0])


def test_sparsity_workflow_reports_and_a_stable_set(run):
    """The workflow example: the lasso is the sparsest of the three, the ridge is
    dense, and the stable set holds the features every diabetes lasso keeps."""
    stdout, _ = run("plot_sparsity_workflow.py")
    rows = {line.split()[0]: line.split()[1:] for line in stdout.splitlines()
            if line.startswith(("lasso ", "enet ", "ridge "))}
    assert set(rows) == {"lasso", "enet", "ridge"}, stdout
    assert int(rows["lasso"][0]) <= int(rows["enet"][0]) < int(rows["ridge"][0]) == 10
    stable = re.search(r"stable set \(lasso, threshold 0\.6\): (.+)", stdout)
    assert stable and {"bmi", "bp", "s5"} <= set(stable.group(1).split(", "))
