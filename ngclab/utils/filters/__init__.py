"""ngclab.utils.filters: difference- and ratio-of-Gaussians image filters (ngc-learn 3.2.3's
``ngclearn.utils.filters``)."""
from ngclab.utils.filters.cortical_gauss_filter import cortical_gaussian_filter
from ngclab.utils.filters.gauss_filter import gaussian_filter

__all__ = ["gaussian_filter", "cortical_gaussian_filter"]
