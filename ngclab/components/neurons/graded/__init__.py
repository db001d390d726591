"""Graded (non-spiking) neurons: rate cells, error cells, noisy leaky cells."""
from ngclab.components.neurons.graded.bernoulliErrorCell import BernoulliErrorCell
from ngclab.components.neurons.graded.gaussianErrorCell import GaussianErrorCell
from ngclab.components.neurons.graded.laplacianErrorCell import LaplacianErrorCell
from ngclab.components.neurons.graded.leakyNoiseCell import LeakyNoiseCell
from ngclab.components.neurons.graded.rateCell import RateCell
from ngclab.components.neurons.graded.rewardErrorCell import RewardErrorCell

__all__ = ["BernoulliErrorCell", "GaussianErrorCell", "LaplacianErrorCell", "LeakyNoiseCell",
           "RateCell", "RewardErrorCell"]
