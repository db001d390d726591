"""The nine classes of this family in one spiking circuit: exports and help(), graph() and
to_code() rebuilding the same state, run == scan bit for bit, save/load and snapshot/restore of
every leaf (keys, windows, boolean and integer states), knobs that move without recompiling, a
batch size that follows the data (ExpKernel's window refuses another one by name), the editor
palette and how the Scope draws them.

    LatencyCell lat -> ExponentialSynapse E -> LIFCell z (z.v -> E.v, the reversal potential)
    TTFSCell ttfs -> AlphaSynapse A -> z;   PhasorCell ph -> DoubleExpSynapse D -> z
    ph -> STPDenseSynapse S;  ph -> ExpKernel K;  RetinalGanglionCell R (its own input)
"""
import json

import jax.numpy as jnp
import numpy as np
import pytest

import ngclab.components as C
from ngclab import Context, MethodProcess, Summation
from ngclab.lab.editor import palette
from ngclab.lab.panel import plot_kind

FAMILY = {"RetinalGanglionCell": "input_encoders", "LatencyCell": "input_encoders",
          "PhasorCell": "input_encoders", "TTFSCell": "input_encoders", "ExpKernel": "other",
          "ExponentialSynapse": "synapses", "DoubleExpSynapse": "synapses",
          "AlphaSynapse": "synapses", "STPDenseSynapse": "synapses"}
X = jnp.asarray([[0.9, 0.4, 0.1]])


def build(name="time"):
    with Context(name) as ctx:
        lat = C.LatencyCell("lat", 3, tau=4., threshold=0.05, linearize=True)
        ttfs = C.TTFSCell("ttfs", 3, num_steps=8, tau_ref=2)
        ph = C.PhasorCell("ph", 3, target_freq=150., key=4)
        E = C.ExponentialSynapse("E", (3, 2), tau_decay=3., g_syn_bar=0.5, syn_rest=0.)
        A = C.AlphaSynapse("A", (3, 2), tau_decay=2., g_syn_bar=4., syn_rest=None)
        D = C.DoubleExpSynapse("D", (3, 2), tau_decay=5., tau_rise=1., g_syn_bar=3.,
                               syn_rest=None, p_conn=0.7, key=2)
        S = C.STPDenseSynapse("S", (3, 2), tau_f=40., tau_d=30.)
        K = C.ExpKernel("K", 3, dt=1., tau_w=3., nu=3.)
        R = C.RetinalGanglionCell("R", "DoG", (4, 6), 2, (4, 3), (0, 3), sigma=0.9)
        z = C.LIFCell("z", 2, tau_m=5., thr=-60.)
        lat.outputs >> E.inputs
        ttfs.outputs >> A.inputs
        ph.outputs >> D.inputs
        ph.outputs >> S.inputs
        ph.outputs >> K.inputs
        z.v >> E.v
        Summation(E.outputs, A.outputs, D.outputs) >> z.j
        encode = MethodProcess("encode") >> lat.calc_spike_times
        step = (MethodProcess("step") >> lat.advance_state >> ttfs.advance_state
                >> ph.advance_state >> E.advance_state >> A.advance_state >> D.advance_state
                >> S.advance_state >> K.advance_state >> R.advance_state >> z.advance_state)
        reset = MethodProcess("reset")
        for c in (lat, ttfs, ph, E, A, D, S, K, R, z):
            reset >> c.reset
    return ctx, encode, step, reset


def drive(ctx, encode):
    ctx["lat"].inputs.set(X)
    ctx["ttfs"].inputs.set(X)
    ctx["ph"].inputs.set(jnp.ones((1, 3)))
    ctx["R"].inputs.set(jnp.arange(24.).reshape(1, 4, 6) / 24.)
    encode.run()


def test_exports_groups_and_help():
    groups = {e["group"]: {c["class"] for c in e["classes"]} for e in palette()}
    for name, group in FAMILY.items():
        cls = getattr(C, name)
        assert cls.__name__ == name and name in C.__all__
        assert cls.__module__.startswith(f"ngclab.components.{group}.")
        assert name in groups[group]
        info = cls.help()
        assert set(info) == {name, "compartments", "dynamics", "hyperparameters"}, name
        assert info["dynamics"] and info["hyperparameters"]
        # every compartment help names exists on a built instance
        assert {"inputs", "outputs"} <= set(info["compartments"])


def test_graph_and_to_code_rebuild_the_same_state():
    ctx, *_ = build()
    ctx["E"].tau_decay.set(4.5)
    g = ctx.graph()
    json.dumps(g)
    nodes = {c["name"]: c for c in g["components"]}
    assert nodes["S"]["group"] == "synapses" and nodes["lat"]["group"] == "input_encoders"
    assert g["knobs"]["time/E:tau_decay"]["value"] == np.float32(4.5)
    assert "time/E:syn_rest" in g["knobs"] and "time/A:syn_rest" not in g["knobs"]
    ns: dict = {}
    exec(ctx.to_code(), ns)
    ctx2 = ns["ctx"]
    assert set(ctx2.state) == set(ctx.state)
    for path, value in ctx.state.items():   # the same keys => the same weights, U, base_scale
        if path != "time/E:tau_decay":
            np.testing.assert_array_equal(np.asarray(ctx2.state[path]), np.asarray(value),
                                          err_msg=path)


