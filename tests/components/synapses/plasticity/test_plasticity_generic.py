"""Every plasticity synapse with the core's services: run == scan bit for bit, save/load and
snapshot/restore, knobs without recompiling, graph()/to_code(), help(), the editor palette, the
Scope's plot kinds, batches (per-sample updates summed or averaged), resets that keep wires.

Each synapse runs alone (advance_state then evolve) with every signal input clamped to random
data of the right kind: spikes (0/1), traces and inputs in [0, 1), times of last spike that
follow the spikes, rewards and modulators in [-1, 1), REINFORCE's learning switch at 1.
"""
import inspect

import jax.numpy as jnp
import numpy as np
import pytest

import ngclab.components as C
from ngclab import Context, MethodProcess
from ngclab.lab.editor import palette
from ngclab.lab.scope import plot_kind

ARGS = {
    "TraceSTDPSynapse": dict(shape=(3, 4), A_plus=0.5, A_minus=0.3, eta=0.1, mu=0.5),
    "STDPSynapse": dict(shape=(3, 4), A_plus=0.5, A_minus=0.3, eta=0.1),
    "ExpSTDPSynapse": dict(shape=(3, 4), A_plus=0.5, A_minus=0.3, exp_beta=1., eta=0.1),
    "EventSTDPSynapse": dict(shape=(3, 4), eta=0.1),
    "InhibitorySTDPSynapse": dict(shape=(3, 4), eta=0.1, tau_x_pre=5., tau_x_post=5.),
    "SOMSynapse": dict(n_inputs=3, n_units_x=2, n_units_y=2, eta=0.5),
    "MSTDPETSynapse": dict(shape=(3, 4), A_plus=0.5, A_minus=0.3, eta=0.1, tau_elg=5.),
    "REINFORCESynapse": dict(shape=(3, 4), eta=0.1, seed=1),
    "OjaTensorSynapse": dict(n_in_streams=4, K_local=2, O_local=2, P_l=2, eta=0.1),
}
GROUPS = {"synapses/hebbian": ["TraceSTDPSynapse", "STDPSynapse", "ExpSTDPSynapse",
                               "EventSTDPSynapse", "InhibitorySTDPSynapse", "OjaTensorSynapse"],
          "synapses/competitive": ["SOMSynapse"],
          "synapses/modulated": ["MSTDPETSynapse", "REINFORCESynapse"]}
FAMILY = sorted(ARGS)
NOT_SIGNALS = {"mask", "gate", "outmask", "weight_transpose_target"}
STEPS, T0 = 5, 1.   # t starts at 1 ms: a time of last spike of 0 means "no spike yet"


def build(cname, ctx_name="m", batch_size=1):
    with Context(ctx_name) as ctx:
        syn = getattr(C, cname)("W", batch_size=batch_size, key=7, **ARGS[cname])
        step = MethodProcess("step") >> syn.advance_state >> syn.evolve
        rst = MethodProcess("rst") >> syn.reset
    return ctx, syn, step, rst


def signals(syn):
    return [c for n, c in syn.compartments.items()
            if c.kind == "input" and n not in NOT_SIGNALS and not c.targeted]


def sequences(syn, steps=STEPS, batch=1, seed=0) -> dict:
    """Random clamp sequences (steps, batch, ...) for every signal input of syn."""
    rng = np.random.default_rng(seed)
    seqs = {}
    for comp in signals(syn):
        shape = (steps, batch, *comp.shape[1:]) if comp.shape else (steps,)
        if comp.name == "learning_mask":
            seqs[comp] = np.ones(shape, np.float32)
        elif comp.name in ("rewards", "modulator"):
            seqs[comp] = rng.uniform(-1., 1., shape).astype(np.float32)
        elif "tols" in comp.name:
            s = rng.uniform(size=shape) < 0.4
            t = T0 + np.arange(steps, dtype=np.float32).reshape(-1, *[1] * (len(shape) - 1))
            tols = np.where(s, t, 0.).astype(np.float32)
            seqs[comp] = np.maximum.accumulate(tols, axis=0)   # the time of the last spike
        elif comp.display_name and "spikes" in comp.display_name:
            seqs[comp] = (rng.uniform(size=shape) < 0.4).astype(np.float32)
        else:
            seqs[comp] = rng.uniform(0., 1., shape).astype(np.float32)
    return seqs


