# %% [markdown]
# # 3. Error cells: local losses and their derivatives
#
# In predictive coding every layer compares a **prediction** with a **target** in a population of
# *error cells*. An error cell holds a local loss $L$ and hands out its derivatives: the signal
# that corrects the prediction and the one that corrects the target. ngclab has three, with
# ngc-learn's names and compartments:
#
# | cell | inputs | loss $L$ | outputs |
# |---|---|---|---|
# | `GaussianErrorCell` | `mu`, `target`, `Sigma` | $-\frac{1}{2\Sigma}\sum_i (x_i - \mu_i)^2$ | `dmu` $= (x-\mu)/\Sigma$, `dtarget` $= -$`dmu` |
# | `LaplacianErrorCell` | `shift`, `target`, `Scale` | $-\frac{1}{b}\sum_i \lvert x_i - m_i\rvert$ | `dshift` $= \mathrm{sign}(x-m)/b$, `dtarget` $= -$`dshift` |
# | `BernoulliErrorCell` | `p`, `target` | $\sum_i x_i \ln p_i + (1-x_i)\ln(1-p_i)$ | `dp`, `dtarget` $= \ln\frac{p}{1-p}$ |
#
# $L$ is a log-likelihood (higher is better), so `dmu` is an **ascent** direction: adding a
# little of it to $\mu$ increases $L$. Each cell also has `modulator` and `mask` inputs that
# multiply the derivatives (a mask applies for one step only).
#
# Two details to notice. ngc-learn 3.2.3's Laplacian cell computes $L$ as
# $-\frac1b\sum_i\lvert\mathrm{sign}(x_i - m_i)\rvert$ (it counts mismatching units); ngclab computes the
# $L_1$ form above (the derivatives are the same). And the Bernoulli cell with `input_logits=True` treats `p` as a logit $\ell$ with
# $p = \sigma(\ell)$, so `dp` $= x - \sigma(\ell)$, the exact derivative of $L$ with respect to $\ell$.

# %%
import time
import numpy as np
import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt

import ngclab
from ngclab import Context, MethodProcess
from ngclab.components import GaussianErrorCell, LaplacianErrorCell, BernoulliErrorCell

t_start = time.perf_counter()

# %% tags=["parameters"]
n_points = 101      # how many predictions to sweep
sigma = 1.0         # Gaussian variance Sigma
scale = 1.0         # Laplacian scale b
target_value = 0.5  # the target x every prediction is compared with

# %% [markdown]
# ## A sweep of predictions
#
# We put `n_points` predictions side by side in a batch (one row each) against the same
# target and read out $L$ and the derivative. `L` is summed over the batch, so for the per-row
# loss we evaluate one row at a time in a compiled `scan`: the clamped sequence feeds one
# prediction per step.

# %%
preds = np.linspace(-2.0, 3.0, n_points).astype(np.float32)
seq = jnp.asarray(preds).reshape(n_points, 1, 1)
tgt = jnp.full((1, 1), target_value)

with Context("errors") as ctx:
    g = GaussianErrorCell("g", n_units=1, sigma=sigma)
    lap = LaplacianErrorCell("lap", n_units=1, scale=scale)
    bern = BernoulliErrorCell("bern", n_units=1, input_logits=True)
    advance = MethodProcess("advance") >> g.advance_state >> lap.advance_state >> bern.advance_state

out = advance.scan(steps=n_points, dt=1.0,
                   clamp={g.mu: seq, g.target: tgt, lap.shift: seq, lap.target: tgt,
                          bern.p: seq, bern.target: jnp.ones((1, 1))},
                   record=[g.L, g.dmu, lap.L, lap.dshift, bern.L, bern.dp])
val = {k.split("/")[-1]: np.asarray(v).reshape(n_points) for k, v in out.items()}

# %%
fig, ax = plt.subplots(1, 3, figsize=(11, 3))
for a, (name, L, d) in zip(ax, [("Gaussian", "g:L", "g:dmu"), ("Laplacian", "lap:L", "lap:dshift"),
                                ("Bernoulli (logits, x=1)", "bern:L", "bern:dp")]):
    a.plot(preds, val[L], label="L")
    a.plot(preds, val[d], "--", label="derivative")
    a.axvline(target_value if "Bern" not in name else np.nan, color="gray", lw=0.5)
    a.set_title(name); a.set_xlabel("prediction"); a.legend()
plt.tight_layout(); plt.show()

