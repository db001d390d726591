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
* ``"auto"`` (the default): see ``resolve_backend``.
"""
from __future__ import annotations

import base64
import io
import os
import time
from typing import Any

import anywidget
import numpy as np
import traitlets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from ngclab.lab.assets import asset

BACKENDS = ("auto", "png", "ipympl")
ENV_BACKEND = "NGCLAB_SCOPE_BACKEND"
_SPIKE_NAMES = {"s", "spikes", "spike", "tols"}
_COLORS = ["#2563eb", "#dc2626", "#059669", "#d97706", "#7c3aed", "#0891b2", "#db2777",
           "#65a30d", "#475569", "#ea580c"]


def plot_kind(comp) -> str:
    """How a compartment is drawn: ``trace``, ``raster`` or ``image``."""
    shape = tuple(comp.shape)
    if comp.plot_method in ("raster", "line", "image"):
        return {"line": "trace"}.get(comp.plot_method, comp.plot_method)
    if str(comp.dtype) == "bool" or comp.name in _SPIKE_NAMES:
        return "raster"  # spikes of any shape (a conv map too): flattened units over time
    if len(shape) >= 4 or (len(shape) == 2 and shape[0] > 1 and shape[1] > 1):
        return "image"
    return "trace"


def tile_filters(w: np.ndarray) -> np.ndarray:
    """Conv filters (kh, kw, in, out) tiled into one image, one tile per (in, out) pair."""
    kh, kw = w.shape[0], w.shape[1]
    tiles = w.reshape(kh, kw, -1).transpose(2, 0, 1)
    n = tiles.shape[0]
    cols = int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / cols))
    img = np.full((rows * (kh + 1) - 1, cols * (kw + 1) - 1), np.nan, dtype=np.float32)
    for i in range(n):
        r, c = divmod(i, cols)
        img[r * (kh + 1):r * (kh + 1) + kh, c * (kw + 1):c * (kw + 1) + kw] = tiles[i]
    return img


def _ipympl_available() -> bool:
    try:
        import ipympl.backend_nbagg  # noqa: F401
    except Exception:  # not installed, or broken against this matplotlib
        return False
    return True


def resolve_backend(backend: str = "auto") -> str:
    """The backend a Scope draws with: ``"png"`` or ``"ipympl"``.

    ``"png"`` and ``"ipympl"`` are taken as they are. ``"auto"`` (the default) is ``"png"``
    unless the environment variable ``NGCLAB_SCOPE_BACKEND`` says ``ipympl`` (and the ipympl
    package imports; ``NGCLAB_SCOPE_BACKEND=png`` or unset: png). Why png: the kernel cannot
    see whether the browser has ipympl's front end (JupyterLab with jupyter-matplotlib does;
    other front ends may not), PNG frames show wherever widgets run, and the in-browser check
    that the ipympl canvas renders inside a Scope panel does not pass yet (the canvas view
    stays 0x0). If the front end cannot create the canvas view it asks the kernel for PNG
    frames (``Scope.set_backend("png")``).
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
    return "ipympl" if env == "ipympl" and _ipympl_available() else "png"


