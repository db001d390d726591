"""The ngcconv toolbox against ngc-learn 3.2.3 (tests/reference/conv_reference.json), lax's
vector-Jacobian products, and small hand-computed cases."""
import jax.numpy as jnp
import numpy as np
import pytest

from ngclab.components.synapses.convolution import ngcconv
from tests.components.synapses.convolution.conv_helpers import conv_ref, lax_vjp
from tests.helpers import arr, assert_close

CASES = conv_ref()["toolbox"]
IDS = [f"{c['kind']}-n{c['N']}-k{c['k']}-s{c['stride']}-{c['padding']}" for c in CASES]


def pairs(p):
    return tuple(tuple(x) for x in p)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_toolbox_matches_ngclearn_given_its_arguments(case):
    # expected: ngc-learn's own toolbox outputs, called with the arguments its components compute
    x, K, g, s, pad = arr(case["x"]), arr(case["K"]), arr(case["g"]), case["stride"], \
        case["padding"]
    if case["kind"] == "conv":
        assert_close(ngcconv.conv2d(x, K, s, padding=pad), case["y"], "conv2d")
        assert_close(ngcconv.calc_dK_conv(x, g, tuple(case["delta_shape"]), s,
                                          padding=pairs(case["pad_args"])), case["dK"], "dK")
        assert_close(ngcconv.calc_dX_conv(K, g, tuple(case["x_delta_shape"]), s,
                                          anti_padding=pairs(case["anti_padding"])),
                     case["dX"], "dX")
    else:
        assert_close(ngcconv.deconv2d(x, K, s, padding=pad), case["y"], "deconv2d")
        assert_close(ngcconv.calc_dK_deconv(x, g, tuple(case["delta_shape"]), s,
                                            out_size=case["k"], padding=pad), case["dK"], "dK")
        assert_close(ngcconv.calc_dX_deconv(K, g, tuple(case["x_delta_shape"]), s,
                                            padding=pad), case["dX"], "dX")


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_geometry_paddings_give_the_exact_vjp(case):
    # expected: jax.vjp of lax's operator, computed under ngc-learn's venv and stored
    x, K, g, s, pad, n, k = arr(case["x"]), arr(case["K"]), arr(case["g"]), case["stride"], \
        case["padding"], case["N"], case["k"]
    if case["kind"] == "conv":
        geo = ngcconv.conv_geometry(n, k, s, pad)
        assert geo["m"] == np.asarray(case["y"]).shape[1]
        assert_close(ngcconv.conv2d(x, K, s, padding=geo["pad"]), case["y"], "conv2d")
        assert_close(ngcconv.calc_dK_conv(x, g, (geo["r"], geo["r"]), s, padding=geo["pad"]),
                     case["vjp_dK"], "dK")
        assert_close(ngcconv.calc_dX_conv(K, g, (0, 0), s, anti_padding=geo["dx_pad"]),
                     case["vjp_dX"], "dX")
    else:
        geo = ngcconv.deconv_geometry(n, k, s, pad)
        assert geo["m"] == np.asarray(case["y"]).shape[1]
        assert_close(ngcconv.deconv2d(x, K, s, padding=geo["pad"]), case["y"], "deconv2d")
        assert_close(ngcconv.calc_dK_deconv(x, g, (0, 0), s, out_size=k, padding=geo["pad"]),
                     case["vjp_dK"], "dK")
        assert_close(ngcconv.calc_dX_deconv(K, g, (0, 0), s, padding=geo["dx_pad"]),
                     case["vjp_dX"], "dX")


def test_ngclearn_is_right_except_for_one_known_geometry():
    # the reference records where ngc-learn's component arguments miss the vjp: only the SAME conv
    # back-transmission with stride 4 > kernel 3 on a 5x5 map (odd padding split)
    wrong = [(c["kind"], c["N"], c["k"], c["stride"], c["padding"], k)
             for c in CASES for k, ok in c["ngc_matches_vjp"].items() if not ok]
    assert wrong == [("conv", 5, 3, 4, "SAME", "dX")]
    case = next(c for c in CASES if (c["kind"], c["N"], c["k"], c["stride"], c["padding"]) ==
                ("conv", 5, 3, 4, "SAME"))
    geo = ngcconv.conv_geometry(5, 3, 4, "SAME")
    # ngc-learn's anti-padding starts at k-1 = 2; the exact one at k-1-low = 2-1 = 1
    assert pairs(case["anti_padding"]) != geo["dx_pad"]
    assert geo["pad"] == ((1, 1), (1, 1)) and geo["dx_pad"][0][0] == 1
    assert not np.allclose(np.asarray(case["dX"]), np.asarray(case["vjp_dX"]), atol=1e-3)


@pytest.mark.parametrize("case", [c for c in CASES if c["kind"] == "conv"][:6],
                         ids=IDS[:6])
