"""The kinds of Scope panel: traces, a raster with the population rate under it, an image of
the value now, and an XY (phase-plane) trajectory of one compartment against another.

Traces and rasters are drawn on a fixed axis of time relative to now (``t - t_now``), so a
frame only redraws the data over a cached background (see ``Panel.render``).
"""
from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator

from ngclab.lab.panel import COLORS, PLOT_BOX, Panel, _attrs, _flat, plot_kind, tile_filters


class TracePanel(Panel):
    """Line traces of the selected cells of a vector over the last ``window`` steps."""

    kind = "trace"

    def build(self, fig) -> list:
        ax = fig.add_axes(PLOT_BOX)
        self._style(ax)
        lines = [ax.plot([], [], lw=1.2, color=COLORS[i % len(COLORS)], label=str(u))[0]
                 for i, u in enumerate(self.selection)]
        if len(self.selection) <= 10:
            ax.legend(fontsize=6, loc="upper left", ncol=len(self.selection), frameon=False,
                      handlelength=1, columnspacing=0.8)
        if self.units_label:
            ax.set_ylabel(self.units_label, fontsize=7)
        self._time_axis(ax)
        ax.set_ylim(-1.0, 1.0)
        return lines

    def update(self, x: np.ndarray) -> bool:
        _, vals = self.ordered()
        for i, line in enumerate(self.artists):
            line.set_data(x, vals[:, i])
        return bool(len(x)) and _fit(self.artists[0].axes, vals, "y")


class RasterPanel(Panel):
    """Spikes of the selected cells (a dot per spike at the cell's index), and under it the
    population rate: the fraction of *all* the cells of the sample that spiked, per time bin,
    divided by the bin's duration (Hz when dt is in ms)."""

    kind = "raster"
    figsize = (4.6, 2.8)
    RASTER_BOX = (0.11, 0.40, 0.86, 0.56)
    RATE_BOX = (0.11, 0.13, 0.86, 0.20)
    BINS = 50

    def columns(self) -> dict[str, tuple[int, str]]:
        return {"values": (len(self.selection), "uint8"), "active": (1, "float32")}

    def take(self, records: dict[str, np.ndarray]) -> dict[str, np.ndarray] | None:
        rows = records.get(self.sources[0].path)
        if rows is None:
            return None
        flat = _flat(rows) > 0
        return {"values": flat[:, self.selection].astype(np.uint8),
                "active": flat.mean(axis=1, keepdims=True, dtype=np.float32)}

    def build(self, fig) -> list:
        ax = fig.add_axes(self.RASTER_BOX)
        rate = fig.add_axes(self.RATE_BOX, sharex=ax)
        for a in (ax, rate):
            self._style(a)
        ax.tick_params(labelbottom=False)
        self._time_axis(ax, label=False)
        self._time_axis(rate)
        lo, hi = min(self.selection), max(self.selection)
        ax.set_ylim(lo - 0.5, hi + 0.5)          # the y axis spans the drawn cells
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
        ax.set_ylabel("cell", fontsize=7)
        rate.set_ylabel("Hz", fontsize=7)
        rate.set_ylim(0.0, 1.0)
        # a tick a row high, but never under 3 pt: in a dense raster a spike spans a few rows
        rows_pt = self.RASTER_BOX[3] * self.figsize[1] * 72 / len(self.selection)
        dots = ax.scatter([], [], s=float(np.clip(rows_pt, 3.0, 4.0)) ** 2, marker="|",
                          linewidths=1.0, color="#0f172a")
        edges = np.linspace(-self.window * self.dt, 0, self.BINS + 1)
        bars = rate.stairs(np.zeros(self.BINS), edges, fill=True, color="#94a3b8")
        return [dots, bars]

    def update(self, x: np.ndarray) -> bool:
        steps, vals = self.ordered()
        r, c = np.nonzero(vals)
        sel = np.asarray(self.selection)
        self.artists[0].set_offsets(np.c_[x[r], sel[c]] if len(r) else np.empty((0, 2)))
        rates = self.rates(x)
        self.artists[1].set_data(values=rates)
        # at least 0..1 Hz, so a silent window does not zoom into nothing
        return _fit(self.artists[1].axes, np.r_[rates, 1.0], "y", floor=0.0)

    def plot_box(self) -> tuple[float, float, float, float]:
        x, y, w, h = self.RASTER_BOX          # the raster and the rate under it
        return (x, 1 - y - h, x + w, 1 - self.RATE_BOX[1])

    def rates(self, x: np.ndarray) -> np.ndarray:
        """Population rate per bin of the window (spikes per cell per second, dt in ms)."""
        _, active = self.ring.ordered("active")
        edges = np.linspace(-self.window * self.dt, 0, self.BINS + 1)
        if not len(x):
            return np.zeros(self.BINS)
        idx = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, self.BINS - 1)
        total = np.bincount(idx, weights=active[:, 0], minlength=self.BINS)
        steps = np.bincount(idx, minlength=self.BINS)
        return np.where(steps > 0, total / np.maximum(steps, 1) * 1000.0 / self.dt, 0.0)

    def series(self) -> tuple[np.ndarray, list[dict]]:
        steps, out = super().series()
        _, active = self.ring.ordered("active")
        comp = self.sources[0]
        out.append({"name": f"{comp.path} fraction active", "values": active,
                    "labels": ["all"], "attrs": {**_attrs(comp, "rate"), "units": "1"}})
        return steps, out

    def summary(self) -> dict:
        out = super().summary()
        out["spikes"] = int(self.ordered()[1].sum())
        return out


