"""DenseSynapse, StaticSynapse, HebbianSynapse and BCMSynapse. Expected values are hand-computed
from the equations in each module docstring (and, for optimizer steps, from
ngclab.utils.optim, itself checked against ngc-learn); ngc-learn numbers: test_reference.py."""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from ngclab import Context, MethodProcess
from ngclab.components import BCMSynapse, DenseSynapse, HebbianSynapse, StaticSynapse
from ngclab.utils.distribution_generator import DistributionGenerator as DG
from ngclab.utils.optim import get_opt_init_fn, get_opt_step_fn

W0 = np.array([[0.5, -0.2], [0.1, 0.4], [-0.3, 0.8]], np.float32)
X = np.array([[1., 2., -1.], [0.5, 0., 1.]], np.float32)


def make(cls, ctx_name="m", **kw):
    kw.setdefault("shape", (3, 2))
    kw.setdefault("batch_size", 2)
    with Context(ctx_name) as ctx:
        s = cls("W", **kw)
    return ctx, s


def set_weights(s, w=W0):
    s.weights.set(jnp.asarray(w))


@pytest.mark.parametrize("cls", [DenseSynapse, StaticSynapse])
def test_dense_transform(cls):
    _, s = make(cls, bias_init=DG.constant(value=0.25), g_conduct_factor=2.)
    set_weights(s)
    gate = np.array([[1., 0.5], [0., 1.]], np.float32)
    s.inputs.set(X)
    s.gate.set(gate)
    s.advance_state()
    np.testing.assert_allclose(np.asarray(s.outputs.get()), (X @ W0) * gate * 2. + 0.25,
                               atol=1e-6)
    np.testing.assert_allclose(np.asarray(s.delayed_inputs.get()), X)
    s.g_conduct_factor.set(1.)
    assert s.resist_scale is s.g_conduct_factor  # ngc-learn's former name
    s.advance_state()
    np.testing.assert_allclose(np.asarray(s.outputs.get()), (X @ W0) * gate + 0.25, atol=1e-6)


def test_default_init_mask_and_no_bias():
    _, s = make(DenseSynapse, key=3)
    w = np.asarray(s.weights.get())
    # default: uniform in [0.025, 0.8), drawn with the second of split(key, 4)
    expect = DG.uniform(0.025, 0.8)((3, 2), jax.random.split(jax.random.PRNGKey(3), 4)[1])
    np.testing.assert_allclose(w, np.asarray(expect))
    np.testing.assert_array_equal(np.asarray(s.biases.get()), np.zeros((1, 2)))
    mask = np.array([[1., 0.], [1., 1.], [0., 1.]], np.float32)
    _, s = make(DenseSynapse, mask=mask)
    set_weights(s)
    s.inputs.set(X)
    s.advance_state()
    np.testing.assert_allclose(np.asarray(s.outputs.get()), X @ (W0 * mask), atol=1e-6)


def test_p_conn_mask_persists_through_learning():
    _, s = make(HebbianSynapse, shape=(6, 5), p_conn=0.5, eta=0.1, sign_value=-1., w_bound=0.,
                key=1, batch_size=1)
    w0 = np.asarray(s.weights.get())
    conn = np.asarray(s.mask.get())
    assert set(np.unique(conn)) == {0., 1.}
    np.testing.assert_array_equal(w0 == 0, conn == 0)  # absent connections have W = 0
    s.pre.set(jnp.ones((1, 6)))
    s.post.set(jnp.ones((1, 5)))
    s.evolve(dt=1.)
    w1 = np.asarray(s.weights.get())
    np.testing.assert_array_equal(w1[conn == 0], 0.)  # they stay absent
    np.testing.assert_allclose(w1[conn == 1], w0[conn == 1] + 0.1, atol=1e-6)


def test_axonal_delays():
    _, s = make(DenseSynapse, shape=(4, 1), max_delay_steps=3, batch_size=1, key=0,
                weight_init=DG.constant(value=1.))
    d = np.asarray(s.syn_delay_indices)
    assert d.shape == (4,) and d.min() >= 0 and d.max() <= 2
    with s.context:
        p = MethodProcess("p") >> s.advance_state
    seen = []
    for t in range(6):
        s.inputs.set(jnp.full((1, 4), float(t + 1)))
        p.run(t=float(t), dt=1.)
        seen.append(np.asarray(s.delayed_inputs.get())[0])
    # line i reads buffer slot d_i: the input of 3 - d_i steps ago (0 before the queue fills)
    for t, row in enumerate(seen):
        expect = [t + 1 - (3 - di) if t - (3 - di) >= 0 else 0. for di in d]
        np.testing.assert_allclose(row, expect)
    np.testing.assert_allclose(float(s.outputs.get()[0, 0]), seen[-1].sum())


