"""Helpers shared by the test folders: ``from tests.helpers import ...``.

* ``build_tutorial``: ngc-learn's tutorial circuit a -> Wab -> b;
* ``reference(name)``: tests/reference/<name>_reference.json, numbers computed under ngc-learn 3.2.3;
* ``arr`` (a float32 jax array) and ``np_arr`` (a float32 numpy array) from reference values;
* ``assert_close``: float32, same shape, atol 1e-5 (the comparison against reference files);
* ``close``: float64 ``assert_allclose`` (NaN matches NaN, shapes broadcast), as the utils tests use;
* ``HSET``: hypothesis settings for tests that retrace jit-compiled functions.

A test folder's own helpers live in a module beside its tests (e.g. tests/lab/lab_helpers.py) and
import these from here rather than copying them.
"""
from __future__ import annotations

import functools

import numpy as np
from hypothesis import HealthCheck, settings

# few examples and fixed array shapes keep jit retracing (and the suite) fast on 2 cores;
# applied per test (``@HSET``), so other tests' hypothesis settings are untouched
HSET = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def build_tutorial(name: str = "model", n_units: int = 1):
    """a (RateCell, tau_m=0) -> Wab (HebbianSynapse, weights 1) -> b (RateCell, tau_m=20)."""
    from ngclab import Context, MethodProcess
    from ngclab.components import HebbianSynapse, RateCell
    from ngclab.utils.distribution_generator import DistributionGenerator

    with Context(name) as ctx:
        a = RateCell("a", n_units=n_units, tau_m=0., act_fx="identity")
        Wab = HebbianSynapse("Wab", shape=(n_units, n_units),
                             weight_init=DistributionGenerator.constant(value=1.))
        b = RateCell("b", n_units=n_units, tau_m=20., act_fx="identity")
        a.zF >> Wab.inputs
        Wab.outputs >> b.j
        advance = MethodProcess("advance") >> a.advance_state >> Wab.advance_state >> b.advance_state
        reset = MethodProcess("reset") >> a.reset >> Wab.reset >> b.reset
    return ctx, a, Wab, b, advance, reset


def reference(name: str) -> dict:
    """tests/reference/<name>_reference.json, written by <name>_reference.py under ngc-learn
    3.2.3 (read once per test process)."""
    return _reference(name)


@functools.lru_cache(maxsize=None)
def _reference(name: str) -> dict:
    import json
    import os
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference",
                        f"{name}_reference.json")
    with open(path) as fh:
        return json.load(fh)


def arr(x):
    """A float32 jax array from a reference value (nested lists or numbers)."""
    import jax.numpy as jnp
    return jnp.asarray(np.asarray(x, dtype=np.float32))


def np_arr(x) -> np.ndarray:
    """A float32 numpy array from a reference value (nested lists or numbers)."""
    return np.asarray(x, dtype=np.float32)


def assert_close(got, want, what: str = "", atol: float = 1e-5) -> None:
    """Same shape, and equal within atol (and rtol 1e-5) in float32; ``what`` names the value."""
    got, want = np.asarray(got, np.float32), np.asarray(want, np.float32)
    assert got.shape == want.shape, f"{what}: shape {got.shape} != {want.shape}"
    np.testing.assert_allclose(got, want, atol=atol, rtol=1e-5, err_msg=what)


def close(actual, expected, atol: float = 1e-5, rtol: float = 1e-6) -> None:
    """float64 comparison against reference values (NaN matches NaN)."""
    np.testing.assert_allclose(np.asarray(actual, dtype=np.float64),
                               np.asarray(expected, dtype=np.float64), atol=atol, rtol=rtol)
