"""Synapses adapted by competitive learning."""
from ngclab.components.synapses.competitive.SOMSynapse import SOMSynapse

__all__ = ["SOMSynapse"]
