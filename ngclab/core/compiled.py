"""One compiled step of a process, as ``run()`` calls it.

The step is a jitted function of the leaves it reads (see ``liveness``), and jit pays for every
argument and, more, for every result. So:

- the small float32 leaves it writes come back as one vector, which the state keeps packed
  (``ngclab.core.state``); the ones it reads back in on the next call go in as that same
  vector, untouched, while the state still holds it;
- small float32 leaves it reads but never writes (knobs, biases, small weights) go in as one
  bundle, rebuilt only when one of them is a new array (a knob moved);
- inputs users set every step go in as they are; leaves it does not read at all only feed shape
  checks (zeros of their shape stand in for them inside the program);
- keywords it does not read (``t`` for rate cells) stay out, and a number given again as on
  the last call (``dt``) goes in as a device scalar made once;
- once its outputs go unread for a few calls, a lean program computes only what the next call
  reads back and defers the rest to the first read (``ngclab.core.deferred``); while nobody
  reads them at all, calls are recorded and run up to ``CHAIN_MAX`` at a time, in one program,
  on the first read (``ngclab.core.chain``; both in ``lean_calls``);
- a call whose inputs other steps stored (the first advance after a reset) takes their packed
  vectors as they are, once it has seen them laid out that way a few times (``_first_call``).

``ngclab.core.transfer`` holds that split (a scan program uses the same).

The tutorial circuit's step takes 5 arrays and returns 1, where it took 9 and returned 6 before (the
``step_loop`` benchmark: about twice the steps per second).

A compiled step belongs to one structure and one set of leaf shapes; the process caches one per
(keywords, shapes), so alternating batch sizes compile each once.
"""
from __future__ import annotations

import sys
from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np

from ngclab.core import liveness, steps as _steps
from ngclab.core.lean_calls import CHAINED, LeanCalls
from ngclab.core.state import Packed, Slot, State
from ngclab.core.transfer import Transfer, leaves_of, sources

GATHER_AFTER = 4    # first calls with the same layout of inputs before one program takes it
MAX_RECIPES = 4     # layouts of inputs a step keeps count of (each may become a program)


