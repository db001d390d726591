"""Every neuron class, as ``ngclearn.components.neurons`` exports them."""
from ngclab.components.neurons.graded.rateCell import RateCell
from ngclab.components.neurons.graded.leakyNoiseCell import LeakyNoiseCell
from ngclab.components.neurons.graded.gaussianErrorCell import GaussianErrorCell
from ngclab.components.neurons.graded.laplacianErrorCell import LaplacianErrorCell
from ngclab.components.neurons.graded.bernoulliErrorCell import BernoulliErrorCell
from ngclab.components.neurons.graded.rewardErrorCell import RewardErrorCell
from ngclab.components.neurons.spiking.sLIFCell import SLIFCell
from ngclab.components.neurons.spiking.IFCell import IFCell
from ngclab.components.neurons.spiking.LIFCell import LIFCell
from ngclab.components.neurons.spiking.WTASCell import WTASCell
from ngclab.components.neurons.spiking.quadLIFCell import QuadLIFCell
from ngclab.components.neurons.spiking.adExCell import AdExCell
from ngclab.components.neurons.spiking.fitzhughNagumoCell import FitzhughNagumoCell
from ngclab.components.neurons.spiking.izhikevichCell import IzhikevichCell
from ngclab.components.neurons.spiking.hodgkinHuxleyCell import HodgkinHuxleyCell
from ngclab.components.neurons.spiking.RAFCell import RAFCell
from ngclab.components.neurons.spiking.LIFSRM import LIFSRM
from ngclab.components.neurons.spiking.RAFSRM import RAFSRM

__all__ = ["RateCell", "LeakyNoiseCell", "GaussianErrorCell", "LaplacianErrorCell",
           "BernoulliErrorCell", "RewardErrorCell", "SLIFCell", "IFCell", "LIFCell", "WTASCell",
           "QuadLIFCell", "AdExCell", "FitzhughNagumoCell", "IzhikevichCell", "HodgkinHuxleyCell",
           "RAFCell", "LIFSRM", "RAFSRM"]
