"""BernoulliMixture: a mixture of factorised multivariate Bernoullis, fitted by EM (ngc-learn
3.2.3's ``BernoulliMixture``).

| log p_k(x) = sum_d [x_d log mu_kd + (1 - x_d) log(1 - mu_kd)]   (0 log 0 = 0)
| M-step: mu_k = sum_n gamma_nk x_n / N_k (N_k = 0 -> divide by 1)
| init: pi_k = 1/K; mu_kd ~ U(0, 0.9) (the data only set D); same key sequence as ngc-learn
| sampling: x_d ~ Bernoulli(mu_kd)   (boolean arrays, as ngc-learn's)

Differences from ngc-learn 3.2.3, where it is broken: its M-step divides by N_k + 2 (see
``GaussianMixture``), and x log mu with x = 0, mu = 0 gives NaN there (a mean reaching 0 or 1
stops the fit); ngclab uses N_k and 0 log 0 = 0. The E-step is in the log domain (ngc-learn's
product of D Bernoulli likelihoods underflows for images).
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

from ngclab.utils.density.gaussianMixture import weighted_means
from ngclab.utils.density.mixture import Mixture


@jax.jit
def log_bernoulli_pdf(X, p):
    """sum_d x_d log p_d + (1 - x_d) log(1 - p_d) per row of X, as an (N, 1) column."""
    on = jnp.where(X > 0.0, X * jnp.log(jnp.where(X > 0.0, p, 1.0)), 0.0)
    off = jnp.where(X < 1.0, (1.0 - X) * jnp.log(jnp.where(X < 1.0, 1.0 - p, 1.0)), 0.0)
    return jnp.sum(on + off, axis=1, keepdims=True)


class BernoulliMixture(Mixture):
    """A Bernoulli mixture model fitted by EM.

    Args:
        K: the number of components
        max_iter: the maximum number of EM iterations (Default: 50)
        init_kmeans: accepted, unsupported (as in ngc-learn)
        key: JAX PRNG key (Default: seeded from the clock, as in ngc-learn)
    """

    def __init__(self, K, max_iter=50, init_kmeans=False, key=None, **kwargs):
        super().__init__(K, max_iter, key=key, **kwargs)
        self.init_kmeans = init_kmeans
        self.mu: list = []

    def init(self, X):
        """pi uniform; each component's probabilities drawn from U(0, 0.9)."""
        dim = jnp.shape(X)[1]
        self.key, *sub = jax.random.split(self.key, 3)
        self.pi = jnp.ones((1, self.K)) / self.K
        jax.random.permutation(sub[0], jnp.shape(X)[0])  # drawn (and unused) as in ngc-learn
        self.mu = []
        for _ in range(self.K):
            self.key, *sub = jax.random.split(self.key, 3)
            self.mu.append(jax.random.uniform(sub[0], (1, dim), minval=0.0, maxval=0.9))

    def _log_pdfs(self, X):
        return jnp.concatenate([log_bernoulli_pdf(X, p) for p in self.mu], axis=1)

    def _M_step(self, X, weights):
        self.pi, means = weighted_means(X, weights)
        self.mu = [means[j:j + 1, :] for j in range(self.K)]
        return self.pi, means

    def _theta(self):
        return jnp.concatenate(self.mu, axis=0)

    def _draw(self, key, n_samples, j):
        return jax.random.bernoulli(key, p=self.mu[j], shape=(n_samples, self.mu[j].shape[1]))


__all__ = ["BernoulliMixture"]
