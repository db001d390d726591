"""Integrators for the cells' ODEs, dx/dt = f(t, x), one step of size dt.

    euler:     x' = x + dt f(t, x)                               (RK-1, also "rk1")
    midpoint:  x' = x + dt f(t + dt/2, x + dt/2 f(t, x))        (RK-2, also "rk2")

These are ngc-learn 3.2.3's ``step_euler`` / ``step_rk2`` with ``x_scale = 1`` (its midpoint step
evaluates f at the half step and applies that slope to the full step from x), so cells integrated
here give ngc-learn's numbers. Shared by every cell, so a cell's file states only its f.
"""
from __future__ import annotations

from typing import Callable

import jax.numpy as jnp

Derivative = Callable[[object, jnp.ndarray], jnp.ndarray]

INTEGRATORS = ("euler", "rk1", "midpoint", "rk2")


def check_integration(owner: str, integration_type: str) -> str:
    """Validate an ``integration_type`` name; returns the canonical one (euler or midpoint)."""
    if not isinstance(integration_type, str) or integration_type not in INTEGRATORS:
        raise ValueError(f"{owner}: unknown integration_type {integration_type!r}; valid: "
                         f"{', '.join(INTEGRATORS)}")
    return {"rk2": "midpoint", "rk1": "euler"}.get(integration_type, integration_type)


def euler(f: Derivative, x: jnp.ndarray, dt, t=0.0) -> jnp.ndarray:
    """One explicit Euler (RK-1) step."""
    return x + dt * f(t, x)


def midpoint(f: Derivative, x: jnp.ndarray, dt, t=0.0) -> jnp.ndarray:
    """One midpoint-method (RK-2) step."""
    x_half = x + 0.5 * dt * f(t, x)
    return x + dt * f(t + 0.5 * dt, x_half)


def integrate(kind: str, f: Derivative, x: jnp.ndarray, dt, t=0.0) -> jnp.ndarray:
    """Step with the named integrator (``euler`` or ``midpoint``)."""
    return midpoint(f, x, dt, t) if kind == "midpoint" else euler(f, x, dt, t)
