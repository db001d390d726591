"""Group (block) operations of ngc-learn 3.2.3's model_utils: block matrices, group means,
group-wise winner-take-all, and sampling one winner per group. Re-exported by model_utils.

A *mask* ``m`` of shape (G, D) holds one row per group: m[g, d] = 1 if unit d is in group g.

| lkwta(x, m, k)[n, d] = x[n, d] * [d wins in some group g],  d wins in g when m[g, d] = 1 and
|                        x[n, d] >= the k-th largest x[n, .] among the units of g
| group_mean(x, m)[n, d] = sum_g m[g, d] * (sum_e m[g, e] x[n, e]) / (sum_e m[g, e])
| quantile_lkwta: units of g win when x[n, d] >= the (D - k)/D quantile (linear) of the row
|                 x[n, .] with the units outside g set to min(x) - 1
| create_block_matrix(A, (h, w)): block (r, c) = B if A[r, c] > 0 else 0, with
|                 B = alpha_exc I(h, w) - alpha_inh (1 - I(h, w))
| eye_wrapped(N, k, v)[i, (i + k) mod N] = v[i]
| normalize_block_matrix: each column (axis 0) / row (axis 1) of each block rescaled to p-norm
|                 norm_targ (any other axis: the block's matrix p-norm), W * targ / (norm + 1e-8)

Difference from ngc-learn 3.2.3, where it is broken: its ``lkwta`` (and kwta, d_lkwta, d_kwta)
compares every unit with the smallest of the groups' k-th largest values, so a group with large
values keeps more than k winners and units outside every group can win; ngclab keeps the k
largest of each group (the local k-WTA its docstring describes). With one group holding every
unit the two agree.
"""
from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
from jax import lax

Array = jax.Array


@partial(jax.jit, static_argnums=(1, 2))
def chebyshev_norm(d: Array, axis: int = -1, keepdims: bool = False) -> Array:
    """||d||_inf = max_i |d_i| along ``axis`` (the Chebyshev distance of d = a - b)."""
    return jnp.max(jnp.abs(d), axis=axis, keepdims=keepdims)


