"""Helpers of the sparse and patched synapse tests: the ngc-learn reference file, building the
same components in ngclab, bit-for-bit state comparisons."""
import jax.numpy as jnp
import numpy as np

import ngclab.components as C
from ngclab import Context, MethodProcess
from ngclab.utils.distribution_generator import DistributionGenerator as DG
from tests.helpers import reference

#: the initializers the reference file names (its meta.inits says the same)
INITS = {"bias": DG.gaussian(0., 0.1), "zeros": DG.constant(0.), "uniform": DG.uniform(-0.5, 0.5)}


def ref() -> dict:
    """tests/reference/sparse_patched_reference.json, written under ngc-learn 3.2.3."""
    return reference("sparse_patched")


def as_tuple(v):
    return tuple(as_tuple(x) for x in v) if isinstance(v, list) else v


def kwargs_of(case: dict) -> dict:
    """The constructor arguments of a reference case, as ngclab objects."""
    out = {}
    for k, v in case["kwargs"].items():
        if k.endswith("_init"):
            out[k] = INITS[v]
        elif k == "block_mask":
            out[k] = np.asarray(v, np.float32)
        else:
            out[k] = as_tuple(v)
    return out


def build_case(case: dict, ctx_name: str = "m", batch_size: int | None = None, **over):
    """(ctx, component, {method: process}) for a reference case (same key and batch)."""
    batch = ref()["meta"]["batch"] if batch_size is None else batch_size
    with Context(ctx_name) as ctx:
        comp = getattr(C, case["class"])("W", key=case["seed"], batch_size=batch,
                                         **{**kwargs_of(case), **over})
        procs = {m: MethodProcess(m) >> getattr(comp, m) for m in ("advance_state", "reset")}
        if hasattr(comp, "evolve"):
            procs["evolve"] = MethodProcess("evolve") >> comp.evolve
    return ctx, comp, procs


def flat_leaves(leaves) -> np.ndarray:
    """ngc-learn's optimizer-state leaves as one vector (ngclab's opt_params layout)."""
    return np.concatenate([np.ravel(np.asarray(x, np.float32)) for x in leaves])


def state(ctx) -> dict:
    return {k: np.array(v) for k, v in ctx.state.items()}


def bit_equal(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for k in a:
        assert a[k].dtype == b[k].dtype, k
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)


def rand(shape, seed=0, low=0., high=1.):
    return jnp.asarray(np.random.RandomState(seed).uniform(low, high, shape).astype(np.float32))
