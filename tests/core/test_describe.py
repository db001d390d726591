"""graph() is JSON and complete; to_code() rebuilds the same circuit (graph and numbers)."""
import json

import jax.numpy as jnp
import numpy as np

from ngclab import Context, Summation
from ngclab.components import RateCell


def _comparable(graph):
    g = dict(graph)
    g.pop("structure_version")
    return g


def test_graph_describes_components_ports_wires_knobs_and_processes(tutorial):
    ctx, a, Wab, b, advance, reset = tutorial
    g = json.loads(json.dumps(ctx.graph()))          # JSON-serialisable, unchanged by a round trip
    names = [c["name"] for c in g["components"]]
    assert names == ["a", "Wab", "b"]
    b_node = g["components"][2]
    assert b_node["class"] == "RateCell" and b_node["hyperparameters"]["tau_m"] == 20.
    assert b_node["inputs"] == ["j", "j_td"] and b_node["outputs"] == ["zF"]
    assert {p["name"]: p["shape"] for p in b_node["compartments"]}["zF"] == [1, 1]
    assert {w["dst"]: w["src"] for w in g["wires"]} == {"model/Wab:inputs": "model/a:zF",
                                                         "model/b:j": "model/Wab:outputs"}
    assert g["knobs"]["model/b:tau_m"]["value"] == 20.
    assert g["processes"][0] == {"name": "advance", "type": "MethodProcess",
                                 "steps": [["a", "advance_state"], ["Wab", "advance_state"],
                                           ["b", "advance_state"]]}


def _exec(code):
    namespace = {}
    exec(compile(code, "<to_code>", "exec"), namespace)
    return namespace


def test_to_code_rebuilds_the_same_graph_and_step(tutorial):
    ctx, a, Wab, b, advance, reset = tutorial
    b.tau_m.set(5.)                                   # a knob moved after construction
    ns = _exec(ctx.to_code())
    rebuilt = ns["ctx"]
    assert _comparable(rebuilt.graph()) == _comparable(ctx.graph())
    for model in (ctx, rebuilt):
        model["a"].j.set(jnp.array([[2.]]))
        model.processes["advance"].run(t=0., dt=1.)
    for path, value in ctx.state.items():
        np.testing.assert_array_equal(np.asarray(rebuilt.state[path]), np.asarray(value), err_msg=path)
    assert float(rebuilt["b"].zF.get()[0, 0]) == np.float32(2. / 5.)   # euler: z = dt * j / tau_m


def test_to_code_handles_operations_and_odd_names():
    with Context("net") as ctx:
        x = RateCell("in", n_units=2, tau_m=0.)       # 'in' is a Python keyword
        y = RateCell("layer-1", n_units=2, tau_m=0.)
        z = RateCell("z", n_units=2, tau_m=3., act_fx="tanh")
        Summation(x.zF, y.zF) >> z.j
    ns = _exec(ctx.to_code())
    assert _comparable(ns["ctx"].graph()) == _comparable(ctx.graph())
