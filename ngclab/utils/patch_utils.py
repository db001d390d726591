"""Cutting images into patches (numpy only; no scikit-learn or patchify dependency).

* ``Create_Patches(img, patch_shape, overlap_shape).create_patches(add_frame, center)``:
  a regular grid of (ph x pw) patches with step (ph - oh, pw - ow).
* ``generate_patch_set(x_batch, patch_size, max_patches, center, seed)``: randomly placed patches
  from each image of a batch (positions drawn with replacement).
* ``generate_pacthify_patch_set(x, patch_size, center)``: the non-overlapping tiling of one image
  (the name keeps ngc-learn's spelling).

Random positions in ``generate_patch_set`` use numpy's legacy Mersenne-Twister generator
``numpy.random.RandomState(seed)``: rows ``i = rng.randint(H - ph + 1, size=n)``, then columns
``j = rng.randint(W - pw + 1, size=n)``, where n = min(max_patches, number of possible
positions). This is the draw scikit-learn's ``extract_patches_2d`` makes, so the patches equal
ngc-learn 3.2.3's for the same seed. As there, every image of the batch uses the same seed (and
hence the same positions).
"""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np


class Create_Patches:
    """A grid of patches of one (H x W) image.

    Args:
        img: (H, W) array
        patch_shape: (ph, pw)
        overlap_shape: (oh, ow); consecutive patches start (ph - oh) rows / (pw - ow) columns apart

    Without a frame the grid has (H // ph) x (W // pw) positions (ngc-learn's count, which for
    overlapping patches does not reach the image's far edge). ``add_frame=True`` first pads
    (ph - oh) zero rows above and below and (pw - ow) zero columns left and right, and the grid
    has ((H' + oh) // (ph - oh) - 2) x ((W' + ow) // (pw - ow) - 2) positions on the padded
    (H' x W') image. Positions whose patch would cross the border are skipped.
    (ngc-learn 3.2.3 pads rows by pw - ow and columns by ph - oh; they coincide for square
    patches and overlaps, the only case where the two differ being a non-square one.)
    """

    def __init__(self, img: Any, patch_shape: tuple[int, int], overlap_shape: tuple[int, int]):
        self.img = np.asarray(img)
        if self.img.ndim != 2:
            raise ValueError(f"Create_Patches needs a 2-D (H, W) image, got shape {self.img.shape}")
        self.height_patch, self.width_patch = (int(s) for s in patch_shape)
        self.height_over, self.width_over = (int(s) for s in overlap_shape)
        if not (0 <= self.height_over < self.height_patch and
                0 <= self.width_over < self.width_patch):
            raise ValueError(f"overlap {overlap_shape} must be >= 0 and smaller than the patch "
                             f"{patch_shape}")
        self.height, self.width = self.img.shape
        self.nh_patches = self.height // self.height_patch
        self.nw_patches = self.width // self.width_patch

    def _add_frame(self) -> None:
        """Zero-pad the image by (ph - oh) rows and (pw - ow) columns on every side."""
        dh = self.height_patch - self.height_over
        dw = self.width_patch - self.width_over
        self.img = np.pad(self.img, ((dh, dh), (dw, dw)))
        self.height, self.width = self.img.shape
        self.nh_patches = (self.height + self.height_over) // dh - 2
        self.nw_patches = (self.width + self.width_over) // dw - 2

    def create_patches(self, add_frame: bool = False, center: bool = True) -> jax.Array:
        """Cut the grid of patches.

        Args:
            add_frame: zero-pad the image first (see the class docstring)
            center: subtract from the image its column means, x[r, c] - mean_r' x[r', c],
                before cutting (what ngc-learn does; this centres columns, not patches)

        Returns:
            (num_patches, ph, pw) array, patches in row-major grid order
        """
        if add_frame:
            self._add_frame()
        if center:
            self.img = self.img - np.mean(self.img, axis=0, keepdims=True)
        sh = self.height_patch - self.height_over
        sw = self.width_patch - self.width_over
        out = []
        for r in range(self.nh_patches):
            for c in range(self.nw_patches):
                p = self.img[r * sh: r * sh + self.height_patch, c * sw: c * sw + self.width_patch]
                if p.shape == (self.height_patch, self.width_patch):
                    out.append(p)
        if not out:
            return jnp.zeros((0, self.height_patch, self.width_patch), jnp.float32)
        return jnp.asarray(np.stack(out))


