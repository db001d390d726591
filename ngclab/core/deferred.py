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
    """Leaves one step wrote and nobody has read: ``resolve(args)`` computes them, once."""

    __slots__ = ("_args", "_resolve", "_on_read")

    def __init__(self, layout: Layout, resolve: Callable, args: tuple, on_read: Callable):
        self.layout, self._resolve, self._args, self._on_read = layout, resolve, args, on_read
        self._leaves = None

    @property
    def vector(self):
        return self.layout.pack_jitted(self.leaves())

    def leaf(self, i: int):
        return self.leaves()[i]

    def leaves(self) -> list:
        if self._leaves is None:
            self._leaves = self._resolve(self._args)
            self._args = None               # the inputs may be freed now
            self._on_read()
        return self._leaves


class Lean:
    """When one compiled step runs lean, and what its lean program leaves out.

    Args:
        deferred: the written leaves that may be deferred (float32, not read by the step);
        shapes: their shapes after the step.
    """

    def __init__(self, deferred: list[str], shapes: dict):
        self.paths = list(deferred)
        self.layout = Layout(self.paths, [shapes[p] for p in self.paths])
        self.on = False
        self.program = None                 # the lean program, compiled on first use
        self._need = QUIET_CALLS
        self._quiet = 0
        self._calls = 0
        self._reads = 0

    def quiet(self, unread: bool) -> None:
        """After a full call: were the outputs of the call before it still unread?"""
        self._quiet = self._quiet + 1 if unread else 0
        if self._quiet >= self._need:
            self.on, self._calls, self._reads = True, 0, 0

    def called(self) -> None:
        """After a lean call: too many reads of deferred leaves turn lean mode off."""
        self._calls += 1
        if self._reads > self._calls * READS_PER_CALL:
            self.on, self._quiet = False, 0
            self._need = min(self._need * 4, MAX_QUIET_CALLS)
        elif self._calls > 1024:            # weigh recent calls more than old ones
            self._calls, self._reads = self._calls // 2, self._reads // 2

    def read(self) -> None:
        self._reads += 1
