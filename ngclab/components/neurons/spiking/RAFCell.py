"""RAFCell: Izhikevich's (2001) resonate-and-fire cell, a damped oscillator that fires when its
voltage crosses a threshold (ngc-learn 3.2.3's RAFCell).

| tau_w dw/dt = b w - omega v + R j          (integrated first, with the old v)
| tau_v dv/dt = b v + omega w                (then v, with the new w)
| s = [v > thr];  v <- v_reset, w <- w_reset where s     (if post_spike_reset)
| tols <- t where s

with b = ``dampen_factor`` (< 0 damps). With tau_v = tau_w = tau the linear system has the
eigenvalues (b +- i omega) / tau: the cell rings at omega / (2 pi tau) cycles per ms and responds
most to input pulses that arrive at that frequency. Integrating w first (a symplectic Euler step
for b = 0) keeps the discrete oscillation from growing: per step it turns by
theta = arccos(1 - omega^2 dt^2 / (2 tau_v tau_w)).

Compartments: j (input); v, w, key (state); s, tols (outputs). Knobs: tau_v, tau_w, thr, omega,
dampen_factor, v_reset, w_reset, v0, w0, resist_v. ``resist_m``, ``tau_m`` and ``b`` are accepted
as the deprecated names of resist_v, tau_v and dampen_factor (as in ngc-learn).

An unknown integration_type is an error (ngc-learn prints a message and uses Euler).
"""
from __future__ import annotations

import jax.numpy as jnp

from ngclab.components.neurons.spiking._lif import renamed_args, spike_reset
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

RENAMED = {"resist_m": "resist_v", "tau_m": "tau_v", "b": "dampen_factor"}


