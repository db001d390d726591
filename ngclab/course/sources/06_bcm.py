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
# Each exercise is a cell to complete (replace `raise NotImplementedError()`) followed by a
# test cell that checks your answer against the equations; run both. Nothing after an
# exercise depends on it.
#
# ### Exercise 1 (2 points): the selectivity index
#
# Write `selectivity_index(resp)` for a response matrix `resp` of shape (patterns, neurons):
# $S_i = 1 - \bar y_i / \max_k y_i(k)$ for each neuron, as an array of shape `(neurons,)`.

# %% nbgrader={"solution": true, "grade": false, "locked": false, "grade_id": "06_bcm_ex1", "schema_version": 3}
def selectivity_index(resp):
    ### BEGIN SOLUTION
    resp = np.asarray(resp, dtype=np.float64)
    return 1.0 - resp.mean(axis=0) / resp.max(axis=0)
    ### END SOLUTION

print(selectivity_index(final).round(3))

# %% nbgrader={"grade": true, "solution": false, "locked": true, "points": 2, "grade_id": "06_bcm_ex1_test", "schema_version": 3}
# S = 0 for equal responses, 1 - 1/n for a response to one pattern only (section "Selectivity")
np.testing.assert_allclose(selectivity_index(np.ones((4, 3))), np.zeros(3), atol=1e-12)
np.testing.assert_allclose(selectivity_index(np.eye(5)[:, :2]), [1 - 1 / 5] * 2, atol=1e-12)
### BEGIN HIDDEN TESTS
rng_chk = np.random.default_rng(6)
resp_chk = rng_chk.uniform(0.1, 2.0, (6, 4))
np.testing.assert_allclose(selectivity_index(resp_chk), 1 - resp_chk.mean(0) / resp_chk.max(0), rtol=1e-9)
np.testing.assert_allclose(selectivity_index(final), sel, rtol=1e-5)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 2 (3 points): one BCM step in NumPy
#
# Write `bcm_step(W, theta, x, dt)`: one Euler step of this lesson's equations without decay
# and without a bound, for linear neurons $y = xW$ ($x$ of shape `(batch, n_in)`, $\theta$ of
# shape `(1, n_out)`). The weights use the threshold **before** the step; return the new
# `(W, theta)`. Use `tau_w` and `tau_theta` from the parameters.

# %% nbgrader={"solution": true, "grade": false, "locked": false, "grade_id": "06_bcm_ex2", "schema_version": 3}
def bcm_step(W, theta, x, dt):
    ### BEGIN SOLUTION
    W, theta, x = (np.asarray(v, dtype=np.float64) for v in (W, theta, x))
    y = x @ W
    W_new = W + dt / tau_w * (x.T @ (y * (y - theta) / theta))
    theta_new = theta + dt / tau_theta * (-theta + np.mean(y ** 2, axis=0, keepdims=True))
    return W_new, theta_new
    ### END SOLUTION

print(bcm_step(W0, np.full((1, n_out), theta0), patterns[:1], 1.0)[1])

# %% nbgrader={"grade": true, "solution": false, "locked": true, "points": 3, "grade_id": "06_bcm_ex2_test", "schema_version": 3}
# tau_w dW/dt = x^T (y (y - theta) / theta),  tau_theta dtheta/dt = -theta + <y^2>  (Euler)
rng_chk = np.random.default_rng(7)
W_c = rng_chk.uniform(0.2, 0.6, (n_in, n_out))
x_c = rng_chk.uniform(0.0, 1.0, (3, n_in))
th_c = rng_chk.uniform(0.3, 1.0, (1, n_out))
y_c = x_c @ W_c
W_new_c, th_new_c = bcm_step(W_c, th_c, x_c, 1.0)
np.testing.assert_allclose(W_new_c, W_c + (x_c.T @ (y_c * (y_c - th_c) / th_c)) / tau_w, rtol=1e-6)
np.testing.assert_allclose(th_new_c, th_c + (-th_c + (y_c ** 2).mean(0, keepdims=True)) / tau_theta, rtol=1e-6)
### BEGIN HIDDEN TESTS
# against the BCMSynapse itself: one step from the same state
with Context("bcm_check") as bc_ctx:
    Bc = BCMSynapse("Bc", shape=(n_in, n_out), tau_w=tau_w, tau_theta=tau_theta, theta0=theta0,
                    weight_init=DistributionGenerator.constant(value=0.0), batch_size=3)
    Bc.outputs >> Bc.post
    Bc.weights.set(jnp.asarray(W_c, dtype=jnp.float32)); Bc.theta.set(jnp.broadcast_to(jnp.asarray(th_c, dtype=jnp.float32), Bc.theta.shape))
    one_c = MethodProcess("one") >> Bc.advance_state >> Bc.evolve
xc32 = jnp.asarray(x_c, dtype=jnp.float32)
one_c.scan(steps=1, dt=1.0, clamp={Bc.inputs: xc32, Bc.pre: xc32})
np.testing.assert_allclose(np.asarray(Bc.weights.get()), W_new_c, rtol=1e-4, atol=1e-6)
np.testing.assert_allclose(np.asarray(Bc.theta.get())[:1], th_new_c, rtol=1e-4, atol=1e-6)
### END HIDDEN TESTS

# %% [markdown]
# ### More to try
#
# 1. Make $\tau_\theta$ larger than $\tau_w$ (e.g. 500). Does the threshold still keep up? What
#    happens to the weights?
# 2. Use `n_out = 4`. Do all neurons pick different patterns? Why not, without competition
#    between them?
# 3. Add `w_decay=0.01`. How do the non-preferred weights change?
# 4. Show the same pattern twice as often as the others. Which pattern do neurons prefer now,
#    and what does the fixed-point argument predict for $y^*$?
