"""Processes: ordered lists of component methods, compiled into one step.

``MethodProcess("advance") >> a.advance_state >> b.advance_state`` lists the methods; ``run``
takes one step, ``scan`` takes many inside one ``jax.lax.scan``. Compiling binds the state dict
to tracers, calls the methods in order and returns the new dict (see ``store``). A compiled
step is cached per process and reused until the Context's structure changes; ``t``, ``dt``,
knobs and numeric keywords are traced arguments, so changing them never recompiles.
``compile_count`` counts traces.
"""
from __future__ import annotations

import inspect
import math
import numbers
from typing import Any, Callable, Iterable

import jax
import jax.numpy as jnp
import numpy as np

from ngclab.core import checks as _checks, store
from ngclab.core.compartment import Compartment
from ngclab.core.context import Context


_PLAIN_NUMBERS = (float, int)


def _traced_value(v: Any):
    """A keyword value as passed to a compiled step: Python numbers become float32 scalars
    (np.float32 rather than jnp.asarray: no device transfer per call, and jit sees the same
    strongly typed f32[] either way), arrays pass through."""
    if isinstance(v, numbers.Number) and not isinstance(v, (np.ndarray, jax.Array)):
        return np.float32(v)
    return v if isinstance(v, jax.Array) else jnp.asarray(v)


def footprint(fn: Callable, paths: list[str], state: dict, *args: Any) -> tuple[list, list]:
    """Which state leaves a step reads and which it writes: ``(read, written)`` path lists.

    ``fn(state, *args)`` returns the new state dict. It is traced once to a jaxpr (no
    compiling); a leaf is *written* when its output is not simply its input, and *read* when
    its input value feeds some written leaf. Compiled steps then pass only the read leaves in
    and the written ones out: jit's cost per call grows by a few microseconds per argument
    and per result, so a step that touches 10 of 30 leaves runs several times faster.
    """
    from jax.extend.core import Var

    def probe(values, *rest):
        new = fn(dict(zip(paths, values)), *rest)
        return [new[p] for p in paths]

    jaxpr = jax.make_jaxpr(probe)([state[p] for p in paths], *args).jaxpr
    ins = jaxpr.invars[:len(paths)]
    written = [i for i, (v, o) in enumerate(zip(ins, jaxpr.outvars)) if o is not v]
    needed = {jaxpr.outvars[i] for i in written if isinstance(jaxpr.outvars[i], Var)}
    for eqn in reversed(jaxpr.eqns):
        if eqn.effects or any(o in needed for o in eqn.outvars):
            needed.update(v for v in eqn.invars if isinstance(v, Var))
    read = [p for p, v in zip(paths, ins) if v in needed]
    return read, [paths[i] for i in written]


def _packable(ctx, path: str) -> bool:
    """Small float32 parameters, knobs and states (not inputs, which users set every step)."""
    comp, leaf = ctx.compartments.get(path), ctx.state[path]
    return comp is not None and comp.kind != "input" and leaf.dtype == jnp.float32 \
        and leaf.size <= 4096


class _CompiledStep:
    """A compiled step and the leaves it reads.

    jit's dispatch costs a few microseconds per argument, so the small float32 leaves a step
    reads but never writes (knobs, biases, small weights) go in as one bundle: one argument
    instead of a dozen. The bundle is rebuilt only when one of those leaves is a new array (a
    knob moved); a per-step ``run()`` loop then passes the bundle, the step's own state and
    the user's inputs (the step loop benchmark: about 1.4x the steps per second).
    """

    def __init__(self, fn: Callable, loose: list[str], packed: list[str], written: list[str],
                 names: list[str]):
        self.fn, self.loose, self.packed, self.written = fn, loose, packed, written
        self.names = names
        self.reads = loose + packed
        self._sources: list | None = None
        self._bundle = None
        self._pack = jax.jit(lambda vs: jnp.concatenate([v.ravel() for v in vs])) \
            if packed else None

    def __call__(self, state: dict, traced: dict) -> dict:
        bundle = None
        if self.packed:
            sources = [state[p] for p in self.packed]
            if self._sources is None or any(a is not b for a, b in zip(sources, self._sources)):
                self._bundle, self._sources = self._pack(sources), sources
            bundle = self._bundle
        # lists, not dicts: jit flattens a dict by sorting its keys on every call
        new = self.fn(bundle, [state[p] for p in self.loose], [traced[k] for k in self.names])
        return dict(zip(self.written, new))


class ProcessError(TypeError):
    """A process that cannot run as asked (a missing keyword, a method that is not compilable)."""


