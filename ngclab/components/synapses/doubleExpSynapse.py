"""DoubleExpSynapse: a dense cable whose conductance rises with tau_rise and decays with
tau_decay, a difference of exponentials (ngc-learn 3.2.3's DoubleExpSynapse).

| dh/dt = -h / tau_rise + g_bar (1/tau_rise - 1/tau_decay) sum_k delta(t - t_k)
| dg/dt = -g / tau_decay + h
| h <- h - dt h / tau_rise + g_bar (1/tau_rise - 1/tau_decay) (s @ W)
| g <- g - dt g / tau_decay + dt h                            (forward Euler)
| i_syn = outputs = -g_conduct_factor g (v - syn_rest)        (syn_rest None: -g_conduct_factor g)

After one spike on a unit weight g(t) = g_bar (e^(-t/tau_decay) - e^(-t/tau_rise)); the Euler
steps give exactly g_k = g_bar (a_d^(k+1) - a_r^(k+1)) with a = 1 - dt/tau: a rise over about
tau_rise, a decay with tau_decay, a peak below g_bar. Equal time constants give g = 0 (the
factor 1/tau_rise - 1/tau_decay vanishes), as in ngc-learn.

Compartments: inputs, v (inputs); weights, biases (parameters); g_syn, h_syn (states); i_syn,
outputs (outputs); and DenseSynapse's gate, mask, delay queue (unused, as in ngc-learn).
Knobs: tau_decay, tau_rise, g_syn_bar, syn_rest (when given), g_conduct_factor.

Differences from ngc-learn 3.2.3, where it is broken: its step reads ``self.resist_scale``,
which its base class never sets, so it raises AttributeError at the first step; with that
attribute given, it adds h (not dt h) to g, which matches its equation only for dt = 1 (its g
grows as 1/dt): ngclab steps the equation (same numbers at dt = 1). ``p_conn`` sparsifies W
(see ExponentialSynapse); p_release_mean, max_delay_steps and mask are refused.
"""
from __future__ import annotations

from ngclab.components.synapses._kernels import ConductanceSynapse, leak
from ngclab.components.validation import owner
from ngclab.core import Compartment, Knob, compilable


class DoubleExpSynapse(ConductanceSynapse):
    """A dense cable with a double-exponential conductance (see the module docstring).

    Args:
        name: the synapse's name
        shape: (n_inputs, n_outputs)
        tau_decay: conductance decay time constant (ms)
        tau_rise: conductance rise time constant (ms)
        g_syn_bar: conductance scale of one spike on a unit weight
        syn_rest: synaptic reversal potential (mV); None makes the synapse current-based
        weight_init: initializer of W (used only when is_nonplastic is False)
        bias_init: initializer of b (unused by the step, as in ngc-learn)
        g_conduct_factor: factor on the current (Default: 1.; ``resist_scale`` accepted)
        p_conn: probability in (0, 1] that a connection exists (Default: 1.)
        is_nonplastic: W = 1 on every existing connection (Default: True)
        **kwargs: key, batch_size (Default: 1)
    """

    h_syn: Compartment      # intermediate conductance (the rising phase)
    tau_decay: Knob
    tau_rise: Knob

    kernel_states = ("h_syn",)

    def __init__(self, name, shape, tau_decay, tau_rise, g_syn_bar, syn_rest, weight_init=None,
                 bias_init=None, g_conduct_factor=1., p_conn=1., is_nonplastic=True, **kwargs):
        super().__init__(name, shape, g_syn_bar, syn_rest, weight_init=weight_init,
                         bias_init=bias_init, g_conduct_factor=g_conduct_factor, p_conn=p_conn,
                         is_nonplastic=is_nonplastic, **kwargs)
        who = owner(type(self), name)
        self.tau_decay = self._time_constant(who, "tau_decay", tau_decay)
        self.tau_rise = self._time_constant(who, "tau_rise", tau_rise)

    @compilable
    def advance_state(self, t, dt):
        tau_d, tau_r = self.tau_decay.get(), self.tau_rise.get()
        jump = self.g_syn_bar.get() * (1. / tau_r - 1. / tau_d)
        h = leak(self.h_syn.get(), tau_r, dt) + jump * self._drive()
        g = leak(self.g_syn.get(), tau_d, dt) + dt * h
        self.h_syn.set(h)
        self._emit(g)

    @classmethod
    def help(cls) -> dict:
        info = super().help()
        info[cls.__name__] = {"synapse_type": "DoubleExpSynapse - a dense synaptic cable whose "
                                              "conductance follows a difference of "
                                              "exponentials after each spike"}
        info["compartments"]["states"]["h_syn"] = "intermediate conductance (rising phase)"
        info["dynamics"] = ("outputs = i_syn = -g_conduct_factor * g_syn * (v - syn_rest); "
                            "dh_syn/dt = -h_syn/tau_rise + (1/tau_rise - 1/tau_decay) * "
                            "g_syn_bar * (inputs @ W); dg_syn/dt = -g_syn/tau_decay + h_syn")
        info["hyperparameters"].update({"tau_decay": "conductance decay time constant (ms)",
                                        "tau_rise": "conductance rise time constant (ms)"})
        return info
