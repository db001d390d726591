"""Property tests: random circuits from the component registry survive run, scan, save and load.

Hypothesis draws a circuit: 2-4 components from ``ngclab.components.__all__`` (constructed from
their signatures: cells get ``n_units``, synapses ``shape=(n_in, n_out)``, other required
parameters a valid value), random wires from outputs/states into inputs of the same shape, and a
process running every ``advance_state`` (and some ``evolve``) in a random order. Then:

* building the same circuit twice gives bit-identical states (construction is deterministic);
* ``run`` step by step and ``scan`` over the same steps agree (float32 tolerance);
* ``save`` then ``load`` into a separately built copy restores every leaf bit for bit, and the
  two models then continue identically (bit for bit) under the same clamped input;
* ``snapshot``/``restore`` round-trips bit for bit.

The convolution cables cannot join a random dense circuit: their compartments are NHWC maps
(batch, n, n, channels) whose sizes follow from (k, stride, padding), so no (batch, n) output
would ever fit them. They get their own property instead: Poisson encoder -> random conv or
deconv cable (random kernel, stride, padding, channels; static, Hebbian or trace-STDP with
VarTraces) -> LIFCell over the output map, with the same run == scan and bit-for-bit save/load
checks. Spiking cells, encoders and traces (LIFCell, PoissonCell, BernoulliCell, VarTrace) take
``n_units`` and join the dense circuits.
"""
import inspect
import warnings

import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st

import ngclab.components as C
from ngclab import Context, MethodProcess

CONV = [c for c in C.__all__
        if "x_shape" in inspect.signature(getattr(C, c).__init__).parameters]
#: classes whose ports are not (batch, n) vectors set by n_units / shape: locally connected
#: tensors (n_in_streams), self-organising maps (n_inputs), retinal patches (area_shape), and
#: JaxComponent (a base class with no compartments of its own)
NOT_DENSE = {c for c in C.__all__
             if {"n_in_streams", "n_inputs", "area_shape"} & set(
                 inspect.signature(getattr(C, c).__init__).parameters)} | {"JaxComponent"}
CLASSES = [c for c in C.__all__ if c not in CONV and c not in NOT_DENSE]
#: valid values of required parameters (those of tests/hardening/test_constructors.py's BASE)
EXTRA = dict(tau_m=10., tau_x=10., alpha=0.5, tau_w=10., tau_theta=10., tau_tr=10., a_delta=0.5,
             tau_v=1., resist_m=1., thr=0.4, dt=1., tau_decay=5., tau_rise=1., g_syn_bar=1.,
             syn_rest=0., A_plus=0.01, A_minus=0.005, exp_beta=1., eta=0.01)
#: inputs that hold parameters rather than signals (not wired at random)
NOT_SIGNALS = {"mask", "Sigma", "Scale", "key"}


def _params(cls):
    return inspect.signature(cls.__init__).parameters


def _is_cell(cls):
    return "n_units" in _params(cls)


@st.composite
def circuits(draw):
    n = draw(st.integers(2, 4))
    comps = []
    for i in range(n):
        cname = draw(st.sampled_from(CLASSES))
        cls = getattr(C, cname)
        args = {k: v for k, v in EXTRA.items()
                if k in _params(cls) and _params(cls)[k].default is inspect.Parameter.empty}
        if _is_cell(cls):
            args["n_units"] = draw(st.integers(1, 3))
            if cname == "RateCell":
                args["tau_m"] = draw(st.sampled_from([0., 5., 20.]))
                args["act_fx"] = draw(st.sampled_from(["identity", "tanh", "sigmoid", "relu"]))
        else:
            args["shape"] = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
            if "eta" in _params(cls):
                args["eta"] = draw(st.sampled_from([0., 0.01]))
        comps.append((f"c{i}", cname, args))
    order = draw(st.permutations(range(n)))
    evolve = [draw(st.booleans()) for _ in range(n)]
    wire_seed = draw(st.integers(0, 2 ** 31 - 1))
    clamp_seed = draw(st.integers(0, 2 ** 31 - 1))
    return dict(comps=comps, order=list(order), evolve=evolve, wire_seed=wire_seed,
                clamp_seed=clamp_seed)


