"""ngclab: an interactive lab for brain-inspired neural circuits on JAX.

ngc-learn 3 code ports by renaming the import::

    from ngclab import Context, MethodProcess, JointProcess, Component, Compartment, compilable
"""
from ngclab._version import __version__

from ngclab.core import (Compartment, Component, Context, JointProcess, Knob, LoadError,
                         MethodProcess, Operation, ProcessError, Product, Snapshot, Summation,
                         WiringError, compilable)

from ngclab.core.sweep import grid
from ngclab._deprecation import deprecate_args, deprecated
from ngclab.record import record
import ngclab.components  # noqa: F401  (defines the built-in components a model file may name)

__all__ = ["grid", "deprecate_args", "deprecated", "record", "Compartment", "Component", "Context",
           "JointProcess", "Knob", "LoadError", "MethodProcess", "Operation", "ProcessError",
           "Product", "Snapshot", "Summation", "WiringError", "compilable", "__version__"]
