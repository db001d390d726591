"""STDPSynapse: a dense cable adapted by classical pair-based STDP on times of last spike
(ngc-learn 3.2.3's STDPSynapse).

Transform (as DenseSynapse): outputs = ((x @ (W * mask)) * gate) * g_conduct_factor.
With pre/post-synaptic spikes s_pre, s_post and times of last spike t_pre, t_post (0: no spike
yet), ``evolve(t, dt)`` applies, with the lag dt_ij = t_post_j - t_pre_i:

| dWeights_ij = A_plus e^{-dt_ij / tau_plus} s_post_j       if dt_ij > 0 (pre before post)
|             - A_minus e^{dt_ij / tau_minus} s_pre_i        if dt_ij < 0 (post before pre)
| W <- W + eta dWeights - W dt / tau_w         if tau_w > 0 (Euler step of the decay)
| W <- W + eta dWeights - w_decay W            otherwise
| W <- clip(W, 0.001, w_bound - 0.001) ;  W <- 0 where mask is 0

So a post spike potentiates each synapse by the exponential of the time since its pre unit
fired, and a pre spike depresses it by the exponential of the time since the post unit fired.
A_minus <= 0 turns depression off.

Compartments: DenseSynapse's + preSpike, postSpike, pre_tols, post_tols (inputs), dWeights
(output). Knobs: eta, A_plus, A_minus, tau_plus, tau_minus, w_decay, tau_w, g_conduct_factor.

Differences from ngc-learn 3.2.3, where it is broken: ngc-learn cannot build this synapse (its
constructor names the parameter ``au_plus`` but reads ``tau_plus``, and reads a ``value``
attribute its compartments lack); ngclab's parameter is ``tau_plus``. ngc-learn's depression
factor is e^{-dt / tau_minus} with dt < 0, which grows with the lag; ngclab's decays,
e^{dt / tau_minus} = e^{-|dt| / tau_minus}. ``p_conn`` sparsifies W (ngc-learn passes it as
p_release_mean). ngc-learn accepts batch size 1 only; ngclab sums the pair updates over the
batch (the same numbers at batch size 1).
"""
from __future__ import annotations

import jax.numpy as jnp

from ngclab.core import Compartment, Knob, compilable
from ngclab.components.layers import reset_compartments
from ngclab.components.validation import check_number, check_positive, owner
from ngclab.components.synapses.denseSynapse import DenseSynapse
from ngclab.components.synapses.hebbian._stdp import (
    add_ports,
    check_bound,
    check_off_or_time_constant,
    keep_connections,
    pair_window,
    port_rest,
)

W_EPS = 0.001  # weights are clipped to [W_EPS, w_bound - W_EPS]
PORTS = (("preSpike", "pre", "Pre-synaptic spikes"), ("postSpike", "post", "Post-synaptic spikes"),
         ("pre_tols", "pre", "Pre-synaptic time of last spike (ms)"),
         ("post_tols", "post", "Post-synaptic time of last spike (ms)"))


