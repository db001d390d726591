"""ngclab's graded neurons and dense synapses against ngc-learn 3.2.3 trajectories.

Every expected number here comes from tests/reference/components_reference.json, written by
tests/reference/components_reference.py under ngc-learn 3.2.3 (/opt/ngcref). Each case is rebuilt
in ngclab with the same class, arguments, PRNG key and per-step inputs; after construction and
after every step EVERY compartment ngc-learn has is compared (float32, atol 1e-5).

Where ngc-learn 3.2.3 is broken ngclab does the mathematically right thing; those compartments
are listed in DEVIATIONS and checked against the right formula, and the test also asserts that
ngc-learn's recorded value is the broken one (so a fixed upstream would show up here).
"""
from __future__ import annotations

import contextlib
import inspect
import json
import os

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from ngclab import Context, MethodProcess
from ngclab import components as C
from ngclab.utils.distribution_generator import DistributionGenerator as DG
from ngclab.utils.model_utils import d_sigmoid

REF_PATH = os.path.join(os.path.dirname(__file__), "..", "reference", "components_reference.json")
with open(REF_PATH) as f:
    REF = json.load(f)
CASES = {c["name"]: c for c in REF["cases"]}
TUPLE_ARGS = ("shape", "prior", "threshold")
ATOL = 1e-5


def decode(name, v):
    if isinstance(v, dict) and "init" in v:
        return getattr(DG, v["init"])(**v["kw"])
    if isinstance(v, dict) and "array" in v:
        return jnp.asarray(np.asarray(v["array"], np.float32))
    if name in TUPLE_ARGS and isinstance(v, list):
        return tuple(tuple(x) if isinstance(x, list) else x for x in v)
    return v


def arr(entry):
    return np.asarray(entry["data"], dtype=entry["dtype"]).reshape(entry["shape"])


def build(spec, ctx_name="m", **override):
    args = {k: decode(k, v) for k, v in spec["args"].items()}
    args.update(override)
    # a synapse's deprecated resist_scale still works, with a DeprecationWarning (as in
    # ngc-learn; for RateCell resist_scale is a parameter of its own)
    warns = pytest.warns(DeprecationWarning, match="resist_scale") \
        if "resist_scale" in args and spec["cls"].endswith("Synapse") else contextlib.nullcontext()
    with Context(ctx_name) as ctx, warns:
        comp = getattr(C, spec["cls"])("c", key=jax.random.PRNGKey(spec["key"]), **args)
        procs = {}
        for st in spec["steps"]:
            sig = tuple(st["methods"])
            if sig not in procs:
                p = MethodProcess(f"p{len(procs)}")
                for m in sig:
                    p = p >> getattr(comp, m)
                procs[sig] = p
    return ctx, comp, procs


def ours(comp, name):
    value = np.asarray(getattr(comp, name).get())
    return value


def call(method, **keywords):
    """Call a component method eagerly with the keywords (t, dt) it takes."""
    names = inspect.signature(method).parameters
    return method(**{k: v for k, v in keywords.items() if k in names})


def trajectory(spec, compiled=False, **override):
    """ngclab's values of every compartment after construction and after each step.

    Steps run eagerly (the component methods called directly, which is fast to test) or, with
    ``compiled``, through jitted MethodProcesses; both must give ngc-learn's numbers.
    """
    _, comp, procs = build(spec, **override)
    snaps = [{n: ours(comp, n) for n in comp.compartments}]
    for i, st in enumerate(spec["steps"]):
        for cname, value in st["inputs"].items():
            getattr(comp, cname).set(jnp.asarray(np.asarray(value, np.float32)))
        t, dt = i * spec["dt"], spec["dt"]
        if compiled:
            procs[tuple(st["methods"])].run(t=t, dt=dt)
        else:
            for m in st["methods"]:
                call(getattr(comp, m), t=jnp.float32(t), dt=jnp.float32(dt))
        snaps.append({n: ours(comp, n) for n in comp.compartments})
    return comp, snaps


