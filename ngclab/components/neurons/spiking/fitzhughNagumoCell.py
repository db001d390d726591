"""FitzhughNagumoCell: the FitzHugh-Nagumo two-variable reduction of the Hodgkin-Huxley axon
(ngc-learn 3.2.3's FitzhughNagumoCell).

| tau_m dv/dt = v - v^3 / gamma - w + R j
| tau_w dw/dt = v + alpha - beta w
| s = [v(t + dt) > v_thr]
| v <- v0,  w <- w0 where s           (only with spike_reset)
| tols <- t where s (time of last spike)

w is the slow recovery (sodium inactivation and potassium activation lumped together) and R =
resist_m. The nullclines are the cubic w = v - v^3 / gamma + R j (dv/dt = 0) and the line
w = (v + alpha) / beta (dw/dt = 0); with the defaults (alpha = 0.7, beta = 0.8, gamma = 3,
tau_w = 12.5) a constant input moves the cubic up and, for R j roughly between 0.33 and 1.42,
the fixed point loses its stability to a limit cycle: the cell fires periodically. A spike is
any step that ends with v above v_thr (without spike_reset, the several steps of one upswing
each count).

The voltage is stepped with w held at w(t) and the recovery with v held at v(t) (see
_coupled.py).

Compartments: j (input); v, w, key (state); s, tols (outputs). Knobs: tau_m, resist_m, tau_w,
alpha, beta, gamma, v0, w0, v_thr.

ngclab extension: ``batch_size`` (ngc-learn fixes it at 1). An unknown integration_type is an
error (ngc-learn prints a message and uses Euler); gamma must be > 0 (it divides).
"""
from __future__ import annotations

import jax.numpy as jnp

from ngclab.components.neurons.spiking._coupled import reset_values, snap, spike, step_each
from ngclab.components.ode import check_integration
from ngclab.components.spikes import time_of_last_spike
from ngclab.components.validation import (
    check_count,
    check_flag,
    check_number,
    check_positive,
    owner,
)
from ngclab.core import Compartment, Component, Knob, compilable


