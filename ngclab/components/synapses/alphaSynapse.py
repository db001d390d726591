"""AlphaSynapse: a dense cable whose conductance after a spike is an alpha function, rising and
decaying with one time constant (ngc-learn 3.2.3's AlphaSynapse).

| dh/dt = -h / tau_decay + g_bar sum_k delta(t - t_k)
| dg/dt = -g / tau_decay + h / tau_decay
| h <- h - dt h / tau_decay + g_bar (s @ W)
| g <- g - dt g / tau_decay + (dt / tau_decay) h               (forward Euler)
| i_syn = outputs = -g_conduct_factor g (v - syn_rest)        (syn_rest None: -g_conduct_factor g)

After one spike on a unit weight g(t) = g_bar (t / tau_decay) e^(-t/tau_decay), largest
(g_bar / e) at t = tau_decay; the Euler steps give g_k = g_bar (dt/tau) (k+1) (1 - dt/tau)^k,
largest at t = (k+1) dt = tau_decay (tied with tau_decay - dt).

Compartments: inputs, v (inputs); weights, biases (parameters); g_syn, h_syn (states); i_syn,
outputs (outputs); and DenseSynapse's gate, mask, delay queue (unused, as in ngc-learn).
Knobs: tau_decay, g_syn_bar, syn_rest (when given), g_conduct_factor.

Differences from ngc-learn 3.2.3, where it is broken: its step reads ``self.resist_scale``,
which its base class never sets, so it raises AttributeError at the first step; with that
attribute given, it adds h to g where its equation adds (dt / tau_decay) h, so its conductance is
tau_decay / dt times the equation's (the peak grows as dt shrinks): ngclab steps the equation,
and ngc-learn's g_syn, i_syn and outputs are exactly tau_decay / dt times ngclab's. ``p_conn``
sparsifies W (see ExponentialSynapse); p_release_mean, max_delay_steps and mask are refused.
"""
from __future__ import annotations

from ngclab.components.synapses._kernels import ConductanceSynapse, leak
from ngclab.components.validation import owner
from ngclab.core import Compartment, Knob, compilable


class AlphaSynapse(ConductanceSynapse):
    """A dense cable with an alpha-function conductance (see the module docstring).

    Args:
        name: the synapse's name
        shape: (n_inputs, n_outputs)
        tau_decay: time constant of the rise and of the decay (ms)
        g_syn_bar: conductance scale of one spike on a unit weight (the peak is g_syn_bar / e)
        syn_rest: synaptic reversal potential (mV); None makes the synapse current-based
        weight_init: initializer of W (used only when is_nonplastic is False)
        bias_init: initializer of b (unused by the step, as in ngc-learn)
        g_conduct_factor: factor on the current (Default: 1.; ``resist_scale`` accepted)
        p_conn: probability in (0, 1] that a connection exists (Default: 1.)
        is_nonplastic: W = 1 on every existing connection (Default: True)
        **kwargs: key, batch_size (Default: 1)
    """

    h_syn: Compartment      # intermediate conductance
    tau_decay: Knob

    kernel_states = ("h_syn",)

    def __init__(self, name, shape, tau_decay, g_syn_bar, syn_rest, weight_init=None,
                 bias_init=None, g_conduct_factor=1., p_conn=1., is_nonplastic=True, **kwargs):
        super().__init__(name, shape, g_syn_bar, syn_rest, weight_init=weight_init,
                         bias_init=bias_init, g_conduct_factor=g_conduct_factor, p_conn=p_conn,
                         is_nonplastic=is_nonplastic, **kwargs)
        self.tau_decay = self._time_constant(owner(type(self), name), "tau_decay", tau_decay)

    @compilable
    def advance_state(self, t, dt):
        tau = self.tau_decay.get()
        h = leak(self.h_syn.get(), tau, dt) + self.g_syn_bar.get() * self._drive()
        g = leak(self.g_syn.get(), tau, dt) + (dt / tau) * h
        self.h_syn.set(h)
        self._emit(g)

    @classmethod
    def help(cls) -> dict:
        info = super().help()
        info[cls.__name__] = {"synapse_type": "AlphaSynapse - a dense synaptic cable whose "
                                              "conductance follows an alpha function after "
                                              "each spike"}
        info["compartments"]["states"]["h_syn"] = "intermediate conductance"
        info["dynamics"] = ("outputs = i_syn = -g_conduct_factor * g_syn * (v - syn_rest); "
                            "dh_syn/dt = -h_syn/tau_decay + g_syn_bar * (inputs @ W); "
                            "dg_syn/dt = -g_syn/tau_decay + h_syn/tau_decay")
        info["hyperparameters"]["tau_decay"] = "time constant of the rise and decay (ms)"
        return info
