"""WTASCell: a winner-take-all spiking cell (ngc-learn 3.2.3's WTASCell).

| v = R j * [rfr >= refract_time]                       (the voltage follows the input at once)
| p = softmax(v)                                        (over the cells of each sample)
| s = [p > thr]
| thr <- max(thr + (sum_i s_i - 1) thr_gain, 0.025)     (pushes each sample towards one spike)
| rfr <- (rfr + dt) (1 - s) + s dt;  tols <- t where s

Because the softmax sums to 1, at most one cell can exceed a threshold of 0.5 or more: with
thresholds in (0.5, 1) the layer emits at most one spike per sample, and the threshold rule pulls
thresholds down while no cell wins and up while several do. The initial thresholds are
thr_base + U(-thr_jitter, thr_jitter) per cell, drawn from the cell's key as in ngc-learn (the key
itself is not advanced); reset() keeps the adapted thresholds (as ngc-learn).

Compartments: j (input); v, thr, rfr, key (state); s, tols (outputs). Knobs: resist_m, thr_gain,
refract_time. ``thrBase`` is accepted as the deprecated name of thr_base.

As in ngc-learn 3.2.3, ``tau_m`` is accepted and recorded but does not enter the dynamics (the
voltage is R j, not an integral of it), so it is not a knob.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

from ngclab.components.neurons.spiking._lif import (
    refractory_clock,
    refractory_mask,
    renamed_args,
    sparsity_threshold,
)
from ngclab.components.spikes import time_of_last_spike
from ngclab.components.validation import check_count, check_number, check_positive, owner
from ngclab.core import Compartment, Component, Knob, compilable


class WTASCell(Component):
    """A winner-take-all spiking cell (see the module docstring).

    Args:
        name: the cell's name
        n_units: number of cells
        tau_m: membrane time constant (ms; accepted as in ngc-learn, unused by the dynamics)
        resist_m: membrane resistance R (Default: 1.)
        thr_base: base threshold on the softmax probabilities (Default: 0.4)
        thr_gain: threshold change per extra / missing spike (Default: 0.002)
        refract_time: refractory period (ms) (Default: 0.)
        thr_jitter: half-width of the uniform jitter of the initial thresholds (Default: 0.05)
        batch_size: batch size (Default: 1)
        **kwargs: key (and thrBase, the deprecated name of thr_base)
    """

    j: Compartment     # input current
    v: Compartment     # voltage R j (masked while refractory)
    s: Compartment     # spikes
    thr: Compartment   # adaptive thresholds on the softmax probabilities
    rfr: Compartment   # time since the last spike (ms)
    tols: Compartment  # time of the last spike (ms)
    resist_m: Knob
    thr_gain: Knob
    refract_time: Knob

    def __init__(self, name, n_units, tau_m, resist_m=1., thr_base=0.4, thr_gain=0.002,
                 refract_time=0., thr_jitter=0.05, batch_size=1, **kwargs):
        who = owner(type(self), name)
        thr_base = renamed_args(who, kwargs, {"thrBase": "thr_base"}).get("thr_base", thr_base)
        super().__init__(name, **kwargs)
        n = check_count(who, "n_units", n_units)
        b = check_count(who, "batch_size", batch_size)
        self.tau_m = check_positive(who, "tau_m", tau_m)
        resist_m = check_positive(who, "resist_m", resist_m)
        thr_base = check_number(who, "thr_base", thr_base)
        thr_gain, refract_time, thr_jitter = (check_number(who, p, x, low=0.) for p, x in (
            ("thr_gain", thr_gain), ("refract_time", refract_time), ("thr_jitter", thr_jitter)))
        self.n_units, self.batch_size, self.thr_base, self.thr_jitter = n, b, thr_base, thr_jitter

        _, sub = jax.random.split(self.key.get())
        jitter = jax.random.uniform(sub, (1, n), minval=-thr_jitter, maxval=thr_jitter,
                                    dtype=jnp.float32)
        rest = jnp.zeros((b, n))
        self.j = Compartment(rest, kind="input", display_name="Current")
        self.v = Compartment(rest, display_name="Voltage")
        self.s = Compartment(rest, kind="output", display_name="Spikes")
        self.thr = Compartment(jnp.broadcast_to(thr_base + jitter, (b, n)),
                               display_name="Adaptive threshold")
        self.rfr = Compartment(rest + refract_time, display_name="Refractory Time", units="ms")
        self.tols = Compartment(rest, kind="output", display_name="Time-of-Last-Spike",
                                units="ms")
        self.resist_m = Knob(resist_m, low=1e-6, doc="membrane resistance")
        self.thr_gain = Knob(thr_gain, low=0., doc="threshold change per extra / missing spike")
        self.refract_time = Knob(refract_time, low=0., doc="refractory period (ms)")

    @compilable
    def advance_state(self, t, dt):
        rfr = self.rfr.get()
        v = self.j.get() * self.resist_m.get() * refractory_mask(rfr, self.refract_time.get())
        p = jax.nn.softmax(v, axis=1)
        s = (p > self.thr.get()).astype(jnp.float32)
        self.thr.set(sparsity_threshold(self.thr.get(), s, self.thr_gain.get()))
        self.rfr.set(refractory_clock(rfr, s, dt, restart=dt))
        self.tols.set(time_of_last_spike(self.tols.get(), s, t))
        self.v.set(v)
        self.s.set(s)

    @compilable
    def reset(self):
        rest = jnp.zeros((self.batch_size, self.n_units))
        if not self.j.targeted:
            self.j.set(rest)
        self.v.set(rest)
        self.s.set(rest)
        self.rfr.set(rest + self.refract_time.get())
        self.tols.set(rest)

    @classmethod
    def help(cls) -> dict:
        return {
            cls.__name__: {"cell_type": "WTASCell - evolves neurons by winner-take-all spiking "
                                        "dynamics"},
            "compartments": {
                "inputs": {"j": "External input electrical current"},
                "states": {"v": "Voltage R * j at time t",
                           "rfr": "Time since the last spike (refractory variable)",
                           "thr": "Adaptive thresholds on the softmax probabilities",
                           "key": "JAX PRNG key"},
                "outputs": {"s": "Emitted spikes at time t", "tols": "Time of last spike"}},
            "dynamics": "v = resist_m * j; spike where softmax(v) > thr; thr moves by thr_gain "
                        "per extra or missing spike",
            "hyperparameters": {
                "n_units": "Number of cells", "tau_m": "Membrane time constant (unused)",
                "resist_m": "Membrane resistance", "thr_base": "Base threshold",
                "thr_gain": "Threshold change per extra / missing spike",
                "refract_time": "Refractory period (ms)",
                "thr_jitter": "Half-width of the initial threshold jitter",
                "batch_size": "Batch size"}}
