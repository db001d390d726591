"""FitzhughNagumoCell from its equations, tau_m v' = v - v^3/gamma - w + R j,
tau_w w' = v + alpha - beta w (defaults alpha = 0.7, beta = 0.8, gamma = 3, tau_w = 12.5):
the nullclines, the fixed point and its stability (the Jacobian's eigenvalues), all computed
here with numpy."""
import jax.numpy as jnp
import numpy as np
import pytest

from tests.components.neurons.spiking.zoo_helpers import build

A, B, G, TAU_W = 0.7, 0.8, 3., 12.5


def fixed_point(I):
    """The crossing of the nullclines w = v - v^3/3 + I and w = (v + a)/b: the real root of
    -v^3/3 + (1 - 1/b) v + I - a/b = 0 (one for these a, b)."""
    roots = np.roots([-1. / G, 0., 1. - 1. / B, I - A / B])
    v = roots[np.abs(roots.imag) < 1e-9].real
    assert len(v) == 1
    return float(v[0]), float((v[0] + A) / B)


def max_growth_rate(I):
    """Largest real part of the eigenvalues of the Jacobian at the fixed point (tau_m = 1):
    [[1 - v^2, -1], [1/tau_w, -b/tau_w]]."""
    v, _ = fixed_point(I)
    return float(np.linalg.eigvals([[1. - v * v, -1.], [1. / TAU_W, -B / TAU_W]]).real.max())


def test_a_point_on_each_nullcline_keeps_that_variable():
    # on the v-nullcline w = v - v^3/3 + j, dv/dt = 0: v stays; w moves by dt (v + a - b w)/tau_w
    # on the w-nullcline w = (v + a)/b, dw/dt = 0: w stays; v moves by dt (v - v^3/3 - w + j)
    j, dt = 0.4, 0.05
    v = np.asarray([-1.5, 0.2, 1.1], np.float32)
    w_v = v - v ** 3 / 3. + j
    w_w = (v + A) / B
    _, z, adv, _ = build("FitzhughNagumoCell", 6, v_thr=10.)
    z.v.set(jnp.asarray(np.concatenate([v, v])[None]))
    z.w.set(jnp.asarray(np.concatenate([w_v, w_w])[None]))
    z.j.set(jnp.full((1, 6), j))
    adv.run(t=0., dt=dt)
    v1, w1 = np.asarray(z.v.get())[0], np.asarray(z.w.get())[0]
    np.testing.assert_allclose(v1[:3], v, atol=2e-6)
    np.testing.assert_allclose(w1[:3], w_v + dt * (v + A - B * w_v) / TAU_W, atol=2e-6)
    np.testing.assert_allclose(w1[3:], w_w, atol=2e-6)
    np.testing.assert_allclose(v1[3:], v + dt * (v - v ** 3 / 3. - w_w + j), atol=2e-6)


@pytest.mark.parametrize("I,stable", [(0., True), (0.2, True), (0.5, False), (1.0, False),
                                      (1.6, True)])
def test_fixed_point_and_its_stability(I, stable):
    # the fixed point is stable below I ~ 0.33 and above I ~ 1.42 (eigenvalues with negative real
    # parts), and a limit cycle surrounds it in between
    assert (max_growth_rate(I) < 0.) == stable
    v_star, w_star = fixed_point(I)
    _, z, adv, rst = build("FitzhughNagumoCell", 1, v_thr=10.)
    rst.run()
    out = adv.scan(steps=4000, dt=0.1, clamp={z.j: jnp.full((1, 1), I)}, record=[z.v])
    late = np.asarray(out[z.v.path])[-1000:, 0, 0]     # the last 100 time units
    if stable:   # the cell has settled on the fixed point
        assert abs(float(z.v.get()[0, 0]) - v_star) < 1e-3
        assert abs(float(z.w.get()[0, 0]) - w_star) < 1e-3
        assert late.max() - late.min() < 1e-3
    else:        # it oscillates around it, across both branches of the cubic
        assert late.max() > 1. and late.min() < -1.
        assert late.min() < v_star < late.max()


def test_spikes_and_spike_reset():
    # no reset: every step with v > v_thr is a spike, and the cycle continues
    # spike_reset: v, w snap to v0, w0 on a spike
    _, z, adv, _ = build("FitzhughNagumoCell", 2, v_thr=1., spike_reset=True, v0=-1.2, w0=-0.6)
    z.v.set(jnp.asarray([[1.5, 0.]]))
    z.w.set(jnp.asarray([[0., 0.]]))
    z.j.set(jnp.asarray([[0.5, 0.5]]))
    adv.run(t=3., dt=0.1)
    # unit 0: v = 1.5 + 0.1 (1.5 - 1.125 - 0 + 0.5) = 1.5875 > 1: spike, snapped to (-1.2, -0.6)
    assert np.asarray(z.s.get()).tolist() == [[1., 0.]]
    assert float(z.v.get()[0, 0]) == pytest.approx(-1.2) and \
        float(z.w.get()[0, 0]) == pytest.approx(-0.6)
    assert float(z.v.get()[0, 1]) == pytest.approx(0.05) and float(z.tols.get()[0, 0]) == 3.


def test_resistance_scales_the_input():
    # R j enters the v equation: R = 2, j = 0.25 behaves as R = 1, j = 0.5
    outs = []
    for R, j in ((2., 0.25), (1., 0.5)):
        _, z, adv, rst = build("FitzhughNagumoCell", 1, resist_m=R, ctx_name=f"r{R}")
        rst.run()
        outs.append(np.asarray(adv.scan(steps=300, dt=0.1, clamp={z.j: jnp.full((1, 1), j)},
                                        record=[z.v])[z.v.path]))
    np.testing.assert_array_equal(outs[0], outs[1])
