"""nbval: the committed notebooks execute cleanly top to bottom with their defaults
(``pytest --nbval-lax notebooks/<name>.ipynb``); cells starting with ``# NBVAL_CHECK_OUTPUT`` must
reproduce their committed output exactly. One notebook per test, each in a subprocess (so the main
suite keeps its own options and the notebooks spread over the suite's workers).

The lesson demos (notebooks/demos/) are not run here: each is a lesson's cells tagged for its lab
(tests/lab/test_demos.py checks they are what the sources make), which run here within their
lesson, and tests/browser/test_demos_browser.py executes every demo on its own in JupyterLab (with
its lesson's regression parameters) and fails on any cell that raised or did not run (no demo has
a cell with an exact output check)."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(p.relative_to(ROOT).as_posix() for p in ROOT.glob("notebooks/*.ipynb"))
CHECK = "# NBVAL_CHECK_OUTPUT"


def test_the_course_is_all_checked():
    assert len(NOTEBOOKS) >= 15
    # the demos have nothing for nbval to compare: no cell checks its output exactly
    for demo in ROOT.glob("notebooks/demos/*.ipynb"):
        cells = json.loads(demo.read_text())["cells"]
        assert not any("".join(c["source"]).lstrip().startswith(CHECK) for c in cells), demo


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_nbval_lax(notebook):
    cmd = [sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:cacheprovider", "-q",
           "--nbval-current-env", "-o", "addopts=", "-o", "testpaths=", str(ROOT / notebook)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
    tail = (proc.stdout + proc.stderr)[-6000:]
    assert proc.returncode == 0, f"nbval failed on {notebook}:\n{tail}"
    assert " passed" in proc.stdout and "failed" not in proc.stdout, tail
