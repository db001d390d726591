"""ngclab.utils.patch_utils and ngclab.utils.patch."""
from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

from ngclab.utils.patch import PatchGenerator
from ngclab.utils.patch_utils import Create_Patches, generate_pacthify_patch_set, generate_patch_set
from tests.helpers import close, np_arr

GRID = [(4, 0, False, False), (4, 0, False, True), (4, 2, False, False), (3, 1, True, False),
        (4, 2, True, True), (3, 0, False, False)]


@pytest.mark.parametrize("ph,oh,frame,center", GRID)
def test_create_patches_matches_ngclearn(ref, ph, oh, frame, center):
    img = np_arr(ref["patches"]["img"])
    out = Create_Patches(img, (ph, ph), (oh, oh)).create_patches(frame, center)
    expected = ref["patches"][f"create_p{ph}_o{oh}_f{int(frame)}_c{int(center)}"]
    assert out.shape == np.shape(expected)
    close(out, expected)  # ngc-learn 3.2.3 output


def test_create_patches_by_hand():
    img = np.arange(36, dtype=np.float32).reshape(6, 6)
    # 6 // 3 = 2 patches per axis, step 3 - 1 = 2: starts 0 and 2
    out = np.asarray(Create_Patches(img, (3, 3), (1, 1)).create_patches(center=False))
    assert out.shape == (4, 3, 3)
    np.testing.assert_array_equal(out[1], img[0:3, 2:5])
    np.testing.assert_array_equal(out[2], img[2:5, 0:3])
    # centring subtracts column means of the whole image: columns of img have mean 15 + c
    out = np.asarray(Create_Patches(img, (3, 3), (0, 0)).create_patches(center=True))
    np.testing.assert_array_equal(out[0], img[0:3, 0:3] - (15 + np.arange(3)))
    # a non-square patch: rows padded by ph - oh, columns by pw - ow
    cp = Create_Patches(img, (2, 3), (0, 0))
    cp.create_patches(add_frame=True, center=False)
    assert cp.img.shape == (6 + 4, 6 + 6)


@pytest.mark.parametrize("key,args", [
    ("gps_p3_m5_s1234_c1", (slice(None), (3, 3), 5, True, 1234)),
    ("gps_p2x3_m4_s7_c0", (slice(None), (2, 3), 4, False, 7)),
    ("gps_p6_m100_s3_c0", (slice(0, 1), (6, 6), 100, False, 3)),
    ("gps_p7_mNone_c0", (slice(0, 1), (7, 7), None, False, 0)),
    ("gps_p7_m0.5_s5_c0", (slice(0, 1), (7, 7), 0.5, False, 5)),
])
def test_generate_patch_set_matches_ngclearn(ref, key, args):
    batch = np_arr(ref["patches"]["batch"])
    rows, *rest = args
    out = generate_patch_set(batch[rows], *rest)
    assert out.shape == np.shape(ref["patches"][key])
    close(out, ref["patches"][key])  # ngc-learn 3.2.3 (scikit-learn sampling), same seed


def test_generate_patch_set_vis_mode(ref):
    batch = np_arr(ref["patches"]["batch"])
    patches, mu = generate_patch_set(batch, (3, 3), 2, True, 1234, True)
    close(patches, ref["patches"]["gps_vis"]["patches"])
    close(mu, ref["patches"]["gps_vis"]["mu"])
    close(np.asarray(patches).mean(1), 0.0, atol=1e-5)  # each patch centred on its own mean


def test_pacthify_tiles_by_hand():
    img = np.arange(49, dtype=np.float32).reshape(7, 7)
    out = np.asarray(generate_pacthify_patch_set(img.reshape(1, -1), (3, 3), center=False))
    # tiles start at 0 and 3 in each direction ((7 - 3) // 3 + 1 = 2): 4 tiles, row-major
    assert out.shape == (4, 9)
    np.testing.assert_array_equal(out[1], img[0:3, 3:6].ravel())
    np.testing.assert_array_equal(out[2], img[3:6, 0:3].ravel())
    out = np.asarray(generate_pacthify_patch_set(img.ravel(), (3, 3)))
    close(out.mean(1), 0.0, atol=1e-5)
    with pytest.raises(ValueError, match="square"):
        generate_pacthify_patch_set(np.zeros((1, 10)))


@pytest.mark.parametrize("h_align,v_align,hs,vs,rows,cols", [
    # 7 x 9 image, 2 x 3 patches; starts computed by hand from the rules in ngclab.utils.patch
    ("left", "top", 0, 0, [0, 2, 4], [0, 3, 6]),
    ("right", "bottom", 0, 0, [1, 3, 5], [0, 3, 6]),
    ("left", "top", 1, 1, [0, 1, 2, 3, 4, 5], [0, 2, 4, 6]),  # steps 1 (rows) and 2 (cols)
    ("center", "center", 0, 0, [1, 3, 5], [1, 4]),  # rows c=3: 3,5 and 1; cols c=4: 4 and 1
    ("fit", "fit", 0, 0, [0, 2, 4], [0, 3, 6]),  # margins (7-2) mod 2 // 2 = 0, 6 mod 3 // 2 = 0
    ("right", "top", 2, 0, [0, 2, 4], [0, 1, 2, 3, 4, 5, 6]),  # column step 3 - 2 = 1
])
def test_patch_generator_offsets(h_align, v_align, hs, vs, rows, cols):
    gen = PatchGenerator(2, 3, h_align, v_align, hs, vs)
    assert gen.offsets(7, 9) == (rows, cols)


def test_patch_generator_fit_centres_and_iterates():
    gen = PatchGenerator(3, 3, "fit", "fit")
    # width 10, p 3, s 3: (10 - 3) mod 3 = 1 -> margin 0; width 11: margin 1
    assert gen.offsets(11, 10) == ([1, 4, 7], [0, 3, 6])
    img = jnp.arange(110.0).reshape(11, 10)
    gen.target(img)
    patches = list(gen)
    assert len(patches) == len(gen) == 9
    close(patches[1], img[1:4, 3:6])
    assert gen.patches().shape == (9, 3, 3)
    with pytest.raises(RuntimeError, match="target"):
        list(PatchGenerator(2, 2))
    with pytest.raises(ValueError, match="smaller"):
        PatchGenerator(5, 5).target(jnp.zeros((4, 8)))
    with pytest.raises(ValueError, match="horizontal_alignment"):
        PatchGenerator(2, 2, horizontal_alignment="top")
