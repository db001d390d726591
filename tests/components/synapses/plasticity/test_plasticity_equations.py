"""The plasticity rules against their equations, computed by hand (numpy) in each test:
Oja's rule finds the first principal component, the SOM's neighbourhood update, REINFORCE's
gradient estimate on a one-armed Gaussian bandit, MSTDP-ET's decaying eligibility trace."""
import jax
import jax.numpy as jnp
import numpy as np

from ngclab import Context, MethodProcess
from ngclab.components import MSTDPETSynapse, OjaTensorSynapse, REINFORCESynapse, SOMSynapse
from ngclab.utils.distribution_generator import DistributionGenerator as DG


def test_oja_rule_converges_to_the_first_principal_component():
    # one linear unit y = w . x on 2-D Gaussian inputs: Oja's rule w += eta y (x - y w) drives
    # w to the unit-norm top eigenvector of the covariance (up to sign)
    cov = np.array([[3., 1.2], [1.2, 1.]])
    rng = np.random.default_rng(0)
    T, B = 1500, 4
    x = rng.multivariate_normal(np.zeros(2), cov, size=(T, B)).astype(np.float32)
    with Context("oja"):
        W = OjaTensorSynapse("W", n_in_streams=1, K_local=2, O_local=1, eta=0.002,
                             weight_init=DG.uniform(0.1, 0.3), batch_size=B, key=1)
        W.outputs >> W.post
        step = MethodProcess("step") >> W.advance_state >> W.evolve
    step.scan(T, dt=1., clamp={W.inputs: x, W.pre: x})
    w = np.asarray(W.dense_weights())[:, 0]
    evals, evecs = np.linalg.eigh(cov)
    pc1 = evecs[:, np.argmax(evals)]
    assert abs(np.linalg.norm(w) - 1.) < 0.03               # |w| -> 1
    assert abs(np.dot(w, pc1)) / np.linalg.norm(w) > 0.999    # w -> +-pc1


def test_plain_hebbian_learning_follows_its_recursion_and_grows():
    # oja_factor = 0: w <- w + eta x (x . w), step by step in numpy; |w| grows (the Hebbian
    # term alone is unstable: about (1 + eta lambda_max)^T)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 1, 2)).astype(np.float32)
    with Context("hebb"):
        W = OjaTensorSynapse("W", n_in_streams=1, K_local=2, O_local=1, eta=0.01,
                             oja_factor=0., weight_init=DG.constant(value=0.5), key=1)
        W.outputs >> W.post
        step = MethodProcess("step") >> W.advance_state >> W.evolve
    step.scan(200, dt=1., clamp={W.inputs: x, W.pre: x})
    w = np.full(2, 0.5)
    for xt in x[:, 0]:
        w = w + 0.01 * xt * (xt @ w)
    np.testing.assert_allclose(np.asarray(W.dense_weights())[:, 0], w, rtol=1e-4)
    assert np.linalg.norm(w) > 2. * np.linalg.norm([0.5, 0.5])


def test_som_neighbourhood_update_by_hand():
    nx, ny, eta0 = 3, 3, 0.5
    x = np.array([[0.9, 0.1]], np.float32)
    with Context("som"):
        S = SOMSynapse("S", n_inputs=2, n_units_x=nx, n_units_y=ny, eta=eta0,
                       weight_init=DG.uniform(0., 1.), key=4)
        step = MethodProcess("step") >> S.advance_state >> S.evolve
    W0 = np.asarray(S.weights.get())
    S.inputs.set(jnp.asarray(x))
    step.run(t=0., dt=1.)
    # unit u = i * ny + j sits at (i, j); the bmu is the prototype nearest to x
    coords = np.array([(i, j) for i in range(nx) for j in range(ny)], np.float32)
    bmu = int(np.argmin(np.linalg.norm(x.T - W0, axis=0)))
    r0 = max(nx, ny) / 2.
    h = np.exp(-np.sum((coords - coords[bmu]) ** 2, axis=1) / (2. * r0 ** 2))
    eta1 = eta0 * (1. - 1. / 50000.)                # eta decays before the update
    np.testing.assert_allclose(np.asarray(S.weights.get()), W0 + eta1 * h * (x.T - W0),
                               rtol=1e-5, atol=1e-6)
    assert int(S.bmu.get()[0, 0]) == bmu
    np.testing.assert_allclose(np.asarray(S.outputs.get())[0], np.exp(h) / np.exp(h).sum(),
                               rtol=1e-5)
    np.testing.assert_allclose(float(S.radius.get()[0, 0]), r0 * (1. - np.log(r0) / 50000.),
                               rtol=1e-6)
    assert float(S.i_tick.get()[0, 0]) == 1.
    # the bmu moved furthest towards x, its grid neighbours less, the far corner least
    moved = np.linalg.norm(np.asarray(S.weights.get()) - W0, axis=0) / \
        np.linalg.norm(x.T - W0, axis=0)
    assert np.argmax(moved) == bmu


