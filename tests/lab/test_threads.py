"""One model touched from two threads: user code in a thread, or a kernel subshell (ipykernel 7
runs each in a thread of its own) while cells and a playing Lab run on the main thread.
``Context.lock`` keeps every change whole."""
from __future__ import annotations

import threading
import time

import numpy as np

from ngclab.lab.knobs import Knobs
from ngclab.lab.runner import Runner
from tests.lab.lab_helpers import tutorial


def _playing(runner: Runner, stop: threading.Event) -> threading.Thread:
    """A thread running chunks until ``stop`` is set (a Lab playing on another thread)."""
    def loop():
        while not stop.is_set():
            runner.run(5)
    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    return thread


def test_knob_set_while_chunks_run_on_another_thread_is_never_lost():
    # without the lock, a chunk that read the state before the set wrote its result over it:
    # seen as 13 of 40 knob values lost in a kernel (a subshell setting the knob, a Runner
    # playing on the main thread)
    ctx, a, W, b, adv, _ = tutorial()
    runner = Runner(ctx, adv, clamp={a.j: np.ones((1, 10), np.float32)}, steps_per_frame=5)
    runner.run(5)                                  # compiles the chunk
    knobs = Knobs(ctx)
    stop = threading.Event()
    thread = _playing(runner, stop)
    lost = []
    try:
        for i in range(150):
            value = 21.0 + 0.25 * i
            reply = knobs._handle({"type": "knob", "path": b.tau_m.path, "value": value})
            assert reply["ok"], reply
            time.sleep(0.002)                      # a chunk or two runs meanwhile
            if float(b.tau_m.get()) != value:      # (quarters are exact in float32)
                lost.append(value)
    finally:
        stop.set()
        thread.join(timeout=60)
    assert runner.step_count > 5 and not lost, f"{len(lost)} of 150 knob values lost: {lost[:5]}"


def test_steps_from_two_threads_are_each_counted_once():
    # run() is a read-modify-write of the state: 2 x 300 steps from two threads must give the
    # state of 600 steps, as one thread doing all of them does (reference: the same circuit
    # stepped 600 times on one thread)
    def circuit():
        ctx, a, W, b, adv, _ = tutorial()
        a.j.set(np.ones((1, 10), np.float32))
        return ctx, b, adv

    ctx, b, adv = circuit()
    for i in range(600):
        adv.run(t=float(i), dt=1.)
    expected = np.asarray(b.z.get())

    ctx, b, adv = circuit()
    adv.run(t=0., dt=1.)                           # compiles the step before the threads start
    go = threading.Barrier(2)

    def steps(k):
        go.wait()
        for i in range(k):
            adv.run(t=0., dt=1.)

    threads = [threading.Thread(target=steps, args=(300,)), threading.Thread(target=steps,
                                                                             args=(299,))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    np.testing.assert_array_equal(np.asarray(b.z.get()), expected)
