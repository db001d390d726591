"""HodgkinHuxleyCell: the Hodgkin-Huxley (1952) conductance-based spiking cell (ngc-learn
3.2.3's HodgkinHuxleyCell).

| tau_v dv/dt = R j - g_Na m^3 h (v - v_Na) - g_K n^4 (v - v_K) - g_L (v - v_L)
| dx/dt = alpha_x(v) (1 - x) - beta_x(v) x                  for the gates x = n, m, h
| alpha_n = 0.01 (10 - v) / (exp((10 - v) / 10) - 1)    beta_n = 0.125 exp(-v / 80)
| alpha_m = 0.1 (25 - v) / (exp((25 - v) / 10) - 1)     beta_m = 4 exp(-v / 18)
| alpha_h = 0.07 exp(-v / 20)                           beta_h = 1 / (exp((30 - v) / 10) + 1)
| s = [v(t + dt) > thr]
| v <- v_reset,  x <- x_inf(v_reset) where s      (only with spike_reset)
| tols <- t where s (time of last spike)

Voltages are in mV relative to rest (Hodgkin and Huxley's convention, depolarisation positive),
x_inf(v) = alpha_x / (alpha_x + beta_x) is a gate's steady state and R = resist_m. Hodgkin and
Huxley's squid-axon values are g_Na = 120, g_K = 36, g_L = 0.3, v_Na = 115, v_K = -12,
v_L = 10.6 with tau_v = 1 (the capacitance, 1 uF/cm^2); ngc-learn's defaults keep g_L and the
reversal potentials but use g_Na = 100, g_K = 5, v_K = -35. A spike is any step that ends with v
above thr, so one action potential spans several steps of s = 1 unless spike_reset is on.

Each variable is stepped with the others held at their value at t: v with the gates fixed, each
gate with its rates at v(t) (see _coupled.py). alpha_n and alpha_m are 0/0 at v = 10 and v = 25;
there they take their limits (0.1 and 1).

Compartments: j (input); v, n, m, h, key (state); s, tols (outputs). Knobs: tau_v, resist_m,
v_Na, v_K, v_L, g_Na, g_K, g_L, thr, v_reset.

Differences from ngc-learn 3.2.3, where it is broken: the gates start at their resting steady
state x_inf(0) when the cell is built, as after reset() (ngc-learn builds them at 0, off
equilibrium, until the first reset); alpha_n, alpha_m are finite at their removable
singularities (ngc-learn gives NaN there). ngclab extension: ``batch_size`` (ngc-learn fixes it
at 1). An unknown integration_type is an error (ngc-learn prints a message and uses Euler).
"""
from __future__ import annotations

import jax.numpy as jnp

from ngclab.components.neurons.spiking._coupled import reset_values, snap, spike, step_each
from ngclab.components.ode import RK4_INTEGRATORS, check_integration
from ngclab.components.spikes import time_of_last_spike
from ngclab.components.validation import (
    check_count,
    check_flag,
    check_number,
    check_positive,
    owner,
)
from ngclab.core import Compartment, Component, Knob, compilable


def _linear_over_expm1(x, scale):
    """x / (exp(x / scale) - 1). Near x = 0 the quotient is 0/0 and, in float32, loses digits
    to cancellation; for |x| < 0.1 the series scale (1 - u/2 + u^2/12), u = x / scale, is used
    (its error, ~u^4/720, is far below float32's)."""
    near = jnp.abs(x) < 0.1
    safe = jnp.where(near, 1., x)
    u = x / scale
    return jnp.where(near, scale * (1. - 0.5 * u + u * u / 12.),
                     safe / (jnp.exp(safe / scale) - 1.))


def gate_rates(v):
    """(alpha_n, beta_n, alpha_m, beta_m, alpha_h, beta_h) at voltage v (mV from rest)."""
    return (0.01 * _linear_over_expm1(10. - v, 10.), 0.125 * jnp.exp(-v / 80.),
            0.1 * _linear_over_expm1(25. - v, 10.), 4. * jnp.exp(-v / 18.),
            0.07 * jnp.exp(-v / 20.), 1. / (jnp.exp((30. - v) / 10.) + 1.))


