"""ngc-learn 3.2.3's trajectories (tests/reference/sparse_patched_reference.json): every case,
every compartment after every step (float32, atol 1e-5). The ``bug_*`` cases and the recorded
failures are where ngc-learn is broken: the tests at the end pin its behaviour and check that
ngclab does the mathematically right thing instead."""
import jax.numpy as jnp
import numpy as np
import pytest

from tests.components.synapses.sparse_patched.sparse_helpers import INITS, build_case, flat_leaves, ref
from tests.helpers import arr, assert_close

SPARSE = sorted(n for n in ref()["sparse"] if not n.startswith("bug_"))
PATCHED = sorted(n for n in ref()["patched"] if not n.startswith("bug_"))
LATERAL = sorted(n for n in ref()["lateral"] if not n.startswith("bug_"))


def check_biases(got, want, what):
    """ngc-learn keeps 'no bias' as the scalar 0; ngclab as zeros of shape (1, n_out)."""
    if np.ndim(want) == 0:
        assert got.shape[0] == 1 and np.all(np.asarray(got) == want), what
    else:
        assert_close(got, want, what)


def run_sparse(case):
    _, W, procs = build_case(case)
    for i, step in enumerate(case["steps"]):
        W.inputs.set(arr(step["x"]))
        procs["advance_state"].run()
        for c in ("inputs", "outputs", "weights", "norm_trigger", "initial_weights"):
            assert_close(getattr(W, c).get(), step[c], f"{c} step {i}")
        check_biases(W.biases.get(), step["biases"], f"biases step {i}")
    return W, procs


@pytest.mark.parametrize("name", SPARSE)
def test_sparse_tensor_synapse_reference(name):
    case = ref()["sparse"][name]
    W, procs = run_sparse(case)
    np.testing.assert_array_equal(W.connectivity_map, case["connectivity_map"])
    assert list(W.io_shape) == case["io_shape"]
    procs["reset"].run()
    for c, want in case["after_reset"].items():
        assert_close(getattr(W, c).get(), want, f"{c} after reset")


def run_patched(case, check=True):
    _, W, procs = build_case(case)
    hebbian = case["class"] == "HebbianPatchedSynapse"
    got = []
    for i, step in enumerate(case["steps"]):
        W.inputs.set(arr(step["x"]))
        W.post_in.set(arr(step["post_in_value"]))
        procs["advance_state"].run()
        if hebbian:   # as the reference: pre <- the inputs, post <- this step's outputs
            W.pre.set(arr(step["x"]))
            W.post.set(arr(step["post_in_value"]) if case.get("post") == "post_in"
                       else W.outputs.get())
            procs["evolve"].run()
        got.append({c: np.asarray(v.get()) for c, v in W.compartments.items()})
        if not check:
            continue
        for c in ("inputs", "post_in", "outputs", "pre_out", "weights", "weights_T") + \
                (("pre", "post", "dWeights", "dBiases") if hebbian else ()):
            assert_close(getattr(W, c).get(), step[c], f"{c} step {i}")
        check_biases(W.biases.get(), step["biases"], f"biases step {i}")
        if hebbian:
            assert_close(W.opt_params.get(), flat_leaves(step["opt_params"]), f"opt step {i}")
    return W, got


@pytest.mark.parametrize("name", PATCHED)
def test_patched_synapse_reference(name):
    case = ref()["patched"][name]
    W, _ = run_patched(case)
    assert list(W.weights.get().shape) == case["shape"]


def run_lateral(case, check=True):
    _, X, procs = build_case(case)
    adaptive = case["kwargs"].get("adaptive_lateral", False)
    got = []
    for i, step in enumerate(case["steps"]):
        if i == case["reset_at"]:
            procs["reset"].run()
        X.j.set(arr(step["j_in"]))
        X.j_td.set(arr(step["j_td_in"]))
        procs["advance_state"].run(dt=1.)
        if check:
            for c in ("j", "j_td", "z", "zF", "j_lat", "zF_lat"):
                assert_close(getattr(X, c).get(), step[c], f"{c} step {i}")
        procs["evolve"].run()
        got.append(np.asarray(X.Wl_weights.get()))
        if check:
            assert_close(X.Wl_weights.get(), step["Wl_weights"], f"Wl_weights step {i}")
            if adaptive:
                assert_close(X.Wl_dWeights.get(), step["Wl_dWeights"], f"Wl_dWeights {i}")
                assert_close(X.Wl_opt_params.get(), flat_leaves(step["Wl_opt_params"]),
                             f"Wl_opt_params step {i}")
    return X, got


