"""SparseExponentialSynapse: ExponentialSynapse's conductance on a sparse random cable, with an
event-driven product (an ngclab component; ngc-learn 3.2.3 has only the dense cable).

| dg/dt = -g / tau_decay + g_bar sum_k delta(t - t_k)        (t_k: arriving pre-synaptic spikes)
| g <- g (1 - dt / tau_decay) + g_bar (x @ W)                 (forward Euler, as ExponentialSynapse)
| i_syn = outputs = -g_conduct_factor g (v - syn_rest)        (syn_rest None: -g_conduct_factor g)

W connects each input unit i in ``pre_units`` (all by default) to each output unit j with
probability ``p_conn``, drawn once from the component's key (Brian2's
``connect('i < 3200', p=0.02)`` is ``pre_units=(0, 3200), p_conn=0.02``); its efficacies are 1
on every connection (``is_nonplastic``, the default) or drawn by ``weight_init``. They are kept
by rows: ``weights[i, r]`` is the efficacy of the r-th connection of input unit
pre_units[0] + i (0 where a row has fewer), ``targets[i, r]`` (fixed structure) its output unit.

``event_capacity=K`` makes the product event-driven: each step only the rows of the (at most K)
input units that are non-zero are added, at a cost proportional to the spikes of the step.
``events`` lists those units (-1 pads). A step with more than K active units cannot be
computed: its conductance becomes NaN (a run with finiteness checks stops there) and
``overflow`` counts it; ``check_overflow()`` raises EventCapacityError with the first such
step and its count (ngclab.models.cuba.run calls it after every scan). ``event_capacity=None``
adds every row every step (any input; no capacity).

Compartments: inputs, v (inputs); weights (parameters); g_syn, overflow (state); i_syn,
outputs, events (outputs); key. Knobs: tau_decay, g_syn_bar, syn_rest (when given),
g_conduct_factor.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from ngclab.components.layers import reset_compartments
from ngclab.components.synapses._kernels import leak
from ngclab.components.synapses._sparse import (active_rows, propagate_rows, propagate_table,
                                                random_targets)
from ngclab.components.synapses.denseSynapse import initializer, synapse_shape
from ngclab.components.validation import (check_count, check_flag, check_number, check_positive,
                                          owner)
from ngclab.core import Compartment, Component, Knob, compilable
from ngclab.utils.distribution_generator import DistributionGenerator, initialize_params

#: overflow = [steps over capacity, t of the first, its dt, its active count, largest count]
OVERFLOW_FIELDS = 5


class EventCapacityError(RuntimeError):
    """More units fired in one step than an event-driven synapse's event_capacity."""

    def __init__(self, message: str, step: int, t: float, count: int, capacity: int):
        super().__init__(message)
        self.step, self.t, self.count, self.capacity = step, t, count, capacity


