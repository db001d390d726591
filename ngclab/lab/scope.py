"""Scope: live plots of watched compartments while the model runs.

* vectors (``(batch, n)``): line traces of selected cells over a rolling window of steps;
* spike compartments (``plot_method="raster"``, boolean, or named like spikes): a raster of the
  selected cells with the population rate under it;
* matrices (parameters such as weights) and conv filters (4-d, tiled): an image of the value now;
* a pair ``(x, y)`` of compartments: an XY (phase-plane) trajectory of y against x.

A panel's *selection* (``select``) says which cells it draws: a large population draws a
subset (by default at most 128 raster rows, 8 traces). Traces live in a bounded ring buffer
(``window`` steps per panel), so memory does not grow with the length of a run. Drawing is
throttled: at most ``max_fps`` frames a second and never more than about a quarter of the wall
time (a frame that took d seconds is followed by at least 3d without drawing).

``export(path)`` writes the ring buffers as CSV or NPZ, or a panel's figure as PNG or SVG (a
button on each panel does the same from the browser); ``to_xarray()`` gives them as an xarray
Dataset when xarray is installed.

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
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from ngclab.core import Compartment
from ngclab.lab import export
from ngclab.lab.assets import module
from ngclab.lab.panel import Panel, cells_per_sample, plot_kind, tile_filters  # noqa: F401
from ngclab.lab.plots import make_panel
from ngclab.lab.protocol import Requests
from ngclab.lab.runner import MAX_CHUNK, RunObserver, positive_number, whole_number

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


class Scope(Requests, RunObserver, anywidget.AnyWidget):
    """Live plots of watched compartments.

    Args:
        ctx: the Context.
        watch: compartments (objects or paths) to plot; a pair ``(x, y)`` plots y against x.
        window: steps kept per trace (ring buffer size).
        max_fps: redraws per second at most.
        backend: "auto", "png" or "ipympl". "auto" draws PNG frames until a front end that
            has ipympl's extension shows the Scope, then ipympl canvases (``resolve_backend``);
            ``backend_in_use`` tells which one draws. Whatever the backend, each panel's
            container in the page carries ``data-ngclab-trace="<panel key>"`` (the
            compartment's path, or ``"<x path> vs <y path>"`` for an XY panel).
    """

    _esm = module("scope.js")
    _css = module("lab.css")
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
        self.ctx = ctx
        self.window = whole_number("Scope: window", window, high=MAX_CHUNK)
        self.max_fps = positive_number("Scope: max_fps", max_fps)
        self._panels: dict[str, Panel] = {}
        self._last_draw = 0.0
        self._last_cost = 0.0
        self.dt = 1.0
        self.frames_drawn = 0
        self.first_frame_time: float | None = None
        self.on_change: list = []
        for c in watch:
            self.add(c)
        self._listen()

    # -- what is watched --------------------------------------------------------------------
    @property
    def watched(self) -> list[str]:
        """Keys of the panels: compartment paths (``"<x> vs <y>"`` for an XY panel)."""
        return list(self._panels)

    def add(self, comp: Any, selection=None) -> str:
        """Watch a compartment (or a pair ``(x, y)``: y against x); returns the panel's key."""
        sources = self._sources(comp)
        panel = make_panel(sources, self.window, selection, self.backend_in_use)
        if panel.key in self._panels:
            panel.close()
            return panel.key
        self._panels[panel.key] = panel
        self._changed()
        return panel.key

    def add_xy(self, x: Any, y: Any, selection=None) -> str:
        """A phase-plane panel: compartment ``y`` against ``x`` (cells of the same indices)."""
        return self.add((x, y), selection)

    def remove(self, comp: Any) -> None:
        panel = self._panels.pop(self._key(comp), None)
        if panel is not None:
            panel.close()
            self.frames = {p: f for p, f in self.frames.items() if p in self._panels}
            self._changed(draw=False)

    def select(self, comp: Any, selection) -> None:
        """Choose which cells a panel draws: indices (``[0, 3, 5]``, ``range(0, 4000, 40)``)
        or text (``"0:8"``, ``"1,4,7"``, ``"0:4000:40"``). The panel starts a new window."""
        key = self._key(comp)
        if key not in self._panels:
            raise ValueError(f"Scope: {key} is not watched; watched: {', '.join(self._panels)}")
        old = self._panels[key]
        panel = make_panel(old.sources, self.window, selection, self.backend_in_use)
        old.close()
        self._panels[key] = panel
        self._changed()

    def selection(self, comp: Any) -> list[int]:
        """The cells a panel draws."""
        return list(self._panels[self._key(comp)].selection)

    def _sources(self, ref: Any) -> list[Compartment]:
        if isinstance(ref, (tuple, list)):
            if len(ref) != 2:
                raise ValueError(f"Scope: an XY panel takes two compartments (x, y), got {ref!r}")
            return [self.ctx.compartment(r) for r in ref]
        if isinstance(ref, str) and " vs " in ref:
            return self._sources(tuple(ref.split(" vs ")))
        return [self.ctx.compartment(ref)]

    def _key(self, ref: Any) -> str:
        if isinstance(ref, str) and ref in self._panels:
            return ref
        if isinstance(ref, str) and " vs " not in ref and ":" in ref:
            return ref if ref.startswith(self.ctx.name + "/") else f"{self.ctx.name}/{ref}"
        sources = self._sources(ref)
        return " vs ".join(c.path for c in sources)

    def recorded(self) -> list[str]:
        """Paths the run loop records every step (traces, rasters, XY pairs)."""
        return list(dict.fromkeys(p for pn in self._panels.values() for p in pn.paths()))

    def sync(self) -> None:
        """After an edit: drop panels whose compartments are gone, rebuild those whose shape
        or kind changed (keeping the cells that still exist) and follow rebuilt components."""
        changed = False
        for key, panel in list(self._panels.items()):
            comps = [self.ctx.compartments.get(c.path) for c in panel.sources]
            if any(c is None for c in comps):
                self._panels.pop(key).close()
                changed = True
            elif any(c is not s for c, s in zip(comps, panel.sources)):
                n = min(cells_per_sample(c) for c in comps)
                kind = "xy" if len(comps) == 2 else plot_kind(comps[0])
                if n == panel.n and kind == panel.kind:
                    panel.sources = comps          # the same panel, the new compartments
                    continue
                keep = [u for u in panel.selection if u < n] or None
                panel.close()
                self._panels[key] = make_panel(comps, self.window, keep, self.backend_in_use)
                changed = True
        if changed:
            self.frames = {p: f for p, f in self.frames.items() if p in self._panels}
            self._changed(draw=False)

    # -- data from the run loop -------------------------------------------------------------
    def push(self, recorded: dict, first_step: int) -> None:
        """Give the panels recorded values ({path: (steps, ...)}, row 0 is ``first_step``)."""
        for panel in self._panels.values():
            panel.push(recorded, first_step)

    def records_wanted(self) -> dict[str, int | None]:
        return {p: self.window for p in self.recorded()}

    def chunk_done(self, runner, records: dict, first_step: int, steps: int) -> None:
        self.dt = runner.dt
        mine = {p: v[-self.window:] for p, v in records.items() if p in self.recorded()}
        if mine:   # (other observers may have asked for more rows of the same paths)
            kept = min(steps, self.window)
            self.push(mine, first_step + steps - kept)
        if runner.status == "running" and self.due():   # (a single step draws when done)
            self.draw()

    def status_changed(self, runner) -> None:
        if not runner.running:
            self.draw(force=True)

    def was_reset(self, runner) -> None:
        self.clear()

    def clear(self) -> None:
        for panel in self._panels.values():
            panel.clear()

    def due(self, now: float | None = None) -> bool:
        now = time.perf_counter() if now is None else now
        gap = max(1.0 / self.max_fps, 3.0 * self._last_cost)
        return now - self._last_draw >= gap

    def draw(self, force: bool = False) -> bool:
        """Redraw changed panels if a frame is due (or ``force``); True if a frame was sent."""
        now = time.perf_counter()
        if not force and not self.due(now):
            return False
        frames = dict(self.frames)
        for key, panel in self._panels.items():
            if panel.kind == "image":
                panel.refresh()
            if panel.needs_frame(key in frames):
                frame = panel.render(self.dt)
                if frame is not None:
                    frames[key] = frame
        self.frames = frames
        self.frames_drawn += 1
        self.frame_count = self.frames_drawn
        end = time.perf_counter()
        self._last_draw, self._last_cost = end, end - now
        if self.first_frame_time is None:
            self.first_frame_time = end
        return True

    # -- export -----------------------------------------------------------------------------
    def export(self, path: str | Path, panel: Any = None) -> Path:
        """Write the ring buffers (``.csv``, ``.npz``; all panels, or one) or one panel's figure
        (``.png``, ``.svg``) to ``path``; returns the path written."""
        fmt = export.format_of(path, export.TABLES + export.FIGURES, "Scope.export")
        return export.write(path, self._export_bytes(fmt, panel))

    def to_xarray(self, panel: Any = None):
        """The ring buffers (all panels, or one) as an ``xarray.Dataset`` (needs xarray)."""
        steps, series = export.join_steps([p.series() for p in self._chosen(panel)
                                           if p.kind != "image"])
        return export.to_dataset(steps, steps * self.dt, series,
                                 {"context": self.ctx.name, "dt": self.dt})

    def _chosen(self, panel: Any) -> list[Panel]:
        if panel is None:
            return list(self._panels.values())
        key = self._key(panel)
        if key not in self._panels:
            raise ValueError(f"Scope: {key} is not watched; watched: {', '.join(self._panels)}")
        return [self._panels[key]]

    def _export_bytes(self, fmt: str, panel: Any) -> bytes:
        chosen = self._chosen(panel)
        if fmt in export.FIGURES or (len(chosen) == 1 and chosen[0].kind == "image"):
            if len(chosen) != 1:
                raise ValueError(f"Scope.export: a {fmt} file holds one panel's figure; say "
                                 f"which (panel=...): {', '.join(self._panels)}")
            if fmt in export.FIGURES:
                return chosen[0].figure_bytes(fmt)
            return export.image_bytes(fmt, chosen[0].series()[1])
        steps, series = export.join_steps([p.series() for p in chosen if p.kind != "image"])
        if fmt == "npz":
            series += [s for p in chosen if p.kind == "image" for s in p.series()[1]]
        return export.table_bytes(fmt, steps, steps * self.dt, series,
                                  {"context": self.ctx.name, "dt": self.dt})

    # -- browser ------------------------------------------------------------------------------
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
        for panel in self._panels.values():
            panel.use_backend(new)
        self.frames = {}
        self._changed()

    def _changed(self, draw: bool = True) -> None:
        self.panels = [p.describe() for p in self._panels.values()]
        for fn in self.on_change:
            fn()
        if draw:
            self.draw(force=True)

    def _handle(self, msg: dict) -> dict:
        kind = msg.get("type")
        try:
            if kind == "unwatch":
                self.remove(msg["path"])
            elif kind == "frontend":   # can the browser load ipympl's widgets?
                # once a canvas failed to show, a later view's "yes" must not switch back
                self.frontend_has_ipympl = bool(msg.get("ipympl")) and not self._canvas_failed
                if self.backend == "auto":
                    self._use(resolve_backend("auto", self.frontend_has_ipympl))
            elif kind == "fallback":   # the browser could not show an ipympl canvas
                self.frontend_has_ipympl, self._canvas_failed = False, True
                self._use("png")
            elif kind == "select":
                self.select(msg["path"], msg["selection"])
            elif kind == "export":
                fmt = export.format_of(msg.get("format", ""), export.TABLES + export.FIGURES,
                                       "Scope.export")
                data = self._export_bytes(fmt, msg["path"])
                name = msg["path"].split("/", 1)[-1].replace(":", "_").replace(" ", "_")
                return {"ok": True, "message": "", "file": data, "name": f"{name}.{fmt}",
                        "mime": export.MIME[fmt]}
            else:
                raise ValueError(f"unknown scope message {kind!r}")
        except (ValueError, KeyError) as err:
            text = err.args[0] if isinstance(err, KeyError) and err.args else str(err)
            return {"ok": False, "message": str(text)}
        return {"ok": True, "message": ""}
