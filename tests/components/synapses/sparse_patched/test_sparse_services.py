"""The sparse and patched synapses (and a RateCell with lateral synapses) with the core's
services, in one circuit: run == scan bit for bit, save/load and snapshot/restore, graph() and
to_code(), help(), the editor palette and the Scope, resets that keep wires, knobs without
recompiling, constructor errors."""
import inspect
import json

import jax.numpy as jnp
import numpy as np
import pytest

import ngclab.components as C
from ngclab import Context, MethodProcess, Summation
from ngclab.utils.distribution_generator import DistributionGenerator as DG
from tests.components.synapses.sparse_patched.sparse_helpers import bit_equal, state

CLASSES = ["SparseTensorSynapse", "StaticSparseTensorSynapse", "PatchedSynapse",
           "StaticPatchedSynapse", "HebbianPatchedSynapse"]
STEPS = 4


def build(name="net", lateral=True):
    with Context(name) as ctx:
        a = C.RateCell("a", 12, 0.)
        S = C.SparseTensorSynapse("S", 6, 2, 2, P_l=3, bias_init=DG.gaussian(0., 0.1))
        T = C.StaticSparseTensorSynapse("T", 12, 1, 8, P_l=12, p_conn=0.1)
        P = C.PatchedSynapse("P", (8, 8), 2)
        Q = C.StaticPatchedSynapse("Q", (8, 8), 4, resist_scale=0.5)
        H = C.HebbianPatchedSynapse("H", (8, 8), 2, eta=0.05,
                                    optim_type="adam" if lateral else "sgd",
                                    bias_init=DG.constant(0.1), sign_value=-1.)
        z = C.RateCell("z", 8, 10., act_fx="tanh", use_lateral=lateral, adaptive_lateral=lateral,
                       n_patch=2, exc_inh=(0.2, -0.1), Wl_eta=0.05, Wl_opt_type="adam",
                       Wl_prior=("l2", 0.01) if lateral else (None, 0.))
        B = C.SparseTensorSynapse("B", 6, 2, 2, P_l=3, invert_conn=True)
        a.zF >> S.inputs
        a.zF >> T.inputs
        Summation(S.outputs, T.outputs) >> P.inputs
        P.outputs >> Q.inputs
        Q.outputs >> H.inputs
        Q.outputs >> H.pre
        H.outputs >> z.j
        z.zF >> H.post
        z.zF >> P.post_in
        z.zF >> B.inputs
        S.weights >> B.weight_transpose_target
        # P reads z's output of the previous step (a loop back), as intended
        step = (MethodProcess("step") >> a.advance_state >> S.advance_state >> T.advance_state
                >> P.advance_state >> Q.advance_state >> H.advance_state >> z.advance_state
                >> B.tie_transpose_weights >> B.advance_state >> H.evolve >> z.evolve)
        reset = MethodProcess("reset")
        for c in (a, S, T, P, Q, H, z, B):
            reset = reset >> c.reset
    return ctx, a, step


def drive(seed=0):
    return np.random.RandomState(seed).uniform(0., 1., (STEPS, 1, 12)).astype(np.float32)


