"""PhasorCell: each unit is a phase that turns at a rate set by its input and fires a pulse each
time it completes a turn, a nearly regular spike train (ngc-learn 3.2.3's PhasorCell).

| omega = 2 pi target_freq dt / 1000                 (radians per step at input 1; dt in ms)
| phi <- phi + omega x (1 + 0.2 n) b,  n ~ N(0, 1)   (fresh noise per unit and step)
| s = [phi > 2 pi];  phi <- phi - 2 pi where s;  tols <- t where s

so an input of 1 fires at about target_freq Hz. b (``base_scale``) is each unit's own speed,
drawn once at construction as Poisson(target_freq) / target_freq (mean 1, spread
1/sqrt(target_freq)); ``disable_phasor`` passes the inputs through as the outputs.

Randomness follows ngc-learn's key use, so a given key gives its spike trains: the constructor
splits the key in three (keeps the first, draws b with the second); each step and each reset
split it in three again (keep the first, draw n with the second).

Compartments: inputs (input); angles, base_scale, key (states); outputs, tols (outputs).
Knob: target_freq (b stays as drawn when it changes).

Differences from ngc-learn 3.2.3: base_scale is a compartment (ngc-learn keeps it as a plain
attribute, so it is not saved with the model).
"""
from __future__ import annotations

import math
import warnings

import jax
import jax.numpy as jnp

from ngclab.components.layers import reset_compartments
from ngclab.components.spikes import time_of_last_spike
from ngclab.components.validation import check_count, check_flag, check_positive, owner
from ngclab.core import Compartment, Component, Knob, compilable

TURN = 2. * math.pi      # radians per pulse
SCATTER = 0.2            # relative spread of the per-step phase noise


class PhasorCell(Component):
    """A phasor encoder: a pulse per turn of a phase driven by the input.

    Args:
        name: the cell's name
        n_units: number of units
        target_freq: firing rate (Hz) of an input of 1 (> 0) (Default: 63.75)
        batch_size: batch size (Default: 1)
        disable_phasor: emit the inputs themselves (Default: False)
        **kwargs: key
    """

    inputs: Compartment      # drive of each phase (1: target_freq)
    outputs: Compartment     # spikes
    tols: Compartment        # time of the last spike (ms)
    angles: Compartment      # phase of each unit (rad)
    base_scale: Compartment  # speed of each unit (drawn once)
    target_freq: Knob

    def __init__(self, name, n_units, target_freq=63.75, batch_size=1, disable_phasor=False,
                 **kwargs):
        super().__init__(name, **kwargs)
        who = owner(type(self), name)
        self.n_units = check_count(who, "n_units", n_units)
        self.batch_size = check_count(who, "batch_size", batch_size)
        freq = check_positive(who, "target_freq", target_freq)
        self.disable_phasor = check_flag(who, "disable_phasor", disable_phasor)
        key, k_scale, _ = jax.random.split(self.key.get(), 3)
        self.key.set(key)
        rest = jnp.zeros((self.batch_size, self.n_units))
        self.inputs = Compartment(rest, kind="input", display_name="Input Stimulus")
        self.outputs = Compartment(rest, kind="output", display_name="Spikes",
                                   plot_method="raster")
        self.tols = Compartment(rest, kind="output", display_name="Time-of-Last-Spike",
                                units="ms")
        self.angles = Compartment(rest, display_name="Angles", units="rad")
        speed = jax.random.poisson(k_scale, lam=freq, shape=rest.shape) / freq
        self.base_scale = Compartment(jnp.asarray(speed, jnp.float32), display_name="Base scale")
        self.target_freq = Knob(freq, low=1e-6, doc="firing rate of an input of 1 (Hz)")

    def validate(self, dt=None) -> bool:
        """False (with a warning) if dt is missing or one step would need more than one pulse
        at input 1 (dt * target_freq / 1000 > 1)."""
        if dt is None:
            warnings.warn(f"{self.path}: validate() needs dt", stacklevel=2)
            return False
        per_step = dt / 1000. * float(self.target_freq.get())
        if per_step > 1.:
            warnings.warn(f"{self.path}: {per_step} pulses per step requested at input 1 "
                          f"(dt = {dt}, target_freq = {float(self.target_freq.get())}); a phasor "
                          f"fires at most once per step", stacklevel=2)
            return False
        return True

    @compilable
    def advance_state(self, t, dt):
        x = self.inputs.get()
        angles = self.angles.get()
        key, k_noise, _ = jax.random.split(self.key.get(), 3)
        omega = TURN * self.target_freq.get() * dt / 1000.
        speed = (jax.random.normal(k_noise, angles.shape) * SCATTER + 1.) * self.base_scale.get()
        angles = angles + omega * speed * x
        turned = angles > TURN
        s = x + 0. if self.disable_phasor else turned * 1.
        self.angles.set(jnp.where(turned, angles - TURN, angles))
        self.outputs.set(s)
        self.tols.set(time_of_last_spike(self.tols.get(), s, t))
        self.key.set(key)

    @compilable
    def reset(self):
        reset_compartments([self.inputs, self.outputs, self.tols, self.angles])
        self.key.set(jax.random.split(self.key.get(), 3)[0])

    @classmethod
    def help(cls) -> dict:
        return {
            cls.__name__: {"cell_type": "PhasorCell - emits a pulse each time a phase driven "
                                        "by the input completes a turn: nearly regular spike "
                                        "trains with a little noise"},
            "compartments": {"inputs": {"inputs": "Drive of each phase (1: target_freq)"},
                             "states": {"angles": "Current phase of each unit",
                                        "base_scale": "Speed of each unit (drawn once)",
                                        "key": "JAX PRNG key"},
                             "outputs": {"outputs": "Binary spikes emitted at time t",
                                         "tols": "Time of last spike"}},
            "dynamics": "phi <- phi + 2 pi target_freq dt/1000 * x * (1 + 0.2 n) * base_scale; "
                        "spike and phi -= 2 pi when phi > 2 pi",
            "hyperparameters": {"n_units": "Number of units", "batch_size": "Batch size",
                                "target_freq": "Firing rate (Hz) of an input of 1",
                                "disable_phasor": "Emit the inputs themselves"}}
