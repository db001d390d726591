"""The encoders and ExpKernel against their equations, computed by hand (numpy) in each test:
latency and time-to-first-spike times from the input intensities, the phasor's phase, the
ganglion cells' filters and patches, and the exponential kernel over its window."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from ngclab import Context, MethodProcess
from ngclab.components import ExpKernel, LatencyCell, PhasorCell, RetinalGanglionCell, TTFSCell
from tests.helpers import assert_close

X = np.array([[1., 0.8, 0.5, 0.3, 0.05, 0.]], np.float32)


def first_spike_steps(outputs: np.ndarray) -> np.ndarray:
    """Step of each unit's first spike (-1: none), and no unit fires twice."""
    assert np.all(outputs.sum(axis=0) <= 1.)
    fired = outputs.sum(axis=0) > 0
    return np.where(fired, np.argmax(outputs, axis=0), -1)


def test_linear_latency_times_from_the_intensity():
    tau, thr, t0, T = 10., 0.2, 2., 16
    with Context("lat"):
        c = LatencyCell("c", 6, tau=tau, threshold=thr, first_spike_time=t0, linearize=True,
                        clip_spikes=True)
        calc = MethodProcess("calc") >> c.calc_spike_times
        adv = MethodProcess("adv") >> c.advance_state
    c.inputs.set(jnp.asarray(X))
    calc.run()
    # t_s = t0 + min(tau (1 - x), tau (1 - thr)): 2, 4, 7, 9, then 10 for x < thr
    t_s = t0 + np.minimum(tau * (1. - X), tau * (1. - thr))
    assert_close(c.targ_sp_times.get(), t_s)
    out = adv.scan(T, t0=0., dt=1., record=[c.outputs, c.tols])
    s = np.asarray(out[c.outputs.path])[:, 0]
    # a unit spikes at the first step t with round(t_s) <= t; clip_spikes drops x < thr
    want = np.where(X[0] >= thr, np.round(t_s[0]), -1)
    np.testing.assert_array_equal(first_spike_steps(s), want)
    # tols follows the unit's spike time even where clip_spikes drops it (as ngc-learn)
    assert_close(np.asarray(out[c.tols.path])[-1, 0], np.round(t_s[0]))
    np.testing.assert_array_equal(np.asarray(c.clip_mask.get())[0], (X[0] < thr) * 1.)


def test_normalized_log_latency_ends_at_the_last_step():
    tau, thr, T = 3., 0.1, 20
    with Context("log"):
        c = LatencyCell("c", 6, tau=tau, threshold=thr, normalize=True, num_steps=T)
        calc = MethodProcess("calc") >> c.calc_spike_times
        adv = MethodProcess("adv") >> c.advance_state
    c.inputs.set(jnp.asarray(X))
    calc.run()
    f32 = np.float32   # the floored x sits 1e-7 above thr: evaluate as the float32 state does
    xe = np.maximum(X, f32(thr) + f32(1e-7))
    delay = f32(tau) * np.log(xe / (xe - f32(thr)))
    t_s = delay * (T - 1.) / delay.max()   # the latest unit lands on step T - 1
    assert_close(c.targ_sp_times.get(), t_s, atol=1e-4)
    out = np.asarray(adv.scan(T, dt=1., record=[c.outputs])[c.outputs.path])[:, 0]
    np.testing.assert_array_equal(first_spike_steps(out), np.round(t_s[0]))
    assert first_spike_steps(out)[-1] == T - 1 and first_spike_steps(out)[0] == 0


