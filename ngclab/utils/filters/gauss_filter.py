"""A difference-of-Gaussians (DoG) or ratio-of-Gaussians (RoG) filter of a (B, C, H, W) image
batch (ngc-learn 3.2.3's ``gaussian_filter``), each channel filtered on its own:

| DoG: y = blur_center(x) - blur_surround(x)
| RoG: y = blur_center(x) / (blur_surround(x) + 1e-5)

with blur_s the normalised Gaussian blur of standard deviation s and radius ``kernel_size``
(window 2 kernel_size + 1), the borders padded by repeating the edge ("edge") or mirroring
("reflect"); the output has the input's shape.

Differences from ngc-learn 3.2.3, where it is broken: it fails for images with more than one
channel (its grouped convolution has one output channel) and whenever ``edge_pad_mode`` is
passed (a string given to a jitted function as a traced argument); ngclab filters every
channel and honours the pad mode.
"""
from __future__ import annotations

from functools import partial

import jax

from ngclab.utils.filters._kernels import blur, check_filter_args


@partial(jax.jit, static_argnames=("kernel_size", "use_ratio", "edge_pad_mode"))
def _dog(images, sigma_center, sigma_surround, kernel_size, use_ratio, edge_pad_mode):
    center = blur(images, sigma_center, kernel_size, edge_pad_mode)
    surround = blur(images, sigma_surround, kernel_size, edge_pad_mode)
    return center / (surround + 1e-5) if use_ratio else center - surround


def gaussian_filter(images: jax.Array, sigma_center: float, sigma_surround: float,
                    kernel_size: int, use_ratio: bool = False,
                    edge_pad_mode: str = "edge") -> jax.Array:
    """DoG (or RoG with ``use_ratio``) of ``images`` (B, C, H, W) -> (B, C, H, W)."""
    check_filter_args("gaussian_filter", images, kernel_size, edge_pad_mode)
    return _dog(images, sigma_center, sigma_surround, kernel_size=kernel_size,
                use_ratio=bool(use_ratio), edge_pad_mode=edge_pad_mode)
