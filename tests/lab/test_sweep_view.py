"""The Sweep view on the Python side: chunks of members, the metric against the swept knob(s),
background runs that pause and cancel, members loaded into the model and the Lab.

Expected numbers from the tutorial circuit's equations (tests.helpers.build_tutorial: a passes
j through, W = 1 over two units, b integrates tau dz/dt = j by Euler steps of dt = 1): with a
constant input x and output scale s of a, after k steps b.z = k (2 s x) / tau.
"""
from __future__ import annotations

import asyncio
import base64

import jax.numpy as jnp
import numpy as np
import pytest

import ngclab
from ngclab import Context, MethodProcess
from ngclab.components import PoissonCell
from ngclab.lab import Lab, SweepView
from tests.helpers import build_tutorial

X = 0.5   # the clamped input


@pytest.fixture
def tut():
    return build_tutorial("sv", n_units=2)


def z_after(k, tau, scale=1.0, x=X):
    return k * 2 * scale * x / tau   # Euler steps of tau dz/dt = 2 s x from z = 0


def view(tut, values, steps=4, **kw):
    ctx, a, W, b, adv, reset = tut
    kw.setdefault("clamp", {a.j: X * jnp.ones((1, 2))})
    return SweepView(ctx, adv, {b.tau_m: values}, steps, b.z, how="last", **kw)


def test_chunks_of_members_give_each_members_metric_with_one_compiled_program(tut):
    ctx, a, W, b, adv, reset = tut
    taus = np.array([2., 4., 5., 8., 10., 16., 20.])
    before = {p: np.asarray(v) for p, v in ctx.state.items()}
    v = view(tut, taus, chunk=3)
    assert (v.status, v.done, v.members) == ("ready", 0, 7) and np.isnan(v.values).all()
    assert v.step() and v.done == 3 and v.status == "ready"
    np.testing.assert_allclose(v.values[:3], z_after(4, taus[:3]), rtol=1e-5)
    assert np.isnan(v.values[3:]).all()
    assert v.run() and v.status == "done" and v.done == 7
    np.testing.assert_allclose(v.values, z_after(4, taus), rtol=1e-5)
    # 3 chunks of 3 (the last padded with copies of member 6, dropped): one compilation
    assert adv.compile_count == 1 and len(v.runner.results) == 3
    for p, val in ctx.state.items():                       # running leaves the model alone
        np.testing.assert_array_equal(np.asarray(val), before[p], err_msg=p)
    assert v.frame.startswith("data:image/png;base64,")
    assert base64.b64decode(v.frame.split(",", 1)[1])[:4] == b"\x89PNG"
    plot = v.plot
    assert plot["kind"] == "curve" and plot["axes"][0]["label"] == "b:tau_m"
    np.testing.assert_allclose(plot["axes"][0]["values"], taus)
    np.testing.assert_allclose(plot["values"], z_after(4, taus), rtol=1e-5)
    lo, hi = plot["xlim"]
    assert lo < taus.min() and hi > taus.max()
    assert v.title == "Sweep: last of b:z over b:tau_m"


def test_play_runs_in_the_background_yields_between_chunks_and_pauses(tut):
    v = view(tut, np.linspace(2., 20., 8), chunk=2)
    v.step()                          # compile first, so the loop below only runs chunks
    seen = []

    async def session():
        v.play()
        assert v.running and v.status == "running"
        while v.done < 6:             # the kernel's loop runs this between chunks
            seen.append(v.done)
            await asyncio.sleep(0)
        v.pause()
        await v._task

    asyncio.run(session())
    assert v.status == "paused" and not v.running and v.done == 6
    assert {2, 4} <= set(seen)        # this coroutine ran while the sweep was in flight
    drawn = v.frames_drawn

    async def rest():
        v.play()
        await v._task

    asyncio.run(rest())
    assert v.status == "done" and v.done == 8 and v.frames_drawn > drawn
    np.testing.assert_allclose(v.values, z_after(4, np.linspace(2., 20., 8)), rtol=1e-5)
    v.play()                          # nothing left to run: a no-op
    assert v.status == "done"


