"""The circuit editor, driven through the same message handlers the browser uses."""
from __future__ import annotations

import jax.numpy as jnp

from ngclab import Context, MethodProcess
from ngclab.lab import CircuitEditor
from ngclab.lab.editor import auto_layout, palette, parse_value
from tests.lab.lab_helpers import tutorial


# -- editor ------------------------------------------------------------------------------------
def test_palette_and_forms():
    groups = {g["group"]: [c["class"] for c in g["classes"]] for g in palette()}
    assert "RateCell" in groups["neurons/graded"]
    assert "HebbianSynapse" in groups["synapses/hebbian"]
    rate = next(c for g in palette() for c in g["classes"] if c["class"] == "RateCell")
    params = {p["name"]: p for p in rate["params"]}
    assert params["n_units"]["required"] and params["tau_m"]["required"]
    assert params["act_fx"]["default"] == "'identity'" and not params["act_fx"]["required"]
    assert "name" not in params and "key" not in params


def test_parse_value():
    assert parse_value("10") == 10 and parse_value("0.5") == 0.5
    assert parse_value("('gaussian', 0.)") == ("gaussian", 0.0)
    assert parse_value("tanh") == "tanh"
    assert parse_value("np.ones(2)").tolist() == [1.0, 1.0]
    init = parse_value("DistributionGenerator.uniform(0.1, 0.5)")
    assert "uniform" in repr(init)


def test_add_component_via_message_joins_processes(lab):
    ed = lab.editor
    r = ed._handle({"type": "add", "class": "RateCell", "name": "c",
                    "params": {"n_units": "10", "tau_m": "20.", "act_fx": ""}})
    assert r == {"ok": True, "message": ""}
    assert "c" in lab.ctx.components
    steps = [repr(s) for s in lab.advance.steps]
    # rule: advance_state before the first evolve (none here: appended), evolve at the end
    assert steps[:4] == ["a.advance_state", "W.advance_state", "b.advance_state",
                         "c.advance_state"]
    assert "c.reset" in [repr(s) for s in lab.reset_process.steps]
    assert any(n["name"] == "c" for n in ed.graph["components"])
    assert any(p["name"] == "c" for p in [{"name": k["component"]} for k in lab.knobs.knobs])
    assert ed._handle({"type": "connect", "src": "model/b:zF", "dst": "model/c:j"})["ok"]
    lab.run(10)
    assert float(jnp.abs(lab.ctx["c"].zF.get()).sum()) > 0


def test_add_before_evolve():
    ctx, a, W, b, adv, rst = tutorial()
    adv.then(W.evolve)
    ed = CircuitEditor(ctx, advance=adv, reset=rst)
    ed.add_component("RateCell", name="c", n_units=10, tau_m=20.)
    names = [repr(s) for s in adv.steps]
    assert names.index("c.advance_state") < names.index("W.evolve")


def test_refused_edits_leave_model_unchanged(lab):
    ed, ctx = lab.editor, lab.ctx
    before_code = ctx.to_code()

    def refused(msg, *words):
        snap_code = ctx.to_code()
        r = ed._handle(msg)
        assert not r["ok"], msg
        for w in words:
            assert w in r["message"], (w, r["message"])
        assert ed.error == r["message"]
        assert ctx.to_code() == snap_code
    refused({"type": "connect", "src": "model/b:zF", "dst": "model/a:zF"}, "output")
    refused({"type": "connect", "src": "model/W:weights", "dst": "model/b:j_td"}, "shape")
    refused({"type": "connect", "src": "model/b:zF", "dst": "model/a:j"}, "clamped")
    refused({"type": "connect", "src": "model/a:zF", "dst": "model/W:inputs"}, "already")
    refused({"type": "connect", "src": "model/nope:zF", "dst": "model/b:j_td"}, "nope")
    refused({"type": "add", "class": "RateCell", "name": "b",
             "params": {"n_units": "10", "tau_m": "1."}}, "already exists")
    refused({"type": "add", "class": "RateCell", "name": "d",
             "params": {"n_units": "10", "tau_m": "1.", "act_fx": "'wobbly'"}}, "act_fx")
    refused({"type": "add", "class": "RateCell", "name": "d", "params": {"n_units": "3"}},
            "tau_m")
    refused({"type": "add", "class": "NoSuchCell", "name": "d", "params": {}}, "NoSuchCell")
    refused({"type": "add", "class": "RateCell", "name": "", "params": {}}, "name")
    refused({"type": "add", "class": "RateCell", "name": "bad/name",
             "params": {"n_units": "3", "tau_m": "1."}}, "bad/name")
    refused({"type": "update", "name": "b", "params": {"act_fx": "'wobbly'"}}, "act_fx")
    refused({"type": "update", "name": "zz", "params": {}}, "zz")
    refused({"type": "remove", "name": "zz"}, "zz")
    refused({"type": "disconnect", "dst": "model/b:j_td"}, "not wired")
    refused({"type": "disconnect", "src": "model/b:zF", "dst": "model/b:j"}, "not wired into")
    refused({"type": "fly"}, "fly")
    assert "d" not in ctx.components and ctx.to_code() == before_code
    assert [repr(s) for s in lab.advance.steps] == ["a.advance_state", "W.advance_state",
                                                    "b.advance_state"]
    assert lab.run(5) == 5  # the model still works


