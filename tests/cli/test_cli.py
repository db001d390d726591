"""The ``ngclab`` command: lab, run, regress, bench, --version (tiny notebooks, no course runs)."""
import io
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import ngclab
from ngclab import cli, regression

ROOT = Path(__file__).resolve().parents[2]


def tiny_notebook(path: Path, body: str = "ngclab.record('y', 2 * x)") -> Path:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("x = 1.5\nlabel = 'a'")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_code_cell("import ngclab"), params, nbformat.v4.new_code_cell(body)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def run_main(argv, capsys):
    code = cli.main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_version_from_the_command_line():
    proc = subprocess.run([sys.executable, "-m", "ngclab.cli", "--version"], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"ngclab {ngclab.__version__}"


def test_no_command_prints_help(capsys):
    code, out, _ = run_main([], capsys)
    assert code == 2 and "lab" in out and "regress" in out and "bench" in out


def test_parse_value_types():
    assert cli.parse_value("3") == 3 and isinstance(cli.parse_value("3"), int)
    assert cli.parse_value("0.5") == 0.5
    assert cli.parse_value("True") is True and cli.parse_value("None") is None
    assert cli.parse_value("[1, 2]") == [1, 2]
    assert cli.parse_value("euler") == "euler"


def test_run_missing_notebook_is_a_clear_error(capsys):
    code, _, err = run_main(["run", "no_such_lesson"], capsys)
    assert code == 2
    assert "notebook 'no_such_lesson' not found" in err
    assert "01_quickstart.ipynb" in err  # lists the course


def test_run_unknown_parameter_names_it_and_the_valid_ones(tmp_path, capsys):
    nb = tiny_notebook(tmp_path / "t.ipynb")
    code, _, err = run_main(["run", str(nb), "-p", "z", "1"], capsys)
    assert code == 2
    assert "has no parameter 'z'" in err and "x (default 1.5)" in err and "label" in err


def test_run_executes_with_parameters_and_prints_records(tmp_path, capsys):
    nb = tiny_notebook(tmp_path / "t.ipynb")
    out_nb = tmp_path / "out.ipynb"
    code, out, _ = run_main(["run", str(nb), "-p", "x", "4", "-o", str(out_nb), "-q"], capsys)
    assert code == 0, out
    assert "y = 8" in out  # 2 * x with x = 4
    assert ngclab.record.__module__ == "ngclab.record"
    from ngclab.record import read_records
    assert read_records(out_nb) == {"y": 8}


def test_run_reports_a_failing_cell(tmp_path, capsys):
    nb = tiny_notebook(tmp_path / "bad.ipynb", body="raise ValueError('broken lesson')")
    code, _, err = run_main(["run", str(nb), "-o", str(tmp_path / "o.ipynb"), "-q"], capsys)
    assert code == 1 and "ValueError: broken lesson" in err


def test_resolve_course_notebooks_by_number():
    assert cli.resolve_notebook("02").name == "02_rate_cell.ipynb"
    assert cli.resolve_notebook("01_quickstart").name == "01_quickstart.ipynb"


def test_course_dir_in_a_source_checkout():
    assert cli.course_dir() == ROOT / "notebooks"


def test_course_dir_copies_the_bundled_course(tmp_path, monkeypatch):
    pkg = tmp_path / "site" / "ngclab"
    (pkg / "course" / "notebooks").mkdir(parents=True)
    tiny_notebook(pkg / "course" / "notebooks" / "01_x.ipynb")
    monkeypatch.setattr(cli, "SOURCE_ROOT", tmp_path / "site")   # no notebooks/ there
    monkeypatch.setattr(cli, "PACKAGE_DIR", pkg)
    work = tmp_path / "work"
    work.mkdir()
    got = cli.course_dir(cwd=work)
    assert got == work / "ngclab-course" and (got / "01_x.ipynb").is_file()
    assert cli.course_dir(cwd=work) == got  # a second call reuses the copy


def test_course_dir_without_any_course_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "SOURCE_ROOT", tmp_path)
    monkeypatch.setattr(cli, "PACKAGE_DIR", tmp_path / "ngclab")
    with pytest.raises(cli.CLIError, match="no course notebooks found"):
        cli.course_dir(cwd=tmp_path)


