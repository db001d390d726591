"""The integrate-and-fire family from its equations: spike times in closed form, the quadratic
cell's threshold and rheobase, winner-take-all, the resonate-and-fire rotation, the spike-response
kernels and their predictions, deprecated argument names."""
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.linalg

from ngclab import Context, MethodProcess
from ngclab.components import LIFSRM, RAFSRM, IFCell, QuadLIFCell, RAFCell, SLIFCell, WTASCell


def spike_steps(out, comp):
    return np.nonzero(np.asarray(out[comp.path])[:, 0, 0])[0]


# -- IFCell ---------------------------------------------------------------------------------
@pytest.mark.parametrize("integration", ["euler", "midpoint"])
def test_if_cell_spike_times_under_a_constant_current(integration):
    # tau_m dv/dt = R j: each step adds R j dt / tau_m = 2 * 3 * 0.5 / 4 = 0.75 mV (both
    # integrators: the slope does not depend on v). From v_rest = -65 the first spike is the
    # first step k with -65 + 0.75 k > -52: k = 18 (step index 17); from v_reset = -60 it takes
    # 11 steps (-60 + 0.75 * 11 = -51.75), after ceil(refract_time / dt) = 3 steps held
    with Context("m"):
        z = IFCell("z", 1, tau_m=4., resist_m=2., refract_time=1.5,
                   integration_type=integration)
        adv = MethodProcess("adv") >> z.advance_state
    z.j.set(jnp.full((1, 1), 3.))
    out = adv.scan(steps=60, dt=0.5, record=[z.s, z.v, z.tols])
    first, isi = 17, 3 + 11
    np.testing.assert_array_equal(spike_steps(out, z.s), first + isi * np.arange(4))
    assert float(np.asarray(out[z.tols.path])[-1, 0, 0]) == pytest.approx((first + 3 * isi) * .5)
    v = np.asarray(out[z.v.path])[:, 0, 0]
    assert v[first] == -60. and v[first + 3] == -60. and v[first + 4] == pytest.approx(-59.25)


def test_if_cell_lower_clamp_and_surrogate():
    # a negative current cannot push v below v_rest (clamp); straight-through surrogate:
    # ds/dj = 1 * R dt / tau_m = 1 * 1 / 4
    with Context("m"):
        z = IFCell("z", 2, tau_m=4.)
        u = IFCell("u", 2, tau_m=4., lower_clamp_voltage=False)
        adv = MethodProcess("adv") >> z.advance_state >> u.advance_state
    z.j.set(jnp.array([[-8., 8.]]))
    u.j.set(jnp.array([[-8., 8.]]))
    adv.run(t=0., dt=1.)
    np.testing.assert_allclose(np.asarray(z.v.get()), [[-65., -63.]])
    np.testing.assert_allclose(np.asarray(u.v.get()), [[-67., -63.]])
    np.testing.assert_allclose(np.asarray(z.surrogate.get()), [[0.25, 0.25]])


# -- SLIFCell -------------------------------------------------------------------------------
def test_slif_cell_hand_computed_step_inhibition_and_sticky_spikes():
    with Context("m"):
        z = SLIFCell("z", 3, tau_m=2., resist_m=2., thr=0.5, resist_inh=0.5, thr_gain=0.1,
                     thr_leak=0.01, refract_time=2., sticky_spikes=True, thr_jitter=0.)
        adv = MethodProcess("adv") >> z.advance_state
        rst = MethodProcess("rst") >> z.reset
    W = np.asarray(z.inh_weights.get())
    assert np.all(np.diag(W) == 0.) and np.all((W[~np.eye(3, dtype=bool)] >= 0.025)
                                                & (W[~np.eye(3, dtype=bool)] <= 1.))
    j = np.array([[1., 0.2, 0.]], np.float32)
    z.j.set(jnp.asarray(j))
    # step 1: i = R j = [2, .4, 0] (no spikes yet); v = dt i / tau_m = [1, .2, 0] (rfr = 2 >= 2)
    adv.run(t=0., dt=1.)
    np.testing.assert_allclose(np.asarray(z.s.get()), [[1., 0., 0.]])
    np.testing.assert_allclose(np.asarray(z.v.get()), [[0., .2, 0.]], atol=1e-6)  # reset to 0
    # thr = 0.5 + 0.1 s - 0.01 * 0.5
    np.testing.assert_allclose(np.asarray(z.thr.get()), [[.595, .495, .495]], atol=1e-6)
    np.testing.assert_allclose(np.asarray(z.rfr.get()), [[1., 3., 3.]])   # dt after a spike
    # surrogate = sech(0.08 i) where i > 0
    np.testing.assert_allclose(np.asarray(z.surrogate.get()),
                               [[1 / math.cosh(.16), 1 / math.cosh(.032), 0.]], rtol=1e-6)
    # step 2: inhibition from the spike of cell 0: i = R j - 0.5 * W[0]; cell 0 is refractory
    # (rfr 1 < 2): its v holds and its spike sticks at 1
    adv.run(t=1., dt=1.)
    i = 2. * j - 0.5 * W[0]
    v1 = .2 + (-.2 + i[0, 1]) / 2.
    np.testing.assert_allclose(np.asarray(z.v.get())[0, 1:], [v1, i[0, 2] / 2.], atol=1e-6)
    assert float(z.s.get()[0, 0]) == 1. and float(z.tols.get()[0, 0]) == 1.
    rst.run()   # thresholds back to threshold0 = thr (no jitter)
    np.testing.assert_allclose(np.asarray(z.thr.get()), 0.5)