def state(ctx):
    return {k: np.array(v) for k, v in ctx.state.items()}


def bit_equal(a, b):
    assert a.keys() == b.keys()
    for k in a:
        assert a[k].dtype == b[k].dtype, k
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)


def twin_clamp(seqs, twin_syn):
    return {getattr(twin_syn, c.name): v for c, v in seqs.items()}


@pytest.mark.parametrize("cname", FAMILY)
def test_run_equals_scan_save_load_snapshot_and_knobs(cname, tmp_path):
    ctx, syn, step, _ = build(cname)
    twin, tsyn, tstep, _ = build(cname)
    bit_equal(state(ctx), state(twin))      # deterministic construction
    W0 = np.asarray(syn.weights.get())
    # a run() loop and one scan over the same steps: the same state bit for bit
    seqs = sequences(syn)
    for i in range(STEPS):
        for c, seq in seqs.items():
            c.set(jnp.asarray(seq[i]))
        step.run(t=T0 + i, dt=1.)
    tstep.scan(steps=STEPS, t0=T0, dt=1., clamp=twin_clamp(seqs, tsyn))
    bit_equal(state(ctx), state(twin))
    assert not np.allclose(np.asarray(syn.weights.get()), W0)   # the run learned something
    # save -> load (after moving a knob): bit for bit, and both continue identically
    knob = next(iter(syn.knobs.values()))
    knob.set(float(knob.get()) * 1.5)
    ctx.save(tmp_path)
    twin.load(tmp_path)
    bit_equal(state(twin), state(ctx))
    more = sequences(syn, seed=1)
    count = tstep.compile_count
    step.scan(steps=STEPS, t0=T0 + STEPS, dt=1., clamp=more)
    tstep.scan(steps=STEPS, t0=T0 + STEPS, dt=1., clamp=twin_clamp(more, tsyn))
    bit_equal(state(twin), state(ctx))
    # every knob moved: the next scan does not recompile
    for k in tsyn.knobs.values():
        k.set(float(k.get()) + 0.5)
    tstep.scan(steps=STEPS, t0=T0, dt=1., clamp=twin_clamp(more, tsyn))
    assert tstep.compile_count == count
    # snapshot / restore
    snap, kept = ctx.snapshot(), state(ctx)
    step.scan(steps=STEPS, t0=T0, dt=1., clamp=sequences(syn, seed=2))
    assert any(not np.array_equal(kept[k], v) for k, v in state(ctx).items())
    ctx.restore(snap)
    bit_equal(state(ctx), kept)


@pytest.mark.parametrize("cname", FAMILY)
def test_graph_and_to_code_rebuild_the_same_synapse(cname):
    ctx, syn, step, _ = build(cname)
    next(iter(syn.knobs.values())).set(0.75)     # a knob moved after construction
    ns = {}
    exec(compile(ctx.to_code(), "<to_code>", "exec"), ns)
    rebuilt = ns["ctx"]
    node = next(n for n in ctx.graph()["components"] if n["name"] == "W")
    assert node == next(n for n in rebuilt.graph()["components"] if n["name"] == "W")
    bit_equal(state(rebuilt), state(ctx))      # every value, the moved knob included
    assert rebuilt.graph()["processes"] == ctx.graph()["processes"]


def _inherited(cls):
    """The compartments a class inherits: declared by its bases (DenseSynapse's by building one)."""
    with Context("base"):
        dense = set(C.DenseSynapse("b", (2, 2)).compartments)
    return dense.union(*(base.__dict__.get("__annotations__", {}) for base in cls.__mro__[1:]))


