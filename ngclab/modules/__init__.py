"""ngclab.modules: ready-made circuits built from ngclab's components (ngc-learn 3.2.3's
``ngclearn.modules``): iterative Lasso, Ridge and elastic-net regression."""
from ngclab.modules.regression.elastic_net import Iterative_ElasticNet
from ngclab.modules.regression.lasso import Iterative_Lasso
from ngclab.modules.regression.ridge import Iterative_Ridge

__all__ = ["Iterative_ElasticNet", "Iterative_Lasso", "Iterative_Ridge"]
