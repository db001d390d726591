"""SLIFCell: the simplified leaky integrate-and-fire cell of Samadi, Lillicrap & Tweed (2017), with
lateral inhibition, sticky spikes and adaptive thresholds (ngc-learn 3.2.3's SLIFCell).

| i = R j - resist_inh * (s_prev @ W_inh)               (W_inh: hollow, entries in [0.025, 1])
| tau_m dv/dt = (-v + i) * [rfr >= refract_time]        (one Euler step)
| s = [v > thr];  v <- 0 where s;  rfr <- (rfr + dt) (1 - s) + s dt
| s <- s mask + (1 - mask)                              (sticky_spikes: 1 while refractory)
| thr <- max(thr + (sum_i s_i - 1) rho_b, 0.025)        (rho_b > 0: one spike per sample)
| thr <- thr + thr_gain s - thr_leak thr                (rho_b = 0)
| surrogate = sech(0.08 i) [i > 0]                      (secant LIF estimator of ds/di)

The initial thresholds are thr + U(-thr_jitter, thr_jitter) per cell (``threshold0``); reset()
restores them unless ``thr_persist``. W_inh and threshold0 are drawn from the cell's key as in
ngc-learn (the same key gives the same values); the key itself is not advanced.

Compartments: j (input); v, rfr, thr, threshold0, key (state); inh_weights (parameter); s, tols,
surrogate (outputs). Knobs: tau_m, resist_m, resist_inh, thr_gain, thr_leak, rho_b, refract_time.

Difference from ngc-learn 3.2.3, where it is broken: its advance_state overwrites the input j
with the scaled, inhibited current i (so an input set once compounds by R every step, and a wired
input cannot be written); ngclab leaves j as given. ngclab keeps W_inh and threshold0 in the state
(ngc-learn holds them as plain attributes), so save/load restores them.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

from ngclab.components.neurons.spiking._lif import (
    refractory_clock,
    refractory_mask,
    sparsity_threshold,
)
from ngclab.components.spikes import time_of_last_spike
from ngclab.components.validation import (
    check_count,
    check_flag,
    check_number,
    check_positive,
    owner,
)
from ngclab.core import Compartment, Component, Knob, compilable
from ngclab.utils.surrogate_fx import secant_lif_estimator


class SLIFCell(Component):
    """A simplified LIF cell with adaptive thresholds (see the module docstring).

    Args:
        name: the cell's name
        n_units: number of cells
        tau_m: membrane time constant (ms)
        resist_m: membrane resistance R
        thr: base threshold (the initial thresholds are thr plus jitter)
        resist_inh: strength of the lateral inhibition (0: none) (Default: 0.)
        thr_persist: keep the adapted thresholds across reset() (Default: False)
        thr_gain: threshold increment per spike (Default: 0.)
        thr_leak: fraction of the threshold lost per step (Default: 0.)
        rho_b: sparsity factor; > 0 replaces the gain/leak rule by the one-spike rule (Default: 0.)
        refract_time: refractory period (ms) (Default: 0.)
        sticky_spikes: spikes stay 1 during the refractory period (Default: False)
        thr_jitter: half-width of the uniform jitter of the initial thresholds (Default: 0.05)
        batch_size: batch size (Default: 1)
        **kwargs: key
    """

    j: Compartment            # input current
    s: Compartment            # spikes
    tols: Compartment         # time of the last spike (ms)
    v: Compartment            # membrane potential
    thr: Compartment          # adaptive thresholds
    rfr: Compartment          # time since the last spike (ms)
    surrogate: Compartment    # secant surrogate ds/di
    threshold0: Compartment   # initial thresholds (what reset() restores)
    inh_weights: Compartment  # lateral inhibition weights (hollow)
    tau_m: Knob
    resist_m: Knob
    resist_inh: Knob
    thr_gain: Knob
    thr_leak: Knob
    rho_b: Knob
    refract_time: Knob

    def __init__(self, name, n_units, tau_m, resist_m, thr, resist_inh=0., thr_persist=False,
                 thr_gain=0.0, thr_leak=0.0, rho_b=0., refract_time=0., sticky_spikes=False,
                 thr_jitter=0.05, batch_size=1, **kwargs):
        super().__init__(name, **kwargs)
        who = owner(type(self), name)
        n = check_count(who, "n_units", n_units)
        b = check_count(who, "batch_size", batch_size)
        tau_m = check_positive(who, "tau_m", tau_m)
        resist_m = check_positive(who, "resist_m", resist_m)
        thr = check_number(who, "thr", thr)
        rates = {p: check_number(who, p, x, low=0.) for p, x in (
            ("resist_inh", resist_inh), ("thr_gain", thr_gain), ("thr_leak", thr_leak),
            ("rho_b", rho_b), ("refract_time", refract_time), ("thr_jitter", thr_jitter))}
        self.thr_persist = check_flag(who, "thr_persist", thr_persist)
        self.sticky_spikes = check_flag(who, "sticky_spikes", sticky_spikes)
        self.n_units, self.batch_size, self.thr_jitter = n, b, rates.pop("thr_jitter")
        self.d_spike_fx = secant_lif_estimator()[1]

        key, sub = jax.random.split(self.key.get())
        inh = jax.random.uniform(sub, (n, n), minval=0.025, maxval=1.) * (1. - jnp.eye(n))
        key, sub = jax.random.split(key)
        jitter = jax.random.uniform(sub, (1, n), minval=-self.thr_jitter, maxval=self.thr_jitter,
                                    dtype=jnp.float32)
        threshold0 = jnp.broadcast_to(thr + jitter, (b, n))

        rest = jnp.zeros((b, n))
        self.j = Compartment(rest, kind="input", display_name="Current")
        self.s = Compartment(rest, kind="output", display_name="Spikes")
        self.tols = Compartment(rest, kind="output", display_name="Time-of-Last-Spike",
                                units="ms")
        self.v = Compartment(rest, display_name="Voltage")
        self.thr = Compartment(threshold0, display_name="Adaptive threshold")
        self.rfr = Compartment(rest + rates["refract_time"], display_name="Refractory Time",
                               units="ms")
        self.surrogate = Compartment(rest + 1., kind="output", display_name="Surrogate")
        self.threshold0 = Compartment(threshold0, display_name="Initial threshold")
        self.inh_weights = Compartment(inh, kind="parameter", display_name="Lateral inhibition")
        self.tau_m = Knob(tau_m, low=1e-6, doc="membrane time constant (ms)")
        self.resist_m = Knob(resist_m, low=1e-6, doc="membrane resistance")
        self.resist_inh = Knob(rates["resist_inh"], low=0., doc="lateral inhibition strength")
        self.thr_gain = Knob(rates["thr_gain"], low=0., doc="threshold increment per spike")
        self.thr_leak = Knob(rates["thr_leak"], low=0., doc="threshold leak per step")
        self.rho_b = Knob(rates["rho_b"], low=0., doc="sparsity factor (> 0: one-spike rule)")
        self.refract_time = Knob(rates["refract_time"], low=0., doc="refractory period (ms)")

    @compilable
    def advance_state(self, t, dt):
        s_prev, thr, rfr = self.s.get(), self.thr.get(), self.rfr.get()
        i = self.j.get() * self.resist_m.get() \
            - (s_prev @ self.inh_weights.get()) * self.resist_inh.get()
        self.surrogate.set(self.d_spike_fx(i, c1=0.82, c2=0.08))
        mask = refractory_mask(rfr, self.refract_time.get())
        v = self.v.get() + dt * (-self.v.get() + i) / self.tau_m.get() * mask
        s = (v > thr).astype(jnp.float32)
        self.v.set(v * (1. - s))
        rho = self.rho_b.get()
        self.thr.set(jnp.where(rho > 0., sparsity_threshold(thr, s, rho),
                               thr + s * self.thr_gain.get() - thr * self.thr_leak.get()))
        self.rfr.set(refractory_clock(rfr, s, dt, restart=dt))
        if self.sticky_spikes:
            s = s * mask + (1. - mask)
        self.s.set(s)
        self.tols.set(time_of_last_spike(self.tols.get(), s, t))

    @compilable
    def reset(self):
        rest = jnp.zeros((self.batch_size, self.n_units))
        if not self.j.targeted:
            self.j.set(rest)
        self.s.set(rest)
        self.tols.set(rest)
        self.v.set(rest)
        self.rfr.set(rest + self.refract_time.get())
        self.surrogate.set(rest + 1.)
        if not self.thr_persist:
            self.thr.set(self.threshold0.get())

    @classmethod
    def help(cls) -> dict:
        return {
            cls.__name__: {"cell_type": "SLIFCell - evolves neurons by simplified leaky "
                                        "integrate-and-fire spiking dynamics"},
            "compartments": {
                "inputs": {"j": "External input electrical current"},
                "states": {"v": "Membrane potential at time t",
                           "rfr": "Time since the last spike (refractory variable)",
                           "thr": "Adaptive voltage thresholds at time t",
                           "threshold0": "Initial thresholds (restored by reset)",
                           "inh_weights": "Lateral inhibition weights (hollow matrix)",
                           "key": "JAX PRNG key"},
                "outputs": {"s": "Emitted spikes at time t", "tols": "Time of last spike",
                            "surrogate": "Secant surrogate derivative of the spikes"}},
            "dynamics": "tau_m * dv/dt = -v + resist_m * j - resist_inh * (s @ W_inh); spike "
                        "when v > thr, then v = 0",
            "hyperparameters": {
                "n_units": "Number of cells", "tau_m": "Membrane time constant",
                "resist_m": "Membrane resistance", "thr": "Base threshold",
                "resist_inh": "Lateral inhibition strength (0: none)",
                "thr_persist": "Keep adapted thresholds across reset?",
                "thr_gain": "Threshold increment per spike",
                "thr_leak": "Threshold leak per step",
                "rho_b": "Sparsity factor (> 0: one-spike threshold rule)",
                "refract_time": "Refractory period (ms)",
                "sticky_spikes": "Spikes stay 1 during the refractory period?",
                "thr_jitter": "Half-width of the initial threshold jitter",
                "batch_size": "Batch size"}}
