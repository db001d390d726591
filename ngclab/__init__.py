"""ngclab: an interactive lab for brain-inspired neural circuits on JAX.

ngc-learn 3 code ports by renaming the import::

    from ngclab import Context, MethodProcess, JointProcess, Component, Compartment, compilable
"""
__version__ = "0.1.0"

from ngclab.core import (Compartment, Component, Context, JointProcess, Knob, LoadError,
                         MethodProcess, Operation, ProcessError, Product, Snapshot, Summation,
                         WiringError, compilable)

__all__ = ["Compartment", "Component", "Context", "JointProcess", "Knob", "LoadError",
           "MethodProcess", "Operation", "ProcessError", "Product", "Snapshot", "Summation",
           "WiringError", "compilable", "__version__"]
from ngclab.record import record  # noqa: E402
