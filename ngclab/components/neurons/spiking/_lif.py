"""Math shared by the integrate-and-fire family (IF, sLIF, WTAS, quadratic LIF, resonate-and-fire
and their spike-response models), written once.

| mask = [rfr >= refract_time]                       refractory mask (1: may integrate input)
| rfr <- (rfr + dt) (1 - s) + s r0                   refractory clock (r0 = 0 or dt after a spike)
| v <- v (1 - s) + s v_reset                         reset after a spike
| theta <- theta exp(-dt / tau_theta) + s theta_plus threshold adaptation (tau_theta > 0)
| thr <- max(thr + (sum_i s_i - 1) rho, 0.025)       sparsity threshold (one spike per sample)
| eta(s) = (v_reset - v_rest) exp(-s / tau_m)        LIF spike-response (reset) kernel
| e^{A s} = e^{-gamma s} [cos(w_d s) I + sin(w_d s) / w_d (A + gamma I)]
|     for A = [[b/tau_v, omega/tau_v], [-omega/tau_w, b/tau_w]] (the RAF cell's linear system),
|     gamma = -(b/tau_v + b/tau_w) / 2,  w_d^2 = det A - gamma^2  (its damped frequency)
"""
from __future__ import annotations

import warnings

import jax
import jax.numpy as jnp

from ngclab.components.validation import check_choice
from ngclab.utils.surrogate_fx import (
    arctan_estimator,
    secant_lif_estimator,
    straight_through_estimator,
    triangular_estimator,
)

SURROGATES = {"straight_through": straight_through_estimator, "arctan": arctan_estimator,
              "triangular": triangular_estimator, "secant_lif": secant_lif_estimator}

#: the lowest value the sparsity-controlled thresholds may reach
THRESHOLD_FLOOR = 0.025


def renamed_args(who: str, kwargs: dict, renames: dict) -> dict:
    """Apply ngc-learn's deprecated argument names: ``renames`` maps an old name to its new one
    (or to None: accepted and ignored). Warns once per old name; returns {new: value}."""
    moved = {}
    for old, new in renames.items():
        if old in kwargs:
            value = kwargs.pop(old)
            hint = f", use '{new}'" if new else " and has no effect"
            warnings.warn(f"{who}: the argument '{old}' is deprecated{hint}",
                          DeprecationWarning, stacklevel=4)
            if new:
                moved[new] = value
    return moved


def refractory_mask(rfr, refract_time):
    """1 where the refractory period is over (the input current may drive v), else 0."""
    return (rfr >= refract_time).astype(jnp.float32)


def refractory_clock(rfr, s, dt, restart=0.):
    """Time since the last spike: grows by dt, restarts at ``restart`` where a spike fired."""
    return (rfr + dt) * (1. - s) + s * restart


def spike_reset(v, s, v_reset):
    """The voltage after spikes ``s``: v_reset where a cell fired, else unchanged."""
    return v * (1. - s) + s * v_reset


def adapt_threshold(theta, s, dt, tau_theta, theta_plus):
    """Homeostatic threshold shift: decays with tau_theta and grows by theta_plus per spike;
    tau_theta = 0 switches adaptation off (theta is kept)."""
    adapting = tau_theta > 0.
    decay = jnp.exp(-dt / jnp.where(adapting, tau_theta, 1.))
    return jnp.where(adapting, theta * decay + s * theta_plus, theta)


def sparsity_threshold(thr, s, rho):
    """Thresholds pushed up when a sample fired more than one spike and down when it fired none
    (``rho`` per extra / missing spike), never below THRESHOLD_FLOOR."""
    extra = jnp.sum(s, axis=1, keepdims=True) - 1.
    return jnp.maximum(thr + extra * rho, THRESHOLD_FLOOR)


def keep_one_spike(s, key):
    """At most one spike per sample: one of the cells that fired, drawn uniformly."""
    flat = jnp.reshape(s, (s.shape[0], -1))
    fired = (jnp.sum(flat, axis=1, keepdims=True) > 0.).astype(jnp.float32)
    pick = jax.nn.one_hot(jnp.argmax(flat * jax.random.uniform(key, flat.shape), axis=1),
                          flat.shape[1], dtype=jnp.float32)
    return jnp.reshape(flat * (1. - fired) + pick * fired, s.shape)


def keep_max_voltage_spike(s, v_before):
    """Only the spike of the cell whose voltage was highest before the step (per sample)."""
    old = jnp.reshape(v_before, (s.shape[0], -1))
    top = jax.nn.one_hot(jnp.argmax(old, axis=1), old.shape[1], dtype=jnp.float32)
    return s * jnp.reshape(top, s.shape)


def check_surrogate(who: str, surrogate_type: str):
    """Validate a surrogate_type name; returns its d_spike_fx."""
    check_choice(who, "surrogate_type", surrogate_type, SURROGATES)
    return SURROGATES[surrogate_type]()[1]


def surrogate_derivative(kind: str, d_spike_fx, v, v_thr, j, R, dt, tau_m):
    """ds/dj of one Euler step: ds/dv (the named estimator) times dv/dj = R dt / tau_m;
    secant_lif estimates ds/dj of the scaled current j directly."""
    if kind == "secant_lif":
        value = d_spike_fx(j)
    elif kind == "straight_through":
        value = d_spike_fx(v, v_thr) * (R * dt / tau_m)
    else:  # arctan / triangular with alpha = 0.2, as ngc-learn's LIFCell calls arctan
        value = d_spike_fx(v, v_thr, alpha=0.2) * (R * dt / tau_m)
    return jnp.broadcast_to(value, v.shape)


def lif_reset_kernel(t, t_last_spike, v_reset, v_rest, tau_m):
    """eta(t - t_last): the decaying trace of the last reset, 0 before any spike
    (t_last_spike < 0)."""
    has_spiked = (t_last_spike >= 0.).astype(jnp.float32)
    return has_spiked * (v_reset - v_rest) * jnp.exp(-(t - t_last_spike) / tau_m)


def raf_system(tau_v, tau_w, omega, b):
    """The RAF cell's linear system dx/dt = A x (x = (v, w)): A's entries (a, b, c, d), its decay
    rate gamma and damped angular frequency w_d (rad/ms; floored at 1e-3 where the system is
    critically or over-damped)."""
    a, bb, c, d = b / tau_v, omega / tau_v, -omega / tau_w, b / tau_w
    gamma = -0.5 * (a + d)
    omega_d = jnp.sqrt(jnp.maximum((a * d - bb * c) - gamma ** 2, 1e-6))
    return (a, bb, c, d), gamma, omega_d


def raf_propagate(v, w, s, system):
    """(v, w) after a free evolution of duration s: e^{A s} (v, w)."""
    (a, b, c, d), gamma, omega_d = system
    decay, cos, sin = jnp.exp(-gamma * s), jnp.cos(omega_d * s), jnp.sin(omega_d * s)
    v_s = decay * (v * (cos + (a + gamma) / omega_d * sin) + w * (b / omega_d) * sin)
    w_s = decay * (v * (c / omega_d) * sin + w * (cos + (d + gamma) / omega_d * sin))
    return v_s, w_s
