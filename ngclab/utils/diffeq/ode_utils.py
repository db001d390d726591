"""Explicit integrators for dx/dt = f(t, x, params), one step of size dt (ngc-learn 3.2.3's
``ngclearn.utils.diffeq.ode_utils`` names, signatures and numbers).

Every step has the form ``x' = x_scale * x + dt * slope`` (x_scale = 1 is the plain ODE step;
a smaller value damps x), t' = t + dt, with the slope taken from

| euler    (code 0, "euler" / "rk1"):  k1 = f(t, x)
| midpoint (code 1, "midpoint" / "rk2"): k1 = f(t, x); slope = f(t + dt/2, x_scale x + dt/2 k1)
| heun     (code 2, "heun" / "rk2_heun"): k2 = f(t + dt, x_scale x + dt k1); slope = (k1 + k2) / 2
| ralston  (code 3, "ralston" / "rk2_ralston"): k2 = f(t + 3dt/4, x_scale x + 3dt/4 k1);
|                                           slope = k1 / 3 + 2 k2 / 3
| rk4      (code 4, "rk4"): k2 = f(t + dt/2, . + dt/2 k1), k3 = f(t + dt/2, . + dt/2 k2),
|                           k4 = f(t + dt, . + dt k3); slope = (k1 + 2 k2 + 2 k3 + k4) / 6

(Heun's step is written ``x_scale x + (dt/2)(k1 + k2)``, as ngc-learn does.) ``leapfrog`` runs
L velocity-Verlet steps of a Hamiltonian system dq/dt = p, dp/dt = F(t, q).

The ``*_update`` functions are the plain (un-jitted) steps, usable inside any traced code;
ngclab's cells integrate through them (ngclab.components.ode). ``step_*`` are their jitted
forms, ``solve_ode`` scans a step T times.

Differences from ngc-learn 3.2.3, where it is broken: ``get_integrator_code`` and
``solve_ode`` raise a ValueError naming the valid methods for an unknown name (ngc-learn prints
a message and uses Euler, or fails with a NameError), and ``get_integrator_code``
accepts "rk1" quietly (ngc-learn prints its error message for it); ``leapfrog`` moves q with
the half-step momentum p + dt/2 F(q) (ngc-learn moves q with the old p, which is not the
leapfrog scheme and does not conserve energy).
"""
from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import jax

Array = jax.Array
Derivative = Callable[[Any, Array, Any], Array]

# name -> ngc-learn's integer code
INTEGRATOR_CODES: dict[str, int] = {
    "euler": 0, "rk1": 0, "midpoint": 1, "rk2": 1, "heun": 2, "rk2_heun": 2,
    "ralston": 3, "rk2_ralston": 3, "rk4": 4,
}


def get_integrator_code(integrationType: str) -> int:
    """ngc-learn's integer code of an integrator name: 0 euler/rk1, 1 midpoint/rk2,
    2 heun/rk2_heun, 3 ralston/rk2_ralston, 4 rk4.

    Raises:
        ValueError: for any other name (the message lists the valid ones)
    """
    if not isinstance(integrationType, str) or integrationType not in INTEGRATOR_CODES:
        raise ValueError(f"get_integrator_code: unknown integration type {integrationType!r}; "
                         f"valid: {', '.join(INTEGRATOR_CODES)}")
    return INTEGRATOR_CODES[integrationType]


def _advance(t, x, slope, dt, x_scale):
    """t' = t + dt,  x' = x_scale x + dt slope"""
    return t + dt, x * x_scale + slope * dt


def euler_update(t, x: Array, dfx: Derivative, dt, params=None, x_scale=1.0):
    """One Euler (RK-1) step; returns (t + dt, x')."""
    return _advance(t, x, dfx(t, x, params), dt, x_scale)


def midpoint_update(t, x: Array, dfx: Derivative, dt, params=None, x_scale=1.0):
    """One midpoint (RK-2) step: the slope at the half step moves x the full step."""
    t_half, x_half = _advance(t, x, dfx(t, x, params), dt * 0.5, x_scale)
    return _advance(t, x, dfx(t_half, x_half, params), dt, x_scale)


def heun_update(t, x: Array, dfx: Derivative, dt, params=None, x_scale=1.0):
    """One Heun (error-corrected RK-2) step: the mean of the slopes at both ends."""
    k1 = dfx(t, x, params)
    t_end, x_end = _advance(t, x, k1, dt, x_scale)
    k2 = dfx(t_end, x_end, params)
    _, x_next = _advance(t, x, k1 + k2, dt * 0.5, x_scale)
    return t_end, x_next


def ralston_update(t, x: Array, dfx: Derivative, dt, params=None, x_scale=1.0):
    """One Ralston (minimum-error RK-2) step: slopes at t and t + 3dt/4 weighted 1/3, 2/3."""
    k1 = dfx(t, x, params)
    t_m, x_m = _advance(t, x, k1, dt * 0.75, x_scale)
    k2 = dfx(t_m, x_m, params)
    return _advance(t, x, k1 * (1.0 / 3.0) + k2 * (2.0 / 3.0), dt, x_scale)