class STDPSynapse(DenseSynapse):
    """A dense synaptic cable adapted by pair-based spike-timing-dependent plasticity.

    Args:
        name, shape, weight_init, p_conn, batch_size: as DenseSynapse (no biases)
        A_plus: strength of long-term potentiation (LTP)
        A_minus: strength of long-term depression (LTD); <= 0 turns LTD off
        tau_plus: time constant of the LTP window (ms) (Default: 10.)
        tau_minus: time constant of the LTD window (ms) (Default: 10.)
        w_decay: weight decay per update when tau_w = 0 (Default: 0.)
        eta: global learning rate (Default: 1.)
        tau_w: time constant of an Euler-style weight decay; 0 uses w_decay (Default: 0.)
        g_conduct_factor: conductance factor of the transform (``resist_scale`` accepted)
        w_bound: weights are clipped to [0.001, w_bound - 0.001] (Default: 1.)
        **kwargs: key, and DenseSynapse's p_release_mean, max_delay_steps, mask
    """

    preSpike: Compartment        # pre-synaptic spikes s_pre
    postSpike: Compartment       # post-synaptic spikes s_post
    pre_tols: Compartment        # pre-synaptic time of last spike t_pre (0: none yet)
    post_tols: Compartment       # post-synaptic time of last spike t_post
    dWeights: Compartment        # the STDP update of the last evolve
    eta: Knob
    A_plus: Knob
    A_minus: Knob
    tau_plus: Knob
    tau_minus: Knob
    w_decay: Knob
    tau_w: Knob

    def __init__(self, name, shape, A_plus, A_minus, tau_plus=10., tau_minus=10., w_decay=0.,
                 eta=1., tau_w=0., weight_init=None, g_conduct_factor=1., p_conn=1., w_bound=1.,
                 batch_size=1, **kwargs):
        super().__init__(name, shape, weight_init=weight_init, bias_init=None,
                         g_conduct_factor=g_conduct_factor, p_conn=p_conn,
                         batch_size=batch_size, **kwargs)
        # if a check raises, the core removes the half-built component (the Context is unchanged)
        who = owner(type(self), name)
        vals = {p: check_number(who, p, v) for p, v in (
            ("A_plus", A_plus), ("A_minus", A_minus), ("eta", eta))}
        taus = {p: check_positive(who, p, v) for p, v in (("tau_plus", tau_plus),
                                                           ("tau_minus", tau_minus))}
        w_decay = check_number(who, "w_decay", w_decay, low=0.)
        tau_w = check_off_or_time_constant(who, "tau_w", tau_w)
        self.w_bound = check_bound(who, "w_bound", w_bound, W_EPS)
        add_ports(self, PORTS)
        self.eta = Knob(vals["eta"], doc="global learning rate")
        self.A_plus = Knob(vals["A_plus"], doc="strength of long-term potentiation")
        self.A_minus = Knob(vals["A_minus"], doc="strength of long-term depression (<= 0: off)")
        self.tau_plus = Knob(taus["tau_plus"], low=1e-6, doc="LTP window time constant (ms)")
        self.tau_minus = Knob(taus["tau_minus"], low=1e-6, doc="LTD window time constant (ms)")
        self.w_decay = Knob(w_decay, low=0., doc="weight decay per update (if tau_w = 0)")
        self.tau_w = Knob(tau_w, low=0., doc="weight decay time constant (0: use w_decay)")

    def _compute_update(self) -> jnp.ndarray:
        return pair_window(self.pre_tols.get(), self.post_tols.get(), self.preSpike.get(),
                           self.postSpike.get(), self.A_plus.get(), self.A_minus.get(),
                           self.tau_plus.get(), self.tau_minus.get())

    @compilable
    def evolve(self, t, dt):
        dW = self._compute_update()
        W, tau_w = self.weights.get(), self.tau_w.get()
        euler = tau_w > 0.
        leak = jnp.where(euler, W * dt * (1. / jnp.where(euler, tau_w, 1.)),
                         W * self.w_decay.get())
        W = jnp.clip(W + dW * self.eta.get() - leak, W_EPS, self.w_bound - W_EPS)
        self.weights.set(keep_connections(W, self.mask.get()))
        self.dWeights.set(dW)

    @compilable
    def reset(self):
        super().reset()
        reset_compartments([self.preSpike, self.postSpike, self.pre_tols, self.post_tols,
                            self.dWeights])  # zeros; wired inputs keep their wire

    def _batched(self) -> list:
        return super()._batched() + port_rest(self, PORTS)

    @classmethod
    def help(cls) -> dict:
        info = super().help()
        info[cls.__name__] = {"synapse_type": "STDPSynapse - a dense synaptic transform adapted "
                                              "by classical (pair-based) spike-timing-dependent "
                                              "plasticity (STDP)"}
        info["compartments"]["inputs"].update({
            "preSpike": "pre-synaptic spikes (s_j)", "postSpike": "post-synaptic spikes (s_i)",
            "pre_tols": "pre-synaptic time of last spike (t_j)",
            "post_tols": "post-synaptic time of last spike (t_i)"})
        info["compartments"]["analytics"] = {"dWeights": "STDP update of W at time t"}
        info["dynamics"] = ("outputs = ((x @ W) * gate) * g_conduct_factor; "
                            "dW_ij = A_plus exp(-(t_i - t_j) / tau_plus) s_i  (t_i > t_j) "
                            "- A_minus exp((t_i - t_j) / tau_minus) s_j  (t_i < t_j)")
        info["hyperparameters"].pop("bias_init")  # no biases
        info["hyperparameters"].update({
            "A_plus": "strength of long-term potentiation (LTP)",
            "A_minus": "strength of long-term depression (LTD)",
            "tau_plus": "time constant of the LTP window",
            "tau_minus": "time constant of the LTD window",
            "w_decay": "weight decay per update (if tau_w = 0)", "eta": "global learning rate",
            "tau_w": "time constant of an Euler-style weight decay (0: off)",
            "w_bound": "upper bound of the weights"})
        return info
