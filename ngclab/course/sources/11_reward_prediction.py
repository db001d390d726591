# %% [markdown]
# # 11. Reward prediction error in a two-armed bandit
#
# Dopamine neurons are thought to signal a **reward prediction error** (RPE): the difference
# between the reward received and the reward expected. ngclab's `RewardErrorCell` (ngc-learn's
# equations) keeps a prediction $\mu$ per unit and at each step computes
#
# $$\delta = r - \mu, \qquad \mu \leftarrow (1 - \alpha)\,\mu + \alpha\, r
#   \quad(\text{i.e. } \mu \leftarrow \mu + \alpha\,\delta),$$
#
# the Rescorla–Wagner / TD(0) update with learning rate $\alpha$ (`alpha`, a knob). Its
# compartments: `reward` (input), `mu`, `rpe`, `accum_reward`, `n_ep_steps`; `evolve()` applies an
# episodic moving average (window `ema_window_len`) that we do not need here.
#
# The task: a **two-armed bandit**. Arm $k$ pays 1 with probability $p_k$, else 0. The agent
# keeps one prediction per arm (a `RewardErrorCell` with two units) and picks an arm by a
# softmax over its predictions, $P(k) \propto e^{\beta \mu_k}$. Only the chosen arm learns: the
# unchosen arm is shown its own prediction as "reward", so its $\delta$ is 0.
#
# The environment and the choice are a small component written in this notebook, so the whole
# experiment (many agents in parallel, hundreds of trials) is one compiled `scan`.

# %%
import time
import numpy as np
import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt

import ngclab
from ngclab import Context, MethodProcess, Component, Compartment, Knob, compilable
from ngclab.components import RewardErrorCell

t_start = time.perf_counter()

# %% tags=["parameters"]
agents = 128       # independent agents (the batch)
trials = 400       # trials per agent
alpha = 0.1        # learning rate of the predictions
beta = 5.0         # softmax inverse temperature
p_best = 0.8       # reward probability of the better arm
p_worse = 0.2      # reward probability of the worse arm
reversal = True    # swap the arms halfway through

# %% [markdown]
# ## A bandit component
#
# It reads the predictions (`mu`, wired from the cell), samples a choice and a reward from its
# own PRNG key, and writes the reward vector for the cell. `p` (the arms' reward probabilities)
# is a compartment, so a `scan` can clamp a sequence into it (the reversal).

# %%
class TwoArmedBandit(Component):
    """Softmax choice over mu; arm k pays 1 with probability p_k. Writes the chosen arm's reward
    and, for the other arm, its own prediction (zero prediction error)."""

    def __init__(self, name, p_reward=(0.8, 0.2), beta=5.0, batch_size=1, **kwargs):
        super().__init__(name, **kwargs)
        self.batch_size = batch_size
        self.p = Compartment(jnp.asarray([p_reward], dtype=jnp.float32), kind="parameter")
        self.mu = Compartment(jnp.zeros((batch_size, 2)), kind="input")
        self.reward = Compartment(jnp.zeros((batch_size, 2)), kind="output")
        self.choice = Compartment(jnp.zeros((batch_size, 2)), kind="output")
        self.beta = Knob(beta, low=0.0, doc="softmax inverse temperature")

    @compilable
    def advance_state(self):
        key, k_choice, k_reward = jax.random.split(self.key.get(), 3)
        self.key.set(key)
        mu = self.mu.get()
        arm = jax.random.categorical(k_choice, self.beta.get() * mu, axis=-1)
        onehot = jax.nn.one_hot(arm, 2, dtype=jnp.float32)
        p_chosen = jnp.sum(onehot * self.p.get(), axis=-1, keepdims=True)
        paid = (jax.random.uniform(k_reward, p_chosen.shape) < p_chosen).astype(jnp.float32)
        self.reward.set(onehot * paid + (1.0 - onehot) * mu)
        self.choice.set(onehot)

with Context("bandit") as ctx:
    env = TwoArmedBandit("env", p_reward=(p_best, p_worse), beta=beta, batch_size=agents, key=11)
    rpe = RewardErrorCell("rpe", n_units=2, alpha=alpha, batch_size=agents)
    rpe.mu >> env.mu
    env.reward >> rpe.reward
    advance = MethodProcess("advance") >> env.advance_state >> rpe.advance_state
    reset = MethodProcess("reset") >> rpe.reset

# %% [markdown]
# ## Running many agents at once
#
# With `reversal`, the arms swap their probabilities at the halfway point (a clamped sequence
# into `env.p`).

