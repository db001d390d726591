"""Latency codes shared by LatencyCell and TTFSCell: an intensity becomes the time of one spike
(strong inputs fire early, weak ones late), and each unit fires once.

LatencyCell (times in ms, from first_spike_time t0, threshold theta, time constant tau):

| linear:       t_s = t0 + min(tau (1 - x), tau (1 - theta))
|               normalised: tau = num_steps - 1 - t0 (x = 0 fires at the last step)
| logarithmic:  t_s = t0 + tau log(x' / (x' - theta)),   x' = max(x, theta + eps)
|               normalised: t_s = t0 + (t_s - t0) (num_steps - 1 - t0) / max_units(t_s - t0)

TTFSCell (a step index in 0 .. num_steps - 1, from x clipped to [1e-7, 1]):

| exponential:  k = round((e^-x - e^-1) / (e^-1e-7 - e^-1) (num_steps - 1))
| logarithmic:  k = round(clip(-log x / max(-log 0.01, max_units(-log x)), 0, 1) (num_steps - 1))

(max_units: the largest value over the units of each sample.)
"""
from __future__ import annotations

import jax.numpy as jnp

#: the margin above the threshold that the logarithmic code's saturated inputs sit at
LOG_EPS = 1e-7
#: TTFSCell clips inputs to [TTFS_FLOOR, 1] (log 0 is -inf)
TTFS_FLOOR = 1e-7


def linear_latency(x, tau, threshold, first_spike_time, normalize: bool, num_steps):
    """Spike times of the linear latency code."""
    if normalize:
        tau = num_steps - 1. - first_spike_time
    latest = -tau * (threshold - 1.)
    return jnp.minimum(-tau * (x - 1.), latest) + first_spike_time


def log_latency(x, tau, threshold, first_spike_time, normalize: bool, num_steps):
    """Spike times of the logarithmic latency code."""
    x = jnp.maximum(x, threshold + LOG_EPS)  # below threshold: the latest time
    delay = tau * jnp.log(x / (x - threshold))
    if normalize:
        longest = jnp.max(delay, axis=-1, keepdims=True)
        scale = (num_steps - first_spike_time - 1.) / jnp.where(longest > 0., longest, 1.)
        delay = delay * scale
    return delay + first_spike_time


def ttfs_step(x, num_steps: int, latency_mode: str):
    """TTFSCell's target step (int32) for each unit."""
    x = jnp.clip(x, TTFS_FLOOR, 1.)
    if latency_mode == "exponential":
        fraction = (jnp.exp(-x) - jnp.exp(-1.)) / (jnp.exp(-TTFS_FLOOR) - jnp.exp(-1.))
        steps = fraction * (num_steps - 1)
    else:
        delay = -jnp.log(x)
        longest = jnp.maximum(-jnp.log(0.01), jnp.max(delay, axis=-1, keepdims=True))
        steps = jnp.clip(delay / longest * (num_steps - 1), 0, num_steps - 1)
    return jnp.round(steps).astype(jnp.int32)


def fire_once(due, fired):
    """The spikes of the units that are due and have not fired yet, and the updated mask of the
    units that have fired (both in the dtype of ``fired``: 0/1 floats or booleans)."""
    spikes = jnp.logical_and(due, jnp.logical_not(fired))
    return spikes.astype(fired.dtype), jnp.logical_or(fired, spikes).astype(fired.dtype)