class _Panel:
    """One watched compartment: its ring buffer and its figure (and, with the ipympl backend,
    the canvas widget showing that figure)."""

    def __init__(self, comp, window: int, units: list[int] | None, backend: str = "png"):
        self.path, self.kind = comp.path, plot_kind(comp)
        self.title = comp.display_name or comp.path.split("/", 1)[-1]
        self.units_label = comp.units or ""
        shape = tuple(comp.shape)
        self.n = int(np.prod(shape[1:])) if len(shape) >= 2 else int(np.prod(shape) or 1)
        if self.kind == "trace":
            self.units = list(units) if units is not None else list(range(min(self.n, 8)))
        else:
            self.units = list(units) if units is not None else list(range(min(self.n, 64)))
        self.window = window
        self.buf = np.zeros((window, len(self.units)), dtype=np.float32)
        self.steps = np.zeros(window, dtype=np.float64)
        self.count = 0          # values written so far (ring position = count % window)
        self.image: np.ndarray | None = None
        self.fig = Figure(figsize=(4.6, 2.2), dpi=80)
        self.backend = backend
        self.widget = None       # the ipympl Canvas (ipympl backend only)
        if backend == "ipympl":
            from ipympl.backend_nbagg import Canvas, FigureManager
            self.widget = Canvas(self.fig)   # becomes fig.canvas (an Agg canvas too)
            FigureManager(self.widget, 0)    # handles the front end's messages; not in Gcf
            self.widget.header_visible = self.widget.footer_visible = False
            self.widget.toolbar_visible = False   # no pan/zoom: the scope owns the axes
            self.widget.resizable = False
            self.widget.capture_scroll = False
        else:
            FigureCanvasAgg(self.fig)
        self.ax = self.fig.add_axes([0.11, 0.16, 0.78 if self.kind == "image" else 0.86, 0.8])
        self.artists: list = []
        self.dirty = True
        self.dt = 1.0
        self._bg = None          # cached background (axes without data) for blitting
        self._bg_size = None     # canvas size the background was taken at
        self.has_frame = False   # a frame was drawn (ipympl; png keeps it in Scope.frames)
        self._shown = None       # the matrix an image frame shows
        self._png: str | None = None

    # -- data ---------------------------------------------------------------------------------
    def push(self, values: np.ndarray, first_step: int) -> None:
        """Append recorded values (steps, ...) from a chunk; keeps only the last ``window``."""
        k = values.shape[0]
        first = max(0, k - self.window)  # only the last `window` steps can be shown: copy those
        flat = values[first:].reshape(k - first, -1)[:, self.units]
        steps = first_step + np.arange(first, k)
        n = flat.shape[0]
        idx = (self.count + first + np.arange(n)) % self.window
        self.buf[idx] = flat
        self.steps[idx] = steps
        self.count += k
        self.dirty = True

    def ordered(self) -> tuple[np.ndarray, np.ndarray]:
        n = min(self.count, self.window)
        if self.count <= self.window:
            return self.steps[:n], self.buf[:n]
        start = self.count % self.window
        order = np.r_[start:self.window, 0:start]
        return self.steps[order], self.buf[order]

    def close(self) -> None:
        """Close the canvas widget (and its toolbar) of a panel that is dropped."""
        if self.widget is not None:
            toolbar = getattr(self.widget, "toolbar", None)
            self.widget.close()
            if toolbar is not None:
                toolbar.close()
            self.widget = None

    def clear(self) -> None:
        self.count = 0
        self.image = None
        self.dirty = True
        self._bg = None

    # -- drawing ------------------------------------------------------------------------------
    def _setup(self) -> None:
        """Create the axes' artists once; frames only update their data (much faster)."""
        ax = self.ax
        ax.tick_params(labelsize=7, colors="#64748b")
        for s in ax.spines.values():
            s.set_color("#cbd5e1")
        if self.kind == "image":
            self.artists = [ax.imshow(np.zeros((1, 1)), aspect="auto", cmap="viridis",
                                      interpolation="nearest")]
            self.cbar = self.fig.colorbar(self.artists[0], ax=ax, fraction=0.05, pad=0.02)
            self.cbar.ax.tick_params(labelsize=6, colors="#64748b")
        elif self.kind == "trace":
            self.artists = [ax.plot([], [], lw=1.2, color=_COLORS[i % len(_COLORS)],
                                    label=str(u))[0] for i, u in enumerate(self.units)]
            if self.units and len(self.units) <= 10:
                ax.legend(fontsize=6, loc="upper left", ncol=min(len(self.units), 10),
                          frameon=False, handlelength=1, columnspacing=0.8)
            if self.units_label:
                ax.set_ylabel(self.units_label, fontsize=7)
        else:
            self.artists = [ax.scatter([], [], s=4, marker="|", color="#0f172a")]
            ax.set_ylim(-0.5, max(self.units or [0]) + 0.5)
        if self.kind != "image":
            ax.set_xlabel("t \u2212 now", fontsize=7, color="#64748b", labelpad=1)
            ax.grid(True, color="#f1f5f9", lw=0.8)
            ax.set_xlim(-self.window * self.dt, 0)
            ax.set_ylim(-1.0, 1.0)
        self.clock = self.fig.text(0.97, 0.02, "", ha="right", va="bottom", fontsize=7,
                                   color="#334155")

    def draw(self, dt: float) -> str | None:
        """Render a frame. Traces and rasters are drawn on a fixed axis of time relative to
        now (``t - t_now``), so a frame only redraws the data (blitting over a cached
        background); the axes are redrawn only when the value range no longer fits.

        png: returns the frame as a PNG data URL. ipympl: the canvas widget sends the changed
        pixels to the browser itself (``canvas.draw()`` / ``canvas.blit()``); returns None."""
        if not self.artists:
            self._setup()
        ax, canvas = self.ax, self.fig.canvas
        if self.kind == "image":
            img = None if self.image is None else np.asarray(self.image)
            if img is not None and not (self._shown is not None and img.shape == self._shown.shape
                                        and np.array_equal(img, self._shown, equal_nan=True)):
                im = self.artists[0]
                im.set_data(img)
                im.set_extent((-0.5, img.shape[1] - 0.5, img.shape[0] - 0.5, -0.5))
                lo, hi = np.nanmin(img), np.nanmax(img)
                im.set_clim(lo, hi if hi > lo else lo + 1e-6)
                ax.set_xlim(-0.5, img.shape[1] - 0.5)
                ax.set_ylim(img.shape[0] - 0.5, -0.5)
                self._shown = img.copy()
                canvas.draw()     # ipympl: also sends the frame
            elif self._png is None and not self.has_frame:
                canvas.draw()
            else:
                self.dirty = False
                return self._png
        else:
            steps, vals = self.ordered()
            now = steps[-1] if len(steps) else 0
            x = (steps - now) * dt
            size = canvas.get_width_height(physical=True)
            full = self._bg is None or size != self._bg_size   # (ipympl: the browser's dpi)
            if self.kind == "trace":
                for i, line in enumerate(self.artists):
                    line.set_data(x, vals[:, i])
                if len(x):
                    lo, hi = float(np.nanmin(vals)), float(np.nanmax(vals))
                    if not (np.isfinite(lo) and np.isfinite(hi)):
                        lo, hi = -1.0, 1.0
                    y0, y1 = ax.get_ylim()
                    span = max(hi - lo, abs(hi) * 0.1, 0.05)
                    if lo < y0 or hi > y1 or (y1 - y0) > 6 * span:
                        # generous headroom: a growing trace rescales (a full redraw) rarely
                        ax.set_ylim(lo - (0.1 if lo >= y0 else 0.6) * span,
                                    hi + (0.45 if hi <= y1 else 1.0) * span)
                        full = True
            else:  # raster
                r, c = np.nonzero(vals > 0)
                self.artists[0].set_offsets(np.c_[x[r], np.asarray(self.units)[c]]
                                            if len(r) else np.empty((0, 2)))
            self.clock.set_text(f"t = {now * dt + dt:.6g}" if len(steps) else "")
            if full:
                for a in self.artists + [self.clock]:
                    a.set_visible(False)
                FigureCanvasAgg.draw(canvas)   # Agg only: ipympl must not send this frame
                self._bg = canvas.copy_from_bbox(self.fig.bbox)
                self._bg_size = canvas.get_width_height(physical=True)
                for a in self.artists + [self.clock]:
                    a.set_visible(True)
            canvas.restore_region(self._bg)
            for a in self.artists:
                ax.draw_artist(a)
            self.fig.draw_artist(self.clock)
            if self.widget is not None:
                canvas.blit(self.fig.bbox)   # ipympl: send the changed pixels
        self.dirty = False
        self.has_frame = True
        if self.widget is not None:
            return None
        rgba = np.asarray(canvas.buffer_rgba())
        buf = io.BytesIO()
        Image.fromarray(rgba[..., :3]).save(buf, format="PNG", compress_level=1)
        self._png = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
        return self._png


