"""Reference trajectories of ngc-learn 3.2.3's input encoders (RetinalGanglionCell, LatencyCell,
PhasorCell, TTFSCell), ExpKernel and synapses in time (ExponentialSynapse, DoubleExpSynapse,
AlphaSynapse, STPDenseSynapse).

Run with a Python 3.12 virtual environment that has ngclearn==3.2.3 (ngclab never imports it)::

    python tests/reference/encoders_synapses_reference.py

It writes tests/reference/encoders_synapses_reference.json: for each case the constructor
arguments, the key, the per-step inputs (drawn with numpy's RandomState and stored) and every
compartment after every step.

Two of ngc-learn's classes cannot run as shipped: DoubleExpSynapse and AlphaSynapse read
``self.resist_scale`` in advance_state, an attribute their DenseSynapse base never sets (it
stores ``g_conduct_factor``), so their first step raises AttributeError. The cases below give the
instance that attribute (``syn.resist_scale = syn.g_conduct_factor``, the value the code means)
to record the numbers of their equations.
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
from ngclearn.components.input_encoders.ganglionCell import RetinalGanglionCell
from ngclearn.components.input_encoders.latencyCell import LatencyCell
from ngclearn.components.input_encoders.phasorCell import PhasorCell
from ngclearn.components.input_encoders.TTFSCell import TTFSCell
from ngclearn.components.other.expKernel import ExpKernel
from ngclearn.components.synapses.alphaSynapse import AlphaSynapse
from ngclearn.components.synapses.doubleExpSynapse import DoubleExpSynapse
from ngclearn.components.synapses.exponentialSynapse import ExponentialSynapse
from ngclearn.components.synapses.STPDenseSynapse import STPDenseSynapse
from ngclearn.utils.distribution_generator import DistributionGenerator as DG

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                   "encoders_synapses_reference.json")
_ids = itertools.count()


def L(a):
    a = np.asarray(a)
    if a.dtype == np.bool_:
        return a.tolist()
    if np.issubdtype(a.dtype, np.integer):
        return a.astype(np.int64).tolist()
    return a.astype(np.float32).tolist()


def record(comp, names):
    return {k: L(getattr(comp, k).get()) for k in names}


# -- encoders -----------------------------------------------------------------------------------
RGC_CASES = [
    {"name": "rgc_gaussian", "kwargs": {"filter_type": "gaussian", "area_shape": (5, 9),
                                        "n_cells": 3, "patch_shape": (5, 5),
                                        "step_shape": (0, 2), "sigma": 1.3, "batch_size": 2}},
    {"name": "rgc_dog", "kwargs": {"filter_type": "DoG", "area_shape": (6, 6), "n_cells": 4,
                                   "patch_shape": (4, 4), "step_shape": (2, 2), "sigma": 0.8}},
    {"name": "rgc_rog", "kwargs": {"filter_type": "ratio_of_gaussian", "area_shape": (3, 7),
                                   "n_cells": 3, "patch_shape": (3, 3), "step_shape": (1, 2),
                                   "sigma": 1.0}},
    {"name": "rgc_identity", "kwargs": {"filter_type": "identity", "area_shape": (4, 8),
                                        "n_cells": 4, "patch_shape": (2, 4),
                                        "step_shape": (2, 4), "batch_size": 2}},
    {"name": "rgc_step0_repeats", "kwargs": {"filter_type": "gaussian", "area_shape": (8, 4),
                                             "n_cells": 2, "patch_shape": (4, 4),
                                             "step_shape": (0, 0), "sigma": 2.0}},
]


def rgc_case(spec, seed):
    rs = np.random.RandomState(seed)
    kw = spec["kwargs"]
    with Context(f"rgc{next(_ids)}"):
        c = RetinalGanglionCell("c", **kw)
        adv = MethodProcess("adv") >> c.advance_state
    steps = []
    for i in range(3):
        x = rs.uniform(size=(kw.get("batch_size", 1), *kw["area_shape"])).astype(np.float32)
        c.inputs.set(jnp.asarray(x))
        adv.run(t=float(i), dt=1.)
        steps.append({"inputs": L(x), "outputs": L(c.outputs.get())})
    return {"spec": spec, "filter": L(c.filter.get()), "steps": steps}


LATENCY_CASES = [
    # the test of ngc-learn's repository: linear, normalised to 50 steps
    {"name": "latency_linear_normalized", "n": 4, "T": 50,
     "kwargs": {"tau": 1., "threshold": 0.01, "linearize": True, "normalize": True,
                "num_steps": 50., "clip_spikes": False},
     "inputs": [[0.02, 0.5, 1., 0.0]]},
    {"name": "latency_linear_tau_first_clip", "n": 5, "T": 14,
     "kwargs": {"tau": 10., "threshold": 0.2, "linearize": True, "first_spike_time": 2.,
                "clip_spikes": True, "batch_size": 2}, "seed": 3},
    # logarithmic: ngc-learn passes num_steps where eps goes (see the ngclab docstring)
    {"name": "latency_log", "n": 5, "T": 20,
     "kwargs": {"tau": 4., "threshold": 0.2}, "inputs": [[1.0, 0.7, 0.45, 0.3, 0.1]]},
    {"name": "latency_log_normalized", "n": 5, "T": 12,
     "kwargs": {"tau": 5., "threshold": 0.1, "normalize": True, "num_steps": 10.}, "seed": 5},
]
LATENCY_NAMES = ("targ_sp_times", "outputs", "mask", "clip_mask", "tols")


def latency_case(spec):
    kw = spec["kwargs"]
    b = kw.get("batch_size", 1)
    x = np.asarray(spec["inputs"], np.float32) if "inputs" in spec else \
        np.random.RandomState(spec["seed"]).uniform(size=(b, spec["n"])).astype(np.float32)
    with Context(f"lat{next(_ids)}"):
        c = LatencyCell("c", spec["n"], **kw)
        calc = MethodProcess("calc") >> c.calc_spike_times
        adv = MethodProcess("adv") >> c.advance_state
        rst = MethodProcess("rst") >> c.reset
    rst.run()
    c.inputs.set(jnp.asarray(x))
    calc.run()
    steps = []
    for i in range(spec["T"]):
        adv.run(t=float(i), dt=1.)
        steps.append(record(c, LATENCY_NAMES))
    return {"spec": spec, "inputs": L(x), "steps": steps}


PHASOR_CASES = [
    {"name": "phasor_200hz", "n": 3, "key": 3, "dt": 1., "T": 30,
     "kwargs": {"target_freq": 200.}},
    {"name": "phasor_batch_dt", "n": 3, "key": 7, "dt": 2., "T": 20,
     "kwargs": {"target_freq": 150., "batch_size": 2}},
    {"name": "phasor_disabled", "n": 3, "key": 9, "dt": 1., "T": 6,
     "kwargs": {"target_freq": 1000., "disable_phasor": True}},
]
PHASOR_NAMES = ("outputs", "tols", "angles", "key")


def phasor_case(spec):
    rs = np.random.RandomState(spec["key"])
    kw = spec["kwargs"]
    b = kw.get("batch_size", 1)
    with Context(f"ph{next(_ids)}"):
        c = PhasorCell("c", spec["n"], key=jax.random.PRNGKey(spec["key"]), **kw)
        adv = MethodProcess("adv") >> c.advance_state
        rst = MethodProcess("rst") >> c.reset
    init = {"base_scale": L(c.base_scale), "key": L(c.key.get())}
    steps = []
    for i in range(spec["T"]):
        if i == spec["T"] // 2:
            rst.run()
        x = rs.uniform(0.5, 1., size=(b, spec["n"])).astype(np.float32)
        if kw.get("disable_phasor"):
            x = (x > 0.75).astype(np.float32)
        c.inputs.set(jnp.asarray(x))
        adv.run(t=float(i) * spec["dt"], dt=spec["dt"])
        steps.append({"inputs": L(x), "reset_before": i == spec["T"] // 2,
                      **record(c, PHASOR_NAMES)})
    return {"spec": spec, "init": init, "steps": steps}


TTFS_CASES = [
    {"name": "ttfs_exponential", "n": 6, "T": 12, "dt": 1.,
     "kwargs": {"num_steps": 10, "tau_ref": 3, "batch_size": 2}, "seed": 21},
    {"name": "ttfs_logarithmic", "n": 6, "T": 12, "dt": 0.5,
     "kwargs": {"num_steps": 12, "latency_mode": "logarithmic"}, "seed": 22},
]
TTFS_NAMES = ("outputs", "has_fired", "target_spike_times", "refractory_counter", "tols")


def ttfs_case(spec):
    rs = np.random.RandomState(spec["seed"])
    kw = spec["kwargs"]
    b = kw.get("batch_size", 1)
    x = rs.uniform(size=(b, spec["n"])).astype(np.float32)
    x[0, 0], x[0, 1] = 0., 1.  # the two ends of the intensity range
    with Context(f"ttfs{next(_ids)}"):
        c = TTFSCell("c", spec["n"], **kw)
        adv = MethodProcess("adv") >> c.advance_state
    steps = []
    for i in range(spec["T"]):
        # after step 0 the input changes: the targets were fixed at step 0
        xi = x if i == 0 else rs.uniform(size=x.shape).astype(np.float32)
        c.inputs.set(jnp.asarray(xi))
        adv.run(t=float(i) * spec["dt"], dt=spec["dt"])
        steps.append({"inputs": L(xi), **record(c, TTFS_NAMES)})
    return {"spec": spec, "steps": steps}


EXPKERNEL_CASES = [
    # times start at dt, so no spike falls at t = 0 (ngc-learn drops those; see the test)
    {"name": "expkernel_t_from_dt", "n": 3, "T": 12, "dt": 1., "t0": 1.,
     "kwargs": {"tau_w": 5., "nu": 3.}, "seed": 31},
    {"name": "expkernel_dt_half", "n": 2, "T": 12, "dt": 0.5, "t0": 0.5,
     "kwargs": {"tau_w": 2., "nu": 2., "batch_size": 2}, "seed": 32},
    # the test of ngc-learn's repository (spikes at t = 0, 1, 4; t from 0)
    {"name": "expkernel_spike_at_t0", "n": 1, "T": 5, "dt": 1., "t0": 0.,
     "kwargs": {"tau_w": 500., "nu": 4.}, "inputs": [[1.], [1.], [0.], [0.], [1.]]},
]


def expkernel_case(spec):
    rs = np.random.RandomState(spec.get("seed", 0))
    kw = spec["kwargs"]
    b = kw.get("batch_size", 1)
    with Context(f"ek{next(_ids)}"):
        c = ExpKernel("c", spec["n"], dt=spec["dt"], **kw)
        adv = MethodProcess("adv") >> c.advance_state
        rst = MethodProcess("rst") >> c.reset
    rst.run()
    steps = []
    for i in range(spec["T"]):
        x = np.asarray([spec["inputs"][i]], np.float32) if "inputs" in spec else \
            (rs.uniform(size=(b, spec["n"])) < 0.4).astype(np.float32)
        c.inputs.set(jnp.asarray(x))
        adv.run(t=spec["t0"] + float(i) * spec["dt"], dt=spec["dt"])
        steps.append({"inputs": L(x), **record(c, ("epsp", "tf"))})
    return {"spec": spec, "steps": steps}


# -- synapses in time ---------------------------------------------------------------------------
def weight_init(spec):
    w = spec.get("weight_init")
    if w is None:
        return None
    return DG.constant(value=w[1]) if w[0] == "constant" else DG.uniform(w[1], w[2])


KERNEL_CASES = [
    # the test of ngc-learn's repository: one synapse, spikes 1, 0, 1, v = -65, E = 0
    {"name": "exp_repository_test", "cls": "ExponentialSynapse", "shape": (1, 1), "key": 1,
     "dt": 1., "T": 3, "kwargs": {"tau_decay": 2., "g_syn_bar": 2.4, "syn_rest": 0.,
                                  "weight_init": ("constant", 1.)},
     "spikes": [[[1.]], [[0.]], [[1.]]], "v": -65.},
    {"name": "exp_conductance", "cls": "ExponentialSynapse", "shape": (4, 3), "key": 2,
     "dt": 1., "T": 20, "kwargs": {"tau_decay": 5., "g_syn_bar": 0.7, "syn_rest": 0.,
                                   "batch_size": 2}, "seed": 41},
    {"name": "exp_current_plastic_dt", "cls": "ExponentialSynapse", "shape": (4, 3), "key": 3,
     "dt": 0.1, "T": 30, "kwargs": {"tau_decay": 2., "g_syn_bar": 1.5, "syn_rest": None,
                                    "is_nonplastic": False, "g_conduct_factor": 0.5,
                                    "weight_init": ("uniform", -0.5, 1.)}, "seed": 42},
    {"name": "exp_p_conn", "cls": "ExponentialSynapse", "shape": (6, 5), "key": 4,
     "dt": 1., "T": 4, "kwargs": {"tau_decay": 5., "g_syn_bar": 1., "syn_rest": None,
                                  "p_conn": 0.5}, "seed": 43},
    {"name": "dexp_dt1", "cls": "DoubleExpSynapse", "shape": (3, 2), "key": 5, "dt": 1.,
     "T": 25, "kwargs": {"tau_decay": 8., "tau_rise": 2., "g_syn_bar": 1.2, "syn_rest": -80.,
                         "batch_size": 2}, "seed": 44},
    {"name": "dexp_dt_half", "cls": "DoubleExpSynapse", "shape": (3, 2), "key": 6, "dt": 0.5,
     "T": 25, "kwargs": {"tau_decay": 6., "tau_rise": 1., "g_syn_bar": 1., "syn_rest": None,
                         "is_nonplastic": False, "weight_init": ("uniform", 0.2, 1.)},
     "seed": 45},
    {"name": "alpha_dt1", "cls": "AlphaSynapse", "shape": (3, 2), "key": 7, "dt": 1., "T": 25,
     "kwargs": {"tau_decay": 4., "g_syn_bar": 0.8, "syn_rest": 0., "batch_size": 2},
     "seed": 46},
    {"name": "alpha_dt_half", "cls": "AlphaSynapse", "shape": (3, 2), "key": 8, "dt": 0.5,
     "T": 25, "kwargs": {"tau_decay": 3., "g_syn_bar": 1., "syn_rest": None,
                         "g_conduct_factor": 2.}, "seed": 47},
]
KERNEL_CLASSES = {"ExponentialSynapse": ExponentialSynapse,
                  "DoubleExpSynapse": DoubleExpSynapse, "AlphaSynapse": AlphaSynapse}


def kernel_case(spec):
    rs = np.random.RandomState(spec.get("seed", 0))
    kw = dict(spec["kwargs"])
    kw["weight_init"] = weight_init(kw)
    b = kw.get("batch_size", 1)
    cls = KERNEL_CLASSES[spec["cls"]]
    with Context(f"syn{next(_ids)}"):
        c = cls("c", spec["shape"], key=jax.random.PRNGKey(spec["key"]), **kw)
        if spec["cls"] != "ExponentialSynapse":
            c.resist_scale = c.g_conduct_factor  # ngc-learn's missing attribute (see above)
        adv = MethodProcess("adv") >> c.advance_state
        rst = MethodProcess("rst") >> c.reset
    weights = L(c.weights.get())
    rst.run()
    names = ["g_syn", "i_syn", "outputs"] + (["h_syn"] if hasattr(c, "h_syn") else [])
    steps = []
    for i in range(spec["T"]):
        if "spikes" in spec:
            s = np.asarray(spec["spikes"][i], np.float32)
        else:
            s = (rs.uniform(size=(b, spec["shape"][0])) < 0.3).astype(np.float32)
        v = np.full((b, spec["shape"][1]), spec["v"], np.float32) if "v" in spec else \
            rs.uniform(-75., -50., size=(b, spec["shape"][1])).astype(np.float32)
        c.inputs.set(jnp.asarray(s))
        c.v.set(jnp.asarray(v))
        adv.run(t=float(i) * spec["dt"], dt=spec["dt"])
        steps.append({"inputs": L(s), "v": L(v), **record(c, names)})
    return {"spec": spec, "weights": weights, "steps": steps}


STP_CASES = [
    # the test of ngc-learn's repository: resources 1, weight 1, input 0.425 three times
    {"name": "stp_repository_test", "shape": (1, 1), "key": 11, "T": 3,
     "kwargs": {"resources_init": ("constant", 1.)}, "weights": [[1.]], "inputs": [0.425] * 3},
    {"name": "stp_depressing", "shape": (1, 1), "key": 12, "T": 40,
     "kwargs": {"tau_f": 20., "tau_d": 200., "resources_init": ("constant", 0.5),
                "weight_init": ("constant", 2.), "g_conduct_factor": 1.5},
     "period": 5},
    {"name": "stp_facilitating", "shape": (1, 1), "key": 13, "T": 40,
     "kwargs": {"tau_f": 500., "tau_d": 10., "resources_init": ("constant", 0.1)},
     "period": 4},
    {"name": "stp_no_facilitation", "shape": (1, 1), "key": 14, "T": 20,
     "kwargs": {"tau_f": 0., "tau_d": 30.}, "period": 3},
    {"name": "stp_no_depression", "shape": (1, 1), "key": 15, "T": 20,
     "kwargs": {"tau_f": 40., "tau_d": 0.}, "period": 3},
    # n_in = n_out = 3: ngc-learn broadcasts the per-input u, x along the output axis
    {"name": "stp_square_broadcast", "shape": (3, 3), "key": 16, "T": 6,
     "kwargs": {"tau_f": 50., "tau_d": 20.}, "seed": 48},
]
STP_NAMES = ("outputs", "u", "x", "Wdyn")


def stp_case(spec):
    rs = np.random.RandomState(spec.get("seed", 0))
    kw = dict(spec["kwargs"])
    kw["weight_init"] = weight_init(kw)
    r = kw.get("resources_init")
    kw["resources_init"] = None if r is None else DG.constant(value=r[1])
    n_in = spec["shape"][0]
    with Context(f"stp{next(_ids)}"):
        c = STPDenseSynapse("c", spec["shape"], key=jax.random.PRNGKey(spec["key"]), **kw)
        adv = MethodProcess("adv") >> c.advance_state
        rst = MethodProcess("rst") >> c.reset
    if "weights" in spec:
        c.weights.set(jnp.asarray(spec["weights"], jnp.float32))
    init = {"weights": L(c.weights.get()), "resources": L(c.resources.get())}
    rst.run()
    steps = []
    for i in range(spec["T"]):
        if "inputs" in spec:
            s = np.full((1, n_in), spec["inputs"][i], np.float32)
        elif "period" in spec:
            s = np.full((1, n_in), float(i % spec["period"] == 0), np.float32)
        else:
            s = (rs.uniform(size=(1, n_in)) < 0.5).astype(np.float32)
        c.inputs.set(jnp.asarray(s))
        adv.run(t=float(i), dt=1.)
        steps.append({"inputs": L(s), **record(c, STP_NAMES)})
    return {"spec": spec, "init": init, "steps": steps}


def main():
    ref = {"ngclearn": "3.2.3", "jax": jax.__version__,
           "rgc": {c["name"]: rgc_case(c, 50 + i) for i, c in enumerate(RGC_CASES)},
           "latency": {c["name"]: latency_case(c) for c in LATENCY_CASES},
           "phasor": {c["name"]: phasor_case(c) for c in PHASOR_CASES},
           "ttfs": {c["name"]: ttfs_case(c) for c in TTFS_CASES},
           "expkernel": {c["name"]: expkernel_case(c) for c in EXPKERNEL_CASES},
           "kernel_synapses": {c["name"]: kernel_case(c) for c in KERNEL_CASES},
           "stp": {c["name"]: stp_case(c) for c in STP_CASES}}
    with open(OUT, "w") as fh:
        json.dump(ref, fh, separators=(",", ":"))
    for fam in ("latency", "phasor", "ttfs"):
        for name, c in ref[fam].items():
            print(name, "spikes:", sum(np.asarray(s["outputs"]).sum() for s in c["steps"]))
    print("wrote", OUT, os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
