# %% [markdown]
# # 6. BCM: selectivity from a sliding threshold
#
# Plain Hebbian learning only grows weights. The Bienenstock–Cooper–Munro (BCM) rule lets a
# synapse grow **or** shrink depending on whether the post-synaptic response $y_i$ is above or
# below a *modification threshold* $\theta_i$, and it makes that threshold slide with the
# neuron's recent activity. ngclab's `BCMSynapse` (a `DenseSynapse`, ngc-learn's equations) is
#
# $$\tau_w \frac{dW_{ij}}{dt} = -w_{\text{decay}}\,W_{ij} + x_j\,\frac{y_i\,(y_i - \theta_i)}{\theta_i},
# \qquad \tau_\theta \frac{d\theta_i}{dt} = -\theta_i + \big\langle y_i^2 \big\rangle_{\text{batch}}$$
#
# (with $w_b > 0$ the weight change is also scaled by $w_b - |W_{ij}|$). Because $\theta_i$ follows
# $y_i^2$, a neuron that responds strongly to everything raises its threshold until only its
# *best* input stays above it: responses to the other inputs get depressed. The neuron becomes
# **selective**.
#
# Compartments: `inputs`, `outputs`, `weights`, `pre` ($x$), `post` ($y$), `theta`, `dWeights`,
# `post_term`.

# %%
import time
import numpy as np
import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt

import ngclab
from ngclab import Context, MethodProcess
from ngclab.components import BCMSynapse
from ngclab.utils.distribution_generator import DistributionGenerator

t_start = time.perf_counter()

# %% tags=["parameters"]
n_in = 4           # input lines, one per pattern
n_out = 2          # post-synaptic neurons
T = 4000           # presentations (one pattern per step)
tau_w = 100.0      # synaptic time constant
tau_theta = 20.0   # threshold time constant
theta0 = 0.5       # initial threshold
seed = 1

# %% [markdown]
# ## The environment
#
# Each step shows one of `n_in` overlapping patterns, $x = 0.1 + 0.9\,e_k$, chosen at random.
# The neurons are linear, $y = xW$, and the synapse's output is wired into its own `post`.

# %%
patterns = np.eye(n_in, dtype=np.float32) * 0.9 + 0.1
which = np.asarray(jax.random.randint(jax.random.PRNGKey(seed), (T,), 0, n_in))
x_seq = jnp.asarray(patterns[which])[:, None, :]

with Context("bcm") as ctx:
    W = BCMSynapse("W", shape=(n_in, n_out), tau_w=tau_w, tau_theta=tau_theta, theta0=theta0,
                   weight_init=DistributionGenerator.uniform(low=0.2, high=0.6), key=7)
    W.outputs >> W.post
    step = MethodProcess("step") >> W.advance_state >> W.evolve

W0 = np.asarray(W.weights.get())
rec = step.scan(steps=T, dt=1.0, clamp={W.inputs: x_seq, W.pre: x_seq}, record=[W.weights, W.theta])
Ws = np.asarray(rec[W.weights.path])            # (T, n_in, n_out)
thetas = np.asarray(rec[W.theta.path])[:, 0]    # (T, n_out)
responses = np.einsum("pi,tio->tpo", patterns, Ws)  # response to every pattern over time

# %%
fig, ax = plt.subplots(1, n_out + 1, figsize=(4 * (n_out + 1), 3))
for o in range(n_out):
    for p in range(n_in):
        ax[o].plot(responses[:, p, o], label=f"pattern {p}")
    ax[o].plot(thetas[:, o], "k--", label=r"$\theta$")
    ax[o].set_title(f"neuron {o}"); ax[o].set_xlabel("step")
ax[0].set_ylabel("response y"); ax[0].legend(fontsize=7)
ax[-1].imshow(np.asarray(W.weights.get()).T, cmap="viridis", aspect="auto")
ax[-1].set_title("final W (neuron x input)"); ax[-1].set_xlabel("input")
plt.tight_layout(); plt.show()

# %% [markdown]
# ## Selectivity
#
# A common index is $S_i = 1 - \bar y_i / \max_k y_i(k)$ over the patterns $k$: 0 for a neuron
# that responds equally to all, $1 - 1/n$ for one that responds to a single pattern only.

# %%
final = patterns @ np.asarray(W.weights.get())
initial = patterns @ W0
sel = 1.0 - final.mean(0) / final.max(0)
sel0 = 1.0 - initial.mean(0) / initial.max(0)
preferred = final.argmax(0).tolist()
print("responses (pattern x neuron):\n", final.round(3))
print("selectivity before:", sel0.round(3), " after:", sel.round(3), " preferred:", preferred)

# %% [markdown]
# ## The fixed point by hand
#
# At a selective fixed point the preferred response $y^*$ satisfies $y^*\,(y^* - \theta) = 0$
# on average, and $\theta = \langle y^2 \rangle$. If the preferred pattern appears with probability
# $1/n$ and the others give $y \approx 0$, then $\theta = y^{*2}/n$ and $y^* = \theta$, so
# $y^* = n$ (here $n = $ `n_in`). Compare with the simulation: the preferred responses approach
# `n_in`, and $\theta$ fluctuates around it.

# %%
print(f"preferred responses: {final.max(0).round(3)}  (theory: {n_in})")
print(f"theta at the end: {thetas[-1].round(3)}; averaged over the last 1000 steps: {thetas[-1000:].mean(0).round(3)}")

# %%
ngclab.record("selectivity", sel.tolist())
ngclab.record("selectivity_initial", sel0.tolist())
ngclab.record("preferred_pattern", preferred)
ngclab.record("max_response", final.max(0).tolist())
ngclab.record("theta_mean_last", thetas[-min(1000, T):].mean(0).tolist())
print(f"ran in {time.perf_counter() - t_start:.1f} s")

# %% [markdown]
# ## Exercises
#
# 1. Make $\tau_\theta$ larger than $\tau_w$ (e.g. 500). Does the threshold still keep up? What
#    happens to the weights?
# 2. Use `n_out = 4`. Do all neurons pick different patterns? Why not, without competition
#    between them?
# 3. Add `w_decay=0.01`. How do the non-preferred weights change?
# 4. Show the same pattern twice as often as the others. Which pattern do neurons prefer now,
#    and what does the fixed-point argument predict for $y^*$?
