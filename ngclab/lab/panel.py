"""One Scope panel: a watched compartment's ring buffer and its matplotlib figure.

How a compartment is drawn (``plot_kind``): spike compartments as a raster of units over time,
matrices and conv filters (``tile_filters``) as an image of the value now, vectors as line
traces of chosen units. The ring buffer keeps the last ``window`` steps, so memory is bounded.
"""
from __future__ import annotations

import base64
import io

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image


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


_CANVAS = None


def _blank_png() -> str:
    """A 1x1 transparent PNG as a data URL."""
    buf = io.BytesIO()
    Image.new("RGBA", (1, 1)).save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _canvas_class():
    """ipympl's Canvas widget, with a valid first image.

    ipympl's front end draws its image (the ``_data_url`` trait) into the canvas whenever the
    figure size changes. A Canvas that is never displayed through its own
    ``_repr_mimebundle_`` (ours live inside a Scope panel) opens its model with no image, and
    frames drawn before the browser's model exists set ``_data_url`` to bare base64 (no
    ``data:`` prefix). Either way that draw throws ("the HTMLImageElement is in the 'broken'
    state", matplotlib/ipympl#472); the exception aborts the widget's state chain and the view
    stays 0x0 for good. So the canvas starts from a blank 1x1 image and never syncs
    ``_data_url``: frames reach the browser only as the binary messages ipympl sends anyway.
    """
    global _CANVAS
    if _CANVAS is None:
        from ipympl.backend_nbagg import Canvas
        from traitlets import Any

        class ScopeCanvas(Canvas):
            _data_url = Any(_blank_png()).tag(sync=True)

            def __init__(self, figure):
                super().__init__(figure)
                self.syncing_data_url = False

        _CANVAS = ScopeCanvas
    return _CANVAS


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
            from ipympl.backend_nbagg import FigureManager
            self.widget = _canvas_class()(self.fig)   # becomes fig.canvas (an Agg canvas too)
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
