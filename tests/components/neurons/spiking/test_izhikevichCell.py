"""IzhikevichCell from its equations (Izhikevich 2003):

    v' = 0.04 v^2 + 5 v + 140 - u + I,   u' = a (b v - u),   v >= 30 mV: v <- c, u <- u + d

with ngc-learn's time scaling (tau_m = 1 ms, tau_w = 1/a, dt in ms; w is u) and step order (a
spike is read from the voltage a step starts from, and that step only resets)."""
import jax.numpy as jnp
import numpy as np
import pytest

from ngclab.components import IzhikevichCell
from tests.components.neurons.spiking.zoo_helpers import build


def izhikevich_numpy(I, a, b, c, d, dt, steps, v0=-65., u0=-14.):
    """Spike steps of a plain numpy Euler loop of the published equations (float32, like the
    cell), in ngc-learn's order: fired = v > 30 at the start of the step; a firing step sets
    v = c, u = u + d; any other step is one Euler step. The rate a enters as ngc-learn's time
    constant, u' = (b v - u) / tau_w with tau_w = 1/a (0.1 is not exact in float32: a (b v - u)
    rounds differently and, over 20 spikes, moves a fast-spiking spike by a step)."""
    f32 = np.float32
    v, u, tau_w = f32(v0), f32(u0), f32(1. / a)
    spikes = []
    for k in range(steps):
        if v > 30.:
            spikes.append(k)
            v, u = f32(c), f32(u + f32(d))
        else:
            dv = f32(0.04) * v * v + f32(5.) * v + f32(140.) - u + f32(I)
            du = (f32(b) * v - u) / tau_w
            v, u = f32(v + f32(dt) * dv), f32(u + f32(dt) * du)
    return np.asarray(spikes)


@pytest.mark.parametrize("pattern,params,steps", [
    ("regular spiking", dict(a=0.02, b=0.2, c=-65., d=8.), 1200),
    ("intrinsically bursting", dict(a=0.02, b=0.2, c=-55., d=4.), 1200),
    ("chattering", dict(a=0.02, b=0.2, c=-50., d=2.), 1200),
    # fast spiking: the 18th spike (step 564) lands where v is within float32 rounding of the
    # threshold; from there the numpy loop and XLA fire a step apart: compare 500 steps
    ("fast spiking", dict(a=0.1, b=0.2, c=-65., d=2.), 500),
])
def test_spike_times_under_a_step_current_match_the_published_equations(pattern, params,
                                                                        steps):
    # Izhikevich (2003), fig. 2 parameters; a step of I = 10 at dt = 0.25 ms
    I, dt = 10., 0.25
    want = izhikevich_numpy(I, dt=dt, steps=steps, **params)
    _, z, adv, rst = build("IzhikevichCell", 1, tau_w=1. / params["a"],
                           coupling_factor=params["b"], v_reset=params["c"],
                           w_reset=params["d"])
    rst.run()
    out = adv.scan(steps=steps, dt=dt, clamp={z.j: jnp.full((1, 1), I)}, record=[z.s])
    got = np.nonzero(np.asarray(out[z.s.path])[:, 0, 0])[0]
    assert len(want) >= 8, pattern          # the step current makes every pattern fire
    np.testing.assert_array_equal(got, want, err_msg=pattern)


def test_bursting_and_fast_spiking_differ_from_regular_spiking():
    # the published patterns, read from the numpy loop's spike trains: regular spiking adapts
    # (its first interval is the shortest); chattering fires bursts (intervals of two sizes,
    # the long ones > 5x the short ones); fast spiking (a = 0.1) fires faster than regular
    rs = np.diff(izhikevich_numpy(10., 0.02, 0.2, -65., 8., 0.25, 1200)) * 0.25
    ch = np.diff(izhikevich_numpy(10., 0.02, 0.2, -50., 2., 0.25, 1200)) * 0.25
    fs = np.diff(izhikevich_numpy(10., 0.1, 0.2, -65., 2., 0.25, 1200)) * 0.25
    assert rs[0] == rs.min() and rs[-1] > 1.5 * rs[0]
    assert ch.max() > 5 * ch.min()
    assert len(fs) > 2 * len(rs)


