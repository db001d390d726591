"""AdExCell: the adaptive exponential integrate-and-fire cell of Brette & Gerstner (2005)
(ngc-learn 3.2.3's AdExCell).

| tau_m dv/dt = -(v - v_rest) + D exp((v - v_T) / D) - R w + R j
| tau_w dw/dt = a (v - v_rest) - w
| s = [v(t + dt) > thr]
| v <- v_reset,  w <- w(t + dt) + b          where s (spike-triggered adaptation)
| tols <- t where s (time of last spike)

D = v_sharpness (the slope factor Delta_T), v_T = intrinsic_mem_thr, R = resist_m. Below v_T
the exponential is small and the cell is a leaky integrator; above it the exponential takes over
and v runs away (the upswing of a spike), which thr cuts off. The adaptation current w grows
with every spike (by b) and with the subthreshold voltage (coupling a), and decays with tau_w:
under a step current the inter-spike intervals lengthen until w settles.

The voltage is stepped with w held at w(t) and the adaptation with v held at v(t) (see
_coupled.py).

Compartments: j (input); v, w, key (state); s, tols (outputs). Knobs: tau_m, resist_m, tau_w,
v_sharpness, intrinsic_mem_thr, thr, v_rest, v_reset, a, b, v0, w0. ``v_thr`` is accepted as
the deprecated name of thr (as in ngc-learn).

An unknown integration_type is an error (ngc-learn prints a message and uses Euler).
"""
from __future__ import annotations

import warnings

import jax.numpy as jnp

from ngclab.components.layers import rename_recorded
from ngclab.components.neurons.spiking._coupled import reset_values, snap, spike, step_each
from ngclab.components.ode import check_integration
from ngclab.components.spikes import time_of_last_spike
from ngclab.components.validation import check_count, check_number, check_positive, owner
from ngclab.core import Compartment, Component, Knob, compilable


