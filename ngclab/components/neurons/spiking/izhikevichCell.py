"""IzhikevichCell: Izhikevich's (2003) two-variable spiking cell (ngc-learn 3.2.3's
IzhikevichCell).

| s = [v(t) > v_thr]                         (read from the voltage the step starts from)
| tau_m dv/dt = 0.04 v^2 + 5 v + 140 - w + R j
| tau_w dw/dt = b v - w
| v <- c,  w <- w(t) + d                     where s (the spiking step is not integrated)
| tols <- t where s (time of last spike)

Izhikevich's a, b, c, d are tau_w = 1/a, b = coupling_factor, c = v_reset, d = w_reset, and
R = resist_m. With tau_m = 1 and dt in ms these are the published equations
v' = 0.04 v^2 + 5 v + 140 - u + I, u' = a (b v - u) (w is Izhikevich's u). The defaults
(a = 0.02, b = 0.2, c = -65, d = 8) give a regular-spiking cell; the published patterns
(Izhikevich 2003, fig. 2) include intrinsically bursting (c = -55, d = 4), chattering (c = -50,
d = 2), fast spiking (a = 0.1, d = 2) and low-threshold spiking (b = 0.25, d = 2).

The voltage is stepped with w held at w(t) and the recovery with v held at v(t) (see
_coupled.py). A spike is seen one step after v crossed v_thr, as in ngc-learn.

Compartments: j (input); v, w, key (state); s, tols (outputs). Knobs: tau_m, resist_m, v_thr,
v_reset, tau_w, w_reset, coupling_factor, v0, w0.

ngclab extension: ``batch_size`` (ngc-learn fixes it at 1). An unknown integration_type is an
error (ngc-learn prints a message and uses Euler).
"""
from __future__ import annotations

import jax.numpy as jnp

from ngclab.components.neurons.spiking._coupled import reset_values, snap, spike, step_each
from ngclab.components.ode import check_integration
from ngclab.components.spikes import time_of_last_spike
from ngclab.components.validation import (
    check_count,
    check_number,
    check_positive,
    owner,
)
from ngclab.core import Compartment, Component, Knob, compilable


