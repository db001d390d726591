"""ExponentialMixture: a mixture of factorised multivariate exponentials, fitted by EM
(ngc-learn 3.2.3's ``ExponentialMixture``), for data x >= 0.

| log p_k(x) = sum_d [log lambda_kd - lambda_kd x_d]
| M-step: pi_k = N_k / sum_k N_k;  lambda_kd = N_k / sum_n gamma_nk x_nd  (1 / weighted mean)
| init: pi ~ U(0.99, 1.01) normalised; lambda_kd = U(0.99, 1.01) / mean_n x_nd
| sampling: x_d = e / lambda_kd, e ~ Exp(1)   (mean 1 / lambda)

Differences from ngc-learn 3.2.3, where it is broken: it samples e * lambda (mean lambda, not
1 / lambda), and its ``calc_log_likelihood`` (and the value ``update`` reports) is the
responsibility-weighted sum_k gamma_nk (log pi_k + log p_k(x_n)), a lower bound, not
log p(x_n); ngclab samples e / lambda and returns log p(x_n) = logsumexp_k(log pi_k +
log p_k(x_n)). The responsibilities, priors and rates of an EM step are ngc-learn's.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

from ngclab.utils.density.mixture import Mixture


@jax.jit
def log_exponential_pdfs(X, rates):
    """(N, K): log p_k(x_n) for rates (K, D)."""
    return -X @ rates.T + jnp.sum(jnp.log(rates), axis=1)[None, :]


@jax.jit
def priors_and_rates(X, weights):
    Nk = jnp.sum(weights, axis=0, keepdims=True)
    return Nk / jnp.sum(Nk), Nk.T / (weights.T @ X)


class ExponentialMixture(Mixture):
    """An exponential mixture model fitted by EM (data must be >= 0).

    Args:
        K: the number of components
        max_iter: the maximum number of EM iterations (Default: 50)
        init_kmeans: accepted, unsupported (as in ngc-learn)
        key: JAX PRNG key (Default: seeded from the clock, as in ngc-learn)
    """

    def __init__(self, K, max_iter=50, init_kmeans=False, key=None, **kwargs):
        super().__init__(K, max_iter, key=key, **kwargs)
        self.init_kmeans = init_kmeans
        self.rate: list = []

    def _ready(self, X):
        X = super()._ready(X)
        if bool(jnp.any(X < 0.0)):
            raise ValueError("ExponentialMixture: X must be >= 0 (exponential densities)")
        return X

    def init(self, X):
        """Jittered uniform priors and rates around 1 / mean(X)."""
        X = jnp.asarray(X, jnp.float32)
        self.key, *sub = jax.random.split(self.key, 4)
        pi = jax.random.uniform(sub[0], (1, self.K), minval=0.99, maxval=1.01)
        self.pi = pi / jnp.sum(pi)
        base = 1.0 / jnp.mean(X, axis=0, keepdims=True)
        rates = jax.random.uniform(sub[1], (self.K, X.shape[1]), minval=0.99, maxval=1.01) * base
        self.rate = [rates[j:j + 1, :] for j in range(self.K)]

    def _log_pdfs(self, X):
        return log_exponential_pdfs(X, jnp.concatenate(self.rate, axis=0))

    def _M_step(self, X, weights):
        self.pi, rates = priors_and_rates(X, weights)
        self.rate = [rates[j:j + 1, :] for j in range(self.K)]
        return self.pi, rates

    def _theta(self):
        return jnp.concatenate(self.rate, axis=0)

    def _draw(self, key, n_samples, j):
        return jax.random.exponential(key, (n_samples, self.rate[j].shape[1])) / self.rate[j]


__all__ = ["ExponentialMixture"]
