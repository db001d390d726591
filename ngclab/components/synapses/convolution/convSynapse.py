"""ConvSynapse: a convolutional synaptic cable (the base of the conv synapses).

| outputs = (K @ inputs) * R + b

where ``@`` is a 2-D convolution of the (batch, n, n, n_in) input maps with the (k, k, n_in,
n_out) filters K at the given stride, with "SAME" (output size ceil(n / stride)) or "VALID" (no
padding, output size floor((n - k) / stride) + 1) padding; R = resist_scale; b has one entry
per output channel.

Compartments: inputs (input), outputs (output), weights (the filters; ngc-learn's docs call them
"filters", its code "weights"), biases (parameters), key. Knob: resist_scale (also reachable as
``g_conduct_factor``, ngc-learn 3.2.3's code name, which the constructor accepts too).

Initial values follow ngc-learn 3.2.3's key use: ``(_, k_K, _, k_b) = split(key, 4)``; filters
default to uniform(0.025, 0.8).

Differences from ngc-learn 3.2.3, where it is broken: the biases have shape (1, 1, 1, n_out),
one per output channel, drawn as a (1, n_out) row from ``bias_init`` (ngc-learn sizes them by the
kernel width, shape (1, k), which fails to broadcast unless k = n_out); without a ``bias_init``
they are zeros that are added but never learned (ngc-learn stores a scalar 0 that its plastic
subclasses overwrite with None, so the next step fails); ``padding=None`` means "VALID" (ngc-learn
passes None to lax, which fails); a non-square ``x_shape`` is refused (ngc-learn silently uses
its width).
"""
from __future__ import annotations

from ngclab.components.synapses.convolution import ngcconv
from ngclab.components.synapses.convolution._common import ConvCable, cable_help


class ConvSynapse(ConvCable):
    """A convolutional synaptic cable: outputs = (K @ inputs) * R + b.

    Args:
        name: the synapse's name
        shape: filter shape (k, k, n_in_channels, n_out_channels); filters are square
        x_shape: (n, n), height and width of an input map (maps are square)
        filter_init: initializer of the filters (Default: uniform(0.025, 0.8))
        bias_init: initializer of the per-channel biases (Default: None, no biases)
        stride: stride of the convolution (Default: 1)
        padding: "SAME" or "VALID" (Default: None, meaning "VALID")
        resist_scale: scale R of the transform (Default: 1.; ``g_conduct_factor=`` works too)
        batch_size: batch size of the maps (Default: 1)
        **kwargs: key
    """

    _op = "conv"

    def __init__(self, name, shape, x_shape, filter_init=None, bias_init=None, stride=1,
                 padding=None, resist_scale=1., batch_size=1, **kwargs):
        super().__init__(name, shape, x_shape, filter_init=filter_init, bias_init=bias_init,
                         stride=stride, padding=padding, resist_scale=resist_scale,
                         batch_size=batch_size, **kwargs)

    def _forward(self, x, K):
        return ngcconv.conv2d(x, K, self.stride, padding=self.pad_args)

    def _dK(self, pre, post):
        r = self.geometry["r"]
        return ngcconv.calc_dK_conv(pre, post, (r, r), self.stride, padding=self.pad_args)

    def _dX(self, K, post):
        return ngcconv.calc_dX_conv(K, post, (0, 0), self.stride,
                                    anti_padding=self.geometry["dx_pad"])

    @classmethod
    def help(cls) -> dict:
        return cable_help(cls, "conv", None)
