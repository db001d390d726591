"""The equations, on hand-computed values and random structures: a sparse product equals the
dense product of the same weights (segment sum, BCOO and the event-driven path), a locally
connected cable equals its dense matrix, a patched cable equals its block-diagonal matrix,
Hebbian patched updates stay inside the blocks, RateCell's lateral current."""
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ngclab.components as C
from ngclab import Context, MethodProcess
from ngclab.components.synapses._sparse import (
    edge_values,
    edges_of_matrix,
    propagate,
    propagate_bcoo,
    propagate_events,
)
from ngclab.utils.distribution_generator import DistributionGenerator as DG
from tests.components.synapses.sparse_patched.sparse_helpers import rand
from tests.helpers import assert_close

FAST = settings(max_examples=12, deadline=None)


@st.composite
def sparse_problem(draw):
    """An 8 x 8 cable with 20 connections at random places (fixed shapes: the products compile
    once), batch 2, inputs that are zero where the unit is silent."""
    seed, spikes = draw(st.integers(0, 10_000)), draw(st.floats(0., 1.))
    rs = np.random.RandomState(seed)
    W = np.zeros(64, np.float32)
    W[rs.choice(64, 20, replace=False)] = rs.normal(size=20)
    x = (rs.uniform(size=(2, 8)) < spikes) * rs.uniform(0.5, 2., (2, 8))
    return W.reshape(8, 8), x.astype(np.float32)


@FAST
@given(sparse_problem())
def test_sparse_products_equal_the_dense_product(problem):
    W, x = problem
    edges = edges_of_matrix(W)
    values = edge_values(jnp.asarray(W), edges)
    dense = x @ W                                       # y = x W (the zeros are no edges)
    assert_close(propagate(jnp.asarray(x), values, edges), dense, "segment sum", atol=1e-5)
    assert_close(propagate_bcoo(jnp.asarray(x), values, edges), dense, "bcoo", atol=1e-5)
    active = int(np.max(np.sum(x != 0., axis=1)))
    y, dropped = propagate_events(jnp.asarray(x), values, edges, capacity=max(active, 1))
    assert_close(y, dense, "events", atol=1e-5)
    assert np.all(np.asarray(dropped) == 0)


def test_event_path_reports_rows_beyond_capacity():
    W = np.arange(1., 13.).reshape(4, 3).astype(np.float32)
    edges = edges_of_matrix(W)
    x = jnp.asarray([[1., 1., 0., 1.], [0., 0., 1., 0.]])
    y, dropped = propagate_events(x, edge_values(jnp.asarray(W), edges), edges, capacity=2)
    # sample 0 has 3 active rows, 2 fit: rows 0 and 1 (the first ones), row 3 is reported
    assert np.asarray(dropped).tolist() == [1, 0]
    assert_close(y[0], W[0] + W[1], "the rows that fit")
    assert_close(y[1], W[2], "sample 1 complete")


def test_locally_connected_hand_computed():
    # n_in = 3 streams of K = 1, windows of P = 2, O = 1: S = 2 outputs, map [[0, 1], [1, 2]];
    # out_s = sum_p x[map[s, p]] W[p, s]
    with Context("m"):
        W = C.SparseTensorSynapse("W", 3, 1, 1, P_l=2, weight_init=DG.uniform(0., 1.),
                                  g_conduct_factor=2.)
        adv = MethodProcess("adv") >> W.advance_state
    np.testing.assert_array_equal(W.connectivity_map, [[0, 1], [1, 2]])
    w = np.asarray(W.weights.get())[..., 0, 0]               # (P, S)
    W.inputs.set(jnp.asarray([[1., 2., 3.]]))
    adv.run()
    want = 2. * np.array([1. * w[0, 0] + 2. * w[1, 0], 2. * w[0, 1] + 3. * w[1, 1]])
    assert_close(W.outputs.get()[0], want, "outputs")
    dense = np.zeros((3, 2))
    dense[0, 0], dense[1, 0], dense[1, 1], dense[2, 1] = w[0, 0], w[1, 0], w[0, 1], w[1, 1]
    assert_close(W.dense_weights(), dense, "the dense matrix")