class AdExCell(Component):
    """An adaptive exponential integrate-and-fire cell (see the module docstring).

    Args:
        name: the cell's name
        n_units: number of cells
        tau_m: membrane time constant (ms) (Default: 15.)
        resist_m: membrane resistance R (Default: 1.)
        tau_w: adaptation time constant (ms) (Default: 400.)
        v_sharpness: slope factor Delta_T of the exponential (mV) (Default: 2.)
        intrinsic_mem_thr: intrinsic threshold v_T where the exponential takes over (mV)
            (Default: -55.)
        thr: spike cut-off (mV) (Default: 5.)
        v_rest: resting potential (mV) (Default: -72.)
        v_reset: voltage after a spike (mV) (Default: -75.)
        a: subthreshold adaptation coupling (Default: 0.1)
        b: adaptation increment per spike (Default: 0.75)
        v0: initial (and reset) voltage (mV) (Default: -70.)
        w0: initial (and reset) adaptation (Default: 0.)
        integration_type: "euler" or "midpoint" ("rk1" / "rk2") (Default: "euler")
        batch_size: batch size (Default: 1)
        **kwargs: key (and v_thr, the deprecated name of thr)
    """

    j: Compartment                 # input current
    v: Compartment                 # membrane potential (mV)
    w: Compartment                 # adaptation current
    s: Compartment                 # spikes
    tols: Compartment              # time of last spike (ms)
    tau_m: Knob
    resist_m: Knob
    tau_w: Knob
    v_sharpness: Knob
    intrinsic_mem_thr: Knob
    thr: Knob
    v_rest: Knob
    v_reset: Knob
    a: Knob
    b: Knob
    v0: Knob
    w0: Knob

    def __init__(self, name, n_units, tau_m=15., resist_m=1., tau_w=400., v_sharpness=2.,
                 intrinsic_mem_thr=-55., thr=5., v_rest=-72., v_reset=-75., a=0.1, b=0.75,
                 v0=-70., w0=0., integration_type="euler", batch_size=1, **kwargs):
        who = owner(type(self), name)
        if "v_thr" in kwargs:
            warnings.warn(f"{who}: the argument 'v_thr' is deprecated, use 'thr'",
                          DeprecationWarning, stacklevel=3)
            thr = kwargs.pop("v_thr")
        super().__init__(name, **kwargs)
        rename_recorded(self, "v_thr", "thr")
        n = check_count(who, "n_units", n_units)
        bs = check_count(who, "batch_size", batch_size)
        vals = {p: check_positive(who, p, x) for p, x in
                (("tau_m", tau_m), ("resist_m", resist_m), ("tau_w", tau_w),
                 ("v_sharpness", v_sharpness))}
        for p, x in (("intrinsic_mem_thr", intrinsic_mem_thr), ("thr", thr),
                     ("v_rest", v_rest), ("v_reset", v_reset), ("a", a), ("b", b),
                     ("v0", v0), ("w0", w0)):
            vals[p] = check_number(who, p, x)
        self.integration = check_integration(who, integration_type)
        self.n_units, self.batch_size = n, bs
        rest = jnp.zeros((bs, n))
        self.j = Compartment(rest, kind="input", display_name="Current", units="mA")
        self.v = Compartment(rest + vals["v0"], display_name="Voltage", units="mV")
        self.w = Compartment(rest + vals["w0"], display_name="Recovery")
        self.s = Compartment(rest, kind="output", display_name="Spikes")
        self.tols = Compartment(rest, kind="output", display_name="Time-of-Last-Spike",
                                units="ms")
        self.tau_m = Knob(vals["tau_m"], low=1e-6, doc="membrane time constant (ms)")
        self.resist_m = Knob(vals["resist_m"], low=1e-6, doc="membrane resistance")
        self.tau_w = Knob(vals["tau_w"], low=1e-6, doc="adaptation time constant (ms)")
        self.v_sharpness = Knob(vals["v_sharpness"], low=1e-6, doc="slope factor Delta_T (mV)")
        self.intrinsic_mem_thr = Knob(vals["intrinsic_mem_thr"],
                                      doc="v_T: where the exponential takes over (mV)")
        self.thr = Knob(vals["thr"], doc="spike cut-off (mV)")
        self.v_rest = Knob(vals["v_rest"], doc="resting potential (mV)")
        self.v_reset = Knob(vals["v_reset"], doc="voltage after a spike (mV)")
        self.a = Knob(vals["a"], doc="subthreshold adaptation coupling")
        self.b = Knob(vals["b"], doc="adaptation increment per spike")
        self.v0 = Knob(vals["v0"], doc="initial voltage (mV)")
        self.w0 = Knob(vals["w0"], doc="initial adaptation")

    @compilable
    def advance_state(self, dt, t):
        v, w = self.v.get(), self.w.get()
        j, R = self.j.get(), self.resist_m.get()
        v_rest, D, v_T = self.v_rest.get(), self.v_sharpness.get(), self.intrinsic_mem_thr.get()
        tau_m, tau_w, a = self.tau_m.get(), self.tau_w.get(), self.a.get()
        v_next, w_next = step_each(
            self.integration, dt,
            (v, lambda x: (-(x - v_rest) + D * jnp.exp((x - v_T) / D) - R * w + R * j) / tau_m),
            (w, lambda x: (a * (v - v_rest) - x) / tau_w))
        v_next, w_next = jnp.broadcast_arrays(v_next, w_next)
        s = spike(v_next, self.thr.get())
        self.v.set(snap(s, v_next, self.v_reset.get()))
        self.w.set(snap(s, w_next, w_next + self.b.get()))
        self.s.set(s)
        self.tols.set(time_of_last_spike(self.tols.get(), s, t))

    @compilable
    def reset(self):
        reset_values(self, [(self.j, 0.), (self.v, self.v0.get()), (self.w, self.w0.get()),
                            (self.s, 0.), (self.tols, 0.)])

    @classmethod
    def help(cls) -> dict:
        return {
            cls.__name__: {"cell_type": "AdExCell - evolves neurons by adaptive exponential "
                                        "integrate-and-fire dynamics"},
            "compartments": {
                "inputs": {"j": "External input electrical current"},
                "states": {"v": "Membrane potential at time t",
                           "w": "Adaptation (recovery) variable at time t",
                           "key": "JAX PRNG key"},
                "outputs": {"s": "Emitted spikes at time t", "tols": "Time of last spike"}},
            "dynamics": "tau_m * dv/dt = -(v - v_rest) + D * exp((v - v_T) / D) - R * w + "
                        "R * j; tau_w * dw/dt = a * (v - v_rest) - w; spike when v > thr, "
                        "then v = v_reset, w = w + b",
            "hyperparameters": {
                "n_units": "Number of cells", "batch_size": "Batch size",
                "tau_m": "Membrane time constant", "resist_m": "Membrane resistance",
                "tau_w": "Adaptation time constant", "thr": "Spike cut-off voltage",
                "v_rest": "Resting potential", "v_reset": "Voltage after a spike",
                "v_sharpness": "Slope factor Delta_T of the exponential",
                "intrinsic_mem_thr": "Intrinsic threshold v_T of the exponential",
                "a": "Subthreshold adaptation coupling", "b": "Adaptation increment per spike",
                "v0": "Initial voltage", "w0": "Initial adaptation",
                "integration_type": "euler or midpoint"}}