def comparable(mine, theirs):
    """ngc-learn keeps a few values in other (equivalent) shapes: biases without a bias_init
    are a scalar 0 (ngclab: zeros (1, n)), dBiases starts as (n,) (ngclab: (1, n)), the sgd
    step counter is a 0-d array (ngclab flattens optimizer statistics into a vector)."""
    if mine.shape == theirs.shape:
        return theirs
    if theirs.size == mine.size:
        return theirs.reshape(mine.shape)
    return np.broadcast_to(theirs, mine.shape)


# -- documented deviations: (case name prefix, compartment) -> check(ours, ngc-learn's, spec, step)
def _laplacian_L(mine, theirs, spec, step, snaps):
    inp = _inputs_up_to(spec, step)
    e = np.asarray(inp["target"]) - np.asarray(inp["shift"])
    scale = spec["args"]["scale"]
    np.testing.assert_allclose(mine, -np.sum(np.abs(e)) / scale, atol=ATOL, rtol=1e-6)
    # ngc-learn counts mismatched units: -sum |sign(e)| / scale
    np.testing.assert_allclose(theirs, -np.sum(np.abs(np.sign(e))) / scale, atol=ATOL)


def _bernoulli_dp(mine, theirs, spec, step, snaps):
    # ngc-learn multiplies dL/dp by sigmoid'(p) although p is a probability here
    p = np.asarray(_inputs_up_to(spec, step)["p"], np.float32)
    np.testing.assert_allclose(mine * np.asarray(d_sigmoid(p)), theirs, atol=ATOL, rtol=1e-5)


def _reward_offline_mu(mine, theirs, spec, step, snaps):
    # ngc-learn never moves mu without the online predictor; ngclab's evolve does
    np.testing.assert_allclose(theirs, 0., atol=0)
    prev = snaps[step - 1]
    w = spec["args"]["ema_window_len"]
    expect = (1 - 1 / w) * prev["mu"] + (1 / w) * prev["accum_reward"] / prev["n_ep_steps"]
    np.testing.assert_allclose(mine, expect, atol=ATOL, rtol=1e-6)


def _p_conn_mask(mine, theirs, spec, step, snaps):
    # ngclab keeps the connection pattern in `mask` (ngc-learn keeps ones(1, 1))
    np.testing.assert_array_equal(theirs, np.ones((1, 1)))
    np.testing.assert_array_equal(mine, (snaps[0]["weights"] != 0).astype(np.float32))


DEVIATIONS = {
    ("LaplacianErrorCell/", "L"): _laplacian_L,
    ("BernoulliErrorCell/probs", "dp"): _bernoulli_dp,
    ("RewardErrorCell/offline", "mu"): _reward_offline_mu,
    ("DenseSynapse/p_conn", "mask"): _p_conn_mask,
}


def _inputs_up_to(spec, step):
    """The values of the input compartments set up to (and including) step ``step`` (1-based)."""
    vals = {}
    for st in spec["steps"][:step]:
        vals.update(st["inputs"])
    return vals


def _deviation(name, comp_name, step, spec):
    if step == 0 and comp_name != "mask":
        return None  # at construction only the p_conn mask differs
    for (prefix, cname), check in DEVIATIONS.items():
        if name.startswith(prefix) and cname == comp_name:
            if prefix == "RewardErrorCell/offline" and step != len(spec["steps"]):
                return None  # only the final evolve deviates
            return check
    return None


OK_CASES = [n for n, c in CASES.items() if "error" not in c]


def test_reference_file_is_complete():
    # every class of this issue appears in the reference cases
    classes = {c["cls"] for c in REF["cases"]}
    assert classes == {"RateCell", "GaussianErrorCell", "LaplacianErrorCell",
                       "BernoulliErrorCell", "LeakyNoiseCell", "RewardErrorCell", "DenseSynapse",
                       "StaticSynapse", "HebbianSynapse", "BCMSynapse"}
    assert REF["meta"]["ngclearn"] == "3.2.3"
    assert len(OK_CASES) >= 40