def test_stochastic_release_is_seeded_bernoulli():
    _, s = make(DenseSynapse, shape=(200, 1), p_release_mean=0.3, batch_size=1, key=4,
                weight_init=DG.constant(value=1.))
    pr = np.asarray(s.p_release)
    assert pr.shape == (1, 200) and pr.min() >= 0.2 - 1e-6 and pr.max() <= 0.4 + 1e-6
    key0 = s.key.get()
    s.inputs.set(jnp.ones((1, 200)))
    s.advance_state()
    k1, sub = jax.random.split(key0)
    released = np.asarray(jax.random.uniform(sub, (1, 200)) < pr, np.float32)
    np.testing.assert_array_equal(np.asarray(s.delayed_inputs.get()), released)
    assert 0.15 < released.mean() < 0.45
    np.testing.assert_array_equal(np.asarray(s.key.get()), np.asarray(k1))


def hebb(**kw):
    kw.setdefault("eta", 0.1)
    ctx, s = make(HebbianSynapse, **kw)
    set_weights(s)
    pre = np.array([[1., 0., 0.5], [0., 1., 1.]], np.float32)
    post = np.array([[0.2, -0.4], [1., 0.5]], np.float32)
    s.pre.set(pre)
    s.post.set(post)
    return ctx, s, pre, post


def test_hebbian_sgd_update_with_weights_bound_prior_bias():
    _, s, pre, post = hebb(w_bound=2., prior=("l1", 0.01), sign_value=-1., pre_wght=0.5,
                           post_wght=2., bias_init=DG.constant(value=0.))
    s.evolve(dt=1.)
    dW = (0.5 * pre).T @ (2. * post) * (2. - np.abs(W0)) - 0.01 * np.sign(W0)
    db = (2. * post).sum(0, keepdims=True)
    np.testing.assert_allclose(np.asarray(s.dWeights.get()), -dW, atol=1e-6)
    np.testing.assert_allclose(np.asarray(s.dBiases.get()), -db, atol=1e-6)
    # sgd subtracts eta * update, sign_value = -1 makes it climb
    np.testing.assert_allclose(np.asarray(s.weights.get()), np.clip(W0 + 0.1 * dW, -2, 2),
                               atol=1e-6)
    np.testing.assert_allclose(np.asarray(s.biases.get()), 0.1 * db, atol=1e-6)
    np.testing.assert_allclose(np.asarray(s.opt_params.get()), [1.])  # sgd step count


@pytest.mark.parametrize("prior,reg", [
    (("l2", 0.1), lambda W: -0.1 * W), (("ridge", 0.1), lambda W: -0.1 * W),
    (("gaussian", 0.1), lambda W: -0.1 * W), (("lasso", 0.1), lambda W: -0.1 * np.sign(W)),
    (("l1l2", (0.1, 0.25)), lambda W: 0.1 * (-0.25 * np.sign(W) - 0.75 * W / 2)),
    (("elastic_net", (0.2, 1.)), lambda W: -0.2 * np.sign(W)),
    (("constant", 0.), lambda W: 0. * W), ((None, 0.), lambda W: 0. * W)])
def test_hebbian_priors(prior, reg):
    _, s, pre, post = hebb(w_bound=0., prior=prior)
    s.calc_update()
    np.testing.assert_allclose(np.asarray(s.dWeights.get()), pre.T @ post + reg(W0), atol=1e-6)
    np.testing.assert_allclose(np.asarray(s.weights.get()), W0)  # calc_update does not apply


def test_w_decay_means_l2_prior():
    _, s, pre, post = hebb(w_bound=0., w_decay=0.05)
    assert s.prior_type == "ridge" and float(s.prior_lmbda.get()) == pytest.approx(0.05)
    s.calc_update()
    np.testing.assert_allclose(np.asarray(s.dWeights.get()), pre.T @ post - 0.05 * W0, atol=1e-6)


def test_nonnegative_constraints():
    _, s, pre, post = hebb(w_bound=0.45, is_nonnegative=True, eta=1.)
    s.evolve(dt=1.)
    w = np.asarray(s.weights.get())
    assert w.min() >= 0. and w.max() <= 0.45
    # without a bound, is_nonnegative still keeps W >= 0 (ngc-learn ignores it there)
    _, s, pre, post = hebb(w_bound=0., is_nonnegative=True, eta=1.)
    s.evolve(dt=1.)
    expect = np.maximum(W0 - (pre.T @ post), 0.)
    np.testing.assert_allclose(np.asarray(s.weights.get()), expect, atol=1e-6)