class RAFCell(Component):
    """A resonate-and-fire cell (see the module docstring for the dynamics).

    Args:
        name: the cell's name
        n_units: number of cells
        tau_v: voltage time constant (ms) (Default: 1.)
        tau_w: angular-driver time constant (ms) (Default: 1.)
        thr: voltage threshold (Default: 1.)
        omega: angular frequency (Default: 10.)
        dampen_factor: damping b (< 0 damps the oscillation) (Default: -1.)
        v_reset: voltage after a spike (Default: 0.)
        w_reset: angular driver after a spike (Default: 0.)
        v0: initial voltage (Default: 0.)
        w0: initial angular driver (Default: 0.)
        resist_v: resistance R scaling the input current (Default: 1.)
        post_spike_reset: reset v and w after a spike (Default: True)
        integration_type: "euler" or "midpoint" ("rk1" / "rk2") (Default: "euler")
        batch_size: batch size (Default: 1)
        **kwargs: key (and resist_m, tau_m, b: deprecated names)
    """

    j: Compartment     # input current
    v: Compartment     # membrane potential
    w: Compartment     # angular driver
    s: Compartment     # spikes
    tols: Compartment  # time of the last spike (ms)
    tau_v: Knob
    tau_w: Knob
    thr: Knob
    omega: Knob
    dampen_factor: Knob
    v_reset: Knob
    w_reset: Knob
    v0: Knob
    w0: Knob
    resist_v: Knob

    def __init__(self, name, n_units, tau_v=1., tau_w=1., thr=1., omega=10., dampen_factor=-1.,
                 v_reset=0., w_reset=0., v0=0., w0=0., resist_v=1., post_spike_reset=True,
                 integration_type="euler", batch_size=1, **kwargs):
        who = owner(type(self), name)
        given = {"tau_v": tau_v, "dampen_factor": dampen_factor, "resist_v": resist_v}
        given.update(renamed_args(who, kwargs, RENAMED))
        super().__init__(name, **kwargs)
        n = check_count(who, "n_units", n_units)
        b = check_count(who, "batch_size", batch_size)
        vals = {p: check_positive(who, p, x) for p, x in (
            ("tau_v", given["tau_v"]), ("tau_w", tau_w), ("resist_v", given["resist_v"]))}
        for pname, x in (("thr", thr), ("omega", omega), ("dampen_factor",
                         given["dampen_factor"]), ("v_reset", v_reset), ("w_reset", w_reset),
                         ("v0", v0), ("w0", w0)):
            vals[pname] = check_number(who, pname, x)
        self.integration = check_integration(who, integration_type)
        self.post_spike_reset = check_flag(who, "post_spike_reset", post_spike_reset)
        self.n_units, self.batch_size = n, b

        rest = jnp.zeros((b, n))
        self.j = Compartment(rest, kind="input", display_name="Current", units="mA")
        self.v = Compartment(rest + vals["v0"], display_name="Voltage", units="mV")
        self.w = Compartment(rest + vals["w0"], display_name="Angular-Driver")
        self.s = Compartment(rest, kind="output", display_name="Spikes")
        self.tols = Compartment(rest, kind="output", display_name="Time-of-Last-Spike",
                                units="ms")
        self.tau_v = Knob(vals["tau_v"], low=1e-6, doc="voltage time constant (ms)")
        self.tau_w = Knob(vals["tau_w"], low=1e-6, doc="angular-driver time constant (ms)")
        self.thr = Knob(vals["thr"], doc="voltage threshold")
        self.omega = Knob(vals["omega"], doc="angular frequency")
        self.dampen_factor = Knob(vals["dampen_factor"], doc="damping b (< 0 damps)")
        self.v_reset = Knob(vals["v_reset"], doc="voltage after a spike")
        self.w_reset = Knob(vals["w_reset"], doc="angular driver after a spike")
        self.v0 = Knob(vals["v0"], doc="initial voltage (restored by reset)")
        self.w0 = Knob(vals["w0"], doc="initial angular driver (restored by reset)")
        self.resist_v = Knob(vals["resist_v"], low=1e-6, doc="input resistance")

    @compilable
    def advance_state(self, t, dt):
        j = self.j.get() * self.resist_v.get()
        omega, b = self.omega.get(), self.dampen_factor.get()
        v_old = self.v.get()

        def dw_dt(_, w):
            return (b * w - omega * v_old + j) / self.tau_w.get()

        w = integrate(self.integration, dw_dt, self.w.get(), dt)

        def dv_dt(_, v):
            return (b * v + omega * w) / self.tau_v.get()

        v = integrate(self.integration, dv_dt, v_old, dt)
        s = (v > self.thr.get()).astype(jnp.float32)
        if self.post_spike_reset:
            w = spike_reset(w, s, self.w_reset.get())
            v = spike_reset(v, s, self.v_reset.get())
        self.v.set(v)
        self.w.set(w)
        self.s.set(s)
        self.tols.set(time_of_last_spike(self.tols.get(), s, t))

    @compilable
    def reset(self):
        rest = jnp.zeros((self.batch_size, self.n_units))
        if not self.j.targeted:
            self.j.set(rest)
        self.v.set(rest + self.v0.get())
        self.w.set(rest + self.w0.get())
        self.s.set(rest)
        self.tols.set(rest)

    @classmethod
    def help(cls) -> dict:
        return {
            cls.__name__: {"cell_type": "RAFCell - evolves neurons by resonate-and-fire "
                                        "(damped oscillator) spiking dynamics"},
            "compartments": {
                "inputs": {"j": "External input electrical current"},
                "states": {"v": "Membrane potential at time t",
                           "w": "Angular driver at time t", "key": "JAX PRNG key"},
                "outputs": {"s": "Emitted spikes at time t", "tols": "Time of last spike"}},
            "dynamics": "tau_v * dv/dt = omega * w + v * dampen_factor; "
                        "tau_w * dw/dt = w * dampen_factor - v * omega + resist_v * j",
            "hyperparameters": {
                "n_units": "Number of cells", "tau_v": "Voltage time constant",
                "tau_w": "Angular-driver time constant", "thr": "Voltage threshold",
                "omega": "Angular frequency", "dampen_factor": "Damping b (< 0 damps)",
                "v_reset": "Voltage after a spike", "w_reset": "Angular driver after a spike",
                "v0": "Initial voltage", "w0": "Initial angular driver",
                "resist_v": "Input resistance",
                "post_spike_reset": "Reset v and w after a spike?",
                "integration_type": "euler or midpoint", "batch_size": "Batch size"}}
