"""Helpers of the plasticity tests: the ngc-learn reference cases, rebuilt and run in ngclab."""
from __future__ import annotations

import contextlib
import inspect

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from ngclab import Context, MethodProcess
from ngclab import components as C
from ngclab.utils.distribution_generator import DistributionGenerator as DG
from tests.helpers import reference

ATOL = 1e-5


def ref() -> dict:
    """tests/reference/plasticity_reference.json, written under ngc-learn 3.2.3."""
    return reference("plasticity")


def cases() -> dict:
    return {c["name"]: c for c in ref()["cases"]}


def decode(name, v):
    """A constructor argument from its JSON encoding (see plasticity_reference.py)."""
    if isinstance(v, dict) and "init" in v:
        return getattr(DG, v["init"])(**v["kw"])
    if isinstance(v, dict) and "array" in v:
        return jnp.asarray(np.asarray(v["array"], np.float32))
    if v in ("inf", "-inf"):
        return float(v)
    if name == "shape" and isinstance(v, list):
        return tuple(v)
    return v


def value(entry) -> np.ndarray:
    """A recorded compartment value."""
    return np.asarray(entry["data"], dtype=entry["dtype"]).reshape(entry["shape"])


def build(spec, ctx_name="m", **override):
    """The case's component in a fresh Context, with one process per kind of step."""
    args = {k: decode(k, v) for k, v in spec["args"].items()}
    args.update(override)
    # deprecated names still work, with a DeprecationWarning (as in ngc-learn)
    renamed = ("resist_scale" in args and spec["cls"] != "OjaTensorSynapse") or (
        spec["cls"] == "InhibitorySTDPSynapse" and "w_bound" in args)
    warns = pytest.warns(DeprecationWarning) if renamed else contextlib.nullcontext()
    with Context(ctx_name) as ctx, warns:
        comp = getattr(C, spec["cls"])("c", key=jax.random.PRNGKey(spec["key"]), **args)
        procs = {}
        for st in spec["steps"]:
            sig = tuple(st["methods"])
            if sig not in procs and sig != ("reset",):
                p = MethodProcess(f"p{len(procs)}")
                for m in sig:
                    p = p >> getattr(comp, m)
                procs[sig] = p
    return ctx, comp, procs


def call(method, **keywords):
    """Call a component method eagerly with the keywords (t, dt) it takes."""
    names = inspect.signature(method).parameters
    return method(**{k: v for k, v in keywords.items() if k in names})


def snapshot(comp) -> dict:
    return {n: np.asarray(c.get()) for n, c in comp.compartments.items()}


def trajectory(spec, compiled=False, **override):
    """ngclab's values of every compartment after construction and after each step, run
    eagerly (methods called directly) or through the compiled processes."""
    _, comp, procs = build(spec, **override)
    snaps = [snapshot(comp)]
    for i, st in enumerate(spec["steps"]):
        for cname, v in st["inputs"].items():
            getattr(comp, cname).set(jnp.asarray(np.asarray(v, np.float32)))
        t, dt = i * spec["dt"], spec["dt"]
        if compiled and st["methods"] == ["reset"]:
            comp.reset()   # (eagerly: a few zero fills are cheaper than compiling a reset)
        elif compiled:
            procs[tuple(st["methods"])].run(t=t, dt=dt)
        else:
            for m in st["methods"]:
                call(getattr(comp, m), t=jnp.float32(t), dt=jnp.float32(dt))
        snaps.append(snapshot(comp))
    return comp, snaps


def comparable(mine: np.ndarray, theirs: np.ndarray) -> np.ndarray:
    """ngc-learn keeps some values in equivalent shapes: biases without a bias_init are a
    scalar 0 (ngclab: zeros (1, n)), eta a (1, 1) compartment (ngclab: a scalar knob)."""
    if mine.shape == theirs.shape:
        return theirs
    if theirs.size == mine.size:
        return theirs.reshape(mine.shape)
    return np.broadcast_to(theirs, mine.shape)


def inputs_up_to(spec, step) -> dict:
    """The values of the inputs set up to (and including) step ``step`` (1-based)."""
    vals = {}
    for st in spec["steps"][:step]:
        vals.update({k: np.asarray(v, np.float32) for k, v in st["inputs"].items()})
    return vals
