"""A playing lab stops when no browser view of it is left (ngclab/lab/liveness.py).

The Controls' message handler is driven with the notices a view sends (a heartbeat "alive"
every few seconds, "closed" when it is removed) and requests (play), on a fake clock; the play
loop runs as an asyncio task as in a kernel. A view silent for longer than the timeout is gone;
the run pauses (status "paused", a note saying why) when the last view seen is gone, and never
when no view was ever seen (a lab run from code).
"""
from __future__ import annotations

import asyncio

import numpy as np

from ngclab.lab.controls import Controls
from ngclab.lab.liveness import DEFAULT_VIEW_TIMEOUT, ViewLiveness
from ngclab.lab.runner import Runner, RunObserver
from tests.lab.lab_helpers import tutorial

TIMEOUT = 10.0


class Clock:
    """A fake monotonic clock: seconds move only when the test says so."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def elapse(run: Runner, clock: Clock, seconds: float, tick: float = 1.0) -> None:
    """Let ``seconds`` pass while the play loop takes its turns, ``tick`` seconds per turn (as
    real time passes; a single jump longer than half the timeout between two turns means the
    kernel was held up, and the loop excuses the views' silence)."""
    end = clock.now + seconds
    while clock.now < end - 1e-9:
        clock.now = min(end, clock.now + tick)
        await chunks(run, 1)


def controlled(clock: Clock) -> tuple[Runner, Controls]:
    ctx, a, W, b, adv, rst = tutorial()
    run = Runner(ctx, adv, rst, clamp={a.j: np.ones((1, 10))}, steps_per_frame=5)
    run.views = ViewLiveness(TIMEOUT, clock)
    return run, Controls(run)


def alive(controls: Controls, view: str) -> None:
    controls._receive({"type": "view", "view": view, "state": "alive"})


def closed(controls: Controls, view: str) -> None:
    controls._receive({"type": "view", "view": view, "state": "closed"})


def press_play(controls: Controls, view: str) -> None:
    controls._receive({"type": "action", "action": "play", "id": f"{view}-1"})


async def chunks(run: Runner, n: int = 3) -> int:
    """Let the play loop take its turns for ``n`` chunks (or until it stops); the steps taken."""
    before = run.step_count
    for _ in range(n):
        if run._task is None or run._task.done():
            break
        await asyncio.sleep(0)
    return run.step_count - before


def test_a_silent_view_pauses_the_run_after_the_timeout_not_before():
    clock = Clock()
    run, controls = controlled(clock)

    async def session():
        alive(controls, "v1")
        press_play(controls, "v1")
        assert await chunks(run) > 0 and run.running
        await elapse(run, clock, TIMEOUT)        # silent exactly the timeout: still open
        assert await chunks(run) > 0 and run.status == "running"
        await elapse(run, clock, 0.1)            # silent past it: the view is gone
        await chunks(run)
        assert run._task.done()
        frozen = run.step_count
        await asyncio.sleep(0)
        return frozen

    frozen = asyncio.run(session())
    assert run.status == "paused" and not run.running and run.step_count == frozen
    assert run.note.startswith("no view open: paused") and "10 s" in run.note
    assert controls.status == "paused" and controls.note == run.note and not controls.running
    assert run.error == ""                      # a pause, not an error


def test_heartbeats_keep_a_view_open_past_the_timeout():
    clock = Clock()
    run, controls = controlled(clock)

    async def session():
        press_play(controls, "v1")               # a request says its view is open, too
        for _ in range(8):                       # 8 x 4 s = 32 s, a heartbeat every 4 s
            clock.now += 4.0
            alive(controls, "v1")
            assert await chunks(run, 2) > 0
        run.pause()
        await run._task

    asyncio.run(session())
    assert run.status == "paused" and run.note == "" and clock.now > 3 * TIMEOUT


def test_a_lab_never_shown_never_pauses_by_itself():
    clock = Clock()
    run, controls = controlled(clock)

    async def session():
        run.play()                               # from code: no view ever spoke
        clock.now = 1e6
        assert await chunks(run, 4) > 0 and run.running
        run.pause()
        await run._task

    asyncio.run(session())
    assert run.note == "" and run.status == "paused"
    # lab.run() / papermill: a synchronous run takes all its steps whatever the views did
    alive(controls, "v1")
    clock.now += 2 * TIMEOUT
    assert run.views.none_left()
    assert run.run(20) == 20 and run.error == ""
    # and a Runner with no Controls has no views at all
    ctx, a, W, b, adv, rst = tutorial()
    bare = Runner(ctx, adv, rst, clamp={a.j: np.ones((1, 10))}, steps_per_frame=5)
    assert bare.views is None


def test_two_views_closing_one_keeps_playing_closing_both_pauses_at_once():
    clock = Clock()
    run, controls = controlled(clock)

    async def session():
        alive(controls, "v1")
        alive(controls, "v2")
        press_play(controls, "v1")
        closed(controls, "v1")                   # the first output cell cleared
        assert await chunks(run) > 0 and run.running
        for _ in range(5):                       # the second view keeps beating for 15 s
            clock.now += 3.0
            alive(controls, "v2")
            assert await chunks(run, 2) > 0
        assert run.views.live() == ["v2"]
        closed(controls, "v2")                   # the last view says goodbye: no timeout wait
        await chunks(run)
        assert run._task.done()

    asyncio.run(session())
    assert run.status == "paused" and run.note.startswith("no view open")


def test_a_view_that_comes_back_can_play_again():
    clock = Clock()
    run, controls = controlled(clock)

    async def session():
        alive(controls, "v1")
        press_play(controls, "v1")
        await chunks(run)
        await elapse(run, clock, 2 * TIMEOUT)    # the tab was closed: silence
        await chunks(run)
        assert run._task.done() and run.status == "paused"
        alive(controls, "v3")                    # the notebook opened again: a new view
        press_play(controls, "v3")
        assert run.note == "" and controls.note == ""
        assert await chunks(run, 4) > 0 and run.running
        run.pause()
        await run._task

    asyncio.run(session())
    assert run.status == "paused"


def test_play_from_code_after_every_view_closed_runs_headless():
    clock = Clock()
    run, controls = controlled(clock)
    alive(controls, "v1")
    closed(controls, "v1")
    assert run.views.none_left()

    async def session():
        run.play()                               # e.g. lab.runner.play() in a later cell
        clock.now = 1e6
        assert await chunks(run, 4) > 0 and run.running
        alive(controls, "v2")                    # a view shown from now on counts again
        closed(controls, "v2")
        await chunks(run)
        assert run._task.done()

    asyncio.run(session())
    assert run.status == "paused" and run.note.startswith("no view open")


def test_a_chunk_longer_than_half_the_timeout_does_not_time_views_out():
    # while one long chunk runs the kernel cannot read the heartbeats waiting for it; without
    # the excuse, 6 s chunks would leave the view 12 s "silent" after two of them
    clock = Clock()
    run, controls = controlled(clock)

    class SlowChunks(RunObserver):
        def chunk_done(self, runner, records, first_step, steps):
            clock.now += 0.6 * TIMEOUT

    run.observers.append(SlowChunks())

    async def session():
        alive(controls, "v1")
        press_play(controls, "v1")
        assert await chunks(run, 5) > 0 and run.running
        assert clock.now >= 2 * TIMEOUT
        run.pause()
        await run._task

    asyncio.run(session())
    assert run.note == ""


def test_a_long_cell_run_between_two_chunks_does_not_time_views_out():
    # a cell that holds the kernel for longer than the timeout while the lab plays: the play
    # loop gets its next turn before the heartbeats queued meanwhile are read
    clock = Clock()
    run, controls = controlled(clock)

    async def session():
        alive(controls, "v1")
        press_play(controls, "v1")
        assert await chunks(run, 2) > 0
        clock.now += 3 * TIMEOUT           # the long cell (no message read meanwhile)
        assert await chunks(run, 2) > 0 and run.running
        await elapse(run, clock, 2 * TIMEOUT)   # then silence while the loop has its turns: gone
        assert not run.running
        await run._task

    asyncio.run(session())
    assert run.status == "paused" and "no view open" in run.note


def test_view_notices_get_no_reply_requests_do():
    clock = Clock()
    run, controls = controlled(clock)
    sent = []
    controls.send = lambda content, buffers=None: sent.append(content)
    alive(controls, "v1")
    closed(controls, "v1")
    controls._receive({"type": "view", "view": "", "state": "alive"})   # nameless: ignored
    controls._receive({"type": "view", "view": "v2", "state": "asleep"})  # unknown: ignored
    assert sent == [] and run.views.live() == [] and run.views.seen
    controls._receive({"type": "action", "action": "pause", "id": "v2-7"})
    assert sent == [{"type": "result", "id": "v2-7", "ok": True, "message": ""}]
    assert run.views.live() == ["v2"]


def test_a_note_is_dismissed_and_reset_clears_it():
    clock = Clock()
    run, controls = controlled(clock)
    run.pause("no view open: paused (test)")
    assert controls.note == "no view open: paused (test)"
    controls._receive({"type": "action", "action": "dismiss", "id": "v1-1"})
    assert run.note == "" and controls.note == ""
    run.pause("again")
    run.reset()
    assert run.note == "" and controls.note == ""


def test_the_default_timeout_outlasts_a_hidden_tabs_once_a_minute_timers():
    # browsers run a long-hidden tab's timers about once a minute: its heartbeats are that late
    views = ViewLiveness(clock=Clock())
    assert views.timeout == DEFAULT_VIEW_TIMEOUT and DEFAULT_VIEW_TIMEOUT > 60.0
    views.heard("v1")
    views.clock.now = 60.0 + 5.0
    assert views.live() == ["v1"] and not views.none_left()
