"""The four biophysical cells (AdExCell, FitzhughNagumoCell, IzhikevichCell, HodgkinHuxleyCell)
as parts of the lab: run == scan bit for bit, save/load and snapshot/restore, graph() and
to_code(), help(), the editor palette and the Scope (spikes as rasters, voltages as traces)."""
import json

import jax.numpy as jnp
import numpy as np
import pytest

import ngclab.components as C
from ngclab.lab import Lab
from ngclab.lab.editor import palette
from ngclab.lab.scope import plot_kind
from tests.components.neurons.spiking.zoo_helpers import STATE, ZOO, build

#: a drive that makes each class spike within the steps below, and its step size
DRIVE = {"AdExCell": (40., 0.2), "FitzhughNagumoCell": (0.5, 0.2), "IzhikevichCell": (10., 0.5),
         "HodgkinHuxleyCell": (10., 0.02)}
STEPS = 150


def currents(cls_name, n=3):
    """A step current with a little per-cell, per-step variation: (STEPS, 1, n)."""
    j, _ = DRIVE[cls_name]
    rs = np.random.RandomState(0)
    return jnp.asarray(j * (1. + 0.2 * rs.uniform(size=(STEPS, 1, n))), jnp.float32)


def state(ctx):
    return {k: np.array(v) for k, v in ctx.state.items()}


def assert_bit_equal(a, b):
    assert a.keys() == b.keys()
    for k in a:
        assert a[k].dtype == b[k].dtype, k
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)


@pytest.mark.parametrize("cls_name", ZOO)
def test_run_equals_scan_bit_for_bit(cls_name):
    ctx, z, adv, rst = build(cls_name, 3)
    rst.run()
    seq, dt = currents(cls_name), DRIVE[cls_name][1]
    snap = ctx.snapshot()
    out = adv.scan(steps=STEPS, dt=dt, clamp={z.j: seq}, record=[z.s])
    scanned = state(ctx)
    assert np.asarray(out[z.s.path]).sum() > 0      # the run crosses spikes
    ctx.restore(snap)
    for i in range(STEPS):
        z.j.set(seq[i])
        adv.run(t=i * dt, dt=dt)
    assert_bit_equal(state(ctx), scanned)


@pytest.mark.parametrize("cls_name", ZOO)
def test_save_load_and_snapshot_restore(cls_name, tmp_path):
    ctx, z, adv, rst = build(cls_name, 3, integration_type="midpoint")
    rst.run()
    seq, dt = currents(cls_name), DRIVE[cls_name][1]
    adv.scan(steps=STEPS, dt=dt, clamp={z.j: seq})
    z.tau_w.set(30.) if hasattr(z, "tau_w") else z.g_K.set(7.)     # a moved knob is saved too
    ctx.save(tmp_path / "m")
    twin, tz, tadv, _ = build(cls_name, 3, integration_type="midpoint")
    twin.load(tmp_path / "m")
    assert_bit_equal(state(twin), state(ctx))
    for c, cell, a in ((ctx, z, adv), (twin, tz, tadv)):    # both continue identically
        a.scan(steps=20, t0=STEPS * dt, dt=dt, clamp={cell.j: seq[:20]})
    assert_bit_equal(state(twin), state(ctx))
    snap, kept = ctx.snapshot(), state(ctx)
    adv.scan(steps=20, dt=dt, clamp={z.j: seq[:20]})
    ctx.restore(snap)
    assert_bit_equal(state(ctx), kept)


@pytest.mark.parametrize("cls_name", ZOO)
def test_graph_and_to_code_rebuild_the_cell(cls_name):
    ctx, z, adv, rst = build(cls_name, 2, integration_type="midpoint", batch_size=2)
    knob = next(iter(z.knobs.values()))
    knob.set(float(knob.get()) * 1.5 + 0.25)
    g = ctx.graph()
    json.dumps(g)
    node = next(c for c in g["components"] if c["name"] == "z")
    assert node["group"] == "neurons/spiking"
    ports = {p["name"] for p in node["compartments"]}
    assert {"j", *STATE[cls_name]} <= ports
    assert all(f"zoo/z:{k}" in g["knobs"] for k in z.knobs)
    ns: dict = {}
    exec(ctx.to_code(), ns)
    ctx2 = ns["ctx"]
    assert "integration_type='midpoint'" in ctx.to_code() and "batch_size=2" in ctx.to_code()
    assert_bit_equal(state(ctx2), state(ctx))


@pytest.mark.parametrize("cls_name", ZOO)
def test_help_lists_the_compartments_and_parameters(cls_name):
    import inspect
    cls = getattr(C, cls_name)
    info = cls.help()
    assert set(info) == {cls_name, "compartments", "dynamics", "hyperparameters"}
    _, z, _, _ = build(cls_name, 1)
    listed = {k for group in info["compartments"].values() for k in group}
    assert listed == set(z.compartments) - set(z.knobs)     # every compartment, nothing else
    params = set(inspect.signature(cls.__init__).parameters) - {"self", "name", "kwargs"}
    assert params == set(info["hyperparameters"])
    assert "dv/dt" in info["dynamics"]


def test_the_palette_offers_the_cells_with_ngclearns_parameters():
    groups = {g["group"]: {c["class"]: c for c in g["classes"]} for g in palette()}
    spiking = groups["neurons/spiking"]
    for cls_name in ZOO:
        assert cls_name in spiking
    params = {p["name"]: p for p in spiking["IzhikevichCell"]["params"]}
    assert params["tau_w"]["default"] == "50.0" and params["coupling_factor"]["default"] == "0.2"
    hh = {p["name"]: p for p in spiking["HodgkinHuxleyCell"]["params"]}
    assert hh["tau_v"]["required"] and hh["integration_type"]["default"] == "'euler'"


@pytest.mark.parametrize("cls_name", ZOO)
def test_the_scope_draws_spikes_as_rasters_and_voltages_as_traces(cls_name):
    ctx, z, adv, rst = build(cls_name, 3)
    assert plot_kind(z.s) == "raster" and plot_kind(z.v) == "trace"
    j, dt = DRIVE[cls_name]
    lab = Lab(ctx, advance=adv, reset=rst, clamp={z.j: jnp.full((1, 3), j)}, watch=[z.v, z.s],
              dt=dt, steps_per_frame=50)
    lab.run(steps=STEPS)
    assert lab.step_count == STEPS and not lab.error
    kinds = {p["path"]: p["kind"] for p in lab.scope.panels}
    assert kinds == {z.v.path: "trace", z.s.path: "raster"}
    assert np.asarray(z.tols.get()).max() > 0.     # it spiked while the lab ran
