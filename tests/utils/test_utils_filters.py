"""ngclab.utils.filters against ngc-learn 3.2.3 (tests/reference/utils_more_reference.json,
section "filters") and against the blur written out by hand."""
from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

from ngclab.utils.filters import cortical_gaussian_filter, gaussian_filter
from tests.helpers import arr, assert_close, reference

F = reference("utils_more")["filters"]
IMG = arr(F["images"])


def test_match_ngclearn():
    assert_close(gaussian_filter(IMG, 1.0, 2.5, 2), F["dog"], "DoG")
    assert_close(gaussian_filter(IMG, 0.8, 1.6, 3, True), F["rog"], "RoG", atol=1e-4)
    assert_close(cortical_gaussian_filter(IMG, 1.0, 2.0, 2), F["cortical_dog"], "cDoG")
    assert_close(cortical_gaussian_filter(IMG, 1.0, 2.0, 2, True, 0.2), F["cortical_rog"], "cRoG")
    assert_close(cortical_gaussian_filter(IMG, 0.7, 1.9, 1, True, 0.1, 1.5, 1.8),
                 F["cortical_rog_exp"], "cRoG exps")


def _blur_by_hand(img2d, sigma, r, mode):
    u = np.arange(-r, r + 1)
    k = np.exp(-0.5 * (u[:, None] ** 2 + u[None, :] ** 2) / sigma ** 2)
    k /= k.sum()
    p = np.pad(img2d, r, mode=mode)
    H, W = img2d.shape
    return np.array([[np.sum(p[i:i + 2 * r + 1, j:j + 2 * r + 1] * k) for j in range(W)]
                     for i in range(H)])


@pytest.mark.parametrize("mode", ["edge", "reflect"])
def test_every_channel_and_pad_mode_by_hand(mode):
    rgb = np.random.RandomState(1).rand(2, 3, 5, 6).astype(np.float32)
    got = np.asarray(gaussian_filter(jnp.asarray(rgb), 1.0, 2.0, 1, edge_pad_mode=mode))
    cort = np.asarray(cortical_gaussian_filter(jnp.asarray(rgb), 1.0, 2.0, 1, True, 0.3, 2.0,
                                               1.5, edge_pad_mode=mode))
    for b in range(2):
        for c in range(3):
            center = _blur_by_hand(rgb[b, c], 1.0, 1, mode)
            surround = _blur_by_hand(rgb[b, c], 2.0, 1, mode)
            np.testing.assert_allclose(got[b, c], center - surround, atol=1e-5)
            want = np.maximum(center, 0) ** 2.0 / (np.maximum(surround, 0) ** 1.5 + 0.09)
            np.testing.assert_allclose(cort[b, c], want, rtol=1e-4, atol=1e-5)
    # ngc-learn 3.2.3 fails on both (reference file): >1 channel and a given pad mode
    assert F["three_channels"] == {"error": "ValueError"}
    assert F["reflect"] == {"error": "TypeError"}


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="gaussian_filter: unknown edge_pad_mode 'wrap'"):
        gaussian_filter(IMG, 1.0, 2.0, 1, edge_pad_mode="wrap")
    with pytest.raises(ValueError, match="cortical_gaussian_filter: images must be a"):
        cortical_gaussian_filter(jnp.ones((4, 4)), 1.0, 2.0, 1)
    with pytest.raises(ValueError, match="kernel_size"):
        gaussian_filter(IMG, 1.0, 2.0, 1.5)
