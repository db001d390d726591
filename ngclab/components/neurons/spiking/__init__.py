"""Spiking neurons."""
from ngclab.components.neurons.spiking.IFCell import IFCell
from ngclab.components.neurons.spiking.LIFCell import LIFCell
from ngclab.components.neurons.spiking.LIFSRM import LIFSRM
from ngclab.components.neurons.spiking.quadLIFCell import QuadLIFCell
from ngclab.components.neurons.spiking.RAFCell import RAFCell
from ngclab.components.neurons.spiking.RAFSRM import RAFSRM
from ngclab.components.neurons.spiking.sLIFCell import SLIFCell
from ngclab.components.neurons.spiking.WTASCell import WTASCell

__all__ = ["IFCell", "LIFCell", "LIFSRM", "QuadLIFCell", "RAFCell", "RAFSRM", "SLIFCell",
           "WTASCell"]
