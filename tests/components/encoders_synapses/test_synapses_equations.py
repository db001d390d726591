"""The synapses in time against their equations, computed by hand (numpy) in each test: the
exponential impulse response, the alpha function's peak at tau, the double exponential's rise
and decay, the reversal potential, and Tsodyks-Markram facilitation and depression along spike
trains. Knobs move between examples without recompiling."""
import jax.numpy as jnp
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ngclab import Context, MethodProcess
from ngclab.components import AlphaSynapse, DoubleExpSynapse, ExponentialSynapse, STPDenseSynapse
from ngclab.utils.distribution_generator import DistributionGenerator as DG
from tests.helpers import assert_close

T = 60


def impulse_circuit():
    """The three kernels on one input line and two outputs, current-based, unit weights."""
    with Context("impulse") as ctx:
        e = ExponentialSynapse("e", (1, 2), tau_decay=5., g_syn_bar=1., syn_rest=None)
        a = AlphaSynapse("a", (1, 2), tau_decay=5., g_syn_bar=1., syn_rest=None)
        d = DoubleExpSynapse("d", (1, 2), tau_decay=5., tau_rise=1., g_syn_bar=1., syn_rest=None)
        adv = MethodProcess("adv") >> e.advance_state >> a.advance_state >> d.advance_state
        rst = MethodProcess("rst") >> e.reset >> a.reset >> d.reset
    return ctx, (e, a, d), adv, rst


CIRCUIT = impulse_circuit()
SPIKE_AT_0 = np.zeros((T, 1, 1), np.float32)
SPIKE_AT_0[0] = 1.


def impulse_response(tau_d, tau_r, g_bar, dt):
    _, (e, a, d), adv, rst = CIRCUIT
    for syn in (e, a, d):
        syn.tau_decay.set(tau_d)
        syn.g_syn_bar.set(g_bar)
    d.tau_rise.set(tau_r)
    rst.run()
    clamp = {s.inputs: jnp.asarray(SPIKE_AT_0) for s in (e, a, d)}
    out = adv.scan(T, dt=dt, clamp=clamp, record=[e.g_syn, a.g_syn, d.g_syn, e.outputs])
    return [np.asarray(out[s.g_syn.path])[:, 0, 0] for s in (e, a, d)], \
        np.asarray(out[e.outputs.path])[:, 0, 0], adv


@settings(max_examples=20, deadline=None)
@given(tau_d=st.floats(2., 20.), ratio=st.floats(0.05, 0.7), g_bar=st.floats(0.1, 3.),
       dt=st.sampled_from([0.1, 0.25, 0.5, 1.]))
def test_impulse_responses_follow_the_kernels(tau_d, ratio, g_bar, dt):
    tau_r = max(tau_d * ratio, 2. * dt)  # Euler steps stay stable (a = 1 - dt/tau in [0, 1))
    (g_exp, g_alpha, g_dexp), i_exp, adv = impulse_response(tau_d, tau_r, g_bar, dt)
    k = np.arange(T)
    a_d, a_r = 1. - dt / tau_d, 1. - dt / tau_r
    # exponential: g_k = g_bar (1 - dt/tau)^k, the Euler steps of dg/dt = -g/tau after a jump
    assert_close(g_exp, g_bar * a_d ** k, "exponential", atol=1e-5)
    assert_close(i_exp, -g_exp, "current-based i = -g")
    # alpha: g_k = g_bar (dt/tau) (k+1) (1 - dt/tau)^k, the discrete (t/tau) e^(-t/tau)
    assert_close(g_alpha, g_bar * (dt / tau_d) * (k + 1) * a_d ** k, "alpha", atol=1e-5)
    # double exponential: g_k = g_bar (a_d^(k+1) - a_r^(k+1)), e^(-t/tau_d) - e^(-t/tau_r)
    assert_close(g_dexp, g_bar * (a_d ** (k + 1) - a_r ** (k + 1)), "double exp", atol=1e-5)
    assert adv.compile_count == 1  # every example moved knobs and dt only


