"""Steps: one component method each, the keywords they take, and running them on a state.

A process is an ordered list of steps. Running it, compiled or not, is ``apply(ctx, steps, slots,
keywords)``: bind ``slots`` as the Context's state, call every step with the keywords it names,
return the slots. Keywords split into *traced* ones (numbers and arrays: arguments of the compiled
program, so new values never recompile) and *static* ones (anything else: part of the compiled
program's identity).
"""
from __future__ import annotations

import inspect
import math
import numbers
from typing import Any, Callable, Iterable

import jax
import jax.numpy as jnp
import numpy as np

from ngclab.core import store
from ngclab.core.compartment import FLOAT32_MAX
from ngclab.core.component import Component


class ProcessError(TypeError):
    """A process that cannot run as asked (a missing keyword, a method that is not compilable)."""


class Step:
    """One ``@compilable`` method of one component, with the keywords it takes."""

    def __init__(self, method: Callable):
        comp = getattr(method, "__self__", None)
        if not isinstance(comp, Component):
            raise ProcessError(f"{method!r} is not a method of a component")
        func = method.__func__
        if not getattr(func, "_ngclab_compilable", False):
            raise ProcessError(f"{comp.path}.{func.__name__} is not marked @compilable, so a "
                               f"process cannot compile it")
        self.component, self.func, self.name = comp, func, func.__name__
        params = list(inspect.signature(func).parameters.values())[1:]
        self.takes_all = any(p.kind is p.VAR_KEYWORD for p in params)
        named = [p for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
        self.required = [p.name for p in named if p.default is p.empty]
        self.optional = [p.name for p in named if p.default is not p.empty]
        self._names = self.required + self.optional

    def __call__(self, keywords: dict) -> None:
        if self.takes_all:
            self.func(self.component, **keywords)
        else:
            self.func(self.component, **{k: keywords[k] for k in self._names if k in keywords})

    def rebound(self, component: Component) -> "Step | None":
        """The same method of another component (None if it has no such compilable method)."""
        method = getattr(component, self.name, None)
        try:
            return Step(method)
        except ProcessError:
            return None

    def __repr__(self) -> str:
        return f"{self.component.name}.{self.name}"


def keywords(steps: Iterable[Step]) -> tuple[list[str], list[str]]:
    """(required, optional) keyword names of the steps, in order of first use."""
    req: list[str] = []
    opt: list[str] = []
    for s in steps:
        req += [k for k in s.required if k not in req]
        opt += [k for k in s.optional if k not in opt and k not in req]
    return req, [k for k in opt if k not in req]


def traced_value(name: str, v: Any, where: str) -> Any:
    """A numeric keyword as a compiled step takes it (Python numbers become float32 scalars:
    np.float32 rather than jnp.asarray, so no device transfer per call), refused when it is
    not finite: a NaN ``dt`` would poison the whole state on the next step (so would a finite
    number beyond float32's range, which becomes inf)."""
    if isinstance(v, numbers.Number) and not isinstance(v, (np.ndarray, jax.Array)):
        if isinstance(v, complex) or not math.isfinite(v):
            raise ValueError(f"{where}: keyword {name}={v!r} must be a finite real number")
        if abs(v) > FLOAT32_MAX:
            raise ValueError(f"{where}: keyword {name}={v!r} overflows float32 (|x| <= "
                             f"{FLOAT32_MAX:.4g}); the state is float32")
        return np.float32(v)
    arr = v if isinstance(v, jax.Array) else jnp.asarray(v)
    if jnp.iscomplexobj(arr):
        raise ValueError(f"{where}: keyword {name} must be real, got dtype {arr.dtype}")
    if jnp.issubdtype(arr.dtype, jnp.inexact) and not bool(jnp.all(jnp.isfinite(arr))):
        raise ValueError(f"{where}: keyword {name} holds NaN or Inf")
    return arr


def split_keywords(where: str, steps: list[Step], kwargs: dict,
                   always: tuple = ("t", "dt")) -> tuple[dict, tuple]:
    """Check the keywords a process is given and split them into (traced, static)."""
    required, optional = keywords(steps)
    takes_all = any(s.takes_all for s in steps)
    unknown = [k for k in kwargs if k not in required and k not in optional
               and k not in always and not takes_all]
    if unknown:
        raise ProcessError(f"{where}: no method takes keyword {unknown[0]!r}; "
                           f"its methods take: {', '.join(required + optional) or 'nothing'}")
    missing = [k for k in required if k not in kwargs]
    if missing:
        k = missing[0]
        who = next(s for s in steps if k in s.required)
        raise ProcessError(f"{where} needs keyword {k!r} for "
                           f"{who.component.path}.{who.name}; pass it to run(), e.g. "
                           f"run({', '.join(f'{m}=...' for m in required)})")
    traced, static = {}, []
    for k, v in kwargs.items():
        if isinstance(v, (numbers.Number, np.ndarray, jax.Array)) and not isinstance(v, bool):
            traced[k] = traced_value(k, v, where)
        else:
            static.append((k, v))
    return traced, tuple(sorted(static, key=lambda kv: kv[0]))


def apply(ctx: Any, steps: list[Step], slots: dict, keywords: dict) -> dict:
    """Run (or trace) every step on ``slots`` as ``ctx``'s state; returns the new slots."""
    with store.bound(ctx, slots):
        for step in steps:
            step(keywords)
    return slots
