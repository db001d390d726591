"""Chained calls: a run() loop whose outputs nobody reads runs many steps per compiled call.

A ported script drives its circuit one ``run()`` per step; jit pays ~10 us per call on a small
circuit, more than the step's compute. Once a step runs lean (its outputs go unread,
``ngclab.core.deferred``), a call does not run at all: it records its inputs (the ones set from
outside between runs, and its keyword numbers) and leaves every leaf it writes as a ``Slot`` of
one ``Deferred`` standing for the last call's results. The next call extends the same record.
The first read of any of those leaves (a ``get()``, another process, a snapshot being read, a
save) runs the whole record as one program:

    for i in 0 .. k-2:   vec, fed = lean step(bundle, vec, inputs_i, keywords_i)
    results = full step(bundle, vec, inputs_{k-1}, keywords_{k-1})

which is the same arithmetic, step for step, as the k calls would have been (each step behind
an optimization barrier, so XLA compiles it as it compiles the step alone; the tests compare
bit for bit with chaining switched off). One program serves every length up to ``CHAIN_MAX``
(the loop's trip count is an argument; inputs that change between calls go in as that many
arrays); a record that reaches ``CHAIN_MAX`` calls, or holds ``HELD_MAX`` bytes of inputs that
changed between calls (big images streamed one per step), runs and the next call starts a new
one.

A record is extended only while nobody else holds its slots (the reference-count proof of
``CompiledStep._unshared``: a snapshot of the state keeps the values of its time; a leaf set
from outside replaced its slot) and while its keyword numbers are plain floats. When records
are read back after very few calls (a loop that reads an output every step), chaining goes off
for a while, as lean mode does.
"""
from __future__ import annotations

from typing import Callable

import jax
import jax.numpy as jnp
import numpy as np

from ngclab.core.state import Layout

CHAIN_MAX = 64           # calls one record holds before it runs by itself
HELD_MAX = 32 << 20      # bytes of changing inputs one record may hold before it runs
READS_PER_CALL = 1 / 3   # records read back more often than this: chaining goes off a while
MAX_BACKOFF = 4096


