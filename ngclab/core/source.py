"""What can feed a compartment: the shared base of compartments and operations.

A source reads its current value with ``get()``; arithmetic on a source reads that value, as
ngc-learn's compartments do, and ``src >> dst`` wires it into a compartment.
"""
from __future__ import annotations

from typing import Any

import numpy as np


class WiringError(ValueError):
    """An invalid wire: shapes that cannot match, an output as target, two Contexts."""


def _val(x: Any) -> Any:
    return x.get() if isinstance(x, _Source) else x


class _Source:
    """Something that can feed a compartment: a Compartment or an operation.

    Arithmetic on a source reads its current value (``dt / self.tau_m``, ``self.x + 1``), as
    ngc-learn's compartments do. Equality and hashing stay those of the object, so compartments
    can key dicts (``clamp={a.j: x}``).
    """

    def get(self) -> Any:  # pragma: no cover - interface
        raise NotImplementedError

    def describe(self) -> str:
        """How error messages name this source."""
        return repr(self)

    def __rshift__(self, dst: Any) -> Any:
        if not isinstance(dst, _Source) or not hasattr(dst, "wire_from"):   # a compartment
            raise WiringError(f"cannot wire {self!r} into {dst!r}: the target is not a compartment")
        dst.wire_from(self)
        return dst

    def __jax_array__(self): return self.get()
    def __array__(self, dtype=None, copy=None): return np.asarray(self.get(), dtype=dtype)
    def __float__(self) -> float: return float(self.get())
    def __neg__(self): return -self.get()
    def __add__(self, o): return self.get() + _val(o)
    def __radd__(self, o): return _val(o) + self.get()
    def __sub__(self, o): return self.get() - _val(o)
    def __rsub__(self, o): return _val(o) - self.get()
    def __mul__(self, o): return self.get() * _val(o)
    def __rmul__(self, o): return _val(o) * self.get()
    def __truediv__(self, o): return self.get() / _val(o)
    def __rtruediv__(self, o): return _val(o) / self.get()
    def __pow__(self, o): return self.get() ** _val(o)
    def __matmul__(self, o): return self.get() @ _val(o)
    def __rmatmul__(self, o): return _val(o) @ self.get()
    def __lt__(self, o): return self.get() < _val(o)
    def __le__(self, o): return self.get() <= _val(o)
    def __gt__(self, o): return self.get() > _val(o)
    def __ge__(self, o): return self.get() >= _val(o)
    __hash__ = object.__hash__


def _describe(src: Any) -> str:
    return src.describe() if isinstance(src, _Source) else repr(src)
