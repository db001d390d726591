"""Compute ngc-learn 3.2.3 reference trajectories for ngclab's graded neurons and dense synapses.

Run with the reference interpreter (NOT ngclab's):

    /opt/ngcref/bin/python tests/reference/components_reference.py

It writes tests/reference/components_reference.json next to itself. Every case states a class,
its constructor arguments, a PRNG key seed, the inputs set before each step (generated here with
numpy RandomState(0) and stored in the JSON) and the methods each step runs (one ngc-learn
MethodProcess per step kind, called with t = i * dt and dt). After construction and after every
step the values of ALL compartments are recorded (optimizer pytrees flattened leaf by leaf), so
tests/components/test_reference.py can rebuild each case in ngclab and compare everything.

Argument encoding (shared with the test): lists stand for tuples; {"init": name, "kw": {...}}
stands for DistributionGenerator.<name>(**kw); {"array": nested list} for a float32 array.
The constructor signatures (parameter names and defaults) are recorded too.
"""
from __future__ import annotations

import contextlib
import inspect
import io
import json
import os
import sys
import warnings

import jax
import jax.numpy as jnp
import numpy as np

import ngclearn
from ngclearn import Context, MethodProcess
from ngclearn import components as C
from ngclearn.utils.distribution_generator import DistributionGenerator as DG

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "components_reference.json")
CLASSES = ["RateCell", "GaussianErrorCell", "LaplacianErrorCell", "BernoulliErrorCell",
           "LeakyNoiseCell", "RewardErrorCell", "DenseSynapse", "StaticSynapse",
           "HebbianSynapse", "BCMSynapse"]
TUPLE_ARGS = ("shape", "prior", "threshold")

rs = np.random.RandomState(0)


def decode(name, v):
    if isinstance(v, dict) and "init" in v:
        return getattr(DG, v["init"])(**v["kw"])
    if isinstance(v, dict) and "array" in v:
        return jnp.asarray(np.asarray(v["array"], np.float32))
    if name in TUPLE_ARGS and isinstance(v, list):
        return tuple(tuple(x) if isinstance(x, list) else x for x in v)
    return v


def flat(value):
    leaves = jax.tree_util.tree_leaves(value)
    if len(leaves) == 1 and not isinstance(value, (list, tuple)):
        a = np.asarray(leaves[0])
        return {"shape": list(a.shape), "dtype": str(a.dtype), "data": a.ravel().tolist()}
    a = np.concatenate([np.ravel(np.asarray(x, np.float32)) for x in leaves])
    return {"shape": list(a.shape), "dtype": "float32", "data": a.tolist(), "flattened": True}


def randn(*shape, scale=1.0):
    return (rs.randn(*shape) * scale).astype(np.float32).tolist()


def rand(*shape, low=0.0, high=1.0):
    return rs.uniform(low, high, size=shape).astype(np.float32).tolist()


def binary(*shape, p=0.5):
    return (rs.uniform(size=shape) < p).astype(np.float32).tolist()


CASES: list[dict] = []


def case(name, cls, args, steps, inputs, methods=("advance_state",), key=0, dt=1.0,
         final=None):
    """inputs: function(step) -> {compartment: nested list}; final: extra methods at the end."""
    CASES.append({"name": name, "cls": cls, "args": args, "key": key, "dt": dt,
                  "steps": [{"inputs": inputs(i), "methods": list(methods)}
                            for i in range(steps)]
                  + ([{"inputs": {}, "methods": list(final)}] if final else [])})


