"""Notebook regression: every course notebook, run with the small parameters kept in goldens.json,
records (``ngclab.record``) its golden values.

Goldens come from actual runs and change only through ``ngclab regress --update``. The graded
course (tests/notebooks/test_grading.py) runs every lesson with exactly these parameters as the
teacher's submission, so its records are compared with the goldens there
(``test_the_teachers_run_records_the_golden_values``), one execution per lesson for both checks.
Here: the goldens cover the course, and ``ngclab regress``'s own path (papermill, the notebook's
folder as working directory) gives the golden values on a real lesson.
"""
import json
from pathlib import Path

from ngclab import cli, regression

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
GOLDENS = json.loads((Path(__file__).parent / "goldens.json").read_text())
NAMES = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))


def test_every_notebook_has_goldens():
    missing = [n for n in NAMES if n not in GOLDENS or not GOLDENS[n].get("values")]
    assert not missing, f"notebooks without golden values (run `ngclab regress --update`): {missing}"
    stale = [n for n in GOLDENS if n not in NAMES]
    assert not stale, f"goldens.json names notebooks that do not exist: {stale}"


def test_regress_notebook_runs_a_lesson_with_papermill(tmp_path):
    name = "01_quickstart.ipynb"
    spec = GOLDENS[name]
    records, secs = cli.regress_notebook(name, spec, tmp_path, NOTEBOOKS)
    rows = regression.compare_records(name, records, spec)
    failures = [regression.describe_failure(r) for r in rows if not r["ok"]]
    assert not failures, "\n".join(failures)
    assert records and secs > 0
