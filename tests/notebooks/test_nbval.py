"""nbval: the committed notebooks execute cleanly top to bottom with their defaults
(``pytest --nbval-lax notebooks/<name>.ipynb``); cells starting with ``# NBVAL_CHECK_OUTPUT`` must
reproduce their committed output exactly. One notebook per test, each in a subprocess (so the main
suite keeps its own options and the notebooks spread over the suite's workers)."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(p.relative_to(ROOT).as_posix()
                   for p in [*ROOT.glob("notebooks/*.ipynb"), *ROOT.glob("notebooks/demos/*.ipynb")])


def test_the_course_and_its_demos_are_all_checked():
    assert len([n for n in NOTEBOOKS if "/demos/" not in n]) >= 15
    assert any("/demos/" in n for n in NOTEBOOKS)


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_nbval_lax(notebook):
    cmd = [sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:cacheprovider", "-q",
           "--nbval-current-env", "-o", "addopts=", "-o", "testpaths=", str(ROOT / notebook)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
    tail = (proc.stdout + proc.stderr)[-6000:]
    assert proc.returncode == 0, f"nbval failed on {notebook}:\n{tail}"
    assert " passed" in proc.stdout and "failed" not in proc.stdout, tail
