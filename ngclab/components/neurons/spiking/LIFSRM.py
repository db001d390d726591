"""LIFSRM: the leaky integrate-and-fire cell as a spike-response model (Gerstner, 1995), computed
from kernels instead of an ODE step (ngc-learn 3.2.3's LIFSRM).

| u <- u exp(-(t - t_eval) / tau_m) + (dt / tau_m) j        input kernel (a low-pass trace)
| v = v_rest + u + eta(t - t_last),  eta(s) = (v_reset - v_rest) exp(-s / tau_m)
| s = [v > thr];  t_last <- t, u <- 0, v <- v_reset where s;  t_eval <- t

The trace u decays exactly over the time since the last evaluation, so steps of any size (and
skipped steps) are handled analytically; the reset kernel eta is the decaying memory of the last
reset (0 before the first spike, t_last = -1). Because u restarts at every spike, v between spikes
is exactly v_reset relaxing to rest plus the input received since the spike: an LIF cell.

predict_next_spike(t_start) gives, per cell, when v would next reach thr if the present current j
stayed constant: with u0 = v - v_rest at t_start and the continuous drive du/dt = (j - u) / tau_m,
t_start + tau_m ln((j - u0) / (j - (thr - v_rest))) when j > thr - v_rest, t_start when u0 is
already at threshold, and -1 (never) otherwise.

Compartments: current_j (input); v, j_lowpass, last_t_eval, key (state); s, t_last_spike,
next_spike_t (outputs). Knobs: tau_m, thr, v_rest, v_reset.

Differences from ngc-learn 3.2.3, where it is broken: it never restarts the trace u at a spike,
so a cell driven above threshold fires at every step from its first spike on (the reset only
shows for one step); ngclab restarts u. Its predict_next_spike returns the time at which a
decaying supra-threshold trace would fall back to threshold (not a spike time); ngclab predicts
the threshold crossing under the present current.
"""
from __future__ import annotations

import jax.numpy as jnp

from ngclab.components.neurons.spiking._lif import lif_reset_kernel, spike_reset
from ngclab.components.validation import check_count, check_number, check_positive, owner
from ngclab.core import Compartment, Component, Knob, compilable


