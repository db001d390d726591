"""Plastic dense synapses adjusted by local (Hebbian-family) rules."""
from ngclab.components.synapses.hebbian.BCMSynapse import BCMSynapse
from ngclab.components.synapses.hebbian.hebbianSynapse import HebbianSynapse
from ngclab.components.synapses.hebbian.traceSTDPSynapse import TraceSTDPSynapse

__all__ = ["BCMSynapse", "HebbianSynapse", "TraceSTDPSynapse"]