def _random_patches(img: np.ndarray, ph: int, pw: int, max_patches: int | float | None,
                    seed: int | None) -> np.ndarray:
    """Patches of ``img`` at random positions, drawn as scikit-learn's extract_patches_2d does."""
    H, W = img.shape
    if ph > H or pw > W:
        raise ValueError(f"patch {(ph, pw)} is larger than the image {(H, W)}")
    nh, nw = H - ph + 1, W - pw + 1
    total = nh * nw
    win = np.lib.stride_tricks.sliding_window_view(img, (ph, pw))  # (nh, nw, ph, pw)
    if not max_patches:
        return win.reshape(total, ph, pw)
    if isinstance(max_patches, (int, np.integer)):
        n = min(int(max_patches), total)
    elif 0 < max_patches < 1:
        n = int(max_patches * total)
    else:
        raise ValueError(f"max_patches must be an int or a fraction in (0, 1), got {max_patches}")
    rng = np.random.RandomState(seed)
    rows = rng.randint(nh, size=n)
    cols = rng.randint(nw, size=n)
    return win[rows, cols]


def generate_patch_set(x_batch: Any, patch_size: tuple[int, int] = (8, 8),
                       max_patches: int | float | None = 50, center: bool = True,
                       seed: int | None = 1234, vis_mode: bool = False,
                       step_size: tuple[int, int] = (1, 1)) -> Any:
    """Random patches from a batch of flattened square images.

    Args:
        x_batch: (B, P) array; each row is a flattened sqrt(P) x sqrt(P) image
        patch_size: (ph, pw)
        max_patches: patches per image: an int n (capped at the number of positions), a
            fraction of the positions, or None/0 for every position in row-major order
        center: subtract each patch's own mean, p - mean(p)
        seed: seed of ``numpy.random.RandomState`` (see module docstring)
        vis_mode: also return the subtracted means
        step_size: accepted for compatibility; unused (as in ngc-learn)

    Returns:
        (D, ph * pw) array of flattened patches (D = B x patches per image), or
        (patches, means) with ``vis_mode`` (means is 0 when ``center`` is False)
    """
    xb = np.asarray(x_batch)
    side = int(np.sqrt(xb.shape[1]))
    if side * side != xb.shape[1]:
        raise ValueError(f"rows of x_batch must be flattened square images; {xb.shape[1]} "
                         "is not a perfect square")
    ph, pw = patch_size
    sets = [_random_patches(xb[s].reshape(side, side), ph, pw, max_patches, seed)
            .reshape(-1, ph * pw) for s in range(xb.shape[0])]
    patches = np.concatenate(sets, axis=0)
    mu: Any = 0
    if center:
        mu = np.mean(patches, axis=1, keepdims=True)
        patches = patches - mu
    return (jnp.asarray(patches), mu) if vis_mode else jnp.asarray(patches)


def generate_pacthify_patch_set(x_batch_: Any, patch_size: tuple[int, int] = (5, 5),
                                center: bool = True) -> jax.Array:
    """Non-overlapping tiling of ONE flattened square image into (ph x pw) patches.

    The tile grid steps by ph in both directions (as ngc-learn's ``patchify(..., step=ph)``):
    tile (i, j) starts at (i ph, j ph) for i <= (S - ph) // ph, j <= (S - pw) // ph.

    Args:
        x_batch_: a (1, S*S) or (S*S,) array (one flattened S x S image)
        patch_size: (ph, pw)
        center: subtract each patch's own mean

    Returns:
        (num_tiles, ph * pw) array, tiles in row-major order
    """
    x = np.asarray(x_batch_)
    side = int(np.sqrt(x.size))
    if side * side != x.size:
        raise ValueError(f"expected one flattened square image, got an array of shape {x.shape}")
    img = x.reshape(side, side)
    ph, pw = patch_size
    step = ph
    tiles = [img[i:i + ph, j:j + pw].reshape(1, ph * pw)
             for i in range(0, side - ph + 1, step) for j in range(0, side - pw + 1, step)]
    out = np.concatenate(tiles, axis=0)
    if center:
        out = out - np.mean(out, axis=1, keepdims=True)
    return jnp.asarray(out)


__all__ = ["Create_Patches", "generate_patch_set", "generate_pacthify_patch_set"]
