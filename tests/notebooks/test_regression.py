"""Notebook regression: run every course notebook with papermill (the small parameters kept in
goldens.json) and compare the values it records with ``ngclab.record`` with the golden values.

Goldens come from actual runs and change only through ``ngclab regress --update``.
"""
import json
from pathlib import Path

import pytest

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


@pytest.mark.parametrize("name", NAMES)
def test_notebook_regression(name, tmp_path):
    spec = GOLDENS.get(name, {"parameters": {}, "values": {}})
    records, secs = cli.regress_notebook(name, spec, tmp_path, NOTEBOOKS)
    rows = regression.compare_records(name, records, spec)
    failures = [regression.describe_failure(r) for r in rows if not r["ok"]]
    assert not failures, "\n".join(failures)
    assert records, f"{name} recorded nothing"
