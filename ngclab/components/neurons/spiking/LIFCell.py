"""LIFCell: a leaky integrate-and-fire spiking cell with a refractory period and an adaptive
threshold (ngc-learn 3.2.3's LIFCell).

| tau_m dv/dt = g_L (v_rest - v) + R j * [rfr >= refract_time]      (euler or midpoint step)
| v_thr = thr + thr_theta
| s = [v > v_thr];  v <- v_reset where s;  rfr <- (rfr + dt) * (1 - s)
| thr_theta <- thr_theta * exp(-dt / tau_theta) + theta_plus * s    (only if tau_theta > 0)
| tols <- t where s (time of last spike)
| hold_refractory: v <- v and s <- 0 while rfr < refract_time     (Brian2's refractoriness)
| surrogate = ds/dv(v, v_thr) * R dt / tau_m   (ds/dv from the surrogate_type estimator)

with g_L = conduct_leak (0 gives a pure integrate-and-fire cell) and R = resist_m. During the
refractory period (rfr < refract_time, rfr counting ms since the last spike) the input current
is ignored and v only leaks; ``hold_refractory=True`` holds v instead (it neither integrates
nor leaks, and the cell cannot fire until the period is over: Brian2's ``(unless refractory)``
refractoriness, which the CUBA benchmark network uses). ``one_spike`` keeps one spike per
sample and step (drawn uniformly among the cells that fired; s_raw keeps them all);
``max_one_spike`` keeps only the spike of the cell with the highest voltage before the step.
``v_min`` clamps v from below. reset() restores v, rfr, spikes and v_thr but keeps the adapted
thr_theta (as ngc-learn).

Compartments: j (input); v, rfr, thr_theta, v_thr, surrogate, key (state); s, s_raw, tols
(outputs). Knobs: tau_m, resist_m, thr, v_rest, v_reset, conduct_leak, tau_theta, theta_plus,
refract_time.

ngclab extensions: ``batch_size`` (ngc-learn's LIFCell fixes it at 1), ``shape`` (per-sample
(height, width, channels), for cells that receive convolution maps; n_units is then ignored, as
in ngc-learn's graded cells) and ``hold_refractory`` (Default False: ngc-learn's numbers).

Difference from ngc-learn 3.2.3, where it is broken: it ignores ``surrogate_type`` and always
uses the arctan estimator; ngclab uses the named one (arctan and triangular with alpha = 0.2 as
ngc-learn's arctan call; secant_lif gives ds/dj of the scaled current directly), so
``surrogate_type="arctan"`` reproduces ngc-learn's surrogate. An unknown integration_type is an
error (ngc-learn prints a message and uses Euler).
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

from ngclab.components.spikes import time_of_last_spike
from ngclab.components.layers import layer_dims
from ngclab.components.validation import (
    check_choice,
    check_count,
    check_flag,
    check_kwargs,
    check_number,
    check_positive,
    owner,
)
from ngclab.components.ode import check_integration, integrate
from ngclab.core import Compartment, Component, Knob, compilable
from ngclab.utils.surrogate_fx import (
    arctan_estimator,
    secant_lif_estimator,
    straight_through_estimator,
    triangular_estimator,
)

SURROGATES = {"straight_through": straight_through_estimator, "arctan": arctan_estimator,
              "triangular": triangular_estimator, "secant_lif": secant_lif_estimator}


class LIFCell(Component):
    """A leaky integrate-and-fire cell (see the module docstring for the dynamics).

    Args:
        name: the cell's name
        n_units: number of cells
        tau_m: membrane time constant (ms)
        resist_m: membrane resistance R (> 0) (Default: 1.)
        thr: base voltage threshold (mV) (Default: -52.)
        v_rest: resting potential (mV) (Default: -65.)
        v_reset: reset potential after a spike (mV) (Default: -60.)
        conduct_leak: leak conductance g_L; 0 gives IF dynamics (Default: 1.)
        tau_theta: threshold-adaptation time constant; 0 turns adaptation off (Default: 1e7)
        theta_plus: threshold increment per spike (Default: 0.05)
        refract_time: refractory period (ms) (Default: 5.)
        one_spike: at most one spike per sample and step (Default: False)
        integration_type: "euler" or "midpoint" ("rk1" / "rk2") (Default: "euler")
        surrogate_type: "straight_through", "arctan", "triangular" or "secant_lif"
            (Default: "straight_through")
        v_min: lower clamp of v, or None (Default: None)
        max_one_spike: keep only the spike of the highest-voltage cell (Default: False)
        batch_size: batch size (ngclab extension; Default: 1)
        hold_refractory: hold v and suppress spikes during the refractory period instead of
            letting v leak (ngclab extension; Default: False)
        shape: per-sample (height, width, channels) instead of (n_units,) (ngclab extension)
        **kwargs: key
    """

    j: Compartment
    v: Compartment
    s: Compartment
    s_raw: Compartment
    rfr: Compartment
    thr_theta: Compartment
    tols: Compartment
    surrogate: Compartment
    v_thr: Compartment
    tau_m: Knob
    resist_m: Knob
    thr: Knob
    v_rest: Knob
    v_reset: Knob
    conduct_leak: Knob
    tau_theta: Knob
    theta_plus: Knob
    refract_time: Knob

    def __init__(self, name, n_units, tau_m, resist_m=1., thr=-52., v_rest=-65., v_reset=-60.,
                 conduct_leak=1., tau_theta=1e7, theta_plus=0.05, refract_time=5.,
                 one_spike=False, integration_type="euler", surrogate_type="straight_through",
                 v_min=None, max_one_spike=False, batch_size=1, shape=None,
                 hold_refractory=False, **kwargs):
        who = owner(type(self), name)
        check_kwargs(who, kwargs)
        dims = layer_dims(who, n_units, shape)
        b = check_count(who, "batch_size", batch_size)
        vals = {"tau_m": check_positive(who, "tau_m", tau_m),
                "resist_m": check_positive(who, "resist_m", resist_m),
                "tau_theta": check_number(who, "tau_theta", tau_theta, low=0.),
                "refract_time": check_number(who, "refract_time", refract_time, low=0.)}
        for pname, v in (("thr", thr), ("v_rest", v_rest), ("v_reset", v_reset),
                         ("theta_plus", theta_plus)):
            vals[pname] = check_number(who, pname, v)
        # a negative leak conductance drives v away from v_rest exponentially (0: an IF cell)
        vals["conduct_leak"] = check_number(who, "conduct_leak", conduct_leak, low=0.)
        integration = check_integration(who, integration_type)
        check_choice(who, "surrogate_type", surrogate_type, SURROGATES)
        v_min = None if v_min is None else check_number(who, "v_min", v_min)
        one_spike = check_flag(who, "one_spike", one_spike)
        max_one_spike = check_flag(who, "max_one_spike", max_one_spike)
        hold_refractory = check_flag(who, "hold_refractory", hold_refractory)
        super().__init__(name, **kwargs)
        self.n_units, self.dims, self.batch_size = dims[0] if shape is None else n_units, dims, b
        self.integration, self.surrogate_type = integration, surrogate_type
        self.one_spike, self.max_one_spike, self.v_min = one_spike, max_one_spike, v_min
        self.hold_refractory = hold_refractory
        self.d_spike_fx = SURROGATES[surrogate_type]()[1]
        rest = jnp.zeros((b, *dims))
        self.j = Compartment(rest, kind="input", display_name="Current", units="mA")
        self.v = Compartment(rest + vals["v_rest"], display_name="Voltage", units="mV")
        self.s = Compartment(rest, kind="output", display_name="Spikes")
        self.s_raw = Compartment(rest, kind="output", display_name="Raw Spike Pulses")
        self.rfr = Compartment(rest + vals["refract_time"], display_name="Refractory Time Period",
                               units="ms")
        self.thr_theta = Compartment(rest, display_name="Threshold Adaptive Shift", units="mV")
        self.tols = Compartment(rest, kind="output", display_name="Time-of-Last-Spike",
                                units="ms")
        self.surrogate = Compartment(rest + 1., display_name="Surrogate State Value")
        self.v_thr = Compartment(rest + vals["thr"], display_name="Voltage threshold", units="mV")
        self.tau_m = Knob(vals["tau_m"], low=1e-6, doc="membrane time constant (ms)")
        self.resist_m = Knob(vals["resist_m"], low=1e-6, doc="membrane resistance")
        self.thr = Knob(vals["thr"], doc="base voltage threshold (mV)")
        self.v_rest = Knob(vals["v_rest"], doc="resting potential (mV)")
        self.v_reset = Knob(vals["v_reset"], doc="reset potential (mV)")
        self.conduct_leak = Knob(vals["conduct_leak"], low=0., doc="leak conductance (0: IF cell)")
        self.tau_theta = Knob(vals["tau_theta"], low=0., doc="threshold adaptation time "
                                                             "constant (0: off)")
        self.theta_plus = Knob(vals["theta_plus"], doc="threshold increment per spike (mV)")
        self.refract_time = Knob(vals["refract_time"], low=0., doc="refractory period (ms)")

    @compilable
    def advance_state(self, dt, t):
        tau_m, R = self.tau_m.get(), self.resist_m.get()
        j = self.j.get() * R
        v_thr = self.thr_theta.get() + self.thr.get()
        mask = (self.rfr.get() >= self.refract_time.get()) * 1.
        v_rest, g_L = self.v_rest.get(), self.conduct_leak.get()

        def dv_dt(_, v):
            return ((v_rest - v) * g_L + j * mask) * (1. / tau_m)

        v = integrate(self.integration, dv_dt, self.v.get(), dt)
        s = (v > v_thr) * 1.
        if self.hold_refractory:   # a refractory cell keeps its voltage and cannot fire
            v = jnp.where(mask > 0., v, self.v.get())
            s = s * mask
        rfr = (self.rfr.get() + dt) * (1. - s)
        if self.surrogate_type == "secant_lif":
            surrogate = self.d_spike_fx(j)
        elif self.surrogate_type == "straight_through":
            surrogate = self.d_spike_fx(v, v_thr) * ((R * dt) / tau_m)
        else:
            surrogate = self.d_spike_fx(v, v_thr, alpha=0.2) * ((R * dt) / tau_m)
        self.surrogate.set(jnp.broadcast_to(surrogate, v.shape))
        v = v * (1. - s) + s * self.v_reset.get()
        raw_s = s
        if self.one_spike and not self.max_one_spike:
            key, sub = jax.random.split(self.key.get(), 2)
            flat = jnp.reshape(s, (s.shape[0], -1))
            fired = (jnp.sum(flat, axis=1, keepdims=True) > 0.).astype(jnp.float32)
            pick = jax.nn.one_hot(jnp.argmax(flat * jax.random.uniform(sub, flat.shape), axis=1),
                                  flat.shape[1], dtype=jnp.float32)
            s = jnp.reshape(flat * (1. - fired) + pick * fired, s.shape)
            self.key.set(key)
        if self.max_one_spike:
            old = jnp.reshape(self.v.get(), (s.shape[0], -1))
            top = jax.nn.one_hot(jnp.argmax(old, axis=1), old.shape[1], dtype=jnp.float32)
            s = s * jnp.reshape(top, s.shape)
        tau_theta = self.tau_theta.get()
        adapting = tau_theta > 0.
        theta = self.thr_theta.get() * jnp.exp(-dt / jnp.where(adapting, tau_theta, 1.)) \
            + raw_s * self.theta_plus.get()
        theta = jnp.where(adapting, theta, self.thr_theta.get())
        self.thr_theta.set(theta)
        self.v_thr.set(jnp.where(adapting, self.thr.get() + theta, self.v_thr.get()))
        self.tols.set(time_of_last_spike(self.tols.get(), s, t))
        if self.v_min is not None:
            v = jnp.maximum(v, self.v_min)
        self.v.set(v)
        self.s.set(s)
        self.s_raw.set(raw_s)
        self.rfr.set(rfr)

    @compilable
    def reset(self):
        rest = jnp.zeros((self.batch_size, *self.dims))
        if not self.j.targeted:
            self.j.set(rest)
        self.v.set(rest + self.v_rest.get())
        self.s.set(rest)
        self.s_raw.set(rest)
        self.surrogate.set(rest + 1.)
        self.rfr.set(rest + self.refract_time.get())
        self.tols.set(rest)
        self.v_thr.set(rest + self.thr.get())

    @classmethod
    def help(cls) -> dict:
        return {
            cls.__name__: {"cell_type": "LIFCell - evolves neurons by leaky integrate-and-fire "
                                        "spiking dynamics"},
            "compartments": {
                "inputs": {"j": "External input electrical current"},
                "states": {"v": "Membrane potential at time t",
                           "rfr": "Time since the last spike (refractory variable)",
                           "thr_theta": "Adaptive threshold shift at time t",
                           "v_thr": "Voltage threshold thr + thr_theta",
                           "surrogate": "Surrogate derivative of the spikes w.r.t. j",
                           "key": "JAX PRNG key"},
                "outputs": {"s": "Emitted spikes at time t",
                            "s_raw": "Spikes before the one-spike constraints",
                            "tols": "Time of last spike"}},
            "dynamics": "tau_m * dv/dt = g_L * (v_rest - v) + R * j (outside the refractory "
                        "period); spike when v > thr + thr_theta, then v = v_reset",
            "hyperparameters": {
                "n_units": "Number of cells", "tau_m": "Membrane time constant",
                "resist_m": "Membrane resistance", "thr": "Base voltage threshold",
                "v_rest": "Resting potential", "v_reset": "Reset potential",
                "conduct_leak": "Leak conductance (0: integrate-and-fire)",
                "tau_theta": "Threshold adaptation time constant (0: off)",
                "theta_plus": "Threshold increment per spike",
                "refract_time": "Refractory period (ms)",
                "one_spike": "At most one spike per sample and step?",
                "integration_type": "euler or midpoint",
                "surrogate_type": "straight_through, arctan, triangular or secant_lif",
                "v_min": "Lower clamp of the voltage (None: none)",
                "max_one_spike": "Keep only the spike of the highest-voltage cell?",
                "batch_size": "Batch size", "shape": "Per-sample (height, width, channels)",
                "hold_refractory": "Hold v (no leak, no spikes) during the refractory period?"}}
