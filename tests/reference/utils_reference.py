"""Compute ngc-learn 3.2.3 reference outputs for ngclab.utils tests.

Run with the reference interpreter (NOT ngclab's):

    /opt/ngcref/bin/python tests/reference/utils_reference.py

It writes tests/reference/utils_reference.json next to itself. Every input is generated here
(numpy RandomState(0) or fixed literals) and stored in the JSON with the outputs, so the ngclab
tests feed ngclab exactly the same numbers. Calls that fail inside ngc-learn are recorded as
{"error": "<ExceptionType>"}; the tests assert those failures too, so a fixed upstream would be
noticed when the file is regenerated.
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

import ngclearn
from ngclearn.utils import model_utils as mu
from ngclearn.utils import metric_utils as me
from ngclearn.utils import surrogate_fx as sf
from ngclearn.utils import patch_utils as pu
from ngclearn.utils.data_loader import DataLoader
from ngclearn.utils.distribution_generator import DistributionGenerator as DG
from ngclearn.utils.optim import get_opt_init_fn, get_opt_step_fn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "utils_reference.json")


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


rs = np.random.RandomState(0)
ref: dict = {"meta": {"ngclearn": ngclearn.__version__ if hasattr(ngclearn, "__version__")
                      else "3.2.3", "jax": jax.__version__, "python": sys.version.split()[0]}}

# ---------------------------------------------------------------------------- activations
x = np.array([[-3.0, -1.5, -0.5, 0.0, 0.25, 1.0, 2.5, 6.0],
              [7.0, -0.01, 0.01, 3.0, -6.5, 0.5, -2.0, 1.7]], np.float32)
x_unit = np.array([[-0.9, -0.5, -0.1, 0.0, 0.2, 0.6, 0.95, 0.3]], np.float32)
x_prob = np.array([[0.01, 0.02, 0.2, 0.5, 0.8, 0.97, 0.99, 0.4]], np.float32)
act = {"x": L(x), "x_unit": L(x_unit), "x_prob": L(x_prob)}
for name in ["identity", "d_identity", "relu", "d_relu", "lrelu", "d_lrelu", "relu6", "d_relu6",
             "tanh", "d_tanh", "sigmoid", "d_sigmoid", "softplus", "d_softplus", "silu",
             "d_silu", "gelu", "d_gelu", "elu", "d_elu", "telu", "d_telu", "sine", "d_sine",
             "heaviside", "d_heaviside", "threshold", "d_threshold", "softmax", "d_softmax",
             "binarize", "one_hot"]:
    act[name] = attempt(getattr(mu, name), jnp.asarray(x))
act["sine_omega2"] = attempt(mu.sine, jnp.asarray(x), 2.0)
act["d_sine_omega2"] = attempt(mu.d_sine, jnp.asarray(x), 2.0)
act["elu_alpha0.5"] = attempt(mu.elu, jnp.asarray(x), 0.5)
act["d_elu_alpha0.5"] = attempt(mu.d_elu, jnp.asarray(x), 0.5)
act["swish_beta1.5"] = attempt(mu.swish, jnp.asarray(x), 1.5)
act["d_swish_beta1.5"] = attempt(mu.d_swish, jnp.asarray(x), 1.5)
act["softmax_tau0.5"] = attempt(mu.softmax, jnp.asarray(x), 0.5)
act["d_softmax_tau0.5"] = attempt(mu.d_softmax, jnp.asarray(x), 0.5)
act["threshold_thr0.3"] = attempt(mu.threshold, jnp.asarray(x), 0.3)
act["bkwta_3"] = attempt(mu.bkwta, jnp.asarray(x), 3)
act["bkwta_default"] = attempt(mu.bkwta, jnp.asarray(x))
act["binarize_thr0"] = attempt(mu.binarize, jnp.asarray(x), 0.0)
act["clamp_min_0.5"] = attempt(mu.clamp_min, jnp.asarray(x), 0.5)
act["clamp_max_0.5"] = attempt(mu.clamp_max, jnp.asarray(x), 0.5)
act["clip_-1_2"] = attempt(mu.clip, jnp.asarray(x), -1.0, 2.0)
act["d_clip_-1_2"] = attempt(mu.d_clip, jnp.asarray(x), -1.0, 2.0)
act["threshold_soft_0.5"] = attempt(mu.threshold_soft, jnp.asarray(x), 0.5)
act["threshold_cauchy_0.5"] = attempt(mu.threshold_cauchy, jnp.asarray(x), 0.5)
act["inverse_tanh"] = attempt(mu.inverse_tanh, jnp.asarray(x_unit))
act["inverse_logistic"] = attempt(mu.inverse_logistic, jnp.asarray(x_prob))
act["inverse_logistic_noclip"] = attempt(mu.inverse_logistic, jnp.asarray(x_prob), 0.0)
for order in (1, 2):
    for axis in (0, 1):
        act[f"normalize_matrix_o{order}_a{axis}"] = attempt(
            mu.normalize_matrix, jnp.asarray(x), 2.0, order, axis)
act["layer_normalize_row0"] = attempt(mu.layer_normalize, jnp.asarray(x[:1]), 0.5, 2.0)
act["layer_normalize_batch"] = attempt(mu.layer_normalize, jnp.asarray(x), 0.5, 2.0)
out, mask = mu.drop_out(jax.random.PRNGKey(11), jnp.asarray(x), 0.3)
act["drop_out_key11_rate0.3"] = {"out": L(out), "mask": L(mask)}
ref["activations"] = act

cf = {}
for name in ["tanh", "bkwta", "sine", "sigmoid", "relu", "lrelu", "relu6", "elu", "silu", "gelu",
             "telu", "softplus", "softmax", "unit_threshold", "heaviside", "heaviside_ste",
             "identity", "swish", "relu7"]:
    try:
        fx, dfx = mu.create_function(name)
        cf[name] = {"fx": L(fx(jnp.asarray(x))), "dfx": L(dfx(jnp.asarray(x)))}
    except Exception as exc:
        cf[name] = {"error": type(exc).__name__}
ref["create_function"] = cf

# ---------------------------------------------------------------------------- metrics
N, D = 4, 5
m_mu = rs.randn(N, D).astype(np.float32)
m_x = rs.randn(N, D).astype(np.float32)
logits = rs.randn(N, D).astype(np.float32)
p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
q_logits = rs.randn(N, D).astype(np.float32)
q = np.exp(q_logits) / np.exp(q_logits).sum(1, keepdims=True)
pb = (1.0 / (1.0 + np.exp(-logits))).astype(np.float32)
xb = (rs.rand(N, D) > 0.5).astype(np.float32)
yc = np.eye(D, dtype=np.float32)[[0, 3, 1, 3]]
guess = np.array([[0.1, 0.2, 0.0, 0.7, 0.0], [0.0, 0.1, 0.2, 0.6, 0.1],
                  [0.0, 0.9, 0.1, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0]], np.float32)
spikes = (rs.rand(20, 6) < np.linspace(0.1, 0.7, 6)).astype(np.float32)
responses = rs.rand(3, 7, 5).astype(np.float32) * (rs.rand(1, 7, 5) > 0.3)
responses[:, :, 2] = 0.0  # one silent neuron
codes = np.maximum(rs.randn(N, 8), 0).astype(np.float32)
S1 = np.array([[2.0, 0.3, 0.0], [0.3, 1.0, 0.2], [0.0, 0.2, 0.5]], np.float32)
S2 = np.array([[1.0, -0.2, 0.1], [-0.2, 1.5, 0.0], [0.1, 0.0, 0.8]], np.float32)
g_mu1 = np.array([[0.5, -1.0, 0.2]], np.float32)
g_mu2 = np.array([[0.0, 0.3, -0.4]], np.float32)
met = {"inputs": {"mu": L(m_mu), "x": L(m_x), "p": L(p), "q": L(q), "pb": L(pb), "xb": L(xb),
                  "yc": L(yc), "guess": L(guess), "spikes": L(spikes),
                  "responses": L(responses), "codes": L(codes), "S1": L(S1), "S2": L(S2),
                  "g_mu1": L(g_mu1), "g_mu2": L(g_mu2)}}
J = jnp.asarray
for pbat in (False, True):
    s = "_batch" if pbat else ""
    met["MSE" + s] = attempt(me.measure_MSE, J(m_mu), J(m_x), pbat)
    met["RMSE" + s] = attempt(me.measure_RMSE, J(m_mu), J(m_x), pbat)
    met["MAE" + s] = attempt(me.measure_MAE, J(m_mu), J(m_x), pbat)
    met["BCE" + s] = attempt(me.measure_BCE, J(pb), J(xb), 1e-7, pbat)
    met["CatNLL" + s] = attempt(me.measure_CatNLL, J(p), J(yc), 1e-7, pbat)
    met["KLD" + s] = attempt(me.measure_KLD, J(q), J(p), pbat)
    met["firingRate" + s] = attempt(me.measure_firingRate, J(spikes), pbat)
    met["fanoFactor" + s] = attempt(me.measure_fanoFactor, J(spikes), pbat)
    met["breadth_TC" + s] = attempt(me.measure_breadth_TC, J(responses), pbat)
    met["sparsity" + s] = attempt(me.measure_sparsity, J(codes), 0.1, pbat)
met["sparsity_flip"] = attempt(me.measure_sparsity, J(codes), 0.0, True, True)
met["breadth_TC_one_trial"] = attempt(me.measure_breadth_TC, J(responses[:1]), True)
met["ACC"] = attempt(me.measure_ACC, J(guess), J(yc))
met["ACC_int_labels"] = attempt(me.measure_ACC, J(guess), J(np.argmax(yc, 1)), False)
met["BIC_log"] = attempt(me.measure_BIC, J(m_x), 12, -35.5, True)
met["BIC_raw"] = attempt(me.measure_BIC, J(m_x), 12, 0.25, False)
met["gaussian_KLD_same_mu"] = attempt(me.measure_gaussian_KLD, J(g_mu1), J(S1), J(g_mu1), J(S2))
met["gaussian_KLD_same_mu_pinv"] = attempt(me.measure_gaussian_KLD, J(g_mu1), J(S1), J(g_mu1),
                                           J(S2), False)
met["gaussian_KLD_diff_mu"] = attempt(me.measure_gaussian_KLD, J(g_mu1), J(S1), J(g_mu2), J(S2))
res = me.analyze_scores(J(guess), J(yc))
met["analyze_scores"] = {"conf": L(res[0]), "precision": float(res[1]), "recall": float(res[2]),
                         "misses": float(res[3]), "acc": float(res[4]), "adj_acc": float(res[5])}
ref["metrics"] = met

# ---------------------------------------------------------------------------- initializers
init_cases = {
    "constant_v0.5": (DG.constant(value=0.5), (3, 4), 0),
    "constant_hollow": (DG.constant(value=2.0, hollow=True), (4, 4), 0),
    "constant_eye": (DG.constant(value=-1.0, eye=True), (3, 4), 0),
    "diag_offdiag": (DG.diag_offdiag(on_diag=1.5, off_diag=-0.25), (4, 3), 0),
    "uniform_default": (DG.uniform(), (3, 4), 1),
    "uniform_-0.1_0.1": (DG.uniform(low=-0.1, high=0.1), (5, 3), 2),
    "uniform_clip": (DG.uniform(low=-1.0, high=1.0, amin=-0.5, amax=0.25), (4, 4), 3),
    "uniform_lower": (DG.uniform(low=0.0, high=1.0, lower_triangle=True), (4, 4), 4),
    "uniform_upper": (DG.uniform(low=0.0, high=1.0, upper_triangle=True), (4, 5), 4),
    "uniform_hollow": (DG.uniform(low=0.025, high=0.8, hollow=True), (4, 4), 5),
    "uniform_colmask2": (DG.uniform(low=0.0, high=1.0, col_mask=2), (3, 6), 6),
    "uniform_colmask_list": (DG.uniform(low=0.0, high=1.0, col_mask=[0, 4]), (3, 6), 6),
    "uniform_rowmask2_square": (DG.uniform(low=0.0, high=1.0, row_mask=2), (5, 5), 7),
    "uniform_rowmask_list_square": (DG.uniform(low=0.0, high=1.0, row_mask=[1, 3]), (5, 5), 7),
    "uniform_col_and_rowmask_square": (DG.uniform(col_mask=3, row_mask=2), (5, 5), 8),
    "gaussian_default": (DG.gaussian(), (3, 4), 9),
    "gaussian_0_0.05": (DG.gaussian(mean=0.0, std=0.05), (6, 2), 10),
    "gaussian_1_2_amin": (DG.gaussian(mean=1.0, std=2.0, amin=0.0), (4, 4), 11),
    "fan_in_uniform": (DG.fan_in_uniform(), (3, 5), 12),
    "fan_in_gaussian": (DG.fan_in_gaussian(), (3, 5), 13),
    "fan_in_gaussian_4d": (DG.fan_in_gaussian(), (3, 3, 2, 4), 14),
    "uniform_float16": (DG.uniform(low=-1.0, high=1.0, dtype=jnp.float16), (2, 3), 15),
    "log_gaussian": (DG.log_gaussian(sigma=0.5), (3, 3), 16),
}
inits = {}
for name, (init, shape, seed) in init_cases.items():
    inits[name] = {"shape": list(shape), "seed": seed,
                   "value": attempt(init, shape, jax.random.PRNGKey(seed))}
np_cases = {
    "np_constant": (DG.constant(value=0.5, use_numpy=True), (3, 4), 21),
    "np_uniform": (DG.uniform(low=-0.1, high=0.1, use_numpy=True), (3, 4), 21),
    "np_gaussian": (DG.gaussian(mean=0.5, std=2.0, use_numpy=True), (3, 4), 22),
    "np_fan_in_uniform": (DG.fan_in_uniform(use_numpy=True), (3, 5), 23),
    "np_fan_in_gaussian": (DG.fan_in_gaussian(use_numpy=True), (3, 5), 24),
    "np_uniform_colmask": (DG.uniform(use_numpy=True, col_mask=2, hollow=True), (4, 5), 25),
    "np_log_gaussian": (DG.log_gaussian(sigma=0.5, use_numpy=True), (3, 3), 26),
}
for name, (init, shape, seed) in np_cases.items():
    inits[name] = {"shape": list(shape), "seed": seed, "value": attempt(init, shape, seed)}
ref["initializers"] = inits

# ---------------------------------------------------------------------------- optimizers
W0 = rs.randn(3, 2).astype(np.float32)
b0 = rs.randn(1, 2).astype(np.float32)
grads = [[rs.randn(3, 2).astype(np.float32), rs.randn(1, 2).astype(np.float32)]
         for _ in range(3)]
optim = {"W0": L(W0), "b0": L(b0), "grads": L(grads)}
for name, hyper in (("sgd", {"eta": 0.1}), ("adam", {"eta": 0.05}),
                    ("adam", {"eta": 0.01, "beta1": 0.5, "beta2": 0.9, "eps": 1e-4}),
                    ("nag", {"eta": 0.1, "mu": 0.8}), ("sgd", {}), ("adam", {})):
    key = name + "".join(f"_{k}{v}" for k, v in hyper.items())
    opt_params = get_opt_init_fn(name)([J(W0), J(b0)])
    step = get_opt_step_fn(name, **hyper)
    theta = [J(W0), J(b0)]
    trace = [{"opt_params": L(opt_params), "theta": L(theta)}]
    for g in grads:
        opt_params, theta = step(opt_params, theta, [J(g[0]), J(g[1])])
        trace.append({"opt_params": L(opt_params), "theta": L(theta)})
    optim[key] = {"name": name, "hyper": hyper, "trace": trace}
try:
    get_opt_init_fn("rmsprop")
    optim["unknown_name"] = "accepted"
except Exception as exc:
    optim["unknown_name"] = type(exc).__name__
ref["optim"] = optim

# ---------------------------------------------------------------------------- surrogates
v = np.array([[-2.0, -0.5, -0.1, 0.0, 0.1, 0.4, 0.5, 1.0, 3.0, 30.0]], np.float32)
sur = {"v": L(v)}
for est in ("straight_through_estimator", "arctan_estimator", "secant_lif_estimator",
            "triangular_estimator", "explicit_triangular_estimator", "boxcar_estimator"):
    if not hasattr(sf, est):
        continue
    spike_fx, surr_fx, d_fx = getattr(sf, est)(get_surr_fx=True)
    two = getattr(sf, est)()
    entry = {"n_returned": len(two), "n_returned_surr": 3,
             "spike_thr0.4": attempt(spike_fx, J(v), 0.4),
             "d_thr0.4": attempt(d_fx, J(v), 0.4),
             "surr_is_spike": surr_fx is spike_fx}
    if est == "arctan_estimator":
        entry["surr"] = attempt(surr_fx, J(v))
        entry["surr_alpha4"] = attempt(surr_fx, J(v), 4.0)
        entry["d_thr0.4_alpha4"] = attempt(d_fx, J(v), 0.4, 4.0)
    if est == "secant_lif_estimator":
        entry["surr"] = attempt(surr_fx, J(v))
        entry["d_scaled"] = attempt(d_fx, J(v), 0.0, 0.82, 0.08, False)
        entry["d_c1_1_c2_0.5"] = attempt(d_fx, J(v), 0.0, 1.0, 0.5)
    if est == "triangular_estimator":
        entry["d_thr0.4_alpha1"] = attempt(d_fx, J(v), 0.4, 1.0)
    if est in ("explicit_triangular_estimator", "boxcar_estimator"):
        entry["d_thr0.4_w0.5"] = attempt(d_fx, J(v), 0.4, 0.5)
    sur[est] = entry
ref["surrogate"] = sur

# ---------------------------------------------------------------------------- data loader
X = np.arange(10 * 2, dtype=np.float32).reshape(10, 2)
Y = np.arange(10, dtype=np.float32).reshape(10, 1) * -1
dl = {}
for name, kw in (("shuffle_equal", {}), ("shuffle_unequal", {"ensure_equal_batches": False}),
                 ("noshuffle_equal", {"disable_shuffle": True})):
    loader = DataLoader([("x", J(X)), ("y", J(Y))], batch_size=4, key=jax.random.PRNGKey(3), **kw)
    epochs = []
    for _ in range(2):
        epochs.append([{"x": L(b[0][1]), "y": L(b[1][1]), "names": [b[0][0], b[1][0]]}
                       for b in loader])
    dl[name] = epochs
ref["data_loader"] = {"X": L(X), "Y": L(Y), "cases": dl}

# ---------------------------------------------------------------------------- patches
img = (rs.rand(8, 8) * 10).astype(np.float32)
pt = {"img": L(img)}
for (ph, oh, frame, center) in ((4, 0, False, False), (4, 0, False, True), (4, 2, False, False),
                                (3, 1, True, False), (4, 2, True, True), (3, 0, False, False)):
    cp = pu.Create_Patches(J(img), (ph, ph), (oh, oh))
    pt[f"create_p{ph}_o{oh}_f{int(frame)}_c{int(center)}"] = attempt(cp.create_patches,
                                                                       frame, center)
batch = (rs.rand(2, 64) * 5).astype(np.float32)
pt["batch"] = L(batch)
pt["gps_p3_m5_s1234_c1"] = attempt(pu.generate_patch_set, J(batch), (3, 3), 5, True, 1234)
pt["gps_p2x3_m4_s7_c0"] = attempt(pu.generate_patch_set, J(batch), (2, 3), 4, False, 7)
pt["gps_p6_m100_s3_c0"] = attempt(pu.generate_patch_set, J(batch[:1]), (6, 6), 100, False, 3)
pt["gps_p7_mNone_c0"] = attempt(pu.generate_patch_set, J(batch[:1]), (7, 7), None, False, 0)
pt["gps_p7_m0.5_s5_c0"] = attempt(pu.generate_patch_set, J(batch[:1]), (7, 7), 0.5, False, 5)
vis = pu.generate_patch_set(J(batch), (3, 3), 2, True, 1234, True)
pt["gps_vis"] = {"patches": L(vis[0]), "mu": L(vis[1])}
ref["patches"] = pt

with open(OUT, "w") as fd:
    json.dump(ref, fd, indent=None, separators=(",", ":"))
print("wrote", OUT)
