"""``ngcsimlib.compartment`` as ngc-learn's code imports it."""
from ngclab.core.compartment import Compartment

__all__ = ["Compartment"]
