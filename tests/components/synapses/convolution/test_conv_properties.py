"""Property tests: over random sizes, strides, paddings and channel counts, every conv cable's
Hebbian update and back-transmission equal jax.vjp of lax.conv_general_dilated (conv) or of
lax.conv_transpose (deconv), and its output equals the operator itself.

The expected values are computed by jax.vjp directly, not by ngclab code.
"""
import jax.numpy as jnp
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ngclab import Context, MethodProcess
from ngclab.components.synapses import convolution as C
from tests.components.synapses.convolution.conv_helpers import lax_vjp
from tests.helpers import assert_close

SETTINGS = settings(max_examples=12, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@st.composite
def geometries(draw, kind):
    k = draw(st.integers(1, 4))
    s = draw(st.integers(1, 4))
    pad = draw(st.sampled_from(["SAME", "VALID"]))
    lo = k if (kind == "conv" and pad == "VALID") else 1
    n = draw(st.integers(max(lo, 2), 8))
    return dict(n=n, k=k, s=s, pad=pad, ci=draw(st.integers(1, 3)), co=draw(st.integers(1, 3)),
                b=draw(st.integers(1, 3)), seed=draw(st.integers(0, 2 ** 16)),
                bias=draw(st.booleans()))


def numpy_init(rs):
    """A filter initializer drawing from numpy (jax.random.normal compiles slowly per shape)."""
    return lambda shape, key: jnp.asarray(rs.normal(size=shape).astype(np.float32))


def check(kind, g):
    rs = np.random.RandomState(g["seed"])
    cls = C.HebbianConvSynapse if kind == "conv" else C.HebbianDeconvSynapse
    with Context("p"):
        W = cls("W", (g["k"], g["k"], g["ci"], g["co"]), (g["n"], g["n"]), eta=0.,
                stride=g["s"], padding=g["pad"], batch_size=g["b"], filter_init=numpy_init(rs),
                bias_init=(lambda shape, key: jnp.full(shape, 0.3)) if g["bias"] else None)
        step = MethodProcess("step") >> W.advance_state >> W.evolve >> W.backtransmit
    x = jnp.asarray(rs.normal(size=W.in_shape).astype(np.float32))
    K = W.weights.get()
    y, _, _ = lax_vjp(kind, x, K, g["s"], g["pad"], None)
    post = jnp.asarray(rs.normal(size=y.shape).astype(np.float32))
    _, dK, dX = lax_vjp(kind, x, K, g["s"], g["pad"], post)
    W.inputs.set(x)
    W.pre.set(x)
    W.post.set(post)
    step.run()  # advance, evolve (eta = 0: the filters stay K), backtransmit; one compile
    b = 0.3 if g["bias"] else 0.
    assert_close(W.outputs.get(), y + b, "outputs = operator(x, K) + b", atol=1e-4)
    assert_close(W.dWeights.get(), dK, "dWeights = vjp wrt K", atol=1e-4)
    assert_close(W.dInputs.get(), dX, "dInputs = vjp wrt x", atol=1e-4)
    if g["bias"]:  # d(sum(post * (y + b))) / db = sum of post over batch, rows, columns
        assert_close(W.dBiases.get(), jnp.sum(post, axis=(0, 1, 2), keepdims=True), "dBiases",
                     atol=1e-4)


@SETTINGS
@given(geometries("conv"))
def test_hebbian_conv_is_the_vjp(g):
    check("conv", g)


@SETTINGS
@given(geometries("deconv"))
def test_hebbian_deconv_is_the_vjp(g):
    check("deconv", g)


@SETTINGS
@given(geometries("conv"), st.sampled_from(["conv", "deconv"]))
def test_trace_stdp_is_two_vjps(g, kind):
    # dWeights = A+ * vjp_K(preTrace - x_tar, postSpike) - A- * vjp_K(preSpike, postTrace),
    # dInputs = vjp_x(postSpike)
    cls = C.TraceSTDPConvSynapse if kind == "conv" else C.TraceSTDPDeconvSynapse
    ap, am, tar = 0.7, 0.4, 0.1
    rs = np.random.RandomState(g["seed"])
    with Context("p"):
        W = cls("W", (g["k"], g["k"], g["ci"], g["co"]), (g["n"], g["n"]), A_plus=ap,
                A_minus=am, eta=0., pretrace_target=tar, stride=g["s"], padding=g["pad"],
                batch_size=g["b"], filter_init=numpy_init(rs))
        step = MethodProcess("step") >> W.evolve >> W.backtransmit
    K = W.weights.get()

    def draw(shape, spikes):
        v = rs.uniform(size=shape)
        return jnp.asarray((v < 0.4) if spikes else v, jnp.float32)

    pre_s, pre_t = draw(W.in_shape, True), draw(W.in_shape, False)
    post_s, post_t = draw(W.out_shape, True), draw(W.out_shape, False)
    _, ltp, dX = lax_vjp(kind, pre_t - tar, K, g["s"], g["pad"], post_s)
    _, ltd, _ = lax_vjp(kind, pre_s, K, g["s"], g["pad"], post_t)
    for name, v in (("preSpike", pre_s), ("preTrace", pre_t), ("postSpike", post_s),
                    ("postTrace", post_t)):
        getattr(W, name).set(v)
    step.run()
    assert_close(W.dWeights.get(), ap * ltp - am * ltd, "dWeights", atol=1e-4)
    assert_close(W.dInputs.get(), dX, "dInputs", atol=1e-4)
    np.testing.assert_array_equal(np.asarray(W.weights.get()), np.asarray(K))  # eta = 0
