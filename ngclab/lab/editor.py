"""CircuitEditor: the circuit as nodes (components) with ports (compartments) and wires.

Every edit, from the browser or from Python, goes through the Context, which validates it; a
refused edit leaves the model unchanged and its message is shown in the widget (``error``).
The browser never draws anything the kernel has not confirmed: it re-renders from ``graph``.

Requests from the browser are handled by ``_handle(msg)``; each returns ``{"ok": bool,
"message": str}``, sent back to the view that asked (``ngclab.lab.protocol``).
"""
from __future__ import annotations

import inspect
import math
import warnings
from typing import Any, Callable

import anywidget
import traitlets

from ngclab.core import Summation, WiringError
from ngclab.core.compartment import Operation
from ngclab.core.describe import component_group
from ngclab.lab.assets import module
from ngclab.lab.layout import GEOMETRY, auto_layout, node_height
from ngclab.lab.protocol import Requests
from ngclab.values import literal_text, parse_value  # noqa: F401 (parse_value re-exported)

_SKIP_PARAMS = {"self", "name", "key", "kwargs", "args"}


class EditError(ValueError):
    """An edit the editor refused (the model is unchanged)."""


# -- palette ----------------------------------------------------------------------------------
def component_classes() -> dict[str, type]:
    """Every component class exported by ``ngclab.components``, by class name."""
    import ngclab.components as comps
    from ngclab.core import Component
    names = getattr(comps, "__all__", None) or dir(comps)
    out = {}
    for n in names:
        obj = getattr(comps, n, None)
        if inspect.isclass(obj) and issubclass(obj, Component) and obj is not Component:
            out[obj.__name__] = obj
    return dict(sorted(out.items()))


def constructor_params(cls: type) -> list[dict]:
    """The form for ``cls``: its constructor parameters with defaults as Python text."""
    params = []
    for p in inspect.signature(cls.__init__).parameters.values():
        if p.name in _SKIP_PARAMS or p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
            continue
        required = p.default is inspect.Parameter.empty
        params.append({"name": p.name, "required": required,
                       "default": "" if required else literal_text(p.default)})
    return params


def palette() -> list[dict]:
    """Palette entries grouped by module path (``neurons/graded``, ``synapses/hebbian``...)."""
    groups: dict[str, list] = {}
    for name, cls in component_classes().items():
        doc = (cls.__doc__ or inspect.getmodule(cls).__doc__ or "").strip().split("\n")[0]
        groups.setdefault(component_group(cls), []).append(
            {"class": name, "doc": doc, "params": constructor_params(cls)})
    return [{"group": g, "classes": groups[g]} for g in sorted(groups)]


def _read(text: Any, default: Any = inspect.Parameter.empty) -> Any:
    """A form field's value (``ngclab.values.parse_value``); unreadable text is refused."""
    try:
        return parse_value(text, default)
    except ValueError as err:
        raise EditError(str(err)) from None


