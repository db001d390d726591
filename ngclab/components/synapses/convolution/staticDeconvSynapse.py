"""StaticDeconvSynapse: a transposed-convolution cable without plasticity (DeconvSynapse as is).

| outputs = (K @.T inputs) * R + b

Compartments: inputs, outputs, weights (filters), biases, key. Knob: resist_scale. See
DeconvSynapse for shapes, initial values and the differences from ngc-learn 3.2.3.
"""
from __future__ import annotations

from ngclab.components.synapses.convolution._common import cable_help
from ngclab.components.synapses.convolution.deconvSynapse import DeconvSynapse


class StaticDeconvSynapse(DeconvSynapse):
    """A static transposed-convolution synaptic cable (no synaptic adaptation); see DeconvSynapse."""

    def __init__(self, name, shape, x_shape, filter_init=None, bias_init=None, stride=1,
                 padding=None, resist_scale=1., batch_size=1, **kwargs):
        super().__init__(name, shape, x_shape, filter_init=filter_init, bias_init=bias_init,
                         stride=stride, padding=padding, resist_scale=resist_scale,
                         batch_size=batch_size, **kwargs)

    @classmethod
    def help(cls) -> dict:
        return cable_help(cls, "deconv", None)
