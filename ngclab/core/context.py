"""The Context: a ``with`` block that collects components, wires and processes and owns the state.

The state is one flat dict of JAX arrays keyed by compartment path (``"model/b:zF"``): values,
optimizer statistics, PRNG keys and knobs. Because it is one pytree it can be jitted, scanned,
saved, snapshotted and streamed without special cases.

Every structural change (a component, a wire, a shape) bumps ``structure_version``; processes
recompile when it changes, and only then.
"""
from __future__ import annotations

import threading
import warnings
from typing import TYPE_CHECKING, Any

from ngclab.core.compartment import Compartment, Knob, Operation

if TYPE_CHECKING:  # pragma: no cover
    from ngclab.core.component import Component
    from ngclab.core.process import MethodProcess

_local = threading.local()


def _sources(src: Any) -> list[Compartment]:
    return src.sources() if isinstance(src, Operation) else [src]


def _rebind(src: Any, old: "Component", new: "Component") -> Any:
    """The same source with compartments of ``old`` replaced by those of ``new``."""
    if isinstance(src, Operation):
        return type(src)(*[_rebind(c, old, new) for c in src.operands])
    return new.compartments[src.name] if src.owner is old else src


class Context:
    """A model: components, wires, processes and their state.

    Use as ``with Context("model") as ctx:``; components and processes created inside the
    block join it. Re-enter it (``with ctx:``) to add more later.
    """

    def __init__(self, name: str):
        if not isinstance(name, str) or not name or any(ch in name for ch in "/: "):
            raise ValueError(f"invalid Context name {name!r} (a non-empty string without "
                             f"'/', ':' or spaces)")
        self.name = name
        self.components: dict[str, Component] = {}
        self.processes: dict[str, MethodProcess] = {}
        self.state: dict[str, Any] = {}
        self.compartments: dict[str, Compartment] = {}
        self.layout: dict[str, Any] = {}   # editor node positions etc., kept with the model
        self.structure_version = 0

    # -- the with-block ----------------------------------------------------------------------
    @staticmethod
    def current() -> "Context | None":
        stack = getattr(_local, "stack", None)
        return stack[-1] if stack else None

    def __enter__(self) -> "Context":
        if not hasattr(_local, "stack"):
            _local.stack = []
        _local.stack.append(self)
        return self

    def __exit__(self, *exc) -> None:
        _local.stack.pop()

    # -- registry ----------------------------------------------------------------------------
    def touch(self) -> None:
        """Record a structural change: processes recompile on their next run."""
        self.structure_version += 1

    def _add_component(self, comp: "Component") -> None:
        if comp.name in self.components:
            raise ValueError(f"Context {self.name!r} already has a component named "
                             f"{comp.name!r} ({type(self.components[comp.name]).__name__})")
        self.components[comp.name] = comp
        self.touch()

    def _add_compartment(self, comp: Compartment) -> None:
        self.compartments[comp.path] = comp
        self.state[comp.path] = comp.default
        self.touch()

    def _drop_compartment(self, comp: Compartment) -> None:
        self.compartments.pop(comp.path, None)
        self.state.pop(comp.path, None)
        self.touch()

    def _add_process(self, proc: "MethodProcess") -> None:
        if proc.name in self.processes:
            warnings.warn(f"Context {self.name!r}: process {proc.name!r} replaces an earlier "
                          f"process of the same name", stacklevel=3)
        self.processes[proc.name] = proc
        self.touch()

    def __getitem__(self, name: str) -> "Component":
        try:
            return self.components[name]
        except KeyError:
            raise KeyError(f"Context {self.name!r} has no component {name!r}; it has: "
                           f"{', '.join(self.components) or 'none'}") from None

    def compartment(self, ref: Any) -> Compartment:
        """Look up a compartment by object, ``"model/a:zF"`` or ``"a:zF"``."""
        if isinstance(ref, Compartment):
            if ref.context is not self:
                raise ValueError(f"{ref.path} belongs to another Context, not {self.name!r}")
            return ref
        if not isinstance(ref, str) or ":" not in ref:
            raise ValueError(f"{ref!r} is not a compartment path like '{self.name}/a:zF'")
        path = ref if ref.startswith(self.name + "/") else f"{self.name}/{ref}"
        if path not in self.compartments:
            comp_name, _, cname = path[len(self.name) + 1:].partition(":")
            if comp_name not in self.components:
                raise KeyError(f"{ref!r}: Context {self.name!r} has no component {comp_name!r}")
            have = ", ".join(self.components[comp_name].compartments)
            raise KeyError(f"{ref!r}: component {comp_name!r} has no compartment {cname!r}; "
                           f"it has: {have}")
        return self.compartments[path]

    def knobs(self) -> dict[str, Knob]:
        """Every knob of the model by path."""
        return {p: c for p, c in self.compartments.items() if isinstance(c, Knob)}

    def wires(self) -> list[tuple[Any, Compartment]]:
        """(source, target) pairs; a source is a Compartment or an Operation."""
        return [(c.source, c) for c in self.compartments.values() if c.source is not None]

    # -- structural edits --------------------------------------------------------------------
    def remove(self, name: str) -> None:
        """Remove a component, every wire that touches it and its process steps."""
        comp = self[name]
        for src, dst in self.wires():
            srcs = src.sources() if isinstance(src, Operation) else [src]
            if dst.owner is comp or any(s.owner is comp for s in srcs):
                dst.source = None
        for c in list(comp.compartments.values()):
            self._drop_compartment(c)
        for proc in self.processes.values():
            proc._drop_component(comp)
        del self.components[name]
        self.touch()

    def disconnect(self, dst: Any) -> None:
        """Remove the wire into ``dst`` (a compartment or its path)."""
        target = self.compartment(dst)
        if not target.targeted:
            raise ValueError(f"{target.path} is not wired")
        target.unwire()

    def replace_component(self, name: str, **changes: Any) -> list[str]:
        """Rebuild component ``name`` with changed constructor arguments, keeping its wires
        and process steps where they still fit. The new arguments are tried on a scratch
        Context first, so a refused change leaves the model as it was.

        Returns messages for wires that no longer fit (and were dropped).
        """
        old = self[name]
        cls, args = type(old), {**old.hyperparameters, **changes}
        args.pop("name", None)
        with Context(self.name):
            cls(name, **args)  # raises (and changes nothing here) if the arguments are bad
        wires = [(src, dst) for src, dst in self.wires()
                 if dst.owner is old or any(s.owner is old for s in _sources(src))]
        positions = {p: [(i, s.name) for i, s in enumerate(p._steps) if s.component is old]
                     for p in self.processes.values()}
        keep_layout = self.layout.get("positions", {}).get(name)
        self.remove(name)
        with self:
            new = cls(name, **args)
        dropped = []
        for src, dst in wires:
            try:
                src = _rebind(src, old, new)
                dst = new.compartments[dst.name] if dst.owner is old else dst
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    dst.wire_from(src)
            except (KeyError, ValueError) as err:
                dropped.append(str(err))
        for proc, steps in positions.items():
            from ngclab.core.process import _Step
            for i, meth in steps:
                proc._steps.insert(i, _Step(getattr(new, meth)))
        if keep_layout is not None:
            self.layout.setdefault("positions", {})[name] = keep_layout
        self.touch()
        return dropped

    def nonfinite(self) -> list[str]:
        """Paths of floating-point state leaves holding NaN or Inf (in state order)."""
        import jax.numpy as jnp
        bad = []
        for p, v in self.state.items():
            if jnp.issubdtype(v.dtype, jnp.floating) and not bool(jnp.all(jnp.isfinite(v))):
                bad.append(p)
        return bad

    # -- services (save/load, snapshots, description, code) ---------------------------------
    def snapshot(self):
        from ngclab.core.persist import snapshot
        return snapshot(self)

    def restore(self, snap) -> None:
        from ngclab.core.persist import restore
        restore(self, snap)

    def save(self, directory: str) -> None:
        from ngclab.core.persist import save
        save(self, directory)

    def load(self, directory: str) -> None:
        from ngclab.core.persist import load
        load(self, directory)

    def graph(self) -> dict:
        from ngclab.core.describe import graph
        return graph(self)

    def to_code(self) -> str:
        from ngclab.core.describe import to_code
        return to_code(self)

    def __repr__(self) -> str:
        return (f"<Context {self.name!r}: {len(self.components)} components, "
                f"{len(self.wires())} wires, {len(self.processes)} processes>")
