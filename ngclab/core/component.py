"""Components: the cells and synapses of a circuit.

A component lists its compartments and knobs as class annotations (so a reader, ``help()``, the
graph and the editor see them without building one), declares them in ``__init__`` and writes
its update rules as ``@compilable`` methods that read and write them with ``get()`` / ``set()``::

    class Leak(Component):
        '''tau dv/dt = -v + j'''
        j: Compartment
        v: Compartment
        tau: Knob

        def __init__(self, name, n_units, tau=10., **kwargs):
            super().__init__(name, **kwargs)
            self.j = Compartment(jnp.zeros((1, n_units)), kind="input")
            self.v = Compartment(jnp.zeros((1, n_units)), kind="output")
            self.tau = Knob(tau, low=1e-6)

        @compilable
        def advance_state(self, dt):
            self.v.set(self.v.get() + dt / self.tau * (self.j.get() - self.v.get()))

A component joins its Context when its whole ``__init__`` has succeeded: a constructor that
raises leaves the Context as it was. Methods take ``t``, ``dt`` and any other keyword by name; a
process passes each method the keywords it names. The constructor's arguments are recorded, so
the Context can describe the component (``graph()``) and write code that rebuilds it
(``to_code()``).
"""
from __future__ import annotations

import functools
import inspect
import zlib
from typing import Any, Callable

import jax
import numpy as np

from ngclab.core import npzfiles, store
from ngclab.core.compartment import Compartment, Knob

#: every Component subclass defined in this process, by "module.QualName" (ngclab's own also by
#: "ngclab.components.ClassName"): what a model file may name (see ngcformat)
_CLASSES: dict[str, type] = {}


def registered_classes() -> dict[str, type]:
    """Component classes a model file may name (those defined so far), by class path.
    ``import ngclab`` defines the built-in ones."""
    return dict(_CLASSES)


def compilable(method: Callable) -> Callable:
    """Mark a component method as one a process may compile (trace into a step)."""
    method._ngclab_compilable = True
    return method


def _recorded_arguments(sig: inspect.Signature, args: tuple, kwargs: dict) -> dict[str, Any]:
    bound = sig.bind(None, *args, **kwargs)
    bound.apply_defaults()
    recorded: dict[str, Any] = {}
    for pname, param in list(sig.parameters.items())[1:]:
        if param.kind is inspect.Parameter.VAR_KEYWORD:
            recorded.update(bound.arguments.get(pname, {}))
        elif param.kind is not inspect.Parameter.VAR_POSITIONAL:
            recorded[pname] = bound.arguments[pname]
    return recorded


def _constructor(init: Callable) -> Callable:
    """Wrap a class's ``__init__``: the outermost call records the arguments, runs the whole
    constructor, and only then registers the component with its Context."""
    sig = inspect.signature(init)

    @functools.wraps(init)
    def construct(self, *args, **kwargs):
        if "_init_args" in self.__dict__:        # a super().__init__ call inside a constructor
            return init(self, *args, **kwargs)
        object.__setattr__(self, "_init_args", _recorded_arguments(sig, args, kwargs))
        object.__setattr__(self, "_init_defaults", {
            p: v.default for p, v in sig.parameters.items()
            if v.default is not inspect.Parameter.empty})
        init(self, *args, **kwargs)
        if "context" not in self.__dict__:
            raise TypeError(f"{type(self).__name__}.__init__ must call "
                            f"super().__init__(name, **kwargs)")
        self.context._register(self)

    return construct


def _is_compartment_annotation(annotation: Any) -> bool:
    if isinstance(annotation, str):          # postponed annotations: "Compartment", "Knob"
        return annotation.rsplit(".", 1)[-1] in ("Compartment", "Knob") or \
            annotation.endswith("Compartment")
    return isinstance(annotation, type) and issubclass(annotation, Compartment)


