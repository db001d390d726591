"""Elementwise activation functions f(x) and their first derivatives f'(x).

All are jitted ``jax.numpy`` expressions (as in ngc-learn), usable inside other jitted code,
vmapped and differentiated. The
derivative conventions at kinks follow ngc-learn 3.2.3 (e.g. relu'(0) = 1). Threshold-type
functions (heaviside, threshold, bkwta) have no useful derivative; their ``d_`` partner is the
straight-through estimator (a tensor of ones), as in ngc-learn. Re-exported by ``model_utils``.
"""
from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
from jax import lax

Array = jax.Array
_F32 = jnp.float32


@jax.jit
def identity(x: Array) -> Array:
    """f(x) = x"""
    return x + 0


@jax.jit
def d_identity(x: Array) -> Array:
    """f'(x) = 1

    A constant, not ``x * 0 + 1``: XLA may not fold ``x * 0`` away (it is NaN where x is not
    finite), so the product would be computed in every step of every cell that multiplies by
    this slope; a constant 1 lets it drop the product. Values agree wherever x is finite."""
    return jnp.ones(jnp.shape(x), jnp.result_type(x, 1.0))


@jax.jit
def relu(x: Array) -> Array:
    """f(x) = max(0, x)"""
    return jnp.maximum(x, 0.0)


@jax.jit
def d_relu(x: Array) -> Array:
    """f'(x) = 1 if x >= 0 else 0"""
    return (x >= 0.0).astype(_F32)


@jax.jit
def lrelu(x: Array) -> Array:
    """Leaky rectifier: f(x) = x if x >= 0 else 0.01 x"""
    return jnp.where(x >= 0.0, x, 0.01 * x)


@jax.jit
def d_lrelu(x: Array) -> Array:
    """f'(x) = 1 if x >= 0 else 0.01"""
    return jnp.where(x >= 0.0, 1.0, 0.01).astype(_F32)


@jax.jit
def relu6(x: Array) -> Array:
    """f(x) = min(max(0, x), 6)"""
    return jnp.clip(x, 0.0, 6.0)


@jax.jit
def d_relu6(x: Array) -> Array:
    """f'(x) = 1 if 0 <= x <= 6 else 0"""
    return ((x >= 0.0) & (x <= 6.0)).astype(_F32)


@jax.jit
def tanh(x: Array) -> Array:
    """f(x) = tanh(x) = (e^x - e^-x) / (e^x + e^-x)"""
    return jnp.tanh(x)


@jax.jit
def d_tanh(x: Array) -> Array:
    """f'(x) = 1 - tanh(x)^2"""
    t = jnp.tanh(x)
    return 1.0 - t * t


@jax.jit
def inverse_tanh(x: Array) -> Array:
    """f(x) = ln((1 + x) / (1 - x)) for |x| < 1.

    Note: this is 2 artanh(x) (ngc-learn 3.2.3's definition, kept so numbers match);
    use ``jnp.arctanh`` for the exact inverse of tanh.
    """
    return jnp.log((1.0 + x) / (1.0 - x))


@jax.jit
def sigmoid(x: Array) -> Array:
    """Logistic function: f(x) = 1 / (1 + e^-x)"""
    return 1.0 / (1.0 + jnp.exp(-x))


@jax.jit
def d_sigmoid(x: Array) -> Array:
    """f'(x) = s (1 - s), s = sigmoid(x)"""
    s = sigmoid(x)
    return s * (1.0 - s)


@jax.jit
def inverse_logistic(x: Array, clip_bound: float = 0.03) -> Array:
    """Logit: f(x) = ln(x' / ((1 - x') + 1e-6)), x' = clip(x, c, 1 - c) if c = clip_bound > 0.

    (ngc-learn 3.2.3 branches on ``clip_bound`` in Python inside ``jit``, which fails for every
    call; here the clip is selected with ``jnp.where``, so the function works and is jittable.)
    """
    xc = jnp.where(clip_bound > 0.0, jnp.clip(x, clip_bound, 1.0 - clip_bound), x)
    return jnp.log(xc / ((1.0 - xc) + 1e-6))


