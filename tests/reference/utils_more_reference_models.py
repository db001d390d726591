"""Second half of utils_more_reference.py: ngc-learn 3.2.3 outputs of the density mixtures,
the analysis probes and effective-dimension measures, and the regression circuits."""
from __future__ import annotations

import contextlib
import io

import jax
import jax.numpy as jnp
import numpy as np


def L(a):
    if isinstance(a, (list, tuple)):
        return [L(v) for v in a]
    return np.asarray(a).tolist()


def quiet(fn, *args, **kwargs):
    with contextlib.redirect_stdout(io.StringIO()):
        return fn(*args, **kwargs)


def attempt(fn, *args, **kwargs):
    try:
        return L(quiet(fn, *args, **kwargs))
    except Exception as exc:  # recorded, checked by the tests
        return {"error": type(exc).__name__}


def _density(ref, rs):
    from ngclearn.utils.density import BernoulliMixture, ExponentialMixture, GaussianMixture

    d = ref["density"] = {}
    X = np.concatenate([rs.randn(12, 3) * 0.4 + 1.5, rs.randn(9, 3) * 0.7 - 1.0]).astype("f4")
    for diag in (False, True):
        g = GaussianMixture(2, assume_diag_cov=diag, key=jax.random.PRNGKey(5))
        g.init(jnp.asarray(X))
        case = {"mu0": L(jnp.concatenate(g.mu)), "pi0": L(g.pi),
                "ll0": L(g.calc_log_likelihood(jnp.asarray(X))),
                "sample0": L(g.sample(6)), "sample0_mode1": L(g.sample(4, mode_j=1))}
        gamma, pi, means, total = g.update(jnp.asarray(X))
        case.update(gamma=L(gamma), pi1=L(pi), means1=L(means), total1=L(total))
        d["gmm_diag" if diag else "gmm"] = case
    d["X"] = L(X)
    # a full covariance to show how ngc-learn samples it: mu + eps @ cholesky(S)
    g = GaussianMixture(1, key=jax.random.PRNGKey(8))
    g.init(jnp.asarray(X))
    S = np.array([[2.0, 0.9, 0.3], [0.9, 1.0, 0.2], [0.3, 0.2, 0.5]], np.float32)
    g.Sigma[0] = jnp.asarray(S)
    d["gmm_full_sample"] = {"Sigma": L(S), "mu": L(g.mu[0]), "x": L(g.sample(5, mode_j=0))}

    B = (rs.rand(16, 5) > 0.5).astype("f4")
    b = BernoulliMixture(3, key=jax.random.PRNGKey(6))
    b.init(jnp.asarray(B))
    case = {"X": L(B), "mu0": L(jnp.concatenate(b.mu)), "ll0": L(b.calc_log_likelihood(B)),
            "sample0": L(b.sample(5))}
    gamma, pi, means, total = b.update(jnp.asarray(B))
    case.update(gamma=L(gamma), pi1=L(pi), means1=L(means), total1=L(total))
    d["bmm"] = case
    wide = (rs.rand(4, 400) > 0.5).astype("f4")  # 400 pixels: the likelihoods underflow
    b = BernoulliMixture(2, key=jax.random.PRNGKey(6))
    b.init(jnp.asarray(wide))
    d["bmm_wide"] = {"X": L(wide), "gamma_has_nan": bool(np.isnan(np.asarray(
        b.update(jnp.asarray(wide))[0])).any())}

    E = rs.exponential(scale=[0.5, 2.0], size=(14, 2)).astype("f4")
    e = ExponentialMixture(2, key=jax.random.PRNGKey(7))
    e.init(jnp.asarray(E))
    case = {"X": L(E), "pi0": L(e.pi), "rate0": L(jnp.concatenate(e.rate)),
            "ll0_weighted": L(e.calc_log_likelihood(jnp.asarray(E))),
            "sample0_mode0": L(e.sample(6, mode_j=0))}
    gamma, pi, rates, total = e.update(jnp.asarray(E))
    case.update(gamma=L(gamma), pi1=L(pi), rate1=L(rates), total1_weighted=L(total))
    d["emm"] = case


