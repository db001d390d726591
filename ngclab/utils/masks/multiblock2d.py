"""MaskCollator: multi-block masks over a grid of image patches (ngc-learn 3.2.3's
``MaskCollator``, itself after the I-JEPA multi-block masking).

An image of ``crop_size`` cut into ``patch_size`` patches is an H x W grid (H = crop_h // p_h,
W = crop_w // p_w); patches are numbered row-major. For each mask configuration and each call:

| seed = the configuration's call counter (0, 1, 2, ..., modulo 2^16)
| rng = numpy RandomState(seed);  scale ~ U[s_min, s_max),  aspect ~ U[a_min, a_max)
| n = int(H W scale);  h = min(H, round(sqrt(n aspect))),  w = min(W, round(sqrt(n / aspect)))
| per sample: num_blocks blocks of h x w at random corners (top ~ U{0..H-h}, left ~ U{0..W-w})
|   predictor mask = indices inside a block, encoder mask = indices outside every block
|   (a sample whose blocks cover everything is drawn again)
| every sample's index lists are cut to the shortest one (encoder lists also to max_keep)

Each configuration is a dict with 'spatial_scale' (s_min, s_max), 'aspect_ratio'
(a_min, a_max), 'num_blocks' and optionally 'max_keep'. ``collator(batch)`` returns
(encoder masks, predictor masks): one (len(batch), n_keep) int array per configuration. The
same calls give the same masks as ngc-learn (the same numpy generator and draws).
"""
from __future__ import annotations

import math
from multiprocessing import Value
from typing import Any, Sequence

import numpy as np


class _MaskGenerator:
    """The masks of one configuration."""

    def __init__(self, crop_size=(224, 224), patch_size=(16, 16), pred_mask_scale=(0.2, 0.8),
                 aspect_ratio=(0.3, 3.0), npred=1, max_keep=None):
        if not isinstance(crop_size, tuple):
            crop_size = (crop_size,) * 2
        self.crop_size = crop_size
        self.patch_size = patch_size
        self.height, self.width = crop_size[0] // patch_size[0], crop_size[1] // patch_size[1]
        self.pred_mask_scale, self.aspect_ratio = pred_mask_scale, aspect_ratio
        self.npred, self.max_keep = npred, max_keep
        # a process-shared counter: data-loader workers draw different masks per batch
        self._itr_counter = Value("i", -1)

    def step(self) -> int:
        """Advance the shared call counter; returns the new value (the next seed)."""
        with self._itr_counter.get_lock():
            self._itr_counter.value = (self._itr_counter.value + 1) % 2 ** 16
            return self._itr_counter.value

    def _block_size(self, rng: np.random.RandomState) -> tuple[int, int]:
        s_min, s_max = self.pred_mask_scale
        n_keep = int(self.height * self.width * (s_min + rng.random() * (s_max - s_min)))
        a_min, a_max = self.aspect_ratio
        aspect = a_min + rng.random() * (a_max - a_min)
        h = int(round(math.sqrt(n_keep * aspect)))
        w = int(round(math.sqrt(n_keep / aspect)))
        return min(h, self.height), min(w, self.width)

    def _kept_after_block(self, size: tuple[int, int], rng: np.random.RandomState) -> np.ndarray:
        """An H x W grid of ones with one h x w block of zeros at a random place."""
        h, w = size
        top = rng.randint(0, self.height - h + 1)
        left = rng.randint(0, self.width - w + 1)
        keep = np.ones((self.height, self.width), dtype=np.int32)
        keep[top:top + h, left:left + w] = 0
        return keep

    def __call__(self, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.RandomState(self.step())
        size = self._block_size(rng)
        enc, pred = [], []
        for _ in range(batch_size):
            while True:
                keep = np.ones((self.height, self.width), dtype=np.int32)
                for _ in range(self.npred):
                    keep *= self._kept_after_block(size, rng)
                flat = keep.flatten()
                if flat.any():  # some context left for the encoder
                    break
            pred.append(np.where(flat == 0)[0])
            enc.append(np.where(flat != 0)[0])
        n_pred = min([self.height * self.width] + [len(p) for p in pred])
        n_enc = min([self.height * self.width] + [len(e) for e in enc])
        if self.max_keep is not None:
            n_enc = min(n_enc, self.max_keep)
        return (np.array([e[:n_enc] for e in enc]), np.array([p[:n_pred] for p in pred]))


class MaskCollator:
    """Encoder / predictor patch masks for a batch, one pair per mask configuration.

    Args:
        cfgs_mask: a list of dicts with 'spatial_scale', 'aspect_ratio', 'num_blocks' and
            optionally 'max_keep'
        crop_size: image (height, width) in pixels (Default: (224, 224))
        patch_size: patch (height, width) in pixels (Default: (16, 16))
    """

    def __init__(self, cfgs_mask: Sequence[dict], crop_size=(224, 224), patch_size=(16, 16)):
        for i, cfg in enumerate(cfgs_mask):
            if not isinstance(cfg, dict):
                raise TypeError(f"MaskCollator: cfgs_mask[{i}] must be a dict with "
                                f"'spatial_scale', 'aspect_ratio' and 'num_blocks', got {cfg!r}")
        self.mask_generators = [
            _MaskGenerator(crop_size=crop_size, patch_size=patch_size,
                           pred_mask_scale=cfg.get("spatial_scale"),
                           aspect_ratio=cfg.get("aspect_ratio"), npred=cfg.get("num_blocks"),
                           max_keep=cfg.get("max_keep", None))
            for cfg in cfgs_mask]

    def step(self) -> None:
        """Advance every generator's call counter by one (skips a set of masks)."""
        for gen in self.mask_generators:
            gen.step()

    def __call__(self, batch: Sequence[Any]) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """(encoder masks, predictor masks) for a batch of ``len(batch)`` images."""
        pairs = [gen(len(batch)) for gen in self.mask_generators]
        return [p[0] for p in pairs], [p[1] for p in pairs]


__all__ = ["MaskCollator"]