@partial(jax.jit, static_argnums=(2,))
def sample_values_by_group(skey: Array, values: Array, n_groups: int) -> Array:
    """Split the D units of each row into ``n_groups`` consecutive groups; in every group whose
    values sum above 0, keep one unit (the argmax of value * u, u ~ U(0, 1) drawn with
    ``skey``) as a one-hot; other groups are returned unchanged."""
    batch, n_units = values.shape
    grouped = values.reshape((batch, n_groups, n_units // n_groups))
    active = jnp.sum(grouped, axis=2, keepdims=True) > 0.0
    winner = jnp.argmax(grouped * jax.random.uniform(skey, grouped.shape), axis=2)
    one_hot = jax.nn.one_hot(winner, grouped.shape[2], dtype=jnp.float32)
    return jnp.where(active, one_hot, grouped).reshape((batch, n_units))


def create_block_matrix(map_matrix: Array, group_shape: tuple[int, int],
                        alpha_inh: float = -1.0, alpha_exc: float = 1.0) -> Array:
    """A block matrix: block (r, c) is B = alpha_exc I - alpha_inh (1 - I) (shape
    ``group_shape``) where ``map_matrix[r, c] > 0``, zeros elsewhere."""
    gh, gw = group_shape
    eye = jnp.eye(gh, gw)
    block = eye * alpha_exc - (1.0 - eye) * alpha_inh
    return jnp.kron((jnp.asarray(map_matrix) > 0.0).astype(jnp.float32), block)


@partial(jax.jit, static_argnums=(0,))
def eye_wrapped(N: int, k: int, values: Array) -> Array:
    """An N x N matrix with ``values`` on the k-th off-diagonal wrapped around (column
    (i + k) mod N of row i); zeros elsewhere."""
    rows = jnp.arange(N)
    return jnp.zeros((N, N)).at[rows, (rows + k) % N].set(values)


@partial(jax.jit, static_argnums=(1, 2, 3, 4))
def normalize_block_matrix(matrix: Array, block_size: tuple[int, int], order: int = 2,
                           axis: int = 0, norm_targ: float = 1.0) -> Array:
    """Rescale the columns (axis 0), rows (axis 1) or whole blocks (other axis: matrix norm of
    order ``order``) of each (r, c)-shaped block of ``matrix`` to norm ``norm_targ``."""
    M, N = matrix.shape
    r, c = block_size
    blocks = matrix.reshape(M // r, r, N // c, c).transpose(0, 2, 1, 3)  # (Mb, Nb, r, c)
    over = {0: 2, 1: 3}.get(axis, (2, 3))
    norms = jnp.linalg.norm(blocks, ord=order, axis=over, keepdims=True)
    scaled = blocks * (norm_targ / (norms + 1e-8))
    return scaled.transpose(0, 2, 1, 3).reshape(M, N)


@jax.jit
def group_mean(x: Array, masks: Array) -> Array:
    """Each unit gets the mean of x over its group(s) (summed over the groups holding it)."""
    per_group = (x @ masks.T) / jnp.sum(masks, axis=1)  # (B, G)
    return per_group @ masks


def _group_winners(x: Array, m: Array, nWTA: int) -> Array:
    """(B, D) in {0, 1}: units among the nWTA largest of one of their groups."""
    in_group = m[None, :, :] > 0.0  # (1, G, D)
    grouped = jnp.where(in_group, x[:, None, :], jnp.min(x) - 1.0)  # (B, G, D)
    kth = lax.top_k(grouped, nWTA)[0][..., -1:]  # k-th largest per group
    return jnp.any(in_group & (grouped >= kth), axis=1).astype(jnp.float32)


@partial(jax.jit, static_argnums=(2, 3))
def lkwta(x: Array, m: Array, nWTA: int = 1, clipval: float = -1.0) -> Array:
    """Local (group-wise) k-winner-take-all: x where a unit is among the nWTA largest of a
    group of ``m``, 0 elsewhere; clipped to [-clipval, clipval] if clipval > 0."""
    y = _group_winners(x, m, nWTA) * x
    return jnp.clip(y, -clipval, clipval) if clipval > 0.0 else y


@partial(jax.jit, static_argnums=(2, 3))
def d_lkwta(x: Array, m: Array, nWTA: int = 1, clipval: float = -1.0) -> Array:
    """d lkwta / dx (ignoring the clip): 1 for the winners, 0 elsewhere."""
    return _group_winners(x, m, nWTA)


@partial(jax.jit, static_argnums=(2,))
def kwta(x: Array, m: Array, nWTA: int = 1) -> Array:
    """``lkwta`` without clipping."""
    return lkwta(x, m, nWTA)


@partial(jax.jit, static_argnums=(2,))
def d_kwta(x: Array, m: Array, nWTA: int = 1) -> Array:
    """``d_lkwta`` without clipping."""
    return d_lkwta(x, m, nWTA)


def _quantile_winners(x: Array, m: Array, nWTA: int) -> Array:
    fill = jnp.min(x) - 1.0
    grouped = x[:, None, :] * m[None] + (1.0 - m[None]) * fill  # (B, G, D)
    D = grouped.shape[2]
    thr = jnp.quantile(grouped, (D - nWTA) / D, method="linear", axis=2, keepdims=True)
    return jnp.sum((grouped >= thr).astype(jnp.float32), axis=1)


@partial(jax.jit, static_argnums=(2, 3))
def quantile_lkwta(x: Array, m: Array, nWTA: int = 20, clipval: float = -1.0) -> Array:
    """Quantile-threshold local k-WTA (experimental in ngc-learn): x times the number of groups
    in which the unit reaches the (D - nWTA)/D quantile (``clipval`` is unused there too)."""
    return _quantile_winners(x, m, nWTA) * x


@partial(jax.jit, static_argnums=(2, 3))
def d_quantile_lkwta(x: Array, m: Array, nWTA: int = 20, clipval: float = -1.0) -> Array:
    """d quantile_lkwta / dx: the per-unit win counts."""
    return _quantile_winners(x, m, nWTA)


__all__ = ["chebyshev_norm", "sample_values_by_group", "create_block_matrix", "eye_wrapped",
           "normalize_block_matrix", "group_mean", "lkwta", "d_lkwta", "kwta", "d_kwta",
           "quantile_lkwta", "d_quantile_lkwta"]
