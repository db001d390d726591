"""Hardening helpers: a model fingerprint ("nothing changed") and the session's counters.

Every bad input a test tries goes through ``refused(...)``, which checks that the expected error
is raised, that its message names what was wrong, and that the Context is exactly as it was.
The counts (bad inputs tried, random circuits built and round-tripped) are written to
tests/artifacts/hardening_counts.json at the end of the session.
"""
import json
import os
import re
from collections import Counter

import numpy as np
import pytest

COUNTS: Counter = Counter()
_ARTIFACT = os.path.join(os.path.dirname(__file__), "..", "artifacts", "hardening_counts.json")


def fingerprint(ctx) -> dict:
    """Everything a refused input must leave alone: components, leaves (values bit for bit),
    wires, processes and their steps."""
    return {
        "components": list(ctx.components),
        "types": [type(c).__name__ for c in ctx.components.values()],
        "compartments": list(ctx.compartments),
        "state": {p: (np.asarray(v).dtype.str, np.asarray(v).shape, np.asarray(v).tobytes())
                  for p, v in ctx.state.items()},
        "wires": sorted((dst.path, repr(src)) for src, dst in ctx.wires()),
        "processes": {n: [repr(s) for s in p.steps] for n, p in ctx.processes.items()},
        "layout": json.dumps(ctx.layout, sort_keys=True, default=str),
    }


def assert_unchanged(ctx, before: dict) -> None:
    after = fingerprint(ctx)
    for key in before:
        assert after[key] == before[key], f"{key} changed after a refused input"


def refused(ctx, action, exc, match, kind="bad_input"):
    """Run ``action()``; it must raise ``exc`` with a message matching ``match`` (a regex) and
    leave ``ctx`` unchanged. Returns the exception."""
    before = fingerprint(ctx)
    COUNTS[kind] += 1
    with pytest.raises(exc) as info:
        action()
    assert re.search(match, str(info.value)), f"message {str(info.value)!r} lacks {match!r}"
    assert_unchanged(ctx, before)
    return info.value


@pytest.fixture(scope="session", autouse=True)
def _write_counts():
    yield
    os.makedirs(os.path.dirname(_ARTIFACT), exist_ok=True)
    with open(_ARTIFACT, "w") as f:
        json.dump(dict(COUNTS), f, indent=1, sort_keys=True)
    print(f"\nhardening counts: {dict(COUNTS)}")


class _Helpers:
    counts = COUNTS
    refused = staticmethod(refused)
    fingerprint = staticmethod(fingerprint)
    assert_unchanged = staticmethod(assert_unchanged)


@pytest.fixture
def hz():
    """The helpers above, for the test modules (conftest is not importable by name)."""
    return _Helpers
