# %% [markdown]
# # 8. Convolutional Hebbian learning: filters from image patches
#
# A convolutional synapse applies the same small filter bank $K$ (shape $k \times k \times C_{in}
# \times C_{out}$) at every position of its input map: $\text{outputs} = R\,(x \ast K) + b$. A
# `HebbianConvSynapse` adjusts $K$ with the convolutional form of the two-factor rule: the update
# of filter $c$ at offset $(u, v)$ sums, over positions $(i, j)$ and the batch, pre-synaptic pixel
# times post-synaptic activity,
#
# $$\Delta K_{u,v,:,c} = \sum_{b,i,j} x_{b,\,i+u,\,j+v,\,:}\; \text{post}_{b,i,j,c},$$
#
# then an optimizer step $K \leftarrow K - \eta\, s\, \Delta K$ (as for the dense synapse,
# `sign_value=-1.` climbs the Hebbian direction).
#
# To make filters *different* from each other we add **competition**: at each position only the
# filter that responds most is active (post $=$ one-hot of the winner), and after each step every
# filter is rescaled to unit length. This is competitive (winner-take-all) Hebbian learning; the
# filters become prototypes of the 3x3 patches of the digits: strokes, edges and corners.

# %%
import time
import numpy as np
import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
from sklearn.datasets import load_digits

import ngclab
from ngclab import Context, MethodProcess
from ngclab.components.synapses.convolution import HebbianConvSynapse
from ngclab.utils.distribution_generator import DistributionGenerator

t_start = time.perf_counter()

# %% tags=["parameters"]
n_filters = 8      # output channels
k = 3              # filter size
batch = 64         # images per step
n_images = 1024    # training images
epochs = 3
eta = 0.05         # learning rate

# %%
X = (load_digits().data / 16.0).astype(np.float32).reshape(-1, 8, 8, 1)[:n_images]
with Context("conv") as ctx:
    K = HebbianConvSynapse("K", shape=(k, k, 1, n_filters), x_shape=(8, 8), eta=eta,
                           sign_value=-1.0, padding="VALID", batch_size=batch, key=3,
                           filter_init=DistributionGenerator.uniform(low=0.0, high=0.1))
    forward = MethodProcess("forward") >> K.advance_state
    learn = MethodProcess("learn") >> K.evolve
print("input", K.inputs.shape, "-> output", K.outputs.shape, "; filters", K.weights.shape)

def normalize():
    W = K.weights.get()
    K.weights.set(W / (jnp.sqrt(jnp.sum(W ** 2, axis=(0, 1, 2), keepdims=True)) + 1e-8))

normalize()
K0 = np.asarray(K.weights.get())
usage, drift = [], []
for ep in range(epochs):
    before = np.asarray(K.weights.get())
    wins = np.zeros(n_filters)
    for i in range(0, n_images - batch + 1, batch):
        xb = jnp.asarray(X[i:i + batch])
        K.inputs.set(xb); K.pre.set(xb)
        forward.run()
        winner = jax.nn.one_hot(jnp.argmax(K.outputs.get(), axis=-1), n_filters)
        K.post.set(winner)
        learn.run(dt=1.0)
        normalize()
        wins += np.asarray(winner.sum(axis=(0, 1, 2)))
    usage.append((wins / wins.sum()).tolist())
    drift.append(float(np.abs(np.asarray(K.weights.get()) - before).mean()))
    print(f"epoch {ep + 1}: mean |change of K| {drift[-1]:.4f}; share of wins per filter {np.round(usage[-1], 3)}")

# %%
def tiles(W, title, ax_row):
    for c, a in enumerate(ax_row):
        a.imshow(W[:, :, 0, c], cmap="gray_r"); a.set_xticks([]); a.set_yticks([])
    ax_row[0].set_ylabel(title)

fig, axs = plt.subplots(2, n_filters, figsize=(1.2 * n_filters, 2.8))
tiles(K0, "initial", axs[0])
tiles(np.asarray(K.weights.get()), "learned", axs[1])
plt.suptitle("3x3 filters as tiles"); plt.show()

# %% [markdown]
# ## Did the filters specialise?
#
# The entropy of the win shares, $H = -\sum_c p_c \ln p_c$, is $\ln C_{out}$ when every filter
# wins equally often and 0 when one filter takes everything. The mean cosine similarity between
# different filters measures how distinct they are (it starts near 1: all random positive filters
# look alike).

# %%
def mean_cos(W):
    F = W.reshape(-1, W.shape[-1])
    F = F / np.linalg.norm(F, axis=0, keepdims=True)
    S = F.T @ F
    return float((S.sum() - np.trace(S)) / (S.size - len(S)))

p = np.asarray(usage[-1])
entropy = float(-(p * np.log(p + 1e-12)).sum())
cos_before, cos_after = mean_cos(K0), mean_cos(np.asarray(K.weights.get()))
print(f"win entropy {entropy:.3f} (max {np.log(n_filters):.3f}); mean cosine between filters "
      f"{cos_before:.3f} -> {cos_after:.3f}")

# %%
ngclab.record("win_entropy", entropy)
ngclab.record("mean_cos_initial", cos_before)
ngclab.record("mean_cos_learned", cos_after)
ngclab.record("drift_per_epoch", drift)
print(f"ran in {time.perf_counter() - t_start:.1f} s")

