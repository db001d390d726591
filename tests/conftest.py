"""Shared fixtures: the ngc-learn tutorial circuit a -> Wab -> b."""
import os

import pytest

# Tests run on the CPU with float32, as ngc-learn's reference values were computed.
os.environ.setdefault("JAX_PLATFORMS", "cpu")

from tests.helpers import build_tutorial  # noqa: E402  (after JAX_PLATFORMS, before jax starts)


@pytest.fixture
def tutorial():
    return build_tutorial()
