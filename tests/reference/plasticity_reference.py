"""Reference trajectories of ngc-learn 3.2.3's plasticity synapses (STDP in its forms, iSTDP,
SOM, MSTDP-ET, REINFORCE, Oja).

Run with a Python 3.12 virtual environment that has ngclearn==3.2.3 (ngclab never imports it)::

    <that venv>/bin/python tests/reference/plasticity_reference.py

It writes tests/reference/plasticity_reference.json. Each case names a class, its constructor
arguments, a PRNG key seed, and its steps: the inputs set before the step (drawn here with
numpy's RandomState(0) and stored) and the methods the step runs (one MethodProcess per kind of
step, called with t = i * dt and dt). After construction and after every step the value of
every compartment is recorded. A case whose construction or run raises records the error.

Argument encoding (shared with tests/components/synapses/plasticity): lists stand for tuples
where the parameter is a shape; {"array": nested list} is a float32 array; {"init": name,
"kw": {...}} is DistributionGenerator.<name>(**kw); "-inf" / "inf" are the floats.

ngc-learn 3.2.3's STDPSynapse cannot be built: its constructor names the parameter ``au_plus``
but reads ``tau_plus`` (a NameError), and reads ``self.weights.value`` (Compartment has no
``value``). To record its numbers anyway, this script supplies ``tau_plus`` through builtins
(set to the case's value before the constructor runs) and gives Compartment a ``value``
property; everything else is ngc-learn's own code.
"""
from __future__ import annotations

import builtins
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
from ngclearn import Compartment, Context, MethodProcess
from ngclearn.components.synapses.competitive.SOMSynapse import SOMSynapse
from ngclearn.components.synapses.hebbian.STDPSynapse import STDPSynapse
from ngclearn.components.synapses.hebbian.eventSTDPSynapse import EventSTDPSynapse
from ngclearn.components.synapses.hebbian.expSTDPSynapse import ExpSTDPSynapse
from ngclearn.components.synapses.hebbian.inhibitorySTDPSynapse import InhibitorySTDPSynapse
from ngclearn.components.synapses.hebbian.ojaTensorSynapse import OjaTensorSynapse
from ngclearn.components.synapses.hebbian.traceSTDPSynapse import TraceSTDPSynapse
from ngclearn.components.synapses.modulated.MSTDPETSynapse import MSTDPETSynapse
from ngclearn.components.synapses.modulated.REINFORCESynapse import REINFORCESynapse
from ngclearn.utils.distribution_generator import DistributionGenerator as DG

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "plasticity_reference.json")
CLASSES = {c.__name__: c for c in (TraceSTDPSynapse, STDPSynapse, ExpSTDPSynapse,
                                   EventSTDPSynapse, InhibitorySTDPSynapse, SOMSynapse,
                                   MSTDPETSynapse, REINFORCESynapse, OjaTensorSynapse)}
SHAPE_ARGS = ("shape",)

rs = np.random.RandomState(0)


def decode(name, v):
    if isinstance(v, dict) and "init" in v:
        return getattr(DG, v["init"])(**v["kw"])
    if isinstance(v, dict) and "array" in v:
        return jnp.asarray(np.asarray(v["array"], np.float32))
    if v in ("inf", "-inf"):
        return float(v)
    if name in SHAPE_ARGS and isinstance(v, list):
        return tuple(v)
    return v


def flat(value):
    a = np.asarray(value)
    return {"shape": list(a.shape), "dtype": str(a.dtype), "data": a.ravel().tolist()}


def rand(*shape, low=0.0, high=1.0):
    return rs.uniform(low, high, size=shape).astype(np.float32).tolist()


def spikes(*shape, p=0.3):
    return (rs.uniform(size=shape) < p).astype(np.float32).tolist()


def spike_train(T, b, n, p, dt):
    """Spikes (T, b, n) and times of last spike (t = i * dt where a unit spiked)."""
    s = (rs.uniform(size=(T, b, n)) < p).astype(np.float32)
    tols, last = np.zeros_like(s), np.zeros((b, n), np.float32)
    for i in range(T):
        last = np.where(s[i] > 0, np.float32(i * dt), last)
        tols[i] = last
    return s, tols