@pytest.mark.parametrize("name", LATERAL)
def test_rate_cell_lateral_reference(name):
    X, _ = run_lateral(ref()["lateral"][name])
    assert X.Wl.weights is X.Wl_weights   # ngc-learn's X.Wl.weights still reads


def test_tied_transpose_reference():
    # ngc-learn: F (6 streams, K=2, O=3, P=3) and its inverted twin B tied to it
    from ngclab import Context, MethodProcess
    from ngclab.components import SparseTensorSynapse
    tie_ref = ref()["tied_transpose"]
    with Context("tie"):
        F = SparseTensorSynapse("F", 6, 2, 3, P_l=3, key=7)
        B = SparseTensorSynapse("B", 6, 2, 3, P_l=3, invert_conn=True, key=8)
        F.weights >> B.weight_transpose_target
        tie = MethodProcess("tie") >> B.tie_transpose_weights
        adv = MethodProcess("adv") >> B.advance_state
    assert_close(F.weights.get(), tie_ref["forward_weights"], "forward weights")
    tie.run()
    assert_close(B.weights.get(), tie_ref["tied_weights"], "tied weights")
    B.inputs.set(arr(tie_ref["y"]))
    adv.run()
    assert_close(B.outputs.get(), tie_ref["outputs"], "outputs")
    # and the tied cable is the forward one transposed, as dense matrices
    assert_close(B.dense_weights(), np.asarray(F.dense_weights()).T, "B = F^T")


# -- where ngc-learn 3.2.3 is broken ---------------------------------------------------------

def test_bug_norm_axis_is_ignored_by_ngclearn():
    # ngc-learn normalises over O_local whatever norm_axis says: its norm_axis=0 weights equal
    # ngclab's norm_axis=1 weights (same key); ngclab's norm_axis=0 rows have unit norm over K
    case = ref()["sparse"]["bug_st_norm_axis0"]
    ngc_weights = case["steps"][0]["weights"]
    _, W1, _ = build_case(case, norm_axis=1)
    assert_close(W1.weights.get(), ngc_weights, "ngc-learn's norm_axis=0 == norm_axis=1")
    _, W0, _ = build_case(case)
    norms = jnp.sqrt(jnp.sum(jnp.square(W0.weights.get()), axis=2))   # over K_local
    assert_close(norms, np.ones(norms.shape), "unit norm over K_local", atol=1e-5)
    assert not np.allclose(np.asarray(W0.weights.get()), np.asarray(ngc_weights), atol=1e-3)


@pytest.mark.parametrize("name", ["bug_st_block_invert", "bug_st_block_convergent"])
def test_bug_block_format_scatters_empty_slots(name):
    # ngc-learn writes the empty (-1) slots of inverted / shrunk windows to row -1 of its block
    # matrix, so its block format disagrees with its own tensor format; ngclab's block format
    # gives the tensor format's numbers (recorded from ngc-learn with the tensor format)
    case = ref()["sparse"][name]
    tensor_outputs = case["tensor_format_outputs"]
    assert not np.allclose(case["steps"][0]["outputs"], tensor_outputs[0], atol=1e-3)
    _, W, procs = build_case(case)
    assert W.product == "block"
    for i, step in enumerate(case["steps"]):
        W.inputs.set(arr(step["x"]))
        procs["advance_state"].run()
        assert_close(W.outputs.get(), tensor_outputs[i], f"outputs step {i}")


def test_bug_hebbian_patched_freezes_weights_that_reach_zero():
    # is_nonnegative clips weights at 0 after the first update; ngc-learn then masks the
    # update where W == 0, so those weights never move again; ngclab keeps them learning
    case = ref()["patched"]["bug_h_frozen_at_zero"]
    W, got = run_patched(case, check=False)
    first, last = case["steps"][0], case["steps"][-1]
    assert_close(got[0]["weights"], first["weights"], "step 1 is the same")
    dead = (np.asarray(first["weights"]) == 0.) & (W.structure > 0)
    assert dead.any()
    assert np.all(np.asarray(last["weights"])[dead] == 0.)          # ngc-learn: frozen
    assert np.all(np.asarray(last["dWeights"])[dead] == 0.)
    assert np.any(np.asarray(got[-1]["dWeights"])[dead] != 0.)      # ngclab: still learning


