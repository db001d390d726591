"""Processes: ordered lists of component methods, compiled into one step.

``MethodProcess("advance") >> a.advance_state >> b.advance_state`` lists the methods; ``run``
takes one step, ``scan`` takes many inside one compiled program. Compiling binds the state dict
to tracers, calls the methods in order and returns the new dict (see ``store``). A compiled
program is cached per process, structure and leaf shapes, and reused; ``t``, ``dt``, knobs and
numeric keywords are traced arguments, so changing them never recompiles. ``compile_count``
counts traces.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

import numpy as np

from ngclab.core import checks, compiled, store
from ngclab.core.compartment import FLOAT32_MAX, Compartment
from ngclab.core.scanning import run_scan
from ngclab.core.sweep import run_sweep
from ngclab.core.steps import ProcessError, Step, keywords as _keywords, split_keywords

_PLAIN_NUMBERS = (float, int)


class MethodProcess:
    """An ordered list of component methods that runs as one compiled step.

    Args:
        name: the process's name in its Context.
    """

    joint = False

    def __init__(self, name: str):
        ctx = store.active_context()
        if ctx is None:
            raise RuntimeError(f"process {name!r}: create processes inside a `with Context():`")
        self.name, self.context = name, ctx
        self._steps: list[Step] = []
        self._watch: list[Compartment] = []
        self._programs: dict = {}
        self._programs_version = -1
        self._run_plans: dict = {}   # (keyword names, shape id) -> (structure, compiled step)
        self._last_run: tuple | None = None   # (shapes, structure, names, step) of the last run
        self._order_checked = -1
        self.compile_count = 0
        self._fusable: dict = {}     # keyword names -> the order their values go in (fusion)
        self._fusable_version = -1
        ctx._add_process(self)

    # -- building ----------------------------------------------------------------------------
    def then(self, method: Callable) -> "MethodProcess":
        """Append a ``@compilable`` component method (``>>`` does the same)."""
        self._steps.append(self._checked_step(method))
        self.context.structure_changed()
        return self

    def insert(self, index: int, method: Callable) -> "MethodProcess":
        """Insert a ``@compilable`` component method at ``index`` (as ``list.insert``)."""
        self._steps.insert(index, self._checked_step(method))
        self.context.structure_changed()
        return self

    def remove_step(self, method: Callable) -> None:
        """Remove every occurrence of a component method from this process."""
        comp, name = getattr(method, "__self__", None), getattr(method, "__name__", None)
        before = len(self._steps)
        self._steps = [s for s in self._steps if not (s.component is comp and s.name == name)]
        if len(self._steps) == before:
            raise ValueError(f"process {self.name!r} does not run {method!r}")
        self.context.structure_changed()

    def _checked_step(self, method: Callable) -> Step:
        step = Step(method)
        if step.component.context is not self.context:
            raise ProcessError(f"{step.component.path}.{step.name} belongs to another Context "
                               f"than process {self.name!r} ({self.context.name!r})")
        return step

    def __rshift__(self, method: Callable) -> "MethodProcess":
        return self.then(method)

    def watch(self, *compartments: Compartment) -> "MethodProcess":
        """Compartments ``run`` returns the values of (ngc-learn's watch list)."""
        self._watch.extend(self.context.compartment(c) for c in compartments)
        return self

    @property
    def steps(self) -> list[Step]:
        """Every component method this process runs, in order."""
        return list(self._steps)

    @property
    def items(self) -> list:
        """What was chained with ``>>``, in order (methods; for a JointProcess, processes too)."""
        return list(self._steps)

    @property
    def watched(self) -> list[Compartment]:
        return list(self._watch)

    def drop_component(self, comp) -> None:
        """Forget every step and watched compartment of a removed component."""
        self._steps = [s for s in self._steps if s.component is not comp]
        self._watch = [c for c in self._watch if c.owner is not comp]

    def rebind_component(self, old, new) -> list[str]:
        """Point the steps and watched compartments of ``old`` at ``new`` (a rebuilt component
        of the same name), in place; returns messages for those ``new`` has no match for."""
        self._steps, dropped = _rebind_steps(self._steps, old, new, self.name)
        watch = []
        for c in self._watch:
            if c.owner is not old:
                watch.append(c)
            elif c.name in new.compartments:
                watch.append(new.compartments[c.name])
            else:
                dropped.append(f"process {self.name!r}: {new.path} has no compartment "
                               f"{c.name!r}; it is no longer watched")
        self._watch = watch
        return dropped

    def keywords(self) -> tuple[list[str], list[str]]:
        """(required, optional) keyword names of the methods, in order of first use."""
        return _keywords(self.steps)

    # -- what the engines use ----------------------------------------------------------------
    def split(self, kwargs: dict) -> tuple[dict, tuple]:
        """Check the keywords and split them into (traced, static)."""
        return split_keywords(f"process {self.name!r}", self.steps, kwargs)

    def check_order(self, traced: dict, static: tuple) -> None:
        """Warn about order hazards once per structure of the model."""
        if self._order_checked != self.context.structure_version:
            self._order_checked = self.context.structure_version
            checks.warn_order(f"process {self.name!r}", self.context, self.steps, traced, static)

    def program(self, key: tuple, build: Callable[[], Any]) -> Any:
        """The compiled program for ``key`` at the current structure and leaf shapes."""
        ctx = self.context
        if self._programs_version != ctx.structure_version:
            self._programs.clear()
            self._programs_version = ctx.structure_version
        key = (key, ctx.shape_signature())
        found = self._programs.get(key)
        if found is None:
            found = self._programs[key] = build()
        return found

    def count_compile(self) -> None:
        self.compile_count += 1

    @property
    def lean_compile_count(self) -> int:
        """Compilations of the lean programs of this process's cached run() steps, counted
        apart from ``compile_count`` (one per step that has gone lean; ``ngclab.core.deferred``)."""
        return sum(getattr(p, "lean_compiles", 0) for p in self._programs.values())

    @property
    def gathered_compile_count(self) -> int:
        """Compilations of the programs that take a cached run() step's inputs from other
        steps' packed vectors as they are, counted apart from ``compile_count`` (at most
        ``compiled.MAX_RECIPES`` per step; see ``CompiledStep._first_call``)."""
        return sum(getattr(p, "gathered_compiles", 0) for p in self._programs.values())

    @property
    def chain_compile_count(self) -> int:
        """Compilations of the programs that run a cached run() step's recorded calls
        together, counted apart from ``compile_count`` (``ngclab.core.chain``)."""
        return sum(p._chain.compiles for p in self._programs.values()
                   if getattr(p, "_chain", None) is not None)

    # -- running -----------------------------------------------------------------------------
    def run(self, **kwargs: Any) -> dict | None:
        """Take one step, e.g. ``run(t=0., dt=1.)``; returns watched values if any."""
        if store.tracing():
            raise RuntimeError(f"process {self.name!r}: run() cannot be called inside a step")
        with self.context.lock:    # the state changes (another thread may be changing it)
            return self._run(kwargs)

    def _run(self, kwargs: dict) -> dict | None:
        ctx = self.context
        fuser = ctx.fuser
        # a call the Context's fuser may record (see fusion): plain-number keywords, the
        # process's compiled step known to have no effects, nothing watched
        names = tuple(kwargs)
        sig = (self, names)
        order = self._fusable.get(names) if self._fusable_version == ctx.structure_version \
            and not self._watch else None
        floats = None
        if order is not None:
            floats = []
            for k in order:
                v = kwargs[k]
                if type(v) not in _PLAIN_NUMBERS or not -FLOAT32_MAX <= v <= FLOAT32_MAX:
                    break
                floats.append(float(v))
            else:
                if fuser.offer(sig):
                    fuser.record((sig, kwargs, floats, order))
                    return None
                checked, order = order, ()   # the floats, checked in this order
        if order != ():
            floats = None
            fuser.spoil()
        # Fast path (a per-step Python loop calls run() tens of thousands of times a second):
        # a call with the same keyword names as the last one, at the same structure and leaf
        # shapes, all plain numbers within float32's range (NaN fails the comparison), reuses
        # the compiled step found last time without checking keywords or building cache keys.
        # Other shapes seen before (alternating batch sizes) find their step by shape id.
        last = self._last_run
        if last is None or last[0] != ctx.shape_version or last[1] != ctx.structure_version \
                or last[2] != names:
            plan = self._run_plans.get((names, ctx.shape_id()))
            last = None
            if plan is not None and plan[0] == ctx.structure_version:
                last = self._last_run = (ctx.shape_version, ctx.structure_version, names, plan[1])
        # keyword numbers go to the compiled step as Python floats: jit takes those several
        # microseconds faster than NumPy scalars (the step makes them float32 again)
        values = None
        if last is not None and floats is not None and last[3].names == checked:
            values = floats
        elif last is not None:
            values = []
            for k in last[3].names:
                v = kwargs[k]
                if type(v) not in _PLAIN_NUMBERS or not -FLOAT32_MAX <= v <= FLOAT32_MAX:
                    values = None
                    break
                values.append(float(v))
        static_given = False
        if values is not None:
            step = last[3]
        else:
            traced, static = self.split(kwargs)
            static_given = bool(static)
            self.check_order(traced, static)
            step = self.program(("run", tuple(sorted(traced)), static),
                                lambda: compiled.CompiledStep(ctx, self.steps, static, traced,
                                                              self.count_compile))
            values = [float(v) if type(v) is np.float32 else v
                      for v in (traced[k] for k in step.names)]
            if not static:
                self._run_plans[(names, ctx.shape_id())] = (ctx.structure_version, step)
                self._last_run = (ctx.shape_version, ctx.structure_version, names, step)
        state = ctx._state
        new = step(state, values)          # the results go into the state itself
        if new is not state:
            ctx.state = new
        if step.changes_shapes:
            ctx.shapes_changed(step)   # the same step from the same shapes: the same new shapes
        if self._watch:
            return {c.path: c.get() for c in self._watch}
        if order == ():
            fuser.done(sig)
        elif not static_given and not step.effectful:
            self._fuse_as(names, step.names)
        return None

    def _fuse_as(self, names: tuple, order: list) -> None:
        """Calls with keywords ``names`` may be recorded (see fusion), their values taken in
        ``order`` (the compiled step's)."""
        if self._fusable_version != self.context.structure_version:
            self._fusable, self._fusable_version = {}, self.context.structure_version
        self._fusable[names] = list(order)

    def scan(self, steps: int, t0: float = 0.0, dt: float = 1.0, clamp: dict | None = None,
             record: Iterable | dict = (), chunk: int | None = None,
             check_finite: bool = False, sweep: dict | None = None, final: bool = False,
             devices: Iterable | None = None, **kwargs: Any) -> dict:
        """Run ``steps`` steps in one compiled program.

        Args:
            steps: number of steps (> 0).
            t0, dt: step ``i`` runs with ``t = t0 + i * dt``.
            clamp: ``{compartment: value}`` set at the start of every step; a value is an array
                of the compartment's shape (constant; a batched compartment takes any batch
                size), an array with a leading time axis of length ``steps``, a function of
                ``t`` (traced into the scan), or a knob.
            record: compartments whose values after each step are returned, or ``{compartment:
                how}`` with how one of "mean", "sum", "max", "min", "last" (one value for the
                whole run: memory does not grow with steps), a function of the value (recorded
                every step), or None (the value, every step).
            chunk: run in chunks of this many steps (one compiled chunk reused), keeping device
                memory bounded; recordings are gathered on the host.
            check_finite: stop at the first chunk in which a floating-point state leaf goes
                NaN/Inf: the state is restored to before that chunk and
                ``ngclab.core.checks.NonFiniteError`` (.path, .step, .snapshot) is raised.
            sweep: run many members as one program (see ``ngclab.core.sweep``): ``{knob:
                values, compartment: per-member clamp values, "seed": count or seeds}``, or
                ``ngclab.grid({...})``. Records get a leading member axis; the model's own
                state is not changed.
            final: with a sweep, also keep every member's final state (``result.member(i)``).
            devices: with a sweep, the devices its members are split over (default: all).
            **kwargs: further keywords for the methods (numbers are traced).

        Returns:
            ``{path: array}``: a trace of shape ``(steps, *compartment shape)``, or a
            reduction of the compartment's shape; with a sweep a ``SweepResult``.
        """
        if sweep is not None:
            if check_finite:
                raise ValueError(f"process {self.name!r}: check_finite is not available with "
                                 f"a sweep (record a reduction and check it afterwards)")
            return run_sweep(self, steps, t0, dt, clamp, record, chunk, kwargs, sweep,
                             final=final, devices=devices)
        if final or devices is not None:
            raise ValueError(f"process {self.name!r}: final= and devices= go with sweep=")
        with self.context.lock:
            return run_scan(self, steps, t0, dt, clamp, record, chunk, kwargs,
                            check_finite=check_finite)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}: {' >> '.join(map(repr, self.steps))}>"


