"""ngclab.utils.density against ngc-learn 3.2.3 (tests/reference/utils_more_reference.json,
section "density"; same PRNG keys) and against the EM equations by hand."""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.stats import multivariate_normal

from ngclab.utils.density import BernoulliMixture, ExponentialMixture, GaussianMixture
from tests.helpers import arr, assert_close, reference

D = reference("utils_more")["density"]
X = arr(D["X"])


@pytest.mark.parametrize("diag", [False, True])
def test_gmm_init_likelihood_and_e_step_match_ngclearn(diag):
    ref = D["gmm_diag" if diag else "gmm"]
    g = GaussianMixture(2, assume_diag_cov=diag, key=jax.random.PRNGKey(5))
    g.init(X)
    assert_close(jnp.concatenate(g.mu), ref["mu0"], "means after init (same key)")
    assert_close(g.pi, ref["pi0"], "pi")
    vec, total = g.calc_log_likelihood(X)
    assert_close(vec, ref["ll0"][0], "log p(x_n)", atol=1e-4)
    assert_close(total, ref["ll0"][1], "log p(X)", atol=1e-3)
    assert_close(g.sample(6), ref["sample0"], "samples (S = I, same keys)")
    assert_close(g.sample(4, mode_j=1), ref["sample0_mode1"], "component samples")
    gamma, pi, means, total = g.update(X)
    assert_close(gamma, ref["gamma"], "responsibilities")
    assert_close(pi, ref["pi1"], "new priors")
    assert_close(total, ref["total1"], "log p(X) before the step", atol=1e-3)
    # ngclab's means: sum_n gamma_nk x_n / N_k; ngc-learn divides by N_k + 2 (its bug)
    g_ref = np.asarray(ref["gamma"])
    Nk = g_ref.sum(0)
    assert_close(means, (g_ref.T @ np.asarray(X)) / Nk[:, None], "M-step means")
    assert_close(np.asarray(ref["means1"]) * ((Nk + 2) / Nk)[:, None], means, "ngc-learn bug")
    # covariances: the responsibility-weighted scatter about the new means
    for k in range(2):
        diff = np.asarray(X) - np.asarray(means)[k]
        S = (g_ref[:, k:k + 1] * diff).T @ diff / Nk[k]
        assert_close(g.Sigma[k], np.diag(np.diag(S)) if diag else S, f"Sigma_{k}", atol=1e-4)


def test_gmm_log_density_is_the_gaussian_one():
    g = GaussianMixture(2, key=jax.random.PRNGKey(0))
    g.init(X)
    S = np.array([[1.5, 0.3, 0.0], [0.3, 0.8, 0.1], [0.0, 0.1, 0.6]])
    g.Sigma = [jnp.asarray(S, jnp.float32), jnp.eye(3) * 2.0]
    g.pi = jnp.asarray([[0.3, 0.7]])
    vec, total = g.calc_log_likelihood(X)
    px = 0.3 * multivariate_normal(np.asarray(g.mu[0])[0], S).pdf(np.asarray(X)) + \
        0.7 * multivariate_normal(np.asarray(g.mu[1])[0], 2.0 * np.eye(3)).pdf(np.asarray(X))
    assert_close(vec[:, 0], np.log(px), "log sum_k pi_k N(x; mu_k, S_k)", atol=1e-4)
    assert_close(total, np.sum(np.log(px)), "sum", atol=1e-3)


def test_gmm_full_covariance_samples_have_that_covariance():
    ref = D["gmm_full_sample"]
    S = np.asarray(ref["Sigma"])
    g = GaussianMixture(1, key=jax.random.PRNGKey(8))
    g.init(X)
    g.Sigma[0] = jnp.asarray(S, jnp.float32)
    x = np.asarray(g.sample(5, mode_j=0))
    Lc = np.linalg.cholesky(S)
    mu = np.asarray(ref["mu"])
    # same eps as ngc-learn's draw: ngc-learn = mu + eps L, ngclab = mu + eps L^T
    eps = (np.asarray(ref["x"]) - mu) @ np.linalg.inv(Lc)
    assert_close(x, mu + eps @ Lc.T, "L eps with the reference's eps", atol=1e-4)
    many = np.asarray(g.sample(20000, mode_j=0))
    np.testing.assert_allclose(np.cov(many.T), S, atol=0.06)  # ngclab: cov = S
    bad = np.asarray(jax.random.normal(jax.random.PRNGKey(1), (20000, 3))) @ Lc
    assert np.abs(np.cov(bad.T) - S).max() > 0.2  # ngc-learn's eps L has cov L^T L != S


def test_gmm_fit_recovers_two_clusters():
    rs = np.random.RandomState(0)
    data = np.concatenate([rs.randn(150, 2) * 0.3 + [2, 2], rs.randn(100, 2) * 0.5 - [2, 1]])
    g = GaussianMixture(2, max_iter=100, key=jax.random.PRNGKey(1))
    g.init(data)
    g.fit(data, tol=1e-5)
    order = np.argsort(np.asarray(jnp.concatenate(g.mu))[:, 0])
    np.testing.assert_allclose(np.asarray(jnp.concatenate(g.mu))[order], [[-2, -1], [2, 2]],
                               atol=0.15)
    np.testing.assert_allclose(np.asarray(g.pi)[0, order], [0.4, 0.6], atol=0.02)


