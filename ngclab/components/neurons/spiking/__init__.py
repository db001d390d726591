"""Spiking neurons."""
from ngclab.components.neurons.spiking.LIFCell import LIFCell

__all__ = ["LIFCell"]
