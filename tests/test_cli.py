"""The ``sparsereg compare`` command: results, outputs and bad input."""

import json
import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn.model_selection import KFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import sparsereg as sr
from sparsereg.cli import main
from sparsereg.datasets import load_prostate, make_sparse_regression


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_default_run_is_the_prostate_comparison(capsys):
    code, out, err = _run(capsys, "compare")
    assert code == 0
    assert "prostate" in out
    for name in ("lasso", "enet", "ridge"):
        assert f"[{('lasso', 'enet', 'ridge').index(name) + 1}/3] {name}" in err
        assert any(line.startswith(name) for line in out.splitlines())
    assert "mlp" not in out


def test_json_equals_a_direct_fit(capsys):
    code, out, _ = _run(capsys, "compare", "--json", "--models", "lasso,ridge",
                        "--rule", "1se", "--seed", "3")
    assert code == 0
    result = json.loads(out)
    assert result["rule"] == "1se" and result["cv"] == 5 and result["seed"] == 3
    lasso, ridge = result["models"]
    data = load_prostate()
    X_tr, X_te, y_tr, y_te = train_test_split(data.data, data.target,
                                              test_size=0.25, random_state=3)
    ref = make_pipeline(StandardScaler(), sr.LassoCV(
        cv=KFold(5, shuffle=True, random_state=3), alpha_rule="1se")).fit(X_tr, y_tr)
    assert lasso["alpha"] == pytest.approx(ref[-1].alpha_, rel=1e-12)
    assert lasso["test_score"] == pytest.approx(ref.score(X_te, y_te), rel=1e-10)
    coef = ref[-1].coef_
    assert lasso["n_nonzero"] == np.count_nonzero(coef)
    assert lasso["selected"] == [data.feature_names[j] for j in np.flatnonzero(coef)]
    k = int(np.flatnonzero(np.isclose(ref[-1].cv_results_["param_alpha"],
                                      ref[-1].alpha_))[0])
    assert lasso["cv_error"] == pytest.approx(ref[-1].cv_results_["mean_test_error"][k])
    assert lasso["cv_se"] == pytest.approx(ref[-1].cv_results_["sem_test_error"][k])
    # the coefficients (name -> value, of the standardized features) and the curve
    assert lasso["coef"] == pytest.approx(dict(zip(data.feature_names, coef,
                                                   strict=True)), rel=1e-10)
    curve = lasso["cv_curve"]
    assert len(curve) == len(ref[-1].cv_results_["param_alpha"])
    assert curve[k]["alpha"] == pytest.approx(ref[-1].alpha_, rel=1e-12)
    assert curve[k]["cv_error"] == pytest.approx(lasso["cv_error"], rel=1e-12)
    assert set(ridge["coef"]) == set(data.feature_names)
    # 1-SE ridge: the largest alpha within one s.e. of the best mean error
    assert ridge["n_nonzero"] == ridge["n_features"] == 8
    assert ridge["cv_error"] - ridge["cv_se"] <= lasso["cv_error"] + lasso["cv_se"]


def test_one_se_rule_is_at_least_as_sparse(capsys):
    _, out_min, _ = _run(capsys, "compare", "--json", "--models", "lasso")
    _, out_1se, _ = _run(capsys, "compare", "--json", "--models", "lasso",
                         "--rule", "1se")
    m, s = json.loads(out_min)["models"][0], json.loads(out_1se)["models"][0]
    assert s["alpha"] >= m["alpha"] and s["n_nonzero"] <= m["n_nonzero"]


