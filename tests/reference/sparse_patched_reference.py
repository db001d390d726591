"""Reference trajectories of ngc-learn 3.2.3's sparse tensor synapses, patched synapses and
RateCell's lateral synapses.

Run with a Python 3.12 virtual environment with ngclearn==3.2.3 (ngclab never imports it)::

    python tests/reference/sparse_patched_reference.py

It writes tests/reference/sparse_patched_reference.json: for each case the class, constructor
arguments and key seed, the structure ngc-learn built (connectivity map, shapes), the per-step
inputs (numpy RandomState, stored) and every compartment after every step. Cases named
``bug_*`` record where ngc-learn is broken (ngclab's tests pin and explain the difference).
"""
from __future__ import annotations

import json
import os
import warnings

import numpy as np

warnings.filterwarnings("ignore")

import jax
import jax.numpy as jnp
from ngclearn import Context, MethodProcess
from ngclearn.components import (HebbianPatchedSynapse, PatchedSynapse, RateCell,
                                 SparseTensorSynapse, StaticPatchedSynapse,
                                 StaticSparseTensorSynapse)
from ngclearn.utils.distribution_generator import DistributionGenerator as DG

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sparse_patched_reference.json")
BATCH, STEPS = 2, 3
CLASSES = {c.__name__: c for c in (SparseTensorSynapse, StaticSparseTensorSynapse, PatchedSynapse,
                                   StaticPatchedSynapse, HebbianPatchedSynapse, RateCell)}
#: initializers by name (the JSON names them; the ngclab tests build the same ones)
INITS = {"bias": DG.gaussian(0., 0.1), "zeros": DG.constant(0.), "uniform": DG.uniform(-0.5, 0.5)}


def L(a):
    return np.asarray(a, dtype=np.float32).tolist()


def build(case, ctx_name):
    kw = {k: (INITS[v] if k.endswith("_init") else jnp.asarray(v) if k == "block_mask"
              else tuple(v) if isinstance(v, list) else v) for k, v in case["kwargs"].items()}
    with Context(ctx_name):
        comp = CLASSES[case["class"]]("W", key=jax.random.PRNGKey(case["seed"]),
                                      batch_size=BATCH, **kw)
        procs = {m: MethodProcess(m) >> getattr(comp, m) for m in ("advance_state", "reset")}
        if hasattr(comp, "evolve"):
            procs["evolve"] = MethodProcess("evolve") >> comp.evolve
    return comp, procs


