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
import time
from typing import Callable

import anywidget
import numpy as np
import traitlets

from ngclab.core import Knob
from ngclab.lab.assets import module
from ngclab.lab.protocol import Requests
from ngclab.lab.runner import _event_loop
from ngclab.lab.sweep_plot import render
from ngclab.lab.sweep_runner import REDUCTIONS, SweepRunner  # noqa: F401  (REDUCTIONS: part of this module's API)

STATUSES = ("ready", "running", "paused", "done", "cancelled", "error")


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
