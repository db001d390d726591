# %% [markdown]
# # 7. Predictive coding on handwritten digits
#
# A predictive-coding (PC) circuit explains its input with a hierarchy of latent activities that
# *predict* the layer below. Here two latent layers, $z^1$ (`n1` units) and $z^2$ (`n2` units),
# explain scikit-learn's 8x8 digits $x$ (64 pixels in $[0, 1]$):
#
# $$\mu^0 = W^1 f(z^1), \qquad \mu^1 = W^2 f(z^2), \qquad
#   e^0 = x - \mu^0, \qquad e^1 = z^1 - \mu^1 .$$
#
# The error cells are `GaussianErrorCell`s (lesson 3). The latents **settle** by climbing the
# total log-likelihood $L = -\tfrac12\lVert e^0\rVert^2 - \tfrac12\lVert e^1\rVert^2$; for rate cells
# (lesson 2) this is
#
# $$\tau_m \frac{dz^1}{dt} = \big((W^1)^\top e^0\big) \odot f'(z^1) - e^1, \qquad
#   \tau_m \frac{dz^2}{dt} = \big((W^2)^\top e^1\big) \odot f'(z^2):$$
#
# the bottom-up current $j$ is the error below sent back through the transposed weights (static
# synapses $E^1, E^2$ holding $(W^1)^\top, (W^2)^\top$), the top-down current $j_{td}$ is the
# layer's own error (`e1.dtarget` $= -e^1$). After settling, the weights take one **Hebbian**
# step: pre-synaptic activity times post-synaptic error,
#
# $$\Delta W^1 = f(z^1)^\top e^0, \qquad \Delta W^2 = f(z^2)^\top e^1 ,$$
#
# which is exactly gradient ascent on $L$ with respect to the weights. Everything is local: each
# synapse sees only its two ends.

# %%
import time
import warnings
import numpy as np
import jax.numpy as jnp
import matplotlib.pyplot as plt
from sklearn.datasets import load_digits

import ngclab
from ngclab import Context, MethodProcess
from ngclab.components import RateCell, GaussianErrorCell, HebbianSynapse, StaticSynapse
from ngclab.utils.distribution_generator import DistributionGenerator

t_start = time.perf_counter()

# %% tags=["parameters"]
n_train = 512      # training images
n_test = 256       # held-out images
batch = 64         # images per batch
n1 = 36            # units in the first latent layer
n2 = 18            # units in the second latent layer
T = 20             # settling steps per batch
tau_m = 10.0       # latent time constant
eta = 0.01         # learning rate (adam)
epochs = 6

# %%
digits = load_digits()
X = (digits.data / 16.0).astype(np.float32)
X_train, X_test = X[:n_train], X[n_train:n_train + n_test]
print(X_train.shape, X_test.shape)

init = DistributionGenerator.gaussian(mean=0.0, std=0.05)
with Context("pc") as ctx:
    z1 = RateCell("z1", n_units=n1, tau_m=tau_m, act_fx="tanh", batch_size=batch)
    z2 = RateCell("z2", n_units=n2, tau_m=tau_m, act_fx="tanh", batch_size=batch)
    W1 = HebbianSynapse("W1", shape=(n1, 64), eta=eta, sign_value=-1.0, w_bound=0.0,
                        optim_type="adam", weight_init=init, batch_size=batch, key=1)
    W2 = HebbianSynapse("W2", shape=(n2, n1), eta=eta, sign_value=-1.0, w_bound=0.0,
                        optim_type="adam", weight_init=init, batch_size=batch, key=2)
    e0 = GaussianErrorCell("e0", n_units=64, batch_size=batch)
    e1 = GaussianErrorCell("e1", n_units=n1, batch_size=batch)
    E1 = StaticSynapse("E1", shape=(64, n1), batch_size=batch)
    E2 = StaticSynapse("E2", shape=(n1, n2), batch_size=batch)
    # predictions and errors
    z1.zF >> W1.inputs; W1.outputs >> e0.mu
    z2.zF >> W2.inputs; W2.outputs >> e1.mu; z1.z >> e1.target
    # errors sent back up (bottom-up currents) and the layer's own error (top-down)
    e0.dmu >> E1.inputs; E1.outputs >> z1.j; e1.dtarget >> z1.j_td
    e1.dmu >> E2.inputs; E2.outputs >> z2.j
    # the two ends of each plastic synapse
    z1.zF >> W1.pre; e0.dmu >> W1.post
    z2.zF >> W2.pre; e1.dmu >> W2.post
    settle = (MethodProcess("settle") >> W1.advance_state >> W2.advance_state >> e0.advance_state
              >> e1.advance_state >> E1.advance_state >> E2.advance_state >> z1.advance_state
              >> z2.advance_state)
    learn = MethodProcess("learn") >> W1.evolve >> W2.evolve
    reset = MethodProcess("reset")
    for c in (z1, z2, e0, e1, W1, W2, E1, E2):
        reset >> c.reset

