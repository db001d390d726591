"""Every component class, importable as ``from ngclab.components import RateCell``.

One import per line, grouped by family and sorted within a group, so that additions merge.
"""
# the base class of custom components written for ngc-learn
from ngclab.components.jaxComponent import JaxComponent
# neurons/graded
from ngclab.components.neurons.graded.bernoulliErrorCell import BernoulliErrorCell
from ngclab.components.neurons.graded.gaussianErrorCell import GaussianErrorCell
from ngclab.components.neurons.graded.laplacianErrorCell import LaplacianErrorCell
from ngclab.components.neurons.graded.leakyNoiseCell import LeakyNoiseCell
from ngclab.components.neurons.graded.rateCell import RateCell
from ngclab.components.neurons.graded.rewardErrorCell import RewardErrorCell
# neurons/spiking
from ngclab.components.neurons.spiking.adExCell import AdExCell
from ngclab.components.neurons.spiking.fitzhughNagumoCell import FitzhughNagumoCell
from ngclab.components.neurons.spiking.hodgkinHuxleyCell import HodgkinHuxleyCell
from ngclab.components.neurons.spiking.IFCell import IFCell
from ngclab.components.neurons.spiking.izhikevichCell import IzhikevichCell
from ngclab.components.neurons.spiking.LIFCell import LIFCell
from ngclab.components.neurons.spiking.LIFSRM import LIFSRM
from ngclab.components.neurons.spiking.quadLIFCell import QuadLIFCell
from ngclab.components.neurons.spiking.RAFCell import RAFCell
from ngclab.components.neurons.spiking.RAFSRM import RAFSRM
from ngclab.components.neurons.spiking.sLIFCell import SLIFCell
from ngclab.components.neurons.spiking.WTASCell import WTASCell
# input_encoders
from ngclab.components.input_encoders.bernoulliCell import BernoulliCell
from ngclab.components.input_encoders.ganglionCell import RetinalGanglionCell
from ngclab.components.input_encoders.latencyCell import LatencyCell
from ngclab.components.input_encoders.phasorCell import PhasorCell
from ngclab.components.input_encoders.poissonCell import PoissonCell
from ngclab.components.input_encoders.TTFSCell import TTFSCell
# other (traces)
from ngclab.components.other.expKernel import ExpKernel
from ngclab.components.other.varTrace import VarTrace
# synapses (dense)
from ngclab.components.synapses.alphaSynapse import AlphaSynapse
from ngclab.components.synapses.denseSynapse import DenseSynapse
from ngclab.components.synapses.doubleExpSynapse import DoubleExpSynapse
from ngclab.components.synapses.exponentialSynapse import ExponentialSynapse
from ngclab.components.synapses.mpsSynapse import MPSSynapse
from ngclab.components.synapses.sparseExponentialSynapse import SparseExponentialSynapse
from ngclab.components.synapses.sparseTensorSynapse import SparseTensorSynapse
from ngclab.components.synapses.staticSparseTensorSynapse import StaticSparseTensorSynapse
from ngclab.components.synapses.staticSynapse import StaticSynapse
from ngclab.components.synapses.STPDenseSynapse import STPDenseSynapse
# synapses/hebbian
from ngclab.components.synapses.hebbian.BCMSynapse import BCMSynapse
from ngclab.components.synapses.hebbian.eventSTDPSynapse import EventSTDPSynapse
from ngclab.components.synapses.hebbian.expSTDPSynapse import ExpSTDPSynapse
from ngclab.components.synapses.hebbian.gerstnerHebbianSynapse import GerstnerHebbianSynapse
from ngclab.components.synapses.hebbian.hebbianSynapse import HebbianSynapse
from ngclab.components.synapses.hebbian.inhibitorySTDPSynapse import InhibitorySTDPSynapse
from ngclab.components.synapses.hebbian.ojaTensorSynapse import OjaTensorSynapse
from ngclab.components.synapses.hebbian.STDPSynapse import STDPSynapse
from ngclab.components.synapses.hebbian.traceSTDPSynapse import TraceSTDPSynapse
# synapses/competitive
from ngclab.components.synapses.competitive.ART2ASynapse import ART2ASynapse
from ngclab.components.synapses.competitive.hopfieldSynapse import HopfieldSynapse
from ngclab.components.synapses.competitive.SOMSynapse import SOMSynapse
from ngclab.components.synapses.competitive.vectorQuantizeSynapse import VectorQuantizeSynapse
# synapses/modulated
from ngclab.components.synapses.modulated.MSTDPETSynapse import MSTDPETSynapse
from ngclab.components.synapses.modulated.REINFORCESynapse import REINFORCESynapse
# synapses/patched
from ngclab.components.synapses.patched.hebbianPatchedSynapse import HebbianPatchedSynapse
from ngclab.components.synapses.patched.patchedSynapse import PatchedSynapse
from ngclab.components.synapses.patched.staticPatchedSynapse import StaticPatchedSynapse
# synapses/convolution
from ngclab.components.synapses.convolution.convSynapse import ConvSynapse
from ngclab.components.synapses.convolution.deconvSynapse import DeconvSynapse
from ngclab.components.synapses.convolution.hebbianConvSynapse import HebbianConvSynapse
from ngclab.components.synapses.convolution.hebbianDeconvSynapse import HebbianDeconvSynapse
from ngclab.components.synapses.convolution.staticConvSynapse import StaticConvSynapse
from ngclab.components.synapses.convolution.staticDeconvSynapse import StaticDeconvSynapse
from ngclab.components.synapses.convolution.traceSTDPConvSynapse import TraceSTDPConvSynapse
from ngclab.components.synapses.convolution.traceSTDPDeconvSynapse import TraceSTDPDeconvSynapse

