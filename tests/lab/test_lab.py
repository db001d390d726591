"""The lab's Python side, driven through the same message handlers the browser uses."""
from __future__ import annotations

import asyncio

import jax.numpy as jnp
import numpy as np
import pytest

from ngclab import Compartment, Component, Context, Knob, MethodProcess, compilable
from ngclab.components import RateCell
from ngclab.lab import Controls, Knobs, Lab, Scope
from ngclab.lab.lab import LabRunError
from ngclab.lab.scope import plot_kind, tile_filters
from tests.lab.lab_helpers import headless, tutorial


# -- running ---------------------------------------------------------------------------------
def test_run_matches_headless_scan(lab):
    # the lab's chunks (50 steps) give the same trajectory as one headless scan of 120 steps
    assert lab.run(steps=120) == 120
    ref, ref_ctx = headless(120)
    np.testing.assert_allclose(np.asarray(lab.ctx.state["model/b:zF"]),
                               np.asarray(ref_ctx.state["model/b:zF"]), atol=1e-6)
    assert lab.t == 120.0 and lab.step_count == 120
    steps, vals = lab.scope._panels["model/b:zF"].ordered()
    np.testing.assert_allclose(vals[:, :8], np.asarray(ref)[:, 0, :8], atol=1e-6)
    assert list(steps) == list(range(120))
    assert lab.controls.t == 120.0 and lab.controls.steps == 120
    assert lab.controls.compile_count == lab.advance.compile_count >= 1


def test_dt_and_step_and_reset(lab):
    ctx, a, W, b, adv, rst = tutorial()
    lab2 = Lab(ctx, advance=adv, reset=rst, clamp={a.j: 1.0}, dt=0.5, steps_per_frame=7)
    assert lab2.steps_per_frame == 7
    lab2.step()
    assert lab2.t == 0.5 and lab2.step_count == 1
    lab2.step(n=3)
    assert lab2.t == 2.0
    assert float(jnp.abs(b.zF.get()).sum()) > 0
    lab2.reset()
    assert lab2.t == 0.0 and lab2.step_count == 0
    assert float(jnp.abs(b.zF.get()).sum()) == 0.0  # RateCell.reset zeroes zF
    with pytest.raises(ValueError):
        lab2.run(steps=0)


def test_clamp_kinds():
    seq = np.arange(6, dtype=np.float32)[:, None, None] * np.ones((6, 1, 10), np.float32)
    fn = lambda t: jnp.full((1, 10), t)  # noqa: E731
    for value, expect in ((np.full((1, 10), 2.0), lambda i: 2.0),
                          (seq, lambda i: float(i % 6)),       # a time axis, cycled
                          (fn, lambda i: float(i))):           # t = i * dt with dt = 1
        ctx, a, W, b, adv, rst = tutorial()
        lab = Lab(ctx, advance=adv, reset=rst, clamp={a.j: value}, watch=[a.zF],
                  steps_per_frame=4)
        lab.run(steps=9)
        _, vals = lab.scope._panels["model/a:zF"].ordered()
        np.testing.assert_allclose(vals[:, 0], [expect(i) for i in range(9)], atol=1e-6)


def test_knob_clamp_follows_slider():
    # a Knob as clamp value: moving its slider (Knobs message) changes the input live
    with Context("model") as ctx:
        class Source(Component):
            def __init__(self, name, level=1.0, **kw):
                super().__init__(name, **kw)
                self.level = Knob(level, low=-5., high=5.)
                self.out = Compartment(jnp.zeros((1, 3)), kind="output")

            @compilable
            def advance_state(self):
                pass
        src = Source("src")
        b = RateCell("b", n_units=3, tau_m=0.)
        adv = MethodProcess("advance") >> b.advance_state
    lab = Lab(ctx, advance=adv, clamp={b.j: src.level}, watch=[b.zF], steps_per_frame=2)
    lab.run(2)
    np.testing.assert_allclose(np.asarray(b.zF.get()), 1.0)  # stateless: zF = j = level
    compiles = adv.compile_count
    assert lab.knobs._handle({"type": "knob", "path": "model/src:level", "value": 3.0})["ok"]
    lab.run(2)
    np.testing.assert_allclose(np.asarray(b.zF.get()), 3.0)
    assert adv.compile_count == compiles  # a knob never recompiles
    assert lab.scope.due() in (True, False)


def test_clamp_refused_shapes(lab):
    with pytest.raises(ValueError, match="expected"):
        lab.set_clamp("model/b:j_td", np.ones((3, 7)))
    with pytest.raises(ValueError, match="wired"):
        lab.set_clamp("model/b:j", 1.0)


