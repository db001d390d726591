"""Integrators for the cells' ODEs, dx/dt = f(t, x), one step of size dt.

    euler:     x' = x + dt f(t, x)                               (RK-1, also "rk1")
    midpoint:  x' = x + dt f(t + dt/2, x + dt/2 f(t, x))        (RK-2, also "rk2")
    rk4:       k1 = f(t, x)                       k2 = f(t + dt/2, x + dt/2 k1)
               k3 = f(t + dt/2, x + dt/2 k2)      k4 = f(t + dt, x + dt k3)
               x' = x + dt (k1 + 2 k2 + 2 k3 + k4) / 6           (classical Runge-Kutta, RK-4)

These are ngc-learn 3.2.3's ``step_euler`` / ``step_rk2`` / ``step_rk4`` with ``x_scale = 1``
(its midpoint step evaluates f at the half step and applies that slope to the full step from x),
so a cell with one state variable integrated here gives ngc-learn's numbers. Shared by every
cell, so a cell's file states only its f.

``x`` is an array, or a tuple of arrays for a system of variables (a cell's (v, w), or
Hodgkin-Huxley's (v, n, m, h)); ``f`` then returns a tuple of the same layout and every stage
moves all the variables together, which is what makes midpoint second- and RK-4 fourth-order
accurate for the coupled system.

Most cells offer euler and midpoint (``INTEGRATORS``); a cell whose ngc-learn counterpart also
offers RK-4 validates against ``RK4_INTEGRATORS``.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

import jax

State = Any   # an array, or a tuple of arrays
Derivative = Callable[[object, State], State]

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


def _moved(x: State, h, slope: State) -> State:
    """x + h * slope, variable by variable."""
    return jax.tree_util.tree_map(lambda xi, ki: xi + h * ki, x, slope)


def euler(f: Derivative, x: State, dt, t=0.0) -> State:
    """One explicit Euler (RK-1) step."""
    return _moved(x, dt, f(t, x))


def midpoint(f: Derivative, x: State, dt, t=0.0) -> State:
    """One midpoint-method (RK-2) step."""
    x_half = _moved(x, 0.5 * dt, f(t, x))
    return _moved(x, dt, f(t + 0.5 * dt, x_half))


def rk4(f: Derivative, x: State, dt, t=0.0) -> State:
    """One classical fourth-order Runge-Kutta (RK-4) step."""
    k1 = f(t, x)
    k2 = f(t + 0.5 * dt, _moved(x, 0.5 * dt, k1))
    k3 = f(t + 0.5 * dt, _moved(x, 0.5 * dt, k2))
    k4 = f(t + dt, _moved(x, dt, k3))
    slope = jax.tree_util.tree_map(lambda a, b, c, d: (a + 2. * b + 2. * c + d) / 6.,
                                   k1, k2, k3, k4)
    return _moved(x, dt, slope)


_STEPS = {"euler": euler, "midpoint": midpoint, "rk4": rk4}


def integrate(kind: str, f: Derivative, x: State, dt, t=0.0) -> State:
    """Step with the named integrator (``euler``, ``midpoint`` or ``rk4``)."""
    return _STEPS[kind](f, x, dt, t)
