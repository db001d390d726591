"""StaticConvSynapse: a convolutional cable without plasticity (ConvSynapse as is).

| outputs = (K @ inputs) * R + b

Compartments: inputs, outputs, weights (filters), biases, key. Knob: resist_scale. See
ConvSynapse for shapes, initial values and the differences from ngc-learn 3.2.3.
"""
from __future__ import annotations

from ngclab.components.synapses.convolution._common import cable_help
from ngclab.components.synapses.convolution.convSynapse import ConvSynapse


class StaticConvSynapse(ConvSynapse):
    """A static convolutional synaptic cable (no synaptic adaptation); see ConvSynapse."""

    def __init__(self, name, shape, x_shape, filter_init=None, bias_init=None, stride=1,
                 padding=None, resist_scale=1., batch_size=1, **kwargs):
        super().__init__(name, shape, x_shape, filter_init=filter_init, bias_init=bias_init,
                         stride=stride, padding=padding, resist_scale=resist_scale,
                         batch_size=batch_size, **kwargs)

    @classmethod
    def help(cls) -> dict:
        return cable_help(cls, "conv", None)
