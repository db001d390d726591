"""ngclab.utils.metric_utils against ngc-learn 3.2.3, hand values and numpy formulas."""
from __future__ import annotations

import hypothesis.extra.numpy as hnp
import hypothesis.strategies as st
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given

from ngclab.utils import metric_utils as me
from tests.helpers import HSET, close, np_arr


@pytest.fixture(scope="module")
def inp(ref):
    return {k: jnp.asarray(np_arr(v)) for k, v in ref["metrics"]["inputs"].items()}


@pytest.mark.parametrize("pbat", [False, True])
def test_scores_match_ngclearn(ref, inp, pbat):
    r, s = ref["metrics"], ("_batch" if pbat else "")
    # every expected value below: ngc-learn 3.2.3 output for the same inputs
    close(me.measure_MSE(inp["mu"], inp["x"], pbat), r["MSE" + s])
    close(me.measure_RMSE(inp["mu"], inp["x"], pbat), r["RMSE" + s])
    close(me.measure_MAE(inp["mu"], inp["x"], pbat), r["MAE" + s])
    close(me.measure_BCE(inp["pb"], inp["xb"], 1e-7, pbat), r["BCE" + s])
    close(me.measure_CatNLL(inp["p"], inp["yc"], 1e-7, pbat), r["CatNLL" + s])
    close(me.measure_KLD(inp["q"], inp["p"], pbat), r["KLD" + s])
    close(me.measure_firingRate(inp["spikes"], pbat), r["firingRate" + s])
    close(me.measure_fanoFactor(inp["spikes"], pbat), r["fanoFactor" + s])
    close(me.measure_breadth_TC(inp["responses"], pbat), r["breadth_TC" + s])
    close(me.measure_breadthOfTuningCurve(inp["responses"], pbat), r["breadth_TC" + s])
    close(me.measure_sparsity(inp["codes"], 0.1, pbat), r["sparsity" + s])
    # shapes as in ngc-learn: (N, 1) / (1, D) / (D,) per sample, 0-d otherwise
    assert np.shape(me.measure_MSE(inp["mu"], inp["x"], pbat)) == np.shape(r["MSE" + s])
    assert np.shape(me.measure_firingRate(inp["spikes"], pbat)) == np.shape(r["firingRate" + s])
    assert np.shape(me.measure_breadth_TC(inp["responses"], pbat)) == np.shape(
        r["breadth_TC" + s])


def test_other_measures_match_ngclearn(ref, inp):
    r = ref["metrics"]
    close(me.measure_sparsity(inp["codes"], 0.0, True, True), r["sparsity_flip"])
    close(me.measure_ACC(inp["guess"], inp["yc"]), r["ACC"])
    close(me.measure_BIC(inp["x"], 12, -35.5, True), r["BIC_log"])
    close(me.measure_BIC(inp["x"], 12, 0.25, False), r["BIC_raw"])
    close(me.measure_gaussian_KLD(inp["g_mu1"], inp["S1"], inp["g_mu1"], inp["S2"]),
          r["gaussian_KLD_same_mu"])
    close(me.measure_gaussian_KLD(inp["g_mu1"], inp["S1"], inp["g_mu1"], inp["S2"], False),
          r["gaussian_KLD_same_mu_pinv"])
    a = r["analyze_scores"]
    conf, prec, rec, misses, acc, adj = me.analyze_scores(inp["guess"], inp["yc"])
    np.testing.assert_array_equal(conf, a["conf"])
    close([prec, rec, misses, acc, adj],
          [a["precision"], a["recall"], a["misses"], a["acc"], a["adj_acc"]])


def test_breadth_tc_of_a_matrix_is_one_trial(ref, inp):
    # a (T x D) matrix is read as a single trial: equal to ngc-learn on responses[:1]
    close(me.measure_breadth_TC(inp["responses"][0], True), ref["metrics"]["breadth_TC_one_trial"])


def test_acc_with_integer_labels_works_where_ngclearn_fails(ref, inp):
    assert ref["metrics"]["ACC_int_labels"] == {"error": "UnboundLocalError"}
    labels = jnp.argmax(inp["yc"], axis=1)
    close(me.measure_ACC(inp["guess"], labels, False), ref["metrics"]["ACC"])


def test_gaussian_kld_quadratic_term_counted_once(ref, inp):
    m1, m2, S1, S2 = (np.asarray(inp[k], np.float64) for k in ("g_mu1", "g_mu2", "S1", "S2"))
    P2 = np.linalg.inv(S2)
    d = m2 - m1
    quad = float((d @ P2 @ d.T)[0, 0])
    # closed form 0.5 [ln det S2/det S1 + tr(P2 S1) + quad - D]
    expect = 0.5 * (np.log(np.linalg.det(S2) / np.linalg.det(S1)) + np.trace(P2 @ S1) + quad - 3)
    ours = me.measure_gaussian_KLD(inp["g_mu1"], inp["S1"], inp["g_mu2"], inp["S2"])
    assert np.shape(ours) == (1, 1)
    close(ours, [[expect]], atol=1e-5)
    # ngc-learn 3.2.3 adds the quadratic term twice: it exceeds ours by exactly quad / 2
    close(np.asarray(ref["metrics"]["gaussian_KLD_diff_mu"]) - np.asarray(ours), [[quad / 2]],
          atol=1e-5)


