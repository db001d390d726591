# %% [markdown]
# # 10. Leaky noise cells: a noisy recurrent circuit
#
# Real neurons are noisy. A `LeakyNoiseCell` is a rate cell with noise inside its dynamics
# (ngc-learn's equations):
#
# $$\tau_x \frac{dx}{dt} = -\lambda x + j_{\text{input}} + j_{\text{recurrent}} + \sqrt{2\tau_x\sigma_{\text{pre}}^2}\;\epsilon,
# \qquad r = f(x) + \sigma_{\text{post}}\,\epsilon, \qquad \epsilon \sim \mathcal{N}(0, 1)$$
#
# with a fresh $\epsilon$ per unit and step (from the cell's PRNG key, so runs are reproducible).
# $\lambda$ is `leak_scale`; `sigma_pre` and `sigma_post` are knobs, so a slider can change them
# while the circuit runs, without recompiling.
#
# We first check the noise statistics of a single linear cell against the theory, then wire a
# population into a random recurrent network and watch how recurrence shapes trial-to-trial
# **variability**.

# %% tags=["lab-demo"]
import time
import numpy as np
import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt

import ngclab
from ngclab import Context, MethodProcess
from ngclab.components import LeakyNoiseCell, DenseSynapse
from ngclab.utils.distribution_generator import DistributionGenerator

t_start = time.perf_counter()

# %% tags=["parameters", "lab-demo"]
n_units = 32       # population size
trials = 64        # independent trials (the batch)
T = 600            # steps per run
tau_x = 10.0       # time constant
sigma_pre = 0.1    # noise inside the dynamics
drive = 0.5        # constant input current
gains = [0.0, 0.5, 0.9, 1.2]   # recurrent gains g to compare

# %% [markdown]
# ## One linear cell: an Ornstein–Uhlenbeck process
#
# With $f$ the identity, no recurrence and $\Delta t = 1$, one Euler step is
# $x_{n+1} = a\,x_n + b\,\epsilon_n + c$ with $a = 1 - \lambda\Delta t/\tau_x$,
# $b = \frac{\Delta t}{\tau_x}\sqrt{2\tau_x\sigma_{\text{pre}}^2}$. Its stationary mean is
# $j/\lambda$ and its stationary variance
#
# $$\operatorname{Var}[x] = \frac{b^2}{1 - a^2}.$$

# %%
with Context("ou") as octx:
    ou = LeakyNoiseCell("ou", n_units=n_units, tau_x=tau_x, act_fx="identity",
                        sigma_pre=sigma_pre, sigma_post=0.0, batch_size=trials)
    ou_step = MethodProcess("advance") >> ou.advance_state