class FitzhughNagumoCell(Component):
    """A FitzHugh-Nagumo cell (see the module docstring for the dynamics).

    Args:
        name: the cell's name
        n_units: number of cells
        tau_m: membrane time constant (Default: 1.)
        resist_m: membrane resistance R (Default: 1.)
        tau_w: recovery time constant (Default: 12.5)
        alpha: recovery shift a (Default: 0.7)
        beta: recovery scale b (Default: 0.8)
        gamma: divisor of the cubic term (Default: 3.)
        v0: initial (and reset) voltage (Default: 0.)
        w0: initial (and reset) recovery (Default: 0.)
        v_thr: spike threshold (Default: 1.07)
        spike_reset: snap v and w back to v0, w0 after a spike (Default: False)
        integration_type: "euler" or "midpoint" ("rk1" / "rk2") (Default: "euler")
        batch_size: batch size (ngclab extension; Default: 1)
        **kwargs: key
    """

    j: Compartment                 # input current
    v: Compartment                 # membrane potential (dimensionless)
    w: Compartment                 # recovery variable
    s: Compartment                 # spikes
    tols: Compartment              # time of last spike
    tau_m: Knob
    resist_m: Knob
    tau_w: Knob
    alpha: Knob
    beta: Knob
    gamma: Knob
    v0: Knob
    w0: Knob
    v_thr: Knob

    def __init__(self, name, n_units, tau_m=1., resist_m=1., tau_w=12.5, alpha=0.7, beta=0.8,
                 gamma=3., v0=0., w0=0., v_thr=1.07, spike_reset=False,
                 integration_type="euler", batch_size=1, **kwargs):
        super().__init__(name, **kwargs)
        who = owner(type(self), name)
        n = check_count(who, "n_units", n_units)
        b = check_count(who, "batch_size", batch_size)
        vals = {p: check_positive(who, p, x) for p, x in
                (("tau_m", tau_m), ("resist_m", resist_m), ("tau_w", tau_w), ("gamma", gamma))}
        for p, x in (("alpha", alpha), ("beta", beta), ("v0", v0), ("w0", w0),
                     ("v_thr", v_thr)):
            vals[p] = check_number(who, p, x)
        self.spike_reset = check_flag(who, "spike_reset", spike_reset)
        self.integration = check_integration(who, integration_type)
        self.n_units, self.batch_size = n, b
        rest = jnp.zeros((b, n))
        self.j = Compartment(rest, kind="input", display_name="Current")
        self.v = Compartment(rest + vals["v0"], display_name="Voltage")
        self.w = Compartment(rest + vals["w0"], display_name="Recovery")
        self.s = Compartment(rest, kind="output", display_name="Spikes")
        self.tols = Compartment(rest, kind="output", display_name="Time-of-Last-Spike",
                                units="ms")
        self.tau_m = Knob(vals["tau_m"], low=1e-6, doc="membrane time constant")
        self.resist_m = Knob(vals["resist_m"], low=1e-6, doc="membrane resistance")
        self.tau_w = Knob(vals["tau_w"], low=1e-6, doc="recovery time constant")
        self.alpha = Knob(vals["alpha"], doc="a: shift of the recovery nullcline")
        self.beta = Knob(vals["beta"], doc="b: recovery self-decay")
        self.gamma = Knob(vals["gamma"], low=1e-6, doc="divisor of the cubic v^3 term")
        self.v0 = Knob(vals["v0"], doc="initial voltage")
        self.w0 = Knob(vals["w0"], doc="initial recovery")
        self.v_thr = Knob(vals["v_thr"], doc="spike threshold")

    @compilable
    def advance_state(self, dt, t):
        v, w = self.v.get(), self.w.get()
        j = self.j.get() * self.resist_m.get()
        gamma, alpha, beta = self.gamma.get(), self.alpha.get(), self.beta.get()
        tau_m, tau_w = self.tau_m.get(), self.tau_w.get()
        v_next, w_next = step_each(
            self.integration, dt,
            (v, lambda x: (x - x ** 3 / gamma - w + j) / tau_m),
            (w, lambda x: (v + alpha - beta * x) / tau_w))
        v_next, w_next = jnp.broadcast_arrays(v_next, w_next)
        s = spike(v_next, self.v_thr.get())
        if self.spike_reset:
            v_next = snap(s, v_next, self.v0.get())
            w_next = snap(s, w_next, self.w0.get())
        self.v.set(v_next)
        self.w.set(w_next)
        self.s.set(s)
        self.tols.set(time_of_last_spike(self.tols.get(), s, t))

    @compilable
    def reset(self):
        reset_values(self, [(self.j, 0.), (self.v, self.v0.get()), (self.w, self.w0.get()),
                            (self.s, 0.), (self.tols, 0.)])

    @classmethod
    def help(cls) -> dict:
        return {
            cls.__name__: {"cell_type": "FitzhughNagumoCell - evolves neurons by the "
                                        "FitzHugh-Nagumo two-variable spiking dynamics"},
            "compartments": {
                "inputs": {"j": "External input electrical current"},
                "states": {"v": "Membrane potential at time t",
                           "w": "Recovery variable at time t", "key": "JAX PRNG key"},
                "outputs": {"s": "Emitted spikes at time t", "tols": "Time of last spike"}},
            "dynamics": "tau_m * dv/dt = v - v^3 / gamma - w + R * j; "
                        "tau_w * dw/dt = v + alpha - beta * w; spike when v > v_thr",
            "hyperparameters": {
                "n_units": "Number of cells", "tau_m": "Membrane time constant",
                "resist_m": "Membrane resistance", "tau_w": "Recovery time constant",
                "alpha": "Shift of the recovery nullcline (a)",
                "beta": "Recovery self-decay (b)", "gamma": "Divisor of the cubic term",
                "v0": "Initial voltage", "w0": "Initial recovery", "v_thr": "Spike threshold",
                "spike_reset": "Snap v, w back to v0, w0 after a spike?",
                "integration_type": "euler or midpoint", "batch_size": "Batch size"}}