@pytest.mark.parametrize("kw,product", [
    (dict(n_in_streams=7, K_local=2, O_local=3, P_l=3, stride=2), "windows"),
    (dict(n_in_streams=9, K_local=2, O_local=2, P_l=3, dilation=3, convergent_factor=0.6),
     "windows"),
    (dict(n_in_streams=30, K_local=1, O_local=30, P_l=30, p_conn=0.05), "edges"),
    (dict(n_in_streams=6, K_local=2, O_local=2, P_l=2, invert_conn=True, p_conn=0.7), "windows"),
    (dict(n_in_streams=6, K_local=2, O_local=2, P_l=3, use_block_matrix_format=True,
          invert_conn=True), "block"),
])
def test_sparse_tensor_synapse_equals_its_dense_matrix(kw, product):
    with Context("m"):
        W = C.SparseTensorSynapse("W", **kw, bias_init=DG.gaussian(0., 1.), g_conduct_factor=0.7,
                                  batch_size=2)
        adv = MethodProcess("adv") >> W.advance_state
    assert W.product == product
    x = rand((2, W.io_shape[0]), seed=3)
    W.inputs.set(x)
    adv.run()
    # outputs = (x @ W_dense) * g + b
    want = np.asarray(x) @ np.asarray(W.dense_weights()) * 0.7 + np.asarray(W.biases.get())
    assert_close(W.outputs.get(), want, "outputs", atol=1e-5)
    dense = np.asarray(W.dense_weights())
    assert np.count_nonzero(dense) <= W.edges.n_edges   # only the connections are non-zero


def test_window_and_segment_sum_paths_agree():
    with Context("m"):
        W = C.SparseTensorSynapse("W", 8, 3, 2, P_l=3, stride=2, p_conn=0.6, batch_size=3)
        adv = MethodProcess("adv") >> W.advance_state
    x = rand((3, W.io_shape[0]), seed=4)
    W.inputs.set(x)
    assert W.product == "windows"
    adv.run()
    windows = np.asarray(W.outputs.get())
    W.product = "edges"      # a structure option: the next run recompiles with the other path
    adv.run()
    assert_close(W.outputs.get(), windows, "segment sum == window contraction")


def test_normalized_rows_have_unit_norm():
    with Context("m"):
        W = C.SparseTensorSynapse("W", 6, 2, 3, P_l=2, normalize=True)
    norms = np.sqrt(np.sum(np.square(np.asarray(W.weights.get())), axis=3))
    assert_close(norms, np.ones(norms.shape), "||W[p, s, k, :]|| = 1", atol=1e-6)
    assert float(W.norm_trigger.get()[0, 0]) == 1.


def block_diagonal(W, n):
    """The block-diagonal matrix of the n diagonal blocks of W (numpy slicing)."""
    W = np.asarray(W)
    di, dj = W.shape[0] // n, W.shape[1] // n
    out = np.zeros_like(W)
    for m in range(n):
        out[m * di:(m + 1) * di, m * dj:(m + 1) * dj] = W[m * di:(m + 1) * di, m * dj:(m + 1) * dj]
    return out


@pytest.mark.parametrize("cls", ["PatchedSynapse", "StaticPatchedSynapse",
                                 "HebbianPatchedSynapse"])
def test_patched_synapse_is_a_block_diagonal_matrix(cls):
    with Context("m"):
        W = getattr(C, cls)("W", (6, 9), 3, resist_scale=1.5, batch_size=2,
                            bias_init=DG.gaussian(0., 1.))
        adv = MethodProcess("adv") >> W.advance_state
    w = np.asarray(W.weights.get())
    np.testing.assert_array_equal(w, block_diagonal(w, 3))   # zero outside the 2x3 blocks
    assert np.count_nonzero(w) == 3 * 2 * 3
    x, back = rand((2, 6), seed=5), rand((2, 9), seed=6)
    W.inputs.set(x)
    W.post_in.set(back)
    adv.run()
    # outputs = x @ W * R + b ;  pre_out = post_in @ W^T
    assert_close(W.outputs.get(), np.asarray(x) @ w * 1.5 + np.asarray(W.biases.get()), "outputs")
    assert_close(W.pre_out.get(), np.asarray(back) @ w.T, "pre_out")
    assert_close(W.weights_T.get(), w.T, "weights_T")


