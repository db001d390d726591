"""Synapses adapted by competitive learning."""
from ngclab.components.synapses.competitive.ART2ASynapse import ART2ASynapse
from ngclab.components.synapses.competitive.hopfieldSynapse import HopfieldSynapse
from ngclab.components.synapses.competitive.SOMSynapse import SOMSynapse
from ngclab.components.synapses.competitive.vectorQuantizeSynapse import VectorQuantizeSynapse

__all__ = ["ART2ASynapse", "HopfieldSynapse", "SOMSynapse", "VectorQuantizeSynapse"]
