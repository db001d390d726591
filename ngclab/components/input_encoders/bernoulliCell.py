"""BernoulliCell: encodes intensities in [0, 1] as Bernoulli spike trains (ngc-learn 3.2.3).

| s ~ Bernoulli(p = inputs)   (each unit, each step, independently)
| tols <- t where s (time of last spike)

Randomness follows ngc-learn's key use: ``key, sub = split(key)``; the spikes are drawn with
``sub`` (so a given key gives ngc-learn's spike trains) and ``key`` is kept.

Compartments: inputs (input); outputs, tols (outputs); key.

ngclab extension: ``shape`` (per-sample (height, width, channels), e.g. to feed image maps to
a convolution synapse; n_units is then ignored, as in ngc-learn's graded cells).
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

from ngclab.components.spikes import time_of_last_spike
from ngclab.core import Compartment, Component, compilable
from ngclab.components.layers import layer_dims, reset_compartments
from ngclab.components.validation import check_count, check_kwargs, owner


class BernoulliCell(Component):
    """A Bernoulli spike encoder: each step, unit i spikes with probability inputs_i.

    Args:
        name: the cell's name
        n_units: number of units
        batch_size: batch size (Default: 1)
        shape: per-sample (height, width, channels) instead of (n_units,) (ngclab extension)
        **kwargs: key
    """

    inputs: Compartment
    outputs: Compartment
    tols: Compartment

    def __init__(self, name, n_units, batch_size=1, shape=None, **kwargs):
        who = owner(type(self), name)
        check_kwargs(who, kwargs)
        dims = layer_dims(who, n_units, shape)
        b = check_count(who, "batch_size", batch_size)
        super().__init__(name, **kwargs)
        self.n_units, self.dims, self.batch_size = n_units, dims, b
        rest = jnp.zeros((b, *dims))
        self.inputs = Compartment(rest, kind="input", display_name="Input Stimulus")
        self.outputs = Compartment(rest, kind="output", display_name="Spikes")
        self.tols = Compartment(rest, kind="output", display_name="Time-of-Last-Spike",
                                units="ms")

    @compilable
    def advance_state(self, t):
        key, sub = jax.random.split(self.key.get(), 2)
        p = jnp.broadcast_to(self.inputs.get(), self.outputs.default.shape)
        s = jax.random.bernoulli(sub, p=p).astype(jnp.float32)
        self.outputs.set(s)
        self.tols.set(time_of_last_spike(self.tols.get(), s, t))
        self.key.set(key)

    @compilable
    def reset(self):
        reset_compartments([self.inputs, self.outputs, self.tols])  # zeros; a wired input keeps its wire

    @classmethod
    def help(cls) -> dict:
        return {
            cls.__name__: {"cell_type": "BernoulliCell - samples its input to produce spikes, "
                                        "each with probability equal to the input value"},
            "compartments": {"inputs": {"inputs": "Spike probabilities in [0, 1]"},
                             "states": {"key": "JAX PRNG key"},
                             "outputs": {"outputs": "Binary spikes emitted at time t",
                                         "tols": "Time of last spike"}},
            "dynamics": "~ Bernoulli(inputs)",
            "hyperparameters": {"n_units": "Number of units", "batch_size": "Batch size",
                                "shape": "Per-sample (height, width, channels)"}}