def test_hebbian_adam_matches_the_optimizer_and_round_trips(tmp_path):
    ctx, s, pre, post = hebb(optim_type="adam", eta=0.01, w_bound=0.,
                             bias_init=DG.constant(value=0.1))
    with ctx:
        p = MethodProcess("learn") >> s.evolve
    params = [jnp.asarray(W0), jnp.full((1, 2), 0.1)]
    state = get_opt_init_fn("adam")(params)
    step = get_opt_step_fn("adam", eta=0.01)
    for _ in range(3):
        p.run(t=0., dt=1.)
        upd = [jnp.asarray(pre.T @ post), jnp.asarray(post.sum(0, keepdims=True))]
        state, params = step(state, params, upd)
    np.testing.assert_allclose(np.asarray(s.weights.get()), np.asarray(params[0]), atol=1e-6)
    np.testing.assert_allclose(np.asarray(s.biases.get()), np.asarray(params[1]), atol=1e-6)
    m, v, t = s.opt_state()
    assert float(t) == 3.
    np.testing.assert_allclose(np.asarray(m[0]), np.asarray(state[0][0]), atol=1e-7)
    np.testing.assert_allclose(np.asarray(v[1]), np.asarray(state[1][1]), atol=1e-9)
    assert s.opt_params.shape == (2 * (6 + 2) + 1,)
    # the statistics are in the state: save/load and snapshot/restore carry them
    ctx.save(str(tmp_path / "model"))
    saved_w = np.asarray(s.weights.get())
    saved_opt = np.asarray(s.opt_params.get())
    snap = ctx.snapshot()
    p.run(t=0., dt=1.)
    assert not np.allclose(np.asarray(s.opt_params.get()), saved_opt)
    ctx.load(str(tmp_path / "model"))
    np.testing.assert_array_equal(np.asarray(s.opt_params.get()), saved_opt)
    np.testing.assert_array_equal(np.asarray(s.weights.get()), saved_w)
    p.run(t=0., dt=1.)
    after_load = np.asarray(s.weights.get())
    ctx.restore(snap)
    p.run(t=0., dt=1.)
    np.testing.assert_array_equal(np.asarray(s.weights.get()), after_load)


def test_hebbian_eta_knob_without_recompiling():
    ctx, s, pre, post = hebb(w_bound=0.)
    with ctx:
        p = MethodProcess("learn") >> s.evolve
    p.run(t=0., dt=1.)
    n = p.compile_count
    s.eta.set(0.)
    w = np.asarray(s.weights.get())
    p.run(t=0., dt=1.)
    assert p.compile_count == n
    np.testing.assert_array_equal(np.asarray(s.weights.get()), w)


def test_hebbian_reset_and_batched_reset():
    ctx, s, pre, post = hebb()
    s.inputs.set(X)
    s.advance_state()
    s.evolve(dt=1.)
    s.reset()
    for c in (s.inputs, s.outputs, s.pre, s.post, s.dWeights, s.dBiases):
        np.testing.assert_array_equal(np.asarray(c.get()), 0.)
    s.batched_reset(4)
    assert s.pre.shape == (4, 3) and s.post.shape == (4, 2) and s.outputs.shape == (4, 2)
    assert s.gate.shape == (4, 2) and s.weights.shape == (3, 2)
    s.inputs.set(jnp.ones((4, 3)))
    s.advance_state()
    assert s.outputs.shape == (4, 2)


