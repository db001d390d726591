"""LatencyCell: encodes intensities as the times of single spikes, strong inputs first
(ngc-learn 3.2.3's LatencyCell).

``calc_spike_times`` turns the current inputs into target times (see _latency.py):

| linear:       t_s = t0 + min(tau (1 - x), tau (1 - threshold))    (normalize: tau = T - 1 - t0)
| logarithmic:  t_s = t0 + tau log(x' / (x' - threshold)),  x' = max(x, threshold + 1e-7)
|               (normalize: rescaled so that each sample's latest spike is at T - 1)
| clip_mask = [x < threshold] if clip_spikes else 0

and each ``advance_state`` at time t emits the spikes that are due:

| s = [round(t_s) <= t] (1 - mask);  mask <- mask + s (1 - mask)     (each unit fires once)
| outputs = s (1 - clip_mask);  tols <- t where s

with t0 = first_spike_time and T = num_steps. Call calc_spike_times after setting the inputs
and before the steps (and reset() between patterns).

Compartments: inputs (input); targ_sp_times, mask, clip_mask (states); outputs, tols (outputs).
Knobs: tau, threshold, first_spike_time.

Differences from ngc-learn 3.2.3, where it is broken: its logarithmic code passes num_steps in
the place of eps and normalize in the place of num_steps, so x is floored at threshold +
num_steps (every input at or below it gets the same time) and normalize is never applied;
ngclab uses eps = 1e-7 and normalises. The logarithmic normalisation takes each sample's own
latest spike (ngc-learn's would take the batch's). The help lists every compartment.
"""
from __future__ import annotations

import jax.numpy as jnp

from ngclab.components.input_encoders._latency import fire_once, linear_latency, log_latency
from ngclab.components.spikes import time_of_last_spike
from ngclab.components.validation import (
    check_count,
    check_flag,
    check_number,
    check_positive,
    owner,
)
from ngclab.core import Compartment, Component, Knob, compilable


class LatencyCell(Component):
    """A latency encoder: each unit spikes once, earlier for larger inputs.

    Args:
        name: the cell's name
        n_units: number of units
        tau: time constant of the code (ms) (Default: 1.)
        threshold: inputs below it fire last (and are dropped with clip_spikes) (Default: 0.01)
        first_spike_time: time of the earliest spike (ms) (Default: 0.)
        linearize: linear code (True) or logarithmic code (False, Default)
        normalize: stretch the code so the last spikes fall at step num_steps - 1
        clip_spikes: suppress the spikes of inputs below threshold (Default: False)
        num_steps: number of steps the normalised code spans (Default: 1.)
        batch_size: batch size (Default: 1)
        **kwargs: key
    """

    inputs: Compartment         # intensities
    outputs: Compartment        # spikes
    mask: Compartment           # 1 where the unit has fired
    clip_mask: Compartment      # 1 where the unit's spike is suppressed
    tols: Compartment           # time of the last spike (ms)
    targ_sp_times: Compartment  # target spike times (ms)
    tau: Knob
    threshold: Knob
    first_spike_time: Knob

    def __init__(self, name, n_units, tau=1., threshold=0.01, first_spike_time=0.,
                 linearize=False, normalize=False, clip_spikes=False, num_steps=1.,
                 batch_size=1, **kwargs):
        super().__init__(name, **kwargs)
        who = owner(type(self), name)
        self.n_units = check_count(who, "n_units", n_units)
        self.batch_size = check_count(who, "batch_size", batch_size)
        tau = check_positive(who, "tau", tau)
        threshold = check_number(who, "threshold", threshold, low=0.)
        first = check_number(who, "first_spike_time", first_spike_time, low=0.)
        self.linearize = check_flag(who, "linearize", linearize)
        self.normalize = check_flag(who, "normalize", normalize)
        self.clip_spikes = check_flag(who, "clip_spikes", clip_spikes)
        self.num_steps = check_number(who, "num_steps", num_steps, low=0., strict=True)
        rest = jnp.zeros((self.batch_size, self.n_units))
        self.inputs = Compartment(rest, kind="input", display_name="Input Stimulus")
        self.outputs = Compartment(rest, kind="output", display_name="Spikes",
                                   plot_method="raster")
        self.mask = Compartment(rest, display_name="Spike Time Mask")
        self.clip_mask = Compartment(rest, display_name="Clip Mask")
        self.tols = Compartment(rest, kind="output", display_name="Time-of-Last-Spike",
                                units="ms")
        self.targ_sp_times = Compartment(rest, display_name="Target Spike Time", units="ms")
        self.tau = Knob(tau, low=1e-6, doc="latency time constant (ms)")
        self.threshold = Knob(threshold, low=0., doc="inputs below it fire last")
        self.first_spike_time = Knob(first, low=0., doc="time of the earliest spike (ms)")

    @compilable
    def calc_spike_times(self):
        x = self.inputs.get()
        threshold = self.threshold.get()
        self.clip_mask.set((x < threshold) * 1. if self.clip_spikes else jnp.zeros_like(x))
        code = linear_latency if self.linearize else log_latency
        self.targ_sp_times.set(code(x, self.tau.get(), threshold, self.first_spike_time.get(),
                                    self.normalize, self.num_steps))

    @compilable
    def advance_state(self, t):
        due = (jnp.round(self.targ_sp_times.get()) <= t) * 1.  # times snap to whole ms
        s, fired = fire_once(due, self.mask.get())
        self.tols.set(time_of_last_spike(self.tols.get(), s, t))
        self.outputs.set(s * (1. - self.clip_mask.get()))
        self.mask.set(fired)

    @compilable
    def reset(self):
        rest = jnp.zeros((self.batch_size, self.n_units))
        if not self.inputs.targeted:
            self.inputs.set(rest)
        for comp in (self.outputs, self.tols, self.mask, self.clip_mask, self.targ_sp_times):
            comp.set(rest)

    @classmethod
    def help(cls) -> dict:
        return {
            cls.__name__: {"cell_type": "LatencyCell - encodes each input as the time of one "
                                        "spike (larger inputs fire earlier): a temporal / "
                                        "order code"},
            "compartments": {"inputs": {"inputs": "Input intensities"},
                             "states": {"targ_sp_times": "Target spike times",
                                        "mask": "1 where the unit has fired",
                                        "clip_mask": "1 where the unit's spike is suppressed",
                                        "key": "JAX PRNG key"},
                             "outputs": {"outputs": "Binary spikes emitted at time t",
                                         "tols": "Time of last spike"}},
            "dynamics": "~ Latency(x): t_s = t0 + tau (1 - x) (linear) or "
                        "t0 + tau log(x / (x - threshold)) (logarithmic); s = [round(t_s) <= t], "
                        "once per unit",
            "hyperparameters": {
                "n_units": "Number of units", "batch_size": "Batch size",
                "tau": "Latency time constant", "threshold": "Inputs below it fire last",
                "first_spike_time": "Time of the earliest spike",
                "linearize": "Linear (True) or logarithmic (False) code",
                "normalize": "Stretch the code over num_steps steps",
                "clip_spikes": "Suppress the spikes of inputs below threshold",
                "num_steps": "Number of steps the normalised code spans"}}
