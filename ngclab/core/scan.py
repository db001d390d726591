"""Many steps in one compiled ``jax.lax.scan``: clamped inputs in, recorded traces out.

The carry is the whole state dict; the scanned-over inputs are the step times and the clamped
sequences. Recording is fused into the scan (the body returns the recorded compartments), so a
run never leaves compiled code between steps. With ``chunk`` the same compiled chunk runs again
and again and recordings are gathered on the host, so device memory does not grow with steps.
"""
from __future__ import annotations

import math
import numbers
from typing import Any, Callable, Iterable

import jax
import jax.numpy as jnp
import numpy as np

from ngclab.core import checks, store
from ngclab.core.compartment import Compartment, Knob


class Clamp:
    """One clamped compartment: ``mode`` is const, seq (leading time axis), fn (of t) or knob."""

    def __init__(self, target: Compartment, value: Any, steps: int):
        self.target, self.path = target, target.path
        if target.targeted:
            raise ValueError(f"cannot clamp {target.path}: it is wired from "
                             f"{target.source!r}; clamp the source instead")
        shape = target.shape
        if isinstance(value, Knob):
            self.mode, self.value = "knob", value
        elif callable(value):
            self.mode, self.value = "fn", value
        else:
            try:
                arr = jnp.asarray(value)
            except (TypeError, ValueError) as err:
                raise ValueError(f"clamp for {target.path}: {value!r} is not a numeric array "
                                 f"({err})") from None
            if tuple(arr.shape) == shape:
                self.mode = "const"
            elif tuple(arr.shape) == (steps, *shape):
                self.mode = "seq"
            else:
                raise ValueError(f"clamp for {target.path}: got shape {tuple(arr.shape)}, expected "
                                 f"{shape} (a constant) or {(steps, *shape)} (one value per step "
                                 f"for {steps} steps)")
            self.value = arr.astype(target.dtype)

    def key(self) -> tuple:
        if self.mode in ("const", "seq"):
            return (self.path, self.mode, tuple(self.value.shape), str(self.value.dtype))
        if self.mode == "knob":
            return (self.path, "knob", self.value.path)
        return (self.path, "fn", id(self.value))

    def at(self, slots: dict, t, seqs: dict, consts: dict):
        if self.mode == "const":
            v = consts[self.path]
        elif self.mode == "seq":
            v = seqs[self.path]
        elif self.mode == "knob":
            v = slots[self.value.path]
        else:
            v = self.value(t)
        old = slots[self.path]
        return jnp.broadcast_to(jnp.asarray(v, dtype=old.dtype), old.shape)


def _check_steps(steps: Any, name: str = "steps") -> int:
    if isinstance(steps, bool) or not isinstance(steps, (numbers.Integral,)) or steps <= 0:
        raise ValueError(f"scan: {name} must be a positive integer, got {steps!r}")
    return int(steps)


def run_scan(proc, steps, t0, dt, clamp, record, chunk, kwargs, check_finite=False) -> dict:
    ctx = proc.context
    steps = _check_steps(steps)
    for name, v in (("t0", t0), ("dt", dt)):
        if not isinstance(v, numbers.Real) or not math.isfinite(v):
            raise ValueError(f"scan: {name} must be a finite number, got {v!r}")
    chunk = steps if chunk is None else min(_check_steps(chunk, "chunk"), steps)
    clamps = [Clamp(ctx.compartment(c), v, steps) for c, v in (clamp or {}).items()]
    recorded = [ctx.compartment(c) for c in record]
    traced, static = proc._split_keywords({"t": t0, "dt": dt, **kwargs})
    checks.check_order(proc, traced, static)  # warns once per compiled structure
    traced.pop("t")
    finite = checks.float_paths(ctx.state) if check_finite else None
    times = (t0 + np.arange(steps, dtype=np.float64) * dt).astype(np.float32)
    consts = {c.path: c.value for c in clamps if c.mode == "const"}

    def compiled(n: int) -> Callable:
        key = ("scan", n, tuple(c.key() for c in clamps), tuple(r.path for r in recorded),
               tuple(sorted(traced)), static, None if finite is None else tuple(finite))
        return proc._cached(key, lambda: _build(proc, clamps, recorded, static, finite))

    if chunk == steps and finite is None:
        seqs = {c.path: c.value for c in clamps if c.mode == "seq"}
        ctx.state, out = compiled(steps)(ctx.state, consts, seqs, jnp.asarray(times), traced)
        return out

    host = {r.path: np.empty((steps, *r.shape), dtype=r.dtype) for r in recorded}
    for start in range(0, steps, chunk):
        n = min(chunk, steps - start)
        seqs = {c.path: c.value[start:start + n] for c in clamps if c.mode == "seq"}
        good = ctx.state
        ctx.state, out = compiled(n)(ctx.state, consts, seqs,
                                     jnp.asarray(times[start:start + n]), traced)
        if finite is not None:
            _stop_if_nonfinite(ctx, good, np.asarray(out.pop("__finite__")), finite, start,
                               {p: v[:start] for p, v in host.items()})
        for p, v in out.items():
            host[p][start:start + n] = np.asarray(v)
    return host


def _stop_if_nonfinite(ctx, good: dict, flags: np.ndarray, paths: list, start: int,
                       recorded: dict) -> None:
    """Restore ``good`` and raise NonFiniteError if any step of the chunk went non-finite."""
    if flags.size == 0 or flags.all():
        return
    from ngclab.core.persist import Snapshot
    row = int(np.argmin(flags.all(axis=1)))
    path = paths[int(np.argmin(flags[row]))]
    ctx.state = good
    raise checks.NonFiniteError(
        f"{path} went non-finite (NaN or Inf) at step {start + row}; the run stopped and the "
        f"state was restored to before step {start}", path=path, step=start + row,
        snapshot=Snapshot(ctx.name, ctx.structure_version, dict(good)), recorded=recorded)


def _build(proc, clamps: list[Clamp], recorded: list[Compartment], static: tuple,
           finite: list | None = None) -> Callable:
    ctx = proc.context

    def body(carry, xs):
        t, seqs, consts, traced = xs[0], xs[1], carry[1], carry[2]
        slots = dict(carry[0])
        for c in clamps:
            slots[c.path] = c.at(slots, t, seqs, consts)
        slots = proc._apply(slots, {**traced, **dict(static), "t": t})
        with store.bound(ctx, slots):
            out = {r.path: r.get() for r in recorded}
        if finite is not None:
            out["__finite__"] = checks.finite_flags(slots, finite)
        return (slots, consts, traced), out

    def scan(state, consts, seqs, times, traced):
        proc.compile_count += 1  # runs only while tracing: counts compilations
        (state, _, _), out = jax.lax.scan(body, (state, consts, traced), (times, seqs))
        return state, out

    return jax.jit(scan)
