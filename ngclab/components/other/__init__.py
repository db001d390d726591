"""Other operators: traces."""
from ngclab.components.other.varTrace import VarTrace

__all__ = ["VarTrace"]
