"""TraceSTDPDeconvSynapse: a transposed-convolution cable adapted by trace-based STDP.

| outputs = (K @.T inputs) * R
| dWeights = A_plus * dK(preTrace - pretrace_target, postSpike)
|          - A_minus * dK(preSpike, postTrace)
| K <- K + eta * dWeights - w_decay * K ;  K <- clip(K, 0.01, w_bound - 0.01) if w_bound > 0
| dInputs = dX(K, postSpike)

dK and dX are the filter and input vector-Jacobian products of the transposed convolution (see
HebbianDeconvSynapse). No biases (the biases compartment holds zeros).

Compartments: inputs, preSpike, preTrace, postSpike, postTrace (inputs); outputs, dWeights,
dInputs (outputs); weights, biases (parameters), key. Knobs: eta, A_plus, A_minus,
pretrace_target, w_decay, resist_scale.

Differences from ngc-learn 3.2.3, where it is broken: ``padding=None`` means
"VALID".
"""
from __future__ import annotations

from ngclab.components.validation import owner
from ngclab.components.synapses.convolution._common import cable_help
from ngclab.components.synapses.convolution._rules import TraceSTDPRule, check_stdp
from ngclab.components.synapses.convolution.deconvSynapse import DeconvSynapse


class TraceSTDPDeconvSynapse(TraceSTDPRule, DeconvSynapse):
    """A transposed-convolution cable adapted by trace-based spike-timing-dependent plasticity.

    Args:
        name, shape, x_shape, filter_init, stride, padding, resist_scale, batch_size: as
            DeconvSynapse (no biases)
        A_plus: strength of long-term potentiation (LTP)
        A_minus: strength of long-term depression (LTD)
        eta: global learning rate (Default: 0.)
        pretrace_target: pre-synaptic trace target; larger values depress more (Default: 0.)
        w_bound: filters are clipped to [0.01, w_bound - 0.01]; 0 disables (Default: 0.)
        w_decay: decay of the filters per update (Default: 0.)
        **kwargs: key (and g_conduct_factor, ngc-learn 3.2.3's name of resist_scale)
    """

    def __init__(self, name, shape, x_shape, A_plus, A_minus, eta=0., pretrace_target=0.,
                 filter_init=None, stride=1, padding=None, resist_scale=1., w_bound=0.,
                 w_decay=0., batch_size=1, **kwargs):
        rule = check_stdp(owner(type(self), name), A_plus, A_minus, eta, pretrace_target,
                          w_bound, w_decay)
        super().__init__(name, shape, x_shape, filter_init=filter_init, bias_init=None,
                         stride=stride, padding=padding, resist_scale=resist_scale,
                         batch_size=batch_size, **kwargs)
        self._build_rule(rule)

    @classmethod
    def help(cls) -> dict:
        return cable_help(cls, "deconv", "stdp")
