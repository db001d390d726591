"""ngclab.utils.diffeq: the steppers and systems against ngc-learn 3.2.3
(tests/reference/utils_more_reference.json, section "diffeq") and against the Runge-Kutta
formulas written out by hand."""
from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ngclab.components import ode as cell_ode
from ngclab.utils.diffeq import ode_utils as ou
from ngclab.utils.diffeq import odes
from tests.helpers import assert_close, reference

REF = reference("utils_more")["diffeq"]
STEPS = {"euler": ou.step_euler, "rk2": ou.step_rk2, "heun": ou.step_heun,
         "ralston": ou.step_ralston, "rk4": ou.step_rk4}


def test_integrator_codes_match_ngclearn():
    for name, code in REF["codes"].items():  # ngc-learn's get_integrator_code
        assert ou.get_integrator_code(name) == code, name
    assert ou.get_integrator_code("rk1") == 0


@pytest.mark.parametrize("bad", ["rk3", "Euler", None, 4])
def test_unknown_integrator_is_refused_with_the_valid_names(bad):
    # ngc-learn prints a message and falls back to Euler; ngclab refuses
    with pytest.raises(ValueError, match="get_integrator_code.*valid: euler, rk1, midpoint"):
        ou.get_integrator_code(bad)


@pytest.mark.parametrize("name", sorted(REF["odes"]))
def test_systems_match_ngclearn(name):
    case = REF["odes"][name]
    assert_close(getattr(odes, name)(0.0, jnp.asarray(case["x"]), None), case["dx"], name)


def test_systems_by_hand():
    # linear_2D at (3, -1.5): (-0.1*3 + 2*(-1.5), -2*3 - 0.1*(-1.5)) = (-3.3, -5.85)
    assert_close(odes.linear_2D(0.0, jnp.asarray([3.0, -1.5])), [-3.3, -5.85], "linear_2D")
    # lorenz at (1, 2, 3): (10*(2-1), 1*(28-3) - 2, 1*2 - 8/3*3) = (10, 23, -6)
    assert_close(odes.lorenz(0.0, jnp.asarray([1.0, 2.0, 3.0])), [10.0, 23.0, -6.0], "lorenz")
    # oscillator at (1, 0, 0): w = 3; (0.05, 0 + 0 - 1.1, 0 - 0) = (0.05, -1.1, 0)
    assert_close(odes.oscillator(0.0, jnp.asarray([1.0, 0.0, 0.0])), [0.05, -1.1, 0.0], "osc")


@pytest.mark.parametrize("case", range(len(REF["steps"])))
@pytest.mark.parametrize("method", sorted(STEPS))
def test_steps_match_ngclearn(case, method):
    c = REF["steps"][case]
    t, x = STEPS[method](c["t"], jnp.asarray(c["x0"]), getattr(odes, c["system"]), c["dt"],
                         None, x_scale=c["x_scale"])
    assert_close(t, c[method][0], f"{method} t")
    assert_close(x, c[method][1], f"{method} x")


def _decay(t, x, params):  # dx/dt = -x + t
    return -x + t


@settings(max_examples=25, deadline=None)
@given(x0=st.floats(-5, 5), t=st.floats(0, 3), dt=st.floats(0.01, 0.5), s=st.floats(0.5, 1))
def test_steps_are_the_runge_kutta_formulas(x0, t, dt, s):
    x = jnp.asarray([x0], jnp.float32)
    f = lambda tt, xx: -xx + tt  # noqa: E731  (the same ODE as _decay)
    k1 = f(t, x)
    expected = {
        "euler": s * x + dt * k1,
        "rk2": s * x + dt * f(t + dt / 2, s * x + dt / 2 * k1),
        "heun": s * x + dt / 2 * (k1 + f(t + dt, s * x + dt * k1)),
        "ralston": s * x + dt * (k1 / 3 + 2 * f(t + 0.75 * dt, s * x + 0.75 * dt * k1) / 3),
    }
    k2 = f(t + dt / 2, s * x + dt / 2 * k1)
    k3 = f(t + dt / 2, s * x + dt / 2 * k2)
    k4 = f(t + dt, s * x + dt * k3)
    expected["rk4"] = s * x + dt * (k1 + 2 * k2 + 2 * k3 + k4) / 6
    for name, want in expected.items():
        t_next, got = STEPS[name](t, x, _decay, dt, None, x_scale=s)
        assert_close(got, want, name, atol=1e-4)
        assert_close(t_next, t + dt, name)


