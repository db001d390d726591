"""nbval: the committed notebooks execute cleanly top to bottom with their defaults
(``pytest --nbval-lax notebooks/``); cells starting with ``# NBVAL_CHECK_OUTPUT`` must reproduce
their committed output exactly. Runs in a subprocess so the main suite keeps its own options."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_nbval_lax_notebooks():
    cmd = [sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:cacheprovider", "-q",
           "--nbval-current-env", "-o", "addopts=", "-o", "testpaths=", str(ROOT / "notebooks")]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
    tail = (proc.stdout + proc.stderr)[-6000:]
    assert proc.returncode == 0, f"nbval failed:\n{tail}"
    assert " passed" in proc.stdout and "failed" not in proc.stdout, tail
