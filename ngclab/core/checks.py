"""Run-time checks: process order hazards and non-finite values.

Order hazards. Wiring is pull semantics: a component that reads (through a wire) a compartment
of a component that runs *later* in the same process sees that compartment's value from the
previous step. That is sometimes intended (a feedback loop) and often a mistake, so the first
compile of each structure warns once with an ``OrderWarning`` naming both methods. What each
step reads and writes comes from the liveness analysis of that step alone.

Non-finite values. ``process.scan(..., check_finite=True)`` checks every floating-point state
leaf after every step (inside the compiled scan, so it costs one reduction per leaf). When a
value goes NaN or Inf the run stops at that chunk, the state is put back to what it was before
the chunk, and a ``NonFiniteError`` names the first compartment that went non-finite, the step,
and carries the last good state as a ``Snapshot``.
"""
from __future__ import annotations

import warnings
from typing import Any

import jax.numpy as jnp
import numpy as np

from ngclab.core import liveness, steps as _steps
from ngclab.core.compartment import Operation


class OrderWarning(UserWarning):
    """A step reads (through a wire) a compartment written by a step that runs later."""


class NonFiniteError(FloatingPointError):
    """A compartment went NaN or Inf during ``scan(..., check_finite=True)``.

    Attributes:
        path: the first compartment (in state order) that was non-finite at the failing step.
        step: index (from the start of the scan) of the step after which it was non-finite.
        snapshot: the last good state (the state before the failing chunk), also restored.
        recorded: the recordings of the steps before the failing chunk ({path: array}).
    """

    def __init__(self, message: str, path: str, step: int, snapshot: Any,
                 recorded: dict | None = None):
        super().__init__(message)
        self.path, self.step, self.snapshot = path, step, snapshot
        self.recorded = recorded or {}


# -- order hazards ------------------------------------------------------------------------------
def order_hazards(ctx, steps: list, traced: dict, static: tuple) -> list[tuple[Any, str, Any]]:
    """(reading step, path read, writing step) for every read of another component's
    compartment that a later step of the process writes and no earlier step wrote."""
    if len(steps) < 2:
        return []
    keywords = dict(static)
    lives = []
    for step in steps:
        def one(slots, kw, step=step):
            return _steps.apply(ctx, [step], dict(slots), {**kw, **keywords})
        lives.append(liveness.of_state_step(one, ctx.state, traced))
    hazards = []
    for i, step in enumerate(steps):
        written_before = set().union(*[set(lv.written) for lv in lives[:i]])
        for path in lives[i].read:
            comp = ctx.compartments.get(path)
            if comp is None or comp.owner is step.component or path in written_before:
                continue
            later = next((steps[k] for k in range(i + 1, len(steps))
                          if path in lives[k].written), None)
            if later is not None:
                hazards.append((step, path, later))
    return hazards


def warn_order(where: str, ctx, steps: list, traced: dict, static: tuple) -> None:
    """Warn about the order hazards of a process's steps; never raises."""
    try:
        hazards = order_hazards(ctx, steps, traced, static)
    except Exception:  # the real compile reports errors in the methods themselves
        return
    for reader, path, writer in hazards:
        wires = [c.path for c in reader.component.compartments.values() if c.source is not None
                 and path in [s.path for s in (c.source.sources() if isinstance(c.source, Operation)
                                               else [c.source])]]
        via = f" (through the wire into {', '.join(wires)})" if wires else ""
        warnings.warn(
            f"{where}: {reader.component.path}.{reader.name} reads {path}{via}, "
            f"which {writer.component.path}.{writer.name} writes later in the same process; "
            f"it sees the previous step's value (put {writer.component.name}.{writer.name} "
            f"first if that is not intended)", OrderWarning, stacklevel=5)


# -- non-finite values --------------------------------------------------------------------------
def float_paths(state: dict) -> list[str]:
    """Paths of the floating-point leaves, in state order."""
    return [p for p, v in state.items() if jnp.issubdtype(jnp.result_type(v), jnp.floating)]


def finite_flags(slots: dict, paths: list[str]) -> jnp.ndarray:
    """One bool per path: is every element finite (traced inside the scan body)."""
    if not paths:
        return jnp.ones((0,), dtype=bool)
    return jnp.stack([jnp.all(jnp.isfinite(slots[p])) for p in paths])


def first_nonfinite(flags, paths: list[str]) -> tuple[int, str] | None:
    """(row, path) of the first step and leaf that went non-finite in a chunk's flags."""
    flags = np.asarray(flags)
    if flags.size == 0 or flags.all():
        return None
    row = int(np.argmin(flags.all(axis=1)))
    return row, paths[int(np.argmin(flags[row]))]