def test_bug_hebbian_patched_zero_init_never_learns_in_ngclearn():
    # weights initialised at 0: ngc-learn masks every update where W == 0, so nothing ever
    # learns; ngclab's in-block rule moves them (post <- post_in in this case)
    case = ref()["patched"]["bug_h_zero_init"]
    assert all(np.all(np.asarray(s["weights"]) == 0.) for s in case["steps"])
    W, got = run_patched(case, check=False)
    x = np.asarray(case["steps"][0]["x"], np.float32)
    post = np.asarray(case["steps"][0]["post_in_value"], np.float32)
    # step 1, sgd from W = 0 with w_bound 1: W = -eta (x^T post) (1 - |0|) inside the blocks
    want = -0.1 * (x.T @ post) * W.structure
    assert_close(got[0]["weights"], want, "first in-block update from zero weights")
    assert np.all(got[-1]["weights"][W.structure == 0.] == 0.)    # nothing outside the blocks


def test_bug_default_lateral_weights_never_learn_in_ngclearn():
    # exc_inh = (0, 0): ngc-learn's lateral synapses start at 0 and stay 0 (masked where
    # W == 0); ngclab's learn by the anti-Hebbian rule inside the blocks
    case = ref()["lateral"]["bug_r_default_exc_inh"]
    assert all(np.all(np.asarray(s["Wl_weights"]) == 0.) for s in case["steps"])
    X, got = run_lateral(case, check=False)
    zF, prev = np.asarray(X.zF_lat.get()), got[-2]
    mask = X.lateral.layout.mask
    # the last step (sgd, w_bound 1): W <- clip(W - 0.1 (zF^T zF) (1 - |W|), -1, 1) in the blocks
    want = np.clip(prev - 0.1 * (zF.T @ zF) * (1. - np.abs(prev)) * mask, -1., 1.)
    assert_close(got[-1], want, "anti-Hebbian lateral step")
    assert np.any(got[-1] != 0.) and np.all(got[-1][mask == 0.] == 0.)


def test_bug_recorded_failures_work_in_ngclab():
    from ngclab import Context, MethodProcess
    from ngclab.components import HebbianPatchedSynapse, RateCell, SparseTensorSynapse
    fails = ref()["failures"]
    # biases shaped (1, S) in ngc-learn cannot be added to (B, S * O_local)
    assert "incompatible shapes" in fails["st_bias_O_local_3"]
    with Context("f0"):
        W = SparseTensorSynapse("W", 5, 2, 3, P_l=2, bias_init=INITS["bias"])
        adv = MethodProcess("adv") >> W.advance_state
    assert W.biases.get().shape == (1, 12)
    adv.run()
    assert_close(W.outputs.get(), W.biases.get(), "zero inputs: outputs = b")
    # a stateless cell with lateral synapses: ngc-learn's j_lat is unbound
    assert "j_lat" in fails["rate_stateless_lateral"]
    with Context("f1"):
        X = RateCell("X", 4, 0., use_lateral=True, n_patch=2, exc_inh=(1., -1.))
        adv = MethodProcess("adv") >> X.advance_state
    X.j.set(jnp.ones((1, 4)))
    adv.run(dt=1.)
    assert_close(X.z.get(), np.ones((1, 4)), "stateless z = j + j_td")
    assert np.all(np.asarray(X.j_lat.get()) == 0.)
    # a (10, 30) cable cut into 3 blocks: ngc-learn builds (9, 30) weights, sizes pre from the
    # 10 inputs asked for and then fails; ngclab sizes everything from the (9, 30) weights
    assert "incompatible shapes" in fails["hebbian_patched_10x30_3"]
    with Context("f2"):
        H = HebbianPatchedSynapse("W", (10, 30), 3, eta=0.1)
        evo = MethodProcess("evo") >> H.evolve
    assert H.weights.get().shape == (9, 30) and H.pre.shape == (1, 9)
    H.pre.set(jnp.ones((1, 9)))
    H.post.set(jnp.ones((1, 30)))
    evo.run()
    assert np.all(np.asarray(H.dWeights.get())[H.structure == 0.] == 0.)
