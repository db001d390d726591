"""Mixture: the expectation-maximisation loop every mixture model here shares (ngc-learn 3.2.3's
``Mixture`` template), for p(x) = sum_k pi_k p_k(x) with a Categorical prior pi over K
components:

| E-step: log r_nk = log pi_k + log p_k(x_n);  log p(x_n) = logsumexp_k log r_nk
|         gamma_nk = exp(log r_nk - log p(x_n))            (responsibilities, rows sum to 1)
| M-step: pi_k = N_k / N with N_k = sum_n gamma_nk, and the components' parameters (subclass)
| fit: E and M steps until ||theta - theta_prev|| < tol (theta: the stacked means or rates) or
|      max_iter steps
| sample: component z ~ Categorical(pi) per sample, then x ~ p_z; samples come grouped by
|         component (all of component 0 first), as in ngc-learn

A subclass implements ``init(X)``, ``_log_pdfs(X)`` (the (N, K) matrix log p_k(x_n)),
``_M_step(X, gamma)`` (returns (pi, theta)), ``_theta()`` and ``_draw(key, n, j)``.

The E-step works in the log domain (ngc-learn multiplies likelihoods, which underflow to 0 in
high dimension and give NaN responsibilities); where ngc-learn's likelihoods do not underflow
the numbers agree.
"""
from __future__ import annotations

import time

import jax
import jax.numpy as jnp
from jax.scipy.special import logsumexp


@jax.jit
def responsibilities(log_pdfs: jax.Array, pi: jax.Array):
    """(gamma (N, K), log p(x_n) (N, 1), sum_n log p(x_n)) from log p_k(x_n) and pi (1, K)."""
    log_r = log_pdfs + jnp.log(pi)
    log_px = logsumexp(log_r, axis=1, keepdims=True)
    return jnp.exp(log_r - log_px), log_px, jnp.sum(log_px)


def check_count(who: str, name: str, value, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) \
            or value < low:
        raise ValueError(f"{who}: {name} must be an integer >= {low}, got {value!r}")
    return int(value)


class Mixture:
    """A mixture of K components fitted by EM (see the module docstring).

    Args:
        K: the number of components
        max_iter: the maximum number of EM iterations of ``fit`` (Default: 50)
    """

    def __init__(self, K, max_iter=50, key=None, **kwargs):
        who = type(self).__name__
        self.K = check_count(who, "K", K)
        self.max_iter = check_count(who, "max_iter", max_iter)
        self.pi = None
        # ngc-learn seeds from the clock when no key is given
        self.key = jax.random.PRNGKey(time.time_ns() % 2 ** 62) if key is None else key

    # ---- the parts a mixture defines
    def init(self, X):
        """Data-dependent initial parameters."""
        raise NotImplementedError

    def _log_pdfs(self, X) -> jax.Array:
        raise NotImplementedError

    def _M_step(self, X, weights):
        raise NotImplementedError

    def _theta(self) -> jax.Array:
        raise NotImplementedError

    def _draw(self, key, n_samples: int, j: int) -> jax.Array:
        raise NotImplementedError

    # ---- the shared EM machinery
    def _ready(self, X) -> jax.Array:
        if self.pi is None:
            raise ValueError(f"{type(self).__name__}: call init(X) before using the mixture")
        X = jnp.asarray(X, jnp.float32)
        if X.ndim != 2:
            raise ValueError(f"{type(self).__name__}: X must be an (N, D) design matrix, got "
                             f"shape {X.shape}")
        return X

    def _E_step(self, X):
        """(gamma, log p(x_n) column, sum_n log p(x_n)) under the current parameters."""
        return responsibilities(self._log_pdfs(self._ready(X)), self.pi)

    def calc_log_likelihood(self, X):
        """(column of log p(x_n), log p(X) = sum_n log p(x_n)) under the current parameters."""
        _, log_px, total = self._E_step(X)
        return log_px, total

    def update(self, X):
        """One E-step then one M-step; returns (gamma, pi, theta, log p(X) before the step)."""
        X = self._ready(X)
        gamma, _, total = self._E_step(X)
        pi, theta = self._M_step(X, gamma)
        return gamma, pi, theta, total

    def fit(self, X, tol=1e-3, verbose=False):
        """EM until the parameters move less than ``tol`` (tol < 0: always max_iter steps)."""
        theta_prev = self._theta()
        for i in range(self.max_iter):
            _, _, theta, total = self.update(X)
            moved = float(jnp.linalg.norm(theta - theta_prev))
            if verbose:
                print(f"{i}: parameter change = {moved}  log(p(X)) = {total} nats")
            if tol >= 0.0 and moved < tol:
                if verbose:
                    print(f"Converged after {i + 1} iterations.")
                break
            theta_prev = theta

    def sample(self, n_samples, mode_j=-1):
        """``n_samples`` draws from the mixture, or from component ``mode_j`` if >= 0."""
        if self.pi is None:
            raise ValueError(f"{type(self).__name__}: call init(X) before sampling")
        self.key, *sub = jax.random.split(self.key, 3)
        if mode_j >= 0:
            return self._draw(sub[0], n_samples, mode_j)
        z = jax.random.categorical(sub[0], logits=jnp.log(self.pi), shape=(n_samples, 1))
        parts = []
        for j in range(self.K):
            self.key, *sub = jax.random.split(self.key, 3)
            parts.append(self._draw(sub[0], int(jnp.sum(z == j)), j))
        return jnp.concatenate(parts, axis=0)
