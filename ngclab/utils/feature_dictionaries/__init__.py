"""ngclab.utils.feature_dictionaries: candidate-term libraries for sparse regression of
dynamics (ngc-learn 3.2.3's ``ngclearn.utils.feature_dictionaries``)."""
from ngclab.utils.feature_dictionaries.polynomialLibrary import PolynomialLibrary

__all__ = ["PolynomialLibrary"]
