"""Reference trajectories of ngc-learn 3.2.3's LIFCell, VarTrace, BernoulliCell and PoissonCell.

Run with the reference venv (ngc-learn 3.2.3 installed there; ngclab never imports it)::

    /opt/ngcref/bin/python tests/reference/spiking_reference.py

It writes tests/reference/spiking_reference.json: for each case the constructor arguments, the
key, the per-step inputs (drawn with numpy's RandomState and stored) and every compartment after
every step. The encoders are driven by a given jax key, so the spike trains are ngc-learn's.
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
from ngclearn.components.input_encoders.bernoulliCell import BernoulliCell
from ngclearn.components.input_encoders.poissonCell import PoissonCell
from ngclearn.components.neurons.spiking.LIFCell import LIFCell
from ngclearn.components.other.varTrace import VarTrace

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "spiking_reference.json")
_ids = itertools.count()


def L(a):
    return np.asarray(a, dtype=np.float32).tolist()


LIF_CASES = [
    {"name": "lif_default", "n": 4, "T": 40, "dt": 1., "j_max": 30., "seed": 1,
     "kwargs": {"tau_m": 10.}},
    {"name": "lif_midpoint_adaptive", "n": 4, "T": 40, "dt": 1., "j_max": 40., "seed": 2,
     "kwargs": {"tau_m": 8., "resist_m": 2., "thr": -55., "v_rest": -70., "v_reset": -65.,
                "conduct_leak": 0.5, "tau_theta": 50., "theta_plus": 1.0, "refract_time": 2.,
                "integration_type": "midpoint", "v_min": -68., "surrogate_type": "arctan"}},
    {"name": "lif_no_adapt_no_refract", "n": 3, "T": 30, "dt": 0.5, "j_max": 40., "seed": 3,
     "kwargs": {"tau_m": 5., "tau_theta": 0., "refract_time": 0., "theta_plus": 0.3}},
    {"name": "lif_if_cell", "n": 3, "T": 25, "dt": 1., "j_max": 3., "seed": 4,
     "kwargs": {"tau_m": 4., "conduct_leak": 0., "thr": -60., "surrogate_type": "arctan"}},
    {"name": "lif_one_spike", "n": 6, "T": 25, "dt": 1., "j_max": 120., "seed": 5,
     "kwargs": {"tau_m": 2., "one_spike": True, "refract_time": 1., "tau_theta": 20.,
                "theta_plus": 0.5}},
    {"name": "lif_max_one_spike", "n": 6, "T": 25, "dt": 1., "j_max": 120., "seed": 6,
     "kwargs": {"tau_m": 2., "max_one_spike": True, "refract_time": 1.}},
    {"name": "lif_reset_keeps_theta", "n": 3, "T": 30, "dt": 1., "j_max": 60., "seed": 7,
     "reset_at": 15, "kwargs": {"tau_m": 5., "tau_theta": 100., "theta_plus": 2.}},
]

TRACE_CASES = [
    {"name": "trace_exp_gated", "kwargs": {"tau_tr": 5., "a_delta": 0.}, "dt": 1., "seed": 11},
    {"name": "trace_exp_additive", "kwargs": {"tau_tr": 8., "a_delta": 0.5, "gamma_tr": 0.9},
     "dt": 1., "seed": 12},
    {"name": "trace_lin", "kwargs": {"tau_tr": 20., "a_delta": 0.25, "decay_type": "lin"},
     "dt": 2., "seed": 13},
    {"name": "trace_step", "kwargs": {"tau_tr": 3., "a_delta": 0., "decay_type": "step",
                                      "P_scale": 0.7}, "dt": 1., "seed": 14},
    {"name": "trace_nearest", "kwargs": {"tau_tr": 6., "a_delta": 1., "n_nearest_spikes": 1},
     "dt": 1., "seed": 15},
    {"name": "trace_gated_pscale", "kwargs": {"tau_tr": 4., "a_delta": -1., "P_scale": 0.6,
                                              "batch_size": 2}, "dt": 0.5, "seed": 16},
]


def lif_case(spec):
    rs = np.random.RandomState(spec["seed"])
    with Context(f"lif{next(_ids)}"):
        z = LIFCell("z", spec["n"], key=jax.random.PRNGKey(spec["seed"]), **spec["kwargs"])
        adv = MethodProcess("adv") >> z.advance_state
        rst = MethodProcess("rst") >> z.reset
    names = ("v", "s", "s_raw", "rfr", "thr_theta", "tols", "surrogate", "v_thr")
    steps = []
    for i in range(spec["T"]):
        if i == spec.get("reset_at"):
            rst.run()
        j = (rs.uniform(size=(1, spec["n"])) * spec["j_max"]).astype(np.float32)
        z.j.set(jnp.asarray(j))
        adv.run(t=float(i) * spec["dt"], dt=spec["dt"])
        steps.append({"j": L(j), **{k: L(getattr(z, k).get()) for k in names}})
    return {"spec": spec, "steps": steps}


def trace_case(spec):
    rs = np.random.RandomState(spec["seed"])
    b = spec["kwargs"].get("batch_size", 1)
    with Context(f"tr{next(_ids)}"):
        tr = VarTrace("tr", 3, **spec["kwargs"])
        adv = MethodProcess("adv") >> tr.advance_state
    steps = []
    for i in range(15):
        x = (rs.uniform(size=(b, 3)) < 0.3).astype(np.float32)
        tr.inputs.set(jnp.asarray(x))
        adv.run(t=float(i), dt=spec["dt"])
        steps.append({"x": L(x), "trace": L(tr.trace.get()), "outputs": L(tr.outputs.get())})
    return {"spec": spec, "steps": steps}


def encoder_case(name, cls, key, kwargs, p, T, dt):
    with Context(f"enc{next(_ids)}"):
        e = cls("e", p.shape[1], key=jax.random.PRNGKey(key), batch_size=p.shape[0], **kwargs)
        adv = MethodProcess("adv") >> e.advance_state
    e.inputs.set(jnp.asarray(p))
    steps = []
    for i in range(T):
        adv.run(t=float(i) * dt, dt=dt)
        steps.append({"outputs": L(e.outputs.get()), "tols": L(e.tols.get()),
                      "key": np.asarray(e.key.get()).tolist()})
    return {"name": name, "key": key, "kwargs": kwargs, "inputs": L(p), "dt": dt, "steps": steps}


def main():
    rs = np.random.RandomState(0)
    p = rs.uniform(size=(2, 8)).astype(np.float32)
    ref = {"ngclearn": "3.2.3", "jax": jax.__version__,
           "lif": {c["name"]: lif_case(c) for c in LIF_CASES},
           "trace": {c["name"]: trace_case(c) for c in TRACE_CASES},
           "encoders": [
               encoder_case("bernoulli", BernoulliCell, 5, {}, p, 10, 1.),
               encoder_case("poisson", PoissonCell, 7, {"target_freq": 300.}, p, 10, 1.),
               encoder_case("poisson_dt2", PoissonCell, 8, {"target_freq": 150.}, p, 6, 2.),
           ]}
    with open(OUT, "w") as fh:
        json.dump(ref, fh, separators=(",", ":"))
    for name, c in ref["lif"].items():
        spikes = sum(np.asarray(s["s"]).sum() for s in c["steps"])
        print(name, "spikes:", spikes)
    for e in ref["encoders"]:
        print(e["name"], "spikes:", sum(np.asarray(s["outputs"]).sum() for s in e["steps"]))
    print("wrote", OUT, os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