CASES: list[dict] = []
STEP = ("advance_state", "evolve")


def case(name, cls, args, steps, inputs, methods=STEP, key=0, dt=1.0, resets=()):
    """inputs: function(step) -> {compartment: nested list}; resets: steps that run reset()."""
    plan = []
    for i in range(steps):
        plan.append({"inputs": {}, "methods": ["reset"]} if i in resets else
                    {"inputs": inputs(i), "methods": list(methods)})
    CASES.append({"name": name, "cls": cls, "args": args, "key": key, "dt": dt, "steps": plan})


def stdp_inputs(n_in, n_out, b, p=0.4):
    return lambda i: {"inputs": spikes(b, n_in, p=p), "preSpike": spikes(b, n_in, p=p),
                      "postSpike": spikes(b, n_out, p=p), "preTrace": rand(b, n_in),
                      "postTrace": rand(b, n_out)}


MASK = {"array": [[1, 0, 1, 1], [0, 1, 1, 0], [1, 1, 0, 1]]}

# ------------------------------------------------------------------------- TraceSTDPSynapse
case("TraceSTDPSynapse/plain", "TraceSTDPSynapse",
     {"shape": [3, 4], "A_plus": 1.0, "A_minus": 0.5, "eta": 0.05}, steps=7, key=1,
     inputs=stdp_inputs(3, 4, 1), resets=(4,))
case("TraceSTDPSynapse/power_law", "TraceSTDPSynapse",
     {"shape": [3, 4], "A_plus": 0.8, "A_minus": 0.6, "eta": 0.1, "mu": 1.5,
      "pretrace_target": 0.2, "tau_w": 50.0, "w_bound": 0.9, "batch_size": 2}, steps=5, key=2,
     inputs=stdp_inputs(3, 4, 2))
case("TraceSTDPSynapse/no_ltd_mask", "TraceSTDPSynapse",
     {"shape": [3, 4], "A_plus": 1.0, "A_minus": -0.3, "eta": 0.2, "weight_mask": MASK,
      "g_conduct_factor": 2.0}, steps=4, key=3, inputs=stdp_inputs(3, 4, 1))
case("TraceSTDPSynapse/resist_scale_alias", "TraceSTDPSynapse",
     {"shape": [2, 3], "A_plus": 0.5, "A_minus": 0.5, "resist_scale": 0.5,
      "weight_init": {"init": "uniform", "kw": {"low": 0.2, "high": 0.6}}}, steps=3, key=4,
     inputs=stdp_inputs(2, 3, 1))
case("TraceSTDPSynapse/p_conn", "TraceSTDPSynapse",
     {"shape": [3, 4], "A_plus": 1.0, "A_minus": 0.5, "p_conn": 0.5}, steps=2, key=5,
     inputs=stdp_inputs(3, 4, 1))

# ------------------------------------------------------------------------------ STDPSynapse
def stdp_pair_case(name, args, T, b=1, p=0.35, dt=1.0, key=6):
    n_in, n_out = args["shape"]
    s_pre, t_pre = spike_train(T, b, n_in, p, dt)
    s_post, t_post = spike_train(T, b, n_out, p, dt)
    case(name, "STDPSynapse", args, steps=T, key=key, dt=dt, methods=("evolve",),
         inputs=lambda i: {"preSpike": s_pre[i].tolist(), "postSpike": s_post[i].tolist(),
                           "pre_tols": t_pre[i].tolist(), "post_tols": t_post[i].tolist()})


stdp_pair_case("STDPSynapse/ltp_only", {"shape": [3, 4], "A_plus": 0.6, "A_minus": 0.0,
                                        "tau_plus": 4.0, "eta": 0.5, "w_decay": 0.01}, T=8)
stdp_pair_case("STDPSynapse/euler_decay", {"shape": [3, 2], "A_plus": 0.3, "A_minus": 0.0,
                                           "tau_plus": 6.0, "eta": 0.2, "tau_w": 20.0},
               T=6, dt=0.5, key=7)
stdp_pair_case("STDPSynapse/with_ltd", {"shape": [3, 4], "A_plus": 0.5, "A_minus": 0.4,
                                        "tau_plus": 5.0, "tau_minus": 8.0, "eta": 0.1},
               T=8, key=8)

