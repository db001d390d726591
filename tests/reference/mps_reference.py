"""Compute ngc-learn 3.2.3 reference outputs for MPSSynapse (the matrix-product-state synapse).

Run with a Python 3.12 virtual environment that has ngclearn==3.2.3 (NOT ngclab's):

    python tests/reference/mps_reference.py

It writes tests/reference/mps_reference.json next to itself. Every input is generated here
(numpy RandomState seeds) and stored in the JSON with the outputs, so the ngclab tests feed
ngclab the same numbers. The cores come from the component's PRNG key (``key`` of each case);
their construction values are recorded too, so a test can check ngclab draws the same ones.

* ``cases``: trajectories. Each step sets some compartments, then runs one MethodProcess of
  the listed methods with the given ``eta`` (ngc-learn requires it as a run keyword: the
  method's default of 0.01 is not used). Every compartment is recorded after construction and
  after every step.
* ``weights``: the ``weights`` property (the reconstructed dense matrix) and its setter (an SVD
  truncated to bond_dim), then one advance_state on the new cores.
* ``project_backward``: the value the method returns for a given error signal.
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
from ngclearn.components.synapses.mpsSynapse import MPSSynapse

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mps_reference.json")
rs = np.random.RandomState(7)


def rand(*shape, low=-1.0, high=1.0):
    return rs.uniform(low, high, size=shape).astype(np.float32).tolist()


def flat(value):
    a = np.asarray(value)
    return {"shape": list(a.shape), "dtype": str(a.dtype), "data": a.ravel().tolist()}


CASES: list = []


def case(name, args, key, batches, eta, resets=()):
    """batches: the batch size of the inputs of each step; resets: steps that run reset()."""
    n_in, n_out = args["shape"]
    steps = []
    for i, b in enumerate(batches):
        if i in resets:
            steps.append({"inputs": {}, "methods": ["reset"]})
            continue
        steps.append({"inputs": {"inputs": rand(b, n_in), "pre": rand(b, n_in),
                                 "post": rand(b, n_out)},
                      "methods": ["advance_state", "evolve"], "eta": eta})
    CASES.append({"name": name, "args": args, "key": key, "steps": steps})


case("batch1", {"shape": [4, 3], "bond_dim": 2}, key=0, batches=[1, 1, 1, 1, 1], eta=0.5,
     resets=(3,))
case("batch2", {"shape": [5, 4], "bond_dim": 3, "batch_size": 2}, key=1,
     batches=[2, 2, 2, 2], eta=0.2, resets=(2,))
# the default bond_dim (16) is larger than both dimensions
case("default_bond", {"shape": [3, 6], "batch_size": 3}, key=2, batches=[3, 3, 3], eta=0.05)
# built for batch 1, fed batch 3 (batch size follows the data; reset returns to 1)
case("batch3_built_for_1", {"shape": [4, 2], "bond_dim": 2}, key=3, batches=[3, 3, 1],
     eta=0.1, resets=(2,))


def run_case(idx, spec):
    args = dict(spec["args"], shape=tuple(spec["args"]["shape"]))
    with Context(f"ref{idx}"):
        comp = MPSSynapse("c", key=jax.random.PRNGKey(spec["key"]), **args)
        learn = MethodProcess("learn") >> comp.advance_state >> comp.evolve
        reset = MethodProcess("reset") >> comp.reset
    record = [{n: flat(c.get()) for n, c in comp.compartments}]
    for st in spec["steps"]:
        for cname, value in st["inputs"].items():
            getattr(comp, cname).set(jnp.asarray(np.asarray(value, np.float32)))
        if st["methods"] == ["reset"]:
            reset.run()
        else:
            learn.run(eta=st["eta"])
        record.append({n: flat(c.get()) for n, c in comp.compartments})
    return {"record": record}


def weights_cases() -> list:
    out = []
    for idx, (shape, bond, key) in enumerate((((4, 3), 2, 4), ((4, 3), 5, 5), ((3, 5), 2, 6))):
        W = rs.uniform(-1.0, 1.0, size=shape).astype(np.float32)
        x = rs.uniform(-1.0, 1.0, size=(2, shape[0])).astype(np.float32)
        with Context(f"w{idx}"):
            comp = MPSSynapse("c", shape, bond_dim=bond, batch_size=2,
                              key=jax.random.PRNGKey(key))
            adv = MethodProcess("adv") >> comp.advance_state
        initial = {"core1": flat(comp.core1.get()), "core2": flat(comp.core2.get()),
                   "weights": flat(comp.weights.get())}
        comp.weights = jnp.asarray(W)
        comp.inputs.set(jnp.asarray(x))
        adv.run()
        out.append({"shape": list(shape), "bond_dim": bond, "key": key, "W": W.tolist(),
                    "x": x.tolist(), "initial": initial,
                    "after_set": {"core1": flat(comp.core1.get()),
                                  "core2": flat(comp.core2.get()),
                                  "weights": flat(comp.weights.get()),
                                  "outputs": flat(comp.outputs.get())}})
    return out


def project_backward_cases() -> list:
    out = []
    for idx, (shape, bond, key, b) in enumerate((((4, 3), 2, 8, 2), ((5, 2), 3, 9, 1))):
        err = rs.uniform(-1.0, 1.0, size=(b, shape[1])).astype(np.float32)
        with Context(f"pb{idx}"):
            comp = MPSSynapse("c", shape, bond_dim=bond, key=jax.random.PRNGKey(key))
        out.append({"shape": list(shape), "bond_dim": bond, "key": key, "error": err.tolist(),
                    "core1": flat(comp.core1.get()), "core2": flat(comp.core2.get()),
                    "returned": flat(comp.project_backward(jnp.asarray(err)))})
    return out


def main() -> None:
    results = []
    for idx, spec in enumerate(CASES):
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            results.append({**spec, **run_case(idx, spec)})
        print(f"{spec['name']:<30} ok")
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        ref = {"cases": results, "weights": weights_cases(),
               "project_backward": project_backward_cases()}
    with open(OUT, "w") as fd:
        json.dump(ref, fd, sort_keys=True, separators=(",", ":"))
        fd.write("\n")


if __name__ == "__main__":
    main()
