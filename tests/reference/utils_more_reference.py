"""ngc-learn 3.2.3 reference outputs for the ngclab.utils subpackages (diffeq, model_utils'
group operations, filters, feature_dictionaries, masks, matrix_utils, density, analysis) and
ngclab.modules.regression.

Run it with a Python 3.12 virtual environment holding ngclearn==3.2.3 (not with ngclab's):

    python tests/reference/utils_more_reference.py

It writes tests/reference/utils_more_reference.json next to itself. Inputs are generated here
(numpy RandomState or literals) and stored with the outputs. A call that fails inside ngc-learn
is recorded as {"error": "<ExceptionType>"}; the tests check those failures too.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import sys

import jax
import jax.numpy as jnp
import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "utils_more_reference.json")


def L(a):
    """Array (or pytree of arrays) -> nested lists of python numbers."""
    if isinstance(a, (list, tuple)):
        return [L(v) for v in a]
    return np.asarray(a).tolist()


def attempt(fn, *args, **kwargs):
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            return L(fn(*args, **kwargs))
    except Exception as exc:  # recorded, checked by the tests
        return {"error": type(exc).__name__}


rs = np.random.RandomState(7)
f32 = lambda *shape: rs.randn(*shape).astype(np.float32)  # noqa: E731
ref: dict = {"meta": {"ngclearn": "3.2.3", "jax": jax.__version__,
                      "python": sys.version.split()[0]}}

# ------------------------------------------------------------------------------ diffeq
from ngclearn.utils.diffeq import ode_utils as ou, odes  # noqa: E402

de = ref["diffeq"] = {}
de["codes"] = {n: ou.get_integrator_code(n) for n in
               ("euler", "midpoint", "rk2", "heun", "rk2_heun", "ralston", "rk2_ralston", "rk4")}
systems = {"linear_2D": [3.0, -1.5], "cubic_2D": [2.0, 0.0], "lorenz": [-8.0, 7.0, 27.0],
           "linear_3D": [1.0, 1.0, -1.0], "oscillator": [0.5, 0.05, 0.1]}
de["odes"] = {}
for name, x0 in systems.items():
    fx = getattr(odes, name)
    pts = np.concatenate([np.asarray([x0], np.float32), f32(3, len(x0))], axis=0)
    de["odes"][name] = {"x": L(pts), "dx": L(fx(0.0, jnp.asarray(pts), None))}
steps = {"euler": ou.step_euler, "rk2": ou.step_rk2, "heun": ou.step_heun,
         "ralston": ou.step_ralston, "rk4": ou.step_rk4}
de["steps"] = []
for sys_name in ("linear_2D", "lorenz"):
    x0 = jnp.asarray(systems[sys_name], jnp.float32)
    for dt, xs in ((0.01, 1.0), (0.05, 0.9)):
        case = {"system": sys_name, "x0": L(x0), "t": 0.5, "dt": dt, "x_scale": xs}
        for k, fn in steps.items():
            case[k] = L(fn(0.5, x0, getattr(odes, sys_name), dt, None, x_scale=xs))
        de["steps"].append(case)
de["solve"] = []
for method in ("euler", "heun", "rk2", "rk4", "ralston"):
    x0 = jnp.asarray([3.0, -1.5], jnp.float32)
    ts, xs = ou.solve_ode(method, 0.0, x0, T=40, dfx=odes.linear_2D, dt=0.05, params=None,
                          sols_only=True)
    de["solve"].append({"method": method, "ts": L(ts), "xs": L(xs)})
de["solve_unknown"] = attempt(ou.solve_ode, "midpoint", 0.0, jnp.ones(2), 3, odes.linear_2D,
                              0.1)


def harmonic_force(t, q, params):  # dp/dt = -k q
    return -2.0 * q


t_l, q_l, p_l = ou.leapfrog(0.0, jnp.asarray([1.0, 0.5]), jnp.asarray([0.0, -1.0]),
                            harmonic_force, 25, 0.1, None)
de["leapfrog_ngclearn"] = {"q0": [1.0, 0.5], "p0": [0.0, -1.0], "k": 2.0, "L": 25, "h": 0.1,
                           "t": L(t_l), "q": L(q_l), "p": L(p_l)}

# -------------------------------------------------------------- model_utils group ops
from ngclearn.utils import model_utils as mu  # noqa: E402

g = ref["group_ops"] = {}
x = f32(3, 8)
masks = np.zeros((2, 8), np.float32)
masks[0, :4] = 1.0
masks[1, 4:] = 1.0
overlap = np.zeros((3, 8), np.float32)
overlap[0, :5] = 1.0
overlap[1, 3:] = 1.0
overlap[2, ::2] = 1.0
g["x"], g["masks"], g["overlap"] = L(x), L(masks), L(overlap)
g["chebyshev_norm"] = L(mu.chebyshev_norm(x))
g["chebyshev_norm_axis0"] = L(mu.chebyshev_norm(x, 0, True))
g["group_mean"] = L(mu.group_mean(jnp.asarray(x), jnp.asarray(masks)))
g["group_mean_overlap"] = L(mu.group_mean(jnp.asarray(x), jnp.asarray(overlap)))
for k in (1, 2, 3):
    g[f"lkwta_{k}"] = L(mu.lkwta(jnp.asarray(x), jnp.asarray(masks), nWTA=k))
    g[f"quantile_lkwta_{k}"] = L(mu.quantile_lkwta(jnp.asarray(x), jnp.asarray(masks), nWTA=k))
    g[f"d_quantile_lkwta_{k}"] = L(mu.d_quantile_lkwta(jnp.asarray(x), jnp.asarray(masks),
                                                       nWTA=k))
one_group = np.ones((1, 8), np.float32)
g["kwta_one_group_3"] = L(mu.kwta(jnp.asarray(x), jnp.asarray(one_group), nWTA=3))
g["lkwta_one_group_clip"] = L(mu.lkwta(jnp.asarray(x), jnp.asarray(one_group), 3, 0.5))
g["d_kwta_one_group_3"] = L(mu.d_kwta(jnp.asarray(x), jnp.asarray(one_group), nWTA=3))
spikes = (rs.rand(4, 12) > 0.6).astype(np.float32)
g["spikes"] = L(spikes)
g["sample_values_by_group"] = L(mu.sample_values_by_group(jax.random.PRNGKey(3),
                                                          jnp.asarray(spikes), 3))
amap = np.array([[1.0, 0.0, 1.0], [0.0, 2.0, -1.0]], np.float32)
g["block_map"] = L(amap)
g["create_block_matrix"] = L(mu.create_block_matrix(amap, (2, 3), alpha_inh=0.5, alpha_exc=2.0))
g["create_block_matrix_default"] = L(mu.create_block_matrix(amap, (2, 2)))
g["eye_wrapped_vals"] = [1.0, 2.0, 3.0, 4.0, 5.0]
g["eye_wrapped_2"] = L(mu.eye_wrapped(5, 2, jnp.asarray(g["eye_wrapped_vals"])))
g["eye_wrapped_m1"] = L(mu.eye_wrapped(5, -1, jnp.asarray(g["eye_wrapped_vals"])))
bm = f32(4, 6)
g["block_matrix"] = L(bm)
for order, axis in ((2, 0), (2, 1), (1, 0), (2, 5), (1, 5)):
    g[f"normalize_block_{order}_{axis}"] = L(mu.normalize_block_matrix(
        jnp.asarray(bm), (2, 3), order, axis, 1.5))

# ---------------------------------------------------------------------------- filters
from ngclearn.utils.filters import cortical_gaussian_filter, gaussian_filter  # noqa: E402

fl = ref["filters"] = {}
img = rs.rand(2, 1, 7, 6).astype(np.float32)
fl["images"] = L(img)
fl["dog"] = L(gaussian_filter(jnp.asarray(img), 1.0, 2.5, 2))
fl["rog"] = L(gaussian_filter(jnp.asarray(img), 0.8, 1.6, 3, True))
fl["cortical_dog"] = L(cortical_gaussian_filter(jnp.asarray(img), 1.0, 2.0, 2))
fl["cortical_rog"] = L(cortical_gaussian_filter(jnp.asarray(img), 1.0, 2.0, 2, True, 0.2))
fl["cortical_rog_exp"] = L(cortical_gaussian_filter(jnp.asarray(img), 0.7, 1.9, 1, True, 0.1,
                                                    1.5, 1.8))
fl["three_channels"] = attempt(gaussian_filter, jnp.ones((1, 3, 5, 5)), 1.0, 2.0, 1)
fl["reflect"] = attempt(gaussian_filter, jnp.asarray(img), 1.0, 2.0, 1, False, "reflect")

# ----------------------------------------------------------------- feature_dictionaries
from ngclearn.utils.feature_dictionaries import PolynomialLibrary  # noqa: E402

pl = ref["poly"] = []
xv, yv, zv = (rs.rand(5).astype(np.float32) for _ in range(3))
for dims in (1, 2, 3):
    for order in (0, 2, 3):
        for bias in (True, False):
            lib, names = PolynomialLibrary(order, bias).fit([xv, yv, zv][:dims])
            pl.append({"dims": dims, "order": order, "bias": bias,
                       "X": L([xv, yv, zv][:dims]), "lib": L(lib), "names": names})

# ------------------------------------------------------------------------------ masks
from ngclearn.utils.masks import MaskCollator  # noqa: E402

cfgs = [{"spatial_scale": (0.15, 0.2), "aspect_ratio": (0.75, 1.5), "num_blocks": 2},
        {"spatial_scale": (0.4, 0.6), "aspect_ratio": (0.5, 2.0), "num_blocks": 1,
         "max_keep": 20}]
mc = MaskCollator(cfgs, crop_size=(32, 48), patch_size=(4, 4))
calls = []
for n in (3, 2):
    enc, pred = mc(list(range(n)))
    calls.append({"batch": n, "enc": L(enc), "pred": L(pred)})
mc.step()
enc, pred = mc(list(range(2)))
calls.append({"batch": 2, "after_step": True, "enc": L(enc), "pred": L(pred)})
ref["masks"] = {"cfgs": cfgs, "crop_size": [32, 48], "patch_size": [4, 4], "calls": calls}

# ------------------------------------------------------------------------ matrix_utils
from ngclearn.utils.matrix_utils import decompose_to_mps  # noqa: E402

W = f32(5, 4)
ref["mps"] = {"W": L(W)}
for bd in (2, 4, 16):
    c1, c2 = decompose_to_mps(jnp.asarray(W), bond_dim=bd)
    # singular vectors are defined up to sign: store the product and the core shapes
    ref["mps"][str(bd)] = {"shapes": [list(c1.shape), list(c2.shape)],
                           "product": L(jnp.einsum("oia,ajp->ij", c1, c2))}

# the mixtures, probes and regression circuits (a second file, to keep each one short)
from utils_more_reference_models import add_model_references  # noqa: E402

add_model_references(ref, rs)

with open(OUT, "w") as fd:
    json.dump(ref, fd)
print("wrote", OUT)
