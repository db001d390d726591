"""The run loop on its own: no widgets, the core's clamps and finite checks, observers."""
from __future__ import annotations

import ast
import asyncio
import subprocess
import sys
from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pytest

from ngclab import Compartment, Component, Context, Knob, MethodProcess, compilable
from ngclab.lab.runner import LabRunError, Runner, RunObserver, RunRefused
from tests.lab.lab_helpers import headless, tutorial

RUNNER = Path(__file__).resolve().parents[2] / "ngclab" / "lab" / "runner.py"
WIDGET_MODULES = ("ipywidgets", "anywidget", "traitlets", "ngclab.lab.scope",
                  "ngclab.lab.controls", "ngclab.lab.knobs", "ngclab.lab.editor",
                  "ngclab.lab.lab", "ngclab.lab.panel", "ngclab.lab.plots", "matplotlib")


def test_runner_imports_no_widget_module():
    tree = ast.parse(RUNNER.read_text())
    imported = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    imported += [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module]
    assert imported and not [m for m in imported if m.startswith(WIDGET_MODULES)], imported
    assert not [m for m in imported if m.startswith("ngclab.lab")], imported
    # and importing it (with the package around it) loads none of them either
    code = ("import sys, ngclab.lab.runner; "
            f"print([m for m in sys.modules if m.startswith({WIDGET_MODULES!r})])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, cwd=RUNNER.parents[2])
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[]"


class Log(RunObserver):
    """Notes what the runner tells it."""

    def __init__(self, paths=(), rows=None):
        self.paths, self.rows, self.events, self.chunks = list(paths), rows, [], []

    def records_wanted(self):
        return {p: self.rows for p in self.paths}

    def chunk_done(self, runner, records, first_step, steps):
        self.chunks.append((first_step, steps, {p: v.copy() for p, v in records.items()}))

    def status_changed(self, runner):
        self.events.append(("status", runner.status, runner.running))

    def was_reset(self, runner):
        self.events.append(("reset",))


def test_chunks_equal_one_headless_scan_and_observers_get_every_step():
    ctx, a, W, b, adv, rst = tutorial()
    run = Runner(ctx, adv, rst, clamp={a.j: np.ones((1, 10))}, steps_per_frame=32)
    log = Log(["model/b:zF"])
    run.observers.append(log)
    assert run.run(100) == 100
    ref, ref_ctx = headless(100)
    for p in ref_ctx.state:        # bit for bit: the same compiled step, chunked
        np.testing.assert_array_equal(np.asarray(ctx.state[p]), np.asarray(ref_ctx.state[p]))
    assert [(f, n) for f, n, _ in log.chunks] == [(0, 32), (32, 32), (64, 32), (96, 4)]
    got = np.concatenate([r["model/b:zF"] for _, _, r in log.chunks])
    np.testing.assert_array_equal(got, np.asarray(ref))
    assert log.events[-1] == ("status", "paused", False)
    assert run.t == 100.0 and run.step_count == 100


def test_a_rows_limit_moves_only_the_last_rows_of_a_chunk():
    ctx, a, W, b, adv, rst = tutorial()
    run = Runner(ctx, adv, clamp={a.j: np.ones((1, 10))}, steps_per_frame=50)
    few, all_ = Log(["model/b:zF"], rows=7), Log(["model/a:zF"])
    run.observers += [few, all_]
    run.run(50)
    (_, _, rec), = few.chunks
    assert rec["model/b:zF"].shape == (7, 1, 10) and rec["model/a:zF"].shape == (50, 1, 10)
    ref, _ = headless(50)
    np.testing.assert_array_equal(rec["model/b:zF"], np.asarray(ref)[-7:])


def test_clamps_go_to_the_core_and_sequences_are_windowed():
    ctx, a, W, b, adv, rst = tutorial()
    seq = np.arange(5, dtype=np.float32)[:, None, None] * np.ones((5, 1, 10), np.float32)
    run = Runner(ctx, adv, clamp={a.j: seq}, steps_per_frame=3)
    seen = []
    scan = adv.scan
    adv.scan = lambda **kw: (seen.append(kw["clamp"]["model/a:j"]), scan(**kw))[1]
    log = Log(["model/a:zF"])
    run.observers.append(log)
    run.run(7)
    # each chunk gets its window of the cycled sequence: steps 0-2, 3-5, 6
    assert [np.asarray(c)[:, 0, 0].tolist() for c in seen] == [[0, 1, 2], [3, 4, 0], [1]]
    got = np.concatenate([r["model/a:zF"][:, 0, 0] for _, _, r in log.chunks])
    assert got.tolist() == [0, 1, 2, 3, 4, 0, 1]          # z_a = j_a (tau_m = 0)
    # the core's clamp checks what is clamped: a wired target, a shape that does not fit
    with pytest.raises(ValueError, match="wired from"):
        run.set_clamp(b.j, 1.0)
    with pytest.raises(ValueError, match=r"got shape \(3, 7\)"):
        run.set_clamp(b.j_td, np.ones((3, 7)))
    run.set_clamp(b.j_td, 0.5)                      # a scalar broadcasts to (1, 10)
    assert np.asarray(run.clamp["model/b:j_td"]).shape == (1, 10)


class Blower(Component):
    """v <- v * gain * 1e30: overflows to inf on the second step when gain = 1."""

    def __init__(self, name, **kw):
        super().__init__(name, **kw)
        self.v = Compartment(jnp.ones((1, 2)), kind="output")
        self.gain = Knob(1.0)

    @compilable
    def advance_state(self):
        self.v.set(self.v.get() * self.gain.get() * 1e30)


def test_nonfinite_names_the_step_and_compartment_from_the_cores_check():
    with Context("m") as ctx:
        x = Blower("x")
        adv = MethodProcess("advance") >> x.advance_state
    run = Runner(ctx, adv, steps_per_frame=5)
    before = {p: np.asarray(v) for p, v in ctx.state.items()}
    assert run.run(5) == 0
    # v = 1e30 after step 0, 1e60 = inf in float32 after step 1 (the core's NonFiniteError)
    assert "NaN/Inf in m/x:v (component x) at step 1 during steps 0-4" in run.error
    assert run.status == "error" and run.step_count == 0
    for p, v in ctx.state.items():
        np.testing.assert_array_equal(np.asarray(v), before[p])
    with pytest.raises(LabRunError, match="at step 1"):
        run.run(5, strict=True)
    x.gain.set(1e-30)
    assert run.run(5) == 5 and run.error == "" and run.status == "paused"


class Full(RunObserver):
    def __init__(self, room):
        self.room = room

    def steps_allowed(self, runner, n):
        if self.room == 0:
            raise RunRefused("no room left")
        n = min(n, self.room)
        self.room -= n
        return n


def test_an_observer_can_shorten_or_refuse_a_chunk():
    ctx, a, W, b, adv, rst = tutorial()
    run = Runner(ctx, adv, clamp={a.j: np.ones((1, 10))}, steps_per_frame=10)
    run.observers.append(Full(15))
    assert run.run(40) == 15                       # 10, then 5, then refused
    assert run.error == "no room left" and run.step_count == 15


class Broken(RunObserver):
    def chunk_done(self, runner, records, first_step, steps):
        raise KeyError("the scope lost a panel")


def test_a_failing_observer_stops_the_run_but_the_chunk_stands():
    ctx, a, W, b, adv, rst = tutorial()
    run = Runner(ctx, adv, clamp={a.j: np.ones((1, 10))}, steps_per_frame=10)
    run.observers.append(Broken())
    assert run.run(30) == 0
    assert run.step_count == 10 and "Broken failed after steps 0-9" in run.error
    assert "the scope lost a panel" in run.error


def test_play_pause_reset_and_settings_notify_observers():
    ctx, a, W, b, adv, rst = tutorial()
    run = Runner(ctx, adv, rst, clamp={a.j: np.ones((1, 10))}, steps_per_frame=10)
    log = Log()
    run.observers.append(log)

    async def session():
        run.play()
        while run.step_count < 30:
            await asyncio.sleep(0)
        run.pause()
        await run._task

    asyncio.run(session())
    assert log.events[0] == ("status", "running", True)
    assert ("status", "paused", False) in log.events and run.step_count % 10 == 0
    with pytest.raises(ValueError, match="at least 1, got 0"):
        run.steps_per_frame = 0
    run.steps_per_frame = 4
    assert run.steps_per_frame == 4 and log.events[-1] == ("status", "paused", False)
    run.reset()
    assert ("reset",) in log.events and log.events[-1] == ("status", "ready", False)
    assert run.t == 0.0 and run.step_count == 0


def test_a_sequence_may_carry_another_batch_size_as_the_core_allows():
    # batch size follows the data: a (steps, 3, 10) sequence into a batch-1 circuit runs at 3
    ctx, a, W, b, adv, rst = tutorial()
    seq = np.arange(4, dtype=np.float32)[:, None, None] + np.zeros((4, 3, 10), np.float32)
    seq[:, 1] += 10.0
    run = Runner(ctx, adv, clamp={a.j: seq}, steps_per_frame=3)
    log = Log(["model/a:zF"])
    run.observers.append(log)
    assert run.run(6) == 6, run.error
    got = np.concatenate([r["model/a:zF"] for _, _, r in log.chunks])
    assert got.shape == (6, 3, 10)
    # z_a = j_a (tau_m = 0): the cycled sequence 0 1 2 3 0 1, sample 1 shifted by 10
    np.testing.assert_array_equal(got[:, 0, 0], [0, 1, 2, 3, 0, 1])
    np.testing.assert_array_equal(got[:, 1, 0], [10, 11, 12, 13, 10, 11])
