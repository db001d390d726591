"""The convolution toolbox behind ngclab's conv/deconv synapses (ngc-learn's ``ngcconv`` API).

Layouts: images are NHWC ``(batch, height, width, channels)``, kernels are HWIO
``(k, k, n_in, n_out)``. Every spatial padding is a pair of (low, high) pairs.

Forward operators

| conv2d(x, K)    y[n,p,q,o] = sum_{a,b,i} xp[n, p*s + a, q*s + b, i] K[a,b,i,o]
|                 (xp = x padded by ``padding``: a correlation, as lax.conv_general_dilated)
| deconv2d(x, K)  the transposed ("fractionally strided") convolution of lax.conv_transpose:
|                 x dilated by s (s-1 zeros between pixels), padded by (pa, pb), correlated with
|                 K at stride 1; pa, pb follow from "SAME" / "VALID" (see ``deconv_padding``)

Local updates: the Hebbian/STDP filter change and the back-transmitted signal are the
vector-Jacobian products of these operators with the post-synaptic signal g:

| calc_dK_conv    dK[a,b,i,o] = sum_{n,p,q} xp[n, p*s + a, q*s + b, i] g[n,p,q,o]
| calc_dX_conv    dX = g dilated by s, padded by the anti-padding, correlated with rot180(K)
| calc_dK_deconv  dK[a,b,i,o] = sum_{n,p,q} xd[n, p + a, q + b, i] g[n,p,q,o]  (xd: dilated+padded x)
| calc_dX_deconv  dX = g padded by (k-1-pa, k-1-pb), correlated with rot180(K) at stride s

where rot180(K) flips K spatially and swaps its in/out channel axes. Each is one lax convolution
in the canonical NHWC x HWIO layout: dK treats the input's channels as a batch and its batch as
features (explicit transposes). Other dimension numbers give the same numbers, but XLA's CPU
backend runs such convolutions up to ~10x slower inside a compiled loop (lax.scan), which is
where ngclab runs them.

The public functions keep ngc-learn 3.2.3's signatures and give its numbers for the arguments its
components pass; ``delta_shape`` trims trailing rows/columns of the (padded) input as ngc-learn's
"shape correction" does. The geometry helpers (``conv_padding``, ``deconv_padding``,
``conv_geometry``, ``deconv_geometry``) compute the paddings that make every case exact, for any
size, kernel and stride.
"""
from __future__ import annotations

from functools import partial

import jax.numpy as jnp
from jax import jit, lax

__all__ = ["conv2d", "deconv2d", "calc_dK_conv", "calc_dX_conv", "calc_dK_deconv",
           "calc_dX_deconv", "get_same_conv_padding", "rot180", "conv_padding",
           "deconv_padding", "conv_geometry", "deconv_geometry", "PADDINGS"]

#: the padding schemes the synapses accept
PADDINGS = ("SAME", "VALID")

_NHWC = ("NHWC", "HWIO", "NHWC")


def _dK_conv(x, g, pads, lhs_dilation, rhs_dilation):
    """dK[a,b,i,o] = sum_n (x as C,H,W,N batch-of-channels) * (g as H,W,N,O kernel)."""
    xT = jnp.transpose(x, (3, 1, 2, 0))   # (C, H, W, N): channels as batch, batch as features
    gT = jnp.transpose(g, (1, 2, 0, 3))   # (H', W', N, O): the post map as a kernel
    dK = lax.conv_general_dilated(xT, gT, (1, 1), pads, lhs_dilation, rhs_dilation, _NHWC)
    return jnp.transpose(dK, (1, 2, 0, 3))  # (C, k, k, O) -> (k, k, C, O)


def _pairs(padding):
    """A padding as a tuple of two (low, high) int pairs (strings pass through)."""
    if isinstance(padding, str):
        return padding
    return tuple((int(lo), int(hi)) for lo, hi in padding)


