"""Sweep view: an ensemble run chunk by chunk in the background, one metric drawn against the
swept knob(s) as members arrive, any member loadable into the lab.

    view = lab.sweep({lif.j: currents}, steps=500, metric=lif.s, scale=1000.)   # rate in Hz
    view            # Run / Pause / Cancel, the curve (one knob) or heat map (a 2-knob grid)
    view.play()     # or the Run button; view.run() does every chunk now (scripts, tests)

The members are split into chunks of ``chunk`` members; each chunk is one core sweep,
``process.scan(steps, ..., sweep={...members of the chunk...}, final=True)`` (see
``ngclab.core.sweep``), so every member is the model run with its own values, and the
Context's own state is not changed by running. The last chunk is padded to the chunk size
(its last member repeated, the copies dropped), so every chunk reuses one compiled program.
``play()`` runs the chunks in an asyncio task on the kernel's event loop and yields between
them: the kernel answers widget messages (pause, cancel, a click on a member, the Lab's own
buttons) while a sweep runs. Pause stops after the chunk in flight; cancel stops for good
and keeps the members done so far.

The metric of a member is one number: a compartment recorded with ``how`` (a reduction over
the steps: "mean", "sum", "max", "min" or "last"), averaged over its cells and multiplied by
``scale``; or ``metric=f`` with ``record=...``: ``f(result)`` gets the chunk's ``SweepResult``
(records with a leading member axis) and returns one number per member.

What is drawn: one swept knob (or ``ngclab.grid`` of one), a clamp (x = the mean of each
member's clamp value) or ``"seed"``: the metric against it, a curve; a grid of two knobs: a
heat map, rows the first knob. ``x=(label, values)`` sets the curve's axis. Frames are PNG
images (matplotlib, Agg); the browser maps the cursor to the member under it from the plot
geometry sent with each frame, and a click loads that member: ``ctx.restore(member)``, then
the Lab (if any) takes the member's clamp values and redraws its Scope and knobs.
"""
from __future__ import annotations

import asyncio
import base64
import io
import time
from typing import Any, Callable

import anywidget
import matplotlib
import numpy as np
import traitlets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ngclab.core import Compartment, Knob
from ngclab.core.sweep import Grid, _members   # the core's checks of a sweep spec
from ngclab.lab.assets import module
from ngclab.lab.protocol import Requests

REDUCTIONS = ("mean", "sum", "max", "min", "last")
STATUSES = ("ready", "running", "paused", "done", "cancelled", "error")
DPI, FIGSIZE = 80, (6.4, 3.6)
# data area of the figure (left, bottom, width, height); a heat map leaves room for its bar
PLOT_BOX = {"curve": (0.11, 0.17, 0.85, 0.74), "heatmap": (0.11, 0.17, 0.71, 0.74)}


def _short(path: str) -> str:
    """``"model/lif:j"`` -> ``"lif:j"``: the context's name says nothing on an axis."""
    return path.split("/", 1)[-1]