class Component:
    """Base class of every cell and synapse.

    Args:
        name: the component's name, unique in its Context (no ``/``, ``:`` or spaces).
        key: a JAX PRNG key (or an int seed) for this component's randomness; by default one
            is derived from the component's path, so a circuit is reproducible.
    """

    key: Compartment   # the component's PRNG key

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "__init__" in cls.__dict__:
            cls.__init__ = _constructor(cls.__dict__["__init__"])
        _CLASSES[f"{cls.__module__}.{cls.__qualname__}"] = cls
        if cls.__module__.startswith("ngclab.components."):
            _CLASSES[f"ngclab.components.{cls.__name__}"] = cls

    def __init__(self, name: str, key: Any = None, **kwargs: Any):
        ctx = store.active_context()
        kind = type(self).__name__
        if ctx is None:
            raise RuntimeError(f"{kind} {name!r}: create components inside a "
                               f"`with Context(name):` block")
        if not isinstance(name, str) or not name or any(ch in name for ch in "/: "):
            raise ValueError(f"{kind}: invalid component name {name!r} (a non-empty string "
                             f"without '/', ':' or spaces)")
        if kwargs:  # a misspelt parameter would otherwise pass silently
            raise TypeError(f"{kind} {name!r}: unexpected keyword argument(s) {sorted(kwargs)}")
        ctx._check_new_name(name)
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "context", ctx)
        object.__setattr__(self, "path", f"{ctx.name}/{name}")
        object.__setattr__(self, "_compartments", {})
        object.__setattr__(self, "_pending", {})       # values until the component registers
        object.__setattr__(self, "_registered", False)
        if key is None:
            key = jax.random.PRNGKey(zlib.crc32(self.path.encode()))
        elif isinstance(key, (int, np.integer)) and not isinstance(key, bool):
            key = jax.random.PRNGKey(int(key))
        elif not _is_prng_key(key):
            raise TypeError(f"{kind} {name!r}: key must be an int seed or a JAX PRNG key "
                            f"(jax.random.PRNGKey(seed)), got {key!r}")
        self.key = Compartment(key, kind="state", batched=False)

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
                self._pending.pop(old.path, None)
                if self._registered:
                    self.context._drop_compartment(old)
            value._bind(self, attr)
            comps[attr] = value
            if self._registered:
                self.context._add_compartment(value, value.default)
            else:
                self._pending[value.path] = value.default
        elif attr in self.__dict__.get("_compartments", {}):
            raise AttributeError(f"{self.path}.{attr} is a compartment; use "
                                 f"{attr}.set(value) to change its value")
        object.__setattr__(self, attr, value)

    # -- ngc-learn's per-component files -------------------------------------------------------
    def save(self, directory: str) -> str:
        """Write this component's unwired compartments to ``<directory>/<name>.npz``."""
        return npzfiles.save_component(self, directory)

    def load(self, directory: str) -> list[str]:
        """Set compartments from ``<directory>/<name>.npz`` (checked first; never unpickles)."""
        return npzfiles.load_component(self, directory)

    # -- introspection -----------------------------------------------------------------------
    @classmethod
    def declared(cls) -> dict[str, str]:
        """Compartments and knobs the class declares as annotations: ``{name: "Compartment" or
        "Knob"}``, base classes first, in declaration order (``key`` included)."""
        out: dict[str, str] = {}
        for klass in reversed(cls.__mro__):
            for name, ann in vars(klass).get("__annotations__", {}).items():
                if _is_compartment_annotation(ann):
                    text = ann if isinstance(ann, str) else ann.__name__
                    out[name] = "Knob" if text.rsplit(".", 1)[-1] == "Knob" else "Compartment"
        return out

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

        Components override this; the default lists the declared compartments and the
        constructor's parameters.
        """
        params = inspect.signature(cls.__init__).parameters
        return {cls.__name__: {"description": (cls.__doc__ or "").strip().split("\n")[0]},
                "compartments": {n: kind for n, kind in cls.declared().items()},
                "dynamics": "",
                "hyperparameters": {p: "" for p in params if p not in ("self", "kwargs")}}

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} {self.name!r} ({self.path})"]
        for cname, comp in self._compartments.items():
            val = np.asarray(comp.get())
            wired = f" <- {comp.source!r}" if comp.wired else ""
            if comp.kind == "knob":
                stats = f"= {float(val):.6g}"
            elif cname == "key" or val.size == 0 or not np.issubdtype(val.dtype, np.number):
                stats = ""
            else:
                stats = (f"mean={val.mean():.4g} min={val.min():.4g} max={val.max():.4g}")
            lines.append(f"  {cname:<12} {comp.kind:<9} {str(val.shape):<14} {stats}{wired}")
        return "\n".join(lines)


Component.__init__ = _constructor(Component.__init__)


def _is_prng_key(key: Any) -> bool:
    """A raw PRNG key (uint32 of shape (2,), as jax.random.PRNGKey makes) or a typed key array."""
    if isinstance(key, jax.Array) and jax.dtypes.issubdtype(key.dtype, jax.dtypes.prng_key):
        return True
    dtype, shape = getattr(key, "dtype", None), getattr(key, "shape", None)
    return dtype == np.uint32 and tuple(shape) == (2,)