def steady_gates(v):
    """(n_inf, m_inf, h_inf) at voltage v: alpha / (alpha + beta) for each gate."""
    a_n, b_n, a_m, b_m, a_h, b_h = gate_rates(v)
    return a_n / (a_n + b_n), a_m / (a_m + b_m), a_h / (a_h + b_h)


class HodgkinHuxleyCell(Component):
    """A Hodgkin-Huxley cell (see the module docstring for the dynamics).

    Args:
        name: the cell's name
        n_units: number of cells
        tau_v: membrane time constant (the capacitance; ms)
        resist_m: membrane resistance R (Default: 1.)
        v_Na, v_K, v_L: sodium, potassium and leak reversal potentials (mV from rest)
            (Default: 115., -35., 10.6)
        g_Na, g_K, g_L: sodium, potassium and leak conductances per unit area
            (Default: 100., 5., 0.3)
        thr: spike threshold (mV) (Default: 4.)
        spike_reset: snap v to v_reset and the gates to their steady state there after a spike
            (Default: False)
        v_reset: voltage after a spike with spike_reset (mV) (Default: 0.)
        integration_type: "euler", "midpoint" ("rk1" / "rk2") or "rk4" (Default: "euler")
        batch_size: batch size (ngclab extension; Default: 1)
        **kwargs: key
    """

    j: Compartment                 # input current
    v: Compartment                 # membrane potential (mV from rest)
    n: Compartment                 # potassium activation gate
    m: Compartment                 # sodium activation gate
    h: Compartment                 # sodium inactivation gate
    s: Compartment                 # spikes
    tols: Compartment              # time of last spike (ms)
    tau_v: Knob
    resist_m: Knob
    v_Na: Knob
    v_K: Knob
    v_L: Knob
    g_Na: Knob
    g_K: Knob
    g_L: Knob
    thr: Knob
    v_reset: Knob

    def __init__(self, name, n_units, tau_v, resist_m=1., v_Na=115., v_K=-35., v_L=10.6,
                 g_Na=100., g_K=5., g_L=0.3, thr=4., spike_reset=False, v_reset=0.,
                 integration_type="euler", batch_size=1, **kwargs):
        super().__init__(name, **kwargs)
        who = owner(type(self), name)
        n = check_count(who, "n_units", n_units)
        b = check_count(who, "batch_size", batch_size)
        vals = {p: check_positive(who, p, x) for p, x in
                (("tau_v", tau_v), ("resist_m", resist_m))}
        for p, x in (("v_Na", v_Na), ("v_K", v_K), ("v_L", v_L), ("thr", thr),
                     ("v_reset", v_reset)):
            vals[p] = check_number(who, p, x)
        for p, x in (("g_Na", g_Na), ("g_K", g_K), ("g_L", g_L)):
            vals[p] = check_number(who, p, x, low=0.)   # a conductance is never negative
        self.spike_reset = check_flag(who, "spike_reset", spike_reset)
        self.integration = check_integration(who, integration_type, RK4_INTEGRATORS)
        self.n_units, self.batch_size = n, b
        rest = jnp.zeros((b, n))
        n_inf, m_inf, h_inf = steady_gates(rest)
        self.j = Compartment(rest, kind="input", display_name="Electrical input current")
        self.v = Compartment(rest, display_name="Membrane potential/voltage", units="mV")
        self.n = Compartment(n_inf, display_name="Potassium channel subunit activation "
                                                 "(probability)")
        self.m = Compartment(m_inf, display_name="Sodium channel subunit activation "
                                                 "(probability)")
        self.h = Compartment(h_inf, display_name="Sodium channel subunit inactivation "
                                                 "(probability)")
        self.s = Compartment(rest, kind="output", display_name="Spike pulse")
        self.tols = Compartment(rest, kind="output", display_name="Time-of-last-spike",
                                units="ms")
        self.tau_v = Knob(vals["tau_v"], low=1e-6, doc="membrane time constant (ms)")
        self.resist_m = Knob(vals["resist_m"], low=1e-6, doc="membrane resistance")
        self.v_Na = Knob(vals["v_Na"], doc="sodium reversal potential (mV from rest)")
        self.v_K = Knob(vals["v_K"], doc="potassium reversal potential (mV from rest)")
        self.v_L = Knob(vals["v_L"], doc="leak reversal potential (mV from rest)")
        self.g_Na = Knob(vals["g_Na"], low=0., doc="sodium conductance")
        self.g_K = Knob(vals["g_K"], low=0., doc="potassium conductance")
        self.g_L = Knob(vals["g_L"], low=0., doc="leak conductance")
        self.thr = Knob(vals["thr"], doc="spike threshold (mV)")
        self.v_reset = Knob(vals["v_reset"], doc="voltage after a spike (with spike_reset)")

    @compilable
    def advance_state(self, dt, t):
        v, n, m, h = self.v.get(), self.n.get(), self.m.get(), self.h.get()
        j = self.j.get() * self.resist_m.get()
        g_Na, g_K, g_L = self.g_Na.get(), self.g_K.get(), self.g_L.get()
        v_Na, v_K, v_L = self.v_Na.get(), self.v_K.get(), self.v_L.get()
        tau_v = self.tau_v.get()
        a_n, b_n, a_m, b_m, a_h, b_h = gate_rates(v)

        def dv_dt(x):   # the membrane current balance, gates held at their value at t
            i_ion = g_Na * m ** 3 * h * (x - v_Na) + g_K * n ** 4 * (x - v_K) + g_L * (x - v_L)
            return (j - i_ion) / tau_v

        def gate(alpha, beta):   # first-order gate kinetics, rates held at v(t)
            return lambda x: alpha * (1. - x) - beta * x

        v, n, m, h = jnp.broadcast_arrays(*step_each(
            self.integration, dt, (v, dv_dt), (n, gate(a_n, b_n)), (m, gate(a_m, b_m)),
            (h, gate(a_h, b_h))))
        s = spike(v, self.thr.get())
        if self.spike_reset:
            v_reset = self.v_reset.get()
            n_r, m_r, h_r = steady_gates(v_reset)
            v, n, m, h = snap(s, v, v_reset), snap(s, n, n_r), snap(s, m, m_r), snap(s, h, h_r)
        self.v.set(v)
        self.n.set(n)
        self.m.set(m)
        self.h.set(h)
        self.s.set(s)
        self.tols.set(time_of_last_spike(self.tols.get(), s, t))

    @compilable
    def reset(self):
        n_inf, m_inf, h_inf = steady_gates(jnp.float32(0.))
        reset_values(self, [(self.j, 0.), (self.v, 0.), (self.n, n_inf), (self.m, m_inf),
                            (self.h, h_inf), (self.s, 0.), (self.tols, 0.)])

    @classmethod
    def help(cls) -> dict:
        return {
            cls.__name__: {"cell_type": "HodgkinHuxleyCell - evolves neurons by the "
                                        "Hodgkin-Huxley conductance-based spiking dynamics"},
            "compartments": {
                "inputs": {"j": "External input electrical current"},
                "states": {"v": "Membrane potential at time t",
                           "n": "Potassium channel subunit activation at time t",
                           "m": "Sodium channel subunit activation at time t",
                           "h": "Sodium channel subunit inactivation at time t",
                           "key": "JAX PRNG key"},
                "outputs": {"s": "Emitted spikes at time t", "tols": "Time of last spike"}},
            "dynamics": "tau_v dv/dt = R j - g_Na * m^3 * h * (v - v_Na) - g_K * n^4 * (v - v_K) "
                        "- g_L * (v - v_L); dx/dt = alpha_x(v) (1 - x) - beta_x(v) x for "
                        "x = n, m, h",
            "hyperparameters": {
                "n_units": "Number of cells", "tau_v": "Membrane time constant",
                "resist_m": "Membrane resistance", "thr": "Spike threshold",
                "v_Na": "Sodium reversal potential", "v_K": "Potassium reversal potential",
                "v_L": "Leak reversal potential", "g_Na": "Sodium conductance per unit area",
                "g_K": "Potassium conductance per unit area",
                "g_L": "Leak conductance per unit area",
                "spike_reset": "Snap v (and the gates) to v_reset after a spike?",
                "v_reset": "Voltage after a spike (with spike_reset)",
                "integration_type": "euler, midpoint or rk4", "batch_size": "Batch size"}}
