"""The Context: a ``with`` block that collects components, wires and processes and owns the state.

The state is one flat dict of JAX arrays keyed by compartment path (``"model/b:zF"``): values,
optimizer statistics, PRNG keys and knobs. Because it is one pytree it can be jitted, scanned,
saved, snapshotted and streamed without special cases.

Every structural change (a component, a wire, a process step) bumps ``structure_version``;
every change of a state leaf's shape (a new batch size) bumps ``shape_version``. Processes
compile one program per structure and shapes, and cache them, so alternating between two batch
sizes compiles each once.
"""
from __future__ import annotations

import threading
import warnings
import weakref
from typing import Any, Hashable

import jax.numpy as jnp

from ngclab.core import describe, ngcformat, persist, store
from ngclab.core.fusion import Fuser
from ngclab.core.state import State
from ngclab.core.compartment import Compartment, Knob, Operation
from ngclab.core.component import Component

MAX_TRANSITIONS = 1024   # remembered shape changes (see ``shapes_changed``)
MAX_CAUSES = 8           # changes in a row, unread, that one remembered change may span


def _sources(src: Any) -> list[Compartment]:
    return src.sources() if isinstance(src, Operation) else [src]


def _rebind(src: Any, old: "Component", new: "Component") -> Any:
    """The same source with compartments of ``old`` replaced by those of ``new``."""
    if isinstance(src, Operation):
        return type(src)(*[_rebind(c, old, new) for c in src.operands])
    return new.compartments[src.name] if src.owner is old else src


class _HybridLoad:
    """``ctx.load(directory)`` loads an ngclab save into this Context; ``Context.load(directory,
    module_name)`` builds a Context from a folder written by ngc-learn's ``save_to_json`` (as
    ngc-learn's classmethod does)."""

    def __get__(self, ctx, cls):
        if ctx is None:
            def load_ngclearn(directory: str, module_name: str) -> "Context":
                return ngcformat.load(cls, directory, module_name)
            load_ngclearn.__doc__ = ngcformat.load.__doc__
            return load_ngclearn

        def load_state(directory: str) -> None:
            """Replace this model's state with a save made by ``save(directory)``; checks
            everything first, and changes nothing when the save does not fit."""
            with ctx.lock:
                persist.load(ctx, directory)
        return load_state


_locked = store.holding_lock(lambda ctx: ctx)