def test_slif_sparsity_threshold_rule():
    # rho_b > 0: thr <- max(thr + (sum s - 1) rho_b, 0.025): no spike lowers every threshold
    with Context("m"):
        z = SLIFCell("z", 4, tau_m=1., resist_m=1., thr=0.03, rho_b=0.01, thr_jitter=0.)
        adv = MethodProcess("adv") >> z.advance_state
    adv.run(t=0., dt=1.)
    np.testing.assert_allclose(np.asarray(z.thr.get()), 0.025)   # 0.03 - 0.01, floored
    z.j.set(jnp.ones((1, 4)))   # v = 1 > thr everywhere: 4 spikes -> + 3 * 0.01
    adv.run(t=1., dt=1.)
    np.testing.assert_allclose(np.asarray(z.thr.get()), 0.055, rtol=1e-6)


# -- WTASCell -------------------------------------------------------------------------------
def test_wtas_winner_take_all_and_threshold_rule():
    with Context("m"):
        z = WTASCell("z", 3, tau_m=1., thr_base=0.3, thr_gain=0.05, thr_jitter=0.)
        w = WTASCell("w", 8, tau_m=1., thr_base=0.5, batch_size=4, key=3)
        adv = MethodProcess("adv") >> z.advance_state >> w.advance_state
    # equal inputs: softmax = 1/3 > 0.3 for all: 3 spikes -> thr = 0.3 + (3 - 1) 0.05
    adv.run(t=0., dt=1.)
    np.testing.assert_array_equal(np.asarray(z.s.get()), [[1., 1., 1.]])
    np.testing.assert_allclose(np.asarray(z.thr.get()), 0.4, rtol=1e-6)
    # a clear winner: softmax(10, 0, 0) = (0.99991, 4.5e-5, 4.5e-5): one spike, thr unchanged
    z.j.set(jnp.array([[10., 0., 0.]]))
    adv.run(t=1., dt=1.)
    np.testing.assert_array_equal(np.asarray(z.s.get()), [[1., 0., 0.]])
    np.testing.assert_allclose(np.asarray(z.thr.get()), 0.4, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(z.v.get()), [[10., 0., 0.]])
    # thresholds in (0.45, 0.55): a softmax gives at most one value above 0.5, and at most two
    # above 0.45; with a winner above 0.55 the spike is the argmax
    x = jax.random.normal(jax.random.PRNGKey(0), (4, 8)) * 4.
    x = x.at[:, 2].set(20.)
    w.j.set(x)
    adv.run(t=2., dt=1.)
    np.testing.assert_array_equal(np.asarray(w.s.get()), np.eye(8)[[2, 2, 2, 2]])


# -- QuadLIFCell ----------------------------------------------------------------------------
def test_quadlif_critical_voltage_is_the_threshold_of_the_quadratic_term():
    # tau_m dv/dt = a0 (v - v_rest)(v - v_c), no input, thr far above: just above v_c the
    # voltage runs away (and fires), just below it returns to v_rest = -65
    with Context("m"):
        z = QuadLIFCell("z", 2, tau_m=10., thr=-20., refract_time=0., tau_theta=0.)
        adv = MethodProcess("adv") >> z.advance_state
    z.v.set(jnp.array([[-41.6 + 0.5, -41.6 - 0.5]]))
    out = adv.scan(steps=600, dt=0.1, record=[z.s])
    s = np.asarray(out[z.s.path])[:, 0]
    assert s[:, 0].sum() == 1. and s[:, 1].sum() == 0.   # one spike, then reset to -60 < v_c
    assert float(z.v.get()[0, 1]) == pytest.approx(-65., abs=0.05)
    assert float(z.v.get()[0, 0]) == pytest.approx(-65., abs=0.05)


