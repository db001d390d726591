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


# -- random cables stored by rows, and their event-driven product -----------------------------
#
# A random cable (each pair (i, j) connected with probability p, as Brian2's
# ``connect(p=...)``) is kept as a table of rows: targets[i, r] is the r-th postsynaptic unit of
# presynaptic unit i (rows padded with n_out, "no unit"), and the efficacies sit in an array of
# the same (n_pre, R) shape. A step that only some units fire in then touches only their rows:
#
# | rows, count = the first K units with x != 0 (ascending), padded with n_pre;  count = #{x != 0}
# | y[b, targets[i, r]] += x[b, i] w[i, r]    for the first min(count, K) rows i only
#
# The K rows come from one ``lax.top_k`` of a score that is n - i where x_i != 0 (top_k beat
# jnp.nonzero's cumulative sum 3x on this 2-core CPU), and the rows are added in a loop of
# min(count, K) iterations, so a step costs what its spikes cost (bench/cuba.py measured it
# 4x faster than gathering all K padded rows at once).

#: above this connection probability a cable is drawn as a dense Bernoulli mask, row block by row
#: block (rejecting duplicate targets would take many rounds)
DENSE_DRAW_P = 0.25


def random_targets(seed, n_pre: int, n_out: int, p_conn: float) -> np.ndarray:
    """The (n_pre, R) int32 table of a random cable: each (i, j) connected with probability
    p_conn, independently (row i's degree is Binomial(n_out, p_conn), its targets a uniform
    subset, sorted); R is the largest degree (at least 1) and rows are padded with n_out."""
    rng = np.random.default_rng(seed)
    if p_conn > DENSE_DRAW_P:
        block = max(1, (1 << 22) // n_out)
        pre, post = [], []
        for lo in range(0, n_pre, block):
            i, j = np.nonzero(rng.random((min(block, n_pre - lo), n_out)) < p_conn)
            pre.append(i + lo)
            post.append(j)
        pre, post = np.concatenate(pre), np.concatenate(post)
    else:
        pre = np.repeat(np.arange(n_pre), rng.binomial(n_out, p_conn, size=n_pre))
        post = rng.integers(0, n_out, pre.shape[0])
        while True:   # redraw repeated targets of a row until every row's are distinct
            order = np.lexsort((post, pre))
            pre, post = pre[order], post[order]
            again = np.zeros(pre.shape[0], bool)
            again[1:] = (pre[1:] == pre[:-1]) & (post[1:] == post[:-1])
            if not again.any():
                break
            post[again] = rng.integers(0, n_out, int(again.sum()))
    degree = np.bincount(pre, minlength=n_pre)
    table = np.full((n_pre, max(1, int(degree.max(initial=0)))), n_out, np.int32)
    start = np.concatenate([[0], np.cumsum(degree)[:-1]])
    table[pre, np.arange(pre.shape[0]) - start[pre]] = post
    return table


def active_rows(x: jax.Array, capacity: int) -> tuple[jax.Array, jax.Array]:
    """(rows, count) of x (B, n): per sample the first ``capacity`` units with x != 0 in
    ascending order, padded with n, and how many units are non-zero (count may exceed
    capacity: the rows beyond it are missing from ``rows``)."""
    n = x.shape[-1]
    active = x != 0.
    score = jnp.where(active, jnp.float32(n) - jnp.arange(n, dtype=jnp.float32), 0.)
    top, idx = jax.lax.top_k(score, capacity)
    rows = jnp.where(top > 0., idx, n).astype(jnp.int32)
    return rows, jnp.sum(active, axis=-1, dtype=jnp.int32)


def propagate_rows(x: jax.Array, rows: jax.Array, count: jax.Array, targets: np.ndarray,
                   weights: jax.Array, n_out: int) -> jax.Array:
    """Event-driven y = x @ W over the active ``rows`` (from ``active_rows``): only the first
    min(count, K) rows are added, one row per loop iteration."""
    table = jnp.asarray(targets)
    capacity = rows.shape[-1]

    def one_sample(xb, rb, cb):
        def add_row(k, y):
            i = rb[k]
            return y.at[table[i]].add(weights[i] * xb[i], mode="drop")
        return jax.lax.fori_loop(0, jnp.minimum(cb, capacity), add_row,
                                 jnp.zeros((n_out,), x.dtype))

    return jax.vmap(one_sample)(x, rows, count)


def propagate_table(x: jax.Array, targets: np.ndarray, weights: jax.Array,
                    n_out: int) -> jax.Array:
    """y = x @ W over every row of the table (a segment sum; no capacity, any input)."""
    contributions = jnp.reshape(x[:, :, None] * weights, (x.shape[0], -1))   # (B, n_pre R)
    y = jax.ops.segment_sum(contributions.T, np.ravel(targets), num_segments=n_out + 1)
    return y[:n_out].T.astype(x.dtype)