def _bit_equal(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for k in a:
        assert np.asarray(a[k]).dtype == np.asarray(b[k]).dtype, k
        np.testing.assert_array_equal(np.asarray(a[k]), np.asarray(b[k]), err_msg=k)


@pytest.mark.filterwarnings("ignore:.*sees the previous step's value")  # z.v -> E.v feedback
def test_run_equals_scan_and_save_load_every_leaf(tmp_path):
    ctx, encode, step, reset = build()
    drive(ctx, encode)
    snap = ctx.snapshot()
    out = step.scan(12, t0=0., dt=1., record=[ctx["z"].s, ctx["S"].Wdyn, ctx["ttfs"].has_fired])
    scanned = dict(ctx.state)
    ctx.restore(snap)
    _bit_equal(dict(ctx.state), dict(snap.state))
    for i in range(12):
        step.run(t=float(i), dt=1.)
    _bit_equal(dict(ctx.state), scanned)
    # the circuit is alive: every encoder fired, conductances drove z, STP moved
    assert float(jnp.sum(ctx["lat"].mask.get())) == 3.
    assert bool(jnp.all(out["time/ttfs:has_fired"][-1]))
    assert float(jnp.sum(out["time/z:s"])) > 0
    assert float(jnp.max(ctx["K"].epsp.get())) > 0 and float(jnp.max(ctx["S"].Wdyn.get())) > 0
    ctx.save(str(tmp_path / "m"))
    ctx2, encode2, step2, _ = build()
    ctx2.load(str(tmp_path / "m"))
    _bit_equal(dict(ctx2.state), dict(ctx.state))
    for c, s in ((ctx, step), (ctx2, step2)):   # and both continue identically
        s.run(t=12., dt=1.)
    _bit_equal(dict(ctx2.state), dict(ctx.state))
    # knobs move without recompiling
    n = step.compile_count
    for comp, name in (("E", "tau_decay"), ("D", "tau_rise"), ("S", "tau_f"), ("K", "tau_w"),
                       ("ph", "target_freq"), ("ttfs", "tau_ref"), ("A", "g_syn_bar")):
        knob = getattr(ctx[comp], name)
        knob.set(float(knob.get()) * 1.5)
    step.run(t=13., dt=1.)
    assert step.compile_count == n
    reset.run()
    assert float(jnp.sum(jnp.abs(ctx["E"].g_syn.get()))) == 0.
    assert float(jnp.sum(ctx["S"].x.get())) == 6.   # x back to 1 on all (1, 3, 2) connections
    assert not bool(jnp.any(ctx["ttfs"].has_fired.get()))


def test_scope_draws_spikes_as_rasters_and_matrices_as_images():
    ctx, *_ = build("scope")
    for comp in ("lat", "ttfs", "ph"):
        assert plot_kind(ctx[comp].outputs) == "raster", comp
    assert plot_kind(ctx["ttfs"].has_fired) == "raster"
    for syn in ("E", "S"):
        assert plot_kind(ctx[syn].weights) == "image"
    assert plot_kind(ctx["S"].resources) == "image" and plot_kind(ctx["R"].filter) == "image"
    assert plot_kind(ctx["E"].g_syn) == "trace" and plot_kind(ctx["K"].epsp) == "trace"


def test_batch_follows_the_data():
    # built with batch_size 1, run on a batch of 3: each sample evolves as it would alone
    with Context("batch") as ctx:
        parts = [C.LatencyCell("lat", 3, tau=4., linearize=True),
                 C.TTFSCell("ttfs", 3, num_steps=6),
                 C.RetinalGanglionCell("R", "gaussian", (4, 6), 2, (4, 3), (0, 3)),
                 C.ExponentialSynapse("E", (3, 2), tau_decay=3., g_syn_bar=1., syn_rest=None),
                 C.DoubleExpSynapse("D", (3, 2), tau_decay=3., tau_rise=1., g_syn_bar=1.,
                                    syn_rest=None),
                 C.AlphaSynapse("A", (3, 2), tau_decay=3., g_syn_bar=1., syn_rest=None),
                 C.STPDenseSynapse("S", (3, 2), tau_f=30., tau_d=20.)]
        step = MethodProcess("step")
        for c in parts:
            step >> c.advance_state
    rng = np.random.default_rng(1)
    x = rng.uniform(size=(3, 3)).astype(np.float32)
    spikes = (rng.uniform(size=(6, 3, 3)) < 0.5).astype(np.float32)
    area = rng.uniform(size=(3, 4, 6)).astype(np.float32)
    outs = [c.outputs for c in parts]

    def run(rows):
        snap = ctx.snapshot()
        ctx["lat"].inputs.set(jnp.asarray(x[rows]))
        ctx["lat"].calc_spike_times()
        clamp = {ctx["ttfs"].inputs: jnp.asarray(x[rows]), ctx["R"].inputs: jnp.asarray(area[rows])}
        clamp.update({ctx[n].inputs: jnp.asarray(spikes[:, rows]) for n in ("E", "D", "A", "S")})
        rec = step.scan(6, t0=0., dt=1., clamp=clamp, record=outs)
        ctx.restore(snap)
        return rec

    three, one = run(slice(0, 3)), run(slice(1, 2))
    for comp in outs:
        got = np.asarray(three[comp.path])
        assert got.shape[1] == 3, comp.path
        np.testing.assert_allclose(got[:, 1:2], np.asarray(one[comp.path]), rtol=1e-6,
                                   atol=1e-6, err_msg=comp.path)
    assert ctx["S"].u.shape == (1, 3, 2)   # restored: back to the built batch size


def test_expkernel_refuses_another_batch_by_name():
    with Context("ekb"):
        k = C.ExpKernel("k", 3, dt=1.)
        step = MethodProcess("step") >> k.advance_state
    k.inputs.set(jnp.ones((4, 3)))
    with pytest.raises(ValueError, match=r"ekb/k: inputs of batch 4 .* batch_size=4"):
        step.run(t=0., dt=1.)