# ------------------------------------------------------------------------------- RateCell
B, N = 2, 3
for prior, act, integ, extra in [
        (["gaussian", 0.1], "identity", "euler", {}),
        (["laplacian", 0.05], "tanh", "midpoint", {}),
        (["cauchy", 0.2], "sigmoid", "euler", {"resist_scale": 0.5, "output_scale": 2.0}),
        (["exp", 0.3], "relu", "rk2", {}),
        (["gaussian", 0.0], "lrelu", "euler", {"threshold": ["soft_threshold", 0.05]}),
        (["laplacian", 0.1], "elu", "midpoint", {"resist_scale": 1.5}),
        (["gaussian", 0.02], "silu", "euler", {}),
        (["cauchy", 0.01], "gelu", "rk2", {}),
        (["exp", 0.1], "softplus", "euler", {}),
        (["gaussian", 0.05], "relu6", "euler", {}),
        (["gaussian", 0.05], "telu", "midpoint", {}),
        (["gaussian", 0.05], "unit_threshold", "euler", {}),
        (["gaussian", 0.05], "heaviside", "euler", {})]:
    case(f"RateCell/{prior[0]}/{act}/{integ}", "RateCell",
         {"n_units": N, "tau_m": 10.0, "prior": prior, "act_fx": act, "integration_type": integ,
          "batch_size": B, **extra},
         steps=4, inputs=lambda i: {"j": randn(B, N), "j_td": randn(B, N, scale=0.5)})
case("RateCell/sine", "RateCell",
     {"n_units": N, "tau_m": 5.0, "act_fx": "sine", "batch_size": B, "omega_0": 30},
     steps=3, inputs=lambda i: {"j": randn(B, N, scale=0.1), "j_td": randn(B, N, scale=0.1)})
case("RateCell/bkwta", "RateCell",
     {"n_units": 6, "tau_m": 5.0, "act_fx": "bkwta", "batch_size": 1},
     steps=3, inputs=lambda i: {"j": randn(1, 6), "j_td": randn(1, 6)})
case("RateCell/stateless", "RateCell",
     {"n_units": N, "tau_m": 0.0, "act_fx": "tanh", "batch_size": B, "output_scale": 1.5},
     steps=3, inputs=lambda i: {"j": randn(B, N), "j_td": randn(B, N)})
case("RateCell/is_stateful_false", "RateCell",
     {"n_units": N, "tau_m": 10.0, "act_fx": "relu", "batch_size": B, "is_stateful": False},
     steps=3, inputs=lambda i: {"j": randn(B, N), "j_td": randn(B, N)})
case("RateCell/unclamped_j", "RateCell",  # j set once: ngc-learn keeps re-modulating it
     {"n_units": N, "tau_m": 4.0, "act_fx": "tanh", "batch_size": 1, "resist_scale": 0.9},
     steps=4, inputs=lambda i: {"j": randn(1, N)} if i == 0 else {})
case("RateCell/dt0.5", "RateCell",
     {"n_units": N, "tau_m": 3.0, "prior": ["laplacian", 0.4], "act_fx": "tanh",
      "integration_type": "midpoint", "batch_size": B},
     steps=4, dt=0.5, inputs=lambda i: {"j": randn(B, N), "j_td": randn(B, N)})

# ------------------------------------------------------------------------------- error cells
for sigma in (1.0, 2.5):
    case(f"GaussianErrorCell/sigma{sigma}", "GaussianErrorCell",
         {"n_units": N, "batch_size": B, "sigma": sigma}, steps=3,
         inputs=lambda i: {"mu": randn(B, N), "target": randn(B, N),
                           "modulator": rand(B, N, low=0.5, high=1.5),
                           **({"mask": binary(B, N)} if i == 1 else {})})
for scale in (1.0, 0.5):
    case(f"LaplacianErrorCell/scale{scale}", "LaplacianErrorCell",
         {"n_units": N, "batch_size": B, "scale": scale}, steps=3,
         inputs=lambda i: {"shift": randn(B, N), "target": randn(B, N),
                           "modulator": rand(B, N, low=0.5, high=1.5),
                           **({"mask": binary(B, N)} if i == 1 else {})})
case("BernoulliErrorCell/logits", "BernoulliErrorCell",
     {"n_units": N, "batch_size": B, "input_logits": True}, steps=3,
     inputs=lambda i: {"p": randn(B, N, scale=2.0), "target": binary(B, N),
                       "modulator": rand(B, N, low=0.5, high=1.5),
                       **({"mask": binary(B, N)} if i == 1 else {})})