def _analysis(ref, rs):
    from ngclearn.utils.analysis import AttentiveProbe, KMeansProbe, KNNProbe, LinearProbe
    from ngclearn.utils.analysis import effective_dim as ed
    from ngclearn.utils.analysis.attentive_probe import eval_attention_probe

    a = ref["analysis"] = {}
    Z = rs.randn(30, 5).astype("f4") @ np.diag([3.0, 2.0, 1.0, 0.3, 0.1]).astype("f4")
    a["Z"] = L(Z)
    a["participation_ratio"] = L(ed.participation_ratio(Z))
    a["participation_ratio_const"] = L(ed.participation_ratio(jnp.ones((6, 3))))
    a["covariance_error"] = attempt(ed.covariance_error, Z)
    a["rankme"] = L(ed.rankme(Z))
    a["stable_rank"] = L(ed.stable_rank(Z))
    a["stable_rank_3"] = L(ed.stable_rank(Z, 3))
    a["participation_ratio_nan_mode"] = attempt(ed.participation_ratio, Z, True)

    X = rs.randn(8, 2, 3).astype("f4")  # (N, T, D)
    Y = np.eye(3, dtype="f4")[rs.randint(0, 3, 8)]
    a["X"], a["Y"] = L(X), L(Y)
    for soft in (True, False):
        lp = LinearProbe(jax.random.PRNGKey(11), 2, 3, 3, batch_size=4, use_softmax=soft)
        out0 = lp.process(jnp.asarray(X))
        loss, pred = lp.update(jnp.asarray(X[:4]), jnp.asarray(Y[:4]))
        a[f"linear_{soft}"] = {"out0": L(out0), "loss": L(loss), "pred": L(pred),
                               "params1": L(lp.probe_params), "out1": L(lp.process(X))}
    bad = AttentiveProbe(jax.random.PRNGKey(12), 2, 3, 3, num_heads=2, attn_dim=4,
                         learnable_query_dim=4, batch_size=4, use_LN=False)
    a["attentive_process_dev_batch_1"] = attempt(bad.process, jnp.asarray(X[:4]))
    ap = AttentiveProbe(jax.random.PRNGKey(12), 2, 3, 3, num_heads=2, attn_dim=4,
                        learnable_query_dim=4, batch_size=4, use_LN=False, dropout=0.25,
                        dev_batch_size=4)
    a["attentive_params0"] = L(ap.probe_params)
    a["attentive_out0"] = L(ap.process(jnp.asarray(X[:4])))
    mask = np.zeros((4, 1, 2), bool)
    for drop in (0.0, 0.25):
        (loss, outs), grads = jax.value_and_grad(eval_attention_probe, argnums=1, has_aux=True)(
            jax.random.PRNGKey(13), ap.probe_params, jnp.asarray(X[:4]), jnp.asarray(Y[:4]),
            mask, 2, drop, False, False, True)
        a[f"attentive_eval_{drop}"] = {"loss": L(loss), "outs": L(outs), "grads": L(grads)}

    C = np.concatenate([rs.randn(6, 4) + 4 * np.eye(4)[k] for k in range(3)]).astype("f4")
    CY = np.eye(3, dtype="f4")[np.repeat(np.arange(3), 6)]
    a["C"], a["CY"] = L(C), L(CY)
    Q = rs.randn(5, 4).astype("f4") + 2.0
    a["Q"] = L(Q)
    for name, dist, k in (("euclid", ("euclidean", 2), 3), ("manhattan", ("manhattan", 1), 1),
                          ("cheb", ("chebyshev", 0), 2), ("cos", ("cosine", 2), 3),
                          ("mink3", ("minkowski", 3), 2)):
        for kind in ("classifier", "regressor"):
            kn = KNNProbe(jax.random.PRNGKey(0), 1, 4, 3, num_neighbors=k,
                          distance_function=dist, predictor_type=kind)
            kn.update(jnp.asarray(C), jnp.asarray(CY))
            a[f"knn_{name}_{kind}"] = {"k": k, "dist": list(dist), "out": L(kn.process(Q))}
    km = KMeansProbe(jax.random.PRNGKey(14), 1, 4, 3)
    km._init(jnp.asarray(C))
    a["kmeans_c0"] = L(km.centroids)
    km.update(jnp.asarray(C), jnp.asarray(CY))
    a["kmeans_c1"] = L(km.centroids)
    a["kmeans_out1"] = L(km.process(jnp.asarray(C)))
    a["kmeans_fit"] = L(quiet(KMeansProbe(jax.random.PRNGKey(14), 1, 4, 3).fit,
                              (jnp.asarray(C), jnp.asarray(CY)), n_iter=4))


def _regression(ref, rs):
    from ngclearn.modules.regression import (Iterative_ElasticNet, Iterative_Lasso,
                                             Iterative_Ridge)

    X = rs.randn(12, 4).astype("f4")
    y = X @ np.array([[1.0], [0.0], [-2.0], [0.02]], "f4") + 0.01 * rs.randn(12, 1).astype("f4")
    r = ref["regression"] = {"X": L(X), "y": L(y)}
    for cls, kw in ((Iterative_Lasso, {"lasso_lmbda": 0.05}), (Iterative_Ridge,
                                                              {"ridge_lmbda": 0.05}),
                    (Iterative_ElasticNet, {"lmbda": 0.05, "l1_ratio": 0.3})):
        for optim in ("adam", "sgd"):
            m = cls(jax.random.PRNGKey(21), f"{cls.__name__}_{optim}", 1, 4, 12, lr=0.02,
                    optim_type=optim, epochs=15, **kw)
            coef, mu, loss = quiet(m.fit, y, X)
            new, old = m.thresholding()
            r[f"{cls.__name__}_{optim}"] = {"kw": kw, "coef": L(coef), "mu": L(mu),
                                            "L": L(loss), "thresholded": L(new)}


def add_model_references(ref: dict, rs) -> None:
    _density(ref, rs)
    _analysis(ref, rs)
    _regression(ref, rs)
