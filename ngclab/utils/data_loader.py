"""Mini-batch sampling of named design matrices.

Each pass over a ``DataLoader`` draws a fresh permutation pi of the N sample indices (sampling
without replacement) and yields consecutive slices of it, ``batch_size`` at a time:

| batch_k = [(name, M[pi[k B : (k+1) B]]) for name, M in design_matrices]

With ``ensure_equal_batches`` a short last batch is topped up with the first indices of pi (so
some samples of that batch repeat ones seen earlier in the pass). With ``disable_shuffle`` pi is
the identity.

Determinism: the permutation for a pass is ``jax.random.permutation(sub, N)`` where
``key, sub = jax.random.split(key)`` at the start of the pass (the scheme of ngc-learn 3.2.3, so a
given key yields the same batches in both). ``key`` may be a JAX PRNG key or an int seed.
"""
from __future__ import annotations

import secrets
from collections.abc import Iterator, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

Batch = list[tuple[str, Any]]


class DataLoader:
    """Iterable over mini-batches of one or more named design matrices (same number of rows).

    Args:
        design_matrices: ``[("name", matrix), ...]``; every matrix has N rows (samples)
        batch_size: samples per mini-batch (1 <= batch_size <= N)
        disable_shuffle: if True, batches follow the original row order
        ensure_equal_batches: if True (default), every batch has exactly ``batch_size`` rows
        key: JAX PRNG key or int seed controlling the shuffles (None: a random seed)
    """

    def __init__(self, design_matrices: Sequence[tuple[str, Any]], batch_size: int,
                 disable_shuffle: bool = False, ensure_equal_batches: bool = True,
                 key: Any = None):
        if len(design_matrices) < 1:
            raise ValueError("DataLoader needs at least one (name, matrix) pair")
        self.design_matrices = list(design_matrices)
        self.data_len = len(self.design_matrices[0][1])
        for name, mat in self.design_matrices:
            if len(mat) != self.data_len:
                raise ValueError(f"design matrix {name!r} has {len(mat)} rows, but "
                                 f"{self.design_matrices[0][0]!r} has {self.data_len}")
        if not 1 <= int(batch_size) <= self.data_len:
            raise ValueError(f"batch size {batch_size} must be between 1 and the number of "
                             f"samples {self.data_len}")
        if key is None:
            key = secrets.randbits(31)
        if isinstance(key, (int, np.integer)):
            key = jax.random.PRNGKey(int(key))
        self.key = key
        self.batch_size = int(batch_size)
        self.disable_shuffle = disable_shuffle
        self.ensure_equal_batches = ensure_equal_batches
        self.ptrs = np.arange(self.data_len)

    def __len__(self) -> int:
        """Number of batches per pass."""
        n, b = self.data_len, self.batch_size
        return n // b if (n % b == 0) else n // b + 1

    def __iter__(self) -> Iterator[Batch]:
        if not self.disable_shuffle:
            self.key, sub = jax.random.split(self.key, 2)
            self.ptrs = np.asarray(jax.random.permutation(sub, self.data_len))
        ptrs = self.ptrs
        for start in range(0, self.data_len, self.batch_size):
            idx = ptrs[start:start + self.batch_size]
            if self.ensure_equal_batches and len(idx) < self.batch_size:
                idx = np.concatenate([idx, ptrs[: self.batch_size - len(idx)]])
            yield [(name, _take(mat, idx)) for name, mat in self.design_matrices]


def _take(mat: Any, idx: np.ndarray) -> Any:
    if isinstance(mat, jax.Array):
        return mat[jnp.asarray(idx)]
    if isinstance(mat, np.ndarray):
        return mat[idx]
    return [mat[int(i)] for i in idx]