def test_get_same_conv_padding_is_lax_same_rule(case):
    # expected: lax.padtype_to_pads(..., "SAME") recorded by the reference script (ngc-learn's
    # own get_same_conv_padding raises under its jax: jnp.take on a shape tuple)
    x, K = arr(case["x"]), arr(case["K"])
    assert "same_padding_error" in case
    got = ngcconv.get_same_conv_padding(x, K, stride_size=case["stride"])
    assert got == pairs(case["lax_same_padding"])
    assert got == ngcconv.conv_geometry(case["N"], case["k"], case["stride"], "SAME")["pad"]


def test_conv2d_hand_computed():
    # 1 image 3x3 with values 1..9, kernel 2x2 of ones, VALID, stride 1: each output is the sum
    # of a 2x2 window: [[1+2+4+5, 2+3+5+6], [4+5+7+8, 5+6+8+9]] = [[12, 16], [24, 28]]
    x = jnp.arange(1., 10.).reshape(1, 3, 3, 1)
    K = jnp.ones((2, 2, 1, 1))
    y = ngcconv.conv2d(x, K, 1, padding="VALID")
    np.testing.assert_array_equal(np.asarray(y)[0, :, :, 0], [[12., 16.], [24., 28.]])
    # dK with g = ones(2x2): dK[a, b] = sum of x over the 2x2 block at offset (a, b), the same
    # window sums, so dK = [[12, 16], [24, 28]]
    dK = ngcconv.calc_dK_conv(x, jnp.ones((1, 2, 2, 1)), (0, 0), 1, padding=((0, 0), (0, 0)))
    np.testing.assert_array_equal(np.asarray(dK)[:, :, 0, 0], [[12., 16.], [24., 28.]])
    # dX with g = ones: each input pixel receives one per window covering it:
    # corners 1, edges 2, centre 4
    dX = ngcconv.calc_dX_conv(K, jnp.ones((1, 2, 2, 1)), (0, 0), 1)
    np.testing.assert_array_equal(np.asarray(dX)[0, :, :, 0],
                                  [[1., 2., 1.], [2., 4., 2.], [1., 2., 1.]])


def test_deconv2d_hand_computed():
    # a single pixel of value 2 upsampled with stride 2 and a 2x2 kernel [[1, 2], [3, 4]], VALID:
    # the output is the kernel times 2 (no flip: lax.conv_transpose without transpose_kernel
    # correlates the dilated input, so the kernel lands flipped): [[8, 6], [4, 2]]
    x = jnp.full((1, 1, 1, 1), 2.)
    K = jnp.array([[1., 2.], [3., 4.]]).reshape(2, 2, 1, 1)
    y = ngcconv.deconv2d(x, K, 2, padding="VALID")
    np.testing.assert_array_equal(np.asarray(y)[0, :, :, 0], [[8., 6.], [4., 2.]])
    assert ngcconv.deconv_geometry(1, 2, 2, "VALID")["m"] == 2  # n*s + max(k-s, 0) = 2


@pytest.mark.parametrize("n,k,s,pad,m", [(28, 5, 1, "SAME", 28), (28, 5, 2, "SAME", 14),
                                         (7, 3, 2, "VALID", 3), (8, 3, 3, "VALID", 2),
                                         (5, 3, 4, "SAME", 2)])
def test_conv_output_sizes(n, k, s, pad, m):
    # SAME: ceil(n / s); VALID: floor((n - k) / s) + 1
    assert ngcconv.conv_geometry(n, k, s, pad)["m"] == m
    y, _, _ = lax_vjp("conv", jnp.zeros((1, n, n, 1)), jnp.zeros((k, k, 1, 1)), s, pad, None)
    assert y.shape[1] == m


@pytest.mark.parametrize("n,k,s,pad,m", [(4, 3, 2, "SAME", 8), (4, 3, 2, "VALID", 9),
                                         (3, 2, 3, "VALID", 9), (5, 5, 1, "VALID", 9)])
def test_deconv_output_sizes(n, k, s, pad, m):
    # SAME: n * s; VALID: n * s + max(k - s, 0)
    assert ngcconv.deconv_geometry(n, k, s, pad)["m"] == m
    y, _, _ = lax_vjp("deconv", jnp.zeros((1, n, n, 1)), jnp.zeros((k, k, 1, 1)), s, pad, None)
    assert y.shape[1] == m


def test_calc_dX_conv_default_anti_padding_is_full_correlation():
    # anti_padding=None (ngc-learn would fail) means k-1 on every side: the adjoint of a VALID,
    # stride-1 conv, whose vjp is known
    rs = np.random.RandomState(0)
    x = jnp.asarray(rs.normal(size=(2, 5, 5, 2)).astype(np.float32))
    K = jnp.asarray(rs.normal(size=(3, 3, 2, 4)).astype(np.float32))
    g = jnp.asarray(rs.normal(size=(2, 3, 3, 4)).astype(np.float32))
    _, _, dx = lax_vjp("conv", x, K, 1, "VALID", g)
    assert_close(ngcconv.calc_dX_conv(K, g, (0, 0), 1), dx, "dX")