# %% [markdown]
# The circuit is a loop: the predictions read last step's latents, the latents read this step's
# errors. ngclab warns (`OrderWarning`) when a step reads a value written later in the same
# process; in a loop one such read is unavoidable and intended, so we silence that warning.
#
# Before settling each batch we copy the transposes into the feedback synapses (values only: no
# recompilation).

# %%
from ngclab.core.checks import OrderWarning
warnings.simplefilter("ignore", OrderWarning)

def sync_feedback():
    E1.weights.set(W1.weights.get().T)
    E2.weights.set(W2.weights.get().T)

def run_batch(xb, train):
    reset.run()
    sync_feedback()
    settle.scan(steps=T, dt=1.0, clamp={e0.target: xb})
    err = float(jnp.mean((W1.outputs.get() - xb) ** 2))
    if train:
        learn.run(dt=1.0)
    return err

def evaluate(Xs):
    return float(np.mean([run_batch(jnp.asarray(Xs[i:i + batch]), False)
                          for i in range(0, len(Xs) - batch + 1, batch)]))

history = {"train": [], "test": [evaluate(X_test)]}
for ep in range(epochs):
    errs = [run_batch(jnp.asarray(X_train[i:i + batch]), True)
            for i in range(0, n_train - batch + 1, batch)]
    history["train"].append(float(np.mean(errs)))
    history["test"].append(evaluate(X_test))
    print(f"epoch {ep + 1}: train MSE {history['train'][-1]:.4f}, test MSE {history['test'][-1]:.4f}")

# %%
fig, ax = plt.subplots(1, 2, figsize=(11, 3.2), gridspec_kw={"width_ratios": [1, 2]})
ax[0].plot(range(1, epochs + 1), history["train"], "o-", label="train (while learning)")
ax[0].plot(range(0, epochs + 1), history["test"], "s-", label="held-out")
ax[0].set_xlabel("epoch"); ax[0].set_ylabel("reconstruction MSE"); ax[0].legend()
xb = jnp.asarray(X_test[:batch])
run_batch(xb, False)
recon = np.asarray(W1.outputs.get())
grid = np.concatenate([np.concatenate([X_test[i].reshape(8, 8), recon[i].reshape(8, 8)], 0)
                       for i in range(10)], 1)
ax[1].imshow(grid, cmap="gray_r", vmin=0, vmax=1)
ax[1].set_title("held-out digits (top) and their settled predictions (bottom)"); ax[1].axis("off")
plt.tight_layout(); plt.show()

# %% [markdown]
# ## What the first layer learned
#
# Each column of $W^1$ is the image a single latent unit "draws" when it is active: a dictionary
# of strokes.

# %%
atoms = np.asarray(W1.weights.get())
fig, axs = plt.subplots(3, 12, figsize=(10, 2.6))
for k, a in enumerate(axs.ravel()):
    if k < n1:
        a.imshow(atoms[k].reshape(8, 8), cmap="RdBu_r")
    a.axis("off")
plt.show()

# %%
ngclab.record("test_mse_initial", history["test"][0])
ngclab.record("test_mse_final", history["test"][-1])
ngclab.record("train_mse_per_epoch", history["train"])
ngclab.record("error_reduction", history["test"][0] / history["test"][-1])
print(f"ran in {time.perf_counter() - t_start:.1f} s")

# %% [markdown]
# ## Exercises
#
# Each exercise is a cell to complete (replace `raise NotImplementedError()`) followed by a
# test cell that checks your answer against the equations; run both. Nothing after an
# exercise depends on it.
#
# ### Exercise 1 (3 points): the energy during settling
#
# For the held-out batch `xb = jnp.asarray(X_test[:batch])`, reset the circuit, copy the
# feedback weights (`sync_feedback()`) and settle it for `T` steps as `run_batch` does, but
# record `e0.L` and `e1.L` in the `scan`. Store the total energy
# $E = \tfrac12\lVert e^0\rVert^2 + \tfrac12\lVert e^1\rVert^2 = -(L^0 + L^1)$ after each step
# in `energy` (an array of `T` values; $L$ is summed over the batch). Does it fall
# monotonically? (Try `tau_m = 2` too.)

