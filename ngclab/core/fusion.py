"""Fused sequences: run() and set() calls that repeat between two reads run as one program.

Code ported from ngc-learn trains one mini-batch at a time:

    reset.run(); z0.j.set(x); e2.target.set(y)
    for t in range(T):
        advance.run(t=t, dt=1.)
    evolve.run()
    loss = e2.L.get()

Each call is one compiled program, and jit's dispatch costs tens of microseconds a call, on a
small circuit more than the call's compute. Between two reads nothing observes the state, so
nothing needs the calls to run one at a time. Each Context's ``Fuser`` watches the calls
between two ``get()``s; once the same sequence (the same processes with the same keyword
names, the same compartments set with values of the same shapes, from the same state shapes)
has come ``HOT_AFTER`` times, its calls are recorded the next time it starts, and the read at
its end runs them all as one program:

    state_{k+1} = barrier(step_k(state_k, keywords_k))       (a run)
    state_{k+1} = state_k with path_k = value_k              (a set)

Each step stands behind an optimization barrier, so XLA compiles its arithmetic as it does in
the step's own program, on the same inputs: a fused sequence gives the numbers the calls give
one by one, bit for bit (``tests/core/test_fusion.py`` compares).

Nothing can see the difference. Whatever touches the state while calls are recorded (the
Context's ``state``, any read or write of the State dict, a snapshot, a save, a scan, a call
that leaves the sequence) first runs the recorded calls: as the one program when they are the
whole sequence, else one by one, as they would have run. A call is recorded only when it can
fail no differently from the calls that made the sequence hot: keywords that are plain
numbers, a process without effects (callbacks run when it is called) and without watched
compartments, a set value that is a JAX array of the compartment's dtype.

A sequence's program is compiled the first time it runs fused (counted in ``compiles``; it
takes longer than a step's, once). ``Fuser.enabled = False`` (or ``fusion.ENABLED = False``
before Contexts are made) switches this off.
"""
from __future__ import annotations

from typing import Any

import jax
import numpy as np

from ngclab.core.state import Packed, Slot, layout
from ngclab.core.store import holding_lock
from ngclab.core.transfer import leaves_of, sources

ENABLED = True
HOT_AFTER = 8         # times a sequence comes, run call by call, before it runs fused
MIN_CALLS = 3         # shorter sequences are left alone (a loop that reads after every run)
MAX_CALLS = 256       # longer ones too (their programs would take long to compile)
MAX_SEQUENCES = 8     # fused sequences one Context keeps
MAX_RECIPES = 2       # layouts of a sequence's inputs that get a program of their own
_END = None           # the key of a trie node's fused sequence (a sequence ends there)


class Fuser:
    """Which call sequences of one Context run fused, and the calls recorded now.

    ``history`` holds the signatures of the calls since the last read: ``(process, keyword
    names)`` for a run, ``(compartment, shape)`` for a set. ``pending`` holds the calls
    recorded and not run yet; while it is not empty the Context's State refers back here
    (``State.fuser``), so that any access to it runs them first.
    """

    def __init__(self, ctx: Any):
        self.ctx = ctx
        self.enabled = ENABLED
        self.history: list = []
        self.ok = True             # whether the calls since the last read may become a sequence
        self.start: tuple = ()     # (structure version, shape id) before the first of them
        self.node: dict | None = None   # where the calls recorded so far are in the trie
        self.pending: list = []    # the calls recorded (see ``record``)
        self._roots: dict = {}     # start -> trie of the fused sequences from there
        self._counts: dict = {}    # (start, signatures) -> times seen
        self._fused: dict = {}     # (start, signatures) -> Sequence
        self._replaying = False
        self.compiles = 0

    # -- around each call --------------------------------------------------------------------
    def offer(self, sig: tuple) -> bool:
        """Before a call that could be recorded: True to record it (``record``), False to
        run it now (then ``done``). Runs what is recorded first if this call leaves it."""
        if self._replaying:
            return False
        if not self.history:
            ctx = self.ctx
            self.start = (ctx.structure_version, ctx.shape_id())
            self.node = self._roots.get(self.start) if self.enabled else None
        node = self.node
        if node is not None:
            node = node.get(sig)
        if node is None:
            if self.pending:
                self.flush(keep_history=True)
            self.node = None
            return False
        self.node = node
        self.history.append(sig)
        return True

    def record(self, call: tuple) -> None:
        """Keep a call ``offer`` accepted: a run's ``(sig, kwargs, float values, their
        keyword names)`` or a set's ``(sig, value)``."""
        if not self.pending:
            self.ctx._state.fuser = self
        self.pending.append(call)

    def done(self, sig: tuple) -> None:
        """After a call ``offer`` declined ran without error."""
        if self._replaying:
            return
        if len(self.history) < MAX_CALLS:
            self.history.append(sig)
        else:
            self.ok = False

    def spoil(self) -> None:
        """Before a call that cannot be recorded: what is recorded runs now, and the calls
        since the last read do not make a sequence."""
        if self._replaying:
            return
        if self.pending:
            self.flush(keep_history=True)
        self.ok, self.node = False, None

    def read(self) -> None:
        """A value is read (``get()``): the end of a sequence."""
        if self.pending:
            self.flush()
        history = self.history
        if not history:
            return
        if self.ok and MIN_CALLS <= len(history) <= MAX_CALLS and self.enabled:
            key = (self.start, tuple(history))
            if key not in self._fused:
                seen = self._counts[key] = self._counts.get(key, 0) + 1
                if seen >= HOT_AFTER and len(self._fused) < MAX_SEQUENCES:
                    self._make_hot(key)
                elif len(self._counts) > 256:
                    self._counts.clear()
        self.history, self.ok, self.node = [], True, None

    def forget(self) -> None:
        """The model's structure changed: run what is recorded and drop every sequence."""
        if self.pending:
            self.flush()
        self._roots.clear()
        self._counts.clear()
        self._fused.clear()
        self.history, self.ok, self.node = [], True, None

    # -- running what is recorded --------------------------------------------------------------
    @holding_lock(lambda fuser: fuser.ctx)
    def flush(self, keep_history: bool = False) -> None:
        """Run the recorded calls: as one program when they are a whole fused sequence, else
        one by one. Without ``keep_history`` the calls after them start a new sequence."""
        calls, self.pending = self.pending, []
        state = self.ctx._state
        state.fuser = None
        node = self.node
        sequence = node.get(_END) if node is not None and len(calls) == len(self.history) \
            else None
        if sequence is None or not sequence.run(state, calls):
            self._replay(calls)
        if not keep_history:
            self.history, self.ok, self.node = [], True, None

    def _replay(self, calls: list) -> None:
        self._replaying = True
        try:
            for call in calls:
                if len(call) == 4:
                    call[0][0].run(**call[1])
                else:
                    call[0][0].set(call[1])
        finally:
            self._replaying = False

    def _make_hot(self, key: tuple) -> None:
        start, sigs = key
        node = self._roots.setdefault(start, {})
        for sig in sigs:
            node = node.setdefault(sig, {})
        node[_END] = self._fused[key] = Sequence(self, sigs)
        self._counts.pop(key, None)

    def _drop(self, sequence: "Sequence") -> None:
        """A sequence that failed to run fused is not tried again."""
        for key, found in list(self._fused.items()):
            if found is sequence:
                del self._fused[key]
                node = self._roots.get(key[0])
                for sig in key[1]:
                    node = node.get(sig) if node is not None else None
                if node is not None:
                    node.pop(_END, None)


