"""HebbianConvSynapse: a convolutional cable whose filters adapt by a two-factor Hebbian rule.

| outputs = (K @ inputs) * R + b
| dWeights = s * dK(pre, post) - w_decay * K ;  dBiases = s * sum_{batch, rows, cols} post
| (K, b) <- optimizer step (sgd / adam / nag, rate eta; the step subtracts eta * update)
| K clipped to [0 or -w_bound, w_bound] if w_bound > 0 (to >= 0 if only is_nonnegative)
| dInputs = s * dX(K, post)

dK(pre, post)[a, b, i, o] = sum_{n, p, q} pre_padded[n, p*stride + a, q*stride + b, i]
post[n, p, q, o] is the filter gradient (vector-Jacobian product) of the convolution, and
dX(K, post) its input gradient. The optimizer subtracts eta * dWeights, so sign_value = -1
climbs the Hebbian direction (K += eta * dK(pre, post)), while sign_value = 1 with post =
dL/d(outputs) is gradient descent on L. resist_scale scales the transform only, not the updates
(as ngc-learn).

Compartments: inputs, pre, post (inputs); outputs, dWeights, dBiases, dInputs (outputs); weights,
biases (parameters); opt_params (optimizer statistics, flattened), key. Knobs: eta, w_decay,
sign_value, resist_scale.

Differences from ngc-learn 3.2.3, where it is broken: those of ConvSynapse (per-channel biases
(1, 1, 1, n_out) learned from the summed post map; with bias_init=None the second step no longer
fails); back-transmission is exact for every stride (ngc-learn's SAME anti-padding is off by one
when stride > kernel size and the padding is odd, e.g. n=5, k=3, stride 4); is_nonnegative
without w_bound keeps K >= 0.
"""
from __future__ import annotations

from ngclab.components.validation import owner
from ngclab.components.synapses.convolution._common import cable_help
from ngclab.components.synapses.convolution._rules import HebbianRule, check_hebbian
from ngclab.components.synapses.convolution.convSynapse import ConvSynapse


class HebbianConvSynapse(HebbianRule, ConvSynapse):
    """A convolutional cable adapted by a two-factor Hebbian rule.

    Args:
        name, shape, x_shape, filter_init, bias_init, stride, padding, resist_scale,
            batch_size: as ConvSynapse
        eta: learning rate (Default: 0.)
        w_bound: filters are clipped to this bound after each update; 0 disables (Default: 0.)
        is_nonnegative: keep filters >= 0 after each update (Default: False)
        w_decay: L2 decay of the filters in the update, not of the biases (Default: 0.)
        sign_value: factor s on the update and on dInputs; the optimizer subtracts eta * update,
            so -1 is Hebbian ascent, 1 with post = dL/dy gradient descent (Default: 1.)
        optim_type: "sgd" or "adam" (or "nag") (Default: "sgd")
        **kwargs: key (and g_conduct_factor, ngc-learn 3.2.3's name of resist_scale)
    """

    def __init__(self, name, shape, x_shape, eta=0., filter_init=None, bias_init=None, stride=1,
                 padding=None, resist_scale=1., w_bound=0., is_nonnegative=False, w_decay=0.,
                 sign_value=1., optim_type="sgd", batch_size=1, **kwargs):
        rule = check_hebbian(owner(type(self), name), eta, w_bound, is_nonnegative, w_decay,
                             sign_value, optim_type)
        super().__init__(name, shape, x_shape, filter_init=filter_init, bias_init=bias_init,
                         stride=stride, padding=padding, resist_scale=resist_scale,
                         batch_size=batch_size, **kwargs)
        self._build_rule(rule)

    @classmethod
    def help(cls) -> dict:
        return cable_help(cls, "conv", "hebbian")