class _Step:
    """One method of one component, with the keywords it takes."""

    def __init__(self, method: Callable):
        comp = getattr(method, "__self__", None)
        from ngclab.core.component import Component
        if not isinstance(comp, Component):
            raise ProcessError(f"{method!r} is not a method of a component")
        func = method.__func__
        if not getattr(func, "_ngclab_compilable", False):
            raise ProcessError(f"{comp.path}.{func.__name__} is not marked @compilable, so a "
                               f"process cannot compile it")
        self.component, self.func, self.name = comp, func, func.__name__
        params = list(inspect.signature(func).parameters.values())[1:]
        self.takes_all = any(p.kind is p.VAR_KEYWORD for p in params)
        self.required = [p.name for p in params if p.default is p.empty
                         and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
        self.optional = [p.name for p in params if p.default is not p.empty
                         and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]

    def __call__(self, keywords: dict) -> None:
        if self.takes_all:
            self.func(self.component, **keywords)
        else:
            names = self.required + self.optional
            self.func(self.component, **{k: keywords[k] for k in names if k in keywords})

    def __repr__(self) -> str:
        return f"{self.component.name}.{self.name}"


class MethodProcess:
    """An ordered list of component methods that runs as one compiled step.

    Args:
        name: the process's name in its Context.
    """

    def __init__(self, name: str):
        ctx = Context.current()
        if ctx is None:
            raise RuntimeError(f"process {name!r}: create processes inside a `with Context():`")
        self.name, self.context = name, ctx
        self._steps: list[_Step] = []
        self._watch: list[Compartment] = []
        self._cache: dict = {}
        self._cache_version = -1
        self._run_plans: dict = {}   # keyword names -> (structure_version, compiled step)
        self.compile_count = 0
        ctx._add_process(self)

    # -- building ----------------------------------------------------------------------------
    def then(self, method: Callable) -> "MethodProcess":
        """Append a ``@compilable`` component method (``>>`` does the same)."""
        self._steps.append(self._checked_step(method))
        self.context.touch()
        return self

    def insert(self, index: int, method: Callable) -> "MethodProcess":
        """Insert a ``@compilable`` component method at ``index`` (as ``list.insert``)."""
        self._steps.insert(index, self._checked_step(method))
        self.context.touch()
        return self

    def remove_step(self, method: Callable) -> None:
        """Remove every occurrence of a component method from this process."""
        comp, name = getattr(method, "__self__", None), getattr(method, "__name__", None)
        before = len(self._steps)
        self._steps = [s for s in self._steps if not (s.component is comp and s.name == name)]
        if len(self._steps) == before:
            raise ValueError(f"process {self.name!r} does not run {method!r}")
        self.context.touch()

    def _checked_step(self, method: Callable) -> _Step:
        step = _Step(method)
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
    def steps(self) -> list[_Step]:
        """Every component method this process runs, in order."""
        return list(self._steps)

    @property
    def items(self) -> list:
        """What was chained with ``>>``, in order (methods; for a JointProcess, processes too)."""
        return list(self._steps)

    def _drop_component(self, comp) -> None:
        self._steps = [s for s in self._steps if s.component is not comp]
        self._watch = [c for c in self._watch if c.owner is not comp]

    def keywords(self) -> tuple[list[str], list[str]]:
        """(required, optional) keyword names of the methods, in order of first use."""
        req: list[str] = []
        opt: list[str] = []
        for s in self.steps:
            req += [k for k in s.required if k not in req]
            opt += [k for k in s.optional if k not in opt and k not in req]
        return req, [k for k in opt if k not in req]

    # -- compiling ---------------------------------------------------------------------------
    def _split_keywords(self, kwargs: dict) -> tuple[dict, tuple]:
        required, optional = self.keywords()
        takes_all = any(s.takes_all for s in self.steps)
        unknown = [k for k in kwargs if k not in required and k not in optional
                   and k not in ("t", "dt") and not takes_all]
        if unknown:
            raise ProcessError(f"process {self.name!r}: no method takes keyword {unknown[0]!r}; "
                               f"its methods take: {', '.join(required + optional) or 'nothing'}")
        missing = [k for k in required if k not in kwargs]
        if missing:
            k = missing[0]
            who = next(s for s in self.steps if k in s.required)
            raise ProcessError(f"process {self.name!r} needs keyword {k!r} for "
                               f"{who.component.path}.{who.name}; pass it to run(), e.g. "
                               f"run({', '.join(f'{m}=...' for m in required)})")
        traced, static = {}, []
        for k, v in kwargs.items():
            if isinstance(v, (numbers.Number, np.ndarray, jax.Array)) and not isinstance(v, bool):
                traced[k] = _traced_value(v)
            else:
                static.append((k, v))
        return traced, tuple(sorted(static, key=lambda kv: kv[0]))

    def _cached(self, key: tuple, build: Callable[[], Callable]) -> Callable:
        if self._cache_version != self.context.structure_version:
            self._cache.clear()
            self._cache_version = self.context.structure_version
        fn = self._cache.get(key)
        if fn is None:
            fn = self._cache[key] = build()
        return fn

    def _apply(self, slots: dict, keywords: dict) -> dict:
        """Trace (or eagerly run) every step on ``slots``; returns the new slots."""
        with store.bound(self.context, slots):
            for step in self.steps:
                step(keywords)
        return slots

    def _make_step(self, static: tuple, traced: dict) -> "_CompiledStep":
        """A compiled step ``(read leaves, traced) -> written leaves`` (see ``footprint``)."""
        state = self.context.state
        paths = list(state)

        def full(slots: dict, traced: dict) -> dict:
            return self._apply(dict(slots), {**traced, **dict(static)})

        read, written = footprint(full, paths, state, traced)
        # unread leaves only feed shape checks: zeros of their shape stand in for them
        blanks = {p: (state[p].shape, state[p].dtype) for p in paths if p not in read}
        packed = [p for p in read if p not in written and _packable(self.context, p)]
        offsets = np.cumsum([0] + [state[p].size for p in packed])

        loose = [p for p in read if p not in packed]

        names = sorted(traced)

        def one_step(bundle, inputs: list, values: list) -> list:
            self.compile_count += 1  # runs only while tracing: counts compilations
            traced = dict(zip(names, values))
            slots = {p: jnp.zeros(*blanks[p]) for p in blanks}
            slots.update(zip(loose, inputs))
            for p, lo, hi in zip(packed, offsets[:-1], offsets[1:]):
                slots[p] = bundle[lo:hi].reshape(state[p].shape)
            new = full({p: slots[p] for p in paths}, traced)
            return [new[p] for p in written]

        return _CompiledStep(jax.jit(one_step), loose, packed, written, names)

    # -- running -----------------------------------------------------------------------------
    def run(self, **kwargs: Any) -> dict | None:
        """Take one step, e.g. ``run(t=0., dt=1.)``; returns watched values if any."""
        if store.tracing():
            raise RuntimeError(f"process {self.name!r}: run() cannot be called inside a step")
        # Fast path (a per-step Python loop calls run() tens of thousands of times a second):
        # calls with the same keyword names, all plain numbers, reuse the compiled step found
        # last time without checking keywords or building cache keys again.
        names = tuple(kwargs)
        plan = self._run_plans.get(names)
        if plan is not None and plan[0] == self.context.structure_version \
                and all(type(v) in _PLAIN_NUMBERS for v in kwargs.values()):
            traced = {k: np.float32(v) for k, v in kwargs.items()}
            step = plan[1]
        else:
            traced, static = self._split_keywords(kwargs)
            _checks.check_order(self, traced, static)  # warns once per compiled structure
            step = self._cached(("run", tuple(sorted(traced)), static),
                                lambda: self._make_step(static, traced))
            if not static:
                self._run_plans[names] = (self.context.structure_version, step)
        state = self.context.state
        self.context.state = {**state, **step(state, traced)}
        if self._watch:
            return {c.path: c.get() for c in self._watch}
        return None

    def scan(self, steps: int, t0: float = 0.0, dt: float = 1.0, clamp: dict | None = None,
             record: Iterable = (), chunk: int | None = None, check_finite: bool = False,
             **kwargs: Any) -> dict:
        """Run ``steps`` steps in one compiled ``lax.scan``.

        Args:
            steps: number of steps (> 0).
            t0, dt: step ``i`` runs with ``t = t0 + i * dt``.
            clamp: ``{compartment: value}`` set at the start of every step; a value is an array
                of the compartment's shape (constant), an array with a leading time axis of
                length ``steps``, or a function of ``t`` (traced into the scan).
            record: compartments whose values after each step are returned.
            chunk: run in chunks of this many steps (one compiled chunk reused), keeping device
                memory bounded; recordings are gathered on the host.
            check_finite: stop at the first chunk in which a floating-point state leaf goes
                NaN/Inf: the state is restored to before that chunk and
                ``ngclab.core.checks.NonFiniteError`` (.path, .step, .snapshot) is raised.
            **kwargs: further keywords for the methods (numbers are traced).

        Returns:
            ``{path: array of shape (steps, *compartment shape)}`` for each recorded compartment.
        """
        from ngclab.core.scan import run_scan
        return run_scan(self, steps, t0, dt, clamp, record, chunk, kwargs,
                        check_finite=check_finite)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}: {' >> '.join(map(repr, self.steps))}>"


class JointProcess(MethodProcess):
    """Processes (or methods) run one after another as one step: ``JointProcess("p") >> p1 >> p2``."""

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
            if item is self:
                raise ProcessError(f"process {self.name!r} cannot contain itself")
            self._items.append(item)
        else:
            self._items.append(self._checked_step(item))
        self.context.touch()
        return self

    def insert(self, index: int, item: Any) -> "JointProcess":
        """Insert a process or a component method at ``index`` of :attr:`items`."""
        self.then(item)
        self._items.insert(index, self._items.pop())
        return self

    @property
    def items(self) -> list:
        return list(self._items)

    @property
    def steps(self) -> list[_Step]:
        out: list[_Step] = []
        for item in self._items:
            out.extend(item.steps if isinstance(item, MethodProcess) else [item])
        return out

    def _drop_component(self, comp) -> None:
        self._items = [i for i in self._items
                       if isinstance(i, MethodProcess) or i.component is not comp]
        super()._drop_component(comp)
