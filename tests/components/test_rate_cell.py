"""RateCell: the tutorial circuit, every prior / activation / integrator, stateless mode, knobs,
batched_reset and constructor validation. Expected values are hand-computed from the RateCell
equation (module docstring of ngclab/components/neurons/graded/rateCell.py) unless a comment
names the reference file."""
from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ngclab import Context, MethodProcess
from ngclab.components import RateCell
from ngclab.utils.model_utils import FUNCTION_NAMES, create_function

TUTORIAL = [0.05, 0.15, 0.3, 0.5, 0.75]  # b.z_t = b.z_{t-1} + (1/20) * t for a.j = t


def test_tutorial_circuit_run(tutorial):
    ctx, a, Wab, b, advance, reset = tutorial
    reset.run()
    got = []
    for t in range(1, 6):
        a.j.set(jnp.array([[float(t)]]))
        advance.run(t=float(t), dt=1.)
        got.append(float(b.zF.get()[0, 0]))
    np.testing.assert_allclose(got, TUTORIAL, atol=1e-6)


def test_tutorial_circuit_scan(tutorial):
    ctx, a, Wab, b, advance, reset = tutorial
    reset.run()
    seq = jnp.arange(1., 6.).reshape(5, 1, 1)
    out = advance.scan(5, t0=1., dt=1., clamp={a.j: seq}, record=[b.zF, Wab.outputs])
    np.testing.assert_allclose(np.asarray(out[b.zF.path]).ravel(), TUTORIAL, atol=1e-6)
    np.testing.assert_allclose(np.asarray(out[Wab.outputs.path]).ravel(), [1, 2, 3, 4, 5])
    # run after scan continues from the scanned state: z = 0.75 + 6/20
    a.j.set(jnp.array([[6.]]))
    advance.run(t=6., dt=1.)
    np.testing.assert_allclose(float(b.zF.get()[0, 0]), 1.05, atol=1e-6)


def test_tutorial_circuit_batched(tutorial):
    ctx, a, Wab, b, advance, reset = tutorial
    for comp in (a, Wab, b):
        comp.batched_reset(3)
    reset.run()
    seq = jnp.arange(1., 6.).reshape(5, 1, 1) * jnp.array([1., 2., 0.]).reshape(1, 3, 1)
    out = advance.scan(5, clamp={a.j: seq}, record=[b.zF])
    # each row of the batch follows the tutorial, scaled by its input factor
    np.testing.assert_allclose(np.asarray(out[b.zF.path])[:, :, 0],
                               np.outer(TUTORIAL, [1., 2., 0.]), atol=1e-6)


def test_tutorial_tau_knob_changes_without_recompiling(tutorial):
    ctx, a, Wab, b, advance, reset = tutorial
    reset.run()
    a.j.set(jnp.array([[1.]]))
    advance.run(t=0., dt=1.)
    n = advance.compile_count
    b.tau_m.set(10.)
    advance.run(t=1., dt=1.)
    assert advance.compile_count == n
    np.testing.assert_allclose(float(b.z.get()[0, 0]), 0.05 + 0.1, atol=1e-6)  # + 1/10


def one_cell(**kw):
    kw.setdefault("n_units", 2)
    kw.setdefault("tau_m", 10.)
    with Context("m") as ctx:
        c = RateCell("z", **kw)
    return ctx, c


LEAKS = {"gaussian": lambda z: z, "laplacian": np.sign,
         "cauchy": lambda z: 2 * z / (1 + z * z), "exp": lambda z: 2 * z * np.exp(-z * z)}


@pytest.mark.parametrize("prior", sorted(LEAKS))
@pytest.mark.parametrize("integ", ["euler", "midpoint"])
def test_prior_leaks_and_integrators(prior, integ):
    gamma, tau, dt = 0.3, 4., 0.5
    _, c = one_cell(prior=(prior, gamma), tau_m=tau, integration_type=integ)
    z0 = np.array([[0.7, -1.2]], np.float32)
    j, j_td = np.array([[0.5, 0.25]], np.float32), np.array([[-0.1, 0.2]], np.float32)
    c.z.set(z0)
    c.j.set(j)
    c.j_td.set(j_td)
    c.advance_state(dt=dt)
    f = lambda z: (-LEAKS[prior](z) * gamma + j + j_td) / tau  # identity: f'(z) = 1
    if integ == "euler":
        expect = z0 + dt * f(z0)
    else:  # midpoint: slope at the half step applied to the full step
        expect = z0 + dt * f(z0 + 0.5 * dt * f(z0))
    np.testing.assert_allclose(np.asarray(c.z.get()), expect, atol=1e-6)
    np.testing.assert_allclose(np.asarray(c.zF.get()), expect, atol=1e-6)


