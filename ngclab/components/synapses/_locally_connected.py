"""Geometry of locally connected (unshared convolution) tensors, as ngc-learn 3.2.3 lays them out.

The input is cut into n_in streams of K units each, the output into S streams of O units.
Output stream s reads the P input streams of its window (row s of the connectivity map):

| map[s, p] = s * stride + p * dilation            for p < P_s, else -1 (an empty slot)
| P_s = P, or with a convergent factor c > 0: max(1, round(P (1 - c |s - S/2| / (S/2))))

and the weight tensor W has shape (P, S, K, O): W[p, s, k, o] joins input unit
map[s, p] * K + k to output unit s * O + o. S is the number of windows that fit inside the
input (no padding). An inverted (transposed) cable swaps the roles: its map lists, for each
forward input stream, the forward output streams that read it.
"""
from __future__ import annotations

import numpy as np

from ngclab.components.synapses._sparse import EdgeList, edge_list


def window_length(P: int, s: int, centre: float, convergent_factor: float, rounding) -> int:
    """P_s: the window of stream s, shrunk towards the edges of the layer when c > 0."""
    if convergent_factor <= 0.:
        return P
    return max(1, rounding(P * (1. - convergent_factor * abs(s - centre) / centre)))


def output_streams(n_in: int, P: int, stride: int, dilation: int,
                   convergent_factor: float) -> int:
    """S: how many windows fit inside n_in input streams (ngc-learn's sweep, no padding).

    The sweep estimates the layer centre from n_in // stride and truncates window lengths
    (ngc-learn's geometry), while the map itself uses the final S and rounds.
    """
    s = 0
    centre = max(1, n_in // stride) / 2.
    while True:
        last = s * stride + (window_length(P, s, centre, convergent_factor, int) - 1) * dilation
        if last >= n_in:
            break
        s += 1
    return max(1, s)


def window_map(P: int, S: int, stride: int, dilation: int,
               convergent_factor: float) -> np.ndarray:
    """The (S, P) connectivity map: the input stream of each slot, -1 for empty slots."""
    conn = np.full((S, P), -1, np.int64)
    for s in range(S):
        n = window_length(P, s, S / 2., convergent_factor, round)
        conn[s, :n] = s * stride + np.arange(n) * dilation
    return conn


def inverse_map(forward: np.ndarray, n_in: int) -> np.ndarray:
    """(n_in, P_back): for each forward input stream, the forward output streams reading it
    (in order), padded with -1; P_back is the largest count (at least 1)."""
    readers: list[list[int]] = [[] for _ in range(n_in)]
    for s, row in enumerate(forward):
        for stream in row:
            if 0 <= stream < n_in:
                readers[stream].append(s)
    width = max(1, max(len(r) for r in readers))
    back = np.full((n_in, width), -1, np.int64)
    for i, r in enumerate(readers):
        back[i, :len(r)] = r
    return back


def tensor_edges(conn: np.ndarray, n_in: int, K: int, O: int,
                 keep: np.ndarray | None = None) -> EdgeList:
    """The edges of a (P, S, K, O) tensor on map ``conn`` (slots index the tensor row-major);
    empty or out-of-range slots and, if given, entries where ``keep`` is 0 have no edge."""
    S, P = conn.shape
    p, s, k, o = np.meshgrid(np.arange(P), np.arange(S), np.arange(K), np.arange(O),
                             indexing="ij")
    stream = conn[s, p]
    exists = (stream >= 0) & (stream < n_in)
    if keep is not None:
        exists &= np.asarray(keep) != 0
    slot = np.arange(P * S * K * O).reshape(p.shape)
    return edge_list(n_in * K, S * O, (stream * K + k)[exists], (s * O + o)[exists],
                     slot[exists])


def transpose_edges(forward: EdgeList, backward: EdgeList) -> tuple[np.ndarray, np.ndarray]:
    """For each backward edge, the index (in ``forward``) of the forward edge joining the same
    two units the other way, and whether that forward edge exists."""
    keys = forward.pre.astype(np.int64) * forward.n_out + forward.post   # sorted (pre, post)
    want = backward.post.astype(np.int64) * forward.n_out + backward.pre
    at = np.clip(np.searchsorted(keys, want), 0, max(len(keys) - 1, 0))
    found = keys[at] == want if len(keys) else np.zeros(len(want), bool)
    return at, found