def rot180(K):
    """Flip a HWIO kernel spatially and swap its channel axes (the adjoint's kernel)."""
    return jnp.transpose(jnp.flip(K, axis=(0, 1)), (0, 1, 3, 2))


@partial(jit, static_argnums=(2, 3, 4, 5))
def conv2d(inputs, filters, stride_size=1, rhs_dilation=(1, 1), lhs_dilation=(1, 1),
           padding=((0, 0), (0, 0))):
    """2-D convolution (NHWC x HWIO -> NHWC); ``padding`` is "SAME", "VALID" or pairs."""
    return lax.conv_general_dilated(inputs, filters, (stride_size, stride_size), _pairs(padding),
                                    lhs_dilation, rhs_dilation, _NHWC)


@partial(jit, static_argnums=(2, 3, 4))
def deconv2d(inputs, filters, stride_size=1, rhs_dilation=(1, 1), padding=((0, 0), (0, 0))):
    """2-D transposed convolution (lax.conv_transpose, kernel not flipped)."""
    return lax.conv_transpose(inputs, filters, (stride_size, stride_size), _pairs(padding),
                              rhs_dilation, _NHWC)


def get_same_conv_padding(lhs, rhs, stride_size=1, rhs_dilation=(1, 1), lhs_dilation=(1, 1)):
    """The explicit ((low, high), (low, high)) padding lax uses for ``padding="SAME"``.

    ``lhs`` and ``rhs`` are an NHWC input and an HWIO kernel (arrays or shapes). As in lax (and
    ngc-learn), ``lhs_dilation`` does not enter the SAME rule.
    """
    in_hw = tuple(jnp.shape(lhs))[1:3] if not isinstance(lhs, tuple) else lhs[1:3]
    k_hw = tuple(jnp.shape(rhs))[0:2] if not isinstance(rhs, tuple) else rhs[0:2]
    eff = [(k - 1) * d + 1 for k, d in zip(k_hw, rhs_dilation)]
    return tuple(tuple(p) for p in lax.padtype_to_pads(in_hw, eff, (stride_size, stride_size),
                                                       "SAME"))


# ---------------------------------------------------------------------------------------------
# geometry: exact paddings for any input size n, kernel k, stride s

