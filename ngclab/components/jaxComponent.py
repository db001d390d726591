"""JaxComponent: the base class ngc-learn's components and custom components derive from.

Custom components written for ngc-learn 3 (``class MyCell(JaxComponent)`` with ``Compartment``s,
``@compilable`` methods and ``help()``) run unchanged: it is ngclab's ``Component`` with
ngc-learn's constructor (``name``, ``key``) and its per-component ``save(dir)`` / ``load(dir)``
(an npz of the unwired compartments, read without pickle).

One difference: ngcsimlib's ``component.compartments`` is a list of (name, compartment) pairs;
in ngclab it is a dict by name (iterate ``component.compartments.items()``).
"""
from __future__ import annotations

from typing import Any

from ngclab.core.component import Component


class JaxComponent(Component):
    """Base of JAX-based cells and synapses.

    Args:
        name: the component's name.
        key: a JAX PRNG key for its randomness (default: derived from its path, reproducible).
    """

    def __init__(self, name: str, key: Any = None, **kwargs: Any):
        super().__init__(name, key=key, **kwargs)