# --------------------------------------------------------------------------- ExpSTDPSynapse
case("ExpSTDPSynapse/plain", "ExpSTDPSynapse",
     {"shape": [3, 4], "A_plus": 1.0, "A_minus": 0.5, "exp_beta": 1.5, "eta": 0.05,
      "pretrace_target": 0.1}, steps=6, key=9, inputs=stdp_inputs(3, 4, 1), resets=(3,))
case("ExpSTDPSynapse/mask_bound_batch", "ExpSTDPSynapse",
     {"shape": [3, 4], "A_plus": 0.7, "A_minus": 0.0, "exp_beta": 0.5, "eta": 0.1,
      "w_bound": 0.8, "weight_mask": MASK, "batch_size": 2}, steps=4, key=10,
     inputs=stdp_inputs(3, 4, 2))
case("ExpSTDPSynapse/tau_w_ignored", "ExpSTDPSynapse",
     {"shape": [2, 3], "A_plus": 0.5, "A_minus": 0.5, "exp_beta": 1.0, "eta": 0.1,
      "tau_w": 10.0}, steps=4, key=11, inputs=stdp_inputs(2, 3, 1))


# ------------------------------------------------------------------------- EventSTDPSynapse
def event_case(name, args, T, b=1, p=0.3, dt=1.0, key=12):
    n_in, n_out = args["shape"]
    _, t_pre = spike_train(T, b, n_in, p, dt)
    s_post, _ = spike_train(T, b, n_out, 0.5, dt)
    case(name, "EventSTDPSynapse", args, steps=T, key=key, dt=dt,
         inputs=lambda i: {"inputs": spikes(b, n_in), "pre_tols": t_pre[i].tolist(),
                           "postSpike": s_post[i].tolist()})


event_case("EventSTDPSynapse/window2", {"shape": [4, 3], "eta": 0.05}, T=8)
event_case("EventSTDPSynapse/window0", {"shape": [4, 3], "eta": 0.1, "lmbda": 0.05,
                                        "A_plus": 0.5, "A_minus": 0.2, "presyn_win_len": 0.0,
                                        "w_bound": 0.9}, T=8, p=0.5, key=13)
event_case("EventSTDPSynapse/batch2", {"shape": [4, 3], "eta": 0.05, "batch_size": 2}, T=3,
           b=2, key=14)

# -------------------------------------------------------------------- InhibitorySTDPSynapse
def istdp_inputs(n_in, n_out, b, volt=False):
    def f(i):
        d = {"inputs": spikes(b, n_in), "s_pre": spikes(b, n_in, p=0.4),
             "s_post": spikes(b, n_out, p=0.4)}
        if volt:
            d["v_post"] = rand(b, n_out)
        return d
    return f


case("InhibitorySTDPSynapse/vogels", "InhibitorySTDPSynapse",
     {"shape": [3, 4], "eta": 0.05, "rho": 0.1, "tau_x_pre": 5.0, "tau_x_post": 8.0,
      "batch_size": 2}, steps=6, key=15, inputs=istdp_inputs(3, 4, 2), resets=(4,))
case("InhibitorySTDPSynapse/hard_bounds", "InhibitorySTDPSynapse",
     {"shape": [3, 4], "eta": 0.2, "Aplus": 2.0, "Aminus": 0.5, "use_soft_bounds": False,
      "w_max": 0.7, "w_min": 0.05, "tau_x_pre": 4.0, "tau_x_post": 4.0}, steps=5, key=16,
     dt=0.5, inputs=istdp_inputs(3, 4, 1))
case("InhibitorySTDPSynapse/foldiak", "InhibitorySTDPSynapse",
     {"shape": [3, 4], "eta": 0.1, "rho": 0.3, "is_volt_dependent": True, "tau_x_pre": 3.0,
      "batch_size": 2}, steps=5, key=17, inputs=istdp_inputs(3, 4, 2, volt=True))