def test_reinforce_estimates_the_gradient_of_the_expected_reward():
    # one-armed Gaussian bandit: action a ~ N(mu, sigma^2), mu = W_mu (input 1, identity
    # activations), sigma = e^{W_logstd}, reward r(a) = -(a - a_star)^2, so
    # E[r] = -((mu - a_star)^2 + sigma^2): dE/dmu = -2 (mu - a_star), dE/dlog sigma = -2 sigma^2.
    # REINFORCE's dWeights = 0.01 mean_b r_b d log p(a_b) / dW estimates 0.01 dE[r]/dW.
    B, mu, a_star = 20000, 0.3, 1.
    with Context("bandit"):
        R = REINFORCESynapse("R", (1, 1), eta=0.1, batch_size=B, seed=3,
                             weight_init=DG.constant(value=0.))
        learn = MethodProcess("learn") >> R.evolve
    R.weights.set(jnp.array([[mu, 0.]]))             # [W_mu, W_logstd]: sigma = 1
    R.inputs.set(jnp.ones((B, 1)))
    # the actions evolve will draw (from the sampling key), to reward them
    _, sub = jax.random.split(R.seed.get())
    eps = np.asarray(jax.random.normal(sub, (B, 1)))[:, 0]
    a = mu + eps
    r = -(a - a_star) ** 2
    R.rewards.set(jnp.asarray(r, jnp.float32))
    learn.run(dt=1.)
    np.testing.assert_allclose(np.asarray(R.outputs.get())[:, 0], a, rtol=1e-5, atol=1e-6)
    g = np.asarray(R.dWeights.get())[0]
    # the estimator by hand: d log p / d mu = (a - mu) / sigma^2, d/dlog sigma = (a - mu)^2 - 1
    score_mu, score_s = r * eps, r * (eps ** 2 - 1.)
    np.testing.assert_allclose(g, 0.01 * np.array([score_mu.mean(), score_s.mean()]),
                               rtol=1e-4)
    # ... and it agrees with the analytic gradient within 4 standard errors
    exact = 0.01 * np.array([-2. * (mu - a_star), -2.])
    se = 0.01 * np.array([score_mu.std(), score_s.std()]) / np.sqrt(B)
    assert np.all(np.abs(g - exact) < 4. * se), (g, exact, se)
    # learning_mask 0: the weights did not move (the step only sampled)
    np.testing.assert_array_equal(np.asarray(R.weights.get()), np.float32([[mu, 0.]]))


def test_reinforce_learns_the_bandit():
    # with learning on, repeated updates move the mean action towards a_star
    B, a_star = 256, 0.8
    with Context("bandit"):
        R = REINFORCESynapse("R", (1, 1), eta=20., batch_size=B, seed=5,
                             weight_init=DG.constant(value=0.1), scalar_stddev=0.3)
        act = MethodProcess("act") >> R.evolve
    R.inputs.set(jnp.ones((B, 1)))
    R.learning_mask.set(1.)
    for _ in range(60):
        # reward the actions this evolve will sample, with the batch mean as the baseline
        W_mu = float(R.weights.get()[0, 0])
        _, sub = jax.random.split(R.seed.get())
        a = W_mu + 0.3 * np.asarray(jax.random.normal(sub, (B, 1)))[:, 0]
        r = -(a - a_star) ** 2
        R.rewards.set(jnp.asarray(r - r.mean(), jnp.float32))
        act.run(dt=1.)
    assert abs(float(R.weights.get()[0, 0]) - a_star) < 0.1


def test_mstdp_et_eligibility_decays_until_the_reward_arrives():
    # one pre-before-post pairing at step 0 stores dW = A_plus z_pre (x_tar = 0); the next
    # evolve loads Elg = dW / tau_elg, and each later one decays it by elg_decay e^{-dt/tau}.
    # A reward r at step k then moves W by eta r Elg_k.
    tau, decay, eta, A_plus, z_pre, dt, k, r = 4., 0.9, 0.5, 0.2, 0.8, 1., 5, 0.7
    with Context("et"):
        W = MSTDPETSynapse("W", (1, 1), A_plus=A_plus, A_minus=0.1, eta=eta, tau_elg=tau,
                           elg_decay=decay, weight_init=DG.constant(value=0.5))
        step = MethodProcess("step") >> W.evolve
    elg, weights = [], []
    for i in range(k + 1):
        paired = i == 0
        W.preTrace.set(jnp.full((1, 1), z_pre if paired else 0.))
        W.postSpike.set(jnp.full((1, 1), 1. if paired else 0.))
        W.modulator.set(jnp.full((1, 1), r if i == k else 0.))
        step.run(t=float(i), dt=dt)
        elg.append(float(W.eligibility.get()[0, 0]))
        weights.append(float(W.weights.get()[0, 0]))
    dW = A_plus * z_pre
    want = [0.] + [dW / tau * (decay * np.exp(-dt / tau)) ** (n - 1) for n in range(1, k + 1)]
    np.testing.assert_allclose(elg, want, rtol=1e-5)
    assert weights[:k] == [0.5] * k                  # no reward yet: W unchanged
    np.testing.assert_allclose(weights[k], 0.5 + eta * r * want[k], rtol=1e-6)


def test_mstdp_without_eligibility_uses_only_the_last_pairing():
    # tau_elg = 0 (MSTDP): the eligibility is the previous step's STDP update, so a reward one
    # step after the pairing changes W by eta r dW and a reward two steps after finds nothing
    for delay, moved in ((1, True), (2, False)):
        with Context("m"):
            W = MSTDPETSynapse("W", (1, 1), A_plus=0.2, A_minus=0.1, eta=0.5,
                               weight_init=DG.constant(value=0.5))
            step = MethodProcess("step") >> W.evolve
        for i in range(delay + 1):
            W.preTrace.set(jnp.full((1, 1), 0.8 if i == 0 else 0.))
            W.postSpike.set(jnp.full((1, 1), 1. if i == 0 else 0.))
            W.modulator.set(jnp.full((1, 1), 1. if i == delay else 0.))
            step.run(t=float(i), dt=1.)
        expect = 0.5 + 0.5 * 1. * 0.2 * 0.8 if moved else 0.5
        np.testing.assert_allclose(float(W.weights.get()[0, 0]), expect, rtol=1e-6)
