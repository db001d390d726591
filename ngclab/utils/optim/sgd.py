"""Stochastic gradient descent as a decoupled update rule.

For each parameter tensor theta_i and its update (gradient-like) tensor g_i:

| theta_i <- theta_i - eta * g_i

The step SUBTRACTS the update (descent), exactly as ngc-learn 3.2.3. Hebbian components, whose
rules produce ascent directions, pass ``sign_value=-1`` (or a negative eta) to climb instead.
The optimizer state is a single step counter ``t`` (a float32 0-d array), incremented per step.
"""
from __future__ import annotations

from collections.abc import Sequence

import jax
import jax.numpy as jnp

Array = jax.Array


def sgd_init(theta: Sequence[Array]) -> Array:
    """Initial SGD state: the step counter t = 0 (a float32 0-d array)."""
    return jnp.asarray(0.0, dtype=jnp.float32)


@jax.jit
def sgd_step(opt_params: Array, theta: Sequence[Array], updates: Sequence[Array],
             eta: Array | float = 0.001) -> tuple[Array, list[Array]]:
    """One SGD step: returns (t + 1, [theta_i - eta * g_i for each i]).

    ``eta`` is an ordinary (traced) argument, so changing it does not recompile.
    """
    new_theta = [p - u * eta for p, u in zip(theta, updates, strict=True)]
    return opt_params + 1, new_theta
