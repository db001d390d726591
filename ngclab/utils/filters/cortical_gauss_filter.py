"""A rectified "cortical" Gaussian filter of a (B, C, H, W) image batch (ngc-learn 3.2.3's
``cortical_gaussian_filter``): a half-wave rectified difference of Gaussians, or a divisive
normalisation (ratio of Gaussians) with response exponents and a semi-saturation constant:

| DoG: y = max(0, blur_center(x) - blur_surround(x))
| RoG: y = max(0, blur_center(x))^p / (max(0, blur_surround(x))^q + sigma_h^2)

p = excitation_exp, q = inhibition_exp, sigma_h = semi_sat_constant; blur_s as in
``gaussian_filter`` (radius ``kernel_size``, borders padded by ``edge_pad_mode``).

Differences from ngc-learn 3.2.3, where it is broken: as ``gaussian_filter`` (more than one
channel, and any given ``edge_pad_mode``, fail there).
"""
from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp

from ngclab.utils.filters._kernels import blur, check_filter_args


@partial(jax.jit, static_argnames=("kernel_size", "use_ratio", "edge_pad_mode"))
def _cortical(images, sigma_center, sigma_surround, semi_sat_constant, excitation_exp,
              inhibition_exp, kernel_size, use_ratio, edge_pad_mode):
    center = blur(images, sigma_center, kernel_size, edge_pad_mode)
    surround = blur(images, sigma_surround, kernel_size, edge_pad_mode)
    if not use_ratio:
        return jnp.maximum(0.0, center - surround)
    drive = jnp.power(jnp.maximum(0.0, center), excitation_exp)
    pool = jnp.power(jnp.maximum(0.0, surround), inhibition_exp) + semi_sat_constant ** 2
    return drive / pool


def cortical_gaussian_filter(images: jax.Array, sigma_center: float, sigma_surround: float,
                             kernel_size: int, use_ratio: bool = False,
                             semi_sat_constant: float = 0.1, excitation_exp: float = 2.0,
                             inhibition_exp: float = 2.0,
                             edge_pad_mode: str = "edge") -> jax.Array:
    """Rectified DoG (or RoG divisive normalisation with ``use_ratio``) of ``images``
    (B, C, H, W) -> (B, C, H, W)."""
    check_filter_args("cortical_gaussian_filter", images, kernel_size, edge_pad_mode)
    return _cortical(images, sigma_center, sigma_surround, semi_sat_constant, excitation_exp,
                     inhibition_exp, kernel_size=kernel_size, use_ratio=bool(use_ratio),
                     edge_pad_mode=edge_pad_mode)
