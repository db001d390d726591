"""``PatchGenerator``: iterate over an aligned grid of patches of an image.

Along one axis of length L, with patch size p and step s = p - overlap (ngc-learn calls the
overlap ``horizontal_stride`` / ``vertical_stride``; 0 means patches touch without overlapping),
the patch start positions are

| left / top:      0, s, 2s, ...                      (while start + p <= L)
| right / bottom:  L - p, L - p - s, ...              (while start >= 0), listed ascending
| center:          c, c + s, ... and c - p, c - p - s, ... with c = L // 2 (patches start or end
|                  at the centre line), listed ascending
| fit:             e, e + s, ..., e = ((L - p) mod s) // 2 (equal margins on both sides)

Patches come out in row-major order (top row of patches first). Every patch lies inside the
image.

ngc-learn 3.2.3's ``PatchGenerator`` is unfinished (``target`` only plots the horizontal offsets
and iteration yields nothing), so ngclab's behaviour is defined by the rules above; the
constructor signature is the same.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

import jax
import jax.numpy as jnp

_H = ("left", "right", "center", "fit")
_V = ("top", "bottom", "center", "fit")


def _starts(L: int, p: int, s: int, align: str) -> list[int]:
    if align in ("left", "top"):
        return list(range(0, L - p + 1, s))
    if align in ("right", "bottom"):
        return sorted(range(L - p, -1, -s))
    if align == "center":
        c = L // 2
        right = range(c, L - p + 1, s)
        left = range(c - p, -1, -s)
        return sorted(set(right) | set(left))
    extra = ((L - p) % s) // 2  # fit
    return list(range(extra, L - p + 1, s))


class PatchGenerator:
    """Aligned patch grid over images of shape (H, W, ...).

    Args:
        patch_height, patch_width: patch size (ph, pw)
        horizontal_alignment: 'left' (default), 'right', 'center' or 'fit'
        vertical_alignment: 'top' (default), 'bottom', 'center' or 'fit'
        horizontal_stride, vertical_stride: overlap between neighbouring patches (default 0);
            the step between patch starts is pw - horizontal_stride (ph - vertical_stride)

    Usage: ``gen.target(img)`` then ``for patch in gen: ...`` (or ``gen.patches(img)`` for one
    stacked (n, ph, pw, ...) array).
    """

    def __init__(self, patch_height: int, patch_width: int,
                 horizontal_alignment: Literal["left", "right", "center", "fit"] | None = None,
                 vertical_alignment: Literal["top", "bottom", "center", "fit"] | None = None,
                 horizontal_stride: int | None = None, vertical_stride: int | None = None):
        self.patch_height, self.patch_width = int(patch_height), int(patch_width)
        self.horizontal_alignment = horizontal_alignment or "left"
        self.vertical_alignment = vertical_alignment or "top"
        self.horizontal_stride = int(horizontal_stride or 0)
        self.vertical_stride = int(vertical_stride or 0)
        if self.horizontal_alignment not in _H:
            raise ValueError(f"horizontal_alignment must be one of {_H}, "
                             f"got {self.horizontal_alignment!r}")
        if self.vertical_alignment not in _V:
            raise ValueError(f"vertical_alignment must be one of {_V}, "
                             f"got {self.vertical_alignment!r}")
        if not 0 <= self.horizontal_stride < self.patch_width:
            raise ValueError("horizontal_stride (overlap) must be in [0, patch_width)")
        if not 0 <= self.vertical_stride < self.patch_height:
            raise ValueError("vertical_stride (overlap) must be in [0, patch_height)")
        self.idx_cache: dict[tuple[int, int], tuple[list[int], list[int]]] = {}
        self._current_img: Any = None

    def offsets(self, height: int, width: int) -> tuple[list[int], list[int]]:
        """(row starts, column starts) of the patch grid for an (height x width) image."""
        if self.patch_height > height or self.patch_width > width:
            raise ValueError(f"image {(height, width)} is smaller than the patch "
                             f"{(self.patch_height, self.patch_width)}")
        key = (height, width)
        if key not in self.idx_cache:
            rows = _starts(height, self.patch_height, self.patch_height - self.vertical_stride,
                           self.vertical_alignment)
            cols = _starts(width, self.patch_width, self.patch_width - self.horizontal_stride,
                           self.horizontal_alignment)
            self.idx_cache[key] = (rows, cols)
        return self.idx_cache[key]

    def target(self, img: Any) -> None:
        """Set the image to cut patches from (its grid is computed and cached by shape)."""
        img = jnp.asarray(img)
        self.offsets(*img.shape[:2])
        self._current_img = img

    def __len__(self) -> int:
        if self._current_img is None:
            return 0
        rows, cols = self.offsets(*self._current_img.shape[:2])
        return len(rows) * len(cols)

    def __iter__(self) -> Iterator[jax.Array]:
        if self._current_img is None:
            raise RuntimeError("PatchGenerator has no image: call target(img) first")
        img = self._current_img
        rows, cols = self.offsets(*img.shape[:2])
        for r in rows:
            for c in cols:
                yield img[r:r + self.patch_height, c:c + self.patch_width]

    def patches(self, img: Any | None = None) -> jax.Array:
        """All patches of ``img`` (or of the targeted image) stacked: (n, ph, pw, ...)."""
        if img is not None:
            self.target(img)
        return jnp.stack(list(self))


__all__ = ["PatchGenerator"]
