"""Integrators for the cells' ODEs, dx/dt = f(t, x), one step of size dt.

    euler:     x' = x + dt f(t, x)
    midpoint:  x' = x + dt f(t + dt/2, x + dt/2 f(t, x))        (RK-2, also "rk2")

Shared by every cell, so a cell's file states only its f.
"""
from __future__ import annotations

from typing import Callable

import jax.numpy as jnp

Derivative = Callable[[object, jnp.ndarray], jnp.ndarray]

INTEGRATORS = ("euler", "midpoint", "rk2")


def check_integration(owner: str, integration_type: str) -> str:
    """Validate an ``integration_type`` name; returns the canonical one (euler or midpoint)."""
    if integration_type not in INTEGRATORS:
        raise ValueError(f"{owner}: unknown integration_type {integration_type!r}; valid: "
                         f"{', '.join(INTEGRATORS)}")
    return "midpoint" if integration_type == "rk2" else integration_type


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
