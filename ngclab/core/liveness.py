"""Liveness: which state leaves a step reads, writes, feeds back, and leaves settled.

One analysis serves ``run`` (pass only the leaves a step reads, return only those it writes),
``scan`` (carry only what a step feeds back to itself) and the order checks (which step reads
what another writes). A step ``fn(values, *args) -> (values, extras)`` over the state's leaves
(in ``paths`` order) is traced once to a jaxpr, without compiling, and read off:

- *written*: a leaf whose output is not simply its input;
- *read*: a leaf whose input value feeds something written, an extra output or an effect;
- *carried* = written and read (a scan's carry); *written only* (outputs recomputed every step);
  *read only* (constants of a loop);
- *settled*: carried leaves the step sets to a value that depends on nothing it is given (an
  error cell's one-step mask going back to ones): after one step they are constants;
- which of the extra arguments' leaves are needed at all (a scan makes no time array when
  nothing reads ``t``), and every output's shape (a step may change a batch size).

jit's cost per call grows with every argument and result, and XLA's while loop pays for every
element it carries, so passing only what is live keeps compiled steps as lean as hand-written
ones.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import jax
from jax.extend.core import Var


@dataclass(frozen=True)
class Liveness:
    paths: tuple[str, ...]
    read: tuple[str, ...]
    written: tuple[str, ...]
    settled: tuple[str, ...]
    args_needed: tuple[bool, ...]      # one flag per leaf of the flattened extra arguments
    shapes: dict                       # path -> shape after the step
    effectful: bool = False            # the step has effects (a debug callback, a print)

    @property
    def carried(self) -> list[str]:
        return [p for p in self.written if p in self._read_set]

    @property
    def written_only(self) -> list[str]:
        return [p for p in self.written if p not in self._read_set]

    @property
    def read_only(self) -> list[str]:
        written = set(self.written)
        return [p for p in self.read if p not in written]

    @property
    def _read_set(self) -> frozenset:
        return frozenset(self.read)

    def changes_shapes(self, state: dict) -> bool:
        """Whether the step gives some leaf another shape than it has in ``state``."""
        return any(tuple(state[p].shape) != s for p, s in self.shapes.items())


def analyse(fn: Callable, paths: list[str], values: list, *args: Any) -> Liveness:
    """Trace ``fn(values, *args) -> (new values, extras)`` and read its liveness off the jaxpr."""
    closed = jax.make_jaxpr(fn)(values, *args)
    jaxpr = closed.jaxpr
    n = len(paths)
    ins, arg_vars = jaxpr.invars[:n], jaxpr.invars[n:]
    new, extra = jaxpr.outvars[:n], jaxpr.outvars[n:]
    written = [i for i, (v, o) in enumerate(zip(ins, new)) if o is not v]
    needed = {new[i] for i in written if isinstance(new[i], Var)}
    needed |= {o for o in extra if isinstance(o, Var)}
    for eqn in reversed(jaxpr.eqns):
        if eqn.effects or any(o in needed for o in eqn.outvars):
            needed.update(v for v in eqn.invars if isinstance(v, Var))
    read = [p for p, v in zip(paths, ins) if v in needed]
    varies = set(jaxpr.invars)          # values that depend on what the step is given
    for eqn in jaxpr.eqns:
        if eqn.effects or any(isinstance(v, Var) and v in varies for v in eqn.invars):
            varies.update(eqn.outvars)
    read_set = set(read)
    settled = [paths[i] for i in written
               if paths[i] in read_set and not (isinstance(new[i], Var) and new[i] in varies)]
    shapes = {p: tuple(a.shape) for p, a in zip(paths, closed.out_avals[:n])}
    return Liveness(paths=tuple(paths), read=tuple(read),
                    written=tuple(paths[i] for i in written), settled=tuple(settled),
                    args_needed=tuple(v in needed for v in arg_vars), shapes=shapes,
                    effectful=bool(closed.effects))


def of_state_step(fn: Callable, state: dict, *args: Any) -> Liveness:
    """Liveness of ``fn(state_dict, *args) -> state_dict`` (a plain step with no extras)."""
    paths = list(state)

    def probe(values, *rest):
        out = fn(dict(zip(paths, values)), *rest)
        return [out[p] for p in paths], []

    return analyse(probe, paths, [state[p] for p in paths], *args)
