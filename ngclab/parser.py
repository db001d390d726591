"""``ngcsimlib.parser`` as ngc-learn's code imports it: ``from ngclab.parser import compilable``."""
from ngclab.core.component import compilable

__all__ = ["compilable"]
