"""Compute ngc-learn 3.2.3 reference trajectories of VectorQuantizeSynapse and ART2ASynapse.

Run with a Python 3.12 virtual environment that has ngclearn==3.2.3 (NOT ngclab's):

    python tests/reference/competitive_vq_art_reference.py

It writes tests/reference/competitive_vq_art_reference.json next to itself. Every input is
generated here (numpy RandomState seeds or literals) and stored in the JSON with the outputs, so
the ngclab tests feed ngclab the same numbers. A case that fails inside ngc-learn is recorded as
{"error": "<ExceptionType>: <message>"}.

Case layout (as competitive_reference.py): class, constructor arguments ({"init": name, "kw":
{...}} is DistributionGenerator.<name>(**kw); {"array": nested list} an array; {"tuple": [...]}
a tuple of decoded items; a list "shape" is a tuple), PRNG key seed, and steps, each the inputs
set before it and the methods it runs: one MethodProcess per kind of step, called with
t = i * dt, dt = 1, except ART2A's ``consolidate`` and ``insert``, which ngc-learn can only run
eagerly (its consolidate calls int() on a traced value), and are called directly. Every
compartment is recorded after construction and after every step.
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
from ngclearn.components.synapses.competitive.ART2ASynapse import ART2ASynapse
from ngclearn.components.synapses.competitive.vectorQuantizeSynapse import VectorQuantizeSynapse
from ngclearn.utils.distribution_generator import DistributionGenerator as DG

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                   "competitive_vq_art_reference.json")
CLASSES = {c.__name__: c for c in (VectorQuantizeSynapse, ART2ASynapse)}
EAGER = ("consolidate", "insert")   # ngc-learn's methods that cannot be compiled
rs = np.random.RandomState(3)
CASES: list = []


def rand(*shape, low=0.0, high=1.0):
    return rs.uniform(low, high, size=shape).astype(np.float32).tolist()


def one_hot(b, n):
    return np.eye(n, dtype=np.float32)[rs.randint(0, n, size=b)].tolist()


def decode(name, v):
    if isinstance(v, dict) and "init" in v:
        return getattr(DG, v["init"])(**v["kw"])
    if isinstance(v, dict) and "array" in v:
        return jnp.asarray(np.asarray(v["array"], np.float32))
    if isinstance(v, dict) and "tuple" in v:
        return tuple(decode("", item) for item in v["tuple"])
    if v in ("inf", "-inf"):
        return float(v)
    if name == "shape" and isinstance(v, list):
        return tuple(v)
    return v


def flat(value):
    a = np.asarray(value)
    return {"shape": list(a.shape), "dtype": str(a.dtype), "data": a.ravel().tolist()}


def case(name, cls, args, steps, inputs, methods=("advance_state", "evolve"), key=0,
         resets=(), extra=None):
    """inputs: function(step) -> {compartment: nested list}; resets: steps that run reset();
    extra: {step: step dict} of eagerly called steps (consolidate, insert)."""
    plan = []
    for i in range(steps):
        if extra and i in extra:
            plan.append(extra[i])
        elif i in resets:
            plan.append({"inputs": {}, "methods": ["reset"]})
        else:
            plan.append({"inputs": inputs(i), "methods": list(methods)})
    CASES.append({"name": name, "cls": cls, "args": args, "key": key, "dt": 1.0,
                  "steps": plan})


UNIFORM = {"init": "uniform", "kw": {"low": -0.5, "high": 0.5}}


def probes(D, b, low=-1.0, high=1.0, labels=0):
    def make(i):
        out = {"inputs": rand(b, D, low=low, high=high)}
        if labels:
            out["labels"] = one_hot(b, labels)
        return out
    return make


# ------------------------------------------------------------------ VectorQuantizeSynapse
def dist(name, order):
    return {"tuple": [name, order]}


case("VQ/default", "VectorQuantizeSynapse", {"shape": [4, 3]}, steps=4, key=21,
     inputs=probes(4, 1, low=0.0))
case("VQ/euclid_batch3_decay_reset", "VectorQuantizeSynapse",
     {"shape": [4, 5], "eta": 0.2, "eta_decrement": 0.05, "syn_decay": 0.01,
      "weight_init": UNIFORM, "batch_size": 3},
     steps=5, key=22, inputs=probes(4, 3), resets=(3,))
case("VQ/manhattan_wbound", "VectorQuantizeSynapse",
     {"shape": [4, 5], "eta": 0.5, "w_bound": 1.5, "distance_function": dist("manhattan", 0),
      "weight_init": UNIFORM}, steps=3, key=23, inputs=probes(4, 1))
case("VQ/chebyshev_batch2", "VectorQuantizeSynapse",
     {"shape": [3, 4], "distance_function": dist("chebyshev", 0), "weight_init": UNIFORM,
      "batch_size": 2}, steps=3, key=24, inputs=probes(3, 2))
case("VQ/minkowski3", "VectorQuantizeSynapse",
     {"shape": [3, 4], "eta": 0.1, "distance_function": dist("minkowski", 3),
      "weight_init": UNIFORM}, steps=3, key=25, inputs=probes(3, 1))
case("VQ/minkowski_inf", "VectorQuantizeSynapse",
     {"shape": [3, 4], "eta": 0.1, "distance_function": dist("minkowski", "inf"),
      "weight_init": UNIFORM}, steps=2, key=26, inputs=probes(3, 1))
case("VQ/langevin", "VectorQuantizeSynapse",
     {"shape": [3, 4], "eta": 0.1, "langevin_noise_scale": 0.5, "weight_init": UNIFORM},
     steps=3, key=27, inputs=probes(3, 1))
XL = rand(4, 3, low=-1.0, high=1.0)        # three labelled prototypes (columns)
YL = np.eye(3, dtype=np.float32).tolist()  # of classes 0, 1, 2
case("VQ/lvq_partial_batch2", "VectorQuantizeSynapse",
     {"shape": [4, 5], "eta": 0.2, "label_dim": 3, "weight_init": UNIFORM, "batch_size": 2,
      "initial_patterns": {"tuple": [{"array": XL}, {"array": YL}]}},
     steps=4, key=28, inputs=probes(4, 2, labels=3), resets=(2,))
case("VQ/lvq_full", "VectorQuantizeSynapse",
     {"shape": [4, 3], "eta": 0.2, "label_dim": 3,
      "initial_patterns": {"tuple": [{"array": XL}, {"array": YL}]}},
     steps=3, key=29, inputs=probes(4, 1, labels=3))
# without labels, initial_patterns' second item is ignored
case("VQ/patterns_unsupervised", "VectorQuantizeSynapse",
     {"shape": [4, 5], "eta": 0.2, "weight_init": UNIFORM,
      "initial_patterns": {"tuple": [{"array": XL}, {"array": YL}]}},
     steps=2, key=30, inputs=probes(4, 1))


# ---------------------------------------------------------------------------- ART2ASynapse
CONSOLIDATE = {"inputs": {}, "methods": ["consolidate"]}
X0 = rand(1, 4, low=0.0)
case("ART2A/batch1", "ART2ASynapse", {"shape": [4, 3], "eta": 0.2, "vigilance": 0.9},
     steps=9, key=31, inputs=probes(4, 1, low=0.0),
     extra={1: CONSOLIDATE, 3: CONSOLIDATE, 5: CONSOLIDATE, 7: CONSOLIDATE})
case("ART2A/batch3_decrement_reset", "ART2ASynapse",
     {"shape": [4, 6], "eta": 0.3, "eta_decrement": 0.1, "vigilance": 0.5, "batch_size": 3},
     steps=7, key=32, inputs=probes(4, 3, low=0.0), resets=(4,),
     extra={1: CONSOLIDATE})
# a mixed batch after consolidation: some samples resonate, some do not
case("ART2A/insert_mixed_batch2", "ART2ASynapse",
     {"shape": [4, 4], "eta": 0.1, "vigilance": 0.95, "batch_size": 2},
     steps=5, key=33, inputs=lambda i: {"inputs": [X0[0], rand(4, low=-1.0, high=1.0)]},
     extra={0: {"inputs": {}, "methods": ["insert"], "x": X0, "idx": 0}, 2: CONSOLIDATE})


def run_case(idx, spec):
    args = {k: decode(k, v) for k, v in spec["args"].items()}
    with Context(f"ref{idx}"):
        comp = CLASSES[spec["cls"]]("c", key=jax.random.PRNGKey(spec["key"]), **args)
        procs = {}
        for st in spec["steps"]:
            sig = tuple(st["methods"])
            if sig not in procs and sig[0] not in EAGER:
                p = MethodProcess("p" + str(len(procs)))
                for m in sig:
                    p = p >> getattr(comp, m)
                procs[sig] = p
    record = [{n: flat(c.get()) for n, c in comp.compartments}]
    for i, st in enumerate(spec["steps"]):
        for cname, value in st["inputs"].items():
            getattr(comp, cname).set(jnp.asarray(np.asarray(value, np.float32)))
        if st["methods"] == ["consolidate"]:
            comp.consolidate()
        elif st["methods"] == ["insert"]:
            comp.insert(jnp.asarray(np.asarray(st["x"], np.float32)), st["idx"])
        else:
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
    ref = {"cases": trajectories()}
    with open(OUT, "w") as fd:
        json.dump(ref, fd, sort_keys=True, separators=(",", ":"))
        fd.write("\n")


if __name__ == "__main__":
    main()
