"""The one request/reply protocol between the lab's widgets and their browser views.

A view sends ``{"type": ..., "id": ..., ...fields}`` (``widgets/dom.js``: ``requester``); the
widget's ``_handle(msg)`` applies it and returns ``{"ok": bool, "message": str, ...}``, which
goes back as ``{"type": "result", "id": <the same id>, ...}`` to the view that asked (ids carry
a per-view prefix, so two views of one widget never take each other's replies). A reply may
carry a file (``"file": bytes``, e.g. an export): it travels as a binary buffer, not as text.

A view also sends notices that get no reply: ``{"type": "view", "view": <its prefix>, "state":
"alive" | "closed"}``, a heartbeat while it is shown and a last word when it is removed (see
``ngclab.lab.liveness``); ``_view_notice`` takes them (the Controls count the open views).
"""
from __future__ import annotations

import contextlib


class Requests:
    """Mixin for an ``anywidget.AnyWidget`` that answers its views' requests."""

    def _listen(self) -> None:
        self.on_msg(lambda _widget, msg, _buffers: self._receive(msg))

    def _receive(self, msg: dict) -> None:
        """A message from a view: a notice is taken without a reply, a request answered."""
        if isinstance(msg, dict) and msg.get("type") == "view":
            self._view_notice(str(msg.get("view", "")), msg.get("state"))
        else:
            self._reply(msg)

    def _view_notice(self, view: str, state) -> None:
        """``view`` says it is "alive" or "closed" (ignored unless a widget counts views)."""

    def _handle(self, msg: dict) -> dict:  # pragma: no cover - every widget defines it
        raise NotImplementedError

    def _handler_failed(self, message: str) -> None:
        """A request raised an unexpected error: show ``message`` (widgets with an ``error``
        trait show it there)."""
        if self.has_trait("error"):
            self.error = message

    def _model_lock(self):
        """The lock of the model this widget changes (see ``Context.lock``), if it has one."""
        ctx = getattr(self, "ctx", None)
        if ctx is None:
            ctx = getattr(getattr(self, "runner", None), "ctx", None)
        lock = getattr(ctx, "lock", None)
        return lock if lock is not None else contextlib.nullcontext()

    def _reply(self, msg: dict) -> None:
        failed = None
        try:
            with self._model_lock():   # widget messages may come on a thread of their own
                reply = dict(self._handle(msg))
        except Exception as err:
            # a bug, not a refused request: the view still gets its answer (a handler that
            # raised would leave it waiting, and the kernel log is where nobody looks)
            failed = (f"{type(self).__name__} could not handle {msg.get('type')!r}: "
                      f"{type(err).__name__}: {err}")
            reply = {"ok": False, "message": failed}
        data = reply.pop("file", None)
        self.send({"type": "result", "id": msg.get("id"), **reply},
                  [data] if data is not None else None)
        if failed is not None:      # after the reply: showing it may fail the same way
            self._handler_failed(failed)
