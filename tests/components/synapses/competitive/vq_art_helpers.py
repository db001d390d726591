"""Helpers of the VectorQuantizeSynapse / ART2ASynapse tests: the ngc-learn reference cases of
tests/reference/competitive_vq_art_reference.json (written by competitive_vq_art_reference.py
under ngc-learn 3.2.3), rebuilt and run in ngclab. The classes are imported by module path."""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from ngclab import Context, MethodProcess
from ngclab.components.synapses.competitive.ART2ASynapse import ART2ASynapse
from ngclab.components.synapses.competitive.vectorQuantizeSynapse import VectorQuantizeSynapse
from tests.components.synapses.plasticity.plasticity_helpers import decode as plain_decode
from tests.components.synapses.plasticity.plasticity_helpers import snapshot
from tests.helpers import reference

CLASSES = {c.__name__: c for c in (VectorQuantizeSynapse, ART2ASynapse)}
EAGER = ("consolidate", "insert", "reset")


def cases() -> dict:
    """competitive_vq_art_reference.json's cases by name."""
    return {c["name"]: c for c in reference("competitive_vq_art")["cases"]}


def decode(name, v):
    """A constructor argument from its JSON encoding ({"tuple": [...]} is a tuple)."""
    if isinstance(v, dict) and "tuple" in v:
        return tuple(decode("", item) for item in v["tuple"])
    return plain_decode(name, v)


def build(spec, ctx_name="m", **override):
    """The case's component in a fresh Context, one compiled process per kind of step."""
    args = {k: decode(k, v) for k, v in spec["args"].items()}
    args.update(override)
    with Context(ctx_name) as ctx:
        comp = CLASSES[spec["cls"]]("c", key=jax.random.PRNGKey(spec["key"]), **args)
        procs = {}
        for st in spec["steps"]:
            sig = tuple(st["methods"])
            if sig not in procs and sig[0] not in EAGER:
                p = MethodProcess(f"p{len(procs)}")
                for m in sig:
                    p = p >> getattr(comp, m)
                procs[sig] = p
    return ctx, comp, procs


def trajectory(spec, **override):
    """ngclab's values of every compartment after construction and after each step."""
    _, comp, procs = build(spec, **override)
    snaps = [snapshot(comp)]
    for i, st in enumerate(spec["steps"]):
        for cname, v in st["inputs"].items():
            getattr(comp, cname).set(jnp.asarray(np.asarray(v, np.float32)))
        sig = tuple(st["methods"])
        if sig == ("insert",):
            comp.insert(jnp.asarray(np.asarray(st["x"], np.float32)), st["idx"])
        elif sig[0] in EAGER:
            getattr(comp, sig[0])()
        else:
            procs[sig].run(t=i * spec["dt"], dt=spec["dt"])
        snaps.append(snapshot(comp))
    return comp, snaps


def inputs_at(spec, step) -> dict:
    """The inputs set before step ``step`` (1-based, as the snapshots count)."""
    return {k: np.asarray(v, np.float32) for k, v in spec["steps"][step - 1]["inputs"].items()}
