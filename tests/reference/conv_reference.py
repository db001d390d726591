"""Reference values of ngc-learn 3.2.3's convolution synapses and ngcconv toolbox.

Run with the reference venv (ngc-learn 3.2.3 installed there; ngclab never imports it)::

    /opt/ngcref/bin/python tests/reference/conv_reference.py

It writes tests/reference/conv_reference.json:

* ``toolbox``: for each geometry, ngc-learn's conv2d / deconv2d / calc_dK_* / calc_dX_* /
  get_same_conv_padding called with the arguments its components compute (recorded too), the
  inputs, and the vector-Jacobian products of lax's convolution / transposed convolution with
  ``ngc_matches_vjp`` flags (False marks where ngc-learn is wrong);
* ``components``: multi-step runs (advance, evolve, backtransmit) of the conv synapses built with
  a given key, with the per-step compartment values, or the error ngc-learn raised;
* ``big_no_bias``: the documented failure: B=64, 28x28x1 maps, 5x5x1x32 filters, SAME,
  bias_init=None (sums of the first step's values, and the error of the second step).

Inputs are drawn with numpy's RandomState and stored, so the tests do not depend on any RNG.
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
from jax import lax
from ngclearn import Context, MethodProcess
from ngclearn.components.synapses.convolution import ngcconv as nc
from ngclearn.components.synapses.convolution.hebbianConvSynapse import (
    HebbianConvSynapse,
)
from ngclearn.components.synapses.convolution.hebbianDeconvSynapse import (
    HebbianDeconvSynapse,
)
from ngclearn.components.synapses.convolution.staticConvSynapse import StaticConvSynapse
from ngclearn.components.synapses.convolution.staticDeconvSynapse import (
    StaticDeconvSynapse,
)
from ngclearn.components.synapses.convolution.traceSTDPConvSynapse import (
    TraceSTDPConvSynapse,
)
from ngclearn.components.synapses.convolution.traceSTDPDeconvSynapse import (
    TraceSTDPDeconvSynapse,
)
from ngclearn.utils.distribution_generator import DistributionGenerator as DG

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "conv_reference.json")
DN = ("NHWC", "HWIO", "NHWC")
_ctx_id = itertools.count()


def L(a):
    return np.asarray(a, dtype=np.float32).tolist()


def rnd(rs, shape, kind="normal"):
    if kind == "spike":
        return (rs.uniform(size=shape) < 0.3).astype(np.float32)
    if kind == "trace":
        return rs.uniform(size=shape).astype(np.float32)
    return rs.normal(size=shape).astype(np.float32)


def vjp(kind, x, K, s, pad, g):
    if kind == "conv":
        f = lambda x, K: lax.conv_general_dilated(x, K, (s, s), pad, dimension_numbers=DN)
    else:
        f = lambda x, K: lax.conv_transpose(x, K, (s, s), pad, dimension_numbers=DN)
    y, back = jax.vjp(f, jnp.asarray(x), jnp.asarray(K))
    dx, dK = back(jnp.asarray(g))
    return np.asarray(y), np.asarray(dK), np.asarray(dx)


def close(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and bool(np.allclose(a, b, atol=1e-4))


# ---------------------------------------------------------------------------------------------
def toolbox_case(kind, N, k, s, pad, ci, co, B, seed):
    rs = np.random.RandomState(seed)
    cls = HebbianConvSynapse if kind == "conv" else HebbianDeconvSynapse
    with Context(f"tb{next(_ctx_id)}"):
        W = cls("W", (k, k, ci, co), (N, N), eta=0., padding=pad, stride=s, batch_size=B,
                key=jax.random.PRNGKey(seed))
    x = rnd(rs, (B, N, N, ci))
    K = rnd(rs, (k, k, ci, co))
    if kind == "conv":
        y = nc.conv2d(x, K, stride_size=s, padding=pad)
    else:
        y = nc.deconv2d(x, K, stride_size=s, padding=pad)
    g = rnd(rs, y.shape)
    y_v, dK_v, dX_v = vjp(kind, x, K, s, pad, g)
    case = {"kind": kind, "N": N, "k": k, "stride": s, "padding": pad, "n_in": ci, "n_out": co,
            "batch": B, "x": L(x), "K": L(K), "g": L(g), "y": L(y),
            "delta_shape": list(W.delta_shape), "x_delta_shape": list(W.x_delta_shape)}
    if kind == "conv":
        case["pad_args"] = [list(p) for p in W.pad_args]
        case["anti_padding"] = [list(p) for p in W.antiPad]
        dK = nc.calc_dK_conv(x, g, tuple(W.delta_shape), stride_size=s, padding=W.pad_args)
        dX = nc.calc_dX_conv(K, g, tuple(W.x_delta_shape), stride_size=s,
                             anti_padding=W.antiPad)
        try:
            case["same_padding"] = [list(p) for p in nc.get_same_conv_padding(x, K,
                                                                              stride_size=s)]
        except Exception as err:  # broken in ngc-learn 3.2.3 (jnp.take on a shape tuple)
            case["same_padding_error"] = f"{type(err).__name__}: {str(err)[:120]}"
        case["lax_same_padding"] = [list(p) for p in lax.padtype_to_pads((N, N), (k, k),
                                                                          (s, s), "SAME")]
    else:
        dK = nc.calc_dK_deconv(x, g, tuple(W.delta_shape), stride_size=s, out_size=k,
                               padding=pad)
        dX = nc.calc_dX_deconv(K, g, tuple(W.x_delta_shape), stride_size=s, padding=pad)
    case.update(dK=L(dK), dX=L(dX), vjp_dK=L(dK_v), vjp_dX=L(dX_v),
                ngc_matches_vjp={"y": close(y, y_v), "dK": close(dK, dK_v),
                                 "dX": close(dX, dX_v)})
    return case


def toolbox_cases():
    cases, seed = [], 0
    for kind, (N, k, s), pad in itertools.product(
            ("conv", "deconv"),
            ((6, 3, 1), (6, 3, 2), (7, 2, 3), (5, 3, 4), (8, 5, 2), (4, 1, 2), (5, 4, 1)),
            ("SAME", "VALID")):
        if kind == "conv" and pad == "VALID" and k > N:
            continue
        seed += 1
        cases.append(toolbox_case(kind, N, k, s, pad, 2, 3, 2, seed))
    return cases


# ---------------------------------------------------------------------------------------------
def run_component(spec):
    """Build one ngc-learn component and run ``steps`` of advance -> evolve -> backtransmit."""
    rs = np.random.RandomState(spec["seed"])
    cls = {"HebbianConvSynapse": HebbianConvSynapse, "HebbianDeconvSynapse": HebbianDeconvSynapse,
           "TraceSTDPConvSynapse": TraceSTDPConvSynapse,
           "TraceSTDPDeconvSynapse": TraceSTDPDeconvSynapse,
           "StaticConvSynapse": StaticConvSynapse,
           "StaticDeconvSynapse": StaticDeconvSynapse}[spec["class"]]
    kw = dict(spec["kwargs"])
    if "bias_const" in spec:
        kw["bias_init"] = DG.constant(spec["bias_const"])
    if "filter_uniform" in spec:
        kw["filter_init"] = DG.uniform(*spec["filter_uniform"])
    with Context(f"c{next(_ctx_id)}"):
        W = cls("W", tuple(spec["shape"]), tuple(spec["x_shape"]),
                key=jax.random.PRNGKey(spec["key"]), **kw)
        adv = MethodProcess("adv") >> W.advance_state
        plastic = hasattr(W, "evolve")
        if plastic:
            ev = MethodProcess("ev") >> W.evolve
            bt = MethodProcess("bt") >> W.backtransmit
    b0 = W.biases.get()
    rec = {"weights0": L(W.weights.get()), "biases0_shape": list(jnp.shape(b0)), "steps": [],
           "error": None}
    stdp = spec["class"].startswith("TraceSTDP")
    for t in range(spec["steps"]):
        x = rnd(rs, W.in_shape)
        step = {"inputs": L(x)}
        try:
            W.inputs.set(jnp.asarray(x))
            adv.run(t=float(t), dt=1.)
            step["outputs"] = L(W.outputs.get())
            if plastic:
                if stdp:
                    vals = {"preSpike": rnd(rs, W.in_shape, "spike"),
                            "preTrace": rnd(rs, W.in_shape, "trace"),
                            "postSpike": rnd(rs, W.out_shape, "spike"),
                            "postTrace": rnd(rs, W.out_shape, "trace")}
                else:
                    vals = {"pre": x, "post": rnd(rs, W.out_shape)}
                for name, v in vals.items():
                    getattr(W, name).set(jnp.asarray(v))
                    step[name] = L(v)
                ev.run(t=float(t), dt=1.)
                bt.run(t=float(t), dt=1.)
                step["weights"] = L(W.weights.get())
                step["dWeights"] = L(W.dWeights.get())
                step["dInputs"] = L(W.dInputs.get())
                if not stdp:
                    b = W.biases.get()
                    step["biases_shape"] = None if b is None else list(jnp.shape(b))
                    step["biases"] = None if b is None else L(b)
                    step["dBiases"] = L(W.dBiases.get())
        except Exception as err:  # ngc-learn failing is a reference fact too
            rec["error"] = {"step": t, "type": type(err).__name__, "message": str(err)[:300]}
            break
        rec["steps"].append(step)
    return rec


SPECS = [
    # two-factor Hebbian, conv
    {"name": "hebb_conv_same_s1_sgd", "class": "HebbianConvSynapse", "shape": [3, 3, 2, 3],
     "x_shape": [6, 6], "key": 11, "seed": 1, "steps": 2,
     "kwargs": {"eta": 0.05, "padding": "SAME", "stride": 1, "batch_size": 2}},
    {"name": "hebb_conv_valid_s2_adam_bounds", "class": "HebbianConvSynapse",
     "shape": [3, 3, 2, 3], "x_shape": [7, 7], "key": 12, "seed": 2, "steps": 3,
     "bias_const": 0.1, "kwargs": {"eta": 0.02, "padding": "VALID", "stride": 2, "batch_size": 2,
                "optim_type": "adam", "w_bound": 0.5, "is_nonnegative": True, "w_decay": 0.01,
                "sign_value": -1., "resist_scale": 2.}},
    {"name": "hebb_conv_same_s2_bias", "class": "HebbianConvSynapse", "shape": [3, 3, 1, 3],
     "x_shape": [6, 6], "key": 13, "seed": 3, "steps": 2, "bias_const": 0.25,
     "kwargs": {"eta": 0.1, "padding": "SAME", "stride": 2, "batch_size": 3,
                "w_bound": 1.0}},
    {"name": "hebb_conv_same_s4_k3", "class": "HebbianConvSynapse", "shape": [3, 3, 2, 2],
     "x_shape": [5, 5], "key": 14, "seed": 4, "steps": 1,
     "kwargs": {"eta": 0.1, "padding": "SAME", "stride": 4, "batch_size": 2}},
    # two-factor Hebbian, deconv
    {"name": "hebb_deconv_same_s2_sgd", "class": "HebbianDeconvSynapse", "shape": [3, 3, 2, 3],
     "x_shape": [4, 4], "key": 21, "seed": 5, "steps": 2, "bias_const": -0.1,
     "kwargs": {"eta": 0.05, "padding": "SAME", "stride": 2, "batch_size": 2,
                "sign_value": -1., "w_decay": 0.02}},
    {"name": "hebb_deconv_valid_s1_adam", "class": "HebbianDeconvSynapse",
     "shape": [2, 2, 3, 2], "x_shape": [5, 5], "key": 22, "seed": 6, "steps": 3,
     "bias_const": 0.2, "kwargs": {"eta": 0.01, "padding": "VALID", "stride": 1, "batch_size": 2,
                "optim_type": "adam", "w_bound": 0.6, "resist_scale": 0.5}},
    # trace STDP
    {"name": "stdp_conv_same_s1", "class": "TraceSTDPConvSynapse", "shape": [3, 3, 2, 3],
     "x_shape": [6, 6], "key": 31, "seed": 7, "steps": 3,
     "kwargs": {"A_plus": 1.0, "A_minus": 0.6, "eta": 0.05, "pretrace_target": 0.1,
                "padding": "SAME", "stride": 1, "batch_size": 2}},
    {"name": "stdp_conv_valid_s2_bounds", "class": "TraceSTDPConvSynapse",
     "shape": [3, 3, 1, 2], "x_shape": [7, 7], "key": 32, "seed": 8, "steps": 3,
     "kwargs": {"A_plus": 0.8, "A_minus": 0.9, "eta": 0.1, "padding": "VALID", "stride": 2,
                "w_bound": 1.0, "w_decay": 0.05, "batch_size": 1, "resist_scale": 3.}},
    {"name": "stdp_deconv_same_s2", "class": "TraceSTDPDeconvSynapse", "shape": [3, 3, 2, 2],
     "x_shape": [4, 4], "key": 33, "seed": 9, "steps": 3,
     "kwargs": {"A_plus": 1.0, "A_minus": 0.5, "eta": 0.05, "pretrace_target": 0.2,
                "padding": "SAME", "stride": 2, "batch_size": 2, "w_bound": 1.0}},
    {"name": "stdp_deconv_valid_s1", "class": "TraceSTDPDeconvSynapse", "shape": [2, 2, 1, 2],
     "x_shape": [5, 5], "key": 34, "seed": 10, "steps": 2,
     "kwargs": {"A_plus": 0.7, "A_minus": 0.7, "eta": 0.2, "padding": "VALID", "stride": 1,
                "w_decay": 0.01}},
    # static
    {"name": "static_conv_same_s2", "class": "StaticConvSynapse", "shape": [3, 3, 2, 3],
     "x_shape": [7, 7], "key": 41, "seed": 11, "steps": 2, "bias_const": -0.5,
     "kwargs": {"padding": "SAME", "stride": 2, "batch_size": 2, "resist_scale": 1.5}},
    {"name": "static_conv_valid_gaussian", "class": "StaticConvSynapse", "shape": [2, 2, 1, 2],
     "x_shape": [4, 4], "key": 42, "seed": 12, "steps": 1, "filter_uniform": [-1.0, 1.0],
     "kwargs": {"padding": "VALID", "stride": 1, "batch_size": 1}},
    {"name": "static_deconv_same_s2", "class": "StaticDeconvSynapse", "shape": [3, 3, 2, 3],
     "x_shape": [4, 4], "key": 43, "seed": 13, "steps": 2, "bias_const": 0.5,
     "kwargs": {"padding": "SAME", "stride": 2, "batch_size": 2, "resist_scale": 0.5}},
    {"name": "static_conv_bias_kernel_ne_channels", "class": "StaticConvSynapse",
     "shape": [3, 3, 1, 4], "x_shape": [5, 5], "key": 45, "seed": 15, "steps": 1,
     "bias_const": 0.5, "kwargs": {"padding": "SAME", "stride": 1, "batch_size": 2}},
    {"name": "static_deconv_valid_s3", "class": "StaticDeconvSynapse", "shape": [2, 2, 2, 1],
     "x_shape": [3, 3], "key": 44, "seed": 14, "steps": 1,
     "kwargs": {"padding": "VALID", "stride": 3, "batch_size": 1}},
]


def big_no_bias():
    """The failure the design document names: bias_init=None on a batch of 64 28x28x1 maps."""
    rs = np.random.RandomState(99)
    with Context(f"big{next(_ctx_id)}"):
        W = HebbianConvSynapse("W", (5, 5, 1, 32), (28, 28), eta=0.01, padding="SAME",
                               batch_size=64, bias_init=None, key=jax.random.PRNGKey(7))
        step = MethodProcess("step") >> W.advance_state >> W.evolve >> W.backtransmit
    x = rs.uniform(size=(64, 28, 28, 1)).astype(np.float32)
    post = rs.normal(size=(64, 28, 28, 32)).astype(np.float32)
    out = {"x_seed": 99, "key": 7, "steps": []}
    for t in range(3):
        try:
            W.inputs.set(jnp.asarray(x))
            W.pre.set(jnp.asarray(x))
            W.post.set(jnp.asarray(post))
            step.run(t=float(t), dt=1.)
            out["steps"].append({
                "outputs_sum": float(jnp.sum(W.outputs.get())),
                "dWeights_sum": float(jnp.sum(W.dWeights.get())),
                "weights_sum": float(jnp.sum(W.weights.get())),
                "dInputs_sum": float(jnp.sum(W.dInputs.get())),
                "biases": None if W.biases.get() is None else L(W.biases.get())})
        except Exception as err:
            out["error"] = {"step": t, "type": type(err).__name__, "message": str(err)[:300]}
            break
    return out


def main():
    ref = {"ngclearn": "3.2.3", "jax": jax.__version__, "toolbox": toolbox_cases(),
           "components": {}, "big_no_bias": big_no_bias()}
    for spec in SPECS:
        ref["components"][spec["name"]] = {"spec": spec, **run_component(spec)}
    with open(OUT, "w") as fh:
        json.dump(ref, fh, separators=(",", ":"))
    bad = [(c["kind"], c["N"], c["k"], c["stride"], c["padding"], c["ngc_matches_vjp"])
           for c in ref["toolbox"] if not all(c["ngc_matches_vjp"].values())]
    print("toolbox cases:", len(ref["toolbox"]), "ngc-learn differs from the vjp in:", bad)
    for name, c in ref["components"].items():
        print(name, "steps:", len(c["steps"]), "error:", c["error"])
    print("big_no_bias:", ref["big_no_bias"].get("error"))
    print("wrote", OUT, os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