class Sequence:
    """One fused sequence: its programs (one per layout of its inputs) and what they write."""

    def __init__(self, fuser: Fuser, sigs: tuple):
        self.fuser, self.sigs = fuser, sigs
        self._programs: dict[tuple, Any] = {}
        self.paths: list[str] = []
        self.out = None            # (Layout of the float32 leaves written, other paths written)
        self.changes_shapes = False

    def run(self, state, calls: list) -> bool:
        """Run ``calls`` (this sequence's) as one program and store the results in ``state``;
        False (nothing changed) when it cannot."""
        if not self.paths:
            self.paths = list(state)
        arrays, recipe = sources(state, self.paths)
        program = self._programs.get(recipe)
        if program is None:
            if len(self._programs) >= MAX_RECIPES:
                return False
            program = self._programs[recipe] = jax.jit(self._program(recipe, calls))
        floats = np.array([v for call in calls if len(call) == 4 for v in call[2]], np.float32)
        values = [call[1] for call in calls if len(call) == 2]
        shapes = state.shapes() if self.out is None else None
        try:
            vec, others = program(arrays, floats, values)
        except Exception:  # noqa: BLE001 - any failure: the calls run one by one instead
            self._programs.pop(recipe, None)
            self.fuser._drop(self)
            return False
        packed_layout, other_paths = self.out
        packed = Packed(vec, packed_layout)
        put = dict.__setitem__
        for i, p in enumerate(packed_layout.paths):
            put(state, p, Slot(packed, i))
        for p, v in zip(other_paths, others):
            put(state, p, v)
        state.mark = None
        if shapes is not None:
            self.changes_shapes = state.shapes() != shapes
        if self.changes_shapes:
            self.fuser.ctx.shapes_changed(self)
        return True

    def _program(self, recipe: tuple, calls: list):
        ctx, paths, sigs = self.fuser.ctx, self.paths, self.sigs
        # a run's keyword values come in the order its compiled step takes them
        orders = [call[3] if len(call) == 4 else None for call in calls]

        def program(arrays, floats, values):
            self.fuser.compiles += 1            # runs only while jit traces
            # unpacking the inputs must not fuse into the first step's math (fused, XLA may
            # order a sum differently), nor may the keyword values
            leaves, floats, values = jax.lax.optimization_barrier(
                (leaves_of(arrays, recipe), floats, values))
            cur = dict(zip(paths, leaves))
            written: dict[str, None] = {}
            at_float = at_value = 0
            for sig, order in zip(sigs, orders):
                if order is None:                   # a set
                    new = {sig[0].path: values[at_value]}
                    at_value += 1
                else:                               # a run: its compiled step, inside
                    step = _step_at(ctx, sig[0], order, tuple(tuple(cur[p].shape) for p in paths))
                    kw = [floats[at_float + i] for i in step._takes]
                    at_float += len(order)
                    if step._constant:              # its results, computed once
                        vec, big = step._results
                    else:
                        vec, big, _ = step.inside([cur[p] for p in step._reads], kw,
                                                  _uncounted)
                    new = step.written_by(vec, big)
                cur.update(new)
                written.update(dict.fromkeys(new))
            floats32 = [p for p in written if cur[p].dtype == np.float32]
            others = [p for p in written if cur[p].dtype != np.float32]
            lay = layout(floats32, [cur[p].shape for p in floats32])
            self.out = (lay, others)
            return lay.pack([cur[p] for p in floats32]), [cur[p] for p in others]
        return program


class _CannotFuse(Exception):
    pass


def _step_at(ctx: Any, process: Any, order: list, shapes: tuple):
    """The compiled step ``process.run`` used with these keywords at these leaf shapes."""
    found = process._programs.get((("run", tuple(order), ()), shapes)) \
        if process._programs_version == ctx.structure_version else None
    if found is None or (found._constant and found._results is None):
        raise _CannotFuse(f"process {process.name!r} has no compiled step for these shapes")
    return found


def _uncounted() -> None:
    pass
