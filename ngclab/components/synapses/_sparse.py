"""Sparse synaptic products over a fixed list of edges (the sparse tensor synapses share them).

A sparse cable is a set of edges e = (pre_e, post_e) with efficacies w_e:

| y[b, j] = sum over edges e with post_e = j of  x[b, pre_e] * w_e          (propagate)

Which edges exist is structure, fixed when the synapse is built: the index arrays are numpy
constants of the compiled step, and only the efficacies are state. Each edge also names the
``slot`` of its efficacy in the synapse's flattened weight array, so a synapse keeps its weights
in whatever layout it likes (ngc-learn's (P, S, K, O) tensor, or one value per edge) and hands
``weights.ravel()[edges.slot]`` to the products.

The product is a segment sum of the per-edge contributions, grouped by postsynaptic unit
(``jax.ops.segment_sum``); bench/sparse.py compares it with JAX's BCOO product (10-30%
slower) and a dense ``x @ W`` (12x slower at 4,000 units and 2% connectivity). A locally
connected tensor whose windows are mostly filled is faster as ngc-learn computes it,
``propagate_windows``: gather each window's input streams and contract them with the
(P, S, K, O) tensor (3-6x faster than the segment sum when every slot is an edge).

``propagate_events`` is the event-driven form for spike inputs: only the rows of the
presynaptic units that are non-zero this step are gathered (padded row lists, at most
``capacity`` rows per sample and step, so shapes stay static) and summed (9x faster than the
segment sum at 4,000 units, 2% connectivity, ~16 spikes a step). It returns how many active
rows did not fit, so a caller can refuse the step instead of dropping them silently. A synapse
chooses its product by a structural attribute (SparseTensorSynapse.product), so an
event-driven option is one more value of it, on the same EdgeList.
"""
from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
from jax.experimental import sparse as jsparse


@dataclass(frozen=True, eq=False)
class EdgeList:
    """The edges of a sparse cable, sorted by presynaptic then postsynaptic unit.

    pre, post, slot: (E,) int32 arrays; row_edges: (n_in + 1, R) int32, the edges leaving each
    presynaptic unit padded with E (a dummy edge of efficacy 0 into a dummy unit n_out); the last
    row, all padding, is the row of "no unit".
    """
    n_in: int
    n_out: int
    pre: np.ndarray
    post: np.ndarray
    slot: np.ndarray
    row_edges: np.ndarray

    @property
    def n_edges(self) -> int:
        return int(self.pre.shape[0])


def edge_list(n_in: int, n_out: int, pre, post, slot) -> EdgeList:
    """An EdgeList from (unsorted) per-edge presynaptic units, postsynaptic units and slots."""
    pre, post, slot = (np.asarray(a, np.int64).ravel() for a in (pre, post, slot))
    order = np.lexsort((post, pre))
    pre, post, slot = pre[order], post[order], slot[order]
    n_edges = pre.shape[0]
    degree = np.bincount(pre, minlength=n_in)
    width = max(1, int(degree.max(initial=0)))
    row_edges = np.full((n_in + 1, width), n_edges, np.int64)
    start = np.concatenate([[0], np.cumsum(degree)[:-1]])
    rank = np.arange(n_edges) - start[pre]          # position of each edge within its row
    row_edges[pre, rank] = np.arange(n_edges)
    as32 = lambda a: a.astype(np.int32)
    return EdgeList(int(n_in), int(n_out), as32(pre), as32(post), as32(slot), as32(row_edges))


def edges_of_matrix(mask) -> EdgeList:
    """The edges of a dense (n_in, n_out) connectivity mask; slots index the row-major matrix."""
    mask = np.asarray(mask) != 0
    pre, post = np.nonzero(mask)
    return edge_list(mask.shape[0], mask.shape[1], pre, post, pre * mask.shape[1] + post)


def edge_values(weights: jax.Array, edges: EdgeList) -> jax.Array:
    """The efficacy w_e of every edge, read from a weight array of any layout."""
    return jnp.ravel(weights)[edges.slot]


def propagate(x: jax.Array, values: jax.Array, edges: EdgeList) -> jax.Array:
    """y = x @ W for the sparse W given by (edges, values); x: (B, n_in) -> y: (B, n_out)."""
    contributions = x[:, edges.pre] * values                    # (B, E)
    y = jax.ops.segment_sum(contributions.T, edges.post, num_segments=edges.n_out)
    return y.T.astype(x.dtype)


def propagate_windows(x: jax.Array, weights: jax.Array, conn: np.ndarray) -> jax.Array:
    """y = x @ W for a locally connected tensor W (P, S, K, O) on the (S, P) map ``conn``:
    y[b, s, o] = sum_p sum_k x[b, conn[s, p], k] W[p, s, k, o] (empty slots read zeros)."""
    P, S, K, O = weights.shape
    streams = jnp.reshape(x, (x.shape[0], -1, K))
    n_in = streams.shape[1]
    padded = jnp.concatenate([streams, jnp.zeros((x.shape[0], 1, K), x.dtype)], axis=1)
    safe = np.where((conn < 0) | (conn >= n_in), n_in, conn)   # empty slots: the zero stream
    windows = padded[:, safe, :]                                 # (B, S, P, K)
    y = jnp.einsum("bspk,psko->bso", windows, weights)
    return jnp.reshape(y, (x.shape[0], S * O)).astype(x.dtype)


def propagate_bcoo(x: jax.Array, values: jax.Array, edges: EdgeList) -> jax.Array:
    """The same product through JAX's BCOO sparse matrix (kept for the benchmark)."""
    indices = np.stack([edges.pre, edges.post], axis=1)
    W = jsparse.BCOO((values, indices), shape=(edges.n_in, edges.n_out),
                     indices_sorted=True, unique_indices=True)
    return (x @ W).astype(x.dtype)


def propagate_events(x: jax.Array, values: jax.Array, edges: EdgeList,
                     capacity: int) -> tuple[jax.Array, jax.Array]:
    """Event-driven y = x @ W: only the rows of units with x != 0 (at most ``capacity`` per
    sample) are gathered and summed. Returns (y, dropped) where dropped (B,) counts the active
    rows beyond capacity (their contributions are missing from y: a caller must refuse them).
    """
    pad_value = jnp.concatenate([values, jnp.zeros((1,), values.dtype)])
    pad_post = jnp.asarray(np.concatenate([edges.post, [edges.n_out]]).astype(np.int32))

    def one_sample(xb):
        active = xb != 0.
        rows = jnp.nonzero(active, size=capacity, fill_value=edges.n_in)[0]   # (K,)
        xk = jnp.concatenate([xb, jnp.zeros((1,), xb.dtype)])[rows]          # (K,)
        e = jnp.asarray(edges.row_edges)[rows]                              # (K, R)
        contributions = (xk[:, None] * pad_value[e]).ravel()
        y = jax.ops.segment_sum(contributions, pad_post[e].ravel(),
                                num_segments=edges.n_out + 1)[:edges.n_out]
        dropped = jnp.maximum(jnp.sum(active) - capacity, 0)
        return y.astype(xb.dtype), dropped

    return jax.vmap(one_sample)(x)