def test_cancel_stops_for_good_and_keeps_the_members_done(tut):
    taus = np.linspace(2., 20., 8)
    v = view(tut, taus, chunk=2)

    async def session():
        v.play()
        while v.done < 2:
            await asyncio.sleep(0)
        v.cancel()
        await v._task

    asyncio.run(session())
    assert v.status == "cancelled" and v.done == 2
    np.testing.assert_allclose(v.values[:2], z_after(4, taus[:2]), rtol=1e-5)
    assert np.isnan(v.values[2:]).all() and v.plot["values"][2:] == [None] * 6
    with pytest.raises(ValueError, match="cancelled; restart"):
        v.play()
    with pytest.raises(ValueError, match="cancelled; restart"):
        v.run()
    v.restart()
    assert (v.status, v.done) == ("ready", 0) and np.isnan(v.values).all()
    assert v.run() and v.status == "done"


def test_a_two_knob_grid_is_a_heat_map_rows_the_first_knob(tut):
    ctx, a, W, b, adv, reset = tut
    taus, scales = [4., 8., 16.], [1., 2.]
    g = ngclab.grid({b.tau_m: taus, a.output_scale: scales})
    v = SweepView(ctx, adv, g, 5, b.z, how="last", clamp={a.j: X * jnp.ones((1, 2))}, chunk=4)
    v.run()
    want = z_after(5, np.array(taus)[:, None], np.array(scales)[None, :])
    np.testing.assert_allclose(v.grid_values(), want, rtol=1e-5)
    plot = v.plot
    assert plot["kind"] == "heatmap" and plot["shape"] == [3, 2]
    assert [ax["label"] for ax in plot["axes"]] == ["b:tau_m", "a:output_scale"]
    assert plot["xlim"] == [-0.5, 1.5] and plot["ylim"] == [-0.5, 2.5]
    # member 3 is row 1 (tau 8), column 1 (scale 2), as the grid's order says
    assert v.describe(3)["values"] == {"sv/b:tau_m": 8., "sv/a:output_scale": 2.}
    with pytest.raises(ValueError, match="one or two swept knobs; this grid has 3"):
        SweepView(ctx, adv, ngclab.grid({b.tau_m: [1.], a.output_scale: [1.],
                                         W.eta: [0.]}), 2, b.z)


def test_loading_a_member_restores_it_and_the_lab_follows(tut):
    ctx, a, W, b, adv, reset = tut
    lab = Lab(ctx, advance=adv, reset=reset, clamp={a.j: X * np.ones((1, 2))}, watch=[b.z])
    lab.run(3)
    taus = np.array([4., 8., 16., 32.])
    v = lab.sweep({b.tau_m: taus}, steps=6, metric=b.z, how="last", chunk=2)
    assert v.lab is lab and v.runner.dt == lab.dt
    with pytest.raises(ValueError, match="member 2 has not run yet"):
        v.load(2)
    v.run()
    loaded = []
    v.on_load.append(loaded.append)
    v.load(2)
    # the member's final state: its tau, and z = (3 steps of the Lab at tau 20) + 6 at tau 16
    assert float(b.tau_m.get()) == 16. and v.selected == 2 and loaded == [2]
    np.testing.assert_allclose(np.asarray(b.z.get()), z_after(3, 20.) + z_after(6, 16.),
                               rtol=1e-5)
    assert {k["path"]: k["value"] for k in lab.knobs.knobs}["sv/b:tau_m"] == 16.
    assert lab.scope._panels["sv/b:z"].count == 0       # traces of another run: cleared
    with pytest.raises(ValueError, match=r"member must be one of 0..3, got 7"):
        v.load(7)


def test_a_clamp_sweep_draws_against_each_members_input_and_the_lab_takes_it(tut):
    ctx, a, W, b, adv, reset = tut
    lab = Lab(ctx, advance=adv, reset=reset, clamp={a.j: np.zeros((1, 2))}, watch=[b.z])
    xs = np.array([0.5, 1., 2.])[:, None, None] * np.ones((3, 1, 2))   # a constant per member
    v = lab.sweep({a.j: xs}, steps=4, metric=b.z, how="last")
    v.run()
    assert v.plot["axes"][0]["label"] == "mean of a:j"
    np.testing.assert_allclose(v.plot["axes"][0]["values"], [0.5, 1., 2.])
    np.testing.assert_allclose(v.values, z_after(4, 20., x=np.array([0.5, 1., 2.])), rtol=1e-5)
    v.load(1)
    np.testing.assert_array_equal(np.asarray(lab.clamp["sv/a:j"]), xs[1])