class SparseExponentialSynapse(Component):
    """An exponential conductance on a sparse random cable (see the module docstring).

    Args:
        name: the synapse's name
        shape: (n_inputs, n_outputs)
        tau_decay: conductance decay time constant (ms)
        g_syn_bar: conductance added by one spike on a unit weight
        syn_rest: synaptic reversal potential (mV); None makes the synapse current-based
        weight_init: initializer of the efficacies (used only when is_nonplastic is False)
        bias_init: must be None (the cable has no biases; kept for ExponentialSynapse's order)
        g_conduct_factor: factor on the current (Default: 1.)
        p_conn: probability in (0, 1] that a connection exists (Default: 1.)
        is_nonplastic: efficacy 1 on every connection (Default: True)
        pre_units: (start, stop): only input units start <= i < stop connect (Default: all)
        event_capacity: most active input units a step propagates (event-driven product), or
            None: every row every step (Default: None)
        batch_size: batch dimension (Default: 1)
        **kwargs: key
    """

    inputs: Compartment      # pre-synaptic spikes (B, n_inputs)
    v: Compartment           # post-synaptic voltage (mV), read when syn_rest is not None
    weights: Compartment     # efficacies by rows (n_pre, R)
    g_syn: Compartment       # synaptic conductance (B, n_outputs)
    overflow: Compartment    # steps over capacity and the first of them (OVERFLOW_FIELDS,)
    i_syn: Compartment       # synaptic current
    outputs: Compartment     # = i_syn
    events: Compartment      # input units propagated this step, -1 pads (with event_capacity)
    tau_decay: Knob
    g_syn_bar: Knob
    syn_rest: Knob           # only when syn_rest is not None
    g_conduct_factor: Knob

    def __init__(self, name, shape, tau_decay, g_syn_bar, syn_rest, weight_init=None,
                 bias_init=None, g_conduct_factor=1., p_conn=1., is_nonplastic=True,
                 pre_units=None, event_capacity=None, batch_size=1, **kwargs):
        super().__init__(name, **kwargs)
        who = owner(type(self), name)
        self.shape = synapse_shape(who, shape)
        n_in, n_out = self.shape
        tau = check_positive(who, "tau_decay", tau_decay)
        g_bar = check_number(who, "g_syn_bar", g_syn_bar)
        rest = None if syn_rest is None else check_number(who, "syn_rest", syn_rest)
        g = check_number(who, "g_conduct_factor", g_conduct_factor)
        if not 0. < check_number(who, "p_conn", p_conn) <= 1.:
            raise ValueError(f"{who}: p_conn must be a probability in (0, 1], got {p_conn}")
        if bias_init is not None:
            raise ValueError(f"{who}: bias_init must be None (this cable has no biases)")
        self.is_nonplastic = check_flag(who, "is_nonplastic", is_nonplastic)
        self.weight_init = initializer(who, "weight_init", weight_init) or \
            DistributionGenerator.uniform(0.025, 0.8)   # DenseSynapse's default
        self.pre_units = self._pre_range(who, pre_units, n_in)
        n_pre = self.pre_units[1] - self.pre_units[0]
        self.event_capacity = None if event_capacity is None else \
            min(check_count(who, "event_capacity", event_capacity), n_pre)
        if n_pre >= 1 << 24:   # active_rows scores units in float32
            raise ValueError(f"{who}: at most {1 << 24} input units can connect, got {n_pre}")
        self.batch_size = check_count(who, "batch_size", batch_size)
        self.p_conn = float(p_conn)

        _, k_conn, k_w = jax.random.split(self.key.get(), 3)
        seed = np.asarray(jax.random.bits(k_conn, (4,), jnp.uint32))
        self.targets = random_targets(seed, n_pre, n_out, self.p_conn)   # (n_pre, R) structure
        connected = (self.targets < n_out).astype(np.float32)
        if self.is_nonplastic:
            weights = jnp.asarray(connected)
        else:
            drawn = initialize_params(k_w, self.weight_init, self.targets.shape)
            weights = jnp.asarray(drawn, jnp.float32) * connected
        post = jnp.zeros((self.batch_size, n_out))
        self.inputs = Compartment(jnp.zeros((self.batch_size, n_in)), kind="input",
                                  display_name="Pre-synaptic spikes")
        self.v = Compartment(post, kind="input", display_name="Post-synaptic voltage", units="mV")
        self.weights = Compartment(weights, kind="parameter", display_name="Efficacies by row")
        self.g_syn = Compartment(post, display_name="Synaptic conductance")
        self.overflow = Compartment(jnp.zeros((OVERFLOW_FIELDS,)),
                                    display_name="Steps over event capacity")
        self.i_syn = Compartment(post, kind="output", display_name="Synaptic current")
        self.outputs = Compartment(post, kind="output", display_name="Synaptic current")
        if self.event_capacity is not None:
            self.events = Compartment(jnp.full((self.batch_size, self.event_capacity), -1,
                                               jnp.int32), kind="output",
                                      display_name="Propagated input units")
        self.tau_decay = Knob(tau, low=1e-6, doc="conductance decay time constant (ms)")
        self.g_syn_bar = Knob(g_bar, doc="conductance of one spike on a unit weight")
        self.syn_rest = None
        if rest is not None:  # None: a current-based synapse (the voltage is not read)
            self.syn_rest = Knob(rest, doc="synaptic reversal potential (mV)")
        self.g_conduct_factor = Knob(g, doc="factor on the synaptic current")

    @staticmethod
    def _pre_range(who: str, pre_units, n_in: int) -> tuple[int, int]:
        if pre_units is None:
            return 0, n_in
        ok = isinstance(pre_units, (tuple, list)) and len(pre_units) == 2 and all(
            isinstance(u, (int, np.integer)) and not isinstance(u, bool) for u in pre_units)
        if not ok or not 0 <= pre_units[0] < pre_units[1] <= n_in:
            raise ValueError(f"{who}: pre_units must be (start, stop) with 0 <= start < stop <= "
                             f"n_inputs={n_in}, got {pre_units!r}")
        return int(pre_units[0]), int(pre_units[1])

    @compilable
    def advance_state(self, t, dt):
        start, stop = self.pre_units
        x = self.inputs.get()[:, start:stop]
        n_out = self.shape[1]
        if self.event_capacity is None:
            drive = propagate_table(x, self.targets, self.weights.get(), n_out)
            missing = jnp.zeros((x.shape[0],), bool)
        else:
            rows, count = active_rows(x, self.event_capacity)
            drive = propagate_rows(x, rows, count, self.targets, self.weights.get(), n_out)
            missing = count > self.event_capacity
            self.events.set(jnp.where(rows < stop - start, rows + start, -1))
            self.overflow.set(self._tally(self.overflow.get(), count, t, dt))
        g = leak(self.g_syn.get(), self.tau_decay.get(), dt) + self.g_syn_bar.get() * drive
        g = jnp.where(missing[:, None], jnp.nan, g)   # a step that lost spikes is not a number
        i_syn = -g * self.g_conduct_factor.get()
        if self.syn_rest is not None:
            i_syn = i_syn * (self.v.get() - self.syn_rest.get())
        self.g_syn.set(g)
        self.i_syn.set(i_syn)
        self.outputs.set(i_syn)

    def _tally(self, overflow, count, t, dt):
        """Count a step whose active units exceed the capacity; remember the first one."""
        most = jnp.max(count).astype(jnp.float32)
        over = most > self.event_capacity
        first = over & (overflow[0] == 0.)
        pick = lambda new, old: jnp.where(first, jnp.float32(new), old)
        return jnp.stack([overflow[0] + over, pick(t, overflow[1]), pick(dt, overflow[2]),
                          pick(most, overflow[3]),
                          jnp.maximum(overflow[4], jnp.where(over, most, 0.))])

    def check_overflow(self, overflow=None) -> None:
        """Raise EventCapacityError if some step had more active units than event_capacity.

        ``overflow``: recorded values of the compartment (e.g. ``record={S.overflow: "last"}``
        of a sweep, one row per member); by default the compartment itself."""
        values = np.asarray(self.overflow.get() if overflow is None else overflow)
        for member, row in enumerate(np.reshape(values, (-1, OVERFLOW_FIELDS))):
            steps, t, dt, count, most = (float(v) for v in row)
            if steps == 0.:
                continue
            step = int(round(t / dt)) if dt > 0. else 0
            where = f" (sweep member {member})" if values.ndim > 1 else ""
            raise EventCapacityError(
                f"{owner(type(self), self.name)}{where}: {int(count)} input units fired in one "
                f"step at t = {t:g} ms (step {step} counting from t = 0), more than "
                f"event_capacity={self.event_capacity}; {int(steps)} step(s) overflowed (at most "
                f"{int(most)} units) and g_syn became NaN. Build it with a larger "
                f"event_capacity, or None to add every row every step.",
                step, t, int(count), self.event_capacity)

    def dense_weights(self) -> jax.Array:
        """The cable as a dense (n_inputs, n_outputs) matrix (for small cables and tests)."""
        start, stop = self.pre_units
        rows = np.repeat(np.arange(start, stop), self.targets.shape[1])
        return jnp.zeros((self.shape[0], self.shape[1] + 1)).at[
            rows, np.ravel(self.targets)].add(jnp.ravel(self.weights.get()))[:, :-1]

    @compilable
    def reset(self):
        comps = [self.inputs, self.v, self.g_syn, self.i_syn, self.outputs]
        reset_compartments(comps)   # zeros; a wired input keeps its wire
        self.overflow.set(jnp.zeros((OVERFLOW_FIELDS,)))
        if self.event_capacity is not None:
            self.events.set(jnp.full((self.batch_size, self.event_capacity), -1, jnp.int32))

    @classmethod
    def help(cls) -> dict:
        return {
            cls.__name__: {"synapse_type": "SparseExponentialSynapse - a sparse random synaptic "
                                           "cable whose conductance decays exponentially after "
                                           "each spike, propagated event by event"},
            "compartments": {
                "inputs": {"inputs": "pre-synaptic spikes",
                           "v": "post-synaptic voltage (unused when syn_rest is None)"},
                "states": {"weights": "efficacies, one row per connecting input unit",
                           "g_syn": "synaptic conductance",
                           "overflow": "steps over event_capacity: [count, t, dt, active units, "
                                       "largest count]",
                           "key": "JAX PRNG key"},
                "outputs": {"i_syn": "synaptic current", "outputs": "synaptic current i_syn",
                            "events": "input units propagated this step (-1 pads)"}},
            "dynamics": "outputs = i_syn = -g_conduct_factor * g_syn * (v - syn_rest); "
                        "dg_syn/dt = -g_syn/tau_decay + g_syn_bar * (inputs @ W)",
            "hyperparameters": {
                "shape": "(number of inputs, number of outputs)",
                "tau_decay": "conductance decay time constant (ms)",
                "g_syn_bar": "conductance of one spike on a unit weight",
                "syn_rest": "synaptic reversal potential (None: current-based, v unused)",
                "weight_init": "initializer of the efficacies (is_nonplastic False)",
                "bias_init": "None (no biases)",
                "g_conduct_factor": "factor on the synaptic current",
                "p_conn": "probability that a connection exists",
                "is_nonplastic": "efficacy 1 on every connection",
                "pre_units": "(start, stop) of the input units that connect",
                "event_capacity": "most active input units per step (None: every row)",
                "batch_size": "batch dimension"}}