def test_rk_aliases():
    _, c1 = one_cell(integration_type="rk2")
    _, c2 = one_cell(integration_type="rk1")
    assert c1.integration_type == "midpoint" and c2.integration_type == "euler"


def test_modulation_resist_scale_output_scale_and_j_writeback():
    _, c = one_cell(act_fx="tanh", resist_scale=2., output_scale=3., tau_m=5.)
    z0 = np.array([[0.4, -0.3]], np.float32)
    j = np.array([[1., 2.]], np.float32)
    c.z.set(z0)
    c.j.set(j)
    c.advance_state(dt=1.)
    jm = 2. * j * (1 - np.tanh(z0) ** 2)  # R j f'(z)
    z1 = z0 + jm / 5.
    np.testing.assert_allclose(np.asarray(c.z.get()), z1, atol=1e-6)
    np.testing.assert_allclose(np.asarray(c.zF.get()), 3. * np.tanh(z1), atol=1e-6)
    # ngc-learn writes the modulated current back into j (reference case RateCell/unclamped_j)
    np.testing.assert_allclose(np.asarray(c.j.get()), jm, atol=1e-6)


def test_wired_j_is_not_written_back():
    with Context("m"):
        src = RateCell("src", 2, 0.)
        c = RateCell("z", 2, 5., act_fx="tanh", resist_scale=2.)
        src.zF >> c.j
        p = MethodProcess("p") >> src.advance_state >> c.advance_state
    src.j.set(jnp.array([[1., 1.]]))
    p.run(t=0., dt=1.)
    np.testing.assert_allclose(np.asarray(c.j.get()), [[1., 1.]])  # reads its source
    np.testing.assert_allclose(np.asarray(c.z.get()), [[2. / 5., 2. / 5.]], atol=1e-6)


@pytest.mark.parametrize("tau_m,is_stateful", [(0., True), (0, True), (7., False)])
def test_stateless(tau_m, is_stateful):
    _, c = one_cell(tau_m=tau_m, is_stateful=is_stateful, act_fx="relu", output_scale=2.)
    assert not c.is_stateful and "tau_m" not in c.knobs
    c.z.set(jnp.array([[5., 5.]]))  # no memory
    c.j.set(jnp.array([[1., -3.]]))
    c.j_td.set(jnp.array([[0.5, 1.]]))
    c.advance_state(dt=1.)
    np.testing.assert_allclose(np.asarray(c.z.get()), [[1.5, -2.]])
    np.testing.assert_allclose(np.asarray(c.zF.get()), [[3., 0.]])
    np.testing.assert_allclose(np.asarray(c.j.get()), [[1., -3.]])  # not modulated


def test_thresholds():
    _, c = one_cell(threshold=("soft_threshold", 0.1), tau_m=1.)
    c.j.set(jnp.array([[0.05, -0.5]]))
    c.advance_state(dt=1.)  # z = j, then sign(z) max(|z| - 0.1, 0)
    np.testing.assert_allclose(np.asarray(c.z.get()), [[0., -0.4]], atol=1e-7)
    _, c = one_cell(threshold=("cauchy_threshold", 0.25), tau_m=1.)
    c.j.set(jnp.array([[1., 0.1]]))
    c.advance_state(dt=1.)  # (z + sqrt(z^2 - lambda)) / 2 for z >= lambda; 0 inside
    np.testing.assert_allclose(np.asarray(c.z.get()), [[(1 + np.sqrt(0.75)) / 2, 0.]], atol=1e-6)
    assert "thr_lmbda" in c.knobs
    assert "thr_lmbda" not in one_cell()[1].knobs


ELEMENTWISE = [n for n in FUNCTION_NAMES if n not in ("softmax", "bkwta")]


@settings(max_examples=25, deadline=None)
@given(act=st.sampled_from(ELEMENTWISE),
       z0=st.lists(st.floats(-3, 3, width=32), min_size=2, max_size=2),
       j=st.lists(st.floats(-3, 3, width=32), min_size=2, max_size=2))
def test_every_elementwise_activation(act, z0, j):
    _, c = one_cell(act_fx=act, tau_m=2.)
    fx, dfx = create_function(act)
    z0, j = np.array([z0], np.float32), np.array([j], np.float32)
    c.z.set(z0)
    c.j.set(j)
    c.advance_state(dt=1.)
    z1 = z0 + j * np.asarray(dfx(jnp.asarray(z0))) / 2.
    np.testing.assert_allclose(np.asarray(c.z.get()), z1, atol=1e-5, rtol=1e-5)
    np.testing.assert_allclose(np.asarray(c.zF.get()), np.asarray(fx(jnp.asarray(z1))),
                               atol=1e-5, rtol=1e-5)