SPARSE = [
    {"name": "st_basic", "kwargs": {"n_in_streams": 5, "K_local": 2, "O_local": 3, "P_l": 2}},
    {"name": "st_stride_dilation_bias", "kwargs": {"n_in_streams": 9, "K_local": 1, "O_local": 1,
                                                   "P_l": 3, "stride": 2, "dilation": 2,
                                                   "bias_init": "bias", "g_conduct_factor": 0.5}},
    {"name": "st_convergent", "kwargs": {"n_in_streams": 10, "K_local": 2, "O_local": 1,
                                         "P_l": 4, "convergent_factor": 0.5}},
    {"name": "st_invert", "kwargs": {"n_in_streams": 6, "K_local": 2, "O_local": 2, "P_l": 2,
                                     "invert_conn": True}},
    {"name": "st_normalize", "kwargs": {"n_in_streams": 6, "K_local": 2, "O_local": 2, "P_l": 3,
                                        "normalize": True}},
    {"name": "st_block", "kwargs": {"n_in_streams": 6, "K_local": 2, "O_local": 2, "P_l": 3,
                                    "use_block_matrix_format": True, "normalize": True}},
    {"name": "st_pconn_half", "kwargs": {"n_in_streams": 6, "K_local": 2, "O_local": 2, "P_l": 3,
                                         "p_conn": 0.5}},
    {"name": "st_pconn_sparse", "kwargs": {"n_in_streams": 40, "K_local": 1, "O_local": 40,
                                           "P_l": 40, "p_conn": 0.05}},
    {"name": "st_static", "class": "StaticSparseTensorSynapse",
     "kwargs": {"n_in_streams": 7, "K_local": 3, "O_local": 2, "P_l": 3, "stride": 2}},
    {"name": "bug_st_norm_axis0", "kwargs": {"n_in_streams": 6, "K_local": 2, "O_local": 3,
                                             "P_l": 3, "normalize": True, "norm_axis": 0}},
    {"name": "bug_st_block_invert", "kwargs": {"n_in_streams": 6, "K_local": 2, "O_local": 2,
                                               "P_l": 2, "invert_conn": True,
                                               "use_block_matrix_format": True}},
    {"name": "bug_st_block_convergent", "kwargs": {"n_in_streams": 10, "K_local": 2,
                                                   "O_local": 1, "P_l": 4,
                                                   "convergent_factor": 0.5,
                                                   "use_block_matrix_format": True}},
]
PATCHED = [
    {"name": "p_basic", "class": "PatchedSynapse", "kwargs": {"shape": [6, 9], "n_sub_models": 3}},
    {"name": "p_stride", "class": "PatchedSynapse",
     "kwargs": {"shape": [6, 6], "n_sub_models": 2, "stride_shape": [1, 1], "resist_scale": 2.}},
    {"name": "p_pconn_bias", "class": "StaticPatchedSynapse",
     "kwargs": {"shape": [8, 4], "n_sub_models": 2, "stride_shape": [1, 0], "p_conn": 0.6,
                "bias_init": "bias", "weight_init": "uniform"}},
    {"name": "h_sgd", "class": "HebbianPatchedSynapse",
     "kwargs": {"shape": [6, 6], "n_sub_models": 3, "eta": 0.1}},
    {"name": "h_adam_elastic_bias", "class": "HebbianPatchedSynapse",
     "kwargs": {"shape": [6, 6], "n_sub_models": 2, "eta": 0.05, "optim_type": "adam",
                "prior": ["l1l2", [0.01, 0.3]], "sign_value": -1., "bias_init": "bias"}},
    {"name": "h_stride_l2", "class": "HebbianPatchedSynapse",
     "kwargs": {"shape": [4, 6], "n_sub_models": 2, "stride_shape": [1, 1], "eta": 0.1,
                "w_bound": 0.5, "prior": ["l2", 0.1], "pre_wght": 2., "post_wght": 0.5}},
    {"name": "h_lasso_nobound", "class": "HebbianPatchedSynapse",
     "kwargs": {"shape": [6, 4], "n_sub_models": 2, "eta": 0.02, "w_bound": 0.,
                "prior": ["l1", 0.05], "weight_init": "uniform"}},
    {"name": "h_block_mask", "class": "HebbianPatchedSynapse",
     "kwargs": {"shape": [4, 4], "n_sub_models": 2, "eta": 0.1,
                "block_mask": [[1., 0., 0., 0.], [1., 1., 0., 0.], [0., 0., 1., 0.],
                               [0., 0., 1., 1.]]}},
    {"name": "bug_h_frozen_at_zero", "class": "HebbianPatchedSynapse",
     "kwargs": {"shape": [6, 6], "n_sub_models": 3, "eta": 0.5, "is_nonnegative": True,
                "sign_value": -1.}},
    {"name": "bug_h_zero_init", "class": "HebbianPatchedSynapse", "post": "post_in",
     "kwargs": {"shape": [4, 4], "n_sub_models": 2, "eta": 0.1, "weight_init": "zeros"}},
]
LATERAL = [
    {"name": "r_static", "kwargs": {"n_units": 6, "tau_m": 20., "act_fx": "tanh",
                                    "use_lateral": True, "exc_inh": [0.5, -0.3], "n_patch": 2}},
    {"name": "r_adaptive_sgd", "kwargs": {"n_units": 6, "tau_m": 10., "act_fx": "tanh",
                                          "use_lateral": True, "adaptive_lateral": True,
                                          "exc_inh": [0.5, -0.3], "n_patch": 3, "Wl_eta": 0.1}},
    {"name": "r_adaptive_adam", "kwargs": {
        "n_units": 4, "tau_m": 5., "act_fx": "relu", "use_lateral": True,
        "adaptive_lateral": True, "exc_inh": [2., -2.], "Wl_eta": 0.05, "fx_lat": "sigmoid",
        "Wl_opt_type": "adam", "Wl_prior": ["l2", 0.1], "resist_scale": 2.,
        "output_scale": 1.5, "prior": ["laplacian", 0.1], "integration_type": "midpoint"}},
    {"name": "r_reset", "reset_at": 2, "kwargs": {
        "n_units": 4, "tau_m": 8., "act_fx": "tanh", "use_lateral": True,
        "adaptive_lateral": True, "exc_inh": [0.4, -0.2], "n_patch": 2, "Wl_eta": 0.2}},
    {"name": "bug_r_default_exc_inh", "kwargs": {
        "n_units": 4, "tau_m": 10., "act_fx": "tanh", "use_lateral": True,
        "adaptive_lateral": True, "n_patch": 2, "Wl_eta": 0.1}},
]
SYN_COMPS = ("inputs", "outputs", "weights", "biases", "norm_trigger", "initial_weights")
PATCH_COMPS = ("inputs", "post_in", "outputs", "pre_out", "weights", "weights_T", "biases")
HEBB_COMPS = PATCH_COMPS + ("pre", "post", "dWeights", "dBiases")
CELL_COMPS = ("j", "j_td", "z", "zF", "j_lat", "zF_lat")


