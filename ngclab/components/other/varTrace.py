"""VarTrace: a variable trace, a low-pass filter of incoming pulses (ngc-learn 3.2.3).

| decay = exp(-dt / tau_tr)  ("exp"),  1 - dt / tau_tr  ("lin"),  0  ("step")
| z <- gamma_tr * z * decay
| z <- z + x * (a_delta - z / n_nearest_spikes)       if n_nearest_spikes > 0
| z <- z + x * a_delta                                 else if a_delta > 0 (additive trace)
| z <- z * (1 - x) + x * P_scale                       else (gated trace: snaps to P_scale)
| outputs = z

Compartments: inputs (input); trace (state); outputs (output). Knobs: tau_tr, a_delta,
P_scale, gamma_tr.

ngclab extension: ``shape`` (per-sample (height, width, channels), e.g. traces of convolution
maps; n_units is then ignored, as in ngc-learn's graded cells). An unknown decay_type is an
error (ngc-learn silently uses decay 0 for any name without "exp" or "lin").
"""
from __future__ import annotations

import numbers

import jax.numpy as jnp

from ngclab.components.layers import layer_dims, reset_compartments
from ngclab.components.validation import (
    check_count,
    check_kwargs,
    check_number,
    check_positive,
    owner,
)
from ngclab.core import Compartment, Component, Knob, compilable

DECAY_TYPES = ("exp", "lin", "step")


class VarTrace(Component):
    """A variable trace (low-pass filter) of its inputs; see the module docstring.

    Args:
        name: the trace's name
        n_units: number of traced units
        tau_tr: trace time constant (ms)
        a_delta: increment per pulse; <= 0 selects the gated trace that snaps to P_scale
        P_scale: value a gated trace snaps to on a pulse (Default: 1.)
        gamma_tr: extra factor on the decayed trace (Default: 1)
        decay_type: "exp", "lin" or "step" (names containing "exp" / "lin" are accepted as
            in ngc-learn) (Default: "exp")
        n_nearest_spikes: k > 0 makes a k-nearest-spike trace (Default: 0)
        batch_size: batch size (Default: 1)
        shape: per-sample (height, width, channels) instead of (n_units,) (ngclab extension)
        **kwargs: key
    """

    inputs: Compartment
    trace: Compartment
    outputs: Compartment
    tau_tr: Knob
    a_delta: Knob
    P_scale: Knob
    gamma_tr: Knob

    def __init__(self, name, n_units, tau_tr, a_delta, P_scale=1., gamma_tr=1, decay_type="exp",
                 n_nearest_spikes=0, batch_size=1, shape=None, **kwargs):
        who = owner(type(self), name)
        check_kwargs(who, kwargs)
        dims = layer_dims(who, n_units, shape)
        b = check_count(who, "batch_size", batch_size)
        tau = check_positive(who, "tau_tr", tau_tr)
        vals = {p: check_number(who, p, v) for p, v in
                (("a_delta", a_delta), ("P_scale", P_scale), ("gamma_tr", gamma_tr))}
        kind = None
        if isinstance(decay_type, str):
            kind = "exp" if "exp" in decay_type else "lin" if "lin" in decay_type else \
                "step" if decay_type == "step" else None
        if kind is None:
            raise ValueError(f"{who}: unknown decay_type {decay_type!r}; valid: "
                             f"{', '.join(DECAY_TYPES)}")
        if isinstance(n_nearest_spikes, bool) or not isinstance(n_nearest_spikes,
                                                                numbers.Integral) \
                or n_nearest_spikes < 0:
            raise ValueError(f"{who}: n_nearest_spikes must be an integer >= 0, got "
                             f"{n_nearest_spikes!r}")
        super().__init__(name, **kwargs)
        self.n_units, self.dims, self.batch_size = n_units, dims, b
        self.decay_type, self.n_nearest_spikes = kind, int(n_nearest_spikes)
        rest = jnp.zeros((b, *dims))
        self.inputs = Compartment(rest, kind="input", display_name="Input pulses")
        self.trace = Compartment(rest, display_name="Trace")
        self.outputs = Compartment(rest, kind="output", display_name="Trace")
        self.tau_tr = Knob(tau, low=1e-6, doc="trace time constant (ms)")
        self.a_delta = Knob(vals["a_delta"], doc="increment per pulse (<= 0: gated trace)")
        self.P_scale = Knob(vals["P_scale"], doc="value a gated trace snaps to")
        self.gamma_tr = Knob(vals["gamma_tr"], doc="factor on the decayed trace")

    @compilable
    def advance_state(self, dt):
        if self.decay_type == "exp":
            decay = jnp.exp(-dt / self.tau_tr.get())
        elif self.decay_type == "lin":
            decay = 1. - dt / self.tau_tr.get()
        else:
            decay = 0.
        z, x = self.trace.get(), self.inputs.get()
        z_new = self.gamma_tr.get() * z * decay
        a = self.a_delta.get()
        if self.n_nearest_spikes > 0:
            z_new = z_new + x * (a - z / self.n_nearest_spikes)
        else:
            z_new = jnp.where(a > 0., z_new + x * a, z_new * (1. - x) + x * self.P_scale.get())
        z_new = jnp.broadcast_to(z_new, z.shape)
        self.trace.set(z_new)
        self.outputs.set(z_new)

    @compilable
    def reset(self):
        reset_compartments([self.inputs, self.outputs, self.trace])  # zeros; a wired input keeps its wire

    @classmethod
    def help(cls) -> dict:
        return {
            cls.__name__: {"cell_type": "VarTrace - a low-pass filter (trace) of incoming "
                                        "signal values such as spike trains"},
            "compartments": {"inputs": {"inputs": "Incoming signal values (pulses)"},
                             "states": {"trace": "Filtered signal at time t"},
                             "outputs": {"outputs": "Filtered signal at time t (= trace)"}},
            "dynamics": "z <- gamma_tr * z * decay + inputs * a_delta (additive); "
                        "z <- (gamma_tr * z * decay) * (1 - inputs) + inputs * P_scale (gated); "
                        "z <- gamma_tr * z * decay + inputs * (a_delta - z / k) (k nearest)",
            "hyperparameters": {
                "n_units": "Number of traced units", "tau_tr": "Trace time constant",
                "a_delta": "Increment per pulse (<= 0: gated trace)",
                "P_scale": "Value a gated trace snaps to", "gamma_tr": "Factor on the leak",
                "decay_type": "exp, lin or step",
                "n_nearest_spikes": "k of a k-nearest-spike trace (0: all spikes)",
                "batch_size": "Batch size", "shape": "Per-sample (height, width, channels)"}}