def build(spec):
    """The circuit of ``spec`` (deterministic: wires are chosen by a seeded generator)."""
    rng = np.random.default_rng(spec["wire_seed"])
    with Context("rnd") as ctx:
        objs = [getattr(C, cname)(name, **args) for name, cname, args in spec["comps"]]
        wires = []
        for obj in objs:
            for cname, comp in obj.compartments.items():
                if comp.kind != "input" or cname in NOT_SIGNALS or rng.random() < 0.4:
                    continue
                sources = [s for o in objs if o is not obj for s in o.compartments.values()
                           if s.kind in ("output", "state") and s.name not in NOT_SIGNALS
                           and tuple(s.shape) == tuple(comp.shape)]
                if sources:
                    src = sources[rng.integers(len(sources))]
                    src >> comp
                    wires.append((src.path, comp.path))
        adv = MethodProcess("adv")
        for i in spec["order"]:
            adv >> objs[i].advance_state
        for i, obj in enumerate(objs):
            if spec["evolve"][i] and "evolve" in type(obj).methods():
                adv >> obj.evolve
    # one unwired signal input to drive with a clamped sequence
    free = [c for o in objs for n, c in o.compartments.items()
            if c.kind == "input" and n not in NOT_SIGNALS and not c.targeted]
    return ctx, objs, adv, free, wires


def _state(ctx):
    return {k: np.array(v) for k, v in ctx.state.items()}


def _bit_equal(a, b):
    assert a.keys() == b.keys()
    for k in a:
        assert a[k].dtype == b[k].dtype, k
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)   # NaN == NaN here


def _clamp(spec, free, steps):
    if not free:
        return {}
    rng = np.random.default_rng(spec["clamp_seed"])
    target = free[0]
    return {target: rng.uniform(-1, 1, (steps, *target.shape)).astype(np.float32)}


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(spec=circuits())
def test_random_circuits_run_scan_save_load(hz, tmp_path_factory, spec):
    warnings.simplefilter("ignore")           # order hazards are expected in random circuits
    ctx, objs, adv, free, wires = build(spec)
    hz.counts["random_circuits_built"] += 1
    hz.counts["random_circuit_wires"] += len(wires)
    twin, tobjs, tadv, tfree, _ = build(spec)
    _bit_equal(_state(ctx), _state(twin))     # deterministic construction

    # run step by step (setting the clamp by hand) == scan over the same steps
    steps = 4
    clamp = _clamp(spec, free, steps)
    tclamp = {tfree[0]: v for v in clamp.values()} if clamp else {}
    for i in range(steps):
        for c, seq in clamp.items():
            c.set(seq[i])
        adv.run(t=float(i), dt=1.)
    tadv.scan(steps=steps, t0=0., dt=1., clamp=tclamp)
    a, b = _state(ctx), _state(twin)
    assert a.keys() == b.keys()
    for k in a:
        np.testing.assert_allclose(a[k], b[k], rtol=1e-5, atol=1e-6, err_msg=k)

    # save -> load into the twin (whose state differs a little: run vs scan): bit for bit,
    # and both then continue identically (the twin reuses its compiled 4-step scan)
    folder = tmp_path_factory.mktemp("rnd")
    ctx.save(folder)
    twin.load(folder)
    _bit_equal(_state(twin), _state(ctx))
    more = _clamp({**spec, "clamp_seed": spec["clamp_seed"] + 1}, free, steps)
    tmore = {tfree[0]: v for v in more.values()} if more else {}
    adv.scan(steps=steps, t0=4., dt=1., clamp=more)
    tadv.scan(steps=steps, t0=4., dt=1., clamp=tmore)
    _bit_equal(_state(twin), _state(ctx))
    hz.counts["random_circuits_round_tripped"] += 1

    # snapshot / restore
    snap, kept = ctx.snapshot(), _state(ctx)
    adv.scan(steps=steps, t0=8., dt=1., clamp=_clamp(spec, free, steps))
    ctx.restore(snap)
    _bit_equal(_state(ctx), kept)


# -- conv / spiking circuits: Poisson -> conv or deconv cable -> LIF -------------------------

