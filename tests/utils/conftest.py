"""Fixtures of the ngclab.utils tests.

``ref`` is tests/reference/utils_reference.json: outputs of ngc-learn 3.2.3 computed by
tests/reference/utils_reference.py (run under /opt/ngcref/bin/python) for inputs stored in the
same file.
"""
from __future__ import annotations

import json
import pathlib
import sys

import pytest

# the suite runs with --import-mode=importlib (no sys.path changes); make the shared helper
# module utils_testlib importable from this directory
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

REF_PATH = pathlib.Path(__file__).resolve().parents[1] / "reference" / "utils_reference.json"


@pytest.fixture(scope="session")
def ref() -> dict:
    with open(REF_PATH) as fd:
        return json.load(fd)
