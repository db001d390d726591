"""Plastic dense synapses adjusted by local (Hebbian-family) rules."""
from ngclab.components.synapses.hebbian.BCMSynapse import BCMSynapse
from ngclab.components.synapses.hebbian.hebbianSynapse import HebbianSynapse

__all__ = ["BCMSynapse", "HebbianSynapse"]
