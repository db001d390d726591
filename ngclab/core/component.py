"""Components: the cells and synapses of a circuit.

A component declares its compartments and knobs in ``__init__`` and writes its update rules as
``@compilable`` methods that read and write them with ``get()`` / ``set()``::

    class Leak(Component):
        '''tau dv/dt = -v + j'''
        def __init__(self, name, n_units, tau=10., **kwargs):
            super().__init__(name, **kwargs)
            self.j = Compartment(jnp.zeros((1, n_units)), kind="input")
            self.v = Compartment(jnp.zeros((1, n_units)), kind="output")
            self.tau = Knob(tau, low=1e-6)

        @compilable
        def advance_state(self, dt):
            self.v.set(self.v.get() + dt / self.tau * (self.j.get() - self.v.get()))

Methods take ``t``, ``dt`` and any other keyword by name; a process passes each method the
keywords it names. The constructor's arguments are recorded, so the Context can describe the
component (``graph()``) and write code that rebuilds it (``to_code()``).
"""
from __future__ import annotations

import functools
import inspect
import zlib
from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np

from ngclab.core.compartment import Compartment, Knob
from ngclab.core import context as _context


def compilable(method: Callable) -> Callable:
    """Mark a component method as one a process may compile (trace into a step)."""
    method._ngclab_compilable = True
    return method


def _record_init(init: Callable) -> Callable:
    sig = inspect.signature(init)

    @functools.wraps(init)
    def recording_init(self, *args, **kwargs):
        if "_init_args" not in self.__dict__:  # only the outermost (most derived) call records
            bound = sig.bind(self, *args, **kwargs)
            bound.apply_defaults()
            recorded: dict[str, Any] = {}
            for pname, param in sig.parameters.items():
                if pname == "self":
                    continue
                if param.kind is inspect.Parameter.VAR_KEYWORD:
                    recorded.update(bound.arguments.get(pname, {}))
                elif param.kind is not inspect.Parameter.VAR_POSITIONAL:
                    recorded[pname] = bound.arguments[pname]
            object.__setattr__(self, "_init_args", recorded)
            object.__setattr__(self, "_init_defaults", {
                p: v.default for p, v in sig.parameters.items()
                if v.default is not inspect.Parameter.empty})
            try:
                init(self, *args, **kwargs)
            except BaseException:
                _unregister(self)  # a constructor that fails leaves its Context unchanged
                raise
        else:
            init(self, *args, **kwargs)

    return recording_init


def _unregister(comp: "Component") -> None:
    ctx = comp.__dict__.get("context")
    if ctx is not None and ctx.components.get(comp.__dict__.get("name")) is comp:
        ctx.remove(comp.name)


class Component:
    """Base class of every cell and synapse.

    Args:
        name: the component's name, unique in its Context (no ``/`` or ``:``).
        key: a JAX PRNG key (or an int seed) for this component's randomness; by default one
            is derived from the component's path, so a circuit is reproducible.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "__init__" in cls.__dict__:
            cls.__init__ = _record_init(cls.__dict__["__init__"])

    def __init__(self, name: str, key: Any = None, **kwargs: Any):
        ctx = _context.Context.current()
        if ctx is None:
            raise RuntimeError(f"{type(self).__name__} {name!r}: create components inside a "
                               f"`with Context(name):` block")
        if not isinstance(name, str) or not name or any(ch in name for ch in "/: "):
            raise ValueError(f"{type(self).__name__}: invalid component name {name!r} (a "
                             f"non-empty string without '/', ':' or spaces)")
        if kwargs:  # a misspelt parameter would otherwise pass silently
            raise TypeError(f"{type(self).__name__} {name!r}: unexpected keyword argument(s) "
                            f"{sorted(kwargs)}")
        if "_init_args" not in self.__dict__:
            object.__setattr__(self, "_init_args", {"name": name, "key": key})
            object.__setattr__(self, "_init_defaults", {})
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "context", ctx)
        object.__setattr__(self, "path", f"{ctx.name}/{name}")
        object.__setattr__(self, "_compartments", {})
        ctx._add_component(self)
        if key is None:
            key = jax.random.PRNGKey(zlib.crc32(self.path.encode()))
        elif isinstance(key, (int, np.integer)):
            key = jax.random.PRNGKey(int(key))
        self.key = Compartment(key, kind="state")

    # compartments assigned as attributes become slots of the Context's state
    def __setattr__(self, attr: str, value: Any) -> None:
        if isinstance(value, Compartment):
            comps = self.__dict__.get("_compartments")
            if comps is None:
                raise RuntimeError(f"{type(self).__name__}: call super().__init__(name, ...) "
                                   f"before declaring compartments")
            if value.owner is not None and value.owner is not self:
                raise ValueError(f"{self.path}.{attr}: {value.path} already belongs to "
                                 f"another component; wire it instead")
            old = comps.get(attr)
            if old is not None and old is not value:
                self.context._drop_compartment(old)
            value._bind(self, attr)
            comps[attr] = value
            self.context._add_compartment(value)
        elif attr in self.__dict__.get("_compartments", {}):
            raise AttributeError(f"{self.path}.{attr} is a compartment; use "
                                 f"{attr}.set(value) to change its value")
        object.__setattr__(self, attr, value)

    # -- introspection -----------------------------------------------------------------------
    @property
    def compartments(self) -> dict[str, Compartment]:
        """This component's compartments by name, in declaration order."""
        return dict(self._compartments)

    @property
    def knobs(self) -> dict[str, Knob]:
        return {n: c for n, c in self._compartments.items() if isinstance(c, Knob)}

    @property
    def hyperparameters(self) -> dict[str, Any]:
        """The constructor's arguments (as given, with defaults filled in)."""
        return dict(self._init_args)

    @classmethod
    def methods(cls) -> list[str]:
        """Names of the methods a process may run."""
        return [n for n, f in inspect.getmembers(cls, callable)
                if getattr(f, "_ngclab_compilable", False)]

    @classmethod
    def help(cls) -> dict:
        """ngc-learn style description: compartments, dynamics and hyperparameters.

        Components override this; the default lists the constructor's parameters.
        """
        params = inspect.signature(cls.__init__).parameters
        return {cls.__name__: {"description": (cls.__doc__ or "").strip().split("\n")[0]},
                "compartments": {},
                "dynamics": "",
                "hyperparameters": {p: "" for p in params if p not in ("self", "kwargs")}}

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} {self.name!r} ({self.path})"]
        for cname, comp in self._compartments.items():
            val = np.asarray(comp.get())
            wired = f" <- {comp.source!r}" if comp.targeted else ""
            if comp.kind == "knob":
                stats = f"= {float(val):.6g}"
            elif cname == "key" or val.size == 0 or not np.issubdtype(val.dtype, np.number):
                stats = ""
            else:
                stats = (f"mean={val.mean():.4g} min={val.min():.4g} max={val.max():.4g}")
            lines.append(f"  {cname:<12} {comp.kind:<9} {str(val.shape):<14} {stats}{wired}")
        return "\n".join(lines)
