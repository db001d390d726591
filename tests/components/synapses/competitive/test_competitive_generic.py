"""The synapses added with the competitive family (and GerstnerHebbianSynapse) with the core's
services: run == scan bit for bit, save/load and snapshot/restore, knobs without recompiling,
graph()/to_code(), help() and the class annotations, the editor palette and the Scope, resets
that keep wires. (The same checks as tests/components/synapses/plasticity's generic file, over
these classes.)"""
import inspect

import jax.numpy as jnp
import numpy as np
import pytest

import ngclab.components as C
from ngclab import Context, MethodProcess
from ngclab.lab.editor import palette
from ngclab.lab.scope import plot_kind
from tests.components.synapses.plasticity.test_plasticity_generic import (
    T0,
    bit_equal,
    sequences,
    state,
    twin_clamp,
)

ARGS = {
    "GerstnerHebbianSynapse": dict(shape=(3, 4), eta=0.1,
                                   coeffs={"c0": -0.1, "c1_pre": 0.2, "c1_post": -0.1,
                                           "c2_corr": 1.}),
    "HopfieldSynapse": dict(shape=(3, 4), eta=0.1, reg_lambda=0.01, beta=2.),
    "VectorQuantizeSynapse": dict(shape=(3, 4), eta=0.2, syn_decay=0.01, w_bound=2.),
    "ART2ASynapse": dict(shape=(3, 4), eta=0.2, vigilance=0.2),
}
GROUPS = {"synapses/hebbian": ["GerstnerHebbianSynapse"],
          "synapses/competitive": ["HopfieldSynapse", "VectorQuantizeSynapse",
                                   "ART2ASynapse"]}
FAMILY = sorted(ARGS)
STEPS = 4


def build(cname, ctx_name="m", batch_size=1):
    with Context(ctx_name) as ctx:
        syn = getattr(C, cname)("W", batch_size=batch_size, key=7, **ARGS[cname])
        step = MethodProcess("step") >> syn.advance_state >> syn.evolve
        if cname == "ART2ASynapse":     # from an empty memory, only stored misses learn
            step >> syn.consolidate
    return ctx, syn, step


@pytest.mark.parametrize("cname", FAMILY)
def test_run_equals_scan_save_load_snapshot_and_knobs(cname, tmp_path):
    ctx, syn, step = build(cname)
    twin, tsyn, tstep = build(cname)
    bit_equal(state(ctx), state(twin))      # deterministic construction
    W0 = np.asarray(syn.weights.get())
    seqs = sequences(syn, steps=STEPS)
    for i in range(STEPS):                  # a run() loop and one scan: the same bits
        for c, seq in seqs.items():
            c.set(jnp.asarray(seq[i]))
        step.run(t=T0 + i, dt=1.)
    tstep.scan(steps=STEPS, t0=T0, dt=1., clamp=twin_clamp(seqs, tsyn))
    bit_equal(state(ctx), state(twin))
    assert not np.allclose(np.asarray(syn.weights.get()), W0)   # the run learned something
    knob = next(iter(syn.knobs.values()))   # save -> load after moving a knob
    knob.set(float(knob.get()) * 1.5)
    ctx.save(tmp_path)
    twin.load(tmp_path)
    bit_equal(state(twin), state(ctx))
    more = sequences(syn, steps=STEPS, seed=1)
    count = tstep.compile_count
    step.scan(steps=STEPS, t0=T0 + STEPS, dt=1., clamp=more)
    tstep.scan(steps=STEPS, t0=T0 + STEPS, dt=1., clamp=twin_clamp(more, tsyn))
    bit_equal(state(twin), state(ctx))
    for k in tsyn.knobs.values():           # every knob moved: no recompilation
        k.set(float(k.get()) + 0.5)
    tstep.scan(steps=STEPS, t0=T0, dt=1., clamp=twin_clamp(more, tsyn))
    assert tstep.compile_count == count
    snap, kept = ctx.snapshot(), state(ctx)
    step.scan(steps=STEPS, t0=T0, dt=1., clamp=sequences(syn, steps=STEPS, seed=2))
    assert any(not np.array_equal(kept[k], v) for k, v in state(ctx).items())
    ctx.restore(snap)
    bit_equal(state(ctx), kept)


@pytest.mark.parametrize("cname", FAMILY)
def test_graph_and_to_code_rebuild_the_same_synapse(cname):
    ctx, syn, _ = build(cname)
    next(iter(syn.knobs.values())).set(0.75)     # a knob moved after construction
    ns = {}
    exec(compile(ctx.to_code(), "<to_code>", "exec"), ns)
    rebuilt = ns["ctx"]
    node = next(n for n in ctx.graph()["components"] if n["name"] == "W")
    assert node == next(n for n in rebuilt.graph()["components"] if n["name"] == "W")
    bit_equal(state(rebuilt), state(ctx))
    assert rebuilt.graph()["processes"] == ctx.graph()["processes"]


def _inherited(cls):
    with Context("base"):
        dense = set(C.DenseSynapse("b", (2, 2)).compartments)
    return dense.union(*(base.__dict__.get("__annotations__", {}) for base in cls.__mro__[1:]))


@pytest.mark.parametrize("cname", FAMILY)
def test_help_lists_the_compartments_and_parameters(cname):
    cls = getattr(C, cname)
    info = cls.help()
    assert set(info) == {cname, "compartments", "dynamics", "hyperparameters"}
    _, syn, _ = build(cname)
    listed = {k for group in info["compartments"].values() for k in group}
    comps = {k for k, c in syn.compartments.items() if c.kind != "knob"}
    assert listed == comps, (listed ^ comps)
    params = set(inspect.signature(cls.__init__).parameters) - {"self", "name", "kwargs"}
    assert params <= set(info["hyperparameters"])
    assert set(info["hyperparameters"]) - params <= {"p_release_mean", "max_delay_steps", "mask"}
    declared = [k for k, v in cls.__dict__.get("__annotations__", {}).items()
                if v in ("Compartment", "Knob")]
    created = [k for k in syn.compartments if k not in _inherited(cls) or k in declared]
    assert declared == created


def test_palette_and_scope():
    groups = {g["group"]: {c["class"] for c in g["classes"]} for g in palette()}
    for group, names in GROUPS.items():
        assert set(names) <= groups[group], group
    for cname in FAMILY:
        _, syn, _ = build(cname)
        assert plot_kind(syn.weights) == "image"


@pytest.mark.parametrize("cname", FAMILY)
def test_reset_keeps_wires(cname):
    with Context("w") as w:
        dst = getattr(C, cname)("dst", **ARGS[cname])
        src = C.VarTrace("src", dst.inputs.shape[1], tau_tr=5., a_delta=0.)
        src.outputs >> dst.inputs
        r = MethodProcess("r") >> dst.reset
    before = state(w)
    r.run()
    assert dst.inputs.targeted
    bit_equal(state(w), before)
