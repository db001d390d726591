"""PoissonCell: encodes intensities as Poisson spike trains of a target rate (ngc-learn 3.2.3).

| p = inputs * (dt / 1000) * target_freq        (spike probability per step; dt in ms)
| s = [u < p],  u ~ U[0, 1)                     (each unit, each step, independently)
| tols <- t where s (time of last spike)

An input of 1 fires at target_freq Hz on average (for p <= 1). Randomness follows ngc-learn's
key use: ``key, sub = split(key)``, u drawn with ``sub``, ``key`` kept, so a given key gives
ngc-learn's spike trains.

Compartments: inputs (input); outputs, tols (outputs); key. Knob: target_freq (Hz);
``max_freq`` is accepted as its deprecated name (as in ngc-learn).

ngclab extension: ``shape`` (per-sample (height, width, channels), e.g. image maps for a
convolution synapse; n_units is then ignored, as in ngc-learn's graded cells).
"""
from __future__ import annotations

import warnings

import jax
import jax.numpy as jnp

from ngclab.components.spikes import time_of_last_spike
from ngclab.core import Compartment, Component, Knob, compilable
from ngclab.components.layers import layer_dims, reset_compartments
from ngclab.components.validation import check_count, check_kwargs, check_number, owner


class PoissonCell(Component):
    """A Poisson spike encoder: unit i spikes with probability inputs_i * dt/1000 * target_freq.

    Args:
        name: the cell's name
        n_units: number of units
        target_freq: firing rate (Hz) of an input of 1 (Default: 63.75)
        batch_size: batch size (Default: 1)
        shape: per-sample (height, width, channels) instead of (n_units,) (ngclab extension)
        **kwargs: key (and max_freq, the deprecated name of target_freq)
    """

    inputs: Compartment
    outputs: Compartment
    tols: Compartment
    target_freq: Knob

    def __init__(self, name, n_units, target_freq=63.75, batch_size=1, shape=None, **kwargs):
        who = owner(type(self), name)
        if "max_freq" in kwargs:
            warnings.warn(f"{who}: the argument 'max_freq' is deprecated, use 'target_freq'",
                          DeprecationWarning, stacklevel=3)
            target_freq = kwargs.pop("max_freq")
        check_kwargs(who, kwargs)
        dims = layer_dims(who, n_units, shape)
        b = check_count(who, "batch_size", batch_size)
        freq = check_number(who, "target_freq", target_freq, low=0.)
        super().__init__(name, **kwargs)
        self.n_units, self.dims, self.batch_size = n_units, dims, b
        rest = jnp.zeros((b, *dims))
        self.inputs = Compartment(rest, kind="input", display_name="Input Stimulus")
        self.outputs = Compartment(rest, kind="output", display_name="Spikes")
        self.tols = Compartment(rest, kind="output", display_name="Time-of-Last-Spike",
                                units="ms")
        self.target_freq = Knob(freq, low=0., doc="firing rate of an input of 1 (Hz)")

    @compilable
    def advance_state(self, t, dt):
        key, sub = jax.random.split(self.key.get(), 2)
        p = jnp.broadcast_to(self.inputs.get(), self.outputs.default.shape) * (dt / 1000.) \
            * self.target_freq.get()
        u = jax.random.uniform(sub, p.shape, minval=0., maxval=1., dtype=jnp.float32)
        s = (u < p).astype(jnp.float32)
        self.outputs.set(s)
        self.tols.set(time_of_last_spike(self.tols.get(), s, t))
        self.key.set(key)

    @compilable
    def reset(self):
        reset_compartments([self.inputs, self.outputs, self.tols])  # zeros; a wired input keeps its wire

    @classmethod
    def help(cls) -> dict:
        return {
            cls.__name__: {"cell_type": "PoissonCell - samples its input to produce Poisson "
                                        "spike trains whose rate is the input times "
                                        "target_freq"},
            "compartments": {"inputs": {"inputs": "Input intensities (1 -> target_freq Hz)"},
                             "states": {"key": "JAX PRNG key"},
                             "outputs": {"outputs": "Binary spikes emitted at time t",
                                         "tols": "Time of last spike"}},
            "dynamics": "~ Poisson(inputs * target_freq)",
            "hyperparameters": {"n_units": "Number of units", "batch_size": "Batch size",
                                "target_freq": "Firing rate (Hz) of an input of 1",
                                "shape": "Per-sample (height, width, channels)"}}
