"""Reference trajectories of ngc-learn 3.2.3's AdExCell, FitzhughNagumoCell, IzhikevichCell and
HodgkinHuxleyCell.

Run it with the Python of a Python 3.12 virtual environment with ngclearn==3.2.3 installed
(ngclab never imports ngc-learn)::

    python tests/reference/spiking_zoo_reference.py

It writes tests/reference/spiking_zoo_reference.json. For each case: the class, the constructor
arguments, dt, the per-step input currents (drawn with numpy's RandomState and stored) and every
compartment after the steps listed in ``recorded`` (every step of short runs; for long runs
every step up to ``dense`` and every ``every``-th step after). Each case starts from reset(), as
ngc-learn's own tests do. Two more entries pin ngc-learn's Hodgkin-Huxley behaviour: the state
of a freshly built cell before and after reset() ("hh_construction"), and one step from the
voltages 10 and 25 mV, where its alpha_n and alpha_m are 0/0 ("hh_singular").
"""
from __future__ import annotations

import itertools
import json
import os
import warnings

import numpy as np

warnings.filterwarnings("ignore")

import jax
import jax.numpy as jnp
from ngclearn import Context, MethodProcess
from ngclearn.components.neurons.spiking.adExCell import AdExCell
from ngclearn.components.neurons.spiking.fitzhughNagumoCell import FitzhughNagumoCell
from ngclearn.components.neurons.spiking.hodgkinHuxleyCell import HodgkinHuxleyCell
from ngclearn.components.neurons.spiking.izhikevichCell import IzhikevichCell

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "spiking_zoo_reference.json")
CLASSES = {"AdExCell": AdExCell, "FitzhughNagumoCell": FitzhughNagumoCell,
           "IzhikevichCell": IzhikevichCell, "HodgkinHuxleyCell": HodgkinHuxleyCell}
COMPARTMENTS = {"AdExCell": ("v", "w", "s", "tols"), "FitzhughNagumoCell": ("v", "w", "s", "tols"),
                "IzhikevichCell": ("v", "w", "s", "tols"),
                "HodgkinHuxleyCell": ("v", "n", "m", "h", "s", "tols")}
_ids = itertools.count()

HH_1952 = {"v_Na": 115., "v_K": -12., "v_L": 10.6, "g_Na": 120., "g_K": 36., "g_L": 0.3}

# j_lo, j_hi: the input current of each unit and step is uniform in [j_lo, j_hi)
CASES = [
    {"name": "adex_default", "cls": "AdExCell", "n": 3, "T": 160, "dt": 0.5, "j": (15., 45.),
     "seed": 1, "kwargs": {}},
    {"name": "adex_midpoint", "cls": "AdExCell", "n": 3, "T": 200, "dt": 0.25, "j": (10., 40.),
     "seed": 2, "kwargs": {"tau_m": 10., "resist_m": 2., "tau_w": 100., "a": 0.5, "b": 2.,
                           "v_reset": -60., "thr": 0., "v_sharpness": 1.5,
                           "integration_type": "midpoint"}},
    {"name": "adex_v_thr_alias", "cls": "AdExCell", "n": 2, "T": 100, "dt": 0.5, "j": (20., 50.),
     "seed": 3, "kwargs": {"v_thr": -30., "batch_size": 1, "v0": -65., "w0": 1.}},
    {"name": "adex_ngclearn_test", "cls": "AdExCell", "n": 1, "T": 10, "dt": 1., "j": (1., 1.),
     "seed": 4, "kwargs": {"tau_m": 50., "resist_m": 30., "thr": -66.}},
    {"name": "fhn_default", "cls": "FitzhughNagumoCell", "n": 3, "T": 300, "dt": 0.1,
     "j": (0.3, 1.0), "seed": 5, "kwargs": {}},
    {"name": "fhn_midpoint_reset", "cls": "FitzhughNagumoCell", "n": 3, "T": 300, "dt": 0.1,
     "j": (0.2, 0.8), "seed": 6, "kwargs": {"resist_m": 2., "v_thr": 1.0, "tau_w": 10.,
                                            "v0": -1.2, "w0": -0.6, "spike_reset": True,
                                            "integration_type": "midpoint"}},
    {"name": "fhn_shape_params", "cls": "FitzhughNagumoCell", "n": 2, "T": 200, "dt": 0.2,
     "j": (0.0, 1.5), "seed": 7, "kwargs": {"gamma": 2.5, "alpha": 0.5, "beta": 0.6,
                                            "tau_m": 0.8, "integration_type": "rk2"}},
    {"name": "izh_regular", "cls": "IzhikevichCell", "n": 3, "T": 400, "dt": 0.5,
     "j": (5., 15.), "seed": 8, "kwargs": {}},
    {"name": "izh_fast_midpoint", "cls": "IzhikevichCell", "n": 3, "T": 400, "dt": 0.25,
     "j": (5., 15.), "seed": 9, "kwargs": {"tau_w": 10., "w_reset": 2.,
                                           "integration_type": "midpoint"}},
    {"name": "izh_chattering", "cls": "IzhikevichCell", "n": 2, "T": 300, "dt": 0.5,
     "j": (4., 8.), "seed": 10, "kwargs": {"v_reset": -50., "w_reset": 2., "resist_m": 2.}},
    {"name": "hh_default", "cls": "HodgkinHuxleyCell", "n": 2, "T": 1000, "dt": 0.02,
     "j": (8., 14.), "seed": 11, "kwargs": {"tau_v": 1.}, "dense": 100, "every": 5},
    {"name": "hh_midpoint", "cls": "HodgkinHuxleyCell", "n": 2, "T": 1000, "dt": 0.02,
     "j": (8., 14.), "seed": 12, "kwargs": {"tau_v": 1., "integration_type": "midpoint"},
     "dense": 100, "every": 5},
    {"name": "hh_rk4", "cls": "HodgkinHuxleyCell", "n": 2, "T": 1000, "dt": 0.02,
     "j": (8., 14.), "seed": 13, "kwargs": {"tau_v": 1., "integration_type": "rk4"},
     "dense": 100, "every": 5},
    {"name": "hh_spike_reset", "cls": "HodgkinHuxleyCell", "n": 2, "T": 1000, "dt": 0.02,
     "j": (8., 14.), "seed": 14, "kwargs": {"tau_v": 1., "spike_reset": True, "thr": 60.,
                                            "v_reset": -5.}, "dense": 100, "every": 5},
    {"name": "hh_1952", "cls": "HodgkinHuxleyCell", "n": 2, "T": 1000, "dt": 0.02,
     "j": (6., 20.), "seed": 15, "kwargs": {"tau_v": 1., "resist_m": 1.5, **HH_1952},
     "dense": 100, "every": 5},
]


