"""The model state: a dict of JAX arrays by compartment path, some of them held packed.

A compiled step returns the small float32 leaves it writes as one vector (jit pays for every
result it returns: one vector instead of six made a per-step ``run()`` loop about twice as fast).
The state keeps that vector and slices a leaf out only when something reads it; the next call
of the same step takes the vector back as it is. To everyone else a ``State`` is a dict of
arrays: reading a value, iterating, copying (``dict(state)``, ``{**state}``) all give arrays.

``Layout`` describes one packed vector: which paths, their shapes, where each one lies.
"""
from __future__ import annotations

from typing import Any, Iterable

import jax
import jax.numpy as jnp
import numpy as np


_LAYOUTS: dict[tuple, "Layout"] = {}


def layout(paths: list[str], shapes: list[tuple]) -> "Layout":
    """The one Layout of these paths and shapes (equal layouts are the same object, so a
    vector one compiled step wrote can feed another that reads the same layout)."""
    key = (tuple(paths), tuple(tuple(s) for s in shapes))
    found = _LAYOUTS.get(key)
    if found is None:
        found = _LAYOUTS[key] = Layout(paths, shapes)
    return found


class Layout:
    """Where each of some float32 leaves lies in one packed vector."""

    def __init__(self, paths: list[str], shapes: list[tuple]):
        self.paths = list(paths)
        self.shapes = [tuple(s) for s in shapes]
        sizes = [int(np.prod(s)) for s in self.shapes]
        self.bounds = np.cumsum([0] + sizes)
        self.index = {p: i for i, p in enumerate(self.paths)}
        self._slicers: dict[tuple, Any] = {}   # compiled slicers by leaf indices
        self._unpack_all = jax.jit(self.unpack)
        self.pack_jitted = jax.jit(self.pack)

    def pack(self, values: list) -> jnp.ndarray:
        return jnp.concatenate([jnp.ravel(v).astype(jnp.float32) for v in values]) \
            if values else jnp.zeros((0,), jnp.float32)

    def unpack(self, vector) -> list:
        return [vector[lo:hi].reshape(s)
                for lo, hi, s in zip(self.bounds[:-1], self.bounds[1:], self.shapes)]

    def leaf(self, vector, i: int) -> jnp.ndarray:
        return self.some(vector, (i,))[0]

    def all(self, vector) -> list:
        return self._unpack_all(vector)

    def some(self, vector, indices: tuple) -> list:
        """The leaves at ``indices``, in one compiled call (jit pays per result: slicing all
        34 leaves of a reset's vector to read 5 of them cost ~0.4 ms)."""
        fn = self._slicers.get(indices)
        if fn is None:
            fn = self._slicers[indices] = jax.jit(
                lambda v: [self.unpack(v)[i] for i in indices])
        return fn(vector)


class Packed:
    """One vector of leaves written together, and the leaves already sliced out of it."""

    __slots__ = ("vector", "layout", "_leaves")

    def __init__(self, vector, layout: Layout):
        self.vector, self.layout, self._leaves = vector, layout, None

    def leaf(self, i: int) -> jnp.ndarray:
        if self._leaves is not None:
            return self._leaves[i]
        return self.layout.leaf(self.vector, i)

    def leaves(self) -> list:
        if self._leaves is None:
            self._leaves = self.layout.all(self.vector)
        return self._leaves

    def some(self, indices: tuple) -> list:
        if self._leaves is not None:
            return [self._leaves[i] for i in indices]
        return self.layout.some(self.vector, indices)

    def source(self, i: int) -> tuple:
        """``(array, layout, index)`` holding leaf ``i``: the vector itself while no leaf has
        been sliced out, else the sliced leaf (layout and index None)."""
        if self._leaves is not None:
            return self._leaves[i], None, None
        return self.vector, self.layout, i


class Slot:
    """A state value still inside a packed vector (it knows its shape and dtype)."""

    __slots__ = ("packed", "i", "shape")
    dtype = jnp.dtype(jnp.float32)

    def __init__(self, packed: Packed, i: int, shape: tuple | None = None):
        self.packed = packed
        self.i = i
        self.shape = packed.layout.shapes[i] if shape is None else shape

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))

    def value(self) -> jnp.ndarray:
        return self.packed.leaf(self.i)

    # a raw copy of a State (dict(state)) may hold slots: they still read as arrays
    def __jax_array__(self): return self.value()
    def __array__(self, dtype=None, copy=None): return np.asarray(self.value(), dtype=dtype)


