"""Convolutional synapses: conv and transposed-conv ("deconv") cables, static, Hebbian and
trace-STDP, and the ``ngcconv`` toolbox behind them."""
from ngclab.components.synapses.convolution import ngcconv
from ngclab.components.synapses.convolution.convSynapse import ConvSynapse
from ngclab.components.synapses.convolution.deconvSynapse import DeconvSynapse
from ngclab.components.synapses.convolution.hebbianConvSynapse import HebbianConvSynapse
from ngclab.components.synapses.convolution.hebbianDeconvSynapse import HebbianDeconvSynapse
from ngclab.components.synapses.convolution.staticConvSynapse import StaticConvSynapse
from ngclab.components.synapses.convolution.staticDeconvSynapse import StaticDeconvSynapse
from ngclab.components.synapses.convolution.traceSTDPConvSynapse import TraceSTDPConvSynapse
from ngclab.components.synapses.convolution.traceSTDPDeconvSynapse import \
    TraceSTDPDeconvSynapse

__all__ = ["ngcconv", "ConvSynapse", "DeconvSynapse", "HebbianConvSynapse",
           "HebbianDeconvSynapse", "StaticConvSynapse", "StaticDeconvSynapse",
           "TraceSTDPConvSynapse", "TraceSTDPDeconvSynapse"]
