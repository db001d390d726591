"""Shared pieces of the spiking cells with several coupled state variables (AdExCell,
FitzhughNagumoCell, IzhikevichCell, HodgkinHuxleyCell).

| x_i(t + dt) = step(x_i; dx_i/dt with every other x_k held at x_k(t))    each variable in turn
| s = [v > thr]                                                           a spike
| x <- x_reset where s = 1, else x                                        the snap after a spike
| compartment <- its rest value over (batch_size, n_units)                reset()

The step is ngc-learn 3.2.3's: each variable is advanced by the chosen integrator (ode.py)
while the others stay at the value the step starts from. For Euler that is the Euler step of
the whole system. For midpoint and RK-4 the extra stages refine only the variable's own term,
so the coupled system stays first-order accurate in dt; in exchange a recovery variable never
sees the voltage of a stage that has run off towards a spike (the AdEx and Izhikevich upswings
diverge in finite time), which the coupled midpoint step would feed into it.

The snap is a ``where``, not ngc-learn's ``x (1 - s) + s x_reset``: the two are equal for every
finite x, but a voltage that overflowed to inf during a spike (the AdEx exponential can) would
stay inf * 0 = NaN in the product form, and is reset in this one.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

import jax.numpy as jnp

from ngclab.components.ode import integrate

Slope = Callable[[jnp.ndarray], jnp.ndarray]


def step_each(kind: str, dt, *pairs: tuple[jnp.ndarray, Slope]) -> tuple[jnp.ndarray, ...]:
    """One ``kind`` step of each (x, dx/dt as a function of x alone) pair."""
    return tuple(integrate(kind, lambda _, y, slope=slope: slope(y), x, dt) for x, slope in pairs)


def spike(v: jnp.ndarray, thr) -> jnp.ndarray:
    """s = [v > thr] as 0. / 1."""
    return (v > thr).astype(jnp.float32)


def snap(s: jnp.ndarray, x: jnp.ndarray, value) -> jnp.ndarray:
    """x where the cell did not spike, ``value`` where it did (s = 1)."""
    return jnp.where(s > 0., value, x)


def reset_values(cell: Any, fills: Iterable[tuple[Any, Any]]) -> None:
    """Set each unwired (compartment, value) to value over (batch_size, n_units)."""
    rest = jnp.zeros((cell.batch_size, cell.n_units))
    for comp, value in fills:
        if not comp.targeted:
            comp.set(rest + value)