@jax.jit
def inverse_sigmoid(x: Array, clip_bound: float = 0.03) -> Array:
    """Alias of :func:`inverse_logistic`."""
    return inverse_logistic(x, clip_bound)


@jax.jit
def softplus(x: Array) -> Array:
    """f(x) = ln(1 + e^x) (computed stably)"""
    return jnp.logaddexp(x, 0.0)


@jax.jit
def d_softplus(x: Array) -> Array:
    """f'(x) = sigmoid(x)"""
    return sigmoid(x)


@jax.jit
def swish(x: Array, beta: float) -> Array:
    """Swish (Ramachandran et al., 2017): f(x) = x sigmoid(beta x)"""
    return x * sigmoid(beta * x)


@jax.jit
def d_swish(x: Array, beta: float) -> Array:
    """f'(x) = sigmoid(beta x) + beta x sigmoid'(beta x)"""
    return sigmoid(beta * x) + beta * x * d_sigmoid(beta * x)


@jax.jit
def silu(x: Array) -> Array:
    """SiLU: f(x) = x sigmoid(x) (swish with beta = 1)"""
    return swish(x, 1.0)


@jax.jit
def d_silu(x: Array) -> Array:
    """f'(x) = sigmoid(x) + x sigmoid'(x)"""
    return d_swish(x, 1.0)


@jax.jit
def gelu(x: Array) -> Array:
    """GELU, fast approximation: f(x) = x sigmoid(1.702 x)"""
    return swish(x, 1.702)


@jax.jit
def d_gelu(x: Array) -> Array:
    """f'(x) = sigmoid(1.702 x) + 1.702 x sigmoid'(1.702 x)"""
    return d_swish(x, 1.702)


@jax.jit
def elu(x: Array, alpha: float = 1.0) -> Array:
    """ELU: f(x) = x if x >= 0 else alpha (e^x - 1)"""
    return jnp.where(x >= 0.0, x, alpha * (jnp.exp(jnp.minimum(x, 0.0)) - 1.0))


@jax.jit
def d_elu(x: Array, alpha: float = 1.0) -> Array:
    """f'(x) = 1 if x >= 0 else alpha e^x"""
    return jnp.where(x >= 0.0, 1.0, alpha * jnp.exp(jnp.minimum(x, 0.0)))


@jax.jit
def telu(x: Array) -> Array:
    """TeLU (Fernandez & Mali, 2024): f(x) = x tanh(e^x)"""
    return x * jnp.tanh(jnp.exp(x))


@jax.jit
def d_telu(x: Array) -> Array:
    """f'(x) = tanh(e^x) + x e^x (1 - tanh(e^x)^2)"""
    ex = jnp.exp(x)
    t = jnp.tanh(ex)
    # x e^x (1 - t^2): for large x, (1 - t^2) underflows to 0 before e^x overflows; guard inf*0
    return t + jnp.where(t < 1.0, x * ex * (1.0 - t * t), 0.0)


@jax.jit
def sine(x: Array, omega_0: float = 30.0) -> Array:
    """f(x) = sin(omega_0 x)"""
    return jnp.sin(omega_0 * x)


@jax.jit
def d_sine(x: Array, omega_0: float = 30.0) -> Array:
    """f'(x) = omega_0 cos(omega_0 x)"""
    return omega_0 * jnp.cos(omega_0 * x)


@jax.jit
def softmax(x: Array, tau: float = 0.0) -> Array:
    """f(x)_i = exp(x_i / tau) / sum_j exp(x_j / tau) over the last axis.

    tau > 0 is a temperature (tau > 1 softens, tau < 1 sharpens); tau <= 0 means tau = 1.
    The row maximum is subtracted first, so large inputs do not overflow.
    """
    t = jnp.where(tau > 0.0, tau, 1.0)
    z = x / t
    e = jnp.exp(z - jnp.max(z, axis=-1, keepdims=True))
    return e / jnp.sum(e, axis=-1, keepdims=True)