# %%
p_seq = np.tile(np.asarray([[p_best, p_worse]], dtype=np.float32), (trials, 1, 1))
if reversal:
    p_seq[trials // 2:] = [[p_worse, p_best]]
reset.run()
out = advance.scan(steps=trials, dt=1.0, clamp={env.p: jnp.asarray(p_seq)},
                   record=[env.choice, rpe.mu, rpe.rpe])
choice = np.asarray(out[env.choice.path])      # (trials, agents, 2)
mu = np.asarray(out[rpe.mu.path])
delta = np.asarray(out[rpe.rpe.path])
best_arm = np.where(np.arange(trials) < (trials // 2 if reversal else trials), 0, 1)
p_correct = choice[np.arange(trials), :, best_arm].mean(axis=1)
chosen_delta = (delta * choice).sum(-1)         # the RPE of the chosen arm

# %%
fig, ax = plt.subplots(1, 3, figsize=(13, 3.2))
ax[0].plot(p_correct); ax[0].set_ylim(0, 1); ax[0].set_title("P(choose the better arm)")
ax[1].plot(mu[:, :, 0].mean(1), label=r"$\mu_0$"); ax[1].plot(mu[:, :, 1].mean(1), label=r"$\mu_1$")
ax[1].axhline(p_best, color="gray", lw=0.5); ax[1].axhline(p_worse, color="gray", lw=0.5)
ax[1].set_title("predictions (mean over agents)"); ax[1].legend()
ax[2].plot(np.abs(chosen_delta).mean(1)); ax[2].set_title(r"mean $|\delta|$ of the chosen arm")
for a in ax:
    a.set_xlabel("trial")
    if reversal:
        a.axvline(trials // 2, color="k", ls=":")
plt.tight_layout(); plt.show()

# %% [markdown]
# ## What to expect
#
# * The prediction of an arm that is chosen often converges to its $p_k$ (the mean of its
#   rewards); the fixed point of $\mu \leftarrow \mu + \alpha(r - \mu)$ is $\mathbb{E}[r]$.
# * $|\delta|$ does not go to 0: rewards are random, so at the fixed point
#   $\mathbb{E}|\delta| = 2p(1-p)$ for a Bernoulli arm ($0.32$ for $p = 0.8$).
# * After the reversal, large negative errors on the formerly good arm drive its prediction
#   down, and the agents switch.
#
# ## One trial by hand (checked exactly by nbval)
#
# With $\alpha = 0.1$, $\mu = 0$ and a reward of 1 the first $\delta$ is 1 and $\mu$ becomes 0.1;
# a second reward of 1 gives $\delta = 0.9$, $\mu = 0.19$.

# %%
# NBVAL_CHECK_OUTPUT
with Context("by_hand") as hctx:
    cell = RewardErrorCell("cell", n_units=1, alpha=0.1)
    one = MethodProcess("one") >> cell.advance_state
res = one.scan(steps=2, dt=1.0, clamp={cell.reward: jnp.ones((1, 1))}, record=[cell.rpe, cell.mu])
print("rpe:", np.round(np.asarray(res[cell.rpe.path]).ravel(), 4),
      "mu:", np.round(np.asarray(res[cell.mu.path]).ravel(), 4))

# %%
half = trials // 2 if reversal else trials
ngclab.record("p_correct_end_phase1", float(p_correct[half - 50:half].mean()))
ngclab.record("p_correct_end", float(p_correct[-50:].mean()))
ngclab.record("mu_end_phase1", mu[half - 1].mean(0).tolist())
ngclab.record("mu_end", mu[-1].mean(0).tolist())
ngclab.record("mean_abs_rpe_late", float(np.abs(chosen_delta[half - 50:half]).mean()))
print(f"ran in {time.perf_counter() - t_start:.1f} s")

# %% [markdown]
# ## Exercises
#
# Each exercise is a cell to complete (replace `raise NotImplementedError()`) followed by a
# test cell that checks your answer against the equations; run both. Nothing after an
# exercise depends on it.
#
# ### Exercise 1 (2 points): Rescorla–Wagner by hand
#
# Write `rescorla_wagner(rewards, alpha)`: for a reward sequence of shape `(steps, n)` and
# predictions starting at $\mu = 0$, return the prediction errors $\delta$ and the predictions
# $\mu$ after each step, two arrays of shape `(steps, n)`, by the update at the top of this lesson.

# %% nbgrader={"solution": true, "grade": false, "locked": false, "grade_id": "11_reward_prediction_ex1", "schema_version": 3}
def rescorla_wagner(rewards, alpha):
    ### BEGIN SOLUTION
    rewards = np.asarray(rewards, dtype=np.float64)
    mu_, deltas, mus = np.zeros(rewards.shape[1:]), [], []
    for r in rewards:
        d = r - mu_
        mu_ = mu_ + alpha * d
        deltas.append(d); mus.append(mu_)
    return np.asarray(deltas), np.asarray(mus)
    ### END SOLUTION

print(rescorla_wagner(np.ones((2, 1)), 0.1))

# %% nbgrader={"grade": true, "solution": false, "locked": true, "points": 2, "grade_id": "11_reward_prediction_ex1_test", "schema_version": 3}
# the worked example: alpha = 0.1, two rewards of 1: delta = (1, 0.9), mu = (0.1, 0.19)
d_c, m_c = rescorla_wagner(np.ones((2, 1)), 0.1)
np.testing.assert_allclose(np.ravel(d_c), [1.0, 0.9], atol=1e-12)
np.testing.assert_allclose(np.ravel(m_c), [0.1, 0.19], atol=1e-12)
### BEGIN HIDDEN TESTS
# against the RewardErrorCell on a random reward sequence
rw_chk = (np.random.default_rng(13).uniform(size=(25, 3)) < 0.6).astype(np.float32)
with Context("rw_check") as rw_ctx:
    cell_c = RewardErrorCell("cell_c", n_units=3, alpha=0.3)
    one_c = MethodProcess("one") >> cell_c.advance_state
res_c = one_c.scan(steps=25, dt=1.0, clamp={cell_c.reward: jnp.asarray(rw_chk)[:, None, :]},
                   record=[cell_c.rpe, cell_c.mu])
d_h, m_h = rescorla_wagner(rw_chk, 0.3)
np.testing.assert_allclose(d_h, np.asarray(res_c[cell_c.rpe.path])[:, 0, :], rtol=1e-5, atol=1e-6)
np.testing.assert_allclose(m_h, np.asarray(res_c[cell_c.mu.path])[:, 0, :], rtol=1e-5, atol=1e-6)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 2 (3 points): a lower inverse temperature
#
# Run the bandit again in a new context with $\beta = 1$ (the same `agents`, `trials`,
# `alpha`, `p_best`, `p_worse`, no reversal, `key=11` for the bandit) and record
# `env.choice` and `rpe.mu`. Store the recordings (shape `(trials, agents, 2)` each) in
# `choice_b1` and `mu_b1`. How often do agents choose the better arm now, and how accurate is the
# prediction of the worse arm? (Exploration versus exploitation.)

# %% nbgrader={"solution": true, "grade": false, "locked": false, "grade_id": "11_reward_prediction_ex2", "schema_version": 3}
### BEGIN SOLUTION
with Context("bandit_beta1") as b1ctx:
    env_b1 = TwoArmedBandit("env", p_reward=(p_best, p_worse), beta=1.0, batch_size=agents, key=11)
    rpe_b1 = RewardErrorCell("rpe", n_units=2, alpha=alpha, batch_size=agents)
    rpe_b1.mu >> env_b1.mu
    env_b1.reward >> rpe_b1.reward
    advance_b1 = MethodProcess("advance") >> env_b1.advance_state >> rpe_b1.advance_state
out_b1 = advance_b1.scan(steps=trials, dt=1.0, record=[env_b1.choice, rpe_b1.mu])
choice_b1, mu_b1 = np.asarray(out_b1[env_b1.choice.path]), np.asarray(out_b1[rpe_b1.mu.path])
### END SOLUTION
print("P(better arm):", float(np.asarray(choice_b1)[:, :, 0].mean()),
      " mean predictions at the end:", np.asarray(mu_b1)[-1].mean(0).round(3))

# %% nbgrader={"grade": true, "solution": false, "locked": true, "points": 3, "grade_id": "11_reward_prediction_ex2_test", "schema_version": 3}
# each choice is a softmax over the predictions before it, P(k) = exp(beta mu_k) / sum exp(beta mu):
# the frequency of arm 0 over all trials and agents matches the mean softmax probability
ch_chk, mu_chk = np.asarray(choice_b1, dtype=np.float64), np.asarray(mu_b1, dtype=np.float64)
assert ch_chk.shape == (trials, agents, 2) and mu_chk.shape == (trials, agents, 2)
mu_before = np.concatenate([np.zeros((1, agents, 2)), mu_chk[:-1]])
p0_chk = 1.0 / (1.0 + np.exp(-1.0 * (mu_before[..., 0] - mu_before[..., 1])))
sem_chk = np.sqrt(0.25 / (trials * agents))
assert abs(ch_chk[..., 0].mean() - p0_chk.mean()) < 5 * sem_chk + 0.01
# only the chosen arm learns: mu moves by alpha (r - mu), the other arm keeps its value
unchosen_chk = ch_chk[1:] == 0
np.testing.assert_allclose(mu_chk[1:][unchosen_chk], mu_chk[:-1][unchosen_chk], atol=1e-6)
### BEGIN HIDDEN TESTS
# with beta = 5 the same predictions would give a clearly different choice frequency
p0_beta5 = 1.0 / (1.0 + np.exp(-5.0 * (mu_before[..., 0] - mu_before[..., 1])))
assert abs(ch_chk[..., 0].mean() - p0_beta5.mean()) > 0.02
### END HIDDEN TESTS

# %% [markdown]
# ### More to try
#
# 1. Make $\alpha$ adapt: large after a surprise, small otherwise. Does the reversal get faster?
# 2. Use `RewardErrorCell(..., use_online_predictor=False)` and call `evolve` every 10 trials:
#    what does the episodic moving average do?
# 3. Replace the softmax by $\epsilon$-greedy choice in `TwoArmedBandit` and compare.
