"""ngclab.utils.feature_dictionaries, masks, matrix_utils and io_utils.save_pkl/load_pkl against
ngc-learn 3.2.3 (tests/reference/utils_more_reference.json) and by hand."""
from __future__ import annotations

import pickle

import jax.numpy as jnp
import numpy as np
import pytest

from ngclab.utils.feature_dictionaries import PolynomialLibrary
from ngclab.utils.io_utils import load_pkl, save_pkl
from ngclab.utils.masks import MaskCollator
from ngclab.utils.matrix_utils import decompose_to_mps
from tests.helpers import arr, assert_close, reference

R = reference("utils_more")


@pytest.mark.parametrize("case", R["poly"], ids=lambda c: f"{c['dims']}d-p{c['order']}-"
                                                           f"{'bias' if c['bias'] else 'nobias'}")
def test_polynomial_library_matches_ngclearn(case):
    lib, names = PolynomialLibrary(case["order"], case["bias"]).fit([arr(v) for v in case["X"]])
    assert names == case["names"]
    assert_close(lib, np.asarray(case["lib"], np.float32).reshape(lib.shape), "library")


def test_polynomial_library_by_hand_and_bad_order():
    lib, names = PolynomialLibrary(poly_order=2).fit([jnp.asarray([2.0]), jnp.asarray([3.0])])
    # terms 1, y, y^2, x, x y, x^2 at (2, 3)
    assert_close(lib, [[1.0, 3.0, 9.0, 2.0, 6.0, 4.0]], "2d order 2")
    assert names[4] == "$𝑥^1 . 𝑦^1$ |"
    for bad in (None, -1, 1.5):
        with pytest.raises(ValueError, match="PolynomialLibrary: poly_order"):
            PolynomialLibrary(poly_order=bad)
    with pytest.raises(ValueError, match="1, 2 or 3 variables"):
        PolynomialLibrary(2).fit([jnp.ones(2)] * 4)


def test_mask_collator_matches_ngclearn():
    m = R["masks"]
    mc = MaskCollator(m["cfgs"], crop_size=tuple(m["crop_size"]), patch_size=tuple(m["patch_size"]))
    for call in m["calls"]:
        if call.get("after_step"):
            mc.step()
        enc, pred = mc(list(range(call["batch"])))
        assert [e.tolist() for e in enc] == call["enc"]
        assert [p.tolist() for p in pred] == call["pred"]


def test_mask_collator_masks_are_complementary_blocks():
    mc = MaskCollator([{"spatial_scale": (0.2, 0.3), "aspect_ratio": (1.0, 1.0),
                        "num_blocks": 1}], crop_size=(40, 40), patch_size=(4, 4))
    enc, pred = mc([None] * 4)
    assert enc[0].shape[0] == pred[0].shape[0] == 4
    for e, p in zip(enc[0], pred[0]):
        assert not set(e.tolist()) & set(p.tolist())  # encoder context never overlaps targets
        # one block of the call's size h x w (the same for every sample, so nothing is cut):
        # the targets fill the rectangle they span on the 10 x 10 grid
        rows, cols = np.divmod(p, 10)
        assert len(p) == (rows.max() - rows.min() + 1) * (cols.max() - cols.min() + 1)
        assert len(e) + len(p) == 100
    with pytest.raises(TypeError, match="MaskCollator: cfgs_mask\\[0\\] must be a dict"):
        MaskCollator([("spatial_scale", (0.1, 0.2))])


@pytest.mark.parametrize("bond", ["2", "4", "16"])
def test_decompose_to_mps_matches_ngclearn(bond):
    W = arr(R["mps"]["W"])
    c1, c2 = decompose_to_mps(W, bond_dim=int(bond))
    case = R["mps"][bond]
    assert [list(c1.shape), list(c2.shape)] == case["shapes"]
    assert_close(jnp.einsum("oia,ajp->ij", c1, c2), case["product"], "core product")


def test_decompose_to_mps_full_rank_is_exact_and_bad_input():
    W = arr(R["mps"]["W"])
    c1, c2 = decompose_to_mps(W, bond_dim=16)  # k = min(5, 4) = 4: U S V^T = W
    assert_close(c1[0] @ c2[:, :, 0], W, "full rank", atol=1e-5)
    with pytest.raises(ValueError, match="decompose_to_mps: W must be a 2-D matrix"):
        decompose_to_mps(jnp.ones(3))
    with pytest.raises(ValueError, match="bond_dim"):
        decompose_to_mps(W, bond_dim=0)


def test_save_pkl_round_trip_and_real_pickles_refused(tmp_path):
    value = {"W": np.arange(6.0).reshape(2, 3), "cfg": ("adam", 0.01), "n": 3}
    save_pkl(str(tmp_path), "model", value)
    assert (tmp_path / "model.pkl").exists()  # ngc-learn's file name
    back = load_pkl(str(tmp_path), "model")
    np.testing.assert_array_equal(back["W"], value["W"])
    assert back["cfg"] == ("adam", 0.01) and back["n"] == 3
    with open(tmp_path / "real.pkl", "wb") as fd:
        pickle.dump({"a": 1}, fd)
    with pytest.raises(ValueError, match="real.pkl.*not an ngclab serialized file"):
        load_pkl(str(tmp_path), "real")