def test_quadlif_rheobase():
    # a constant drive R j has a resting state while R j <= a0 (v_c - v_rest)^2 / 4
    # = (23.4)^2 / 4 = 136.89: at 0.9 of it v settles at the stable root
    # v* = (v_rest + v_c)/2 - sqrt((v_c - v_rest)^2 / 4 - R j / a0); at 1.1 of it, it fires
    rheo = 23.4 ** 2 / 4.
    with Context("m"):
        z = QuadLIFCell("z", 2, tau_m=10., thr=-20., refract_time=0., tau_theta=0.)
        adv = MethodProcess("adv") >> z.advance_state
    z.j.set(jnp.array([[0.9 * rheo, 1.1 * rheo]]))
    out = adv.scan(steps=1500, dt=0.1, record=[z.s])
    s = np.asarray(out[z.s.path])[:, 0]
    assert s[:, 0].sum() == 0. and s[:, 1].sum() >= 2.
    v_star = (-65. - 41.6) / 2. - math.sqrt(rheo - 0.9 * rheo)
    assert float(z.v.get()[0, 0]) == pytest.approx(v_star, abs=1e-3)


def test_quadlif_adaptive_threshold_and_one_spike():
    with Context("m"):
        z = QuadLIFCell("z", 4, tau_m=1., refract_time=0., tau_theta=10., theta_plus=0.5,
                        one_spike=True, surrogate_type="arctan")
        adv = MethodProcess("adv") >> z.advance_state
    z.j.set(jnp.full((1, 4), 200.))   # v = -65 + 200 > -52 everywhere: 4 raw spikes, 1 kept
    adv.run(t=0., dt=1.)
    assert np.asarray(z.s_raw.get()).sum() == 4. and np.asarray(z.s.get()).sum() == 1.
    np.testing.assert_allclose(np.asarray(z.thr_theta.get()), 0.5)     # every raw spike adapts
    np.testing.assert_allclose(np.asarray(z.v_thr.get()), -51.5)
    # arctan surrogate at v = 135 (before reset), v_thr = -52: (1/pi) / (1 + (0.1 pi 187)^2) R dt/tau
    want = (1. / math.pi) / (1. + (187. * math.pi * 0.1) ** 2)
    np.testing.assert_allclose(np.asarray(z.surrogate.get()), want, rtol=1e-5)


# -- RAFCell --------------------------------------------------------------------------------
@pytest.mark.parametrize("omega,dt", [(10., 0.01), (4., 0.05)])
def test_raf_cell_rotation_angle_and_resonance_frequency(omega, dt):
    # b = 0, tau_v = tau_w = 1, no input: w first, then v (symplectic Euler) is a linear map of
    # trace 2 - (omega dt)^2 and determinant 1, so from (v, w) = (0, 1):
    # v_k = v_1 sin(k theta) / sin(theta), theta = arccos(1 - (omega dt)^2 / 2), v_1 = omega dt
    with Context("m"):
        z = RAFCell("z", 1, thr=1e6, omega=omega, dampen_factor=0., w0=1.)
        adv = MethodProcess("adv") >> z.advance_state
    T = 400
    v = np.asarray(adv.scan(steps=T, dt=dt, record=[z.v])[z.v.path])[:, 0, 0]
    theta = math.acos(1. - (omega * dt) ** 2 / 2.)
    k = np.arange(1, T + 1)
    np.testing.assert_allclose(v, omega * dt * np.sin(k * theta) / math.sin(theta), atol=2e-5)
    # the continuous limit: omega / (2 pi tau) cycles per ms
    assert theta / dt == pytest.approx(omega, rel=(omega * dt) ** 2 / 20.)


def test_raf_cell_resonates_with_pulses_at_its_own_frequency():
    # b = -0.1: pulses every natural period (2 pi / omega = 0.628 ms) pile up; the same number
    # of pulses at 1.5 times that period partly cancel
    def peak(period_steps):
        with Context("m"):
            z = RAFCell("z", 1, thr=1e6, omega=10., dampen_factor=-0.1)
            adv = MethodProcess("adv") >> z.advance_state
        pulses = np.zeros((300, 1, 1), np.float32)
        pulses[:8 * period_steps:period_steps] = 50.
        v = adv.scan(steps=300, dt=0.01, clamp={z.j: pulses}, record=[z.v])[z.v.path]
        return float(np.max(np.abs(np.asarray(v))))
    assert peak(63) > 2.5 * peak(94)


