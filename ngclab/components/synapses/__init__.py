"""Every synapse class, as ``ngclearn.components.synapses`` exports them."""
from ngclab.components.synapses.denseSynapse import DenseSynapse
from ngclab.components.synapses.staticSynapse import StaticSynapse
from ngclab.components.synapses.sparseTensorSynapse import SparseTensorSynapse
from ngclab.components.synapses.staticSparseTensorSynapse import StaticSparseTensorSynapse
from ngclab.components.synapses.STPDenseSynapse import STPDenseSynapse
from ngclab.components.synapses.exponentialSynapse import ExponentialSynapse
from ngclab.components.synapses.doubleExpSynapse import DoubleExpSynapse
from ngclab.components.synapses.alphaSynapse import AlphaSynapse
from ngclab.components.synapses.mpsSynapse import MPSSynapse
from ngclab.components.synapses.hebbian.hebbianSynapse import HebbianSynapse
from ngclab.components.synapses.hebbian.STDPSynapse import STDPSynapse
from ngclab.components.synapses.hebbian.traceSTDPSynapse import TraceSTDPSynapse
from ngclab.components.synapses.hebbian.expSTDPSynapse import ExpSTDPSynapse
from ngclab.components.synapses.hebbian.eventSTDPSynapse import EventSTDPSynapse
from ngclab.components.synapses.hebbian.BCMSynapse import BCMSynapse
from ngclab.components.synapses.hebbian.inhibitorySTDPSynapse import InhibitorySTDPSynapse
from ngclab.components.synapses.hebbian.ojaTensorSynapse import OjaTensorSynapse
from ngclab.components.synapses.competitive.SOMSynapse import SOMSynapse
from ngclab.components.synapses.competitive.vectorQuantizeSynapse import VectorQuantizeSynapse
from ngclab.components.synapses.competitive.ART2ASynapse import ART2ASynapse
from ngclab.components.synapses.convolution.convSynapse import ConvSynapse
from ngclab.components.synapses.convolution.staticConvSynapse import StaticConvSynapse
from ngclab.components.synapses.convolution.hebbianConvSynapse import HebbianConvSynapse
from ngclab.components.synapses.convolution.traceSTDPConvSynapse import TraceSTDPConvSynapse
from ngclab.components.synapses.convolution.deconvSynapse import DeconvSynapse
from ngclab.components.synapses.convolution.staticDeconvSynapse import StaticDeconvSynapse
from ngclab.components.synapses.convolution.hebbianDeconvSynapse import HebbianDeconvSynapse
from ngclab.components.synapses.convolution.traceSTDPDeconvSynapse import TraceSTDPDeconvSynapse
from ngclab.components.synapses.modulated.MSTDPETSynapse import MSTDPETSynapse
from ngclab.components.synapses.patched.patchedSynapse import PatchedSynapse
from ngclab.components.synapses.patched.staticPatchedSynapse import StaticPatchedSynapse
from ngclab.components.synapses.patched.hebbianPatchedSynapse import HebbianPatchedSynapse

__all__ = ["DenseSynapse", "StaticSynapse", "SparseTensorSynapse", "StaticSparseTensorSynapse",
           "STPDenseSynapse", "ExponentialSynapse", "DoubleExpSynapse", "AlphaSynapse",
           "MPSSynapse", "HebbianSynapse", "STDPSynapse", "TraceSTDPSynapse", "ExpSTDPSynapse",
           "EventSTDPSynapse", "BCMSynapse", "InhibitorySTDPSynapse", "OjaTensorSynapse",
           "SOMSynapse", "VectorQuantizeSynapse", "ART2ASynapse", "ConvSynapse",
           "StaticConvSynapse", "HebbianConvSynapse",
           "TraceSTDPConvSynapse", "DeconvSynapse", "StaticDeconvSynapse", "HebbianDeconvSynapse",
           "TraceSTDPDeconvSynapse", "MSTDPETSynapse", "PatchedSynapse", "StaticPatchedSynapse",
           "HebbianPatchedSynapse"]
