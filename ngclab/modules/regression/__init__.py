"""Regression circuits: a Hebbian synapse W learns y ~ X W from a Gaussian error cell's
prediction error, with an L1 (Lasso), L2 (Ridge) or elastic-net prior on W."""
from ngclab.modules.regression.elastic_net import Iterative_ElasticNet
from ngclab.modules.regression.lasso import Iterative_Lasso
from ngclab.modules.regression.ridge import Iterative_Ridge

__all__ = ["Iterative_ElasticNet", "Iterative_Lasso", "Iterative_Ridge"]
