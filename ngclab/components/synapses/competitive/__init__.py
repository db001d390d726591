"""Synapses adapted by competitive learning."""
from ngclab.components.synapses.competitive.hopfieldSynapse import HopfieldSynapse
from ngclab.components.synapses.competitive.SOMSynapse import SOMSynapse

__all__ = ["HopfieldSynapse", "SOMSynapse"]
