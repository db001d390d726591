"""LeakyNoiseCell and RewardErrorCell. Expected values are hand-computed from the equations in
each cell's module docstring; the noise is recomputed from the documented key use
(key, sub = split(key); eps = normal(sub, shape)). ngc-learn numbers: test_reference.py."""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from ngclab import Context, MethodProcess
from ngclab.components import LeakyNoiseCell, RewardErrorCell


def noise_cell(**kw):
    kw.setdefault("n_units", 3)
    kw.setdefault("tau_x", 4.)
    kw.setdefault("key", 42)
    with Context("m") as ctx:
        c = LeakyNoiseCell("x", **kw)
        p = MethodProcess("p") >> c.advance_state
    return ctx, c, p


@pytest.mark.parametrize("integ", ["euler", "midpoint"])
def test_leaky_noise_step(integ):
    _, c, p = noise_cell(integration_type=integ, sigma_pre=0.3, sigma_post=0.2,
                         leak_scale=0.5, batch_size=2, act_fx="tanh")
    key0 = c.key.get()
    x0 = np.array([[0.1, -0.2, 0.3], [1., 0., -1.]], np.float32)
    ji, jr = np.full((2, 3), 0.5, np.float32), np.full((2, 3), -0.25, np.float32)
    c.x.set(x0)
    c.j_input.set(ji)
    c.j_recurrent.set(jr)
    p.run(t=0., dt=1.)
    key1, sub = jax.random.split(key0)
    eps = np.asarray(jax.random.normal(sub, (2, 3)))
    drive = ji + jr + np.sqrt(2 * 4. * 0.3 ** 2) * eps
    f = lambda x: (-0.5 * x + drive) / 4.
    x1 = x0 + f(x0) if integ == "euler" else x0 + f(x0 + 0.5 * f(x0))
    np.testing.assert_allclose(np.asarray(c.x.get()), x1, atol=1e-5)
    np.testing.assert_allclose(np.asarray(c.r.get()), np.tanh(x1) + 0.2 * eps, atol=1e-5)
    np.testing.assert_allclose(np.asarray(c.r_prime.get()), 1 - np.tanh(x1) ** 2, atol=1e-5)
    np.testing.assert_array_equal(np.asarray(c.key.get()), np.asarray(key1))


def test_leaky_noise_deterministic_for_a_key_and_noise_free_limit():
    runs = []
    for key in (7, 7, 8):
        _, c, p = noise_cell(key=key)
        c.j_input.set(jnp.ones((1, 3)))
        out = p.scan(5, record=[c.x])
        runs.append(np.asarray(out[c.x.path]))
    np.testing.assert_array_equal(runs[0], runs[1])
    assert not np.allclose(runs[0], runs[2])
    # without noise: x relaxes as x_t = x_{t-1} + (j - x_{t-1}) / tau, r = relu(x)
    _, c, p = noise_cell(sigma_pre=0., sigma_post=0., output_scale=2.)
    c.j_input.set(jnp.ones((1, 3)))
    out = p.scan(3, record=[c.x, c.r])
    x, xs = 0., []
    for _ in range(3):
        x = x + (1. - x) / 4.
        xs.append(x)
    np.testing.assert_allclose(np.asarray(out[c.x.path])[:, 0, 0], xs, atol=1e-6)
    np.testing.assert_allclose(np.asarray(out[c.r.path])[:, 0, 0], 2 * np.array(xs), atol=1e-6)


