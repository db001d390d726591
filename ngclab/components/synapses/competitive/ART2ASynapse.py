"""ART2ASynapse: a simplified adaptive resonance theory (ART 2-A) memory as a synaptic cable
(ngc-learn 3.2.3).

Column n of W (D x N) is memory slot n; ``used`` (1 x N) marks the slots holding a memory. W
starts empty (zeros, whatever ``weight_init``). A batch of probes x (B x D):

| advance_state:  x_b <- x_b / |x_b|_2 (xprobe) ;  s = x W                (similarities)
|                 s_bn <- s_bn if used_n else min_m s_bm - 1              (empty slots lose)
|                 z_bn = s_bn [s_bn = max_m s_bm]                         (outputs; ties win)
| evolve:         h_bn = [z_bn >= vigilance] ;  m_b = [any_n h_bn]         (resonance)
|                 dW = ((x - z W^T) * m)^T h = (x m)^T h - W (z m)^T h ;  W <- W + eta dW
|                 misses_b = 1 - m_b ;  eta <- max(1e-5, eta - eta_decrement) ;  i_tick += 1
| consolidate:    the probes that missed go, in batch order, into the first empty slots
|                 (W_:n <- W_:n + x_b) ; used_n = [|W_:n| > 0] ; probes beyond the empty
|                 slots are dropped
| insert(x, idx): W_:idx <- W_:idx + x^T ; used_idx = 1        (outside compiled code)
| grow(n):        n empty slots appended to W                   (outside compiled code)

A resonant winner moves towards the probe by eta (x - s w) (ngc-learn's rule: Oja's rule with
the similarity s as the output, in place of ART 2-A's w <- (1 - eta) w + eta x and renormalizing;
it keeps unit memories near unit length).

Compartments: DenseSynapse's + xprobe, misses (B x 1), used, eta, i_tick (states), dWeights
(output). Knobs: eta_decrement, vigilance (rho), g_conduct_factor (kept for DenseSynapse's
interface; outputs do not use it).

Differences from ngc-learn 3.2.3, where it is broken: ``consolidate`` puts the missed probes
into the first empty slots (ngc-learn writes probe b to slot sum(used) + b, so a resonant probe
earlier in the batch leaves a gap, and the next consolidation writes over a used slot; ngc-learn
also cannot compile it: it calls int() on a traced value); ``dWeights`` holds each update
(ngc-learn never sets it); vigilance must be > 0 (with vigilance <= 0 ngc-learn counts every
losing slot, whose output is 0, as resonant and updates them all); a probe of all zeros
normalizes to zeros (ngc-learn: NaN); ``insert`` refuses a slot outside 0..N-1 (ngc-learn
ignores it silently); connections missing under p_conn < 1 stay at 0.
"""
from __future__ import annotations

import numbers

import jax.numpy as jnp

from ngclab.core import Compartment, Knob, compilable
from ngclab.components.layers import reset_compartments
from ngclab.components.validation import check_count, check_kwargs, check_number, owner
from ngclab.components.synapses.competitive.vectorQuantizeSynapse import ETA_MIN, unit_rows
from ngclab.components.synapses.denseSynapse import DenseSynapse, alias_resist_scale
from ngclab.components.synapses.hebbian._stdp import keep_connections
from ngclab.utils.model_utils import bkwta

VIGILANCE_MIN = 1e-6   # vigilance <= 0 would make every losing slot resonate


def first_free_slots(misses, used) -> jnp.ndarray:
    """(B, N) matrix S with S_bn = 1 when probe b is the k-th miss and slot n the k-th empty
    slot (so S^T stores the misses, in batch order, into the first empty slots)."""
    missed = misses[:, 0] > 0.
    free = used[0] <= 0.
    miss_rank = jnp.cumsum(missed) - 1
    free_rank = jnp.cumsum(free) - 1
    match = miss_rank[:, None] == free_rank[None, :]
    return (missed[:, None] & free[None, :] & match).astype(jnp.float32)