def rk4_update(t, x: Array, dfx: Derivative, dt, params=None, x_scale=1.0):
    """One classic fourth-order Runge-Kutta step."""
    k1 = dfx(t, x, params)
    t2, x2 = _advance(t, x, k1, dt * 0.5, x_scale)
    k2 = dfx(t2, x2, params)
    t3, x3 = _advance(t, x, k2, dt * 0.5, x_scale)
    k3 = dfx(t3, x3, params)
    t4, x4 = _advance(t, x, k3, dt, x_scale)
    k4 = dfx(t4, x4, params)
    return _advance(t, x, (k1 + k2 * 2 + k3 * 2 + k4) / 6, dt, x_scale)


UPDATES: dict[str, Callable[..., tuple[Any, Array]]] = {
    "euler": euler_update, "rk1": euler_update, "midpoint": midpoint_update,
    "rk2": midpoint_update, "heun": heun_update, "rk2_heun": heun_update,
    "ralston": ralston_update, "rk2_ralston": ralston_update, "rk4": rk4_update,
}


@partial(jax.jit, static_argnums=(2,))
def step_euler(t, x, dfx, dt, params, x_scale=1.0):
    """Jitted Euler step ``(t, x) -> (t + dt, x')``; ``dfx(t, x, params)`` is the ODE."""
    return euler_update(t, x, dfx, dt, params, x_scale)


@partial(jax.jit, static_argnums=(2,))
def step_rk2(t, x, dfx, dt, params, x_scale=1.0):
    """Jitted midpoint (RK-2) step."""
    return midpoint_update(t, x, dfx, dt, params, x_scale)


@partial(jax.jit, static_argnums=(2,))
def step_heun(t, x, dfx, dt, params, x_scale=1.0):
    """Jitted Heun step."""
    return heun_update(t, x, dfx, dt, params, x_scale)


@partial(jax.jit, static_argnums=(2,))
def step_ralston(t, x, dfx, dt, params, x_scale=1.0):
    """Jitted Ralston step."""
    return ralston_update(t, x, dfx, dt, params, x_scale)


@partial(jax.jit, static_argnums=(2,))
def step_rk4(t, x, dfx, dt, params, x_scale=1.0):
    """Jitted RK-4 step."""
    return rk4_update(t, x, dfx, dt, params, x_scale)


def _method(name: str) -> Callable[..., tuple[Any, Array]]:
    if not isinstance(name, str) or name not in UPDATES:
        raise ValueError(f"solve_ode: unknown method_name {name!r}; valid: {', '.join(UPDATES)}")
    return UPDATES[name]


@partial(jax.jit, static_argnums=(0, 3, 4, 5, 6, 7, 8))
def _solve(method_name, t0, x0, T, dfx, dt, params, x_scale, sols_only):
    update = _method(method_name)

    def one_step(carry, _):
        nxt = update(*carry, dfx, dt, params, x_scale)
        return nxt, (nxt, carry)

    last, (after, before) = jax.lax.scan(one_step, (t0, x0), xs=None, length=T)
    return after if sols_only else (last, after, before)


def solve_ode(method_name: str, t0, x0, T: int, dfx: Derivative, dt: float, params=None,
              x_scale: float = 1.0, sols_only: bool = True):
    """Integrate T steps from (t0, x0) with the named method (euler, heun, rk2, rk4, ralston, or
    the aliases of ``get_integrator_code``).

    Returns:
        ``(ts, xs)``, the T times and states after each step; with ``sols_only=False``,
        ``((t_T, x_T), (ts, xs), (ts_before, xs_before))`` (the states before each step too)
    """
    _method(method_name)  # named error before tracing
    return _solve(method_name, t0, x0, T, dfx, dt, params, x_scale, sols_only)


@partial(jax.jit, static_argnums=(3, 4))
def leapfrog(t_curr, q_curr, p_curr, dfq, L, step_size, params):
    """L leapfrog (velocity-Verlet) steps of dq/dt = p, dp/dt = dfq(t, q, params):

    | p_half = p + (h/2) F(t, q);  q' = q + h p_half;  p' = p_half + (h/2) F(t + h, q')

    Returns (t + L h, q', p').
    """
    def one_step(carry, _):
        t, q, p = carry
        p_half = p + dfq(t, q, params) * (step_size / 2.0)
        q_next = q + p_half * step_size
        p_next = p_half + dfq(t + step_size, q_next, params) * (step_size / 2.0)
        return (t + step_size, q_next, p_next), None

    (t, q, p), _ = jax.lax.scan(one_step, (t_curr + 0.0, q_curr + 0.0, p_curr + 0.0), xs=None,
                                length=L)
    return t, q, p


__all__ = ["get_integrator_code", "INTEGRATOR_CODES", "UPDATES", "euler_update",
           "midpoint_update", "heun_update", "ralston_update", "rk4_update", "step_euler",
           "step_rk2", "step_heun", "step_ralston", "step_rk4", "solve_ode", "leapfrog"]
