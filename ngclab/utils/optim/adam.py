"""Adam (Kingma & Ba, 2015) as a decoupled update rule.

For each parameter tensor theta with update (gradient-like) tensor g, at step t = 1, 2, ...:

| m <- beta1 m + (1 - beta1) g
| v <- beta2 v + (1 - beta2) g^2
| m_hat = m / (1 - beta1^t),   v_hat = v / (1 - beta2^t)
| theta <- theta - eta * m_hat / (sqrt(v_hat) + eps)

Defaults eta = 0.001, beta1 = 0.9, beta2 = 0.999, eps = 1e-8 (ngc-learn 3.2.3). The step
SUBTRACTS (descent); see ``sgd`` for the Hebbian sign convention.
The state is ``([m_1, ..., m_K], [v_1, ..., v_K], t)``: two lists of float32 arrays shaped like the
parameters and a float32 0-d step counter (the same layout as ngc-learn).
"""
from __future__ import annotations

from collections.abc import Sequence

import jax
import jax.numpy as jnp

Array = jax.Array
AdamState = tuple[list[Array], list[Array], Array]


def adam_init(theta: Sequence[Array]) -> AdamState:
    """Initial Adam state: zero moments and t = 0."""
    m = [jnp.zeros(jnp.shape(p), jnp.float32) for p in theta]
    v = [jnp.zeros(jnp.shape(p), jnp.float32) for p in theta]
    return m, v, jnp.asarray(0.0, dtype=jnp.float32)


@jax.jit
def adam_step(opt_params: AdamState, theta: Sequence[Array], updates: Sequence[Array],
              eta: Array | float = 0.001, beta1: Array | float = 0.9,
              beta2: Array | float = 0.999, eps: Array | float = 1e-8
              ) -> tuple[AdamState, list[Array]]:
    """One Adam step: returns ((m', v', t + 1), theta'). All hyperparameters are traced."""
    m, v, t = opt_params
    t = t + 1
    new_m, new_v, new_theta = [], [], []
    for p, g, m_i, v_i in zip(theta, updates, m, v, strict=True):
        m_i = beta1 * m_i + (1.0 - beta1) * g
        v_i = beta2 * v_i + (1.0 - beta2) * jnp.square(g)
        m_hat = m_i / (1.0 - jnp.power(beta1, t))
        v_hat = v_i / (1.0 - jnp.power(beta2, t))
        new_theta.append(p - eta * m_hat / (jnp.sqrt(v_hat) + eps))
        new_m.append(m_i)
        new_v.append(v_i)
    return (new_m, new_v, t), new_theta
