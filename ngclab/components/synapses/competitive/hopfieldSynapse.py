"""HopfieldSynapse: a modern (exponential) Hopfield memory as a plastic synaptic cable.

W (D x H) holds H memories, one per column. A probe x (B x D) retrieves by a softmax over its
similarities to the memories (Krotov & Hopfield 2020; MINERVA 2-style retrieval):

| advance_state:  s = x W - max_h (x W)                    (similarities, shifted per row)
|                 m = softmax(beta s)                       (memory weights)
|                 x_hat = m W^T                             (outputs: the retrieved probe)
|                 E = < -(1/beta) lse(beta x W) + x.x / 2 + (1/beta) ln H + max_h |W_:h|^2 / 2 >_B
|                 i_tick += 1
| evolve:         delta:        dW = (1/B) (x - x_hat)^T m
|                 contrastive:  dW = (1/B) [x^T m - x_hat^T softmax(beta (x_hat W - max))]
|                 W <- (W + eta dW - reg_lambda W) * mask

``initial_patterns`` (D x P, P <= H) are stored at construction: P = H replaces W; P < H keeps
H - P columns of the initial W and shuffles the columns (a permutation drawn from the key).

Differences from ngc-learn 3.2.3, where it is broken: the energy is the modern Hopfield energy
(ngc-learn's log-sum-exp drops the max it shifted out, its quadratic term is x.x_hat, and its
memory norm is over the rows of W); the contrastive rule's negative softmax is scaled by beta
as the positive one (ngc-learn scales only the max); ``similarities`` and ``memory_weights``
have H columns from the start (ngc-learn builds them with D); initial patterns of the wrong
shape are errors; ``reset`` also clears the transmitted inputs.

Compartments: DenseSynapse's (outputs has D columns) + similarities, memory_weights, energy,
i_tick (state), dWeights (output). Knobs: eta, reg_lambda, beta, g_conduct_factor.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from ngclab.core import Compartment, Knob, compilable
from ngclab.components.validation import check_choice, check_kwargs, check_number, owner
from ngclab.components.synapses.denseSynapse import DenseSynapse, alias_resist_scale
from ngclab.utils.model_utils import softmax

UPDATE_RULES = ("delta", "contrastive")


def memory_weights(probe, W, beta):
    """(shifted similarities s, softmax(beta s)) of a probe against the memories W."""
    sims = jnp.matmul(probe, W)
    sims = sims - jnp.max(sims, axis=1, keepdims=True)
    return sims, softmax(sims * beta)


class HopfieldSynapse(DenseSynapse):
    """A modern Hopfield network's memory matrix, retrieved by softmax attention and adapted by
    a local delta or contrastive Hebbian rule.

    Args:
        name, shape, weight_init, p_conn, batch_size: as DenseSynapse (shape = (D, H); no
            biases)
        eta: learning rate of the memory updates
        reg_lambda: weight decay per update (Default: 0.)
        beta: inverse temperature of the retrieval softmax (Default: 8.)
        initial_patterns: (D, P) patterns to store, P <= H (Default: None)
        update_rule: "delta" (prescribed error) or "contrastive" (Movellan-style)
        g_conduct_factor: kept for DenseSynapse's interface (retrieval does not use it)
        **kwargs: key, and DenseSynapse's p_release_mean, max_delay_steps, mask
    """

    similarities: Compartment
    memory_weights: Compartment
    energy: Compartment
    i_tick: Compartment
    dWeights: Compartment
    eta: Knob
    reg_lambda: Knob
    beta: Knob

    def __init__(self, name, shape, eta, reg_lambda=0., beta=8., initial_patterns=None,
                 update_rule="delta", weight_init=None, g_conduct_factor=1., p_conn=1.,
                 batch_size=1, **kwargs):
        who = owner(type(self), name)
        g = alias_resist_scale(who, kwargs, g_conduct_factor)
        check_kwargs(who, kwargs, ("key", "p_release_mean", "max_delay_steps", "mask"))
        eta = check_number(who, "eta", eta)
        reg_lambda = check_number(who, "reg_lambda", reg_lambda, low=0.)
        beta = check_number(who, "beta", beta, low=0., strict=True)
        update_rule = check_choice(who, "update_rule", update_rule, UPDATE_RULES)
        super().__init__(name, shape, weight_init=weight_init, bias_init=None,
                         g_conduct_factor=g, p_conn=p_conn, batch_size=batch_size, **kwargs)
        # if this raises, the core removes the half-built component (the Context is unchanged)
        self.update_rule = update_rule
        D, H = self.shape
        if initial_patterns is not None:
            self.weights.set(self._stored(who, initial_patterns) * self.mask.get())
        b = self.batch_size
        self.outputs.resize(jnp.zeros((b, D)))          # the retrieved probe
        self.similarities = Compartment(jnp.zeros((b, H)), kind="state")
        self.memory_weights = Compartment(jnp.zeros((b, H)), kind="state")
        self.energy = Compartment(jnp.zeros((1, 1)), kind="state", display_name="Energy")
        self.i_tick = Compartment(jnp.zeros((1, 1)), kind="state",
                                  display_name="retrievals so far")
        self.dWeights = Compartment(jnp.zeros(self.shape), kind="output")
        self.eta = Knob(eta, doc="learning rate of the memory updates")
        self.reg_lambda = Knob(reg_lambda, low=0., doc="weight decay per update")
        self.beta = Knob(beta, low=1e-6, doc="inverse temperature of the retrieval")

    def _stored(self, who, patterns) -> jnp.ndarray:
        """W with the patterns stored (shuffled among kept initial columns if P < H)."""
        D, H = self.shape
        try:
            P = np.asarray(patterns, np.float32)
        except (TypeError, ValueError):
            raise TypeError(f"{who}: initial_patterns must be a (D, P) matrix of numbers, got "
                            f"{patterns!r}") from None
        if P.ndim != 2 or P.shape[0] != D or not 1 <= P.shape[1] <= H:
            raise ValueError(f"{who}: initial_patterns must be a (D, P) matrix with D = {D} and "
                             f"1 <= P <= H = {H}, got shape {P.shape}")
        if not np.all(np.isfinite(P)):
            raise ValueError(f"{who}: initial_patterns must be finite")
        if P.shape[1] == H:
            return jnp.asarray(P)
        order = jax.random.permutation(jax.random.split(self.key.get(), 3)[1], H)
        kept = self.weights.get()[:, :H - P.shape[1]]
        return jnp.concatenate([jnp.asarray(P), kept], axis=1)[:, order]

    @compilable
    def advance_state(self):
        W, x, beta = self.weights.get(), self.inputs.get(), self.beta.get()
        sims, m = memory_weights(x, W, beta)
        x_hat = jnp.matmul(m, W.T)
        raw = sims + jnp.max(jnp.matmul(x, W), axis=1, keepdims=True)     # unshifted x W
        lse = jax.nn.logsumexp(beta * raw, axis=1, keepdims=True)
        max_norm2 = jnp.max(jnp.sum(jnp.square(W), axis=0))              # over the memories
        energy = (-lse / beta + 0.5 * jnp.sum(x * x, axis=1, keepdims=True)
                  + jnp.log(W.shape[1]) / beta + 0.5 * max_norm2)
        self.similarities.set(sims)
        self.memory_weights.set(m)
        self.outputs.set(x_hat)
        self.energy.set(jnp.mean(energy, axis=0, keepdims=True))
        self.i_tick.set(self.i_tick.get() + 1.)

    @compilable
    def evolve(self, t=0., dt=1.):  # t, dt unused: one memory update
        x, x_hat, m, W = (self.inputs.get(), self.outputs.get(), self.memory_weights.get(),
                          self.weights.get())
        if self.update_rule == "contrastive":
            _, m_hat = memory_weights(x_hat, W, self.beta.get())   # the retrieved probe's
            dW = jnp.matmul(x.T, m) - jnp.matmul(x_hat.T, m_hat)
        else:
            dW = jnp.matmul((x - x_hat).T, m)
        dW = dW * (1. / x.shape[0])
        W = W + dW * self.eta.get() - W * self.reg_lambda.get()
        self.weights.set(W * self.mask.get())
        self.dWeights.set(dW)

    @compilable
    def reset(self):
        D, H = self.shape
        if not self.inputs.targeted:
            self.inputs.set(jnp.zeros((self.batch_size, D)))
        if not self.gate.targeted:
            self.gate.set(jnp.ones((self.batch_size, H)))
        self.delayed_inputs.set(jnp.zeros((self.batch_size, D)))
        self.input_delay_buffer.set(jnp.zeros(self.input_delay_buffer.shape))
        self.outputs.set(jnp.zeros((self.batch_size, D)))
        for comp in (self.similarities, self.memory_weights):
            comp.set(jnp.zeros((self.batch_size, H)))
        self.energy.set(jnp.zeros((1, 1)))
        self.dWeights.set(jnp.zeros(self.shape))

    def _batched(self) -> list:
        D, H = self.shape
        return [(c, f, (D,) if c is self.outputs else dims) for c, f, dims in super()._batched()
                ] + [(self.similarities, 0., (H,)), (self.memory_weights, 0., (H,))]

    @classmethod
    def help(cls):
        info = super().help()
        info[cls.__name__] = {"synapse_type": "HopfieldSynapse - a modern Hopfield memory "
                                              "retrieved by softmax attention, adapted locally"}
        info["compartments"]["outputs"]["outputs"] = "retrieved probe x_hat = softmax(beta s) W^T"
        info["compartments"]["states"].update({
            "similarities": "similarities s = x W - max (per row)",
            "memory_weights": "softmax(beta s)", "energy": "modern Hopfield energy (batch mean)",
            "i_tick": "number of retrievals so far"})
        info["compartments"]["outputs"]["dWeights"] = "update of W computed at time t"
        info["dynamics"] = ("x_hat = softmax(beta (x W - max)) W^T; E = -(1/beta) lse(beta x W) "
                            "+ x.x/2 + (1/beta) ln H + max_h |W_:h|^2/2; W <- W + eta dW - "
                            "reg_lambda W, dW = (x - x_hat)^T m / B (delta) or "
                            "(x^T m - x_hat^T m_hat) / B (contrastive)")
        info["hyperparameters"].update({
            "eta": "learning rate of the memory updates", "reg_lambda": "weight decay",
            "beta": "inverse temperature of the retrieval softmax",
            "initial_patterns": "(D, P) patterns stored at construction",
            "update_rule": "delta or contrastive"})
        info["hyperparameters"].pop("bias_init", None)
        return info
