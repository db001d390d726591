"""Other operators: traces and kernels."""
from ngclab.components.other.expKernel import ExpKernel
from ngclab.components.other.varTrace import VarTrace

__all__ = ["ExpKernel", "VarTrace"]
