"""KMeansProbe: k-means clustering of flattened embeddings, scored against the labels by the
adjusted Rand index (ngc-learn 3.2.3's ``KMeansProbe``; Euclidean distance).

| init: K distinct data points (random.choice without replacement) as centroids
| update (one Lloyd step): z_n = argmin_k ||x_n - c_k||^2;  c_k = mean of {x_n : z_n = k}
| process: one_hot(argmin_k ||x - c_k||^2)
| ARI = (sum_ij C(n_ij, 2) - E) / ((sum_i C(a_i, 2) + sum_j C(b_j, 2)) / 2 - E),
|   E = sum_i C(a_i, 2) sum_j C(b_j, 2) / C(n, 2)  (n_ij: the labels x clusters contingency
|   table, a, b its margins; 1 when the denominator is 0)
| fit: init, then n_iter Lloyd steps; returns the best ARI seen

Differences from ngc-learn 3.2.3: a cluster left empty keeps its centroid (ngc-learn moves it
to the origin), and ``update`` returns the k-means objective mean_n ||x_n - c_{z_n}||^2 as its
loss (ngc-learn returns 0).
"""
from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
from jax import random

from ngclab.utils.analysis.probe import Probe, flatten_sequences


@partial(jax.jit, static_argnums=(2,))
def _lloyd_step(x, centroids, n_clusters):
    """(new centroids, k-means objective under them)."""
    z = jnp.argmin(jnp.sum((x[:, None, :] - centroids[None]) ** 2, axis=-1), axis=1)
    member = jax.nn.one_hot(z, n_clusters)  # (N, K)
    counts = jnp.sum(member, axis=0)[:, None]
    new = jnp.where(counts > 0, member.T @ x / jnp.maximum(counts, 1.0), centroids)
    loss = jnp.mean(jnp.min(jnp.sum((x[:, None, :] - new[None]) ** 2, axis=-1), axis=1))
    return new, loss


@partial(jax.jit, static_argnums=(2,))
def _assign(x, centroids, n_clusters):
    z = jnp.argmin(jnp.sum((x[:, None, :] - centroids[None]) ** 2, axis=-1), axis=1)
    return z, jax.nn.one_hot(z, n_clusters)


def adjusted_rand_index(labels_true, labels_pred) -> jax.Array:
    """The adjusted Rand index of two integer labellings of the same N points."""
    a = jnp.asarray(labels_true).astype(jnp.int32)
    b = jnp.asarray(labels_pred).astype(jnp.int32)
    n = a.shape[0]
    if n <= 1:
        return jnp.asarray(1.0)
    table = jax.nn.one_hot(a, int(jnp.max(a)) + 1).T @ jax.nn.one_hot(b, int(jnp.max(b)) + 1)
    pairs = lambda c: jnp.sum(c * (c - 1.0) / 2.0)  # noqa: E731  (sum of C(c, 2))
    rows, cols = pairs(jnp.sum(table, 1)), pairs(jnp.sum(table, 0))
    expected = rows * cols / (n * (n - 1.0) / 2.0)
    denominator = (rows + cols) / 2.0 - expected
    return jnp.where(denominator == 0.0, 1.0, (pairs(table) - expected) / denominator)


class KMeansProbe(Probe):
    """A k-means clustering probe.

    Args:
        dkey: JAX PRNG key
        source_seq_length, input_dim: the embeddings' (T, D)
        out_dim: K, the number of clusters (Default: 2)
        batch_size: unused (Default: 1)
    """

    def __init__(self, dkey, source_seq_length, input_dim, out_dim=2, batch_size=1, **kwargs):
        super().__init__(dkey, batch_size, **kwargs)
        if isinstance(out_dim, bool) or not isinstance(out_dim, int) or out_dim < 1:
            raise ValueError(f"KMeansProbe: out_dim (the number of clusters) must be an int "
                             f">= 1, got {out_dim!r}")
        self.dkey, *_ = random.split(self.dkey, 3)
        self.source_seq_length, self.input_dim = source_seq_length, input_dim
        self.n_clusters = self.out_dim = out_dim
        self.centroids: jax.Array | None = None

    def _init(self, embeddings):
        x = flatten_sequences(embeddings)
        self.dkey, *sub = random.split(self.dkey, 15)
        rows = random.choice(sub[0], x.shape[0], shape=(self.n_clusters,), replace=False)
        self.centroids = x[rows]

    def process(self, embeddings, dkey=None):
        return _assign(flatten_sequences(embeddings), self.centroids, self.n_clusters)[1]

    def update(self, embeddings, labels=None, dkey=None):
        """One Lloyd step; returns (k-means objective, cluster one-hots)."""
        x = flatten_sequences(embeddings)
        self.centroids, loss = _lloyd_step(x, self.centroids, self.n_clusters)
        return loss, self.process(x)

    def fit(self, dataset, dev_dataset=None, n_iter=20, patience=20):
        data, labels = dataset
        truth = jnp.argmax(jnp.asarray(labels), axis=-1)
        self._init(data)
        best = 0.0
        for i in range(n_iter):
            _, out = self.update(data, labels)
            ari = adjusted_rand_index(truth, jnp.argmax(out, axis=1))
            print(f"\r{i}: ARI = {ari}", end="")
            best = max(best, float(ari))
        print()
        return best


__all__ = ["KMeansProbe", "adjusted_rand_index"]
