"""ngclab.utils.analysis: probes that measure how much a representation knows (a linear, an
attentive, a k-nearest-neighbour and a k-means probe) and effective-dimension measures of a set
of codes (ngc-learn 3.2.3's ``ngclearn.utils.analysis``)."""
from ngclab.utils.analysis.attentive_probe import AttentiveProbe
from ngclab.utils.analysis.kmeans_probe import KMeansProbe
from ngclab.utils.analysis.knn_probe import KNNProbe
from ngclab.utils.analysis.linear_probe import LinearProbe

__all__ = ["LinearProbe", "AttentiveProbe", "KNNProbe", "KMeansProbe"]
