"""Spiking neurons."""
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

__all__ = ["AdExCell", "FitzhughNagumoCell", "HodgkinHuxleyCell", "IFCell", "IzhikevichCell",
           "LIFCell", "LIFSRM", "QuadLIFCell", "RAFCell", "RAFSRM", "SLIFCell",
           "WTASCell"]
