"""Many steps in one compiled program: clamped inputs in, recordings out.

The program a scan compiles, for ``n`` steps::

    prologue   steps 0 .. p-1, unrolled, on the whole state: until the leaves' shapes settle
               (a batch size taken from the data) and the settled leaves are set (p >= 1 when
               some leaf is settled, see ``liveness``)
    loop       steps p .. n-2 in ``jax.lax.scan``, carrying only the leaves a step feeds back;
               read-only leaves, settled leaves, keywords and constant clamps are loop constants
               (the small float32 ones packed into one vector)
    epilogue   step n-1 on the whole state again: it gives every written leaf its last value
               (leaves the loop does not carry, outputs recomputed every step, included)

Recordings are fused into the program: traces go into buffers of all n steps, updated in place;
reductions (``record={b.s: "mean"}``) into accumulators. ``lean=False`` compiles the same steps as
a plain ``lax.scan`` over the whole state (no packing, nothing held fixed), which tests compare
with the lean program bit for bit.
"""
from __future__ import annotations

import functools
from typing import Callable

import jax
import jax.numpy as jnp

from ngclab.core import checks, liveness, steps as _steps, store
from ngclab.core.clamps import Clamp, Recording, combine, start
from ngclab.core.packing import LOOP_LIMIT, Packer
from ngclab.core.transfer import Transfer

MAX_SETTLE = 8   # steps a batch size may take to reach every leaf


