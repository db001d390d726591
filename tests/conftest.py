"""Shared fixtures: the ngc-learn tutorial circuit a -> Wab -> b."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))  # so tests can `from tests_helpers import ...`

# Tests run on the CPU with float32, as ngc-learn's reference values were computed.
os.environ.setdefault("JAX_PLATFORMS", "cpu")


from tests_helpers import build_tutorial  # noqa: E402


@pytest.fixture
def tutorial():
    return build_tutorial()
