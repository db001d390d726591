"""The one request/reply protocol between the lab's widgets and their browser views.

A view sends ``{"type": ..., "id": ..., ...fields}`` (``widgets/dom.js``: ``requester``); the
widget's ``_handle(msg)`` applies it and returns ``{"ok": bool, "message": str, ...}``, which
goes back as ``{"type": "result", "id": <the same id>, ...}`` to the view that asked (ids carry
a per-view prefix, so two views of one widget never take each other's replies). A reply may
carry a file (``"file": bytes``, e.g. an export): it travels as a binary buffer, not as text.
"""
from __future__ import annotations


class Requests:
    """Mixin for an ``anywidget.AnyWidget`` that answers its views' requests."""

    def _listen(self) -> None:
        self.on_msg(lambda _widget, msg, _buffers: self._reply(msg))

    def _handle(self, msg: dict) -> dict:  # pragma: no cover - every widget defines it
        raise NotImplementedError

    def _reply(self, msg: dict) -> None:
        reply = dict(self._handle(msg))
        data = reply.pop("file", None)
        self.send({"type": "result", "id": msg.get("id"), **reply},
                  [data] if data is not None else None)