class ScanProgram:
    """A compiled ``(inputs, consts, seqs, times, traced, n) -> (new leaves, recordings)``.

    Built from the Context's current state (its shapes), the process's steps and static
    keywords, the clamps, the recordings and the leaves whose finiteness is checked.
    """

    def __init__(self, ctx, steps: list, static: tuple, clamps: list[Clamp],
                 recorded: list[Recording], finite: list | None, example: tuple,
                 on_trace: Callable, lean: bool = True):
        self.ctx, self.steps, self.static = ctx, steps, static
        self.clamps, self.recorded, self.finite = clamps, recorded, finite
        self.lean, self.on_trace = lean, on_trace
        state = ctx.state
        self.paths = list(state)
        t, seq_t, consts, traced = example
        shapes = {p: jax.ShapeDtypeStruct(v.shape, v.dtype) for p, v in state.items()}
        self.settle, settled_shapes, self._shapes_after = self._settling(shapes, example)
        live = liveness.analyse(self._flat_step, self.paths,
                                [settled_shapes[p] for p in self.paths], *example)
        self.live = live
        self.uses_t = live.args_needed[0]
        # what the program takes in and gives back: the leaves some step reads / writes
        self.inputs = [p for p in self.paths if p in set(live.read)]
        self.outputs = list(live.written)
        self.blanks = {p: (v.shape, v.dtype) for p, v in state.items() if p not in self.inputs}
        self.changes_shapes = any(tuple(state[p].shape) != tuple(settled_shapes[p].shape)
                                  for p in self.paths)
        # one step's recorded values at the settled shapes; finiteness flags come last
        _, self.out_shapes = jax.eval_shape(self.step, settled_shapes, *example)
        self.recorders = list(recorded) + ([None] if finite is not None else [])
        # a direct call passes leaves as run() steps do (see ``transfer``); a sweep's vmap
        # takes the inputs as a dict (``function``)
        self.transfer = Transfer(ctx, state, self.inputs, self.outputs,
                                 {p: tuple(settled_shapes[p].shape) for p in self.outputs})
        self._early: dict[int, Transfer] = {}   # scans shorter than the settling steps
        self._jitted = jax.jit(self._transferred, static_argnames="n")

    # -- one step ----------------------------------------------------------------------------
    def step(self, slots: dict, t, seq_t: dict, consts: dict, traced: dict) -> tuple[dict, list]:
        """One step on the whole state: clamps, the process's methods, what is recorded."""
        slots = dict(slots)
        for c in self.clamps:
            slots[c.path] = c.at(slots, t, seq_t, consts)
        slots = _steps.apply(self.ctx, self.steps, slots,
                             {**traced, **dict(self.static), "t": t})
        out = [r.value(_read(self.ctx, r.target, slots)) for r in self.recorded]
        if self.finite is not None:
            out.append(checks.finite_flags(slots, self.finite))
        return slots, out

    def _flat_step(self, values: list, *args):
        slots, out = self.step(dict(zip(self.paths, values)), *args)
        return [slots[p] for p in self.paths], out

    def _settling(self, shapes: dict, example: tuple) -> tuple[int, dict, list]:
        """How many steps until no leaf changes shape, the shapes then, and the shapes after
        each earlier step (``after[k]``: after k + 1 steps)."""
        after = []
        for k in range(MAX_SETTLE + 1):
            new, _ = jax.eval_shape(self.step, shapes, *example)
            new = {p: jax.ShapeDtypeStruct(new[p].shape, new[p].dtype) for p in self.paths}
            if all(new[p].shape == shapes[p].shape for p in self.paths):
                return k, shapes, after
            shapes = new
            after.append(new)
        moving = [p for p in self.paths if new[p].shape != shapes[p].shape]
        raise ValueError(f"scan: the shapes of {', '.join(moving[:3])} keep changing from step "
                         f"to step (a batch size that never settles)")

    # -- the program ---------------------------------------------------------------------------
    def function(self, n: int) -> Callable:
        """The program for ``n`` steps as a plain function ``(inputs, consts, seqs, times,
        traced) -> (new leaves, recordings)`` of the leaves in ``inputs`` (for jax.vmap)."""
        return functools.partial(self._program, n=n)

    def __call__(self, state, consts: dict, seqs: dict, times, traced: dict, n: int):
        """Run ``n`` steps from ``state``: (the new State, the recordings)."""
        transfer = self._transfer(n)
        bundle, packed_in, loose = transfer.inputs(state)
        (vec, big), records = self._jitted(bundle, packed_in, loose, consts, seqs, times, traced,
                                           n=n)
        return transfer.store(state, vec, big), records

    def _transfer(self, n: int) -> Transfer:
        """The transfer whose written leaves have the shapes they have after ``n`` steps: the
        settled ones, or (a scan shorter than the settling steps, while a batch size is still
        spreading) those after n steps."""
        if n >= self.settle:
            return self.transfer
        if n not in self._early:
            shapes = self._shapes_after[n - 1]
            self._early[n] = Transfer(self.ctx, self.ctx.state, self.inputs, self.outputs,
                                      {p: tuple(shapes[p].shape) for p in self.outputs})
        return self._early[n]

    def _transferred(self, bundle, packed_in, loose, consts, seqs, times, traced, n: int):
        self.on_trace()   # runs only while jit traces: counts compilations
        transfer = self._transfer(n)
        slots = transfer.unpack(bundle, packed_in, loose, self.paths)
        slots, records = self._run(slots, consts, seqs, times, traced, n)
        return transfer.pack(slots), records

    def _program(self, inputs: dict, consts: dict, seqs: dict, times, traced: dict, n: int):
        self.on_trace()   # runs only while jit traces: counts compilations
        slots = {p: jnp.zeros(*self.blanks[p]) for p in self.blanks}
        slots.update(inputs)
        slots, records = self._run({p: slots[p] for p in self.paths}, consts, seqs, times,
                                   traced, n)
        return {p: slots[p] for p in self.outputs}, records

    def _run(self, slots: dict, consts: dict, seqs: dict, times, traced: dict, n: int):
        return (self._lean if self.lean else self._plain)(slots, consts, seqs, times, traced, n)

    def _at(self, times, seqs: dict, i):
        t = times[i] if self.uses_t else jnp.float32(0.)
        return t, {k: v[i] for k, v in seqs.items()}

    def _lean(self, slots, consts, seqs, times, traced, n):
        live = self.live
        records = _Records(self, n)
        settled = [p for p in live.settled if p in live.carried]
        first = min(max(self.settle, 1 if settled else 0), n - 1)
        for i in range(first):                                     # prologue
            slots, out = self.step(slots, *self._at(times, seqs, i), consts, traced)
            records = records.add(out, i)
        fixed = {p: slots[p] for p in list(live.read_only) + settled}
        carry = {p: slots[p] for p in live.carried if p not in settled}
        if n - 1 > first:                                          # loop
            constants = {**{("leaf", p): v for p, v in fixed.items()},
                         **{("kw", k): v for k, v in traced.items()},
                         **{("clamp", k): v for k, v in consts.items()}}
            loop = Packer.of(constants, LOOP_LIMIT)
            packed = loop.pack(constants)
            loose = {k: v for k, v in constants.items() if k not in loop.packed}

            def body(state, xs):
                carry, recs, i = state
                const = {**loose, **(loop.unpack(packed) if packed is not None else {})}
                kw = {k: const["kw", k] for k in traced}
                cs = {k: const["clamp", k] for k in consts}
                here = {**slots, **{p: const["leaf", p] for p in fixed}, **carry}
                t = xs[0] if self.uses_t else jnp.float32(0.)
                new, out = self.step(here, t, xs[1], cs, kw)
                return ({p: new[p] for p in carry}, recs.add(out, i), i + 1), None

            xs = (times[first:n - 1] if self.uses_t else None,
                  {k: v[first:n - 1] for k, v in seqs.items()})
            (carry, records, _), _ = jax.lax.scan(body, (carry, records, first), xs,
                                                  length=n - 1 - first)
        slots = {**slots, **fixed, **carry}
        slots, out = self.step(slots, *self._at(times, seqs, n - 1), consts, traced)   # epilogue
        return slots, records.add(out, n - 1).result()

    def _plain(self, slots, consts, seqs, times, traced, n):
        records = _Records(self, n)
        first = min(self.settle, n)
        for i in range(first):
            slots, out = self.step(slots, *self._at(times, seqs, i), consts, traced)
            records = records.add(out, i)
        if n > first:
            def body(state, xs):
                slots, recs, i = state
                t = xs[0] if self.uses_t else jnp.float32(0.)
                slots, out = self.step(slots, t, xs[1], consts, traced)
                return (slots, recs.add(out, i), i + 1), None

            xs = (times[first:] if self.uses_t else None, {k: v[first:] for k, v in seqs.items()})
            (slots, records, _), _ = jax.lax.scan(body, (slots, records, first), xs,
                                                  length=n - first)
        return slots, records.result()