def test_connect_sums_and_disconnect_one_source(lab):
    ed, ctx = lab.editor, lab.ctx
    ed.add_component("RateCell", name="c", n_units=10, tau_m=0.)
    ed.connect("model/a:zF", "model/c:j")
    ed.connect("model/b:zF", "model/c:j")
    wire = next(w for w in ed.graph["wires"] if w["dst"] == "model/c:j")
    assert wire["op"] == "Summation" and wire["sources"] == ["model/a:zF", "model/b:zF"]
    ed._handle({"type": "disconnect", "src": "model/a:zF", "dst": "model/c:j"})
    assert ctx.compartment("model/c:j").source is ctx.compartment("model/b:zF")
    ed.disconnect("model/b:zF -> model/c:j")
    assert not ctx.compartment("model/c:j").targeted
    ed.connect("model/b:zF", "model/c:j")
    ed.disconnect("model/c:j")
    assert not ctx.compartment("model/c:j").targeted


def test_remove_and_update(lab):
    ed, ctx = lab.editor, lab.ctx
    lab.run(3)
    r = ed._handle({"type": "update", "name": "b", "params": {"tau_m": "5."}})
    assert r["ok"]
    assert float(ctx["b"].tau_m.get()) == 5.0
    assert ctx.compartment("model/b:j").source is ctx.compartment("model/W:outputs")
    assert "model/b:zF" in lab.scope.watched  # the panel survives a rebuild
    assert lab.run(3) == 3
    # a shape change drops the wires that no longer fit and says so
    r = ed._handle({"type": "update", "name": "b", "params": {"n_units": "4"}})
    assert r["ok"] and "W:outputs" in ed.notice
    assert lab.run(3) == 3
    ed._handle({"type": "remove", "name": "b"})
    assert "b" not in ctx.components and "model/b:zF" not in lab.scope.watched
    assert all(s.component.name != "b" for s in lab.advance.steps)
    assert all(k["component"] != "b" for k in lab.knobs.knobs)
    ed._handle({"type": "remove", "name": "a"})  # the clamped one: its clamp goes too
    assert lab.clamp == {}
    assert lab.run(2) == 2


def test_code_built_and_hand_built_render_the_same():
    ctx1, *_ = tutorial()
    with Context("model") as ctx2:
        adv = MethodProcess("advance")
        rst = MethodProcess("reset")
    ed = CircuitEditor(ctx2, advance=adv, reset=rst)
    ed._handle({"type": "add", "class": "RateCell", "name": "a",
                "params": {"n_units": "10", "tau_m": "0."}})
    ed._handle({"type": "add", "class": "HebbianSynapse", "name": "W",
                "params": {"shape": "(10, 10)"}})
    ed._handle({"type": "add", "class": "RateCell", "name": "b",
                "params": {"n_units": "10", "tau_m": "20."}})
    ed._handle({"type": "connect", "src": "model/a:zF", "dst": "model/W:inputs"})
    ed._handle({"type": "connect", "src": "model/W:outputs", "dst": "model/b:j"})
    g1 = CircuitEditor(ctx1).graph
    g2 = ed.graph
    strip = lambda g: ([(n["name"], n["class"], n["position"], n["compartments"])  # noqa: E731
                        for n in g["components"]], g["wires"], g["knobs"])
    assert strip(g1) == strip(g2)
    ed._handle({"type": "code"})
    assert "a.zF >> W.inputs" in ed.code and ed.code == ed.to_code()


def test_layout_left_to_right_and_move_saved(lab, tmp_path):
    pos = auto_layout(lab.ctx)
    assert pos["a"][0] < pos["W"][0] < pos["b"][0]
    ed = lab.editor
    assert ed._handle({"type": "move", "name": "b", "x": 500, "y": 333})["ok"]
    node = next(n for n in ed.graph["components"] if n["name"] == "b")
    assert node["position"] == [500.0, 333.0]
    lab.ctx.save(tmp_path / "m")
    ctx2, *_ = tutorial()
    ctx2.load(tmp_path / "m")
    assert ctx2.layout["positions"]["b"] == [500.0, 333.0]
    assert CircuitEditor(ctx2).graph["components"][2]["position"] == [500.0, 333.0]
    ed._handle({"type": "layout"})
    node = next(n for n in ed.graph["components"] if n["name"] == "b")
    assert node["position"] == pos["b"]


def test_watch_by_port_click(lab):
    ed, scope = lab.editor, lab.scope
    ed._handle({"type": "watch", "path": "model/a:zF", "on": True})
    assert "model/a:zF" in scope.watched and "model/a:zF" in ed.watched
    ed._handle({"type": "watch", "path": "model/a:zF", "on": False})
    assert "model/a:zF" not in scope.watched and "model/a:zF" not in ed.watched
    assert scope._handle({"type": "unwatch", "path": "model/W:weights"})["ok"]
    assert ed.watched == ["model/b:zF"]