def L(a):
    """A float32 array as nested lists of 9-significant-digit numbers (exact for float32)."""
    a = np.asarray(a, dtype=np.float32)
    return np.vectorize(lambda x: float(f"{x:.9g}"), otypes=[object])(a).tolist() if a.size \
        else a.tolist()


def recorded_steps(spec):
    dense, every = spec.get("dense", spec["T"]), spec.get("every", 1)
    return [i for i in range(spec["T"]) if i < dense or (i + 1) % every == 0]


def run_case(spec):
    rs = np.random.RandomState(spec["seed"])
    with Context(f"zoo{next(_ids)}"):
        z = CLASSES[spec["cls"]]("z", spec["n"], **spec["kwargs"])
        adv = MethodProcess("adv") >> z.advance_state
        rst = MethodProcess("rst") >> z.reset
    rst.run()
    names = COMPARTMENTS[spec["cls"]]
    keep = set(recorded_steps(spec))
    lo, hi = spec["j"]
    js, steps = [], {}
    for i in range(spec["T"]):
        j = (lo + (hi - lo) * rs.uniform(size=(1, spec["n"]))).astype(np.float32)
        js.append(L(j))
        z.j.set(jnp.asarray(j))
        adv.run(t=float(i) * spec["dt"], dt=spec["dt"])
        if i in keep:
            steps[str(i)] = {k: L(getattr(z, k).get()) for k in names}
    return {"spec": spec, "j": js, "recorded": sorted(keep), "steps": steps}


def hh_construction():
    with Context(f"zoo{next(_ids)}"):
        z = HodgkinHuxleyCell("z", 2, tau_v=1.)
        rst = MethodProcess("rst") >> z.reset
    built = {k: L(getattr(z, k).get()) for k in ("v", "n", "m", "h")}
    rst.run()
    after = {k: L(getattr(z, k).get()) for k in ("v", "n", "m", "h")}
    return {"built": built, "after_reset": after}


def hh_singular():
    with Context(f"zoo{next(_ids)}"):
        z = HodgkinHuxleyCell("z", 3, tau_v=1.)
        adv = MethodProcess("adv") >> z.advance_state
        rst = MethodProcess("rst") >> z.reset
    rst.run()
    v0 = np.asarray([[10., 25., 3.]], np.float32)
    z.v.set(jnp.asarray(v0))
    adv.run(t=0., dt=0.01)
    return {"v0": L(v0), "dt": 0.01, "after": {k: L(getattr(z, k).get())
                                              for k in ("v", "n", "m", "h")}}


def main():
    cases = {c["name"]: run_case(c) for c in CASES}
    ref = {"ngclearn": "3.2.3", "jax": jax.__version__, "cases": cases,
           "hh_construction": hh_construction(), "hh_singular": hh_singular()}
    with open(OUT, "w") as fh:
        json.dump(ref, fh, separators=(",", ":"))
    for name, c in cases.items():
        spikes = sum(np.asarray(s["s"]).sum() for s in c["steps"].values())
        print(f"{name}: {len(c['recorded'])} recorded steps, spikes seen {spikes:g}")
    print("hh_singular after one step:", ref["hh_singular"]["after"])
    print("wrote", OUT, os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
