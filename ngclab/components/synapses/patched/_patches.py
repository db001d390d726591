"""Patched (block-structured) weights, shared by the patched synapses and RateCell's lateral
synapses: n dense blocks ("sub-models") along the diagonal of one matrix, as ngc-learn 3.2.3
lays them out.

| d_i = n_in // n,  d_j = n_out // n;  W has shape (n d_i + 2 s_i, n d_j + 2 s_j)
| block m covers rows [m d_i, (m + 1) d_i + 2 s_i) and columns [m d_j, (m + 1) d_j + 2 s_j)
| with a stride (s_i, s_j) > 0 neighbouring blocks overlap (the later one is drawn last) and the
| first and last s_i rows (s_j columns) of W are empty

Each block is drawn from the initializer with its own key (``split(key, n + 10)[1 + m]``, where
``key`` is the first of ``split(component key, 4)``). The product only visits the blocks:

| y = x @ W restricted to the blocks   (x (B, rows) -> y (B, cols));   x' = y' @ W^T likewise

Without a stride the blocks tile the diagonal and the product is one batched contraction over
them (2-10x faster than a dense ``x @ W`` for 4-50 blocks); with a stride the blocks are
gathered, each entry counted in the block that owns it.

The two-factor Hebbian rule of the plastic blocks:

| dW = s * [ (q_pre pre)^T (q_post post) * B(W) + reg(W) ] * M ;  db = s * sum_batch q_post post
| B(W) = w_bound - |W| if w_bound > 0 else 1;  reg(W) = -lambda W (l2), -lambda sign(W) (l1),
|        -lambda [r sign(W) + (1 - r) W / 2] (elastic net), 0 (none)
| M = the block structure (times block_mask, if given): updates stay inside the blocks
"""
from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from ngclab.utils.distribution_generator import initialize_params

EXTRA_KEYS = 10   # ngc-learn splits the key into n + 10 (the extra keys are never used)


@dataclass(frozen=True, eq=False)
class PatchLayout:
    """Where the n blocks of a patched matrix sit (all numpy: structure, not state)."""
    n: int
    block: tuple[int, int]           # (d_i, d_j) before the stride
    stride: tuple[int, int]          # (s_i, s_j)
    shape: tuple[int, int]           # the whole matrix
    rows: np.ndarray                 # (n, d_i + 2 s_i) row indices of each block
    cols: np.ndarray                 # (n, d_j + 2 s_j) column indices of each block
    owned: np.ndarray                # (n, r, c) 1 where the entry belongs to that block
    mask: np.ndarray                 # (shape) 1 inside the blocks, 0 outside

    @property
    def tiled(self) -> bool:
        """No stride: the blocks tile the diagonal without overlap."""
        return self.stride == (0, 0)

    def blocks(self, W: jax.Array) -> jax.Array:
        """The (n, r, c) blocks of W (entries owned by another block read as 0)."""
        if self.tiled:
            (di, dj), n = self.block, self.n
            m = np.arange(n)
            return jnp.reshape(W, (n, di, n, dj))[m, :, m, :]
        return W[self.rows[:, :, None], self.cols[:, None, :]] * self.owned

    def forward(self, x: jax.Array, W: jax.Array) -> jax.Array:
        """x @ W over the blocks: (B, rows) -> (B, cols)."""
        return self._apply(x, W, "bni,nij->bnj", self.rows, self.cols, self.shape[1])

    def backward(self, y: jax.Array, W: jax.Array) -> jax.Array:
        """y @ W^T over the blocks: (B, cols) -> (B, rows)."""
        return self._apply(y, W, "bnj,nij->bni", self.cols, self.rows, self.shape[0])

    def _apply(self, v, W, spec, src, dst, width):
        B = v.shape[0]
        if self.tiled:
            part = jnp.einsum(spec, jnp.reshape(v, (B, self.n, -1)), self.blocks(W))
            return jnp.reshape(part, (B, width)).astype(v.dtype)
        part = jnp.einsum(spec, v[:, src], self.blocks(W))          # (B, n, len(dst))
        return jnp.zeros((B, width), v.dtype).at[:, dst].add(part)


def patch_layout(shape: tuple[int, int], n: int, stride: tuple[int, int]) -> PatchLayout:
    """The layout of n blocks over a (n_in, n_out) cable with stride (s_i, s_j)."""
    di, dj = shape[0] // n, shape[1] // n
    si, sj = stride
    full = (n * di + 2 * si, n * dj + 2 * sj)
    owner = np.full(full, -1)
    for m in range(n):   # later blocks overwrite the overlap, as they are drawn last
        owner[m * di:(m + 1) * di + 2 * si, m * dj:(m + 1) * dj + 2 * sj] = m
    if si:
        owner[:si], owner[-si:] = -1, -1
    if sj:
        owner[:, :sj], owner[:, -sj:] = -1, -1
    rows = np.arange(n)[:, None] * di + np.arange(di + 2 * si)[None]
    cols = np.arange(n)[:, None] * dj + np.arange(dj + 2 * sj)[None]
    owned = owner[rows[:, :, None], cols[:, None, :]] == np.arange(n)[:, None, None]
    return PatchLayout(n, (di, dj), (si, sj), full, rows, cols, owned.astype(np.float32),
                       (owner >= 0).astype(np.float32))


def init_patches(key: jax.Array, layout: PatchLayout, init) -> jax.Array:
    """W with each block drawn from ``init`` with its own key (ngc-learn's key use)."""
    subkeys = jax.random.split(key, layout.n + EXTRA_KEYS)[1:]
    W = jnp.zeros(layout.shape)
    for m in range(layout.n):
        r, c = layout.rows[m], layout.cols[m]
        block = jnp.asarray(initialize_params(subkeys[m], init, (len(r), len(c))), jnp.float32)
        W = W.at[r[0]:r[-1] + 1, c[0]:c[-1] + 1].set(block)
    return W * layout.mask


def hebbian_update(pre: jax.Array, post: jax.Array, W: jax.Array, structure, w_bound: float,
                   prior: str, lmbda, l1_ratio, sign, q_pre=1., q_post=1.):
    """(dW, db) of the two-factor Hebbian rule, dW kept inside ``structure`` (module docstring)."""
    pre, post = pre * q_pre, post * q_post
    dW = jnp.matmul(pre.T, post)
    if w_bound > 0.:
        dW = dW * (w_bound - jnp.abs(W))
    if prior == "ridge":
        dW = dW - W * lmbda
    elif prior == "lasso":
        dW = dW - jnp.sign(W) * lmbda
    elif prior == "elastic_net":
        dW = dW - (jnp.sign(W) * l1_ratio + W * (1. - l1_ratio) / 2.) * lmbda
    db = jnp.sum(post, axis=0, keepdims=True)
    return dW * structure * sign, db * sign


def constrain(W: jax.Array, w_bound: float, is_nonnegative: bool, structure) -> jax.Array:
    """Clip W to [0 or -w_bound, w_bound] (w_bound > 0), or at 0 from below (is_nonnegative
    alone), and zero it outside ``structure``."""
    if w_bound > 0.:
        W = jnp.clip(W, 0. if is_nonnegative else -w_bound, w_bound)
    elif is_nonnegative:
        W = jnp.maximum(W, 0.)
    return W * structure
