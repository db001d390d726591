"""ExpKernel: the exponential kernel of the pulses of a recent time window, an excitatory
post-synaptic potential (ngc-learn 3.2.3's ExpKernel).

| epsp(t) = sum_{t_f in window} s_f exp(-(t - t_f) / tau_w)

over the pulses s_f (1 for a spike) received at times t_f within the last int(nu / dt) steps,
this one included. ``tf`` keeps the spike times of a ring of int(nu / dt) + 1 steps (0 where no
pulse arrived; the newest at the next-to-last slot, the slot leaving the window last) and
``pulses`` their amplitudes.

Compartments: inputs (input); tf, pulses (states, (window, batch, n_units)); epsp (output).
Knob: tau_w. ``dt`` and ``nu`` fix the window, so they are plain parameters. The window keeps
``batch_size`` samples (ngc-learn's layout, window first), so unlike most components the kernel
does not follow the data's batch size: inputs of another batch size are refused by name (in
ngc-learn they fail to broadcast).

Differences from ngc-learn 3.2.3, where it is broken: ngc-learn keeps only the times s t and
counts a slot when s t > 0, so a spike at t = 0 is never counted and a pulse of amplitude s at t
counts as a spike at time s t; ngclab keeps the amplitudes (``pulses``, an extra compartment),
so both count as the equation says (the same numbers for spikes after t = 0). ``nu`` < ``dt``
(an empty window: epsp always 0) is an error.
"""
from __future__ import annotations

import jax.numpy as jnp

from ngclab.components.layers import reset_compartments
from ngclab.components.validation import check_count, check_positive, owner
from ngclab.core import Compartment, Component, Knob, compilable


def push(window: jnp.ndarray, newest: jnp.ndarray) -> jnp.ndarray:
    """The ring after one step: slots move one place towards the front, the newest value goes
    to the next-to-last slot and the oldest (front) one to the last slot."""
    return jnp.concatenate([window[1:-1], newest[None], window[:1]], axis=0)


class ExpKernel(Component):
    """An exponential kernel over a moving window of pulses (see the module docstring).

    Args:
        name: the operator's name
        n_units: number of units
        dt: integration time step (ms); with nu it fixes the window
        tau_w: kernel time constant (ms) (Default: 500.)
        nu: length of the window (ms) (Default: 4.)
        batch_size: batch size (Default: 1)
        **kwargs: key
    """

    inputs: Compartment   # pulses arriving now
    epsp: Compartment     # kernel sum
    tf: Compartment       # spike times in the window
    pulses: Compartment   # pulse amplitudes in the window
    tau_w: Knob

    def __init__(self, name, n_units, dt, tau_w=500., nu=4., batch_size=1, **kwargs):
        super().__init__(name, **kwargs)
        who = owner(type(self), name)
        self.n_units = check_count(who, "n_units", n_units)
        self.batch_size = check_count(who, "batch_size", batch_size)
        self.dt = check_positive(who, "dt", dt)
        tau_w = check_positive(who, "tau_w", tau_w)
        self.nu = check_positive(who, "nu", nu)
        if self.nu < self.dt:
            raise ValueError(f"{who}: nu = {self.nu} is shorter than dt = {self.dt}: the window "
                             f"would hold no step")
        self.win_len = int(self.nu / self.dt) + 1
        rest = jnp.zeros((self.batch_size, self.n_units))
        window = jnp.zeros((self.win_len, self.batch_size, self.n_units))
        self.inputs = Compartment(rest, kind="input", display_name="Input pulses")
        self.epsp = Compartment(rest, kind="output", display_name="EPSP")
        # (window, batch, n_units), ngc-learn's layout: the leading axis is not the batch axis
        self.tf = Compartment(window, display_name="Spike times in the window", units="ms",
                              batched=False)
        self.pulses = Compartment(window, display_name="Pulses in the window", batched=False)
        self.tau_w = Knob(tau_w, low=1e-6, doc="kernel time constant (ms)")

    @compilable
    def advance_state(self, t):
        s = self.inputs.get()
        if s.shape != self.tf.shape[1:]:  # shapes are static: this runs while tracing
            raise ValueError(f"{self.path}: inputs of batch {s.shape[0]} do not fit the window of "
                             f"batch_size {self.tf.shape[1]}; build the kernel with "
                             f"batch_size={s.shape[0]}")
        tf = push(self.tf.get(), jnp.where(s != 0., t, 0.))
        pulses = push(self.pulses.get(), s)
        recent = slice(0, self.win_len - 1)  # the last slot is leaving the window
        kernel = jnp.exp(-(t - tf[recent]) / self.tau_w.get())
        self.epsp.set(jnp.sum(pulses[recent] * kernel, axis=0))
        self.tf.set(tf)
        self.pulses.set(pulses)

    @compilable
    def reset(self):
        reset_compartments([self.inputs, self.epsp, self.tf, self.pulses])

    @classmethod
    def help(cls) -> dict:
        return {
            cls.__name__: {"cell_type": "ExpKernel - an exponential kernel over the pulses of "
                                        "a moving time window (such as spike trains)"},
            "compartments": {"inputs": {"inputs": "Incoming pulses (spikes)"},
                             "states": {"tf": "Spike times in the window",
                                        "pulses": "Pulse amplitudes in the window"},
                             "outputs": {"epsp": "Kernel sum (EPSP) at time t"}},
            "dynamics": "epsp = sum_{t_f in window} s_f exp(-(t - t_f) / tau_w)",
            "hyperparameters": {"n_units": "Number of units", "batch_size": "Batch size",
                                "dt": "Integration time step (fixes the window)",
                                "nu": "Length of the window (ms)",
                                "tau_w": "Kernel time constant"}}
