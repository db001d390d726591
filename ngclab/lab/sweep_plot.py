"""Drawing a sweep: one PNG frame of the metric against the swept values, and the geometry the
browser maps the cursor with (a curve for one axis, a heat map for a two-knob grid).
"""
from __future__ import annotations

import base64
import io

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ngclab.lab.sweep_runner import SweepRunner

DPI, FIGSIZE = 80, (6.4, 3.6)
# data area of the figure (left, bottom, width, height); a heat map leaves room for its bar
PLOT_BOX = {"curve": (0.11, 0.17, 0.85, 0.74), "heatmap": (0.11, 0.17, 0.71, 0.74)}


def render(runner: SweepRunner, selected: int = -1) -> tuple[str, dict]:
    """The plot as a PNG data URL and the geometry the browser maps the cursor with."""
    fig = Figure(figsize=FIGSIZE, dpi=DPI)
    FigureCanvasAgg(fig)
    kind = "heatmap" if len(runner.axes) == 2 else "curve"
    box = PLOT_BOX[kind]
    ax = fig.add_axes(box)
    ax.tick_params(labelsize=8, colors="#475569")
    vals = runner.values
    finite = np.isfinite(vals)
    geometry: dict = {"members": runner.n, "metric": runner.metric_label,
                      "values": [float(v) if f else None for v, f in zip(vals, finite)],
                      "axes": [{"label": lb, "values": [float(v) for v in np.ravel(vs)]}
                               for lb, vs in runner.axes]}
    if kind == "heatmap":
        (ylab, yv), (xlab, xv) = runner.axes
        grid = np.ma.masked_invalid(vals.reshape(runner.shape))   # not yet run: grey
        cmap = matplotlib.colormaps["viridis"].with_extremes(bad="#e2e8f0")
        img = ax.imshow(grid, origin="lower", aspect="auto", cmap=cmap,
                        extent=(-0.5, len(xv) - 0.5, -0.5, len(yv) - 0.5))
        bar = fig.colorbar(img, cax=fig.add_axes((0.85, box[1], 0.025, box[3])))
        bar.ax.tick_params(labelsize=7)
        for setter, values in ((ax.set_xticks, xv), (ax.set_yticks, yv)):
            step = max(1, len(values) // 6)
            idx = np.arange(0, len(values), step)
            setter(idx, [f"{values[k]:.3g}" for k in idx])
        ax.set_xlabel(xlab, fontsize=9), ax.set_ylabel(ylab, fontsize=9)
        ax.set_title(runner.metric_label, fontsize=9, color="#334155")
        if 0 <= selected < runner.n:
            r, c = divmod(selected, runner.shape[1])
            ax.add_patch(_outline(c, r))
        geometry.update(shape=list(runner.shape),
                        xlim=[-0.5, len(xv) - 0.5], ylim=[-0.5, len(yv) - 0.5])
    else:
        (xlab, xv), = runner.axes
        xv = np.asarray(xv, dtype=np.float64)
        order = np.argsort(xv, kind="stable")
        ax.plot(xv[order][finite[order]], vals[order][finite[order]], "-o", ms=3, lw=1.2,
                color="#2563eb")
        lo, hi = float(xv.min()), float(xv.max())
        pad = 0.03 * (hi - lo) if hi > lo else 0.5
        ax.set_xlim(lo - pad, hi + pad)
        if finite.any():
            vmin, vmax = float(vals[finite].min()), float(vals[finite].max())
            span = 0.08 * (vmax - vmin) if vmax > vmin else max(abs(vmax) * 0.1, 0.5)
            ax.set_ylim(vmin - span, vmax + span)
        if 0 <= selected < runner.n and finite[selected]:
            ax.plot([xv[selected]], [vals[selected]], "o", ms=9, mfc="none", mec="#dc2626",
                    mew=2)
        ax.set_xlabel(xlab, fontsize=9), ax.set_ylabel(runner.metric_label, fontsize=9)
        ax.grid(True, color="#f1f5f9")
        geometry.update(xlim=list(ax.get_xlim()), ylim=list(ax.get_ylim()))
    fig.text(0.98, 0.02, f"{runner.done}/{runner.n} members", ha="right", fontsize=8,
             color="#475569")
    left, bottom, width, height = box
    geometry.update(kind=kind, box=[left, 1 - bottom - height, left + width, 1 - bottom])
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii"), geometry


def _outline(col: int, row: int):
    from matplotlib.patches import Rectangle
    return Rectangle((col - 0.5, row - 0.5), 1, 1, fill=False, ec="#dc2626", lw=2)