class Context:
    """A model: components, wires, processes and their state.

    Use as ``with Context("model") as ctx:``; components and processes created inside the
    block join it. Re-enter it (``with ctx:``) to add more later.

    ``lock`` (a re-entrant lock) is held while the state changes: a ``run()``, a ``scan()``, a
    ``set()``, a restore or load, the lab's chunks and its widgets' requests. One model may be
    touched from two threads: user code in a thread, or a kernel subshell (ipykernel 7 runs
    each in a thread of its own) while cells or a playing Lab run on the main one; without the
    lock, a knob set while a chunk runs could be overwritten by the chunk's result.
    """

    load = _HybridLoad()
    _instances: list = []   # weak references to every Context made, oldest first

    def __init__(self, name: str):
        if not isinstance(name, str) or not name or any(ch in name for ch in "/: "):
            raise ValueError(f"invalid Context name {name!r} (a non-empty string without "
                             f"'/', ':' or spaces)")
        self.name = name
        self.components: dict[str, Component] = {}
        self.processes: dict[str, Any] = {}
        self._every_process: list = []   # weak references, also to processes a name displaced
        self._state = State()
        self.compartments: dict[str, Compartment] = {}
        self.layout: dict[str, Any] = {}   # editor node positions etc., kept with the model
        self.structure_version = 0
        self.shape_version = 0
        Context._instances = [r for r in Context._instances if r() is not None]
        Context._instances.append(weakref.ref(self))
        self._signature: tuple = ()
        self._signature_key: tuple = (-1, -1)
        self._shape_ids: dict[tuple, int] = {}
        self._shape_id = -1
        self._transitions: dict[tuple, tuple] = {}   # (shape id, cause) -> (signature, id)
        self._pending: tuple | None = None
        self.set_inputs: set[str] = set()   # input paths set from outside (see transfer)
        self.fuser = Fuser(self)            # call sequences run as one program (see fusion)
        self.lock = threading.RLock()       # held while the state changes (see the docstring)

    @classmethod
    def instances(cls) -> list["Context"]:
        """Every Context still alive, the newest first."""
        return [c for c in (r() for r in reversed(cls._instances)) if c is not None]

    @property
    def state(self) -> State:
        """The model state: ``{path: array}`` (see ``ngclab.core.state``)."""
        if self.fuser.pending:      # recorded calls run before anyone sees the state
            self.fuser.flush()
        return self._state

    @state.setter
    def state(self, values: dict) -> None:
        if self.fuser.pending:
            self.fuser.flush()
        self._state = values if type(values) is State else State.of(values)

    # -- the with-block ----------------------------------------------------------------------
    @staticmethod
    def current() -> "Context | None":
        """The Context of the innermost open ``with`` block, or None."""
        return store.active_context()

    def __enter__(self) -> "Context":
        store.enter_context(self)
        return self

    def __exit__(self, *exc) -> None:
        store.exit_context(self)

    # -- registry ----------------------------------------------------------------------------
    def structure_changed(self) -> None:
        """Record a structural change: processes compile anew on their next run."""
        self.fuser.forget()
        self.structure_version += 1
        self._transitions.clear()

    touch = structure_changed  # the former name

    def shapes_changed(self, cause: Hashable | None = None) -> None:
        """Record that a state leaf changed shape (a new batch size).

        ``cause`` names the change when the same cause from the same shapes always gives the
        same new shapes: a compiled step (its output shapes are fixed), or ``(path, shape)`` of
        a ``set``. The new signature is then read from every leaf once and looked up on later
        repeats (a mini-batch loop's reset, sets and first steps change the batch size each
        time: reading ~90 shapes cost ~40 us per change). Without a cause it is always read.
        """
        version = (self.structure_version, self.shape_version)
        if self._signature_key == version:
            since = (self._shape_id, ())
        elif self._pending is not None and self._pending[1] == version:
            since = self._pending[0]           # changes since the last known signature
        else:
            since = None
        self.shape_version += 1
        self._pending = None
        if cause is None or since is None or len(since[1]) >= MAX_CAUSES:
            return
        key = (since[0], since[1] + (cause,))
        found = self._transitions.get(key)
        if found is None:
            self._pending = (key, (self.structure_version, self.shape_version))
        else:
            self._signature, self._shape_id = found
            self._signature_key = (self.structure_version, self.shape_version)

    def shape_signature(self) -> tuple:
        """Every state leaf's shape, in state order (what compiled programs depend on)."""
        key = (self.structure_version, self.shape_version)
        if self._signature_key != key:
            self._signature = self._state.shapes()
            self._signature_key = key
            self._shape_id = self._shape_ids.setdefault(self._signature, len(self._shape_ids))
            pending = self._pending
            if pending is not None and pending[1] == key:
                if len(self._transitions) >= MAX_TRANSITIONS:
                    self._transitions.clear()
                self._transitions[pending[0]] = (self._signature, self._shape_id)
            self._pending = None
        return self._signature

    def shape_id(self) -> int:
        """A small number naming ``shape_signature()`` (equal signatures, equal numbers)."""
        if self._signature_key != (self.structure_version, self.shape_version):
            self.shape_signature()
        return self._shape_id

    def _check_new_name(self, name: str) -> None:
        if name in self.components:
            raise ValueError(f"Context {self.name!r} already has a component named "
                             f"{name!r} ({type(self.components[name]).__name__})")

    def _register(self, comp: "Component") -> None:
        """Add a fully constructed component and its compartments' values."""
        self._check_new_name(comp.name)
        self.components[comp.name] = comp
        for c in comp._compartments.values():
            self.compartments[c.path] = c
            self.state[c.path] = comp._pending[c.path]
        object.__setattr__(comp, "_registered", True)
        comp._pending.clear()
        self.structure_changed()

    def _add_compartment(self, comp: Compartment, value: Any) -> None:
        self.compartments[comp.path] = comp
        self.state[comp.path] = value
        self.structure_changed()

    def _drop_compartment(self, comp: Compartment) -> None:
        self.compartments.pop(comp.path, None)
        self.state.pop(comp.path, None)
        self.structure_changed()

    def _add_process(self, proc: Any) -> None:
        if proc.name in self.processes:
            warnings.warn(f"Context {self.name!r}: process {proc.name!r} replaces an earlier "
                          f"process of the same name", stacklevel=3)
        self.processes[proc.name] = proc
        self._every_process = [r for r in self._every_process if r() is not None]
        self._every_process.append(weakref.ref(proc))
        self.structure_changed()

    def all_processes(self) -> list:
        """Every process of this model still alive: those in ``processes`` and those a later
        process of the same name displaced there but something (a JointProcess, a Lab, a
        variable) still runs. Structural edits keep all of them up to date."""
        return [p for p in (r() for r in self._every_process) if p is not None]

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

    # -- ngc-learn's registry services -------------------------------------------------------
    def get_objects_by_type(self, object_type: str) -> dict[str, Any]:
        """``{name: object}`` of one type: ``"component"`` or ``"process"`` (ngc-learn's API)."""
        kind = getattr(object_type, "value", object_type)
        if kind == "component":
            return dict(self.components)
        if kind == "process":
            return dict(self.processes)
        raise ValueError(f"Context {self.name!r}: unknown object type {object_type!r}; valid: "
                         f"component, process")

    def get_objects(self, *names: str, objectType: str = "component", unwrap: bool = True):
        """Objects of one type by name (None where a name is unknown, with a warning); one
        name gives the object itself when ``unwrap`` (ngc-learn's API)."""
        if not names:
            return None if unwrap else []
        pool = self.get_objects_by_type(objectType)
        found = []
        for n in names:
            if n not in pool:
                warnings.warn(f"Context {self.name!r} has no {getattr(objectType, 'value', objectType)}"
                              f" named {n!r}; it has: {', '.join(pool) or 'none'}", stacklevel=2)
            found.append(pool.get(n))
        return found[0] if unwrap and len(found) == 1 else found

    def get_components(self, *names: str, unwrap: bool = True):
        """Components by name (ngc-learn's API): one name gives the component itself."""
        return self.get_objects(*names, objectType="component", unwrap=unwrap)

    # -- structural edits --------------------------------------------------------------------
    def _unlink(self, comp: "Component") -> None:
        """Take ``comp``, its compartments and every wire touching it out of the model."""
        for src, dst in self.wires():
            if dst.owner is comp or any(s.owner is comp for s in _sources(src)):
                dst.source = None
        for c in list(comp.compartments.values()):
            self._drop_compartment(c)
        del self.components[comp.name]

    @_locked
    def remove(self, name: str) -> None:
        """Remove a component, every wire that touches it and its process steps."""
        comp = self[name]
        self._unlink(comp)
        for proc in self.all_processes():
            proc.drop_component(comp)
        self.structure_changed()

    @_locked
    def disconnect(self, dst: Any) -> None:
        """Remove the wire into ``dst`` (a compartment or its path)."""
        target = self.compartment(dst)
        if not target.wired:
            raise ValueError(f"{target.path} is not wired")
        target.unwire()

    @_locked
    def replace_component(self, name: str, **changes: Any) -> list[str]:
        """Rebuild component ``name`` with changed constructor arguments, keeping its wires,
        process steps (in every process, also those a JointProcess holds directly) and watched
        compartments where they still fit. The new arguments are tried on a scratch Context
        first, so a refused change leaves the model as it was.

        Returns messages for wires and steps that no longer fit (and were dropped).
        """
        old = self[name]
        cls, args = type(old), {**old.hyperparameters, **changes}
        args.pop("name", None)
        with Context(self.name):
            cls(name, **args)  # raises (and changes nothing here) if the arguments are bad
        wires = [(src, dst) for src, dst in self.wires()
                 if dst.owner is old or any(s.owner is old for s in _sources(src))]
        keep_layout = self.layout.get("positions", {}).get(name)
        before = (dict(self.components), dict(self.compartments), State.of(self.state))
        self._unlink(old)
        try:
            with self:
                new = cls(name, **args)
        except BaseException:   # put the old component back exactly as it was
            self.components, self.compartments, self.state = before
            for src, dst in wires:
                dst.source = src
            self.structure_changed()
            raise
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
        for proc in self.all_processes():
            dropped += proc.rebind_component(old, new)
        if keep_layout is not None:
            self.layout.setdefault("positions", {})[name] = keep_layout
        self.structure_changed()
        return dropped

    def nonfinite(self) -> list[str]:
        """Paths of floating-point state leaves holding NaN or Inf (in state order)."""
        return [p for p, v in self.state.items()
                if jnp.issubdtype(v.dtype, jnp.inexact) and not bool(jnp.all(jnp.isfinite(v)))]

    # -- services (save/load, snapshots, description, code) ---------------------------------
    def snapshot(self) -> persist.Snapshot:
        """An in-memory copy of the state (cheap: JAX arrays are immutable)."""
        return persist.snapshot(self)

    @_locked
    def restore(self, snap: persist.Snapshot) -> None:
        """Put back a snapshot of this model (refused, changing nothing, if it does not fit)."""
        persist.restore(self, snap)

    def save(self, directory: str) -> None:
        """Write the state to ``directory`` (``state.npz`` + ``manifest.json``, never pickle);
        a crash mid-save leaves the previous save intact."""
        persist.save(self, directory)

    def save_to_json(self, directory: str, model_name: str | None = None,
                     custom_save: bool = True, overwrite: bool = False) -> str:
        """Save in ngc-learn 3.2.3's folder layout (``contextData.json``, ``<type>/roots.json``,
        ``<type>/custom/*.npz``, ``connections.json``) under ``directory/model_name``;
        returns that folder. Load it with ``Context.load(directory, model_name)``, here or
        in ngc-learn."""
        return ngcformat.save_to_json(self, directory, model_name, custom_save, overwrite)

    def graph(self) -> dict:
        """The circuit as JSON: components with their ports, wires, knobs and processes."""
        return describe.graph(self)

    def to_code(self) -> str:
        """Python source that rebuilds this circuit (components, knob values, wires,
        processes)."""
        return describe.to_code(self)

    def __repr__(self) -> str:
        return (f"<Context {self.name!r}: {len(self.components)} components, "
                f"{len(self.wires())} wires, {len(self.processes)} processes>")