def test_play_pause_runs_between_messages(lab):
    async def scenario():
        lab.play()
        lab.play()  # pressed twice: still one loop
        task = lab._task
        for _ in range(200):
            await asyncio.sleep(0.01)
            if lab.step_count >= 200:
                break
        assert lab._task is task and lab.running
        # a knob message lands between chunks while running
        assert lab.knobs._handle({"type": "knob", "path": "model/b:tau_m", "value": 5.0})["ok"]
        assert float(lab.ctx.compartment("model/b:tau_m").get()) == 5.0
        lab.controls._handle({"type": "action", "action": "pause"})
        await asyncio.sleep(0.05)
        assert task.done() and not lab.running
        n = lab.step_count
        await asyncio.sleep(0.05)
        assert lab.step_count == n and n % 50 == 0  # whole chunks only
        assert lab.controls.t == lab.t == float(n)
        assert lab.scope.frames_drawn >= 1
    asyncio.run(scenario())


def test_controls_messages(lab):
    c = lab.controls
    assert c._handle({"type": "action", "action": "step"})["ok"] and lab.step_count == 1
    assert c._handle({"type": "steps_per_frame", "value": 25})["ok"] and lab.steps_per_frame == 25
    assert not c._handle({"type": "steps_per_frame", "value": 0})["ok"]
    assert lab.steps_per_frame == 25
    assert not c._handle({"type": "action", "action": "fly"})["ok"]
    assert "fly" in c.error
    assert c._handle({"type": "action", "action": "reset"})["ok"] and lab.step_count == 0


# -- errors ----------------------------------------------------------------------------------
class Blower(Component):
    """Multiplies its state by gain each step (NaN when gain is inf-like) or raises."""

    def __init__(self, name, **kw):
        super().__init__(name, **kw)
        self.v = Compartment(jnp.ones((1, 2)), kind="output")
        self.gain = Knob(1.0)
        self.explode = False

    @compilable
    def advance_state(self):
        if self.explode:
            raise RuntimeError("boom")
        self.v.set(self.v.get() * self.gain.get() * 1e30)


def test_nan_pauses_restores_and_recovers():
    with Context("m") as ctx:
        x = Blower("x")
        adv = MethodProcess("advance") >> x.advance_state
    lab = Lab(ctx, advance=adv, watch=[x.v], steps_per_frame=1)
    before = np.asarray(x.v.get())
    assert lab.run(5) == 1  # the second step overflows to inf
    assert "NaN/Inf" in lab.error and "m/x:v" in lab.error and "component x" in lab.error
    assert lab.controls.status == "error" and lab.controls.error == lab.error
    np.testing.assert_allclose(np.asarray(x.v.get()), before * 1e30)  # as before that chunk
    assert lab.t == 1.0
    with pytest.raises(LabRunError):
        lab.run(3, strict=True)
    lab.knobs.set("m/x:gain", 1e-30)  # the fix: the state stays finite now
    assert lab.run(3) == 3 and lab.error == ""


def test_exception_in_step_names_component_and_recovers():
    with Context("m") as ctx:
        x = Blower("x")
        adv = MethodProcess("advance") >> x.advance_state
    x.gain.set(1e-30)
    lab = Lab(ctx, advance=adv, steps_per_frame=4)
    x.explode = True
    snap = dict(ctx.state)
    assert lab.run(8) == 0
    assert "RuntimeError" in lab.error and "component 'x'" in lab.error and "boom" in lab.error
    assert "advance_state" in lab.error_detail
    assert all(ctx.state[p] is snap[p] for p in snap)
    x.explode = False
    assert lab.run(8) == 8 and not lab.error


# -- scope -----------------------------------------------------------------------------------
def test_scope_kinds_ring_buffer_selection(lab):
    scope = lab.scope
    assert plot_kind(lab.ctx.compartment("model/W:weights")) == "image"
    assert plot_kind(lab.ctx.compartment("model/b:zF")) == "trace"
    assert scope.recorded() == ["model/b:zF"]
    small = Scope(lab.ctx, watch=["model/b:zF"], window=16)
    small.push({"model/b:zF": np.arange(40 * 10, dtype=np.float32).reshape(40, 1, 10)}, 0)
    steps, vals = small._panels["model/b:zF"].ordered()
    assert list(steps) == list(range(24, 40))               # the last 16 steps, in order
    assert vals[0, 0] == 24 * 10 and vals.shape == (16, 8)  # units 0..7 by default
    small.push({"model/b:zF": np.ones((5, 1, 10), np.float32)}, 40)
    steps, _ = small._panels["model/b:zF"].ordered()
    assert list(steps) == list(range(29, 45))
    assert small._panels["model/b:zF"].ring.nbytes == 16 * 8 * 4  # bounded
    assert small._handle({"type": "select", "path": "model/b:zF", "selection": "2,5"})["ok"]
    assert small._panels["model/b:zF"].selection == [2, 5]
    assert not small._handle({"type": "select", "path": "model/b:zF", "selection": "0:99"})["ok"]
    assert small.draw(force=True)
    assert small.frames["model/b:zF"].startswith("data:image/png;base64,")


