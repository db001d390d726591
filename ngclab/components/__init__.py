"""Every component class, importable as ``from ngclab.components import RateCell``."""
from ngclab.components.neurons.graded.rateCell import RateCell
from ngclab.components.synapses.hebbian.hebbianSynapse import HebbianSynapse

__all__ = ["RateCell", "HebbianSynapse"]