def opt_leaves(opt_params):
    return [L(x) for x in jax.tree_util.tree_leaves(opt_params)]


def sparse_case(case, i):
    comp, procs = build({"class": "SparseTensorSynapse", "seed": i, **case}, f"s{i}")
    rs = np.random.RandomState(100 + i)
    rec = {"connectivity_map": np.asarray(comp.connectivity_map).tolist(),
           "io_shape": list(comp.io_shape), "steps": []}
    for _ in range(STEPS):
        x = rs.uniform(size=(BATCH, comp.io_shape[0])).astype(np.float32)
        comp.inputs.set(jnp.asarray(x))
        procs["advance_state"].run()
        rec["steps"].append({"x": L(x), **{c: L(getattr(comp, c).get()) for c in SYN_COMPS}})
    procs["reset"].run()
    rec["after_reset"] = {c: L(getattr(comp, c).get()) for c in ("inputs", "outputs")}
    return rec


def patched_case(case, i):
    comp, procs = build({"seed": i, **case}, f"p{i}")
    hebbian = case["class"] == "HebbianPatchedSynapse"
    rs = np.random.RandomState(200 + i)
    rec = {"shape": list(comp.weights.get().shape), "steps": []}
    for _ in range(STEPS):
        x = rs.uniform(size=(BATCH, comp.weights.get().shape[0])).astype(np.float32)
        back = rs.uniform(size=(BATCH, comp.weights.get().shape[1])).astype(np.float32)
        comp.inputs.set(jnp.asarray(x))
        comp.post_in.set(jnp.asarray(back))
        procs["advance_state"].run()
        if hebbian:   # pre <- the inputs, post <- the outputs of this step (or post_in)
            comp.pre.set(jnp.asarray(x))
            comp.post.set(jnp.asarray(back) if case.get("post") == "post_in"
                          else comp.outputs.get())
            procs["evolve"].run()
        names = HEBB_COMPS if hebbian else PATCH_COMPS
        step = {"x": L(x), "post_in_value": L(back), **{c: L(getattr(comp, c).get())
                                                        for c in names}}
        if hebbian:
            step["opt_params"] = opt_leaves(comp.opt_params.get())
        rec["steps"].append(step)
    return rec


def lateral_case(case, i):
    comp, procs = build({"class": "RateCell", "seed": i, **case}, f"r{i}")
    rs = np.random.RandomState(300 + i)
    n = case["kwargs"]["n_units"]
    rec = {"steps": []}
    for t in range(STEPS + 1):
        if t == case.get("reset_at"):
            procs["reset"].run()
        j = rs.uniform(-1., 1., size=(BATCH, n)).astype(np.float32)
        j_td = rs.uniform(-0.5, 0.5, size=(BATCH, n)).astype(np.float32)
        comp.j.set(jnp.asarray(j))
        comp.j_td.set(jnp.asarray(j_td))
        procs["advance_state"].run(dt=1.)
        step = {"j_in": L(j), "j_td_in": L(j_td), **{c: L(getattr(comp, c).get())
                                                     for c in CELL_COMPS}}
        procs["evolve"].run()
        step["Wl_weights"] = L(comp.Wl.weights.get())
        if case["kwargs"].get("adaptive_lateral"):
            step["Wl_dWeights"] = L(comp.Wl.dWeights.get())
            step["Wl_opt_params"] = opt_leaves(comp.Wl.opt_params.get())
        rec["steps"].append(step)
    return rec


def failure(fn):
    try:
        fn()
    except Exception as err:  # noqa: BLE001 - the message is the record
        return f"{type(err).__name__}: {err}"
    return None


