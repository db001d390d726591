"""ngclab.utils.density: mixture models fitted by expectation-maximisation (ngc-learn 3.2.3's
``ngclearn.utils.density``): Gaussian, Bernoulli and exponential mixtures."""
from ngclab.utils.density.bernoulliMixture import BernoulliMixture
from ngclab.utils.density.exponentialMixture import ExponentialMixture
from ngclab.utils.density.gaussianMixture import GaussianMixture
from ngclab.utils.density.mixture import Mixture

__all__ = ["Mixture", "GaussianMixture", "BernoulliMixture", "ExponentialMixture"]
