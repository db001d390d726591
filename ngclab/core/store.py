"""Where compartments read and write.

Outside compiled code a compartment reads its Context's ``state`` dict. While a process is
traced, the tracer binds a working copy of that dict (holding tracers) for the Context, and every
``get`` / ``set`` goes there; the traced function returns the dict. Compiling is tracing, not
source rewriting.
"""
from __future__ import annotations

import contextlib
import threading

_local = threading.local()


def _frames() -> list:
    frames = getattr(_local, "frames", None)
    if frames is None:
        frames = _local.frames = []
    return frames


def current(ctx) -> dict:
    """The dict that ``ctx``'s compartments read and write right now."""
    frames = _frames()
    if frames and frames[-1][0] is ctx:
        return frames[-1][1]
    return ctx.state


def tracing() -> bool:
    """True while a process of any Context is being traced."""
    return bool(_frames())


@contextlib.contextmanager
def bound(ctx, slots: dict):
    """Bind ``slots`` as ``ctx``'s state for the duration of the block."""
    frames = _frames()
    frames.append((ctx, slots))
    try:
        yield slots
    finally:
        frames.pop()