def test_one_step_by_hand():
    # v = -65, w = -14, j = 10, dt = 1: dv = 0.04 * 4225 - 325 + 140 + 14 + 10 = 8 -> -57;
    # dw = (0.2 * -65 + 14) / 50 = 0.02 -> -13.98 (a = 1/50, b = 0.2)
    _, z, adv, _ = build("IzhikevichCell", 1)
    z.j.set(jnp.full((1, 1), 10.))
    adv.run(t=0., dt=1.)
    assert float(z.v.get()[0, 0]) == pytest.approx(-57., abs=1e-4)
    assert float(z.w.get()[0, 0]) == pytest.approx(-13.98, abs=1e-6)
    assert float(z.s.get()[0, 0]) == 0.


def test_a_spike_step_resets_v_to_c_and_adds_d_to_w():
    _, z, adv, _ = build("IzhikevichCell", 2, v_reset=-50., w_reset=2., resist_m=2.)
    z.v.set(jnp.asarray([[35., 20.]]))     # above / below v_thr = 30
    z.w.set(jnp.asarray([[-10., -10.]]))
    z.j.set(jnp.asarray([[1., 1.]]))
    adv.run(t=7., dt=0.5)
    assert np.asarray(z.s.get()).tolist() == [[1., 0.]]
    assert float(z.v.get()[0, 0]) == -50. and float(z.w.get()[0, 0]) == -8.   # c; w + d
    # unit 1: one Euler step, R j = 2: dv = 0.04 * 400 + 100 + 140 + 10 + 2 = 268
    assert float(z.v.get()[0, 1]) == pytest.approx(20. + 0.5 * 268., abs=1e-4)
    assert np.asarray(z.tols.get()).tolist() == [[7., 0.]]


def test_knobs_a_b_c_d_change_the_pattern_without_recompiling():
    _, z, adv, rst = build("IzhikevichCell", 1)
    rst.run()
    clamp = {z.j: jnp.full((1, 1), 10.)}
    regular = np.asarray(adv.scan(steps=1200, dt=0.25, clamp=clamp, record=[z.s])[z.s.path])
    n = adv.compile_count
    rst.run()
    z.tau_w.set(10.)       # a = 0.1
    z.w_reset.set(2.)      # d = 2: fast spiking
    fast = np.asarray(adv.scan(steps=1200, dt=0.25, clamp=clamp, record=[z.s])[z.s.path])
    assert adv.compile_count == n
    assert fast.sum() == len(izhikevich_numpy(10., 0.1, 0.2, -65., 2., 0.25, 1200))
    assert fast.sum() > 2 * regular.sum()


def test_batch_rows_are_independent_cells():
    # a batch of 3 samples evolves like separate single-sample cells (rows 0 and 2 checked)
    currents = np.asarray([[4.], [10.], [15.]], np.float32)
    _, z, adv, rst = build("IzhikevichCell", 1, batch_size=3)
    rst.run()
    out = adv.scan(steps=400, dt=0.5, clamp={z.j: currents}, record=[z.v, z.s])
    assert np.asarray(out[z.s.path]).sum(axis=0)[:, 0].tolist() == \
        sorted(np.asarray(out[z.s.path]).sum(axis=0)[:, 0].tolist())   # more current, more spikes
    for row, current in ((0, 4.), (2, 15.)):
        _, y, adv1, rst1 = build("IzhikevichCell", 1, ctx_name=f"one{row}")
        rst1.run()
        one = adv1.scan(steps=400, dt=0.5, clamp={y.j: jnp.full((1, 1), current)},
                        record=[y.v, y.s])
        np.testing.assert_array_equal(np.asarray(out[z.s.path])[:, row],
                                      np.asarray(one[y.s.path])[:, 0])
        # (the batched step may round differently in the last bit; upswings amplify it)
        np.testing.assert_allclose(np.asarray(out[z.v.path])[:, row],
                                   np.asarray(one[y.v.path])[:, 0], rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize("kw,match", [
    ({"tau_w": 0.}, r"tau_w must be >"),
    ({"integration_type": "rk4"}, r"unknown integration_type 'rk4'; valid: euler, rk1"),
    ({"coupling_factor": float("nan")}, r"coupling_factor must be a finite number"),
    ({"batch_size": 0}, r"batch_size must be a positive integer"),
    ({"bogus": 1}, r"unexpected keyword argument"),
])
def test_bad_arguments(kw, match):
    from ngclab import Context
    with Context("m") as ctx:
        with pytest.raises((ValueError, TypeError), match=match) as err:
            IzhikevichCell("z", 3, **kw)
        assert "IzhikevichCell 'z'" in str(err.value)
        assert not ctx.components