case("BernoulliErrorCell/probs", "BernoulliErrorCell",
     {"n_units": N, "batch_size": B}, steps=3,
     inputs=lambda i: {"p": rand(B, N, low=0.02, high=0.98), "target": binary(B, N),
                       **({"mask": binary(B, N)} if i == 1 else {})})

# ------------------------------------------------------------------------------- LeakyNoiseCell
for integ in ("euler", "midpoint"):
    case(f"LeakyNoiseCell/{integ}", "LeakyNoiseCell",
         {"n_units": N, "tau_x": 5.0, "integration_type": integ, "batch_size": B,
          "sigma_pre": 0.2, "sigma_post": 0.05, "leak_scale": 0.8},
         steps=4, key=3, inputs=lambda i: {"j_input": randn(B, N), "j_recurrent": randn(B, N)})
case("LeakyNoiseCell/defaults_tanh", "LeakyNoiseCell",
     {"n_units": N, "tau_x": 10.0, "act_fx": "tanh"}, steps=3, key=11,
     inputs=lambda i: {"j_input": randn(1, N)})

# ------------------------------------------------------------------------------- RewardErrorCell
case("RewardErrorCell/online", "RewardErrorCell",
     {"n_units": 2, "alpha": 0.3, "ema_window_len": 4, "batch_size": B}, steps=4,
     inputs=lambda i: {"reward": randn(B, 2)}, final=["evolve"])
case("RewardErrorCell/offline", "RewardErrorCell",
     {"n_units": 2, "alpha": 0.3, "ema_window_len": 4, "use_online_predictor": False},
     steps=4, inputs=lambda i: {"reward": randn(1, 2)}, final=["evolve"])

# ------------------------------------------------------------------------------- dense synapses
for cls in ("DenseSynapse", "StaticSynapse"):
    case(f"{cls}/default_init", cls, {"shape": [3, 4], "batch_size": B}, steps=2, key=5,
         inputs=lambda i: {"inputs": randn(B, 3)})
    case(f"{cls}/bias_gate_mask", cls,
         {"shape": [3, 4], "batch_size": B, "weight_init": {"init": "gaussian",
                                                            "kw": {"mean": 0.0, "std": 0.5}},
          "bias_init": {"init": "uniform", "kw": {"low": -0.1, "high": 0.1}},
          "g_conduct_factor": 0.5,
          "mask": {"array": [[1, 0, 1, 1], [0, 1, 1, 0], [1, 1, 0, 1]]}},
         steps=3, key=6,
         inputs=lambda i: {"inputs": randn(B, 3), "gate": rand(B, 4, low=0.5, high=1.0)})
case("DenseSynapse/p_conn", "DenseSynapse", {"shape": [4, 5], "p_conn": 0.5}, steps=2, key=7,
     inputs=lambda i: {"inputs": randn(1, 4)})
case("DenseSynapse/delay", "DenseSynapse",
     {"shape": [4, 2], "max_delay_steps": 3, "batch_size": B,
      "weight_init": {"init": "fan_in_gaussian", "kw": {}}}, steps=5, key=8,
     inputs=lambda i: {"inputs": randn(B, 4)})
case("DenseSynapse/resist_scale_alias", "DenseSynapse",
     {"shape": [2, 2], "resist_scale": 3.0,
      "weight_init": {"init": "constant", "kw": {"value": 0.5}}}, steps=1, key=9,
     inputs=lambda i: {"inputs": randn(1, 2)})

HEBB_STEP = ("advance_state", "evolve")


def hebb_inputs(n_in, n_out, b):
    return lambda i: {"inputs": randn(b, n_in), "pre": rand(b, n_in),
                      "post": randn(b, n_out, scale=0.5)}


