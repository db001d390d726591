"""Where compartments read and write, and which Context a ``with`` block opened.

This module is the bottom of the core: it imports nothing of ngclab, and every other core module
may import it.

Outside compiled code a compartment reads its Context's ``state`` dict. While a process is
traced, the tracer binds a working copy of that dict (holding tracers) for the Context, and every
``get`` / ``set`` goes there; the traced function returns the dict. Compiling is tracing, not
source rewriting.

``with Context(...)`` pushes the Context on a per-thread stack; components and processes created
inside the block join the Context on top of it (``active_context()``).
"""
from __future__ import annotations

import contextlib
import functools
import threading
from typing import Any, Callable, Iterator

_local = threading.local()


def _frames() -> list:
    frames = getattr(_local, "frames", None)
    if frames is None:
        frames = _local.frames = []
    return frames


def current(ctx: Any) -> dict:
    """The dict that ``ctx``'s compartments read and write right now."""
    frames = _frames()
    if frames and frames[-1][0] is ctx:
        return frames[-1][1]
    return ctx.state


def holding_lock(context_of: Callable[[Any], Any]) -> Callable:
    """Decorate a method that changes a model's state: it runs holding the lock of the Context
    ``context_of(self)`` gives (``Context.lock``: another thread may change the state too)."""
    def decorate(method):
        @functools.wraps(method)
        def locked(self, *args, **kwargs):
            with context_of(self).lock:
                return method(self, *args, **kwargs)
        return locked
    return decorate


def tracing() -> bool:
    """True while a process of any Context is being traced."""
    return bool(_frames())


@contextlib.contextmanager
def bound(ctx: Any, slots: dict) -> Iterator[dict]:
    """Bind ``slots`` as ``ctx``'s state for the duration of the block."""
    frames = _frames()
    frames.append((ctx, slots))
    try:
        yield slots
    finally:
        frames.pop()


# -- the active Context --------------------------------------------------------------------------
def _contexts() -> list:
    stack = getattr(_local, "contexts", None)
    if stack is None:
        stack = _local.contexts = []
    return stack


def active_context() -> Any:
    """The Context of the innermost open ``with Context(...)`` block, or None."""
    stack = _contexts()
    return stack[-1] if stack else None


def enter_context(ctx: Any) -> None:
    _contexts().append(ctx)


def exit_context(ctx: Any) -> None:
    stack = _contexts()
    if stack and stack[-1] is ctx:
        stack.pop()