# -- LIFSRM ---------------------------------------------------------------------------------
def test_lifsrm_spike_times_from_its_kernels():
    # after a spike (or from rest) the input kernel restarts: m steps later
    # v = v_rest + (dt/tau) j (1 - q^m) / (1 - q) + [spiked] (v_reset - v_rest) q^m, q = e^{-dt/tau}
    tau, dt, j = 10., 1., 20.
    q = math.exp(-dt / tau)
    expected, last = [], None
    m = 0
    for step in range(60):
        m += 1
        v = -65. + dt / tau * j * (1 - q ** m) / (1 - q) + \
            (0. if last is None else -60. + 65.) * q ** m
        if v > -52.:
            expected.append(step)
            last, m = step, 0
    with Context("m"):
        z = LIFSRM("z", 1, tau_m=tau)
        adv = MethodProcess("adv") >> z.advance_state
    z.current_j.set(jnp.full((1, 1), j))
    out = adv.scan(steps=60, dt=dt, record=[z.s, z.t_last_spike])
    assert len(expected) >= 4
    np.testing.assert_array_equal(spike_steps(out, z.s), expected)
    assert float(z.t_last_spike.get()[0, 0]) == expected[-1] * dt


def test_lifsrm_predicts_its_next_spike():
    # with the current held, u relaxes to j: from the reset, the crossing of thr - v_rest = 13 is
    # at tau ln((j - 5) / (j - 13)) = 10 ln(15 / 7) = 7.621 ms after the spike; the SRM run at
    # dt = 0.01 fires there (its discrete drive is j (1 + O(dt / tau)))
    with Context("m"):
        z = LIFSRM("z", 2, tau_m=10.)
        adv = MethodProcess("adv") >> z.advance_state
        pred = MethodProcess("pred") >> z.predict_next_spike
    z.current_j.set(jnp.array([[20., 12.]]))   # 12 < 13: never fires
    dt = 0.01
    out = np.asarray(adv.scan(steps=3000, dt=dt, record=[z.s])[z.s.path])[:, 0]
    spikes = np.nonzero(out[:, 0])[0] * dt
    assert out[:, 1].sum() == 0. and len(spikes) >= 2
    isi = 10. * math.log(15. / 7.)
    assert spikes[1] - spikes[0] == pytest.approx(isi, abs=0.02)
    # predict from the state right after the first spike
    with Context("m2"):
        y = LIFSRM("y", 2, tau_m=10.)
        adv2 = MethodProcess("adv") >> y.advance_state
        pred2 = MethodProcess("pred") >> y.predict_next_spike
    y.current_j.set(jnp.array([[20., 12.]]))
    first = int(np.nonzero(out[:, 0])[0][0])
    adv2.scan(steps=first + 1, dt=dt)
    pred2.run(t_start=first * dt)
    got = np.asarray(y.next_spike_t.get())[0]
    assert got[0] == pytest.approx(first * dt + isi, abs=1e-3) and got[1] == -1.
    assert got[0] == pytest.approx(spikes[1], abs=0.02)
    pred.run(t_start=0.)   # a cell above threshold now is predicted to fire now
    z.j_lowpass.set(jnp.array([[20., 0.]]))
    pred.run(t_start=0.)
    assert float(z.next_spike_t.get()[0, 0]) == 0.


# -- RAFSRM ---------------------------------------------------------------------------------
def _raf_matrix(tau_v, tau_w, omega, b):
    return np.array([[b / tau_v, omega / tau_v], [-omega / tau_w, b / tau_w]])


def test_rafsrm_kernel_is_the_matrix_exponential():
    # one input pulse j at t = 0 kicks w by j dt / tau_w; then (v, w)(t) = expm(A t) (0, kick)
    # (scipy's expm, by Pade approximation in float64: an independent computation)
    tau_v, tau_w, omega, b, dt = 2., 1.5, 6., -0.5, 0.05
    with Context("m"):
        z = RAFSRM("z", 1, tau_v=tau_v, tau_w=tau_w, omega=omega, dampen_factor=b, thr=1e6)
        adv = MethodProcess("adv") >> z.advance_state
    pulse = np.zeros((60, 1, 1), np.float32)
    pulse[0] = 3.
    out = adv.scan(steps=60, dt=dt, clamp={z.current_j: pulse}, record=[z.v, z.j_w])
    A = _raf_matrix(tau_v, tau_w, omega, b)
    kick = np.array([0., 3. * dt / tau_w])
    want = np.array([scipy.linalg.expm(A * k * dt) @ kick
                     for k in range(60)])
    np.testing.assert_allclose(np.asarray(out[z.v.path])[:, 0, 0], want[:, 0], atol=1e-5)
    np.testing.assert_allclose(np.asarray(out[z.j_w.path])[1:, 0, 0], want[1:, 1], atol=1e-5)


