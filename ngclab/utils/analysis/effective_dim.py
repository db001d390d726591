"""Effective-dimension measures of a set of codes Z (N x D), on the sample covariance
C = Zc^T Zc / (N - 1) of the centred codes Zc (ngc-learn 3.2.3's ``effective_dim``):

| participation_ratio = tr(C)^2 / ||C||_F^2   (1, or NaN with use_NaN_fallback, if C = 0)
| covariance_error = sum_{i != j} R_ij^2 / (D (D - 1)),  R = C / max(s s^T, 1e-6),
|                    s = sqrt(max(diag C, 1e-8))  (mean squared off-diagonal correlation)
| rankme = exp(-sum_k p_k log p_k),  p_k = sigma_k / (sum sigma + eps)  (singular values of Z;
|          1 if Z = 0)
| stable_rank = ||Zc||_F^2 / sigma_max(Zc)^2, sigma_max from num_iters power iterations from a
|               fixed N(0, I) start (PRNGKey(0)); 1 if Zc = 0

Difference from ngc-learn 3.2.3, where it is broken: ``participation_ratio`` with
use_NaN_fallback=True fails inside jit there (a Python ``if`` on a traced value); ngclab
returns NaN for C = 0 as documented.
"""
from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp


def _covariance(Z):
    Zc = Z - Z.mean(axis=0, keepdims=True)
    return Zc.T @ Zc / (Zc.shape[0] - 1)


@partial(jax.jit, static_argnums=(1,))
def participation_ratio(latent_codes, use_NaN_fallback=False):
    """tr(C)^2 / ||C||_F^2: about how many directions the codes use."""
    C = _covariance(latent_codes)
    frob2 = jnp.sum(jnp.square(C))
    fallback = jnp.nan if use_NaN_fallback else 1.0
    return jnp.where(frob2 > 0.0, jnp.trace(C) ** 2 / jnp.where(frob2 > 0.0, frob2, 1.0),
                     fallback)


@jax.jit
def covariance_error(latent_codes):
    """Mean squared off-diagonal correlation between code dimensions (redundancy)."""
    C = _covariance(latent_codes)
    s = jnp.sqrt(jnp.clip(jnp.diag(C), 1e-8))
    R = C / jnp.clip(s[:, None] * s[None, :], 1e-6)
    D = R.shape[0]
    return jnp.sum(jnp.square(R * (1.0 - jnp.eye(D)))) / (D * (D - 1))


@partial(jax.jit, static_argnums=(1,))
def rankme(latent_codes, eps=1e-7):
    """exp(entropy of the normalised singular values): the RankMe effective rank."""
    sv = jnp.linalg.svd(latent_codes, compute_uv=False)
    total = jnp.sum(sv)
    p = sv / (jnp.where(total > 0.0, total, 1.0) + eps)
    entropy = -jnp.sum(p * jnp.log(jnp.where(p > 0.0, p, 1.0)))
    return jnp.where(total > 0.0, jnp.exp(entropy), 1.0)


@partial(jax.jit, static_argnums=(1,))
def stable_rank(latent_codes, num_iters=10):
    """||Zc||_F^2 / sigma_max^2 (sigma_max by power iteration on Zc^T Zc)."""
    Zc = latent_codes - latent_codes.mean(axis=0, keepdims=True)
    v = jax.random.normal(jax.random.PRNGKey(0), (Zc.shape[1], 1))
    v = v / jnp.linalg.norm(v)
    for _ in range(num_iters):
        v = Zc.T @ (Zc @ v)
        v = v / jnp.linalg.norm(v)
    top = jnp.sum(jnp.square(Zc @ v))
    return jnp.where(top > 0.0, jnp.sum(jnp.square(Zc)) / jnp.where(top > 0.0, top, 1.0), 1.0)


__all__ = ["participation_ratio", "covariance_error", "rankme", "stable_rank"]
