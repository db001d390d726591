"""IFCell: a (non-leaky) integrate-and-fire spiking cell (ngc-learn 3.2.3's IFCell).

| tau_m dv/dt = R j * [rfr >= refract_time]             (euler or midpoint step)
| s = [v > thr];  v <- v_reset where s;  rfr <- (rfr + dt) (1 - s)
| v <- max(v, v_rest)                                    (if lower_clamp_voltage)
| tols <- t where s
| surrogate = ds/dv(v, thr) * R dt / tau_m               (ds/dv from the surrogate_type estimator)

Without a leak, a constant current j > 0 drives v up linearly: from v_reset the cell needs
(thr - v_reset) tau_m / (R j) ms to fire again. During the refractory period (rfr < refract_time)
the current is ignored and v holds.

Compartments: j (input); v, rfr, surrogate, key (state); s, tols (outputs). Knobs: tau_m,
resist_m, thr, v_rest, v_reset, refract_time. ``thr_jitter`` is accepted as a deprecated,
ignored argument (as in ngc-learn).

ngclab extensions: ``batch_size`` (ngc-learn fixes it at 1) and the ``surrogate`` compartment
(ngc-learn accepts surrogate_type but computes nothing with it).

Difference from ngc-learn 3.2.3, where it is broken: with lower_clamp_voltage=False it stores the
voltage from before the spike reset (a cell that fired keeps v > thr and fires again at once);
ngclab stores the reset voltage. An unknown integration_type is an error (ngc-learn prints a
message and uses Euler).
"""
from __future__ import annotations

import jax.numpy as jnp

