"""Spike bookkeeping shared by the spiking cells and the spike encoders.

    tols' = (1 - s) tols + s t      time of last spike: t where a unit spiked (s = 1), else kept
"""
from __future__ import annotations

import jax.numpy as jnp


def time_of_last_spike(tols: jnp.ndarray, s: jnp.ndarray, t) -> jnp.ndarray:
    """The time-of-last-spike compartment after spikes ``s`` (0/1) at time ``t``."""
    return (1. - s) * tols + s * t