@pytest.mark.parametrize("case", REF["solve"], ids=lambda c: c["method"])
def test_solve_ode_matches_ngclearn(case):
    ts, xs = ou.solve_ode(case["method"], 0.0, jnp.asarray([3.0, -1.5]), T=40,
                          dfx=odes.linear_2D, dt=0.05)
    assert_close(ts, case["ts"], "ts")
    assert_close(xs, case["xs"], "xs", atol=1e-4)


def test_solve_ode_trajectory_pieces_and_unknown_method():
    (t_T, x_T), (ts, xs), (ts0, xs0) = ou.solve_ode("rk4", 0.0, jnp.asarray([1.0]), 5, _decay,
                                                     0.1, sols_only=False)
    # the states before step k+1 are the states after step k; the last carry is the last state
    np.testing.assert_array_equal(np.asarray(xs0[1:]), np.asarray(xs[:-1]))
    np.testing.assert_array_equal(np.asarray(x_T), np.asarray(xs[-1]))
    assert_close(ts0[0], 0.0)
    assert_close(t_T, 0.5)
    # exact solution of x' = -x + t, x(0) = 1: x = t - 1 + 2 e^{-t}; RK4 error ~1e-7 here
    assert_close(xs[-1], [0.5 - 1 + 2 * np.exp(-0.5)], "rk4 vs exact", atol=1e-5)
    # ngc-learn: a NameError for a name its solve_ode does not know (reference file)
    assert REF["solve_unknown"] == {"error": "NameError"}
    with pytest.raises(ValueError, match="solve_ode: unknown method_name 'rk3'"):
        ou.solve_ode("rk3", 0.0, jnp.ones(1), 3, _decay, 0.1)


def _spring(t, q, params):  # F = -k q with k = 2 (the reference's harmonic force)
    return -2.0 * q


def test_leapfrog_is_velocity_verlet_and_conserves_energy():
    c = REF["leapfrog_ngclearn"]
    t, q, p = ou.leapfrog(0.0, jnp.asarray(c["q0"]), jnp.asarray(c["p0"]), _spring, c["L"],
                          c["h"], None)
    qq, pp = np.asarray(c["q0"], np.float64), np.asarray(c["p0"], np.float64)
    for _ in range(c["L"]):  # p_half = p + h/2 F(q); q' = q + h p_half; p' = p_half + h/2 F(q')
        ph = pp + c["h"] / 2 * (-2.0 * qq)
        qq = qq + c["h"] * ph
        pp = ph + c["h"] / 2 * (-2.0 * qq)
    assert_close(q, qq, "q", atol=1e-5)
    assert_close(p, pp, "p", atol=1e-5)
    assert_close(t, c["t"], "t")
    energy = lambda q_, p_: 0.5 * np.sum(np.square(p_)) + np.sum(np.square(q_))  # noqa: E731
    e0 = energy(np.asarray(c["q0"]), np.asarray(c["p0"]))
    assert abs(energy(np.asarray(q), np.asarray(p)) - e0) < 0.01 * e0
    # ngc-learn moves q with the old p (not leapfrog): its energy drifts by more than 5 %
    assert abs(energy(np.asarray(c["q"]), np.asarray(c["p"])) - e0) > 0.05 * e0
    assert not np.allclose(np.asarray(q), c["q"], atol=1e-3)


def test_cells_step_with_the_same_functions():
    # ngclab.components.ode (used by every cell) is ode_utils' Euler / midpoint step, bit for bit
    x = jnp.linspace(-2.0, 2.0, 9)
    f2 = lambda t, xx: -xx * 0.3 + t  # noqa: E731
    got_e = cell_ode.euler(f2, x, 0.2, 0.1)
    got_m = cell_ode.midpoint(f2, x, 0.2, 0.1)
    np.testing.assert_array_equal(np.asarray(got_e), np.asarray(
        ou.step_euler(0.1, x, lambda t, xx, p: f2(t, xx), 0.2, None)[1]))
    np.testing.assert_array_equal(np.asarray(got_m), np.asarray(
        ou.midpoint_update(0.1, x, lambda t, xx, p: f2(t, xx), 0.2)[1]))
    # and x + dt f / x + dt f(t + dt/2, x + dt/2 f) by hand
    assert_close(got_e, x + 0.2 * f2(0.1, x), "euler")
    assert_close(got_m, x + 0.2 * f2(0.2, x + 0.1 * f2(0.1, x)), "midpoint")
