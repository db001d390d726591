"""Nesterov's accelerated gradient (NAG) as a decoupled update rule (ngc-learn 3.2.3's form).

For each parameter tensor theta with update g, at step t = 1, 2, ...:

| phi <- theta - eta * g                        (look-ahead descent step)
| theta <- phi + mu * (phi - phi_prev) * [t > 1]
| phi_prev <- phi

Defaults eta = 0.01, mu = 0.9. State: ``([phi_prev_1, ..., phi_prev_K], t)``.
"""
from __future__ import annotations

from collections.abc import Sequence

import jax
import jax.numpy as jnp

Array = jax.Array
NagState = tuple[list[Array], Array]


def nag_init(theta: Sequence[Array]) -> NagState:
    """Initial NAG state: phi_prev = 0 and t = 0."""
    return [jnp.zeros(jnp.shape(p), jnp.float32) for p in theta], jnp.asarray(0.0, jnp.float32)


@jax.jit
def nag_step(opt_params: NagState, theta: Sequence[Array], updates: Sequence[Array],
             eta: Array | float = 0.01, mu: Array | float = 0.9
             ) -> tuple[NagState, list[Array]]:
    """One NAG step: returns ((phi', t + 1), theta')."""
    phi_prev, t = opt_params
    t = t + 1
    new_phi, new_theta = [], []
    for p, g, old in zip(theta, updates, phi_prev, strict=True):
        phi = p - g * eta
        new_theta.append(phi + (phi - old) * (mu * (t > 1.0)))
        new_phi.append(phi)
    return (new_phi, t), new_theta
