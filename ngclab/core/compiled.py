"""One compiled step of a process, as ``run()`` calls it.

The step is a jitted function of the leaves it reads (see ``liveness``) that returns the leaves
it writes, as flat positional lists: jit's C++ fast path dispatches a flat list of arrays
fastest, and a step that touches 10 of 30 leaves passes 10, not 30. Small float32 leaves it reads
but never writes (knobs, biases, small weights) travel as one packed vector, rebuilt only when one
of them is a new array (a knob moved). Leaves it does not read at all only feed shape checks:
zeros of their shape stand in for them inside the program.

A compiled step belongs to one structure and one set of leaf shapes; the process caches one per
(keywords, shapes), so alternating batch sizes compile each once.
"""
from __future__ import annotations

from typing import Any, Callable

import jax
import jax.numpy as jnp

from ngclab.core import liveness, steps as _steps
from ngclab.core.packing import RUN_LIMIT, Packer


def _packable(ctx, path: str, leaf) -> bool:
    """Parameters, knobs and states may be packed; inputs not (users set them every step)."""
    comp = ctx.compartments.get(path)
    return comp is not None and comp.kind != "input"


class CompiledStep:
    """``step(state, traced) -> {path: new value}`` for the leaves the step writes.

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
        read_only = [p for p in live.read_only if _packable(ctx, p, state[p])]
        self.packer = Packer({p: (state[p].shape, state[p].dtype) for p in read_only}, RUN_LIMIT)
        self.loose = [p for p in live.read if p not in self.packer.packed]
        blanks = {p: (state[p].shape, state[p].dtype) for p in state if p not in live.read}
        paths, loose, packer, names, written = list(state), self.loose, self.packer, \
            self.names, self.written

        def program(bundle, *values):
            on_trace()   # runs only while jit traces: counts compilations
            slots = {p: jnp.zeros(*blanks[p]) for p in blanks}
            slots.update(zip(loose, values[:len(loose)]))
            if bundle is not None:
                slots.update(packer.unpack(bundle))
            new = full({p: slots[p] for p in paths}, dict(zip(names, values[len(loose):])))
            return [new[p] for p in written]

        self._program = jax.jit(program)
        self._pack = jax.jit(packer.pack) if packer.packed else None
        self._bundle_sources: list | None = None
        self._bundle = None

    def bundle(self, state: dict):
        """The packed read-only leaves (rebuilt only when one of them is a new array)."""
        if self._pack is None:
            return None
        sources = [state[p] for p in self.packer.packed]
        if self._bundle_sources is None or \
                any(a is not b for a, b in zip(sources, self._bundle_sources)):
            self._bundle, self._bundle_sources = self._pack(sources), sources
        return self._bundle

    def __call__(self, state: dict, traced: list) -> list:
        """New values of ``self.written``, given the state and the traced keywords' values
        in ``self.names`` order."""
        return self._program(self.bundle(state), *[state[p] for p in self.loose], *traced)


def describe(step: CompiledStep) -> dict[str, Any]:
    """What a compiled step passes in and out (for tests and for people tuning a model)."""
    return {"loose": list(step.loose), "packed": list(step.packer.packed),
            "written": list(step.written), "keywords": list(step.names)}