# %% [markdown]
# ## Exercises
#
# Each exercise is a cell to complete (replace `raise NotImplementedError()`) followed by a
# test cell that checks your answer against the equations; run both. Nothing after an
# exercise depends on it.
#
# ### Exercise 1 (3 points): the convolutional Hebbian update by hand
#
# Write `conv_hebbian_update(x, post, k)` for `VALID` padding and stride 1: $x$ of shape
# `(batch, H, W, C_in)`, post of shape `(batch, H-k+1, W-k+1, C_out)`; return $\Delta K$ of
# shape `(k, k, C_in, C_out)` with
# $\Delta K_{u,v,:,c} = \sum_{b,i,j} x_{b,i+u,j+v,:}\,\text{post}_{b,i,j,c}$.

# %% nbgrader={"solution": true, "grade": false, "locked": false, "grade_id": "08_conv_hebbian_ex1", "schema_version": 3}
def conv_hebbian_update(x, post, k):
    ### BEGIN SOLUTION
    x, post = np.asarray(x, dtype=np.float64), np.asarray(post, dtype=np.float64)
    H_out, W_out = post.shape[1], post.shape[2]
    dK = np.zeros((k, k, x.shape[-1], post.shape[-1]))
    for u in range(k):
        for v in range(k):
            patch = x[:, u:u + H_out, v:v + W_out, :]
            dK[u, v] = np.einsum("bijc,bijo->co", patch, post)
    return dK
    ### END SOLUTION

print(conv_hebbian_update(np.ones((1, 4, 4, 1)), np.ones((1, 2, 2, 1)), 3)[:, :, 0, 0])

# %% nbgrader={"grade": true, "solution": false, "locked": true, "points": 3, "grade_id": "08_conv_hebbian_ex1_test", "schema_version": 3}
rng_chk = np.random.default_rng(8)
x_c = rng_chk.uniform(0, 1, (2, 5, 5, 2))
post_c = rng_chk.uniform(0, 1, (2, 3, 3, 4))
dK_chk = np.zeros((3, 3, 2, 4))   # the sum in the equation, term by term
for b_ in range(2):
    for i_ in range(3):
        for j_ in range(3):
            for u_ in range(3):
                for v_ in range(3):
                    dK_chk[u_, v_] += np.outer(x_c[b_, i_ + u_, j_ + v_], post_c[b_, i_, j_])
np.testing.assert_allclose(conv_hebbian_update(x_c, post_c, 3), dK_chk, rtol=1e-9)
### BEGIN HIDDEN TESTS
# the synapse's own dWeights: s * dK with sign_value s = -1 (no decay)
with Context("conv_check") as cc_ctx:
    Kc = HebbianConvSynapse("Kc", shape=(3, 3, 2, 4), x_shape=(5, 5), eta=0.0, sign_value=-1.0,
                            padding="VALID", batch_size=2,
                            filter_init=DistributionGenerator.constant(value=0.0))
    learn_c = MethodProcess("learn") >> Kc.evolve
Kc.pre.set(jnp.asarray(x_c, dtype=jnp.float32)); Kc.post.set(jnp.asarray(post_c, dtype=jnp.float32))
learn_c.run(dt=1.0)
np.testing.assert_allclose(-np.asarray(Kc.dWeights.get()), dK_chk, rtol=1e-4, atol=1e-5)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 2 (2 points): the entropy of the win shares
#
# Write `win_entropy(p)`: $H = -\sum_c p_c \ln p_c$ for a vector of shares that sums to 1,
# with $0 \ln 0 = 0$ (a filter that never wins adds nothing).

# %% nbgrader={"solution": true, "grade": false, "locked": false, "grade_id": "08_conv_hebbian_ex2", "schema_version": 3}
def win_entropy(p):
    ### BEGIN SOLUTION
    p = np.asarray(p, dtype=np.float64)
    nz = p[p > 0]
    return float(-(nz * np.log(nz)).sum())
    ### END SOLUTION

print(win_entropy(usage[-1]))

# %% nbgrader={"grade": true, "solution": false, "locked": true, "points": 2, "grade_id": "08_conv_hebbian_ex2_test", "schema_version": 3}
# H = ln C for equal shares, 0 when one filter takes everything
assert abs(win_entropy(np.full(8, 1 / 8)) - np.log(8)) < 1e-9
assert abs(win_entropy([1.0, 0.0, 0.0])) < 1e-12
### BEGIN HIDDEN TESTS
q_chk = np.random.default_rng(9).dirichlet(np.ones(6))
assert abs(win_entropy(q_chk) - float(-(q_chk * np.log(q_chk)).sum())) < 1e-9
assert abs(win_entropy([0.5, 0.5, 0.0]) - np.log(2)) < 1e-12
### END HIDDEN TESTS

# %% [markdown]
# ### More to try
#
# 1. Remove the competition (post $=$ the raw outputs). What do all filters converge to, and why
#    (think of the principal component of the patches, lesson 5)?
# 2. Use `padding="SAME"`: how do the output shape and the learned filters at the border change?
# 3. Replace the unit-norm step by the synapse's own `w_bound` (soft bound) and compare.
# 4. Feed the winners' map into a second `HebbianConvSynapse` with 2x2 filters: what do
#    second-layer filters combine?