def _read(ctx, target, slots: dict):
    with store.bound(ctx, slots):
        return target.get()


class _Records:
    """Recording buffers (traces) and accumulators (reductions), a pytree carried by the loop."""

    def __init__(self, program: ScanProgram, n: int, values: list | None = None):
        self.program, self.n = program, n
        if values is None:
            values = []
            for r, s in zip(program.recorders, program.out_shapes):
                if getattr(r, "reduces", False):
                    values.append(start(r.how, jnp.zeros(s.shape, s.dtype)))
                else:
                    values.append(jnp.zeros((n, *s.shape), s.dtype))
        self.values = values

    def add(self, out: list, i) -> "_Records":
        new = []
        for r, acc, v, s in zip(self.program.recorders, self.values, out,
                                self.program.out_shapes):
            v = jnp.broadcast_to(v, s.shape).astype(s.dtype)   # earlier batch sizes broadcast
            if getattr(r, "reduces", False):
                new.append(combine(r.how, acc, v, i))
            else:
                # i is always in [0, n): no code to wrap negative indices around
                new.append(jax.lax.dynamic_update_index_in_dim(acc, v, i, 0,
                                                                allow_negative_indices=False))
        return _Records(self.program, self.n, new)

    def result(self) -> dict:
        out = {}
        for r, v in zip(self.program.recorded, self.values):
            out[r.path] = v / self.n if r.how == "mean" else v
        if self.program.finite is not None:
            out["__finite__"] = self.values[-1]
        return out


jax.tree_util.register_pytree_node(
    _Records, lambda r: (r.values, (r.program, r.n)),
    lambda aux, values: _Records(aux[0], aux[1], list(values)))