# %% [markdown]
# ## Checking the derivatives with autodiff
#
# `jax.grad` of the written-out losses must agree with what the cells hand out:
#
# $$\frac{\partial}{\partial\mu}\Big(-\tfrac{1}{2\Sigma}(x-\mu)^2\Big) = \frac{x-\mu}{\Sigma},\qquad
#   \frac{\partial}{\partial\ell}\Big(x\ln\sigma(\ell) + (1-x)\ln(1-\sigma(\ell))\Big) = x - \sigma(\ell).$$

# %%
gauss_L = lambda mu: -0.5 / sigma * (target_value - mu) ** 2
bern_L = lambda l: jnp.log(jax.nn.sigmoid(l))        # x = 1
g_auto = jax.vmap(jax.grad(gauss_L))(jnp.asarray(preds))
b_auto = jax.vmap(jax.grad(bern_L))(jnp.asarray(preds))
gauss_grad_err = float(np.max(np.abs(np.asarray(g_auto) - val["g:dmu"])))
bern_grad_err = float(np.max(np.abs(np.asarray(b_auto) - val["bern:dp"])))
gauss_loss_err = float(np.max(np.abs(np.asarray(jax.vmap(gauss_L)(jnp.asarray(preds))) - val["g:L"])))
print(f"max |autodiff - cell|: gaussian {gauss_grad_err:.2e}, bernoulli {bern_grad_err:.2e}")

# %% [markdown]
# ## Following the derivative
#
# Because `dmu` is the ascent direction, the update $\mu \leftarrow \mu + \eta\,\frac{\partial L}{\partial\mu}$
# walks the prediction to the target; for the Gaussian cell this is a leaky integrator with rate
# $\eta/\Sigma$. The Laplacian derivative has a constant size $1/b$, so its prediction moves in
# fixed steps and ends up hopping around the target. (This cell is checked exactly by nbval.)

# %%
# NBVAL_CHECK_OUTPUT
with Context("descent") as dctx:
    e = GaussianErrorCell("e", n_units=1, sigma=1.0)
    step_e = MethodProcess("step") >> e.advance_state
mu = jnp.full((1, 1), -1.0)
for _ in range(20):
    e.mu.set(mu); e.target.set(jnp.full((1, 1), 0.5))
    step_e.run(t=0.0, dt=1.0)
    mu = mu + 0.2 * e.dmu.get()
print(f"mu after 20 steps: {float(mu[0, 0]):.4f} (exact: {0.5 - 1.5 * 0.8 ** 20:.4f})")

# %% [markdown]
# ## Masks and modulators
#
# `mask` zeroes chosen units' derivatives for one step (then it resets to ones); `modulator`
# scales them (e.g. by a neuromodulatory signal).

# %%
with Context("masked") as mctx:
    m = GaussianErrorCell("m", n_units=4, sigma=1.0)
    step_m = MethodProcess("step") >> m.advance_state
m.mu.set(jnp.zeros((1, 4))); m.target.set(jnp.ones((1, 4)))
m.mask.set(jnp.asarray([[1.0, 0.0, 1.0, 0.0]])); m.modulator.set(jnp.full((1, 4), 2.0))
step_m.run(t=0.0, dt=1.0)
masked_dmu = np.asarray(m.dmu.get())[0].tolist()
step_m.run(t=0.0, dt=1.0)
after_dmu = np.asarray(m.dmu.get())[0].tolist()
print("with mask:", masked_dmu, " next step:", after_dmu)

# %%
ngclab.record("gauss_grad_max_err", gauss_grad_err)
ngclab.record("bern_grad_max_err", bern_grad_err)
ngclab.record("gauss_loss_max_err", gauss_loss_err)
ngclab.record("gauss_L_at_minus2", float(val["g:L"][0]))
ngclab.record("lap_L_at_minus2", float(val["lap:L"][0]))
ngclab.record("bern_L_at_minus2", float(val["bern:L"][0]))
ngclab.record("masked_dmu", masked_dmu)
ngclab.record("dmu_after_mask", after_dmu)
ngclab.record("mu_after_descent", float(mu[0, 0]))
print(f"ran in {time.perf_counter() - t_start:.1f} s")

# %% [markdown]
# ## Exercises
#
# Each exercise is a cell to complete (replace `raise NotImplementedError()`) followed by a
# test cell that checks your answer against the equations; run both. Nothing after an
# exercise depends on it.
#
# ### Exercise 1 (2 points): a larger variance
#
# Build a `GaussianErrorCell` with `sigma = 2 * sigma` and run the same sweep of predictions
# `preds` against the target `target_value` (a `scan` over `seq`, as in the first section). Store
# the per-prediction loss and derivative in `L_wide` and `dmu_wide` (arrays of `n_points`
# values each). How do $L$ and `dmu` change? What does a large variance mean for how strongly
# a layer is corrected?

