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

# %%
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

# %% tags=["parameters"]
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

# %%
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

# %%
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
# 1. Use `integration_type="midpoint"` for the OU cell. Derive the new $a$ and $b$ and check the
#    variance again.
# 2. Set `sigma_post` instead of `sigma_pre`. Which quantity does it change: `x`, `r`, or both?
#    Does recurrence amplify it?
# 3. Push $g$ above 1.5. What happens to the mean rate and the variability, and why does the
#    ReLU keep the network from exploding?
# 4. Measure the autocorrelation time of $r$ for each $g$: recurrence near $g = 1$ slows the
#    fluctuations down.
