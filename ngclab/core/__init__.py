"""The component core: compartments, components, contexts and compiled processes.

Modules import one way (each only from those above it)::

    store         where compartments read and write; the active Context
    compartment   Compartment, Knob, Summation/Product
    npzfiles      one component's compartments in an npz file
    component     Component, compilable
    steps         one method per step, keywords, running steps on a state
    liveness      what a step reads, writes, feeds back, leaves settled
    packing       small float32 constants in one vector
    persist       save/load/snapshot of the whole state
    describe      graph() and to_code()
    checks        order hazards, non-finite values
    compiled      the compiled step run() calls
    clamps        scan clamps and recordings
    scan          the compiled scan program (prologue, loop, epilogue)
    scanning      a scan call: checks, chunks, gathering
    process       MethodProcess, JointProcess
    ngcformat     ngc-learn's model folder (save_to_json, Context.load)
    context       Context
"""
from ngclab.core.checks import NonFiniteError, OrderWarning
from ngclab.core.compartment import (Compartment, Knob, Operation, Product, Summation,
                                     WiringError)
from ngclab.core.component import Component, compilable
from ngclab.core.context import Context
from ngclab.core.persist import LoadError, Snapshot
from ngclab.core.process import JointProcess, MethodProcess
from ngclab.core.steps import ProcessError

__all__ = ["Compartment", "Knob", "Operation", "Product", "Summation", "WiringError",
           "Component", "compilable", "Context", "LoadError", "Snapshot", "JointProcess",
           "MethodProcess", "ProcessError", "NonFiniteError", "OrderWarning"]