def test_hand_values():
    mu_, x = jnp.asarray([[1.0, 2.0], [0.0, 0.0]]), jnp.asarray([[0.0, 0.0], [1.0, -1.0]])
    # per-row sums of squares: 1 + 4 = 5, 1 + 1 = 2; mean 3.5
    close(me.measure_MSE(mu_, x, True), [[5.0], [2.0]])
    close(me.measure_MSE(mu_, x), 3.5)
    close(me.measure_RMSE(mu_, x), np.sqrt(3.5))
    close(me.measure_MAE(mu_, x, True), [[3.0], [2.0]])
    # BCE of p = 0.5 everywhere is D ln 2 per row
    close(me.measure_BCE(jnp.full((1, 3), 0.5), jnp.asarray([[1.0, 0.0, 1.0]])), 3 * np.log(2))
    close(me.measure_CatNLL(jnp.asarray([[0.25, 0.75]]), jnp.asarray([[0.0, 1.0]])),
          -np.log(0.75))
    # KLD of identical rows is 0
    close(me.measure_KLD(jnp.asarray([[0.2, 0.8]]), jnp.asarray([[0.2, 0.8]])), 0.0)
    # spike train: neuron 0 fires 2 of 4 steps (rate .5, var .25, fano .5), neuron 1 always
    s = jnp.asarray([[1.0, 1.0], [0.0, 1.0], [1.0, 1.0], [0.0, 1.0]])
    close(me.measure_firingRate(s, True), [[0.5, 1.0]])
    close(me.measure_fanoFactor(s, True), [[0.5, 0.0]])
    # BTC: responses [0, 2] over two conditions: mean 1, var 1, C = 1 -> 1/2; silent -> 0
    close(me.measure_breadth_TC(jnp.asarray([[0.0, 0.0], [2.0, 0.0]]), True), [0.5, 0.0])
    close(me.measure_sparsity(jnp.asarray([[0.0, 1.0, 2.0, 0.0]])), [[0.5]])
    close(me.measure_BIC(jnp.zeros((10, 2)), 3, -4.0), 8.0 + 3 * np.log(10))
    close(me.measure_ACC(jnp.asarray([[0.9, 0.1], [0.2, 0.8]]),
                         jnp.asarray([[1.0, 0.0], [1.0, 0.0]])), 0.5)


def test_analyze_scores_hand_values():
    # labels [0, 1, 1, 2], guesses [0, 1, 2, 2]; the last row of mu is all zero (a miss)
    mu_ = jnp.asarray([[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0], [0, 0, 0.0]])
    y = jnp.asarray([0, 1, 1, 2])
    conf, prec, rec, misses, acc, adj = me.analyze_scores(mu_, y, extract_label_indx=False)
    # guesses: argmax of the zero row is 0 -> guesses [0, 1, 2, 0]
    np.testing.assert_array_equal(conf, [[1, 0, 0], [0, 1, 1], [1, 0, 0]])
    # precision: c0 1/2, c1 1/1, c2 0/1 -> 0.5; recall: c0 1/1, c1 1/2, c2 0/1 -> 0.5
    close([prec, rec, misses, acc, adj], [0.5, 0.5, 1.0, 0.5, 0.5])


# -------------------------------------------------------------------- vs plain numpy
mats = hnp.arrays(np.float32, (4, 6), elements=st.floats(-5, 5, width=32))
probs = hnp.arrays(np.float32, (4, 6),  # bounds 2^-10 and 1 - 2^-10 (exact in float32)
                   elements=st.floats(0.0009765625, 0.9990234375, width=32))
bins = hnp.arrays(np.float32, (4, 6), elements=st.sampled_from([0.0, 1.0]))


@HSET
@given(a=mats, b=mats)
def test_errors_vs_numpy(a, b):
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    close(me.measure_MSE(a, b, True), ((a64 - b64) ** 2).sum(1, keepdims=True), atol=1e-4)
    close(me.measure_MAE(a, b), np.abs(a64 - b64).sum(1).mean(), atol=1e-4)
    close(me.measure_RMSE(a, b), np.sqrt(((a64 - b64) ** 2).sum(1).mean()), atol=1e-4)


@HSET
@given(p=probs, x=bins)
def test_likelihoods_vs_numpy(p, x):
    p64 = p.astype(np.float64)
    bce = -(x * np.log(p64) + (1 - x) * np.log(1 - p64)).sum(1, keepdims=True)
    close(me.measure_BCE(p, x, 1e-7, True), bce, atol=1e-4, rtol=1e-5)
    close(me.measure_CatNLL(p, x), (-(x * np.log(p64)).sum(1)).mean(), atol=1e-4, rtol=1e-5)
    q = p64 / p64.sum(1, keepdims=True)
    r = p64[::-1] / p64[::-1].sum(1, keepdims=True)
    kld = (r * (np.log(r) - np.log(q))).sum(1, keepdims=True) / 6
    close(me.measure_KLD(q.astype(np.float32), r.astype(np.float32), True), kld, atol=1e-5)


@HSET
@given(s=hnp.arrays(np.float32, (12, 5), elements=st.sampled_from([0.0, 1.0])),
       c=hnp.arrays(np.float32, (3, 7),  # XLA on CPU flushes subnormals to 0: avoid them
                    elements=st.floats(0, 3, width=32, allow_subnormal=False)),
       tol=st.floats(0, 1))
def test_spike_statistics_vs_numpy(s, c, tol):
    close(me.measure_firingRate(s, True), s.mean(0, keepdims=True))
    with np.errstate(divide="ignore", invalid="ignore"):
        close(me.measure_fanoFactor(s, True), s.var(0, keepdims=True) / s.mean(0, keepdims=True))
    close(me.measure_sparsity(c, tol), (c > np.float32(tol)).mean(1, keepdims=True))
