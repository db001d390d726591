"""GaussianMixture: a mixture of multivariate Gaussians with full (or diagonal) covariances,
fitted by EM (ngc-learn 3.2.3's ``GaussianMixture``).

| log N(x; mu, S) = -(D log 2 pi + log det S + (x - mu)^T S^-1 (x - mu)) / 2
| M-step: mu_k = sum_n gamma_nk x_n / N_k (N_k = 0 -> divide by 1)
|         S_k = sum_n gamma_nk (x_n - mu_k)(x_n - mu_k)^T / N_k  (only its diagonal if
|         assume_diag_cov)
| init: pi_k = 1/K; mu_k = K distinct data points (a random permutation); S_k = I
| sampling: x = mu_k + L_k eps, eps ~ N(0, I), L_k L_k^T = S_k (Cholesky)

Differences from ngc-learn 3.2.3, where it is broken: its M-step divides the weighted sums by
N_k + 2 instead of N_k (it means to guard N_k = 0), so its means shrink towards 0; it samples
full-covariance components as mu + eps^T L, whose covariance is L^T L, not S; and ``init``
called twice keeps the first components. ngclab uses N_k, L eps, and starts afresh. The E-step
is computed in the log domain (see ``Mixture``); "Converged" is printed only when verbose.
"""
from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

from ngclab.utils.density.mixture import Mixture


@jax.jit
def log_gaussian_pdf(X, mu, Sigma):
    """log N(x_n; mu, Sigma) for each row of X, as an (N, 1) column."""
    L = jnp.linalg.cholesky(Sigma)
    z = jax.scipy.linalg.solve_triangular(L, (X - mu).T, lower=True)  # L^-1 (x - mu)
    log_det = 2.0 * jnp.sum(jnp.log(jnp.diag(L)))
    quad = jnp.sum(z * z, axis=0)[:, None]
    return -0.5 * (X.shape[1] * jnp.log(2.0 * np.pi) + log_det + quad)


@jax.jit
def weighted_means(X, weights):
    """(pi (1, K), means (K, D)): the M-step's priors and responsibility-weighted means."""
    Nk = jnp.sum(weights, axis=0, keepdims=True)
    means = weights.T @ X / jnp.where(Nk > 0.0, Nk, 1.0).T
    return Nk / X.shape[0], means


@partial(jax.jit, static_argnums=(3,))
def weighted_cov(X, mu, r, diagonal=False):
    """sum_n r_n (x_n - mu)(x_n - mu)^T / sum_n r_n (its diagonal part if ``diagonal``)."""
    diff = X - mu
    S = (r * diff).T @ diff / jnp.sum(r)
    return S * jnp.eye(S.shape[0]) if diagonal else S


class GaussianMixture(Mixture):
    """A Gaussian mixture model (mixture of Gaussians) fitted by EM.

    Args:
        K: the number of components
        max_iter: the maximum number of EM iterations (Default: 50)
        assume_diag_cov: diagonal covariances (Default: False)
        init_kmeans: accepted, unsupported (as in ngc-learn)
        key: JAX PRNG key (Default: seeded from the clock, as in ngc-learn)
    """

    def __init__(self, K, max_iter=50, assume_diag_cov=False, init_kmeans=False, key=None,
                 **kwargs):
        super().__init__(K, max_iter, key=key, **kwargs)
        self.assume_diag_cov = bool(assume_diag_cov)
        self.init_kmeans = init_kmeans
        self.mu: list = []
        self.Sigma: list = []

    def init(self, X):
        """pi uniform, the means K distinct rows of X, the covariances I."""
        X = jnp.asarray(X, jnp.float32)
        if X.shape[0] < self.K:
            raise ValueError(f"GaussianMixture: init needs at least K = {self.K} data points, "
                             f"got {X.shape[0]}")
        self.key, *sub = jax.random.split(self.key, 3)
        self.pi = jnp.ones((1, self.K)) / self.K
        rows = jax.random.permutation(sub[0], X.shape[0])
        self.mu = [X[rows[j]:rows[j] + 1, :] for j in range(self.K)]
        self.Sigma = [jnp.eye(X.shape[1]) for _ in range(self.K)]

    def _log_pdfs(self, X):
        return jnp.concatenate([log_gaussian_pdf(X, m, S) for m, S in zip(self.mu, self.Sigma)],
                               axis=1)

    def _M_step(self, X, weights):
        self.pi, means = weighted_means(X, weights)
        self.mu = [means[j:j + 1, :] for j in range(self.K)]
        self.Sigma = [weighted_cov(X, self.mu[j], weights[:, j:j + 1], self.assume_diag_cov)
                      for j in range(self.K)]
        return self.pi, means

    def _theta(self):
        return jnp.concatenate(self.mu, axis=0)

    def _draw(self, key, n_samples, j):
        eps = jax.random.normal(key, (n_samples, self.mu[j].shape[1]))
        if self.assume_diag_cov:
            return self.mu[j] + eps * jnp.sqrt(jnp.diag(self.Sigma[j]))[None, :]
        return self.mu[j] + eps @ jnp.linalg.cholesky(self.Sigma[j]).T


__all__ = ["GaussianMixture"]
