"""Matrix decompositions (ngc-learn 3.2.3's ``ngclearn.utils.matrix_utils``).

``decompose_to_mps`` splits a dense (in_dim, out_dim) matrix into two matrix-product-state
(tensor-train) cores through its truncated SVD W ~ U_k S_k V_k^T, sharing sqrt(S_k) between them:

| core1[0, i, a] = U[i, a] sqrt(s_a),   core2[a, j, 0] = sqrt(s_a) V^T[a, j],  a < k
| sum_a core1[0, i, a] core2[a, j, 0] = (U_k S_k V_k^T)[i, j],   k = min(bond_dim, rank slots)

With k = min(in_dim, out_dim) the product is W exactly (up to rounding).
"""
from __future__ import annotations

import jax
import jax.numpy as jnp


def decompose_to_mps(W: jax.Array, bond_dim: int = 16) -> tuple[jax.Array, jax.Array]:
    """(core1 of shape (1, in_dim, k), core2 of shape (k, out_dim, 1)), k = min(bond_dim,
    min(in_dim, out_dim))."""
    W = jnp.asarray(W)
    if W.ndim != 2:
        raise ValueError(f"decompose_to_mps: W must be a 2-D matrix, got shape {W.shape}")
    if isinstance(bond_dim, bool) or not isinstance(bond_dim, int) or bond_dim < 1:
        raise ValueError(f"decompose_to_mps: bond_dim must be an int >= 1, got {bond_dim!r}")
    U, S, Vh = jnp.linalg.svd(W, full_matrices=False)
    k = min(bond_dim, S.shape[0])
    root = jnp.sqrt(S[:k])
    core1 = (U[:, :k] * root).reshape(1, W.shape[0], k)
    core2 = (root[:, None] * Vh[:k, :]).reshape(k, W.shape[1], 1)
    return core1, core2


__all__ = ["decompose_to_mps"]
