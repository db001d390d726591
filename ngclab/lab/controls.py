"""Controls: play, pause, step, reset, steps per frame and live readouts of a Lab's run loop."""
from __future__ import annotations

import anywidget
import traitlets

from ngclab.lab.assets import asset


class Controls(anywidget.AnyWidget):
    """Buttons and readouts; the run loop itself lives in the ``Lab``.

    Readouts: simulated time ``t``, ``steps`` taken, ``steps_per_s`` of the last run,
    ``compile_count`` (compilations of the advance process), ``status`` and ``error``.
    """

    _esm = asset("controls.js")
    _css = asset("lab.css")
    running = traitlets.Bool(False).tag(sync=True)
    t = traitlets.Float(0.0).tag(sync=True)
    steps = traitlets.Int(0).tag(sync=True)
    steps_per_s = traitlets.Float(0.0).tag(sync=True)
    compile_count = traitlets.Int(0).tag(sync=True)
    steps_per_frame = traitlets.Int(100).tag(sync=True)
    status = traitlets.Unicode("ready").tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)
    error_detail = traitlets.Unicode("").tag(sync=True)

    def __init__(self, lab=None, **kwargs):
        super().__init__(**kwargs)
        self.lab = lab
        self.on_msg(lambda _w, msg, _b: self._reply(msg))

    @traitlets.validate("steps_per_frame")
    def _check_spf(self, proposal):
        v = int(proposal["value"])
        if v < 1:
            raise traitlets.TraitError(f"steps_per_frame must be at least 1, got {v}")
        return v

    def _handle(self, msg: dict) -> dict:
        lab = self.lab
        try:
            kind = msg.get("type")
            if kind == "action":
                action = msg.get("action")
                if action == "play":
                    lab.play()
                elif action == "pause":
                    lab.pause()
                elif action == "step":
                    lab.step(int(msg.get("n", 1)))
                elif action == "reset":
                    lab.reset()
                elif action == "dismiss":
                    self.error = self.error_detail = ""
                else:
                    raise ValueError(f"unknown action {action!r}")
            elif kind == "steps_per_frame":
                lab.steps_per_frame = int(msg["value"])
            else:
                raise ValueError(f"unknown controls message {kind!r}")
        except (ValueError, KeyError, TypeError, traitlets.TraitError) as err:
            self.error = str(err)
            return {"ok": False, "message": str(err)}
        return {"ok": True, "message": ""}

    def _reply(self, msg: dict) -> None:
        self.send({"type": "result", **self._handle(msg)})
