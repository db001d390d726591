"""Controls: play, pause, step, reset, steps per frame and live readouts of a run loop."""
from __future__ import annotations

import time

import anywidget
import traitlets

from ngclab.lab.assets import module
from ngclab.lab.liveness import ViewLiveness
from ngclab.lab.protocol import Requests
from ngclab.lab.runner import Runner, RunObserver


class Controls(Requests, RunObserver, anywidget.AnyWidget):
    """Buttons and readouts of a run loop (a ``Runner``); the buttons drive it and the readouts
    follow it (the Controls observe the Runner, nothing sets their traits from outside).

    Args:
        lab: the ``Lab`` (or a bare ``Runner``) whose run loop the buttons drive.

    Readouts: simulated time ``t``, ``steps`` taken, ``steps_per_s`` of the last run,
    ``compile_count`` (compilations of the advance process), ``status``, ``error`` and ``note``
    (why the run paused by itself, e.g. no view of the lab left open).

    Each browser view of the Controls is counted (``runner.views``): its heartbeats and requests
    say it is open, its "closed" notice that it is gone; the run loop pauses when none is left.
    """

    _esm = module("controls.js")
    _css = module("lab.css")
    running = traitlets.Bool(False).tag(sync=True)
    t = traitlets.Float(0.0).tag(sync=True)
    steps = traitlets.Int(0).tag(sync=True)
    steps_per_s = traitlets.Float(0.0).tag(sync=True)
    compile_count = traitlets.Int(0).tag(sync=True)
    steps_per_frame = traitlets.Int(100).tag(sync=True)
    status = traitlets.Unicode("ready").tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)
    error_detail = traitlets.Unicode("").tag(sync=True)
    note = traitlets.Unicode("").tag(sync=True)

    def __init__(self, lab=None, **kwargs):
        super().__init__(**kwargs)
        self.lab = lab
        self.runner: Runner | None = getattr(lab, "runner", lab)
        self._last_readout = 0.0
        if self.runner is not None:
            if self.runner.views is None:         # the views of this run are counted here
                self.runner.views = ViewLiveness()
            self.runner.observers.append(self)
            self.status_changed(self.runner)
        self._listen()

    # -- following the runner -----------------------------------------------------------------
    def chunk_done(self, runner, records, first_step, steps) -> None:
        self._readouts(runner, force=False)

    def status_changed(self, runner) -> None:
        self.running, self.status = runner.running, runner.status
        self.error, self.error_detail = runner.error, runner.error_detail
        self.note = runner.note
        self.steps_per_frame = runner.steps_per_frame
        self._readouts(runner, force=True)

    def _readouts(self, runner, force: bool) -> None:
        now = time.perf_counter()
        if not force and now - self._last_readout < 0.1:
            return
        self._last_readout = now
        self.steps_per_s = runner.measure_rate()
        self.t, self.steps = runner.t, runner.step_count
        self.compile_count = runner.advance.compile_count

    # -- the views ------------------------------------------------------------------------------
    def _view_notice(self, view: str, state) -> None:
        if self.runner is None or not view:
            return
        if state == "closed":
            self.runner.views.closed(view)
        elif state == "alive":
            self.runner.views.heard(view)

    # -- the buttons ----------------------------------------------------------------------------
    def _handle(self, msg: dict) -> dict:
        run = self.runner
        view = str(msg.get("id") or "").rpartition("-")[0]   # ids are "<view prefix>-<n>"
        if view and run is not None:
            run.views.heard(view)                            # a view that asks is open
        try:
            kind = msg.get("type")
            if kind == "action":
                action = msg.get("action")
                if action == "play":
                    run.play()
                elif action == "pause":
                    run.pause()
                elif action == "step":
                    run.step(msg.get("n", 1))        # (the Runner checks it is a count)
                elif action == "reset":
                    run.reset()
                elif action == "dismiss":
                    run.dismiss()
                else:
                    raise ValueError(f"unknown action {action!r}")
            elif kind == "steps_per_frame":
                run.steps_per_frame = msg["value"]
            else:
                raise ValueError(f"unknown controls message {kind!r}")
        except (ValueError, KeyError, TypeError) as err:
            self.error = str(err)
            return {"ok": False, "message": str(err)}
        return {"ok": True, "message": ""}
