"""Helpers of the conv tests: the ngc-learn reference file, comparisons, reference maths."""
import functools
import json
import os

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

REF = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "reference",
                   "conv_reference.json")
DN = ("NHWC", "HWIO", "NHWC")


@functools.lru_cache(maxsize=1)
def conv_ref() -> dict:
    """tests/reference/conv_reference.json, written by conv_reference.py under ngc-learn 3.2.3."""
    with open(REF) as fh:
        return json.load(fh)


def arr(x):
    return jnp.asarray(np.asarray(x, dtype=np.float32))


def assert_close(got, want, what="", atol=1e-5):
    got, want = np.asarray(got, np.float32), np.asarray(want, np.float32)
    assert got.shape == want.shape, f"{what}: shape {got.shape} != {want.shape}"
    np.testing.assert_allclose(got, want, atol=atol, rtol=1e-5, err_msg=what)


def lax_vjp(kind, x, K, stride, padding, g):
    """(y, dK, dX): lax's conv (kind "conv") or transposed conv ("deconv") and its vjp with g
    (one compiled function)."""
    return jax.jit(_lax_vjp, static_argnums=(0, 3, 4))(kind, x, K, stride, padding, g)


def _lax_vjp(kind, x, K, stride, padding, g):
    if kind == "conv":
        f = lambda x, K: lax.conv_general_dilated(x, K, (stride, stride), padding,
                                                  dimension_numbers=DN)
    else:
        f = lambda x, K: lax.conv_transpose(x, K, (stride, stride), padding,
                                            dimension_numbers=DN)
    y, back = jax.vjp(f, x, K)
    if g is None:
        return y, None, None
    dx, dK = back(g)
    return y, dK, dx
