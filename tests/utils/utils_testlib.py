"""Helpers shared by the ngclab.utils tests."""
from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, settings

# few examples and fixed array shapes keep jit retracing (and the suite) fast on 2 cores;
# applied per test, so other suites' hypothesis settings are untouched
HSET = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def close(actual, expected, atol: float = 1e-5, rtol: float = 1e-6) -> None:
    """float32 comparison against reference values (NaN matches NaN)."""
    np.testing.assert_allclose(np.asarray(actual, dtype=np.float64),
                               np.asarray(expected, dtype=np.float64), atol=atol, rtol=rtol)


def arr(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float32)