__all__ = [
    "JaxComponent",
    # neurons/graded
    "BernoulliErrorCell",
    "GaussianErrorCell",
    "LaplacianErrorCell",
    "LeakyNoiseCell",
    "RateCell",
    "RewardErrorCell",
    # neurons/spiking
    "AdExCell",
    "FitzhughNagumoCell",
    "HodgkinHuxleyCell",
    "IFCell",
    "IzhikevichCell",
    "LIFCell",
    "LIFSRM",
    "QuadLIFCell",
    "RAFCell",
    "RAFSRM",
    "SLIFCell",
    "WTASCell",
    # input_encoders
    "BernoulliCell",
    "LatencyCell",
    "PhasorCell",
    "PoissonCell",
    "RetinalGanglionCell",
    "TTFSCell",
    # other (traces)
    "ExpKernel",
    "VarTrace",
    # synapses (dense)
    "AlphaSynapse",
    "DenseSynapse",
    "DoubleExpSynapse",
    "ExponentialSynapse",
    "MPSSynapse",
    "STPDenseSynapse",
    "SparseExponentialSynapse",
    "SparseTensorSynapse",
    "StaticSparseTensorSynapse",
    "StaticSynapse",
    # synapses/hebbian
    "BCMSynapse",
    "EventSTDPSynapse",
    "ExpSTDPSynapse",
    "GerstnerHebbianSynapse",
    "HebbianSynapse",
    "InhibitorySTDPSynapse",
    "OjaTensorSynapse",
    "STDPSynapse",
    "TraceSTDPSynapse",
    # synapses/competitive
    "ART2ASynapse",
    "HopfieldSynapse",
    "SOMSynapse",
    "VectorQuantizeSynapse",
    # synapses/modulated
    "MSTDPETSynapse",
    "REINFORCESynapse",
    # synapses/patched
    "HebbianPatchedSynapse",
    "PatchedSynapse",
    "StaticPatchedSynapse",
    # synapses/convolution
    "ConvSynapse",
    "DeconvSynapse",
    "HebbianConvSynapse",
    "HebbianDeconvSynapse",
    "StaticConvSynapse",
    "StaticDeconvSynapse",
    "TraceSTDPConvSynapse",
    "TraceSTDPDeconvSynapse",
]
