"""The Gaussian blur both filters share: a normalised (2r + 1) x (2r + 1) Gaussian kernel
applied to each channel of a (B, C, H, W) batch after padding the borders by r pixels.

| K_sigma(u, v) = exp(-(u^2 + v^2) / (2 sigma^2)) / sum_{u', v'} exp(-(u'^2 + v'^2) / (2 sigma^2)),
| u, v in {-r, ..., r};   blur_sigma(x) = K_sigma * pad_r(x)   (valid correlation, per channel)
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
from jax import lax

PAD_MODES = ("edge", "reflect")


def gaussian_kernel_2d(sigma, radius: int) -> jax.Array:
    """K_sigma of shape (2 radius + 1, 2 radius + 1), summing to 1."""
    offsets = jnp.arange(-radius, radius + 1)
    uu, vv = jnp.meshgrid(offsets, offsets)
    kernel = jnp.exp(-0.5 * (uu ** 2 + vv ** 2) / sigma ** 2)
    return kernel / jnp.sum(kernel)


def check_filter_args(who: str, images, kernel_size, edge_pad_mode) -> None:
    if jnp.ndim(images) != 4:
        raise ValueError(f"{who}: images must be a (B, C, H, W) array, got shape "
                         f"{jnp.shape(images)}")
    if isinstance(kernel_size, bool) or not isinstance(kernel_size, int) or kernel_size < 0:
        raise ValueError(f"{who}: kernel_size (the kernel radius) must be an int >= 0, got "
                         f"{kernel_size!r}")
    if edge_pad_mode not in PAD_MODES:
        raise ValueError(f"{who}: unknown edge_pad_mode {edge_pad_mode!r}; valid: "
                         f"{', '.join(PAD_MODES)}")


def blur(images: jax.Array, sigma, radius: int, edge_pad_mode: str) -> jax.Array:
    """blur_sigma of every channel of ``images`` (B, C, H, W); same shape out."""
    r = radius
    padded = jnp.pad(images, ((0, 0), (0, 0), (r, r), (r, r)), mode=edge_pad_mode)
    channels = images.shape[1]
    kernel = jnp.broadcast_to(gaussian_kernel_2d(sigma, r), (channels, 1, 2 * r + 1, 2 * r + 1))
    return lax.conv_general_dilated(padded, kernel.astype(padded.dtype), window_strides=(1, 1),
                                    padding="VALID", dimension_numbers=("NCHW", "OIHW", "NCHW"),
                                    feature_group_count=channels)