@pytest.mark.parametrize("mode", ["exponential", "logarithmic"])
def test_ttfs_fires_once_at_the_target_step(mode):
    K, dt = 12, 0.5
    xb = np.concatenate([X, X[:, ::-1] * 0.5], axis=0)   # a batch of two
    with Context(mode):
        c = TTFSCell("c", 6, batch_size=2, num_steps=K, latency_mode=mode, tau_ref=3)
        adv = MethodProcess("adv") >> c.advance_state
    xc = np.clip(xb, 1e-7, 1.)
    if mode == "exponential":   # (e^-x - e^-1) / (e^-1e-7 - e^-1) (K - 1)
        frac = (np.exp(-xc) - np.exp(-1.)) / (np.exp(-1e-7) - np.exp(-1.))
    else:                       # -log x / max(-log 0.01, max over the sample's units)
        lat = -np.log(xc)
        frac = np.clip(lat / np.maximum(-np.log(0.01), lat.max(axis=1, keepdims=True)), 0, 1)
    target = np.round(frac * (K - 1)).astype(np.int32)
    # the input changes after step 0: the targets were set at step 0 (t = 0)
    seq = np.concatenate([xb[None], np.full((K + 2, 2, 6), 0.5, np.float32)])
    out = adv.scan(K + 3, t0=0., dt=dt, clamp={c.inputs: jnp.asarray(seq)},
                   record=[c.outputs, c.refractory_counter, c.tols])
    np.testing.assert_array_equal(np.asarray(c.target_spike_times.get()), target)
    s = np.asarray(out[c.outputs.path])
    for b in range(2):
        np.testing.assert_array_equal(first_spike_steps(s[:, b]), target[b])
    assert_close(np.asarray(out[c.tols.path])[-1], target * dt)   # t = step * dt
    # the counter is tau_ref at the spike and counts down by one per step
    rc = np.asarray(out[c.refractory_counter.path])
    k0 = target[0, 0]
    assert rc[k0, 0, 0] == 3 and rc[k0 + 1, 0, 0] == 2 and rc[k0 + 3, 0, 0] == 0
    assert bool(np.all(np.asarray(c.has_fired.get())))


def test_phasor_phase_advances_by_the_driven_angle():
    f, dt = 160., 1.
    x = np.array([[1., 0.5, 0.25]], np.float32)
    with Context("ph"):
        c = PhasorCell("c", 3, target_freq=f, key=5)
        adv = MethodProcess("adv") >> c.advance_state
    c.inputs.set(jnp.asarray(x))
    b = np.asarray(c.base_scale.get())
    key = c.key.get()
    phi = np.zeros((1, 3))
    omega = 2. * np.pi * f * dt / 1000.
    spikes = 0.
    for i in range(30):
        # the noise n of this step: the second of split(key, 3); the first is kept
        key, k_noise, _ = jax.random.split(key, 3)
        n = np.asarray(jax.random.normal(k_noise, (1, 3)))
        phi = phi + omega * x * (1. + 0.2 * n) * b
        s = phi > 2. * np.pi
        phi = np.where(s, phi - 2. * np.pi, phi)
        adv.run(t=float(i), dt=dt)
        assert_close(c.angles.get(), phi, f"step {i} angles", atol=1e-4)
        np.testing.assert_array_equal(np.asarray(c.outputs.get()), s * 1.)
        spikes += s
    # about x * f * (30 ms) / 1000 pulses: 4.8, 2.4, 1.2 turns
    assert spikes[0, 0] >= 3 and spikes[0, 2] <= 2


def test_phasor_base_scale_is_poisson_over_rate_and_disable_passes_inputs():
    with Context("pb"):
        c = PhasorCell("c", 3, target_freq=100., key=1)
        d = PhasorCell("d", 3, disable_phasor=True)
        adv = MethodProcess("adv") >> d.advance_state
    # b = Poisson(100) / 100 drawn with the second of split(key, 3); the first is kept
    k_keep, k_scale, _ = jax.random.split(jax.random.PRNGKey(1), 3)
    b = np.asarray(c.base_scale.get())
    np.testing.assert_array_equal(b, np.asarray(jax.random.poisson(k_scale, 100., (1, 3)) / 100.))
    np.testing.assert_array_equal(np.asarray(c.key.get()), np.asarray(k_keep))
    assert np.all(b > 0.5) and np.all(b < 1.5)
    d.inputs.set(jnp.asarray([[1., 0., 1.]]))
    adv.run(t=0., dt=1.)
    np.testing.assert_array_equal(np.asarray(d.outputs.get()), [[1., 0., 1.]])
    with pytest.warns(UserWarning, match="at most once per step"):
        assert c.validate(dt=20.) is False     # 20 ms * 100 Hz = 2 pulses per step
    assert c.validate(dt=1.) is True