class ART2ASynapse(DenseSynapse):
    """An ART 2-A memory: the most similar stored memory resonates if its similarity reaches
    the vigilance and then moves towards the probe; probes that resonate nowhere can be stored
    in empty slots by ``consolidate``.

    Args:
        name, shape, p_conn, batch_size: as DenseSynapse (shape = (D, N): N memory slots; no
            biases)
        eta: initial learning rate (Default: 0.05)
        eta_decrement: linear decrease of eta per update, floored at 1e-5 (Default: 0.)
        vigilance: rho > 0, the similarity a winner needs to resonate (Default: 0.3)
        weight_init: accepted for DenseSynapse's interface; the memory starts empty
        g_conduct_factor: kept for DenseSynapse's interface
        **kwargs: key, and DenseSynapse's p_release_mean, max_delay_steps, mask
    """

    xprobe: Compartment
    eta: Compartment
    i_tick: Compartment
    dWeights: Compartment
    misses: Compartment
    used: Compartment
    eta_decrement: Knob
    vigilance: Knob

    def __init__(self, name, shape, eta=0.05, eta_decrement=0., vigilance=0.3, weight_init=None,
                 g_conduct_factor=1., p_conn=1., batch_size=1, **kwargs):
        who = owner(type(self), name)
        g = alias_resist_scale(who, kwargs, g_conduct_factor)
        check_kwargs(who, kwargs, ("key", "p_release_mean", "max_delay_steps", "mask"))
        eta = check_number(who, "eta", eta)
        decrement = check_number(who, "eta_decrement", eta_decrement)
        vigilance = check_number(who, "vigilance", vigilance, low=0., strict=True)
        super().__init__(name, shape, weight_init=weight_init, bias_init=None,
                         g_conduct_factor=g, p_conn=p_conn, batch_size=batch_size, **kwargs)
        self.K = 1   # winners per probe
        (D, N), b = self.shape, self.batch_size
        self.weights.set(jnp.zeros((D, N)))            # the memory starts empty
        self.xprobe = Compartment(jnp.zeros((b, D)), display_name="Normalized probe")
        self.eta = Compartment(jnp.full((1, 1), eta), display_name="Dynamic step size")
        self.i_tick = Compartment(jnp.zeros((1, 1)), display_name="Updates so far")
        self.dWeights = Compartment(jnp.zeros((D, N)), kind="output",
                                    display_name="Synaptic update")
        self.misses = Compartment(jnp.zeros((b, 1)), display_name="Non-resonant probes")
        self.used = Compartment(jnp.zeros((1, N)), batched=False, display_name="Used slots")
        self.eta_decrement = Knob(decrement, doc="decrease of eta per update")
        self.vigilance = Knob(vigilance, low=VIGILANCE_MIN,
                              doc="similarity a winner needs to resonate (rho)")

    @compilable
    def advance_state(self):
        x = unit_rows(self.inputs.get())
        sims = jnp.matmul(x, self.weights.get())
        empty_score = jnp.min(sims, axis=1, keepdims=True) - 1.
        sims = jnp.where(self.used.get() > 0., sims, empty_score)
        self.xprobe.set(x)
        self.outputs.set(sims * bkwta(sims, nWTA=self.K))

    @compilable
    def evolve(self, t=0., dt=1.):  # t, dt unused: one memory update
        W, x, z, eta = self.weights.get(), self.xprobe.get(), self.outputs.get(), self.eta.get()
        hits = (z >= self.vigilance.get()).astype(jnp.float32)
        resonant = (jnp.sum(hits, axis=1, keepdims=True) > 0.).astype(jnp.float32)
        # (x m)^T h - W (z m)^T h: two products, then their difference (so a run() step and
        # a scan step round alike)
        dW = jnp.matmul((x * resonant).T, hits) - \
            jnp.matmul(W, jnp.matmul((z * resonant).T, hits))
        self.dWeights.set(dW)
        self.weights.set(keep_connections(W + dW * eta, self.mask.get()))
        self.misses.set(1. - resonant)
        self.eta.set(jnp.maximum(ETA_MIN, eta - self.eta_decrement.get()))
        self.i_tick.set(self.i_tick.get() + 1.)

    @compilable
    def consolidate(self):
        x, misses = self.xprobe.get(), self.misses.get()
        store = first_free_slots(misses, self.used.get())
        W = keep_connections(self.weights.get() + jnp.matmul((x * misses).T, store),
                             self.mask.get())
        self.weights.set(W)
        self.used.set((jnp.linalg.norm(W, axis=0, keepdims=True) > 0.).astype(jnp.float32))

    def insert(self, x, idx: int) -> None:
        """Add the memory x (1 x D) to slot idx and mark the slot used (outside compiled code)."""
        N = self.shape[1]
        if isinstance(idx, bool) or not isinstance(idx, numbers.Integral) or not 0 <= idx < N:
            raise IndexError(f"{owner(type(self), self.name)}: insert slot idx must be an "
                             f"integer in 0..{N - 1}, got {idx!r}")
        slot = jnp.zeros((1, N)).at[0, idx].set(1.)
        x = jnp.reshape(jnp.asarray(x, jnp.float32), (-1, 1))
        self.weights.set(keep_connections(self.weights.get() + x * slot, self.mask.get()))
        self.used.set(jnp.maximum(self.used.get(), slot))

    def grow(self, n_memories: int) -> None:
        """Append n_memories empty slots (a structure change: the model recompiles)."""
        n = check_count(owner(type(self), self.name), "n_memories", n_memories)
        (D, N), b = self.shape, self.outputs.shape[0]
        self.shape = (D, N + n)
        self.weights.resize(jnp.concatenate([self.weights.get(), jnp.zeros((D, n))], axis=1))
        self.used.resize(jnp.concatenate([self.used.get(), jnp.zeros((1, n))], axis=1))
        self.dWeights.resize(jnp.zeros(self.shape))
        self.outputs.resize(jnp.zeros((b, N + n)))
        self.gate.resize(jnp.ones((b, N + n)))
        if self.mask.shape[1] == N and N > 1:     # a per-connection mask: new slots connect
            self.mask.resize(jnp.concatenate([self.mask.get(), jnp.ones((D, n))], axis=1))

    @compilable
    def reset(self):
        super().reset()
        # the memory, used, eta and i_tick keep what was learned (as in ngc-learn)
        reset_compartments([self.xprobe, self.misses, self.dWeights])

    def _batched(self) -> list:
        return super()._batched() + [(self.xprobe, 0., (self.shape[0],)),
                                     (self.misses, 0., (1,))]

    @classmethod
    def help(cls) -> dict:
        info = super().help()
        info[cls.__name__] = {"synapse_type": "ART2ASynapse - an adaptive resonance theory "
                                              "(ART 2-A) memory adapted by competitive "
                                              "Hebbian learning"}
        info["compartments"]["states"].update({
            "xprobe": "normalized probes", "misses": "1 for each probe that did not resonate",
            "used": "1 for each slot holding a memory", "eta": "current learning rate",
            "i_tick": "number of updates so far"})
        info["compartments"]["outputs"].update({
            "outputs": "similarity of each probe's winning slot (0 elsewhere)",
            "dWeights": "update of W at time t"})
        info["dynamics"] = ("z = s [s = max], s = (x/|x|) W (empty slots: min s - 1); resonant "
                            "if z >= vigilance: W <- W + eta ((x - z W^T) m)^T [z >= vigilance]; "
                            "consolidate: misses into the first empty slots")
        hyper = info["hyperparameters"]
        hyper.pop("bias_init", None)
        hyper.update({"eta": "initial learning rate",
                      "eta_decrement": "decrease of eta per update",
                      "vigilance": "similarity a winner needs to resonate (rho > 0)"})
        return info
