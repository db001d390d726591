"""Scope: live plots of watched compartments while the model runs.

* vectors (``(batch, n)``): line traces of chosen units over a rolling window of steps;
* spike compartments (``plot_method="raster"``, boolean, or named like spikes): a raster;
* matrices (parameters such as weights) and conv filters (4-d, tiled): an image of the value now.

Traces live in a bounded ring buffer (``window`` steps per compartment), so memory does not
grow with the length of a run. Drawing is throttled: at most ``max_fps`` frames a second and
never more than about a quarter of the wall time (a frame that took d seconds is followed by at
least 3d without drawing), whatever the step rate.

Two backends draw the same figures (``Scope(..., backend=...)``, ``Lab(..., scope_backend=...)``):

* ``"png"``: each frame is rendered with Agg and sent as a PNG image (data URL) that the Scope's
  front end puts in an ``<img>``. Works in every front end that runs widgets.
* ``"ipympl"``: each panel's figure lives in an ipympl canvas widget
  (``ipympl.backend_nbagg.Canvas``) shown inside the panel; a frame is blitted on the kernel
  and ipympl sends only the changed pixels. Needs ipympl in the kernel and its front-end
  extension (jupyter-matplotlib) in the browser.
* ``"auto"`` (the default): PNG frames until the Scope is shown in a browser that can load
  ipympl's front end, then ipympl (see ``resolve_backend``). Headless runs (papermill, nbval,
  scripts) have no front end to ask and stay on PNG.
"""
from __future__ import annotations

import os
import time
from typing import Any

import anywidget
import numpy as np
import traitlets

from ngclab.lab.assets import asset
from ngclab.lab.panel import _Panel, plot_kind, tile_filters  # noqa: F401 (re-exported)

BACKENDS = ("auto", "png", "ipympl")
ENV_BACKEND = "NGCLAB_SCOPE_BACKEND"


def _ipympl_available() -> bool:
    try:
        import ipympl.backend_nbagg  # noqa: F401
    except Exception:  # not installed, or broken against this matplotlib
        return False
    return True


def resolve_backend(backend: str = "auto", frontend_has_ipympl: bool | None = None) -> str:
    """The backend a Scope draws with: ``"png"`` or ``"ipympl"``.

    ``"png"`` and ``"ipympl"`` are taken as they are. ``"auto"`` (the default) asks the browser:
    a Scope's front end reports whether it can load ipympl's widget classes (jupyter-matplotlib),
    and ``frontend_has_ipympl`` is that answer (``None`` before any front end has answered,
    e.g. in papermill, nbval or a script). "auto" is ``"ipympl"`` when the front end has it and
    the ipympl package imports in the kernel, and ``"png"`` otherwise. The environment variable
    ``NGCLAB_SCOPE_BACKEND`` (``png`` or ``ipympl``) overrides "auto" either way.
    """
    if backend not in BACKENDS:
        raise ValueError(f"Scope: backend must be one of {', '.join(map(repr, BACKENDS))}; "
                         f"got {backend!r}")
    if backend != "auto":
        if backend == "ipympl" and not _ipympl_available():
            raise ValueError("Scope: backend='ipympl' needs the ipympl package (pip install "
                             "ipympl); use backend='png' or 'auto'")
        return backend
    env = os.environ.get(ENV_BACKEND, "").strip().lower()
    if env and env not in ("png", "ipympl"):
        raise ValueError(f"{ENV_BACKEND} must be 'png' or 'ipympl' (or unset); got {env!r}")
    wants = env == "ipympl" or (not env and bool(frontend_has_ipympl))
    return "ipympl" if wants and _ipympl_available() else "png"


def _ipympl_module() -> list[str]:
    """[module, version range, model class] of ipympl's canvas, for the front end to look up."""
    if not _ipympl_available():
        return []
    from ipympl.backend_nbagg import Canvas
    return [Canvas._model_module.default_value, Canvas._model_module_version.default_value,
            Canvas._model_name.default_value]