class SweepRunner:
    """A sweep's members run chunk by chunk, with one metric value per member (no widgets).

    Args:
        ctx, process: the Context and the process one step runs.
        sweep: as ``scan(sweep=...)``: ``{knob: values, compartment: per-member clamps,
            "seed": n}`` or ``ngclab.grid({...})``.
        steps: steps per member; t0, dt, clamp, devices, **kwargs: as ``scan``.
        metric: a compartment (with ``how`` and ``scale``) or ``f(result) -> values``.
        record: what ``f`` reads (``scan``'s record); chunk: members per compiled chunk.
        x: ``(label, values)`` for the curve's axis. keep_final: keep every member's final
            state (``member(i)``).
    """

    def __init__(self, ctx, process, sweep, steps: int, metric, how: str = "mean",
                 scale: float = 1.0, record=None, clamp: dict | None = None, t0: float = 0.0,
                 dt: float = 1.0, chunk: int = 8, devices=None, x: tuple | None = None,
                 keep_final: bool = True, **kwargs):
        self.ctx, self.process, self.steps = ctx, process, steps
        self.t0, self.dt, self.devices, self.kwargs = t0, dt, devices, kwargs
        self.clamp, self.keep_final = dict(clamp or {}), bool(keep_final)
        n, knobs, clamps, seeds = _members(ctx, sweep, steps)   # refused here, before running
        self.n = n
        self.columns: list[tuple[Any, Any]] = [(ctx.compartment(p), v) for p, v in knobs.items()]
        self.columns += list(clamps.items())
        if seeds is not None:
            self.columns.append(("seed", np.asarray(seeds)))
        for comp, _ in self.columns:
            if isinstance(comp, Compartment) and not isinstance(comp, Knob):
                self.clamp = {c: v for c, v in self.clamp.items()
                              if ctx.compartment(c) is not comp}   # the sweep clamps it
        self._metric(metric, how, scale, record)
        self._axes(sweep, x)
        self.chunk = self._chunk_size(chunk)
        self.values = np.full(n, np.nan)
        self.done = 0
        self.results: list[tuple[int, int, Any]] = []   # (first member, end, SweepResult)

    def _metric(self, metric, how: str, scale: float, record) -> None:
        if callable(metric) and not isinstance(metric, Compartment):
            if record is None:
                raise ValueError("SweepView: metric=f needs record=... (what f reads)")
            self.record, self.metric_fn, self.metric_label = record, metric, \
                getattr(metric, "__name__", "metric")
            return
        if how not in REDUCTIONS:
            raise ValueError(f"SweepView: how must be one of {', '.join(REDUCTIONS)}; "
                             f"got {how!r}")
        comp = self.ctx.compartment(metric)
        self.record = {comp: how}
        self.metric_label = f"{how} of {_short(comp.path)}" + \
            (f" x {scale:g}" if scale != 1.0 else "")

        def mean_of_cells(result) -> np.ndarray:
            v = np.asarray(result[comp.path], dtype=np.float64)
            return v.reshape(v.shape[0], -1).mean(axis=1) * scale
        self.metric_fn = mean_of_cells

    def _axes(self, sweep, x) -> None:
        """What the plot's axes are: [(label, values)] (one: a curve, two: a heat map)."""
        if isinstance(sweep, Grid):
            if len(sweep.axes) > 2:
                raise ValueError(f"SweepView: draws one or two swept knobs; this grid has "
                                 f"{len(sweep.axes)}")
            self.axes = [(_short(p), np.asarray(v)) for p, v in sweep.axes]
            self.shape = tuple(sweep.shape)
        else:
            comp, values = self.columns[0]
            if comp == "seed":
                self.axes = [("seed", values)]
            elif isinstance(comp, Knob):
                self.axes = [(_short(comp.path), np.asarray(values))]
            else:   # a clamp: each member's value, averaged over its cells (and steps)
                v = np.asarray(values, dtype=np.float64)
                self.axes = [(f"mean of {_short(comp.path)}", v.reshape(self.n, -1).mean(1))]
            self.shape = (self.n,)
        if x is not None:
            label, values = x
            values = np.asarray(values, dtype=np.float64).ravel()
            if values.size != self.n or len(self.axes) != 1:
                raise ValueError(f"SweepView: x= takes one value per member ({self.n}) for a "
                                 f"curve; got {values.size}")
            self.axes = [(str(label), values)]

    def _chunk_size(self, chunk: int) -> int:
        if isinstance(chunk, bool) or int(chunk) != chunk or chunk < 1:
            raise ValueError(f"SweepView: chunk must be a positive number of members, got "
                             f"{chunk!r}")
        import jax
        count = len(jax.devices() if self.devices is None else list(self.devices))
        size = min(int(chunk), self.n)
        return -(-size // count) * count          # the core splits a chunk over the devices

    @property
    def finished(self) -> bool:
        return self.done >= self.n

    def run_chunk(self) -> int:
        """Run the next chunk of members; returns how many members it added."""
        start = self.done
        end = min(start + self.chunk, self.n)
        rows = np.minimum(np.arange(start, start + self.chunk), self.n - 1)   # padded
        spec = {comp: (list(np.asarray(v)[rows]) if comp == "seed" else np.asarray(v)[rows])
                for comp, v in self.columns}
        result = self.process.scan(self.steps, t0=self.t0, dt=self.dt, clamp=self.clamp,
                                   record=self.record, sweep=spec, final=self.keep_final,
                                   devices=self.devices, **self.kwargs)
        got = np.asarray(self.metric_fn(result), dtype=np.float64).ravel()
        if got.size != self.chunk:
            raise ValueError(f"SweepView: the metric gave {got.size} values for a chunk of "
                             f"{self.chunk} members (one per member)")
        self.values[start:end] = got[:end - start]
        self.results.append((start, end, result))
        self.done = end
        return end - start

    def member(self, i: int):
        """Member ``i``'s final state as a Snapshot (``ctx.restore(...)``)."""
        for start, end, result in self.results:
            if start <= i < end:
                return result.member(i - start)
        raise ValueError(f"SweepView: member {i} has not run yet ({self.done} of {self.n} done)")

    def member_values(self, i: int) -> dict:
        """{knob or clamp path or "seed": member i's value} (a clamp's full array)."""
        return {(c if c == "seed" else c.path): np.asarray(v)[i] for c, v in self.columns}


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


class SweepView(Requests, anywidget.AnyWidget):
    """A sweep run in the background and drawn as its members arrive (see the module docstring).

    Args: as ``SweepRunner`` (ctx, process, sweep, steps, metric, ...), and
        lab: a ``Lab`` whose Scope, knobs and clamps follow a loaded member (``lab.sweep``).
        max_fps: frames per second at most while running (the last chunk always draws).

    Readouts (synced to the browser): ``status`` (one of ``STATUSES``), ``done`` of
    ``members``, ``selected`` (the loaded member, -1 for none), ``error``, ``frame`` (PNG) and
    ``plot`` (its geometry).
    """

    _esm = module("sweep.js")
    _css = module("lab.css") + module("sweep.css")
    status = traitlets.Unicode("ready").tag(sync=True)
    done = traitlets.Int(0).tag(sync=True)
    members = traitlets.Int(0).tag(sync=True)
    selected = traitlets.Int(-1).tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)
    title = traitlets.Unicode("").tag(sync=True)
    frame = traitlets.Unicode("").tag(sync=True)
    plot = traitlets.Dict().tag(sync=True)

    def __init__(self, ctx, process, sweep, steps: int, metric, lab=None,
                 max_fps: float = 10.0, **kwargs):
        self.runner = SweepRunner(ctx, process, sweep, steps, metric, **kwargs)
        super().__init__()
        self.ctx, self.lab, self.max_fps = ctx, lab, float(max_fps)
        self.members = self.runner.n
        self.title = f"Sweep: {self.runner.metric_label} over " + \
            " x ".join(label for label, _ in self.runner.axes)
        self.on_load: list[Callable[[int], None]] = []
        self._running, self._task = False, None
        self._cancelling = False     # cancel() came while the loop ran: it says "cancelled"
        self._last_draw = 0.0
        self.frames_drawn = 0
        self.draw()
        self._listen()

    # -- results ----------------------------------------------------------------------------
    @property
    def values(self) -> np.ndarray:
        """The metric of every member (NaN for those not run yet), in the sweep's order."""
        return self.runner.values.copy()

    def grid_values(self) -> np.ndarray:
        """The metric with the grid's shape (rows: the first knob) for a 2-knob grid."""
        return self.runner.values.reshape(self.runner.shape)

    # -- running ----------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._running

    def play(self) -> None:
        """Run the remaining chunks in a task on the kernel's event loop (yielding between
        chunks, so the kernel keeps answering widget messages)."""
        if self.status == "cancelled" or self._cancelling:
            raise ValueError("SweepView: the sweep was cancelled; restart() runs it again")
        if self.runner.finished:
            return
        self._running = True
        self.status = "running"
        if self._task is None or self._task.done():
            self._task = _event_loop().create_task(self._loop())

    def pause(self) -> None:
        """Stop after the chunk in flight."""
        self._running = False
        if self.status == "running":
            self.status = "paused"

    def cancel(self) -> None:
        """Stop for good after the chunk in flight; the members done so far stay.

        While the loop runs, a chunk may be in flight (the kernel can take this message while
        it computes): the loop finishes that chunk, counts its members and only then says
        "cancelled", so the count never moves after the status does."""
        self._running = False
        if self.runner.finished:
            return
        if self._task is not None and not self._task.done():
            self._cancelling = True
            return
        self.status = "cancelled"
        self.draw()

    def restart(self) -> None:
        """Forget every member and start again from the first (paused)."""
        self.pause()
        self._cancelling = False
        self.runner.values[:] = np.nan
        self.runner.done, self.runner.results = 0, []
        self.done, self.selected, self.error = 0, -1, ""
        self.status = "ready"
        self.draw()

    def step(self) -> bool:
        """Run one chunk now; True if it ran."""
        ok = self._chunk()
        self.draw()
        return ok

    def run(self) -> bool:
        """Run every remaining chunk now (synchronously); True if all of them ran."""
        if self.status == "cancelled" or self._cancelling:
            raise ValueError("SweepView: the sweep was cancelled; restart() runs it again")
        while not self.runner.finished:
            if not self._chunk():
                return False
        self.draw()
        return True

    async def _loop(self) -> None:
        try:
            while self._running and not self.runner.finished:
                if not self._chunk():
                    break
                if self.runner.finished or self._due():
                    self.draw()
                await asyncio.sleep(0)
        finally:
            self._running = False
            if self._cancelling and not self.runner.finished:
                self.status = "cancelled"
            elif self.status == "running":
                self.status = "paused"
            self._cancelling = False
            self.draw()

    def _chunk(self) -> bool:
        if self.runner.finished:
            return False
        try:
            self.runner.run_chunk()
        except Exception as err:    # shown in the view; the model's state is untouched
            self._running = False
            self.error = f"{type(err).__name__} in members {self.runner.done}-" \
                         f"{min(self.runner.done + self.runner.chunk, self.runner.n) - 1}: {err}"
            self.status = "error"
            return False
        self.done = self.runner.done
        if self.runner.finished:
            self.status = "done"
        return True

    def _due(self) -> bool:
        return time.perf_counter() - self._last_draw >= 1.0 / self.max_fps

    def draw(self) -> None:
        self.frame, self.plot = render(self.runner, self.selected)
        self._last_draw = time.perf_counter()
        self.frames_drawn += 1

    # -- members ----------------------------------------------------------------------------
    def member(self, i: int):
        """Member ``i``'s final state (a Snapshot) once it has run."""
        return self.runner.member(self._index(i))

    def load(self, i: int) -> None:
        """Make member ``i`` the model's state (``ctx.restore``); with a Lab, also its clamps
        for the member's swept clamp values, and redraw the Lab's Scope and knobs."""
        i = self._index(i)
        self.ctx.restore(self.runner.member(i))
        if self.lab is not None:
            for path, value in self.runner.member_values(i).items():
                if path != "seed" and not isinstance(self.ctx.compartment(path), Knob):
                    self.lab.set_clamp(path, value)
            self.lab.knobs.refresh()
            self.lab.scope.clear()
            self.lab.runner.notify()
            self.lab.scope.draw(force=True)
        self.selected = i
        self.draw()
        for fn in self.on_load:
            fn(i)

    def _index(self, i) -> int:
        if isinstance(i, bool) or int(i) != i or not 0 <= int(i) < self.runner.n:
            raise ValueError(f"SweepView: member must be one of 0..{self.runner.n - 1}, "
                             f"got {i!r}")
        return int(i)

    def describe(self, i: int) -> dict:
        """Member ``i``'s swept values and metric (what the browser's tooltip shows)."""
        i = self._index(i)
        out = {p: (float(v) if np.ndim(v) == 0 else np.asarray(v).tolist())
               for p, v in self.runner.member_values(i).items()}
        return {"member": i, "values": out, "metric": float(self.runner.values[i])}

    # -- browser ------------------------------------------------------------------------------
    def _handle(self, msg: dict) -> dict:
        kind = msg.get("type")
        try:
            if kind == "action":
                action = msg.get("action")
                if action not in ("play", "pause", "cancel", "restart"):
                    raise ValueError(f"unknown sweep action {action!r}")
                getattr(self, action)()
            elif kind == "load":
                self.load(msg["member"])
            elif kind == "dismiss":
                self.error = ""
            else:
                raise ValueError(f"unknown sweep message {kind!r}")
        except Exception as err:
            text = err.args[0] if isinstance(err, KeyError) and err.args else str(err)
            return {"ok": False, "message": f"{type(err).__name__}: {text}"
                    if not isinstance(err, ValueError) else str(text)}
        return {"ok": True, "message": ""}

    @classmethod
    def for_lab(cls, lab, sweep, steps: int, metric, **kwargs) -> "SweepView":
        """The view of a Lab's model: its advance process, dt and clamps (a clamp over the
        Lab's sequence cycles to ``steps``, as the Lab's runs do)."""
        clamp = {}
        for path, value in lab.clamp.items():
            comp = lab.ctx.compartment(path)
            if not isinstance(value, Knob) and not callable(value) and \
                    np.ndim(value) == len(comp.shape) + 1:
                value = np.asarray(value)[np.arange(steps) % np.shape(value)[0]]
            clamp[comp] = value
        kwargs.setdefault("dt", lab.dt)
        return cls(lab.ctx, lab.advance, sweep, steps, metric, lab=lab,
                   clamp={**clamp, **kwargs.pop("clamp", {})}, **kwargs)


def _event_loop() -> asyncio.AbstractEventLoop:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.get_event_loop_policy().get_event_loop()
