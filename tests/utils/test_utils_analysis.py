"""ngclab.utils.analysis against ngc-learn 3.2.3 (tests/reference/utils_more_reference.json,
section "analysis"; same PRNG keys) and by hand."""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from ngclab.utils.analysis import AttentiveProbe, KMeansProbe, KNNProbe, LinearProbe
from ngclab.utils.analysis import effective_dim as ed
from ngclab.utils.analysis.attentive_probe import eval_attention_probe
from ngclab.utils.analysis.kmeans_probe import adjusted_rand_index
from tests.helpers import arr, assert_close, reference

A = reference("utils_more")["analysis"]
Z, X, Y, C, CY, Q = (arr(A[k]) for k in ("Z", "X", "Y", "C", "CY", "Q"))


def test_effective_dimension_matches_ngclearn_and_by_hand():
    assert_close(ed.participation_ratio(Z), A["participation_ratio"], "PR", atol=1e-4)
    assert_close(ed.participation_ratio(jnp.ones((6, 3))), A["participation_ratio_const"], "1")
    assert_close(ed.rankme(Z), A["rankme"], "rankme", atol=1e-4)
    assert_close(ed.stable_rank(Z), A["stable_rank"], "stable rank", atol=1e-4)
    assert_close(ed.stable_rank(Z, 3), A["stable_rank_3"], "3 power steps", atol=1e-4)
    C_ = np.cov(np.asarray(Z).T)
    assert_close(ed.participation_ratio(Z), np.trace(C_) ** 2 / np.sum(C_ ** 2), "tr^2/F^2",
                 atol=1e-4)
    R = np.corrcoef(np.asarray(Z).T)
    assert_close(ed.covariance_error(Z), (np.sum(R ** 2) - 5) / 20, "mean off-diag corr^2")
    s = np.linalg.svd(np.asarray(Z), compute_uv=False)
    p = s / s.sum()
    assert_close(ed.rankme(Z), np.exp(-np.sum(p * np.log(p))), "exp entropy", atol=1e-4)
    # ngc-learn 3.2.3 fails on both of these (reference file); ngclab gives NaN for C = 0
    assert A["covariance_error"] == {"error": "TypeError"}
    assert A["participation_ratio_nan_mode"] == {"error": "TracerBoolConversionError"}
    assert np.isnan(float(ed.participation_ratio(jnp.ones((4, 2)), True)))


@pytest.mark.parametrize("soft", [True, False])
def test_linear_probe_matches_ngclearn(soft):
    ref = A[f"linear_{soft}"]
    lp = LinearProbe(jax.random.PRNGKey(11), 2, 3, 3, batch_size=4, use_softmax=soft)
    assert_close(lp.process(X), ref["out0"], "outputs at init (same key)")
    loss, pred = lp.update(X[:4], Y[:4])
    assert_close(loss, ref["loss"], "loss")
    assert_close(pred, ref["pred"], "predictions")
    for got, want in zip(lp.probe_params, ref["params1"]):
        assert_close(got, want, "params after one Adam step")
    assert_close(lp.process(X), ref["out1"], "outputs after the step")


def test_linear_probe_learns_separable_classes():
    rs = np.random.RandomState(0)
    data = np.concatenate([rs.randn(20, 4) + 3 * np.eye(4)[k] for k in range(2)]).astype("f4")
    labels = np.eye(2, dtype="f4")[np.repeat([0, 1], 20)]
    lp = LinearProbe(jax.random.PRNGKey(0), 1, 4, 2, batch_size=10, use_softmax=True)
    lp.eta = 0.1
    assert float(lp.fit((data, labels), n_iter=6)) == 1.0
    assert lp.predict(data[:7], batch_size=3).shape == (7, 2)  # every row, the last batch short


def test_attentive_probe_init_and_gradients_match_ngclearn():
    ap = AttentiveProbe(jax.random.PRNGKey(12), 2, 3, 3, num_heads=2, attn_dim=4,
                        learnable_query_dim=4, batch_size=4, use_LN=False, dropout=0.25)
    ref_params = A["attentive_params0"]
    assert len(ap.probe_params) == len(ref_params) == 37
    for i, (got, want) in enumerate(zip(ap.probe_params[1:], ref_params[1:])):
        assert_close(got, want, f"parameter {i + 1} at init (same keys)")
    assert np.asarray(ap.probe_params[0]).shape == (1, 1, 4)  # one shared query
    assert_close(ap.process(X[:4]), A["attentive_out0"], "outputs at init")
    # ngc-learn fails with a batch other than dev_batch_size (reference file)
    assert A["attentive_process_dev_batch_1"] == {"error": "AssertionError"}
    mask = jnp.zeros((4, 1, 2), bool)
    for drop in (0.25,):  # (dropout 0: the outputs above; the reference holds both)
        ref = A[f"attentive_eval_{drop}"]
        (loss, outs), grads = jax.value_and_grad(eval_attention_probe, argnums=1, has_aux=True)(
            jax.random.PRNGKey(13), ap.probe_params, X[:4], Y[:4], mask, 2, drop, False, False,
            True)
        assert_close(loss, ref["loss"], f"loss, dropout {drop}")
        assert_close(outs, ref["outs"], f"outputs, dropout {drop}")
        # the shared query's gradient is the sum of ngc-learn's per-position gradients
        assert_close(grads[0][0], np.sum(np.asarray(ref["grads"][0]), axis=0), "query grad")
        for i, (got, want) in enumerate(zip(grads[1:], ref["grads"][1:])):
            assert_close(got, want, f"gradient {i + 1}, dropout {drop}")


