"""MSTDPETSynapse: a dense cable adapted by reward-modulated trace STDP, with or without an
eligibility trace (MSTDP / MSTDP-ET, Florian 2007; ngc-learn 3.2.3's MSTDPETSynapse).

Transform (as DenseSynapse): outputs = ((x @ (W * mask)) * gate) * g_conduct_factor.
The STDP update dW^stdp is TraceSTDPSynapse's (power law, pretrace target, A_minus <= 0: no
LTD). ``evolve(dt, t)`` with modulator r (a reward, averaged over the batch):

| Elg <- Elg e^{-dt / tau_elg} elg_decay + dWeights / tau_elg     (MSTDP-ET, tau_elg > 0)
| Elg <- dWeights                                                 (MSTDP, tau_elg = 0)
| W <- clip(W + eta r Elg * outmask - W / tau_w, 0, w_bound)      (no decay if tau_w = 0)
| dWeights <- dW^stdp (of this step's spikes and traces)

As in ngc-learn, the eligibility takes the STDP update stored by the previous evolve, so this
step's spike pairing reaches the weights at the next evolve: a reward arriving k steps after a
pairing still finds it in the eligibility trace, decayed by (elg_decay e^{-dt / tau_elg})^k.

Compartments: TraceSTDPSynapse's + modulator, outmask (inputs), eligibility (state). Knobs:
TraceSTDPSynapse's + tau_elg, elg_decay.

Differences from ngc-learn 3.2.3, where it is broken: ``outmask`` starts at ones, its reset
value (ngc-learn starts it at zeros, so nothing is learned until the first reset); a batch of
several samples uses the batch-mean modulator (ngc-learn's (batch, 1) modulator broadcasts
against the weights only at batch size 1); ``p_conn`` sparsifies W (see TraceSTDPSynapse).
"""
from __future__ import annotations

import jax.numpy as jnp

from ngclab.core import Compartment, Knob, compilable
from ngclab.components.layers import reset_compartments
from ngclab.components.validation import check_number, owner
from ngclab.components.synapses.hebbian._stdp import (
    check_off_or_time_constant,
    decay,
    keep_connections,
)
from ngclab.components.synapses.hebbian.traceSTDPSynapse import TraceSTDPSynapse


class MSTDPETSynapse(TraceSTDPSynapse):
    """A dense synaptic cable adapted by modulated STDP (MSTDP), with an eligibility trace
    (MSTDP-ET) when tau_elg > 0.

    Args:
        name, shape, A_plus, A_minus, eta, mu, pretrace_target, weight_init, g_conduct_factor,
            p_conn, w_bound, tau_w, batch_size: as TraceSTDPSynapse
        tau_elg: eligibility trace time constant (ms); 0 gives MSTDP (Default: 0.)
        elg_decay: extra decay factor of the eligibility trace per step (Default: 1.)
        **kwargs: key, weight_mask, and DenseSynapse's p_release_mean, max_delay_steps, mask
    """

    modulator: Compartment       # modulatory signal r (e.g. a reward), (batch, 1)
    eligibility: Compartment     # eligibility trace Elg
    outmask: Compartment         # which post-synaptic units may learn, (1, n_out)
    tau_elg: Knob
    elg_decay: Knob

    def __init__(self, name, shape, A_plus, A_minus, eta=1., mu=0., pretrace_target=0.,
                 tau_elg=0., elg_decay=1., tau_w=0., weight_init=None, g_conduct_factor=1.,
                 p_conn=1., w_bound=1., batch_size=1, **kwargs):
        super().__init__(name, shape, A_plus, A_minus, eta=eta, mu=mu,
                         pretrace_target=pretrace_target, weight_init=weight_init,
                         g_conduct_factor=g_conduct_factor, p_conn=p_conn, w_bound=w_bound,
                         tau_w=tau_w, batch_size=batch_size, **kwargs)
        who = owner(type(self), name)
        tau_elg = check_off_or_time_constant(who, "tau_elg", tau_elg)
        elg_decay = check_number(who, "elg_decay", elg_decay, low=0.)
        self.modulator = Compartment(jnp.zeros((self.batch_size, 1)), kind="input",
                                     display_name="Modulator (reward)")
        self.eligibility = Compartment(jnp.zeros(self.shape), display_name="Eligibility trace")
        self.outmask = Compartment(jnp.ones((1, self.shape[1])), kind="input",
                                   display_name="Output learning mask")
        self.tau_elg = Knob(tau_elg, low=0., doc="eligibility time constant (ms; 0: MSTDP)")
        self.elg_decay = Knob(elg_decay, low=0., doc="extra eligibility decay per step")

    def _eligibility(self, dt) -> jnp.ndarray:
        """The eligibility trace after this step, from the STDP update stored last step."""
        stored, tau = self.dWeights.get(), self.tau_elg.get()
        traced = tau > 0.
        rate = 1. / jnp.where(traced, tau, 1.)  # (a scan turns x / tau into x * (1 / tau))
        decayed = self.eligibility.get() * jnp.exp(-dt * rate) * self.elg_decay.get()
        return jnp.where(traced, decayed + stored * rate, stored)

    @compilable
    def evolve(self, dt, t):
        eligibility = self._eligibility(dt)
        W = self.weights.get()
        reward = jnp.mean(self.modulator.get())
        W = W + eligibility * reward * self.eta.get() * self.outmask.get() \
            - decay(W, self.tau_w.get())
        dW = self._compute_update()  # this step's pairing, applied at the next evolve
        W = jnp.clip(W, 0., self.w_bound)
        self.weights.set(keep_connections(W, self.weight_mask, self.mask.get()))
        self.dWeights.set(dW)
        self.eligibility.set(eligibility)

    @compilable
    def reset(self):
        super().reset()
        # the modulator keeps its value (a reward may arrive after a reset), as in ngc-learn
        reset_compartments([self.eligibility], ones=[self.outmask])

    def _batched(self) -> list:
        return super()._batched() + [(self.modulator, 0., (1,))]

    @classmethod
    def help(cls) -> dict:
        info = super().help()
        info[cls.__name__] = {"synapse_type": "MSTDPETSynapse - a dense synaptic transform "
                                              "adapted by modulated STDP (MSTDP) or MSTDP with "
                                              "eligibility traces (MSTDP-ET)"}
        info["compartments"]["inputs"].update({
            "modulator": "modulatory signal, e.g. a reward (r)",
            "outmask": "which post-synaptic units may learn (1: all)"})
        info["compartments"]["states"]["eligibility"] = "eligibility trace (Elg)"
        info["compartments"]["analytics"]["dWeights"] = "un-modulated STDP update dW^stdp"
        info["dynamics"] = ("outputs = ((x @ W) * gate) * g_conduct_factor; "
                            "dW/dt = eta r Elg; dElg/dt = -Elg / tau_elg + dW^stdp / tau_elg; "
                            "dW^stdp_ij = A_plus (z_j - x_tar) s_i - A_minus s_j z_i")
        del info["hyperparameters"]["weight_mask"]   # a keyword argument here
        info["hyperparameters"].update({
            "tau_elg": "eligibility trace time constant (0: MSTDP)",
            "elg_decay": "eligibility decay factor"})
        return info