def test_leaky_noise_knobs_reset_batched_reset_alias():
    ctx, c, p = noise_cell()
    assert set(c.knobs) == {"tau_x", "sigma_pre", "sigma_post", "leak_scale", "output_scale"}
    c.j_input.set(jnp.ones((1, 3)))
    p.run(t=0., dt=1.)
    n = p.compile_count
    c.sigma_pre.set(0.)
    c.sigma_post.set(0.)
    c.reset()
    c.j_input.set(jnp.ones((1, 3)))
    p.run(t=0., dt=1.)
    assert p.compile_count == n
    np.testing.assert_allclose(np.asarray(c.x.get()), 0.25, atol=1e-6)  # noise-free step
    c.batched_reset(3)
    assert c.x.shape == (3, 3) and c.r.shape == (3, 3) and c.j_input.shape == (3, 3)
    with Context("m2"):
        with pytest.warns(DeprecationWarning, match="sigma_rec"):
            c2 = LeakyNoiseCell("x", 2, 5., sigma_rec=0.4)
    assert float(c2.sigma_pre.get()) == pytest.approx(0.4)
    assert c2.hyperparameters["sigma_pre"] == 0.4 and "sigma_rec" not in c2.hyperparameters
    assert "r_prime" in LeakyNoiseCell.help()["compartments"]["outputs"]


def reward_cell(**kw):
    with Context("m") as ctx:
        c = RewardErrorCell("rpe", **{"n_units": 2, "alpha": 0.5, "ema_window_len": 2, **kw})
        adv = MethodProcess("adv") >> c.advance_state
        evo = MethodProcess("evo") >> c.evolve
    return ctx, c, adv, evo


def test_reward_online():
    _, c, adv, evo = reward_cell()
    mu = np.zeros((1, 2))
    acc = np.zeros((1, 2))
    for r in ([1., 0.], [1., 2.], [0., 2.]):
        c.reward.set(jnp.array([r]))
        adv.run(t=0., dt=1.)
        r = np.array([r])
        np.testing.assert_allclose(np.asarray(c.rpe.get()), r - mu, atol=1e-6)  # rpe = r - mu
        mu = 0.5 * mu + 0.5 * r
        acc = acc + r
        np.testing.assert_allclose(np.asarray(c.mu.get()), mu, atol=1e-6)
    np.testing.assert_allclose(np.asarray(c.accum_reward.get()), acc)
    np.testing.assert_allclose(np.asarray(c.n_ep_steps.get()), [[3.]])
    evo.run(t=0., dt=1.)
    np.testing.assert_allclose(np.asarray(c.mu.get()), 0.5 * mu + 0.5 * acc / 3, atol=1e-6)


def test_reward_offline_learns_only_in_evolve():
    _, c, adv, evo = reward_cell(use_online_predictor=False)
    for r in ([2., 0.], [4., 2.]):
        c.reward.set(jnp.array([r]))
        adv.run(t=0., dt=1.)
    np.testing.assert_allclose(np.asarray(c.mu.get()), 0.)
    np.testing.assert_allclose(np.asarray(c.rpe.get()), [[4., 2.]])
    evo.run(t=0., dt=1.)  # mu = (1 - 1/2) 0 + (1/2) * mean reward [3, 1]
    np.testing.assert_allclose(np.asarray(c.mu.get()), [[1.5, 0.5]], atol=1e-6)


def test_reward_evolve_before_any_step_is_a_no_op_and_reset():
    _, c, adv, evo = reward_cell()
    c.mu.set(jnp.array([[0.3, 0.3]]))
    evo.run(t=0., dt=1.)  # n_ep_steps = 0: no average to learn from (ngc-learn gives NaN)
    np.testing.assert_allclose(np.asarray(c.mu.get()), 0.3, atol=1e-7)
    c.reward.set(jnp.ones((1, 2)))
    adv.run(t=0., dt=1.)
    c.reset()
    for comp in (c.mu, c.rpe, c.accum_reward, c.n_ep_steps):
        np.testing.assert_array_equal(np.asarray(comp.get()), 0.)
    c.batched_reset(3)
    assert c.mu.shape == (3, 2) and c.n_ep_steps.shape == (3, 1)
    assert set(c.knobs) == {"alpha", "ema_window_len"}
    with Context("bad"), pytest.raises(ValueError, match="ema_window_len"):
        RewardErrorCell("r", 2, 0.1, ema_window_len=0)