def test_rafsrm_reset_response_and_restart():
    # a spike at t = 0 (a huge pulse), then no input: the input response restarts at 0 and
    # v(t) is the first row of expm(A t) (v_reset, w_reset)
    tau_v, tau_w, omega, b, dt = 1., 1., 10., -1., 0.02
    with Context("m"):
        z = RAFSRM("z", 1, thr=0.5, v_reset=-0.2, w_reset=0.3)
        adv = MethodProcess("adv") >> z.advance_state
    # first step: the kick is in w, v = 0 (no spike); step 2 spikes
    pulse = np.zeros((40, 1, 1), np.float32)
    pulse[0] = 1e4
    out = adv.scan(steps=40, dt=dt, clamp={z.current_j: pulse}, record=[z.v, z.s, z.j_v])
    s = np.asarray(out[z.s.path])[:, 0, 0]
    k0 = int(np.nonzero(s)[0][0])
    assert s.sum() == 1. and np.asarray(out[z.j_v.path])[k0, 0, 0] == 0.
    A = _raf_matrix(tau_v, tau_w, omega, b)
    for k in range(k0 + 1, 40):
        want = scipy.linalg.expm(A * (k - k0) * dt) @ [-0.2, 0.3]
        assert float(np.asarray(out[z.v.path])[k, 0, 0]) == pytest.approx(want[0], abs=1e-5)


def test_rafsrm_predicts_the_first_threshold_crossing():
    # the present current held: the state rings around the fixed point -A^-1 (0, j / tau_w);
    # the predicted time matches the first crossing of the SRM stepped at dt = 0.001
    with Context("m"):
        z = RAFSRM("z", 2, thr=0.08, omega=10., dampen_factor=-1.)
        adv = MethodProcess("adv") >> z.advance_state
        pred = MethodProcess("pred") >> z.predict_next_spike
    z.current_j.set(jnp.array([[1., 0.1]]))   # v* = omega j / det A = 10 j / 101
    pred.run(t_start=0.)
    got = np.asarray(z.next_spike_t.get())[0]
    dt = 0.001
    s = np.asarray(adv.scan(steps=800, dt=dt, record=[z.s])[z.s.path])[:, 0]
    first = np.nonzero(s[:, 0])[0][0] * dt
    assert got[0] == pytest.approx(first, abs=2 * dt)
    # j = 0.1: the oscillation around v* = 0.0099 peaks at about 2 v* < thr: never
    assert s[:, 1].sum() == 0. and got[1] == -1.


# -- deprecated names -----------------------------------------------------------------------
@pytest.mark.parametrize("cls,old,new,base", [
    (WTASCell, "thrBase", "thr_base", dict(tau_m=1.)),
    (QuadLIFCell, "critical_V", "critical_v", dict(tau_m=10.)),
    (RAFCell, "resist_m", "resist_v", {}),
    (RAFCell, "tau_m", "tau_v", {}),
    (RAFCell, "b", "dampen_factor", {}),
])
def test_deprecated_argument_names(cls, old, new, base):
    with Context("m"):
        with pytest.warns(DeprecationWarning, match=rf"'{old}' is deprecated, use '{new}'"):
            z = cls("z", 2, **base, **{old: 0.7})
    if new == "thr_base":
        assert z.thr_base == pytest.approx(0.7)
    else:
        assert float(getattr(z, new).get()) == pytest.approx(0.7)


@pytest.mark.parametrize("cls,base", [(IFCell, dict(tau_m=1.)), (QuadLIFCell, dict(tau_m=1.))])
def test_thr_jitter_is_accepted_and_ignored(cls, base):
    with Context("m") as ctx:
        with pytest.warns(DeprecationWarning, match="'thr_jitter' is deprecated and has no"):
            cls("z", 2, thr_jitter=0.1, **base)
    assert list(ctx.components) == ["z"]
