"""The component core: compartments, components, contexts and compiled processes."""
from ngclab.core.compartment import (Compartment, Knob, Operation, Product, Summation,
                                     WiringError)
from ngclab.core.component import Component, compilable
from ngclab.core.context import Context
from ngclab.core.persist import LoadError, Snapshot
from ngclab.core.process import JointProcess, MethodProcess, ProcessError

__all__ = ["Compartment", "Knob", "Operation", "Product", "Summation", "WiringError",
           "Component", "compilable", "Context", "LoadError", "Snapshot", "JointProcess",
           "MethodProcess", "ProcessError"]