class ImagePanel(Panel):
    """The value now of a matrix (weights) or of conv filters (tiled), as an image."""

    kind = "image"

    def paths(self) -> list[str]:
        return []

    def columns(self) -> dict[str, tuple[int, str]]:
        return {"values": (0, "float32")}

    def take(self, records: dict[str, np.ndarray]) -> None:
        return None               # an image shows the value now, not a recording

    def refresh(self) -> None:
        """Read the compartment's value now (the Scope calls this before a frame)."""
        v = np.asarray(self.sources[0].get(), dtype=np.float32)
        self.image = tile_filters(v) if v.ndim >= 4 else v.reshape(v.shape[0], -1)
        self.dirty = True

    def build(self, fig) -> list:
        ax = fig.add_axes([PLOT_BOX[0], PLOT_BOX[1], 0.78, PLOT_BOX[3]])
        self._style(ax)
        im = ax.imshow(np.zeros((1, 1)), aspect="auto", cmap="viridis", interpolation="nearest")
        cbar = fig.colorbar(im, ax=ax, fraction=0.05, pad=0.02)
        cbar.ax.tick_params(labelsize=6, colors="#64748b")
        self._shown = None        # the matrix the frame shows
        return [im]

    def render(self, dt: float) -> str | None:
        if not self.artists:
            self.dt = dt
            self.artists = self.build(self.fig)
        img, shown = self.image, self._shown
        if img is not None and not (shown is not None and img.shape == shown.shape
                                    and np.array_equal(img, shown, equal_nan=True)):
            im, ax = self.artists[0], self.artists[0].axes
            im.set_data(img)
            im.set_extent((-0.5, img.shape[1] - 0.5, img.shape[0] - 0.5, -0.5))
            lo, hi = np.nanmin(img), np.nanmax(img)
            im.set_clim(lo, hi if hi > lo else lo + 1e-6)
            ax.set_xlim(-0.5, img.shape[1] - 0.5)
            ax.set_ylim(img.shape[0] - 0.5, -0.5)
            self._shown = img.copy()
            self.fig.canvas.draw()     # ipympl: also sends the frame
        elif self._png is None and not self.has_frame:
            self.fig.canvas.draw()
        else:
            self.dirty = False
            return self._png
        return self._finish()

    def series(self) -> tuple[np.ndarray, list[dict]]:
        comp = self.sources[0]
        value = np.asarray(comp.get(), dtype=np.float32)
        return np.zeros(0, dtype=np.int64), [{"name": comp.path, "values": value,
                                              "labels": None, "attrs": _attrs(comp, "image")}]

    def ordered(self) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32)

    def summary(self) -> dict:
        """The image shown now: its size (rows, cells) and value range."""
        img = self.image if self.image is not None else np.zeros((0, 0))
        finite = img[np.isfinite(img)]
        return {"kind": "image", "rows": int(img.shape[0]), "cells": int(img.shape[1]),
                "min": float(finite.min()) if finite.size else None,
                "max": float(finite.max()) if finite.size else None}

    def plot_box(self) -> tuple[float, float, float, float]:
        x, y, _, h = PLOT_BOX
        return (x, 1 - y - h, x + 0.78, 1 - y)


