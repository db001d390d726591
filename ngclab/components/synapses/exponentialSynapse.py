"""ExponentialSynapse: a dense cable whose conductance jumps at each spike and decays
exponentially (ngc-learn 3.2.3's ExponentialSynapse).

| dg/dt = -g / tau_decay + g_bar sum_k delta(t - t_k)        (t_k: arriving pre-synaptic spikes)
| g <- g - dt g / tau_decay + g_bar (s @ W)                   (forward Euler, as ngc-learn)
| i_syn = outputs = -g_conduct_factor g (v - syn_rest)        (syn_rest None: -g_conduct_factor g)

After one spike on a unit weight, g_k = g_bar (1 - dt/tau_decay)^k: the discrete
g_bar e^(-t/tau_decay). ``v`` is the voltage of the post-synaptic cell (wire its ``v`` here);
with ``syn_rest=None`` the synapse is current-based and v is not read. One matmul per step.

Compartments: inputs, v (inputs); weights, biases (parameters); g_syn (state); i_syn, outputs
(outputs); and DenseSynapse's gate, mask, delay queue (unused here, as in ngc-learn).
Knobs: tau_decay, g_syn_bar, syn_rest (when given), g_conduct_factor.

Differences from ngc-learn 3.2.3, where it is broken: ``p_conn`` sparsifies W (ngc-learn passes
it to its base class in the place of p_release_mean, so connections are never dropped and W
stays all ones); the keyword arguments of DenseSynapse that the step ignores (p_release_mean,
max_delay_steps, mask) are refused rather than silently ignored.
"""
from __future__ import annotations

from ngclab.components.synapses._kernels import ConductanceSynapse, leak
from ngclab.components.validation import owner
from ngclab.core import Knob, compilable


class ExponentialSynapse(ConductanceSynapse):
    """A dense cable with exponentially decaying conductance (see the module docstring).

    Args:
        name: the synapse's name
        shape: (n_inputs, n_outputs)
        tau_decay: conductance decay time constant (ms)
        g_syn_bar: conductance added by one spike on a unit weight
        syn_rest: synaptic reversal potential (mV); None makes the synapse current-based
        weight_init: initializer of W (used only when is_nonplastic is False)
        bias_init: initializer of b (unused by the step, as in ngc-learn)
        g_conduct_factor: factor on the current (Default: 1.; ``resist_scale`` accepted)
        p_conn: probability in (0, 1] that a connection exists (Default: 1.)
        is_nonplastic: W = 1 on every existing connection (Default: True)
        **kwargs: key, batch_size (Default: 1)
    """

    tau_decay: Knob

    def __init__(self, name, shape, tau_decay, g_syn_bar, syn_rest, weight_init=None,
                 bias_init=None, g_conduct_factor=1., p_conn=1., is_nonplastic=True, **kwargs):
        super().__init__(name, shape, g_syn_bar, syn_rest, weight_init=weight_init,
                         bias_init=bias_init, g_conduct_factor=g_conduct_factor, p_conn=p_conn,
                         is_nonplastic=is_nonplastic, **kwargs)
        self.tau_decay = self._time_constant(owner(type(self), name), "tau_decay", tau_decay)

    @compilable
    def advance_state(self, t, dt):
        g = leak(self.g_syn.get(), self.tau_decay.get(), dt) + self.g_syn_bar.get() * self._drive()
        self._emit(g)

    @classmethod
    def help(cls) -> dict:
        info = super().help()
        info[cls.__name__] = {"synapse_type": "ExponentialSynapse - a dense synaptic cable "
                                              "whose conductance decays exponentially after "
                                              "each spike"}
        info["dynamics"] = ("outputs = i_syn = -g_conduct_factor * g_syn * (v - syn_rest); "
                            "dg_syn/dt = -g_syn/tau_decay + g_syn_bar * (inputs @ W)")
        info["hyperparameters"]["tau_decay"] = "conductance decay time constant (ms)"
        return info