def test_scope_throttles_frames(lab):
    scope = lab.scope
    scope.max_fps = 30
    assert scope.draw(force=True)
    assert not scope.draw()  # right after a frame: not due yet
    n = scope.frames_drawn
    lab.run(2000)
    # a frame at most every 1/30 s (plus the final forced one)
    assert scope.frames_drawn - n >= 1


def test_tiled_filters():
    w = np.arange(3 * 3 * 2 * 2, dtype=np.float32).reshape(3, 3, 2, 2)
    img = tile_filters(w)
    assert img.shape == (7, 7)
    np.testing.assert_array_equal(img[:3, :3], w[:, :, 0, 0])
    assert np.isnan(img[3, 0])


def test_knobs_widget_validation(lab):
    k = lab.knobs
    paths = [row["path"] for row in k.knobs]
    assert "model/b:tau_m" in paths
    row = next(r for r in k.knobs if r["path"] == "model/b:tau_m")
    assert row["min"] <= 20.0 <= row["max"]
    r = k._handle({"type": "knob", "path": "model/b:tau_m", "value": -1.0})
    assert not r["ok"] and "lower bound" in r["message"]
    assert float(lab.ctx.compartment("model/b:tau_m").get()) == 20.0
    assert not k._handle({"type": "knob", "path": "model/b:zF", "value": 1.0})["ok"]
    assert k._handle({"type": "knob", "path": "model/b:tau_m", "value": 7.5})["ok"]
    assert next(r for r in k.knobs if r["path"] == "model/b:tau_m")["value"] == 7.5


def test_widgets_display(lab):
    bundle = lab._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert isinstance(lab.controls, Controls) and isinstance(lab.knobs, Knobs)
    assert "Lab 'model'" in repr(lab)


# -- between chunks, and the protocol ---------------------------------------------------------
def test_after_chunk_runs_between_chunks_like_a_training_loop():
    ctx, a, W, b, adv, rst = tutorial()
    calls = []

    def rescale():           # what a training loop does between presentations
        calls.append(lab.step_count)
        W.weights.set(W.weights.get() * 0.5)

    lab = Lab(ctx, advance=adv, clamp={a.j: np.ones((1, 10))}, steps_per_frame=4,
              after_chunk=rescale)
    w0 = np.asarray(W.weights.get())
    assert lab.run(12) == 12
    assert calls == [4, 8, 12]                      # after each chunk, with its steps counted
    np.testing.assert_allclose(np.asarray(W.weights.get()), w0 * 0.5 ** 3, rtol=1e-6)

    def broken():
        raise RuntimeError("no mass to keep")
    lab.after_chunk = broken
    assert lab.run(8) == 0 and lab.step_count == 16   # the chunk ran; the hook's error stops
    assert "Lab failed after steps 12-15" in lab.error and "no mass to keep" in lab.error


@pytest.mark.parametrize("widget", ["editor", "scope", "controls", "knobs"])
def test_every_widget_answers_a_request_with_its_id(lab, widget, monkeypatch):
    w = getattr(lab, widget)
    sent = []
    monkeypatch.setattr(w, "send", lambda content, buffers=None: sent.append(content))
    w._reply({"type": "no such request", "id": "view7-42"})
    (reply,), = [sent]
    assert reply["type"] == "result" and reply["id"] == "view7-42"
    assert reply["ok"] is False and "no such request" in reply["message"]


@pytest.mark.parametrize("widget", ["editor", "scope", "controls", "knobs"])
def test_a_request_that_raises_still_gets_its_reply(lab, widget, monkeypatch):
    # a bug in a handler (not a refused request) must not leave the view waiting with nothing
    # shown: the reply names the widget, the request and the error
    w = getattr(lab, widget)
    sent = []
    monkeypatch.setattr(w, "send", lambda content, buffers=None: sent.append(content))

    def broken(msg):
        raise RuntimeError("array deleted")
    monkeypatch.setattr(w, "_handle", broken)
    w._reply({"type": "knob", "id": "view7-43"})
    (reply,), = [sent]
    assert reply["id"] == "view7-43" and reply["ok"] is False
    assert reply["message"] == (f"{type(w).__name__} could not handle 'knob': "
                                f"RuntimeError: array deleted")
    if w.has_trait("error"):
        assert w.error == reply["message"]


def test_knobs_show_an_unexpected_error_and_keep_the_real_value(lab, monkeypatch):
    path = next(iter(lab.ctx.knobs()))
    before = float(lab.ctx.compartment(path).get())
    monkeypatch.setattr(lab.knobs, "set", lambda *a: (_ for _ in ()).throw(RuntimeError("boom")))
    sent = []
    monkeypatch.setattr(lab.knobs, "send", lambda content, buffers=None: sent.append(content))
    lab.knobs._reply({"type": "knob", "id": "v-1", "path": path, "value": before + 1.})
    assert "RuntimeError: boom" in lab.knobs.error and sent[0]["ok"] is False
    row = next(r for r in lab.knobs.knobs if r["path"] == path)
    assert row["value"] == before and float(lab.ctx.compartment(path).get()) == before
