"""EventSTDPSynapse: a dense cable adapted by event-driven, post-synaptic STDP (ngc-learn
3.2.3's EventSTDPSynapse; Tavanaei, Masquelier and Maida 2018, eq. 18 generalised).

Transform (as DenseSynapse): outputs = ((x @ (W * mask)) * gate) * g_conduct_factor.
With the pre-synaptic times of last spike t_pre (0: no spike yet) and post-synaptic spikes
s_post, ``evolve(t, dt)`` applies at each post-synaptic spike:

| f_i = 1 if t - presyn_win_len < t_pre_i (<= t), else 0       (f_i = [t_pre_i = t] if win = 0)
| dWeights_ij = s_post_j [ f_i A_plus (w_bound - (1 + lmbda) W_ij)
|                         - (1 - f_i) A_minus (1 + lmbda) W_ij ]
| W <- clip(W + eta dWeights, 0.01, w_bound) ;  W <- 0 where mask is 0

A post spike pulls each synapse whose pre unit fired in the window towards w_bound and decays
every other synapse towards 0 (lmbda sets how far below w_bound the potentiation stops).

Compartments: DenseSynapse's + pre_tols, postSpike (inputs), dWeights (output). Knobs: eta,
lmbda, A_plus, A_minus, presyn_win_len, g_conduct_factor.

Differences from ngc-learn 3.2.3, where it is broken: with a batch of several samples ngc-learn
fails to broadcast (or silently mixes samples when n_out equals the batch size); ngclab sums the
per-sample updates over the batch (the same numbers at batch size 1). ``p_conn`` sparsifies W
(ngc-learn passes it as p_release_mean, whose code then raises).
"""
from __future__ import annotations

import jax.numpy as jnp

from ngclab.core import Compartment, Knob, compilable
from ngclab.components.layers import reset_compartments
from ngclab.components.validation import check_number, owner
from ngclab.components.synapses.denseSynapse import DenseSynapse
from ngclab.components.synapses.hebbian._stdp import (
    add_ports,
    event_stdp,
    fired_within,
    keep_connections,
    port_rest,
)

W_MIN = 0.01  # weights are clipped to [W_MIN, w_bound]
PORTS = (("pre_tols", "pre", "Pre-synaptic time of last spike (ms)"),
         ("postSpike", "post", "Post-synaptic spikes"))


class EventSTDPSynapse(DenseSynapse):
    """A dense synaptic cable adapted by event-driven (post-synaptic) STDP.

    Args:
        name, shape, weight_init, p_conn, batch_size: as DenseSynapse (no biases)
        eta: global learning rate
        lmbda: synaptic disconnect lambda: potentiation stops at w_bound / (1 + lmbda)
            (Default: 0.01)
        A_plus: strength of long-term potentiation (LTP) (Default: 1.)
        A_minus: strength of long-term depression (LTD) (Default: 1.)
        presyn_win_len: how far back (ms) a pre-synaptic spike counts; 0: only a spike at t
            (Default: 2.)
        w_bound: weights are clipped to [0.01, w_bound] (Default: 1.)
        g_conduct_factor: conductance factor of the transform (``resist_scale`` accepted)
        **kwargs: key, and DenseSynapse's p_release_mean, max_delay_steps, mask
    """

    pre_tols: Compartment        # pre-synaptic time of last spike (0: none yet)
    postSpike: Compartment       # post-synaptic spikes
    dWeights: Compartment        # the STDP update of the last evolve
    eta: Knob
    lmbda: Knob
    A_plus: Knob
    A_minus: Knob
    presyn_win_len: Knob

    def __init__(self, name, shape, eta, lmbda=0.01, A_plus=1., A_minus=1., presyn_win_len=2.,
                 w_bound=1., weight_init=None, g_conduct_factor=1., p_conn=1., batch_size=1,
                 **kwargs):
        super().__init__(name, shape, weight_init=weight_init, bias_init=None,
                         g_conduct_factor=g_conduct_factor, p_conn=p_conn,
                         batch_size=batch_size, **kwargs)
        # if a check raises, the core removes the half-built component (the Context is unchanged)
        who = owner(type(self), name)
        vals = {p: check_number(who, p, v) for p, v in (
            ("eta", eta), ("A_plus", A_plus), ("A_minus", A_minus))}
        lmbda = check_number(who, "lmbda", lmbda, low=0.)
        window = check_number(who, "presyn_win_len", presyn_win_len, low=0.)
        w_bound = check_number(who, "w_bound", w_bound)
        if w_bound <= W_MIN:
            raise ValueError(f"{who}: w_bound must be > {W_MIN} (weights are clipped to "
                             f"[{W_MIN}, w_bound]), got {w_bound}")
        self.w_bound = w_bound
        add_ports(self, PORTS)
        self.eta = Knob(vals["eta"], doc="global learning rate")
        self.lmbda = Knob(lmbda, low=0., doc="synaptic disconnect (potentiation stops at "
                                             "w_bound / (1 + lmbda))")
        self.A_plus = Knob(vals["A_plus"], doc="strength of long-term potentiation")
        self.A_minus = Knob(vals["A_minus"], doc="strength of long-term depression")
        self.presyn_win_len = Knob(window, low=0., doc="pre-synaptic window (ms; 0: at t only)")

    def _compute_update(self, t) -> jnp.ndarray:
        pre_fired = fired_within(self.pre_tols.get(), t, self.presyn_win_len.get())
        return event_stdp(pre_fired, self.postSpike.get(), self.weights.get(), self.A_plus.get(),
                          self.A_minus.get(), self.lmbda.get(), self.w_bound)

    @compilable
    def evolve(self, t, dt):
        dW = self._compute_update(t)
        W = jnp.clip(self.weights.get() + dW * self.eta.get(), W_MIN, self.w_bound)
        self.weights.set(keep_connections(W, self.mask.get()))
        self.dWeights.set(dW)

    @compilable
    def reset(self):
        super().reset()
        reset_compartments([self.pre_tols, self.postSpike, self.dWeights])  # wired inputs stay

    def _batched(self) -> list:
        return super()._batched() + port_rest(self, PORTS)

    @classmethod
    def help(cls) -> dict:
        info = super().help()
        info[cls.__name__] = {"synapse_type": "EventSTDPSynapse - a dense synaptic transform "
                                              "adapted by event-driven post-synaptic "
                                              "spike-timing-dependent plasticity (STDP)"}
        info["compartments"]["inputs"].update({
            "pre_tols": "pre-synaptic time of last spike (t_j)",
            "postSpike": "post-synaptic spikes (s_i)"})
        info["compartments"]["analytics"] = {"dWeights": "STDP update of W at time t"}
        info["dynamics"] = ("outputs = ((x @ W) * gate) * g_conduct_factor; at a post spike s_i: "
                            "dW_ij = A_plus (w_bound - W_ij (1 + lmbda)) if t_j in "
                            "(t - presyn_win_len, t], else -A_minus W_ij (1 + lmbda)")
        info["hyperparameters"].pop("bias_init")  # no biases
        info["hyperparameters"].update({
            "eta": "global learning rate", "lmbda": "degree of synaptic disconnect",
            "A_plus": "strength of long-term potentiation (LTP)",
            "A_minus": "strength of long-term depression (LTD)",
            "presyn_win_len": "pre-synaptic window (ms)",
            "w_bound": "upper bound of the weights"})
        return info