case("InhibitorySTDPSynapse/w_bound_alias", "InhibitorySTDPSynapse",
     {"shape": [2, 3], "eta": 0.1, "w_bound": 0.6, "mask": {"array": [[1, 0, 1], [1, 1, 0]]},
      "bias_init": {"init": "constant", "kw": {"value": 0.1}}}, steps=3, key=18,
     inputs=istdp_inputs(2, 3, 1))

# ------------------------------------------------------------------------------ SOMSynapse
def som_inputs(n_in, b):
    return lambda i: {"inputs": rand(b, n_in)}


case("SOMSynapse/euclidean_gaussian", "SOMSynapse",
     {"n_inputs": 3, "n_units_x": 3, "n_units_y": 3, "eta": 0.5}, steps=5, key=19,
     inputs=som_inputs(3, 1), resets=(3,))
case("SOMSynapse/manhattan_ricker_batch", "SOMSynapse",
     {"n_inputs": 3, "n_units_x": 4, "n_units_y": 4, "eta": 0.3, "batch_size": 2,
      "distance_function": "manhattan", "neighbor_function": "ricker",
      "weight_init": {"init": "uniform", "kw": {"low": 0.0, "high": 1.0}}}, steps=4, key=20,
     inputs=som_inputs(3, 2))
case("SOMSynapse/cosine_gconduct", "SOMSynapse",
     {"n_inputs": 4, "n_units_x": 3, "n_units_y": 3, "eta": 0.2, "distance_function": "cosine",
      "g_conduct_factor": 3.0}, steps=4, key=21, inputs=som_inputs(4, 1))
case("SOMSynapse/rectangular", "SOMSynapse",  # ngc-learn builds coordinates only for squares
     {"n_inputs": 3, "n_units_x": 2, "n_units_y": 3, "eta": 0.5}, steps=2, key=28,
     inputs=som_inputs(3, 1))


# --------------------------------------------------------------------------- MSTDPETSynapse
def mstdp_inputs(n_in, n_out, b):
    base = stdp_inputs(n_in, n_out, b)
    return lambda i: {**base(i), "modulator": rand(b, 1, low=-1.0, high=1.0)}


case("MSTDPETSynapse/mstdp", "MSTDPETSynapse",
     {"shape": [3, 4], "A_plus": 1.0, "A_minus": 0.5, "eta": 0.1}, steps=6, key=22,
     inputs=mstdp_inputs(3, 4, 1), resets=(0,))
case("MSTDPETSynapse/eligibility", "MSTDPETSynapse",
     {"shape": [3, 4], "A_plus": 0.8, "A_minus": 0.4, "eta": 0.2, "mu": 1.0, "tau_elg": 5.0,
      "elg_decay": 0.9, "tau_w": 100.0, "pretrace_target": 0.1}, steps=7, key=23,
     inputs=mstdp_inputs(3, 4, 1), resets=(0, 4))
case("MSTDPETSynapse/before_reset", "MSTDPETSynapse",
     {"shape": [2, 3], "A_plus": 1.0, "A_minus": 0.5, "eta": 0.5, "tau_elg": 2.0}, steps=3,
     key=24, inputs=mstdp_inputs(2, 3, 1))


# ------------------------------------------------------------------------- REINFORCESynapse
def reinforce_inputs(n_in, b, mask_at=None):
    def f(i):
        d = {"inputs": rand(b, n_in, low=-1.0, high=1.0), "rewards": rand(b, low=-1.0, high=1.0)}
        if mask_at is not None:
            d["learning_mask"] = float(mask_at(i))
        return d
    return f


case("REINFORCESynapse/learned_std", "REINFORCESynapse",
     {"shape": [3, 2], "eta": 0.5, "act_fx": "tanh", "mu_act_fx": "tanh", "batch_size": 2,
      "seed": 3}, steps=5, key=25, methods=("evolve",),
     inputs=reinforce_inputs(3, 2, mask_at=lambda i: i % 2))
case("REINFORCESynapse/scalar_std_clip", "REINFORCESynapse",
     {"shape": [2, 2], "eta": 0.2, "decay": 0.9, "scalar_stddev": 0.5, "mu_out_min": -0.5,
      "mu_out_max": 0.5, "w_bound": 0.8, "seed": 9}, steps=4, key=26, methods=("evolve",),
     inputs=reinforce_inputs(2, 1, mask_at=lambda i: 1))