rec = ou_step.scan(steps=T, dt=1.0, clamp={ou.j_input: jnp.full((trials, n_units), drive)}, record=[ou.x])
xs = np.asarray(rec[ou.x.path])[T // 2:]             # drop the transient
a, b = 1 - 1.0 / tau_x, (1.0 / tau_x) * np.sqrt(2 * tau_x * sigma_pre ** 2)
var_theory = b ** 2 / (1 - a ** 2)
var_sim = float(xs.var(axis=(0, 1)).mean())
mean_sim = float(xs.mean())
print(f"mean {mean_sim:.4f} (theory {drive:.4f}); variance {var_sim:.5f} (theory {var_theory:.5f})")

# %% [markdown]
# ## A random recurrent network
#
# Now `n_units` rectified cells ($f = $ ReLU) excite and inhibit each other through a random
# matrix $W_{ij} \sim \mathcal{N}(0, g^2/n)$ (a `DenseSynapse` from $r$ back into
# $j_{\text{recurrent}}$). For a linear network, recurrence with gain $g$ amplifies fluctuations
# along the directions where $W$'s eigenvalues approach 1, so variability grows with $g$.
# Changing the weights and the noise are value changes: the compiled step is reused
# (`compile_count` stays 1).

# %% tags=["lab-demo"]
with Context("net") as ctx:
    cell = LeakyNoiseCell("cell", n_units=n_units, tau_x=tau_x, act_fx="relu",
                          sigma_pre=sigma_pre, sigma_post=0.0, batch_size=trials)
    Wr = DenseSynapse("Wr", shape=(n_units, n_units), batch_size=trials,
                      weight_init=DistributionGenerator.gaussian(mean=0.0, std=1.0 / np.sqrt(n_units)), key=5)
    cell.r >> Wr.inputs
    Wr.outputs >> cell.j_recurrent
    advance = MethodProcess("advance") >> cell.advance_state >> Wr.advance_state
    reset = MethodProcess("reset") >> cell.reset >> Wr.reset

W_unit = np.asarray(Wr.weights.get())
clamp = {cell.j_input: jnp.full((trials, n_units), drive)}
variability, mean_rate, examples = {}, {}, {}
for g in gains:
    Wr.weights.set(jnp.asarray(W_unit * g))
    reset.run()
    out = advance.scan(steps=T, dt=1.0, clamp=clamp, record=[cell.r])
    r = np.asarray(out[cell.r.path])
    late = r[T // 2:]
    variability[g] = float(late.var(axis=1).mean())   # across trials, averaged over time and units
    mean_rate[g] = float(late.mean())
    examples[g] = r[:, :3, 0]                         # unit 0 in three trials
    print(f"g={g:.1f}: mean rate {mean_rate[g]:.3f}, across-trial variance {variability[g]:.5f}")
compiles = advance.compile_count
print("compilations of the scanned step:", compiles)

# %%
fig, ax = plt.subplots(1, 2, figsize=(11, 3.2))
for g in gains:
    ax[0].plot(examples[g][:, 0], lw=0.8, label=f"g={g}")
ax[0].set_xlabel("step"); ax[0].set_ylabel("r (unit 0, trial 0)"); ax[0].legend(fontsize=8)
ax[1].plot(gains, [variability[g] for g in gains], "o-")
ax[1].set_xlabel("recurrent gain g"); ax[1].set_ylabel("across-trial variance")
plt.tight_layout(); plt.show()

# %% [markdown]
# ## Play with it
#
# The lab below runs the same network (with the gain of the last run); the knobs panel has
# sliders for `tau_x`, `sigma_pre`, `sigma_post` and `leak_scale`. Press play, then move
# `sigma_pre`: the traces get noisier immediately, without recompilation.
#
# *As an app* (no code shown): [this lab in Voila on Binder](https://mybinder.org/v2/gh/OWNER/ngclab/HEAD?urlpath=voila/render/notebooks/demos/10_leaky_noise.ipynb),
# or `voila/render/demos/10_leaky_noise.ipynb` at the address of `ngclab lab` when Voila is installed; the
# app's notebook is [demos/10_leaky_noise.ipynb](demos/10_leaky_noise.ipynb).

# %% tags=["lab-demo-show"]
from ngclab.lab import Lab
lab = Lab(ctx, advance=advance, reset=reset, clamp=clamp, watch=[cell.r])
lab.run(steps=200)
lab

# %%
ngclab.record("ou_variance_sim", var_sim)
ngclab.record("ou_variance_theory", float(var_theory))
ngclab.record("ou_mean_sim", mean_sim)
ngclab.record("variance_by_gain", [variability[g] for g in gains])
ngclab.record("mean_rate_by_gain", [mean_rate[g] for g in gains])
ngclab.record("compile_count", compiles)
print(f"ran in {time.perf_counter() - t_start:.1f} s")

# %% [markdown]
# ## Exercises
#
# Each exercise is a cell to complete (replace `raise NotImplementedError()`) followed by a
# test cell that checks your answer against the equations; run both. Nothing after an
# exercise depends on it.
#
# ### Exercise 1 (3 points): a stronger leak
#
# Write `ou_stationary(j, leak, tau, sigma_pre, dt)`: the stationary mean and variance of the
# Euler-stepped linear cell, $x_{n+1} = a x_n + b\,\epsilon_n + c$ (section "One linear cell",
# now with leak $\lambda$ = `leak`: $a = 1 - \lambda\Delta t/\tau_x$, $c = j\Delta t/\tau_x$).
# Return `(mean, var)`. Then simulate the OU cell of this lesson with `leak_scale=2.0` (same
# `n_units`, `trials`, `T`, input `drive`) and store the measured variance over the second half
# of the run (as `var_sim` above) in `var_leak2`.

# %% nbgrader={"solution": true, "grade": false, "locked": false, "grade_id": "10_leaky_noise_ex1", "schema_version": 3}
def ou_stationary(j, leak, tau, sigma_pre, dt):
    ### BEGIN SOLUTION
    a = 1.0 - leak * dt / tau
    b = dt / tau * np.sqrt(2 * tau * sigma_pre ** 2)
    c = j * dt / tau
    return c / (1.0 - a), b ** 2 / (1.0 - a ** 2)
    ### END SOLUTION

### BEGIN SOLUTION
with Context("ou_leak2") as lctx:
    ou2 = LeakyNoiseCell("ou2", n_units=n_units, tau_x=tau_x, act_fx="identity", leak_scale=2.0,
                         sigma_pre=sigma_pre, sigma_post=0.0, batch_size=trials)
    ou2_step = MethodProcess("advance") >> ou2.advance_state
rec2 = ou2_step.scan(steps=T, dt=1.0, clamp={ou2.j_input: jnp.full((trials, n_units), drive)}, record=[ou2.x])
var_leak2 = float(np.asarray(rec2[ou2.x.path])[T // 2:].var(axis=(0, 1)).mean())
### END SOLUTION
print("theory:", ou_stationary(drive, 2.0, tau_x, sigma_pre, 1.0), " measured var:", var_leak2)

# %% nbgrader={"grade": true, "solution": false, "locked": true, "points": 3, "grade_id": "10_leaky_noise_ex1_test", "schema_version": 3}
# the fixed point of the mean, c / (1 - a) = j / leak, and Var = b^2 / (1 - a^2)
m_c, v_c = ou_stationary(0.5, 1.0, 10.0, 0.1, 1.0)
assert abs(m_c - 0.5) < 1e-9
assert abs(v_c - (0.1 * np.sqrt(2 * 10.0 * 0.1 ** 2)) ** 2 / (1 - 0.9 ** 2)) < 1e-9
m2_chk, v2_chk = ou_stationary(drive, 2.0, tau_x, sigma_pre, 1.0)
assert abs(m2_chk - drive / 2.0) < 1e-9
# the simulation agrees with the theory within sampling error (many trials and units)
assert abs(var_leak2 - v2_chk) / v2_chk < 0.15, (var_leak2, v2_chk)
### BEGIN HIDDEN TESTS
for j_c, l_c, t_c, s_c in np.random.default_rng(12).uniform(0.2, 3.0, size=(4, 4)):
    t_c = t_c * 10
    a_c, b_c = 1 - l_c / t_c, np.sqrt(2 * t_c * s_c ** 2) / t_c
    m_h, v_h = ou_stationary(j_c, l_c, t_c, s_c, 1.0)
    assert abs(m_h - j_c / l_c) < 1e-9 and abs(v_h - b_c ** 2 / (1 - a_c ** 2)) < 1e-9
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 2 (2 points): noise after the nonlinearity
#
# Simulate one linear cell (`n_units`, `trials`, `tau_x`, input `drive`, identity) with
# `sigma_pre=0.0` and `sigma_post=0.2` for 100 steps, recording `x` and `r`; store the two
# trajectories (shape `(100, trials, n_units)` each) in `x_post` and `r_post`. Which quantity does
# `sigma_post` change: `x`, `r`, or both?

# %% nbgrader={"solution": true, "grade": false, "locked": false, "grade_id": "10_leaky_noise_ex2", "schema_version": 3}
### BEGIN SOLUTION
with Context("post_noise") as pnctx:
    pn = LeakyNoiseCell("pn", n_units=n_units, tau_x=tau_x, act_fx="identity",
                        sigma_pre=0.0, sigma_post=0.2, batch_size=trials)
    pn_step = MethodProcess("advance") >> pn.advance_state
rec_pn = pn_step.scan(steps=100, dt=1.0, clamp={pn.j_input: jnp.full((trials, n_units), drive)},
                      record=[pn.x, pn.r])
x_post, r_post = np.asarray(rec_pn[pn.x.path]), np.asarray(rec_pn[pn.r.path])
### END SOLUTION
print("std of r - x:", float(np.std(np.asarray(r_post) - np.asarray(x_post))))

# %% nbgrader={"grade": true, "solution": false, "locked": true, "points": 2, "grade_id": "10_leaky_noise_ex2_test", "schema_version": 3}
# without sigma_pre, x is deterministic: x_{n+1} = (1 - dt/tau) x_n + drive dt / tau from 0
n_chk = np.arange(1, 101)
x_theory = drive * (1 - (1 - 1.0 / tau_x) ** n_chk)
assert np.shape(x_post) == (100, trials, n_units) and np.shape(r_post) == (100, trials, n_units)
np.testing.assert_allclose(np.asarray(x_post), np.broadcast_to(x_theory[:, None, None], (100, trials, n_units)),
                           rtol=1e-4, atol=1e-5)
# r = f(x) + sigma_post eps: the difference is zero-mean noise of std 0.2
noise_chk = np.asarray(r_post, dtype=np.float64) - np.asarray(x_post, dtype=np.float64)
assert abs(noise_chk.std() - 0.2) < 0.01 and abs(noise_chk.mean()) < 0.01
### BEGIN HIDDEN TESTS
# fresh noise at every step: neighbouring steps are uncorrelated
assert abs(np.corrcoef(noise_chk[1:].ravel(), noise_chk[:-1].ravel())[0, 1]) < 0.05
### END HIDDEN TESTS

# %% [markdown]
# ### More to try
#
# 1. Use `integration_type="midpoint"` for the OU cell. Derive the new $a$ and $b$ and check the
#    variance again.
# 2. Push $g$ above 1.5. What happens to the mean rate and the variability, and why does the
#    ReLU keep the network from exploding?
# 3. Measure the autocorrelation time of $r$ for each $g$: recurrence near $g = 1$ slows the
#    fluctuations down.