def test_softmax_uses_the_jacobian_vector_product():
    # f' of softmax is a (B, D, D) Jacobian J; the modulated current is j J
    _, c = one_cell(n_units=3, act_fx="softmax", tau_m=1.)
    z0 = np.array([[0.1, 0.5, -0.2]], np.float32)
    s = np.exp(z0) / np.exp(z0).sum()
    J = np.diag(s[0]) - np.outer(s[0], s[0])
    j = np.array([[1., 0., 0.5]], np.float32)
    c.z.set(z0)
    c.j.set(j)
    c.advance_state(dt=1.)
    np.testing.assert_allclose(np.asarray(c.z.get()), z0 + j @ J, atol=1e-6)
    np.testing.assert_allclose(np.asarray(c.zF.get()).sum(), 1., atol=1e-6)


def test_sine_omega_and_bkwta():
    _, c = one_cell(act_fx="sine", omega_0=2., tau_m=1.)
    c.j.set(jnp.array([[0.5, 1.]]))
    c.advance_state(dt=1.)  # z0 = 0: f'(0) = omega_0 = 2, so z = 2 j
    np.testing.assert_allclose(np.asarray(c.z.get()), [[1., 2.]], atol=1e-6)
    np.testing.assert_allclose(np.asarray(c.zF.get()), np.sin(2. * np.array([[1., 2.]])),
                               atol=1e-6)
    _, c = one_cell(n_units=6, act_fx="bkwta", tau_m=0.)
    c.j.set(jnp.array([[6., 1., 5., 2., 4., 3.]]))
    c.advance_state(dt=1.)  # the 5 largest win
    np.testing.assert_array_equal(np.asarray(c.zF.get()), [[1, 0, 1, 1, 1, 1]])


def test_map_shaped_layer():
    _, c = one_cell(n_units=4, shape=(2, 2, 3), batch_size=2, tau_m=2.)
    assert c.z.shape == (2, 2, 2, 3) and c.zF.shape == (2, 2, 2, 3)
    c.j.set(jnp.ones((2, 2, 2, 3)))
    c.advance_state(dt=1.)
    np.testing.assert_allclose(np.asarray(c.zF.get()), 0.5)


def test_reset_and_batched_reset():
    ctx, c = one_cell(tau_m=2.)
    c.j.set(jnp.ones((1, 2)))
    c.advance_state(dt=1.)
    c.reset()
    for comp in (c.j, c.j_td, c.z, c.zF):
        np.testing.assert_array_equal(np.asarray(comp.get()), 0.)
    with ctx:
        p = MethodProcess("p") >> c.advance_state
    c.batched_reset(4)
    assert c.batch_size == 4
    assert all(comp.shape == (4, 2) for comp in (c.j, c.j_td, c.z, c.zF))
    c.j.set(jnp.ones((4, 2)))
    p.run(t=0., dt=1.)
    np.testing.assert_allclose(np.asarray(c.zF.get()), 0.5)


def test_knobs_and_help():
    _, c = one_cell(prior=("laplacian", 0.1))
    assert set(c.knobs) == {"tau_m", "prior_leak", "output_scale", "resist_scale"}
    assert float(c.prior_leak.get()) == pytest.approx(0.1)
    with pytest.raises(ValueError):
        c.tau_m.set(0.)  # a stateful cell needs tau_m > 0
    h = RateCell.help()
    assert set(h) == {"RateCell", "compartments", "dynamics", "hyperparameters"}
    assert set(h["compartments"]["inputs"]) == {"j", "j_td"}
    assert "tau_m" in h["hyperparameters"]


@pytest.mark.parametrize("kw,exc,text", [
    ({"prior": ("student", 0.1)}, ValueError, "laplacian"),
    ({"prior": "gaussian"}, ValueError, "prior"),
    ({"act_fx": "swishy"}, ValueError, "tanh"),
    ({"integration_type": "rk4"}, ValueError, "midpoint"),
    ({"threshold": ("hard", 0.1)}, ValueError, "soft_threshold"),
    ({"threshold": ("soft_threshold", -1.)}, ValueError, "threshold lambda"),
    ({"batch_size": 0}, ValueError, "batch_size"),
    ({"shape": (2, 2)}, ValueError, "shape"),
    ({"tau_m": float("nan")}, TypeError, "tau_m"),
    ({"bogus": 1}, TypeError, "bogus"),
    ({"use_lateral": "yes"}, TypeError, "use_lateral"),
    ({"adaptive_lateral": True}, ValueError, "needs use_lateral"),
])
def test_constructor_validation(kw, exc, text):
    with Context("m") as ctx:
        with pytest.raises(exc, match=text) as info:
            RateCell("z", 2, **{"tau_m": 10., **kw})
    assert "RateCell 'z'" in str(info.value)
    assert "z" not in ctx.components  # nothing half-built