class CircuitEditor(Requests, anywidget.AnyWidget):
    """Draws a Context as a circuit and edits it; see the module docstring.

    Args:
        ctx: the Context to edit.
        advance, reset: processes that new components join (see ``add_component``).
    """

    _esm = module("editor.js")
    _css = module("lab.css")
    graph = traitlets.Dict().tag(sync=True)
    geometry = traitlets.Dict(GEOMETRY).tag(sync=True)   # node sizes (px), from layout.py
    palette = traitlets.List().tag(sync=True)
    watched = traitlets.List().tag(sync=True)
    clamped = traitlets.List().tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)
    notice = traitlets.Unicode("").tag(sync=True)
    code = traitlets.Unicode("").tag(sync=True)

    def __init__(self, ctx, advance=None, reset=None, **kwargs):
        super().__init__(**kwargs)
        self.ctx, self.advance, self.reset_process = ctx, advance, reset
        self.palette = palette()
        #: called with (kind, detail) after every accepted edit
        self.on_edit: list[Callable[[str, dict], None]] = []
        #: called with (kind, detail) before an edit; raise EditError to refuse it
        self.validators: list[Callable[[str, dict], None]] = []
        #: called for watch / unwatch clicks on a port: fn(path, on)
        self.on_watch: list[Callable[[str, bool], None]] = []
        self._listen()
        self.refresh()

    # -- publishing -----------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-publish the graph (and auto-layout) from the Context."""
        g = self.ctx.graph()
        auto = auto_layout(self.ctx)
        saved = self.ctx.layout.get("positions", {})
        for node in g["components"]:
            node["position"] = list(saved.get(node["name"], auto[node["name"]]))
            comp = self.ctx.components[node["name"]]
            node["height"] = node_height(comp)
            node["form"] = [{"name": k, "value": literal_text(v)}
                            for k, v in comp.hyperparameters.items() if k not in _SKIP_PARAMS]
        self.graph = g

    # -- Python API (the same paths the browser's messages take) ---------------------------
    def add_component(self, cls: str | type, name: str, **params: Any):
        """Add a component; it joins the processes (the rule is in ``_join_processes``)."""
        classes = component_classes()
        if isinstance(cls, str):
            if cls not in classes:
                raise EditError(f"unknown component class {cls!r}; the palette has: "
                                f"{', '.join(classes)}")
            cls = classes[cls]
        self._validate("add", {"class": cls.__name__, "name": name, "params": params})
        if name in self.ctx.components:
            raise EditError(f"a component named {name!r} already exists "
                            f"({type(self.ctx.components[name]).__name__}); choose another name")
        before = self.ctx.snapshot()
        try:
            with self.ctx:
                comp = cls(name, **params)
        except TypeError as err:
            raise EditError(_named(f"{cls.__name__} {name!r}", err)) from None
        try:
            self._join_processes(comp)
        except Exception:
            self.ctx.remove(name)
            self.ctx.restore(before)
            raise
        self._edited("add", {"name": name})
        return comp

    def _join_processes(self, comp) -> None:
        """Where a new component's methods go (documented rule):

        * ``advance_state`` joins the advance process just before its first ``evolve`` step
          (so every state update precedes learning), or at the end if it has none;
        * ``evolve`` (if the class has one) goes at the end of the advance process;
        * ``reset`` goes at the end of the reset process.

        A new component wired downstream of the existing ones thus reads their values of the
        same step; one wired upstream is read by them one step later.
        """
        methods = type(comp).methods()
        adv = self.advance
        if adv is not None and "advance_state" in methods:
            _insert(adv, comp.advance_state, before="evolve")
        if adv is not None and "evolve" in methods:
            _insert(adv, comp.evolve)
        if self.reset_process is not None and "reset" in methods:
            _insert(self.reset_process, comp.reset)

    def connect(self, src: str, dst: str) -> None:
        """Wire ``src`` into ``dst``. If ``dst`` is already wired, the new source is summed
        with the old ones (``Summation``), the way currents add up at a cell."""
        s, d = self._comp(src), self._comp(dst)
        self._validate("connect", {"src": s.path, "dst": d.path})
        if d.targeted:
            old = d.source.sources() if isinstance(d.source, Operation) else [d.source]
            if any(o is s for o in old):
                raise EditError(f"{s.path} is already wired into {d.path}")
            if isinstance(d.source, Operation) and not isinstance(d.source, Summation):
                raise EditError(f"{d.path} is fed by {d.source!r}; disconnect it first")
            new_src = Summation(*old, s)
        else:
            new_src = s
        prev = d.source
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                d.wire_from(new_src)
        except WiringError as err:
            raise EditError(str(err)) from None
        except ValueError as err:
            d.source = prev
            raise EditError(str(err)) from None
        self._edited("connect", {"src": s.path, "dst": d.path})

    def disconnect(self, src: str, dst: str | None = None) -> None:
        """Remove a wire: ``disconnect(dst)``, ``disconnect(src, dst)`` or
        ``disconnect("src -> dst")``. With a sum of sources only ``src`` is dropped."""
        if dst is None and "->" in src:
            src, dst = (p.strip() for p in src.split("->"))
        if dst is None:
            src, dst = None, src
        d = self._comp(dst)
        if not d.targeted:
            raise EditError(f"{d.path} is not wired")
        self._validate("disconnect", {"src": src, "dst": d.path})
        if src is None:
            d.unwire()
        else:
            s = self._comp(src)
            old = d.source.sources() if isinstance(d.source, Operation) else [d.source]
            if not any(o is s for o in old):
                raise EditError(f"{s.path} is not wired into {d.path}")
            rest = [o for o in old if o is not s]
            d.unwire()
            if rest:
                d.wire_from(rest[0] if len(rest) == 1 else Summation(*rest))
        self._edited("disconnect", {"src": src, "dst": d.path})

    def remove(self, name: str) -> None:
        """Remove a component with its wires and process steps."""
        if name not in self.ctx.components:
            raise EditError(f"there is no component {name!r}; the model has: "
                            f"{', '.join(self.ctx.components) or 'none'}")
        self._validate("remove", {"name": name})
        self.ctx.remove(name)
        self.ctx.layout.get("positions", {}).pop(name, None)
        self._edited("remove", {"name": name})

    def update(self, name: str, **changes: Any) -> list[str]:
        """Change hyperparameters (rebuilds the component, keeping the wires that still fit)."""
        if name not in self.ctx.components:
            raise EditError(f"there is no component {name!r}")
        self._validate("update", {"name": name, "changes": changes})
        try:
            dropped = self.ctx.replace_component(name, **changes)
        except TypeError as err:
            raise EditError(_named(f"{type(self.ctx.components[name]).__name__} {name!r}",
                                   err)) from None
        self._edited("update", {"name": name, "dropped": dropped})
        if dropped:
            self.notice = "Wires dropped (they no longer fit): " + "; ".join(dropped)
        return dropped

    def move(self, name: str, x: float, y: float) -> None:
        """Keep a node's position with the model (``ctx.layout["positions"]``, saved by save)."""
        if name not in self.ctx.components:
            raise EditError(f"there is no component {name!r}")
        position = []
        for axis, given in (("x", x), ("y", y)):
            try:
                v = float(given)
            except (TypeError, ValueError):
                v = math.nan
            if not math.isfinite(v) or abs(v) > 1e9:   # (a NaN would not even reach the page)
                raise EditError(f"move {name!r}: {axis} must be a finite number of pixels, "
                                f"got {given!r}")
            position.append(round(v, 1))
        self.ctx.layout.setdefault("positions", {})[name] = position
        self.refresh()

    def auto_layout(self) -> None:
        """Forget dragged positions: every node goes back to the automatic layout."""
        self.ctx.layout.pop("positions", None)
        self.refresh()

    def to_code(self) -> str:
        """Python source that rebuilds the circuit as it is now."""
        return self.ctx.to_code()

    # -- messages ---------------------------------------------------------------------------
    def _handle(self, msg: dict) -> dict:
        """Apply one message from the browser; a refused edit changes nothing."""
        kind = msg.get("type")
        try:
            if kind == "add":
                cls = component_classes().get(msg.get("class"))
                if cls is None:
                    raise EditError(f"unknown component class {msg.get('class')!r}")
                defaults = {p.name: p.default for p in
                            inspect.signature(cls.__init__).parameters.values()}
                params = {}
                for k, text in (msg.get("params") or {}).items():
                    if isinstance(text, str) and not text.strip():
                        continue  # empty: the default
                    params[k] = _read(text, defaults.get(k, inspect.Parameter.empty))
                name = (msg.get("name") or "").strip()
                if not name:
                    raise EditError("give the new component a name")
                self.add_component(cls, name, **params)
            elif kind == "update":
                comp = self.ctx.components.get(msg.get("name"))
                if comp is None:
                    raise EditError(f"there is no component {msg.get('name')!r}")
                hp = comp.hyperparameters
                changes = {k: _read(v, hp.get(k, inspect.Parameter.empty))
                           for k, v in (msg.get("params") or {}).items()}
                self.update(msg["name"], **changes)
            elif kind == "connect":
                self.connect(msg["src"], msg["dst"])
            elif kind == "disconnect":
                self.disconnect(msg.get("src") or msg["dst"], msg["dst"] if msg.get("src")
                                else None)
            elif kind == "remove":
                self.remove(msg["name"])
            elif kind == "move":
                self.move(msg["name"], msg["x"], msg["y"])
            elif kind == "layout":
                self.auto_layout()
            elif kind == "code":
                self.code = self.to_code()
            elif kind == "watch":
                for fn in self.on_watch:
                    fn(msg["path"], bool(msg.get("on", True)))
            elif kind == "dismiss":
                self.error = self.notice = ""
            else:
                raise EditError(f"unknown editor message {kind!r}")
        except (EditError, WiringError, ValueError, KeyError, TypeError) as err:
            text = err.args[0] if isinstance(err, KeyError) and err.args else str(err)
            if isinstance(err, KeyError) and kind in ("connect", "disconnect", "add", "update",
                                                      "remove", "move") and text in msg.keys():
                text = f"the {kind!r} message lacks its {text!r} field"
            self.error = str(text)
            return {"ok": False, "message": self.error}
        except Exception as err:  # e.g. NotImplementedError from a component: still refused
            self.error = f"{type(err).__name__}: {err}"
            return {"ok": False, "message": self.error}
        if kind not in ("watch", "dismiss", "code", "move"):
            self.error = ""
        return {"ok": True, "message": ""}

    # -- helpers ----------------------------------------------------------------------------
    def _comp(self, path: str):
        try:
            return self.ctx.compartment(path)
        except (KeyError, ValueError) as err:
            raise EditError(err.args[0] if err.args else str(err)) from None

    def _validate(self, kind: str, detail: dict) -> None:
        for fn in self.validators:
            fn(kind, detail)

    def _edited(self, kind: str, detail: dict) -> None:
        for fn in self.on_edit:
            fn(kind, detail)
        self.refresh()


def _named(who: str, err: Exception) -> str:
    """An error message that names the component once."""
    text = str(err)
    return text if text.startswith(who) else f"{who}: {text}"


def _insert(proc, method: Callable, before: str | None = None) -> None:
    """Insert a component method into a process, before the first step named ``before``."""
    items = proc.items
    at = len(items)
    if before is not None:
        for i, it in enumerate(items):
            if getattr(it, "name", None) == before and hasattr(it, "component"):
                at = i
                break
    proc.insert(at, method)