def _rebind_steps(steps: list, old, new, where: str) -> tuple[list, list[str]]:
    out, dropped = [], []
    for s in steps:
        if not isinstance(s, Step) or s.component is not old:
            out.append(s)
            continue
        again = s.rebound(new)
        if again is None:
            dropped.append(f"process {where!r}: {new.path} has no compilable method "
                           f"{s.name!r}; that step was dropped")
        else:
            out.append(again)
    return out, dropped


class JointProcess(MethodProcess):
    """Processes (or methods) run one after another as one step: ``JointProcess("p") >> p1 >> p2``."""

    joint = True

    def __init__(self, name: str, *processes: MethodProcess):
        self._items: list = []
        super().__init__(name)
        for p in processes:
            self.then(p)

    def then(self, item: Any) -> "JointProcess":
        if isinstance(item, MethodProcess):
            if item.context is not self.context:
                raise ProcessError(f"process {item.name!r} belongs to another Context than "
                                   f"process {self.name!r}")
            if item is self or (item.joint and self in _all_processes(item)):
                raise ProcessError(f"process {self.name!r} cannot contain itself")
            self._items.append(item)
        else:
            self._items.append(self._checked_step(item))
        self.context.structure_changed()
        return self

    def insert(self, index: int, item: Any) -> "JointProcess":
        """Insert a process or a component method at ``index`` of :attr:`items`."""
        self.then(item)
        self._items.insert(index, self._items.pop())
        return self

    def remove_step(self, item: Any) -> None:
        """Remove every occurrence of a process or component method from :attr:`items`."""
        if isinstance(item, MethodProcess):
            before = len(self._items)
            self._items = [i for i in self._items if i is not item]
            if len(self._items) == before:
                raise ValueError(f"process {self.name!r} does not run process {item.name!r}")
            self.context.structure_changed()
            return
        comp, name = getattr(item, "__self__", None), getattr(item, "__name__", None)
        before = len(self._items)
        self._items = [i for i in self._items if isinstance(i, MethodProcess)
                       or not (i.component is comp and i.name == name)]
        if len(self._items) == before:
            raise ValueError(f"process {self.name!r} does not run {item!r}")
        self.context.structure_changed()

    @property
    def items(self) -> list:
        return list(self._items)

    @property
    def steps(self) -> list[Step]:
        out: list[Step] = []
        for item in self._items:
            out.extend(item.steps if isinstance(item, MethodProcess) else [item])
        return out

    def drop_component(self, comp) -> None:
        self._items = [i for i in self._items
                       if isinstance(i, MethodProcess) or i.component is not comp]
        super().drop_component(comp)

    def rebind_component(self, old, new) -> list[str]:
        self._items, dropped = _rebind_steps(self._items, old, new, self.name)
        return dropped + super().rebind_component(old, new)


def _all_processes(proc: MethodProcess) -> list[MethodProcess]:
    out = [proc]
    for item in getattr(proc, "items", []):
        if isinstance(item, MethodProcess):
            out += _all_processes(item) if item.joint else [item]
    return out

