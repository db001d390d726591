"""Operations: several compartments combined into one source, ``Summation(a.zF, b.zF) >> c.j``.

An operation reads its operands at the moment it is read (pull semantics, as a wire does) and
combines them elementwise; its shape is the operands' broadcast shape.
"""
from __future__ import annotations

from typing import Iterable

import jax.numpy as jnp
import numpy as np

from ngclab.core.source import WiringError, _describe, _Source


class Operation(_Source):
    """Combines several compartments into one input: ``Summation(a.zF, b.zF) >> c.j``."""

    symbol = "?"

    def __init__(self, *compartments: _Source):
        if not compartments:
            raise WiringError(f"{type(self).__name__} needs at least one compartment")
        for c in compartments:
            if not isinstance(c, _Source):            # a compartment or an operation
                raise WiringError(f"{type(self).__name__} takes compartments, got {c!r}")
        self.operands = list(compartments)

    def sources(self) -> list:
        out: list = []
        for c in self.operands:
            out.extend(c.sources() if isinstance(c, Operation) else [c])
        return out

    @property
    def shape(self) -> tuple:
        return tuple(np.broadcast_shapes(*[tuple(c.shape) for c in self.operands]))

    def combine(self, values: Iterable[jnp.ndarray]) -> jnp.ndarray:  # pragma: no cover
        raise NotImplementedError

    def get(self) -> jnp.ndarray:
        return self.combine([c.get() for c in self.operands])

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(_describe(c) for c in self.operands)})"


class Summation(Operation):
    """The elementwise sum of its operands."""

    symbol = "+"

    def combine(self, values):
        values = list(values)
        total = values[0]
        for v in values[1:]:
            total = total + v
        return total


class Product(Operation):
    """The elementwise product of its operands."""

    symbol = "*"

    def combine(self, values):
        values = list(values)
        total = values[0]
        for v in values[1:]:
            total = total * v
        return total


OPERATIONS = {"Summation": Summation, "Product": Product}
