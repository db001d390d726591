"""One Scope panel: what it records (a ring buffer), how it draws (a matplotlib figure on a PNG
or an ipympl canvas) and what it exports. The kinds of panel are in ``plots.py``.

How a compartment is drawn (``plot_kind``): spike compartments as a raster of cells over time
(with the population rate under it), matrices and conv filters (``tile_filters``) as an image of
the value now, vectors as line traces of selected cells; two compartments against each other as
an XY (phase-plane) trajectory. A panel's *selection* is which cells (flat indices within one
sample) it draws: large populations draw a chosen subset.

The Scope drives a panel through ``push`` (data), ``render`` (a frame), ``use_backend``,
``series`` / ``figure_bytes`` (export), ``describe`` (what the browser shows) and ``close``.
"""
from __future__ import annotations

import base64
import io

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from ngclab.lab.ring import Ring

_SPIKE_NAMES = {"s", "spikes", "spike"}
COLORS = ["#2563eb", "#dc2626", "#059669", "#d97706", "#7c3aed", "#0891b2", "#db2777",
          "#65a30d", "#475569", "#ea580c"]
DPI = 80
#: the data area of a panel's figure (fractions of the figure: left, bottom, width, height)
PLOT_BOX = (0.11, 0.16, 0.86, 0.8)


def plot_kind(comp) -> str:
    """How a compartment is drawn: ``trace``, ``raster`` or ``image``."""
    shape = tuple(comp.shape)
    if comp.plot_method in ("raster", "line", "image"):
        return {"line": "trace"}.get(comp.plot_method, comp.plot_method)
    if str(comp.dtype) == "bool" or comp.name in _SPIKE_NAMES or _says_spikes(comp):
        return "raster"  # spikes of any shape (a conv map too): flattened cells over time
    if len(shape) >= 4 or (len(shape) == 2 and shape[0] > 1 and shape[1] > 1):
        return "image"
    return "trace"


_SPIKE_DISPLAY_NAMES = {"spikes", "spike pulse", "spike pulses", "raw spike pulses"}


def _says_spikes(comp) -> bool:
    """Named as spikes for people (an encoder's ``outputs`` is "Spikes"); a "Time-of-Last-Spike"
    or a "Target spike step" is a time, not spikes."""
    return (comp.display_name or "").strip().lower() in _SPIKE_DISPLAY_NAMES


def cells_per_sample(comp) -> int:
    """Elements of one sample of a compartment (everything after the batch axis)."""
    shape = tuple(comp.shape)
    return int(np.prod(shape[1:])) if len(shape) >= 2 else int(np.prod(shape) or 1)


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


# -- selections -------------------------------------------------------------------------------
def parse_selection(spec, n: int, what: str = "the panel") -> list[int]:
    """Cells to draw out of ``n``: a list or range of indices, or text such as ``"0:8"``,
    ``"1,4,7"``, ``"0:4000:32"`` (every 32nd) or ``"2-5"``; each must be in 0..n-1."""
    if isinstance(spec, str):
        out: list[int] = []
        try:
            for part in spec.replace(" ", "").split(","):
                if not part:
                    continue
                if ":" in part or "-" in part[1:]:
                    bits = part.replace("-", ":").split(":") if ":" not in part else part.split(":")
                    if len(bits) > 3:
                        raise ValueError(part)
                    a, b, s = (bits + ["", ""])[:3]
                    out += list(range(int(a or 0), int(b or n), int(s or 1)))
                else:
                    out.append(int(part))
        except ValueError:
            raise ValueError(f"{what}: cannot read the selection {spec!r}; write cells like "
                             f"0:8, 1,4,7 or 0:{n}:10") from None
    elif isinstance(spec, slice):
        out = list(range(n)[spec])
    else:
        out = [int(u) for u in spec]
    bad = [u for u in out if not 0 <= u < n]
    if bad or not out:
        raise ValueError(f"{what} has cells 0..{n - 1}; cannot draw {bad[:8] or 'no cells'}")
    return out


def selection_text(sel: list[int]) -> str:
    """The shortest text ``parse_selection`` reads back as ``sel``."""
    if len(sel) > 2:
        step = sel[1] - sel[0]
        if step > 0 and all(b - a == step for a, b in zip(sel, sel[1:])):
            return f"{sel[0]}:{sel[-1] + 1}" + (f":{step}" if step > 1 else "")
    return ",".join(map(str, sel))


