"""Running a scan: arguments checked, the program found or compiled, chunks run, results gathered.

``run_scan`` is what ``MethodProcess.scan`` does. It checks everything before anything runs,
takes the compiled ``ScanProgram`` for this structure, these shapes, clamps and recordings from the
process's cache, and runs it once (or chunk by chunk, gathering recordings on the host so device
memory does not grow with the number of steps, and checking finiteness after each chunk).
"""
from __future__ import annotations

import math
import numbers
from typing import Any

import jax.numpy as jnp
import numpy as np

from ngclab.core import checks
from ngclab.core.clamps import Clamp, merge_chunks, recordings
from ngclab.core.compartment import FLOAT32_MAX
from ngclab.core.persist import Snapshot
from ngclab.core.scan import ScanProgram


def check_steps(steps: Any, name: str = "steps") -> int:
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps <= 0:
        raise ValueError(f"scan: {name} must be a positive integer, got {steps!r}")
    return int(steps)


def check_time(t0: Any, dt: Any, steps: int = 1) -> None:
    """t0 and dt finite, and every step's time ``t0 + i * dt`` within float32's range (the
    times a scan passes its methods are float32: beyond it they would be inf)."""
    for name, v in (("t0", t0), ("dt", dt)):
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v):
            raise ValueError(f"scan: {name} must be a finite number, got {v!r}")
    for name, v in (("t0", t0), ("dt", dt), ("the last step's time", t0 + (steps - 1) * dt)):
        if abs(v) > FLOAT32_MAX:
            raise ValueError(f"scan: {name} ({float(v):.4g}) overflows float32 (|t| <= "
                             f"{FLOAT32_MAX:.4g}); times are float32")


class Plan:
    """Everything a scan call needs, checked: clamps, recordings, keywords, the program."""

    def __init__(self, proc, steps: int, t0, dt, clamp, record, kwargs, check_finite: bool,
                 lean: bool = True):
        ctx = proc.context
        self.steps = check_steps(steps)
        check_time(t0, dt, self.steps)
        self.t0, self.dt = t0, dt
        self.clamps = [Clamp(ctx.compartment(c), v, self.steps) for c, v in (clamp or {}).items()]
        self.recorded = recordings(ctx, record)
        traced, static = proc.split({"t": t0, "dt": dt, **kwargs})
        proc.check_order(traced, static)
        traced.pop("t")
        self.traced = traced
        self.finite = checks.float_paths(ctx.state) if check_finite else None
        self.consts = {c.path: c.value for c in self.clamps if c.mode == "const"}
        self.seqs = {c.path: c.value for c in self.clamps if c.mode == "seq"}
        key = ("scan", tuple(c.key() for c in self.clamps), tuple(r.key() for r in self.recorded),
               tuple(sorted(traced)), static,
               None if self.finite is None else tuple(self.finite), lean,
               tuple((p, v.shape) for p, v in self.consts.items()),
               tuple((p, v.shape) for p, v in self.seqs.items()))
        self.key = key
        example = (np.float32(t0), {p: v[0] for p, v in self.seqs.items()}, self.consts, traced)
        self.program: ScanProgram = proc.program(key, lambda: ScanProgram(
            ctx, proc.steps, static, self.clamps, self.recorded, self.finite, example,
            on_trace=proc.count_compile, lean=lean))

    def times(self, start: int, n: int):
        if not self.program.uses_t:
            return None
        return jnp.asarray((self.t0 + np.arange(start, start + n, dtype=np.float64) * self.dt)
                           .astype(np.float32))


def run_scan(proc, steps, t0, dt, clamp, record, chunk, kwargs, check_finite=False,
             lean: bool = True) -> dict:
    ctx = proc.context
    plan = Plan(proc, steps, t0, dt, clamp, record, kwargs, check_finite, lean)
    steps = plan.steps
    chunk = steps if chunk is None else min(check_steps(chunk, "chunk"), steps)

    def run_chunk(start: int, n: int) -> dict:
        seqs = plan.seqs if n == steps else {p: v[start:start + n] for p, v in plan.seqs.items()}
        ctx.state, out = plan.program(ctx.state, plan.consts, seqs, plan.times(start, n),
                                      plan.traced, n=n)
        if plan.program.changes_shapes:
            ctx.shapes_changed()
        return out

    if chunk == steps and plan.finite is None:
        return run_chunk(0, steps)

    # traces go into host buffers of all steps (allocated once the first chunk gives their
    # shapes); reductions are kept per chunk and merged at the end
    host: dict[str, np.ndarray] = {}
    parts: dict[str, list] = {r.path: [] for r in plan.recorded if r.reduces}
    counts: list[int] = []
    for start in range(0, steps, chunk):
        n = min(chunk, steps - start)
        good = ctx.state
        out = run_chunk(start, n)
        if plan.finite is not None:
            so_far = {p: v[:start] for p, v in host.items()}
            _stop_if_nonfinite(ctx, good, out.pop("__finite__"), plan.finite, start, so_far)
        for p, v in out.items():
            v = np.asarray(v)
            if p in parts:
                parts[p].append(v)
                continue
            if p not in host:
                host[p] = np.empty((steps, *v.shape[1:]), dtype=v.dtype)
            host[p][start:start + n] = v
        counts.append(n)
    return {r.path: merge_chunks(r.how, parts[r.path], counts) if r.reduces else host[r.path]
            for r in plan.recorded}


def _stop_if_nonfinite(ctx, good: dict, flags, paths: list, start: int, recorded: dict) -> None:
    """Restore ``good`` and raise NonFiniteError if any step of the chunk went non-finite."""
    found = checks.first_nonfinite(flags, paths)
    if found is None:
        return
    row, path = found
    ctx.state = good
    ctx.shapes_changed()
    raise checks.NonFiniteError(
        f"{path} went non-finite (NaN or Inf) at step {start + row}; the run stopped and the "
        f"state was restored to before step {start}", path=path, step=start + row,
        snapshot=Snapshot(ctx.name, ctx.structure_version, dict(good)), recorded=recorded)
