"""Reference trajectories of ngc-learn 3.2.3's integrate-and-fire family: SLIFCell, IFCell,
WTASCell, QuadLIFCell, RAFCell, LIFSRM and RAFSRM.

Run with a Python 3.12 virtual environment with ngclearn==3.2.3 installed (ngclab never imports
it)::

    python tests/reference/spiking_family_reference.py

It writes tests/reference/spiking_family_reference.json: for each case the class, the
constructor arguments, the key seed, the per-step inputs (drawn with numpy's RandomState and
stored) and every compartment after every step (and, for the SRMs, after predict_next_spike).
Cells that draw random values at construction (SLIFCell, WTASCell) are given a jax key, so their
thresholds and inhibition weights are ngc-learn's.
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
from ngclearn.components.neurons.spiking.IFCell import IFCell
from ngclearn.components.neurons.spiking.LIFSRM import LIFSRM
from ngclearn.components.neurons.spiking.quadLIFCell import QuadLIFCell
from ngclearn.components.neurons.spiking.RAFCell import RAFCell
from ngclearn.components.neurons.spiking.RAFSRM import RAFSRM
from ngclearn.components.neurons.spiking.sLIFCell import SLIFCell
from ngclearn.components.neurons.spiking.WTASCell import WTASCell

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "spiking_family_reference.json")
_ids = itertools.count()

CLASSES = {"IFCell": IFCell, "SLIFCell": SLIFCell, "WTASCell": WTASCell,
           "QuadLIFCell": QuadLIFCell, "RAFCell": RAFCell, "LIFSRM": LIFSRM, "RAFSRM": RAFSRM}
COMPARTMENTS = {
    "IFCell": ("j", "v", "s", "rfr", "tols"),
    "SLIFCell": ("j", "s", "tols", "v", "thr", "rfr", "surrogate"),
    "WTASCell": ("j", "v", "s", "thr", "rfr", "tols"),
    "QuadLIFCell": ("j", "v", "s", "s_raw", "rfr", "thr_theta", "tols", "surrogate", "v_thr"),
    "RAFCell": ("j", "v", "w", "s", "tols"),
    "LIFSRM": ("current_j", "v", "s", "t_last_spike", "next_spike_t", "j_lowpass",
               "last_t_eval"),
    "RAFSRM": ("current_j", "v", "s", "t_last_spike", "next_spike_t", "j_v", "j_w",
               "last_t_eval"),
}
INPUT = {"LIFSRM": "current_j", "RAFSRM": "current_j"}

#: j = low + (high - low) * U(0, 1) per unit and step; "hold": draw once, keep for every step
CASES = [
    {"name": "if_default", "cls": "IFCell", "n": 4, "T": 30, "dt": 1., "seed": 1,
     "j": (0., 10.), "kwargs": {"tau_m": 4.}},
    {"name": "if_midpoint_refractory", "cls": "IFCell", "n": 4, "T": 30, "dt": 0.5, "seed": 2,
     "j": (-2., 12.), "kwargs": {"tau_m": 3., "resist_m": 2., "thr": -55., "v_reset": -62.,
                                  "refract_time": 2., "integration_type": "midpoint"}},
    {"name": "if_no_lower_clamp", "cls": "IFCell", "n": 4, "T": 25, "dt": 1., "seed": 3,
     "j": (-4., 10.), "kwargs": {"tau_m": 2., "lower_clamp_voltage": False}},
    {"name": "if_reset", "cls": "IFCell", "n": 3, "T": 20, "dt": 1., "seed": 4, "reset_at": 10,
     "j": (0., 12.), "kwargs": {"tau_m": 3., "refract_time": 1.}},
    {"name": "slif_gain_leak", "cls": "SLIFCell", "n": 5, "T": 30, "dt": 1., "seed": 11,
     "key": 11, "hold": True, "j": (0., 1.2),
     "kwargs": {"tau_m": 5., "resist_m": 1., "thr": 0.4, "thr_gain": 0.01, "thr_leak": 0.002}},
    {"name": "slif_sparsity_inhibition_sticky", "cls": "SLIFCell", "n": 5, "T": 30, "dt": 1.,
     "seed": 12, "key": 12, "j": (0., 2.),
     "kwargs": {"tau_m": 4., "resist_m": 1.5, "thr": 0.5, "resist_inh": 0.3, "rho_b": 0.001,
                "refract_time": 2., "sticky_spikes": True, "thr_jitter": 0.1}},
    {"name": "slif_reset", "cls": "SLIFCell", "n": 4, "T": 20, "dt": 1., "seed": 13, "key": 13,
     "reset_at": 12, "j": (0., 1.5),
     "kwargs": {"tau_m": 3., "resist_m": 1., "thr": 0.3, "thr_gain": 0.05}},
    {"name": "slif_reset_persistent", "cls": "SLIFCell", "n": 4, "T": 20, "dt": 1., "seed": 13,
     "key": 13, "reset_at": 12, "j": (0., 1.5),
     "kwargs": {"tau_m": 3., "resist_m": 1., "thr": 0.3, "thr_gain": 0.05,
                "thr_persist": True}},
    {"name": "wtas_default", "cls": "WTASCell", "n": 6, "T": 30, "dt": 1., "seed": 21,
     "key": 21, "j": (0., 3.), "kwargs": {"tau_m": 1.}},
    {"name": "wtas_batch_refractory", "cls": "WTASCell", "n": 5, "T": 25, "dt": 1., "seed": 22,
     "key": 22, "j": (0., 4.), "batch": 2,
     "kwargs": {"tau_m": 1., "resist_m": 2., "thr_base": 0.3, "thr_gain": 0.01,
                "refract_time": 2., "thr_jitter": 0.02}},
    {"name": "quad_default", "cls": "QuadLIFCell", "n": 4, "T": 30, "dt": 0.5, "seed": 31,
     "j": (0., 3.), "kwargs": {"tau_m": 10.}},
    {"name": "quad_midpoint_adaptive", "cls": "QuadLIFCell", "n": 4, "T": 30, "dt": 0.5,
     "seed": 32, "j": (0., 60.),
     "kwargs": {"tau_m": 20., "resist_m": 2., "v_scale": -45., "critical_v": -0.02,
                "tau_theta": 30., "theta_plus": 0.5, "refract_time": 1.,
                "integration_type": "midpoint", "v_min": -70.}},
    {"name": "quad_one_spike", "cls": "QuadLIFCell", "n": 5, "T": 25, "dt": 0.5, "seed": 33,
     "key": 33, "j": (0., 400.),
     "kwargs": {"tau_m": 5., "critical_v": -0.05, "one_spike": True, "refract_time": 0.5}},
    {"name": "raf_default", "cls": "RAFCell", "n": 4, "T": 40, "dt": 0.05, "seed": 41,
     "j": (0., 80.), "kwargs": {}},
    {"name": "raf_midpoint_batch", "cls": "RAFCell", "n": 3, "T": 40, "dt": 0.05, "seed": 42,
     "j": (-20., 60.), "batch": 2,
     "kwargs": {"tau_v": 2., "tau_w": 1.5, "thr": 0.5, "omega": 6., "dampen_factor": -0.5,
                "v_reset": -0.2, "w_reset": 0.1, "v0": 0.1, "w0": -0.1, "resist_v": 1.5,
                "integration_type": "midpoint"}},
    {"name": "raf_no_reset", "cls": "RAFCell", "n": 3, "T": 40, "dt": 0.05, "seed": 43,
     "j": (0., 60.), "kwargs": {"post_spike_reset": False}},
    {"name": "lifsrm_default", "cls": "LIFSRM", "n": 4, "T": 30, "dt": 1., "seed": 51,
     "hold": True, "j": (5., 30.), "kwargs": {"tau_m": 10.}},
    {"name": "lifsrm_random", "cls": "LIFSRM", "n": 4, "T": 30, "dt": 0.5, "seed": 52,
     "j": (0., 60.), "batch": 2,
     "kwargs": {"tau_m": 8., "thr": -55., "v_rest": -70., "v_reset": -75.}},
    {"name": "rafsrm_default", "cls": "RAFSRM", "n": 4, "T": 40, "dt": 0.05, "seed": 61,
     "j": (0., 80.), "kwargs": {}},
    {"name": "rafsrm_params", "cls": "RAFSRM", "n": 3, "T": 40, "dt": 0.05, "seed": 62,
     "j": (-10., 60.), "batch": 2,
     "kwargs": {"tau_v": 2., "tau_w": 1.5, "thr": 0.5, "omega": 6., "dampen_factor": -0.5,
                "v_reset": -0.2, "w_reset": 0.1}},
]


def L(a):
    return np.asarray(a, dtype=np.float32).tolist()


def run_case(spec):
    rs = np.random.RandomState(spec["seed"])
    cls, cname = CLASSES[spec["cls"]], spec["cls"]
    b = spec.get("batch", 1)
    extra = {"batch_size": b} if b > 1 else {}
    if "key" in spec:
        extra["key"] = jax.random.PRNGKey(spec["key"])
    with Context(f"c{next(_ids)}"):
        z = cls("z", spec["n"], **spec["kwargs"], **extra)
        adv = MethodProcess("adv") >> z.advance_state
        rst = MethodProcess("rst") >> z.reset
        pred = MethodProcess("pred") >> z.predict_next_spike if "SRM" in cname else None
    init = {k: L(getattr(z, k).get()) for k in COMPARTMENTS[cname]}
    if cname == "SLIFCell":
        init["inh_weights"], init["threshold0"] = L(z.inh_weights), L(z.threshold0)
    lo, hi = spec["j"]
    held = (lo + (hi - lo) * rs.uniform(size=(b, spec["n"]))).astype(np.float32)
    inp = getattr(z, INPUT.get(cname, "j"))
    steps = []
    for i in range(spec["T"]):
        if i == spec.get("reset_at"):
            rst.run()
        j = held if spec.get("hold") else \
            (lo + (hi - lo) * rs.uniform(size=(b, spec["n"]))).astype(np.float32)
        inp.set(jnp.asarray(j))
        t = float(i) * spec["dt"]
        adv.run(t=t, dt=spec["dt"])
        step = {"j_in": L(j), **{k: L(getattr(z, k).get()) for k in COMPARTMENTS[cname]}}
        if pred is not None:
            pred.run(t_start=t + spec["dt"])
            step["predicted"] = L(z.next_spike_t.get())
        steps.append(step)
    return {"spec": spec, "init": init, "steps": steps}


def main():
    ref = {"ngclearn": "3.2.3", "jax": jax.__version__,
           "cases": {c["name"]: run_case(c) for c in CASES}}
    with open(OUT, "w") as fh:
        json.dump(ref, fh, separators=(",", ":"))
    for name, c in ref["cases"].items():
        spikes = sum(np.asarray(s["s"]).sum() for s in c["steps"])
        print(f"{name:34s} spikes: {spikes:.0f}")
    print("wrote", OUT, os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
