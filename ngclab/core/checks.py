"""Run-time checks: process order hazards and non-finite values.

Order hazards. Wiring is pull semantics: a component that reads (through a wire) a compartment
of a component that runs *later* in the same process sees that compartment's value from the
previous step. That is sometimes intended (a feedback loop) and often a mistake, so the first
compile of each structure warns once with an ``OrderWarning`` naming both methods. The reads and
writes of every step are found by tracing the process abstractly (``jax.eval_shape``) with a
state dict that records which paths each step reads and writes.

Non-finite values. ``process.scan(..., check_finite=True)`` checks every floating-point state
leaf after every step (inside the compiled scan, so it costs one reduction per leaf). When a
value goes NaN or Inf the run stops at that chunk, the state is put back to what it was before
the chunk, and a ``NonFiniteError`` names the first compartment that went non-finite, the step,
and carries the last good state as a ``Snapshot``.
"""
from __future__ import annotations

import warnings
from typing import Any

import jax
import jax.numpy as jnp

from ngclab.core import store


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
class _Recorder(dict):
    """A state dict that notes which paths each step reads and writes."""

    def __init__(self, *args):
        super().__init__(*args)
        self.step = -1
        self.reads: dict[int, list[str]] = {}
        self.writes: dict[int, set[str]] = {}

    def __getitem__(self, path):
        self.reads.setdefault(self.step, [])
        if path not in self.reads[self.step]:
            self.reads[self.step].append(path)
        return super().__getitem__(path)

    def __setitem__(self, path, value):
        self.writes.setdefault(self.step, set()).add(path)
        super().__setitem__(path, value)


def order_hazards(proc, keywords: dict) -> list[tuple[Any, str, Any]]:
    """(reading step, path read, writing step) for every read of another component's
    compartment that a later step of the process writes and no earlier step wrote."""
    ctx, steps = proc.context, proc.steps
    if len(steps) < 2:
        return []
    rec = _Recorder()

    def trace(state, traced):
        rec.clear()
        rec.update(state)
        with store.bound(ctx, rec):
            for i, step in enumerate(steps):
                rec.step = i
                step({**traced, **keywords["static"]})
        return dict(rec)

    jax.eval_shape(trace, dict(ctx.state), keywords["traced"])
    hazards = []
    for i, step in enumerate(steps):
        written_before = set().union(*[rec.writes.get(k, set()) for k in range(i)])
        for path in rec.reads.get(i, []):
            comp = ctx.compartments.get(path)
            if comp is None or comp.owner is step.component or path in written_before:
                continue
            later = next((steps[k] for k in range(i + 1, len(steps))
                          if path in rec.writes.get(k, set())), None)
            if later is not None:
                hazards.append((step, path, later))
    return hazards


def check_order(proc, traced: dict, static: tuple) -> None:
    """Warn (once per compiled structure of ``proc``) about order hazards; never raises."""
    version = proc.context.structure_version
    if getattr(proc, "_order_checked", None) == version:
        return
    proc._order_checked = version
    try:
        hazards = order_hazards(proc, {"traced": {k: v for k, v in traced.items()},
                                       "static": dict(static)})
    except Exception:  # the real compile reports errors in the methods themselves
        return
    for reader, path, writer in hazards:
        wires = [c.path for c in reader.component.compartments.values() if c.source is not None
                 and path in [s.path for s in (c.source.sources() if hasattr(c.source, "sources")
                                               else [c.source])]]
        via = f" (through the wire into {', '.join(wires)})" if wires else ""
        warnings.warn(
            f"process {proc.name!r}: {reader.component.path}.{reader.name} reads {path}{via}, "
            f"which {writer.component.path}.{writer.name} writes later in the same process; "
            f"it sees the previous step's value (put {writer.component.name}.{writer.name} "
            f"first if that is not intended)", OrderWarning, stacklevel=4)


# -- non-finite values --------------------------------------------------------------------------
def float_paths(state: dict) -> list[str]:
    """Paths of the floating-point leaves, in state order."""
    return [p for p, v in state.items() if jnp.issubdtype(jnp.result_type(v), jnp.floating)]


def finite_flags(slots: dict, paths: list[str]) -> jnp.ndarray:
    """One bool per path: is every element finite (traced inside the scan body)."""
    if not paths:
        return jnp.ones((0,), dtype=bool)
    return jnp.stack([jnp.all(jnp.isfinite(slots[p])) for p in paths])
