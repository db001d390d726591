"""How state leaves go into a compiled program and come back out.

jit pays for every argument and, more, for every result, so a program (a ``run()`` step or a
scan) takes and returns as few arrays as it can:

- the small float32 leaves it writes come back as one vector, which the state keeps packed
  (``ngclab.core.state``), sliced only when something reads them; the ones it reads back in go
  in as that same vector while the state still holds it (the next call of the same program,
  or any program that reads the same layout);
- small float32 leaves it reads but never writes (knobs, biases, small weights) go in as one
  bundle, rebuilt only when one of them is a new array (a knob moved);
- inputs users set every step, and big or non-float leaves, go in and out as they are;
- leaves it does not read at all only feed shape checks: zeros of their shape stand in for them.

``Transfer`` holds that split for one program; ``inputs(state)`` gives the arguments,
``unpack(...)`` (inside the program) the leaves by path, ``pack(...)`` (inside) the results,
``store(state, ...)`` the new state.
"""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ngclab.core.packing import RUN_LIMIT, Packer
from ngclab.core.state import Packed, Slot, State, layout

_raw = dict.__getitem__   # a state's raw value (an array or a Slot), without slicing it


class Transfer:
    """The arguments and results of one compiled program over a Context's state.

    Args:
        ctx: the Context (for compartment kinds); state: its state now (input shapes);
        read: leaves the program reads; written: leaves it writes; out_shapes: their shapes
        after the program; hot: the inputs set from outside (they go in on their own), or None
        (every input goes in on its own).
    """

    def __init__(self, ctx, state: State, read: list, written: list, out_shapes: dict,
                 hot: set | None = None):
        def small_float(p, shape) -> bool:
            return state.peek(p).dtype == jnp.float32 and int(np.prod(shape)) <= RUN_LIMIT

        self.written = list(written)
        self.vector = [p for p in self.written if small_float(p, out_shapes[p])]
        self.big = [p for p in self.written if p not in self.vector]
        self.out_layout = layout(self.vector, [out_shapes[p] for p in self.vector])
        self.in_layout = layout(self.vector, [state.peek(p).shape for p in self.vector])
        read_set = set(read)
        self.carried = [(i, p) for i, p in enumerate(self.vector) if p in read_set]
        written_set = set(written)
        steady = [p for p in read if p not in written_set and _packable(ctx, p, hot)]
        self.packer = Packer({p: (state.peek(p).shape, state.peek(p).dtype) for p in steady},
                             RUN_LIMIT)
        taken = set(self.packer.packed) | {p for _, p in self.carried}
        self.loose = [p for p in read if p not in taken]
        self.blanks = {p: (state.peek(p).shape, state.peek(p).dtype) for p in state
                       if p not in read_set}
        self._has_bundle = bool(self.packer.packed)
        self._gathers: dict[tuple, Any] = {}   # compiled bundle builds by source recipe
        self._bundle_sources: list | None = None
        self._bundle = None

    # -- outside the program -------------------------------------------------------------------
    # run() calls these once per step, so they read the dict's raw values directly (no slicing
    # of packed vectors unless a leaf must go in on its own) and build as few objects as they can
    def bundle(self, state: State):
        if not self._has_bundle:
            return None
        sources = self._bundle_sources
        if sources is not None:
            for p, old in zip(self.packer.packed, sources):
                if _raw(state, p) is not old:
                    break
            else:
                return self._bundle
        self._bundle = _gather(state, self.packer.packed, self.packer.pack, self._gathers)
        self._bundle_sources = [_raw(state, p) for p in self.packer.packed]
        return self._bundle

    def packed_in(self, state: State):
        carried = self.carried
        if not carried:
            return None
        first = _raw(state, carried[0][1])
        if type(first) is Slot:
            packed = first.packed
            if packed.layout is self.in_layout:
                for i, p in carried:
                    v = _raw(state, p)
                    if type(v) is not Slot or v.packed is not packed or v.i != i:
                        break
                else:
                    return packed.vector
            source = self._one_source(state, packed)
            if source is not None:         # every leaf in one other vector: one compiled call
                return source(packed.vector)
        return self.in_layout.pack_jitted(state.take(self.vector))

    def _one_source(self, state: State, packed: Packed):
        """The compiled repack from ``packed``'s layout to this program's, when every leaf of
        this program's vector is still in ``packed`` (a reset's vector read by an advance step:
        one call instead of slicing it and packing the leaves)."""
        if packed._leaves is not None:
            return None
        index, src = [], packed.layout
        for p, shape in zip(self.vector, self.in_layout.shapes):
            v = _raw(state, p)
            if type(v) is not Slot or v.packed is not packed or tuple(v.shape) != shape:
                return None
            index.append(v.i)
        return _repack(src, self.in_layout, tuple(index))

    def inputs(self, state: State) -> tuple:
        """(bundle, packed vector, loose leaves) for a call of the program."""
        if type(state) is not State:
            state = State.of(state)
        loose = [_raw(state, p) for p in self.loose]
        if any(type(v) is Slot for v in loose):
            loose = state.take(self.loose)
        return self.bundle(state), self.packed_in(state), loose

    def store(self, state: State, vector, big: list) -> State:
        """The state with the program's results put in."""
        new = State()
        dict.update(new, state)          # raw values: packed ones stay packed
        packed = Packed(vector, self.out_layout)
        for i, p in enumerate(self.out_layout.paths):
            dict.__setitem__(new, p, Slot(packed, i))
        for p, v in zip(self.big, big):
            dict.__setitem__(new, p, v)
        return new

    # -- inside the program --------------------------------------------------------------------
    def unpack(self, bundle, packed_in, loose: list, paths: list) -> dict:
        """Every leaf by path (zeros for those the program does not read), in ``paths`` order."""
        slots = {p: jnp.zeros(*self.blanks[p]) for p in self.blanks}
        slots.update(zip(self.loose, loose))
        if bundle is not None:
            slots.update(self.packer.unpack(bundle))
        if packed_in is not None:
            leaves = self.in_layout.unpack(packed_in)
            slots.update((p, leaves[i]) for i, p in self.carried)
        return {p: slots[p] for p in paths}

    def pack(self, new: dict) -> tuple[Any, list]:
        """(vector of the small written leaves, the other written leaves)."""
        return self.out_layout.pack([new[p] for p in self.vector]), [new[p] for p in self.big]