class XYPanel(Panel):
    """One compartment against another (a phase plane): the trajectory of each selected cell
    over the last ``window`` steps, with a dot where it is now."""

    kind = "xy"
    figsize = (4.6, 2.8)

    def __init__(self, key: str, sources: list, window: int, selection=None,
                 backend: str = "png"):
        super().__init__(key, sources, window, selection, backend)
        x, y = self.sources
        self.title = f"{_name(y)} against {_name(x)}"

    def columns(self) -> dict[str, tuple[int, str]]:
        return {"values": (2 * len(self.selection), "float32")}

    def take(self, records: dict[str, np.ndarray]) -> dict[str, np.ndarray] | None:
        x, y = (records.get(c.path) for c in self.sources)
        if x is None or y is None:
            return None
        return {"values": np.hstack([_flat(x)[:, self.selection], _flat(y)[:, self.selection]])}

    def build(self, fig) -> list:
        ax = fig.add_axes((0.13, 0.15, 0.84, 0.8))
        self._style(ax)
        ax.grid(True, color="#f1f5f9", lw=0.8)
        x, y = self.sources
        ax.set_xlabel(_label(x), fontsize=7, color="#64748b", labelpad=1)
        ax.set_ylabel(_label(y), fontsize=7, color="#64748b")
        ax.set_xlim(-1.0, 1.0)
        ax.set_ylim(-1.0, 1.0)
        out = []
        for i, _ in enumerate(self.selection):
            color = COLORS[i % len(COLORS)]
            out.append(ax.plot([], [], lw=1.0, color=color, alpha=0.8)[0])
            out.append(ax.plot([], [], "o", ms=4, color=color)[0])
        return out

    def update(self, x: np.ndarray) -> bool:
        _, vals = self.ordered()
        k = len(self.selection)
        xs, ys = vals[:, :k], vals[:, k:]
        for i in range(k):
            self.artists[2 * i].set_data(xs[:, i], ys[:, i])
            self.artists[2 * i + 1].set_data(xs[-1:, i], ys[-1:, i])
        if not len(vals):
            return False
        ax = self.artists[0].axes
        return _fit(ax, xs, "x") | _fit(ax, ys, "y")

    def series(self) -> tuple[np.ndarray, list[dict]]:
        steps, vals = self.ordered()
        k = len(self.selection)
        return steps, [{"name": c.path, "values": vals[:, i * k:(i + 1) * k],
                        "labels": self.selection, "attrs": _attrs(c, "xy")}
                       for i, c in enumerate(self.sources)]

    def plot_box(self) -> tuple[float, float, float, float]:
        return (0.13, 0.05, 0.97, 0.85)

    def ylim(self) -> tuple[float, float]:
        return self.artists[0].axes.get_ylim()


def _name(comp) -> str:
    return comp.path.split("/", 1)[-1]


def _label(comp) -> str:
    """``izh:v, Voltage (mV)``: the path names it for sure, the display name says what it is."""
    shown = f", {comp.display_name}" if comp.display_name else ""
    return _name(comp) + shown + (f" ({comp.units})" if comp.units else "")


def _fit(ax, vals: np.ndarray, axis: str, floor: float | None = None) -> bool:
    """Widen (or, when far too wide, narrow) an axis so the values fit with headroom; True when
    the limits changed (the background must be drawn again). The headroom is generous so a
    growing trace rescales rarely."""
    finite = vals[np.isfinite(vals)]
    if not finite.size:
        return False
    lo, hi = float(finite.min()), float(finite.max())
    if floor is not None:
        lo = floor
    get, set_ = (ax.get_ylim, ax.set_ylim) if axis == "y" else (ax.get_xlim, ax.set_xlim)
    a0, a1 = get()
    span = max(hi - lo, abs(hi) * 0.1, 0.05)
    # a value on the edge counts as outside: it would hide under the axes' frame
    if (lo <= a0 and floor is None) or hi >= a1 or (a1 - a0) > 6 * span:
        low = floor if floor is not None else lo - (0.1 if lo > a0 else 0.6) * span
        set_(low, hi + (0.45 if hi < a1 else 1.0) * span)
        return True
    return False


PANELS = {"trace": TracePanel, "raster": RasterPanel, "image": ImagePanel, "xy": XYPanel}


def make_panel(sources: list, window: int, selection=None, backend: str = "png") -> Panel:
    """A panel for one compartment (drawn as its ``plot_kind``) or two (an XY panel)."""
    if len(sources) == 2:
        x, y = sources
        return XYPanel(f"{x.path} vs {y.path}", sources, window, selection, backend)
    comp = sources[0]
    return PANELS[plot_kind(comp)](comp.path, sources, window, selection, backend)