class Scope(anywidget.AnyWidget):
    """Live plots of watched compartments.

    Args:
        ctx: the Context.
        watch: compartments (objects or paths) to plot.
        window: steps kept per trace (ring buffer size).
        max_fps: redraws per second at most.
        backend: "auto", "png" or "ipympl". "auto" = png unless the environment variable
            NGCLAB_SCOPE_BACKEND=ipympl (and ipympl imports); see ``resolve_backend`` for why;
            ``backend_in_use`` tells which one draws. Whatever the backend, each panel's
            container in the page carries ``data-ngclab-trace="<compartment path>"``.
    """

    _esm = asset("scope.js")
    _css = asset("lab.css")
    panels = traitlets.List().tag(sync=True)
    frames = traitlets.Dict().tag(sync=True)
    frame_count = traitlets.Int(0).tag(sync=True)

    def __init__(self, ctx, watch=(), window: int = 1000, max_fps: float = 30.0,
                 backend: str = "auto", **kwargs):
        self.backend = backend
        self.backend_in_use = resolve_backend(backend)   # raises on an unknown name first
        super().__init__(**kwargs)
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
        new = resolve_backend(backend)
        self.backend = backend
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
            elif msg.get("type") == "fallback":   # the browser could not show an ipympl canvas
                if self.backend_in_use != "png":
                    self.set_backend("png")
            elif msg.get("type") == "canvas_shown":   # a new view of an ipympl canvas
                for panel in self._panels.values():
                    if panel.widget is not None and panel.widget.model_id == msg.get("id"):
                        w, h = panel.fig.bbox.size   # re-send the size; the view then redraws
                        panel.widget.manager.resize(w, h)
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
