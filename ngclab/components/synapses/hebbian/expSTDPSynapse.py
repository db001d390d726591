"""ExpSTDPSynapse: a dense cable adapted by trace STDP with an exponential weight dependence
(ngc-learn 3.2.3's ExpSTDPSynapse; Nessler et al. 2013, eq. 4 of Diehl and Cook 2015).

Transform (as DenseSynapse): outputs = ((x @ (W * mask)) * gate) * g_conduct_factor.
With pre-synaptic spikes s_pre and traces z_pre, post-synaptic spikes s_post and traces z_post,
``evolve()`` applies (rows are samples; the products sum over the batch):

| LTP = A_plus [e^{-beta W} (z_pre^T s_post) - e^{-beta (w_bound - W)} (x_tar^T s_post)]
| LTD = A_minus e^{-beta W} (s_pre^T z_post)                          (0 if A_minus <= 0)
| dWeights = LTP - LTD
| W <- clip(W + eta dWeights - W / tau_w, 0.01, w_bound - 0.01)     (no decay if tau_w = 0)
| W <- 0 where weight_mask or mask is 0

Large weights potentiate less (e^{-beta W}) and the pre-synaptic target x_tar depresses more
the closer W is to its bound; beta = 0 gives plain trace STDP.

Compartments: DenseSynapse's + preSpike, postSpike, preTrace, postTrace (inputs), dWeights
(output). Knobs: eta, A_plus, A_minus, exp_beta, pretrace_target, tau_w, g_conduct_factor.

Differences from ngc-learn 3.2.3, where it is broken: ``tau_w`` decays the weights as
documented (ngc-learn computes the decay term and drops it); ``p_conn`` sparsifies W (ngc-learn
passes it as p_release_mean, whose code then raises).
"""
from __future__ import annotations

import jax.numpy as jnp

from ngclab.core import Compartment, Knob, compilable
from ngclab.components.layers import reset_compartments
from ngclab.components.validation import check_number, owner
from ngclab.components.synapses.denseSynapse import DenseSynapse
from ngclab.components.synapses.hebbian._stdp import (
    TRACE_PORTS,
    add_ports,
    check_bound,
    check_off_or_time_constant,
    check_weight_mask,
    exp_stdp,
    only_if_positive,
    port_rest,
    step_weights,
)

W_EPS = 0.01  # weights are clipped to [W_EPS, w_bound - W_EPS]


