"""Plastic dense synapses whose updates a modulatory signal (a reward) gates."""
from ngclab.components.synapses.modulated.MSTDPETSynapse import MSTDPETSynapse
from ngclab.components.synapses.modulated.REINFORCESynapse import REINFORCESynapse

__all__ = ["MSTDPETSynapse", "REINFORCESynapse"]