class Chain:
    """How one compiled step's calls are recorded and run (the ``lean`` of its ``Deferred``).

    Args:
        paths, shapes: every leaf the step writes (all float32) and its shape;
        where: per path, ``(index in big, None)`` or ``(None, index in out_layout)``;
        loose: the step's loose inputs in argument order, and of those ``fed_back``, the ones
        it writes itself (carried from step to step inside the program);
        n_taken: the keyword numbers it takes; carried: whether it reads its vector back;
        lean_body, full_body: ``(bundle, packed_in, values, counted) -> (vec, big)``;
        kept_big: the big leaves the lean body returns.
    """

    def __init__(self, paths: list, shapes: list, where: list, out_layout: Layout,
                 loose: list, fed_back: list, n_taken: int, carried: bool,
                 lean_body: Callable, full_body: Callable, kept_big: list):
        self.paths, self.where, self.out_layout = list(paths), where, out_layout
        self.layout = Layout(self.paths, shapes)
        self.fed_back = list(fed_back)
        self.hot = [p for p in loose if p not in self.fed_back]
        # where each loose input comes from inside the program: (0, j) fed back, (1, j) hot
        hot_at = {p: j for j, p in enumerate(self.hot)}
        fed_at = {p: j for j, p in enumerate(self.fed_back)}
        self._sources = [(0, fed_at[p]) if p in fed_at else (1, hot_at[p]) for p in loose]
        self._fed_out = [kept_big.index(p) for p in self.fed_back]
        self.n_taken, self.carried = n_taken, carried
        self._lean_body, self._full_body = lean_body, full_body
        self._programs: dict[tuple, Callable] = {}
        self.compiles = 0
        self.on, self.calls, self.reads = True, 0, 0
        self._backoff, self._wait = 4, 0
        self.held = 0                       # bytes of changing inputs the open record holds
        self._last_rows, self._taken = None, None   # the last record's keyword rows, on device

    def holds(self, first: list, hot: list) -> bool:
        """Whether the open record (its first call's inputs ``first``) can also hold this
        call's inputs ``hot`` within ``HELD_MAX`` bytes (inputs that stay the same array
        cost nothing: they go in once)."""
        for old, new in zip(first, hot):
            if new is not old:
                self.held += new.nbytes
        return self.held <= HELD_MAX

    # -- when to chain ------------------------------------------------------------------------
    def usable(self) -> bool:
        """Whether this call may be recorded (counts down the pause after too many reads)."""
        if self.on:
            return True
        self._wait -= 1
        if self._wait <= 0:
            self.on, self.calls, self.reads = True, 0, 0
        return self.on

    def called(self) -> None:
        """After a recorded call: records read back too often turn chaining off a while."""
        self.calls += 1
        if self.reads > self.calls * READS_PER_CALL:
            self.on, self._wait = False, self._backoff
            self._backoff = min(self._backoff * 4, MAX_BACKOFF)
        elif self.calls > 1024:             # weigh recent calls more than old ones
            self.calls, self.reads = self.calls // 2, self.reads // 2

    # -- running a record ---------------------------------------------------------------------
    def resolve(self, record: tuple) -> tuple:
        """``(vector, big)`` of the last recorded call: ``record`` is ``((bundle, vector,
        fed-back values), [(hot inputs, keyword numbers), ...])``."""
        (bundle, vec0, fed0), calls = record
        k = len(calls)
        first = calls[0][0]
        varies = tuple(any(c[0][j] is not first[j] for c in calls) for j in range(len(first)))
        const = [first[j] for j, v in enumerate(varies) if not v]
        pad = [calls[-1]] * (CHAIN_MAX - k)
        var = [[c[0][j] for c in calls + pad] for j, v in enumerate(varies) if v]
        rows = [c[1] for c in calls]
        # a loop gives the same dt every call: sent to the device once (never zeros, since
        # 0. == -0. and 1 / dt tells them apart)
        if rows != self._last_rows or any(0. in row for row in rows):
            taken = np.array(rows + [rows[-1]] * (CHAIN_MAX - k), np.float32)
            self._last_rows = rows
            self._taken = jnp.asarray(taken.reshape(CHAIN_MAX, self.n_taken)), jnp.int32(k)
        program = self._programs.get(varies)
        if program is None:
            program = self._programs[varies] = jax.jit(self._program(varies))
        return program(bundle, vec0, list(fed0), const, var, *self._taken)

    def _program(self, varies: tuple) -> Callable:
        const_at, var_at = {}, {}
        for j, v in enumerate(varies):
            (var_at if v else const_at)[j] = len(var_at if v else const_at)
        sources = [(0, j) if kind == 0 else (1, const_at[j]) if j in const_at else (2, var_at[j])
                   for kind, j in self._sources]
        fed_out, carried = self._fed_out, self.carried

        def program(bundle, vec0, fed0, const, var, taken, k):
            self.compiles += 1            # runs only while jit traces
            stacks = [jnp.stack(v) for v in var]

            def values_at(i, fed):
                loose = [fed[j] if kind == 0 else const[j] if kind == 1
                         else jax.lax.dynamic_index_in_dim(stacks[j], i, keepdims=False)
                         for kind, j in sources]
                row = jax.lax.dynamic_index_in_dim(taken, i, keepdims=False)
                return [*loose, *(row[n] for n in range(self.n_taken))]

            def body(i, carry):
                vec, fed = carry
                # each step compiles as it does alone (see the module docstring)
                b, v, values = jax.lax.optimization_barrier((bundle, vec, values_at(i, fed)))
                new, kept = self._lean_body(b, v, values, _uncounted)
                return (new if carried else None), [kept[n] for n in fed_out]

            vec, fed = jax.lax.fori_loop(0, k - 1, body, (vec0, list(fed0)))
            b, v, values = jax.lax.optimization_barrier((bundle, vec, values_at(k - 1, fed)))
            return self._full_body(b, v, values, _uncounted)
        return program


def _uncounted() -> None:
    pass