# one case per class (and per integrator / optimizer) also runs through compiled processes
COMPILED = ["RateCell/laplacian/tanh/midpoint", "RateCell/stateless", "GaussianErrorCell/sigma2.5",
            "LaplacianErrorCell/scale0.5", "BernoulliErrorCell/logits", "LeakyNoiseCell/midpoint",
            "RewardErrorCell/online", "DenseSynapse/delay", "StaticSynapse/bias_gate_mask",
            "HebbianSynapse/adam_bias", "HebbianSynapse/sgd_l2_bias", "BCMSynapse/bound_decay"]
PARAMS = [(n, False) for n in OK_CASES] + [(n, True) for n in COMPILED]


@pytest.mark.parametrize("name,compiled", PARAMS)
def test_matches_ngclearn(name, compiled):
    spec = CASES[name]
    comp, snaps = trajectory(spec, compiled=compiled)
    theirs_names = spec["compartments"]
    # the same compartments as ngc-learn; anything extra in ngclab is a knob
    assert set(theirs_names) <= set(comp.compartments), set(theirs_names) - set(comp.compartments)
    extra = set(comp.compartments) - set(theirs_names)
    assert all(comp.compartments[e].kind == "knob" for e in extra), extra
    deviated = 0
    for step, (mine_snap, their_snap) in enumerate(zip(snaps, spec["record"])):
        for cname in theirs_names:
            mine, theirs = mine_snap[cname], arr(their_snap[cname])
            check = _deviation(name, cname, step, spec)
            if check is not None:
                check(mine, theirs, spec, step, snaps)
                deviated += 1
                continue
            if cname == "key":
                np.testing.assert_array_equal(np.asarray(jax.random.key_data(mine))
                                              if mine.dtype != np.uint32 else mine, theirs,
                                              err_msg=f"{name} step {step}: key")
                continue
            np.testing.assert_allclose(mine, comparable(mine, theirs), atol=ATOL, rtol=1e-5,
                                       err_msg=f"{name} step {step}: {cname}")
    if any(name.startswith(p) for p, _ in DEVIATIONS):
        assert deviated > 0


def test_w_decay_keyword_works_where_ngclearn_fails():
    spec = CASES["HebbianSynapse/w_decay_keyword"]
    # ngc-learn 3.2.3 rebinds the keyword w_decay to prior and fails to unpack it
    assert spec["error"].startswith("TypeError")
    _, with_decay = trajectory(spec)
    args = dict(spec["args"])
    w_decay = args.pop("w_decay")
    _, with_prior = trajectory({**spec, "args": {**args, "prior": ["l2", w_decay]}})
    # w_decay > 0 means prior ("l2", w_decay) (ngc-learn's constructor says so)
    for a, b in zip(with_decay, with_prior):
        np.testing.assert_allclose(a["weights"], b["weights"], atol=0)
    assert not np.allclose(with_decay[0]["weights"], with_decay[-1]["weights"])


@pytest.mark.parametrize("cls_name", sorted(REF["signatures"]))
def test_constructor_signature_matches(cls_name):
    # names, order and defaults of ngc-learn 3.2.3's constructor parameters (from the JSON)
    ref = REF["signatures"][cls_name]
    params = [p for p in list(inspect.signature(getattr(C, cls_name).__init__).parameters
                              .values())[1:] if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]
    mine = [(p.name, p.default is p.empty,
             list(p.default) if isinstance(p.default, tuple) else
             (None if p.default is p.empty else p.default)) for p in params]
    theirs = [(p["name"], p["required"], p["default"]) for p in ref]
    # LeakyNoiseCell adds output_scale (listed by the seed documents) after ngc-learn's params
    if cls_name == "LeakyNoiseCell":
        assert mine[-1] == ("output_scale", False, 1.0)
        mine = mine[:-1]
    assert mine == theirs