def pinned_failures():
    """Calls that fail in ngc-learn 3.2.3 (ngclab does the mathematically right thing)."""
    def bias_many_outputs():   # biases shaped (1, S): cannot add to (B, S * O_local)
        comp, procs = build({"class": "SparseTensorSynapse", "seed": 0, "kwargs": {
            "n_in_streams": 5, "K_local": 2, "O_local": 3, "P_l": 2, "bias_init": "bias"}},
            "f0")
        procs["advance_state"].run()

    def stateless_lateral():    # j_lat is never bound in the stateless branch
        comp, procs = build({"class": "RateCell", "seed": 0, "kwargs": {
            "n_units": 4, "tau_m": 0., "use_lateral": True, "n_patch": 2}}, "f1")
        procs["advance_state"].run(dt=1.)

    def hebbian_indivisible():  # weights (9, 30) but pre/post shaped from (10, 30)
        comp, procs = build({"class": "HebbianPatchedSynapse", "seed": 0, "kwargs": {
            "shape": [10, 30], "n_sub_models": 3, "eta": 0.1}}, "f2")
        comp.pre.set(jnp.ones((BATCH, 10)))
        comp.post.set(jnp.ones((BATCH, 30)))
        procs["evolve"].run()

    return {"st_bias_O_local_3": failure(bias_many_outputs),
            "rate_stateless_lateral": failure(stateless_lateral),
            "hebbian_patched_10x30_3": failure(hebbian_indivisible)}


def tied_transpose():
    """A forward cable and its inverted twin tied to it: the twin's weights after tying."""
    with Context("tie"):
        fwd = SparseTensorSynapse("F", 6, 2, 3, P_l=3, key=jax.random.PRNGKey(7))
        back = SparseTensorSynapse("B", 6, 2, 3, P_l=3, invert_conn=True,
                                   key=jax.random.PRNGKey(8))
        fwd.weights >> back.weight_transpose_target
        tie = MethodProcess("tie") >> back.tie_transpose_weights
        adv = MethodProcess("adv") >> back.advance_state
    tie.run()
    y = np.random.RandomState(9).uniform(size=(1, back.io_shape[0])).astype(np.float32)
    back.inputs.set(jnp.asarray(y))
    adv.run()
    return {"forward_weights": L(fwd.weights.get()), "tied_weights": L(back.weights.get()),
            "y": L(y), "outputs": L(back.outputs.get())}


def block_vs_tensor(case):
    """ngc-learn's outputs for the same inputs with and without the block-matrix format."""
    kw = dict(case["kwargs"], use_block_matrix_format=False)
    comp, procs = build({"class": "SparseTensorSynapse", "seed": SPARSE.index(case),
                         "kwargs": kw}, f"bt{SPARSE.index(case)}")
    rs = np.random.RandomState(100 + SPARSE.index(case))
    outs = []
    for _ in range(STEPS):
        comp.inputs.set(jnp.asarray(rs.uniform(size=(BATCH, comp.io_shape[0]))
                                    .astype(np.float32)))
        procs["advance_state"].run()
        outs.append(L(comp.outputs.get()))
    return outs


def main() -> None:
    out = {"meta": {"ngclearn": "3.2.3", "batch": BATCH, "steps": STEPS,
                    "inits": {"bias": ["gaussian", 0., 0.1], "zeros": ["constant", 0.],
                              "uniform": ["uniform", -0.5, 0.5]}},
           "sparse": {}, "patched": {}, "lateral": {}}
    for i, case in enumerate(SPARSE):
        out["sparse"][case["name"]] = {"class": case.get("class", "SparseTensorSynapse"),
                                       "seed": i, "kwargs": case["kwargs"],
                                       **sparse_case(case, i)}
    for name in ("bug_st_block_invert", "bug_st_block_convergent"):
        case = next(c for c in SPARSE if c["name"] == name)
        out["sparse"][name]["tensor_format_outputs"] = block_vs_tensor(case)
    for i, case in enumerate(PATCHED):
        out["patched"][case["name"]] = {"class": case["class"], "seed": i,
                                        "kwargs": case["kwargs"], "post": case.get("post"),
                                        **patched_case(case, i)}
    for i, case in enumerate(LATERAL):
        out["lateral"][case["name"]] = {"class": "RateCell", "seed": i, "kwargs": case["kwargs"],
                                        "reset_at": case.get("reset_at"),
                                        **lateral_case(case, i)}
    out["tied_transpose"] = tied_transpose()
    out["failures"] = pinned_failures()
    with open(OUT, "w") as f:
        json.dump(out, f)
    print(f"wrote {OUT}: {len(SPARSE)} sparse, {len(PATCHED)} patched, {len(LATERAL)} lateral "
          f"cases; failures: {out['failures']}")


if __name__ == "__main__":
    main()