def test_seeds_and_a_metric_function():
    with Context("svs") as ctx:
        p = PoissonCell("p", n_units=50, target_freq=200.)
        adv = MethodProcess("adv") >> p.advance_state

    def spikes_per_member(result):
        return result["svs/p:outputs"].reshape(result.members, -1).sum(axis=1)

    v = SweepView(ctx, adv, {"seed": 4}, 40, spikes_per_member, record={p.outputs: "sum"},
                  clamp={p.inputs: jnp.ones((1, 50))}, chunk=4)
    v.run()
    assert v.plot["axes"][0]["label"] == "seed" and v.plot["axes"][0]["values"] == [0, 1, 2, 3]
    # 200 Hz for 40 steps of 1 ms over 50 units: 400 spikes expected (Poisson), members differ
    assert np.all(np.abs(v.values - 400.) < 6 * np.sqrt(400.))
    counts = v.runner.results[0][2]["svs/p:outputs"]        # spikes per unit, per member
    assert len({c.tobytes() for c in counts}) == 4           # every seed its own spike trains
    again = SweepView(ctx, adv, {"seed": 4}, 40, spikes_per_member, record={p.outputs: "sum"},
                      clamp={p.inputs: jnp.ones((1, 50))}, chunk=2)
    again.run()
    np.testing.assert_array_equal(again.values, v.values)   # the same seeds, in other chunks


def test_the_browser_messages(tut):
    v = view(tut, np.array([2., 4., 8.]), chunk=3)
    assert v._handle({"type": "action", "action": "pause"}) == {"ok": True, "message": ""}
    v.run()
    assert v._handle({"type": "load", "member": 1})["ok"] and v.selected == 1
    bad = v._handle({"type": "load", "member": 9})
    assert not bad["ok"] and "member must be one of 0..2, got 9" in bad["message"]
    assert "unknown sweep action 'explode'" in v._handle({"type": "action",
                                                          "action": "explode"})["message"]
    assert "unknown sweep message 'x'" in v._handle({"type": "x"})["message"]
    v._handle({"type": "action", "action": "cancel"})
    assert v.status == "done"          # nothing left to cancel


def test_a_failing_chunk_is_shown_and_leaves_the_model_alone(tut):
    ctx, a, W, b, adv, reset = tut
    before = {p: np.asarray(v) for p, v in ctx.state.items()}

    def broken(result):
        raise RuntimeError("no metric today")

    v = SweepView(ctx, adv, {b.tau_m: [1., 2.]}, 3, broken, record=[b.z],
                  clamp={a.j: jnp.ones((1, 2))})
    assert not v.step()
    assert v.status == "error" and v.done == 0
    assert v.error == "RuntimeError in members 0-1: no metric today"
    for p, val in ctx.state.items():
        np.testing.assert_array_equal(np.asarray(val), before[p], err_msg=p)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"how": "median"}, ValueError, r"how must be one of mean, sum, max, min, last; "
                                    r"got 'median'"),
    ({"chunk": 0}, ValueError, r"chunk must be a positive number of members, got 0"),
    ({"chunk": 2.5}, ValueError, r"chunk must be a positive number of members, got 2.5"),
    ({"x": ("current", [1., 2.])}, ValueError, r"x= takes one value per member \(3\)"),
    ({"metric": lambda r: r}, ValueError, r"metric=f needs record="),
    ({"sweep": {"seed": [1.5]}}, ValueError, r"sweep\['seed'\] must be a count or a list"),
    ({"sweep": {"b:tau_m": [1., -1., 2.]}}, ValueError, r"value -1.0 is below its lower bound"),
    ({"sweep": {"b:tau_m": [1., float("nan"), 2.]}}, ValueError, r"value must be finite, got nan"),
    ({"sweep": {"b:tau_m": [1., 2., 3e39]}}, ValueError, r"value 3e\+39 overflows float32"),
])
def test_bad_arguments_are_refused_before_anything_runs(tut, kwargs, error, message):
    ctx, a, W, b, adv, reset = tut
    args = {"sweep": {b.tau_m: [1., 2., 3.]}, "metric": b.z, **kwargs}
    with pytest.raises(error, match=message):
        SweepView(ctx, adv, args.pop("sweep"), 3, args.pop("metric"), **args)
    assert adv.compile_count == 0
