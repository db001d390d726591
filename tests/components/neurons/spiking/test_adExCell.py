"""AdExCell from its equations (Brette & Gerstner 2005, in ngc-learn's units):

    tau_m v' = -(v - v_rest) + D exp((v - v_T)/D) - R w + R j,   tau_w w' = a (v - v_rest) - w,
    v > thr: v <- v_reset, w <- w + b

(defaults tau_m = 15, R = 1, tau_w = 400, D = 2, v_T = -55, thr = 5, v_rest = -72,
v_reset = -75, a = 0.1, b = 0.75). Spike-frequency adaptation, one step and a spike by hand."""
import jax.numpy as jnp
import numpy as np
import pytest

from tests.components.neurons.spiking.zoo_helpers import build


def spike_times(j, steps=4000, dt=0.1, **kwargs):
    _, z, adv, rst = build("AdExCell", 1, ctx_name="adex", **kwargs)
    rst.run()
    out = adv.scan(steps=steps, dt=dt, clamp={z.j: jnp.full((1, 1), j)}, record=[z.s, z.w])
    s = np.asarray(out[z.s.path])[:, 0, 0]
    return np.nonzero(s)[0] * dt, np.asarray(out[z.w.path])[:, 0, 0]


def test_inter_spike_intervals_grow_under_a_step_current():
    # each spike adds b to w, which subtracts R w from the drive: the intervals lengthen
    # (w decays only with tau_w = 400 ms, slower than the intervals)
    t, w = spike_times(40., b=5.)
    isi = np.diff(t)
    assert len(isi) >= 5
    assert np.all(np.diff(isi[:5]) > 0.) and isi[-1] > 1.5 * isi[0]
    # w jumps by b at each spike and has grown overall
    k = int(round(t[0] / 0.1))
    assert w[k] - w[k - 1] == pytest.approx(5., abs=0.01) and w[-1] > 5.


def test_without_adaptation_the_intervals_are_regular():
    # a = b = 0 and w0 = 0: w stays 0, the cell is an exponential IF neuron and, after the first
    # interval from v0, fires periodically (intervals equal to the step)
    t, w = spike_times(40., a=0., b=0.)
    isi = np.diff(t)
    assert len(isi) >= 5 and np.all(w == 0.)
    assert isi[1:].max() - isi[1:].min() < 0.1 + 1e-6


def test_one_step_by_hand():
    # v = -70, w = 0, j = 20, dt = 0.5: tau_m dv/dt = -(-70 + 72) + 2 exp(-15/2) + 20,
    # tau_w dw/dt = 0.1 (-70 + 72) - 0
    _, z, adv, _ = build("AdExCell", 1)
    z.j.set(jnp.full((1, 1), 20.))
    adv.run(t=0., dt=0.5)
    dv = (-2. + 2. * np.exp(-7.5) + 20.) / 15.
    assert float(z.v.get()[0, 0]) == pytest.approx(-70. + 0.5 * dv, abs=1e-5)
    assert float(z.w.get()[0, 0]) == pytest.approx(0.5 * 0.2 / 400., rel=1e-5)


def test_a_spike_resets_v_and_adds_b_to_w():
    # v = -40 with j = 100: the exponential term 2 exp(7.5) = 3616 takes v far above thr = 5
    # in one step of 0.5 ms; v <- v_reset, w <- w(t + dt) + b
    _, z, adv, _ = build("AdExCell", 2, b=0.75)
    z.v.set(jnp.asarray([[-40., -70.]]))
    z.w.set(jnp.asarray([[1., 1.]]))
    z.j.set(jnp.full((1, 2), 100.))
    adv.run(t=4., dt=0.5)
    w_next = 1. + 0.5 * (0.1 * (-40. + 72.) - 1.) / 400.
    assert np.asarray(z.s.get()).tolist() == [[1., 0.]]
    assert float(z.v.get()[0, 0]) == -75.
    assert float(z.w.get()[0, 0]) == pytest.approx(w_next + 0.75, rel=1e-6)
    assert np.asarray(z.tols.get()).tolist() == [[4., 0.]]


def test_adaptation_knobs_apply_without_recompiling():
    _, z, adv, rst = build("AdExCell", 1)
    clamp = {z.j: jnp.full((1, 1), 40.)}
    rst.run()
    few = np.asarray(adv.scan(steps=3000, dt=0.1, clamp=clamp, record=[z.s])[z.s.path]).sum()
    n = adv.compile_count
    rst.run()
    z.b.set(0.)
    z.a.set(0.)
    many = np.asarray(adv.scan(steps=3000, dt=0.1, clamp=clamp, record=[z.s])[z.s.path]).sum()
    assert adv.compile_count == n and many > few > 0
