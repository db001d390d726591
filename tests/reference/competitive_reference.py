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

import json
import os

import numpy as np
import jax.numpy as jnp

from ngclearn.utils import metric_utils as me

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


def main() -> None:
    ref = {"clustering": clustering_scores()}
    with open(OUT, "w") as fd:
        json.dump(ref, fd, indent=1, sort_keys=True)
        fd.write("\n")


if __name__ == "__main__":
    main()