def test_alpha_peaks_at_tau_with_height_g_bar_over_e():
    tau, dt, g_bar = 2., 0.05, 1.5
    (_, g_alpha, _), _, _ = impulse_response(tau, 0.5, g_bar, dt)
    t = (np.arange(T) + 1) * dt  # g_k is the conductance at t = (k + 1) dt after the spike
    peak = t[np.argmax(g_alpha)]
    # the discrete alpha function is largest at t = tau (tied with tau - dt)
    assert np.isclose(peak, tau) or np.isclose(peak, tau - dt)
    assert np.isclose(g_alpha.max(), g_bar / np.e, rtol=2e-2)  # (t/tau) e^(1 - t/tau) / e
    assert np.all(np.diff(g_alpha[t < tau - dt]) > 0) and np.all(np.diff(g_alpha[t > tau]) < 0)


def test_double_exponential_rises_then_decays_with_its_time_constants():
    tau_d, tau_r, dt = 6., 1.5, 0.1
    (_, _, g), _, _ = impulse_response(tau_d, tau_r, 1., dt)
    t = (np.arange(T) + 1) * dt
    # peak of e^(-t/tau_d) - e^(-t/tau_r): t* = tau_d tau_r / (tau_d - tau_r) ln(tau_d / tau_r)
    t_star = tau_d * tau_r / (tau_d - tau_r) * np.log(tau_d / tau_r)
    assert abs(t[np.argmax(g)] - t_star) <= 2 * dt
    assert g.max() < 1.  # the peak stays below g_bar
    # late decay: g_{k+1} / g_k -> 1 - dt/tau_d (the fast term has died out)
    assert np.isclose(g[-1] / g[-2], 1. - dt / tau_d, rtol=1e-2)


def test_conductance_based_current_and_superposition():
    w = np.array([[0.5, 2.], [1., 0.]], np.float32)
    with Context("rev"):
        e = ExponentialSynapse("e", (2, 2), tau_decay=4., g_syn_bar=0.3, syn_rest=-80.,
                               is_nonplastic=False, g_conduct_factor=2.,
                               weight_init=DG.constant(value=0.))
        adv = MethodProcess("adv") >> e.advance_state
    e.weights.set(jnp.asarray(w))
    rng = np.random.default_rng(0)
    s = (rng.uniform(size=(12, 1, 2)) < 0.4).astype(np.float32)
    v = rng.uniform(-70., -50., size=(12, 1, 2)).astype(np.float32)
    out = adv.scan(12, dt=0.5, clamp={e.inputs: jnp.asarray(s), e.v: jnp.asarray(v)},
                   record=[e.g_syn, e.i_syn, e.outputs])
    g = np.zeros((1, 2))
    for k in range(12):  # g <- g (1 - dt/tau) + g_bar (s @ W); i = -2 g (v - E)
        g = g * (1. - 0.5 / 4.) + 0.3 * (s[k] @ w)
        assert_close(out[e.g_syn.path][k], g, f"g step {k}")
        assert_close(out[e.i_syn.path][k], -2. * g * (v[k] + 80.), f"i step {k}", atol=1e-4)
    np.testing.assert_array_equal(out[e.outputs.path], out[e.i_syn.path])
    assert s.sum() > 3


def test_nonplastic_weights_are_one_on_existing_connections():
    with Context("w"):
        a = ExponentialSynapse("a", (6, 5), 5., 1., None, p_conn=0.3, key=2)
        b = ExponentialSynapse("b", (6, 5), 5., 1., None, is_nonplastic=False,
                               weight_init=DG.uniform(0.2, 0.4))
    w = np.asarray(a.weights.get())
    assert set(np.unique(w)) == {0., 1.} and 2 < w.sum() < 18   # ~ 0.3 * 30 connections
    wb = np.asarray(b.weights.get())
    assert wb.min() >= 0.2 and wb.max() < 0.4


