"""RAFSRM: the resonate-and-fire cell as a spike-response model, its damped oscillation computed
exactly with the matrix exponential of the RAF cell's linear system (ngc-learn 3.2.3's RAFSRM).

| A = [[b/tau_v, omega/tau_v], [-omega/tau_w, b/tau_w]]    (the RAFCell equations, b = dampen_factor)
| (u_v, u_w) <- e^{A (t - t_eval)} (u_v, u_w) + (0, j dt / tau_w)     input response
| v = u_v + eta(t - t_last),  eta(s) = first row of e^{A s} (v_reset, w_reset)   reset response
| s = [v > thr];  t_last <- t, (u_v, u_w) <- 0, v <- v_reset where s;  t_eval <- t

e^{A s} = e^{-gamma s} [cos(w_d s) I + sin(w_d s) / w_d (A + gamma I)], gamma = -(b/tau_v +
b/tau_w) / 2, w_d^2 = det A - gamma^2: the state rings at w_d / (2 pi) cycles per ms and decays
at rate gamma (an under-damped system is assumed; w_d is floored at 1e-3). The input response
restarts at every spike, so between spikes the state is exactly the reset state (v_reset,
w_reset) evolved freely plus the response to the input since the spike: a RAF cell reset at its
spikes.

predict_next_spike(t_start) gives, per cell, the first time v would reach thr if the present
current j stayed constant (the state relaxing around the fixed point -A^{-1} (0, j / tau_w)),
searched over two periods 4 pi / w_d (beyond which a damped oscillation only shrinks) on a grid
of 128 points refined by bisection; -1 where it never does.

Compartments: current_j (input); v, j_v, j_w, last_t_eval, key (state); s, t_last_spike,
next_spike_t (outputs). Knobs: tau_v, tau_w, thr, omega, dampen_factor, v_reset, w_reset.

Differences from ngc-learn 3.2.3, where it is broken: it never restarts (u_v, u_w) at a spike, so
a spike does not reset the oscillation (with the default v_reset = w_reset = 0 it changes nothing
after that step); ngclab restarts it. Its predict_next_spike runs Newton's method from 0.1 ms on
the input response alone (without the reset response or the input), which may find a later or a
downward crossing; ngclab searches the first upward crossing of the whole voltage.
"""
from __future__ import annotations

import jax.numpy as jnp

from ngclab.components.neurons.spiking._lif import raf_propagate, raf_system, spike_reset
from ngclab.components.validation import check_count, check_number, check_positive, owner
from ngclab.core import Compartment, Component, Knob, compilable

GRID_POINTS = 128      # grid of the first-crossing search (over two periods)
BISECTIONS = 30        # refinement steps of a bracketed crossing