class State(dict):
    """A dict of arrays by path whose values may still be packed (read as arrays regardless).

    ``fuser`` is the Context's ``Fuser`` while it holds calls recorded and not run yet
    (``ngclab.core.fusion``): any read or write of the State runs them first. (A raw copy,
    ``dict(state)``, made while calls are recorded holds the values from before them.)

    ``mark`` lets a compiled step that stored its results into this State skip its input
    checks on the next call: ``(step, paths written since, vector, its Packed, its slots)``, or
    None. Writing a path (``state[p] = v``, as ``Compartment.set`` does) adds it to the mark's
    paths; every other way of changing the dict clears the mark (raw writes of the core put in
    equal values only).
    """

    __slots__ = ("mark", "fuser")

    def __init__(self, *args: Any, **kwargs: Any):
        dict.__init__(self, *args, **kwargs)
        self.mark = None
        self.fuser = None

    def _settle(self) -> None:
        """Run the calls recorded for this State (see ``fuser``)."""
        if self.fuser is not None:
            self.fuser.flush()

    def __reduce__(self):
        self._settle()
        # copies and pickles hold arrays (no slots: a layout holds compiled functions) and no mark
        return (State.of, (dict.copy(self.materialize()),))

    def __setitem__(self, path: str, value: Any) -> None:
        if self.fuser is not None:
            self.fuser.flush()
        dict.__setitem__(self, path, value)
        mark = self.mark
        if mark is not None:
            mark[1].add(path)

    def _unmark(name):
        method = getattr(dict, name)

        def changed(self, *args, **kwargs):
            if self.fuser is not None:
                self.fuser.flush()
            self.mark = None
            return method(self, *args, **kwargs)
        changed.__name__ = name
        return changed

    __delitem__ = _unmark("__delitem__")
    pop = _unmark("pop")
    popitem = _unmark("popitem")
    clear = _unmark("clear")
    update = _unmark("update")
    setdefault = _unmark("setdefault")
    __ior__ = _unmark("__ior__")
    del _unmark

    @classmethod
    def of(cls, values: Any) -> "State":
        """A State holding ``values`` (a State is copied raw, without slicing anything)."""
        new = cls()
        if isinstance(values, State):
            values._settle()
        dict.update(new, dict.copy(values) if isinstance(values, State) else values)
        return new

    def __getitem__(self, path: str):
        if self.fuser is not None:
            self.fuser.flush()
        v = dict.__getitem__(self, path)
        if type(v) is Slot:
            v = v.packed.leaf(v.i)
            dict.__setitem__(self, path, v)
        return v

    def get(self, path: str, default: Any = None):
        return self[path] if dict.__contains__(self, path) else default

    def peek(self, path: str):
        """The raw value: an array or a ``Slot`` (both have ``shape`` and ``dtype``)."""
        self._settle()
        return dict.__getitem__(self, path)

    def packed_as(self, layout: Layout, indexed: list) -> "Packed | None":
        """The packed vector of ``layout`` that holds every ``(i, path)`` at index i, if any."""
        self._settle()
        first = dict.__getitem__(self, indexed[0][1])
        if type(first) is not Slot or first.packed.layout is not layout:
            return None
        packed = first.packed
        for i, p in indexed:
            v = dict.__getitem__(self, p)
            if type(v) is not Slot or v.packed is not packed or v.i != i:
                return None
        return packed

    def take(self, paths: Iterable[str]) -> list:
        """The values of ``paths``, slicing the leaves of each packed vector in one call."""
        self._settle()
        paths = list(paths)
        groups: dict[int, tuple] = {}
        for p in paths:
            v = dict.__getitem__(self, p)
            if type(v) is Slot and v.packed._leaves is None:
                groups.setdefault(id(v.packed), (v.packed, []))[1].append((p, v.i))
        for packed, wanted in groups.values():
            if len(wanted) > 1:
                values = packed.some(tuple(i for _, i in wanted))
                for (p, _), value in zip(wanted, values):
                    dict.__setitem__(self, p, value)
        return [self[p] for p in paths]

    def materialize(self) -> "State":
        """Slice every packed value out (one call per packed vector); returns self."""
        self._settle()
        for p, v in list(dict.items(self)):
            if type(v) is Slot:
                dict.__setitem__(self, p, v.packed.leaves()[v.i])
        return self

    def with_packed(self, packed: Packed, loose: dict) -> "State":
        """A new State: this one with ``packed``'s leaves and the ``loose`` values put in."""
        new = State.of(self)
        for i, p in enumerate(packed.layout.paths):
            dict.__setitem__(new, p, Slot(packed, i))
        dict.update(new, loose)
        return new

    def with_values(self, values: dict) -> "State":
        """A new State: this one with ``values`` put in."""
        new = State.of(self)
        dict.update(new, values)
        return new

    def shapes(self) -> tuple:
        """Every value's shape, in order (packed ones without slicing them)."""
        self._settle()
        return tuple(tuple(v.shape) for v in dict.values(self))

    def specs(self) -> list:
        """Every value's (shape, dtype), in order (packed ones without slicing them)."""
        self._settle()
        return [(v.shape, v.dtype) for v in dict.values(self)]

    # every other way of reading values gives arrays (``dict(state)`` copies raw values, whose
    # slots still read as arrays)
    def values(self):
        return dict.values(self.materialize())

    def items(self):
        return dict.items(self.materialize())

    def copy(self) -> "State":
        self._settle()
        return State.of(self)

    def __repr__(self) -> str:
        return f"State({dict.__repr__(self.materialize())})"
