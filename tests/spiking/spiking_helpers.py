"""Helpers of the spiking tests: the ngc-learn reference file and comparisons."""
import functools
import json
import os

import jax.numpy as jnp
import numpy as np

REF = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "reference",
                   "spiking_reference.json")


@functools.lru_cache(maxsize=1)
def spiking_ref() -> dict:
    """tests/reference/spiking_reference.json, written under ngc-learn 3.2.3."""
    with open(REF) as fh:
        return json.load(fh)


def arr(x):
    return jnp.asarray(np.asarray(x, dtype=np.float32))


def assert_close(got, want, what="", atol=1e-5):
    got, want = np.asarray(got, np.float32), np.asarray(want, np.float32)
    assert got.shape == want.shape, f"{what}: shape {got.shape} != {want.shape}"
    np.testing.assert_allclose(got, want, atol=atol, rtol=1e-5, err_msg=what)