class CompiledStep(LeanCalls):
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
        # the keywords the step reads (in ``names`` order, as jit flattens the dict); the others
        # (``t`` in a circuit of rate cells) are not passed at all: each number jit converts
        # costs ~4 us a call, as much as the step's compute on a small circuit
        self._takes = [i for i, need in enumerate(live.args_needed) if need]
        taken = [self.names[i] for i in self._takes]
        idle = {k: v for k, v in traced.items() if k not in taken}   # stand-ins, never read
        self._memo = [[None, None] for _ in self._takes]
        self.written = list(live.written)
        self.changes_shapes = live.changes_shapes(state)
        self.effectful = live.effectful
        io = self.transfer = Transfer(ctx, state, list(live.read), self.written,
                                      {p: live.shapes[p] for p in self.written},
                                      hot=ctx.set_inputs)
        paths, n_loose = list(state), len(io.loose)

        def compute(bundle, packed_in, values, counted: Callable = on_trace) -> dict:
            counted()   # runs only while jit traces: counts compilations
            slots = io.unpack(bundle, packed_in, values[:n_loose], paths)
            kw = dict(zip(taken, map(_strong, values[n_loose:])))
            return full(slots, {**idle, **kw})

        self._program = jax.jit(lambda bundle, packed_in, *values:
                                io.pack(compute(bundle, packed_in, values)))
        # paths whose writes make the fast path unsafe: the bundle's and the carried vector's
        self._guarded = frozenset(io.packer.packed) | {p for _, p in io.carried}
        self._loose = list(io.loose)
        self._slots = [(i, p, io.out_layout.shapes[i]) for i, p in enumerate(io.out_layout.paths)]
        self._big = list(io.big)
        self._paths = [p for _, p, _ in self._slots]
        self._reuse = _REUSE_SLOTS and bool(self._slots)
        # the lean program's compilations are counted apart from the process's compile_count
        # (which counts the programs run() needs for new keywords, shapes or structure)
        self.lean_compiles = 0
        self._lean = self._lean_mode(state, live, compute)
        self._compute = compute
        self._chain = self._chain_mode(state, live, compute)
        self._reads = [*io.packer.packed, *(p for _, p in io.carried), *io.loose]
        self._recipes: dict[tuple, list] = {}   # input recipe -> [slow calls, program]
        self.gathered_compiles = 0
        # a step that reads nothing and has no effects (a reset to rest values) gives the same
        # results every call: they are computed once and stored again (immutable arrays)
        self._constant = not live.read and not any(live.args_needed) and not live.effectful
        self._results = None

    def __call__(self, state: State, traced: list) -> State:
        """The state after one step, given the traced keywords' values in ``names`` order.

        The results go into ``state`` itself (a per-step loop would otherwise copy the whole
        dict every call). When this step stored into ``state`` last and since then only paths
        outside its bundle and carried vector were written (inputs set between runs), the
        bundle and the vector it wrote go back in unchecked, and the new vector goes into the
        last call's slots when nobody else holds them (``_unshared``): the state-side work per
        call is then a few dict reads and reference counts.
        """
        if self._constant:
            return self._constant_call(state)
        mark = state.mark if type(state) is State else None
        if mark is not None and mark[0] is self and mark[1].isdisjoint(self._guarded):
            chain = self._chain
            if chain is not None and self._lean.on and chain.usable():
                taken = [traced[i] for i in self._takes]
                for v in taken:
                    if type(v) is not float:
                        break
                else:
                    return self._chained_call(state, mark, taken)
            if mark[2] is CHAINED:
                mark = self._settled(state, mark)
            traced = self._keyword_args(traced)
            raw = dict.__getitem__
            args = (self.transfer._bundle, mark[2], *[raw(state, p) for p in self._loose],
                    *traced)
            lean = self._lean
            if lean is not None and lean.on:
                return self._lean_call(state, mark, args)
            vec, big = self._program(*args)
            packed = mark[3]
            if self._reuse and mark[5] is None and \
                    self._unshared(state, packed, mark[4], self._paths):
                packed.vector, packed._leaves = vec, None
                slots = mark[4]
                if lean is not None:
                    lean.quiet(True)
            else:
                packed, slots = self._new_slots(state, vec, self._slots)
                if lean is not None:
                    lean.quiet(False)
        else:
            if type(state) is not State:
                state = State.of(state)
            vec, big = self._first_call(state, self._keyword_args(traced))
            packed, slots = self._new_slots(state, vec, self._slots)
        return self._stored(state, vec, big, packed, slots)

    def _stored(self, state: State, vec, big: list, packed: Packed, slots: tuple) -> State:
        """``state`` with the big results put in and marked as this step's (full program)."""
        put = dict.__setitem__
        for p, v in zip(self._big, big):
            put(state, p, v)
        state.mark = (self, set(), vec if self.transfer.carried else None, packed, slots,
                      None, None)
        return state

    def _constant_call(self, state: State) -> State:
        """A step that reads nothing: its first results, stored into ``state`` again."""
        if type(state) is not State:
            state = State.of(state)
        if self._results is None:
            self._results = self._program(None, None)
        vec, big = self._results
        packed, slots = self._new_slots(state, vec, self._slots)
        return self._stored(state, vec, big, packed, slots)

    # -- the first call after another step wrote (see ``transfer.sources``) -----------------
    def _first_call(self, state: State, traced: list) -> tuple:
        """``(vector, big leaves)`` of a call whose inputs this step did not store itself.

        A process run once per mini-batch (reset, the first advance after it, evolve) always
        comes here, finding its inputs in other steps' packed vectors: gathering them into
        this program's arguments cost several compiled calls (slicing, a new bundle, a repack;
        ~0.7 ms of a 0.9 ms call in the ``minibatch`` benchmark). Once the same layout of
        inputs has come ``GATHER_AFTER`` times, a program for that layout takes the vectors as
        they are and slices them inside (one call; compiled apart, ``gathered_compiles``).
        """
        io = self.transfer
        arrays, recipe = sources(state, self._reads)
        seen = self._recipes.get(recipe)
        if seen is None and len(self._recipes) < MAX_RECIPES:
            seen = self._recipes[recipe] = [0, None]
        if seen is None or seen[0] < GATHER_AFTER - 1:
            if seen is not None:
                seen[0] += 1
            bundle, packed_in, loose = io.inputs(state)
            return self._program(bundle, packed_in, *loose, *traced)
        if seen[1] is None:
            seen[1] = jax.jit(self._gathered_program(recipe, len(arrays)))
        vec, big, bundle = seen[1](*arrays, *traced)
        if io._has_bundle:      # the next call's fast path takes it as it is
            io._bundle = bundle
            io._bundle_sources = [dict.__getitem__(state, p) for p in io.packer.packed]
        return vec, big

    def _gathered_program(self, recipe: tuple, n_arrays: int) -> Callable:
        def program(*arrays):
            return self.inside(leaves_of(arrays[:n_arrays], recipe), list(arrays[n_arrays:]),
                               self._count_gathered)
        return program

    def inside(self, leaves: list, taken: list, counted: Callable) -> tuple:
        """The step inside a larger program (traced): ``(vector, big leaves, bundle)`` from
        the leaves it reads (``_reads`` order) and the keyword values it takes. The inputs
        are packed as its own program takes them, behind a barrier, so its arithmetic
        compiles as there (the same numbers, bit for bit)."""
        io, compute = self.transfer, self._compute
        n_bundle, n_carried = len(io.packer.packed), len(io.carried)
        carried = [p for _, p in io.carried]
        bundle = io.packer.pack(leaves[:n_bundle]) if io._has_bundle else None
        packed_in = None
        if carried:    # the vector as the step takes it (leaves it does not read: zeros)
            given = dict(zip(carried, leaves[n_bundle:n_bundle + n_carried]))
            packed_in = io.in_layout.pack([given[p] if p in given else jnp.zeros(shape)
                                           for p, shape in zip(io.in_layout.paths,
                                                               io.in_layout.shapes)])
        loose = leaves[n_bundle + n_carried:]
        # XLA must not fuse the gathering into the step's math: fused, it may order a sum
        # differently (a loss off in its last bit); behind the barrier the step compiles as
        # in the plain program, on the same inputs
        bundle, packed_in, loose, taken = jax.lax.optimization_barrier(
            (bundle, packed_in, loose, taken))
        vec, big = io.pack(compute(bundle, packed_in, [*loose, *taken], counted))
        return vec, big, bundle

    def written_by(self, vec, big: list) -> dict:
        """``{path: value}`` of what ``inside`` (or a call) returned."""
        out = dict(zip(self._paths, self.transfer.out_layout.unpack(vec)))
        out.update(zip(self._big, big))
        return out

    def _count_gathered(self) -> None:
        self.gathered_compiles += 1

    def _keyword_args(self, values: list) -> list:
        """The keyword values the program takes. A number given again as on the last call
        (``dt=1.`` every step) goes in as a device scalar made once, weakly typed as jit types a
        Python float (so the same program): jit takes a device array ~3 us faster than it
        converts a float. Zero is never reused (0. == -0., and 1 / dt tells them apart)."""
        args = []
        for i, memo in zip(self._takes, self._memo):
            v = values[i]
            if type(v) is float and v == memo[0] and v != 0.:
                if memo[1] is None:
                    memo[1] = jnp.asarray(v)
                v = memo[1]
            else:
                memo[0], memo[1] = (v if type(v) is float else None), None
            args.append(v)
        return args

    def _new_slots(self, state: State, vec, spec: list) -> tuple[Packed, tuple]:
        """A Packed of ``vec`` and a slot into it for each ``(index, path, shape)`` of spec."""
        packed = Packed(vec, self.transfer.out_layout)
        slots = tuple(Slot(packed, i, shape) for i, _, shape in spec)
        put = dict.__setitem__
        for (_, p, _), slot in zip(spec, slots):
            put(state, p, slot)
        return packed, slots

    def _unshared(self, state: State, packed: Packed, slots: tuple, paths: list) -> bool:
        """Whether the slots this step put into ``state`` last time are still there and held
        by nobody else (no copy of the state, snapshot or bundle holds one): then the new
        vector can go into their Packed in place, instead of a new Packed and a new slot per
        leaf (~2.5 us of a ~20 us step). Reference counts are the proof: each slot is held by
        the dict and the mark only (plus this check's own references), the Packed by its slots
        and the mark."""
        count, raw = sys.getrefcount, dict.__getitem__
        # the Packed: its slots, the mark, the caller's and this frame's names, count's argument
        if count(packed) != len(slots) + 4:
            return False
        for k in range(len(slots)):
            slot = slots[k]
            # a slot: the dict, the mark's tuple, the name ``slot``, count's argument
            if raw(state, paths[k]) is not slot or count(slot) != 4:
                return False
        return True