# %% nbgrader={"solution": true, "grade": false, "locked": false, "grade_id": "03_error_cells_ex1", "schema_version": 3}
### BEGIN SOLUTION
with Context("wide") as wctx:
    g_wide = GaussianErrorCell("g", n_units=1, sigma=2 * sigma)
    adv_wide = MethodProcess("advance") >> g_wide.advance_state
rec_wide = adv_wide.scan(steps=n_points, dt=1.0, clamp={g_wide.mu: seq, g_wide.target: tgt},
                         record=[g_wide.L, g_wide.dmu])
L_wide = np.asarray(rec_wide[g_wide.L.path]).reshape(n_points)
dmu_wide = np.asarray(rec_wide[g_wide.dmu.path]).reshape(n_points)
### END SOLUTION
print("L at the first prediction:", float(L_wide[0]), " dmu:", float(dmu_wide[0]))

# %% nbgrader={"grade": true, "solution": false, "locked": true, "points": 2, "grade_id": "03_error_cells_ex1_test", "schema_version": 3}
# L = -(x - mu)^2 / (2 Sigma), dmu = (x - mu) / Sigma, with Sigma = 2 sigma (table above)
sigma_chk = 2 * sigma
diff_chk = target_value - preds.astype(np.float64)
assert np.shape(L_wide) == (n_points,) and np.shape(dmu_wide) == (n_points,)
np.testing.assert_allclose(L_wide, -diff_chk ** 2 / (2 * sigma_chk), rtol=1e-5, atol=1e-6)
np.testing.assert_allclose(dmu_wide, diff_chk / sigma_chk, rtol=1e-5, atol=1e-6)
### BEGIN HIDDEN TESTS
# doubling the variance halves both the loss and the correction
np.testing.assert_allclose(np.asarray(dmu_wide), val["g:dmu"] / 2, rtol=1e-5, atol=1e-6)
np.testing.assert_allclose(np.asarray(L_wide), val["g:L"] / 2, rtol=1e-5, atol=1e-6)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 2 (2 points): descent with a Laplacian cell
#
# Repeat the descent loop of "Following the derivative" with a `LaplacianErrorCell` of
# `scale=1.0` instead of the Gaussian cell: start from $\mu = -1$, target $0.5$, 20 steps of
# $\mu \leftarrow \mu + 0.2\,$`dshift`. Store the 20 values of $\mu$ after each step in
# `mu_laplace_path`. Where does the prediction end up?

# %% nbgrader={"solution": true, "grade": false, "locked": false, "grade_id": "03_error_cells_ex2", "schema_version": 3}
### BEGIN SOLUTION
with Context("lap_descent") as lctx:
    el = LaplacianErrorCell("el", n_units=1, scale=1.0)
    step_l = MethodProcess("step") >> el.advance_state
mu_l = jnp.full((1, 1), -1.0)
mu_laplace_path = []
for _ in range(20):
    el.shift.set(mu_l); el.target.set(jnp.full((1, 1), 0.5))
    step_l.run(t=0.0, dt=1.0)
    mu_l = mu_l + 0.2 * el.dshift.get()
    mu_laplace_path.append(float(mu_l[0, 0]))
### END SOLUTION
print("mu:", np.round(mu_laplace_path, 3))

# %% nbgrader={"grade": true, "solution": false, "locked": true, "points": 2, "grade_id": "03_error_cells_ex2_test", "schema_version": 3}
# dshift = sign(x - m) / b: fixed steps of 0.2 / b towards the target, in float32 like the cell
mu_chk, path_chk = np.float32(-1.0), []
for _ in range(20):
    mu_chk = np.float32(mu_chk + np.float32(0.2) * np.sign(np.float32(0.5) - mu_chk) / np.float32(1.0))
    path_chk.append(float(mu_chk))
assert len(mu_laplace_path) == 20
np.testing.assert_allclose(mu_laplace_path, path_chk, atol=1e-5)
### BEGIN HIDDEN TESTS
# after reaching it, the prediction hops around the target, never further than one step away
assert all(abs(m - 0.5) <= 0.2 + 1e-5 for m in mu_laplace_path[8:])
### END HIDDEN TESTS

# %% [markdown]
# ### More to try
#
# 1. Use `BernoulliErrorCell(..., input_logits=False)` with `p` in (0, 1). ngc-learn multiplies
#    $\partial L/\partial p$ by $\sigma'(p)$ in that mode; compare `dp` with `jax.grad` of $L$ and
#    explain the difference.