class LIFSRM(Component):
    """The LIF spike-response model (see the module docstring for the kernels).

    Args:
        name: the cell's name
        n_units: number of cells
        tau_m: membrane time constant (ms)
        thr: voltage threshold (mV) (Default: -52.)
        v_rest: resting potential (mV) (Default: -65.)
        v_reset: reset potential after a spike (mV) (Default: -60.)
        batch_size: batch size (Default: 1)
        **kwargs: key
    """

    current_j: Compartment     # input current
    v: Compartment             # membrane potential (mV)
    s: Compartment             # spikes
    t_last_spike: Compartment  # time of the last spike (-1: none yet)
    next_spike_t: Compartment  # predicted time of the next spike (-1: none)
    j_lowpass: Compartment     # input trace u (mV)
    last_t_eval: Compartment   # time of the last evaluation (ms)
    tau_m: Knob
    thr: Knob
    v_rest: Knob
    v_reset: Knob

    def __init__(self, name, n_units, tau_m, thr=-52., v_rest=-65., v_reset=-60., batch_size=1,
                 **kwargs):
        super().__init__(name, **kwargs)
        who = owner(type(self), name)
        n = check_count(who, "n_units", n_units)
        b = check_count(who, "batch_size", batch_size)
        tau_m = check_positive(who, "tau_m", tau_m)
        thr, v_rest, v_reset = (check_number(who, p, x) for p, x in
                                (("thr", thr), ("v_rest", v_rest), ("v_reset", v_reset)))
        self.n_units, self.batch_size = n, b

        rest = jnp.zeros((b, n))
        self.current_j = Compartment(rest, kind="input", display_name="Current")
        self.v = Compartment(rest + v_rest, display_name="Voltage", units="mV")
        self.s = Compartment(rest, kind="output", display_name="Spikes")
        self.t_last_spike = Compartment(rest - 1., kind="output", display_name="Last spike time",
                                        units="ms")
        self.next_spike_t = Compartment(rest - 1., kind="output",
                                        display_name="Predicted next spike time", units="ms")
        self.j_lowpass = Compartment(rest, display_name="Input trace", units="mV")
        self.last_t_eval = Compartment(rest, display_name="Last evaluation time", units="ms")
        self.tau_m = Knob(tau_m, low=1e-6, doc="membrane time constant (ms)")
        self.thr = Knob(thr, doc="voltage threshold (mV)")
        self.v_rest = Knob(v_rest, doc="resting potential (mV)")
        self.v_reset = Knob(v_reset, doc="reset potential (mV)")

    def _eta(self, t):
        return lif_reset_kernel(t, self.t_last_spike.get(), self.v_reset.get(),
                                self.v_rest.get(), self.tau_m.get())

    @compilable
    def advance_state(self, dt, t):
        tau_m = self.tau_m.get()
        decay = jnp.exp(-(t - self.last_t_eval.get()) / tau_m)
        u = self.j_lowpass.get() * decay + (dt / tau_m) * self.current_j.get()
        v = self.v_rest.get() + u + self._eta(t)
        s = (v > self.thr.get()).astype(jnp.float32)
        self.t_last_spike.set(jnp.where(s > 0., t, self.t_last_spike.get()))
        self.v.set(spike_reset(v, s, self.v_reset.get()))
        self.s.set(s)
        self.j_lowpass.set(u * (1. - s))  # the input kernel restarts at a spike
        self.last_t_eval.set(jnp.zeros_like(v) + t)

    @compilable
    def predict_next_spike(self, t_start):
        tau_m, theta = self.tau_m.get(), self.thr.get() - self.v_rest.get()
        u0 = self.j_lowpass.get() * jnp.exp(-(t_start - self.last_t_eval.get()) / tau_m) \
            + self._eta(t_start)
        drive = jnp.broadcast_to(self.current_j.get(), u0.shape)
        reaches = drive > theta
        ratio = jnp.where(reaches, (drive - u0) / jnp.where(reaches, drive - theta, 1.), 1.)
        crossing = t_start + tau_m * jnp.log(jnp.maximum(ratio, 1.))
        self.next_spike_t.set(jnp.where(u0 >= theta, t_start * jnp.ones_like(u0),
                                        jnp.where(reaches, crossing, -1.)))

    @compilable
    def reset(self):
        rest = jnp.zeros((self.batch_size, self.n_units))
        if not self.current_j.targeted:
            self.current_j.set(rest)
        self.v.set(rest + self.v_rest.get())
        self.s.set(rest)
        self.t_last_spike.set(rest - 1.)
        self.next_spike_t.set(rest - 1.)
        self.j_lowpass.set(rest)
        self.last_t_eval.set(rest)

    @classmethod
    def help(cls) -> dict:
        return {
            cls.__name__: {"cell_type": "LIFSRM - leaky integrate-and-fire neurons computed as "
                                        "a spike-response model (kernels, no ODE steps)"},
            "compartments": {
                "inputs": {"current_j": "External input electrical current"},
                "states": {"v": "Membrane potential at time t",
                           "j_lowpass": "Low-pass trace of the input since the last spike",
                           "last_t_eval": "Time of the last evaluation",
                           "key": "JAX PRNG key"},
                "outputs": {"s": "Emitted spikes at time t",
                            "t_last_spike": "Time of the last spike (-1: none)",
                            "next_spike_t": "Predicted time of the next spike (-1: none)"}},
            "dynamics": "v = v_rest + u + (v_reset - v_rest) * exp(-(t - t_last) / tau_m), "
                        "u <- u * exp(-(t - t_eval) / tau_m) + (dt / tau_m) * current_j",
            "hyperparameters": {
                "n_units": "Number of cells", "tau_m": "Membrane time constant",
                "thr": "Voltage threshold", "v_rest": "Resting potential",
                "v_reset": "Reset potential", "batch_size": "Batch size"}}