def tsodyks_markram(spikes, W, U, tau_f, tau_d, dt, g=1.):
    """Per-connection Tsodyks-Markram recurrences (the module docstring's equations)."""
    u, x, wd = np.zeros_like(W), np.ones_like(W), np.zeros_like(W)
    outs = []
    for s in spikes:
        sp = s[:, None]
        u = u - dt * u / tau_f + U * (1. - u) * sp if tau_f > 0 else U + 0. * u
        wd = W * u * x * sp + wd * (1. - sp)
        x = x + dt * (1. - x) / tau_d - u * x * sp if tau_d > 0 else x
        outs.append((s @ wd) * g)
    return np.asarray(outs)


def stp_pair():
    with Context("stp") as ctx:
        fac = STPDenseSynapse("fac", (2, 3), tau_f=300., tau_d=20., key=1,
                              resources_init=DG.constant(value=0.1), g_conduct_factor=2.)
        dep = STPDenseSynapse("dep", (2, 3), tau_f=20., tau_d=300., key=2,
                              resources_init=DG.uniform(0.5, 0.7))
        adv = MethodProcess("adv") >> fac.advance_state >> dep.advance_state
        rst = MethodProcess("rst") >> fac.reset >> dep.reset
    return ctx, fac, dep, adv, rst


def test_stp_facilitates_and_depresses_successive_responses():
    _, fac, dep, adv, rst = stp_pair()
    dt, period, n = 0.5, 20, 160   # a 100 Hz train on line 0, a 50 Hz train on line 1
    spikes = np.zeros((n, 2), np.float32)
    spikes[::period, 0] = 1.
    spikes[::2 * period, 1] = 1.
    out = adv.scan(n, dt=dt, clamp={fac.inputs: jnp.asarray(spikes[:, None]),
                                    dep.inputs: jnp.asarray(spikes[:, None])},
                   record=[fac.outputs, dep.outputs, fac.u, dep.x])
    for syn, g in ((fac, 2.), (dep, 1.)):
        want = tsodyks_markram(spikes, np.asarray(syn.weights.get()),
                               np.asarray(syn.resources.get()), float(syn.tau_f.get()),
                               float(syn.tau_d.get()), dt, g)
        assert_close(np.asarray(out[syn.outputs.path])[:, 0], want, syn.name, atol=1e-5)
    # responses to line 0 alone (steps where only it spikes): growing, then shrinking trains
    only0 = [k for k in range(n) if spikes[k, 0] and not spikes[k, 1]]
    r_fac = np.asarray(out[fac.outputs.path])[only0, 0, 0]
    r_dep = np.asarray(out[dep.outputs.path])[only0, 0, 0]
    assert np.all(np.diff(r_fac) > 0) and np.all(np.diff(r_dep) < 0)
    assert r_fac[-1] > 1.5 * r_fac[0] and r_dep[-1] < 0.6 * r_dep[0]


def test_stp_time_constants_zero_switch_facilitation_and_depression_off():
    _, fac, dep, adv, rst = stp_pair()
    fac.tau_f.set(0.)   # u = U at every step
    dep.tau_d.set(0.)   # x stays 1
    rst.run()
    spikes = np.tile(np.array([[1., 0.], [0., 0.], [1., 1.]], np.float32), (4, 1))
    out = adv.scan(12, dt=1., clamp={fac.inputs: jnp.asarray(spikes[:, None]),
                                     dep.inputs: jnp.asarray(spikes[:, None])},
                   record=[fac.u, dep.x, fac.outputs, dep.outputs])
    U = np.asarray(fac.resources.get())
    assert_close(np.asarray(out[fac.u.path])[-1, 0], U)
    np.testing.assert_array_equal(np.asarray(out[dep.x.path]), 1.)
    for syn in (fac, dep):
        want = tsodyks_markram(spikes, np.asarray(syn.weights.get()),
                               np.asarray(syn.resources.get()), float(syn.tau_f.get()),
                               float(syn.tau_d.get()), 1., float(syn.g_conduct_factor.get()))
        assert_close(np.asarray(out[syn.outputs.path])[:, 0], want, syn.name)
