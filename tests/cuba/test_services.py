"""The CUBA network's components with the core's services: run == scan bit for bit, save/load
and snapshot/restore, graph() and to_code() (exec'd and run), help() and the class
annotations, the editor palette and the Scope, resets that keep wires, knobs without
recompiling, a sweep over the inhibitory jump."""
import inspect
import json
import warnings

import jax.numpy as jnp
import numpy as np
import pytest

import ngclab.components as C
from ngclab.models import cuba

warnings.filterwarnings("ignore", message=".*sees the previous step's value")
STEPS = 60


def state(ctx) -> dict:
    return {k: np.array(v) for k, v in ctx.state.items()}


def bit_equal(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for k in a:
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)


def small(name="cuba", capacity=30):
    return cuba.build(100, p_conn=0.15, seed=2, event_capacity=capacity, name=name)


@pytest.mark.parametrize("capacity", [30, None])
def test_run_equals_scan_and_state_round_trips(tmp_path, capacity):
    net, twin = small(capacity=capacity), small("twin", capacity)
    for i in range(STEPS):
        net.advance.run(t=i * cuba.DT, dt=cuba.DT)
    twin.advance.scan(STEPS, dt=cuba.DT)
    a, b = state(net.ctx), state(twin.ctx)
    bit_equal(a, {k.replace("twin/", "cuba/"): v for k, v in b.items()})
    assert a["cuba/P:tols"].any()                                      # cells fired
    net.ctx.save(tmp_path / "net")
    snap = net.ctx.snapshot()
    net.advance.scan(STEPS, t0=STEPS * cuba.DT, dt=cuba.DT)
    assert not np.array_equal(state(net.ctx)["cuba/Ce:g_syn"], a["cuba/Ce:g_syn"])
    net.ctx.load(tmp_path / "net")
    bit_equal(state(net.ctx), a)
    net.advance.scan(STEPS, dt=cuba.DT)
    net.ctx.restore(snap)
    bit_equal(state(net.ctx), a)


def test_graph_and_to_code_rebuild_the_same_network():
    net = small()
    net.Ci.g_syn_bar.set(-7.)
    g = net.ctx.graph()
    json.dumps(g)
    nodes = {n["name"]: n for n in g["components"]}
    assert nodes["Ce"]["group"] == "synapses" and nodes["P"]["class"] == "LIFCell"
    ns = {}
    exec(compile(net.ctx.to_code(), "<to_code>", "exec"), ns)
    rebuilt = ns["ctx"]
    # the code rebuilds the components (tables from their keys) and knobs; the random initial
    # voltages are state set after building (cuba.start_voltages), so they are carried over
    assert np.all(np.asarray(rebuilt["P"].v.get()) == cuba.E_L)
    rebuilt["P"].v.set(net.P.v.get())
    bit_equal(state(rebuilt), state(net.ctx))
    assert np.array_equal(rebuilt["Ce"].targets, net.Ce.targets)
    assert rebuilt.graph()["components"] == g["components"]
    for ctx in (net.ctx, rebuilt):
        ctx.processes["advance"].scan(STEPS, dt=cuba.DT)
    bit_equal(state(rebuilt), state(net.ctx))


def test_reset_keeps_wires_and_the_cable():
    net = small()
    w = np.asarray(net.Ce.weights.get())
    net.advance.scan(STEPS, dt=cuba.DT)
    net.reset.run()
    now = state(net.ctx)
    assert np.all(now["cuba/P:v"] == cuba.E_L) and not now["cuba/Ce:g_syn"].any()
    assert np.all(now["cuba/Ce:events"] == -1) and not now["cuba/Ce:overflow"].any()
    np.testing.assert_array_equal(now["cuba/Ce:weights"], w)
    assert net.Ce.inputs.targeted and net.P.j.targeted
    cuba.start_voltages(net)                    # the lesson's reset: back to the random start
    np.testing.assert_array_equal(net.P.v.get(), cuba.initial_voltages(100, 2))


def test_knobs_do_not_recompile_and_a_sweep_runs_members():
    net = small()
    start = net.ctx.snapshot()
    base = cuba.run(net, STEPS, record={net.P.s: "sum"})[net.P.s.path].sum()
    n = net.advance.compile_count
    net.ctx.restore(start)
    net.Ci.g_syn_bar.set(-2.)
    net.P.tau_m.set(15.)
    cuba.run(net, STEPS, record={net.P.s: "sum"})
    assert net.advance.compile_count == n
    net.ctx.restore(start)
    net.Ci.g_syn_bar.set(cuba.W_I)
    net.P.tau_m.set(cuba.TAU_M)
    res = cuba.run(net, STEPS, record={net.P.s: "sum"},
                   sweep={net.Ci.g_syn_bar: jnp.asarray([cuba.W_I, -2., 0.])})
    counts = np.asarray(res[net.P.s.path]).sum(axis=(1, 2))
    assert counts.shape == (3,) and counts[0] == base     # member 0 is the plain run
    assert counts[0] <= counts[1] <= counts[2]            # less inhibition, more spikes


def test_help_lists_the_compartments_and_parameters():
    cls = C.SparseExponentialSynapse
    info = cls.help()
    assert set(info) == {"SparseExponentialSynapse", "compartments", "dynamics",
                         "hyperparameters"}
    comp = small().Ce
    listed = {k for group in info["compartments"].values() for k in group}
    comps = {k for k, c in comp.compartments.items() if c.kind != "knob"}
    assert comps == listed
    params = set(inspect.signature(cls.__init__).parameters) - {"self", "name", "kwargs"}
    assert set(info["hyperparameters"]) == params
    declared = [n for n, v in cls.__annotations__.items() if v in ("Compartment", "Knob")]
    assert [n for n in declared if n in comp.compartments] == \
        [k for k in comp.compartments if k != "key"]
    assert "hold_refractory" in C.LIFCell.help()["hyperparameters"]


def test_palette_and_scope():
    from ngclab.lab.editor import palette
    from ngclab.lab.panel import plot_kind
    groups = {g["group"]: {c["class"] for c in g["classes"]} for g in palette()}
    assert "SparseExponentialSynapse" in groups["synapses"]
    net = small()
    assert plot_kind(net.P.s) == "raster"
    assert plot_kind(net.Ce.weights) == "image"              # rows x connections
    assert plot_kind(net.Ce.g_syn) == "trace"