@pytest.mark.parametrize("uid", [1000, 0])
def test_lab_starts_jupyterlab_on_the_notebooks(monkeypatch, capsys, uid):
    calls = []
    monkeypatch.setattr(cli.subprocess, "call", lambda cmd, **kw: calls.append(cmd) or 0)
    monkeypatch.setattr(cli.os, "geteuid", lambda: uid)
    code, out, _ = run_main(["lab", "--port", "8899", "--no-browser"], capsys)
    assert code == 0
    cmd = calls[0]
    assert cmd[:3] == [sys.executable, "-m", "jupyterlab"]
    assert f"--ServerApp.root_dir={ROOT / 'notebooks'}" in cmd
    extra = ["--port", "8899", "--no-browser"]
    # as root, Jupyter refuses to start unless told --allow-root
    assert cmd[-4:] == extra + ["--allow-root"] if uid == 0 else cmd[-3:] == extra


def test_bench_without_a_checkout_is_a_clear_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli, "SOURCE_ROOT", tmp_path)
    code, _, err = run_main(["bench", "--quick"], capsys)
    assert code == 2 and "bench/run_all.py not found" in err and "source checkout" in err


def test_bench_runs_run_all_with_quick(tmp_path, monkeypatch, capsys):
    (tmp_path / "bench").mkdir()
    (tmp_path / "bench" / "run_all.py").write_text("")
    monkeypatch.setattr(cli, "SOURCE_ROOT", tmp_path)
    calls = []
    monkeypatch.setattr(cli.subprocess, "call", lambda cmd, **kw: calls.append((cmd, kw)) or 0)
    code, _, _ = run_main(["bench", "--quick"], capsys)
    assert code == 0
    assert calls[0][0] == [sys.executable, str(tmp_path / "bench" / "run_all.py"), "--quick"]


def test_compare_value_tolerances():
    assert regression.compare_value(1.0001, 1.0, atol=1e-3, rtol=0) == (True, pytest.approx(1e-4))
    assert regression.compare_value(1.01, 1.0, atol=1e-3, rtol=0)[0] is False
    assert regression.compare_value([1.0, 2.0], [1.0, 2.1], atol=0, rtol=0.1)[0] is True
    assert regression.compare_value([1.0], [1.0, 2.0], 1, 1)[0] is False      # shapes differ
    assert regression.compare_value("EditError", "EditError", 0, 0) == (True, None)
    assert regression.compare_value(True, False, 1, 1)[0] is False


def test_regress_table_failure_message_and_update(tmp_path, monkeypatch):
    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    tiny_notebook(nbdir / "01_t.ipynb")
    goldens = tmp_path / "goldens.json"
    goldens.write_text(json.dumps({"01_t.ipynb": {"parameters": {"x": 2.0},
                                                   "values": {"y": {"value": 4.5, "atol": 0.1, "rtol": 0}}}}))
    monkeypatch.setattr(cli, "goldens_path", lambda: goldens)
    monkeypatch.setattr(cli, "source_notebooks", lambda: nbdir)
    out = io.StringIO()
    assert cli.regress(out=out) == 1               # y = 4.0 recorded, golden 4.5
    text = out.getvalue()
    assert "FAIL 01_t.ipynb: y: differs; golden=4.5 got=4.0 difference=0.5" in text
    assert text.splitlines()[1].split()[:2] == ["notebook", "value"]
    out = io.StringIO()
    assert cli.regress(update=True, out=out) == 0   # the only way goldens change
    saved = json.loads(goldens.read_text())["01_t.ipynb"]
    assert saved["values"]["y"] == {"value": 4.0, "atol": 0.1, "rtol": 0}   # tolerance kept
    assert saved["parameters"] == {"x": 2.0}
    out = io.StringIO()
    assert cli.regress(out=out) == 0 and "1 of 1 values match" in out.getvalue()