@functools.partial(jax.jit, static_argnames=("vmap_form",))
def d_softmax(x: Array, tau: float = 0.0, vmap_form: bool = False) -> Array:
    """Jacobian of softmax per row: J[b, i, j] = (s_i delta_ij - s_i s_j) / tau, s = softmax(x).

    x: (B, D) -> J: (B, D, D). ``vmap_form`` selects an algorithm in ngc-learn; both give the
    same Jacobian, so it is accepted and ignored here.
    """
    t = jnp.where(tau > 0.0, tau, 1.0)
    s = softmax(x, t)
    diag = s[..., :, None] * jnp.eye(s.shape[-1], dtype=s.dtype)
    return (diag - s[..., :, None] * s[..., None, :]) / t


@jax.jit
def heaviside(x: Array) -> Array:
    """f(x) = 1 if x >= 0 else 0"""
    return (x >= 0.0).astype(_F32)


@jax.jit
def d_heaviside(x: Array) -> Array:
    """Straight-through estimator: f'(x) := 1"""
    return x * 0.0 + 1.0


@jax.jit
def threshold(x: Array, thr: float = 1.0) -> Array:
    """f(x) = 1 if x >= thr else 0 (the "unit_threshold" for thr = 1)"""
    return (x >= thr).astype(_F32)


@jax.jit
def d_threshold(x: Array, thr: float = 1.0) -> Array:
    """Straight-through estimator: f'(x) := 1"""
    return x * 0.0 + 1.0


@functools.partial(jax.jit, static_argnames=("nWTA",))
def bkwta(x: Array, nWTA: int = 5) -> Array:
    """Binary k-winners-take-all over the last axis: f(x)_i = 1 if x_i >= k-th largest of x.

    Ties with the k-th value also win. ``nWTA`` (k) must be a Python int (it sets a shape).
    Its derivative proxy in ``create_function`` is ``bkwta`` itself, as in ngc-learn.
    """
    values, _ = lax.top_k(x, nWTA)
    kth = jnp.min(values, axis=-1, keepdims=True)
    return (x >= kth).astype(_F32)


@jax.jit
def threshold_soft(x: Array, lmbda: float) -> Array:
    """Soft threshold (shrinkage): f(x) = sign(x) max(|x| - lmbda, 0)
    = max(x - lmbda, 0) - max(-x - lmbda, 0)"""
    return jnp.maximum(x - lmbda, 0.0) - jnp.maximum(-x - lmbda, 0.0)


@jax.jit
def threshold_cauchy(x: Array, lmbda: float) -> Array:
    """Cauchy threshold: with r = sqrt(max(x^2 - lmbda, 0)),
    f(x) = (x + r)/2 if x >= lmbda;  (x - r)/2 if x <= -lmbda;  0 otherwise.

    (ngc-learn 3.2.3 passes a single argument to ``jnp.maximum`` here and so always raises;
    ngclab computes the formula above, which is what that code spells out.)
    """
    r = jnp.sqrt(jnp.maximum(jnp.square(x) - lmbda, 0.0))
    return ((x + r) * 0.5 * (x >= lmbda).astype(_F32)
            + (x - r) * 0.5 * (x <= -lmbda).astype(_F32))


@jax.jit
def clip(x: Array, min_val: float, max_val: float) -> Array:
    """f(x) = min(max(x, min_val), max_val)"""
    return jnp.clip(x, min_val, max_val)


@jax.jit
def d_clip(x: Array, min_val: float, max_val: float) -> Array:
    """f'(x) = 1 if min_val <= x <= max_val else 0"""
    return jnp.where((x < min_val) | (x > max_val), 0.0, 1.0)