def conv_padding(n: int, k: int, s: int, padding: str) -> tuple[int, int]:
    """(low, high) padding of one spatial axis of a "SAME" / "VALID" convolution."""
    if padding == "VALID":
        return (0, 0)
    out = -(-n // s)  # ceil(n / s)
    total = max((out - 1) * s + k - n, 0)
    return (total // 2, total - total // 2)


def deconv_padding(k: int, s: int, padding: str) -> tuple[int, int]:
    """(pa, pb) padding of the dilated input in a "SAME" / "VALID" transposed convolution
    (lax.conv_transpose's rule)."""
    if padding == "SAME":
        total = k + s - 2
        lo = k - 1 if s > k - 1 else -(-total // 2)
    else:
        total = k + s - 2 + max(k - s, 0)
        lo = k - 1
    return (lo, total - lo)


def conv_geometry(n: int, k: int, s: int, padding: str) -> dict:
    """Sizes and paddings of a square conv: output size m, padding, dK padding, dX padding.

    ``r`` is the number of trailing padded rows no window reaches; they are cut from the dK
    computation (negative high padding) and restored as zeros in dX.
    """
    lo, hi = conv_padding(n, k, s, padding)
    span = n + lo + hi - k
    if span < 0:
        raise ValueError(f"kernel {k} is larger than the padded input {n + lo + hi}")
    m, r = span // s + 1, span % s
    return {"m": m, "r": r, "pad": ((lo, hi), (lo, hi)), "dk_pad": ((lo, hi - r), (lo, hi - r)),
            "dx_pad": ((k - 1 - lo, k - 1 - hi + r), (k - 1 - lo, k - 1 - hi + r))}


def deconv_geometry(n: int, k: int, s: int, padding: str) -> dict:
    """Sizes and paddings of a square transposed conv: output size m and the pads of its
    forward pass, dK and dX."""
    pa, pb = deconv_padding(k, s, padding)
    m = (n - 1) * s + 1 + pa + pb - k + 1
    return {"m": m, "pad": ((pa, pb), (pa, pb)),
            "dx_pad": ((k - 1 - pa, k - 1 - pb), (k - 1 - pa, k - 1 - pb))}


# ---------------------------------------------------------------------------------------------
# local updates (vector-Jacobian products)

def _trim(x, delta_shape):
    dx, dy = (int(d) for d in delta_shape)
    return x[:, :x.shape[1] - dx, :x.shape[2] - dy, :]


@partial(jit, static_argnums=(2, 3, 4))
def calc_dK_conv(x, d_out, delta_shape, stride_size=1, padding=((0, 0), (0, 0))):
    """Filter update of a convolution: sum over batch and positions of input patch x output.

    ``padding`` is the forward padding (pairs). ``delta_shape`` (dX, dY) trailing rows/columns
    are cut from the padded input first (ngc-learn's correction for strides that leave rows
    unreached); with (0, 0) rows no window reaches make dK larger than the kernel.
    """
    (lo_h, hi_h), (lo_w, hi_w) = _pairs(padding)
    dx, dy = (int(d) for d in delta_shape)
    pads = ((lo_h, hi_h - dx), (lo_w, hi_w - dy))
    return _dK_conv(x, d_out, pads, (1, 1), (stride_size, stride_size))


@partial(jit, static_argnums=(2, 3, 4))
def calc_dX_conv(K, d_out, delta_shape, stride_size=1, anti_padding=None):
    """Back-transmitted signal of a convolution: g dilated by the stride, correlated with
    rot180(K) under ``anti_padding`` (default: k-1 on each side, the "full" correlation).
    ``delta_shape`` is accepted for ngc-learn compatibility and not used."""
    k = K.shape[0]
    pads = ((k - 1, k - 1), (k - 1, k - 1)) if anti_padding is None else _pairs(anti_padding)
    return lax.conv_general_dilated(d_out, rot180(K), (1, 1), pads,
                                    (stride_size, stride_size), (1, 1), _NHWC)


@partial(jit, static_argnums=(2, 3, 4, 5))
def calc_dK_deconv(x, d_out, delta_shape, stride_size=1, out_size=2, padding="SAME"):
    """Filter update of a transposed convolution with kernel size ``out_size``.

    ``padding`` is the forward scheme ("SAME" / "VALID") or the explicit (pa, pb) pairs of the
    dilated input; ``delta_shape`` trailing rows/columns of x are cut first (ngc-learn)."""
    x = _trim(x, delta_shape)
    if isinstance(padding, str):
        pads = (deconv_padding(out_size, stride_size, padding),) * 2
    else:
        pads = _pairs(padding)
    return _dK_conv(x, d_out, pads, (stride_size, stride_size), (1, 1))


@partial(jit, static_argnums=(2, 3, 4))
def calc_dX_deconv(K, d_out, delta_shape, stride_size=1, padding=((0, 0), (0, 0))):
    """Back-transmitted signal of a transposed convolution: g correlated with rot180(K) at the
    stride. ``padding`` is the forward scheme ("SAME" / "VALID", turned into the exact
    (k-1-pa, k-1-pb) pads) or explicit pairs used as given; ``delta_shape`` is not used."""
    k = K.shape[0]
    if isinstance(padding, str):
        pa, pb = deconv_padding(k, stride_size, padding)
        pads = ((k - 1 - pa, k - 1 - pb),) * 2
    else:
        pads = _pairs(padding)
    return lax.conv_general_dilated(d_out, rot180(K), (stride_size, stride_size), pads,
                                    (1, 1), (1, 1), _NHWC)
