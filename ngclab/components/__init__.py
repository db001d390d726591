"""Every component class, importable as ``from ngclab.components import RateCell``.

One import per line, grouped by family and sorted within a group, so that additions merge.
"""
# neurons/graded
from ngclab.components.neurons.graded.bernoulliErrorCell import BernoulliErrorCell
from ngclab.components.neurons.graded.gaussianErrorCell import GaussianErrorCell
from ngclab.components.neurons.graded.laplacianErrorCell import LaplacianErrorCell
from ngclab.components.neurons.graded.leakyNoiseCell import LeakyNoiseCell
from ngclab.components.neurons.graded.rateCell import RateCell
from ngclab.components.neurons.graded.rewardErrorCell import RewardErrorCell
# synapses (dense)
from ngclab.components.synapses.denseSynapse import DenseSynapse
from ngclab.components.synapses.staticSynapse import StaticSynapse
# synapses/hebbian
from ngclab.components.synapses.hebbian.BCMSynapse import BCMSynapse
from ngclab.components.synapses.hebbian.hebbianSynapse import HebbianSynapse

__all__ = [
    # neurons/graded
    "BernoulliErrorCell",
    "GaussianErrorCell",
    "LaplacianErrorCell",
    "LeakyNoiseCell",
    "RateCell",
    "RewardErrorCell",
    # synapses (dense)
    "DenseSynapse",
    "StaticSynapse",
    # synapses/hebbian
    "BCMSynapse",
    "HebbianSynapse",
]
