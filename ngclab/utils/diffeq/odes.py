"""Classic dynamical systems dx/dt = f(t, x, params), written for the integrators of
``ode_utils`` (ngc-learn 3.2.3's ``ngclearn.utils.diffeq.odes``). ``t`` and ``params`` are
unused; x has its state on the last axis (shape (2,), (3,) or (..., D)).

| linear_2D  (x0 = [3, -1.5]):  dx = -0.1 x + 2 y;       dy = -2 x - 0.1 y
| cubic_2D   (x0 = [2, 0]):     dx = -0.1 x^3 + 2 y^3;   dy = -2 x^3 - 0.1 y^3
| lorenz     (x0 = [-8, 7, 27]): dx = 10 (y - x);  dy = x (28 - z) - y;  dz = x y - 8/3 z
| linear_3D  (x0 = [1, 1, -1]): dx = -0.1 x + 2 y;  dy = -2 x - 0.1 y;  dz = -0.3 z
| oscillator (x0 = [0.5, 0.05, 0.1]), with w = omega + alpha y + beta z:
|     dx = mu1 x + sigma x y;  dy = mu2 y + w z - sigma x^2;  dz = mu2 z - w y
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

Array = jax.Array


def _split(x: Array) -> tuple[Array, ...]:
    x = jnp.asarray(x)
    return tuple(x[..., i] for i in range(x.shape[-1]))


def linear_2D(t, x: Array, params=None) -> Array:
    """A damped linear rotation in the plane (a stable spiral)."""
    x_, y_ = _split(x)
    return jnp.stack([-0.1 * x_ + 2.0 * y_, -2.0 * x_ - 0.1 * y_], axis=-1)


def cubic_2D(t, x: Array, params=None) -> Array:
    """The linear_2D coupling applied to the cubes of the coordinates."""
    x3, y3 = (c ** 3 for c in _split(x))
    return jnp.stack([-0.1 * x3 + 2.0 * y3, -2.0 * x3 - 0.1 * y3], axis=-1)


def lorenz(t, x: Array, params=None) -> Array:
    """The Lorenz attractor with sigma = 10, rho = 28, beta = 8/3."""
    x_, y_, z_ = _split(x)
    return jnp.stack([10 * y_ - 10 * x_, 28 * x_ - x_ * z_ - y_, x_ * y_ - 8 / 3 * z_], axis=-1)


def linear_3D(t, x: Array, params=None) -> Array:
    """linear_2D in (x, y) plus an independent decay of z."""
    x_, y_, z_ = _split(x)
    return jnp.stack([-0.1 * x_ + 2.0 * y_, -2.0 * x_ - 0.1 * y_, -0.3 * z_], axis=-1)


def oscillator(t, x: Array, params=None, mu1: float = 0.05, mu2: float = -0.01,
               omega: float = 3.0, alpha: float = -2.0, beta: float = -5.0,
               sigma: float = 1.1) -> Array:
    """A three-variable nonlinear oscillator (an atmospheric-oscillator model)."""
    x_, y_, z_ = _split(x)
    w = omega + alpha * y_ + beta * z_
    return jnp.stack([mu1 * x_ + sigma * x_ * y_,
                      mu2 * y_ + w * z_ - sigma * x_ ** 2,
                      mu2 * z_ - w * y_], axis=-1)


__all__ = ["linear_2D", "cubic_2D", "lorenz", "linear_3D", "oscillator"]
