"""Fixtures of the ngclab.utils tests.

``ref`` is tests/reference/utils_reference.json: outputs of ngc-learn 3.2.3 computed by
tests/reference/utils_reference.py (run with ngclearn==3.2.3) for inputs stored in the
same file.
"""
from __future__ import annotations

import json
import pathlib

import pytest

REF_PATH = pathlib.Path(__file__).resolve().parents[1] / "reference" / "utils_reference.json"


@pytest.fixture(scope="session")
def ref() -> dict:
    with open(REF_PATH) as fd:
        return json.load(fd)