@pytest.mark.parametrize("cname", FAMILY)
def test_help_lists_the_compartments_and_parameters(cname):
    cls = getattr(C, cname)
    info = cls.help()
    assert set(info) == {cname, "compartments", "dynamics", "hyperparameters"}
    assert info["dynamics"]
    _, syn, _, _ = build(cname)
    listed = {k for group in info["compartments"].values() for k in group}
    comps = {k for k, c in syn.compartments.items() if c.kind != "knob"}
    assert listed == comps, (listed ^ comps)
    params = set(inspect.signature(cls.__init__).parameters) - {"self", "name", "kwargs"}
    # every parameter, and DenseSynapse's keyword arguments (accepted through **kwargs)
    assert params <= set(info["hyperparameters"])
    assert set(info["hyperparameters"]) - params <= {"p_release_mean", "max_delay_steps", "mask"}
    # the class annotations declare every compartment and knob the class creates, in order
    declared = [k for k, v in cls.__dict__.get("__annotations__", {}).items()
                if v in ("Compartment", "Knob")]
    created = [k for k in syn.compartments if k not in _inherited(cls) or k in declared]
    assert declared == created


def test_palette_and_scope():
    groups = {g["group"]: {c["class"] for c in g["classes"]} for g in palette()}
    for group, names in GROUPS.items():
        assert set(names) <= groups[group], group
    for cname in FAMILY:
        _, syn, _, _ = build(cname)
        assert plot_kind(syn.weights) == "image"
        for comp in syn.compartments.values():
            if comp.display_name and "spikes" in comp.display_name:
                assert plot_kind(comp) == "raster", comp.path
    _, syn, _, _ = build("TraceSTDPSynapse")
    assert plot_kind(syn.preTrace) == "trace"


#: how a batch of samples combines the per-sample updates (REINFORCE draws its noise for the
#: whole batch at once, so its rows are not the batch-1 draws; its batch is tested by the bandit)
BATCH_RULE = {"TraceSTDPSynapse": "sum", "STDPSynapse": "sum", "ExpSTDPSynapse": "sum",
              "EventSTDPSynapse": "sum", "MSTDPETSynapse": "sum", "OjaTensorSynapse": "sum",
              "InhibitorySTDPSynapse": "mean", "SOMSynapse": "mean"}


@pytest.mark.parametrize("cname", sorted(BATCH_RULE))
def test_a_batch_combines_the_per_sample_updates(cname):
    # one step of a synapse built for batch 3 gives the sum (STDP rules: the products
    # pre^T post sum over samples) or the mean (iSTDP, SOM) of the updates of each row alone
    big, bsyn, bstep, _ = build(cname, "b", batch_size=3)
    # the last step of 3 (its times of last spike reach back, so pair STDP sees lags), where
    # every post-synaptic unit fires (so every rule updates every row)
    seqs = {c: v[-1:] for c, v in sequences(bsyn, steps=3, batch=3).items()}
    for c in seqs:
        if c.name in ("postSpike", "s_post"):
            seqs[c] = np.ones_like(seqs[c])
        elif c.name == "post_tols":
            seqs[c] = np.full_like(seqs[c], T0 + 2.)
        elif c.name == "pre_tols":   # pre units last fired at the first step or just after
            seqs[c] = np.where(seqs[c] > 0, seqs[c] - 1., T0).astype(np.float32)
    bstep.scan(steps=1, t0=T0 + 2., dt=1., clamp=seqs)
    rows = []
    ctx, syn, step, _ = build(cname, "r")
    fresh = ctx.snapshot()
    for b in range(3):      # each row alone, from the same initial state
        ctx.restore(fresh)
        step.scan(steps=1, t0=T0 + 2., dt=1.,
                  clamp={getattr(syn, c.name): v[:, b:b + 1] for c, v in seqs.items()})
        rows.append(np.asarray(syn.dWeights.get()))
    combine = np.sum if BATCH_RULE[cname] == "sum" else np.mean
    np.testing.assert_allclose(np.asarray(bsyn.dWeights.get()), combine(rows, axis=0),
                               rtol=1e-5, atol=1e-6)
    assert all(np.abs(r).sum() > 0 for r in rows) and not np.allclose(rows[0], rows[1])


@pytest.mark.parametrize("cname", FAMILY)
def test_reset_keeps_wires(cname):
    with Context("w") as w:
        dst = getattr(C, cname)("dst", **ARGS[cname])
        src = C.VarTrace("src", dst.inputs.shape[1], tau_tr=5., a_delta=0.)
        src.outputs >> dst.inputs
        r = MethodProcess("r") >> dst.reset
    before = state(w)
    r.run()   # setting the wired input would raise; every other value is its initial one
    assert dst.inputs.targeted
    bit_equal(state(w), before)
