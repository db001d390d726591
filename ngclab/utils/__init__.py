"""ngclab.utils: data loading, initial-value distributions, metrics, activation functions,
patching, surrogate spike functions, optimizers and pickle-free I/O (ngc-learn 3.2.3's
``ngclearn.utils`` module names).

Submodules: data_loader, distribution_generator, io_utils, metric_utils, model_utils, patch,
patch_utils, surrogate_fx, optim.
"""
from ngclab.utils.distribution_generator import (DistributionGenerator, as_initializer,
                                                 initialize_params)
from ngclab.utils.model_utils import tensorstats

__all__ = ["DistributionGenerator", "as_initializer", "initialize_params", "tensorstats"]