def test_strided_patches_overlap_and_the_product_visits_them():
    with Context("m"):
        W = C.PatchedSynapse("W", (4, 6), 2, stride_shape=(1, 1))
        adv = MethodProcess("adv") >> W.advance_state
    w, mask = np.asarray(W.weights.get()), W.layout.mask
    assert w.shape == (6, 8)     # (2 * 2 + 2, 2 * 3 + 2)
    # block m: rows [2m, 2m + 4), columns [3m, 3m + 5), minus the first/last row and column
    want = np.zeros((6, 8))
    want[0:4, 0:5] = 1.
    want[2:6, 3:8] = 1.
    want[[0, -1], :] = 0.
    want[:, [0, -1]] = 0.
    np.testing.assert_array_equal(mask, want)
    np.testing.assert_array_equal(w * (1. - mask), 0.)
    x = rand((1, 6), seed=7)
    W.inputs.set(x)
    adv.run()
    assert_close(W.outputs.get(), np.asarray(x) @ w, "outputs = x @ W")


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from([(0, 0), (1, 2)]),
       st.sampled_from(["sgd", "adam"]))
def test_hebbian_patched_updates_stay_inside_the_blocks(seed, stride, optim):
    with Context("m"):
        W = C.HebbianPatchedSynapse("W", (6, 6), 3, stride_shape=stride, eta=0.3,
                                    optim_type=optim, w_bound=0., sign_value=-1.,
                                    prior=("l2", 0.1), key=seed)
        evo = MethodProcess("evo") >> W.evolve
    outside = W.structure == 0.
    rs = np.random.RandomState(seed)
    for _ in range(3):
        W.pre.set(jnp.asarray(rs.normal(size=W.pre.shape).astype(np.float32)))
        W.post.set(jnp.asarray(rs.normal(size=W.post.shape).astype(np.float32)))
        evo.run()
        assert np.all(np.asarray(W.weights.get())[outside] == 0.)
        assert np.all(np.asarray(W.dWeights.get())[outside] == 0.)
    assert np.any(np.asarray(W.dWeights.get())[~outside] != 0.)


def test_hebbian_patched_hand_computed_step():
    # sgd, w_bound = 1: dW = (pre^T post) (1 - |W|) M - 0 ; W <- clip(W - eta dW, -1, 1)
    with Context("m"):
        W = C.HebbianPatchedSynapse("W", (2, 2), 2, eta=0.5, weight_init=DG.constant(0.5))
        evo = MethodProcess("evo") >> W.evolve
    W.pre.set(jnp.asarray([[1., 2.]]))
    W.post.set(jnp.asarray([[3., 4.]]))
    evo.run()
    # diagonal blocks only: dW_00 = 1*3*(1 - .5) = 1.5, dW_11 = 2*4*0.5 = 4
    assert_close(W.dWeights.get(), [[1.5, 0.], [0., 4.]], "dWeights")
    assert_close(W.weights.get(), [[0.5 - 0.75, 0.], [0., -1.]], "weights (clipped at -1)")
    assert_close(W.dBiases.get(), [[3., 4.]], "db = sum post")


def test_lateral_current_hand_computed():
    # 2 units, one block W_l = [[1, -0.5], [-0.5, 1]], identity f: after a first step that
    # sets zF_lat = z1, the second step's j_lat = (z1 @ W_l) * 1 * R
    with Context("m"):
        X = C.RateCell("X", 2, tau_m=10., use_lateral=True, exc_inh=(1., -0.5), resist_scale=2.)
        adv = MethodProcess("adv") >> X.advance_state
    X.j.set(jnp.asarray([[1., 2.]]))
    adv.run(dt=1.)
    z1 = np.array([[2., 4.]]) / 10.          # tau dz = R j dt, z0 = 0, j_lat = 0 at first
    assert_close(X.z.get(), z1, "z after step 1")
    assert_close(X.zF_lat.get(), z1, "zF_lat = f(z)")
    X.j.set(jnp.asarray([[0., 0.]]))
    adv.run(dt=1.)
    j_lat = z1 @ np.array([[1., -0.5], [-0.5, 1.]]) * 2.
    assert_close(X.j_lat.get(), j_lat, "j_lat")
    assert_close(X.z.get(), z1 + j_lat / 10., "z after step 2 (euler)")
