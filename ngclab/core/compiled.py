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

``ngclab.core.transfer`` holds that split (a scan program uses the same).

The tutorial circuit's step takes 9 arrays and returns 1, where it returned 6 before (the
``step_loop`` benchmark: about twice the steps per second).

A compiled step belongs to one structure and one set of leaf shapes; the process caches one per
(keywords, shapes), so alternating batch sizes compile each once.
"""
from __future__ import annotations

from typing import Any, Callable

import jax

from ngclab.core import liveness, steps as _steps
from ngclab.core.state import State
from ngclab.core.transfer import Transfer


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
        io = self.transfer = Transfer(ctx, state, list(live.read), self.written,
                                      {p: live.shapes[p] for p in self.written})
        paths, names, n_loose = list(state), self.names, len(io.loose)

        def program(bundle, packed_in, *values):
            on_trace()   # runs only while jit traces: counts compilations
            slots = io.unpack(bundle, packed_in, values[:n_loose], paths)
            return io.pack(full(slots, dict(zip(names, values[n_loose:]))))

        self._program = jax.jit(program)

    def __call__(self, state: State, traced: list) -> State:
        """The state after one step, given the traced keywords' values in ``names`` order."""
        bundle, packed_in, loose = self.transfer.inputs(state)
        vec, big = self._program(bundle, packed_in, *loose, *traced)
        return self.transfer.store(state, vec, big)


def describe(step: CompiledStep) -> dict[str, Any]:
    """What a compiled step passes in and out (for tests and for people tuning a model)."""
    io = step.transfer
    return {"loose": list(io.loose), "packed": list(io.packer.packed),
            "carried": [p for _, p in io.carried], "written": list(step.written),
            "vector": list(io.vector), "keywords": list(step.names)}
