"""Which browser views of a lab are still open, so that a run nobody can see stops.

A view (one output cell showing the Controls) says it is alive every few seconds (a heartbeat,
``HEARTBEAT_S`` in ``widgets/controls.js``) and, when it is removed politely (its output
cleared, the cell re-run or deleted), says "closed". A view that vanishes without a word (the
notebook tab closed: JupyterLab drops the kernel connection before it removes the views, so
their last message cannot be sent; a browser closed; a network gone) is noticed by its
missing heartbeat: silent for more than ``timeout`` seconds, it is gone.

The run loop asks ``none_left()`` between chunks: true only once a view has been seen and every
view seen is gone. A lab never shown (``lab.run()``, scripts, papermill) has no views and is
never stopped. Two output cells showing one lab are two views: closing one keeps the other
playing.

The timeout (default 90 s) outlasts the once-a-minute timers of a browser tab hidden for a
while (browsers throttle background tabs' timers), so a lab playing in a tab the user
switched away from goes on.
"""
from __future__ import annotations

import time
from typing import Callable

#: seconds without a heartbeat after which a view counts as gone
DEFAULT_VIEW_TIMEOUT = 90.0


class ViewLiveness:
    """The views of one lab and when each was last heard from.

    Args:
        timeout: seconds of silence after which a view is gone.
        clock: the time source (seconds, monotonic); a test passes a fake one.
    """

    def __init__(self, timeout: float = DEFAULT_VIEW_TIMEOUT,
                 clock: Callable[[], float] = time.monotonic):
        self.timeout = timeout
        self.clock = clock
        self._last_heard: dict[str, float] = {}    # open view -> when it last spoke
        self._closed: set[str] = set()
        self._last_turn: float | None = None       # the run loop's previous turn

    def heard(self, view: str) -> None:
        """A message from ``view`` (a heartbeat or any request): it is alive now. A view that
        said "closed" and speaks again (its output shown again) is alive again."""
        self._closed.discard(view)
        self._last_heard[view] = self.clock()

    def closed(self, view: str) -> None:
        """``view`` said it is going away."""
        self._last_heard.pop(view, None)
        self._closed.add(view)

    def excuse(self) -> None:
        """The kernel could not listen for a while (a long chunk): messages may be waiting
        behind it, so count every open view as heard now rather than time it out."""
        now = self.clock()
        for view in self._last_heard:
            self._last_heard[view] = now

    def loop_started(self) -> None:
        """A run loop starts: its first turn follows no earlier one."""
        self._last_turn = None

    def none_left_this_turn(self) -> bool:
        """The run loop's check between chunks: ``none_left()``, after excusing the views'
        silence when this turn comes more than half the timeout after the previous one (the
        kernel could not listen for a while, a long chunk or a long cell run between two
        turns: heartbeats may be queued behind it)."""
        now = self.clock()
        if self._last_turn is not None and now - self._last_turn > self.timeout / 2:
            self.excuse()
        self._last_turn = now
        return self.none_left()

    def forget(self) -> None:
        """Forget every view (a run started from code while no view is open is headless)."""
        self._last_heard.clear()
        self._closed.clear()

    @property
    def seen(self) -> bool:
        return bool(self._last_heard or self._closed)

    def live(self) -> list[str]:
        """The views heard from within the timeout."""
        now = self.clock()
        return [v for v, t in self._last_heard.items() if now - t <= self.timeout]

    def none_left(self) -> bool:
        """True when views were seen and none of them is open any more."""
        return self.seen and not self.live()

    def reason(self) -> str:
        """Why the run stopped, for the Controls' banner."""
        return (f"no view open: paused (every view of this lab was closed, or silent for more "
                f"than {self.timeout:g} s). Press play to go on.")
