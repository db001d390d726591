"""The lean and chained calls of a compiled step (a mixin of ``compiled.CompiledStep``).

Once a step's outputs go unread, its calls run a lean program that leaves them out
(``ngclab.core.deferred``); while nobody reads them at all, its calls are recorded and run many
at a time (``ngclab.core.chain``). Both keep what a user reads bit for bit the full program's.
"""
from __future__ import annotations

from typing import Callable

import jax
import jax.numpy as jnp
import numpy as np

from ngclab.core.chain import CHAIN_MAX, Chain
from ngclab.core.deferred import Deferred, Lean
from ngclab.core.state import Slot, State

# where a mark holds its step's vector when the vector is still inside the step's record
CHAINED = object()


class LeanCalls:
    """The lean-mode and chained-call methods of ``CompiledStep`` (its attributes: see there)."""

    # -- lean mode (see ``deferred``) --------------------------------------------------------
    def _lean_mode(self, state: State, live, compute: Callable) -> Lean | None:
        """What the lean program leaves out (float32 leaves the step writes and does not
        read), or None when it would leave nothing out, or the leaves change shapes, or the
        step has effects (a deferred read would run its callbacks a second time), or the
        slots cannot be reused (the proof that nobody read them is the reuse's)."""
        read = set(live.read)
        deferred = [p for p in self.written if p not in read
                    and state.peek(p).dtype == np.float32]
        if not deferred or self.changes_shapes or live.effectful or not self._reuse:
            return None
        io, left_out = self.transfer, set(deferred)
        lean = Lean(deferred, live.shapes, io.out_layout, io.big,
                    lambda args: self._program(*args))
        shapes = dict(zip(io.out_layout.paths, io.out_layout.shapes))
        kept_big = [p for p in io.big if p not in left_out]
        self._kept = [(i, p, shape) for i, p, shape in self._slots if p not in left_out]
        self._kept_paths = [p for _, p, _ in self._kept]
        self._kept_big = kept_big
        self._dslots = [(i, p, lean.layout.shapes[i]) for i, p in enumerate(lean.paths)]

        def lean_body(bundle, packed_in, values, counted: Callable) -> tuple:
            new = compute(bundle, packed_in, values, counted)
            # the vector keeps its layout (the next call takes it back as it is), zeros
            # standing in for the leaves left out
            vec = io.out_layout.pack([jnp.zeros(shapes[p]) if p in left_out else new[p]
                                      for p in io.vector])
            return vec, [new[p] for p in kept_big]

        self._lean_body = lean_body
        # (compiles on its first call)
        lean.program = jax.jit(lambda bundle, packed_in, *values:
                               lean_body(bundle, packed_in, values, self._count_lean))
        return lean

    def _count_lean(self) -> None:
        self.lean_compiles += 1

    # -- chained calls (see ``chain``) ------------------------------------------------------
    def _chain_mode(self, state: State, live, compute: Callable) -> Chain | None:
        """How this step's lean calls are recorded, or None: it must run lean, write only
        float32 leaves (they all become slots of the record) and have no effects."""
        if self._lean is None or live.effectful or \
                any(state.peek(p).dtype != np.float32 for p in self.written):
            return None
        io = self.transfer
        where = [(io.big.index(p), None) if p in io.big else (None, io.out_layout.index[p])
                 for p in self.written]
        fed_back = [p for p in self._loose if p in self._kept_big]
        full = lambda bundle, packed_in, values, counted: io.pack(
            compute(bundle, packed_in, values, counted))
        return Chain(self.written, [live.shapes[p] for p in self.written], where,
                     io.out_layout, self._loose, fed_back, len(self._takes),
                     bool(io.carried), self._lean_body, full, self._kept_big)

    def _chained_call(self, state: State, mark: tuple, taken: list) -> State:
        """Record this call instead of running it, extending the record the last call left
        while nobody else holds it (``_unshared``)."""
        chain, raw = self._chain, dict.__getitem__
        hot = [raw(state, p) for p in chain.hot]
        for j, v in enumerate(hot):
            if type(v) is Slot:           # another step's output: its value now
                hot[j] = v.value()
        if mark[2] is CHAINED:
            record = mark[3]
            calls = record._args[1] if record._args is not None else None
            # (a leaf set from outside since, a fed-back state say, replaced its slot: the
            # proof fails and a new record starts from the value set)
            if calls is not None and len(calls) < CHAIN_MAX and \
                    self._unshared(state, record, mark[4], self.written) and \
                    chain.holds(calls[0][0], hot):
                calls.append((hot, taken))
                state.mark = (self, set(), CHAINED, record, mark[4], None, None)
                chain.called()
                return state
            vec = record.settled()[0] if self.transfer.carried else None
        else:
            vec = mark[2]
        fed = [raw(state, p) for p in chain.fed_back]
        fed = [v.value() if type(v) is Slot else v for v in fed]
        record = Deferred(chain, ((self.transfer._bundle, vec, fed), [(hot, taken)]))
        chain.held = 0
        slots = tuple(Slot(record, i, shape) for i, shape in enumerate(chain.layout.shapes))
        put = dict.__setitem__
        for p, slot in zip(self.written, slots):
            put(state, p, slot)
        state.mark = (self, set(), CHAINED, record, slots, None, None)
        chain.called()
        return state

    def _settled(self, state: State, mark: tuple) -> tuple:
        """Run the record the last call left and put its results in as a full call's."""
        vec, big = mark[3].settled()
        packed, slots = self._new_slots(state, vec, self._slots)
        self._stored(state, vec, big, packed, slots)
        return state.mark

    def _lean_call(self, state: State, mark: tuple, args: tuple) -> State:
        lean = self._lean
        vec, big = lean.program(*args)
        packed = mark[3]
        if mark[5] is not None and self._unshared(state, packed, mark[4], self._kept_paths):
            packed.vector, packed._leaves = vec, None
            slots = mark[4]
        else:
            packed, slots = self._new_slots(state, vec, self._kept)
        deferred = mark[5]
        if deferred is not None and self._unshared(state, deferred, mark[6], lean.paths):
            deferred.renew(args)
            dslots = mark[6]
        else:
            deferred = Deferred(lean, args)
            dslots = tuple(Slot(deferred, i, shape) for i, _, shape in self._dslots)
            put = dict.__setitem__
            for p, slot in zip(lean.paths, dslots):
                put(state, p, slot)
        put = dict.__setitem__
        for p, v in zip(self._kept_big, big):
            put(state, p, v)
        state.mark = (self, set(), vec if self.transfer.carried else None, packed, slots,
                      deferred, dslots)
        lean.called()
        return state
