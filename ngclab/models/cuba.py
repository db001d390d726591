"""The CUBA network (Vogels & Abbott 2005, as benchmarked by Brette et al. 2007 and in Brian2's
``examples/CUBA.py``) from ngclab components: leaky integrate-and-fire cells driven by
exponentially decaying excitatory and inhibitory currents on sparse random cables.

| dv/dt  = (ge + gi - (v - El)) / taum      (v held while refractory, 5 ms; spike v > Vt; v <- Vr)
| dge/dt = -ge / taue,   ge += we per excitatory spike   (taue = 5 ms, we = 60 * 0.27 / 10 mV)
| dgi/dt = -gi / taui,   gi += wi per inhibitory spike   (taui = 10 ms, wi = -20 * 4.5 / 10 mV)

with taum = 20 ms, Vt = -50 mV, Vr = -60 mV, El = -49 mV; the first 80% of the cells are
excitatory, each cell connects to each with probability p (2% at 4,000 cells; ``p_conn=None``
keeps 80 expected inputs per cell at any size, p = 80 / n), and v starts uniform in [Vr, Vt].
On the components:

| LIFCell P:    tau_m = taum, v_rest = El, thr = Vt, v_reset = Vr, refract_time = 5,
|               resist_m = conduct_leak = 1, tau_theta = 0 (no adaptation), hold_refractory
|               so  tau_m dv/dt = (v_rest - v) + j  with  j = Ce.outputs + Ci.outputs
| SparseExponentialSynapse Ce / Ci:  tau_decay = taue / taui, g_syn_bar = we / wi,
|               syn_rest = None, g_conduct_factor = -1 (outputs = -(-1) g = g, i.e. ge / gi),
|               pre_units = the excitatory / inhibitory cells, p_conn = p

One step runs P, then Ce and Ci, Brian2's schedule: v integrates with the currents of the step
before, then this step's spikes add their jumps. Brian2 integrates the linear system exactly;
the components take forward-Euler steps (v by dt / taum, the currents decay by 1 - dt / tau),
which changes the firing rate by a few percent at dt = 0.1 ms (tests/cuba measures it).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jax.numpy as jnp
import numpy as np

from ngclab.components.neurons.spiking.LIFCell import LIFCell
from ngclab.components.synapses.sparseExponentialSynapse import (EventCapacityError,
                                                                  SparseExponentialSynapse)
from ngclab.core import Context, MethodProcess
from ngclab.operations import Summation

TAU_M, TAU_E, TAU_I = 20., 5., 10.             # ms
V_T, V_R, E_L = -50., -60., -49.               # mV
W_E, W_I = 60. * 0.27 / 10., -20. * 4.5 / 10.  # mV per spike
REFRACTORY, DT = 5., 0.1                       # ms
EXCITATORY = 0.8                               # share of excitatory cells
IN_DEGREE = 80.                                # expected inputs per cell (2% of 4,000)


@dataclass
class Cuba:
    """A built CUBA network: its Context, cells, synapses and processes."""
    ctx: Context
    P: LIFCell
    Ce: SparseExponentialSynapse
    Ci: SparseExponentialSynapse
    advance: MethodProcess
    reset: MethodProcess
    n: int
    n_exc: int
    seed: int

    @property
    def synapses(self) -> tuple:
        return self.Ce, self.Ci


def build(n: int = 4000, p_conn: float | None = None, seed: int = 0,
          event_capacity: int | None = 64, we: float = W_E, wi: float = W_I,
          name: str = "cuba") -> Cuba:
    """The CUBA network of ``n`` cells, connectivity and initial voltages drawn from ``seed``.

    ``event_capacity``: most excitatory (and, separately, inhibitory) spikes a step propagates
    (None: every connection every step, any number of spikes). ``we``, ``wi``: the jumps (mV).
    """
    p = IN_DEGREE / n if p_conn is None else p_conn
    n_exc = int(round(EXCITATORY * n))
    with Context(name) as ctx:
        P = LIFCell("P", n_units=n, tau_m=TAU_M, resist_m=1., thr=V_T, v_rest=E_L, v_reset=V_R,
                    conduct_leak=1., tau_theta=0., theta_plus=0., refract_time=REFRACTORY,
                    hold_refractory=True, key=seed)
        Ce = SparseExponentialSynapse("Ce", shape=(n, n), tau_decay=TAU_E, g_syn_bar=we,
                                      syn_rest=None, g_conduct_factor=-1., p_conn=p,
                                      pre_units=(0, n_exc), event_capacity=event_capacity,
                                      key=seed + 1)
        Ci = SparseExponentialSynapse("Ci", shape=(n, n), tau_decay=TAU_I, g_syn_bar=wi,
                                      syn_rest=None, g_conduct_factor=-1., p_conn=p,
                                      pre_units=(n_exc, n), event_capacity=event_capacity,
                                      key=seed + 2)
        P.s >> Ce.inputs
        P.s >> Ci.inputs
        Summation(Ce.outputs, Ci.outputs) >> P.j
        advance = MethodProcess("advance") >> P.advance_state >> Ce.advance_state \
            >> Ci.advance_state
        reset = MethodProcess("reset") >> P.reset >> Ce.reset >> Ci.reset
    net = Cuba(ctx, P, Ce, Ci, advance, reset, n, n_exc, seed)
    start_voltages(net)
    return net


def initial_voltages(n: int, seed: int) -> jnp.ndarray:
    """v uniform in [Vr, Vt] (Brian2's ``Vr + rand() * (Vt - Vr)``), shape (1, n)."""
    u = np.random.default_rng(seed).uniform(size=(1, n)).astype(np.float32)
    return jnp.asarray(V_R + u * (V_T - V_R))


def start_voltages(net: Cuba) -> None:
    """Put the cells at their random initial voltages (after a reset, which sets v = El)."""
    net.P.v.set(initial_voltages(net.n, net.seed))


def run(net: Cuba, steps: int, dt: float = DT, record: Any = None, **scan: Any) -> dict:
    """``net.advance.scan`` that refuses lost spikes: the synapses' overflow is recorded
    ("last") and checked, raising EventCapacityError with the first step over capacity.

    ``record``: a dict {compartment: how} (or a list) as scan takes; ``**scan``: further
    scan keywords (t0, sweep, clamp, chunk, check_finite, ...)."""
    record = dict(record) if isinstance(record, dict) else {c: None for c in (record or ())}
    guards = [s for s in net.synapses if s.event_capacity is not None]
    for s in guards:
        record.setdefault(s.overflow, "last")
    out = net.advance.scan(steps, dt=dt, record=record, **scan)
    for s in guards:
        s.check_overflow(np.asarray(out[s.overflow.path]))
    return out


def lab_guard(net: Cuba):
    """A Lab run observer for this network: a reset puts the cells back at their random start
    (a LIFCell reset sets v = El, above threshold), and a run that lost spikes stops with
    EventCapacityError's message (the step and the count) instead of the Lab's NaN message.

    A step with more spikes than a synapse's event_capacity makes its g_syn NaN; the Lab's
    runner then restores the state from before the chunk and reports the NaN. The guard runs
    that chunk again from the restored state (the same keys, so the same spikes) with the
    overflow recorded, and puts the capacity error in the run's message."""
    from ngclab.lab.runner import RunObserver, RunRefused

    guarded = [s for s in net.synapses if s.event_capacity is not None]

    class Guard(RunObserver):
        pending = None            # (step_count, t, steps) of the chunk about to run

        def was_reset(self, runner) -> None:
            start_voltages(net)

        def steps_allowed(self, runner, n: int) -> int:
            for s in guarded:
                try:
                    s.check_overflow()
                except EventCapacityError as err:
                    raise RunRefused(str(err)) from None
            self.pending = (runner.step_count, runner.t, n)
            return n

        def chunk_done(self, runner, records, first_step: int, steps: int) -> None:
            self.pending = None

        def status_changed(self, runner) -> None:
            failed, self.pending = self.pending, None
            if runner.status != "error" or failed is None or failed[0] != runner.step_count:
                return
            if not any(s.g_syn.path in runner.error for s in guarded):
                return
            first, t0, n = failed
            snap = net.ctx.snapshot()
            try:
                rec = net.advance.scan(steps=n, t0=t0, dt=runner.dt,
                                       record={s.overflow: "last" for s in guarded})
            finally:
                net.ctx.restore(snap)
            for s in guarded:
                try:
                    s.check_overflow(np.asarray(rec[s.overflow.path]))
                except EventCapacityError as err:
                    runner.error = (f"{err} (the run stopped during steps {first}-"
                                    f"{first + n - 1}; the state is as it was before them)")
                    runner.notify()
                    return

    return Guard()


def spike_times(events: np.ndarray, dt: float = DT, t0: float = 0.) -> tuple[np.ndarray, np.ndarray]:
    """(times, cells) of the spikes in recorded ``events`` (steps, batch, K; -1 pads) of
    sample 0: one entry per spike, in step order."""
    ev = np.asarray(events)[:, 0, :]
    step, slot = np.nonzero(ev >= 0)
    return t0 + step * dt, ev[step, slot]


def isi_cv(times: np.ndarray, cells: np.ndarray, min_spikes: int = 3) -> np.ndarray:
    """Coefficient of variation (std / mean) of each cell's inter-spike intervals, for the
    cells with at least ``min_spikes`` spikes."""
    order = np.lexsort((times, cells))
    t, c = np.asarray(times, np.float64)[order], np.asarray(cells)[order]
    same = c[1:] == c[:-1]                       # consecutive spikes of one cell
    isi, cell = np.diff(t)[same], c[1:][same]
    count = np.bincount(cell)
    keep = count >= max(1, min_spikes - 1)
    mean = np.bincount(cell, isi)[keep] / count[keep]
    var = np.bincount(cell, isi ** 2)[keep] / count[keep] - mean ** 2
    return np.sqrt(np.maximum(var, 0.)) / mean
