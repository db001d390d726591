"""Packing many small float32 constants into one vector.

Compiled programs pay per operand: jit's dispatch a few microseconds per argument, XLA's CPU
while loop per element of its state tuple, every fused kernel per input. Knobs, biases, keyword
numbers and small weights that a program reads but never changes therefore travel as one
float32 vector, sliced back inside the program. ``run`` packs leaves up to ``RUN_LIMIT`` elements
(the bundle is rebuilt only when one of them changes, so its size hardly matters); ``scan``
packs values up to ``LOOP_LIMIT`` elements (inside the loop a big packed weight would be sliced
out every iteration: measured, the ``small`` benchmark's loop tuple went from 10 to 6 elements
and 2.8 to 2.4 ms per 100,000 steps with 64).
"""
from __future__ import annotations

from typing import Any, Hashable, Iterable

import jax.numpy as jnp
import numpy as np

RUN_LIMIT = 4096
LOOP_LIMIT = 64


class Packer:
    """Which of some named values pack into one vector, and how to pack and unpack them.

    Args:
        specs: ``{name: (shape, dtype)}`` of the candidate values.
        limit: the largest number of elements a packed value may have.
    """

    def __init__(self, specs: dict[Hashable, tuple[tuple, Any]], limit: int):
        self.packed = [k for k, (shape, dtype) in specs.items()
                       if np.dtype(dtype) == np.float32 and int(np.prod(shape)) <= limit]
        self.loose = [k for k in specs if k not in self.packed]
        self.shapes = {k: tuple(specs[k][0]) for k in self.packed}
        self.bounds = np.cumsum([0] + [int(np.prod(self.shapes[k])) for k in self.packed])

    @classmethod
    def of(cls, values: dict, limit: int) -> "Packer":
        return cls({k: (jnp.shape(v), jnp.result_type(v)) for k, v in values.items()}, limit)

    def pack(self, values: dict | Iterable) -> jnp.ndarray | None:
        """One float32 vector of the packed values (``values``: a dict, or a list in order)."""
        if not self.packed:
            return None
        items = [values[k] for k in self.packed] if isinstance(values, dict) else list(values)
        return jnp.concatenate([jnp.ravel(v) for v in items])

    def unpack(self, vector) -> dict:
        """``{name: value}`` of the packed values, sliced out of ``vector``."""
        return {k: vector[lo:hi].reshape(self.shapes[k])
                for k, lo, hi in zip(self.packed, self.bounds[:-1], self.bounds[1:])}
