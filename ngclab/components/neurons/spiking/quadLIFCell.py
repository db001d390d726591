"""QuadLIFCell: a quadratic (leaky) integrate-and-fire cell with a refractory period and an
adaptive threshold (ngc-learn 3.2.3's QuadLIFCell).

| tau_m dv/dt = a0 (v - v_rest)(v - v_c) + R j * [rfr >= refract_time]    (euler or midpoint)
| v_thr = thr + thr_theta
| s = [v > v_thr];  v <- v_reset where s;  rfr <- (rfr + dt) (1 - s)
| thr_theta <- thr_theta exp(-dt / tau_theta) + theta_plus s          (only if tau_theta > 0)
| tols <- t where s;  surrogate = ds/dv(v, v_thr) R dt / tau_m

with v_c = ``v_scale`` (the critical voltage, -41.6 mV) and a0 = ``critical_v`` (the scale of the
quadratic term, 1), ngc-learn's names. For a0 > 0 and no input, v_rest is a stable rest and v_c
an unstable one: below v_c the voltage returns to rest, above it it runs away (and fires at
v_thr). A constant current has a resting state only while R j <= a0 (v_c - v_rest)^2 / 4.
``one_spike`` / ``max_one_spike`` keep one spike per sample as in LIFCell (s_raw keeps them all);
``v_min`` clamps v from below. reset() keeps the adapted thr_theta.

Compartments: j (input); v, rfr, thr_theta, v_thr, surrogate, key (state); s, s_raw, tols
(outputs). Knobs: tau_m, resist_m, thr, v_rest, v_reset, v_scale, critical_v, tau_theta,
theta_plus, refract_time. ``critical_V`` is accepted as the deprecated name of critical_v and
``thr_jitter`` as a deprecated, ignored argument (as in ngc-learn).

ngclab extensions: ``batch_size`` (ngc-learn fixes it at 1).

Differences from ngc-learn 3.2.3, where it is broken: its code integrates a0 (v_rest - v)(v - v_c),
the negative of the equation its documentation gives, which makes v_rest unstable and v_c a stable
voltage (any small input then drives every cell to v_c); ngclab integrates the documented form,
so ngc-learn's numbers are ngclab's with critical_v = -a0. ngc-learn leaves v_thr at thr and
surrogate at 1 (it ignores surrogate_type); ngclab keeps v_thr = thr + thr_theta and computes the
named surrogate, as its LIFCell does. ngc-learn's one_spike counts spikes over the whole batch;
ngclab per sample.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

from ngclab.components.neurons.spiking._lif import (
    adapt_threshold,
    check_surrogate,
    keep_max_voltage_spike,
    keep_one_spike,
    refractory_clock,
    refractory_mask,
    renamed_args,
    spike_reset,
    surrogate_derivative,
)
from ngclab.components.ode import check_integration, integrate
from ngclab.components.spikes import time_of_last_spike
from ngclab.components.validation import (
    check_count,
    check_flag,
    check_number,
    check_positive,
    owner,
)
from ngclab.core import Compartment, Component, Knob, compilable


class QuadLIFCell(Component):
    """A quadratic integrate-and-fire cell (see the module docstring for the dynamics).

    Args:
        name: the cell's name
        n_units: number of cells
        tau_m: membrane time constant (ms)
        resist_m: membrane resistance R (> 0) (Default: 1.)
        thr: base voltage threshold (mV) (Default: -52.)
        v_rest: resting potential (mV) (Default: -65.)
        v_reset: reset potential after a spike (mV) (Default: -60.)
        v_scale: critical voltage v_c of the quadratic term (mV) (Default: -41.6)
        critical_v: scale a0 of the quadratic term (Default: 1.)
        tau_theta: threshold-adaptation time constant; 0 turns adaptation off (Default: 1e7)
        theta_plus: threshold increment per spike (Default: 0.05)
        refract_time: refractory period (ms) (Default: 5.)
        one_spike: at most one spike per sample and step (Default: False)
        integration_type: "euler" or "midpoint" ("rk1" / "rk2") (Default: "euler")
        surrogate_type: "straight_through", "arctan", "triangular" or "secant_lif"
            (Default: "straight_through")
        v_min: lower clamp of v, or None (Default: None)
        max_one_spike: keep only the spike of the highest-voltage cell (Default: False)
        batch_size: batch size (ngclab extension; Default: 1)
        **kwargs: key (critical_V and thr_jitter: deprecated)
    """

    j: Compartment          # input current
    v: Compartment          # membrane potential (mV)
    s: Compartment          # spikes
    s_raw: Compartment      # spikes before the one-spike constraints
    rfr: Compartment        # time since the last spike (ms)
    thr_theta: Compartment  # adaptive threshold shift (mV)
    tols: Compartment       # time of the last spike (ms)
    surrogate: Compartment  # surrogate derivative ds/dj
    v_thr: Compartment      # threshold thr + thr_theta (mV)
    tau_m: Knob
    resist_m: Knob
    thr: Knob
    v_rest: Knob
    v_reset: Knob
    v_scale: Knob
    critical_v: Knob
    tau_theta: Knob
    theta_plus: Knob
    refract_time: Knob

    def __init__(self, name, n_units, tau_m, resist_m=1., thr=-52., v_rest=-65., v_reset=-60.,
                 v_scale=-41.6, critical_v=1., tau_theta=1e7, theta_plus=0.05, refract_time=5.,
                 one_spike=False, integration_type="euler", surrogate_type="straight_through",
                 v_min=None, max_one_spike=False, batch_size=1, **kwargs):
        who = owner(type(self), name)
        moved = renamed_args(who, kwargs, {"critical_V": "critical_v", "thr_jitter": None})
        critical_v = moved.get("critical_v", critical_v)
        super().__init__(name, **kwargs)
        n = check_count(who, "n_units", n_units)
        b = check_count(who, "batch_size", batch_size)
        vals = {"tau_m": check_positive(who, "tau_m", tau_m),
                "resist_m": check_positive(who, "resist_m", resist_m),
                "tau_theta": check_number(who, "tau_theta", tau_theta, low=0.),
                "refract_time": check_number(who, "refract_time", refract_time, low=0.)}
        for pname, x in (("thr", thr), ("v_rest", v_rest), ("v_reset", v_reset),
                         ("v_scale", v_scale), ("critical_v", critical_v),
                         ("theta_plus", theta_plus)):
            vals[pname] = check_number(who, pname, x)
        self.integration = check_integration(who, integration_type)
        self.d_spike_fx = check_surrogate(who, surrogate_type)
        self.surrogate_type = surrogate_type
        self.v_min = None if v_min is None else check_number(who, "v_min", v_min)
        self.one_spike = check_flag(who, "one_spike", one_spike)
        self.max_one_spike = check_flag(who, "max_one_spike", max_one_spike)
        self.n_units, self.batch_size = n, b

        rest = jnp.zeros((b, n))
        self.j = Compartment(rest, kind="input", display_name="Current", units="mA")
        self.v = Compartment(rest + vals["v_rest"], display_name="Voltage", units="mV")
        self.s = Compartment(rest, kind="output", display_name="Spikes")
        self.s_raw = Compartment(rest, kind="output", display_name="Raw Spike Pulses")
        self.rfr = Compartment(rest + vals["refract_time"], display_name="Refractory Time Period",
                               units="ms")
        self.thr_theta = Compartment(rest, display_name="Threshold Adaptive Shift", units="mV")
        self.tols = Compartment(rest, kind="output", display_name="Time-of-Last-Spike",
                                units="ms")
        self.surrogate = Compartment(rest + 1., display_name="Surrogate State Value")
        self.v_thr = Compartment(rest + vals["thr"], display_name="Voltage threshold", units="mV")
        self.tau_m = Knob(vals["tau_m"], low=1e-6, doc="membrane time constant (ms)")
        self.resist_m = Knob(vals["resist_m"], low=1e-6, doc="membrane resistance")
        self.thr = Knob(vals["thr"], doc="base voltage threshold (mV)")
        self.v_rest = Knob(vals["v_rest"], doc="resting potential (mV)")
        self.v_reset = Knob(vals["v_reset"], doc="reset potential (mV)")
        self.v_scale = Knob(vals["v_scale"], doc="critical voltage v_c (mV)")
        self.critical_v = Knob(vals["critical_v"], doc="scale a0 of the quadratic term")
        self.tau_theta = Knob(vals["tau_theta"], low=0., doc="threshold adaptation time "
                                                             "constant (0: off)")
        self.theta_plus = Knob(vals["theta_plus"], doc="threshold increment per spike (mV)")
        self.refract_time = Knob(vals["refract_time"], low=0., doc="refractory period (ms)")

    @compilable
    def advance_state(self, dt, t):
        tau_m, R = self.tau_m.get(), self.resist_m.get()
        j = self.j.get() * R
        v_thr = self.thr.get() + self.thr_theta.get()
        mask = refractory_mask(self.rfr.get(), self.refract_time.get())
        v_rest, v_c, a0 = self.v_rest.get(), self.v_scale.get(), self.critical_v.get()

        def dv_dt(_, v):
            return (a0 * (v - v_rest) * (v - v_c) + j * mask) / tau_m

        v_before = self.v.get()
        v = integrate(self.integration, dv_dt, v_before, dt)
        s_raw = (v > v_thr).astype(jnp.float32)
        self.surrogate.set(surrogate_derivative(self.surrogate_type, self.d_spike_fx, v, v_thr, j,
                                                R, dt, tau_m))
        v = spike_reset(v, s_raw, self.v_reset.get())
        s = s_raw
        if self.one_spike and not self.max_one_spike:
            key, sub = jax.random.split(self.key.get())
            s = keep_one_spike(s, sub)
            self.key.set(key)
        if self.max_one_spike:
            s = keep_max_voltage_spike(s, v_before)
        theta = adapt_threshold(self.thr_theta.get(), s_raw, dt, self.tau_theta.get(),
                                self.theta_plus.get())
        self.thr_theta.set(theta)
        self.v_thr.set(self.thr.get() + theta)
        if self.v_min is not None:
            v = jnp.maximum(v, self.v_min)
        self.v.set(v)
        self.s.set(s)
        self.s_raw.set(s_raw)
        self.rfr.set(refractory_clock(self.rfr.get(), s_raw, dt))
        self.tols.set(time_of_last_spike(self.tols.get(), s, t))

    @compilable
    def reset(self):
        rest = jnp.zeros((self.batch_size, self.n_units))
        if not self.j.targeted:
            self.j.set(rest)
        self.v.set(rest + self.v_rest.get())
        self.s.set(rest)
        self.s_raw.set(rest)
        self.rfr.set(rest + self.refract_time.get())
        self.tols.set(rest)
        self.surrogate.set(rest + 1.)
        self.v_thr.set(rest + self.thr.get() + self.thr_theta.get())

    @classmethod
    def help(cls) -> dict:
        return {
            cls.__name__: {"cell_type": "QuadLIFCell - evolves neurons by quadratic leaky "
                                        "integrate-and-fire spiking dynamics"},
            "compartments": {
                "inputs": {"j": "External input electrical current"},
                "states": {"v": "Membrane potential at time t",
                           "rfr": "Time since the last spike (refractory variable)",
                           "thr_theta": "Adaptive threshold shift at time t",
                           "v_thr": "Voltage threshold thr + thr_theta",
                           "surrogate": "Surrogate derivative of the spikes w.r.t. j",
                           "key": "JAX PRNG key"},
                "outputs": {"s": "Emitted spikes at time t",
                            "s_raw": "Spikes before the one-spike constraints",
                            "tols": "Time of last spike"}},
            "dynamics": "tau_m * dv/dt = critical_v * (v - v_rest) * (v - v_scale) + R * j "
                        "(outside the refractory period); spike when v > thr + thr_theta, then "
                        "v = v_reset",
            "hyperparameters": {
                "n_units": "Number of cells", "tau_m": "Membrane time constant",
                "resist_m": "Membrane resistance", "thr": "Base voltage threshold",
                "v_rest": "Resting potential", "v_reset": "Reset potential",
                "v_scale": "Critical voltage v_c of the quadratic term",
                "critical_v": "Scale a0 of the quadratic term",
                "tau_theta": "Threshold adaptation time constant (0: off)",
                "theta_plus": "Threshold increment per spike",
                "refract_time": "Refractory period (ms)",
                "one_spike": "At most one spike per sample and step?",
                "integration_type": "euler or midpoint",
                "surrogate_type": "straight_through, arctan, triangular or secant_lif",
                "v_min": "Lower clamp of the voltage (None: none)",
                "max_one_spike": "Keep only the spike of the highest-voltage cell?",
                "batch_size": "Batch size"}}