class ExpSTDPSynapse(DenseSynapse):
    """A dense synaptic cable adapted by exponentially weight-dependent trace STDP.

    Args:
        name, shape, weight_init, p_conn, batch_size: as DenseSynapse (no biases)
        A_plus: strength of long-term potentiation (LTP)
        A_minus: strength of long-term depression (LTD); <= 0 turns LTD off
        exp_beta: strength beta of the exponential weight dependence
        eta: global learning rate (Default: 1.)
        pretrace_target: pre-synaptic trace target x_tar (Default: 0.)
        g_conduct_factor: conductance factor of the transform (``resist_scale`` accepted)
        w_bound: weights are clipped to [0.01, w_bound - 0.01] (Default: 1.)
        tau_w: weight decay time constant; 0 turns the decay off (Default: 0.)
        weight_mask: fixed mask of the synapses (0: absent); None keeps all (Default: None)
        **kwargs: key, and DenseSynapse's p_release_mean, max_delay_steps, mask
    """

    preSpike: Compartment        # pre-synaptic spikes s_pre
    postSpike: Compartment       # post-synaptic spikes s_post
    preTrace: Compartment        # pre-synaptic trace z_pre
    postTrace: Compartment       # post-synaptic trace z_post
    dWeights: Compartment        # the STDP update of the last evolve
    eta: Knob
    A_plus: Knob
    A_minus: Knob
    exp_beta: Knob
    pretrace_target: Knob
    tau_w: Knob

    def __init__(self, name, shape, A_plus, A_minus, exp_beta, eta=1., pretrace_target=0.,
                 weight_init=None, g_conduct_factor=1., p_conn=1., w_bound=1., tau_w=0.,
                 weight_mask=None, batch_size=1, **kwargs):
        super().__init__(name, shape, weight_init=weight_init, bias_init=None,
                         g_conduct_factor=g_conduct_factor, p_conn=p_conn,
                         batch_size=batch_size, **kwargs)
        # if a check raises, the core removes the half-built component (the Context is unchanged)
        who = owner(type(self), name)
        vals = {p: check_number(who, p, v) for p, v in (
            ("A_plus", A_plus), ("A_minus", A_minus), ("exp_beta", exp_beta), ("eta", eta),
            ("pretrace_target", pretrace_target))}
        tau_w = check_off_or_time_constant(who, "tau_w", tau_w)
        self.w_bound = check_bound(who, "w_bound", w_bound, W_EPS)
        self.weight_mask = check_weight_mask(who, weight_mask, self.shape)
        self.weights.set(self.weights.get() * self.weight_mask)
        add_ports(self, TRACE_PORTS)
        self.eta = Knob(vals["eta"], doc="global learning rate")
        self.A_plus = Knob(vals["A_plus"], doc="strength of long-term potentiation")
        self.A_minus = Knob(vals["A_minus"], doc="strength of long-term depression (<= 0: off)")
        self.exp_beta = Knob(vals["exp_beta"], doc="strength of the exponential weight "
                                                   "dependence")
        self.pretrace_target = Knob(vals["pretrace_target"], doc="pre-synaptic trace target")
        self.tau_w = Knob(tau_w, low=0., doc="weight decay time constant (0: off)")

    def _compute_update(self) -> jnp.ndarray:
        A_minus = self.A_minus.get()
        ltp, ltd = exp_stdp(self.preSpike.get(), self.preTrace.get(), self.postSpike.get(),
                            self.postTrace.get(), self.weights.get(), self.A_plus.get(), A_minus,
                            self.pretrace_target.get(), self.exp_beta.get(), self.w_bound)
        return ltp - only_if_positive(ltd, A_minus)

    @compilable
    def evolve(self):
        dW = self._compute_update()
        self.weights.set(step_weights(self.weights.get(), dW, self.eta.get(), self.tau_w.get(),
                                      W_EPS, self.w_bound - W_EPS, self.weight_mask,
                                      self.mask.get()))
        self.dWeights.set(dW)

    @compilable
    def reset(self):
        super().reset()
        reset_compartments([self.preSpike, self.postSpike, self.preTrace, self.postTrace,
                            self.dWeights])  # zeros; wired inputs keep their wire

    def _batched(self) -> list:
        return super()._batched() + port_rest(self, TRACE_PORTS)

    @classmethod
    def help(cls) -> dict:
        info = super().help()
        info[cls.__name__] = {"synapse_type": "ExpSTDPSynapse - a dense synaptic transform "
                                              "adapted by trace-based STDP with an exponential "
                                              "weight dependence"}
        info["compartments"]["inputs"].update({
            "preSpike": "pre-synaptic spikes (s_j)", "postSpike": "post-synaptic spikes (s_i)",
            "preTrace": "pre-synaptic trace (z_j)", "postTrace": "post-synaptic trace (z_i)"})
        info["compartments"]["analytics"] = {"dWeights": "STDP update of W at time t"}
        info["dynamics"] = ("outputs = ((x @ W) * gate) * g_conduct_factor; "
                            "dW_ij = A_plus [z_j exp(-beta W_ij) - x_tar exp(-beta (w_bound - "
                            "W_ij))] s_i - A_minus s_j z_i exp(-beta W_ij)")
        info["hyperparameters"].pop("bias_init")  # no biases
        info["hyperparameters"].update({
            "A_plus": "strength of long-term potentiation (LTP)",
            "A_minus": "strength of long-term depression (LTD)",
            "exp_beta": "strength of the exponential weight dependence",
            "eta": "global learning rate", "pretrace_target": "pre-synaptic trace target (x_tar)",
            "w_bound": "upper bound of the weights", "tau_w": "weight decay time constant",
            "weight_mask": "fixed mask of the synapses (0: absent)"})
        return info
