"""Helpers of the conv tests: the ngc-learn reference file, comparisons, reference maths."""
import jax
from jax import lax

from tests.helpers import reference

DN = ("NHWC", "HWIO", "NHWC")


def conv_ref() -> dict:
    """tests/reference/conv_reference.json, written by conv_reference.py under ngc-learn 3.2.3."""
    return reference("conv")


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