class RAFSRM(Component):
    """The resonate-and-fire spike-response model (see the module docstring for the kernels).

    Args:
        name: the cell's name
        n_units: number of cells
        tau_v: voltage time constant (ms) (Default: 1.)
        tau_w: angular-driver time constant (ms) (Default: 1.)
        thr: voltage threshold (Default: 1.)
        omega: angular frequency (Default: 10.)
        dampen_factor: damping b (< 0 damps the oscillation) (Default: -1.)
        v_reset: voltage after a spike (Default: 0.)
        w_reset: angular driver after a spike (Default: 0.)
        batch_size: batch size (Default: 1)
        **kwargs: key
    """

    current_j: Compartment     # input current
    v: Compartment             # membrane potential
    s: Compartment             # spikes
    t_last_spike: Compartment  # time of the last spike (-1: none yet)
    next_spike_t: Compartment  # predicted time of the next spike (-1: none)
    j_v: Compartment           # voltage part of the input response
    j_w: Compartment           # angular-driver part of the input response
    last_t_eval: Compartment   # time of the last evaluation (ms)
    tau_v: Knob
    tau_w: Knob
    thr: Knob
    omega: Knob
    dampen_factor: Knob
    v_reset: Knob
    w_reset: Knob

    def __init__(self, name, n_units, tau_v=1., tau_w=1., thr=1., omega=10., dampen_factor=-1.,
                 v_reset=0., w_reset=0., batch_size=1, **kwargs):
        super().__init__(name, **kwargs)
        who = owner(type(self), name)
        n = check_count(who, "n_units", n_units)
        b = check_count(who, "batch_size", batch_size)
        tau_v, tau_w = check_positive(who, "tau_v", tau_v), check_positive(who, "tau_w", tau_w)
        vals = {p: check_number(who, p, x) for p, x in (
            ("thr", thr), ("omega", omega), ("dampen_factor", dampen_factor),
            ("v_reset", v_reset), ("w_reset", w_reset))}
        self.n_units, self.batch_size = n, b

        rest = jnp.zeros((b, n))
        self.current_j = Compartment(rest, kind="input", display_name="Current")
        self.v = Compartment(rest, display_name="Voltage")
        self.s = Compartment(rest, kind="output", display_name="Spikes")
        self.t_last_spike = Compartment(rest - 1., kind="output", display_name="Last spike time",
                                        units="ms")
        self.next_spike_t = Compartment(rest - 1., kind="output",
                                        display_name="Predicted next spike time", units="ms")
        self.j_v = Compartment(rest, display_name="Input response (voltage)")
        self.j_w = Compartment(rest, display_name="Input response (angular driver)")
        self.last_t_eval = Compartment(rest, display_name="Last evaluation time", units="ms")
        self.tau_v = Knob(tau_v, low=1e-6, doc="voltage time constant (ms)")
        self.tau_w = Knob(tau_w, low=1e-6, doc="angular-driver time constant (ms)")
        self.thr = Knob(vals["thr"], doc="voltage threshold")
        self.omega = Knob(vals["omega"], doc="angular frequency")
        self.dampen_factor = Knob(vals["dampen_factor"], doc="damping b (< 0 damps)")
        self.v_reset = Knob(vals["v_reset"], doc="voltage after a spike")
        self.w_reset = Knob(vals["w_reset"], doc="angular driver after a spike")

    def _system(self):
        return raf_system(self.tau_v.get(), self.tau_w.get(), self.omega.get(),
                          self.dampen_factor.get())

    def _state_at(self, t, system):
        """(v, w) at time t without further input: input response plus reset response."""
        u_v, u_w = raf_propagate(self.j_v.get(), self.j_w.get(), t - self.last_t_eval.get(),
                                 system)
        since = t - self.t_last_spike.get()
        has_spiked = (self.t_last_spike.get() >= 0.).astype(jnp.float32)
        r_v, r_w = raf_propagate(self.v_reset.get(), self.w_reset.get(), since, system)
        return u_v + has_spiked * r_v, u_w + has_spiked * r_w

    @compilable
    def advance_state(self, dt, t):
        system = self._system()
        u_v, u_w = raf_propagate(self.j_v.get(), self.j_w.get(), t - self.last_t_eval.get(),
                                 system)
        u_w = u_w + self.current_j.get() * dt / self.tau_w.get()
        has_spiked = (self.t_last_spike.get() >= 0.).astype(jnp.float32)
        eta_v, _ = raf_propagate(self.v_reset.get(), self.w_reset.get(),
                                 t - self.t_last_spike.get(), system)
        v = u_v + has_spiked * eta_v
        s = (v > self.thr.get()).astype(jnp.float32)
        self.t_last_spike.set(jnp.where(s > 0., t, self.t_last_spike.get()))
        self.v.set(spike_reset(v, s, self.v_reset.get()))
        self.s.set(s)
        self.j_v.set(u_v * (1. - s))  # the input response restarts at a spike
        self.j_w.set(u_w * (1. - s))
        self.last_t_eval.set(jnp.zeros_like(v) + t)

    @compilable
    def predict_next_spike(self, t_start):
        system = self._system()
        (a, b, c, d), _, omega_d = system
        v0, w0 = self._state_at(t_start, system)
        drive = jnp.broadcast_to(self.current_j.get() / self.tau_w.get(), v0.shape)
        det = a * d - b * c
        det = jnp.where(jnp.abs(det) < 1e-12, 1e-12, det)
        v_fix, w_fix = b * drive / det, -a * drive / det    # A x + (0, drive) = 0
        thr = self.thr.get()

        def voltage(s):
            return v_fix + raf_propagate(v0 - v_fix, w0 - w_fix, s, system)[0]

        grid = jnp.linspace(0., 4. * jnp.pi / omega_d, GRID_POINTS)
        above = voltage(jnp.reshape(grid, (-1,) + (1,) * v0.ndim)) >= thr
        found = jnp.any(above, axis=0)
        k = jnp.argmax(above, axis=0)
        hi = grid[k]
        lo = grid[jnp.maximum(k - 1, 0)]
        for _ in range(BISECTIONS):
            mid = 0.5 * (lo + hi)
            up = voltage(mid) >= thr
            lo, hi = jnp.where(up, lo, mid), jnp.where(up, mid, hi)
        self.next_spike_t.set(jnp.where(found, t_start + hi, -1.))

    @compilable
    def reset(self):
        rest = jnp.zeros((self.batch_size, self.n_units))
        if not self.current_j.targeted:
            self.current_j.set(rest)
        for comp in (self.v, self.s, self.j_v, self.j_w, self.last_t_eval):
            comp.set(rest)
        self.t_last_spike.set(rest - 1.)
        self.next_spike_t.set(rest - 1.)

    @classmethod
    def help(cls) -> dict:
        return {
            cls.__name__: {"cell_type": "RAFSRM - resonate-and-fire neurons computed as a "
                                        "spike-response model (exact damped oscillation)"},
            "compartments": {
                "inputs": {"current_j": "External input electrical current"},
                "states": {"v": "Membrane potential at time t",
                           "j_v": "Voltage part of the input response since the last spike",
                           "j_w": "Angular-driver part of the input response",
                           "last_t_eval": "Time of the last evaluation",
                           "key": "JAX PRNG key"},
                "outputs": {"s": "Emitted spikes at time t",
                            "t_last_spike": "Time of the last spike (-1: none)",
                            "next_spike_t": "Predicted time of the next spike (-1: none)"}},
            "dynamics": "(u_v, u_w) <- expm(A * (t - t_eval)) (u_v, u_w) + (0, j dt / tau_w); "
                        "v = u_v + [expm(A (t - t_last)) (v_reset, w_reset)]_v",
            "hyperparameters": {
                "n_units": "Number of cells", "tau_v": "Voltage time constant",
                "tau_w": "Angular-driver time constant", "thr": "Voltage threshold",
                "omega": "Angular frequency", "dampen_factor": "Damping b (< 0 damps)",
                "v_reset": "Voltage after a spike", "w_reset": "Angular driver after a spike",
                "batch_size": "Batch size"}}
