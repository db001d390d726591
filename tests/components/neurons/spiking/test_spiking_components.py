"""Spiking parts on the ngclab core: hand-computed dynamics, encoder statistics, construction
checks, the (height, width, channels) shape extension, knobs and reset."""
import jax.numpy as jnp
import numpy as np
import pytest

from ngclab import Context, MethodProcess
from ngclab.components.input_encoders import BernoulliCell, PoissonCell
from ngclab.components.neurons.spiking import LIFCell
from ngclab.components.other import VarTrace


def test_lif_hand_computed_step_spike_and_refractory_period():
    with Context("m"):
        z = LIFCell("z", 1, tau_m=10., refract_time=2., tau_theta=0.)
        adv = MethodProcess("adv") >> z.advance_state
    z.j.set(jnp.array([[50.]]))
    # step 1 (euler): v = -65 + (0 + 50) / 10 = -60 < -52: no spike; rfr = 2 (initial
    # refract_time) + 1 = 3
    adv.run(t=0., dt=1.)
    assert float(z.v.get()[0, 0]) == pytest.approx(-60.)
    assert float(z.s.get()[0, 0]) == 0. and float(z.rfr.get()[0, 0]) == 3.
    # step 2: v = -60 + ((-65 + 60) + 50) / 10 = -55.5; step 3: -55.5 + (-9.5 + 50)/10 = -51.45
    adv.run(t=1., dt=1.)
    adv.run(t=2., dt=1.)
    assert float(z.s.get()[0, 0]) == 1.  # -51.45 > -52: spike, v -> v_reset, rfr -> 0
    assert float(z.v.get()[0, 0]) == pytest.approx(-60.)
    assert float(z.rfr.get()[0, 0]) == 0. and float(z.tols.get()[0, 0]) == 2.
    # refractory (rfr 0 then 1 < 2): the current is ignored, v leaks: -60 + (-5)/10 = -60.5
    adv.run(t=3., dt=1.)
    assert float(z.v.get()[0, 0]) == pytest.approx(-60.5)
    adv.run(t=4., dt=1.)
    assert float(z.v.get()[0, 0]) == pytest.approx(-60.5 + (-4.5) / 10.)
    adv.run(t=5., dt=1.)  # rfr = 2 >= 2: the current is back: v += (-65 - v + 50) / 10
    v4 = -60.5 + (-4.5) / 10.
    assert float(z.v.get()[0, 0]) == pytest.approx(v4 + (-65. - v4 + 50.) / 10., abs=1e-4)


def test_lif_threshold_adaptation_hand_computed():
    with Context("m"):
        z = LIFCell("z", 1, tau_m=1., tau_theta=10., theta_plus=0.5, refract_time=0.)
        adv = MethodProcess("adv") >> z.advance_state
    z.j.set(jnp.array([[100.]]))  # v = -65 + 100 = 35 > -52: spike at once
    adv.run(t=0., dt=1.)
    assert float(z.s.get()[0, 0]) == 1. and float(z.thr_theta.get()[0, 0]) == pytest.approx(0.5)
    assert float(z.v_thr.get()[0, 0]) == pytest.approx(-51.5)
    z.j.set(jnp.array([[0.]]))
    adv.run(t=1., dt=1.)  # no spike: theta decays by exp(-1/10)
    assert float(z.thr_theta.get()[0, 0]) == pytest.approx(0.5 * np.exp(-0.1), rel=1e-6)


def test_lif_batch_and_map_shape_extensions():
    with Context("m"):
        z = LIFCell("z", 0 + 1, tau_m=2., batch_size=3, shape=(4, 4, 2), one_spike=True)
        adv = MethodProcess("adv") >> z.advance_state
        r = MethodProcess("r") >> z.reset
    assert z.v.get().shape == (3, 4, 4, 2)
    z.j.set(jnp.full((3, 4, 4, 2), 100.))
    adv.run(t=0., dt=1.)
    # every cell crossed threshold, one spike per sample is kept
    assert np.all(np.asarray(z.s_raw.get()) == 1.)
    assert np.asarray(z.s.get()).reshape(3, -1).sum(axis=1).tolist() == [1., 1., 1.]
    r.run()
    assert np.all(np.asarray(z.v.get()) == -65.) and np.all(np.asarray(z.j.get()) == 0.)


def test_lif_knobs_do_not_recompile():
    with Context("m"):
        z = LIFCell("z", 2, tau_m=10.)
        adv = MethodProcess("adv") >> z.advance_state
    z.j.set(jnp.full((1, 2), 20.))
    adv.run(t=0., dt=1.)
    n = adv.compile_count
    z.tau_m.set(5.)
    z.thr.set(-60.)
    z.refract_time.set(1.)
    adv.run(t=1., dt=1.)
    assert adv.compile_count == n


@pytest.mark.parametrize("kw,match", [
    ({"tau_m": 0.}, r"tau_m must be >"),
    ({"resist_m": -1.}, r"resist_m must be >"),
    ({"integration_type": "rk9"}, r"unknown integration_type 'rk9'; valid: euler"),
    ({"surrogate_type": "sigmoid"},
     r"unknown surrogate_type 'sigmoid'; valid: straight_through, arctan"),
    ({"batch_size": 0}, r"batch_size must be a positive integer"),
    ({"one_spike": 1}, r"one_spike must be True or False"),
    ({"tau_theta": -1.}, r"tau_theta must be >= 0"),
    ({"shape": (4, 4)}, r"shape must be None or \(height, width, channels\)"),
    ({"bogus": 1}, r"unexpected keyword argument"),
])
def test_lif_bad_arguments(kw, match):
    with Context("m") as ctx:
        with pytest.raises((ValueError, TypeError), match=match) as err:
            LIFCell("z", 3, **{"tau_m": 10., **kw})
        assert "LIFCell 'z'" in str(err.value)
        assert not ctx.components


