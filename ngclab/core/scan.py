"""Many steps in one compiled ``jax.lax.scan``: clamped inputs in, recorded traces out.

The carry is the part of the state a step feeds back to the next (see ``_Plan``); the
scanned-over inputs are the step times (when a method reads ``t``) and the clamped sequences. Recording is fused into the scan (the body returns the recorded compartments), so a
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
                arr = value if isinstance(value, jax.Array) else jnp.asarray(value)
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
            self.value = arr if arr.dtype == target.dtype else arr.astype(target.dtype)

    def key(self) -> tuple:
        if self.mode in ("const", "seq"):
            return (self.path, self.mode, self.value.shape, self.value.dtype)
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


_SMALL = 64   # elements: a loop constant this small (and float32) is packed


class _LoopConstants:
    """The values a scan body reads but never changes, small float32 ones packed in one vector.

    XLA's CPU while loop pays for every element of its state tuple on every iteration, and each
    fused kernel for every operand; a dozen scalar knobs, biases and keywords as one vector keep
    the loop about as narrow as a hand-written one (``small`` benchmark, in-process A/B: the
    loop state tuple 10 -> 6 elements, 2.8 -> 2.4 ms for 100,000 steps).
    Made while tracing; ``unpack()`` inside the body slices the vector back into its values.
    """

    def __init__(self, values: dict):
        values = {k: jnp.asarray(v) for k, v in values.items()}
        self.small = [k for k, v in values.items()
                      if v.dtype == jnp.float32 and v.size <= _SMALL]
        self.rest = {k: v for k, v in values.items() if k not in self.small}
        self.shapes = {k: values[k].shape for k in self.small}
        self.bounds = np.cumsum([0] + [values[k].size for k in self.small])
        self.packed = jnp.concatenate([values[k].ravel() for k in self.small]) \
            if self.small else None

    def unpack(self) -> dict:
        out = dict(self.rest)
        for k, lo, hi in zip(self.small, self.bounds[:-1], self.bounds[1:]):
            out[k] = self.packed[lo:hi].reshape(self.shapes[k])
        return out


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
    consts = {c.path: c.value for c in clamps if c.mode == "const"}

    seq_all = {c.path: c.value for c in clamps if c.mode == "seq"}
    key = ("scan", tuple(c.key() for c in clamps), tuple(r.path for r in recorded),
           tuple(sorted(traced)), static, None if finite is None else tuple(finite))
    compiled, plan = proc._cached(key, lambda: _build(
        proc, clamps, recorded, static, finite,
        example=(np.float32(t0), {p: v[0] for p, v in seq_all.items()}, consts, traced)))

    def times(start: int, n: int):
        if not plan.uses_t:
            return None
        return jnp.asarray((t0 + np.arange(start, start + n, dtype=np.float64) * dt)
                           .astype(np.float32))

    def run_chunk(start: int, n: int) -> dict:
        seqs = seq_all if n == steps else {p: v[start:start + n] for p, v in seq_all.items()}
        inputs = {p: ctx.state[p] for p in plan.carried + plan.read_only}
        new, out = compiled(inputs, consts, seqs, times(start, n), traced, n=n)
        ctx.state = {**ctx.state, **new}
        return out

    if chunk == steps and finite is None:
        return run_chunk(0, steps)

    host = {r.path: np.empty((steps, *r.shape), dtype=r.dtype) for r in recorded}
    for start in range(0, steps, chunk):
        n = min(chunk, steps - start)
        good = ctx.state
        out = run_chunk(start, n)
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


class _Plan:
    """Which state leaves a scan step reads and writes, found by tracing one step to a jaxpr.

    - carried: written and read by the step: the scan's carry;
    - read_only: read but never written: passed in once, constants of the loop;
    - written: written but not read (outputs recomputed every step, clamped inputs): their
      inputs are dead, so they are not carried, and where nothing records them XLA drops their
      computation from the loop; the final step runs after the loop to give their last values;
    - settled: carried leaves a step sets to the same value whatever it read (an error
      cell's one-step ``mask`` goes back to ones): after the first step they are constants, so
      the first step runs before the loop and the loop reads them as loop constants, which
      XLA folds in (a multiply by a mask of ones disappears) instead of copying them around;
    - uses_t: whether anything reads ``t`` (if not, no array of step times is made).
    Carrying only what a step feeds back keeps the loop as lean as a hand-written one.
    """

    def __init__(self, step: Callable, state: dict, example: tuple):
        from jax.extend.core import Var
        paths = list(state)
        jaxpr = jax.make_jaxpr(step)([state[p] for p in paths], *example).jaxpr
        ins = jaxpr.invars[:len(paths)]
        t_var = jaxpr.invars[len(paths)]
        outs = jaxpr.outvars
        new, extra = outs[:len(paths)], outs[len(paths):]
        written = [p for p, i, o in zip(paths, ins, new) if o is not i]
        needed = {o for o, i in zip(new, ins) if o is not i and isinstance(o, Var)}
        needed |= {o for o in extra if isinstance(o, Var)}
        for eqn in reversed(jaxpr.eqns):
            if eqn.effects or any(o in needed for o in eqn.outvars):
                needed.update(v for v in eqn.invars if isinstance(v, Var))
        read = {p for p, i in zip(paths, ins) if i in needed}
        self.carried = [p for p in written if p in read]
        self.written = [p for p in written if p not in read]
        self.read_only = [p for p in paths if p in read and p not in written]
        self.blanks = {p: (state[p].shape, state[p].dtype) for p in paths if p not in read}
        self.uses_t = t_var in needed
        self.paths = paths
        varies = set(jaxpr.invars)       # values that depend on what the step is given
        for eqn in jaxpr.eqns:
            if eqn.effects or any(isinstance(v, Var) and v in varies for v in eqn.invars):
                varies.update(eqn.outvars)
        self.settled = [p for p, o in zip(paths, new)
                        if p in self.carried and not (isinstance(o, Var) and o in varies)]


def _build(proc, clamps: list[Clamp], recorded: list[Compartment], static: tuple,
           finite: list | None, example: tuple) -> tuple[Callable, _Plan]:
    """A compiled ``(inputs, consts, seqs, times, traced) -> (new leaves, recordings)``."""
    ctx = proc.context

    def step(slots: dict, t, seq_t: dict, consts: dict, traced: dict) -> tuple[dict, dict]:
        for c in clamps:
            slots[c.path] = c.at(slots, t, seq_t, consts)
        slots = proc._apply(slots, {**traced, **dict(static), "t": t})
        with store.bound(ctx, slots):
            out = {r.path: r.get() for r in recorded}
        if finite is not None:
            out["__finite__"] = checks.finite_flags(slots, finite)
        return slots, out

    def flat_step(values, t, seq_t, consts, traced):
        slots, out = step(dict(zip(plan_paths, values)), t, seq_t, consts, traced)
        return [slots[p] for p in plan_paths], list(out.values())

    plan_paths = list(ctx.state)
    plan = _Plan(flat_step, ctx.state, example)

    def scan(inputs: dict, consts: dict, seqs: dict, times, traced: dict, n: int):
        proc.compile_count += 1  # runs only while tracing: counts compilations
        loop = _LoopConstants({**{("leaf", p): inputs[p] for p in plan.read_only},
                               **{("kw", k): v for k, v in traced.items()},
                               **{("clamp", k): v for k, v in consts.items()}})
        blank = {p: jnp.zeros(*plan.blanks[p]) for p in plan.blanks}

        def constants() -> tuple[dict, dict, dict]:
            """(read-only leaves, keywords, constant clamps) as the loop body sees them."""
            v = loop.unpack()
            return ({p: v["leaf", p] for p in plan.read_only}, {k: v["kw", k] for k in traced},
                    {k: v["clamp", k] for k in consts})

        def slots_with(carry, fixed):
            return {**blank, **fixed, **carry}

        def record(buffers, out, i):
            return {k: jax.lax.dynamic_update_index_in_dim(buffers[k], v, i, 0)
                    for k, v in out.items()}

        # Recordings go into buffers of all n steps carried through the loop (updated in
        # place), so the last step, taken after the loop, adds its row without a copy.
        fixed, kw, cs = constants()
        _, shapes = jax.eval_shape(step, slots_with({p: inputs[p] for p in plan.carried}, fixed),
                                   jnp.float32(0.), {k: v[0] for k, v in seqs.items()}, cs, kw)
        buffers = {k: jnp.zeros((n, *v.shape), v.dtype) for k, v in shapes.items()}

        def body(state, xs):
            carry, buffers, i = state
            t = xs[0] if plan.uses_t else jnp.float32(0.)
            fixed, kw, cs = constants()
            slots, out = step(slots_with({**settled, **carry}, fixed), t, xs[1], cs, kw)
            carry = {p: slots[p] for p in plan.carried if p not in settled}
            return (carry, record(buffers, out, i), i + 1), None

        def t_at(i):
            return jnp.float32(0.) if ts is None else ts[i]

        carry = {p: inputs[p] for p in plan.carried}
        ts = times if plan.uses_t else None
        settled, first = {}, 0
        if plan.settled and n > 2:   # step 0 before the loop; then the settled leaves are fixed
            slots, out = step(slots_with(carry, fixed), t_at(0), {k: v[0] for k, v in seqs.items()},
                              cs, kw)
            buffers = record(buffers, out, 0)
            carry = {p: slots[p] for p in plan.carried}
            settled = {p: carry.pop(p) for p in plan.settled}
            first = 1
        if n - 1 > first:  # steps first..n-2 in the loop; the last one below gives every leaf
            xs = (None if ts is None else ts[first:-1], {k: v[first:-1] for k, v in seqs.items()})
            (carry, buffers, _), _ = jax.lax.scan(body, (carry, buffers, first), xs,
                                                  length=n - 1 - first)
        slots, last = step(slots_with({**settled, **carry}, fixed), t_at(-1),
                           {k: v[-1] for k, v in seqs.items()}, cs, kw)
        out = record(buffers, last, n - 1)
        return {p: slots[p] for p in plan.carried + plan.written}, out

    return jax.jit(scan, static_argnames="n"), plan
