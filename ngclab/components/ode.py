"""Integrators for the cells' ODEs, dx/dt = f(t, x), one step of size dt.

    euler:     x' = x + dt f(t, x)                               (RK-1, also "rk1")
    midpoint:  x' = x + dt f(t + dt/2, x + dt/2 f(t, x))        (RK-2, also "rk2")
    rk4:       k1 = f(t, x)                       k2 = f(t + dt/2, x + dt/2 k1)
               k3 = f(t + dt/2, x + dt/2 k2)      k4 = f(t + dt, x + dt k3)
               x' = x + dt (k1 + 2 k2 + 2 k3 + k4) / 6           (classical Runge-Kutta, RK-4)

These are ngc-learn 3.2.3's ``step_euler`` / ``step_rk2`` / ``step_rk4`` with ``x_scale = 1``
(its midpoint step evaluates f at the half step and applies that slope to the full step from x),
so cells integrated here give ngc-learn's numbers. Shared by every cell, so a cell's file
states only its f.

Most cells offer euler and midpoint (``INTEGRATORS``); a cell whose ngc-learn counterpart also
offers RK-4 validates against ``RK4_INTEGRATORS``.
"""
from __future__ import annotations

from typing import Callable, Iterable

import jax.numpy as jnp

Derivative = Callable[[object, jnp.ndarray], jnp.ndarray]

INTEGRATORS = ("euler", "rk1", "midpoint", "rk2")
RK4_INTEGRATORS = INTEGRATORS + ("rk4",)
_CANONICAL = {"rk1": "euler", "rk2": "midpoint"}


def check_integration(owner: str, integration_type: str,
                      valid: Iterable[str] = INTEGRATORS) -> str:
    """Validate an ``integration_type`` name against ``valid``; returns the canonical one
    (euler, midpoint or rk4)."""
    valid = tuple(valid)
    if not isinstance(integration_type, str) or integration_type not in valid:
        raise ValueError(f"{owner}: unknown integration_type {integration_type!r}; valid: "
                         f"{', '.join(valid)}")
    return _CANONICAL.get(integration_type, integration_type)


def euler(f: Derivative, x: jnp.ndarray, dt, t=0.0) -> jnp.ndarray:
    """One explicit Euler (RK-1) step."""
    return x + dt * f(t, x)


def midpoint(f: Derivative, x: jnp.ndarray, dt, t=0.0) -> jnp.ndarray:
    """One midpoint-method (RK-2) step."""
    x_half = x + 0.5 * dt * f(t, x)
    return x + dt * f(t + 0.5 * dt, x_half)


def rk4(f: Derivative, x: jnp.ndarray, dt, t=0.0) -> jnp.ndarray:
    """One classical fourth-order Runge-Kutta (RK-4) step."""
    k1 = f(t, x)
    k2 = f(t + 0.5 * dt, x + 0.5 * dt * k1)
    k3 = f(t + 0.5 * dt, x + 0.5 * dt * k2)
    k4 = f(t + dt, x + dt * k3)
    return x + dt * ((k1 + 2. * k2 + 2. * k3 + k4) / 6.)


_STEPS = {"euler": euler, "midpoint": midpoint, "rk4": rk4}


def integrate(kind: str, f: Derivative, x: jnp.ndarray, dt, t=0.0) -> jnp.ndarray:
    """Step with the named integrator (``euler``, ``midpoint`` or ``rk4``)."""
    return _STEPS[kind](f, x, dt, t)