def test_vartrace_hand_computed():
    with Context("m"):
        g = VarTrace("g", 1, tau_tr=10., a_delta=0.)       # gated: snaps to P_scale = 1
        a = VarTrace("a", 1, tau_tr=10., a_delta=0.3)      # additive
        adv = MethodProcess("adv") >> g.advance_state >> a.advance_state
    for x in (1., 0., 1.):
        g.inputs.set(jnp.array([[x]]))
        a.inputs.set(jnp.array([[x]]))
        adv.run(t=0., dt=1.)
    d = np.exp(-0.1)
    assert float(g.trace.get()[0, 0]) == pytest.approx(1.)            # snapped again at step 3
    assert float(a.trace.get()[0, 0]) == pytest.approx(0.3 * d * d + 0.3, rel=1e-6)


@pytest.mark.parametrize("kw,match", [
    ({"decay_type": "cubic"}, r"unknown decay_type 'cubic'; valid: exp, lin, step"),
    ({"tau_tr": 0.}, r"tau_tr must be >"),
    ({"n_nearest_spikes": -1}, r"n_nearest_spikes must be an integer >= 0"),
])
def test_vartrace_bad_arguments(kw, match):
    with Context("m") as ctx:
        with pytest.raises(ValueError, match=match):
            VarTrace("tr", 3, **{"tau_tr": 5., "a_delta": 0., **kw})
        assert not ctx.components


def test_bernoulli_statistics_and_tols():
    # mean spike rate over many units and steps estimates p (std of the mean ~ 0.0025 here)
    with Context("m"):
        e = BernoulliCell("e", 4000, key=3)
        adv = MethodProcess("adv") >> e.advance_state
    p = jnp.concatenate([jnp.full((1, 2000), 0.2), jnp.full((1, 2000), 0.7)], axis=1)
    e.inputs.set(p)
    out = adv.scan(10, record=[e.outputs, e.tols])
    s = np.asarray(out[e.outputs.path])
    assert abs(s[:, 0, :2000].mean() - 0.2) < 0.015 and abs(s[:, 0, 2000:].mean() - 0.7) < 0.015
    tols = np.asarray(out[e.tols.path])[-1, 0]
    last = np.where(s[:, 0].any(axis=0), 9 - np.argmax(s[::-1, 0], axis=0), 0)
    np.testing.assert_array_equal(tols, last.astype(np.float32))  # time of last spike (t = i)


def test_poisson_rate_statistics():
    # rate: inputs * target_freq spikes per second; 1000 steps of 1 ms, 500 units at 0.5 * 80 Hz
    # -> expected 0.04 spikes per unit per step
    with Context("m"):
        e = PoissonCell("e", 500, target_freq=80., key=4)
        adv = MethodProcess("adv") >> e.advance_state
    e.inputs.set(jnp.full((1, 500), 0.5))
    out = adv.scan(1000, dt=1., record=[e.outputs])
    rate = float(np.asarray(out[e.outputs.path]).mean())
    assert abs(rate - 0.04) < 0.003
    e.target_freq.set(0.)
    assert float(np.asarray(adv.scan(20, record=[e.outputs])[e.outputs.path]).sum()) == 0.


def test_poisson_max_freq_alias_and_bad_rate():
    with Context("m") as ctx:
        with pytest.warns(DeprecationWarning, match="max_freq"):
            e = PoissonCell("e", 3, max_freq=42.)
        assert float(e.target_freq.get()) == 42.
        with pytest.raises(ValueError, match=r"PoissonCell 'f': target_freq must be >= 0"):
            PoissonCell("f", 3, target_freq=-1.)
        assert list(ctx.components) == ["e"]


def test_encoders_reset_and_map_shape():
    with Context("m"):
        e = PoissonCell("e", 1, shape=(5, 5, 1), batch_size=2, target_freq=1000.)
        b = BernoulliCell("b", 1, shape=(5, 5, 1), batch_size=2)
        adv = MethodProcess("adv") >> e.advance_state >> b.advance_state
        r = MethodProcess("r") >> e.reset >> b.reset
    e.inputs.set(jnp.ones((2, 5, 5, 1)))
    b.inputs.set(jnp.ones((2, 5, 5, 1)))
    adv.run(t=3., dt=1.)
    assert np.all(np.asarray(e.outputs.get()) == 1.) and np.all(np.asarray(b.outputs.get()) == 1.)
    assert np.all(np.asarray(b.tols.get()) == 3.)
    r.run()
    for c in (e.inputs, e.outputs, e.tols, b.inputs, b.outputs, b.tols):
        assert float(jnp.abs(c.get()).sum()) == 0.


def test_help_layouts():
    for cls in (LIFCell, VarTrace, BernoulliCell, PoissonCell):
        info = cls.help()
        assert set(info) == {cls.__name__, "compartments", "dynamics", "hyperparameters"}
        assert "n_units" in info["hyperparameters"]
