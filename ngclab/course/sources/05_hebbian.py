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
# Each exercise is a cell to complete (replace `raise NotImplementedError()`) followed by a
# test cell that checks your answer against the equations; run both. Nothing after an
# exercise depends on it.
#
# ### Exercise 1 (2 points): one Hebbian step in NumPy
#
# Write `hebbian_step(W, x, eta, w_bound)`: one update of this lesson's synapse with
# `optim_type="sgd"`, `sign_value=-1.`, a linear neuron $y = xW$ (post $= y$, pre $= x$),
# $x$ of shape `(batch, n_in)` and $W$ of shape `(n_in, n_out)`: $\Delta W = x^\top y$, scaled by
# $(w_b - |W|)$ and the result clipped to $[-w_b, w_b]$ when $w_b > 0$, and
# $W' = W + \eta\,\Delta W$. Return $W'$ as a NumPy array.

# %% nbgrader={"solution": true, "grade": false, "locked": false, "grade_id": "05_hebbian_ex1", "schema_version": 3}
def hebbian_step(W, x, eta, w_bound):
    ### BEGIN SOLUTION
    W, x = np.asarray(W, dtype=np.float64), np.asarray(x, dtype=np.float64)
    dW = x.T @ (x @ W)
    if w_bound > 0:
        dW = dW * (w_bound - np.abs(W))
    W_new = W + eta * dW
    if w_bound > 0:
        W_new = np.clip(W_new, -w_bound, w_bound)
    return W_new
    ### END SOLUTION

print(hebbian_step(np.array([[0.3], [-0.2]]), np.array([[1.0, 2.0]]), 0.1, 0.0).ravel())

# %% nbgrader={"grade": true, "solution": false, "locked": true, "points": 2, "grade_id": "05_hebbian_ex1_test", "schema_version": 3}
# the worked example above: y = -0.1, dW = x^T y = (-0.1, -0.2), W' = (0.29, -0.22)
np.testing.assert_allclose(np.ravel(hebbian_step(np.array([[0.3], [-0.2]]), np.array([[1.0, 2.0]]), 0.1, 0.0)),
                           [0.29, -0.22], atol=1e-9)
# the equations with the soft bound, on random values
rng_chk = np.random.default_rng(5)
W_c, x_c = rng_chk.uniform(-0.5, 0.5, (3, 2)), rng_chk.normal(size=(4, 3))
dW_c = x_c.T @ (x_c @ W_c) * (1.0 - np.abs(W_c))
np.testing.assert_allclose(hebbian_step(W_c, x_c, 0.05, 1.0), np.clip(W_c + 0.05 * dW_c, -1, 1), atol=1e-9)
### BEGIN HIDDEN TESTS
# against the HebbianSynapse itself (one step, sgd)
for bound_c in (0.0, 1.0):
    with Context("hebb_check") as hc_ctx:
        Hc = HebbianSynapse("Hc", shape=(3, 2), eta=0.05, w_bound=bound_c, sign_value=-1.0,
                            weight_init=DistributionGenerator.constant(value=0.0), batch_size=4)
        Hc.outputs >> Hc.post
        Hc.weights.set(jnp.asarray(W_c, dtype=jnp.float32))
        one_c = MethodProcess("one") >> Hc.advance_state >> Hc.evolve
    xc32 = jnp.asarray(x_c, dtype=jnp.float32)
    one_c.scan(steps=1, dt=1.0, clamp={Hc.inputs: xc32, Hc.pre: xc32})
    np.testing.assert_allclose(np.asarray(Hc.weights.get()), hebbian_step(W_c, x_c, 0.05, bound_c),
                               rtol=1e-4, atol=1e-5)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 2 (3 points): anti-correlated inputs
#
# Set the correlation to $\rho = -0.8$: draw `x_neg` like `x_seq` (shape `(n_steps, batch, 2)`,
# key `jax.random.PRNGKey(seed + 1)`, through the Cholesky factor of the new $C$), and learn with
# a `HebbianSynapse` as in `learn` (adam, `eta_adam`, `w_bound`), starting from
# $W = (0.3, 0.1)^\top$. Store the final weights as a vector of 2 in `W_neg`. Which direction do
# the weights find now?

# %% nbgrader={"solution": true, "grade": false, "locked": false, "grade_id": "05_hebbian_ex2", "schema_version": 3}
### BEGIN SOLUTION
C_neg = np.array([[1.0, -0.8], [-0.8, 1.0]], dtype=np.float32)
x_neg = jax.random.normal(jax.random.PRNGKey(seed + 1), (n_steps, batch, 2)) @ jnp.asarray(np.linalg.cholesky(C_neg)).T
with Context("hebb_neg") as nctx:
    Wn = HebbianSynapse("W", shape=(2, 1), eta=eta_adam, optim_type="adam", w_bound=w_bound,
                        sign_value=-1.0, weight_init=DistributionGenerator.constant(value=0.0),
                        batch_size=batch)
    Wn.outputs >> Wn.post
    Wn.weights.set(jnp.asarray([[0.3], [0.1]]))
    step_n = MethodProcess("step") >> Wn.advance_state >> Wn.evolve
step_n.scan(steps=n_steps, dt=1.0, clamp={Wn.inputs: x_neg, Wn.pre: x_neg})
W_neg = np.asarray(Wn.weights.get())[:, 0]
### END SOLUTION
print("W_neg:", np.round(W_neg, 4))

# %% nbgrader={"grade": true, "solution": false, "locked": true, "points": 3, "grade_id": "05_hebbian_ex2_test", "schema_version": 3}
# the principal eigenvector of C = [[1, rho], [rho, 1]] with rho = -0.8 (eigenvalue 1 - rho)
vals_chk, vecs_chk = np.linalg.eigh(np.array([[1.0, -0.8], [-0.8, 1.0]]))
v_chk = vecs_chk[:, np.argmax(vals_chk)]
w_chk = np.asarray(W_neg, dtype=np.float64).ravel()
assert w_chk.shape == (2,)
cos_chk = abs(w_chk @ v_chk) / np.linalg.norm(w_chk)
start_cos = abs(np.array([0.3, 0.1]) @ v_chk) / np.linalg.norm([0.3, 0.1])
assert cos_chk > start_cos + 0.2, (cos_chk, start_cos)
### BEGIN HIDDEN TESTS
assert cos_chk > 0.9, cos_chk
assert np.all(np.abs(w_chk) <= w_bound + 1e-6)  # the bound clips the weights
### END HIDDEN TESTS

# %% [markdown]
# ### More to try
#
# 1. Make the rule anti-Hebbian with `sign_value=1.`. What happens to the output variance?
# 2. Use `is_nonnegative=True` and start from $W = (0.3, -0.2)$. Where do the weights go?
# 3. Replace the soft bound by Oja's rule, $\Delta W = x^\top y - y^2 W$, written as a new
#    `Component` (see the core docs): does it converge to a unit vector?
