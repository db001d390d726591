"""DeconvSynapse: a transposed-convolution ("deconvolution") synaptic cable.

| outputs = (K @.T inputs) * R + b

where ``@.T`` is lax's transposed convolution of the (batch, n, n, n_in) input maps with the
(k, k, n_in, n_out) filters K (kernel not flipped): the input is dilated by the stride, padded and
correlated with K. Output size: n * stride ("SAME") or n * stride + max(k - stride, 0)
("VALID"). R = resist_scale; b has one entry per output channel.

Compartments: inputs (input), outputs (output), weights (the filters), biases (parameters), key.
Knob: resist_scale (also ``g_conduct_factor``, ngc-learn 3.2.3's code name).

Initial values follow ngc-learn 3.2.3's key use: ``(_, k_K, _, k_b) = split(key, 4)``; filters
default to uniform(0.025, 0.8).

Differences from ngc-learn 3.2.3, where it is broken: as ConvSynapse (per-output-channel biases
of shape (1, 1, 1, n_out); no crash without a ``bias_init``; ``padding=None`` means "VALID";
non-square maps refused).
"""
from __future__ import annotations

from ngclab.components.synapses.convolution import ngcconv
from ngclab.components.synapses.convolution._common import ConvCable, cable_help


class DeconvSynapse(ConvCable):
    """A transposed-convolution synaptic cable: outputs = (K @.T inputs) * R + b.

    Args:
        name: the synapse's name
        shape: filter shape (k, k, n_in_channels, n_out_channels); filters are square
        x_shape: (n, n), height and width of an input map (maps are square)
        filter_init: initializer of the filters (Default: uniform(0.025, 0.8))
        bias_init: initializer of the per-channel biases (Default: None, no biases)
        stride: stride (upsampling factor) of the transposed convolution (Default: 1)
        padding: "SAME" or "VALID" (Default: None, meaning "VALID")
        resist_scale: scale R of the transform (Default: 1.; ``g_conduct_factor=`` works too)
        batch_size: batch size of the maps (Default: 1)
        **kwargs: key
    """

    _op = "deconv"

    def __init__(self, name, shape, x_shape, filter_init=None, bias_init=None, stride=1,
                 padding=None, resist_scale=1., batch_size=1, **kwargs):
        super().__init__(name, shape, x_shape, filter_init=filter_init, bias_init=bias_init,
                         stride=stride, padding=padding, resist_scale=resist_scale,
                         batch_size=batch_size, **kwargs)

    def _forward(self, x, K):
        return ngcconv.deconv2d(x, K, self.stride, padding=self.pad_args)

    def _dK(self, pre, post):
        return ngcconv.calc_dK_deconv(pre, post, (0, 0), self.stride, out_size=self.shape[0],
                                      padding=self.pad_args)

    def _dX(self, K, post):
        return ngcconv.calc_dX_deconv(K, post, (0, 0), self.stride,
                                      padding=self.geometry["dx_pad"])

    @classmethod
    def help(cls) -> dict:
        return cable_help(cls, "deconv", None)