def test_attentive_probe_trains_and_refuses_bad_widths():
    ap = AttentiveProbe(jax.random.PRNGKey(0), 2, 3, 3, num_heads=2, attn_dim=4,
                        learnable_query_dim=4, batch_size=4, eta=0.01, eta_decay=0.5,
                        min_eta=0.004)
    loss0, _ = ap.update(X[:4], Y[:4])
    assert ap.eta == 0.005  # max(min_eta, eta (1 - eta_decay))
    ap.update(X[:4], Y[:4])
    assert ap.eta == 0.004
    assert ap.process(X[:3]).shape == (3, 3)  # any batch size
    with pytest.raises(ValueError, match="AttentiveProbe: attn_dim \\(6\\) must be a multiple"):
        AttentiveProbe(jax.random.PRNGKey(0), 2, 3, 3, num_heads=4, attn_dim=6)


KNN = [k for k in A if k.startswith("knn_")]


@pytest.mark.parametrize("case", KNN)
def test_knn_probe_matches_ngclearn(case):
    ref = A[case]
    kind = case.rsplit("_", 1)[1]
    kn = KNNProbe(jax.random.PRNGKey(0), 1, 4, 3, num_neighbors=ref["k"],
                  distance_function=tuple(ref["dist"]), predictor_type=kind)
    kn.update(C, CY)
    assert_close(kn.process(Q), ref["out"], case)


def test_knn_probe_by_hand_fit_and_bad_names():
    memory = jnp.asarray([[0.0, 0.0], [1.0, 0.0], [5.0, 5.0]])
    labels = jnp.asarray([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    kn = KNNProbe(jax.random.PRNGKey(0), 1, 2, 2, num_neighbors=2, predictor_type="regressor")
    kn.update(memory, labels)
    # nearest two of (4, 4): (5, 5) and (1, 0) -> mean of their labels
    assert_close(kn.process(jnp.asarray([[4.0, 4.0]])), [[0.5, 0.5]], "mean of 2 nearest")
    clf = KNNProbe(jax.random.PRNGKey(0), 1, 4, 3, num_neighbors=1)
    assert float(clf.fit((C, CY))) == 1.0  # 1-NN on its own training set
    with pytest.warns(DeprecationWarning):
        assert KNNProbe(jax.random.PRNGKey(0), 1, 4, 3, K=3).K == 3
    with pytest.raises(ValueError, match="KNNProbe: unknown distance_function 'hamming'"):
        KNNProbe(jax.random.PRNGKey(0), 1, 4, 3, distance_function=("hamming", 1))
    with pytest.raises(ValueError, match="KNNProbe: unknown predictor_type"):
        KNNProbe(jax.random.PRNGKey(0), 1, 4, 3, predictor_type="ranker")


def test_kmeans_probe_matches_ngclearn():
    km = KMeansProbe(jax.random.PRNGKey(14), 1, 4, 3)
    km._init(C)
    assert_close(km.centroids, A["kmeans_c0"], "initial centroids (same key)")
    loss, out = km.update(C, CY)
    assert_close(km.centroids, A["kmeans_c1"], "after one Lloyd step")
    assert_close(out, A["kmeans_out1"], "assignments")
    c = np.asarray(km.centroids)
    d = ((np.asarray(C)[:, None] - c[None]) ** 2).sum(-1).min(1).mean()
    assert_close(loss, d, "loss = mean squared distance to the nearest centroid", atol=1e-4)
    best = KMeansProbe(jax.random.PRNGKey(14), 1, 4, 3).fit((C, CY), n_iter=4)
    assert_close(best, A["kmeans_fit"], "best ARI", atol=1e-5)


def test_adjusted_rand_index_by_hand():
    # identical partitions (relabelled): 1; the classic example below: 0.2424...
    assert float(adjusted_rand_index(jnp.asarray([0, 0, 1, 1]), jnp.asarray([1, 1, 0, 0]))) == 1
    a, b = [0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]
    # contingency [[2,1,0],[0,1,2]]: sum C(nij,2) = 2, rows 3+3, cols 1+1+1, C(6,2) = 15
    expected = (2 - 6 * 3 / 15) / ((6 + 3) / 2 - 6 * 3 / 15)
    assert_close(adjusted_rand_index(jnp.asarray(a), jnp.asarray(b)), expected, "ARI")