def _strong(value):
    """A keyword number arrives as a Python float (jit takes those several microseconds faster
    than NumPy scalars) and so is traced weakly typed; the methods see float32, as before."""
    aval = getattr(value, "aval", None)
    if aval is not None and aval.weak_type and aval.shape == () and \
            np.issubdtype(aval.dtype, np.floating):
        return jax.lax.convert_element_type(value, np.float32)
    return value


# The in-place reuse of slots relies on CPython's reference counts; from 3.14 the interpreter
# may skip counting references held by local variables, so the proof above would not hold.
_REUSE_SLOTS = sys.implementation.name == "cpython" and sys.version_info < (3, 14)


def describe(step: CompiledStep) -> dict[str, Any]:
    """What a compiled step passes in and out (for tests and for people tuning a model)."""
    io = step.transfer
    return {"loose": list(io.loose), "packed": list(io.packer.packed),
            "carried": [p for _, p in io.carried], "written": list(step.written),
            "vector": list(io.vector), "keywords": list(step.names),
            "takes": [step.names[i] for i in step._takes],
            "deferred": [] if step._lean is None else list(step._lean.paths),
            "lean": step._lean is not None and step._lean.on, "lean_compiles": step.lean_compiles,
            "gathered_compiles": step.gathered_compiles, "constant": step._constant,
            "chained": step._chain is not None and step._chain.on,
            "chain_compiles": 0 if step._chain is None else step._chain.compiles}
