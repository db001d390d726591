"""Knobs: a slider per knob of the model, applied live (``knob.set``: never recompiles)."""
from __future__ import annotations

import anywidget
import numpy as np
import traitlets

from ngclab.lab.assets import module
from ngclab.lab.protocol import Requests


class Knobs(Requests, anywidget.AnyWidget):
    """Sliders for ``ctx.knobs()``; moving one sets the knob between scan chunks.

    Args:
        ctx: the Context.
        only: optional list of knob paths (or knobs) to show; default all.
    """

    _esm = module("knobs.js")
    _css = module("lab.css")
    knobs = traitlets.List().tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)

    def __init__(self, ctx, only=None, **kwargs):
        super().__init__(**kwargs)
        self.ctx = ctx
        self.only = None if only is None else [getattr(k, "path", k) for k in only]
        self._listen()
        self.refresh()

    def refresh(self) -> None:
        rows = []
        for path, k in self.ctx.knobs().items():
            if self.only is not None and path not in self.only:
                continue
            lo, hi = k.slider_range
            v = float(np.asarray(k.get()))
            rows.append({"path": path, "component": k.owner.name, "name": k.name,
                         "value": v, "min": min(lo, v), "max": max(hi, v), "doc": k.doc,
                         "low": k.low, "high": k.high})
        self.knobs = rows

    def set(self, path: str, value: float) -> None:
        """Set a knob (validated by the knob: finite, within its bounds)."""
        knob = self.ctx.compartment(path)
        if knob.kind != "knob":
            raise ValueError(f"{knob.path} is not a knob")
        knob.set(float(value))
        self.refresh()

    def _handle(self, msg: dict) -> dict:
        try:
            if msg.get("type") != "knob":
                raise ValueError(f"unknown knobs message {msg.get('type')!r}")
            self.set(msg["path"], msg["value"])
        except (ValueError, KeyError, TypeError) as err:
            self.error = str(err.args[0] if err.args else err)
            self.refresh()  # the slider goes back to the knob's real value
            return {"ok": False, "message": self.error}
        self.error = ""
        return {"ok": True, "message": ""}

    def _handler_failed(self, message: str) -> None:
        self.error = message
        self.refresh()      # the slider goes back to the knob's real value
