"""Deferred outputs: what a run() loop does not read, its step does not compute.

A compiled step writes every compartment its methods set. A training loop ported from ngc-learn
runs ``advance`` ten times per mini-batch and reads the losses, error signals and layer outputs
once, after the last run (``evolve`` reads them, then the loss); the nine runs before compute them
for nobody. In the ``minibatch`` benchmark's PCN the step's own compute was 2.4x that of the four
arrays the training needs.

So a step that has seen its outputs go unread (``Lean.quiet``: its last few calls found the slots
it stored untouched) switches to a lean program: the same arguments, but it returns only the
leaves the step reads back on its next call (and non-float ones); every other leaf it writes goes
into the state as a ``Slot`` of a ``Deferred``: the step's arguments (immutable arrays) and its full
program. The first read of any of them runs the full program on those arguments, so a deferred
value is exactly the value the full step gives; a run before anyone reads them drops them
uncomputed.

When deferred leaves are read often (one read per three lean calls or more: a loop that plots an
output every step), the step goes back to its full program and waits four times longer before
trying again.
"""
from __future__ import annotations

from typing import Callable

from ngclab.core.state import Layout, Packed

QUIET_CALLS = 4          # calls with unread outputs before a step goes lean
MAX_QUIET_CALLS = 4096
READS_PER_CALL = 1 / 3   # more deferred reads per lean call than this: back to the full program


class Deferred(Packed):
    """Leaves one step wrote and nobody has read: the step's full program run on ``args`` the
    first time one of them is read (``lean.resolve``), then sliced as they are asked for."""

    __slots__ = ("_args", "_lean", "_out")

    def __init__(self, lean: "Lean", args: tuple):
        self.layout, self._lean = lean.layout, lean
        self.renew(args)

    def renew(self, args: tuple) -> None:
        """Stand for the next call's outputs (only when nobody holds this one's slots)."""
        self._args, self._out, self._leaves = args, None, None

    @property
    def vector(self):
        return self.layout.pack_jitted(self.leaves())

    def leaf(self, i: int):
        return self.some((i,))[0]

    def leaves(self) -> list:
        if self._leaves is None:
            self._leaves = self.some(tuple(range(len(self.layout.paths))))
        return self._leaves

    def _resolved(self) -> tuple:
        """The full program's results (run now, on the first read)."""
        if self._out is None:
            self._lean.reads += 1
        return self.settled()

    def settled(self) -> tuple:
        """The full program's results, run now if not yet, without counting a read (the
        step that wrote them asks, to go on from them)."""
        if self._out is None:
            self._out = self._lean.resolve(self._args)
            self._args = None               # the inputs may be freed now
        return self._out

    def source(self, i: int) -> tuple:
        if self._leaves is not None:
            return self._leaves[i], None, None
        vec, big = self._resolved()
        j, at = self._lean.where[i]
        return (big[j], None, None) if j is not None else (vec, self._lean.out_layout, at)

    def some(self, indices: tuple) -> list:
        if self._leaves is not None:
            return [self._leaves[i] for i in indices]
        lean = self._lean
        vec, big = self._resolved()
        at_vec = tuple(lean.where[i][1] for i in indices if lean.where[i][0] is None)
        sliced = iter(lean.out_layout.some(vec, at_vec) if at_vec else ())
        return [big[lean.where[i][0]] if lean.where[i][0] is not None else next(sliced)
                for i in indices]


class Lean:
    """When one compiled step runs lean, and what its lean program leaves out.

    Args:
        deferred: the written leaves that may be deferred (float32, not read by the step);
        shapes: their shapes after the step.
    """

    def __init__(self, deferred: list[str], shapes: dict, out_layout: Layout, big: list,
                 resolve: Callable):
        self.paths = list(deferred)
        self.layout = Layout(self.paths, [shapes[p] for p in self.paths])
        # where each deferred leaf is in the full program's results: (index in big, None) or
        # (None, index in the vector of out_layout)
        self.where = [(big.index(p), None) if p in big else (None, out_layout.index[p])
                      for p in self.paths]
        self.out_layout, self.resolve = out_layout, resolve
        self.on = False
        self.program = None                 # the lean program (set by the compiled step)
        self._need = QUIET_CALLS
        self._quiet = 0
        self._calls = 0
        self.reads = 0

    def quiet(self, unread: bool) -> None:
        """After a full call: were the outputs of the call before it still unread?"""
        self._quiet = self._quiet + 1 if unread else 0
        if self._quiet >= self._need:
            self.on, self._calls, self.reads = True, 0, 0

    def called(self) -> None:
        """After a lean call: too many reads of deferred leaves turn lean mode off."""
        self._calls += 1
        if self.reads > self._calls * READS_PER_CALL:
            self.on, self._quiet = False, 0
            self._need = min(self._need * 4, MAX_QUIET_CALLS)
        elif self._calls > 1024:            # weigh recent calls more than old ones
            self._calls, self.reads = self._calls // 2, self.reads // 2