# %% nbgrader={"solution": true, "grade": false, "locked": false, "grade_id": "07_predictive_coding_ex1", "schema_version": 3}
### BEGIN SOLUTION
xb = jnp.asarray(X_test[:batch])
reset.run()
sync_feedback()
rec_e = settle.scan(steps=T, dt=1.0, clamp={e0.target: xb}, record=[e0.L, e1.L])
energy = -(np.asarray(rec_e[e0.L.path]).ravel() + np.asarray(rec_e[e1.L.path]).ravel())
### END SOLUTION
print("energy:", np.round(energy[[0, -1]], 3))

# %% nbgrader={"grade": true, "solution": false, "locked": true, "points": 3, "grade_id": "07_predictive_coding_ex1_test", "schema_version": 3}
# settle again from the same state, recording the errors themselves, e = (target - mu) / Sigma
# (dmu of a Gaussian error cell, Sigma = 1, lesson 3); then E = 1/2 sum e0^2 + 1/2 sum e1^2
xb_chk = jnp.asarray(X_test[:batch])
reset.run(); sync_feedback()
r_chk = settle.scan(steps=T, dt=1.0, clamp={e0.target: xb_chk}, record=[e0.dmu, e1.dmu])
E_chk = 0.5 * (np.asarray(r_chk[e0.dmu.path], dtype=np.float64) ** 2).sum(axis=(1, 2)) \
    + 0.5 * (np.asarray(r_chk[e1.dmu.path], dtype=np.float64) ** 2).sum(axis=(1, 2))
assert np.shape(energy) == (T,)
np.testing.assert_allclose(energy, E_chk, rtol=1e-4, atol=1e-4)
### BEGIN HIDDEN TESTS
assert energy[-1] < energy[0]   # settling lowers the energy
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 2 (2 points): the weight update is the gradient
#
# Write `hebbian_dW1(fz1, x, W)`: the Hebbian update of the first layer,
# $\Delta W^1 = f(z^1)^\top e^0$ with $e^0 = x - f(z^1)W^1$, for `fz1` of shape `(batch, n1)`,
# `x` of shape `(batch, 64)` and `W` of shape `(n1, 64)`. It should equal the gradient of
# $L = -\tfrac12\lVert x - f(z^1)W^1\rVert^2$ with respect to $W^1$: the Hebbian step is
# gradient ascent.

# %% nbgrader={"solution": true, "grade": false, "locked": false, "grade_id": "07_predictive_coding_ex2", "schema_version": 3}
def hebbian_dW1(fz1, x, W):
    ### BEGIN SOLUTION
    fz1, x, W = (np.asarray(v, dtype=np.float64) for v in (fz1, x, W))
    return fz1.T @ (x - fz1 @ W)
    ### END SOLUTION

print("|dW1| at the settled state:", float(np.linalg.norm(
    hebbian_dW1(z1.zF.get(), X_test[:batch], W1.weights.get()))))

# %% nbgrader={"grade": true, "solution": false, "locked": true, "points": 2, "grade_id": "07_predictive_coding_ex2_test", "schema_version": 3}
import jax
def grad_chk(fz_, x_, W_):   # dL/dW of L = -1/2 ||x - fz W||^2, by autodiff
    loss_ = lambda M: -0.5 * jnp.sum((jnp.asarray(x_) - jnp.asarray(fz_) @ M) ** 2)
    return np.asarray(jax.grad(loss_)(jnp.asarray(W_)))
rng_chk = np.random.default_rng(10)
fz_c, x_c, W_c = rng_chk.uniform(-1, 1, (8, n1)), rng_chk.uniform(0, 1, (8, 64)), rng_chk.normal(0, 0.1, (n1, 64))
assert np.shape(hebbian_dW1(fz_c, x_c, W_c)) == (n1, 64)
np.testing.assert_allclose(hebbian_dW1(fz_c, x_c, W_c), grad_chk(fz_c, x_c, W_c), rtol=1e-4, atol=1e-4)
### BEGIN HIDDEN TESTS
fz_s, W_s = np.asarray(z1.zF.get()), np.asarray(W1.weights.get())
np.testing.assert_allclose(hebbian_dW1(fz_s, X_test[:batch], W_s), grad_chk(fz_s, X_test[:batch], W_s),
                           rtol=1e-4, atol=1e-4)
### END HIDDEN TESTS

# %% [markdown]
# ### More to try
#
# 1. Replace `GaussianErrorCell` `e0` by a `BernoulliErrorCell` (the pixels are in [0, 1]):
#    which compartments change names, and does the reconstruction get sharper?
# 2. Use `optim_type="sgd"`. Which `eta` learns as fast as adam here?
# 3. Clamp $z^2$ to a fixed pattern and let $z^1$ settle with no input below (mask `e0`): what does
#    the circuit "imagine"?