class Scope(anywidget.AnyWidget):
    """Live plots of watched compartments.

    Args:
        ctx: the Context.
        watch: compartments (objects or paths) to plot.
        window: steps kept per trace (ring buffer size).
        max_fps: redraws per second at most.
        backend: "auto", "png" or "ipympl". "auto" draws PNG frames until a front end that
            has ipympl's extension shows the Scope, then ipympl canvases (``resolve_backend``);
            ``backend_in_use`` tells which one draws. Whatever the backend, each panel's
            container in the page carries ``data-ngclab-trace="<compartment path>"``.
    """

    _esm = asset("scope.js")
    _css = asset("lab.css")
    panels = traitlets.List().tag(sync=True)
    frames = traitlets.Dict().tag(sync=True)
    frame_count = traitlets.Int(0).tag(sync=True)
    # what the front end should try to load to answer "has ipympl?" ([] = do not ask)
    ipympl_module = traitlets.List().tag(sync=True)

    def __init__(self, ctx, watch=(), window: int = 1000, max_fps: float = 30.0,
                 backend: str = "auto", **kwargs):
        self.backend = backend
        self.backend_in_use = resolve_backend(backend)   # raises on an unknown name first
        self.frontend_has_ipympl: bool | None = None     # the browser's answer, once it comes
        self._canvas_failed = False                      # a browser could not show a canvas
        super().__init__(**kwargs)
        self.ipympl_module = _ipympl_module() if backend == "auto" else []
        # figures here never use pyplot, so matplotlib's own backend does not matter
        self.ctx, self.window, self.max_fps = ctx, int(window), float(max_fps)
        self._panels: dict[str, _Panel] = {}
        self._last_draw = 0.0
        self._last_cost = 0.0
        self.dt = 1.0
        self.frames_drawn = 0
        self.first_frame_time: float | None = None
        self.on_change: list = []
        for c in watch:
            self.add(c)
        self.on_msg(lambda _w, msg, _b: self._handle(msg))

    # -- what is watched --------------------------------------------------------------------
    @property
    def watched(self) -> list[str]:
        return list(self._panels)

    def add(self, comp: Any, units: list[int] | None = None) -> None:
        c = self.ctx.compartment(comp)
        if c.path in self._panels:
            return
        self._panels[c.path] = self._panel(c, units)
        self._publish()
        self._refresh_images()
        self._notify()

    def remove(self, comp: Any) -> None:
        path = comp if isinstance(comp, str) else comp.path
        if not path.startswith(self.ctx.name + "/"):
            path = f"{self.ctx.name}/{path}"
        panel = self._panels.pop(path, None)
        if panel is not None:
            panel.close()
            self.frames = {p: f for p, f in self.frames.items() if p != path}
            self._publish()
            self._notify()

    def set_units(self, comp: Any, units) -> None:
        """Choose which units of a vector compartment are traced (e.g. ``[0, 3, 5]``, "0:8")."""
        c = self.ctx.compartment(comp)
        panel = self._panels[c.path]
        if isinstance(units, str):
            units = _parse_units(units, panel.n)
        units = [int(u) for u in units]
        bad = [u for u in units if not 0 <= u < panel.n]
        if bad or not units:
            raise ValueError(f"{c.path} has units 0..{panel.n - 1}; cannot trace {bad or units}")
        self._panels[c.path].close()
        self._panels[c.path] = self._panel(c, units)
        self._publish()
        self._notify()

    def _panel(self, comp, units) -> _Panel:
        return _Panel(comp, self.window, units, self.backend_in_use)

    def set_backend(self, backend: str) -> None:
        """Switch the drawing backend ("png", "ipympl" or "auto"); the traces are kept."""
        new = resolve_backend(backend, self.frontend_has_ipympl)
        self.backend = backend
        self.ipympl_module = _ipympl_module() if backend == "auto" else []
        self._use(new)

    def _use(self, new: str) -> None:
        """Redraw every panel with backend ``new``, keeping its ring buffer."""
        if new == self.backend_in_use:
            return
        self.backend_in_use = new
        for path, old in list(self._panels.items()):
            comp = self.ctx.compartments.get(path)
            old.close()
            if comp is None:
                del self._panels[path]
                continue
            panel = self._panel(comp, old.units)
            panel.buf, panel.steps, panel.count = old.buf, old.steps, old.count
            self._panels[path] = panel
        self.frames = {}
        self._publish()
        self._refresh_images()
        self.draw(force=True)

    def recorded(self) -> list[str]:
        """Paths the run loop records every step (traces and rasters)."""
        return [p for p, pn in self._panels.items() if pn.kind != "image"]

    def sync(self) -> None:
        """Drop panels whose compartments no longer exist; rebuild ones whose shape changed."""
        changed = False
        for path, panel in list(self._panels.items()):
            comp = self.ctx.compartments.get(path)
            if comp is None:
                self._panels.pop(path).close()
                changed = True
            else:
                n = int(np.prod(comp.shape[1:])) if len(comp.shape) >= 2 else \
                    int(np.prod(comp.shape) or 1)
                if n != panel.n or plot_kind(comp) != panel.kind:
                    units = [u for u in panel.units if u < n] or None
                    panel.close()
                    self._panels[path] = self._panel(comp, units)
                    changed = True
        if changed:
            self.frames = {p: f for p, f in self.frames.items() if p in self._panels}
            self._publish()
            self._notify()

    # -- data from the run loop -------------------------------------------------------------
    def push(self, recorded: dict, first_step: int) -> None:
        for path, values in recorded.items():
            panel = self._panels.get(path)
            if panel is not None:
                panel.push(np.asarray(values), first_step)

    def _refresh_images(self) -> None:
        for panel in self._panels.values():
            if panel.kind == "image":
                comp = self.ctx.compartments.get(panel.path)
                if comp is None:
                    continue
                v = np.asarray(comp.get(), dtype=np.float32)
                panel.image = tile_filters(v) if v.ndim >= 4 else v.reshape(v.shape[0], -1)
                panel.dirty = True

    def clear(self) -> None:
        for panel in self._panels.values():
            panel.clear()
        self._refresh_images()

    def due(self, now: float | None = None) -> bool:
        now = time.perf_counter() if now is None else now
        gap = max(1.0 / self.max_fps, 3.0 * self._last_cost)
        return now - self._last_draw >= gap

    def draw(self, force: bool = False) -> bool:
        """Redraw changed panels if a frame is due (or ``force``); True if a frame was sent."""
        now = time.perf_counter()
        if not force and not self.due(now):
            return False
        self._refresh_images()
        frames = dict(self.frames)
        for path, panel in self._panels.items():
            if panel.dirty or (path not in frames if panel.widget is None else not panel.has_frame):
                if panel.dt != self.dt and panel.kind != "image":
                    if panel.artists:
                        panel.clock.remove()
                        panel.ax.clear()
                    panel.dt, panel._bg, panel.artists = self.dt, None, []
                frame = panel.draw(self.dt)
                if frame is not None:
                    frames[path] = frame
        self.frames = frames
        self.frames_drawn += 1
        self.frame_count = self.frames_drawn
        end = time.perf_counter()
        self._last_draw, self._last_cost = end, end - now
        if self.first_frame_time is None:
            self.first_frame_time = end
        return True

    # -- browser ------------------------------------------------------------------------------
    def _publish(self) -> None:
        self.panels = [{"path": p, "kind": pn.kind, "title": pn.title,
                        "units": _units_text(pn.units), "n": pn.n,
                        "canvas": None if pn.widget is None else pn.widget.model_id}
                       for p, pn in self._panels.items()]

    def _notify(self) -> None:
        for fn in self.on_change:
            fn()

    def _handle(self, msg: dict) -> dict:
        try:
            if msg.get("type") == "unwatch":
                self.remove(msg["path"])
            elif msg.get("type") == "frontend":   # can the browser load ipympl's widgets?
                # once a canvas failed to show, a later view's "yes" must not switch back
                self.frontend_has_ipympl = bool(msg.get("ipympl")) and not self._canvas_failed
                if self.backend == "auto":
                    self._use(resolve_backend("auto", self.frontend_has_ipympl))
            elif msg.get("type") == "fallback":   # the browser could not show an ipympl canvas
                self.frontend_has_ipympl, self._canvas_failed = False, True
                self._use("png")
            elif msg.get("type") == "units":
                self.set_units(msg["path"], msg["units"])
                self.draw(force=True)
            else:
                raise ValueError(f"unknown scope message {msg.get('type')!r}")
        except (ValueError, KeyError) as err:
            self.send({"type": "result", "ok": False, "message": str(err)})
            return {"ok": False, "message": str(err)}
        return {"ok": True, "message": ""}


def _parse_units(text: str, n: int) -> list[int]:
    out: list[int] = []
    for part in text.replace(" ", "").split(","):
        if not part:
            continue
        if ":" in part or "-" in part:
            a, _, b = part.replace("-", ":").partition(":")
            out += list(range(int(a or 0), int(b or n)))
        else:
            out.append(int(part))
    return out


def _units_text(units: list[int]) -> str:
    if units and units == list(range(units[0], units[-1] + 1)) and len(units) > 2:
        return f"{units[0]}:{units[-1] + 1}"
    return ",".join(map(str, units))