class IzhikevichCell(Component):
    """Izhikevich's spiking cell (see the module docstring for the dynamics).

    Args:
        name: the cell's name
        n_units: number of cells
        tau_m: membrane time constant (ms) (Default: 1.)
        resist_m: membrane resistance R (Default: 1.)
        v_thr: spike threshold (mV) (Default: 30.)
        v_reset: voltage after a spike, Izhikevich's c (mV) (Default: -65.)
        tau_w: recovery time constant, 1/a (ms) (Default: 50.)
        w_reset: recovery increment after a spike, Izhikevich's d (Default: 8.)
        coupling_factor: sensitivity of the recovery to v, Izhikevich's b (Default: 0.2)
        v0: initial (and reset) voltage (mV) (Default: -65.)
        w0: initial (and reset) recovery (Default: -14.)
        integration_type: "euler" or "midpoint" ("rk1" / "rk2") (Default: "euler")
        batch_size: batch size (ngclab extension; Default: 1)
        **kwargs: key
    """

    j: Compartment                 # input current
    v: Compartment                 # membrane potential (mV)
    w: Compartment                 # recovery variable (Izhikevich's u)
    s: Compartment                 # spikes
    tols: Compartment              # time of last spike (ms)
    tau_m: Knob
    resist_m: Knob
    v_thr: Knob
    v_reset: Knob                  # c
    tau_w: Knob                    # 1 / a
    w_reset: Knob                  # d
    coupling_factor: Knob          # b
    v0: Knob
    w0: Knob

    def __init__(self, name, n_units, tau_m=1., resist_m=1., v_thr=30., v_reset=-65.,
                 tau_w=50., w_reset=8., coupling_factor=0.2, v0=-65., w0=-14.,
                 integration_type="euler", batch_size=1, **kwargs):
        super().__init__(name, **kwargs)
        who = owner(type(self), name)
        n = check_count(who, "n_units", n_units)
        b = check_count(who, "batch_size", batch_size)
        vals = {p: check_positive(who, p, x) for p, x in
                (("tau_m", tau_m), ("resist_m", resist_m), ("tau_w", tau_w))}
        for p, x in (("v_thr", v_thr), ("v_reset", v_reset), ("w_reset", w_reset),
                     ("coupling_factor", coupling_factor), ("v0", v0), ("w0", w0)):
            vals[p] = check_number(who, p, x)
        self.integration = check_integration(who, integration_type)
        self.n_units, self.batch_size = n, b
        rest = jnp.zeros((b, n))
        self.j = Compartment(rest, kind="input", display_name="Current", units="mA")
        self.v = Compartment(rest + vals["v0"], display_name="Voltage", units="mV")
        self.w = Compartment(rest + vals["w0"], display_name="Recovery")
        self.s = Compartment(rest, kind="output", display_name="Spikes")
        self.tols = Compartment(rest, kind="output", display_name="Time-of-Last-Spike",
                                units="ms")
        self.tau_m = Knob(vals["tau_m"], low=1e-6, doc="membrane time constant (ms)")
        self.resist_m = Knob(vals["resist_m"], low=1e-6, doc="membrane resistance")
        self.v_thr = Knob(vals["v_thr"], doc="spike threshold (mV)")
        self.v_reset = Knob(vals["v_reset"], doc="c: voltage after a spike (mV)",
                            slider=(-80., -40.))
        self.tau_w = Knob(vals["tau_w"], low=1e-6, doc="1/a: recovery time constant (ms)",
                          slider=(5., 100.))
        self.w_reset = Knob(vals["w_reset"], doc="d: recovery increment after a spike",
                            slider=(0., 10.))
        self.coupling_factor = Knob(vals["coupling_factor"], doc="b: recovery sensitivity "
                                                                 "to v", slider=(0.1, 0.3))
        self.v0 = Knob(vals["v0"], doc="initial voltage (mV)")
        self.w0 = Knob(vals["w0"], doc="initial recovery")

    @compilable
    def advance_state(self, dt, t):
        v, w = self.v.get(), self.w.get()
        j = self.j.get() * self.resist_m.get()
        b, tau_m, tau_w = self.coupling_factor.get(), self.tau_m.get(), self.tau_w.get()
        s = spike(v, self.v_thr.get())   # the crossing of the previous step
        v_next, w_next = step_each(
            self.integration, dt,
            (v, lambda x: (0.04 * jnp.square(x) + 5. * x + 140. - w + j) / tau_m),
            (w, lambda x: (b * v - x) / tau_w))
        s = jnp.broadcast_to(s, v_next.shape)
        self.v.set(snap(s, v_next, self.v_reset.get()))
        self.w.set(snap(s, w_next, w + self.w_reset.get()))
        self.s.set(s)
        self.tols.set(time_of_last_spike(self.tols.get(), s, t))

    @compilable
    def reset(self):
        reset_values(self, [(self.j, 0.), (self.v, self.v0.get()), (self.w, self.w0.get()),
                            (self.s, 0.), (self.tols, 0.)])

    @classmethod
    def help(cls) -> dict:
        return {
            cls.__name__: {"cell_type": "IzhikevichCell - evolves neurons by Izhikevich's "
                                        "two-variable (voltage, recovery) spiking dynamics"},
            "compartments": {
                "inputs": {"j": "External input electrical current"},
                "states": {"v": "Membrane potential at time t",
                           "w": "Recovery variable at time t", "key": "JAX PRNG key"},
                "outputs": {"s": "Emitted spikes at time t", "tols": "Time of last spike"}},
            "dynamics": "tau_m * dv/dt = 0.04 v^2 + 5 v + 140 - w + R * j; "
                        "tau_w * dw/dt = b * v - w (tau_w = 1/a, b = coupling_factor); "
                        "spike when v > v_thr, then v = v_reset (c), w = w + w_reset (d)",
            "hyperparameters": {
                "n_units": "Number of cells", "tau_m": "Membrane time constant",
                "resist_m": "Membrane resistance", "v_thr": "Spike threshold",
                "v_reset": "Voltage after a spike (Izhikevich's c)",
                "tau_w": "Recovery time constant (1 / Izhikevich's a)",
                "w_reset": "Recovery increment after a spike (Izhikevich's d)",
                "coupling_factor": "Sensitivity of the recovery to v (Izhikevich's b)",
                "v0": "Initial voltage", "w0": "Initial recovery",
                "integration_type": "euler or midpoint", "batch_size": "Batch size"}}
