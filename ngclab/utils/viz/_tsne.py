"""Exact t-SNE (van der Maaten & Hinton, 2008) in JAX, with scikit-learn's default schedule
(the embedding ngc-learn's ``extract_tsne_latents`` asks scikit-learn for).

| p_{j|i} = exp(-beta_i ||x_i - x_j||^2) / sum_{k != i} exp(-beta_i ||x_i - x_k||^2), beta_i
|   set by bisection so that 2^H(p_{.|i}) = perplexity;  P_ij = (p_{j|i} + p_{i|j}) / (2N)
| q_ij = w_ij / sum_{k != l} w_kl,  w_ij = 1 / (1 + ||y_i - y_j||^2)
| dKL(P || Q)/dy_i = 4 sum_j (a P_ij - q_ij) w_ij (y_i - y_j)   (a = 12 for the first 250 steps)
| gradient descent with momentum 0.5 (then 0.8), per-coordinate gains (+0.2 when the step
| changes sign, x0.8 otherwise, >= 0.01), learning rate max(N / 48, 50), 1000 steps, started
| from the top-2 principal components scaled to a standard deviation of 1e-4
"""
from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

EXAGGERATION, EXAGGERATED_STEPS, N_STEPS = 12.0, 250, 1000


def _affinities(X: np.ndarray, perplexity: float) -> np.ndarray:
    """The symmetric input affinities P (N x N, zero diagonal, summing to 1)."""
    n = X.shape[0]
    d2 = np.maximum(np.sum(X ** 2, 1)[:, None] + np.sum(X ** 2, 1)[None, :] - 2 * X @ X.T, 0.0)
    target = np.log(min(perplexity, n - 1.0))  # entropy (nats) of the wanted distribution
    lo, hi, beta = np.zeros(n), np.full(n, np.inf), np.ones(n)
    off = ~np.eye(n, dtype=bool)
    for _ in range(100):
        w = np.exp(-(d2 - np.where(off, d2, np.inf).min(1, keepdims=True)) * beta[:, None]) * off
        p = w / np.maximum(w.sum(1, keepdims=True), 1e-300)
        entropy = -np.sum(np.where(p > 0, p * np.log(np.maximum(p, 1e-300)), 0.0), axis=1)
        too_flat = entropy > target  # spread too wide: sharpen (raise beta)
        lo = np.where(too_flat, beta, lo)
        hi = np.where(too_flat, hi, beta)
        beta = np.where(np.isinf(hi), beta * 2.0, (lo + hi) / 2.0)
    P = (p + p.T) / (2.0 * n)
    return np.maximum(P, 1e-12) * off


@partial(jax.jit, static_argnums=(2,))
def _descend(P, Y0, n_steps: int):
    n = P.shape[0]
    lr = jnp.maximum(n / EXAGGERATION / 4.0, 50.0)
    off = 1.0 - jnp.eye(n)

    def step(i, carry):
        Y, update, gains = carry
        a = jnp.where(i < EXAGGERATED_STEPS, EXAGGERATION, 1.0)
        momentum = jnp.where(i < EXAGGERATED_STEPS, 0.5, 0.8)
        diff = Y[:, None, :] - Y[None, :, :]
        w = off / (1.0 + jnp.sum(diff ** 2, axis=2))
        Q = w / jnp.sum(w)
        grad = 4.0 * jnp.sum(((a * P - Q) * w)[:, :, None] * diff, axis=1)
        flipped = jnp.sign(grad) != jnp.sign(update)
        gains = jnp.maximum(jnp.where(flipped, gains + 0.2, gains * 0.8), 0.01)
        update = momentum * update - lr * gains * grad
        return Y + update, update, gains

    Y, _, _ = jax.lax.fori_loop(0, n_steps, step, (Y0, jnp.zeros_like(Y0), jnp.ones_like(Y0)))
    return Y


def tsne(X, perplexity: float = 30.0, n_steps: int = N_STEPS) -> np.ndarray:
    """A 2-D t-SNE embedding (N, 2) of the rows of X (N, D)."""
    from ngclab.utils.viz.dim_reduce import pca

    X = np.asarray(X, np.float64)
    P = _affinities(X, perplexity)
    Y0 = pca(X, 2)
    Y0 = Y0 / np.std(Y0[:, 0]) * 1e-4
    return np.asarray(_descend(jnp.asarray(P, jnp.float32), jnp.asarray(Y0, jnp.float32),
                               n_steps))