from ngclab.components.neurons.spiking._lif import (
    check_surrogate,
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


class IFCell(Component):
    """An integrate-and-fire cell (see the module docstring for the dynamics).

    Args:
        name: the cell's name
        n_units: number of cells
        tau_m: membrane time constant (ms)
        resist_m: membrane resistance R (> 0) (Default: 1.)
        thr: voltage threshold (mV) (Default: -52.)
        v_rest: resting potential, the initial voltage and the lower clamp (mV) (Default: -65.)
        v_reset: reset potential after a spike (mV) (Default: -60.)
        refract_time: refractory period (ms) (Default: 0.)
        integration_type: "euler" or "midpoint" ("rk1" / "rk2") (Default: "euler")
        surrogate_type: "straight_through", "arctan", "triangular" or "secant_lif"
            (Default: "straight_through")
        lower_clamp_voltage: keep v >= v_rest (Default: True)
        batch_size: batch size (ngclab extension; Default: 1)
        **kwargs: key (and thr_jitter, deprecated and ignored)
    """

    j: Compartment          # input current
    v: Compartment          # membrane potential (mV)
    s: Compartment          # spikes
    rfr: Compartment        # time since the last spike (ms)
    tols: Compartment       # time of the last spike (ms)
    surrogate: Compartment  # surrogate derivative ds/dj
    tau_m: Knob
    resist_m: Knob
    thr: Knob
    v_rest: Knob
    v_reset: Knob
    refract_time: Knob

    def __init__(self, name, n_units, tau_m, resist_m=1., thr=-52., v_rest=-65., v_reset=-60.,
                 refract_time=0., integration_type="euler", surrogate_type="straight_through",
                 lower_clamp_voltage=True, batch_size=1, **kwargs):
        who = owner(type(self), name)
        renamed_args(who, kwargs, {"thr_jitter": None})
        super().__init__(name, **kwargs)
        n = check_count(who, "n_units", n_units)
        b = check_count(who, "batch_size", batch_size)
        tau_m = check_positive(who, "tau_m", tau_m)
        resist_m = check_positive(who, "resist_m", resist_m)
        thr, v_rest, v_reset = (check_number(who, p, x) for p, x in
                                (("thr", thr), ("v_rest", v_rest), ("v_reset", v_reset)))
        refract_time = check_number(who, "refract_time", refract_time, low=0.)
        self.integration = check_integration(who, integration_type)
        self.d_spike_fx = check_surrogate(who, surrogate_type)
        self.surrogate_type = surrogate_type
        self.lower_clamp_voltage = check_flag(who, "lower_clamp_voltage", lower_clamp_voltage)
        self.n_units, self.batch_size = n, b

        rest = jnp.zeros((b, n))
        self.j = Compartment(rest, kind="input", display_name="Current", units="mA")
        self.v = Compartment(rest + v_rest, display_name="Voltage", units="mV")
        self.s = Compartment(rest, kind="output", display_name="Spikes")
        self.rfr = Compartment(rest + refract_time, display_name="Refractory Time Period",
                               units="ms")
        self.tols = Compartment(rest, kind="output", display_name="Time-of-Last-Spike",
                                units="ms")
        self.surrogate = Compartment(rest + 1., display_name="Surrogate State Value")
        self.tau_m = Knob(tau_m, low=1e-6, doc="membrane time constant (ms)")
        self.resist_m = Knob(resist_m, low=1e-6, doc="membrane resistance")
        self.thr = Knob(thr, doc="voltage threshold (mV)")
        self.v_rest = Knob(v_rest, doc="resting potential and lower clamp (mV)")
        self.v_reset = Knob(v_reset, doc="reset potential (mV)")
        self.refract_time = Knob(refract_time, low=0., doc="refractory period (ms)")

    @compilable
    def advance_state(self, dt, t):
        tau_m, R, thr = self.tau_m.get(), self.resist_m.get(), self.thr.get()
        j = self.j.get() * R
        mask = refractory_mask(self.rfr.get(), self.refract_time.get())

        def dv_dt(_, v):
            return j * mask / tau_m

        v = integrate(self.integration, dv_dt, self.v.get(), dt)
        s = (v > thr).astype(jnp.float32)
        self.surrogate.set(surrogate_derivative(self.surrogate_type, self.d_spike_fx, v, thr, j,
                                                R, dt, tau_m))
        v = spike_reset(v, s, self.v_reset.get())
        if self.lower_clamp_voltage:
            v = jnp.maximum(v, self.v_rest.get())
        self.v.set(v)
        self.s.set(s)
        self.rfr.set(refractory_clock(self.rfr.get(), s, dt))
        self.tols.set(time_of_last_spike(self.tols.get(), s, t))

    @compilable
    def reset(self):
        rest = jnp.zeros((self.batch_size, self.n_units))
        if not self.j.targeted:
            self.j.set(rest)
        self.v.set(rest + self.v_rest.get())
        self.s.set(rest)
        self.rfr.set(rest + self.refract_time.get())
        self.tols.set(rest)
        self.surrogate.set(rest + 1.)

    @classmethod
    def help(cls) -> dict:
        return {
            cls.__name__: {"cell_type": "IFCell - evolves neurons by integrate-and-fire "
                                        "spiking dynamics"},
            "compartments": {
                "inputs": {"j": "External input electrical current"},
                "states": {"v": "Membrane potential at time t",
                           "rfr": "Time since the last spike (refractory variable)",
                           "surrogate": "Surrogate derivative of the spikes w.r.t. j",
                           "key": "JAX PRNG key"},
                "outputs": {"s": "Emitted spikes at time t", "tols": "Time of last spike"}},
            "dynamics": "tau_m * dv/dt = R * j (outside the refractory period); spike when "
                        "v > thr, then v = v_reset",
            "hyperparameters": {
                "n_units": "Number of cells", "tau_m": "Membrane time constant",
                "resist_m": "Membrane resistance", "thr": "Voltage threshold",
                "v_rest": "Resting potential (initial voltage, lower clamp)",
                "v_reset": "Reset potential", "refract_time": "Refractory period (ms)",
                "integration_type": "euler or midpoint",
                "surrogate_type": "straight_through, arctan, triangular or secant_lif",
                "lower_clamp_voltage": "Keep the voltage at or above v_rest?",
                "batch_size": "Batch size"}}