def test_bmm_matches_ngclearn_and_uses_nk():
    ref = D["bmm"]
    B = arr(ref["X"])
    b = BernoulliMixture(3, key=jax.random.PRNGKey(6))
    b.init(B)
    assert_close(jnp.concatenate(b.mu), ref["mu0"], "init probabilities (same key sequence)")
    vec, total = b.calc_log_likelihood(B)
    assert_close(vec, ref["ll0"][0], "log p(x_n)")
    assert_close(np.asarray(b.sample(5), np.float32), np.asarray(ref["sample0"], np.float32),
                 "samples")
    gamma, pi, means, _ = b.update(B)
    assert_close(gamma, ref["gamma"], "responsibilities")
    assert_close(pi, ref["pi1"], "priors")
    Nk = np.asarray(ref["gamma"]).sum(0)
    assert_close(means, np.asarray(ref["gamma"]).T @ np.asarray(B) / Nk[:, None], "means")
    assert_close(np.asarray(ref["means1"]) * ((Nk + 2) / Nk)[:, None], means, "ngc-learn N_k+2")


def test_bmm_log_domain_where_ngclearn_gives_nan():
    ref = D["bmm_wide"]
    b = BernoulliMixture(2, key=jax.random.PRNGKey(6))
    wide = arr(ref["X"])
    b.init(wide)
    gamma = np.asarray(b.update(wide)[0])
    assert ref["gamma_has_nan"]  # ngc-learn: the 400-pixel likelihoods underflow, 0/0
    assert np.isfinite(gamma).all() and np.allclose(gamma.sum(1), 1.0, atol=1e-5)
    # 0 log 0 = 0: a probability of exactly 0 on pixels that are 0 is no error
    b.mu = [jnp.zeros((1, 400)).at[0, :200].set(0.5), jnp.full((1, 400), 0.5)]
    b.pi = jnp.asarray([[0.5, 0.5]])
    x = jnp.zeros((1, 400))
    vec, _ = b.calc_log_likelihood(x)
    assert_close(vec, [[np.log(0.5 * 0.5 ** 200 + 0.5 * 0.5 ** 400)]], "0 log 0", atol=1e-3)


def test_emm_matches_ngclearn_where_it_is_right():
    ref = D["emm"]
    E = arr(ref["X"])
    e = ExponentialMixture(2, key=jax.random.PRNGKey(7))
    e.init(E)
    assert_close(e.pi, ref["pi0"], "pi")
    assert_close(jnp.concatenate(e.rate), ref["rate0"], "rates")
    # sampling: same exponential draws; ngc-learn multiplies by the rate, ngclab divides
    ours = np.asarray(e.sample(6, mode_j=0))
    rate = np.asarray(ref["rate0"])[0]
    assert_close(ours * rate ** 2, ref["sample0_mode0"], "e / rate vs e * rate", atol=1e-4)
    gamma, pi, rates, total = e.update(E)
    assert_close(gamma, ref["gamma"], "responsibilities")
    assert_close(pi, ref["pi1"], "priors")
    assert_close(rates, ref["rate1"], "rates = N_k / sum_n gamma_nk x_n", atol=1e-4)
    # log-likelihood: log sum_k pi_k prod_d lambda_kd exp(-lambda_kd x_d) (ngclab) vs
    # ngc-learn's weighted sum_k gamma_nk log(pi_k p_k), which is never larger
    lam, p0 = np.asarray(ref["rate0"]), np.asarray(ref["pi0"])[0]
    comp = np.log(p0)[None] + np.log(lam).sum(1)[None] - np.asarray(E) @ lam.T
    want = np.log(np.exp(comp).sum(1))
    assert_close(total, want.sum(), "log p(X) before the step", atol=1e-3)
    assert (want + 1e-4 >= np.asarray(ref["ll0_weighted"][0])[:, 0]).all()
    with pytest.raises(ValueError, match="ExponentialMixture: X must be >= 0"):
        e.calc_log_likelihood(-E)


def test_emm_samples_have_mean_one_over_rate():
    e = ExponentialMixture(1, key=jax.random.PRNGKey(0))
    e.init(jnp.ones((4, 2)))
    e.rate = [jnp.asarray([[0.5, 4.0]])]
    np.testing.assert_allclose(np.asarray(e.sample(40000)).mean(0), [2.0, 0.25], rtol=0.03)


def test_bad_arguments():
    with pytest.raises(ValueError, match="GaussianMixture: K must be an integer >= 1"):
        GaussianMixture(0)
    with pytest.raises(ValueError, match="BernoulliMixture: max_iter"):
        BernoulliMixture(2, max_iter=0.5)
    with pytest.raises(ValueError, match="GaussianMixture: call init"):
        GaussianMixture(2).calc_log_likelihood(X)
    with pytest.raises(ValueError, match="at least K = 30 data points"):
        GaussianMixture(30).init(X)