def close(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for k in a:
        np.testing.assert_allclose(a[k], b[k], rtol=1e-6, atol=1e-7, err_msg=k)


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("lateral", [False, True])
def test_run_equals_scan_and_state_round_trips(tmp_path, lateral):
    ctx, a, step = build(lateral=lateral)
    twin, ta, tstep = build(lateral=lateral)
    bit_equal(state(ctx), state(twin))        # deterministic construction
    assert ctx["T"].product == "edges" and ctx["S"].product == "windows"
    seq = drive()
    for i in range(STEPS):
        a.j.set(jnp.asarray(seq[i]))
        step.run(t=float(i), dt=1.)
    tstep.scan(steps=STEPS, t0=0., dt=1., clamp={ta.j: seq})
    if not lateral:
        bit_equal(state(ctx), state(twin))
    else:
        # with adam (ngclab.utils.optim) and lateral synapses XLA fuses the arithmetic of the
        # adam step and of the lateral drive (multiply-adds) differently in a scan body than
        # in a single step: H's weights and z differ by 1 ulp (3e-8), as in the dense family's
        # circuit test; the cables before H are equal bit for bit
        close(state(ctx), state(twin))
        upstream = {k: v for k, v in state(ctx).items() if k.split(":")[0] in
                    ("net/a", "net/S", "net/T", "net/Q")}
        bit_equal(upstream, {k: state(twin)[k] for k in upstream})
    after = state(ctx)
    assert not np.array_equal(after["net/H:weights"], state(build("x")[0])["x/H:weights"])
    # save / load, snapshot / restore: every leaf bit for bit
    ctx.save(tmp_path / "net")
    snap = ctx.snapshot()
    step.scan(steps=STEPS, t0=4., dt=1., clamp={a.j: drive(1)})
    assert any(not np.array_equal(after[k], v) for k, v in state(ctx).items())
    ctx.load(tmp_path / "net")
    bit_equal(state(ctx), after)
    step.scan(steps=STEPS, t0=4., dt=1., clamp={a.j: drive(1)})
    ctx.restore(snap)
    bit_equal(state(ctx), after)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_graph_and_to_code_rebuild_the_same_circuit():
    ctx, a, step = build()
    ctx["H"].eta.set(0.2)
    ctx["z"].Wl_eta.set(0.01)
    g = ctx.graph()
    json.dumps(g)
    nodes = {n["name"]: n for n in g["components"]}
    assert nodes["S"]["group"] == "synapses" and nodes["H"]["group"] == "synapses/patched"
    assert {"Wl_weights", "j_lat", "zF_lat"} <= {p["name"] for p in nodes["z"]["compartments"]}
    ns = {}
    exec(compile(ctx.to_code(), "<to_code>", "exec"), ns)
    rebuilt = ns["ctx"]
    bit_equal(state(rebuilt), state(ctx))
    assert rebuilt.graph()["components"] == g["components"]
    seq = drive()
    for model in (ctx, rebuilt):
        model.processes["step"].scan(steps=STEPS, t0=0., dt=1., clamp={model["a"].j: seq})
    bit_equal(state(rebuilt), state(ctx))


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_reset_returns_to_rest_and_keeps_wires():
    ctx, a, step = build()
    before = state(ctx)
    step.scan(steps=2, t0=0., dt=1., clamp={a.j: drive()[:2]})
    ctx.processes["reset"].run()
    now = state(ctx)
    for path in ("net/S:outputs", "net/P:pre_out", "net/H:dWeights", "net/z:j_lat",
                 "net/z:zF_lat", "net/z:Wl_dWeights", "net/B:outputs"):
        np.testing.assert_array_equal(now[path], before[path], err_msg=path)
    for path in ("net/H:weights", "net/z:Wl_weights", "net/B:weights"):   # learned: kept
        assert not np.array_equal(now[path], before[path]), path
    assert ctx["H"].inputs.targeted and ctx["z"].j.targeted and ctx["B"].inputs.targeted


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_knobs_do_not_recompile():
    ctx, a, step = build()
    step.scan(steps=2, t0=0., dt=1., clamp={a.j: drive()[:2]})
    n = step.compile_count
    for comp, knob in (("S", "g_conduct_factor"), ("P", "resist_scale"), ("H", "eta"),
                       ("H", "sign_value"), ("z", "Wl_eta"), ("z", "Wl_prior_lmbda")):
        getattr(ctx[comp], knob).set(0.3)
    step.scan(steps=2, t0=2., dt=1., clamp={a.j: drive()[:2]})
    assert step.compile_count == n


def one(cname):
    with Context("one") as ctx:
        args = {"PatchedSynapse": dict(shape=(4, 4), n_sub_models=2),
                "RateCell": dict(n_units=4, tau_m=10., use_lateral=True,
                                 adaptive_lateral=True, n_patch=2)}
        args = args.get(cname) or (dict(shape=(4, 4), n_sub_models=2) if "Patched" in cname
                                   else dict(n_in_streams=4, K_local=2, O_local=1, P_l=2))
        comp = getattr(C, cname)("c", **args)
    return ctx, comp


@pytest.mark.parametrize("cname", CLASSES + ["RateCell"])
def test_help_lists_the_compartments_and_parameters(cname):
    cls = getattr(C, cname)
    info = cls.help()
    assert set(info) == {cname, "compartments", "dynamics", "hyperparameters"} and info["dynamics"]
    _, comp = one(cname)
    listed = {k for group in info["compartments"].values() for k in group}
    comps = {k for k, c in comp.compartments.items() if c.kind != "knob"} - \
        ({"key"} if cname == "RateCell" else set())
    assert comps <= listed, comps - listed
    assert listed - comps <= {"zF_lat", "j_lat", "Wl_weights", "Wl_opt_params", "Wl_dWeights"}
    params = set(inspect.signature(cls.__init__).parameters) - {"self", "name", "kwargs"}
    assert set(info["hyperparameters"]) == params
    # the class annotations (over the class hierarchy, the base class's ``key`` first)
    # declare every compartment and knob, in declaration order
    declared = []
    for k in reversed(cls.__mro__):
        declared += [n for n, v in vars(k).get("__annotations__", {}).items()
                     if v in ("Compartment", "Knob") and n not in declared]
    assert [n for n in declared if n in comp.compartments] == list(comp.compartments)


def test_palette_and_scope():
    from ngclab.lab.editor import palette
    from ngclab.lab.panel import plot_kind
    groups = {g["group"]: {c["class"] for c in g["classes"]} for g in palette()}
    assert {"SparseTensorSynapse", "StaticSparseTensorSynapse"} <= groups["synapses"]
    assert {"PatchedSynapse", "StaticPatchedSynapse", "HebbianPatchedSynapse"} <= \
        groups["synapses/patched"]
    ctx, _, _ = build()
    for comp, name in (("S", "weights"), ("T", "weights"), ("P", "weights"), ("H", "weights"),
                       ("H", "dWeights"), ("z", "Wl_weights")):
        assert plot_kind(getattr(ctx[comp], name)) == "image", (comp, name)
    assert plot_kind(ctx["S"].outputs) == "trace" and plot_kind(ctx["z"].zF_lat) == "trace"


def test_tie_transpose_needs_an_inverted_cable():
    with Context("m"):
        W = C.SparseTensorSynapse("W", 4, 2, 1, P_l=2)
        tie = MethodProcess("tie") >> W.tie_transpose_weights
    with pytest.raises(ValueError, match="SparseTensorSynapse 'W'.*invert_conn=True"):
        tie.run()


@pytest.mark.parametrize("cname,kw,match", [
    ("SparseTensorSynapse", dict(n_in_streams=3, K_local=1, O_local=1, P_l=3, dilation=2),
     r"P_l=3 .*dilation=2 spans 5 streams, more than n_in_streams=3"),
    ("SparseTensorSynapse", dict(n_in_streams=4, K_local=1, O_local=1, norm_axis=2),
     r"unknown norm_axis 2; valid: 0, 1"),
    ("PatchedSynapse", dict(shape=(6, 4), n_sub_models=5), r"n_sub_models=5 blocks do not fit"),
    ("PatchedSynapse", dict(shape=(4, 4), stride_shape=(1,)), r"stride_shape must be a pair"),
    ("HebbianPatchedSynapse", dict(shape=(4, 4), block_mask=np.ones((3, 3))),
     r"block_mask of shape \(3, 3\) does not broadcast"),
    ("RateCell", dict(n_units=4, tau_m=10., use_lateral=True, n_patch=3),
     r"n_patch=3 does not divide n_units=4"),
    ("RateCell", dict(n_units=4, tau_m=10., use_lateral=True, fx_lat="bogus"),
     r"unknown act_fx 'bogus'; valid: .* \(fx_lat\)"),
    ("RateCell", dict(n_units=4, tau_m=10., use_lateral=True, shape=(2, 2, 1)),
     r"use_lateral works on \(n_units,\) layers"),
])
def test_bad_arguments_are_refused_with_their_reason(cname, kw, match):
    with Context("m") as ctx:
        with pytest.raises((ValueError, TypeError), match=match) as err:
            getattr(C, cname)("x", **kw)
    assert f"{cname} 'x'" in str(err.value)
    assert not ctx.components and not ctx.state
