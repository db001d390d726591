"""Compute ngc-learn 3.2.3 reference outputs for the clustering scores and the competitive
synapses that ngclab adds.

Run with a Python 3.12 virtual environment that has ngclearn==3.2.3 (NOT ngclab's):

    python tests/reference/competitive_reference.py

It writes tests/reference/competitive_reference.json next to itself. Every input is generated
here (numpy RandomState seeds or literals) and stored in the JSON with the outputs, so the
ngclab tests feed ngclab the same numbers. Calls that fail inside ngc-learn are recorded as
{"error": "<ExceptionType>"}.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import warnings

import jax
import jax.numpy as jnp
import numpy as np

from ngclearn import Context, MethodProcess
from ngclearn.components.synapses.competitive.hopfieldSynapse import HopfieldSynapse
from ngclearn.components.synapses.hebbian.gerstnerHebbianSynapse import GerstnerHebbianSynapse
from ngclearn.utils import metric_utils as me
from ngclearn.utils.distribution_generator import DistributionGenerator as DG

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "competitive_reference.json")


def attempt(fn, *args, **kwargs):
    try:
        return float(fn(*args, **kwargs))
    except Exception as exc:  # recorded, checked by the tests
        return {"error": type(exc).__name__}


def labelings() -> dict:
    rng = np.random.RandomState(0)
    true20 = rng.randint(0, 4, size=20)
    noisy = true20.copy()
    flip = rng.rand(20) < 0.3
    noisy[flip] = rng.randint(0, 5, size=int(flip.sum()))
    return {
        "random": (rng.randint(0, 3, size=30), rng.randint(0, 5, size=30)),
        "noisy": (true20, noisy),
        "permuted": (true20, (true20 + 1) % 4),          # same partition, other names
        "one_cluster": (true20, np.zeros(20, dtype=int)),
        "all_singletons": (np.arange(6), np.arange(6)),
        "both_one_cluster": (np.zeros(5, dtype=int), np.zeros(5, dtype=int)),
        "pair": (np.array([0, 1]), np.array([1, 0])),
        "single": (np.array([0]), np.array([0])),
        # labels ngc-learn's max+1 bins cannot count (negative) or count wastefully (gaps)
        "negative": (np.array([-1, -1, 0, 0, 1, 1]), np.array([0, 0, 1, 1, 1, 1])),
        "gaps": (np.array([0, 0, 7, 7, 3, 3]), np.array([5, 5, 5, 2, 2, 2])),
    }


def clustering_scores() -> dict:
    out = {}
    for name, (a, b) in labelings().items():
        ja, jb = jnp.asarray(a), jnp.asarray(b)
        out[name] = {
            "labels_true": a.tolist(), "labels_pred": b.tolist(),
            "ARI": attempt(me.measure_ARI, ja, jb),
            "FMI": attempt(me.measure_FMI, ja, jb),
            "V": attempt(me.measure_Vmeasure, ja, jb),
            "V_beta0.5": attempt(me.measure_Vmeasure, ja, jb, 0.5),
            "V_beta2": attempt(me.measure_Vmeasure, ja, jb, 2.0),
        }
    return out


# ------------------------------------------------------------------- component trajectories
# A case: class, constructor arguments ({"init": name, "kw": {...}} is
# DistributionGenerator.<name>(**kw); a list "shape" is a tuple), PRNG key seed, and steps, each
# the inputs set before it and the methods it runs (one MethodProcess per kind of step, called
# with t = i * dt, dt = 1). Every compartment is recorded after construction and every step.
CLASSES = {c.__name__: c for c in (GerstnerHebbianSynapse, HopfieldSynapse)}
rs = np.random.RandomState(1)
CASES: list = []


def rand(*shape, low=0.0, high=1.0):
    return rs.uniform(low, high, size=shape).astype(np.float32).tolist()


def decode(name, v):
    if isinstance(v, dict) and "init" in v:
        return getattr(DG, v["init"])(**v["kw"])
    if isinstance(v, dict) and "array" in v:
        return jnp.asarray(np.asarray(v["array"], np.float32))
    if name == "shape" and isinstance(v, list):
        return tuple(v)
    return v


def flat(value):
    a = np.asarray(value)
    return {"shape": list(a.shape), "dtype": str(a.dtype), "data": a.ravel().tolist()}


def case(name, cls, args, steps, inputs, methods=("advance_state", "evolve"), key=0,
         resets=()):
    """inputs: function(step) -> {compartment: nested list}; resets: steps that run reset()."""
    plan = [{"inputs": {}, "methods": ["reset"]} if i in resets else
            {"inputs": inputs(i), "methods": list(methods)} for i in range(steps)]
    CASES.append({"name": name, "cls": cls, "args": args, "key": key, "dt": 1.0,
                  "steps": plan})


UNIFORM = {"init": "uniform", "kw": {"low": -0.5, "high": 0.5}}


def hebb_inputs(n_in, n_out, b):
    return lambda i: {"inputs": rand(b, n_in), "pre": rand(b, n_in), "post": rand(b, n_out)}


case("Gerstner/default_hebb", "GerstnerHebbianSynapse",
     {"shape": [3, 3], "weight_init": UNIFORM}, steps=4, key=1, inputs=hebb_inputs(3, 3, 1))
case("Gerstner/all_terms_batch2", "GerstnerHebbianSynapse",
     {"shape": [3, 3], "eta": 0.05, "weight_init": UNIFORM, "batch_size": 2,
      "coeffs": {"c0": -0.2, "c1_pre": -0.3, "c1_post": 0.4, "c2_corr": 1.5}},
     steps=5, key=2, inputs=hebb_inputs(3, 3, 2), resets=(3,))
case("Gerstner/anti_hebb_g", "GerstnerHebbianSynapse",
     {"shape": [3, 3], "eta": 0.1, "weight_init": UNIFORM, "g_conduct_factor": 2.0,
      "coeffs": {"c0": 0.0, "c1_pre": 0.0, "c1_post": 0.0, "c2_corr": -1.0}},
     steps=3, key=3, inputs=hebb_inputs(3, 3, 1))
# a non-square cable with pre / post given at their right widths (as wired inputs would be)
case("Gerstner/non_square_set", "GerstnerHebbianSynapse",
     {"shape": [4, 2], "eta": 0.1, "weight_init": UNIFORM,
      "coeffs": {"c0": -0.1, "c1_pre": 0.2, "c1_post": -0.2, "c2_corr": 1.0}},
     steps=3, key=4, inputs=hebb_inputs(4, 2, 1))
# ngc-learn: the reset shapes of pre / post are swapped, so a non-square cable cannot learn
case("Gerstner/non_square_unset", "GerstnerHebbianSynapse",
     {"shape": [4, 2], "weight_init": UNIFORM}, steps=1, key=5, inputs=lambda i: {})
# ngc-learn ignores sign_value
case("Gerstner/sign_value", "GerstnerHebbianSynapse",
     {"shape": [3, 3], "eta": 0.1, "sign_value": -1.0, "weight_init": UNIFORM},
     steps=2, key=6, inputs=hebb_inputs(3, 3, 1))
# ngc-learn divides by the constructor's batch_size (1) for a batch of 3
case("Gerstner/batch3_built_for_1", "GerstnerHebbianSynapse",
     {"shape": [3, 3], "eta": 0.1, "weight_init": UNIFORM},
     steps=2, key=7, inputs=hebb_inputs(3, 3, 3))


# ------------------------------------------------------------------------- HopfieldSynapse
def probe_inputs(D, b):
    return lambda i: {"inputs": rand(b, D, low=-1.0, high=1.0)}


PATTERNS = {"array": np.sign(rs.uniform(-1, 1, size=(5, 3))).astype(np.float32).tolist()}
case("Hopfield/delta", "HopfieldSynapse",
     {"shape": [5, 4], "eta": 0.1, "beta": 2.0, "weight_init": UNIFORM}, steps=4, key=11,
     inputs=probe_inputs(5, 1))
case("Hopfield/delta_decay_batch2", "HopfieldSynapse",
     {"shape": [5, 4], "eta": 0.2, "reg_lambda": 0.01, "beta": 4.0, "weight_init": UNIFORM,
      "batch_size": 2}, steps=3, key=12, inputs=probe_inputs(5, 2))
case("Hopfield/contrastive", "HopfieldSynapse",
     {"shape": [5, 4], "eta": 0.1, "beta": 2.0, "update_rule": "contrastive",
      "weight_init": UNIFORM}, steps=3, key=13, inputs=probe_inputs(5, 1))
# contrastive with beta = 1: ngc-learn's misplaced beta has no effect there
case("Hopfield/contrastive_beta1", "HopfieldSynapse",
     {"shape": [5, 4], "eta": 0.1, "beta": 1.0, "update_rule": "contrastive",
      "weight_init": UNIFORM}, steps=3, key=14, inputs=probe_inputs(5, 1))
case("Hopfield/patterns_partial", "HopfieldSynapse",
     {"shape": [5, 6], "eta": 0.1, "initial_patterns": PATTERNS, "weight_init": UNIFORM},
     steps=2, key=15, inputs=probe_inputs(5, 1))
case("Hopfield/patterns_full", "HopfieldSynapse",
     {"shape": [5, 3], "eta": 0.1, "initial_patterns": PATTERNS}, steps=2, key=16,
     inputs=probe_inputs(5, 1))
case("Hopfield/reset", "HopfieldSynapse",
     {"shape": [5, 4], "eta": 0.1, "weight_init": UNIFORM}, steps=2, key=17,
     inputs=probe_inputs(5, 1), resets=(1,))


def run_case(idx, spec):
    args = {k: decode(k, v) for k, v in spec["args"].items()}
    with Context(f"ref{idx}"):
        comp = CLASSES[spec["cls"]]("c", key=jax.random.PRNGKey(spec["key"]), **args)
        procs = {}
        for st in spec["steps"]:
            sig = tuple(st["methods"])
            if sig not in procs:
                p = MethodProcess("p" + str(len(procs)))
                for m in sig:
                    p = p >> getattr(comp, m)
                procs[sig] = p
    record = [{n: flat(c.get()) for n, c in comp.compartments}]
    for i, st in enumerate(spec["steps"]):
        for cname, value in st["inputs"].items():
            getattr(comp, cname).set(jnp.asarray(np.asarray(value, np.float32)))
        procs[tuple(st["methods"])].run(t=float(i), dt=1.0)
        record.append({n: flat(c.get()) for n, c in comp.compartments})
    return {"record": record}


def trajectories() -> list:
    out = []
    for idx, spec in enumerate(CASES):
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            try:
                result = run_case(idx, spec)
            except Exception as exc:  # recorded; the tests assert it
                result = {"error": f"{type(exc).__name__}: {exc}"}
        out.append({**spec, **result})
        print(f"{spec['name']:<40} {result.get('error', 'ok')}")
    return out


def main() -> None:
    ref = {"clustering": clustering_scores(), "cases": trajectories()}
    with open(OUT, "w") as fd:
        json.dump(ref, fd, sort_keys=True, separators=(",", ":"))
        fd.write("\n")


if __name__ == "__main__":
    main()
