"""Behaviour of the conv cables on the ngclab core: construction checks, shape errors, the
optimizers and constraints on hand-computed values, knobs, reset, scan, save/load, help."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from ngclab import Context, MethodProcess, WiringError
from ngclab.components.synapses.convolution import (
    ConvSynapse,
    DeconvSynapse,
    HebbianConvSynapse,
    HebbianDeconvSynapse,
    StaticConvSynapse,
    StaticDeconvSynapse,
    TraceSTDPConvSynapse,
    TraceSTDPDeconvSynapse,
)
from ngclab.utils.distribution_generator import DistributionGenerator as DG
from tests.components.synapses.convolution.conv_helpers import lax_vjp
from tests.helpers import assert_close

ALL = [ConvSynapse, DeconvSynapse, StaticConvSynapse, StaticDeconvSynapse, HebbianConvSynapse,
       HebbianDeconvSynapse, TraceSTDPConvSynapse, TraceSTDPDeconvSynapse]
STDP_ARGS = {"A_plus": 1., "A_minus": 0.5}


def make(cls, name="W", shape=(3, 3, 2, 4), x_shape=(6, 6), **kw):
    if cls in (TraceSTDPConvSynapse, TraceSTDPDeconvSynapse):
        kw = {**STDP_ARGS, **kw}
    return cls(name, shape, x_shape, **kw)


def const(v):
    return DG.constant(v)


# -- construction ------------------------------------------------------------------------------
@pytest.mark.parametrize("cls", ALL)
def test_every_class_builds_and_runs(cls):
    with Context("m") as ctx:
        W = make(cls, padding="SAME", stride=2, batch_size=3)
        methods = [W.advance_state] + ([W.evolve, W.backtransmit] if hasattr(W, "evolve")
                                       else [])
        proc = MethodProcess("p")
        for m in methods:
            proc >> m
        MethodProcess("r") >> W.reset
    assert W.weights.get().shape == (3, 3, 2, 4)
    assert W.biases.get().shape == (1, 1, 1, 4)
    m = 3 if cls.__name__.find("Deconv") < 0 else 12  # conv: ceil(6/2); deconv: 6*2
    assert W.in_shape == (3, 6, 6, 2) and W.out_shape == (3, m, m, 4)
    W.inputs.set(jnp.ones(W.in_shape))
    proc.run(t=0., dt=1.)
    assert W.outputs.get().shape == (3, m, m, 4)
    assert np.all(np.isfinite(np.asarray(W.outputs.get())))
    ctx.processes["r"].run()
    assert np.all(np.asarray(W.inputs.get()) == 0.)
    info = cls.help()
    assert set(info) == {cls.__name__, "compartments", "dynamics", "hyperparameters"}
    assert "shape" in info["hyperparameters"] and "x_shape" in info["hyperparameters"]


@pytest.mark.parametrize("cls", ALL)
@pytest.mark.parametrize("kw,match", [
    ({"padding": "FULL"}, r"padding 'FULL'; valid: SAME, VALID"),
    ({"x_shape": (6, 5)}, r"square, got x_shape \(6, 5\)"),
    ({"shape": (3, 2, 2, 4)}, r"filters must be square"),
    ({"shape": (3, 3, 2)}, r"shape must be \(k, k, n_in_channels, n_out_channels\)"),
    ({"stride": 0}, r"stride must be an integer >= 1, got 0"),
    ({"stride": -2}, r"stride must be an integer >= 1, got -2"),
    ({"batch_size": 0}, r"batch_size must be a positive integer"),
    ({"x_shape": (0, 0)}, r"x_shape\[0\] must be an integer >= 1"),
    ({"filter_init": ("bogus", 1)}, r"filter_init"),
])
def test_bad_constructor_arguments_raise_and_leave_nothing(cls, kw, match):
    with Context("m") as ctx:
        with pytest.raises(ValueError, match=match) as err:
            make(cls, **kw)
        assert cls.__name__ in str(err.value) and "'W'" in str(err.value)
        assert "W" not in ctx.components and not ctx.state


@pytest.mark.parametrize("cls", [ConvSynapse, StaticConvSynapse, HebbianConvSynapse,
                                 TraceSTDPConvSynapse])
def test_valid_conv_kernel_larger_than_input_is_refused(cls):
    with Context("m") as ctx:
        with pytest.raises(ValueError, match=r"5x5 filter does not fit a 4x4 input map"):
            make(cls, shape=(5, 5, 1, 2), x_shape=(4, 4), padding="VALID")
        make(cls, shape=(5, 5, 1, 2), x_shape=(4, 4), padding="SAME")  # SAME pads: fine
        assert list(ctx.components) == ["W"]


@pytest.mark.parametrize("cls", [HebbianConvSynapse, HebbianDeconvSynapse])
def test_unknown_optimizer_lists_valid_ones(cls):
    with Context("m") as ctx:
        with pytest.raises(ValueError, match=r"unknown optim_type 'rmsprop'; valid: sgd, adam"):
            make(cls, optim_type="rmsprop")
        with pytest.raises(ValueError, match=r"w_decay must be >= 0"):
            make(cls, w_decay=-0.1)
        with pytest.raises(TypeError, match=r"is_nonnegative must be True or False"):
            make(cls, is_nonnegative="yes")
        with pytest.raises(TypeError, match=r"unexpected keyword argument\(s\) \['etaa'\]"):
            make(cls, etaa=0.1)
        assert not ctx.components


def test_padding_none_means_valid_and_names_are_case_insensitive():
    with Context("m"):
        a = make(ConvSynapse, "a", padding=None)
        b = make(ConvSynapse, "b", padding="valid")
    assert a.padding == b.padding == "VALID" and a.out_shape == (1, 4, 4, 4)


def test_resist_scale_and_its_ngclearn_323_alias():
    with Context("m"):
        a = make(StaticConvSynapse, "a", resist_scale=2.5)
        b = make(StaticConvSynapse, "b", g_conduct_factor=2.5)
        with pytest.raises(TypeError, match="not both"):
            make(StaticConvSynapse, "c", resist_scale=2., g_conduct_factor=3.)
    assert float(a.resist_scale.get()) == float(b.resist_scale.get()) == 2.5
    assert b.g_conduct_factor is b.resist_scale


# -- shape errors ------------------------------------------------------------------------------
def test_setting_a_wrong_map_names_component_and_shapes():
    with Context("m"):
        W = make(HebbianConvSynapse, shape=(3, 3, 2, 4), x_shape=(6, 6), batch_size=2)
    with pytest.raises(ValueError, match=r"m/W:inputs: cannot set a value of shape "
                                         r"\(2, 6, 6, 3\) into a compartment of shape "
                                         r"\(2, 6, 6, 2\)"):
        W.inputs.set(jnp.zeros((2, 6, 6, 3)))
    with pytest.raises(ValueError, match=r"m/W:post: cannot set .*\(2, 5, 5, 4\).*"
                                         r"\(2, 4, 4, 4\)"):
        W.post.set(jnp.zeros((2, 5, 5, 4)))


@pytest.mark.parametrize("src_shape,what", [((2, 6, 6, 1), "channel"), ((2, 5, 5, 2), "size"),
                                             ((2, 6, 6), "rank")])
def test_wiring_a_mismatched_map_is_refused(src_shape, what):
    # the core would broadcast a 1-channel map into 2 channels; a conv input refuses it
    from ngclab.core import Compartment, Component

    class Src(Component):
        def __init__(self, name, shape, **kw):
            super().__init__(name, **kw)
            self.out = Compartment(jnp.zeros(shape), kind="output")

    with Context("m") as ctx:
        src = Src("src", src_shape)
        W = make(HebbianConvSynapse, shape=(3, 3, 2, 4), x_shape=(6, 6), batch_size=2)
        with pytest.raises(WiringError, match=r"HebbianConvSynapse 'W': cannot wire m/src:out "
                                              r"of shape .* into m/W:inputs of shape "
                                              r"\(2, 6, 6, 2\)") as err:
            src.out >> W.inputs
        assert "(batch, 6, 6, 2)" in str(err.value)
        with pytest.raises(WiringError, match=r"m/W:pre of shape \(2, 6, 6, 2\)"):
            W.pre << src.out
        assert not ctx.wires()


def test_a_batch_of_one_broadcasts_through_a_wire():
    from ngclab.core import Compartment, Component

    class Src(Component):
        def __init__(self, name, **kw):
            super().__init__(name, **kw)
            self.out = Compartment(jnp.ones((1, 6, 6, 2)), kind="output")

    with Context("m"):
        src = Src("src")
        W = make(StaticConvSynapse, batch_size=3, padding="SAME")
        src.out >> W.inputs
        p = MethodProcess("p") >> W.advance_state
    p.run()
    y = np.asarray(W.outputs.get())
    assert y.shape == (3, 6, 6, 4) and np.allclose(y[0], y[2])


# -- the Hebbian rule on hand-computed values ---------------------------------------------------
def one_by_one(cls=HebbianConvSynapse, w0=0.5, **kw):
    """A 1x1 conv (1 -> 1 channel) on 2x2 maps: dK = sum(pre * post), dX = K * post."""
    with Context("m") as ctx:
        W = cls("W", (1, 1, 1, 1), (2, 2), filter_init=const(w0), padding="VALID", **kw)
        p = MethodProcess("p") >> W.advance_state >> W.evolve >> W.backtransmit
    return ctx, W, p


PRE = jnp.array([1., 2., 3., 4.]).reshape(1, 2, 2, 1)
POST = jnp.array([1., -1., 0.5, 2.]).reshape(1, 2, 2, 1)
HEBB = 1. - 2. + 1.5 + 8.  # sum(pre * post) = 8.5


def feed(W, pre=PRE, post=POST):
    W.inputs.set(pre)
    W.pre.set(pre)
    W.post.set(post)


def test_sgd_step_hand_computed():
    ctx, W, p = one_by_one(eta=0.1, sign_value=-1., bias_init=const(0.2))
    feed(W)
    p.run()
    # dW = sign * sum(pre*post) = -8.5; sgd subtracts: 0.5 - 0.1 * (-8.5) = 1.35
    assert float(W.dWeights.get().ravel()[0]) == pytest.approx(-HEBB)
    assert float(W.weights.get().ravel()[0]) == pytest.approx(0.5 + 0.1 * HEBB)
    # db = sign * sum(post) = -2.5; b = 0.2 + 0.1 * 2.5 = 0.45
    assert float(W.dBiases.get().ravel()[0]) == pytest.approx(-2.5)
    assert float(W.biases.get().ravel()[0]) == pytest.approx(0.45)
    # outputs used the old filter and bias: 0.5 * pre + 0.2
    assert_close(W.outputs.get(), 0.5 * PRE + 0.2)
    # dInputs = sign * K_new * post (1x1 kernel)
    assert_close(W.dInputs.get(), -1.35 * POST, atol=1e-5)


def test_adam_step_hand_computed():
    ctx, W, p = one_by_one(eta=0.01, optim_type="adam")
    feed(W)
    p.run()
    # first adam step: m_hat = g, v_hat = g^2, so W -= eta * g / (|g| + eps) = eta * sign(g)
    assert float(W.weights.get().ravel()[0]) == pytest.approx(0.5 - 0.01, abs=1e-6)
    m, v, t = W.opt_state()
    assert float(t) == 1. and float(m[0].ravel()[0]) == pytest.approx(0.1 * HEBB)
    assert float(v[0].ravel()[0]) == pytest.approx(0.001 * HEBB ** 2, rel=1e-5)
    assert W.opt_params.get().shape == (3,)  # m, v of the 1x1 filter and t


def test_w_bound_is_nonnegative_and_w_decay():
    ctx, W, p = one_by_one(eta=1., w_bound=0.8)
    feed(W)
    p.run()  # 0.5 - 8.5 = -8 -> clipped to -0.8
    assert float(W.weights.get().ravel()[0]) == pytest.approx(-0.8)
    ctx, W, p = one_by_one(eta=1., w_bound=0.8, is_nonnegative=True)
    feed(W)
    p.run()  # clipped to [0, 0.8]
    assert float(W.weights.get().ravel()[0]) == 0.
    # is_nonnegative alone (ngc-learn 3.2.3 ignores it without w_bound): W >= 0
    ctx, W, p = one_by_one(eta=1., is_nonnegative=True)
    feed(W)
    p.run()
    assert float(W.weights.get().ravel()[0]) == 0.
    ctx, W, p = one_by_one(eta=1., sign_value=-1.)
    feed(W)
    p.run()  # no constraint: 0.5 + 8.5 = 9
    assert float(W.weights.get().ravel()[0]) == pytest.approx(9.)
    # w_decay: dW = sign * 8.5 - w_decay * W = -8.5 - 0.5 * 0.5
    ctx, W, p = one_by_one(eta=0.1, sign_value=-1., w_decay=0.5)
    feed(W)
    p.run()
    assert float(W.dWeights.get().ravel()[0]) == pytest.approx(-HEBB - 0.25)
    assert float(W.weights.get().ravel()[0]) == pytest.approx(0.5 + 0.1 * (HEBB + 0.25))


def test_resist_scale_scales_outputs_not_updates():
    ctx, W, p = one_by_one(eta=0., resist_scale=3.)
    feed(W)
    p.run()
    assert_close(W.outputs.get(), 1.5 * PRE)
    assert float(W.dWeights.get().ravel()[0]) == pytest.approx(HEBB)
    assert_close(W.dInputs.get(), 0.5 * POST)


def test_knobs_move_without_recompiling():
    ctx, W, p = one_by_one(eta=0.1, sign_value=-1.)
    feed(W)
    p.run()
    n = p.compile_count
    W.eta.set(0.)
    p.run()
    w = float(W.weights.get().ravel()[0])
    p.run()
    assert float(W.weights.get().ravel()[0]) == w  # eta 0: no change
    W.eta.set(0.2)
    W.sign_value.set(1.)
    p.run()
    assert float(W.weights.get().ravel()[0]) == pytest.approx(w - 0.2 * HEBB)
    assert p.compile_count == n


def test_reset_zeroes_unwired_maps_only():
    with Context("m"):
        A = make(StaticConvSynapse, "A", shape=(1, 1, 2, 2), padding="SAME", batch_size=2)
        W = make(HebbianConvSynapse, shape=(3, 3, 2, 4), padding="SAME", batch_size=2)
        A.outputs >> W.pre
        r = MethodProcess("r") >> W.reset
    A.inputs.set(jnp.ones(A.in_shape))
    A.advance_state()
    for c in (W.inputs, W.post):
        c.set(jnp.ones(c.default.shape))
    r.run()
    assert float(jnp.abs(W.inputs.get()).sum()) == 0. and float(jnp.abs(W.post.get()).sum()) == 0.
    assert float(W.pre.get().sum()) > 0.  # wired: reads A.outputs, untouched


def test_scan_equals_run_and_save_load_round_trips(tmp_path):
    def build(name):
        with Context(name) as ctx:
            W = make(HebbianDeconvSynapse, shape=(2, 2, 2, 3), x_shape=(3, 3), eta=0.01,
                     padding="SAME", stride=2, batch_size=2, optim_type="adam",
                     bias_init=const(0.1), key=jax.random.PRNGKey(3))
            p = MethodProcess("p") >> W.advance_state >> W.evolve >> W.backtransmit
        return ctx, W, p

    rs = np.random.RandomState(0)
    xs = rs.normal(size=(4, 2, 3, 3, 2)).astype(np.float32)
    posts = rs.normal(size=(4, 2, 6, 6, 3)).astype(np.float32)
    ctx1, W1, p1 = build("a")
    for t in range(4):
        W1.inputs.set(xs[t])
        W1.pre.set(xs[t])
        W1.post.set(posts[t])
        p1.run(t=float(t), dt=1.)
    ctx2, W2, p2 = build("b")
    out = p2.scan(4, clamp={W2.inputs: xs, W2.pre: xs, W2.post: posts}, record=[W2.dInputs])
    assert_close(W2.weights.get(), W1.weights.get(), atol=1e-6)
    assert_close(W2.biases.get(), W1.biases.get(), atol=1e-6)
    assert_close(W2.opt_params.get(), W1.opt_params.get(), atol=1e-6)
    assert_close(out[W2.dInputs.path][-1], W1.dInputs.get(), atol=1e-5)
    ctx1.save(str(tmp_path / "s"))
    ctx3, W3, p3 = build("a")
    ctx3.load(str(tmp_path / "s"))
    np.testing.assert_array_equal(np.asarray(W3.opt_params.get()), np.asarray(W1.opt_params.get()))
    np.testing.assert_array_equal(np.asarray(W3.weights.get()), np.asarray(W1.weights.get()))


def test_graph_and_code_describe_a_conv_model():
    with Context("m") as ctx:
        make(HebbianConvSynapse, padding="SAME", stride=2, optim_type="adam")
    g = ctx.graph()
    node = next(n for n in g["components"] if n["name"] == "W")
    assert node["class"] == "HebbianConvSynapse"
    assert {"inputs", "pre", "post", "weights", "biases", "dWeights", "dBiases", "dInputs",
            "opt_params", "eta", "key"} <= {p["name"] for p in node["compartments"]}
    assert node["inputs"] == ["inputs", "pre", "post"]
    assert node["group"] == "synapses/convolution"
    code = ctx.to_code()
    assert "HebbianConvSynapse(" in code and "'SAME'" in code


# -- trace STDP on hand-computed values ---------------------------------------------------------
def test_trace_stdp_hand_computed():
    with Context("m"):
        W = TraceSTDPConvSynapse("W", (1, 1, 1, 1), (2, 2), A_plus=1., A_minus=0.5, eta=0.1,
                                 pretrace_target=0.1, filter_init=const(0.5), padding="VALID",
                                 w_decay=0.01)
        p = MethodProcess("p") >> W.evolve >> W.backtransmit
    pre_s = jnp.array([1., 0., 0., 1.]).reshape(1, 2, 2, 1)
    pre_t = jnp.array([1., 0.5, 0., 0.8]).reshape(1, 2, 2, 1)
    post_s = jnp.array([0., 1., 0., 1.]).reshape(1, 2, 2, 1)
    post_t = jnp.array([0.2, 1., 0.3, 0.6]).reshape(1, 2, 2, 1)
    for c, v in ((W.preSpike, pre_s), (W.preTrace, pre_t), (W.postSpike, post_s),
                 (W.postTrace, post_t)):
        c.set(v)
    p.run()
    # LTP = A+ * sum((z_pre - 0.1) * s_post) = (0.5 - 0.1) + (0.8 - 0.1) = 1.1
    # LTD = A- * sum(s_pre * z_post) = 0.5 * (0.2 + 0.6) = 0.4 ; dW = 0.7
    assert float(W.dWeights.get().ravel()[0]) == pytest.approx(0.7)
    # K = 0.5 + 0.1 * 0.7 - 0.01 * 0.5 = 0.565
    assert float(W.weights.get().ravel()[0]) == pytest.approx(0.565)
    assert_close(W.dInputs.get(), 0.565 * post_s)  # 1x1 kernel: K * postSpike


def test_trace_stdp_bound_clips_inside_margin():
    with Context("m"):
        W = TraceSTDPDeconvSynapse("W", (1, 1, 1, 1), (2, 2), A_plus=1., A_minus=0., eta=10.,
                                   filter_init=const(0.5), w_bound=1.)
        p = MethodProcess("p") >> W.evolve
    W.preTrace.set(jnp.ones(W.in_shape))
    W.postSpike.set(jnp.ones(W.out_shape))
    p.run()  # 0.5 + 10 * 4 -> clipped to w_bound - 0.01
    assert float(W.weights.get().ravel()[0]) == pytest.approx(0.99)
    W.A_plus.set(-1.)
    p.run()  # -> clipped to 0.01
    assert float(W.weights.get().ravel()[0]) == pytest.approx(0.01)


def test_hebbian_deconv_gradient_descent_reduces_a_loss():
    # with sign_value = 1 and post = dL/dy of L = 0.5 |y - target|^2, dWeights is the vjp dL/dK
    # and the optimizer subtracts it: gradient descent, the loss goes down (sign -1 climbs it)
    rs = np.random.RandomState(1)
    with Context("m"):
        W = make(HebbianDeconvSynapse, shape=(3, 3, 2, 1), x_shape=(4, 4), eta=0.005,
                 sign_value=1., padding="SAME", stride=2, batch_size=2, bias_init=const(0.))
        p = MethodProcess("p") >> W.advance_state
        e = MethodProcess("e") >> W.evolve
    x = jnp.asarray(rs.uniform(size=W.in_shape).astype(np.float32))
    target = jnp.asarray(rs.uniform(size=W.out_shape).astype(np.float32))
    W.inputs.set(x)
    W.pre.set(x)
    losses = []
    for _ in range(15):
        p.run()
        err = W.outputs.get() - target
        losses.append(float(0.5 * jnp.sum(err ** 2)))
        W.post.set(err)
        e.run()
    assert all(b < a for a, b in zip(losses, losses[1:])) and losses[-1] < 0.5 * losses[0]
    _, dK, _ = lax_vjp("deconv", x, W.weights.get(), 2, "SAME", err)
    W.post.set(err)
    e.run()
    assert_close(W.dWeights.get(), dK, "dWeights = dL/dK", atol=1e-4)
