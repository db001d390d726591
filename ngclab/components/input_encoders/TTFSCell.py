"""TTFSCell: a time-to-first-spike encoder; each unit fires once, at a step that is earlier the
larger its input in [0, 1] (ngc-learn 3.2.3's TTFSCell).

At step k = round(t / dt) (the step index of time t), with x clipped to [1e-7, 1]:

| at k = 0: target = round((e^-x - e^-1) / (e^-1e-7 - e^-1) (num_steps - 1))   ("exponential")
|           target = round(min(-log x / max(-log 0.01, max_units(-log x)), 1) (num_steps - 1))
|                                                                              ("logarithmic")
|           has_fired = False, refractory_counter = 0  (a new spike train starts)
| counter <- max(counter - 1, 0)
| s = [target == k] and counter == 0 and not has_fired
| has_fired <- has_fired or s;  counter <- tau_ref where s;  tols <- t where s

so x = 1 fires at step 0 and x = 0 at step num_steps - 1; the targets are set at step 0 and
kept while the inputs change. ``tau_ref`` is a refractory period in steps (truncated to an
integer); as every unit fires once per train it changes the counter, not the spikes.

Compartments: inputs (input); target_spike_times (int32), has_fired (bool),
refractory_counter (int32) (states); outputs, tols (outputs). Knob: tau_ref.

Differences from ngc-learn 3.2.3: the logarithmic code scales by each sample's own largest
latency (ngc-learn's by the batch's, so a sample's code depended on the others; the same for a
batch of one); an unknown latency_mode names the component; help() has ngc-learn's usual layout
(its TTFSCell.help() returns a "properties" key instead of the class name, and no dynamics).
"""
from __future__ import annotations

import jax.numpy as jnp

from ngclab.components.input_encoders._latency import fire_once, ttfs_step
from ngclab.components.spikes import time_of_last_spike
from ngclab.components.validation import check_choice, check_count, check_number, owner
from ngclab.core import Compartment, Component, Knob, compilable

LATENCY_MODES = ("exponential", "logarithmic")


class TTFSCell(Component):
    """A time-to-first-spike encoder (see the module docstring).

    Args:
        name: the cell's name
        n_units: number of units
        batch_size: batch size (Default: 1)
        num_steps: number of steps of one spike train (Default: 100)
        tau_ref: refractory period after the spike, in steps (Default: 5)
        latency_mode: "exponential" (Default) or "logarithmic"
        **kwargs: key
    """

    inputs: Compartment              # intensities in [0, 1]
    outputs: Compartment             # spikes
    has_fired: Compartment           # True where the unit has fired in this train
    target_spike_times: Compartment  # target step of each unit
    refractory_counter: Compartment  # steps of refractory period left
    tols: Compartment                # time of the last spike (ms)
    tau_ref: Knob

    def __init__(self, name, n_units, batch_size=1, num_steps=100, tau_ref=5,
                 latency_mode="exponential", **kwargs):
        super().__init__(name, **kwargs)
        who = owner(type(self), name)
        self.n_units = check_count(who, "n_units", n_units)
        self.batch_size = check_count(who, "batch_size", batch_size)
        self.num_steps = check_count(who, "num_steps", num_steps)
        tau_ref = check_number(who, "tau_ref", tau_ref, low=0.)
        self.latency_mode = check_choice(who, "latency_mode", latency_mode, LATENCY_MODES)
        shape = (self.batch_size, self.n_units)
        self.inputs = Compartment(jnp.zeros(shape), kind="input", display_name="Input Stimulus")
        self.outputs = Compartment(jnp.zeros(shape), kind="output", display_name="Spikes",
                                   plot_method="raster")
        self.has_fired = Compartment(jnp.zeros(shape, jnp.bool_), display_name="Has fired")
        self.target_spike_times = Compartment(jnp.zeros(shape, jnp.int32),
                                              display_name="Target spike step")
        self.refractory_counter = Compartment(jnp.zeros(shape, jnp.int32),
                                              display_name="Refractory steps left")
        self.tols = Compartment(jnp.zeros(shape), kind="output",
                                display_name="Time-of-Last-Spike", units="ms")
        self.tau_ref = Knob(tau_ref, low=0., doc="refractory period after a spike (steps)")

    @compilable
    def advance_state(self, t, dt):
        x = self.inputs.get()
        k = jnp.round(t / dt).astype(jnp.int32)
        new_train = k == 0
        target = jnp.where(new_train, ttfs_step(x, self.num_steps, self.latency_mode),
                           self.target_spike_times.get())
        fired = jnp.where(new_train, False, self.has_fired.get())
        counter = jnp.where(new_train, 0, self.refractory_counter.get())
        counter = jnp.maximum(counter - 1, 0)
        s, fired = fire_once((target == k) & (counter == 0), fired)
        counter = jnp.where(s, jnp.floor(self.tau_ref.get()).astype(jnp.int32), counter)
        spikes = s.astype(jnp.float32)
        self.outputs.set(spikes)
        self.target_spike_times.set(target)
        self.has_fired.set(fired)
        self.refractory_counter.set(counter)
        self.tols.set(time_of_last_spike(self.tols.get(), spikes, t))

    @compilable
    def reset(self):
        shape = (self.batch_size, self.n_units)
        if not self.inputs.targeted:
            self.inputs.set(jnp.zeros(shape))
        self.outputs.set(jnp.zeros(shape))
        self.tols.set(jnp.zeros(shape))
        self.target_spike_times.set(jnp.zeros(shape, jnp.int32))
        self.has_fired.set(jnp.zeros(shape, jnp.bool_))
        self.refractory_counter.set(jnp.zeros(shape, jnp.int32))

    @classmethod
    def help(cls) -> dict:
        return {
            cls.__name__: {"cell_type": "TTFSCell - encodes inputs in [0, 1] as one spike per "
                                        "unit, earlier for larger inputs (time-to-first-spike)"},
            "compartments": {
                "inputs": {"inputs": "Input intensities in [0, 1]"},
                "states": {"has_fired": "True where the unit has fired in this train",
                           "target_spike_times": "Target step of each unit",
                           "refractory_counter": "Refractory steps left",
                           "key": "JAX PRNG key"},
                "outputs": {"outputs": "Binary spikes emitted at step t / dt",
                            "tols": "Time of last spike"}},
            "dynamics": "s = [target(x) == round(t / dt)], once per unit; target(x) = "
                        "(e^-x - e^-1) / (1 - e^-1) (num_steps - 1) (exponential) or "
                        "-log x / max(-log 0.01, max -log x) (num_steps - 1) (logarithmic)",
            "hyperparameters": {
                "n_units": "Number of units", "batch_size": "Batch size",
                "num_steps": "Number of steps of one spike train",
                "tau_ref": "Refractory period after the spike (steps)",
                "latency_mode": "exponential or logarithmic"}}