def _packable(ctx, path: str, hot: set | None) -> bool:
    """Parameters, knobs and states may be bundled; inputs only those nobody has set from
    outside (users set the others every step; one that is set later makes the bundle be
    rebuilt on its next call, still correct)."""
    comp = ctx.compartments.get(path)
    if comp is None:
        return False
    return comp.kind != "input" or (hot is not None and path not in hot)


_REPACKS: dict[tuple, Any] = {}


def sources(state: State, paths: list) -> tuple[list, tuple]:
    """Where the values of ``paths`` are: ``(arrays, recipe)``, the distinct arrays they are in
    and, per path, ``(k, layout, i)``: leaf ``i`` of ``arrays[k]`` packed as ``layout``, or
    ``arrays[k]`` itself (layout None). A leaf still in a packed vector is not sliced out: a
    compiled call can take the vector and slice inside (``leaves_of``), where slicing is free
    (outside, jit pays per result). A deferred leaf's step is run here (``Deferred.source``)."""
    arrays: list = []
    at: dict[int, int] = {}
    recipe = []
    for p in paths:
        v = _raw(state, p)
        if type(v) is Slot:
            packed = v.packed
            if type(packed) is Packed and packed._leaves is None:   # (Packed.source, inlined)
                array, lay, i = packed.vector, packed.layout, v.i
            else:
                array, lay, i = packed.source(v.i)
        else:
            array, lay, i = v, None, None
        if lay is None:
            recipe.append((len(arrays), None, None))
            arrays.append(array)
            continue
        k = at.get(id(array))
        if k is None:
            k = at[id(array)] = len(arrays)
            arrays.append(array)
        recipe.append((k, lay, i))
    return arrays, tuple(recipe)


def leaves_of(arrays, recipe: tuple) -> list:
    """Inside a program: the values ``sources`` described, in its paths' order."""
    unpacked: dict[int, list] = {}
    out = []
    for k, lay, i in recipe:
        if lay is None:
            out.append(arrays[k])
            continue
        if k not in unpacked:
            unpacked[k] = lay.unpack(arrays[k])
        out.append(unpacked[k][i])
    return out


def _gather(state: State, paths: list, pack, cache: dict) -> Any:
    """``pack`` of the values of ``paths`` in one compiled call that takes the packed vectors
    the values are still in (a reset's, an advance step's) rather than slicing the leaves out
    first: jit pays per argument and per result (7 leaves of a 34-leaf vector: slicing all
    and packing 865 us, slicing the 7 and packing 48 us, this one call 13 us)."""
    arrays, recipe = sources(state, paths)
    fn = cache.get(recipe)
    if fn is None:
        fn = cache[recipe] = jax.jit(lambda *a: pack(leaves_of(a, recipe)))
    return fn(*arrays)


def _repack(src, dst, index: tuple):
    """A compiled ``vector of src -> vector of dst`` taking dst's leaf k from src's ``index[k]``."""
    key = (src, dst, index)
    found = _REPACKS.get(key)
    if found is None:
        found = _REPACKS[key] = jax.jit(lambda v: dst.pack([src.unpack(v)[i] for i in index]))
    return found