def test_csv_with_a_sparse_truth(tmp_path, capsys):
    X, y, coef = make_sparse_regression(500, 10, 3, noise=0.3, random_state=0)
    names = [f"feat{j}" for j in range(10)]
    path = tmp_path / "data.csv"
    rows = ["target," + ",".join(names)]
    rows += [f"{t}," + ",".join(map(str, x)) for t, x in zip(y, X, strict=True)]
    path.write_text("\n".join(rows) + "\n")
    code, out, _ = _run(capsys, "compare", "--csv", str(path), "--target", "target",
                        "--json", "--rule", "1se", "--models", "lasso,mlp")
    assert code == 0
    lasso, mlp = json.loads(out)["models"]
    assert set(lasso["selected"]) == {names[j] for j in np.flatnonzero(coef)}
    assert lasso["test_score"] > 0.9
    assert mlp["model"] == "mlp" and mlp["selected"] is None and mlp["coef"] is None
    assert [p["alpha"] for p in mlp["cv_curve"]] == [0.1, 1.0, 10.0]
    best = min(mlp["cv_curve"], key=lambda p: p["cv_error"])
    assert best["alpha"] == mlp["alpha"] and best["cv_error"] == mlp["cv_error"]
    assert mlp["test_score"] > 0.8


def test_plot_is_written(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    out_png = tmp_path / "cmp.png"
    code, _, err = _run(capsys, "compare", "--models", "lasso,ridge", "--plot",
                        str(out_png))
    assert code == 0 and out_png.stat().st_size > 10_000
    assert "plot written" in err


BAD_CSVS = [
    ("", "empty"),
    ("a,b,lpsa\n", "at least 10"),
    ("a,b,y\n" + "1,2,3\n" * 12, "not a column"),
    ("a,b,lpsa\n" + "1,x,3\n" * 12, "not numeric"),
    ("a,b,lpsa\n" + "1,,3\n" * 12, "missing value"),
    ("a,b,lpsa\n" + "1,nan,3\n" * 12, "missing value"),
    ("a,b,lpsa\n" + "1,inf,3\n" * 12, "finite"),
    ("a,b,lpsa\n" + "1,2\n" * 12, "fields"),
    ("lpsa\n" + "1\n" * 12, "no feature columns"),
    ("a,a,lpsa\n" + "1,2,3\n" * 12, "'a' more than once"),
    ("a,,lpsa\n" + "1,2,3\n" * 12, "column 2 of the header has no name"),
]


@pytest.mark.parametrize("content,message", BAD_CSVS)
def test_bad_csv_is_one_line_and_exit_2(tmp_path, capsys, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    code, out, err = _run(capsys, "compare", "--csv", str(path), "--target", "lpsa")
    lines = [line for line in err.splitlines() if line.startswith("sparsereg")]
    assert code == 2 and out == ""
    assert len(lines) == 1 and "error" in lines[0] and message in lines[0]
    assert "Traceback" not in err


@pytest.mark.parametrize("argv,message", [
    (["--csv", "/nonexistent/file.csv", "--target", "y"], "no such file"),
    (["--csv", "data.csv"], "--target is required"),
    (["--target", "age"], "--target needs --csv"),
    (["--models", "lasso,svm"], "unknown"),
    (["--cv", "1"], "--cv"),
    (["--test-size", "1.5"], "--test-size"),
])
def test_bad_options(capsys, argv, message):
    code, out, err = _run(capsys, "compare", *argv)
    assert code == 2 and message in err and "Traceback" not in err


def test_argparse_errors_exit_2():
    with pytest.raises(SystemExit) as info:
        main(["compare", "--rule", "max"])
    assert info.value.code == 2


def test_python_dash_m(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        proc = subprocess.run([sys.executable, "-m", "sparsereg", "compare", "--json",
                               "--models", "lasso"], capture_output=True, text=True,
                              check=False, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["models"][0]["model"] == "lasso"


def test_console_script_is_declared():
    from importlib.metadata import entry_points

    scripts = {ep.name: ep.value for ep in entry_points(group="console_scripts")}
    assert scripts.get("sparsereg") == "sparsereg.cli:main"


def test_class_labels_are_classified_by_the_mlp(tmp_path, capsys):
    X, y, _ = make_sparse_regression(300, 6, 2, noise=0.1, random_state=0)
    labels = np.where(y > np.median(y), "high", "low")
    path = tmp_path / "labels.csv"
    lines = ["a,b,c,d,e,f,kind"] + [",".join(map(str, x)) + f",{t}"
                                    for x, t in zip(X, labels, strict=True)]
    path.write_text("\n".join(lines) + "\n")
    code, out, _ = _run(capsys, "compare", "--csv", str(path), "--target", "kind",
                        "--json")
    assert code == 0
    (mlp,) = json.loads(out)["models"]
    assert mlp["model"] == "mlp" and mlp["test_metric"] == "accuracy"
    assert mlp["cv_metric"] == "misclassification rate"
    assert mlp["test_score"] > 0.85 and 0.0 <= mlp["cv_error"] < 0.2
    code, out, err = _run(capsys, "compare", "--csv", str(path), "--target", "kind",
                          "--models", "lasso")
    assert code == 2 and "regression models" in err
    single = tmp_path / "single.csv"
    single.write_text("a,kind\n" + "1,x\n" * 12)
    code, _, err = _run(capsys, "compare", "--csv", str(single), "--target", "kind")
    assert code == 2 and "single class" in err


def test_pandas_index_column_is_dropped_with_a_note(tmp_path, capsys):
    """DataFrame.to_csv() writes the index as an unnamed first column: it is not a
    feature (the run equals the one on the file without it), and stderr says so."""
    pd = pytest.importorskip("pandas")
    X, y, _ = make_sparse_regression(60, 4, 2, noise=0.3, random_state=1)
    frame = pd.DataFrame(X, columns=["u", "v", "w", "z"]).assign(t=y)
    with_index, without = tmp_path / "with.csv", tmp_path / "without.csv"
    frame.to_csv(with_index)
    frame.to_csv(without, index=False)
    runs = []
    for path in (with_index, without):
        code, out, err = _run(capsys, "compare", "--csv", str(path), "--target", "t",
                              "--json", "--models", "lasso")
        assert code == 0
        runs.append((json.loads(out)["models"][0], err))
    (indexed, note), (plain, no_note) = runs
    assert "dropped the unnamed first column" in note and "dropped" not in no_note
    assert indexed["selected"] == plain["selected"]
    assert indexed["test_score"] == pytest.approx(plain["test_score"], rel=1e-12)


def test_latin1_file_is_one_line_naming_the_line_and_the_encoding(tmp_path, capsys):
    path = tmp_path / "latin1.csv"
    # line 7 holds "é" in Latin-1 (one byte, 0xe9), which is not UTF-8
    path.write_bytes(b"a,b,lpsa\n" + b"1,2,3\n" * 5 + b"1,2,\xe9\n" + b"1,2,3\n" * 6)
    code, out, err = _run(capsys, "compare", "--csv", str(path), "--target", "lpsa")
    lines = [line for line in err.splitlines() if line.startswith("sparsereg")]
    assert code == 2 and out == "" and "Traceback" not in err
    assert len(lines) == 1 and "line 7: byte 0xe9 is not UTF-8" in lines[0]
    assert "save the file as UTF-8" in lines[0]


@pytest.mark.parametrize("plot,message", [
    ("/nonexistent/dir/x.png", "no folder"),
    ("{tmp}/x.unknownext", "unknown file type"),
])
def test_bad_plot_fails_before_any_fit(tmp_path, capsys, monkeypatch, plot, message):
    """--plot is checked before the CV runs (which would otherwise be lost)."""
    pytest.importorskip("matplotlib")
    import sparsereg.cli as cli

    def no_fit(*args, **kwargs):
        raise AssertionError("a model was built before --plot was checked")

    monkeypatch.setattr(cli, "make_model", no_fit)
    code, out, err = _run(capsys, "compare", "--models", "lasso",
                          "--plot", plot.format(tmp=tmp_path))
    assert code == 2 and out == "" and message in err and "Traceback" not in err


def test_plot_only_of_an_mlp_is_refused_before_fitting(capsys, monkeypatch):
    pytest.importorskip("matplotlib")
    import sparsereg.cli as cli

    monkeypatch.setattr(cli, "make_model", lambda *a, **k: 1 / 0)
    code, out, err = _run(capsys, "compare", "--models", "mlp", "--plot", "x.png")
    assert code == 2 and "draws the linear models" in err


def test_table_is_printed_before_a_failing_plot_write(tmp_path, capsys, monkeypatch):
    pytest.importorskip("matplotlib")
    import sparsereg.cli as cli

    def fail(path, fitted, names):
        raise cli.UsageError(f"cannot write {path}: disk full")

    monkeypatch.setattr(cli, "write_plot", fail)
    code, out, err = _run(capsys, "compare", "--models", "lasso",
                          "--plot", str(tmp_path / "x.png"))
    assert code == 2 and "disk full" in err
    assert "lasso" in out  # the results came first


def test_grid_edge_choices_are_footnoted(tmp_path, capsys):
    """A target of pure noise: ridge picks the top of its grid (1e4), which a note
    under the table says; the notes are in the JSON too."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((80, 5))
    y = rng.standard_normal(80)
    path = tmp_path / "noise.csv"
    rows = ["a,b,c,d,e,t"] + [",".join(map(str, [*x, t])) for x, t in zip(X, y,
                                                                          strict=True)]
    path.write_text("\n".join(rows) + "\n")
    code, out, _ = _run(capsys, "compare", "--csv", str(path), "--target", "t",
                        "--models", "ridge")
    assert code == 0
    assert "Notes:" in out and "ridge: The chosen alpha (1e+04) is the largest" in out
    code, out, _ = _run(capsys, "compare", "--csv", str(path), "--target", "t",
                        "--models", "ridge", "--json")
    (ridge,) = json.loads(out)["models"]
    assert len(ridge["notes"]) == 1 and "largest of the grid" in ridge["notes"][0]


def test_no_notes_when_no_choice_is_on_an_edge(capsys):
    code, out, _ = _run(capsys, "compare", "--models", "lasso,ridge")
    assert code == 0 and "Notes:" not in out


def test_plot_shows_the_one_se_refit_the_table_reports(tmp_path, capsys, monkeypatch):
    """--rule 1se: the ridge panel marks the refit's alpha (the table's), and the
    elastic-net panel names the l1_ratio drawn."""
    figure = pytest.importorskip("matplotlib.figure")
    saved = []
    monkeypatch.setattr(figure.Figure, "savefig",
                        lambda fig, *a, **k: saved.append(fig))
    code, out, _ = _run(capsys, "compare", "--models", "enet,ridge", "--rule", "1se",
                        "--json", "--plot", str(tmp_path / "x.png"))
    assert code == 0
    enet, ridge = json.loads(out)["models"]
    enet_ax, ridge_ax = saved[0].axes[:2]  # (then the comparison, the twins)
    refit = [line for line in ridge_ax.lines if line.get_linestyle() == "-."]
    assert len(refit) == 1
    assert float(refit[0].get_xdata()[0]) == pytest.approx(ridge["alpha"], rel=1e-12)
    assert enet_ax.get_title() == f"enet: CV error, l1_ratio {enet['l1_ratio']:g}"


def test_first_compilation_is_announced_once(capsys, monkeypatch):
    """When a kernel misses numba's on-disk cache (the first run after installing)
    the command says that it compiles, once, before the models' progress."""
    import sparsereg._jit as jit
    import sparsereg.cli as cli

    real = cli.make_model

    def cold(*args, **kwargs):  # two kernels miss the cache
        jit._compiling()
        jit._compiling()
        return real(*args, **kwargs)

    monkeypatch.setattr(cli, "make_model", cold)
    code, _, err = _run(capsys, "compare", "--models", "lasso,ridge")
    assert code == 0 and err.count("compiling the solvers") == 1
    assert err.index("compiling") < err.index("lasso: done")
    monkeypatch.setattr(cli, "make_model", real)
    code, _, err = _run(capsys, "compare", "--models", "lasso")
    assert code == 0 and "compiling" not in err  # warm: the kernels load
    assert not jit._on_compile


def test_safe_cache_reports_a_miss():
    import sparsereg._jit as jit

    calls = []

    class Miss:
        def load_overload(self, sig, ctx):
            return None

    cache = jit._SafeCache(Miss())
    with jit.announce_compilation(lambda: calls.append(1)):
        assert cache.load_overload(None, None) is None
        assert cache.load_overload(None, None) is None
    assert calls == [1]
    with jit.announce_compilation(lambda: calls.append(2)):
        pass  # no miss: nothing said, and nothing left registered
    assert calls == [1] and not jit._on_compile


def test_features_and_drop_choose_the_columns(capsys):
    """--features keeps the named columns (in that order), --drop removes them; the
    run equals one on the data without the others."""
    code, out, _ = _run(capsys, "compare", "--models", "lasso", "--json",
                        "--features", "svi,lcavol,lweight")
    assert code == 0 and json.loads(out)["features"] == ["svi", "lcavol", "lweight"]
    code, out, _ = _run(capsys, "compare", "--models", "lasso", "--json",
                        "--drop", "gleason, pgg45")
    result = json.loads(out)
    names = load_prostate().feature_names
    assert result["features"] == [n for n in names if n not in ("gleason", "pgg45")]
    assert set(result["models"][0]["coef"]) == set(result["features"])


@pytest.mark.parametrize("argv,message", [
    (["--features", "lcavol,nope"], "no feature column 'nope'"),
    (["--drop", "lpsa"], "no feature column 'lpsa'"),
    (["--features", "lcavol", "--drop", "svi"], "not both"),
    (["--drop", "lcavol,lweight,age,lbph,svi,lcp,gleason,pgg45"], "leaves no"),
])
def test_bad_column_choices_are_one_line(capsys, argv, message):
    code, out, err = _run(capsys, "compare", *argv)
    assert code == 2 and out == "" and message in err and "Traceback" not in err


def test_categorical_auto_one_hot_encodes_text_columns(tmp_path, capsys):
    """A text column is refused by default (pointing at --categorical auto); with
    it, each category becomes a standardized 0/1 column: the lasso keeps the
    category that moves y and names it <column>_<category>."""
    rng = np.random.default_rng(0)
    n = 200
    colour = rng.choice(["red", "green", "blue"], n)
    x = rng.standard_normal((n, 2))
    y = 2.0 * x[:, 0] + 3.0 * (colour == "red") + 0.1 * rng.standard_normal(n)
    path = tmp_path / "mixed.csv"
    lines = ["a,colour,b,y"] + [f"{u},{c},{v},{t}" for (u, v), c, t in
                                zip(x, colour, y, strict=True)]
    path.write_text("\n".join(lines) + "\n")
    code, _, err = _run(capsys, "compare", "--csv", str(path), "--target", "y")
    assert code == 2 and "--categorical auto" in err
    code, out, _ = _run(capsys, "compare", "--csv", str(path), "--target", "y",
                        "--categorical", "auto", "--models", "lasso,ridge", "--json",
                        "--rule", "1se")
    assert code == 0
    result = json.loads(out)
    assert sorted(result["features"]) == sorted(
        ["colour_blue", "colour_green", "colour_red", "a", "b"])
    lasso, ridge = result["models"]
    assert {"colour_red", "a"} <= set(lasso["selected"])
    assert lasso["test_score"] > 0.95 and ridge["test_score"] > 0.95
    assert abs(lasso["coef"]["colour_red"]) > abs(lasso["coef"]["colour_green"])
    code, out, _ = _run(capsys, "compare", "--csv", str(path), "--target", "y",
                        "--categorical", "auto", "--drop", "colour", "--json",
                        "--models", "lasso")
    assert code == 0 and json.loads(out)["features"] == ["a", "b"]
