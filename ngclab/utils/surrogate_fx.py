"""Spike emission functions paired with surrogate derivatives.

A spike is the Heaviside step s = H(v - thr) = [v > thr], whose derivative is zero almost
everywhere. For learning rules that differentiate through spiking (surrogate back-propagation,
feedback alignment, ...) each builder below returns the emission function together with a smooth
stand-in for its derivative:

| builder(get_surr_fx=False) -> (spike_fx(v, thr), d_spike_fx(v, thr, ...))
| builder(get_surr_fx=True)  -> (spike_fx, surr_fx, d_spike_fx)

where ``surr_fx`` is the smooth function whose derivative ``d_spike_fx`` is (for the
straight-through and piecewise estimators, ``surr_fx`` is ``spike_fx`` itself, as in ngc-learn).
All returned functions are jittable.
"""
from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp

Array = jax.Array
Estimator = tuple[Callable[..., Array], ...]


def _spike(v: Array, thr: Array | float) -> Array:
    """s = [v > thr]"""
    return (v > thr).astype(jnp.float32)


def _pack(spike_fx, surr_fx, d_spike_fx, get_surr_fx: bool) -> Estimator:
    return (spike_fx, surr_fx, d_spike_fx) if get_surr_fx else (spike_fx, d_spike_fx)


def straight_through_estimator(get_surr_fx: bool = False) -> Estimator:
    """Straight-through estimator (Bengio, Leonard & Courville, 2013): ds/dv := 1."""
    def d_spike_fx(v: Array, thr: Array | float = 0.0) -> Array:
        return v * 0 + 1.0
    return _pack(_spike, _spike, d_spike_fx, get_surr_fx)


def arctan_estimator(get_surr_fx: bool = False) -> Estimator:
    """Arctan surrogate, with a = alpha / 2 (alpha = 2 gives the textbook form):

    | E(v) = (1/pi) arctan(pi a v)
    | d_spike_fx(v) = (1/pi) / (1 + (pi a (v - thr))^2)

    As in ngc-learn (and the formula its documentation gives), ``d_spike_fx`` is the exact
    derivative dE/dv = a / (1 + (pi a v)^2) divided by pi a: a bump of height 1/pi at the
    threshold.
    """
    def surr_fx(v: Array, alpha: float = 2.0) -> Array:
        return jnp.arctan(v * (alpha / 2.0) * jnp.pi) / jnp.pi

    def d_spike_fx(v: Array, thr: Array | float = 0.0, alpha: float = 2.0) -> Array:
        z = (v - thr) * jnp.pi * (alpha / 2.0)
        return (1.0 / (1.0 + jnp.square(z))) / jnp.pi
    return _pack(_spike, surr_fx, d_spike_fx, get_surr_fx)


def secant_lif_estimator(get_surr_fx: bool = False) -> Estimator:
    """Secant surrogate for LIF neurons w.r.t. their input current j (Samadi, Lillicrap &
    Tweed, 2017):

    | E(j) = max(0, c1 tanh(c2 j))
    | dE/dj ~ k sech(c2 j) for j > 0, 0 for j <= 0;  k = c1 c2, or 1 if omit_scale (default)

    (sech, not sech^2: the form ngc-learn 3.2.3 computes; ``thr`` is unused.)
    """
    def surr_fx(j: Array, thr: Array | float = 0.0, c1: float = 0.82, c2: float = 0.08,
                omit_scale: bool = False) -> Array:
        return jnp.maximum(0.0, jnp.tanh(j * c2) * c1)

    def d_spike_fx(j: Array, thr: Array | float = 0.0, c1: float = 0.82, c2: float = 0.08,
                   omit_scale: bool = True) -> Array:
        sech = 1.0 / jnp.cosh(j * c2)
        scale = jnp.where(omit_scale, 1.0, c1 * c2)
        return sech * scale * (j > 0.0).astype(jnp.float32)
    return _pack(_spike, surr_fx, d_spike_fx, get_surr_fx)


def triangular_estimator(get_surr_fx: bool = False) -> Estimator:
    """Triangular surrogate: ds/dv ~ max(0, 1 - alpha |v - thr|) (alpha = 2: half-width 0.5)."""
    def d_spike_fx(v: Array, thr: Array | float = 0.0, alpha: float = 2.0) -> Array:
        return jnp.maximum(0.0, 1.0 - alpha * jnp.abs(v - thr))
    return _pack(_spike, _spike, d_spike_fx, get_surr_fx)


def explicit_triangular_estimator(get_surr_fx: bool = False) -> Estimator:
    """Triangular surrogate by half-width: ds/dv ~ max(0, 1 - |v - thr| / window)."""
    def d_spike_fx(v: Array, thr: Array | float = 0.0, window: float = 5.0) -> Array:
        return jnp.maximum(0.0, 1.0 - jnp.abs(v - thr) / window)
    return _pack(_spike, _spike, d_spike_fx, get_surr_fx)


def boxcar_estimator(get_surr_fx: bool = False) -> Estimator:
    """Box-car surrogate: ds/dv ~ 1 if |v - thr| <= window else 0."""
    def d_spike_fx(v: Array, thr: Array | float = 0.0, window: float = 5.0) -> Array:
        return jnp.where(jnp.abs(v - thr) <= window, 1.0, 0.0)
    return _pack(_spike, _spike, d_spike_fx, get_surr_fx)


__all__ = ["straight_through_estimator", "arctan_estimator", "secant_lif_estimator",
           "triangular_estimator", "explicit_triangular_estimator", "boxcar_estimator"]