case("REINFORCESynapse/reset", "REINFORCESynapse",
     {"shape": [2, 3], "eta": 0.1, "seed": 5}, steps=4, key=27, methods=("evolve",),
     inputs=reinforce_inputs(2, 1, mask_at=lambda i: 1), resets=(2,))


# ------------------------------------------------------------------------- OjaTensorSynapse
def oja_inputs(n_in, n_out, b):
    return lambda i: {"inputs": rand(b, n_in, low=-1.0, high=1.0),
                      "pre": rand(b, n_in, low=-1.0, high=1.0),
                      "post": rand(b, n_out, low=-1.0, high=1.0)}


OJA = {"n_in_streams": 4, "K_local": 2, "O_local": 2, "P_l": 2}   # S = 3 windows: (8, 6) io
case("OjaTensorSynapse/oja", "OjaTensorSynapse", {**OJA, "eta": 1.0, "batch_size": 2}, steps=4,
     key=29,
     inputs=oja_inputs(8, 6, 2))
case("OjaTensorSynapse/hebbian_descent", "OjaTensorSynapse",
     {**OJA, "eta": 1.0, "oja_factor": 0.0, "sign_value": -1.0, "resist_scale": 2.0,
      "weight_init": {"init": "gaussian", "kw": {"mean": 0.0, "std": 0.1}}}, steps=3, key=30,
     inputs=oja_inputs(8, 6, 1))
case("OjaTensorSynapse/normalize", "OjaTensorSynapse",
     {**OJA, "eta": 1.0, "normalize": True, "stride": 2, "batch_size": 2}, steps=3, key=31,
     inputs=oja_inputs(8, 4, 2))
case("OjaTensorSynapse/block_matrix", "OjaTensorSynapse",
     {**OJA, "eta": 1.0, "normalize": True, "use_block_matrix_format": True, "batch_size": 2},
     steps=3, key=32,
     inputs=oja_inputs(8, 6, 2), resets=(1,))
case("OjaTensorSynapse/eta_ignored", "OjaTensorSynapse", {**OJA, "eta": 0.1}, steps=3, key=33,
     inputs=oja_inputs(8, 6, 1))


# ------------------------------------------------------------------------------- running
@contextlib.contextmanager
def buildable(spec):
    """STDPSynapse needs tau_plus supplied (see the module docstring)."""
    if spec["cls"] != "STDPSynapse":
        yield
        return
    builtins.tau_plus = spec["args"].get("tau_plus", 10.0)
    Compartment.value = property(lambda self: self.get())
    try:
        yield
    finally:
        del builtins.tau_plus
        del Compartment.value


def run_case(idx, spec):
    cls = CLASSES[spec["cls"]]
    args = {k: decode(k, v) for k, v in spec["args"].items()}
    if spec["cls"] == "STDPSynapse":
        args.pop("tau_plus", None)  # supplied through builtins
    with buildable(spec), Context(f"ref{idx}"):
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
    init = getattr(init, "_original", init)  # ngcsimlib's deprecate_args wrapper
    params = []
    for p in list(inspect.signature(init).parameters.values())[1:]:
        if p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
            continue
        d = None if p.default is p.empty else p.default
        if isinstance(d, float) and not np.isfinite(d):
            d = str(d)
        params.append({"name": p.name, "required": p.default is p.empty, "default": d})
    return params


def main():
    out = {"meta": {"ngclearn": ngclearn.__version__, "jax": jax.__version__,
                    "python": sys.version.split()[0]},
           "signatures": {c: signature(cls) for c, cls in CLASSES.items()},
           "help": {}, "cases": []}
    for c, cls in CLASSES.items():
        with contextlib.suppress(Exception):
            out["help"][c] = json.loads(json.dumps(cls.help(), default=str))
    for idx, spec in enumerate(CASES):
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            try:
                result = run_case(idx, spec)
            except Exception as exc:  # recorded; the tests assert it
                result = {"error": f"{type(exc).__name__}: {exc}"}
        out["cases"].append({**spec, **result})
        print(f"{spec['name']:<45} {result.get('error', 'ok')}")
    with open(OUT, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print("wrote", OUT, os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
