"""One compiled step of a process, as ``run()`` calls it.

The step is a jitted function of the leaves it reads (see ``liveness``), and jit pays for every
argument and, more, for every result. So:

- the small float32 leaves it writes come back as one vector, which the state keeps packed
  (``ngclab.core.state``); the ones it reads back in on the next call go in as that same
  vector, untouched, while the state still holds it;
- small float32 leaves it reads but never writes (knobs, biases, small weights) go in as one
  bundle, rebuilt only when one of them is a new array (a knob moved);
- inputs users set every step go in as they are; leaves it does not read at all only feed shape
  checks (zeros of their shape stand in for them inside the program).

The tutorial circuit's step takes 9 arrays and returns 1, where it returned 6 before (the
``step_loop`` benchmark: about twice the steps per second).

A compiled step belongs to one structure and one set of leaf shapes; the process caches one per
(keywords, shapes), so alternating batch sizes compile each once.
"""
from __future__ import annotations

from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np

from ngclab.core import liveness, steps as _steps
from ngclab.core.packing import RUN_LIMIT, Packer
from ngclab.core.state import Packed, State, layout


def _packable(ctx, path: str) -> bool:
    """Parameters, knobs and states may be packed; inputs not (users set them every step)."""
    comp = ctx.compartments.get(path)
    return comp is not None and comp.kind != "input"


class CompiledStep:
    """``step(state, traced values) -> new State`` (see the module docstring).

    Args:
        ctx: the Context; steps: the process's steps; static: its static keywords;
        traced: example traced keywords (their names and types fix the program).
        on_trace: called each time jit traces the program (counts compilations).
    """

    def __init__(self, ctx, steps: list, static: tuple, traced: dict, on_trace: Callable):
        state = ctx.state
        self.names = sorted(traced)

        def full(slots: dict, kw: dict) -> dict:
            return _steps.apply(ctx, steps, dict(slots), {**kw, **dict(static)})

        live = liveness.of_state_step(full, state, traced)
        self.written = list(live.written)
        self.changes_shapes = live.changes_shapes(state)
        # written small float32 leaves come back as one vector; so do the ones read back in
        outs = {p: live.shapes[p] for p in self.written}
        self.vector = [p for p in self.written if state.peek(p).dtype == jnp.float32
                       and int(np.prod(outs[p])) <= RUN_LIMIT]
        self.big = [p for p in self.written if p not in self.vector]
        self.out_layout = layout(self.vector, [outs[p] for p in self.vector])
        self.in_layout = layout(self.vector, [state.peek(p).shape for p in self.vector])
        read = set(live.read)
        self.carried = [(i, p) for i, p in enumerate(self.vector) if p in read]
        read_only = [p for p in live.read_only if _packable(ctx, p)]
        self.packer = Packer({p: (state.peek(p).shape, state.peek(p).dtype) for p in read_only},
                             RUN_LIMIT)
        taken = set(self.packer.packed) | {p for _, p in self.carried}
        self.loose = [p for p in live.read if p not in taken]
        blanks = {p: (state.peek(p).shape, state.peek(p).dtype) for p in state
                  if p not in read}
        paths, loose, packer, names = list(state), self.loose, self.packer, self.names
        carried, in_layout, out_layout, vector, big = self.carried, self.in_layout, \
            self.out_layout, self.vector, self.big

        def program(bundle, packed_in, *values):
            on_trace()   # runs only while jit traces: counts compilations
            slots = {p: jnp.zeros(*blanks[p]) for p in blanks}
            slots.update(zip(loose, values[:len(loose)]))
            if bundle is not None:
                slots.update(packer.unpack(bundle))
            if packed_in is not None:
                leaves = in_layout.unpack(packed_in)
                slots.update((p, leaves[i]) for i, p in carried)
            new = full({p: slots[p] for p in paths}, dict(zip(names, values[len(loose):])))
            return out_layout.pack([new[p] for p in vector]), [new[p] for p in big]

        self._program = jax.jit(program)
        self._pack = jax.jit(packer.pack) if packer.packed else None
        self._bundle_sources: list | None = None
        self._bundle = None

    def bundle(self, state: State):
        """The packed read-only leaves (rebuilt only when one of them is a new array)."""
        if self._pack is None:
            return None
        sources = [state.peek(p) for p in self.packer.packed]
        if self._bundle_sources is None or \
                any(a is not b for a, b in zip(sources, self._bundle_sources)):
            self._bundle = self._pack(state.take(self.packer.packed))
            self._bundle_sources = [state.peek(p) for p in self.packer.packed]
        return self._bundle

    def packed_in(self, state: State):
        """The vector of carried leaves: a step's output of this layout when the state still
        holds it as written (usually this step's own last output), else packed anew."""
        if not self.carried:
            return None
        packed = state.packed_as(self.in_layout, self.carried)
        if packed is not None:
            return packed.vector
        return self.in_layout.pack_jitted(state.take(self.vector))

    def __call__(self, state: State, traced: list) -> State:
        """The state after one step, given the traced keywords' values in ``names`` order."""
        vec, big = self._program(self.bundle(state), self.packed_in(state),
                                 *state.take(self.loose), *traced)
        return state.with_packed(Packed(vec, self.out_layout), dict(zip(self.big, big)))


def describe(step: CompiledStep) -> dict[str, Any]:
    """What a compiled step passes in and out (for tests and for people tuning a model)."""
    return {"loose": list(step.loose), "packed": list(step.packer.packed),
            "carried": [p for _, p in step.carried], "written": list(step.written),
            "vector": list(step.vector), "keywords": list(step.names)}