def test_bcm_update():
    _, s = make(BCMSynapse, tau_w=4., tau_theta=2., theta0=0.5, w_bound=1., w_decay=0.1)
    set_weights(s)
    x = np.array([[1., 0., 0.5], [0.2, 1., 0.]], np.float32)
    y = np.array([[0.6, 0.2], [1., 0.4]], np.float32)
    s.pre.set(x)
    s.post.set(y)
    s.evolve(t=0., dt=0.5)
    theta = 0.5
    post_term = y * (y - theta) / (theta + 1e-7)
    dW = (x.T @ post_term) * (1. - np.abs(W0)) - 0.1 * W0
    np.testing.assert_allclose(np.asarray(s.post_term.get()), post_term, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(s.dWeights.get()), dW, atol=1e-6)
    np.testing.assert_allclose(np.asarray(s.weights.get()), W0 + dW * 0.5 / 4., atol=1e-6)
    theta1 = theta + (np.mean(y ** 2, axis=0, keepdims=True) - theta) * 0.5 / 2.
    np.testing.assert_allclose(np.asarray(s.theta.get()), np.broadcast_to(theta1, (2, 2)),
                               atol=1e-6)
    s.reset()  # theta is slow: reset keeps it (ngc-learn's reset itself crashes)
    np.testing.assert_allclose(np.asarray(s.theta.get()), np.broadcast_to(theta1, (2, 2)),
                               atol=1e-6)
    np.testing.assert_array_equal(np.asarray(s.post_term.get()), 0.)
    s.batched_reset(3)
    np.testing.assert_allclose(np.asarray(s.theta.get()), np.broadcast_to(theta1, (3, 2)),
                               atol=1e-6)
    assert set(s.knobs) == {"tau_w", "tau_theta", "w_decay", "g_conduct_factor"}


def test_bcm_p_conn_sparsifies():
    # ngc-learn 3.2.3 passes p_conn into p_release_mean (and then fails); here it masks W
    _, s = make(BCMSynapse, shape=(8, 8), tau_w=1., tau_theta=1., p_conn=0.3, key=2)
    w = np.asarray(s.weights.get())
    assert 0 < (w == 0).mean() < 1 and float(s.p_release_mean) == 1.


def test_help_and_exports():
    for cls in (DenseSynapse, StaticSynapse, HebbianSynapse, BCMSynapse):
        info = cls.help()
        assert set(info) >= {cls.__name__, "compartments", "dynamics", "hyperparameters"}
        assert "weights" in info["compartments"]["states"]
    assert "opt_params" in HebbianSynapse.help()["compartments"]["states"]
    assert "theta" in BCMSynapse.help()["compartments"]["states"]


@pytest.mark.parametrize("cls,kw,text", [
    (DenseSynapse, {"shape": (3,)}, "shape"),
    (DenseSynapse, {"weight_init": ("nope", 1)}, "weight_init"),
    (DenseSynapse, {"mask": np.ones((2, 2))}, "mask"),
    (DenseSynapse, {"max_delay_steps": -1}, "max_delay_steps"),
    (DenseSynapse, {"typo": 1}, "typo"),
    (DenseSynapse, {"mask": "x"}, "mask"),
    (DenseSynapse, {"p_conn": 0.}, "p_conn"),
    (StaticSynapse, {"p_conn": 1.5}, "p_conn"),
    (DenseSynapse, {"p_release_mean": -0.2}, "p_release_mean"),
    (HebbianSynapse, {"is_nonnegative": "yes"}, "is_nonnegative"),
    (HebbianSynapse, {"w_decay": -1.}, "w_decay"),
    (BCMSynapse, {"tau_w": 1., "tau_theta": 1., "w_decay": -0.5}, "w_decay"),
    (HebbianSynapse, {"optim_type": "rmsprop"}, "adam"),
    (HebbianSynapse, {"prior": ("l3", 0.1)}, "lasso"),
    (HebbianSynapse, {"prior": ("elastic_net", 0.1)}, "l1_ratio"),
    (BCMSynapse, {"tau_w": 0., "tau_theta": 1.}, "tau_w"),
])
def test_constructor_validation(cls, kw, text):
    with Context("m") as ctx:
        with pytest.raises((ValueError, TypeError), match=text) as info:
            cls("W", **{"shape": (3, 2), **kw})
    assert f"{cls.__name__} 'W'" in str(info.value)
    assert not ctx.components  # nothing half-built


def test_failing_initializer_leaves_nothing_behind():
    def broken(shape, key):
        raise RuntimeError("boom")
    with Context("m") as ctx:
        with pytest.raises(RuntimeError, match="boom"):
            HebbianSynapse("W", (2, 2), weight_init=broken)
        HebbianSynapse("W", (2, 2))  # the name is free again
    assert list(ctx.components) == ["W"]


def test_deprecated_resist_scale_is_recorded_as_g_conduct_factor():
    with Context("m") as ctx:
        with pytest.warns(DeprecationWarning, match="g_conduct_factor"):
            h = HebbianSynapse("h", (2, 2), resist_scale=2.)
        with pytest.warns(DeprecationWarning, match="g_conduct_factor"):
            BCMSynapse("b", (2, 2), 1., 1., resist_scale=3.)
    assert float(h.g_conduct_factor.get()) == 2.
    code = ctx.to_code()
    assert "resist_scale" not in code and "g_conduct_factor=3.0" in code
