"""Plastic dense synapses adjusted by local (Hebbian-family) rules."""
from ngclab.components.synapses.hebbian.BCMSynapse import BCMSynapse
from ngclab.components.synapses.hebbian.eventSTDPSynapse import EventSTDPSynapse
from ngclab.components.synapses.hebbian.expSTDPSynapse import ExpSTDPSynapse
from ngclab.components.synapses.hebbian.gerstnerHebbianSynapse import GerstnerHebbianSynapse
from ngclab.components.synapses.hebbian.hebbianSynapse import HebbianSynapse
from ngclab.components.synapses.hebbian.inhibitorySTDPSynapse import InhibitorySTDPSynapse
from ngclab.components.synapses.hebbian.ojaTensorSynapse import OjaTensorSynapse
from ngclab.components.synapses.hebbian.STDPSynapse import STDPSynapse
from ngclab.components.synapses.hebbian.traceSTDPSynapse import TraceSTDPSynapse

__all__ = ["BCMSynapse", "EventSTDPSynapse", "ExpSTDPSynapse", "GerstnerHebbianSynapse",
           "HebbianSynapse", "InhibitorySTDPSynapse", "OjaTensorSynapse", "STDPSynapse",
           "TraceSTDPSynapse"]