for label, extra in [
        ("sgd_l2_bias", {"eta": 0.1, "prior": ["l2", 0.01], "sign_value": -1.0,
                         "pre_wght": 0.5, "post_wght": 2.0,
                         "bias_init": {"init": "constant", "kw": {"value": 0.1}}}),
        ("adam_bias", {"eta": 0.05, "optim_type": "adam", "w_bound": 0.0,
                       "bias_init": {"init": "gaussian", "kw": {"mean": 0.0, "std": 0.1}}}),
        ("adam_nobias_l1", {"eta": 0.02, "optim_type": "adam", "prior": ["l1", 0.05]}),
        ("sgd_elastic", {"eta": 0.2, "prior": ["l1l2", [0.1, 0.3]], "w_bound": 0.0}),
        ("sgd_nonneg_bound", {"eta": 0.5, "is_nonnegative": True, "w_bound": 0.6,
                              "sign_value": -1.0}),
        ("sgd_laplacian_gaussian_names", {"eta": 0.1, "prior": ["laplacian", 0.02]}),
        ("sgd_ridge_gconduct", {"eta": 0.1, "prior": ["gaussian", 0.05],
                                "g_conduct_factor": 0.7}),
        ("w_decay_keyword", {"eta": 0.1, "w_decay": 0.2})]:
    case(f"HebbianSynapse/{label}", "HebbianSynapse",
         {"shape": [3, 2], "batch_size": B, **extra}, steps=3, key=12,
         methods=HEBB_STEP, inputs=hebb_inputs(3, 2, B))
case("HebbianSynapse/calc_update", "HebbianSynapse",
     {"shape": [2, 3], "eta": 0.1, "prior": ["l2", 0.1]}, steps=2, key=13,
     methods=("advance_state", "calc_update"), inputs=hebb_inputs(2, 3, 1))

BCM_STEP = ("advance_state", "evolve")
for label, extra in [("plain", {}),
                     ("bound_decay", {"w_bound": 1.0, "w_decay": 0.05, "theta0": 0.5}),
                     ("gconduct", {"g_conduct_factor": 2.0, "theta0": 0.2})]:
    case(f"BCMSynapse/{label}", "BCMSynapse",
         {"shape": [3, 2], "tau_w": 5.0, "tau_theta": 2.0, "batch_size": B, **extra},
         steps=4, key=14, methods=BCM_STEP,
         inputs=lambda i: {"inputs": rand(B, 3), "pre": rand(B, 3), "post": rand(B, 2)})


# ------------------------------------------------------------------------------- running
def run_case(idx, spec):
    cls = getattr(C, spec["cls"])
    args = {k: decode(k, v) for k, v in spec["args"].items()}
    with Context(f"ref{idx}"):
        comp = cls("c", key=jax.random.PRNGKey(spec["key"]), **args)
        procs = {}
        for st in spec["steps"]:
            sig = tuple(st["methods"])
            if sig not in procs:
                p = MethodProcess("p" + str(len(procs)))
                for m in sig:
                    p = p >> getattr(comp, m)
                procs[sig] = p
    names = [n for n, _ in comp.compartments]

    def snap():
        return {n: flat(c.get()) for n, c in comp.compartments}

    record = [snap()]
    for i, st in enumerate(spec["steps"]):
        for cname, value in st["inputs"].items():
            getattr(comp, cname).set(jnp.asarray(np.asarray(value, np.float32)))
        procs[tuple(st["methods"])].run(t=i * spec["dt"], dt=spec["dt"])
        record.append(snap())
    return {"compartments": names, "record": record}


def signature(cls):
    init = cls.__init__
    init = getattr(init, "_original", init)
    params = []
    for p in list(inspect.signature(init).parameters.values())[1:]:
        if p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
            continue
        d = None if p.default is p.empty else p.default
        params.append({"name": p.name, "required": p.default is p.empty,
                       "default": list(d) if isinstance(d, tuple) else d})
    return params


def main():
    out = {"meta": {"ngclearn": ngclearn.__version__, "jax": jax.__version__,
                    "python": sys.version.split()[0]},
           "signatures": {c: signature(getattr(C, c)) for c in CLASSES},
           "cases": []}
    for idx, spec in enumerate(CASES):
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            try:
                result = run_case(idx, spec)
            except Exception as exc:  # recorded; the tests assert it
                result = {"error": f"{type(exc).__name__}: {exc}"}
        out["cases"].append({**spec, **result})
        status = result.get("error", "ok")
        print(f"{spec['name']:<45} {status}")
    with open(OUT, "w") as f:
        json.dump(out, f)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
