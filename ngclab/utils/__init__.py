"""ngclab.utils: data loading, initial-value distributions, metrics, activation functions,
patching, surrogate spike functions, optimizers and pickle-free I/O (ngc-learn 3.2.3's
``ngclearn.utils`` module names).

Submodules: data_loader, distribution_generator, io_utils, metric_utils, model_utils, patch,
patch_utils, surrogate_fx, optim, matrix_utils; subpackages: viz, diffeq, analysis, density,
masks, filters, feature_dictionaries (imported on first use: ``import ngclab.utils.viz``).
"""
from ngclab.utils.distribution_generator import (DistributionGenerator, as_initializer,
                                                 initialize_params)
from ngclab.utils.matrix_utils import decompose_to_mps
from ngclab.utils.model_utils import tensorstats
# ngc-learn exports its processes from its utils package too, so ported imports of them work
from ngclab.core.process import JointProcess, MethodProcess

__all__ = ["DistributionGenerator", "as_initializer", "initialize_params", "tensorstats",
           "decompose_to_mps", "JointProcess", "MethodProcess"]