def default_selection(kind: str, n: int) -> list[int]:
    """Traces: the first 8 cells; rasters: all cells, or every k-th so at most 128 rows."""
    if kind == "raster":
        return list(range(0, n, -(-n // 128)))
    return list(range(min(n, 3 if kind == "xy" else 8)))


# -- ipympl canvases --------------------------------------------------------------------------
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


# -- the panel --------------------------------------------------------------------------------
class Panel:
    """The part every kind of panel shares; subclasses say what they record and draw.

    A subclass sets ``kind`` and ``figsize`` and implements ``columns`` (what the ring keeps),
    ``take`` (rows of the ring from a chunk's records), ``build`` (axes and artists, once) and
    ``update`` (new data on the artists; True when the axes themselves must be redrawn).
    """

    kind = "trace"
    figsize = (4.6, 2.2)

    def __init__(self, key: str, sources: list, window: int, selection=None,
                 backend: str = "png"):
        self.key, self.sources = key, list(sources)
        self.path = key
        first = self.sources[0]
        tail = first.path.split("/", 1)[-1]     # "b:zF" names it; the display name says what
        self.title = f"{tail} \u00b7 {first.display_name}" if first.display_name else tail
        self.units_label = first.units or ""     # the physical unit of the values (mV, ...)
        self.n = min(cells_per_sample(c) for c in self.sources)
        self.selection = (parse_selection(selection, self.n, key) if selection is not None
                          else default_selection(self.kind, self.n))
        self.window = int(window)
        self.ring = Ring(self.window, self.columns())
        self.dt = 1.0
        self.backend, self.widget = backend, None
        self.image: np.ndarray | None = None
        self._new_figure()

    # -- data -----------------------------------------------------------------------------
    def columns(self) -> dict[str, tuple[int, str]]:
        return {"values": (len(self.selection), "float32")}

    def paths(self) -> list[str]:
        """Compartments recorded every step for this panel ([] if it shows the value now)."""
        return [c.path for c in self.sources]

    def take(self, records: dict[str, np.ndarray]) -> dict[str, np.ndarray] | None:
        rows = records.get(self.sources[0].path)
        if rows is None:
            return None
        return {"values": _flat(rows)[:, self.selection]}

    def push(self, records: dict[str, np.ndarray], first_step: int) -> None:
        """Append a chunk's records ({path: (k, ...)}, row 0 is step ``first_step``)."""
        rows = self.take(records)
        if rows is not None:
            self.ring.push(first_step, rows)
            self.dirty = True

    @property
    def count(self) -> int:
        return self.ring.count

    def ordered(self) -> tuple[np.ndarray, np.ndarray]:
        """(steps, values of the selected cells), oldest first."""
        return self.ring.ordered("values")

    def clear(self) -> None:
        self.ring.clear()
        self.image, self._bg = None, None
        self.dirty = True

    def series(self) -> tuple[np.ndarray, list[dict]]:
        """What an export writes: (steps, [{name, values (steps, k), labels, attrs}])."""
        steps, vals = self.ordered()
        comp = self.sources[0]
        return steps, [{"name": comp.path, "values": vals, "labels": self.selection,
                        "attrs": _attrs(comp, self.kind)}]

    # -- figure -----------------------------------------------------------------------------
    def _new_figure(self) -> None:
        self.fig = Figure(figsize=self.figsize, dpi=DPI)
        if self.backend == "ipympl":
            from ipympl.backend_nbagg import FigureManager
            self.widget = _canvas_class()(self.fig)   # becomes fig.canvas (an Agg canvas too)
            FigureManager(self.widget, 0)    # handles the front end's messages; not in Gcf
            self.widget.header_visible = self.widget.footer_visible = False
            self.widget.toolbar_visible = False   # no pan/zoom: the scope owns the axes
            self.widget.resizable = False
            self.widget.capture_scroll = False
        else:
            FigureCanvasAgg(self.fig)
        self.artists: list = []
        self.dirty = True
        self._bg = None          # cached background (axes without data) for blitting
        self._bg_size = None     # canvas size the background was taken at
        self.has_frame = False   # a frame was drawn (ipympl; png keeps it in Scope.frames)
        self._png: str | None = None

    def use_backend(self, backend: str) -> None:
        """Draw from now on with ``backend`` ("png" or "ipympl"); the recorded data stay."""
        self.close()
        self.backend = backend
        self._new_figure()

    def close(self) -> None:
        """Close the canvas widget (and its toolbar) of a panel that is dropped."""
        if self.widget is not None:
            toolbar = getattr(self.widget, "toolbar", None)
            self.widget.close()
            if toolbar is not None:
                toolbar.close()
            self.widget = None

    def _style(self, ax) -> None:
        ax.tick_params(labelsize=7, colors="#64748b")
        for s in ax.spines.values():
            s.set_color("#cbd5e1")

    def _time_axis(self, ax, label: bool = True) -> None:
        if label:
            ax.set_xlabel("t \u2212 now", fontsize=7, color="#64748b", labelpad=1)
        ax.grid(True, color="#f1f5f9", lw=0.8)
        ax.set_xlim(-self.window * self.dt, 0)

    def needs_frame(self, has_png: bool) -> bool:
        """Whether the next Scope frame must redraw this panel."""
        return self.dirty or (not has_png if self.widget is None else not self.has_frame)

    def render(self, dt: float) -> str | None:
        """Draw a frame. Data are drawn over a cached background (blitting); the axes are
        redrawn only when the value range no longer fits or dt changed.

        png: returns the frame as a PNG data URL. ipympl: the canvas widget sends the changed
        pixels to the browser itself (``canvas.blit()``); returns None."""
        canvas = self.fig.canvas
        if dt != self.dt or not self.artists:
            self.dt = dt
            self.fig.clear()
            self.artists, self._bg = self.build(self.fig), None
            self.clock = self.fig.text(0.97, 0.02, "", ha="right", va="bottom", fontsize=7,
                                       color="#334155")
        steps = self.ring.ordered("values")[0] if "values" in self.ring.data else np.zeros(0)
        now = steps[-1] if len(steps) else 0
        full = self.update((steps - now) * dt)
        self.clock.set_text(f"t = {now * dt + dt:.6g}" if len(steps) else "")
        size = canvas.get_width_height(physical=True)
        if full or self._bg is None or size != self._bg_size:   # (ipympl: the browser's dpi)
            for a in self.artists + [self.clock]:
                a.set_visible(False)
            FigureCanvasAgg.draw(canvas)   # Agg only: ipympl must not send this frame
            self._bg = canvas.copy_from_bbox(self.fig.bbox)
            self._bg_size = canvas.get_width_height(physical=True)
            for a in self.artists + [self.clock]:
                a.set_visible(True)
        canvas.restore_region(self._bg)
        for a in self.artists:
            a.axes.draw_artist(a)
        self.fig.draw_artist(self.clock)
        if self.widget is not None:
            canvas.blit(self.fig.bbox)   # ipympl: send the changed pixels
        return self._finish()

    def _finish(self) -> str | None:
        self.dirty = False
        self.has_frame = True
        if self.widget is not None:
            return None
        rgba = np.asarray(self.fig.canvas.buffer_rgba())
        buf = io.BytesIO()
        Image.fromarray(rgba[..., :3]).save(buf, format="PNG", compress_level=1)
        self._png = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
        return self._png

    def figure_bytes(self, fmt: str) -> bytes:
        """The panel's figure as it is now, as ``png`` or ``svg`` bytes."""
        if not self.artists:
            self.render(self.dt)
        buf = io.BytesIO()
        self.fig.savefig(buf, format=fmt, dpi=2 * DPI if fmt == "png" else DPI)
        self._bg = None            # savefig drew everything: take the background again
        return buf.getvalue()

    def describe(self) -> dict:
        """What the browser needs to show the panel."""
        return {"path": self.key, "kind": self.kind, "title": self.title, "n": self.n,
                "selection": selection_text(self.selection),
                "canvas": None if self.widget is None else self.widget.model_id,
                "box": list(self.plot_box())}

    def plot_box(self) -> tuple[float, float, float, float]:
        """The data area (left, top, right, bottom) as fractions of the figure, from the top."""
        x, y, w, h = PLOT_BOX
        return (x, 1 - y - h, x + w, 1 - y)

    def summary(self) -> dict:
        """Numbers about what the panel shows now (for checks and tests)."""
        steps, vals = self.ordered()
        finite = vals[np.isfinite(vals)] if vals.size else vals
        return {"kind": self.kind, "rows": int(len(steps)), "cells": len(self.selection),
                "span": [min(self.selection), max(self.selection)],
                "min": float(finite.min()) if finite.size else None,
                "max": float(finite.max()) if finite.size else None,
                "ylim": [float(v) for v in self.ylim()] if self.artists else None}

    def ylim(self) -> tuple[float, float]:
        return self.artists[0].axes.get_ylim()


def _flat(rows: np.ndarray) -> np.ndarray:
    """(k, ...) -> (k, cells of the first sample): the batch's first sample, flattened."""
    rows = np.asarray(rows)
    k = rows.shape[0]
    if rows.ndim >= 3:
        return rows[:, 0].reshape(k, -1)
    return rows.reshape(k, -1)


def _attrs(comp, kind: str) -> dict:
    return {"path": comp.path, "units": comp.units or "", "kind": kind,
            "display_name": comp.display_name or ""}
