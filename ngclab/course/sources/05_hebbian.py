# %% [markdown]
# # 5. Hebbian learning
#
# *Cells that fire together wire together.* A `HebbianSynapse` carries signals with its weight
# matrix, $\text{outputs} = R\,(\text{inputs}\,W) + b$, and changes $W$ with the two-factor rule
#
# $$\Delta W = \text{pre}^\top\,\text{post}, \qquad
#   \Delta W \leftarrow \Delta W\,(w_b - |W|)\ \ \text{(soft bound, if } w_b > 0),$$
#
# followed by an optimizer step on $W$. As in ngc-learn, the optimizer *descends*: it applies
# $W \leftarrow W - \eta\, s\,\Delta W$ (`optim_type="sgd"`; `"adam"` takes Adam's normalised step
# instead), where $s$ is `sign_value`. So `sign_value=-1.` climbs the Hebbian direction, and that
# is what we use here. With $w_b > 0$ the weights are also clipped to $[-w_b, w_b]$. With a linear neuron $y = xW$ and pre $= x$, post $= y$,
# the average update is $\langle x^\top x\rangle W = C\,W$: the weights grow fastest along the
# **principal eigenvector** of the input correlation matrix $C$. Unbounded, they grow without
# limit; the bound $w_b$ keeps them finite.
#
# We feed a two-dimensional correlated input and watch the weight vector turn towards the
# principal direction.

# %%
import time
import numpy as np
import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt

import ngclab
from ngclab import Context, MethodProcess
from ngclab.components import HebbianSynapse
from ngclab.utils.distribution_generator import DistributionGenerator

t_start = time.perf_counter()

# %% tags=["parameters"]
n_steps = 300      # learning steps
batch = 16         # samples per step
rho = 0.8          # input correlation
eta_sgd = 0.002    # learning rate (sgd)
eta_adam = 0.01    # learning rate (adam)
w_bound = 1.0      # soft weight bound (0 switches it off)
seed = 3

# %% [markdown]
# The inputs: $x \sim \mathcal{N}(0, C)$ with $C = \begin{pmatrix}1 & \rho\\ \rho & 1\end{pmatrix}$,
# whose principal eigenvector is $(1, 1)/\sqrt2$.

# %%
C = np.array([[1.0, rho], [rho, 1.0]], dtype=np.float32)
L = np.linalg.cholesky(C)
x_seq = jax.random.normal(jax.random.PRNGKey(seed), (n_steps, batch, 2)) @ jnp.asarray(L).T
principal = np.array([1.0, 1.0]) / np.sqrt(2.0)

def learn(optim_type, eta, bound):
    with Context(f"hebb_{optim_type}") as ctx:
        W = HebbianSynapse("W", shape=(2, 1), eta=eta, optim_type=optim_type, w_bound=bound, sign_value=-1.0,
                           weight_init=DistributionGenerator.constant(value=0.0), batch_size=batch)
        W.outputs >> W.post          # post = y, the synapse's own output
        # a starting vector far from the principal direction
        W.weights.set(jnp.asarray([[0.3], [-0.2]]))
        step = MethodProcess("step") >> W.advance_state >> W.evolve
    rec = step.scan(steps=n_steps, dt=1.0, clamp={W.inputs: x_seq, W.pre: x_seq}, record=[W.weights])
    return np.asarray(rec[W.weights.path])[:, :, 0]

def cosine(w):
    return np.abs(w @ principal) / (np.linalg.norm(w, axis=-1) + 1e-12)

runs = {"sgd": learn("sgd", eta_sgd, w_bound), "adam": learn("adam", eta_adam, w_bound),
        "sgd, no bound": learn("sgd", eta_sgd, 0.0)}
for k, w in runs.items():
    print(f"{k:>14}: final W = {np.round(w[-1], 4)}, |cos| to principal = {cosine(w[-1]):.4f}")

# %%
fig, ax = plt.subplots(1, 2, figsize=(10, 3.5))
for k, w in runs.items():
    ax[0].plot(cosine(w), label=k)
    ax[1].plot(w[:, 0], w[:, 1], label=k)
ax[0].set_xlabel("step"); ax[0].set_ylabel("|cos(W, principal)|"); ax[0].legend()
ax[1].plot([0, principal[0]], [0, principal[1]], "k:", label="principal")
ax[1].set_xlabel("W[0]"); ax[1].set_ylabel("W[1]"); ax[1].set_aspect("equal"); ax[1].legend(fontsize=8)
plt.tight_layout(); plt.show()

# %% [markdown]
# ## sgd and adam
#
# With sgd the step is proportional to $\Delta W$, which grows with $|W|$: slow at first, fast
# later. Adam divides by a running estimate of $\sqrt{\langle \Delta W^2\rangle}$, so its steps are
# about $\eta$ in size from the start. With the soft bound, $\Delta W$ shrinks as $|W_{ij}|$
# approaches $w_b$: each weight saturates near the bound.
#
# ## One update by hand (checked exactly by nbval)
#
# With $W = (0.3, -0.2)^\top$, one sample $x = (1, 2)$, $\eta = 0.1$, sgd, no bound:
# $y = 0.3 - 0.4 = -0.1$, $\Delta W = x^\top y = (-0.1, -0.2)^\top$, $W' = (0.29, -0.22)^\top$.

# %%
# NBVAL_CHECK_OUTPUT
with Context("by_hand") as hctx:
    H = HebbianSynapse("H", shape=(2, 1), eta=0.1, w_bound=0.0, sign_value=-1.0,
                       weight_init=DistributionGenerator.constant(value=0.0))
    H.outputs >> H.post
    H.weights.set(jnp.asarray([[0.3], [-0.2]]))
    one = MethodProcess("one") >> H.advance_state >> H.evolve
x1 = jnp.asarray([[1.0, 2.0]])
one.scan(steps=1, dt=1.0, clamp={H.inputs: x1, H.pre: x1})
print(np.round(np.asarray(H.weights.get()).ravel(), 4))

# %%
ngclab.record("cos_sgd", float(cosine(runs["sgd"][-1])))
ngclab.record("cos_adam", float(cosine(runs["adam"][-1])))
ngclab.record("final_W_sgd", runs["sgd"][-1].tolist())
ngclab.record("final_W_adam", runs["adam"][-1].tolist())
ngclab.record("norm_unbounded", float(np.linalg.norm(runs["sgd, no bound"][-1])))
ngclab.record("norm_bounded", float(np.linalg.norm(runs["sgd"][-1])))
print(f"ran in {time.perf_counter() - t_start:.1f} s")

# %% [markdown]
# ## Exercises
#
# 1. Set `rho = -0.8`. Which direction do the weights find now?
# 2. Make the rule anti-Hebbian with `sign_value=1.`. What happens to the output variance?
# 3. Use `is_nonnegative=True` and start from $W = (0.3, -0.2)$. Where do the weights go?
# 4. Replace the soft bound by Oja's rule, $\Delta W = x^\top y - y^2 W$, written as a new
#    `Component` (see the core docs): does it converge to a unit vector?