def test_ganglion_filters_and_centred_patches():
    with Context("rgc"):
        g = RetinalGanglionCell("g", "gaussian", (3, 4), 2, (3, 2), (0, 2), sigma=0.8)
        i = RetinalGanglionCell("i", "identity", (3, 4), 2, (3, 2), (1, 2), batch_size=2)
        adv = MethodProcess("adv") >> g.advance_state >> i.advance_state
    # G[a, b] = exp(-((a - 1)^2 + (b - 1)^2) / (2 0.64)) / sum, over a 3 x 2 patch
    a, b = np.meshgrid(np.arange(3) - 1, np.arange(2) - 1, indexing="ij")
    G = np.exp(-(a ** 2 + b ** 2) / (2 * 0.64))
    assert_close(g.filter.get(), G / G.sum())
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    g.inputs.set(jnp.asarray(x[:1]))
    i.inputs.set(jnp.asarray(x))
    adv.run(t=0.)
    # cells at columns 0 and 2 (step 2; rows: one cell, since (3 - 3) // 1 + 1 = 1)
    for cell, batch in ((g, x[:1]), (i, x)):
        F = np.asarray(cell.filter.get())
        r = np.stack([batch[:, :, 0:2] * F, batch[:, :, 2:4] * F], axis=1).reshape(len(batch), -1)
        assert_close(cell.outputs.get(), r - r.mean(axis=1, keepdims=True), cell.name)


def test_ganglion_difference_and_ratio_of_gaussians():
    with Context("dog"):
        d = RetinalGanglionCell("d", "DoG", (5, 5), 1, (5, 5), (1, 1), sigma=1.)
        r = RetinalGanglionCell("r", "ratio_of_gaussian", (5, 5), 1, (5, 5), (1, 1), sigma=1.)
    a, b = np.meshgrid(np.arange(5) - 2, np.arange(5) - 2, indexing="ij")

    def gauss(s):
        g = np.exp(-(a ** 2 + b ** 2) / (2 * s ** 2))
        return g / g.sum()

    assert_close(d.filter.get(), gauss(1.) - gauss(1.6))          # centre minus surround
    assert_close(r.filter.get(), gauss(1.) / (gauss(1.6) + 1e-8))
    assert float(d.filter.get()[2, 2]) > 0 > float(d.filter.get()[0, 0])


def test_expkernel_sums_the_window_including_t0():
    dt, nu, tau = 0.5, 2., 1.5
    with Context("ek"):
        k = ExpKernel("k", 3, dt=dt, tau_w=tau, nu=nu, batch_size=2)
        adv = MethodProcess("adv") >> k.advance_state
    rng = np.random.default_rng(3)
    s = (rng.uniform(size=(20, 2, 3)) < 0.35).astype(np.float32)
    s[0] = 1.   # every unit spikes at t = 0
    out = np.asarray(adv.scan(20, t0=0., dt=dt, clamp={k.inputs: jnp.asarray(s)},
                              record=[k.epsp])[k.epsp.path])
    n = int(nu / dt)   # the window: this step and the n - 1 before it
    for step in range(20):
        t = step * dt
        want = sum(s[j] * np.exp(-(t - j * dt) / tau) for j in range(max(0, step - n + 1),
                                                                      step + 1))
        assert_close(out[step], want, f"step {step}")
    assert out[0].min() == 1.   # the spikes at t = 0 count