@st.composite
def conv_circuits(draw):
    cname = draw(st.sampled_from(CONV))
    k, stride = draw(st.integers(1, 3)), draw(st.integers(1, 2))
    padding = draw(st.sampled_from(["SAME", "VALID", None]))
    return dict(cname=cname, k=k, n=draw(st.integers(k, 5)), stride=stride, padding=padding,
                ci=draw(st.integers(1, 2)), co=draw(st.integers(1, 2)),
                batch=draw(st.integers(1, 2)), resist_m=draw(st.sampled_from([5., 30.])),
                evolve=draw(st.booleans()), clamp_seed=draw(st.integers(0, 2 ** 31 - 1)))


def build_conv(spec):
    """Poisson (n, n, ci) maps -> cable -> LIF over the output map (+ traces for STDP)."""
    cls = getattr(C, spec["cname"])
    n, ci, b = spec["n"], spec["ci"], spec["batch"]
    extra = {}
    if "A_plus" in inspect.signature(cls.__init__).parameters:
        extra = dict(A_plus=0.01, A_minus=0.005, eta=0.1, pretrace_target=0.1, w_bound=1.)
    elif "eta" in inspect.signature(cls.__init__).parameters:
        extra = dict(eta=0.01, sign_value=-1., w_bound=1.)
    with Context("cnv") as ctx:
        enc = C.PoissonCell("enc", n_units=n * n * ci, target_freq=400., batch_size=b,
                            shape=(n, n, ci))
        W = cls("W", (spec["k"], spec["k"], ci, spec["co"]), (n, n), stride=spec["stride"],
                padding=spec["padding"], batch_size=b, **extra)
        out = W.out_shape
        lif = C.LIFCell("lif", n_units=int(np.prod(out[1:])), tau_m=10., thr=-60.,
                        resist_m=spec["resist_m"], refract_time=2., batch_size=b,
                        shape=tuple(out[1:]))
        enc.outputs >> W.inputs
        W.outputs >> lif.j
        adv = MethodProcess("adv") >> enc.advance_state >> W.advance_state >> lif.advance_state
        if extra.get("A_plus"):
            pre = C.VarTrace("pre", n_units=1, tau_tr=10., a_delta=0., batch_size=b,
                             shape=(n, n, ci))
            post = C.VarTrace("post", n_units=1, tau_tr=10., a_delta=0., batch_size=b,
                              shape=tuple(out[1:]))
            enc.outputs >> pre.inputs
            lif.s >> post.inputs
            enc.outputs >> W.preSpike
            pre.outputs >> W.preTrace
            lif.s >> W.postSpike
            post.outputs >> W.postTrace
            adv >> pre.advance_state >> post.advance_state
        elif extra:
            enc.outputs >> W.pre
            lif.s >> W.post
        if extra and spec["evolve"]:
            adv >> W.evolve
    return ctx, enc, adv, lif


@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(spec=conv_circuits())
def test_random_conv_spiking_circuits_run_scan_save_load(hz, tmp_path_factory, spec):
    ctx, enc, adv, lif = build_conv(spec)
    twin, tenc, tadv, _ = build_conv(spec)
    hz.counts["random_conv_circuits_built"] += 1
    _bit_equal(_state(ctx), _state(twin))     # deterministic construction
    steps = 5
    rng = np.random.default_rng(spec["clamp_seed"])
    seq = rng.uniform(0., 1., (steps, *enc.inputs.shape)).astype(np.float32)
    for i in range(steps):
        enc.inputs.set(seq[i])
        adv.run(t=float(i), dt=1.)
    tadv.scan(steps=steps, t0=0., dt=1., clamp={tenc.inputs: seq})
    a, b = _state(ctx), _state(twin)
    for k in a:   # spikes are the same (random draws from the same keys), voltages close
        np.testing.assert_allclose(a[k], b[k], rtol=1e-5, atol=1e-5, err_msg=k)
    folder = tmp_path_factory.mktemp("cnv")
    ctx.save(folder)
    twin.load(folder)
    _bit_equal(_state(twin), _state(ctx))
    more = {enc.inputs: seq[::-1].copy()}
    adv.scan(steps=steps, t0=5., dt=1., clamp=more)
    tadv.scan(steps=steps, t0=5., dt=1., clamp={tenc.inputs: seq[::-1].copy()})
    _bit_equal(_state(twin), _state(ctx))
    hz.counts["random_conv_circuits_round_tripped"] += 1
    if float(np.asarray(lif.s.get()).sum()) > 0:
        hz.counts["random_conv_circuits_with_spikes"] += 1
